#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{Binary, Deps, DepsMut, Env, MessageInfo, Response};
use cw_ics_bindings::{ChainMsg, ChainQuery, ChainSudoMsg, Privilege, PrivilegeChange};

use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use crate::state::epoch::EPOCH;
use crate::state::{CONTRACT_NAME, CONTRACT_VERSION};
use crate::{config, consumers, epoch, query, registration, staking, withdraw};

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut<ChainQuery>,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response<ChainMsg>, ContractError> {
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    config::instantiate(deps, env, info, msg)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut<ChainQuery>,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response<ChainMsg>, ContractError> {
    match msg {
        ExecuteMsg::UpdateConfig(update) => config::execute_update(deps, info, update),
        ExecuteMsg::RegisterValidator {
            pub_key,
            moniker,
            commission,
        } => staking::register_validator(deps, info, pub_key, moniker, commission),
        ExecuteMsg::EditValidator {
            moniker,
            commission,
        } => staking::edit_validator(deps, info, moniker, commission),
        ExecuteMsg::Bond { validator } => staking::bond(deps, info, validator),
        ExecuteMsg::Unbond { validator, amount } => {
            staking::unbond(deps, env, info, validator, amount)
        }
        ExecuteMsg::Withdraw { entry_ids } => withdraw::withdraw(deps, env, info, entry_ids),
        ExecuteMsg::Unjail {} => staking::unjail(deps, env, info),
        ExecuteMsg::RegisterConsumer(registration) => {
            registration::register(deps, info, registration)
        }
        ExecuteMsg::UpdateConsumer {
            consumer_id,
            update,
        } => registration::update(deps, env, info, consumer_id, update),
        ExecuteMsg::StopConsumer { consumer_id } => {
            consumers::execute_stop(deps, env, info, consumer_id)
        }
        ExecuteMsg::Tick {} => {
            if !info.funds.is_empty() {
                return Err(ContractError::UnexpectedFunds);
            }
            epoch::run(deps, &env, epoch::Caller::Tick)
        }
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn sudo(
    deps: DepsMut<ChainQuery>,
    env: Env,
    msg: ChainSudoMsg,
) -> Result<Response<ChainMsg>, ContractError> {
    match msg {
        ChainSudoMsg::PrivilegeChange(change) => {
            let promoted = matches!(change, PrivilegeChange::Promoted {});
            if !promoted {
                EPOCH.update(deps.storage, |mut epoch| -> Result<_, ContractError> {
                    epoch.end_blocker = false;
                    Ok(epoch)
                })?;
            }
            let response = Response::new().add_attribute("action", "privilege_change");
            Ok(if promoted {
                response.add_message(ChainMsg::request(Privilege::EndBlocker))
            } else {
                response
            })
        }
        ChainSudoMsg::EndBlock {} => {
            EPOCH.update(deps.storage, |mut epoch| -> Result<_, ContractError> {
                epoch.end_blocker = true;
                Ok(epoch)
            })?;
            epoch::run(deps, &env, epoch::Caller::EndBlock)
        }
        ChainSudoMsg::BeginBlock { .. } => Err(ContractError::NotSupported("begin_block")),
        ChainSudoMsg::EndWithValidatorUpdate {} => {
            Err(ContractError::NotSupported("end_with_validator_update"))
        }
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps<ChainQuery>, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    query::query(deps, env, msg)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(
    deps: DepsMut<ChainQuery>,
    _env: Env,
    msg: MigrateMsg,
) -> Result<Response<ChainMsg>, ContractError> {
    // Refuses another contract's state and a downgrade; records the new version.
    cw2::ensure_from_older_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    if let Some(update) = msg.config {
        config::apply_update(deps.storage, deps.api, update)?;
    }
    Ok(Response::new().add_attribute("action", "migrate"))
}
