use crate::toy::{InstantiateMsg, QueryMsg, ReceiveMode};
use crate::{deploy, network, state, toy_channel, A, B};
use cosmwasm_std::{ChannelResponse, IbcOrder, PortIdResponse};
use cw_ics_ibc_sim::{contract_port, ChannelState, HandshakeStep, IbcEvent, SimError};

#[test]
fn four_step_handshake_calls_both_contracts_and_opens_both_ends() {
    let (coord, a, b, path) =
        toy_channel(IbcOrder::Ordered, ReceiveMode::Count, ReceiveMode::Count);

    assert_eq!(path.a.channel_id, "channel-0");
    assert_eq!(path.b.channel_id, "channel-0");
    assert_eq!(path.version, "toy-1");
    // OpenAck on a, OpenConfirm on b: each side's connect ran once
    assert_eq!(
        state(&coord, A, &a).connected,
        vec!["channel-0".to_string()]
    );
    assert_eq!(
        state(&coord, B, &b).connected,
        vec!["channel-0".to_string()]
    );

    let end_a = coord
        .chain(A)
        .unwrap()
        .channel(&path.a.port_id, "channel-0")
        .unwrap();
    let end_b = coord
        .chain(B)
        .unwrap()
        .channel(&path.b.port_id, "channel-0")
        .unwrap();
    assert_eq!(end_a.state, ChannelState::Open);
    assert_eq!(end_b.state, ChannelState::Open);
    assert_eq!(end_a.counterparty_port_id, contract_port(&b));
    assert_eq!(end_b.counterparty_channel_id, "channel-0");
    assert_eq!(end_a.connection_id, path.a.connection_id);

    let steps: Vec<&str> = coord
        .events()
        .iter()
        .filter_map(|e| match e {
            IbcEvent::ChannelOpenInit { at, .. } if at.chain_id == A => Some("init@a"),
            IbcEvent::ChannelOpenTry { at, .. } if at.chain_id == B => Some("try@b"),
            IbcEvent::ChannelOpenAck { at, .. } if at.chain_id == A => Some("ack@a"),
            IbcEvent::ChannelOpenConfirm { at, .. } if at.chain_id == B => Some("confirm@b"),
            _ => None,
        })
        .collect();
    assert_eq!(steps, vec!["init@a", "try@b", "ack@a", "confirm@b"]);
}

#[test]
fn contracts_learn_their_port_and_see_their_channel() {
    let (coord, a, _b, path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Echo);
    let chain = coord.chain(A).unwrap();

    assert_eq!(state(&coord, A, &a).port, contract_port(&a));
    let port: PortIdResponse = chain.query(&a, &QueryMsg::Port {}).unwrap();
    assert_eq!(port.port_id, contract_port(&a));

    let found: ChannelResponse = chain
        .query(
            &a,
            &QueryMsg::Channel {
                channel_id: path.a.channel_id.clone(),
            },
        )
        .unwrap();
    let channel = found.channel.expect("channel is open");
    assert_eq!(channel.counterparty_endpoint.port_id, path.b.port_id);
    assert_eq!(channel.version, "toy-1");
    assert_eq!(channel.order, IbcOrder::Unordered);

    let missing: ChannelResponse = chain
        .query(
            &a,
            &QueryMsg::Channel {
                channel_id: "channel-9".to_string(),
            },
        )
        .unwrap();
    assert!(missing.channel.is_none());
}

#[test]
fn a_version_mismatch_is_refused_at_open_try_with_the_contracts_error() {
    let (mut coord, connection) = network();
    let a = deploy(
        &mut coord,
        A,
        &InstantiateMsg::new("toy-1", IbcOrder::Ordered, ReceiveMode::Count),
    );
    let b = deploy(
        &mut coord,
        B,
        &InstantiateMsg::new("toy-2", IbcOrder::Ordered, ReceiveMode::Count),
    );
    let mut path = coord.new_path(
        &connection,
        &contract_port(&a),
        &contract_port(&b),
        IbcOrder::Ordered,
        "toy-1",
    );

    coord.chan_open_init(&mut path).unwrap();
    let err = coord.chan_open_try(&mut path).unwrap_err();

    match err {
        SimError::HandshakeRefused {
            step,
            error,
            chain_id,
            ..
        } => {
            assert_eq!(step, "ChanOpenTry");
            assert_eq!(chain_id, B);
            assert_eq!(error, "unsupported version toy-1");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(coord.chain(B).unwrap().channels().is_empty());
    assert_eq!(
        coord
            .chain(A)
            .unwrap()
            .channel(&path.a.port_id, &path.a.channel_id)
            .unwrap()
            .state,
        ChannelState::Init
    );
    assert!(coord.events().iter().any(|e| matches!(
        e,
        IbcEvent::HandshakeRefused {
            step: HandshakeStep::OpenTry,
            ..
        }
    )));
}

#[test]
fn a_wrong_order_is_refused_at_open_init() {
    let (mut coord, connection) = network();
    let a = deploy(
        &mut coord,
        A,
        &InstantiateMsg::new("toy-1", IbcOrder::Ordered, ReceiveMode::Count),
    );
    let b = deploy(
        &mut coord,
        B,
        &InstantiateMsg::new("toy-1", IbcOrder::Ordered, ReceiveMode::Count),
    );
    let mut path = coord.new_path(
        &connection,
        &contract_port(&a),
        &contract_port(&b),
        IbcOrder::Unordered,
        "toy-1",
    );

    let err = coord.open_channel(&mut path).unwrap_err();

    assert!(matches!(err, SimError::HandshakeRefused { ref step, .. } if step == "ChanOpenInit"));
    assert!(coord.chain(A).unwrap().channels().is_empty());
    assert!(path.a.channel_id.is_empty());
}

#[test]
fn a_port_without_a_contract_is_unbound() {
    let (mut coord, connection) = network();
    let b = deploy(
        &mut coord,
        B,
        &InstantiateMsg::new("toy-1", IbcOrder::Ordered, ReceiveMode::Count),
    );
    let mut path = coord.new_path(
        &connection,
        "wasm.alpha1nothere",
        &contract_port(&b),
        IbcOrder::Ordered,
        "toy-1",
    );

    let err = coord.chan_open_init(&mut path).unwrap_err();

    assert_eq!(err, SimError::UnboundPort("wasm.alpha1nothere".to_string()));
}

#[test]
fn steps_out_of_order_are_refused() {
    let (mut coord, connection) = network();
    let a = deploy(
        &mut coord,
        A,
        &InstantiateMsg::new("toy-1", IbcOrder::Ordered, ReceiveMode::Count),
    );
    let b = deploy(
        &mut coord,
        B,
        &InstantiateMsg::new("toy-1", IbcOrder::Ordered, ReceiveMode::Count),
    );
    let mut path = coord.new_path(
        &connection,
        &contract_port(&a),
        &contract_port(&b),
        IbcOrder::Ordered,
        "toy-1",
    );
    coord.chan_open_init(&mut path).unwrap();

    // ack before try: b's end does not exist yet
    assert!(matches!(
        coord.chan_open_ack(&mut path),
        Err(SimError::UnknownChannel { .. })
    ));
    coord.chan_open_try(&mut path).unwrap();
    // confirm before ack: a's end is still INIT
    assert!(matches!(
        coord.chan_open_confirm(&mut path),
        Err(SimError::WrongChannelState { .. })
    ));
    coord.chan_open_ack(&mut path).unwrap();
    coord.chan_open_confirm(&mut path).unwrap();
}

#[test]
fn chains_are_distinct_and_duplicates_refused() {
    let (mut coord, _) = network();
    assert_eq!(coord.chain_ids(), vec![A.to_string(), B.to_string()]);
    assert!(coord
        .chain(A)
        .unwrap()
        .addr_make("x")
        .as_str()
        .starts_with("alpha1"));
    assert!(coord
        .chain(B)
        .unwrap()
        .addr_make("x")
        .as_str()
        .starts_with("beta1"));
    assert!(matches!(
        coord.add_chain(cw_ics_ibc_sim::ChainConfig::new(A, "alpha")),
        Err(SimError::DuplicateChain(_))
    ));
    assert!(matches!(
        coord.chain("nope"),
        Err(SimError::UnknownChain(_))
    ));
}

#[test]
fn a_reversed_connection_opens_the_channel_from_the_other_chain() {
    let (mut coord, connection) = network();
    let a = deploy(
        &mut coord,
        A,
        &InstantiateMsg::new("toy-1", IbcOrder::Ordered, ReceiveMode::Count),
    );
    let b = deploy(
        &mut coord,
        B,
        &InstantiateMsg::new("toy-1", IbcOrder::Ordered, ReceiveMode::Count),
    );

    let path = coord
        .create_channel(
            &connection.reversed(),
            &contract_port(&b),
            &contract_port(&a),
            IbcOrder::Ordered,
            "toy-1",
        )
        .unwrap();

    assert_eq!(path.a.chain_id, B);
    assert!(coord.events().iter().any(|e| matches!(
        e,
        IbcEvent::ChannelOpenInit { at, .. } if at.chain_id == B
    )));
    assert_eq!(
        state(&coord, A, &a).connected,
        vec![path.b.channel_id.clone()]
    );
}
