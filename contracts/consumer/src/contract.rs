use cosmwasm_std::{Binary, Deps, DepsMut, Env, MessageInfo, Response};
use cw_ics_bindings::{ChainMsg, ChainQuery, ChainSudoMsg, PrivilegeChange};
use cw_ics_json::{load_contract_version, save_contract_version, to_binary};

use crate::chain;
use crate::error::ContractError;
use crate::genesis::instantiate_from_genesis;
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use crate::query;
use crate::state::{CONTRACT_NAME, CONTRACT_VERSION};

pub fn instantiate(
    deps: DepsMut<ChainQuery>,
    env: Env,
    _info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response<ChainMsg>, ContractError> {
    save_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION);
    instantiate_from_genesis(deps, env, msg.genesis)
}

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

pub fn query(deps: Deps<ChainQuery>, _env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    let binary = match msg {
        QueryMsg::ContractVersion {} => to_binary(&load_contract_version(deps.storage)?),
        QueryMsg::Status {} => to_binary(&query::status(deps)?),
        QueryMsg::Config {} => to_binary(&query::config(deps)?),
        QueryMsg::CurrentSet {} => to_binary(&query::current_set(deps)?),
        QueryMsg::SetAtHeight { height } => to_binary(&query::set_at_height(deps, height)?),
        QueryMsg::VscIdAtHeight { height } => to_binary(&query::vsc_id_at_height(deps, height)?),
        QueryMsg::HeightToVscIds { start_after, limit } => {
            to_binary(&query::height_to_vsc_ids(deps, start_after, limit)?)
        }
        QueryMsg::PendingPackets { start_at, limit } => {
            to_binary(&query::pending_packets(deps, start_at, limit)?)
        }
        QueryMsg::MaturingVscs { start_after, limit } => {
            to_binary(&query::maturing_vscs(deps, start_after, limit)?)
        }
        QueryMsg::OutstandingDowntime { start_after, limit } => {
            to_binary(&query::outstanding_downtime(deps, start_after, limit)?)
        }
        QueryMsg::Liveness { address } => to_binary(&query::liveness(deps, address)?),
        QueryMsg::PendingDiff {} => to_binary(&query::pending_diff_query(deps)?),
    };
    Ok(binary)
}

pub fn migrate(
    deps: DepsMut<ChainQuery>,
    _env: Env,
    _msg: MigrateMsg,
) -> Result<Response<ChainMsg>, ContractError> {
    let stored = load_contract_version(deps.storage)?;
    if stored.contract != CONTRACT_NAME {
        return Err(ContractError::WrongContract(stored.contract));
    }
    if is_newer(&stored.version, CONTRACT_VERSION) {
        return Err(ContractError::Downgrade {
            from: stored.version,
            to: CONTRACT_VERSION.to_string(),
        });
    }
    save_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION);
    Ok(Response::new().add_attribute("action", "migrate"))
}

/// Compares dotted numeric versions; a part that is not a number counts as 0.
fn is_newer(stored: &str, current: &str) -> bool {
    let parts = |v: &str| -> Vec<u64> { v.split('.').map(|p| p.parse().unwrap_or(0)).collect() };
    parts(stored) > parts(current)
}
