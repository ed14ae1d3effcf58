use cosmwasm_std::{Binary, Deps, DepsMut, Env, MessageInfo, Response};
use cw_ics_bindings::{ChainMsg, ChainQuery, ChainSudoMsg, Privilege, PrivilegeChange};
use cw_ics_json::{load_contract_version, save_contract_version};

use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use crate::state::{CONTRACT_NAME, CONTRACT_VERSION, EPOCH};
use crate::{config, consumers, epoch, query, staking};

pub fn instantiate(
    deps: DepsMut<ChainQuery>,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response<ChainMsg>, ContractError> {
    save_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION);
    config::instantiate(deps, env, info, msg)
}

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
        ExecuteMsg::Withdraw { entry_ids } => staking::withdraw(deps, env, info, entry_ids),
        ExecuteMsg::Unjail {} => staking::unjail(deps, env, info),
        ExecuteMsg::RegisterConsumer(registration) => consumers::register(deps, info, registration),
        ExecuteMsg::UpdateConsumer {
            consumer_id,
            update,
        } => consumers::update(deps, info, consumer_id, update),
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

pub fn sudo(
    deps: DepsMut<ChainQuery>,
    env: Env,
    msg: ChainSudoMsg,
) -> Result<Response<ChainMsg>, ContractError> {
    match msg {
        ChainSudoMsg::PrivilegeChange(change) => {
            let promoted = matches!(change, PrivilegeChange::Promoted {});
            EPOCH.update(deps.storage, |mut epoch| -> Result<_, ContractError> {
                if !promoted {
                    epoch.end_blocker = false;
                }
                Ok(epoch)
            })?;
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

pub fn query(deps: Deps<ChainQuery>, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    query::query(deps, env, msg)
}

pub fn migrate(
    deps: DepsMut<ChainQuery>,
    _env: Env,
    msg: MigrateMsg,
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
    if let Some(update) = msg.config {
        config::apply_update(deps.storage, deps.api, update)?;
    }
    save_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION);
    Ok(Response::new().add_attribute("action", "migrate"))
}

/// Compares dotted numeric versions; a part that is not a number counts as 0.
fn is_newer(stored: &str, current: &str) -> bool {
    let parts = |v: &str| -> Vec<u64> { v.split('.').map(|p| p.parse().unwrap_or(0)).collect() };
    parts(stored) > parts(current)
}
