use cosmwasm_std::{coins, BankMsg, IbcChannelOpenMsg, Uint128};
use cw_ics_ccv::AckResult;

use super::*;
use crate::msg::{ConfigUpdate, ConsumerPhase, ConsumerUpdate, SlashAction, SlashLogResponse};

/// Two validators (alice 10, bob 20) and one consumer with an open channel "channel-0".
fn running() -> (Suite, u64) {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    suite.add_validator("bob", 2, 200);
    let id = suite.running_consumer("c1", "channel-0", CONNECTION);
    (suite, id)
}

fn try_open(suite: &mut Suite, channel: IbcChannel, version: &str) -> Result<(), ContractError> {
    ibc_channel_open(
        suite.deps.as_mut(),
        suite.env.clone(),
        IbcChannelOpenMsg::new_try(channel, version),
    )
    .map(|_| ())
}

#[test]
fn open_try_is_accepted_only_as_registered() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    let id = suite.register_consumer("c1");
    let good = suite.channel("channel-0", CONNECTION, CONSUMER_PORT);
    // Not launched yet.
    assert!(matches!(
        try_open(&mut suite, good.clone(), "1").unwrap_err(),
        ContractError::NoConsumerForChannel { .. }
    ));
    suite.epoch();
    let response = ibc_channel_open(
        suite.deps.as_mut(),
        suite.env.clone(),
        IbcChannelOpenMsg::new_try(good.clone(), "1"),
    )
    .unwrap();
    assert_eq!(response.unwrap().version, "1");

    let wrong_connection = suite.channel("channel-0", "connection-5", CONSUMER_PORT);
    assert!(matches!(
        try_open(&mut suite, wrong_connection, "1").unwrap_err(),
        ContractError::NoConsumerForChannel { .. }
    ));
    let wrong_port = suite.channel("channel-0", CONNECTION, "wasm.impostor");
    assert!(matches!(
        try_open(&mut suite, wrong_port, "1").unwrap_err(),
        ContractError::NoConsumerForChannel { .. }
    ));
    let mut unordered = good.clone();
    unordered.order = IbcOrder::Unordered;
    assert!(matches!(
        try_open(&mut suite, unordered, "1").unwrap_err(),
        ContractError::Channel(_)
    ));
    assert!(matches!(
        try_open(&mut suite, good.clone(), "2").unwrap_err(),
        ContractError::Channel(_)
    ));
    assert!(matches!(
        try_open(&mut suite, good.clone(), "").unwrap_err(),
        ContractError::Channel(_)
    ));
    let err = ibc_channel_open(
        suite.deps.as_mut(),
        suite.env.clone(),
        IbcChannelOpenMsg::new_init(good.clone()),
    )
    .unwrap_err();
    assert!(matches!(err, ContractError::OpenInitRefused));

    // Without a counterparty port nothing can open.
    suite
        .exec(
            "admin",
            ExecuteMsg::RegisterConsumer(ConsumerRegistration {
                counterparty_port_id: None,
                connection_id: "connection-7".into(),
                ..registration("c2", suite.env.block.time)
            }),
            &[],
        )
        .unwrap();
    suite.epoch();
    let second = suite.channel("channel-1", "connection-7", CONSUMER_PORT);
    assert!(try_open(&mut suite, second, "1").is_err());

    // Once established, no second channel for the same consumer.
    suite
        .open_channel("channel-0", CONNECTION, CONSUMER_PORT)
        .unwrap();
    assert_eq!(suite.consumer(id).channel_id.as_deref(), Some("channel-0"));
    let again = suite.channel("channel-9", CONNECTION, CONSUMER_PORT);
    assert!(try_open(&mut suite, again, "1").is_err());
}

#[test]
fn open_ack_is_refused_and_confirm_needs_a_matching_consumer() {
    let (mut suite, _) = running();
    let channel = suite.channel("channel-5", CONNECTION, CONSUMER_PORT);
    let err = ibc_channel_connect(
        suite.deps.as_mut(),
        suite.env.clone(),
        IbcChannelConnectMsg::new_ack(channel.clone(), "1"),
    )
    .unwrap_err();
    assert!(matches!(err, ContractError::OpenInitRefused));
    let err = ibc_channel_connect(
        suite.deps.as_mut(),
        suite.env.clone(),
        IbcChannelConnectMsg::new_confirm(channel),
    )
    .unwrap_err();
    assert!(matches!(err, ContractError::NoConsumerForChannel { .. }));
}

#[test]
fn close_init_is_refused_and_close_confirm_stops_the_consumer() {
    let (mut suite, id) = running();
    let channel = suite.channel("channel-0", CONNECTION, CONSUMER_PORT);
    let err = suite
        .close(IbcChannelCloseMsg::new_init(channel.clone()))
        .unwrap_err();
    assert!(matches!(err, ContractError::CloseInitRefused));
    let unknown = suite.channel("channel-77", CONNECTION, CONSUMER_PORT);
    assert!(suite.close(IbcChannelCloseMsg::new_init(unknown)).is_err());
    assert_eq!(suite.consumer(id).phase, ConsumerPhase::Launched);

    suite
        .close(IbcChannelCloseMsg::new_confirm(channel))
        .unwrap();
    let consumer = suite.consumer(id);
    assert_eq!(consumer.phase, ConsumerPhase::Stopped);
}

#[test]
fn the_providers_own_close_passes_close_init_once_the_consumer_is_stopped() {
    let (mut suite, id) = running();
    suite
        .exec("admin", ExecuteMsg::StopConsumer { consumer_id: id }, &[])
        .unwrap();
    let channel = suite.channel("channel-0", CONNECTION, CONSUMER_PORT);
    suite.close(IbcChannelCloseMsg::new_init(channel)).unwrap();
}

#[test]
fn downtime_slash_jails_slashes_acks_and_queues_a_slash_ack() {
    let (mut suite, id) = running();
    suite.bond("staker", "alice", 100).unwrap();
    suite.epoch();
    let (ack, response) = suite.receive_raw("channel-0", downtime(1, 0).encode().unwrap());
    assert_eq!(ack, Acknowledgement::Result(AckResult::SlashHandled));
    // 10% of 200 bonded tokens, burned.
    assert_eq!(
        response.messages[0].msg,
        CosmosMsg::Bank(BankMsg::Burn {
            amount: coins(20, DENOM)
        })
    );
    let validator = suite.validator("alice");
    assert_eq!(validator.power, 0);
    assert_eq!(validator.tokens, Uint128::new(180));
    assert!(validator.jailed_until.is_some());
    let expected_ack = cons_addr(1).to_bech32(PREFIX).unwrap();
    assert_eq!(
        suite.consumer(id).pending_slash_acks,
        vec![expected_ack.clone()]
    );

    // A second report while jailed only acknowledges.
    let ack = suite.receive("channel-0", downtime(1, 0));
    assert_eq!(ack, Acknowledgement::Result(AckResult::SlashHandled));
    assert_eq!(suite.validator("alice").tokens, Uint128::new(180));

    let log: SlashLogResponse = suite.query(QueryMsg::SlashLog {
        start_after: None,
        limit: None,
    });
    assert_eq!(log.records.len(), 2);
    assert_eq!(log.records[0].infraction, Infraction::Downtime);
    assert_eq!(
        log.records[0].action,
        SlashAction::Jailed {
            slashed: Uint128::new(20)
        }
    );
    assert_eq!(
        log.records[0].infraction_height,
        suite.consumer(id).launch_height.unwrap()
    );
    assert_eq!(log.records[1].action, SlashAction::AlreadyJailed {});

    let sent = suite.epoch();
    assert_eq!(sent.len(), 1);
    assert_eq!(updates(&sent[0].1), vec![(1, 0)]);
    assert_eq!(
        sent[0].1.slash_acks,
        vec![expected_ack.clone(), expected_ack]
    );
    assert!(suite.consumer(id).pending_slash_acks.is_empty());
}

#[test]
fn slash_acks_are_owed_per_consumer_and_dropped_when_it_stops() {
    let (mut suite, first) = running();
    let second = suite.running_consumer("c2", "channel-1", CONNECTION);
    suite.epoch();
    suite.receive("channel-0", downtime(1, 0));
    suite.receive("channel-1", downtime(2, 0));
    suite.receive("channel-0", downtime(2, 0));
    let acks = |seeds: &[u8]| -> Vec<String> {
        seeds
            .iter()
            .map(|seed| cons_addr(*seed).to_bech32(PREFIX).unwrap())
            .collect()
    };
    assert_eq!(suite.consumer(first).pending_slash_acks, acks(&[1, 2]));
    assert_eq!(suite.consumer(second).pending_slash_acks, acks(&[2]));

    suite
        .exec(
            "admin",
            ExecuteMsg::StopConsumer { consumer_id: first },
            &[],
        )
        .unwrap();
    assert!(suite.consumer(first).pending_slash_acks.is_empty());
    assert_eq!(suite.consumer(second).pending_slash_acks, acks(&[2]));

    let sent = suite.epoch();
    assert_eq!(sent.len(), 1, "only the running consumer gets a VSC");
    assert_eq!(sent[0].1.slash_acks, acks(&[2]));
    assert!(suite.consumer(second).pending_slash_acks.is_empty());
}

#[test]
fn slashed_tokens_can_go_to_an_address() {
    let (mut suite, _) = running();
    let update = ConfigUpdate {
        slashed_tokens: Some(SlashedTokens::SendTo {
            address: addr("community").to_string(),
        }),
        ..ConfigUpdate::default()
    };
    suite
        .exec("admin", ExecuteMsg::UpdateConfig(update), &[])
        .unwrap();
    let (_, response) = suite.receive_raw("channel-0", downtime(2, 0).encode().unwrap());
    assert_eq!(
        response.messages[0].msg,
        CosmosMsg::Bank(BankMsg::Send {
            to_address: addr("community").to_string(),
            amount: coins(20, DENOM),
        })
    );
}

#[test]
fn double_sign_reports_are_recorded_without_slashing() {
    let (mut suite, _) = running();
    let ack = suite.receive("channel-0", slash_packet(2, 0, Infraction::DoubleSign));
    assert_eq!(ack, Acknowledgement::Result(AckResult::SlashHandled));
    let validator = suite.validator("bob");
    assert_eq!(validator.power, 20);
    assert!(validator.jailed_until.is_none());
    let log: SlashLogResponse = suite.query(QueryMsg::SlashLog {
        start_after: None,
        limit: None,
    });
    assert_eq!(log.records[0].infraction, Infraction::DoubleSign);
    assert_eq!(log.records[0].action, SlashAction::Recorded {});
}

#[test]
fn refused_packets_get_an_error_ack_and_leave_state_untouched() {
    let (mut suite, _) = running();
    suite.bond("staker", "alice", 10).unwrap();
    suite.epoch();
    let last_sent = suite.consumer(1).last_sent_vsc_id;
    let cases: Vec<(&str, &str, Binary)> = vec![
        ("garbage", "channel-0", Binary::from(b"not json".as_slice())),
        ("empty", "channel-0", Binary::default()),
        (
            "unknown field",
            "channel-0",
            Binary::from(br#"{"type":"CONSUMER_PACKET_TYPE_VSCM","vscMaturedPacketData":{"valset_update_id":"1","x":1}}"#.as_slice()),
        ),
        ("unknown channel", "channel-9", matured(last_sent).encode().unwrap()),
        ("vscId never sent", "channel-0", downtime(1, last_sent + 1).encode().unwrap()),
        (
            "double sign with unknown vscId",
            "channel-0",
            slash_packet(1, last_sent + 5, Infraction::DoubleSign).encode().unwrap(),
        ),
        ("matured vscId never sent", "channel-0", matured(last_sent + 1).encode().unwrap()),
        ("matured vscId 0", "channel-0", matured(0).encode().unwrap()),
    ];
    for (name, channel, data) in cases {
        let before = snapshot(&suite.deps.storage);
        let (ack, response) = suite.receive_raw(channel, data);
        assert!(matches!(ack, Acknowledgement::Error(_)), "{name}: {ack:?}");
        assert!(response.messages.is_empty(), "{name}");
        assert_eq!(
            before,
            snapshot(&suite.deps.storage),
            "{name} changed state"
        );
    }
}

#[test]
fn packets_from_a_stopped_consumer_are_refused() {
    let (mut suite, id) = running();
    suite
        .exec("admin", ExecuteMsg::StopConsumer { consumer_id: id }, &[])
        .unwrap();
    let ack = suite.receive("channel-0", downtime(1, 0));
    assert!(matches!(ack, Acknowledgement::Error(_)));
    assert!(suite.validator("alice").jailed_until.is_none());
}

#[test]
fn a_slash_for_a_sent_vsc_id_maps_to_the_provider_height_of_that_id() {
    let (mut suite, _) = running();
    suite.bond("staker", "alice", 10).unwrap();
    let sent = suite.epoch();
    let vsc_id = sent[0].1.valset_update_id;
    let height: crate::msg::VscHeightResponse = suite.query(QueryMsg::VscHeight {
        consumer_id: 1,
        vsc_id,
    });
    suite.receive("channel-0", downtime(2, vsc_id));
    let log: SlashLogResponse = suite.query(QueryMsg::SlashLog {
        start_after: None,
        limit: None,
    });
    assert_eq!(log.records[0].infraction_height, height.height.unwrap());
    assert_eq!(log.records[0].vsc_id, vsc_id);
}

#[test]
fn unbonding_is_released_when_time_passed_and_every_consumer_matured() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    let first = suite.running_consumer("c1", "channel-1", "connection-1");
    let second = suite.running_consumer("c2", "channel-2", "connection-2");
    suite.unbond("alice", "alice", 20).unwrap();
    let entry = suite.unbondings("alice").unbondings[0].clone();
    assert_eq!(entry.waiting_on, vec![first, second]);
    let sent = suite.epoch();
    assert_eq!(sent.len(), 2);
    let vsc_id = sent[0].1.valset_update_id;
    assert_eq!(vsc_id, entry.vsc_id);

    // Maturity before the provider's unbonding period is not enough.
    assert_eq!(
        suite.receive("channel-1", matured(vsc_id)),
        Acknowledgement::Result(AckResult::Success)
    );
    assert_eq!(
        suite.receive("channel-2", matured(vsc_id)),
        Acknowledgement::Result(AckResult::Success)
    );
    assert!(!suite.unbondings("alice").unbondings[0].released);

    // Time alone is not enough either while a consumer has not matured.
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    let first = suite.running_consumer("c1", "channel-1", "connection-1");
    let second = suite.running_consumer("c2", "channel-2", "connection-2");
    suite.unbond("alice", "alice", 20).unwrap();
    let vsc_id = suite.epoch()[0].1.valset_update_id;
    suite.advance_seconds(UNBONDING);
    suite.receive("channel-1", matured(vsc_id));
    let entry = suite.unbondings("alice").unbondings[0].clone();
    assert!(!entry.released);
    assert_eq!(entry.waiting_on, vec![second]);
    let err = suite
        .exec(
            "alice",
            ExecuteMsg::Withdraw {
                entry_ids: Some(vec![entry.id]),
            },
            &[],
        )
        .unwrap_err();
    assert!(matches!(err, ContractError::NotReleased(_)));
    suite.receive("channel-2", matured(vsc_id));
    assert!(suite.unbondings("alice").unbondings[0].released);
    assert_eq!(suite.consumer(first).last_matured_vsc_id, vsc_id);
    suite
        .exec("alice", ExecuteMsg::Withdraw { entry_ids: None }, &[])
        .unwrap();
}

#[test]
fn a_stopped_consumer_no_longer_holds_unbonding() {
    let (mut suite, id) = running();
    suite.unbond("alice", "alice", 20).unwrap();
    suite.epoch();
    suite.advance_seconds(UNBONDING);
    assert!(!suite.unbondings("alice").unbondings[0].released);
    suite
        .exec("admin", ExecuteMsg::StopConsumer { consumer_id: id }, &[])
        .unwrap();
    assert!(suite.unbondings("alice").unbondings[0].released);
}

#[test]
fn without_waiting_for_consumers_only_time_counts() {
    let (mut suite, _) = running();
    let update = ConfigUpdate {
        wait_for_consumer_maturity: Some(false),
        ..ConfigUpdate::default()
    };
    suite
        .exec("admin", ExecuteMsg::UpdateConfig(update), &[])
        .unwrap();
    suite.unbond("alice", "alice", 20).unwrap();
    suite.advance_seconds(UNBONDING - 5);
    assert!(!suite.unbondings("alice").unbondings[0].released);
    suite.advance_seconds(5);
    assert!(suite.unbondings("alice").unbondings[0].released);
}

#[test]
fn an_entry_created_after_the_epoch_sealed_its_vsc_waits_for_the_next_one() {
    let (mut suite, _) = running();
    suite.bond("staker", "alice", 10).unwrap();
    let first = suite.epoch()[0].1.valset_update_id;
    suite.unbond("staker", "alice", 10).unwrap();
    let entry = suite.unbondings("staker").unbondings[0].clone();
    assert!(entry.vsc_id > first);
    suite.advance_seconds(UNBONDING);
    suite.receive("channel-0", matured(first));
    assert!(!suite.unbondings("staker").unbondings[0].released);
    let second = suite.epoch()[0].1.valset_update_id;
    assert_eq!(second, entry.vsc_id);
    suite.receive("channel-0", matured(second));
    assert!(suite.unbondings("staker").unbondings[0].released);
}

#[test]
fn an_error_ack_for_a_vsc_stops_the_consumer_and_closes_its_channel() {
    let (mut suite, id) = running();
    let ok = Acknowledgement::Result(AckResult::Success)
        .encode()
        .unwrap();
    suite.ack_vsc("channel-0", ok).unwrap();
    assert_eq!(suite.consumer(id).phase, ConsumerPhase::Launched);
    let error = Acknowledgement::error("nope").encode().unwrap();
    let response = suite.ack_vsc("channel-0", error).unwrap();
    assert_eq!(suite.consumer(id).phase, ConsumerPhase::Stopped);
    assert_eq!(
        response.messages[0].msg,
        CosmosMsg::Ibc(IbcMsg::CloseChannel {
            channel_id: "channel-0".into()
        })
    );
}

#[test]
fn a_malformed_ack_also_stops_the_consumer() {
    let (mut suite, id) = running();
    suite
        .ack_vsc("channel-0", Binary::from(b"???".as_slice()))
        .unwrap();
    assert_eq!(suite.consumer(id).phase, ConsumerPhase::Stopped);
}

#[test]
fn a_vsc_timeout_stops_the_consumer_without_a_close_message() {
    let (mut suite, id) = running();
    let response = suite.timeout_vsc("channel-0").unwrap();
    assert!(response.messages.is_empty());
    let consumer = suite.consumer(id);
    assert_eq!(consumer.phase, ConsumerPhase::Stopped);
    assert!(consumer.stop_reason.unwrap().contains("timed out"));
    // Timeouts and acks on unknown channels change nothing.
    suite.timeout_vsc("channel-42").unwrap();
    suite.ack_vsc("channel-42", Binary::default()).unwrap();
}

#[test]
fn the_counterparty_port_can_be_set_after_launch_by_the_owner() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    suite
        .exec(
            "admin",
            ExecuteMsg::RegisterConsumer(ConsumerRegistration {
                counterparty_port_id: None,
                ..registration("c1", suite.env.block.time)
            }),
            &[],
        )
        .unwrap();
    suite.epoch();
    assert!(suite
        .open_channel("channel-0", CONNECTION, "wasm.late")
        .is_err());
    let set_port = ExecuteMsg::UpdateConsumer {
        consumer_id: 1,
        update: ConsumerUpdate {
            counterparty_port_id: Some("wasm.late".into()),
            ..ConsumerUpdate::default()
        },
    };
    assert!(suite.exec("stranger", set_port.clone(), &[]).is_err());
    suite.exec("admin", set_port, &[]).unwrap();
    suite
        .open_channel("channel-0", CONNECTION, "wasm.late")
        .unwrap();
}

mod fuzz {
    use proptest::prelude::*;

    use super::*;

    fn valid_packets() -> Vec<Vec<u8>> {
        vec![
            downtime(1, 0).encode().unwrap().to_vec(),
            matured(1).encode().unwrap().to_vec(),
            slash_packet(2, 0, Infraction::DoubleSign)
                .encode()
                .unwrap()
                .to_vec(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

        /// Arbitrary bytes never panic; whatever is refused leaves state untouched.
        #[test]
        fn arbitrary_packets_never_panic_and_refusals_change_nothing(
            bytes in proptest::collection::vec(any::<u8>(), 0..200),
        ) {
            let (mut suite, _) = running();
            let before = snapshot(&suite.deps.storage);
            let (ack, _) = suite.receive_raw("channel-0", Binary::new(bytes));
            if matches!(ack, Acknowledgement::Error(_)) {
                prop_assert_eq!(before, snapshot(&suite.deps.storage));
            }
        }

        /// Valid packets with one byte changed: accepted or refused, never a panic, and a
        /// refusal changes nothing.
        #[test]
        fn mutated_packets_never_panic_and_refusals_change_nothing(
            which in 0..3usize,
            position in any::<prop::sample::Index>(),
            byte in any::<u8>(),
        ) {
            let (mut suite, _) = running();
            let mut data = valid_packets()[which].clone();
            let index = position.index(data.len());
            data[index] = byte;
            let before = snapshot(&suite.deps.storage);
            let (ack, _) = suite.receive_raw("channel-0", Binary::new(data));
            if matches!(ack, Acknowledgement::Error(_)) {
                prop_assert_eq!(before, snapshot(&suite.deps.storage));
            }
        }
    }
}
