//! `cosmwasm-std`'s entry-point types: what this crate reads is what serde reads, and what it
//! writes is byte for byte what `serde_json` writes.

use core::fmt::Debug;

use cosmwasm_schema::cw_serde;
use cosmwasm_std::testing::mock_env;
use cosmwasm_std::{
    Addr, Attribute, BankMsg, Binary, BlockInfo, Coin, ContractInfo, ContractResult, CosmosMsg,
    Env, Event, Ibc3ChannelOpenResponse, IbcAcknowledgement, IbcBasicResponse, IbcChannel,
    IbcChannelCloseMsg, IbcChannelConnectMsg, IbcChannelOpenMsg, IbcEndpoint, IbcMsg, IbcOrder,
    IbcPacket, IbcPacketAckMsg, IbcPacketReceiveMsg, IbcPacketTimeoutMsg, IbcReceiveResponse,
    IbcTimeout, IbcTimeoutBlock, MessageInfo, ReplyOn, Response, SubMsg, SystemError, SystemResult,
    Timestamp, TransactionInfo, Uint256, WasmMsg,
};
use cw_ics_json::{
    from_slice, json_enum, serde_parity, to_vec, unsupported_message, FromJson, JsonError, ToJson,
};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The contract's custom message (`C`), declared as contracts declare theirs.
#[cw_serde]
enum ChainMsg {
    Ping { note: String },
    Halt,
}
json_enum!(ChainMsg {
    Ping = "ping" { note },
    Halt = "halt",
});

/// Both ways: written as serde writes it, and serde's text reads back to the value.
fn assert_parity<T>(value: &T)
where
    T: ToJson + FromJson + Serialize + DeserializeOwned + PartialEq + Debug,
{
    if let Err(difference) = serde_parity(value) {
        panic!("{difference}");
    }
}

/// Read side only: serde's text reads to the value serde reads from it.
fn assert_reads_as_serde<T: FromJson + DeserializeOwned + PartialEq + Debug>(text: &str) {
    let theirs: T = serde_json::from_str(text).unwrap();
    let ours: T = from_slice(text.as_bytes()).unwrap();
    assert_eq!(ours, theirs, "{text}");
}

/// Write side only (response types, which contracts never read).
fn assert_writes_as_serde<T: ToJson + Serialize>(value: &T) {
    let theirs = serde_json::to_vec(value).unwrap();
    assert_eq!(
        String::from_utf8(to_vec(value)).unwrap(),
        String::from_utf8(theirs).unwrap()
    );
}

// ---------------------------------------------------------------------------------------
// Strategies

/// Any Unicode, control characters and quotes included, so escapes are exercised.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z0-9_\\-/]{0,20}",
        Just("\"\\\n\t\u{1}\u{1f}é😀\u{2028}".to_string()),
    ]
}

fn binary() -> impl Strategy<Value = Binary> {
    vec(any::<u8>(), 0..40).prop_map(Binary::new)
}

fn uint256() -> impl Strategy<Value = Uint256> {
    prop_oneof![
        any::<[u8; 32]>().prop_map(Uint256::from_be_bytes),
        any::<u64>().prop_map(Uint256::from),
        Just(Uint256::MAX),
        Just(Uint256::zero()),
    ]
}

fn coin() -> impl Strategy<Value = Coin> {
    (text(), uint256()).prop_map(|(denom, amount)| Coin { denom, amount })
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    any::<u64>().prop_map(Timestamp::from_nanos)
}

fn addr() -> impl Strategy<Value = Addr> {
    text().prop_map(Addr::unchecked)
}

fn env() -> impl Strategy<Value = Env> {
    let block =
        (any::<u64>(), timestamp(), text()).prop_map(|(height, time, chain_id)| BlockInfo {
            height,
            time,
            chain_id,
        });
    let transaction = option::of(
        (any::<u32>(), binary()).prop_map(|(index, hash)| TransactionInfo::new(index, hash)),
    );
    (block, transaction, addr()).prop_map(|(block, transaction, address)| Env {
        block,
        transaction,
        contract: ContractInfo { address },
    })
}

fn message_info() -> impl Strategy<Value = MessageInfo> {
    (addr(), vec(coin(), 0..4)).prop_map(|(sender, funds)| MessageInfo { sender, funds })
}

fn endpoint() -> impl Strategy<Value = IbcEndpoint> {
    (text(), text()).prop_map(|(port_id, channel_id)| IbcEndpoint {
        port_id,
        channel_id,
    })
}

fn order() -> impl Strategy<Value = IbcOrder> {
    prop_oneof![Just(IbcOrder::Unordered), Just(IbcOrder::Ordered)]
}

fn channel() -> impl Strategy<Value = IbcChannel> {
    (endpoint(), endpoint(), order(), text(), text()).prop_map(
        |(endpoint, counterparty, order, version, connection)| {
            IbcChannel::new(endpoint, counterparty, order, version, connection)
        },
    )
}

fn timeout() -> impl Strategy<Value = IbcTimeout> {
    let block = (any::<u64>(), any::<u64>())
        .prop_map(|(revision, height)| IbcTimeoutBlock { revision, height });
    prop_oneof![
        block.clone().prop_map(IbcTimeout::with_block),
        timestamp().prop_map(IbcTimeout::with_timestamp),
        (block, timestamp()).prop_map(|(block, time)| IbcTimeout::with_both(block, time)),
    ]
}

fn packet() -> impl Strategy<Value = IbcPacket> {
    (binary(), endpoint(), endpoint(), any::<u64>(), timeout()).prop_map(
        |(data, src, dest, sequence, timeout)| IbcPacket::new(data, src, dest, sequence, timeout),
    )
}

fn system_error() -> impl Strategy<Value = SystemError> {
    prop_oneof![
        (text(), binary())
            .prop_map(|(error, request)| SystemError::InvalidRequest { error, request }),
        (text(), binary())
            .prop_map(|(error, response)| SystemError::InvalidResponse { error, response }),
        text().prop_map(|addr| SystemError::NoSuchContract { addr }),
        any::<u64>().prop_map(|code_id| SystemError::NoSuchCode { code_id }),
        Just(SystemError::Unknown {}),
        text().prop_map(|kind| SystemError::UnsupportedRequest { kind }),
    ]
}

fn query_answer() -> impl Strategy<Value = SystemResult<ContractResult<Binary>>> {
    prop_oneof![
        binary().prop_map(|data| SystemResult::Ok(ContractResult::Ok(data))),
        text().prop_map(|error| SystemResult::Ok(ContractResult::Err(error))),
        system_error().prop_map(SystemResult::Err),
    ]
}

fn attribute() -> impl Strategy<Value = Attribute> {
    (text(), text()).prop_map(|(key, value)| Attribute { key, value })
}

fn event() -> impl Strategy<Value = Event> {
    (text(), vec(attribute(), 0..3)).prop_map(|(ty, attributes)| {
        let mut event = Event::new(ty);
        event.attributes = attributes;
        event
    })
}

fn chain_msg() -> impl Strategy<Value = ChainMsg> {
    prop_oneof![
        text().prop_map(|note| ChainMsg::Ping { note }),
        Just(ChainMsg::Halt)
    ]
}

/// Every message kind this crate writes.
fn cosmos_msg() -> impl Strategy<Value = CosmosMsg<ChainMsg>> {
    prop_oneof![
        (text(), vec(coin(), 0..3)).prop_map(|(to_address, amount)| {
            CosmosMsg::Bank(BankMsg::Send { to_address, amount })
        }),
        vec(coin(), 0..3).prop_map(|amount| CosmosMsg::Bank(BankMsg::Burn { amount })),
        chain_msg().prop_map(CosmosMsg::Custom),
        (text(), text(), coin(), timeout(), option::of(text())).prop_map(
            |(channel_id, to_address, amount, timeout, memo)| {
                CosmosMsg::Ibc(IbcMsg::Transfer {
                    channel_id,
                    to_address,
                    amount,
                    timeout,
                    memo,
                })
            }
        ),
        (text(), binary(), timeout()).prop_map(|(channel_id, data, timeout)| {
            CosmosMsg::Ibc(IbcMsg::SendPacket {
                channel_id,
                data,
                timeout,
            })
        }),
        text().prop_map(|channel_id| CosmosMsg::Ibc(IbcMsg::CloseChannel { channel_id })),
        (text(), binary(), vec(coin(), 0..3)).prop_map(|(contract_addr, msg, funds)| {
            CosmosMsg::Wasm(WasmMsg::Execute {
                contract_addr,
                msg,
                funds,
            })
        }),
    ]
}

fn reply_on() -> impl Strategy<Value = ReplyOn> {
    prop_oneof![
        Just(ReplyOn::Always),
        Just(ReplyOn::Error),
        Just(ReplyOn::Success),
        Just(ReplyOn::Never),
    ]
}

fn sub_msg() -> impl Strategy<Value = SubMsg<ChainMsg>> {
    (
        any::<u64>(),
        binary(),
        cosmos_msg(),
        option::of(any::<u64>()),
        reply_on(),
    )
        .prop_map(|(id, payload, msg, gas_limit, reply_on)| SubMsg {
            id,
            payload,
            msg,
            gas_limit,
            reply_on,
        })
}

type Lists = (Vec<SubMsg<ChainMsg>>, Vec<Attribute>, Vec<Event>);

fn lists() -> impl Strategy<Value = Lists> {
    (
        vec(sub_msg(), 0..3),
        vec(attribute(), 0..3),
        vec(event(), 0..3),
    )
}

fn response() -> impl Strategy<Value = Response<ChainMsg>> {
    (lists(), option::of(binary())).prop_map(|((messages, attributes, events), data)| {
        let mut response = Response::new().add_submessages(messages).add_events(events);
        response.attributes = attributes;
        response.data = data;
        response
    })
}

fn basic_response() -> impl Strategy<Value = IbcBasicResponse<ChainMsg>> {
    lists().prop_map(|(messages, attributes, events)| {
        let mut response = IbcBasicResponse::new()
            .add_submessages(messages)
            .add_events(events);
        response.attributes = attributes;
        response
    })
}

fn receive_response() -> impl Strategy<Value = IbcReceiveResponse<ChainMsg>> {
    (lists(), option::of(binary())).prop_map(|((messages, attributes, events), ack)| {
        let response = match ack {
            Some(ack) => IbcReceiveResponse::new(ack),
            None => IbcReceiveResponse::without_ack(),
        };
        let mut response = response.add_submessages(messages).add_events(events);
        response.attributes = attributes;
        response
    })
}

// ---------------------------------------------------------------------------------------
// Entry-point inputs

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn env_and_message_info_match_serde(env in env(), info in message_info()) {
        assert_parity(&env);
        assert_parity(&info);
    }

    #[test]
    fn channel_messages_match_serde(
        channel in channel(),
        version in text(),
        which in 0..6u8,
    ) {
        match which {
            0 => assert_parity(&IbcChannelOpenMsg::new_init(channel)),
            1 => assert_parity(&IbcChannelOpenMsg::new_try(channel, version)),
            2 => assert_parity(&IbcChannelConnectMsg::new_ack(channel, version)),
            3 => assert_parity(&IbcChannelConnectMsg::new_confirm(channel)),
            4 => assert_parity(&IbcChannelCloseMsg::new_init(channel)),
            _ => assert_parity(&IbcChannelCloseMsg::new_confirm(channel)),
        }
    }

    #[test]
    fn packet_messages_match_serde(
        packet in packet(),
        relayer in addr(),
        ack in binary(),
    ) {
        assert_parity(&IbcPacketReceiveMsg::new(packet.clone(), relayer.clone()));
        assert_parity(&IbcPacketTimeoutMsg::new(packet.clone(), relayer.clone()));
        assert_parity(&IbcPacketAckMsg::new(IbcAcknowledgement::new(ack), packet, relayer));
    }

    #[test]
    fn query_answers_match_serde(answer in query_answer()) {
        assert_parity(&answer);
    }

    #[test]
    fn responses_match_serde(
        response in response(),
        basic in basic_response(),
        receive in receive_response(),
        error in text(),
    ) {
        assert_writes_as_serde(&response);
        assert_writes_as_serde(&basic);
        assert_writes_as_serde(&receive);
        assert_writes_as_serde(&ContractResult::Ok(response));
        assert_writes_as_serde(&ContractResult::Ok(basic));
        assert_writes_as_serde(&ContractResult::Ok(receive));
        assert_writes_as_serde(&ContractResult::<Response<ChainMsg>>::Err(error));
    }
}

/// As cosmwasm-vm's tests and cw-multi-test hand it to a contract.
#[test]
fn mock_env_matches_serde() {
    let env = mock_env();
    assert!(env.transaction.is_some());
    assert_parity(&env);

    let mut without_transaction = mock_env();
    without_transaction.transaction = None;
    assert_parity(&without_transaction);
    assert!(serde_json::to_string(&without_transaction)
        .unwrap()
        .contains(r#""transaction":null"#));
}

/// As wasmvm writes it: `time` as a string, a transaction without `hash` (before wasmvm 3),
/// and keys this version does not know, which serde skips.
#[test]
fn env_as_the_chain_writes_it() {
    assert_reads_as_serde::<Env>(
        r#"{"block":{"height":12345,"time":"1571797419879305533","chain_id":"cosmos-testnet-14002"},
            "transaction":{"index":3},
            "contract":{"address":"cosmos1jpev2csrppg792t22rn8z8uew8h3sjcpglcd0qv9g8gj8ky922tscp8avs"}}"#,
    );
    let env: Env = from_slice(br#"{"block":{"height":1,"time":"2","chain_id":"c"},"transaction":{"index":3},"contract":{"address":"a"}}"#).unwrap();
    assert_eq!(
        env.transaction,
        Some(TransactionInfo::new(3, Binary::default()))
    );
    assert_reads_as_serde::<Env>(
        r#"{"block":{"height":1,"time":"2","chain_id":"c","extra":[1,{"x":null}]},
            "transaction":{"index":0,"hash":"AAEC"},"contract":{"address":"a"},"future":true}"#,
    );
    assert_reads_as_serde::<Env>(
        r#"{"transaction":null,"contract":{"address":"a"},"block":{"chain_id":"c","time":"0","height":18446744073709551615}}"#,
    );
}

#[test]
fn message_info_with_a_huge_amount() {
    let text = r#"{"sender":"alice","funds":[{"denom":"uatom","amount":"115792089237316195423570985008687907853269984665640564039457584007913129639935"},{"denom":"","amount":"0"}]}"#;
    assert_reads_as_serde::<MessageInfo>(text);
    assert_eq!(
        to_vec(&from_slice::<MessageInfo>(text.as_bytes()).unwrap()),
        text.as_bytes()
    );
    assert!(from_slice::<MessageInfo>(
        br#"{"sender":"a","funds":[{"denom":"d","amount":"115792089237316195423570985008687907853269984665640564039457584007913129639936"}]}"#
    )
    .is_err());
}

/// The JSON wasmvm writes for a channel and packet, field for field.
#[test]
fn ibc_messages_as_the_chain_writes_them() {
    let channel = r#"{"endpoint":{"port_id":"wasm.cosmos1x","channel_id":"channel-0"},
        "counterparty_endpoint":{"port_id":"consumer","channel_id":"channel-7"},
        "order":"ORDER_ORDERED","version":"ccv-1","connection_id":"connection-0"}"#;
    assert_reads_as_serde::<IbcChannelOpenMsg>(&format!(
        r#"{{"open_init":{{"channel":{channel}}}}}"#
    ));
    assert_reads_as_serde::<IbcChannelOpenMsg>(&format!(
        r#"{{"open_try":{{"channel":{channel},"counterparty_version":"ccv-1"}}}}"#
    ));
    assert_reads_as_serde::<IbcChannelConnectMsg>(&format!(
        r#"{{"open_ack":{{"channel":{channel},"counterparty_version":"ccv-1"}}}}"#
    ));
    assert_reads_as_serde::<IbcChannelCloseMsg>(&format!(
        r#"{{"close_confirm":{{"channel":{channel}}}}}"#
    ));
    // wasmvm leaves out a zero timestamp (`omitempty`).
    let packet = r#"{"data":"eyJ9","src":{"port_id":"a","channel_id":"channel-1"},
        "dest":{"port_id":"b","channel_id":"channel-2"},"sequence":18446744073709551615,
        "timeout":{"block":{"revision":1,"height":99}}}"#;
    assert_reads_as_serde::<IbcPacketReceiveMsg>(&format!(
        r#"{{"packet":{packet},"relayer":"cosmos1relayer"}}"#
    ));
    assert_reads_as_serde::<IbcPacketAckMsg>(&format!(
        r#"{{"acknowledgement":{{"data":"eyJyZXN1bHQiOiJBUT09In0="}},"original_packet":{packet},"relayer":"r"}}"#
    ));
    assert_reads_as_serde::<IbcPacketTimeoutMsg>(&format!(
        r#"{{"packet":{packet},"relayer":"r"}}"#
    ));
    assert!(from_slice::<IbcChannelOpenMsg>(
        format!(
            r#"{{"open_init":{{"channel":{}}}}}"#,
            channel.replace("ORDER_ORDERED", "ordered")
        )
        .as_bytes()
    )
    .is_err());
}

/// A timeout with neither block nor timestamp has no constructor, but serde reads one.
#[test]
fn a_timeout_with_neither_block_nor_timestamp_reads_as_serde_reads_it() {
    assert_reads_as_serde::<IbcTimeout>(r#"{"block":null,"timestamp":null}"#);
    assert_reads_as_serde::<IbcTimeout>(r#"{}"#);
    assert_reads_as_serde::<IbcTimeout>(r#"{"timestamp":"5"}"#);
    let neither: IbcTimeout = from_slice(b"{}").unwrap();
    assert_eq!((neither.block(), neither.timestamp()), (None, None));
    assert_writes_as_serde(&neither);
}

#[test]
fn query_answers_as_the_host_writes_them() {
    for text in [
        r#"{"ok":{"ok":"eyJhIjoxfQ=="}}"#,
        r#"{"ok":{"error":"contract: not found \"x\""}}"#,
        r#"{"error":{"no_such_contract":{"addr":"cosmos1x"}}}"#,
        r#"{"error":{"no_such_code":{"code_id":18446744073709551615}}}"#,
        r#"{"error":{"unknown":{}}}"#,
        r#"{"error":{"unsupported_request":{"kind":"custom"}}}"#,
        r#"{"error":{"invalid_request":{"error":"e","request":""}}}"#,
        r#"{"error":{"invalid_response":{"error":"e","response":"AA=="}}}"#,
    ] {
        assert_reads_as_serde::<SystemResult<ContractResult<Binary>>>(text);
    }
}

/// serde refuses a variant it does not know, and so does this crate (it is not read as
/// `SystemError::Unknown {}`).
#[test]
fn an_unknown_system_error_is_refused_as_serde_refuses_it() {
    let text = br#"{"error":{"out_of_gas":{}}}"#;
    assert!(serde_json::from_slice::<SystemResult<ContractResult<Binary>>>(text).is_err());
    assert_eq!(
        from_slice::<SystemResult<ContractResult<Binary>>>(text),
        Err(JsonError::UnknownVariant("out_of_gas".to_string()))
    );
    // A variant with content given as a bare string is refused by both.
    for text in [&br#"{"error":"unknown"}"#[..], br#""ok""#] {
        assert!(serde_json::from_slice::<SystemResult<ContractResult<Binary>>>(text).is_err());
        assert!(from_slice::<SystemResult<ContractResult<Binary>>>(text).is_err());
    }
}

// ---------------------------------------------------------------------------------------
// Entry-point outputs

#[test]
fn channel_open_answers_match_serde() {
    let answers: [ContractResult<Option<Ibc3ChannelOpenResponse>>; 3] = [
        ContractResult::Ok(None),
        ContractResult::Ok(Some(Ibc3ChannelOpenResponse {
            version: "ccv-1".to_string(),
        })),
        ContractResult::Err("refused: \"order\"".to_string()),
    ];
    for answer in &answers {
        assert_writes_as_serde(answer);
    }
    assert_eq!(to_vec(&answers[0]), br#"{"ok":null}"#);
}

/// A realistic response: an IBC packet, a bank send and a custom message, with attributes
/// and an event.
#[test]
fn a_realistic_response_matches_serde() {
    let timeout = IbcTimeout::with_timestamp(Timestamp::from_seconds(1_700_000_000));
    let response: Response<ChainMsg> = Response::new()
        .add_message(IbcMsg::SendPacket {
            channel_id: "channel-0".to_string(),
            data: Binary::from(br#"{"vsc":{}}"#.as_slice()),
            timeout: timeout.clone(),
        })
        .add_submessage(SubMsg::reply_on_error(
            BankMsg::Send {
                to_address: "cosmos1x".to_string(),
                amount: vec![Coin::new(5u128, "uatom")],
            },
            7,
        ))
        .add_message(CosmosMsg::Custom(ChainMsg::Halt))
        .add_attribute("action", "end_block")
        .add_event(Event::new("ccv").add_attribute("power", "100"))
        .set_data(b"ok".as_slice());
    assert_writes_as_serde(&response);
    assert_writes_as_serde(&ContractResult::Ok(response));
    assert_writes_as_serde(&Response::<ChainMsg>::new());
    assert_writes_as_serde(&IbcBasicResponse::<ChainMsg>::new());
    assert_writes_as_serde(&IbcReceiveResponse::<ChainMsg>::without_ack());

    // `Empty`, the default custom message type.
    let plain: Response = Response::new()
        .add_message(BankMsg::Burn { amount: vec![] })
        .add_message(CosmosMsg::Custom(cosmwasm_std::Empty {}));
    assert_writes_as_serde(&ContractResult::Ok(plain));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn messages_match_serde(msg in sub_msg()) {
        assert_writes_as_serde(&msg);
        assert_eq!(unsupported_message(&[msg]), None);
    }
}

#[test]
fn unsupported_messages_are_named() {
    let supported = SubMsg::<ChainMsg>::new(WasmMsg::Execute {
        contract_addr: "c".to_string(),
        msg: Binary::default(),
        funds: vec![],
    });
    let instantiate = SubMsg::<ChainMsg>::new(WasmMsg::Instantiate {
        admin: None,
        code_id: 1,
        msg: Binary::default(),
        funds: vec![],
        label: "l".to_string(),
    });
    let any = SubMsg::<ChainMsg>::new(CosmosMsg::Any(cosmwasm_std::AnyMsg {
        type_url: "/x".to_string(),
        value: Binary::default(),
    }));
    assert_eq!(unsupported_message::<ChainMsg>(&[]), None);
    assert_eq!(unsupported_message(core::slice::from_ref(&supported)), None);
    assert_eq!(
        unsupported_message(&[supported.clone(), instantiate.clone(), any.clone()]),
        Some("WasmMsg::Instantiate")
    );
    assert_eq!(
        unsupported_message(&[supported, any.clone()]),
        Some("CosmosMsg::Any")
    );
    // What a caller that did not check would send: unmistakably not a message.
    assert_eq!(
        to_vec(&any.msg),
        b"null",
        "an unsupported message is written as null"
    );
    assert_eq!(to_vec(&instantiate.msg), br#"{"wasm":null}"#);
}
