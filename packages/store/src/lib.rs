//! Compact binary records in contract storage.
//!
//! wasmd charges 30 gas per byte written and 3 per byte read, key included, and every type
//! stored as JSON through `cw-storage-plus` costs both its field names in every record and a
//! `serde_json` deserializer in the Wasm (2–6 KB per type). The hot records of cw-ics are stored
//! here instead: a [`Table`] is a one- or two-byte tag followed by fixed-width key parts chosen by
//! the caller (big-endian integers, 20-byte addresses), so keys sort as their parts do; values
//! are [`Record`]s, written field after field with variable-length integers.
//!
//! Tags must be unique within a contract and must not start like a `cw-storage-plus` key:
//! maps start with a zero byte (the namespace length) and items with their ASCII name, so
//! tags start with a byte ≥ 0x80.

mod record;
mod table;

pub use cosmwasm_std::{StdError, StdResult};
pub use record::{decode, encode, Reader, Record};
pub use table::{Cell, Table};
