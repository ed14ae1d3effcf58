//! Compact JSON for contract messages, packets and query answers.
//!
//! `serde_json` monomorphises its whole parser for every type it reads: 1–6 KB of Wasm per
//! message, query, packet and nested type, about 40% of each cw-ics contract. Here one
//! non-generic [`Reader`] and [`Writer`] do the parsing and printing, and each type declares its
//! fields with [`json_struct!`] or [`json_enum!`], which cost a few
//! hundred bytes. The JSON is the one the type's `#[cw_serde]` derive reads and writes; the
//! tests hold every declared type to that.
//!
//! cosmwasm-std's own entry-point types (`Env`, `MessageInfo`, the IBC messages, responses)
//! are covered too, so `cw-ics-entry` can run the contracts' exports without `serde_json`.

mod contract_version;
mod cosmwasm;
mod error;
mod impls;
mod macros;
mod read;
mod write;

pub use contract_version::{
    load_contract_version, save_contract_version, ContractVersion, ContractVersionError,
};
pub use cosmwasm::unsupported_message;
pub use error::JsonError;
pub use impls::{read_parsed, write_display};
pub use read::{FromJson, Reader, Slot};
pub use write::{ToJson, Writer};

use cosmwasm_std::Binary;

/// Reads a whole JSON text: only whitespace may follow the value.
pub fn from_slice<T: FromJson>(bytes: &[u8]) -> Result<T, JsonError> {
    let mut reader = Reader::new(bytes);
    let value = T::read_json(&mut reader)?;
    reader.end()?;
    Ok(value)
}

pub fn to_vec<T: ToJson + ?Sized>(value: &T) -> Vec<u8> {
    let mut writer = Writer::new();
    value.write_json(&mut writer);
    writer.into_vec()
}

pub fn to_binary<T: ToJson + ?Sized>(value: &T) -> Binary {
    Binary::new(to_vec(value))
}

/// For tests: `value` has the same JSON here as under its serde derive, both ways. Returns
/// what differs.
pub fn serde_parity<T>(value: &T) -> Result<(), String>
where
    T: ToJson
        + FromJson
        + serde::Serialize
        + serde::de::DeserializeOwned
        + PartialEq
        + core::fmt::Debug,
{
    let theirs = serde_json::to_vec(value).map_err(|error| error.to_string())?;
    let ours = to_vec(value);
    if ours != theirs {
        return Err(format!(
            "written differently:\n  serde: {}\n  ours:  {}",
            String::from_utf8_lossy(&theirs),
            String::from_utf8_lossy(&ours)
        ));
    }
    let read: T = from_slice(&theirs).map_err(|error| format!("serde's text refused: {error}"))?;
    if &read != value {
        return Err(format!("read back as {read:?}, not {value:?}"));
    }
    Ok(())
}
