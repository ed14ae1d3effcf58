//! Query dispatch and handlers.

use cosmwasm_std::{to_json_binary, Binary, Deps, Env, Order, StdError, StdResult, Timestamp};
use cw_ics_bindings::ChainQuery;
use cw_ics_ccv::ConsensusAddress;
use cw_storage_plus::Bound;

use crate::chain::pending_diff;
use crate::error::ContractError;
use crate::liveness::{signing_info, SigningInfo};
use crate::msg::{
    DenomTransmission, HeightToVscIdsResponse, LivenessResponse, MaturingVsc, MaturingVscsResponse,
    NextRewardTransmissionResponse, OutstandingDowntimeEntry, OutstandingDowntimeResponse,
    PendingDiffResponse, PendingPacketKind, PendingPacketsResponse, QueryMsg, RewardConfigResponse,
    RewardPoolResponse, RewardTransmissionsResponse, StatusResponse, ValidatorEntry,
    ValidatorSetResponse, VscIdAtHeightResponse,
};
use crate::outbox::{maturing, queued};
use crate::rewards::MAX_REWARD_DENOMS;
use crate::state::{
    Config, QueuedPacket, CCV_CHANNEL, CHAIN_LINK, CONFIG, HALT, HEAD_SLASH, HEIGHT_TO_VSC,
    LAST_VSC_ID, NEXT_TRANSMISSION, OUTSTANDING_DOWNTIME, REWARD_CONFIG, TRANSMISSIONS,
};
use crate::validator_set::{set_at_vsc, vsc_id_at};

const DEFAULT_LIMIT: u32 = 10;
const MAX_LIMIT: u32 = 100;

pub fn query(deps: Deps<ChainQuery>, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    let binary = match msg {
        QueryMsg::ContractVersion {} => to_json_binary(&cw2::get_contract_version(deps.storage)?),
        QueryMsg::Status {} => to_json_binary(&status(deps)?),
        QueryMsg::Config {} => to_json_binary(&config(deps)?),
        QueryMsg::CurrentSet {} => to_json_binary(&current_set(deps)?),
        QueryMsg::SetAtHeight { height } => to_json_binary(&set_at_height(deps, height)?),
        QueryMsg::VscIdAtHeight { height } => to_json_binary(&vsc_id_at_height(deps, height)?),
        QueryMsg::HeightToVscIds { start_after, limit } => {
            to_json_binary(&height_to_vsc_ids(deps, start_after, limit)?)
        }
        QueryMsg::PendingPackets { start_at, limit } => {
            to_json_binary(&pending_packets(deps, start_at, limit)?)
        }
        QueryMsg::MaturingVscs { start_after, limit } => {
            to_json_binary(&maturing_vscs(deps, start_after, limit)?)
        }
        QueryMsg::OutstandingDowntime { start_after, limit } => {
            to_json_binary(&outstanding_downtime(deps, start_after, limit)?)
        }
        QueryMsg::Liveness { address } => to_json_binary(&liveness(deps, address)?),
        QueryMsg::PendingDiff {} => to_json_binary(&pending_diff_query(deps)?),
        QueryMsg::RewardConfig {} => to_json_binary(&reward_config(deps)?),
        QueryMsg::RewardPool {} => to_json_binary(&reward_pool(deps, &env)?),
        QueryMsg::NextRewardTransmission {} => to_json_binary(&next_reward_transmission(deps)?),
        QueryMsg::RewardTransmissions {} => to_json_binary(&reward_transmissions(deps)?),
    }?;
    Ok(binary)
}

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
        mode: CHAIN_LINK.load(deps.storage)?.mode(),
    })
}

pub fn config(deps: Deps<ChainQuery>) -> StdResult<Config> {
    CONFIG.load(deps.storage)
}

fn set_of(deps: Deps<ChainQuery>, vsc_id: u64) -> StdResult<ValidatorSetResponse> {
    let validators = set_at_vsc(deps.storage, vsc_id)?
        .into_iter()
        .map(|(pub_key, power)| ValidatorEntry {
            address: Binary::from(pub_key.consensus_address().as_bytes()),
            pub_key,
            power,
        })
        .collect();
    Ok(ValidatorSetResponse { vsc_id, validators })
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
    let (packets, total) = queued(
        deps.storage,
        u64::from(start_at.unwrap_or(0)),
        limit(limit_requested),
    )?;
    let packets = packets
        .into_iter()
        .map(|packet| match packet {
            QueuedPacket::Slash {
                address,
                power,
                vsc_id,
                infraction,
            } => PendingPacketKind::Slash {
                address: Binary::from(address.as_bytes()),
                power,
                vsc_id,
                infraction,
            },
            QueuedPacket::VscMatured { vsc_id } => PendingPacketKind::VscMatured { vsc_id },
        })
        .collect();
    Ok(PendingPacketsResponse {
        packets,
        head_slash: HEAD_SLASH.may_load(deps.storage)?,
        total: u32::try_from(total).unwrap_or(u32::MAX),
    })
}

pub fn maturing_vscs(
    deps: Deps<ChainQuery>,
    start_after: Option<u64>,
    limit_requested: Option<u32>,
) -> StdResult<MaturingVscsResponse> {
    let maturing = maturing(deps.storage, None)
        .filter(|entry| match (entry, start_after) {
            (Ok((_, vsc_id)), Some(after)) => *vsc_id > after,
            _ => true,
        })
        .take(limit(limit_requested))
        .map(|entry| {
            entry.map(|(nanos, vsc_id)| MaturingVsc {
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
            start_after
                .as_ref()
                .map(|address| Bound::exclusive(address.as_slice())),
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

/// Zeros for an address outside the current set, a malformed one included.
pub fn liveness(deps: Deps<ChainQuery>, address: Binary) -> StdResult<LivenessResponse> {
    let info = match ConsensusAddress::from_slice(address.as_slice()) {
        Ok(member) => signing_info(deps.storage, &member)?,
        Err(_) => SigningInfo::default(),
    };
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

pub fn reward_config(deps: Deps<ChainQuery>) -> StdResult<RewardConfigResponse> {
    Ok(RewardConfigResponse {
        config: REWARD_CONFIG.may_load(deps.storage)?,
    })
}

/// The contract's balance of each reward denom (none before configuration).
pub fn reward_pool(deps: Deps<ChainQuery>, env: &Env) -> StdResult<RewardPoolResponse> {
    let denoms = REWARD_CONFIG
        .may_load(deps.storage)?
        .map(|config| config.reward_denoms)
        .unwrap_or_default();
    let balances = denoms
        .iter()
        .take(MAX_REWARD_DENOMS)
        .map(|denom| deps.querier.query_balance(&env.contract.address, denom))
        .collect::<StdResult<_>>()?;
    Ok(RewardPoolResponse { balances })
}

pub fn next_reward_transmission(
    deps: Deps<ChainQuery>,
) -> StdResult<NextRewardTransmissionResponse> {
    Ok(NextRewardTransmissionResponse {
        height: NEXT_TRANSMISSION.may_load(deps.storage)?,
    })
}

/// At most one record per configured denom is kept, so this is bounded by the denom limit.
pub fn reward_transmissions(deps: Deps<ChainQuery>) -> StdResult<RewardTransmissionsResponse> {
    let transmissions = TRANSMISSIONS
        .range(deps.storage, None, None, Order::Ascending)
        .take(MAX_REWARD_DENOMS)
        .map(|entry| {
            entry.map(|(denom, transmission)| DenomTransmission {
                denom,
                transmission,
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(RewardTransmissionsResponse { transmissions })
}
