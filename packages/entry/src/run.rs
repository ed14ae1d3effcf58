//! The exports' bodies: read the VM's arguments, build `Deps` over the imports, call the
//! handler, answer `{"ok": …}` or `{"error": "…"}` as `ContractResult` does.

use core::fmt::Display;

use cosmwasm_std::{
    Binary, ContractResult, CustomQuery, Deps, DepsMut, Env, MessageInfo, QuerierWrapper,
};
use cw_ics_json::FromJson;

use crate::answer::Answer;
use crate::host::{abort_with, HostApi, HostQuerier, HostStorage};
use crate::region::{consume, release};

/// instantiate and execute: `(env, info, msg)`.
pub fn call_with_info<Q, M, A, E>(
    handler: fn(DepsMut<Q>, Env, MessageInfo, M) -> Result<A, E>,
    env: u32,
    info: u32,
    msg: u32,
) -> u32
where
    Q: CustomQuery,
    M: FromJson,
    A: Answer,
    E: Display,
{
    install_panic_hook();
    // SAFETY: the VM passes regions it filled for this call and does not touch them again.
    let (env, info, msg) = unsafe { (consume(env), consume(info), consume(msg)) };
    let read_all = || Ok::<_, String>((read::<Env>(&env)?, read(&info)?, read::<M>(&msg)?));
    match read_all() {
        Ok((env, info, msg)) => {
            let mut storage = HostStorage;
            respond(handler(deps_mut(&mut storage), env, info, msg))
        }
        Err(error) => fail(error),
    }
}

/// Every other export that may write state: `(env, msg)`, where `msg` is the entry point's own
/// message (sudo, migrate) or cosmwasm-std's (the IBC entry points).
pub fn call<Q, M, A, E>(handler: fn(DepsMut<Q>, Env, M) -> Result<A, E>, env: u32, msg: u32) -> u32
where
    Q: CustomQuery,
    M: FromJson,
    A: Answer,
    E: Display,
{
    with_env_and_msg(env, msg, |env, msg| {
        let mut storage = HostStorage;
        handler(deps_mut(&mut storage), env, msg)
    })
}

/// query: `(env, msg)`, read-only.
pub fn query<Q, M, A, E>(handler: fn(Deps<Q>, Env, M) -> Result<A, E>, env: u32, msg: u32) -> u32
where
    Q: CustomQuery,
    M: FromJson,
    A: Answer,
    E: Display,
{
    with_env_and_msg(env, msg, |env, msg| {
        let deps = Deps {
            storage: &HostStorage,
            api: &HostApi,
            querier: QuerierWrapper::new(&HostQuerier),
        };
        handler(deps, env, msg)
    })
}

fn with_env_and_msg<M, A, E>(env: u32, msg: u32, run: impl FnOnce(Env, M) -> Result<A, E>) -> u32
where
    M: FromJson,
    A: Answer,
    E: Display,
{
    install_panic_hook();
    // SAFETY: as in `call_with_info`.
    let (env, msg) = unsafe { (consume(env), consume(msg)) };
    let read_both = || Ok::<_, String>((read::<Env>(&env)?, read::<M>(&msg)?));
    match read_both() {
        Ok((env, msg)) => respond(run(env, msg)),
        Err(error) => fail(error),
    }
}

fn deps_mut<Q: CustomQuery>(storage: &mut HostStorage) -> DepsMut<'_, Q> {
    DepsMut {
        storage,
        api: &HostApi,
        querier: QuerierWrapper::new(&HostQuerier),
    }
}

fn read<T: FromJson>(bytes: &[u8]) -> Result<T, String> {
    cw_ics_json::from_slice(bytes).map_err(|error| error.to_string())
}

/// The handler's result as the `ContractResult` the VM reads.
fn respond<A: Answer, E: Display>(result: Result<A, E>) -> u32 {
    let result = match result {
        Ok(answer) => match answer.unwritable() {
            None => ContractResult::Ok(answer),
            Some(kind) => ContractResult::Err(format!(
                "the answer holds a {kind} message, which cw-ics-entry cannot write"
            )),
        },
        Err(error) => ContractResult::Err(error.to_string()),
    };
    release(cw_ics_json::to_vec(&result))
}

/// A call refused before its handler ran (its arguments could not be read).
fn fail(message: String) -> u32 {
    release(cw_ics_json::to_vec(&ContractResult::<Binary>::Err(message)))
}

/// A panic (a bug: handlers return errors) ends the call with its message, as cosmwasm-std's
/// hook does, rather than a bare trap.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| abort_with(&info.to_string())));
}
