use crate::config::{INSTANCE_COST, VM_GAS_PER_SDK_GAS};
use crate::storage::StorageTally;

/// What one contract call costs on wasmd, in SDK gas, and where it went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallReport {
    /// The entrypoint that ran (`execute`, `ibc_packet_receive`, …).
    pub entrypoint: &'static str,
    pub instance_gas: u64,
    /// Wasm execution and host API calls, converted from VM gas.
    pub compute_gas: u64,
    pub storage: StorageTally,
}

impl CallReport {
    pub(crate) fn new(
        entrypoint: &'static str,
        vm_gas_internal: u64,
        storage: StorageTally,
    ) -> Self {
        CallReport {
            entrypoint,
            instance_gas: INSTANCE_COST,
            compute_gas: vm_gas_internal.div_ceil(VM_GAS_PER_SDK_GAS),
            storage,
        }
    }

    /// The SDK gas wasmd would charge for this call (without the transaction's own costs).
    pub fn total_gas(&self) -> u64 {
        self.instance_gas + self.compute_gas + self.storage.total_gas()
    }
}

impl std::fmt::Display for CallReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.storage;
        write!(
            f,
            "{}: {} gas (instance {}, compute {}, reads {} [{}], writes {} [{}], deletes {} [{}], iteration {} [{} steps]; {} B read, {} B written, {} keys)",
            self.entrypoint,
            self.total_gas(),
            self.instance_gas,
            self.compute_gas,
            s.read_gas,
            s.reads,
            s.write_gas,
            s.writes,
            s.delete_gas,
            s.deletes,
            s.iteration_gas,
            s.iterator_steps,
            s.bytes_read,
            s.bytes_written,
            s.keys_touched.len()
        )
    }
}
