//! cw-ics-entry's host layer on the real VM, through the probe contract
//! (`packages/entry-probe`): each message calls one import the contracts do not reach in the
//! other VM tests, and the answers are checked against what cosmwasm-std's own glue gives.

use std::cell::RefCell;
use std::rc::Rc;

use cosmwasm_std::{
    from_json, to_json_vec, Addr, BalanceResponse, BankQuery, Binary, Coin, ContractResult, Empty,
    MigrateInfo, QueryRequest, Response, StdError, SystemError, SystemResult, WasmQuery,
};
use cosmwasm_vm::testing::{mock_env, mock_instance, MockApi};
use cosmwasm_vm::{call_migrate, call_migrate_with_info};
use cw_ics_entry_probe::contract::PANIC_MESSAGE;
use cw_ics_entry_probe::msg::{
    Bounds, Entry, ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg, SudoMsg,
};
use cw_ics_vm_gas::artifacts::{load_artifact, ENTRY_PROBE_ARTIFACT};
use cw_ics_vm_gas::{VmCallError, VmChain};
use ed25519_dalek::Signer as _;
use sha2::{Digest, Sha256};

type QueryAnswer = SystemResult<ContractResult<Binary>>;

fn probe_wasm() -> Vec<u8> {
    load_artifact(ENTRY_PROBE_ARTIFACT).unwrap_or_else(|error| panic!("{error}"))
}

struct Probe {
    chain: VmChain,
    contract: Addr,
    sender: Addr,
}

impl Probe {
    fn new() -> Self {
        Self::on(VmChain::new("probe-1").expect("chain"))
    }

    fn on(mut chain: VmChain) -> Self {
        let sender = chain.addr("sender");
        let (contract, _) = chain
            .instantiate::<Empty>(&probe_wasm(), &sender, &InstantiateMsg {}, &[])
            .expect("instantiate");
        Probe {
            chain,
            contract,
            sender,
        }
    }

    fn execute(&mut self, msg: &ExecuteMsg) -> Result<Response, VmCallError> {
        self.chain
            .execute::<Empty>(&self.contract, &self.sender, msg, &[])
            .map(|outcome| outcome.response)
    }

    /// The call's `Response::data`.
    fn data(&mut self, msg: &ExecuteMsg) -> Binary {
        let response = self
            .execute(msg)
            .unwrap_or_else(|error| panic!("{msg:?}: {error}"));
        response
            .data
            .unwrap_or_else(|| panic!("{msg:?} answered no data"))
    }

    /// The call's error, after checking it left the store as it was.
    fn failure(&mut self, msg: &ExecuteMsg) -> VmCallError {
        let before = self.store();
        let error = match self.execute(msg) {
            Ok(response) => panic!("{msg:?} succeeded: {response:?}"),
            Err(error) => error,
        };
        assert_eq!(self.store(), before, "{msg:?} changed the store");
        error
    }

    /// The contract's error text (an `{"error": …}` answer).
    fn contract_error(&mut self, msg: &ExecuteMsg) -> String {
        match self.failure(msg) {
            VmCallError::Contract(text) => text,
            other => panic!("{msg:?}: expected the contract's error, got {other:?}"),
        }
    }

    fn store(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.chain
            .store(&self.contract)
            .map(|store| store.clone().into_iter().collect())
            .unwrap_or_default()
    }

    fn write(&mut self, key: &[u8], value: &[u8]) {
        self.execute(&ExecuteMsg::Write {
            key: Binary::from(key),
            value: Binary::from(value),
        })
        .expect("write");
    }

    fn raw_query(&mut self, request: &[u8]) -> QueryAnswer {
        let msg = QueryMsg::Raw {
            request: Binary::from(request),
        };
        let answer = self
            .chain
            .query(&self.contract, &msg)
            .expect("raw query")
            .response;
        from_json(&answer).expect("a SystemResult")
    }
}

fn binary(bytes: &[u8]) -> Binary {
    Binary::from(bytes)
}

/// The text of cosmwasm-std's `StdError::msg(text)` (cosmwasm-std 3 prefixes the kind), which
/// its own glue answers for a failed address import.
fn std_error(text: &str) -> String {
    StdError::msg(text).to_string()
}

/// How cosmwasm-vm reports a call that ended through the `abort` import.
const ABORTED: &str = "Error executing Wasm: Wasmer runtime error: RuntimeError: Aborted: ";

// ---- addresses ----

#[test]
fn canonicalize_then_humanize_gives_the_address_back() {
    let mut probe = Probe::new();
    let address = probe.chain.addr("someone");
    let canonical = probe.data(&ExecuteMsg::Canonicalize {
        address: address.to_string(),
    });
    // MockApi's addresses are bech32 of a 32-byte hash.
    assert_eq!(canonical.len(), 32);
    let human = probe.data(&ExecuteMsg::Humanize { canonical });
    assert_eq!(human.as_slice(), address.as_bytes());
}

#[test]
fn canonicalize_refuses_as_cosmwasm_std_does() {
    let mut probe = Probe::new();
    // A valid bech32 address of another chain.
    let foreign = MockApi::default().with_prefix("osmo").addr_make("someone");
    let cases = [
        (
            "not an address".to_string(),
            "addr_canonicalize errored: Error decoding bech32",
        ),
        (foreign, "addr_canonicalize errored: Wrong bech32 prefix"),
        (String::new(), "addr_canonicalize errored: Input is empty"),
    ];
    for (address, expected) in cases {
        let text = probe.contract_error(&ExecuteMsg::Canonicalize {
            address: address.clone(),
        });
        assert_eq!(text, std_error(expected), "{address:?}");
    }
    // Refused before the import, as cosmwasm-std does (the VM reads at most 256 bytes).
    let text = probe.contract_error(&ExecuteMsg::Canonicalize {
        address: "a".repeat(257),
    });
    assert_eq!(text, std_error("input too long for addr_canonicalize"));
}

#[test]
fn humanize_refuses_an_empty_canonical_address() {
    let mut probe = Probe::new();
    let text = probe.contract_error(&ExecuteMsg::Humanize {
        canonical: Binary::default(),
    });
    assert_eq!(
        text,
        std_error("addr_humanize errored: Invalid canonical address length")
    );
}

// ---- ed25519 ----

struct Ed25519Signed {
    message: Binary,
    signature: Binary,
    public_key: Binary,
}

fn ed25519_signed(seed: u8, message: &[u8]) -> Ed25519Signed {
    let key = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    Ed25519Signed {
        message: binary(message),
        signature: binary(&key.sign(message).to_bytes()),
        public_key: binary(key.verifying_key().as_bytes()),
    }
}

fn ed25519_verify(signed: &Ed25519Signed) -> ExecuteMsg {
    ExecuteMsg::Ed25519Verify {
        message: signed.message.clone(),
        signature: signed.signature.clone(),
        public_key: signed.public_key.clone(),
    }
}

#[test]
fn ed25519_verify_accepts_a_valid_signature_and_rejects_another_message() {
    let mut probe = Probe::new();
    let signed = ed25519_signed(7, b"the probe signs this");
    let valid: bool = from_json(probe.data(&ed25519_verify(&signed))).expect("bool");
    assert!(valid);

    let tampered = Ed25519Signed {
        message: binary(b"the probe signs that"),
        ..signed
    };
    let valid: bool = from_json(probe.data(&ed25519_verify(&tampered))).expect("bool");
    assert!(!valid);
}

#[test]
fn ed25519_verify_reports_malformed_keys_and_signatures() {
    let mut probe = Probe::new();
    let signed = ed25519_signed(7, b"the probe signs this");
    let short_key = Ed25519Signed {
        public_key: binary(&signed.public_key[..31]),
        message: signed.message.clone(),
        signature: signed.signature.clone(),
    };
    assert_eq!(
        probe.contract_error(&ed25519_verify(&short_key)),
        "verification failed: Invalid public key format"
    );
    let short_signature = Ed25519Signed {
        signature: binary(&signed.signature[..63]),
        ..signed
    };
    assert_eq!(
        probe.contract_error(&ed25519_verify(&short_signature)),
        "verification failed: Invalid signature format"
    );
}

fn ed25519_batch(signed: &[&Ed25519Signed]) -> ExecuteMsg {
    ExecuteMsg::Ed25519BatchVerify {
        messages: signed.iter().map(|s| s.message.clone()).collect(),
        signatures: signed.iter().map(|s| s.signature.clone()).collect(),
        public_keys: signed.iter().map(|s| s.public_key.clone()).collect(),
    }
}

#[test]
fn ed25519_batch_verify_checks_every_signature() {
    let mut probe = Probe::new();
    let first = ed25519_signed(1, b"first message");
    let second = ed25519_signed(2, b"second, longer message");
    let valid: bool = from_json(probe.data(&ed25519_batch(&[&first, &second]))).expect("bool");
    assert!(valid);

    // The second signature over the first message: one bad entry fails the batch.
    let swapped = Ed25519Signed {
        message: first.message.clone(),
        signature: second.signature.clone(),
        public_key: second.public_key.clone(),
    };
    let valid: bool = from_json(probe.data(&ed25519_batch(&[&first, &swapped]))).expect("bool");
    assert!(!valid);
}

#[test]
fn ed25519_batch_verify_refuses_lists_of_different_lengths() {
    let mut probe = Probe::new();
    let first = ed25519_signed(1, b"first message");
    let second = ed25519_signed(2, b"second message");
    let msg = ExecuteMsg::Ed25519BatchVerify {
        messages: vec![first.message.clone(), second.message.clone()],
        signatures: vec![first.signature.clone()],
        public_keys: vec![first.public_key.clone(), second.public_key.clone()],
    };
    // The VM answers code 7 (batch error), which cosmwasm-std's glue also reports as unknown.
    assert_eq!(
        probe.contract_error(&msg),
        "verification failed: Unknown error: 7"
    );
}

// ---- secp256k1 ----

struct Secp256k1Signed {
    hash: Binary,
    signature: Binary,
    recovery_param: u32,
    compressed_key: Binary,
    uncompressed_key: Binary,
}

fn secp256k1_signed(message: &[u8]) -> Secp256k1Signed {
    let key = k256::ecdsa::SigningKey::from_slice(&[0x42; 32]).expect("a valid scalar");
    let hash: [u8; 32] = Sha256::digest(message).into();
    let (signature, recovery_id) = key.sign_prehash_recoverable(&hash).expect("signature");
    let public_key = key.verifying_key();
    Secp256k1Signed {
        hash: binary(&hash),
        signature: binary(&signature.to_bytes()),
        recovery_param: recovery_id.to_byte().into(),
        compressed_key: binary(public_key.to_encoded_point(true).as_bytes()),
        uncompressed_key: binary(public_key.to_encoded_point(false).as_bytes()),
    }
}

#[test]
fn secp256k1_verify_accepts_a_valid_signature_and_rejects_another_hash() {
    let mut probe = Probe::new();
    let signed = secp256k1_signed(b"the probe signs this");
    for public_key in [&signed.compressed_key, &signed.uncompressed_key] {
        let valid: bool = from_json(probe.data(&ExecuteMsg::Secp256k1Verify {
            hash: signed.hash.clone(),
            signature: signed.signature.clone(),
            public_key: public_key.clone(),
        }))
        .expect("bool");
        assert!(valid);
    }
    let other: [u8; 32] = Sha256::digest(b"something else").into();
    let valid: bool = from_json(probe.data(&ExecuteMsg::Secp256k1Verify {
        hash: binary(&other),
        signature: signed.signature.clone(),
        public_key: signed.compressed_key.clone(),
    }))
    .expect("bool");
    assert!(!valid);
}

#[test]
fn secp256k1_verify_reports_malformed_input() {
    let mut probe = Probe::new();
    let signed = secp256k1_signed(b"the probe signs this");
    let cases = [
        (
            binary(&signed.hash[..31]),
            signed.signature.clone(),
            signed.compressed_key.clone(),
            "verification failed: Invalid hash format",
        ),
        (
            signed.hash.clone(),
            binary(&signed.signature[..63]),
            signed.compressed_key.clone(),
            "verification failed: Invalid signature format",
        ),
        (
            signed.hash.clone(),
            signed.signature.clone(),
            binary(&signed.compressed_key[..32]),
            "verification failed: Invalid public key format",
        ),
    ];
    for (hash, signature, public_key, expected) in cases {
        let text = probe.contract_error(&ExecuteMsg::Secp256k1Verify {
            hash,
            signature,
            public_key,
        });
        assert_eq!(text, expected);
    }
}

#[test]
fn secp256k1_recover_pubkey_gives_the_signers_uncompressed_key() {
    let mut probe = Probe::new();
    let signed = secp256k1_signed(b"the probe signs this");
    let recovered = probe.data(&ExecuteMsg::Secp256k1RecoverPubkey {
        hash: signed.hash.clone(),
        signature: signed.signature.clone(),
        recovery_param: signed.recovery_param,
    });
    assert_eq!(recovered, signed.uncompressed_key);
    // The other recovery parameter names another key.
    let other = probe.data(&ExecuteMsg::Secp256k1RecoverPubkey {
        hash: signed.hash.clone(),
        signature: signed.signature.clone(),
        recovery_param: 1 - signed.recovery_param,
    });
    assert_ne!(other, signed.uncompressed_key);
    assert_eq!(other.len(), 65);
}

#[test]
fn secp256k1_recover_pubkey_reports_malformed_input() {
    let mut probe = Probe::new();
    let signed = secp256k1_signed(b"the probe signs this");
    let cases = [
        (
            binary(&signed.hash[..31]),
            signed.signature.clone(),
            0,
            "recovery failed: Invalid hash format",
        ),
        (
            signed.hash.clone(),
            binary(&signed.signature[..63]),
            0,
            "recovery failed: Invalid signature format",
        ),
        (
            signed.hash.clone(),
            signed.signature.clone(),
            2,
            "recovery failed: Invalid recovery parameter. Supported values: 0 and 1.",
        ),
    ];
    for (hash, signature, recovery_param, expected) in cases {
        let text = probe.contract_error(&ExecuteMsg::Secp256k1RecoverPubkey {
            hash,
            signature,
            recovery_param,
        });
        assert_eq!(text, expected);
    }
}

// ---- debug ----

#[test]
fn debug_reaches_the_vm_and_does_not_fail_the_call() {
    let mut probe = Probe::new();
    let response = probe
        .execute(&ExecuteMsg::Debug {
            text: "probe says hello".to_string(),
        })
        .expect("debug");
    assert_eq!(response, Response::new());

    // With a debug handler installed (VmChain installs none), the text arrives as sent.
    let mut instance = mock_instance(&probe_wasm(), &[]);
    let received = Rc::new(RefCell::new(Vec::<String>::new()));
    let sink = received.clone();
    instance.set_debug_handler(move |message, _info| sink.borrow_mut().push(message.to_string()));
    let info = cosmwasm_std::MessageInfo {
        sender: probe.sender.clone(),
        funds: vec![],
    };
    let msg = to_json_vec(&ExecuteMsg::Debug {
        text: "probe says hello".to_string(),
    })
    .expect("json");
    let result: ContractResult<Response> =
        cosmwasm_vm::call_execute(&mut instance, &mock_env(), &info, &msg).expect("vm");
    assert_eq!(result, ContractResult::Ok(Response::new()));
    assert_eq!(*received.borrow(), vec!["probe says hello".to_string()]);
}

// ---- storage ranges ----

/// Writes keys `a`…`e` with values `A`…`E`.
fn probe_with_entries() -> Probe {
    let mut probe = Probe::new();
    for key in [b'a', b'b', b'c', b'd', b'e'] {
        probe.write(&[key], &[key.to_ascii_uppercase()]);
    }
    probe
}

fn bounds(start: Option<&[u8]>, end: Option<&[u8]>, descending: bool, skip: u32) -> Bounds {
    Bounds {
        start: start.map(binary),
        end: end.map(binary),
        descending,
        skip,
    }
}

fn singles(bytes: &[u8]) -> Vec<Binary> {
    bytes.iter().map(|byte| binary(&[*byte])).collect()
}

#[test]
fn range_keys_lists_keys_in_either_order_within_bounds() {
    let mut probe = probe_with_entries();
    let cases = [
        (bounds(None, None, false, 0), b"abcde".as_slice()),
        (bounds(None, None, true, 0), b"edcba"),
        (bounds(Some(b"b"), Some(b"d"), false, 0), b"bc"),
        (bounds(Some(b"b"), Some(b"d"), true, 0), b"cb"),
        (bounds(Some(b"bb"), None, false, 0), b"cde"),
        (bounds(Some(b"x"), None, false, 0), b""),
        (bounds(Some(b"c"), Some(b"c"), false, 0), b""),
        (bounds(Some(b"d"), Some(b"b"), true, 0), b""),
    ];
    for (bounds, expected) in cases {
        let keys: Vec<Binary> = from_json(probe.data(&ExecuteMsg::RangeKeys {
            bounds: bounds.clone(),
        }))
        .expect("keys");
        assert_eq!(keys, singles(expected), "{bounds:?}");
    }
}

#[test]
fn range_values_lists_values_in_either_order_within_bounds() {
    let mut probe = probe_with_entries();
    let cases = [
        (bounds(None, None, false, 0), b"ABCDE".as_slice()),
        (bounds(None, None, true, 0), b"EDCBA"),
        (bounds(Some(b"b"), Some(b"e"), true, 0), b"DCB"),
    ];
    for (bounds, expected) in cases {
        let values: Vec<Binary> = from_json(probe.data(&ExecuteMsg::RangeValues {
            bounds: bounds.clone(),
        }))
        .expect("values");
        assert_eq!(values, singles(expected), "{bounds:?}");
    }
}

#[test]
fn skipping_with_nth_drops_exactly_the_first_entries() {
    let mut probe = probe_with_entries();
    let cases = [
        (bounds(None, None, false, 2), b"cde".as_slice()),
        (bounds(None, None, true, 1), b"dcba"),
        (bounds(Some(b"b"), Some(b"e"), false, 2), b"d"),
        (bounds(None, None, false, 4), b"e"),
        (bounds(None, None, false, 5), b""),
        (bounds(None, None, true, 9), b""),
    ];
    for (bounds, expected) in cases {
        let keys: Vec<Binary> = from_json(probe.data(&ExecuteMsg::RangeKeys {
            bounds: bounds.clone(),
        }))
        .expect("keys");
        assert_eq!(keys, singles(expected), "keys {bounds:?}");

        let values: Vec<Binary> = from_json(probe.data(&ExecuteMsg::RangeValues {
            bounds: bounds.clone(),
        }))
        .expect("values");
        assert_eq!(
            values,
            singles(&expected.to_ascii_uppercase()),
            "values {bounds:?}"
        );

        let entries: Vec<Entry> = from_json(probe.data(&ExecuteMsg::Range {
            bounds: bounds.clone(),
        }))
        .expect("entries");
        let expected_entries: Vec<Entry> = expected
            .iter()
            .map(|key| Entry {
                key: binary(&[*key]),
                value: binary(&[key.to_ascii_uppercase()]),
            })
            .collect();
        assert_eq!(entries, expected_entries, "entries {bounds:?}");
    }
}

#[test]
fn a_large_value_comes_back_whole() {
    let mut probe = Probe::new();
    // Far above any buffer size the glue could guess: the VM allocates the region.
    let value: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    probe.write(b"big", &value);
    let values: Vec<Binary> = from_json(probe.data(&ExecuteMsg::RangeValues {
        bounds: bounds(None, None, false, 0),
    }))
    .expect("values");
    assert_eq!(values, vec![Binary::new(value)]);
}

// ---- failures ----

#[test]
fn setting_an_empty_value_aborts_the_call_and_keeps_the_store() {
    let mut probe = probe_with_entries();
    let error = probe.failure(&ExecuteMsg::WriteEmpty {
        key: binary(b"new"),
    });
    match error {
        VmCallError::Vm(text) => assert_eq!(
            text,
            format!("{ABORTED}Storage::set with an empty value: use Storage::remove")
        ),
        other => panic!("expected the VM's abort, got {other:?}"),
    }
}

#[test]
fn a_panic_fails_the_call_with_its_message() {
    let mut probe = probe_with_entries();
    let error = probe.failure(&ExecuteMsg::Panic {});
    match error {
        VmCallError::Vm(text) => {
            // The hook's text: "panicked at <file>:<line>:<column>:\n<message>".
            let location = format!("{ABORTED}panicked at packages/entry-probe/src/contract.rs:");
            assert!(text.starts_with(&location), "{text}");
            assert!(text.ends_with(&format!(":\n{PANIC_MESSAGE}")), "{text}");
        }
        other => panic!("expected the VM's abort, got {other:?}"),
    }
}

#[test]
fn an_answer_cw_ics_json_cannot_write_is_an_error_naming_the_message_kind() {
    let mut probe = Probe::new();
    let text = probe.contract_error(&ExecuteMsg::SendInstantiate {});
    assert_eq!(
        text,
        "the answer holds a WasmMsg::Instantiate message, which cw-ics-entry cannot write"
    );
}

// ---- queries ----

#[test]
fn a_raw_bank_query_answers_the_balance() {
    let mut probe = Probe::new();
    let request = to_json_vec(&QueryRequest::<Empty>::Bank(BankQuery::Balance {
        address: probe.sender.to_string(),
        denom: "uatom".to_string(),
    }))
    .expect("json");
    let answer = probe.raw_query(&request);
    let SystemResult::Ok(ContractResult::Ok(balance)) = answer else {
        panic!("expected a balance, got {answer:?}");
    };
    let balance: BalanceResponse = from_json(balance).expect("a balance");
    assert_eq!(balance.amount, Coin::new(0u128, "uatom"));
}

#[test]
fn a_raw_query_to_a_missing_contract_answers_no_such_contract() {
    let mut probe = Probe::new();
    let missing = probe.chain.addr("nobody");
    let request = to_json_vec(&QueryRequest::<Empty>::Wasm(WasmQuery::Smart {
        contract_addr: missing.to_string(),
        msg: binary(b"{}"),
    }))
    .expect("json");
    assert_eq!(
        probe.raw_query(&request),
        SystemResult::Err(SystemError::NoSuchContract {
            addr: missing.to_string()
        })
    );
}

#[test]
fn a_raw_query_the_chain_cannot_read_answers_invalid_request() {
    let mut probe = Probe::new();
    let answer = probe.raw_query(b"not json");
    assert!(
        matches!(
            &answer,
            SystemResult::Err(SystemError::InvalidRequest { request, .. })
                if request.as_slice() == b"not json"
        ),
        "{answer:?}"
    );
}

#[test]
fn a_raw_query_answered_with_a_contract_error_passes_it_on() {
    let chain = VmChain::new("probe-1")
        .expect("chain")
        .with_custom_query_handler(|_| SystemResult::Ok(ContractResult::Err("refused".into())));
    let mut probe = Probe::on(chain);
    let request = to_json_vec(&QueryRequest::<Empty>::Custom(Empty {})).expect("json");
    assert_eq!(
        probe.raw_query(&request),
        SystemResult::Ok(ContractResult::Err("refused".to_string()))
    );
}

// ---- the (env, msg) exports ----

#[test]
fn sudo_runs_with_env_and_message_only() {
    let mut probe = Probe::new();
    let contract = probe.contract.clone();
    probe
        .chain
        .sudo::<Empty>(
            &contract,
            &SudoMsg::Write {
                key: binary(b"k"),
                value: binary(b"v"),
            },
        )
        .expect("sudo");
    assert_eq!(probe.store(), vec![(b"k".to_vec(), b"v".to_vec())]);
}

#[test]
fn migrate_runs_whether_or_not_the_vm_passes_migrate_info() {
    let mut instance = mock_instance(&probe_wasm(), &[]);
    let msg = to_json_vec(&MigrateMsg {
        data: binary(b"migrated"),
    })
    .expect("json");
    let expected = ContractResult::Ok(Response::new().set_data(binary(b"migrated")));

    let result: ContractResult<Response> =
        call_migrate(&mut instance, &mock_env(), &msg).expect("vm");
    assert_eq!(result, expected);

    // wasmd ≥ 0.53 passes MigrateInfo; the VM drops it for a two-argument export.
    let info = MigrateInfo {
        sender: Addr::unchecked("admin"),
        old_migrate_version: None,
    };
    let result: ContractResult<Response> =
        call_migrate_with_info(&mut instance, &mock_env(), &msg, &info).expect("vm");
    assert_eq!(result, expected);
}
