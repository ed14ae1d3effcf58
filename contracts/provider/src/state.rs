//! Storage layout of the provider contract.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{
    Addr, Binary, Decimal, Order, StdError, StdResult, Storage, Timestamp, Uint128,
};
use cw_ics_ccv::PublicKey;
use cw_ics_store::{record, Cell, Reader, Record, Table};

use crate::msg::{InfractionKind, RegistrationPolicy, SlashAction, SlashRecord, SlashedTokens};

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
cw_ics_json::json_struct!(Config {
    admin,
    bond_denom,
    power_reduction,
    unbonding_period_seconds,
    epoch_length_blocks,
    max_validators,
    consumer_registration,
    ccv_timeout_seconds,
    init_timeout_seconds,
    vsc_timeout_seconds,
    downtime_jail_seconds,
    downtime_slash_fraction,
    double_sign_slash_fraction,
    slashed_tokens,
    wait_for_consumer_maturity,
    max_epoch_work,
});

pub const CONFIG: Cell<Config> = Cell::new(tags::CONFIG);

#[derive(Clone, Debug, PartialEq)]
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

/// Validators by operator (see [`ValidatorTable`]).
pub const VALIDATORS: ValidatorTable = ValidatorTable(Table::new(tags::VALIDATORS));
/// Operator by consensus address (20 bytes): consensus keys are unique.
pub const OPERATOR_BY_CONS_ADDR: OperatorIndex =
    OperatorIndex(Table::new(tags::OPERATOR_BY_CONS_ADDR));

/// Delegation shares by (staker, validator operator): key `addr_part(staker) ++ operator`.
pub const DELEGATIONS: Table<Uint128> = Table::new(tags::DELEGATIONS);

#[derive(Clone, Debug, PartialEq)]
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

/// Unbonding entries by (staker, id) (see [`UnbondingTable`]).
pub const UNBONDINGS: UnbondingTable = UnbondingTable(Table::new(tags::UNBONDINGS));
pub const NEXT_UNBONDING_ID: Cell<u64> = Cell::new(tags::NEXT_UNBONDING_ID);
/// Entries by (validator, created height, id) → staker, so a slash reaches the entries created
/// at or after the infraction height without scanning older ones. Key
/// `addr_part(validator) ++ height ++ id`, integers big-endian.
pub const VALIDATOR_UNBONDINGS: Table<Addr> = Table::new(tags::VALIDATOR_UNBONDINGS);

/// A validator saved since the epoch last ranked it: everything the epoch needs to move it in
/// the ranking, so it reads neither the validator record nor the operator index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeMark {
    pub pub_key: Binary,
    /// The power the ranking holds it at (0: not ranked), taken when it was first marked after
    /// being ranked: every save marks, so an unmarked validator is ranked at its record's power.
    pub ranked_power: u64,
    /// Its power as of its latest save.
    pub power: u64,
}

record!(ChangeMark {
    pub_key,
    ranked_power,
    power
});

/// Validators saved since their last ranking, by consensus address (20 bytes).
pub const CHANGED: Table<ChangeMark> = Table::new(tags::CHANGED);

/// Tags of this contract's compact tables and cells (`cw-ics-store`), all in one place so they
/// stay unique: the epoch, ranking and consumer records use 0xC0..=0xCF, the stake ledger,
/// configuration and slash records 0xD0..=0xD9, the consumer id counter and the vscId heights
/// (which the C range has no room left for) 0xDA..=0xDB.
pub mod tags {
    pub const EPOCH: &[u8] = b"\xc0";
    pub const CONSUMER_INFO: &[u8] = b"\xc1";
    pub const CONSUMER_LINK: &[u8] = b"\xc2";
    pub const GENESIS: &[u8] = b"\xc3";
    pub const QUEUED_VSCS: &[u8] = b"\xc4";
    pub const DUE_CONSUMERS: &[u8] = b"\xc5";
    pub const TIMEOUTS: &[u8] = b"\xc6";
    pub const RANKING: &[u8] = b"\xc8";
    pub const EPOCH_CANDIDATES: &[u8] = b"\xc9";
    pub const CHANGED: &[u8] = b"\xca";
    pub const SPAWN_QUEUE: &[u8] = b"\xcb";
    pub const LAUNCHED: &[u8] = b"\xcc";
    pub const DELETION_QUEUE: &[u8] = b"\xcd";
    pub const SENT_VSCS: &[u8] = b"\xce";
    pub const CHANNEL_TO_CONSUMER: &[u8] = b"\xcf";
    pub const CONFIG: &[u8] = b"\xd0";
    pub const VALIDATORS: &[u8] = b"\xd1";
    pub const DELEGATIONS: &[u8] = b"\xd2";
    pub const UNBONDINGS: &[u8] = b"\xd3";
    pub const VALIDATOR_UNBONDINGS: &[u8] = b"\xd4";
    pub const NEXT_UNBONDING_ID: &[u8] = b"\xd5";
    pub const SLASH_LOG: &[u8] = b"\xd6";
    pub const NEXT_SLASH_ID: &[u8] = b"\xd7";
    pub const SLASH_ACKS: &[u8] = b"\xd8";
    pub const OPERATOR_BY_CONS_ADDR: &[u8] = b"\xd9";
    pub const NEXT_CONSUMER_ID: &[u8] = b"\xda";
    pub const VSC_HEIGHTS: &[u8] = b"\xdb";
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
pub const VSC_HEIGHTS: VscHeights = VscHeights(Table::new(tags::VSC_HEIGHTS));

pub use crate::consumer_store::{Consumer, CONSUMERS};

pub const NEXT_CONSUMER_ID: Cell<u64> = Cell::new(tags::NEXT_CONSUMER_ID);
/// Registered consumers by (spawn time in seconds, id).
pub const SPAWN_QUEUE: ConsumerQueue = ConsumerQueue(Table::new(tags::SPAWN_QUEUE));
/// Launched (running) consumers.
pub const LAUNCHED: ConsumerSet = ConsumerSet(Table::new(tags::LAUNCHED));
/// Stopped consumers by (deletion time in seconds, id).
pub const DELETION_QUEUE: ConsumerQueue = ConsumerQueue(Table::new(tags::DELETION_QUEUE));
/// VSCs sent and not matured: (consumer, vscId) → send time, for the VSC timeout.
pub const SENT_VSCS: SentVscs = SentVscs(Table::new(tags::SENT_VSCS));
/// The consumer that owns each CCV channel.
pub const CHANNEL_TO_CONSUMER: ChannelIndex = ChannelIndex(Table::new(tags::CHANNEL_TO_CONSUMER));

/// Slash records by id (big-endian).
pub const SLASH_LOG: Table<SlashRecord> = Table::new(tags::SLASH_LOG);
pub const NEXT_SLASH_ID: Cell<u64> = Cell::new(tags::NEXT_SLASH_ID);
/// Downtime slashes handled and not yet acknowledged to the consumer in a VSC: (consumer id,
/// slash id), both big-endian, → the validator's consensus address in the consumer's bech32.
/// Ordered by slash id, so a VSC acknowledges them in the order they were received.
pub const SLASH_ACKS: Table<String> = Table::new(tags::SLASH_ACKS);

/// Hands out the next id of a counter cell, starting at 1.
pub fn next_cell_id(storage: &mut dyn Storage, counter: &Cell<u64>) -> StdResult<u64> {
    let id = counter.may_load(storage)?.unwrap_or(1);
    let following = id
        .checked_add(1)
        .ok_or_else(|| StdError::msg("id counter overflow"))?;
    counter.save(storage, &following);
    Ok(id)
}

/// An address as a leading key part: its length byte, then its bytes, so that no address's
/// entries can fall inside the range of another address that happens to be its prefix.
pub fn addr_part(addr: &Addr) -> StdResult<Vec<u8>> {
    let len = u8::try_from(addr.as_str().len())
        .map_err(|_| StdError::msg("address longer than 255 bytes"))?;
    Ok([&[len][..], addr.as_bytes()].concat())
}

fn addr_from_key(bytes: &[u8]) -> StdResult<Addr> {
    String::from_utf8(bytes.to_vec())
        .map(Addr::unchecked)
        .map_err(|_| StdError::msg("corrupt stored key: address not UTF-8"))
}

fn id_from_key(bytes: &[u8]) -> StdResult<u64> {
    <[u8; 8]>::try_from(bytes)
        .map(u64::from_be_bytes)
        .map_err(|_| StdError::msg("corrupt stored key: id not 8 bytes"))
}

/// A (seconds, id) queue key: two big-endian u64s.
fn queue_key_from(bytes: &[u8]) -> StdResult<(u64, u64)> {
    if bytes.len() != 16 {
        return Err(StdError::msg("corrupt stored key: queue key not 16 bytes"));
    }
    let (seconds, id) = bytes.split_at(8);
    Ok((id_from_key(seconds)?, id_from_key(id)?))
}

/// The exclusive upper bound of the 8-byte big-endian keys at or below `last`: `last` itself
/// followed by a zero byte sorts after `last` and before every greater key.
fn through(last: &[u8]) -> Vec<u8> {
    [last, &[0u8][..]].concat()
}

fn corrupt(what: &str) -> StdError {
    StdError::msg(format!("corrupt stored record: {what}"))
}

fn encode_pub_key(key: &PublicKey, out: &mut Vec<u8>) {
    match key {
        PublicKey::Ed25519(bytes) => bytes.encode(out),
    }
}

fn decode_pub_key(input: &mut Reader<'_>) -> StdResult<PublicKey> {
    Binary::decode(input).map(PublicKey::Ed25519)
}

/// Every field but the operator, which is the key.
impl Record for Validator {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_pub_key(&self.pub_key, out);
        self.moniker.encode(out);
        self.commission.encode(out);
        self.tokens.encode(out);
        self.shares.encode(out);
        self.jailed_until.encode(out);
        self.tombstoned.encode(out);
    }

    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        Ok(Validator {
            operator: Addr::unchecked(""),
            pub_key: decode_pub_key(input)?,
            moniker: String::decode(input)?,
            commission: Decimal::decode(input)?,
            tokens: Uint128::decode(input)?,
            shares: Uint128::decode(input)?,
            jailed_until: Option::decode(input)?,
            tombstoned: bool::decode(input)?,
        })
    }
}

/// Validators keyed by their operator's address bytes; the stored value leaves the operator
/// out (it is the key) and every read puts it back.
pub struct ValidatorTable(Table<Validator>);

impl ValidatorTable {
    pub fn may_load(&self, storage: &dyn Storage, operator: &Addr) -> StdResult<Option<Validator>> {
        Ok(self
            .0
            .may_load(storage, &[operator.as_bytes()])?
            .map(|validator| Validator {
                operator: operator.clone(),
                ..validator
            }))
    }

    pub fn load(&self, storage: &dyn Storage, operator: &Addr) -> StdResult<Validator> {
        self.may_load(storage, operator)?
            .ok_or_else(|| StdError::msg(format!("no validator is operated by {operator}")))
    }

    pub fn has(&self, storage: &dyn Storage, operator: &Addr) -> bool {
        self.0.has(storage, &[operator.as_bytes()])
    }

    pub fn save(&self, storage: &mut dyn Storage, validator: &Validator) {
        self.0
            .save(storage, &[validator.operator.as_bytes()], validator);
    }

    pub fn is_empty(&self, storage: &dyn Storage) -> bool {
        self.0
            .range(storage, &[], Order::Ascending)
            .next()
            .is_none()
    }

    /// Up to `limit` validators in operator order, after `after` when given.
    pub fn page(
        &self,
        storage: &dyn Storage,
        after: Option<&Addr>,
        limit: usize,
    ) -> StdResult<Vec<Validator>> {
        self.0
            .page(storage, &[], after.map(|a| a.as_bytes()), limit)?
            .into_iter()
            .map(|(key, validator)| {
                Ok(Validator {
                    operator: addr_from_key(&key)?,
                    ..validator
                })
            })
            .collect()
    }
}

/// Operators keyed by their validator's consensus address (the one key part).
pub struct OperatorIndex(Table<Addr>);

impl OperatorIndex {
    pub fn may_load(&self, storage: &dyn Storage, address: &[u8]) -> StdResult<Option<Addr>> {
        self.0.may_load(storage, &[address])
    }

    pub fn load(&self, storage: &dyn Storage, address: &[u8]) -> StdResult<Addr> {
        self.0.load(storage, &[address])
    }

    pub fn has(&self, storage: &dyn Storage, address: &[u8]) -> bool {
        self.0.has(storage, &[address])
    }

    pub fn save(&self, storage: &mut dyn Storage, address: &[u8], operator: &Addr) {
        self.0.save(storage, &[address], operator);
    }
}

/// Every field but the id and the staker, which are the key.
impl Record for UnbondingEntry {
    fn encode(&self, out: &mut Vec<u8>) {
        self.validator.encode(out);
        self.initial_amount.encode(out);
        self.balance.encode(out);
        self.created_height.encode(out);
        self.vsc_id.encode(out);
        self.completes_at.encode(out);
        self.waiting_on.encode(out);
    }

    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        Ok(UnbondingEntry {
            id: 0,
            staker: Addr::unchecked(""),
            validator: Addr::decode(input)?,
            initial_amount: Uint128::decode(input)?,
            balance: Uint128::decode(input)?,
            created_height: u64::decode(input)?,
            vsc_id: u64::decode(input)?,
            completes_at: Timestamp::decode(input)?,
            waiting_on: Vec::decode(input)?,
        })
    }
}

/// Unbonding entries keyed by `addr_part(staker) ++ id` (big-endian): a staker's entries are one
/// range, and an id names an entry only together with its staker. Reads put the key's staker
/// and id back into the entry.
pub struct UnbondingTable(Table<UnbondingEntry>);

impl UnbondingTable {
    pub fn may_load(
        &self,
        storage: &dyn Storage,
        staker: &Addr,
        id: u64,
    ) -> StdResult<Option<UnbondingEntry>> {
        let entry = self
            .0
            .may_load(storage, &[&addr_part(staker)?, &id.to_be_bytes()])?;
        Ok(entry.map(|entry| UnbondingEntry {
            id,
            staker: staker.clone(),
            ..entry
        }))
    }

    pub fn save(&self, storage: &mut dyn Storage, entry: &UnbondingEntry) -> StdResult<()> {
        let key = [&addr_part(&entry.staker)?, &entry.id.to_be_bytes()[..]];
        self.0.save(storage, &key, entry);
        Ok(())
    }

    pub fn remove(&self, storage: &mut dyn Storage, staker: &Addr, id: u64) -> StdResult<()> {
        self.0
            .remove(storage, &[&addr_part(staker)?, &id.to_be_bytes()]);
        Ok(())
    }

    /// Up to `limit` of a staker's entries in id order, after `after` when given.
    pub fn page(
        &self,
        storage: &dyn Storage,
        staker: &Addr,
        after: Option<u64>,
        limit: usize,
    ) -> StdResult<Vec<UnbondingEntry>> {
        let after = after.map(u64::to_be_bytes);
        self.0
            .page(
                storage,
                &[&addr_part(staker)?],
                after.as_ref().map(|id| &id[..]),
                limit,
            )?
            .into_iter()
            .map(|(key, entry)| {
                Ok(UnbondingEntry {
                    id: id_from_key(&key)?,
                    staker: staker.clone(),
                    ..entry
                })
            })
            .collect()
    }
}

impl Record for SlashRecord {
    fn encode(&self, out: &mut Vec<u8>) {
        self.id.encode(out);
        self.consumer_id.encode(out);
        self.validator.encode(out);
        self.consensus_address.encode(out);
        let infraction: u8 = match self.infraction {
            InfractionKind::Downtime => 0,
            InfractionKind::DoubleSign => 1,
        };
        infraction.encode(out);
        self.vsc_id.encode(out);
        self.infraction_height.encode(out);
        self.received_at.encode(out);
        match &self.action {
            SlashAction::Jailed { slashed } => {
                0u8.encode(out);
                slashed.encode(out);
            }
            SlashAction::AlreadyJailed {} => 1u8.encode(out),
            SlashAction::Recorded {} => 2u8.encode(out),
        }
    }

    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        Ok(SlashRecord {
            id: u64::decode(input)?,
            consumer_id: u64::decode(input)?,
            validator: Addr::decode(input)?,
            consensus_address: String::decode(input)?,
            infraction: match input.byte()? {
                0 => InfractionKind::Downtime,
                1 => InfractionKind::DoubleSign,
                _ => return Err(corrupt("unknown infraction")),
            },
            vsc_id: u64::decode(input)?,
            infraction_height: u64::decode(input)?,
            received_at: Timestamp::decode(input)?,
            action: match input.byte()? {
                0 => SlashAction::Jailed {
                    slashed: Uint128::decode(input)?,
                },
                1 => SlashAction::AlreadyJailed {},
                2 => SlashAction::Recorded {},
                _ => return Err(corrupt("unknown slash action")),
            },
        })
    }
}

impl Record for Config {
    fn encode(&self, out: &mut Vec<u8>) {
        self.admin.encode(out);
        self.bond_denom.encode(out);
        self.power_reduction.encode(out);
        self.unbonding_period_seconds.encode(out);
        self.epoch_length_blocks.encode(out);
        self.max_validators.encode(out);
        let registration: u8 = match self.consumer_registration {
            RegistrationPolicy::AdminOnly => 0,
            RegistrationPolicy::Permissionless => 1,
        };
        registration.encode(out);
        self.ccv_timeout_seconds.encode(out);
        self.init_timeout_seconds.encode(out);
        self.vsc_timeout_seconds.encode(out);
        self.downtime_jail_seconds.encode(out);
        self.downtime_slash_fraction.encode(out);
        self.double_sign_slash_fraction.encode(out);
        let destination = match &self.slashed_tokens {
            SlashedTokens::Burn {} => None,
            SlashedTokens::SendTo { address } => Some(address),
        };
        destination.cloned().encode(out);
        self.wait_for_consumer_maturity.encode(out);
        self.max_epoch_work.encode(out);
    }

    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        Ok(Config {
            admin: Addr::decode(input)?,
            bond_denom: String::decode(input)?,
            power_reduction: Uint128::decode(input)?,
            unbonding_period_seconds: u64::decode(input)?,
            epoch_length_blocks: u64::decode(input)?,
            max_validators: u32::decode(input)?,
            consumer_registration: match input.byte()? {
                0 => RegistrationPolicy::AdminOnly,
                1 => RegistrationPolicy::Permissionless,
                _ => return Err(corrupt("unknown registration policy")),
            },
            ccv_timeout_seconds: u64::decode(input)?,
            init_timeout_seconds: u64::decode(input)?,
            vsc_timeout_seconds: u64::decode(input)?,
            downtime_jail_seconds: u64::decode(input)?,
            downtime_slash_fraction: Decimal::decode(input)?,
            double_sign_slash_fraction: Decimal::decode(input)?,
            slashed_tokens: match Option::<String>::decode(input)? {
                None => SlashedTokens::Burn {},
                Some(address) => SlashedTokens::SendTo { address },
            },
            wait_for_consumer_maturity: bool::decode(input)?,
            max_epoch_work: u32::decode(input)?,
        })
    }
}

/// Queues the ack of a handled downtime slash for the consumer's next VSC.
pub fn queue_slash_ack(
    storage: &mut dyn Storage,
    consumer_id: u64,
    slash_id: u64,
    consensus_address: String,
) {
    SLASH_ACKS.save(
        storage,
        &[&consumer_id.to_be_bytes(), &slash_id.to_be_bytes()],
        &consensus_address,
    );
}

/// The acks owed to a consumer, oldest first.
pub fn pending_slash_acks(storage: &dyn Storage, consumer_id: u64) -> StdResult<Vec<String>> {
    SLASH_ACKS
        .range(storage, &[&consumer_id.to_be_bytes()], Order::Ascending)
        .map(|entry| entry.map(|(_, address)| address))
        .collect()
}

/// Removes and returns the acks owed to a consumer, oldest first (for the VSC that carries
/// them, or dropped when the consumer stops).
pub fn take_slash_acks(storage: &mut dyn Storage, consumer_id: u64) -> StdResult<Vec<String>> {
    let prefix = consumer_id.to_be_bytes();
    let owed = SLASH_ACKS
        .range(storage, &[&prefix], Order::Ascending)
        .collect::<StdResult<Vec<_>>>()?;
    let mut acks = Vec::with_capacity(owed.len());
    for (slash_id, address) in owed {
        SLASH_ACKS.remove(storage, &[&prefix, &slash_id]);
        acks.push(address);
    }
    Ok(acks)
}

/// vscId (big-endian) → provider height.
pub struct VscHeights(Table<u64>);

impl VscHeights {
    pub fn save(&self, storage: &mut dyn Storage, vsc_id: u64, height: u64) {
        self.0.save(storage, &[&vsc_id.to_be_bytes()], &height);
    }

    pub fn may_load(&self, storage: &dyn Storage, vsc_id: u64) -> StdResult<Option<u64>> {
        self.0.may_load(storage, &[&vsc_id.to_be_bytes()])
    }
}

/// Consumer ids queued by a time in seconds, keyed `seconds ++ id` (both big-endian) so they
/// come out in (time, id) order.
pub struct ConsumerQueue(Table<()>);

impl ConsumerQueue {
    pub fn insert(&self, storage: &mut dyn Storage, seconds: u64, consumer_id: u64) {
        self.0.save(
            storage,
            &[&seconds.to_be_bytes(), &consumer_id.to_be_bytes()],
            &(),
        );
    }

    pub fn remove(&self, storage: &mut dyn Storage, seconds: u64, consumer_id: u64) {
        self.0.remove(
            storage,
            &[&seconds.to_be_bytes(), &consumer_id.to_be_bytes()],
        );
    }

    /// The first (seconds, id) after `after` (when given) whose time is at or before `now`.
    pub fn next_due(
        &self,
        storage: &dyn Storage,
        after: Option<(u64, u64)>,
        now_seconds: u64,
    ) -> StdResult<Option<(u64, u64)>> {
        let min =
            after.map(|(seconds, id)| through(&[seconds.to_be_bytes(), id.to_be_bytes()].concat()));
        let max = through(&[now_seconds.to_be_bytes(), u64::MAX.to_be_bytes()].concat());
        self.0
            .range_between(storage, &[], min.as_deref(), Some(&max), Order::Ascending)
            .next()
            .map(|entry| entry.and_then(|(key, ())| queue_key_from(&key)))
            .transpose()
    }
}

/// A set of consumer ids, keyed big-endian so they come out in id order.
pub struct ConsumerSet(Table<()>);

impl ConsumerSet {
    pub fn insert(&self, storage: &mut dyn Storage, consumer_id: u64) {
        self.0.save(storage, &[&consumer_id.to_be_bytes()], &());
    }

    pub fn remove(&self, storage: &mut dyn Storage, consumer_id: u64) {
        self.0.remove(storage, &[&consumer_id.to_be_bytes()]);
    }

    /// Every id, ascending.
    pub fn all(&self, storage: &dyn Storage) -> StdResult<Vec<u64>> {
        self.0
            .range(storage, &[], Order::Ascending)
            .map(|entry| entry.and_then(|(key, ())| id_from_key(&key)))
            .collect()
    }

    /// The smallest id after `after` (the smallest of all when `None`).
    pub fn next_after(&self, storage: &dyn Storage, after: Option<u64>) -> StdResult<Option<u64>> {
        let after = after.map(u64::to_be_bytes);
        self.0
            .page(storage, &[], after.as_ref().map(|id| &id[..]), 1)?
            .first()
            .map(|(key, ())| id_from_key(key))
            .transpose()
    }
}

/// Sent, unmatured VSCs keyed `consumer ++ vscId` (both big-endian) → send time, so a
/// consumer's VSCs are one range in vscId order.
pub struct SentVscs(Table<Timestamp>);

impl SentVscs {
    pub fn save(
        &self,
        storage: &mut dyn Storage,
        consumer_id: u64,
        vsc_id: u64,
        sent_at: Timestamp,
    ) {
        self.0.save(
            storage,
            &[&consumer_id.to_be_bytes(), &vsc_id.to_be_bytes()],
            &sent_at,
        );
    }

    pub fn remove(&self, storage: &mut dyn Storage, consumer_id: u64, vsc_id: u64) {
        self.0.remove(
            storage,
            &[&consumer_id.to_be_bytes(), &vsc_id.to_be_bytes()],
        );
    }

    /// The consumer's oldest unmatured VSC and when it was sent.
    pub fn oldest(
        &self,
        storage: &dyn Storage,
        consumer_id: u64,
    ) -> StdResult<Option<(u64, Timestamp)>> {
        self.0
            .range(storage, &[&consumer_id.to_be_bytes()], Order::Ascending)
            .next()
            .map(|entry| entry.and_then(|(key, sent_at)| Ok((id_from_key(&key)?, sent_at))))
            .transpose()
    }

    /// Up to `limit` of the consumer's unmatured vscIds, ascending, those at or below `up_to`
    /// when given.
    pub fn ids(
        &self,
        storage: &dyn Storage,
        consumer_id: u64,
        up_to: Option<u64>,
        limit: usize,
    ) -> StdResult<Vec<u64>> {
        let max = up_to.map(|vsc_id| through(&vsc_id.to_be_bytes()));
        self.0
            .range_between(
                storage,
                &[&consumer_id.to_be_bytes()],
                None,
                max.as_deref(),
                Order::Ascending,
            )
            .take(limit)
            .map(|entry| entry.and_then(|(key, _)| id_from_key(&key)))
            .collect()
    }
}

/// Consumer id by CCV channel id: the channel id is the whole key, so it needs no length byte.
pub struct ChannelIndex(Table<u64>);

impl ChannelIndex {
    pub fn save(&self, storage: &mut dyn Storage, channel_id: &str, consumer_id: u64) {
        self.0.save(storage, &[channel_id.as_bytes()], &consumer_id);
    }

    pub fn may_load(&self, storage: &dyn Storage, channel_id: &str) -> StdResult<Option<u64>> {
        self.0.may_load(storage, &[channel_id.as_bytes()])
    }

    pub fn remove(&self, storage: &mut dyn Storage, channel_id: &str) {
        self.0.remove(storage, &[channel_id.as_bytes()]);
    }
}
