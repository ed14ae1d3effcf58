//! Duplicate-vote evidence with votes really signed by ed25519 keys: the valid case, and each
//! way two votes can fail to prove a double sign.

use cosmwasm_std::testing::MockApi;
use cosmwasm_std::{Binary, Timestamp};
use cw_ics_ccv::{BlockId, DuplicateVoteEvidence, EvidenceError, PublicKey, Vote, VoteType};
use ed25519_dalek::{Signer, SigningKey};

const CHAIN: &str = "consumer-1";

struct Signer25519(SigningKey);

impl Signer25519 {
    fn new(seed: u8) -> Self {
        Signer25519(SigningKey::from_bytes(&[seed; 32]))
    }

    fn public_key(&self) -> PublicKey {
        PublicKey::ed25519(self.0.verifying_key().to_bytes().to_vec()).unwrap()
    }

    fn vote(&self, chain_id: &str, height: u64, block: Option<u8>) -> Vote {
        let mut vote = Vote {
            vote_type: VoteType::Precommit,
            height,
            round: 0,
            block_id: block.map(block_id),
            timestamp: Timestamp::from_nanos(1_700_000_000_123_456_789),
            validator_address: Binary::from(self.public_key().consensus_address().as_bytes()),
            validator_index: 3,
            signature: Binary::default(),
        };
        self.sign(&mut vote, chain_id);
        vote
    }

    fn sign(&self, vote: &mut Vote, chain_id: &str) {
        let bytes = vote.sign_bytes(chain_id).unwrap();
        vote.signature = Binary::from(self.0.sign(&bytes).to_bytes().as_slice());
    }
}

fn block_id(seed: u8) -> BlockId {
    BlockId {
        hash: vec![seed; 32].into(),
        part_set_total: 1,
        part_set_hash: vec![seed.wrapping_add(1); 32].into(),
    }
}

fn evidence(signer: &Signer25519) -> DuplicateVoteEvidence {
    DuplicateVoteEvidence {
        vote_a: signer.vote(CHAIN, 10, Some(1)),
        vote_b: signer.vote(CHAIN, 10, Some(2)),
    }
}

fn verify(evidence: &DuplicateVoteEvidence, key: &PublicKey) -> Result<(), EvidenceError> {
    evidence.verify(&MockApi::default(), CHAIN, key)
}

#[test]
fn two_signed_votes_for_different_blocks_prove_a_double_sign() {
    let signer = Signer25519::new(1);
    let evidence = evidence(&signer);
    assert_eq!(verify(&evidence, &signer.public_key()), Ok(()));
    assert_eq!(
        evidence.validator_address().unwrap(),
        signer.public_key().consensus_address()
    );
}

#[test]
fn a_vote_for_a_block_and_one_for_nil_conflict() {
    let signer = Signer25519::new(1);
    let evidence = DuplicateVoteEvidence {
        vote_a: signer.vote(CHAIN, 10, Some(1)),
        vote_b: signer.vote(CHAIN, 10, None),
    };
    assert_eq!(verify(&evidence, &signer.public_key()), Ok(()));
}

#[test]
fn a_forged_signature_is_refused() {
    let signer = Signer25519::new(1);
    let mut evidence = evidence(&signer);
    let mut forged = evidence.vote_b.signature.to_vec();
    forged[0] ^= 1;
    evidence.vote_b.signature = forged.into();
    assert_eq!(
        verify(&evidence, &signer.public_key()),
        Err(EvidenceError::InvalidSignature { vote: "b" })
    );
}

#[test]
fn a_signature_by_another_key_is_refused() {
    let signer = Signer25519::new(1);
    let other = Signer25519::new(2);
    let mut evidence = evidence(&signer);
    other.sign(&mut evidence.vote_a, CHAIN);
    assert_eq!(
        verify(&evidence, &signer.public_key()),
        Err(EvidenceError::InvalidSignature { vote: "a" })
    );
}

#[test]
fn votes_signed_for_another_chain_are_refused() {
    let signer = Signer25519::new(1);
    let evidence = DuplicateVoteEvidence {
        vote_a: signer.vote("other-chain", 10, Some(1)),
        vote_b: signer.vote("other-chain", 10, Some(2)),
    };
    assert_eq!(
        verify(&evidence, &signer.public_key()),
        Err(EvidenceError::InvalidSignature { vote: "a" })
    );
}

#[test]
fn the_key_must_hash_to_the_votes_address() {
    let signer = Signer25519::new(1);
    let evidence = evidence(&signer);
    assert_eq!(
        verify(&evidence, &Signer25519::new(2).public_key()),
        Err(EvidenceError::KeyMismatch)
    );
}

#[test]
fn identical_block_ids_are_no_conflict() {
    let signer = Signer25519::new(1);
    let evidence = DuplicateVoteEvidence {
        vote_a: signer.vote(CHAIN, 10, Some(1)),
        vote_b: signer.vote(CHAIN, 10, Some(1)),
    };
    assert_eq!(
        verify(&evidence, &signer.public_key()),
        Err(EvidenceError::SameBlock)
    );
}

/// nil and a block id of zeros sign the same bytes: one nil vote must not count as two.
#[test]
fn one_nil_vote_written_two_ways_is_no_conflict() {
    let signer = Signer25519::new(1);
    let nil = signer.vote(CHAIN, 10, None);
    let mut zeros = nil.clone();
    zeros.block_id = Some(BlockId {
        hash: Binary::default(),
        part_set_total: 0,
        part_set_hash: Binary::default(),
    });
    let evidence = DuplicateVoteEvidence {
        vote_a: nil,
        vote_b: zeros,
    };
    assert_eq!(
        verify(&evidence, &signer.public_key()),
        Err(EvidenceError::SameBlock)
    );
}

#[test]
fn votes_at_different_heights_rounds_or_steps_are_refused() {
    let signer = Signer25519::new(1);
    let key = signer.public_key();

    let mut evidence = self::evidence(&signer);
    evidence.vote_b = signer.vote(CHAIN, 11, Some(2));
    assert_eq!(
        verify(&evidence, &key),
        Err(EvidenceError::HeightMismatch { a: 10, b: 11 })
    );

    let mut evidence = self::evidence(&signer);
    evidence.vote_b.round = 1;
    signer.sign(&mut evidence.vote_b, CHAIN);
    assert_eq!(
        verify(&evidence, &key),
        Err(EvidenceError::RoundMismatch { a: 0, b: 1 })
    );

    let mut evidence = self::evidence(&signer);
    evidence.vote_b.vote_type = VoteType::Prevote;
    signer.sign(&mut evidence.vote_b, CHAIN);
    assert_eq!(verify(&evidence, &key), Err(EvidenceError::TypeMismatch));
}

#[test]
fn votes_by_two_validators_are_refused() {
    let first = Signer25519::new(1);
    let second = Signer25519::new(2);
    let evidence = DuplicateVoteEvidence {
        vote_a: first.vote(CHAIN, 10, Some(1)),
        vote_b: second.vote(CHAIN, 10, Some(2)),
    };
    assert_eq!(
        verify(&evidence, &first.public_key()),
        Err(EvidenceError::ValidatorMismatch)
    );
}

#[test]
fn votes_with_different_validator_indexes_are_refused() {
    let signer = Signer25519::new(1);
    let mut evidence = evidence(&signer);
    evidence.vote_b.validator_index = 4;
    signer.sign(&mut evidence.vote_b, CHAIN);
    assert_eq!(
        verify(&evidence, &signer.public_key()),
        Err(EvidenceError::ValidatorIndexMismatch { a: 3, b: 4 })
    );
}

#[test]
fn heights_beyond_int64_are_refused() {
    let signer = Signer25519::new(1);
    let mut evidence = evidence(&signer);
    evidence.vote_a.height = u64::MAX;
    evidence.vote_b.height = u64::MAX;
    assert_eq!(
        verify(&evidence, &signer.public_key()),
        Err(EvidenceError::HeightOutOfRange(u64::MAX))
    );
}

#[test]
fn a_malformed_address_is_refused_before_any_signature_check() {
    let signer = Signer25519::new(1);
    let mut evidence = evidence(&signer);
    evidence.vote_a.validator_address = vec![1; 19].into();
    evidence.vote_b.validator_address = vec![1; 19].into();
    assert_eq!(
        verify(&evidence, &signer.public_key()),
        Err(EvidenceError::InvalidAddressLength(19))
    );
}
