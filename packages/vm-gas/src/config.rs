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
/// Event costs (wasmd's gas register): per attribute, per byte of attribute keys and values
/// beyond a free tier shared by the whole response, per custom event (plus its type's bytes).
pub const EVENT_PER_ATTRIBUTE_COST: u64 = 10;
pub const EVENT_ATTRIBUTE_DATA_COST_PER_BYTE: u64 = 1;
pub const EVENT_ATTRIBUTE_DATA_FREE_TIER: u64 = 100;
pub const CUSTOM_EVENT_COST: u64 = 20;
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

/// SDK gas of opening an iterator whose first record is `first` (`None`: the range is empty).
///
/// The SDK's gas iterator charges a seek (flat cost plus the bytes of the record it lands on)
/// when it is created and again on every `Next`, for the record it leaves.
pub fn iter_open_cost(first: Option<(usize, usize)>) -> u64 {
    ITER_NEXT_COST_FLAT + first.map_or(0, record_read_bytes_cost)
}

/// SDK gas of one `db_next` that yields a record (`None`: the iterator is exhausted).
///
/// wasmvm answers `db_next` with the current record and then calls the SDK iterator's `Next`,
/// which charges the seek for that record; at the end it returns without calling `Next`, so
/// the step that finds the end is free.
pub fn iter_step_cost(record: Option<(usize, usize)>) -> u64 {
    record.map_or(0, |record| {
        ITER_NEXT_COST_FLAT + record_read_bytes_cost(record)
    })
}

fn record_read_bytes_cost((key_len, value_len): (usize, usize)) -> u64 {
    READ_COST_PER_BYTE * (prefixed(key_len) + value_len as u64)
}

fn prefixed(key_len: usize) -> u64 {
    CONTRACT_KEY_PREFIX_LEN + key_len as u64
}
