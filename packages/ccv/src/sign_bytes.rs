//! CometBFT's canonical vote sign-bytes: what a validator signs when it votes. Used to produce
//! and to check duplicate-vote evidence (two votes for different blocks at one height and
//! round, both signed by the same key).
//!
//! The bytes are the length-delimited protobuf encoding of `tendermint.types.CanonicalVote`,
//! written here by hand so that contracts need no protobuf library.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::Binary;

/// A vote's step: CometBFT's `SignedMsgType`.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum VoteType {
    Prevote = 1,
    Precommit = 2,
}

/// The identifier of the block a vote is for: its hash and its part-set header.
#[cw_serde]
#[derive(Eq)]
pub struct BlockId {
    pub hash: Binary,
    pub part_set_total: u32,
    pub part_set_hash: Binary,
}

/// The signed content of a vote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CanonicalVote<'a> {
    pub vote_type: VoteType,
    pub height: i64,
    pub round: i64,
    /// `None` for a vote for no block (nil).
    pub block_id: Option<BlockId>,
    pub timestamp_seconds: i64,
    pub timestamp_nanos: i32,
    pub chain_id: &'a str,
}

impl CanonicalVote<'_> {
    /// The bytes a validator signs for this vote.
    pub fn sign_bytes(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(128);
        put_varint_field(&mut body, 1, self.vote_type as u64);
        put_sfixed64_field(&mut body, 2, self.height);
        put_sfixed64_field(&mut body, 3, self.round);
        if let Some(block_id) = self.block_id.as_ref().filter(|id| !id.is_zero()) {
            put_message_field(&mut body, 4, &block_id.encode());
        }
        // The timestamp is not nullable in CometBFT: it is written even when zero.
        let mut timestamp = Vec::new();
        put_varint_field(&mut timestamp, 1, self.timestamp_seconds as u64);
        put_varint_field(&mut timestamp, 2, self.timestamp_nanos as i64 as u64);
        put_message_field(&mut body, 5, &timestamp);
        put_bytes_field(&mut body, 6, self.chain_id.as_bytes());

        let mut out = Vec::with_capacity(body.len() + 2);
        put_varint(&mut out, body.len() as u64);
        out.extend_from_slice(&body);
        out
    }
}

impl BlockId {
    /// CometBFT writes a block id of zeros as no block id: a vote for nil.
    pub fn is_zero(&self) -> bool {
        self.hash.is_empty() && self.part_set_total == 0 && self.part_set_hash.is_empty()
    }

    fn encode(&self) -> Vec<u8> {
        let mut part_set = Vec::new();
        put_varint_field(&mut part_set, 1, u64::from(self.part_set_total));
        put_bytes_field(&mut part_set, 2, &self.part_set_hash);
        let mut out = Vec::new();
        put_bytes_field(&mut out, 1, &self.hash);
        // CanonicalBlockID's part-set header is not nullable either.
        put_message_field(&mut out, 2, &part_set);
        out
    }
}

const WIRE_VARINT: u64 = 0;
const WIRE_FIXED64: u64 = 1;
const WIRE_LEN: u64 = 2;

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn put_key(out: &mut Vec<u8>, field: u64, wire_type: u64) {
    put_varint(out, (field << 3) | wire_type);
}

/// proto3 leaves zero scalars out.
fn put_varint_field(out: &mut Vec<u8>, field: u64, value: u64) {
    if value != 0 {
        put_key(out, field, WIRE_VARINT);
        put_varint(out, value);
    }
}

fn put_sfixed64_field(out: &mut Vec<u8>, field: u64, value: i64) {
    if value != 0 {
        put_key(out, field, WIRE_FIXED64);
        out.extend_from_slice(&value.to_le_bytes());
    }
}

fn put_bytes_field(out: &mut Vec<u8>, field: u64, bytes: &[u8]) {
    if !bytes.is_empty() {
        put_message_field(out, field, bytes);
    }
}

fn put_message_field(out: &mut Vec<u8>, field: u64, encoded: &[u8]) {
    put_key(out, field, WIRE_LEN);
    put_varint(out, encoded.len() as u64);
    out.extend_from_slice(encoded);
}
