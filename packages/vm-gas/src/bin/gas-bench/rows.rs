//! One measured operation at one size, and its lower bound.

use cw_ics_vm_gas::ccv::Measured;
use cw_ics_vm_gas::config;

/// The record the lower bounds assume: a key of a one-byte namespace plus a 20-byte consensus
/// address (after wasmd's prefix) and an 8-byte value. Real records are larger, so a bound
/// built from it is never above what any implementation must pay.
pub const MIN_KEY_LEN: usize = 21;
pub const MIN_VALUE_LEN: usize = 8;
/// A record of which the contract holds one (the epoch's progress, the block count): its key
/// needs no address, only a one-byte tag.
pub const MIN_CELL_KEY_LEN: usize = 1;

/// The KV work an operation cannot avoid, plus one instance cost.
#[derive(Clone, Debug, Default)]
pub struct LowerBound {
    pub writes: u64,
    /// Writes of single records (a one-byte key).
    pub cell_writes: u64,
    pub deletes: u64,
    /// Reads inherent in the operation (only where the issue says the work is per item).
    pub reads: u64,
    /// Records that must be visited, each at the cheapest way to visit one: an iterator step
    /// over a minimal record.
    pub steps: u64,
    /// Payload that must be stored beyond the minimal records' 8 bytes (e.g. a genesis set),
    /// charged per byte only.
    pub extra_written_bytes: u64,
    /// Payload that must be read back beyond the minimal records' 8 bytes, per byte only.
    pub extra_read_bytes: u64,
    pub why: &'static str,
}

impl LowerBound {
    /// One single record written: the operation's own progress.
    pub fn cell(why: &'static str) -> Self {
        LowerBound {
            cell_writes: 1,
            why,
            ..LowerBound::default()
        }
    }

    pub fn writes(writes: u64, why: &'static str) -> Self {
        LowerBound {
            writes,
            why,
            ..LowerBound::default()
        }
    }

    pub fn gas(&self) -> u64 {
        config::INSTANCE_COST
            + self.writes * config::write_cost(MIN_KEY_LEN, MIN_VALUE_LEN)
            + self.cell_writes * config::write_cost(MIN_CELL_KEY_LEN, MIN_VALUE_LEN)
            + self.deletes * config::DELETE_COST
            + self.reads * config::read_cost(MIN_KEY_LEN, MIN_VALUE_LEN)
            + self.steps * config::iter_step_cost(Some((MIN_KEY_LEN, MIN_VALUE_LEN)))
            + self.extra_written_bytes * config::WRITE_COST_PER_BYTE
            + self.extra_read_bytes * config::READ_COST_PER_BYTE
    }
}

pub struct Row {
    pub contract: &'static str,
    pub operation: &'static str,
    /// What the sizes are, e.g. `V=100 C=10`.
    pub size: String,
    /// The count per-item gas is taken over (K, V or C), when the operation has one.
    pub items: Option<u64>,
    /// Rows of one operation with the same series differ only in `items`.
    pub series: String,
    pub measured: Measured,
    pub lower_bound: LowerBound,
}

impl Row {
    pub fn new(
        contract: &'static str,
        operation: &'static str,
        size: String,
        items: Option<u64>,
        measured: Measured,
        lower_bound: LowerBound,
    ) -> Row {
        Row {
            contract,
            operation,
            size,
            items,
            series: String::new(),
            measured,
            lower_bound,
        }
    }

    pub fn ratio(&self) -> f64 {
        self.measured.total_gas() as f64 / self.lower_bound.gas() as f64
    }
}

/// A row compared, for per-item gas, only with rows of the same `series`.
pub fn in_series(mut row: Row, series: String) -> Row {
    row.series = series;
    row
}

/// Gas per extra item between two rows of the same operation (the slope the table shows).
pub fn per_item(previous: &Row, row: &Row) -> Option<i64> {
    let (Some(before), Some(now)) = (previous.items, row.items) else {
        return None;
    };
    if previous.series != row.series {
        return None;
    }
    if now == before {
        return None;
    }
    let delta = row.measured.total_gas() as i64 - previous.measured.total_gas() as i64;
    Some(delta / (now as i64 - before as i64))
}
