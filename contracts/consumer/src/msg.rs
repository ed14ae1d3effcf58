use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Binary, Timestamp};
use cw_ics_ccv::{ConsumerGenesis, ConsumerParams, PublicKey};
use cw_ics_json::{json_enum, json_struct};

use crate::state::{HaltReason, HeadSlash, Mode};

/// The consumer is instantiated with the genesis the provider serves for this consumer.
#[cw_serde]
pub struct InstantiateMsg {
    pub genesis: ConsumerGenesis,
}
json_struct!(InstantiateMsg { genesis });

#[cw_serde]
pub enum ExecuteMsg {
    /// Permissionless and idempotent: queues the VSC-matured packets that are due and sends
    /// what the queue allows. A chain without `begin_block` hooks calls this (anyone may) so
    /// that maturity and retries progress; received VSCs and acks do the same work.
    Tick {},
}
json_enum!(ExecuteMsg { Tick = "tick" {} });

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(cw2::ContractVersion)]
    ContractVersion {},
    /// Provider chain, channel, halt, last vscId, mode.
    #[returns(StatusResponse)]
    Status {},
    /// The genesis parameters the consumer runs with.
    #[returns(ConfigResponse)]
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
}
json_enum!(QueryMsg {
    ContractVersion = "contract_version" {},
    Status = "status" {},
    Config = "config" {},
    CurrentSet = "current_set" {},
    SetAtHeight = "set_at_height" { height },
    VscIdAtHeight = "vsc_id_at_height" { height },
    HeightToVscIds = "height_to_vsc_ids" { start_after, limit },
    PendingPackets = "pending_packets" { start_at, limit },
    MaturingVscs = "maturing_vscs" { start_after, limit },
    OutstandingDowntime = "outstanding_downtime" { start_after, limit },
    Liveness = "liveness" { address },
    PendingDiff = "pending_diff" {},
});

#[cw_serde]
pub struct MigrateMsg {}
json_struct!(MigrateMsg {});

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
json_struct!(StatusResponse {
    provider_chain_id,
    chain_id,
    connection_id,
    channel_id,
    established,
    halted,
    last_vsc_id,
    mode,
});

#[cw_serde]
pub struct ConfigResponse {
    pub provider_chain_id: String,
    pub chain_id: String,
    pub connection_id: String,
    pub provider_port_id: String,
    pub params: ConsumerParams,
    pub genesis_height: u64,
}
json_struct!(ConfigResponse {
    provider_chain_id,
    chain_id,
    connection_id,
    provider_port_id,
    params,
    genesis_height,
});

#[cw_serde]
pub struct ValidatorEntry {
    pub pub_key: PublicKey,
    /// The 20-byte CometBFT consensus address.
    pub address: Binary,
    pub power: u64,
}
json_struct!(ValidatorEntry {
    pub_key,
    address,
    power
});

#[cw_serde]
pub struct ValidatorSetResponse {
    /// The vscId whose set this is.
    pub vsc_id: u64,
    /// Sorted by key bytes.
    pub validators: Vec<ValidatorEntry>,
}
json_struct!(ValidatorSetResponse { vsc_id, validators });

#[cw_serde]
pub struct VscIdAtHeightResponse {
    pub height: u64,
    pub vsc_id: u64,
}
json_struct!(VscIdAtHeightResponse { height, vsc_id });

#[cw_serde]
pub struct HeightToVscIdsResponse {
    pub entries: Vec<VscIdAtHeightResponse>,
}
json_struct!(HeightToVscIdsResponse { entries });

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

impl From<cw_ics_ccv::Infraction> for InfractionKind {
    fn from(infraction: cw_ics_ccv::Infraction) -> Self {
        match infraction {
            cw_ics_ccv::Infraction::Downtime => InfractionKind::Downtime,
            cw_ics_ccv::Infraction::DoubleSign => InfractionKind::DoubleSign,
        }
    }
}

#[cw_serde]
pub enum PendingPacketKind {
    Slash {
        address: Binary,
        power: u64,
        vsc_id: u64,
        infraction: InfractionKind,
    },
    VscMatured {
        vsc_id: u64,
    },
}
json_enum!(PendingPacketKind {
    Slash = "slash" { address, power, vsc_id, infraction },
    VscMatured = "vsc_matured" { vsc_id },
});

#[cw_serde]
pub struct PendingPacketsResponse {
    pub packets: Vec<PendingPacketKind>,
    /// The state of the head of the queue when it is a slash packet already sent.
    pub head_slash: Option<HeadSlash>,
    pub total: u32,
}
json_struct!(PendingPacketsResponse {
    packets,
    head_slash,
    total
});

#[cw_serde]
pub struct MaturingVsc {
    pub vsc_id: u64,
    pub matures_at: Timestamp,
}
json_struct!(MaturingVsc { vsc_id, matures_at });

#[cw_serde]
pub struct MaturingVscsResponse {
    pub maturing: Vec<MaturingVsc>,
}
json_struct!(MaturingVscsResponse { maturing });

#[cw_serde]
pub struct OutstandingDowntimeEntry {
    pub address: Binary,
    pub infraction_height: u64,
}
json_struct!(OutstandingDowntimeEntry {
    address,
    infraction_height
});

#[cw_serde]
pub struct OutstandingDowntimeResponse {
    pub validators: Vec<OutstandingDowntimeEntry>,
}
json_struct!(OutstandingDowntimeResponse { validators });

#[cw_serde]
pub struct LivenessResponse {
    pub address: Binary,
    pub signed_blocks_window: u64,
    /// Blocks observed since the last reset (the window is full once this reaches its size).
    pub blocks_counted: u64,
    pub missed_in_window: u64,
    pub outstanding_downtime: bool,
}
json_struct!(LivenessResponse {
    address,
    signed_blocks_window,
    blocks_counted,
    missed_in_window,
    outstanding_downtime,
});

#[cw_serde]
pub struct PendingDiffResponse {
    pub diff: cw_ics_bindings::ValidatorDiff,
}
json_struct!(PendingDiffResponse { diff });
