use crate::toy::{ExecuteMsg, ReceiveMode};
use crate::{in_an_hour, send, state, toy_channel, A, B};
use cosmwasm_std::IbcOrder;
use cw_ics_ibc_sim::{IbcEvent, PacketId, Pending, RelayOutcome, SimError};

#[test]
fn ordered_counter_receives_in_sequence_and_acks_flow_back() {
    let (mut coord, a, b, path) =
        toy_channel(IbcOrder::Ordered, ReceiveMode::Count, ReceiveMode::Count);
    for data in ["one", "two", "three"] {
        let timeout = in_an_hour(&coord, B);
        send(&mut coord, A, &a, &path, data, timeout);
    }
    assert_eq!(
        coord
            .chain(A)
            .unwrap()
            .commitments(&path.a.port_id, &path.a.channel_id)
            .len(),
        3
    );

    let summary = coord.relay_all().unwrap();

    assert_eq!(summary.packets_received, 3);
    assert_eq!(summary.acks_relayed, 3);
    let b_state = state(&coord, B, &b);
    assert_eq!(b_state.count, 3);
    assert_eq!(b_state.received, vec!["one", "two", "three"]);
    let a_state = state(&coord, A, &a);
    assert_eq!(
        a_state.acks,
        vec![
            (1, "count:1".to_string()),
            (2, "count:2".to_string()),
            (3, "count:3".to_string())
        ]
    );
    assert!(coord
        .chain(A)
        .unwrap()
        .commitments(&path.a.port_id, &path.a.channel_id)
        .is_empty());
    assert!(coord.pending(&path).unwrap().is_empty());
}

#[test]
fn an_ordered_channel_refuses_a_packet_ahead_of_its_turn() {
    let (mut coord, a, b, path) =
        toy_channel(IbcOrder::Ordered, ReceiveMode::Count, ReceiveMode::Count);
    for data in ["one", "two"] {
        let timeout = in_an_hour(&coord, B);
        send(&mut coord, A, &a, &path, data, timeout);
    }
    let second = PacketId::new(A, &path.a.port_id, &path.a.channel_id, 2);
    let first = PacketId::new(A, &path.a.port_id, &path.a.channel_id, 1);

    let err = coord.relay_packet(&second).unwrap_err();
    assert!(matches!(
        err,
        SimError::OutOfOrder {
            expected: 1,
            got: 2,
            ..
        }
    ));
    assert_eq!(state(&coord, B, &b).count, 0);

    assert_eq!(
        coord.relay_packet(&first).unwrap(),
        RelayOutcome::Received {
            ack: Some(b"count:1".to_vec().into())
        }
    );
    coord.relay_packet(&second).unwrap();
    assert_eq!(state(&coord, B, &b).received, vec!["one", "two"]);
}

#[test]
fn an_unordered_channel_delivers_in_any_order_and_echoes() {
    let (mut coord, a, b, path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Echo);
    for data in ["1", "2", "3"] {
        let timeout = in_an_hour(&coord, B);
        send(&mut coord, A, &a, &path, data, timeout);
    }
    for seq in [3, 1, 2] {
        coord
            .relay_packet(&PacketId::new(A, &path.a.port_id, &path.a.channel_id, seq))
            .unwrap();
    }
    assert_eq!(state(&coord, B, &b).received, vec!["3", "1", "2"]);

    // acks relayed in a chosen order too
    coord
        .relay_ack(&PacketId::new(A, &path.a.port_id, &path.a.channel_id, 2))
        .unwrap();
    coord.relay_all().unwrap();
    let acks = state(&coord, A, &a).acks;
    assert_eq!(acks[0], (2, "2".to_string()));
    assert_eq!(acks.len(), 3);
}

#[test]
fn a_packet_is_never_received_twice() {
    let (mut coord, a, b, path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Echo);
    let timeout = in_an_hour(&coord, B);
    send(&mut coord, A, &a, &path, "once", timeout);
    let id = PacketId::new(A, &path.a.port_id, &path.a.channel_id, 1);

    coord.relay_packet(&id).unwrap();
    let err = coord.relay_packet(&id).unwrap_err();

    assert!(matches!(err, SimError::AlreadyReceived { sequence: 1, .. }));
    coord.relay_all().unwrap();
    assert_eq!(state(&coord, B, &b).received, vec!["once"]);
    // acked: the commitment is gone, so there is nothing left to deliver
    assert!(matches!(
        coord.relay_packet(&id),
        Err(SimError::NoSuchPacket { .. })
    ));
}

#[test]
fn a_failing_receive_reverts_its_state_and_writes_an_error_ack() {
    let (mut coord, a, b, path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Fail);
    let timeout = in_an_hour(&coord, B);
    send(&mut coord, A, &a, &path, "poison", timeout);

    coord.relay_all().unwrap();

    let b_state = state(&coord, B, &b);
    assert_eq!(b_state.count, 0, "the receive's state change was reverted");
    assert!(b_state.received.is_empty());
    assert_eq!(
        state(&coord, A, &a).acks,
        vec![(1, r#"{"error":"cannot handle poison"}"#.to_string())]
    );
    assert!(coord
        .events()
        .iter()
        .any(|e| matches!(e, IbcEvent::WriteAck { is_error: true, .. })));
    // the packet is received nonetheless (receipt written)
    assert!(coord
        .chain(B)
        .unwrap()
        .has_receipt(&path.b.port_id, &path.b.channel_id, 1));
}

#[test]
fn an_async_ack_is_written_later_and_then_relayed() {
    let (mut coord, a, b, path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Async);
    let timeout = in_an_hour(&coord, B);
    send(&mut coord, A, &a, &path, "slow", timeout);

    coord.relay_all().unwrap();
    assert_eq!(state(&coord, B, &b).received, vec!["slow"]);
    assert!(state(&coord, A, &a).acks.is_empty());
    assert!(matches!(
        coord.pending(&path).unwrap().as_slice(),
        [Pending::AwaitingAsyncAck { .. }]
    ));

    let write = ExecuteMsg::WriteAck {
        channel_id: path.b.channel_id.clone(),
        sequence: 1,
        ack: "done".to_string(),
    };
    let chain_b = coord.chain_mut(B).unwrap();
    let user = chain_b.addr_make("user");
    chain_b.execute(&user, &b, &write, &[]).unwrap();
    // a second ack for the same packet is refused
    assert!(chain_b.execute(&user, &b, &write, &[]).is_err());
    // and an ack for a packet never received too
    let bogus = ExecuteMsg::WriteAck {
        channel_id: path.b.channel_id.clone(),
        sequence: 7,
        ack: "x".to_string(),
    };
    assert!(chain_b.execute(&user, &b, &bogus, &[]).is_err());

    coord.relay_all().unwrap();
    assert_eq!(state(&coord, A, &a).acks, vec![(1, "done".to_string())]);
    assert!(coord
        .events()
        .iter()
        .any(|e| matches!(e, IbcEvent::WriteAck { is_async: true, .. })));
}

#[test]
fn a_failed_transaction_leaves_no_packet_behind() {
    let (mut coord, a, _b, path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Echo);
    let timeout = in_an_hour(&coord, B);
    let chain = coord.chain_mut(A).unwrap();
    let user = chain.addr_make("user");
    let msg = ExecuteMsg::SendThenFail {
        channel_id: path.a.channel_id.clone(),
        data: "ghost".to_string(),
        timeout,
    };

    assert!(chain.execute(&user, &a, &msg, &[]).is_err());

    assert!(chain
        .commitments(&path.a.port_id, &path.a.channel_id)
        .is_empty());
    assert!(!coord
        .events()
        .iter()
        .any(|e| matches!(e, IbcEvent::SendPacket { .. })));
    // and the next real packet still gets sequence 1
    let timeout = in_an_hour(&coord, B);
    send(&mut coord, A, &a, &path, "real", timeout);
    let commitments = coord
        .chain(A)
        .unwrap()
        .commitments(&path.a.port_id, &path.a.channel_id);
    assert_eq!(commitments[0].packet.sequence, 1);
}

#[test]
fn sending_on_a_channel_of_another_port_fails() {
    let (mut coord, a, _b, _path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Echo);
    let timeout = in_an_hour(&coord, B);
    let chain = coord.chain_mut(A).unwrap();
    let user = chain.addr_make("user");
    let msg = ExecuteMsg::Send {
        channel_id: "channel-42".to_string(),
        data: "x".to_string(),
        timeout,
    };
    let err = chain.execute(&user, &a, &msg, &[]).unwrap_err();
    assert!(err.to_string().contains("channel-42"), "{err}");
}

#[test]
fn packets_flow_both_ways_on_one_channel() {
    let (mut coord, a, b, path) =
        toy_channel(IbcOrder::Ordered, ReceiveMode::Count, ReceiveMode::Count);
    let timeout_b = in_an_hour(&coord, B);
    let timeout_a = in_an_hour(&coord, A);
    send(&mut coord, A, &a, &path, "ping", timeout_b);
    send(&mut coord, B, &b, &path, "pong", timeout_a);

    coord.relay_all().unwrap();

    assert_eq!(state(&coord, B, &b).received, vec!["ping"]);
    assert_eq!(state(&coord, A, &a).received, vec!["pong"]);
    assert_eq!(state(&coord, A, &a).acks, vec![(1, "count:1".to_string())]);
    assert_eq!(state(&coord, B, &b).acks, vec![(1, "count:1".to_string())]);
}
