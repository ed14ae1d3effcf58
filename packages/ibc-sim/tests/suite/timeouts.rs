use crate::toy::ReceiveMode;
use crate::{send, state, toy_channel, A, B};
use cosmwasm_std::{IbcOrder, IbcTimeout, IbcTimeoutBlock};
use cw_ics_ibc_sim::{ChannelState, IbcEvent, PacketId, RelayOutcome, SimError};

#[test]
fn an_unordered_packet_times_out_by_timestamp_on_the_destination_clock() {
    let (mut coord, a, b, path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Echo);
    let deadline = coord.chain(B).unwrap().time().plus_seconds(60);
    send(
        &mut coord,
        A,
        &a,
        &path,
        "late",
        IbcTimeout::with_timestamp(deadline),
    );
    let id = PacketId::new(A, &path.a.port_id, &path.a.channel_id, 1);

    // only the destination's clock counts: moving A's clock changes nothing
    coord.chain_mut(A).unwrap().advance_time(600);
    assert!(matches!(
        coord.relay_timeout(&id),
        Err(SimError::NotTimedOut { .. })
    ));

    coord.chain_mut(B).unwrap().advance_time(60);
    let summary = coord.relay_all().unwrap();

    assert_eq!(summary.timeouts_relayed, 1);
    assert_eq!(summary.packets_received, 0);
    assert_eq!(state(&coord, A, &a).timeouts, vec![1]);
    assert!(state(&coord, B, &b).received.is_empty());
    // an unordered channel stays open
    assert_eq!(
        coord
            .chain(A)
            .unwrap()
            .channel(&path.a.port_id, &path.a.channel_id)
            .unwrap()
            .state,
        ChannelState::Open
    );
}

#[test]
fn a_packet_times_out_by_height() {
    let (mut coord, a, b, path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Echo);
    let height = coord.chain(B).unwrap().height() + 3;
    let timeout = IbcTimeout::with_block(IbcTimeoutBlock {
        revision: 0,
        height,
    });
    send(&mut coord, A, &a, &path, "by-height", timeout);
    let id = PacketId::new(A, &path.a.port_id, &path.a.channel_id, 1);

    coord.chain_mut(B).unwrap().advance_blocks(2);
    coord.hold_packet(&id);
    coord.relay_all().unwrap();
    assert!(
        state(&coord, A, &a).timeouts.is_empty(),
        "height not reached yet"
    );

    coord.chain_mut(B).unwrap().advance_blocks(1);
    assert_eq!(coord.relay_packet(&id).unwrap(), RelayOutcome::TimedOut);
    assert_eq!(state(&coord, A, &a).timeouts, vec![1]);
    assert!(state(&coord, B, &b).received.is_empty());
}

#[test]
fn an_ordered_timeout_closes_the_channel_at_both_ends() {
    let (mut coord, a, b, path) =
        toy_channel(IbcOrder::Ordered, ReceiveMode::Count, ReceiveMode::Count);
    let deadline = coord.chain(B).unwrap().time().plus_seconds(30);
    send(
        &mut coord,
        A,
        &a,
        &path,
        "too-late",
        IbcTimeout::with_timestamp(deadline),
    );
    coord.advance_time(31);

    coord.relay_all().unwrap();

    assert_eq!(state(&coord, A, &a).timeouts, vec![1]);
    let end_a = coord
        .chain(A)
        .unwrap()
        .channel(&path.a.port_id, &path.a.channel_id)
        .unwrap();
    let end_b = coord
        .chain(B)
        .unwrap()
        .channel(&path.b.port_id, &path.b.channel_id)
        .unwrap();
    assert_eq!(end_a.state, ChannelState::Closed);
    assert_eq!(end_b.state, ChannelState::Closed);
    assert_eq!(
        state(&coord, B, &b).closed,
        vec![format!("confirm:{}", path.b.channel_id)]
    );
    let events = coord.events();
    assert!(events
        .iter()
        .any(|e| matches!(e, IbcEvent::ChannelClosedOnTimeout { sequence: 1, .. })));
    assert!(events
        .iter()
        .any(|e| matches!(e, IbcEvent::ChannelCloseConfirm { at, .. } if at.chain_id == B)));

    // nothing can be sent any more
    let chain = coord.chain_mut(A).unwrap();
    let user = chain.addr_make("user");
    let msg = crate::toy::ExecuteMsg::Send {
        channel_id: path.a.channel_id.clone(),
        data: "after".to_string(),
        timeout: IbcTimeout::with_timestamp(deadline.plus_seconds(3600)),
    };
    assert!(chain.execute(&user, &a, &msg, &[]).is_err());
}

#[test]
fn a_packet_behind_a_timed_out_one_on_an_ordered_channel_is_never_received() {
    let (mut coord, a, b, path) =
        toy_channel(IbcOrder::Ordered, ReceiveMode::Count, ReceiveMode::Count);
    let now = coord.chain(B).unwrap().time();
    send(
        &mut coord,
        A,
        &a,
        &path,
        "first",
        IbcTimeout::with_timestamp(now.plus_seconds(10)),
    );
    send(
        &mut coord,
        A,
        &a,
        &path,
        "second",
        IbcTimeout::with_timestamp(now.plus_seconds(1000)),
    );
    coord.advance_time(20);

    coord.relay_all().unwrap();

    assert!(state(&coord, B, &b).received.is_empty());
    assert_eq!(state(&coord, A, &a).timeouts, vec![1]);
    assert_eq!(
        coord
            .chain(B)
            .unwrap()
            .channel(&path.b.port_id, &path.b.channel_id)
            .unwrap()
            .state,
        ChannelState::Closed
    );
}
