//! Simulated validators: real ed25519 keys that sign CometBFT votes.

use cosmwasm_std::testing::MockApi;
use cosmwasm_std::{Binary, Timestamp};
use cw_ics_ccv::{BlockId, ConsensusAddress, DuplicateVoteEvidence, PublicKey, Vote, VoteType};
use ed25519_dalek::{Signer, SigningKey};
use sha2::{Digest, Sha256};

/// A validator operator's consensus key, derived from its name so runs are reproducible.
#[derive(Clone, Debug)]
pub struct SimValidator {
    pub name: String,
    signing_key: SigningKey,
}

/// Two conflicting votes by one validator on one chain, with what checking them needs: the
/// protocol's evidence (what anyone submits to the provider), the chain id the votes were
/// signed for and the signer's key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedEvidence {
    pub chain_id: String,
    pub public_key: PublicKey,
    pub evidence: DuplicateVoteEvidence,
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
        height: u64,
        block_hash: &[u8],
        timestamp_seconds: u64,
    ) -> Vote {
        let mut vote = Vote {
            vote_type: VoteType::Precommit,
            height,
            round: 0,
            block_id: Some(BlockId {
                hash: block_hash.to_vec().into(),
                part_set_total: 1,
                part_set_hash: block_hash.to_vec().into(),
            }),
            timestamp: Timestamp::from_seconds(timestamp_seconds),
            validator_address: Binary::from(self.consensus_address().as_bytes()),
            validator_index: 0,
            signature: Binary::default(),
        };
        // Heights in the simulator are far below i64::MAX, so the vote always has sign-bytes.
        let bytes = vote.sign_bytes(chain_id).unwrap_or_default();
        vote.signature = Binary::from(self.signing_key.sign(&bytes).to_bytes().as_slice());
        vote
    }

    /// What a double-signing validator produces: precommits for two different blocks.
    pub fn double_sign(
        &self,
        chain_id: &str,
        height: u64,
        timestamp_seconds: u64,
    ) -> SignedEvidence {
        let hash = |fork: &str| -> Vec<u8> {
            Sha256::digest(format!("{chain_id}/{height}/{fork}")).to_vec()
        };
        SignedEvidence {
            chain_id: chain_id.to_string(),
            public_key: self.public_key(),
            evidence: DuplicateVoteEvidence {
                vote_a: self.sign_precommit(chain_id, height, &hash("a"), timestamp_seconds),
                vote_b: self.sign_precommit(chain_id, height, &hash("b"), timestamp_seconds),
            },
        }
    }
}

impl SignedEvidence {
    /// Whether the provider would believe it: the protocol crate's check, with the ed25519
    /// verification of cosmwasm-std's mock API (the same algorithm the chain runs).
    pub fn is_valid(&self) -> bool {
        self.evidence
            .verify(&MockApi::default(), &self.chain_id, &self.public_key)
            .is_ok()
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
        same_block.evidence.vote_b = same_block.evidence.vote_a.clone();
        assert!(!same_block.is_valid());

        let mut other_chain = evidence.clone();
        other_chain.chain_id = "consumer-2".to_string();
        assert!(!other_chain.is_valid());

        let mut tampered = evidence;
        tampered.evidence.vote_b.height += 1;
        assert!(!tampered.is_valid());
    }
}
