//! The slash log and the slash acknowledgements owed to consumers.

use cosmwasm_std::{Order, StdResult, Storage};
use cw_storage_plus::{Item, Map};

use super::ns;
use crate::msg::SlashRecord;

/// Slash records by id.
pub const SLASH_LOG: Map<u64, SlashRecord> = Map::new(ns::SLASH_LOG);
pub const NEXT_SLASH_ID: Item<u64> = Item::new(ns::NEXT_SLASH_ID);

/// Downtime slashes handled and not yet acknowledged to the consumer in a VSC: (consumer id,
/// slash id) → the validator's consensus address in the consumer's bech32. Ordered by slash
/// id, so a VSC acknowledges them in the order they were received.
pub const SLASH_ACKS: Map<(u64, u64), String> = Map::new(ns::SLASH_ACKS);

/// The acks owed to a consumer, oldest first.
pub fn pending_slash_acks(storage: &dyn Storage, consumer_id: u64) -> StdResult<Vec<String>> {
    SLASH_ACKS
        .prefix(consumer_id)
        .range(storage, None, None, Order::Ascending)
        .map(|entry| entry.map(|(_, address)| address))
        .collect()
}

/// Removes and returns the acks owed to a consumer, oldest first (for the VSC that carries
/// them, or dropped when the consumer stops).
pub fn take_slash_acks(storage: &mut dyn Storage, consumer_id: u64) -> StdResult<Vec<String>> {
    let owed = SLASH_ACKS
        .prefix(consumer_id)
        .range(storage, None, None, Order::Ascending)
        .collect::<StdResult<Vec<_>>>()?;
    let mut acks = Vec::with_capacity(owed.len());
    for (slash_id, address) in owed {
        SLASH_ACKS.remove(storage, (consumer_id, slash_id));
        acks.push(address);
    }
    Ok(acks)
}
