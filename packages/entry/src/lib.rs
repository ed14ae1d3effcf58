//! The contracts' Wasm exports, without `cosmwasm_std::do_*`.
//!
//! `#[entry_point]` routes every call through cosmwasm-std's `do_*` functions, which read
//! `Env`, `MessageInfo` and the IBC messages and write the `ContractResult` with `serde_json`:
//! about 180 KiB of each contract's Wasm, more than most of the contract's own logic. This
//! crate speaks the same calling convention (cosmwasm-vm's `Region`s, its imports, the same
//! JSON in and out) with cw-ics-json's reader and writer instead, and builds the same `Deps`
//! over the same imports, so handlers do not change.
//!
//! cosmwasm-std still supplies the exports the VM needs besides the entry points
//! (`allocate`, `deallocate`, `interface_version_8`, `requires_*`); regions handed back here
//! are built as its `deallocate` expects.
//!
//! A contract lists its exports and their handlers with [`exports!`].

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod sections;

#[cfg(target_arch = "wasm32")]
mod host;
#[cfg(target_arch = "wasm32")]
mod region;
#[cfg(target_arch = "wasm32")]
mod run;

#[cfg(target_arch = "wasm32")]
mod answer;

#[cfg(target_arch = "wasm32")]
pub use answer::Answer;
#[cfg(target_arch = "wasm32")]
pub use run::{call, call_with_info, query};

/// The contract's Wasm exports, each calling its handler: `instantiate` and `execute` take
/// `(deps, env, info, msg)`, `query` takes `(deps, env, msg)` with read-only `Deps`, and every
/// other export (`sudo`, `migrate`, the six IBC entry points) takes `(deps, env, msg)`.
/// Handlers keep the signatures `#[entry_point]` wants; messages are read with cw-ics-json, so
/// each message type implements `FromJson` and each custom message `ToJson`.
///
/// The exports exist only in the Wasm build; put the call behind the contract's `library`
/// feature as `#[entry_point]`s are.
///
/// ```text
/// cw_ics_entry::exports! {
///     instantiate => crate::contract::instantiate,
///     execute => crate::contract::execute,
///     query => crate::contract::query,
///     ibc_packet_receive => crate::ibc::ibc_packet_receive,
/// }
/// ```
#[macro_export]
macro_rules! exports {
    ($($export:ident => $handler:path),* $(,)?) => {
        $($crate::__export!($export => $handler);)*
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __export {
    (instantiate => $handler:path) => {
        $crate::__export!(@with_info instantiate => $handler);
    };
    (execute => $handler:path) => {
        $crate::__export!(@with_info execute => $handler);
    };
    (@with_info $export:ident => $handler:path) => {
        #[cfg(target_arch = "wasm32")]
        #[no_mangle]
        extern "C" fn $export(env: u32, info: u32, msg: u32) -> u32 {
            $crate::call_with_info($handler, env, info, msg)
        }
    };
    (query => $handler:path) => {
        #[cfg(target_arch = "wasm32")]
        #[no_mangle]
        extern "C" fn query(env: u32, msg: u32) -> u32 {
            $crate::query($handler, env, msg)
        }
    };
    ($export:ident => $handler:path) => {
        #[cfg(target_arch = "wasm32")]
        #[no_mangle]
        extern "C" fn $export(env: u32, msg: u32) -> u32 {
            $crate::call($handler, env, msg)
        }
    };
}
