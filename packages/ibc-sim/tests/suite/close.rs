use crate::toy::{ExecuteMsg, InstantiateMsg, ReceiveMode};
use crate::{deploy, in_an_hour, network, send, state, toy_channel, A, B};
use cosmwasm_std::IbcOrder;
use cw_ics_ibc_sim::{contract_port, ChannelState, IbcEvent, PacketId, RelayOutcome, SimError};

#[test]
fn a_contract_closes_its_channel_and_the_counterparty_confirms_when_relayed() {
    let (mut coord, a, b, path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Echo);
    let chain = coord.chain_mut(A).unwrap();
    let user = chain.addr_make("user");
    chain
        .execute(
            &user,
            &a,
            &ExecuteMsg::Close {
                channel_id: path.a.channel_id.clone(),
            },
            &[],
        )
        .unwrap();

    assert_eq!(
        state(&coord, A, &a).closed,
        vec!["init:channel-0".to_string()]
    );
    assert_eq!(
        coord
            .chain(A)
            .unwrap()
            .channel(&path.a.port_id, &path.a.channel_id)
            .unwrap()
            .state,
        ChannelState::Closed
    );
    assert_eq!(
        coord
            .chain(B)
            .unwrap()
            .channel(&path.b.port_id, &path.b.channel_id)
            .unwrap()
            .state,
        ChannelState::Open
    );

    let summary = coord.relay_all().unwrap();

    assert_eq!(summary.channels_closed, 1);
    assert_eq!(
        state(&coord, B, &b).closed,
        vec!["confirm:channel-0".to_string()]
    );
    assert_eq!(
        coord
            .chain(B)
            .unwrap()
            .channel(&path.b.port_id, &path.b.channel_id)
            .unwrap()
            .state,
        ChannelState::Closed
    );
    assert!(coord
        .events()
        .iter()
        .any(|e| matches!(e, IbcEvent::ChannelCloseInit { at, .. } if at.chain_id == A)));
}

#[test]
fn a_contract_may_refuse_a_users_close_init() {
    let (mut coord, connection) = network();
    let mut refusing = InstantiateMsg::new("toy-1", IbcOrder::Ordered, ReceiveMode::Count);
    refusing.refuse_close = true;
    let a = deploy(&mut coord, A, &refusing);
    let b = deploy(
        &mut coord,
        B,
        &InstantiateMsg::new("toy-1", IbcOrder::Ordered, ReceiveMode::Count),
    );
    let path = coord
        .create_channel(
            &connection,
            &contract_port(&a),
            &contract_port(&b),
            IbcOrder::Ordered,
            "toy-1",
        )
        .unwrap();

    let err = coord
        .close_channel(A, &path.a.port_id, &path.a.channel_id)
        .unwrap_err();
    match err {
        SimError::CloseRefused { error, .. } => assert_eq!(error, "this channel cannot be closed"),
        other => panic!("unexpected {other:?}"),
    }
    // the contract's own CloseChannel goes through the same check
    let chain = coord.chain_mut(A).unwrap();
    let user = chain.addr_make("user");
    let own = chain.execute(
        &user,
        &a,
        &ExecuteMsg::Close {
            channel_id: path.a.channel_id.clone(),
        },
        &[],
    );
    assert!(own.is_err());
    assert_eq!(
        coord
            .chain(A)
            .unwrap()
            .channel(&path.a.port_id, &path.a.channel_id)
            .unwrap()
            .state,
        ChannelState::Open
    );

    // the non-refusing side can be closed by a user
    coord
        .close_channel(B, &path.b.port_id, &path.b.channel_id)
        .unwrap();
    coord.relay_all().unwrap();
    assert_eq!(
        state(&coord, A, &a).closed,
        vec!["confirm:channel-0".to_string()]
    );
    assert_eq!(
        state(&coord, B, &b).closed,
        vec!["init:channel-0".to_string()]
    );
}

#[test]
fn a_packet_towards_a_closed_end_times_out_on_close() {
    let (mut coord, a, b, path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Echo);
    let timeout = in_an_hour(&coord, B);
    send(&mut coord, A, &a, &path, "orphan", timeout);
    coord
        .close_channel(B, &path.b.port_id, &path.b.channel_id)
        .unwrap();

    let outcome = coord
        .relay_packet(&PacketId::new(A, &path.a.port_id, &path.a.channel_id, 1))
        .unwrap();

    assert_eq!(outcome, RelayOutcome::TimedOut);
    assert_eq!(state(&coord, A, &a).timeouts, vec![1]);
    assert!(state(&coord, B, &b).received.is_empty());
}

#[test]
fn in_flight_packets_time_out_on_close_before_the_close_is_confirmed() {
    let (mut coord, a, _b, path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Echo);
    let timeout = in_an_hour(&coord, B);
    send(&mut coord, A, &a, &path, "in-flight", timeout);
    coord
        .close_channel(B, &path.b.port_id, &path.b.channel_id)
        .unwrap();

    let summary = coord.relay_all().unwrap();

    assert_eq!((summary.timeouts_relayed, summary.channels_closed), (1, 1));
    let a_state = state(&coord, A, &a);
    assert_eq!(a_state.timeouts, vec![1]);
    assert_eq!(a_state.closed, vec!["confirm:channel-0".to_string()]);
}
