//! The contracts' `#[entry_point]` exports on the real VM: what cannot be read is an error
//! result (never a trap) that leaves the store as it was, and addresses reach the chain through
//! its import. The differential check covers the accepted path call by call; this covers the
//! edges.

use cosmwasm_std::{Addr, IbcChannel, IbcChannelOpenMsg, IbcEndpoint, IbcOrder};
use cw_ics_bindings::ChainMsg;
use cw_ics_vm_gas::artifacts::{load_artifact, PROVIDER_ARTIFACT};
use cw_ics_vm_gas::ccv::provider::ProviderVm;
use cw_ics_vm_gas::VmCallError;
use serde_json::json;
use serde_json::value::RawValue;

fn provider() -> ProviderVm {
    let wasm = load_artifact(PROVIDER_ARTIFACT).unwrap_or_else(|error| panic!("{error}"));
    let mut provider = ProviderVm::new(&wasm).expect("provider");
    provider.grow_validators(2).expect("validators");
    provider
}

/// The contract's error text, after checking the call left the store as it was.
fn refused(
    provider: &mut ProviderVm,
    call: impl FnOnce(&mut ProviderVm) -> Result<(), VmCallError>,
) -> String {
    let before = provider.chain.store(&provider.provider).cloned();
    let outcome = call(provider);
    assert_eq!(provider.chain.store(&provider.provider).cloned(), before);
    match outcome {
        Err(VmCallError::Contract(text)) => text,
        other => panic!("expected the contract's error, got {other:?}"),
    }
}

fn execute_json(
    provider: &mut ProviderVm,
    sender: &Addr,
    msg: &impl serde::Serialize,
) -> Result<(), VmCallError> {
    let address = provider.provider.clone();
    provider
        .chain
        .execute::<ChainMsg>(&address, sender, msg, &[])
        .map(drop)
}

#[test]
fn messages_the_contract_cannot_read_are_error_results() {
    let mut provider = provider();
    let sender = provider.chain.addr("anyone");
    // Texts, not `Value`s: a `Value` would sort the keys of the last case.
    let cases = [
        (
            r#"{"no_such_message":{}}"#,
            "unknown variant `no_such_message`",
        ),
        (
            r#""tick""#,
            "invalid type: unit variant, expected struct variant",
        ),
        (r#"[]"#, "expected value at line 1 column 1"),
        (r#"{"bond":{}}"#, "missing field `validator`"),
        (
            r#"{"bond":{"validator":5}}"#,
            "invalid type: integer `5`, expected a string",
        ),
        (
            r#"{"tick":{},"bond":{}}"#,
            "expected value at line 1 column 10",
        ),
    ];
    for (json, expected) in cases {
        let msg: Box<RawValue> = serde_json::from_str(json).expect("valid JSON");
        let text = refused(&mut provider, |provider| {
            execute_json(provider, &sender, &msg)
        });
        assert!(text.contains(expected), "{msg}: {text}");
    }
}

#[test]
fn a_query_the_contract_cannot_read_is_an_error_result() {
    let mut provider = provider();
    let address = provider.provider.clone();
    let text = refused(&mut provider, |provider| {
        provider
            .chain
            .query(&address, &json!({"no_such_query": {}}))
            .map(drop)
    });
    assert!(text.contains("unknown variant"), "{text}");
}

#[test]
fn addresses_are_checked_by_the_chain_through_its_import() {
    let mut provider = provider();
    let (consumer_id, _) = provider.register_consumer(0).expect("consumer");
    let admin = provider.admin.clone();
    let update = |owner: &str| json!({"update_consumer": {"consumer_id": consumer_id, "update": {"owner": owner}}});
    let text = refused(&mut provider, |provider| {
        execute_json(provider, &admin, &update("not-a-bech32-address"))
    });
    assert!(
        text.contains("addr_validate errored: Error decoding bech32"),
        "{text}"
    );
    let owner = provider.chain.addr("owner");
    execute_json(&mut provider, &admin, &update(owner.as_str())).expect("a valid owner is taken");
}

#[test]
fn ibc_entry_points_read_the_vms_messages_and_answer_errors_as_results() {
    let mut provider = provider();
    let channel = IbcChannel::new(
        IbcEndpoint {
            port_id: "wasm.provider".into(),
            channel_id: "channel-0".into(),
        },
        IbcEndpoint {
            port_id: "consumer".into(),
            channel_id: "channel-7".into(),
        },
        IbcOrder::Ordered,
        "1",
        "connection-0",
    );
    let address = provider.provider.clone();
    let text = refused(&mut provider, |provider| {
        provider
            .chain
            .ibc_channel_open(&address, &IbcChannelOpenMsg::new_init(channel.clone()))
            .map(drop)
    });
    assert!(text.contains("only accepts OpenTry"), "{text}");
    // OpenTry is read (channel, order, version) and refused for having no consumer behind it.
    let text = refused(&mut provider, |provider| {
        provider
            .chain
            .ibc_channel_open(&address, &IbcChannelOpenMsg::new_try(channel, "1"))
            .map(drop)
    });
    assert!(
        text.contains("connection connection-0 and port consumer"),
        "{text}"
    );
}
