//! The provider contract's messages and answers. Stable interface: add to it, never rename.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Binary, Coin, Decimal, Int128, Timestamp, Uint128};
use cw_ics_ccv::{Infraction, PublicKey};

/// Work units one `tick`/`end_block` call may do when the instantiate message names none.
pub const DEFAULT_MAX_EPOCH_WORK: u32 = 200;

fn default_max_epoch_work() -> u32 {
    DEFAULT_MAX_EPOCH_WORK
}

/// Unbonding entries one (staker, validator) pair may hold at once when the instantiate message
/// names no limit (the Cosmos SDK's `MaxEntries`).
pub const DEFAULT_MAX_UNBONDING_ENTRIES: u32 = 7;

fn default_max_unbonding_entries() -> u32 {
    DEFAULT_MAX_UNBONDING_ENTRIES
}

const HOUR: u64 = 3_600;
const DAY: u64 = 24 * HOUR;
const WEEK: u64 = 7 * DAY;

/// Defaults of the configuration fields an instantiate message may leave out.
pub mod defaults {
    use super::{DAY, HOUR, WEEK};
    use cosmwasm_std::{Decimal, Uint128};

    /// ADR-008's default: 5% of the active set's power may be jailed per period.
    pub fn slash_meter_replenish_fraction() -> Decimal {
        Decimal::percent(5)
    }
    pub fn slash_meter_replenish_period_seconds() -> u64 {
        HOUR
    }
    /// Go's default CCV timeout.
    pub fn max_ccv_timeout_seconds() -> u64 {
        4 * WEEK
    }
    pub fn max_init_timeout_seconds() -> u64 {
        4 * WEEK
    }
    /// Go's default VSC timeout (5 weeks) is allowed.
    pub fn max_vsc_timeout_seconds() -> u64 {
        5 * WEEK
    }
    pub fn max_retry_delay_seconds() -> u64 {
        DAY
    }
    pub fn max_jail_seconds() -> u64 {
        4 * WEEK
    }
    pub fn registration_deposit() -> Uint128 {
        Uint128::zero()
    }
    pub fn max_pending_registrations_per_owner() -> u32 {
        5
    }
}

/// Who may register consumer chains.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum RegistrationPolicy {
    /// Only the admin registers consumers (and manages them).
    AdminOnly,
    /// Anyone registers a consumer and becomes its owner (the admin may manage it too).
    Permissionless,
}

/// Where slashed tokens go.
#[cw_serde]
pub enum SlashedTokens {
    Burn {},
    SendTo { address: String },
}

/// The provider's parameters: given whole at instantiate, stored as they are, changed field by
/// field with [`ConfigUpdate`].
#[cw_serde]
pub struct Config {
    /// The native denom stakers bond.
    pub bond_denom: String,
    /// Tokens per unit of consensus power (power = bonded / power_reduction).
    pub power_reduction: Uint128,
    pub unbonding_period_seconds: u64,
    pub epoch_length_blocks: u64,
    /// Size of every consumer's validator set (top N by power).
    pub max_validators: u32,
    pub consumer_registration: RegistrationPolicy,
    /// Timeout of the VSC packets the provider sends; also the consumers' default.
    pub ccv_timeout_seconds: u64,
    /// How long a launched consumer has to establish its channel.
    pub init_timeout_seconds: u64,
    /// How long a sent VSC may stay unmatured.
    pub vsc_timeout_seconds: u64,
    pub downtime_jail_seconds: u64,
    pub downtime_slash_fraction: Decimal,
    pub double_sign_slash_fraction: Decimal,
    pub slashed_tokens: SlashedTokens,
    /// Unbonding waits for consumer maturity (bond-based consumer safety) when true.
    pub wait_for_consumer_maturity: bool,
    /// Units of epoch work (storage steps) one `tick`/`end_block` call may do.
    #[serde(default = "default_max_epoch_work")]
    pub max_epoch_work: u32,
    /// Unbonding entries one (staker, validator) pair may hold at once (default 7, as the SDK).
    #[serde(default = "default_max_unbonding_entries")]
    pub max_unbonding_entries: u32,
    /// Slash throttling (ADR-008): the share of the active set's power the slash meter gains
    /// per period (at least 1 power), which is also its cap.
    #[serde(default = "defaults::slash_meter_replenish_fraction")]
    pub slash_meter_replenish_fraction: Decimal,
    #[serde(default = "defaults::slash_meter_replenish_period_seconds")]
    pub slash_meter_replenish_period_seconds: u64,
    /// Upper bounds of the time values a registrant or the admin sets (the provider's own
    /// timeouts included); an effective timeout never exceeds its bound.
    #[serde(default = "defaults::max_ccv_timeout_seconds")]
    pub max_ccv_timeout_seconds: u64,
    #[serde(default = "defaults::max_init_timeout_seconds")]
    pub max_init_timeout_seconds: u64,
    #[serde(default = "defaults::max_vsc_timeout_seconds")]
    pub max_vsc_timeout_seconds: u64,
    /// Bound of the consumers' `retry_delay_seconds`.
    #[serde(default = "defaults::max_retry_delay_seconds")]
    pub max_retry_delay_seconds: u64,
    /// Bound of every jail duration (the provider's downtime jail, consumers' infraction
    /// parameters).
    #[serde(default = "defaults::max_jail_seconds")]
    pub max_jail_seconds: u64,
    /// Deposit (in `bond_denom`) a permissionless registration attaches: returned to the owner
    /// at launch, forfeited like slashed tokens if the consumer is stopped before. 0: none.
    #[serde(default = "defaults::registration_deposit")]
    pub registration_deposit: Uint128,
    /// How many registered, not yet launched consumers one owner may have.
    #[serde(default = "defaults::max_pending_registrations_per_owner")]
    pub max_pending_registrations_per_owner: u32,
}

/// The configuration is its own member, the same object the `config` query answers with.
#[cw_serde]
pub struct InstantiateMsg {
    /// Defaults to the instantiating address.
    pub admin: Option<String>,
    pub config: Config,
}

/// Every field is optional: only the given ones change.
#[cw_serde]
#[derive(Default)]
pub struct ConfigUpdate {
    pub admin: Option<String>,
    /// Refused once a validator is registered.
    pub bond_denom: Option<String>,
    /// Refused once a validator is registered.
    pub power_reduction: Option<Uint128>,
    pub unbonding_period_seconds: Option<u64>,
    pub epoch_length_blocks: Option<u64>,
    pub max_validators: Option<u32>,
    pub consumer_registration: Option<RegistrationPolicy>,
    pub ccv_timeout_seconds: Option<u64>,
    pub init_timeout_seconds: Option<u64>,
    pub vsc_timeout_seconds: Option<u64>,
    pub downtime_jail_seconds: Option<u64>,
    pub downtime_slash_fraction: Option<Decimal>,
    pub double_sign_slash_fraction: Option<Decimal>,
    pub slashed_tokens: Option<SlashedTokens>,
    pub wait_for_consumer_maturity: Option<bool>,
    pub max_epoch_work: Option<u32>,
    pub max_unbonding_entries: Option<u32>,
    pub slash_meter_replenish_fraction: Option<Decimal>,
    pub slash_meter_replenish_period_seconds: Option<u64>,
    pub max_ccv_timeout_seconds: Option<u64>,
    pub max_init_timeout_seconds: Option<u64>,
    pub max_vsc_timeout_seconds: Option<u64>,
    pub max_retry_delay_seconds: Option<u64>,
    pub max_jail_seconds: Option<u64>,
    pub registration_deposit: Option<Uint128>,
    pub max_pending_registrations_per_owner: Option<u32>,
}

/// How a consumer's reports of one infraction are punished (ICS ADR-020).
#[cw_serde]
pub struct SlashJailParameters {
    /// Share of the validator's stake (and of its unbonding entries since the infraction) taken.
    pub slash_fraction: Decimal,
    /// How long the validator stays jailed (at most the config's `max_jail_seconds`).
    pub jail_duration_seconds: u64,
    /// Tombstoned validators are jailed for ever.
    pub tombstone: bool,
}

/// A consumer's infraction parameters.
#[cw_serde]
pub struct InfractionParameters {
    /// Double-sign reports are recorded only for now (the parameters are kept for evidence
    /// handling).
    pub double_sign: SlashJailParameters,
    pub downtime: SlashJailParameters,
}

/// Infraction parameters that take effect at `effective_at` (one provider unbonding period
/// after a launched consumer's owner changed them).
#[cw_serde]
pub struct PendingInfractionParameters {
    pub parameters: InfractionParameters,
    pub effective_at: Timestamp,
}

/// A consumer chain's registration.
#[cw_serde]
pub struct ConsumerRegistration {
    pub chain_id: String,
    /// When the consumer launches (its genesis is produced at the first epoch at or after it).
    pub spawn_time: Timestamp,
    /// Must be shorter than the provider's unbonding period.
    pub unbonding_period_seconds: u64,
    /// The provider chain's end of the connection the CCV channel must be opened on.
    pub connection_id: String,
    /// The consumer chain's end of that connection (goes into the consumer genesis).
    pub counterparty_connection_id: String,
    /// The consumer contract's port (`wasm.<consumer address>`); may be set after launch.
    pub counterparty_port_id: Option<String>,
    /// Overrides of the provider's timeouts for this consumer.
    pub ccv_timeout_seconds: Option<u64>,
    pub init_timeout_seconds: Option<u64>,
    pub vsc_timeout_seconds: Option<u64>,
    /// Consumer-side parameters, passed through the genesis.
    pub retry_delay_seconds: u64,
    pub signed_blocks_window: u64,
    pub min_signed_per_window: Decimal,
    /// Bech32 prefix of the consumer's consensus addresses (used in slash acks).
    pub valcons_prefix: String,
    /// The penalties this consumer's slash reports carry; the provider's defaults (downtime:
    /// the config's fraction and jail; double sign: the config's fraction, tombstone) when left
    /// out. Stored resolved: the consumer query answers the parameters in force.
    pub infraction_parameters: Option<InfractionParameters>,
}

/// Changes to a consumer. Before launch every field may change; after launch only `owner`,
/// `infraction_parameters` (delayed) and, until its channel opens, `counterparty_port_id`.
#[cw_serde]
#[derive(Default)]
pub struct ConsumerUpdate {
    pub spawn_time: Option<Timestamp>,
    pub unbonding_period_seconds: Option<u64>,
    pub connection_id: Option<String>,
    pub counterparty_connection_id: Option<String>,
    pub counterparty_port_id: Option<String>,
    pub ccv_timeout_seconds: Option<u64>,
    pub init_timeout_seconds: Option<u64>,
    pub vsc_timeout_seconds: Option<u64>,
    pub retry_delay_seconds: Option<u64>,
    pub signed_blocks_window: Option<u64>,
    pub min_signed_per_window: Option<Decimal>,
    pub valcons_prefix: Option<String>,
    /// Hands the consumer to another owner.
    pub owner: Option<String>,
    /// Before launch: replaces the parameters at once. After launch: takes effect one provider
    /// unbonding period later (replacing any change still pending).
    pub infraction_parameters: Option<InfractionParameters>,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Admin only.
    UpdateConfig(ConfigUpdate),
    /// The sender becomes the validator's operator (one validator per operator).
    RegisterValidator {
        pub_key: PublicKey,
        moniker: String,
        commission: Decimal,
    },
    /// Operator only.
    EditValidator {
        moniker: Option<String>,
        commission: Option<Decimal>,
    },
    /// Bonds the attached bond-denom coins to the validator of operator `validator`.
    Bond { validator: String },
    /// Starts unbonding `amount` tokens of the sender's delegation to `validator`.
    Unbond { validator: String, amount: Uint128 },
    /// Pays out the sender's released unbonding entries: the given ones, or (None) every
    /// released one among the sender's first 100 entries.
    Withdraw { entry_ids: Option<Vec<u64>> },
    /// Operator only, once the jail time is over.
    Unjail {},
    /// Admin only, or anyone under `RegistrationPolicy::Permissionless`.
    RegisterConsumer(ConsumerRegistration),
    /// Admin or the consumer's owner.
    UpdateConsumer {
        consumer_id: u64,
        update: ConsumerUpdate,
    },
    /// Admin or the consumer's owner: stops a registered or launched consumer.
    StopConsumer { consumer_id: u64 },
    /// Permissionless epoch work: does nothing before the epoch boundary, resumes unfinished
    /// epoch work otherwise.
    Tick {},
}

#[cw_serde]
pub struct MigrateMsg {
    pub config: Option<ConfigUpdate>,
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// cw2's record: this contract's name and version.
    #[returns(cw2::ContractVersion)]
    ContractVersion {},
    #[returns(ConfigResponse)]
    Config {},
    #[returns(EpochResponse)]
    Epoch {},
    #[returns(ValidatorResponse)]
    Validator { operator: String },
    #[returns(ValidatorsResponse)]
    Validators {
        start_after: Option<String>,
        limit: Option<u32>,
    },
    #[returns(DelegationsResponse)]
    Delegations {
        staker: String,
        start_after: Option<String>,
        limit: Option<u32>,
    },
    #[returns(UnbondingsResponse)]
    Unbondings {
        staker: String,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    #[returns(ConsumerResponse)]
    Consumer { consumer_id: u64 },
    #[returns(ConsumersResponse)]
    Consumers {
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    /// The genesis the consumer contract is instantiated with (after launch).
    #[returns(cw_ics_ccv::ConsumerGenesis)]
    ConsumerGenesis { consumer_id: u64 },
    /// The validator set the consumer last received (genesis plus queued VSCs).
    #[returns(ConsumerValidatorsResponse)]
    ConsumerValidators {
        consumer_id: u64,
        /// A consensus address (20 bytes) from the previous page.
        start_after: Option<Binary>,
        limit: Option<u32>,
    },
    #[returns(PendingVscsResponse)]
    PendingVscs {
        consumer_id: u64,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    /// The provider height a vscId maps to (vscId 0: the consumer's launch height).
    #[returns(VscHeightResponse)]
    VscHeight { consumer_id: u64, vsc_id: u64 },
    #[returns(SlashLogResponse)]
    SlashLog {
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    /// Entry-slash jobs still pending, oldest first.
    #[returns(EntrySlashesResponse)]
    EntrySlashes {
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    /// The slash meter as of now (replenishment due since the last write included).
    #[returns(SlashMeterResponse)]
    SlashMeter {},
    /// Whether the validator with this consensus address (20 bytes) was in the consumer's set
    /// at `vsc_id` (0: the consumer's genesis), as a slash packet is judged. Refused for a
    /// vscId the consumer was never sent.
    #[returns(ServedOnResponse)]
    ServedOn {
        consumer_id: u64,
        consensus_address: Binary,
        vsc_id: u64,
    },
    /// How many registered, not yet launched consumers `owner` has, and the cap.
    #[returns(PendingRegistrationsResponse)]
    PendingRegistrations { owner: String },
}

/// The admin and the configuration, as instantiate takes them.
#[cw_serde]
pub struct ConfigResponse {
    pub admin: Addr,
    pub config: Config,
}

#[cw_serde]
pub struct EpochResponse {
    /// The vscId the next VSC will carry (new unbonding entries are stamped with it).
    pub current_vsc_id: u64,
    /// The first height at which the next epoch may start.
    pub next_epoch_height: u64,
    /// True while an epoch's work is unfinished (the next `tick` resumes it).
    pub in_progress: bool,
    pub has_end_blocker_privilege: bool,
}

#[cw_serde]
pub struct ValidatorResponse {
    pub operator: Addr,
    pub pub_key: PublicKey,
    /// Hex of the CometBFT consensus address.
    pub consensus_address: String,
    pub moniker: String,
    pub commission: Decimal,
    pub tokens: Uint128,
    pub shares: Uint128,
    /// Power as stake gives it (0 while jailed or tombstoned).
    pub power: u64,
    pub jailed_until: Option<Timestamp>,
    pub tombstoned: bool,
}

#[cw_serde]
pub struct ValidatorsResponse {
    pub validators: Vec<ValidatorResponse>,
}

#[cw_serde]
pub struct DelegationResponse {
    pub validator: Addr,
    pub shares: Uint128,
    /// What the shares are worth now.
    pub tokens: Uint128,
}

#[cw_serde]
pub struct DelegationsResponse {
    pub delegations: Vec<DelegationResponse>,
}

#[cw_serde]
pub struct UnbondingResponse {
    pub id: u64,
    pub validator: Addr,
    /// Tokens still to be paid: after any slashing, including the cuts of entry-slash jobs
    /// that have not reached the entry yet (a withdrawal applies them first).
    pub balance: Uint128,
    pub initial_amount: Uint128,
    pub created_height: u64,
    pub vsc_id: u64,
    pub completes_at: Timestamp,
    /// Consumers whose maturity this entry still waits for: at most 10, those that matured the
    /// least first (then by id); `waiting_on_more` tells whether there are others.
    pub waiting_on: Vec<u64>,
    pub released: bool,
    /// More consumers than `waiting_on` lists still hold the entry.
    pub waiting_on_more: bool,
}

#[cw_serde]
pub struct UnbondingsResponse {
    pub unbondings: Vec<UnbondingResponse>,
}

#[cw_serde]
#[derive(Copy, Eq)]
pub enum ConsumerPhase {
    Registered,
    Launched,
    Stopped,
    Deleted,
}

#[cw_serde]
pub struct ConsumerResponse {
    pub consumer_id: u64,
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
    /// Downtime slashes handled and not yet acknowledged to the consumer in a VSC (the ones its
    /// next VSC carries, at most `MAX_SLASH_ACKS_PER_VSC`; none once it stopped).
    pub pending_slash_acks: Vec<String>,
    /// The epoch vscId whose top N its genesis holds (a slash for vscId 0 is judged there).
    pub launch_vsc_id: Option<u64>,
    /// The infraction parameters in force now.
    pub infraction_parameters: InfractionParameters,
    /// A change not yet in force.
    pub pending_infraction_parameters: Option<PendingInfractionParameters>,
    /// The registration deposit held until launch.
    pub deposit: Option<Coin>,
}

#[cw_serde]
pub struct ConsumersResponse {
    pub consumers: Vec<ConsumerResponse>,
}

#[cw_serde]
pub struct ConsumerValidator {
    pub consensus_address: Binary,
    pub pub_key: PublicKey,
    pub power: u64,
}

#[cw_serde]
pub struct ConsumerValidatorsResponse {
    pub validators: Vec<ConsumerValidator>,
}

#[cw_serde]
pub struct PendingVscsResponse {
    /// Queued and not yet sent (no channel yet), in vscId order.
    pub packets: Vec<PendingVsc>,
}

/// A queued validator-set-change packet, as the packet will carry it (also how it is stored).
#[cw_serde]
pub struct PendingVsc {
    pub valset_update_id: u64,
    pub validator_updates: Vec<PowerUpdate>,
    pub slash_acks: Vec<String>,
}

#[cw_serde]
pub struct PowerUpdate {
    pub pub_key: PublicKey,
    pub power: u64,
}

#[cw_serde]
pub struct VscHeightResponse {
    pub height: Option<u64>,
}

#[cw_serde]
pub enum SlashAction {
    /// Downtime: jailed (unless already jailed) and `slashed` tokens taken from the bonded
    /// stake. The validator's unbonding entries created since the infraction are cut after,
    /// by an entry-slash job (query `entry_slashes`, events `entry_slash`).
    Jailed { slashed: Uint128 },
    /// The validator was already jailed or tombstoned: only acknowledged.
    AlreadyJailed {},
    /// A consumer's double-sign report: recorded only.
    Recorded {},
}

/// A slash packet as handled (also how the slash log stores it).
#[cw_serde]
pub struct SlashRecord {
    pub id: u64,
    pub consumer_id: u64,
    pub validator: Addr,
    pub consensus_address: String,
    /// The protocol's name of the infraction (`INFRACTION_TYPE_DOWNTIME`, ...).
    pub infraction: Infraction,
    pub vsc_id: u64,
    pub infraction_height: u64,
    pub received_at: Timestamp,
    pub action: SlashAction,
}

#[cw_serde]
pub struct SlashLogResponse {
    pub records: Vec<SlashRecord>,
}

/// A slash's cut of unbonding entries, still pending (also how it is stored). The slash took
/// its share of the bonded stake at once; the validator's entries created at or after
/// `infraction_height` that existed at the slash (ids up to `last_entry_id`) are cut by
/// `fraction` in bounded chunks by the epoch work (`tick`/`end_block`), oldest job first, or
/// when the staker withdraws the entry, whichever comes first; the cut tokens are burned or
/// sent as `slashed_tokens` says at that moment.
#[cw_serde]
pub struct EntrySlash {
    pub id: u64,
    pub validator: Addr,
    /// 0: every entry the validator still has (equivocation).
    pub infraction_height: u64,
    pub fraction: Decimal,
    pub last_entry_id: u64,
    /// (created height, entry id) of the last entry the epoch work cut; None: none yet.
    pub cursor: Option<(u64, u64)>,
    /// Tokens taken from entries so far, by the epoch work and by withdrawals.
    pub taken: Uint128,
}

#[cw_serde]
pub struct EntrySlashesResponse {
    pub jobs: Vec<EntrySlash>,
}

#[cw_serde]
pub struct SlashMeterResponse {
    /// Power that may still be jailed before slash packets bounce (negative: they bounce).
    pub meter: Int128,
    /// What the meter gains per period, and its cap: max(1, ceil(fraction × total power)).
    pub allowance: Uint128,
    /// Power of the provider's active set (the top N) after the last epoch.
    pub total_power: u64,
    pub next_replenish_at: Timestamp,
}

#[cw_serde]
pub struct ServedOnResponse {
    pub served: bool,
}

#[cw_serde]
pub struct PendingRegistrationsResponse {
    pub count: u32,
    pub max: u32,
}
