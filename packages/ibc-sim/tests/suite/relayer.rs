use crate::toy::ReceiveMode;
use crate::{in_an_hour, send, state, toy_channel, A, B};
use cosmwasm_std::{IbcOrder, IbcTimeout};
use cw_ics_ibc_sim::{PacketHold, PacketId, Pending, RelayOutcome, SimError};

#[test]
fn pending_lists_packets_then_acks() {
    let (mut coord, a, _b, path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Echo);
    let timeout = in_an_hour(&coord, B);
    send(&mut coord, A, &a, &path, "x", timeout);
    let id = PacketId::new(A, &path.a.port_id, &path.a.channel_id, 1);

    match coord.pending(&path).unwrap().as_slice() {
        [Pending::Packet {
            id: pending_id,
            packet,
            hold: None,
        }] => {
            assert_eq!(pending_id, &id);
            assert_eq!(packet.data.as_slice(), b"x");
        }
        other => panic!("unexpected {other:?}"),
    }
    coord.relay_packet(&id).unwrap();
    match coord.pending(&path).unwrap().as_slice() {
        [Pending::Ack { ack, .. }] => assert_eq!(ack.as_slice(), b"x"),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(coord.pending_all().unwrap().len(), 1);
}

#[test]
fn a_held_packet_waits_while_others_pass_until_released() {
    let (mut coord, a, b, path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Echo);
    for data in ["held", "free"] {
        let timeout = in_an_hour(&coord, B);
        send(&mut coord, A, &a, &path, data, timeout);
    }
    let held = PacketId::new(A, &path.a.port_id, &path.a.channel_id, 1);
    coord.hold_packet(&held);

    coord.relay_all().unwrap();
    assert_eq!(state(&coord, B, &b).received, vec!["free"]);
    assert!(coord.pending(&path).unwrap().iter().any(|p| matches!(
        p,
        Pending::Packet {
            hold: Some(PacketHold::Held),
            ..
        }
    )));

    coord.release_packet(&held);
    coord.relay_all().unwrap();
    assert_eq!(state(&coord, B, &b).received, vec!["free", "held"]);
}

#[test]
fn a_held_packet_blocks_the_rest_of_an_ordered_channel() {
    let (mut coord, a, b, path) =
        toy_channel(IbcOrder::Ordered, ReceiveMode::Count, ReceiveMode::Count);
    for data in ["one", "two"] {
        let timeout = in_an_hour(&coord, B);
        send(&mut coord, A, &a, &path, data, timeout);
    }
    coord.hold_packet(&PacketId::new(A, &path.a.port_id, &path.a.channel_id, 1));

    coord.relay_all().unwrap();
    assert!(state(&coord, B, &b).received.is_empty());

    // an explicit relay delivers a held packet
    coord
        .relay_packet(&PacketId::new(A, &path.a.port_id, &path.a.channel_id, 1))
        .unwrap();
    coord.relay_all().unwrap();
    assert_eq!(state(&coord, B, &b).received, vec!["one", "two"]);
}

#[test]
fn a_dropped_packet_is_never_delivered_and_eventually_times_out() {
    let (mut coord, a, b, path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Echo);
    let deadline = coord.chain(B).unwrap().time().plus_seconds(100);
    send(
        &mut coord,
        A,
        &a,
        &path,
        "lost",
        IbcTimeout::with_timestamp(deadline),
    );
    let id = PacketId::new(A, &path.a.port_id, &path.a.channel_id, 1);
    coord.drop_packet(&id);

    coord.relay_all().unwrap();
    assert!(matches!(
        coord.relay_packet(&id),
        Err(SimError::PacketBlocked { .. })
    ));
    assert!(state(&coord, B, &b).received.is_empty());

    coord.advance_time(100);
    coord.relay_all().unwrap();
    assert_eq!(state(&coord, A, &a).timeouts, vec![1]);
    assert!(state(&coord, B, &b).received.is_empty());
}

#[test]
fn a_delayed_packet_arrives_once_the_destination_clock_has_moved() {
    let (mut coord, a, b, path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Echo);
    let timeout = in_an_hour(&coord, B);
    send(&mut coord, A, &a, &path, "slow", timeout);
    let id = PacketId::new(A, &path.a.port_id, &path.a.channel_id, 1);
    coord.delay_packet(&id, 50).unwrap();

    coord.relay_all().unwrap();
    assert!(state(&coord, B, &b).received.is_empty());
    assert!(matches!(
        coord.relay_packet(&id),
        Err(SimError::PacketBlocked { .. })
    ));

    coord.chain_mut(B).unwrap().advance_time(50);
    coord.relay_all().unwrap();
    assert_eq!(state(&coord, B, &b).received, vec!["slow"]);
}

#[test]
fn a_stopped_relayer_relays_nothing_until_restarted() {
    let (mut coord, a, b, path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Echo);
    let timeout = in_an_hour(&coord, B);
    send(&mut coord, A, &a, &path, "wait", timeout);
    coord.stop_relayer(&path);
    assert!(!coord.is_relayer_running(&path));

    assert_eq!(coord.relay_all().unwrap().steps(), 0);
    let id = PacketId::new(A, &path.a.port_id, &path.a.channel_id, 1);
    assert!(matches!(
        coord.relay_packet(&id),
        Err(SimError::RelayerStopped(_))
    ));
    assert!(state(&coord, B, &b).received.is_empty());

    coord.start_relayer(&path);
    assert_eq!(coord.relay_all().unwrap().steps(), 2);
    assert_eq!(state(&coord, B, &b).received, vec!["wait"]);
}

#[test]
fn relay_next_packet_takes_the_lowest_sequence_first() {
    let (mut coord, a, b, path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Echo);
    for data in ["1", "2"] {
        let timeout = in_an_hour(&coord, B);
        send(&mut coord, A, &a, &path, data, timeout);
    }

    let (id, outcome) = coord.relay_next_packet(&path).unwrap().unwrap();
    assert_eq!(id.sequence, 1);
    assert_eq!(
        outcome,
        RelayOutcome::Received {
            ack: Some(b"1".to_vec().into())
        }
    );
    coord.relay_next_packet(&path).unwrap().unwrap();
    assert!(coord.relay_next_packet(&path).unwrap().is_none());
    assert_eq!(state(&coord, B, &b).received, vec!["1", "2"]);
}

#[test]
fn relay_next_packet_does_not_jump_a_held_packet_on_an_ordered_channel() {
    let (mut coord, a, b, path) =
        toy_channel(IbcOrder::Ordered, ReceiveMode::Count, ReceiveMode::Count);
    for data in ["one", "two"] {
        let timeout = in_an_hour(&coord, B);
        send(&mut coord, A, &a, &path, data, timeout);
    }
    coord.hold_packet(&PacketId::new(A, &path.a.port_id, &path.a.channel_id, 1));

    assert!(coord.relay_next_packet(&path).unwrap().is_none());
    assert!(state(&coord, B, &b).received.is_empty());
}
