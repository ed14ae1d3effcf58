//! Checks the hand-written canonical vote encoder against tendermint-rs, CometBFT's Rust
//! reference, over random votes.

use cw_ics_ccv::{BlockId, CanonicalVote, VoteType};
use proptest::prelude::*;
use tendermint::block::{self, parts};
use tendermint::hash::{Algorithm, Hash};
use tendermint::vote::{self, ValidatorIndex, Vote};
use tendermint::{account, chain, Time};

fn reference_sign_bytes(vote: &CanonicalVote) -> Vec<u8> {
    let block_id = vote.block_id.as_ref().map(|id| block::Id {
        hash: Hash::from_bytes(Algorithm::Sha256, &id.hash).unwrap(),
        part_set_header: parts::Header::new(
            id.part_set_total,
            Hash::from_bytes(Algorithm::Sha256, &id.part_set_hash).unwrap(),
        )
        .unwrap(),
    });
    let reference = Vote {
        vote_type: match vote.vote_type {
            VoteType::Prevote => vote::Type::Prevote,
            VoteType::Precommit => vote::Type::Precommit,
        },
        height: block::Height::try_from(vote.height).unwrap(),
        round: block::Round::try_from(u32::try_from(vote.round).unwrap()).unwrap(),
        block_id,
        timestamp: Some(
            Time::from_unix_timestamp(vote.timestamp_seconds, vote.timestamp_nanos as u32).unwrap(),
        ),
        validator_address: account::Id::new([0; 20]),
        validator_index: ValidatorIndex::try_from(0u32).unwrap(),
        signature: None,
        extension: vec![],
        extension_signature: None,
    };
    reference.into_signable_vec(chain::Id::try_from(vote.chain_id).unwrap())
}

fn block_id() -> impl Strategy<Value = BlockId> {
    (
        prop::array::uniform32(any::<u8>()),
        1u32..100,
        prop::array::uniform32(any::<u8>()),
    )
        .prop_map(|(hash, part_set_total, part_set_hash)| BlockId {
            hash: hash.to_vec().into(),
            part_set_total,
            part_set_hash: part_set_hash.to_vec().into(),
        })
}

fn vote_parts() -> impl Strategy<Value = (bool, i64, i64, Option<BlockId>, i64, i32, String)> {
    (
        any::<bool>(),
        1i64..i64::MAX,
        0i64..1000,
        prop::option::of(block_id()),
        0i64..253_402_300_799, // up to 9999-12-31, RFC 3339's range
        0i32..1_000_000_000,
        "[a-z][a-z0-9-]{0,30}",
    )
}

proptest! {
    #[test]
    fn sign_bytes_match_tendermint_rs(
        (precommit, height, round, block_id, seconds, nanos, chain_id) in vote_parts()
    ) {
        let vote = CanonicalVote {
            vote_type: if precommit { VoteType::Precommit } else { VoteType::Prevote },
            height,
            round,
            block_id,
            timestamp_seconds: seconds,
            timestamp_nanos: nanos,
            chain_id: &chain_id,
        };
        prop_assert_eq!(vote.sign_bytes(), reference_sign_bytes(&vote));
    }
}

#[test]
fn two_votes_for_different_blocks_sign_different_bytes() {
    let vote = |hash: u8| CanonicalVote {
        vote_type: VoteType::Precommit,
        height: 10,
        round: 0,
        block_id: Some(BlockId {
            hash: vec![hash; 32].into(),
            part_set_total: 1,
            part_set_hash: vec![hash; 32].into(),
        }),
        timestamp_seconds: 1_700_000_000,
        timestamp_nanos: 0,
        chain_id: "consumer-1",
    };
    assert_ne!(vote(1).sign_bytes(), vote(2).sign_bytes());
    assert_eq!(vote(1).sign_bytes(), reference_sign_bytes(&vote(1)));
}
