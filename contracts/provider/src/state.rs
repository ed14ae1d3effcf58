//! Storage layout of the provider contract.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Binary, Decimal, Timestamp, Uint128};
use cw_ics_ccv::{ConsumerGenesis, PublicKey, ValidatorSetChangePacket};
use cw_storage_plus::{Item, Map};

use crate::msg::{
    ConsumerPhase, ConsumerRegistration, RegistrationPolicy, SlashRecord, SlashedTokens,
};

/// cw2 contract name.
pub const CONTRACT_NAME: &str = concat!("crates.io:", env!("CARGO_PKG_NAME"));
/// cw2 contract version.
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

#[cw_serde]
pub struct Config {
    pub admin: Addr,
    pub bond_denom: String,
    pub power_reduction: Uint128,
    pub unbonding_period_seconds: u64,
    pub epoch_length_blocks: u64,
    pub max_validators: u32,
    pub consumer_registration: RegistrationPolicy,
    pub ccv_timeout_seconds: u64,
    pub init_timeout_seconds: u64,
    pub vsc_timeout_seconds: u64,
    pub downtime_jail_seconds: u64,
    pub downtime_slash_fraction: Decimal,
    pub double_sign_slash_fraction: Decimal,
    /// `SendTo` holds an address validated when it was configured.
    pub slashed_tokens: SlashedTokens,
    pub wait_for_consumer_maturity: bool,
    pub max_epoch_work: u32,
}

pub const CONFIG: Item<Config> = Item::new("config");

#[cw_serde]
pub struct Validator {
    pub operator: Addr,
    pub pub_key: PublicKey,
    pub moniker: String,
    pub commission: Decimal,
    /// Bonded tokens (after slashing).
    pub tokens: Uint128,
    /// Delegation shares issued against `tokens`.
    pub shares: Uint128,
    pub jailed_until: Option<Timestamp>,
    pub tombstoned: bool,
}

/// Validators by operator.
pub const VALIDATORS: Map<&Addr, Validator> = Map::new("validators");
/// Operator by consensus address (20 bytes): consensus keys are unique.
pub const OPERATOR_BY_CONS_ADDR: Map<&[u8], Addr> = Map::new("cons_addr");

/// Delegation shares by (staker, validator operator).
pub const DELEGATIONS: Map<(&Addr, &Addr), Uint128> = Map::new("delegations");

#[cw_serde]
pub struct UnbondingEntry {
    pub id: u64,
    pub staker: Addr,
    pub validator: Addr,
    pub initial_amount: Uint128,
    /// What is left to pay after slashing.
    pub balance: Uint128,
    pub created_height: u64,
    pub vsc_id: u64,
    pub completes_at: Timestamp,
    /// Consumers that were launched when the entry was created.
    pub waiting_on: Vec<u64>,
}

pub const UNBONDINGS: Map<u64, UnbondingEntry> = Map::new("unbondings");
pub const NEXT_UNBONDING_ID: Item<u64> = Item::new("next_unbonding_id");
/// Entries by (staker, id).
pub const STAKER_UNBONDINGS: Map<(&Addr, u64), ()> = Map::new("staker_unbondings");
/// Entries by (validator, created height, id), so a slash reaches the entries created at or
/// after the infraction height without scanning older ones.
pub const VALIDATOR_UNBONDINGS: Map<(&Addr, u64, u64), ()> = Map::new("validator_unbondings");

/// Validators whose power or eligibility changed since their last evaluation.
pub const CHANGED: Map<&[u8], ()> = Map::new("changed");

/// Where an eligible validator stands after the last evaluation: its power and whether it is
/// in the top N (the set every consumer converges to).
#[cw_serde]
pub struct Slot {
    pub power: u64,
    pub active: bool,
}

pub const SLOTS: Map<&[u8], Slot> = Map::new("slots");
/// The top-N set ordered best first: key (u64::MAX - power, consensus address) → key.
pub const ACTIVE_INDEX: Map<(u64, &[u8]), PublicKey> = Map::new("active_index");
/// Eligible validators outside the top N, ordered best first like `ACTIVE_INDEX`.
pub const WAITING_INDEX: Map<(u64, &[u8]), PublicKey> = Map::new("waiting_index");
pub const ACTIVE_COUNT: Item<u32> = Item::new("active_count");
/// The running epoch's changes to the top-N set: new power (0 = left the set) and key.
pub const EPOCH_TOUCHED: Map<&[u8], TouchedValidator> = Map::new("epoch_touched");

#[cw_serde]
pub struct TouchedValidator {
    pub pub_key: PublicKey,
    pub power: u64,
}

#[cw_serde]
pub enum EpochStage {
    Idle,
    /// Evaluating changed validators and rebalancing the top N.
    Validators,
    /// Diffing each launched consumer's last sent set; cursor = (consumer, validator).
    Consumers {
        consumer: u64,
        after_validator: Option<Binary>,
    },
    /// Launching due consumers; cursor = last spawn-queue key handled.
    Launches {
        after: Option<(u64, u64)>,
    },
    /// Init and VSC timeouts; cursor = last consumer checked.
    Timeouts {
        after_consumer: Option<u64>,
    },
    /// Deleting stopped consumers whose deletion time passed, then clearing the epoch diff.
    Cleanup,
}

#[cw_serde]
pub struct EpochState {
    /// The vscId the next VSC will carry.
    pub current_vsc_id: u64,
    /// The vscId of the VSCs the running (or last) epoch queues.
    pub epoch_vsc_id: u64,
    pub next_epoch_height: u64,
    pub stage: EpochStage,
    /// The vscId of the newest unbonding entry.
    pub latest_unbonding_vsc_id: u64,
    /// `latest_unbonding_vsc_id` when the running epoch started.
    pub epoch_unbonding_vsc_id: u64,
    pub end_blocker: bool,
}

pub const EPOCH: Item<EpochState> = Item::new("epoch");

/// Provider height at which each vscId started being stamped on new unbonding entries.
pub const VSC_HEIGHTS: Map<u64, u64> = Map::new("vsc_heights");

#[cw_serde]
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
    pub pending_slash_acks: Vec<String>,
}

pub const CONSUMERS: Map<u64, Consumer> = Map::new("consumers");
pub const NEXT_CONSUMER_ID: Item<u64> = Item::new("next_consumer_id");
/// Registered consumers by (spawn time in seconds, id).
pub const SPAWN_QUEUE: Map<(u64, u64), ()> = Map::new("spawn_queue");
/// Launched (running) consumers.
pub const LAUNCHED: Map<u64, ()> = Map::new("launched");
/// Stopped consumers by (deletion time in seconds, id).
pub const DELETION_QUEUE: Map<(u64, u64), ()> = Map::new("deletion_queue");
pub const GENESIS: Map<u64, ConsumerGenesis> = Map::new("genesis");
/// The set each consumer last received: (consumer, consensus address) → power.
pub const LAST_SENT: Map<(u64, &[u8]), SentValidator> = Map::new("last_sent");
/// VSCs queued and not sent: (consumer, vscId).
pub const PENDING_VSCS: Map<(u64, u64), ValidatorSetChangePacket> = Map::new("pending_vscs");
/// The VSC an unfinished epoch is building for a consumer (moved to `PENDING_VSCS` once the
/// consumer's diff is complete, so a half-built packet is never sent).
pub const BUILDING_VSCS: Map<u64, ValidatorSetChangePacket> = Map::new("building_vscs");
/// VSCs sent and not matured: (consumer, vscId) → send time, for the VSC timeout.
pub const SENT_VSCS: Map<(u64, u64), Timestamp> = Map::new("sent_vscs");
pub const CHANNEL_TO_CONSUMER: Map<&str, u64> = Map::new("channel_to_consumer");

#[cw_serde]
pub struct SentValidator {
    pub pub_key: PublicKey,
    pub power: u64,
}

pub const SLASH_LOG: Map<u64, SlashRecord> = Map::new("slash_log");
pub const NEXT_SLASH_ID: Item<u64> = Item::new("next_slash_id");

/// Hands out the next id of a counter item, starting at 1.
pub fn next_id(
    storage: &mut dyn cosmwasm_std::Storage,
    counter: &Item<u64>,
) -> cosmwasm_std::StdResult<u64> {
    let id = counter.may_load(storage)?.unwrap_or(1);
    let following = id
        .checked_add(1)
        .ok_or_else(|| cosmwasm_std::StdError::msg("id counter overflow"))?;
    counter.save(storage, &following)?;
    Ok(id)
}
