use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Binary, Coin, Decimal, Timestamp};
use cw_ics_ccv::{ConsumerGenesis, Infraction, PublicKey};

use crate::state::{HaltReason, HeadSlash, Mode, RewardConfig, Transmission};

/// The consumer is instantiated with the genesis the provider serves for this consumer.
#[cw_serde]
pub struct InstantiateMsg {
    pub genesis: ConsumerGenesis,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Permissionless and idempotent: queues the VSC-matured packets that are due and sends
    /// what the queue allows. A chain without `begin_block` hooks calls this (anyone may) so
    /// that maturity and retries progress; received VSCs and acks do the same work.
    Tick {},
    /// The contract's admin (the chain's governance) only. Sets (or replaces, whole) how
    /// rewards are paid; until then deposits are refused and nothing is transmitted.
    ConfigureRewards(RewardSettings),
    /// Anyone: adds the attached funds, in reward denoms only, to the reward pool.
    DepositRewards {},
}

/// What `configure_rewards` sets. An omitted optional field takes its default (not the value
/// configured before).
#[cw_serde]
pub struct RewardSettings {
    /// This consumer's id on the provider (named in the transfer memo for attribution).
    pub consumer_id: u64,
    /// The ICS-20 channel (port `transfer`) on this chain towards the provider chain; it must
    /// run over the CCV connection.
    pub transfer_channel_id: String,
    /// Where the consumer chain's part of the rewards is paid.
    pub redistribution_address: String,
    /// 1 to 3 denoms.
    pub reward_denoms: Vec<String>,
    /// Default 1,000; at least 1.
    pub blocks_per_distribution_transmission: Option<u64>,
    /// Default 0.75; at most 1.
    pub consumer_redistribution_fraction: Option<Decimal>,
    /// Default 3,600; from 1 to 2,419,200 (28 days).
    pub transfer_timeout_seconds: Option<u64>,
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(cw2::ContractVersion)]
    ContractVersion {},
    /// Provider chain, channel, halt, last vscId, mode.
    #[returns(StatusResponse)]
    Status {},
    /// The genesis parameters the consumer runs with.
    #[returns(crate::state::Config)]
    Config {},
    /// The replicated validator set now.
    #[returns(ValidatorSetResponse)]
    CurrentSet {},
    /// The replicated set in force at a height (the set of the vscId in force there).
    #[returns(ValidatorSetResponse)]
    SetAtHeight { height: u64 },
    /// The vscId in force at a height.
    #[returns(VscIdAtHeightResponse)]
    VscIdAtHeight { height: u64 },
    /// The heights where the vscId changed, ascending.
    #[returns(HeightToVscIdsResponse)]
    HeightToVscIds {
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    /// Packets waiting to go to the provider, head first.
    #[returns(PendingPacketsResponse)]
    PendingPackets {
        start_at: Option<u32>,
        limit: Option<u32>,
    },
    /// VSCs waiting out the unbonding period before their VSC-matured packet is queued.
    #[returns(MaturingVscsResponse)]
    MaturingVscs {
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    /// Validators with a downtime slash the provider has not acknowledged yet.
    #[returns(OutstandingDowntimeResponse)]
    OutstandingDowntime {
        start_after: Option<Binary>,
        limit: Option<u32>,
    },
    /// Liveness counters of one validator (20-byte consensus address).
    #[returns(LivenessResponse)]
    Liveness { address: Binary },
    /// The validator-set changes the chain has not yet been given.
    #[returns(PendingDiffResponse)]
    PendingDiff {},
    /// How rewards are paid (`null` until configured).
    #[returns(RewardConfigResponse)]
    RewardConfig {},
    /// The reward pool: this contract's balance of each reward denom.
    #[returns(RewardPoolResponse)]
    RewardPool {},
    /// The height from which the next transmission is due (`null` until configured).
    #[returns(NextRewardTransmissionResponse)]
    NextRewardTransmission {},
    /// Per reward denom, its last transmission and what became of it.
    #[returns(RewardTransmissionsResponse)]
    RewardTransmissions {},
}

#[cw_serde]
pub struct MigrateMsg {}

#[cw_serde]
pub struct StatusResponse {
    pub provider_chain_id: String,
    pub chain_id: String,
    pub connection_id: String,
    /// The CCV channel, once OpenAck recorded it.
    pub channel_id: Option<String>,
    /// True once the first VSC arrived on the channel.
    pub established: bool,
    /// Set once the consumer halted; it then never changes its set again.
    pub halted: Option<HaltReason>,
    pub last_vsc_id: u64,
    pub mode: Mode,
}

#[cw_serde]
pub struct ValidatorEntry {
    pub pub_key: PublicKey,
    /// The 20-byte CometBFT consensus address.
    pub address: Binary,
    pub power: u64,
}

#[cw_serde]
pub struct ValidatorSetResponse {
    /// The vscId whose set this is.
    pub vsc_id: u64,
    /// Sorted by key bytes.
    pub validators: Vec<ValidatorEntry>,
}

#[cw_serde]
pub struct VscIdAtHeightResponse {
    pub height: u64,
    pub vsc_id: u64,
}

#[cw_serde]
pub struct HeightToVscIdsResponse {
    pub entries: Vec<VscIdAtHeightResponse>,
}

// Stored packets hold `cw_ics_ccv::Infraction`; an answer cannot until that type implements
// `cw_schema::Schemaifier`, which `#[cw_serde]` and `QueryResponses` require of every field of
// an answer. Then this enum goes and the answer carries `Infraction` (JSON: its proto names).
/// What a queued slash reports.
#[cw_serde]
pub enum PendingPacketKind {
    Slash {
        address: Binary,
        power: u64,
        vsc_id: u64,
        infraction: Infraction,
    },
    VscMatured {
        vsc_id: u64,
    },
}

#[cw_serde]
pub struct PendingPacketsResponse {
    pub packets: Vec<PendingPacketKind>,
    /// The state of the head of the queue when it is a slash packet already sent.
    pub head_slash: Option<HeadSlash>,
    pub total: u32,
}

#[cw_serde]
pub struct MaturingVsc {
    pub vsc_id: u64,
    pub matures_at: Timestamp,
}

#[cw_serde]
pub struct MaturingVscsResponse {
    pub maturing: Vec<MaturingVsc>,
}

#[cw_serde]
pub struct OutstandingDowntimeEntry {
    pub address: Binary,
    pub infraction_height: u64,
}

#[cw_serde]
pub struct OutstandingDowntimeResponse {
    pub validators: Vec<OutstandingDowntimeEntry>,
}

#[cw_serde]
pub struct LivenessResponse {
    pub address: Binary,
    pub signed_blocks_window: u64,
    /// Blocks observed since the last reset (the window is full once this reaches its size).
    pub blocks_counted: u64,
    pub missed_in_window: u64,
    pub outstanding_downtime: bool,
}

#[cw_serde]
pub struct PendingDiffResponse {
    pub diff: cw_ics_bindings::ValidatorDiff,
}

#[cw_serde]
pub struct RewardConfigResponse {
    pub config: Option<RewardConfig>,
}

#[cw_serde]
pub struct RewardPoolResponse {
    /// One entry per reward denom, zero balances included.
    pub balances: Vec<Coin>,
}

#[cw_serde]
pub struct NextRewardTransmissionResponse {
    pub height: Option<u64>,
}

#[cw_serde]
pub struct DenomTransmission {
    pub denom: String,
    pub transmission: Transmission,
}

#[cw_serde]
pub struct RewardTransmissionsResponse {
    pub transmissions: Vec<DenomTransmission>,
}
