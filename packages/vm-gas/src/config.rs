//! What wasmd charges, in Cosmos SDK gas (the unit a transaction's gas limit is in).
//!
//! Sources: wasmd's gas register (VM gas multiplier, instance cost) and the Cosmos SDK's
//! default KV gas configuration, as summarised in TOOLCHAIN.md.

/// CosmWasm VM gas points per Cosmos SDK gas point.
pub const VM_GAS_PER_SDK_GAS: u64 = 140_000;
/// Charged for every contract call (execute, query, sudo, ibc_*, reply) that loads an instance.
pub const INSTANCE_COST: u64 = 60_000;
pub const READ_COST_FLAT: u64 = 1_000;
pub const READ_COST_PER_BYTE: u64 = 3;
pub const WRITE_COST_FLAT: u64 = 2_000;
pub const WRITE_COST_PER_BYTE: u64 = 30;
pub const DELETE_COST: u64 = 1_000;
pub const ITER_NEXT_COST_FLAT: u64 = 30;
/// wasmd stores a contract's keys under `0x03 ‖ contract address` (32-byte addresses).
pub const CONTRACT_KEY_PREFIX_LEN: u64 = 1 + 32;

/// SDK gas of reading `key` (found with `value_len` bytes, or absent).
pub fn read_cost(key_len: usize, value_len: usize) -> u64 {
    READ_COST_FLAT + READ_COST_PER_BYTE * (prefixed(key_len) + value_len as u64)
}

/// SDK gas of writing `value_len` bytes under `key`.
pub fn write_cost(key_len: usize, value_len: usize) -> u64 {
    WRITE_COST_FLAT + WRITE_COST_PER_BYTE * (prefixed(key_len) + value_len as u64)
}

/// SDK gas of one iterator step that yields a record (`None` for the step that finds the end).
pub fn iter_step_cost(record: Option<(usize, usize)>) -> u64 {
    match record {
        Some((key_len, value_len)) => {
            ITER_NEXT_COST_FLAT + READ_COST_PER_BYTE * (prefixed(key_len) + value_len as u64)
        }
        None => ITER_NEXT_COST_FLAT,
    }
}

fn prefixed(key_len: usize) -> u64 {
    CONTRACT_KEY_PREFIX_LEN + key_len as u64
}
