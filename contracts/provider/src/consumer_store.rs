//! Consumers in storage, as compact records.
//!
//! A consumer is kept in two parts: its registration and history (`ConsumerInfo`, a few hundred
//! bytes, written when it is registered, updated, launched or stopped) and the small part the
//! epoch and the packets read and write (`ConsumerLink`: phase, channel, vscIds, slash acks), so
//! sending a VSC rewrites a few dozen bytes instead of the whole consumer. Next to them: the
//! genesis' validator set (stored once, compactly), VSCs queued until the channel opens, the set
//! of consumers due for a VSC in a quiet epoch, and the timeout queue ordered by deadline.

use cosmwasm_std::{Addr, Binary, StdResult, Storage, Timestamp};
use cw_ics_ccv::{PublicKey, ValidatorSetChangePacket, ValidatorUpdate};
use cw_ics_store::{encode, record, Reader, Record, StdError, Table};

use crate::msg::{ConsumerPhase, ConsumerRegistration};
use crate::state::tags;

/// A consumer as the contract works with it: both stored parts together.
#[derive(Clone, Debug, PartialEq)]
pub struct Consumer {
    pub id: u64,
    pub owner: Option<Addr>,
    pub phase: ConsumerPhase,
    pub registration: ConsumerRegistration,
    pub channel_id: Option<String>,
    pub launch_height: Option<u64>,
    pub launched_at: Option<Timestamp>,
    pub stopped_at: Option<Timestamp>,
    pub stop_reason: Option<String>,
    pub last_sent_vsc_id: u64,
    pub last_matured_vsc_id: u64,
    /// Highest vscId this consumer was given a VSC for (or the epoch it launched in): newer
    /// unbonding entries need a VSC to this consumer to mature.
    pub covered_vsc_id: u64,
}

/// The part of a consumer that VSCs and consumer packets change.
#[derive(Clone, Debug, PartialEq)]
pub struct ConsumerLink {
    pub phase: ConsumerPhase,
    pub channel_id: Option<String>,
    pub last_sent_vsc_id: u64,
    pub last_matured_vsc_id: u64,
    pub covered_vsc_id: u64,
    /// Copies of the registration's overrides (fixed once launched), needed when sending.
    pub ccv_timeout_seconds: Option<u64>,
    pub vsc_timeout_seconds: Option<u64>,
}

record!(ConsumerLink {
    phase,
    channel_id,
    last_sent_vsc_id,
    last_matured_vsc_id,
    covered_vsc_id,
    ccv_timeout_seconds,
    vsc_timeout_seconds
});

/// The part of a consumer that only registration, updates, launch and stop change.
struct ConsumerInfo {
    owner: Option<Addr>,
    registration: ConsumerRegistration,
    launch_height: Option<u64>,
    launched_at: Option<Timestamp>,
    stopped_at: Option<Timestamp>,
    stop_reason: Option<String>,
}

record!(ConsumerInfo {
    owner,
    registration,
    launch_height,
    launched_at,
    stopped_at,
    stop_reason
});

impl Record for ConsumerPhase {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(match self {
            ConsumerPhase::Registered => 0,
            ConsumerPhase::Launched => 1,
            ConsumerPhase::Stopped => 2,
            ConsumerPhase::Deleted => 3,
        });
    }

    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        Ok(match input.byte()? {
            0 => ConsumerPhase::Registered,
            1 => ConsumerPhase::Launched,
            2 => ConsumerPhase::Stopped,
            3 => ConsumerPhase::Deleted,
            _ => {
                return Err(StdError::msg(
                    "corrupt stored record: unknown consumer phase",
                ))
            }
        })
    }
}

record!(ConsumerRegistration {
    chain_id,
    spawn_time,
    unbonding_period_seconds,
    connection_id,
    counterparty_connection_id,
    counterparty_port_id,
    ccv_timeout_seconds,
    init_timeout_seconds,
    vsc_timeout_seconds,
    retry_delay_seconds,
    signed_blocks_window,
    min_signed_per_window,
    valcons_prefix
});

impl Consumer {
    pub fn link(&self) -> ConsumerLink {
        ConsumerLink {
            phase: self.phase,
            channel_id: self.channel_id.clone(),
            last_sent_vsc_id: self.last_sent_vsc_id,
            last_matured_vsc_id: self.last_matured_vsc_id,
            covered_vsc_id: self.covered_vsc_id,
            ccv_timeout_seconds: self.registration.ccv_timeout_seconds,
            vsc_timeout_seconds: self.registration.vsc_timeout_seconds,
        }
    }

    fn info(&self) -> ConsumerInfo {
        ConsumerInfo {
            owner: self.owner.clone(),
            registration: self.registration.clone(),
            launch_height: self.launch_height,
            launched_at: self.launched_at,
            stopped_at: self.stopped_at,
            stop_reason: self.stop_reason.clone(),
        }
    }

    fn from_parts(id: u64, info: ConsumerInfo, link: ConsumerLink) -> Self {
        Consumer {
            id,
            owner: info.owner,
            phase: link.phase,
            registration: info.registration,
            channel_id: link.channel_id,
            launch_height: info.launch_height,
            launched_at: info.launched_at,
            stopped_at: info.stopped_at,
            stop_reason: info.stop_reason,
            last_sent_vsc_id: link.last_sent_vsc_id,
            last_matured_vsc_id: link.last_matured_vsc_id,
            covered_vsc_id: link.covered_vsc_id,
        }
    }
}

const INFO: Table<ConsumerInfo> = Table::new(tags::CONSUMER_INFO);
const LINKS: Table<ConsumerLink> = Table::new(tags::CONSUMER_LINK);

/// Consumers by id, with the load/save calls of a `cw-storage-plus` map.
pub struct ConsumerStore;

pub const CONSUMERS: ConsumerStore = ConsumerStore;

impl ConsumerStore {
    pub fn may_load(&self, storage: &dyn Storage, id: u64) -> StdResult<Option<Consumer>> {
        let key = id.to_be_bytes();
        let Some(info) = INFO.may_load(storage, &[&key])? else {
            return Ok(None);
        };
        let link = LINKS.load(storage, &[&key])?;
        Ok(Some(Consumer::from_parts(id, info, link)))
    }

    /// Saves both parts; the registration part is rewritten only when it changed, so saving
    /// after a packet costs the small part only.
    pub fn save(&self, storage: &mut dyn Storage, id: u64, consumer: &Consumer) -> StdResult<()> {
        let key = id.to_be_bytes();
        let info = encode(&consumer.info());
        let full_key = INFO.key(&[&key]);
        if storage.get(&full_key).as_deref() != Some(info.as_slice()) {
            storage.set(&full_key, &info);
        }
        self.save_link(storage, id, &consumer.link());
        Ok(())
    }

    pub fn may_load_link(&self, storage: &dyn Storage, id: u64) -> StdResult<Option<ConsumerLink>> {
        LINKS.may_load(storage, &[&id.to_be_bytes()])
    }

    pub fn save_link(&self, storage: &mut dyn Storage, id: u64, link: &ConsumerLink) {
        LINKS.save(storage, &[&id.to_be_bytes()], link);
    }

    /// Consumers in id order after `after`.
    pub fn page(
        &self,
        storage: &dyn Storage,
        after: Option<u64>,
        limit: usize,
    ) -> StdResult<Vec<Consumer>> {
        let after = after.map(u64::to_be_bytes);
        INFO.page(storage, &[], after.as_ref().map(|a| a.as_slice()), limit)?
            .into_iter()
            .map(|(key, info)| {
                let id = id_from_key(&key)?;
                let link = LINKS.load(storage, &[&key])?;
                Ok(Consumer::from_parts(id, info, link))
            })
            .collect()
    }
}

fn id_from_key(key: &[u8]) -> StdResult<u64> {
    let bytes: [u8; 8] = key
        .get(..8)
        .and_then(|part| part.try_into().ok())
        .ok_or_else(|| StdError::msg("corrupt stored key: consumer id"))?;
    Ok(u64::from_be_bytes(bytes))
}

/// A validator as the genesis and queued VSCs store it: ed25519 key bytes and power.
pub type StoredPower = (Binary, u64);

pub fn stored_power(pub_key: &PublicKey, power: u64) -> StoredPower {
    (Binary::from(pub_key.bytes()), power)
}

fn validator_update((pub_key, power): StoredPower) -> ValidatorUpdate {
    ValidatorUpdate {
        pub_key: PublicKey::Ed25519(pub_key),
        power,
    }
}

/// What a consumer's genesis holds beyond its registration (which is fixed once launched).
pub struct GenesisRecord {
    pub provider_chain_id: String,
    pub ccv_timeout_seconds: u64,
    /// The top N at launch, best first.
    pub validators: Vec<StoredPower>,
}

record!(GenesisRecord {
    provider_chain_id,
    ccv_timeout_seconds,
    validators
});

pub const GENESIS: Table<GenesisRecord> = Table::new(tags::GENESIS);

/// A VSC queued until the consumer's channel opens.
pub struct QueuedVsc {
    pub validator_updates: Vec<StoredPower>,
    pub slash_acks: Vec<String>,
}

record!(QueuedVsc {
    validator_updates,
    slash_acks
});

impl QueuedVsc {
    pub fn from_packet(packet: &ValidatorSetChangePacket) -> Self {
        QueuedVsc {
            validator_updates: packet
                .validator_updates
                .iter()
                .map(|update| stored_power(&update.pub_key, update.power))
                .collect(),
            slash_acks: packet.slash_acks.clone(),
        }
    }

    pub fn into_packet(self, valset_update_id: u64) -> ValidatorSetChangePacket {
        ValidatorSetChangePacket {
            validator_updates: self
                .validator_updates
                .into_iter()
                .map(validator_update)
                .collect(),
            valset_update_id,
            slash_acks: self.slash_acks,
        }
    }
}

/// (consumer, vscId) → VSC not sent yet.
pub const QUEUED_VSCS: Table<QueuedVsc> = Table::new(tags::QUEUED_VSCS);

/// The queued VSCs of a consumer in vscId order after `after`.
pub fn queued_vscs(
    storage: &dyn Storage,
    consumer_id: u64,
    after: Option<u64>,
    limit: usize,
) -> StdResult<Vec<ValidatorSetChangePacket>> {
    let after = after.map(u64::to_be_bytes);
    QUEUED_VSCS
        .page(
            storage,
            &[&consumer_id.to_be_bytes()],
            after.as_ref().map(|a| a.as_slice()),
            limit,
        )?
        .into_iter()
        .map(|(key, queued)| Ok(queued.into_packet(id_from_key(&key)?)))
        .collect()
}

/// Consumers owed a VSC at the next epoch even if no validator changed (first VSC after the
/// channel opened, slash acks to deliver). A quiet epoch visits only these.
const DUE: Table<()> = Table::new(tags::DUE_CONSUMERS);

/// Makes the next epoch give `consumer_id` a VSC if it owes one (call it whenever something is
/// queued for the consumer's next VSC, e.g. a slash ack).
pub fn mark_consumer_due(storage: &mut dyn Storage, consumer_id: u64) {
    DUE.save(storage, &[&consumer_id.to_be_bytes()], &());
}

/// The first consumer marked due after `after`.
pub fn next_due_consumer(storage: &dyn Storage, after: Option<u64>) -> StdResult<Option<u64>> {
    let min = after.map(|id| [&id.to_be_bytes()[..], &[0]].concat());
    DUE.range_between(
        storage,
        &[],
        min.as_deref(),
        None,
        cosmwasm_std::Order::Ascending,
    )
    .next()
    .map(|entry| entry.and_then(|(key, _)| id_from_key(&key)))
    .transpose()
}

pub fn clear_due(storage: &mut dyn Storage, consumer_id: u64) {
    DUE.remove(storage, &[&consumer_id.to_be_bytes()]);
}

/// (deadline in seconds, consumer) → (): when to check a consumer's init or VSC timeout. An
/// entry may be earlier than the consumer's real deadline (it is then moved), never later.
const TIMEOUTS: Table<()> = Table::new(tags::TIMEOUTS);

pub fn schedule_timeout_check(storage: &mut dyn Storage, deadline: Timestamp, consumer_id: u64) {
    TIMEOUTS.save(
        storage,
        &[
            &deadline.seconds().to_be_bytes(),
            &consumer_id.to_be_bytes(),
        ],
        &(),
    );
}

fn first_due_timeout_check(storage: &dyn Storage, now: Timestamp) -> StdResult<Option<Vec<u8>>> {
    let until = now.seconds().saturating_add(1).to_be_bytes();
    TIMEOUTS
        .range_between(
            storage,
            &[],
            None,
            Some(&until),
            cosmwasm_std::Order::Ascending,
        )
        .next()
        .map(|entry| entry.map(|(key, _)| key))
        .transpose()
}

pub fn has_due_timeout_check(storage: &dyn Storage, now: Timestamp) -> StdResult<bool> {
    Ok(first_due_timeout_check(storage, now)?.is_some())
}

/// Takes the earliest timeout check due at `now`, if any.
pub fn take_due_timeout_check(storage: &mut dyn Storage, now: Timestamp) -> StdResult<Option<u64>> {
    let Some(key) = first_due_timeout_check(storage, now)? else {
        return Ok(None);
    };
    let consumer_id = id_from_key(key.get(8..).unwrap_or_default())?;
    TIMEOUTS.remove(storage, &[&key]);
    Ok(Some(consumer_id))
}
