//! Storage layout of the provider contract.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Binary, Decimal, StdError, StdResult, Storage, Timestamp, Uint128};
use cw_ics_ccv::PublicKey;
use cw_ics_store::{record, Cell, Reader, Record};
use cw_storage_plus::{Item, Map};

use crate::msg::{RegistrationPolicy, SlashRecord, SlashedTokens};

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

/// Tags of this contract's compact tables and cells (`cw-ics-store`), all in one place so they
/// stay unique. The epoch and consumer records use 0xC0..=0xCF.
pub mod tags {
    pub const EPOCH: &[u8] = b"\xc0";
    pub const CONSUMER_INFO: &[u8] = b"\xc1";
    pub const CONSUMER_LINK: &[u8] = b"\xc2";
    pub const GENESIS: &[u8] = b"\xc3";
    pub const QUEUED_VSCS: &[u8] = b"\xc4";
    pub const DUE_CONSUMERS: &[u8] = b"\xc5";
    pub const TIMEOUTS: &[u8] = b"\xc6";
    pub const SLOTS: &[u8] = b"\xc7";
    pub const RANKING: &[u8] = b"\xc8";
    pub const EPOCH_CANDIDATES: &[u8] = b"\xc9";
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EpochStage {
    Idle,
    /// Re-ranking the validators marked changed.
    Validators,
    /// Moving the top-N boundary until it holds `max_validators` (or every eligible) validators.
    Rebalance,
    /// Giving a VSC to the consumers marked due (first VSC, slash acks); cursor = last one
    /// handled (a consumer marked again behind it waits for the next epoch).
    DueConsumers {
        after_consumer: Option<u64>,
    },
    /// Giving this epoch's VSC to every launched consumer; cursor = last consumer handled.
    Broadcast {
        after_consumer: Option<u64>,
    },
    /// Launching due consumers; cursor = last spawn-queue key handled.
    Launches {
        after: Option<(u64, u64)>,
    },
    /// Init and VSC timeouts whose deadline passed.
    Timeouts,
    /// Deleting stopped consumers whose deletion time passed, then clearing the epoch diff.
    Cleanup,
}

impl Record for EpochStage {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            EpochStage::Idle => out.push(0),
            EpochStage::Validators => out.push(1),
            EpochStage::Rebalance => out.push(2),
            EpochStage::DueConsumers { after_consumer } => {
                out.push(3);
                after_consumer.encode(out);
            }
            EpochStage::Broadcast { after_consumer } => {
                out.push(4);
                after_consumer.encode(out);
            }
            EpochStage::Launches { after } => {
                out.push(5);
                after.encode(out);
            }
            EpochStage::Timeouts => out.push(6),
            EpochStage::Cleanup => out.push(7),
        }
    }

    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        Ok(match input.byte()? {
            0 => EpochStage::Idle,
            1 => EpochStage::Validators,
            2 => EpochStage::Rebalance,
            3 => EpochStage::DueConsumers {
                after_consumer: Record::decode(input)?,
            },
            4 => EpochStage::Broadcast {
                after_consumer: Record::decode(input)?,
            },
            5 => EpochStage::Launches {
                after: Record::decode(input)?,
            },
            6 => EpochStage::Timeouts,
            7 => EpochStage::Cleanup,
            _ => return Err(StdError::msg("corrupt stored record: unknown epoch stage")),
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// Every launched consumer was given a VSC at or after this vscId (or launched at it).
    pub covered_vsc_id: u64,
    /// The top N: the ranked validators whose ranking key sorts before `cut`.
    pub cut: Binary,
    /// How many ranked validators sort before `cut`.
    pub active_count: u32,
    /// `cut` when the running epoch started: the set every consumer was last given.
    pub epoch_cut: Binary,
    /// Chunks of this epoch's candidate changes saved by earlier calls of the running epoch.
    pub candidate_chunks: u32,
}

record!(EpochState {
    current_vsc_id,
    epoch_vsc_id,
    next_epoch_height,
    stage,
    latest_unbonding_vsc_id,
    epoch_unbonding_vsc_id,
    end_blocker,
    covered_vsc_id,
    cut,
    active_count,
    epoch_cut,
    candidate_chunks
});

impl EpochState {
    /// Before the first epoch: nothing ranked, nothing in the top N.
    pub fn initial(first_vsc_id: u64, height: u64) -> Self {
        EpochState {
            current_vsc_id: first_vsc_id,
            epoch_vsc_id: 0,
            next_epoch_height: height,
            stage: EpochStage::Idle,
            latest_unbonding_vsc_id: 0,
            epoch_unbonding_vsc_id: 0,
            end_blocker: false,
            covered_vsc_id: 0,
            cut: Binary::default(),
            active_count: 0,
            epoch_cut: Binary::default(),
            candidate_chunks: 0,
        }
    }
}

/// The epoch record, with the load/save/update calls of a `cw-storage-plus` item.
pub struct EpochItem(Cell<EpochState>);

impl EpochItem {
    pub fn load(&self, storage: &dyn Storage) -> StdResult<EpochState> {
        self.0.load(storage)
    }

    pub fn save(&self, storage: &mut dyn Storage, epoch: &EpochState) -> StdResult<()> {
        self.0.save(storage, epoch);
        Ok(())
    }

    pub fn update<E: From<StdError>>(
        &self,
        storage: &mut dyn Storage,
        action: impl FnOnce(EpochState) -> Result<EpochState, E>,
    ) -> Result<EpochState, E> {
        let updated = action(self.load(storage)?)?;
        self.save(storage, &updated)?;
        Ok(updated)
    }
}

pub const EPOCH: EpochItem = EpochItem(Cell::new(tags::EPOCH));

/// Provider height at which each vscId started being stamped on new unbonding entries.
pub const VSC_HEIGHTS: Map<u64, u64> = Map::new("vsc_heights");

pub use crate::consumer_store::{Consumer, CONSUMERS};

pub const NEXT_CONSUMER_ID: Item<u64> = Item::new("next_consumer_id");
/// Registered consumers by (spawn time in seconds, id).
pub const SPAWN_QUEUE: Map<(u64, u64), ()> = Map::new("spawn_queue");
/// Launched (running) consumers.
pub const LAUNCHED: Map<u64, ()> = Map::new("launched");
/// Stopped consumers by (deletion time in seconds, id).
pub const DELETION_QUEUE: Map<(u64, u64), ()> = Map::new("deletion_queue");
/// VSCs sent and not matured: (consumer, vscId) → send time, for the VSC timeout.
pub const SENT_VSCS: Map<(u64, u64), Timestamp> = Map::new("sent_vscs");
pub const CHANNEL_TO_CONSUMER: Map<&str, u64> = Map::new("channel_to_consumer");

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
