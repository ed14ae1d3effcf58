//! The Wasm exports of the message entry points. They read their message with `cw-ics-json`
//! (one non-generic reader) instead of a `serde_json` deserializer monomorphised per message
//! type, and hand it to the typed handlers in [`crate::contract`], which tests and
//! cw-multi-test call directly.

use cosmwasm_std::{entry_point, Binary, Deps, DepsMut, Env, MessageInfo, Response};
use cw_ics_bindings::{ChainMsg, ChainQuery, ChainSudoMsg};
use cw_ics_json::Json;

use crate::contract;
use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};

#[entry_point]
pub fn instantiate(
    deps: DepsMut<ChainQuery>,
    env: Env,
    info: MessageInfo,
    msg: Json<InstantiateMsg>,
) -> Result<Response<ChainMsg>, ContractError> {
    contract::instantiate(deps, env, info, msg.0)
}

#[entry_point]
pub fn execute(
    deps: DepsMut<ChainQuery>,
    env: Env,
    info: MessageInfo,
    msg: Json<ExecuteMsg>,
) -> Result<Response<ChainMsg>, ContractError> {
    contract::execute(deps, env, info, msg.0)
}

#[entry_point]
pub fn sudo(
    deps: DepsMut<ChainQuery>,
    env: Env,
    msg: Json<ChainSudoMsg>,
) -> Result<Response<ChainMsg>, ContractError> {
    contract::sudo(deps, env, msg.0)
}

#[entry_point]
pub fn query(
    deps: Deps<ChainQuery>,
    env: Env,
    msg: Json<QueryMsg>,
) -> Result<Binary, ContractError> {
    contract::query(deps, env, msg.0)
}

#[entry_point]
pub fn migrate(
    deps: DepsMut<ChainQuery>,
    env: Env,
    msg: Json<MigrateMsg>,
) -> Result<Response<ChainMsg>, ContractError> {
    contract::migrate(deps, env, msg.0)
}
