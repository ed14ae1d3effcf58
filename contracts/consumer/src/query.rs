//! Query handlers.

use cosmwasm_std::{Binary, Deps, Order, StdError, StdResult, Timestamp};
use cw_ics_bindings::ChainQuery;
use cw_ics_ccv::ConsumerPacket;
use cw_storage_plus::Bound;

use crate::chain::pending_diff;
use crate::liveness::signing_info;
use crate::msg::{
    ConfigResponse, HeightToVscIdsResponse, LivenessResponse, MaturingVsc, MaturingVscsResponse,
    OutstandingDowntimeEntry, OutstandingDowntimeResponse, PendingDiffResponse, PendingPacketKind,
    PendingPacketsResponse, StatusResponse, ValidatorEntry, ValidatorSetResponse,
    VscIdAtHeightResponse,
};
use crate::state::{
    Member, CCV_CHANNEL, CONFIG, HALT, HEAD_SLASH, HEIGHT_TO_VSC, LAST_VSC_ID, MATURING, MODE,
    OUTSTANDING_DOWNTIME, PENDING_PACKETS,
};
use crate::validator_set::{set_at_vsc, vsc_id_at};

const DEFAULT_LIMIT: u32 = 10;
const MAX_LIMIT: u32 = 100;

fn limit(requested: Option<u32>) -> usize {
    requested.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT) as usize
}

pub fn status(deps: Deps<ChainQuery>) -> StdResult<StatusResponse> {
    let config = CONFIG.load(deps.storage)?;
    let channel = CCV_CHANNEL.may_load(deps.storage)?;
    Ok(StatusResponse {
        provider_chain_id: config.provider_chain_id,
        chain_id: config.chain_id,
        connection_id: config.connection_id,
        established: channel.as_ref().is_some_and(|c| c.established),
        channel_id: channel.map(|c| c.channel_id),
        halted: HALT.may_load(deps.storage)?,
        last_vsc_id: LAST_VSC_ID.load(deps.storage)?,
        mode: MODE.load(deps.storage)?,
    })
}

pub fn config(deps: Deps<ChainQuery>) -> StdResult<ConfigResponse> {
    let config = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse {
        provider_chain_id: config.provider_chain_id,
        chain_id: config.chain_id,
        connection_id: config.connection_id,
        provider_port_id: config.provider_port_id,
        params: config.params,
        genesis_height: config.genesis_height,
    })
}

fn set_of(deps: Deps<ChainQuery>, vsc_id: u64) -> StdResult<ValidatorSetResponse> {
    let members: Vec<Member> = set_at_vsc(deps.storage, vsc_id)?;
    Ok(ValidatorSetResponse {
        vsc_id,
        validators: members
            .into_iter()
            .map(|member| ValidatorEntry {
                address: Binary::from(member.pub_key.consensus_address().as_bytes()),
                pub_key: member.pub_key,
                power: member.power,
            })
            .collect(),
    })
}

pub fn current_set(deps: Deps<ChainQuery>) -> StdResult<ValidatorSetResponse> {
    set_of(deps, LAST_VSC_ID.load(deps.storage)?)
}

fn ensure_after_genesis(deps: Deps<ChainQuery>, height: u64) -> StdResult<()> {
    let genesis_height = CONFIG.load(deps.storage)?.genesis_height;
    if height < genesis_height {
        return Err(StdError::msg(format!(
            "height {height} is before the consumer's genesis height {genesis_height}"
        )));
    }
    Ok(())
}

pub fn set_at_height(deps: Deps<ChainQuery>, height: u64) -> StdResult<ValidatorSetResponse> {
    ensure_after_genesis(deps, height)?;
    set_of(deps, vsc_id_at(deps.storage, height)?)
}

pub fn vsc_id_at_height(deps: Deps<ChainQuery>, height: u64) -> StdResult<VscIdAtHeightResponse> {
    ensure_after_genesis(deps, height)?;
    Ok(VscIdAtHeightResponse {
        height,
        vsc_id: vsc_id_at(deps.storage, height)?,
    })
}

pub fn height_to_vsc_ids(
    deps: Deps<ChainQuery>,
    start_after: Option<u64>,
    limit_requested: Option<u32>,
) -> StdResult<HeightToVscIdsResponse> {
    let entries = HEIGHT_TO_VSC
        .range(
            deps.storage,
            start_after.map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(limit(limit_requested))
        .map(|entry| entry.map(|(height, vsc_id)| VscIdAtHeightResponse { height, vsc_id }))
        .collect::<StdResult<_>>()?;
    Ok(HeightToVscIdsResponse { entries })
}

pub fn pending_packets(
    deps: Deps<ChainQuery>,
    start_at: Option<u32>,
    limit_requested: Option<u32>,
) -> StdResult<PendingPacketsResponse> {
    let packets = PENDING_PACKETS
        .iter(deps.storage)?
        .skip(start_at.unwrap_or(0) as usize)
        .take(limit(limit_requested))
        .map(|packet| {
            packet.map(|packet| match packet {
                ConsumerPacket::Slash(slash) => PendingPacketKind::Slash {
                    address: Binary::from(slash.validator.address.as_bytes()),
                    power: slash.validator.power,
                    vsc_id: slash.valset_update_id,
                    infraction: slash.infraction.into(),
                },
                ConsumerPacket::VscMatured(matured) => PendingPacketKind::VscMatured {
                    vsc_id: matured.valset_update_id,
                },
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(PendingPacketsResponse {
        packets,
        head_slash: HEAD_SLASH.may_load(deps.storage)?,
        total: PENDING_PACKETS.len(deps.storage)?,
    })
}

pub fn maturing_vscs(
    deps: Deps<ChainQuery>,
    start_after: Option<u64>,
    limit_requested: Option<u32>,
) -> StdResult<MaturingVscsResponse> {
    let maturing = MATURING
        .keys(deps.storage, None, None, Order::Ascending)
        .filter(|key| match (key, start_after) {
            (Ok((_, vsc_id)), Some(after)) => *vsc_id > after,
            _ => true,
        })
        .take(limit(limit_requested))
        .map(|key| {
            key.map(|(nanos, vsc_id)| MaturingVsc {
                vsc_id,
                matures_at: Timestamp::from_nanos(nanos),
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(MaturingVscsResponse { maturing })
}

pub fn outstanding_downtime(
    deps: Deps<ChainQuery>,
    start_after: Option<Binary>,
    limit_requested: Option<u32>,
) -> StdResult<OutstandingDowntimeResponse> {
    let validators = OUTSTANDING_DOWNTIME
        .range(
            deps.storage,
            start_after.as_ref().map(|a| Bound::exclusive(a.as_slice())),
            None,
            Order::Ascending,
        )
        .take(limit(limit_requested))
        .map(|entry| {
            entry.map(|(address, infraction_height)| OutstandingDowntimeEntry {
                address: Binary::from(address),
                infraction_height,
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(OutstandingDowntimeResponse { validators })
}

pub fn liveness(deps: Deps<ChainQuery>, address: Binary) -> StdResult<LivenessResponse> {
    let info = signing_info(deps.storage, address.as_slice())?;
    Ok(LivenessResponse {
        signed_blocks_window: CONFIG.load(deps.storage)?.params.signed_blocks_window,
        blocks_counted: info.blocks_counted,
        missed_in_window: info.missed_in_window,
        outstanding_downtime: OUTSTANDING_DOWNTIME.has(deps.storage, address.as_slice()),
        address,
    })
}

pub fn pending_diff_query(deps: Deps<ChainQuery>) -> StdResult<PendingDiffResponse> {
    Ok(PendingDiffResponse {
        diff: pending_diff(deps.storage)?,
    })
}
