//! The slash log, the slash acknowledgements owed to consumers and the slash meter.

use cosmwasm_std::{Int128, Order, StdResult, Storage, Timestamp};
use cw_storage_plus::{Item, Map};
use serde::{Deserialize, Serialize};

use super::{is_default, ns};
use crate::msg::SlashRecord;

/// Slash records by id.
pub const SLASH_LOG: Map<u64, SlashRecord> = Map::new(ns::SLASH_LOG);
pub const NEXT_SLASH_ID: Item<u64> = Item::new(ns::NEXT_SLASH_ID);

/// Downtime slashes handled (or ignored) and not yet acknowledged to the consumer in a VSC:
/// (consumer id, slash id) → the validator's consensus address in the consumer's bech32.
/// Ordered by slash id, so VSCs acknowledge them in the order they were received.
pub const SLASH_ACKS: Map<(u64, u64), String> = Map::new(ns::SLASH_ACKS);

/// Acks one VSC carries at most: a consumer that sends more slash packets than that between two
/// epochs has the rest acknowledged by the following VSCs, so building a VSC reads a bounded
/// number of records whatever the consumer sends.
pub const MAX_SLASH_ACKS_PER_VSC: usize = 100;

/// Up to `limit` acks owed to a consumer, oldest first.
pub fn pending_slash_acks(
    storage: &dyn Storage,
    consumer_id: u64,
    limit: usize,
) -> StdResult<Vec<(u64, String)>> {
    SLASH_ACKS
        .prefix(consumer_id)
        .range(storage, None, None, Order::Ascending)
        .take(limit)
        .collect()
}

/// Removes and returns the acks the consumer's next VSC carries (at most
/// [`MAX_SLASH_ACKS_PER_VSC`], oldest first), and whether more remain.
pub fn take_slash_acks(
    storage: &mut dyn Storage,
    consumer_id: u64,
) -> StdResult<(Vec<String>, bool)> {
    let mut owed = pending_slash_acks(storage, consumer_id, MAX_SLASH_ACKS_PER_VSC + 1)?;
    let more = owed.len() > MAX_SLASH_ACKS_PER_VSC;
    owed.truncate(MAX_SLASH_ACKS_PER_VSC);
    let mut acks = Vec::with_capacity(owed.len());
    for (slash_id, address) in owed {
        SLASH_ACKS.remove(storage, (consumer_id, slash_id));
        acks.push(address);
    }
    Ok((acks, more))
}

/// Slash throttling (ADR-008): the power that may still be jailed. A downtime slash packet is
/// handled while the meter is at least 0 and takes the validator's power from it; the meter
/// regains an allowance every period, up to the allowance.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SlashMeter {
    #[serde(rename = "m")]
    pub meter: Int128,
    /// The end of the last whole period the meter was replenished for, in seconds (a period
    /// is whole seconds; a number is shorter than a `Timestamp`'s nanoseconds string).
    #[serde(rename = "r")]
    pub last_replenish_seconds: u64,
    /// Power of the top N as the last epoch left it (maintained by the epoch from the
    /// validators that entered, left or changed power in the set).
    #[serde(rename = "p", default, skip_serializing_if = "is_default")]
    pub total_power: u64,
}

impl SlashMeter {
    /// A full meter for an empty set (the allowance is then 1).
    pub fn initial(now: Timestamp) -> Self {
        SlashMeter {
            meter: Int128::one(),
            last_replenish_seconds: now.seconds(),
            total_power: 0,
        }
    }

    /// The stored meter; a contract migrated from before throttling starts full.
    pub fn load(storage: &dyn Storage, now: Timestamp) -> StdResult<Self> {
        Ok(SLASH_METER
            .may_load(storage)?
            .unwrap_or_else(|| Self::initial(now)))
    }
}

pub const SLASH_METER: Item<SlashMeter> = Item::new(ns::SLASH_METER);
