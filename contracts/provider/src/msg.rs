//! The provider contract's messages. Stable interface: add to it, never rename.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Binary, Decimal, Timestamp, Uint128};
use cw_ics_ccv::PublicKey;
use cw_ics_json::{json_enum, json_struct, FromJson, JsonError, Reader};

/// Who may register consumer chains.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum RegistrationPolicy {
    /// Only the admin registers consumers (and manages them).
    AdminOnly,
    /// Anyone registers a consumer and becomes its owner (the admin may manage it too).
    Permissionless,
}
json_enum!(RegistrationPolicy {
    AdminOnly = "admin_only",
    Permissionless = "permissionless",
});

/// Where slashed tokens go.
#[cw_serde]
pub enum SlashedTokens {
    Burn {},
    SendTo { address: String },
}
json_enum!(SlashedTokens {
    Burn = "burn" {},
    SendTo = "send_to" { address },
});

// Deserialised through `ConfigUpdate`, which has the same fields, all optional: the contract
// then carries one JSON deserializer for both instead of two. The accepted JSON is the same as
// a derived deserializer's (a required field left out or null is refused, unknown fields are
// ignored). A plain comment, so the schema does not change.
#[cw_serde]
#[serde(try_from = "ConfigUpdate")]
#[schemaifier(mute_warnings)]
pub struct InstantiateMsg {
    /// Defaults to the instantiating address.
    pub admin: Option<String>,
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
    /// Units of epoch work (storage steps) one `tick`/`end_block` call may do; default 200.
    pub max_epoch_work: Option<u32>,
}

/// A required field of [`InstantiateMsg`] that was left out.
#[derive(Debug)]
pub struct MissingField(&'static str);

impl std::fmt::Display for MissingField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "missing field `{}`", self.0)
    }
}

/// Read as a [`ConfigUpdate`], like the serde impl.
impl FromJson for InstantiateMsg {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        ConfigUpdate::read_json(reader)?
            .try_into()
            .map_err(|missing: MissingField| JsonError::MissingField(missing.0))
    }
}

impl TryFrom<ConfigUpdate> for InstantiateMsg {
    type Error = MissingField;

    fn try_from(update: ConfigUpdate) -> Result<Self, MissingField> {
        fn required<T>(value: Option<T>, field: &'static str) -> Result<T, MissingField> {
            value.ok_or(MissingField(field))
        }
        Ok(InstantiateMsg {
            admin: update.admin,
            bond_denom: required(update.bond_denom, "bond_denom")?,
            power_reduction: required(update.power_reduction, "power_reduction")?,
            unbonding_period_seconds: required(
                update.unbonding_period_seconds,
                "unbonding_period_seconds",
            )?,
            epoch_length_blocks: required(update.epoch_length_blocks, "epoch_length_blocks")?,
            max_validators: required(update.max_validators, "max_validators")?,
            consumer_registration: required(update.consumer_registration, "consumer_registration")?,
            ccv_timeout_seconds: required(update.ccv_timeout_seconds, "ccv_timeout_seconds")?,
            init_timeout_seconds: required(update.init_timeout_seconds, "init_timeout_seconds")?,
            vsc_timeout_seconds: required(update.vsc_timeout_seconds, "vsc_timeout_seconds")?,
            downtime_jail_seconds: required(update.downtime_jail_seconds, "downtime_jail_seconds")?,
            downtime_slash_fraction: required(
                update.downtime_slash_fraction,
                "downtime_slash_fraction",
            )?,
            double_sign_slash_fraction: required(
                update.double_sign_slash_fraction,
                "double_sign_slash_fraction",
            )?,
            slashed_tokens: required(update.slashed_tokens, "slashed_tokens")?,
            wait_for_consumer_maturity: required(
                update.wait_for_consumer_maturity,
                "wait_for_consumer_maturity",
            )?,
            max_epoch_work: update.max_epoch_work,
        })
    }
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
}
json_struct!(ConfigUpdate {
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
}
json_struct!(ConsumerRegistration {
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
    valcons_prefix,
});

/// Changes to a consumer. Before launch every field may change; after launch and until its
/// channel opens only `counterparty_port_id`.
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
}
json_struct!(ConsumerUpdate {
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
    valcons_prefix,
    owner,
});

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
json_enum!(ExecuteMsg {
    UpdateConfig = "update_config" (ConfigUpdate),
    RegisterValidator = "register_validator" { pub_key, moniker, commission },
    EditValidator = "edit_validator" { moniker, commission },
    Bond = "bond" { validator },
    Unbond = "unbond" { validator, amount },
    Withdraw = "withdraw" { entry_ids },
    Unjail = "unjail" {},
    RegisterConsumer = "register_consumer" (ConsumerRegistration),
    UpdateConsumer = "update_consumer" { consumer_id, update },
    StopConsumer = "stop_consumer" { consumer_id },
    Tick = "tick" {},
});

#[cw_serde]
pub struct MigrateMsg {
    pub config: Option<ConfigUpdate>,
}
json_struct!(MigrateMsg { config });

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
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
}
json_enum!(QueryMsg {
    ContractVersion = "contract_version" {},
    Config = "config" {},
    Epoch = "epoch" {},
    Validator = "validator" { operator },
    Validators = "validators" { start_after, limit },
    Delegations = "delegations" { staker, start_after, limit },
    Unbondings = "unbondings" { staker, start_after, limit },
    Consumer = "consumer" { consumer_id },
    Consumers = "consumers" { start_after, limit },
    ConsumerGenesis = "consumer_genesis" { consumer_id },
    ConsumerValidators = "consumer_validators" { consumer_id, start_after, limit },
    PendingVscs = "pending_vscs" { consumer_id, start_after, limit },
    VscHeight = "vsc_height" { consumer_id, vsc_id },
    SlashLog = "slash_log" { start_after, limit },
});

/// The configuration as stored: the `config` query answers it unchanged.
pub use crate::state::Config as ConfigResponse;

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
json_struct!(EpochResponse {
    current_vsc_id,
    next_epoch_height,
    in_progress,
    has_end_blocker_privilege,
});

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
json_struct!(ValidatorResponse {
    operator,
    pub_key,
    consensus_address,
    moniker,
    commission,
    tokens,
    shares,
    power,
    jailed_until,
    tombstoned,
});

#[cw_serde]
pub struct ValidatorsResponse {
    pub validators: Vec<ValidatorResponse>,
}
json_struct!(ValidatorsResponse { validators });

#[cw_serde]
pub struct DelegationResponse {
    pub validator: Addr,
    pub shares: Uint128,
    /// What the shares are worth now.
    pub tokens: Uint128,
}
json_struct!(DelegationResponse {
    validator,
    shares,
    tokens
});

#[cw_serde]
pub struct DelegationsResponse {
    pub delegations: Vec<DelegationResponse>,
}
json_struct!(DelegationsResponse { delegations });

#[cw_serde]
pub struct UnbondingResponse {
    pub id: u64,
    pub validator: Addr,
    /// Tokens still to be paid (after any slashing).
    pub balance: Uint128,
    pub initial_amount: Uint128,
    pub created_height: u64,
    pub vsc_id: u64,
    pub completes_at: Timestamp,
    /// Consumers whose maturity this entry still waits for.
    pub waiting_on: Vec<u64>,
    pub released: bool,
}
json_struct!(UnbondingResponse {
    id,
    validator,
    balance,
    initial_amount,
    created_height,
    vsc_id,
    completes_at,
    waiting_on,
    released,
});

#[cw_serde]
pub struct UnbondingsResponse {
    pub unbondings: Vec<UnbondingResponse>,
}
json_struct!(UnbondingsResponse { unbondings });

#[cw_serde]
#[derive(Copy, Eq)]
pub enum ConsumerPhase {
    Registered,
    Launched,
    Stopped,
    Deleted,
}
json_enum!(ConsumerPhase {
    Registered = "registered",
    Launched = "launched",
    Stopped = "stopped",
    Deleted = "deleted",
});

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
    /// Downtime slashes handled and not yet acknowledged to the consumer in a VSC.
    pub pending_slash_acks: Vec<String>,
}
json_struct!(ConsumerResponse {
    consumer_id,
    owner,
    phase,
    registration,
    channel_id,
    launch_height,
    launched_at,
    stopped_at,
    stop_reason,
    last_sent_vsc_id,
    last_matured_vsc_id,
    pending_slash_acks,
});

#[cw_serde]
pub struct ConsumersResponse {
    pub consumers: Vec<ConsumerResponse>,
}
json_struct!(ConsumersResponse { consumers });

#[cw_serde]
pub struct ConsumerValidator {
    pub consensus_address: Binary,
    pub pub_key: PublicKey,
    pub power: u64,
}
json_struct!(ConsumerValidator {
    consensus_address,
    pub_key,
    power
});

#[cw_serde]
pub struct ConsumerValidatorsResponse {
    pub validators: Vec<ConsumerValidator>,
}
json_struct!(ConsumerValidatorsResponse { validators });

#[cw_serde]
pub struct PendingVscsResponse {
    /// Queued and not yet sent (no channel yet), in vscId order.
    pub packets: Vec<PendingVsc>,
}
json_struct!(PendingVscsResponse { packets });

/// A queued validator-set-change packet, as the packet will carry it.
#[cw_serde]
pub struct PendingVsc {
    pub valset_update_id: u64,
    pub validator_updates: Vec<PowerUpdate>,
    pub slash_acks: Vec<String>,
}
json_struct!(PendingVsc {
    valset_update_id,
    validator_updates,
    slash_acks,
});

#[cw_serde]
pub struct PowerUpdate {
    pub pub_key: PublicKey,
    pub power: u64,
}
json_struct!(PowerUpdate { pub_key, power });

/// The infraction a slash packet reported.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum InfractionKind {
    Downtime,
    DoubleSign,
}
json_enum!(InfractionKind {
    Downtime = "downtime",
    DoubleSign = "double_sign",
});

#[cw_serde]
pub struct VscHeightResponse {
    pub height: Option<u64>,
}
json_struct!(VscHeightResponse { height });

#[cw_serde]
pub enum SlashAction {
    /// Downtime: jailed (unless already jailed) and `slashed` tokens taken.
    Jailed { slashed: Uint128 },
    /// The validator was already jailed or tombstoned: only acknowledged.
    AlreadyJailed {},
    /// A consumer's double-sign report: recorded only.
    Recorded {},
}
json_enum!(SlashAction {
    Jailed = "jailed" { slashed },
    AlreadyJailed = "already_jailed" {},
    Recorded = "recorded" {},
});

#[cw_serde]
pub struct SlashRecord {
    pub id: u64,
    pub consumer_id: u64,
    pub validator: Addr,
    pub consensus_address: String,
    pub infraction: InfractionKind,
    pub vsc_id: u64,
    pub infraction_height: u64,
    pub received_at: Timestamp,
    pub action: SlashAction,
}
json_struct!(SlashRecord {
    id,
    consumer_id,
    validator,
    consensus_address,
    infraction,
    vsc_id,
    infraction_height,
    received_at,
    action,
});

#[cw_serde]
pub struct SlashLogResponse {
    pub records: Vec<SlashRecord>,
}
json_struct!(SlashLogResponse { records });
