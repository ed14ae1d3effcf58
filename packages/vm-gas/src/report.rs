use cosmwasm_std::{
    Attribute, Binary, Event, Ibc3ChannelOpenResponse, IbcBasicResponse, IbcReceiveResponse,
    Response,
};

use crate::config::{
    CUSTOM_EVENT_COST, EVENT_ATTRIBUTE_DATA_COST_PER_BYTE, EVENT_ATTRIBUTE_DATA_FREE_TIER,
    EVENT_PER_ATTRIBUTE_COST, INSTANCE_COST, VM_GAS_PER_SDK_GAS,
};
use crate::storage::StorageTally;

/// What one contract call costs on wasmd, in SDK gas, and where it went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallReport {
    /// The entrypoint that ran (`execute`, `ibc_packet_receive`, …).
    pub entrypoint: &'static str,
    pub instance_gas: u64,
    /// Wasm execution and host API calls, converted from VM gas.
    pub compute_gas: u64,
    /// Attributes and custom events of a successful response, as wasmd charges them.
    pub event_gas: u64,
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
            // wasmd converts with an integer division (`FromWasmVMGas`).
            compute_gas: vm_gas_internal / VM_GAS_PER_SDK_GAS,
            event_gas: 0,
            storage,
        }
    }

    /// The SDK gas wasmd would charge for this call (without the transaction's own costs).
    pub fn total_gas(&self) -> u64 {
        self.instance_gas + self.compute_gas + self.event_gas + self.storage.total_gas()
    }

    /// Storage gas spent on reads: point reads plus iteration (which reads every record).
    pub fn read_side_gas(&self) -> u64 {
        self.storage.read_gas + self.storage.iteration_gas
    }
}

impl std::fmt::Display for CallReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.storage;
        write!(
            f,
            "{}: {} gas (instance {}, compute {}, events {}, reads {} [{}], writes {} [{}], deletes {} [{}], iteration {} [{} steps]; {} B read, {} B written, {} keys)",
            self.entrypoint,
            self.total_gas(),
            self.instance_gas,
            self.compute_gas,
            self.event_gas,
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

/// What wasmd charges for the attributes and events a successful call returns.
pub trait EventCost {
    fn event_gas(&self) -> u64;
}

impl<C> EventCost for Response<C> {
    fn event_gas(&self) -> u64 {
        events_gas(&self.attributes, &self.events)
    }
}

impl<C> EventCost for IbcBasicResponse<C> {
    fn event_gas(&self) -> u64 {
        events_gas(&self.attributes, &self.events)
    }
}

impl<C> EventCost for IbcReceiveResponse<C> {
    fn event_gas(&self) -> u64 {
        events_gas(&self.attributes, &self.events)
    }
}

impl EventCost for Binary {
    fn event_gas(&self) -> u64 {
        0
    }
}

impl EventCost for Option<Ibc3ChannelOpenResponse> {
    fn event_gas(&self) -> u64 {
        0
    }
}

/// wasmd's `EventCosts`: the free tier of attribute bytes is shared, in order, by the
/// response's own attributes and then each event's; an event's type bytes are always charged.
pub fn events_gas(attributes: &[Attribute], events: &[Event]) -> u64 {
    let mut free_tier = EVENT_ATTRIBUTE_DATA_FREE_TIER;
    let mut gas = attributes_gas(attributes, &mut free_tier);
    for event in events {
        gas += CUSTOM_EVENT_COST + event.ty.len() as u64 * EVENT_ATTRIBUTE_DATA_COST_PER_BYTE;
        gas += attributes_gas(&event.attributes, &mut free_tier);
    }
    gas
}

fn attributes_gas(attributes: &[Attribute], free_tier: &mut u64) -> u64 {
    if attributes.is_empty() {
        return 0;
    }
    let bytes: u64 = attributes
        .iter()
        .map(|a| (a.key.len() + a.value.len()) as u64)
        .sum();
    let charged = bytes.saturating_sub(*free_tier);
    *free_tier = free_tier.saturating_sub(bytes);
    charged * EVENT_ATTRIBUTE_DATA_COST_PER_BYTE
        + attributes.len() as u64 * EVENT_PER_ATTRIBUTE_COST
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_bytes_within_the_free_tier_cost_only_the_per_attribute_fee() {
        let response = Response::<cosmwasm_std::Empty>::new().add_attribute("action", "bond");
        assert_eq!(response.event_gas(), EVENT_PER_ATTRIBUTE_COST);
    }

    #[test]
    fn the_free_tier_is_shared_by_attributes_and_events() {
        let long = "x".repeat(90);
        let response = Response::<cosmwasm_std::Empty>::new()
            .add_attribute("k", &long) // 91 bytes: 9 left free
            .add_event(Event::new("ccv").add_attribute("key", "0123456789")); // 13 bytes: 4 charged
        let expected =
            EVENT_PER_ATTRIBUTE_COST + (CUSTOM_EVENT_COST + 3) + (4 + EVENT_PER_ATTRIBUTE_COST);
        assert_eq!(response.event_gas(), expected);
    }

    #[test]
    fn compute_gas_is_rounded_down_as_wasmd_does() {
        let report = CallReport::new(
            "execute",
            2 * VM_GAS_PER_SDK_GAS - 1,
            StorageTally::default(),
        );
        assert_eq!(report.compute_gas, 1);
        assert_eq!(report.total_gas(), INSTANCE_COST + 1);
    }
}
