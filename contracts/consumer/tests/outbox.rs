mod common;

use common::*;
use cw_ics_ccv::{
    AckResult, Acknowledgement, ConsumerPacket, Infraction, SlashPacketData, SlashedValidator,
    VscMaturedPacketData,
};
use cw_ics_consumer::state::{HaltReason, HeadSlash};
use cw_ics_consumer::ContractError;

fn matured(id: u64) -> ConsumerPacket {
    ConsumerPacket::VscMatured(VscMaturedPacketData {
        valset_update_id: id,
    })
}

fn slash_of(seed: u8, vsc_id: u64) -> ConsumerPacket {
    ConsumerPacket::Slash(SlashPacketData {
        validator: SlashedValidator {
            address: address(seed),
            power: 10 * u64::from(seed),
        },
        valset_update_id: vsc_id,
        infraction: Infraction::DoubleSign,
    })
}

/// An established channel with one VSC (id 1) received at `GENESIS_TIME`.
fn established() -> Deps {
    let mut deps = setup();
    open_channel(&mut deps);
    receive_vsc(
        &mut deps,
        env_at(GENESIS_HEIGHT + 2, GENESIS_TIME),
        1,
        &[(3, 31)],
        &[],
    )
    .unwrap();
    deps
}

#[test]
fn a_slash_in_flight_blocks_the_queue_until_handled() {
    let mut deps = established();
    let h = GENESIS_HEIGHT + 5;
    let first = begin_block(
        &mut deps,
        env_at(h, GENESIS_TIME + 1),
        vec![duplicate_vote(1, h - 1), duplicate_vote(2, h - 1)],
    );
    assert_eq!(sent_packets(&first.messages), vec![slash_of(1, 1)]);
    // VSC 1 matures: its packet queues behind the slash in flight.
    let later = env_at(h + 1, GENESIS_TIME + UNBONDING);
    assert!(tick(&mut deps, later.clone()).messages.is_empty());
    assert_eq!(pending(&deps).total, 3);

    let response = ack(
        &mut deps,
        later.clone(),
        &slash_of(1, 1),
        Acknowledgement::Result(AckResult::SlashHandled),
    )
    .unwrap();
    // The next slash goes out; the matured packet stays behind it.
    assert_eq!(sent_packets(&response.messages), vec![slash_of(2, 1)]);
    let response = ack(
        &mut deps,
        later,
        &slash_of(2, 1),
        Acknowledgement::Result(AckResult::Success),
    )
    .unwrap();
    assert_eq!(sent_packets(&response.messages), vec![matured(1)]);
    assert_eq!(pending(&deps).total, 0);
    assert_eq!(pending(&deps).head_slash, None);
}

#[test]
fn a_bounced_slash_is_resent_after_the_retry_delay() {
    let mut deps = established();
    let h = GENESIS_HEIGHT + 5;
    begin_block(
        &mut deps,
        env_at(h, GENESIS_TIME + 1),
        vec![duplicate_vote(1, h - 1)],
    );
    let bounce_time = GENESIS_TIME + 2;
    ack(
        &mut deps,
        env_at(h + 1, bounce_time),
        &slash_of(1, 1),
        Acknowledgement::Result(AckResult::SlashBounced),
    )
    .unwrap();
    let queue = pending(&deps);
    assert_eq!(queue.total, 1);
    assert_eq!(queue.head_slash.as_ref().map(|h| matches!(h, HeadSlash::Bounced { retry_at } if retry_at.seconds() == bounce_time + RETRY_DELAY)), Some(true));

    assert!(
        tick(&mut deps, env_at(h + 2, bounce_time + RETRY_DELAY - 1))
            .messages
            .is_empty()
    );
    let retry = tick(&mut deps, env_at(h + 3, bounce_time + RETRY_DELAY));
    assert_eq!(sent_packets(&retry.messages), vec![slash_of(1, 1)]);
    // In flight again: not resent by the next call.
    assert!(
        tick(&mut deps, env_at(h + 4, bounce_time + 10 * RETRY_DELAY))
            .messages
            .is_empty()
    );
    ack(
        &mut deps,
        env_at(h + 5, bounce_time + 11 * RETRY_DELAY),
        &slash_of(1, 1),
        Acknowledgement::Result(AckResult::SlashHandled),
    )
    .unwrap();
    assert_eq!(pending(&deps).total, 0);
}

#[test]
fn an_ack_that_does_not_match_the_slash_in_flight_changes_nothing() {
    let mut deps = established();
    let h = GENESIS_HEIGHT + 5;
    begin_block(
        &mut deps,
        env_at(h, GENESIS_TIME + 1),
        vec![duplicate_vote(1, h - 1)],
    );
    let before = storage_dump(&deps);
    ack(
        &mut deps,
        env_at(h + 1, GENESIS_TIME + 2),
        &slash_of(2, 1),
        Acknowledgement::Result(AckResult::SlashHandled),
    )
    .unwrap();
    ack(
        &mut deps,
        env_at(h + 1, GENESIS_TIME + 2),
        &matured(1),
        Acknowledgement::Result(AckResult::Success),
    )
    .unwrap();
    assert_eq!(storage_dump(&deps), before);
}

#[test]
fn an_error_ack_halts_the_consumer() {
    let mut deps = established();
    tick(
        &mut deps,
        env_at(GENESIS_HEIGHT + 3, GENESIS_TIME + UNBONDING),
    );
    ack(
        &mut deps,
        env_at(GENESIS_HEIGHT + 4, GENESIS_TIME + UNBONDING + 1),
        &matured(1),
        Acknowledgement::error("bad"),
    )
    .unwrap();
    assert_eq!(
        status(&deps).halted,
        Some(HaltReason::ErrorAck {
            sequence: 1,
            error: "bad".to_string()
        })
    );
    let set = powers(&deps);
    assert!(matches!(
        receive_vsc(
            &mut deps,
            env_at(GENESIS_HEIGHT + 5, GENESIS_TIME + UNBONDING + 2),
            2,
            &[(1, 1)],
            &[]
        ),
        Err(ContractError::Halted(_))
    ));
    assert_eq!(powers(&deps), set);
}

#[test]
fn a_timeout_halts_and_a_halted_consumer_sends_and_records_nothing() {
    let mut deps = established();
    let h = GENESIS_HEIGHT + 5;
    begin_block(
        &mut deps,
        env_at(h, GENESIS_TIME + 1),
        vec![duplicate_vote(1, h - 1)],
    );
    timeout(
        &mut deps,
        env_at(h + 1, GENESIS_TIME + CCV_TIMEOUT + 1),
        &slash_of(1, 1),
        4,
    )
    .unwrap();
    assert_eq!(
        status(&deps).halted,
        Some(HaltReason::Timeout { sequence: 4 })
    );
    // The channel close that follows keeps the first reason.
    close_confirm(&mut deps, CHANNEL).unwrap();
    assert_eq!(
        status(&deps).halted,
        Some(HaltReason::Timeout { sequence: 4 })
    );

    let before = storage_dump(&deps);
    set_votes(&mut deps, votes(&[(1, false), (2, false), (3, false)]));
    let response = begin_block(
        &mut deps,
        env_at(h + 2, GENESIS_TIME + 10 * UNBONDING),
        vec![duplicate_vote(2, h)],
    );
    assert!(response.messages.is_empty());
    assert!(
        tick(&mut deps, env_at(h + 3, GENESIS_TIME + 10 * UNBONDING))
            .messages
            .is_empty()
    );
    assert_eq!(storage_dump(&deps), before);
}

#[test]
fn acks_and_timeouts_on_another_channel_are_refused() {
    let mut deps = established();
    let mut packet = packet_from_consumer(&matured(1), 1);
    packet.src.channel_id = "channel-99".to_string();
    let msg = cosmwasm_std::IbcPacketTimeoutMsg::new(packet, cosmwasm_std::Addr::unchecked("r"));
    let err = cw_ics_consumer::ibc::ibc_packet_timeout(
        deps.as_mut(),
        env_at(GENESIS_HEIGHT + 3, GENESIS_TIME),
        msg,
    )
    .unwrap_err();
    assert!(matches!(err, ContractError::NotCcvChannel(_)));
    assert_eq!(status(&deps).halted, None);
}

#[test]
fn malformed_acks_are_refused() {
    let mut deps = established();
    let msg = cosmwasm_std::IbcPacketAckMsg::new(
        cosmwasm_std::IbcAcknowledgement::new(b"{\"result\":\"AAAA\"}".to_vec()),
        packet_from_consumer(&matured(1), 1),
        cosmwasm_std::Addr::unchecked("r"),
    );
    let err = cw_ics_consumer::ibc::ibc_packet_ack(
        deps.as_mut(),
        env_at(GENESIS_HEIGHT + 3, GENESIS_TIME),
        msg,
    )
    .unwrap_err();
    assert!(matches!(err, ContractError::Packet(_)));
    assert_eq!(status(&deps).halted, None);
}
