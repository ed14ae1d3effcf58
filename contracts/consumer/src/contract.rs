#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{Binary, Deps, DepsMut, Env, MessageInfo, Reply, Response};
use cw_ics_bindings::{ChainMsg, ChainQuery, ChainSudoMsg, PrivilegeChange};

use crate::chain;
use crate::error::ContractError;
use crate::genesis::instantiate_from_genesis;
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use crate::rewards;
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
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response<ChainMsg>, ContractError> {
    match msg {
        ExecuteMsg::Tick {} => chain::tick(deps, env),
        ExecuteMsg::ConfigureRewards(settings) => {
            rewards::configure_rewards(deps, env, info, settings)
        }
        ExecuteMsg::DepositRewards {} => rewards::deposit_rewards(deps.as_ref(), info),
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
pub fn query(deps: Deps<ChainQuery>, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    crate::query::query(deps, env, msg)
}

/// Only the reward transmission's submessages reply (on error).
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn reply(
    deps: DepsMut<ChainQuery>,
    env: Env,
    msg: Reply,
) -> Result<Response<ChainMsg>, ContractError> {
    rewards::reply(deps, env, msg)
}

/// Refuses another contract's state and a downgrade (by cw2's record), then records this
/// version.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(
    deps: DepsMut<ChainQuery>,
    _env: Env,
    _msg: MigrateMsg,
) -> Result<Response<ChainMsg>, ContractError> {
    cw2::ensure_from_older_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(Response::new().add_attribute("action", "migrate"))
}
