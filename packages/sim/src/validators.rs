//! Simulated validators: real ed25519 keys that sign CometBFT votes.

use cw_ics_ccv::{BlockId, CanonicalVote, ConsensusAddress, PublicKey, VoteType};
use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

/// A validator operator's consensus key, derived from its name so runs are reproducible.
#[derive(Clone, Debug)]
pub struct SimValidator {
    pub name: String,
    signing_key: SigningKey,
}

/// A vote with its signature, as it would travel in a commit or in evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedVote {
    pub chain_id: String,
    pub height: i64,
    pub round: i64,
    pub block_hash: Vec<u8>,
    pub timestamp_seconds: i64,
    pub signature: Vec<u8>,
}

/// Two votes by one validator for different blocks at the same height and round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateVoteEvidence {
    pub public_key: PublicKey,
    pub vote_a: SignedVote,
    pub vote_b: SignedVote,
}

impl SimValidator {
    pub fn new(name: impl Into<String>) -> Self {
        let name = name.into();
        let seed: [u8; 32] = Sha256::digest(format!("cw-ics-sim validator {name}")).into();
        SimValidator {
            name,
            signing_key: SigningKey::from_bytes(&seed),
        }
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey::Ed25519(self.signing_key.verifying_key().to_bytes().to_vec().into())
    }

    pub fn consensus_address(&self) -> ConsensusAddress {
        self.public_key().consensus_address()
    }

    /// Signs a precommit for `block_hash` at `height`, round 0.
    pub fn sign_precommit(
        &self,
        chain_id: &str,
        height: i64,
        block_hash: &[u8],
        timestamp_seconds: i64,
    ) -> SignedVote {
        let mut vote = SignedVote {
            chain_id: chain_id.to_string(),
            height,
            round: 0,
            block_hash: block_hash.to_vec(),
            timestamp_seconds,
            signature: vec![],
        };
        vote.signature = self
            .signing_key
            .sign(&vote.sign_bytes())
            .to_bytes()
            .to_vec();
        vote
    }

    /// What a double-signing validator produces: precommits for two different blocks.
    pub fn double_sign(
        &self,
        chain_id: &str,
        height: i64,
        timestamp_seconds: i64,
    ) -> DuplicateVoteEvidence {
        let hash = |fork: &str| -> Vec<u8> {
            Sha256::digest(format!("{chain_id}/{height}/{fork}")).to_vec()
        };
        DuplicateVoteEvidence {
            public_key: self.public_key(),
            vote_a: self.sign_precommit(chain_id, height, &hash("a"), timestamp_seconds),
            vote_b: self.sign_precommit(chain_id, height, &hash("b"), timestamp_seconds),
        }
    }
}

impl SignedVote {
    pub fn sign_bytes(&self) -> Vec<u8> {
        CanonicalVote {
            vote_type: VoteType::Precommit,
            height: self.height,
            round: self.round,
            block_id: Some(BlockId {
                hash: self.block_hash.clone().into(),
                part_set_total: 1,
                part_set_hash: self.block_hash.clone().into(),
            }),
            timestamp_seconds: self.timestamp_seconds,
            timestamp_nanos: 0,
            chain_id: &self.chain_id,
        }
        .sign_bytes()
    }

    pub fn verify(&self, public_key: &PublicKey) -> bool {
        let Ok(key_bytes) = <[u8; 32]>::try_from(public_key.bytes()) else {
            return false;
        };
        let Ok(key) = VerifyingKey::from_bytes(&key_bytes) else {
            return false;
        };
        let Ok(signature) = ed25519_dalek::Signature::from_slice(&self.signature) else {
            return false;
        };
        key.verify(&self.sign_bytes(), &signature).is_ok()
    }
}

impl DuplicateVoteEvidence {
    /// Valid evidence: both votes signed by the key, same chain, height and round, different
    /// blocks.
    pub fn is_valid(&self) -> bool {
        self.vote_a.chain_id == self.vote_b.chain_id
            && self.vote_a.height == self.vote_b.height
            && self.vote_a.round == self.vote_b.round
            && self.vote_a.block_hash != self.vote_b.block_hash
            && self.vote_a.verify(&self.public_key)
            && self.vote_b.verify(&self.public_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_deterministic_and_distinct() {
        assert_eq!(
            SimValidator::new("a").public_key(),
            SimValidator::new("a").public_key()
        );
        assert_ne!(
            SimValidator::new("a").public_key(),
            SimValidator::new("b").public_key()
        );
    }

    #[test]
    fn a_double_sign_is_valid_evidence_and_a_forgery_is_not() {
        let validator = SimValidator::new("mallory");
        let evidence = validator.double_sign("consumer-1", 12, 1_700_000_000);
        assert!(evidence.is_valid());

        let mut forged = evidence.clone();
        forged.public_key = SimValidator::new("alice").public_key();
        assert!(!forged.is_valid());

        let mut same_block = evidence.clone();
        same_block.vote_b = same_block.vote_a.clone();
        assert!(!same_block.is_valid());

        let mut tampered = evidence;
        tampered.vote_b.height += 1;
        assert!(!tampered.is_valid());
    }
}
