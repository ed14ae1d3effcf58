use crate::toy::ReceiveMode;
use crate::{in_an_hour, send, toy_channel, A, B};
use cosmwasm_std::IbcOrder;
use cw_ics_ibc_sim::IbcEvent;

#[test]
fn the_log_follows_a_packet_from_send_to_ack_with_chain_height_and_time() {
    let (mut coord, a, _b, path) =
        toy_channel(IbcOrder::Ordered, ReceiveMode::Count, ReceiveMode::Count);
    let bookmark = coord.event_log().len();
    coord.chain_mut(A).unwrap().advance_blocks(2);
    let sent_height = coord.chain(A).unwrap().height();
    let sent_time = coord.chain(A).unwrap().time();
    let timeout = in_an_hour(&coord, B);
    send(&mut coord, A, &a, &path, "hello", timeout);
    coord.chain_mut(B).unwrap().advance_blocks(1);
    coord.relay_all().unwrap();

    let events = coord.event_log().since(bookmark);
    let kinds: Vec<(&str, &str)> = events
        .iter()
        .map(|e| {
            let kind = match e {
                IbcEvent::SendPacket { .. } => "send",
                IbcEvent::RecvPacket { .. } => "recv",
                IbcEvent::WriteAck { .. } => "write-ack",
                IbcEvent::AckPacket { .. } => "ack",
                _ => "other",
            };
            (kind, e.at().chain_id.as_str())
        })
        .collect();
    assert_eq!(
        kinds,
        vec![("send", A), ("recv", B), ("write-ack", B), ("ack", A)]
    );

    let send_event = &events[0];
    assert_eq!(send_event.at().height, sent_height);
    assert_eq!(send_event.at().time, sent_time);
    let packet = send_event.packet().unwrap();
    assert_eq!(packet.data.as_slice(), b"hello");
    assert_eq!(packet.sequence, 1);
    assert_eq!(packet.dest.channel_id, path.b.channel_id);
    assert_eq!(events[1].at().height, coord.chain(B).unwrap().height());
    match &events[2] {
        IbcEvent::WriteAck {
            ack,
            is_error,
            is_async,
            ..
        } => {
            assert_eq!(ack.as_slice(), b"count:1");
            assert!(!is_error && !is_async);
        }
        other => panic!("unexpected {other:?}"),
    }

    let line = send_event.to_string();
    assert!(
        line.starts_with(&format!(
            "[{A} h={sent_height} t={}s] SendPacket",
            sent_time.seconds()
        )),
        "{line}"
    );
    assert!(line.contains("#1 hello"), "{line}");
}

#[test]
fn the_log_records_clients_connections_and_the_handshake() {
    let (coord, _a, _b, _path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Echo);
    let events = coord.events();
    let clients = events
        .iter()
        .filter(|e| matches!(e, IbcEvent::ClientCreated { .. }))
        .count();
    let connections = events
        .iter()
        .filter(|e| matches!(e, IbcEvent::ConnectionOpened { .. }))
        .count();
    assert_eq!((clients, connections), (2, 2));
    let timeline: Vec<String> = events.iter().map(|e| e.to_string()).collect();
    assert!(
        timeline.iter().any(|l| l.contains("ChanOpenConfirm")),
        "{timeline:?}"
    );
}
