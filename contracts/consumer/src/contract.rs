#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response};
use cw_ics_bindings::{ChainMsg, ChainQuery, ChainSudoMsg, PrivilegeChange};

use crate::chain;
use crate::error::ContractError;
use crate::genesis::instantiate_from_genesis;
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use crate::query;
use crate::state::{CONTRACT_NAME, CONTRACT_VERSION};

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut<ChainQuery>,
    env: Env,
    _info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response<ChainMsg>, ContractError> {
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    instantiate_from_genesis(deps, env, msg.genesis)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut<ChainQuery>,
    env: Env,
    _info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response<ChainMsg>, ContractError> {
    match msg {
        ExecuteMsg::Tick {} => chain::tick(deps, env),
    }
}

/// Only the chain can call `sudo`; these are the x/twasm hooks.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn sudo(
    deps: DepsMut<ChainQuery>,
    env: Env,
    msg: ChainSudoMsg,
) -> Result<Response<ChainMsg>, ContractError> {
    match msg {
        ChainSudoMsg::PrivilegeChange(PrivilegeChange::Promoted {}) => chain::promoted(deps),
        ChainSudoMsg::PrivilegeChange(PrivilegeChange::Demoted {}) => chain::demoted(deps),
        ChainSudoMsg::BeginBlock { evidence } => chain::begin_block(deps, env, evidence),
        ChainSudoMsg::EndBlock {} => chain::tick(deps, env),
        ChainSudoMsg::EndWithValidatorUpdate {} => chain::end_with_validator_update(deps),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps<ChainQuery>, _env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    let binary = match msg {
        QueryMsg::ContractVersion {} => to_json_binary(&cw2::get_contract_version(deps.storage)?),
        QueryMsg::Status {} => to_json_binary(&query::status(deps)?),
        QueryMsg::Config {} => to_json_binary(&query::config(deps)?),
        QueryMsg::CurrentSet {} => to_json_binary(&query::current_set(deps)?),
        QueryMsg::SetAtHeight { height } => to_json_binary(&query::set_at_height(deps, height)?),
        QueryMsg::VscIdAtHeight { height } => {
            to_json_binary(&query::vsc_id_at_height(deps, height)?)
        }
        QueryMsg::HeightToVscIds { start_after, limit } => {
            to_json_binary(&query::height_to_vsc_ids(deps, start_after, limit)?)
        }
        QueryMsg::PendingPackets { start_at, limit } => {
            to_json_binary(&query::pending_packets(deps, start_at, limit)?)
        }
        QueryMsg::MaturingVscs { start_after, limit } => {
            to_json_binary(&query::maturing_vscs(deps, start_after, limit)?)
        }
        QueryMsg::OutstandingDowntime { start_after, limit } => {
            to_json_binary(&query::outstanding_downtime(deps, start_after, limit)?)
        }
        QueryMsg::Liveness { address } => to_json_binary(&query::liveness(deps, address)?),
        QueryMsg::PendingDiff {} => to_json_binary(&query::pending_diff_query(deps)?),
    }?;
    Ok(binary)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(
    deps: DepsMut<ChainQuery>,
    _env: Env,
    _msg: MigrateMsg,
) -> Result<Response<ChainMsg>, ContractError> {
    let stored = cw2::get_contract_version(deps.storage)?;
    if stored.contract != CONTRACT_NAME {
        return Err(ContractError::WrongContract(stored.contract));
    }
    if is_newer(&stored.version, CONTRACT_VERSION) {
        return Err(ContractError::Downgrade {
            from: stored.version,
            to: CONTRACT_VERSION.to_string(),
        });
    }
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(Response::new().add_attribute("action", "migrate"))
}

/// Compares dotted numeric versions; a part that is not a number counts as 0.
fn is_newer(stored: &str, current: &str) -> bool {
    let parts = |v: &str| -> Vec<u64> { v.split('.').map(|p| p.parse().unwrap_or(0)).collect() };
    parts(stored) > parts(current)
}
