use cosmwasm_schema::cw_serde;
use cosmwasm_std::Binary;
use cw_ics_json::{json_enum, json_struct};

#[cw_serde]
pub struct InstantiateMsg {}
json_struct!(InstantiateMsg {});

/// Each variant calls one host function and puts what it returned in `Response::data`, as
/// cw-ics-json writes it (see each variant).
#[cw_serde]
pub enum ExecuteMsg {
    /// `addr_canonicalize`; data: the canonical bytes.
    Canonicalize { address: String },
    /// `addr_humanize`; data: the address's bytes.
    Humanize { canonical: Binary },
    /// `ed25519_verify`; data: `true` or `false`.
    Ed25519Verify {
        message: Binary,
        signature: Binary,
        public_key: Binary,
    },
    /// `ed25519_batch_verify`; data: `true` or `false`.
    Ed25519BatchVerify {
        messages: Vec<Binary>,
        signatures: Vec<Binary>,
        public_keys: Vec<Binary>,
    },
    /// `secp256k1_verify`; data: `true` or `false`.
    Secp256k1Verify {
        hash: Binary,
        signature: Binary,
        public_key: Binary,
    },
    /// `secp256k1_recover_pubkey`; data: the public key.
    Secp256k1RecoverPubkey {
        hash: Binary,
        signature: Binary,
        recovery_param: u32,
    },
    /// `debug`; no data.
    Debug { text: String },
    /// `Storage::set`; no data.
    Write { key: Binary, value: Binary },
    /// Writes `key` = `b"first"`, then sets `key` to an empty value, which aborts the call.
    WriteEmpty { key: Binary },
    /// `Storage::range_keys` over `[start, end)`, the first `skip` keys skipped with
    /// `Iterator::nth`; data: the keys as a JSON list of base64 strings.
    RangeKeys { bounds: Bounds },
    /// `Storage::range_values`, as `RangeKeys`; data: the values.
    RangeValues { bounds: Bounds },
    /// `Storage::range`, as `RangeKeys`; data: the entries as a JSON list of `Entry`.
    Range { bounds: Bounds },
    /// Panics with `PANIC_MESSAGE`.
    Panic {},
    /// Answers a `WasmMsg::Instantiate`, a kind cw-ics-json cannot write.
    SendInstantiate {},
}
json_enum!(ExecuteMsg {
    Canonicalize = "canonicalize" { address },
    Humanize = "humanize" { canonical },
    Ed25519Verify = "ed25519_verify" { message, signature, public_key },
    Ed25519BatchVerify = "ed25519_batch_verify" { messages, signatures, public_keys },
    Secp256k1Verify = "secp256k1_verify" { hash, signature, public_key },
    Secp256k1RecoverPubkey = "secp256k1_recover_pubkey" { hash, signature, recovery_param },
    Debug = "debug" { text },
    Write = "write" { key, value },
    WriteEmpty = "write_empty" { key },
    RangeKeys = "range_keys" { bounds },
    RangeValues = "range_values" { bounds },
    Range = "range" { bounds },
    Panic = "panic" {},
    SendInstantiate = "send_instantiate" {},
});

/// A storage range: `[start, end)` in the given order, the first `skip` items skipped.
#[cw_serde]
pub struct Bounds {
    pub start: Option<Binary>,
    pub end: Option<Binary>,
    pub descending: bool,
    pub skip: u32,
}
json_struct!(Bounds {
    start,
    end,
    descending,
    skip
});

#[cw_serde]
pub struct Entry {
    pub key: Binary,
    pub value: Binary,
}
json_struct!(Entry { key, value });

#[cw_serde]
pub enum QueryMsg {
    /// `Querier::raw_query`; answers the `SystemResult<ContractResult<Binary>>` as JSON.
    Raw { request: Binary },
}
json_enum!(QueryMsg {
    Raw = "raw" { request },
});

/// Sudo, to run the `(env, msg)` export shape: writes an entry, as `ExecuteMsg::Write`.
#[cw_serde]
pub enum SudoMsg {
    Write { key: Binary, value: Binary },
}
json_enum!(SudoMsg {
    Write = "write" { key, value },
});

/// Migrate answers `data` back as `Response::data`.
#[cw_serde]
pub struct MigrateMsg {
    pub data: Binary,
}
json_struct!(MigrateMsg { data });
