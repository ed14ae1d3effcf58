//! CometBFT duplicate-vote evidence, checked without a light client: two votes, both signed
//! with the same consensus key for the same chain, height, round and step, for different
//! blocks. Anyone may hand such evidence to the provider; only the signatures make it
//! believable, so every check here is about the two votes themselves. Whether the key
//! belonged to a validator of that consumer at the time is the provider's question.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Api, Binary, Timestamp};
use thiserror::Error;

use crate::keys::{ConsensusAddress, PublicKey, CONSENSUS_ADDRESS_LEN};
use crate::sign_bytes::{BlockId, CanonicalVote, VoteType};

const NANOS_PER_SECOND: u64 = 1_000_000_000;

/// One signed vote, as CometBFT's `Vote` carries it in `DuplicateVoteEvidence`.
#[cw_serde]
#[derive(Eq)]
pub struct Vote {
    pub vote_type: VoteType,
    pub height: u64,
    pub round: u32,
    /// `None` for a vote for no block (nil).
    pub block_id: Option<BlockId>,
    pub timestamp: Timestamp,
    /// The signer's consensus address (20 bytes).
    pub validator_address: Binary,
    pub validator_index: u32,
    /// The ed25519 signature of the vote's canonical sign-bytes.
    pub signature: Binary,
}

/// Two conflicting votes by one validator.
#[cw_serde]
#[derive(Eq)]
pub struct DuplicateVoteEvidence {
    pub vote_a: Vote,
    pub vote_b: Vote,
}

/// Why two votes do not prove a double sign.
#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum EvidenceError {
    #[error("the votes are for different heights ({a} and {b})")]
    HeightMismatch { a: u64, b: u64 },
    #[error("the votes are for different rounds ({a} and {b})")]
    RoundMismatch { a: u32, b: u32 },
    #[error("the votes are of different types")]
    TypeMismatch,
    #[error("the votes are by different validators")]
    ValidatorMismatch,
    #[error("the votes carry different validator indexes ({a} and {b})")]
    ValidatorIndexMismatch { a: u32, b: u32 },
    #[error("the votes are for the same block: there is no conflict")]
    SameBlock,
    #[error("height {0} is beyond CometBFT's int64 heights")]
    HeightOutOfRange(u64),
    #[error("a vote's validator address must be 20 bytes, got {0}")]
    InvalidAddressLength(usize),
    #[error("the validator's key on this chain does not hash to the votes' address")]
    KeyMismatch,
    #[error("the signature of vote {vote} does not verify for the chain id and key")]
    InvalidSignature { vote: &'static str },
}

impl Vote {
    /// What the validator signed when it cast this vote on `chain_id`.
    pub fn sign_bytes(&self, chain_id: &str) -> Result<Vec<u8>, EvidenceError> {
        let height =
            i64::try_from(self.height).map_err(|_| EvidenceError::HeightOutOfRange(self.height))?;
        let nanos = self.timestamp.nanos();
        // Both fit: u64 seconds since 1970 / 1e9 < i64::MAX, and the remainder < 1e9.
        let timestamp_seconds = (nanos / NANOS_PER_SECOND) as i64;
        let timestamp_nanos = (nanos % NANOS_PER_SECOND) as i32;
        Ok(CanonicalVote {
            vote_type: self.vote_type,
            height,
            round: i64::from(self.round),
            block_id: self.block_id.clone(),
            timestamp_seconds,
            timestamp_nanos,
            chain_id,
        }
        .sign_bytes())
    }

    /// The block voted for; a block id of zeros is a vote for nil, as CometBFT encodes it.
    fn voted_block(&self) -> Option<&BlockId> {
        self.block_id.as_ref().filter(|id| !id.is_zero())
    }

    fn signature_verifies(
        &self,
        api: &dyn Api,
        chain_id: &str,
        key: &PublicKey,
    ) -> Result<bool, EvidenceError> {
        let message = self.sign_bytes(chain_id)?;
        // A malformed signature or key is a signature that does not verify.
        Ok(api
            .ed25519_verify(&message, &self.signature, key.bytes())
            .unwrap_or(false))
    }
}

impl DuplicateVoteEvidence {
    /// The consensus address both votes name, once [`Self::verify`] has passed.
    pub fn validator_address(&self) -> Result<ConsensusAddress, EvidenceError> {
        ConsensusAddress::from_slice(self.vote_a.validator_address.as_slice())
            .map_err(|_| EvidenceError::InvalidAddressLength(self.vote_a.validator_address.len()))
    }

    /// Checks, in CometBFT's order, that the votes conflict and that both were signed with
    /// `key` for `chain_id`. Cheap checks first: the two signature checks come last.
    pub fn verify(
        &self,
        api: &dyn Api,
        chain_id: &str,
        key: &PublicKey,
    ) -> Result<(), EvidenceError> {
        let (a, b) = (&self.vote_a, &self.vote_b);
        if a.height != b.height {
            return Err(EvidenceError::HeightMismatch {
                a: a.height,
                b: b.height,
            });
        }
        if a.round != b.round {
            return Err(EvidenceError::RoundMismatch {
                a: a.round,
                b: b.round,
            });
        }
        if a.vote_type != b.vote_type {
            return Err(EvidenceError::TypeMismatch);
        }
        if a.validator_address != b.validator_address {
            return Err(EvidenceError::ValidatorMismatch);
        }
        if a.validator_index != b.validator_index {
            return Err(EvidenceError::ValidatorIndexMismatch {
                a: a.validator_index,
                b: b.validator_index,
            });
        }
        // Compared as signed: nil and a block id of zeros sign the same bytes, so one vote
        // must never count as two.
        if a.voted_block() == b.voted_block() {
            return Err(EvidenceError::SameBlock);
        }
        if a.validator_address.len() != CONSENSUS_ADDRESS_LEN {
            return Err(EvidenceError::InvalidAddressLength(
                a.validator_address.len(),
            ));
        }
        if key.consensus_address().as_bytes() != a.validator_address.as_slice() {
            return Err(EvidenceError::KeyMismatch);
        }
        if !a.signature_verifies(api, chain_id, key)? {
            return Err(EvidenceError::InvalidSignature { vote: "a" });
        }
        if !b.signature_verifies(api, chain_id, key)? {
            return Err(EvidenceError::InvalidSignature { vote: "b" });
        }
        Ok(())
    }
}
