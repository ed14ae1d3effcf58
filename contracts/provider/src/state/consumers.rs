//! Consumers in storage.
//!
//! A consumer is kept in two parts: its registration and history (`ConsumerInfo`, a few hundred
//! bytes, written when it is registered, updated, launched or stopped) and the small part the
//! epoch and the packets read and write (`ConsumerLink`: phase, channel, vscIds), so sending a
//! VSC rewrites a few dozen bytes instead of the whole consumer. Next to them: the channel of
//! each consumer (indexed by channel id), the genesis' validator set, VSCs queued until the
//! channel opens or sent and not matured, the consumers due for a VSC in a quiet epoch, and the
//! queues ordered by time (spawn, deletion, timeout checks).

use cosmwasm_std::{Addr, Coin, Empty, Order, StdResult, Storage, Timestamp};
use cw_ics_ccv::ConsensusAddress;
use cw_storage_plus::{
    Bound, Index, IndexList, IndexedMap, Item, KeyDeserialize, Map, UniqueIndex,
};
use serde::{Deserialize, Serialize};

use super::{is_default, ns};
use crate::msg::{ConsumerPhase, ConsumerRegistration, PendingInfractionParameters, PendingVsc};

/// The part of a consumer that only registration, updates, launch and stop change.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ConsumerInfo {
    #[serde(rename = "o", default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Addr>,
    #[serde(rename = "r")]
    pub registration: ConsumerRegistration,
    #[serde(rename = "h", default, skip_serializing_if = "Option::is_none")]
    pub launch_height: Option<u64>,
    #[serde(rename = "l", default, skip_serializing_if = "Option::is_none")]
    pub launched_at: Option<Timestamp>,
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<Timestamp>,
    #[serde(rename = "x", default, skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<String>,
    /// The epoch vscId whose top N the genesis holds (set at launch).
    #[serde(rename = "v", default, skip_serializing_if = "Option::is_none")]
    pub launch_vsc_id: Option<u64>,
    /// Infraction parameters changed after launch, in force from their `effective_at` (the
    /// current ones are `registration.infraction_parameters`; readers take these once due).
    #[serde(rename = "pi", default, skip_serializing_if = "Option::is_none")]
    pub pending_infraction: Option<PendingInfractionParameters>,
    /// The registration deposit, held until launch.
    #[serde(rename = "d", default, skip_serializing_if = "Option::is_none")]
    pub deposit: Option<Coin>,
}

/// The part of a consumer that VSCs and consumer packets change.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ConsumerLink {
    #[serde(rename = "p")]
    pub phase: ConsumerPhase,
    /// The CCV channel once open (a copy of `channels()`, for sending).
    #[serde(rename = "ch", default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
    #[serde(rename = "s", default, skip_serializing_if = "is_default")]
    pub last_sent_vsc_id: u64,
    #[serde(rename = "m", default, skip_serializing_if = "is_default")]
    pub last_matured_vsc_id: u64,
    /// Highest vscId this consumer was given a VSC for (or the epoch it launched in): newer
    /// unbonding entries need a VSC to this consumer to mature.
    #[serde(rename = "v", default, skip_serializing_if = "is_default")]
    pub covered_vsc_id: u64,
    /// Copies of the registration's overrides (fixed once launched), needed when sending.
    #[serde(rename = "ct", default, skip_serializing_if = "Option::is_none")]
    pub ccv_timeout_seconds: Option<u64>,
    #[serde(rename = "vt", default, skip_serializing_if = "Option::is_none")]
    pub vsc_timeout_seconds: Option<u64>,
    /// The maturity floor the consumer launched with (vscId, entry id), kept until its first
    /// VSC-matured packet replaces it with (`last_matured_vsc_id`, u64::MAX): see `maturity`.
    #[serde(rename = "f", default, skip_serializing_if = "Option::is_none")]
    pub launch_floor: Option<(u64, u64)>,
}

pub const CONSUMERS: Map<u64, ConsumerInfo> = Map::new(ns::CONSUMERS);
pub const CONSUMER_LINKS: Map<u64, ConsumerLink> = Map::new(ns::CONSUMER_LINKS);
pub const NEXT_CONSUMER_ID: Item<u64> = Item::new(ns::NEXT_CONSUMER_ID);

/// A consumer as the contract works with it: both stored parts.
#[derive(Clone, Debug, PartialEq)]
pub struct Consumer {
    pub id: u64,
    pub info: ConsumerInfo,
    pub link: ConsumerLink,
}

impl Consumer {
    pub fn may_load(storage: &dyn Storage, id: u64) -> StdResult<Option<Consumer>> {
        let Some(info) = CONSUMERS.may_load(storage, id)? else {
            return Ok(None);
        };
        let link = CONSUMER_LINKS.load(storage, id)?;
        Ok(Some(Consumer { id, info, link }))
    }

    /// Saves both parts (the link takes the registration's current overrides).
    pub fn save(&mut self, storage: &mut dyn Storage) -> StdResult<()> {
        self.link.ccv_timeout_seconds = self.info.registration.ccv_timeout_seconds;
        self.link.vsc_timeout_seconds = self.info.registration.vsc_timeout_seconds;
        CONSUMERS.save(storage, self.id, &self.info)?;
        CONSUMER_LINKS.save(storage, self.id, &self.link)
    }

    /// Consumers in id order after `after`.
    pub fn page(storage: &dyn Storage, after: Option<u64>, limit: usize) -> StdResult<Vec<Self>> {
        CONSUMERS
            .range(storage, after.map(Bound::exclusive), None, Order::Ascending)
            .take(limit)
            .map(|entry| {
                let (id, info) = entry?;
                let link = CONSUMER_LINKS.load(storage, id)?;
                Ok(Consumer { id, info, link })
            })
            .collect()
    }
}

pub struct ChannelIndexes<'a> {
    /// A channel belongs to one consumer.
    pub channel: UniqueIndex<'a, String, String, u64>,
}

impl IndexList<String> for ChannelIndexes<'_> {
    fn get_indexes(&self) -> Box<dyn Iterator<Item = &'_ dyn Index<String>> + '_> {
        let indexes: Vec<&dyn Index<String>> = vec![&self.channel];
        Box::new(indexes.into_iter())
    }
}

#[allow(clippy::ptr_arg)] // the index function's signature is cw-storage-plus's
fn channel_id(channel_id: &String) -> String {
    channel_id.clone()
}

/// Each consumer's CCV channel (saved when the channel opens, removed with the consumer),
/// indexed by channel id.
pub fn channels<'a>() -> IndexedMap<u64, String, ChannelIndexes<'a>> {
    IndexedMap::new(
        ns::CHANNELS,
        ChannelIndexes {
            channel: UniqueIndex::new(channel_id, ns::CONSUMER_BY_CHANNEL),
        },
    )
}

/// The consumer that owns `channel_id`.
pub fn consumer_by_channel(storage: &dyn Storage, channel_id: &str) -> StdResult<Option<u64>> {
    channels()
        .idx
        .channel
        .item(storage, channel_id.to_string())?
        .map(|(consumer_id, _)| u64::from_vec(consumer_id))
        .transpose()
}

/// What a consumer's genesis holds beyond its registration (which is fixed once launched).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct GenesisRecord {
    pub provider_chain_id: String,
    pub ccv_timeout_seconds: u64,
    /// The top N at launch, best first, by consensus address: a validator's consensus key never
    /// changes, so the query finds each key through the validators' index instead of the
    /// record holding every key a second time.
    pub validators: Vec<(ConsensusAddress, u64)>,
}

pub const GENESIS: Map<u64, GenesisRecord> = Map::new(ns::GENESIS);

/// VSCs not sent yet, by (consumer, vscId).
pub const QUEUED_VSCS: Map<(u64, u64), PendingVsc> = Map::new(ns::QUEUED_VSCS);

/// The queued VSCs of a consumer in vscId order after `after`.
pub fn queued_vscs(
    storage: &dyn Storage,
    consumer_id: u64,
    after: Option<u64>,
    limit: usize,
) -> StdResult<Vec<PendingVsc>> {
    QUEUED_VSCS
        .prefix(consumer_id)
        .range(storage, after.map(Bound::exclusive), None, Order::Ascending)
        .take(limit)
        .map(|entry| entry.map(|(_, packet)| packet))
        .collect()
}

/// Sent, unmatured VSCs: (consumer, vscId) → send time, so a consumer's VSCs are one range in
/// vscId order.
pub const SENT_VSCS: Map<(u64, u64), Timestamp> = Map::new(ns::SENT_VSCS);

/// The consumer's oldest unmatured VSC and when it was sent. A VSC-matured packet removes a
/// bounded number of records, so records at or below `last_matured_vsc_id` may remain for a
/// while (removed by later packets and with the consumer's state): they are matured and skipped.
pub fn oldest_sent_vsc(
    storage: &dyn Storage,
    consumer_id: u64,
    last_matured_vsc_id: u64,
) -> StdResult<Option<(u64, Timestamp)>> {
    SENT_VSCS
        .prefix(consumer_id)
        .range(
            storage,
            Some(Bound::exclusive(last_matured_vsc_id)),
            None,
            Order::Ascending,
        )
        .next()
        .transpose()
}

/// Up to `limit` of the consumer's unmatured vscIds, ascending, those at or below `up_to` when
/// given.
pub fn sent_vsc_ids(
    storage: &dyn Storage,
    consumer_id: u64,
    up_to: Option<u64>,
    limit: usize,
) -> StdResult<Vec<u64>> {
    SENT_VSCS
        .prefix(consumer_id)
        .keys(storage, None, up_to.map(Bound::inclusive), Order::Ascending)
        .take(limit)
        .collect()
}

/// Consumers owed a VSC at the next epoch even if no validator changed (first VSC after the
/// channel opened, slash acks to deliver). A quiet epoch visits only these.
pub const DUE_CONSUMERS: Map<u64, Empty> = Map::new(ns::DUE_CONSUMERS);

/// Makes the next epoch give `consumer_id` a VSC if it owes one (call it whenever something is
/// queued for the consumer's next VSC, e.g. a slash ack).
pub fn mark_consumer_due(storage: &mut dyn Storage, consumer_id: u64) -> StdResult<()> {
    DUE_CONSUMERS.save(storage, consumer_id, &Empty {})
}

/// The first consumer marked due after `after`.
pub fn next_due_consumer(storage: &dyn Storage, after: Option<u64>) -> StdResult<Option<u64>> {
    DUE_CONSUMERS
        .keys(storage, after.map(Bound::exclusive), None, Order::Ascending)
        .next()
        .transpose()
}

/// Consumer ids queued by a time in seconds, keyed (seconds, id) so they come out in (time, id)
/// order.
pub type ConsumerQueue = Map<(u64, u64), Empty>;

/// Registered consumers by spawn time.
pub const SPAWN_QUEUE: ConsumerQueue = Map::new(ns::SPAWN_QUEUE);
/// Stopped consumers by deletion time.
pub const DELETION_QUEUE: ConsumerQueue = Map::new(ns::DELETION_QUEUE);
/// When to check a consumer's init or VSC timeout. An entry may be earlier than the consumer's
/// real deadline (it is then moved), never later.
pub const TIMEOUT_CHECKS: ConsumerQueue = Map::new(ns::TIMEOUT_CHECKS);

/// The first (seconds, id) of `queue` after `after` (when given) whose time is at or before
/// `now_seconds`.
pub fn next_due(
    queue: &ConsumerQueue,
    storage: &dyn Storage,
    after: Option<(u64, u64)>,
    now_seconds: u64,
) -> StdResult<Option<(u64, u64)>> {
    queue
        .keys(
            storage,
            after.map(Bound::exclusive),
            Some(Bound::inclusive((now_seconds, u64::MAX))),
            Order::Ascending,
        )
        .next()
        .transpose()
}

pub fn schedule_timeout_check(
    storage: &mut dyn Storage,
    deadline: Timestamp,
    consumer_id: u64,
) -> StdResult<()> {
    TIMEOUT_CHECKS.save(storage, (deadline.seconds(), consumer_id), &Empty {})
}

/// Takes the earliest timeout check due at `now`, if any.
pub fn take_due_timeout_check(storage: &mut dyn Storage, now: Timestamp) -> StdResult<Option<u64>> {
    let Some(key) = next_due(&TIMEOUT_CHECKS, storage, None, now.seconds())? else {
        return Ok(None);
    };
    TIMEOUT_CHECKS.remove(storage, key);
    Ok(Some(key.1))
}

/// The launched (running) consumers.
pub const LAUNCHED: Map<u64, Empty> = Map::new(ns::LAUNCHED);

/// Every launched consumer's id, ascending.
pub fn launched_ids(storage: &dyn Storage) -> StdResult<Vec<u64>> {
    LAUNCHED
        .keys(storage, None, None, Order::Ascending)
        .collect()
}

/// The smallest launched consumer id after `after` (the smallest of all when `None`).
pub fn next_launched(storage: &dyn Storage, after: Option<u64>) -> StdResult<Option<u64>> {
    LAUNCHED
        .keys(storage, after.map(Bound::exclusive), None, Order::Ascending)
        .next()
        .transpose()
}

/// Launched consumers waiting for their channel, by the (connection, counterparty port) their
/// registration pins: a channel handshake takes the lowest id of its pair in one lookup.
pub const CHANNEL_OPENINGS: Map<(&str, &str, u64), Empty> = Map::new(ns::CHANNEL_OPENINGS);

/// The consumer a channel on `connection` from `port` is opened for, if any.
pub fn consumer_for_opening(
    storage: &dyn Storage,
    connection: &str,
    port: &str,
) -> StdResult<Option<u64>> {
    CHANNEL_OPENINGS
        .prefix((connection, port))
        .keys(storage, None, None, Order::Ascending)
        .next()
        .transpose()
}

/// Registered, not yet launched consumers per owner.
pub const PENDING_REGISTRATIONS: Map<&Addr, u32> = Map::new(ns::PENDING_REGISTRATIONS);
