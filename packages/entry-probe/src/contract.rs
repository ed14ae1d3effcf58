use cosmwasm_std::{
    Binary, CanonicalAddr, Deps, DepsMut, Env, MessageInfo, Order, Response, WasmMsg,
};

use crate::error::ProbeError;
use crate::msg::{Bounds, Entry, ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg, SudoMsg};

pub const PANIC_MESSAGE: &str = "the probe panics on purpose";

pub fn instantiate(
    _deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    _msg: InstantiateMsg,
) -> Result<Response, ProbeError> {
    Ok(Response::new())
}

pub fn execute(
    deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ProbeError> {
    let data = match msg {
        ExecuteMsg::Canonicalize { address } => Binary::from(deps.api.addr_canonicalize(&address)?),
        ExecuteMsg::Humanize { canonical } => {
            let address = deps.api.addr_humanize(&CanonicalAddr::from(canonical))?;
            Binary::from(address.as_bytes())
        }
        ExecuteMsg::Ed25519Verify {
            message,
            signature,
            public_key,
        } => answer(&deps.api.ed25519_verify(&message, &signature, &public_key)?),
        ExecuteMsg::Ed25519BatchVerify {
            messages,
            signatures,
            public_keys,
        } => {
            let messages = slices(&messages);
            let signatures = slices(&signatures);
            let public_keys = slices(&public_keys);
            answer(
                &deps
                    .api
                    .ed25519_batch_verify(&messages, &signatures, &public_keys)?,
            )
        }
        ExecuteMsg::Secp256k1Verify {
            hash,
            signature,
            public_key,
        } => answer(&deps.api.secp256k1_verify(&hash, &signature, &public_key)?),
        ExecuteMsg::Secp256k1RecoverPubkey {
            hash,
            signature,
            recovery_param,
        } => {
            let recovery_param = u8::try_from(recovery_param)
                .map_err(|_| ProbeError::RecoveryParamTooLarge(recovery_param))?;
            Binary::new(
                deps.api
                    .secp256k1_recover_pubkey(&hash, &signature, recovery_param)?,
            )
        }
        ExecuteMsg::Debug { text } => {
            deps.api.debug(&text);
            return Ok(Response::new());
        }
        ExecuteMsg::Write { key, value } => {
            deps.storage.set(&key, &value);
            return Ok(Response::new());
        }
        ExecuteMsg::WriteEmpty { key } => {
            // The first write shows the abort reverts everything the call did.
            deps.storage.set(&key, b"first");
            deps.storage.set(&key, b"");
            return Ok(Response::new());
        }
        ExecuteMsg::RangeKeys { bounds } => {
            let (start, end, order) = scan_arguments(&bounds);
            let keys = deps.storage.range_keys(start, end, order);
            answer(
                &after_skip(keys, &bounds)
                    .map(Binary::new)
                    .collect::<Vec<_>>(),
            )
        }
        ExecuteMsg::RangeValues { bounds } => {
            let (start, end, order) = scan_arguments(&bounds);
            let values = deps.storage.range_values(start, end, order);
            answer(
                &after_skip(values, &bounds)
                    .map(Binary::new)
                    .collect::<Vec<_>>(),
            )
        }
        ExecuteMsg::Range { bounds } => {
            let (start, end, order) = scan_arguments(&bounds);
            let entries = deps.storage.range(start, end, order);
            let entries: Vec<Entry> = after_skip(entries, &bounds)
                .map(|(key, value)| Entry {
                    key: Binary::new(key),
                    value: Binary::new(value),
                })
                .collect();
            answer(&entries)
        }
        // The point of this message: the entry layer's panic hook is under test.
        ExecuteMsg::Panic {} => panic!("{PANIC_MESSAGE}"),
        ExecuteMsg::SendInstantiate {} => {
            return Ok(Response::new().add_message(WasmMsg::Instantiate {
                admin: None,
                code_id: 1,
                msg: Binary::from(b"{}"),
                funds: vec![],
                label: "probe".to_string(),
            }))
        }
    };
    Ok(Response::new().set_data(data))
}

pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> Result<Binary, ProbeError> {
    match msg {
        QueryMsg::Raw { request } => Ok(answer(&deps.querier.raw_query(&request))),
    }
}

pub fn sudo(deps: DepsMut, _env: Env, msg: SudoMsg) -> Result<Response, ProbeError> {
    match msg {
        SudoMsg::Write { key, value } => deps.storage.set(&key, &value),
    }
    Ok(Response::new())
}

pub fn migrate(_deps: DepsMut, _env: Env, msg: MigrateMsg) -> Result<Response, ProbeError> {
    Ok(Response::new().set_data(msg.data))
}

fn answer<T: cw_ics_json::ToJson + ?Sized>(value: &T) -> Binary {
    cw_ics_json::to_binary(value)
}

fn slices(items: &[Binary]) -> Vec<&[u8]> {
    items.iter().map(Binary::as_slice).collect()
}

fn scan_arguments(bounds: &Bounds) -> (Option<&[u8]>, Option<&[u8]>, Order) {
    let order = if bounds.descending {
        Order::Descending
    } else {
        Order::Ascending
    };
    (
        bounds.start.as_ref().map(Binary::as_slice),
        bounds.end.as_ref().map(Binary::as_slice),
        order,
    )
}

/// The items after the first `bounds.skip`, skipped with `Iterator::nth` (the call under
/// test: cw-ics-entry skips through `db_next_key`).
fn after_skip<'a, T: 'a>(
    mut items: Box<dyn Iterator<Item = T> + 'a>,
    bounds: &Bounds,
) -> impl Iterator<Item = T> + 'a {
    let first = match bounds.skip {
        0 => items.next(),
        skip => items.nth(skip as usize),
    };
    first.into_iter().chain(items)
}
