//! The Wasm entry points. Messages are read with cw-ics-json (`Json<_>`) rather than serde: the
//! same JSON, a fraction of the code. The handlers live in [`crate::contract`] and [`crate::ibc`],
//! where tests and cw-multi-test call them with typed messages.

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
    Json(msg): Json<InstantiateMsg>,
) -> Result<Response<ChainMsg>, ContractError> {
    contract::instantiate(deps, env, info, msg)
}

#[entry_point]
pub fn execute(
    deps: DepsMut<ChainQuery>,
    env: Env,
    info: MessageInfo,
    Json(msg): Json<ExecuteMsg>,
) -> Result<Response<ChainMsg>, ContractError> {
    contract::execute(deps, env, info, msg)
}

#[entry_point]
pub fn sudo(
    deps: DepsMut<ChainQuery>,
    env: Env,
    Json(msg): Json<ChainSudoMsg>,
) -> Result<Response<ChainMsg>, ContractError> {
    contract::sudo(deps, env, msg)
}

#[entry_point]
pub fn query(
    deps: Deps<ChainQuery>,
    env: Env,
    Json(msg): Json<QueryMsg>,
) -> Result<Binary, ContractError> {
    contract::query(deps, env, msg)
}

#[entry_point]
pub fn migrate(
    deps: DepsMut<ChainQuery>,
    env: Env,
    Json(msg): Json<MigrateMsg>,
) -> Result<Response<ChainMsg>, ContractError> {
    contract::migrate(deps, env, msg)
}
