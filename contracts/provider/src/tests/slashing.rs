//! Slash packets: the consumer-validator check (attack 1 of issue 14: mass jailing) and slash
//! throttling (ADR-008).

use cosmwasm_std::{Binary, Decimal, Int128, Uint128};
use cw_ics_ccv::AckResult;
use cw_storage_plus::Map;

use super::*;
use crate::msg::{ConsumerPhase, ServedOnResponse, SlashAction, SlashLogResponse};
use crate::state::ns;

/// alice 10, bob 20, carol 30 and dave 5 (outside the top 3); one consumer on "channel-0"
/// launched at vscId 1 with alice, bob and carol, given its first VSC.
fn four_validators_three_seats(config: Config) -> (Suite, u64) {
    let mut suite = Suite::with(InstantiateMsg {
        admin: None,
        config,
    });
    suite.add_validator("alice", 1, 100);
    suite.add_validator("bob", 2, 200);
    suite.add_validator("carol", 3, 300);
    suite.add_validator("dave", 4, 50);
    let id = suite.running_consumer("c1", "channel-0", CONNECTION);
    suite.epoch();
    (suite, id)
}

fn throttled() -> Config {
    Config {
        slash_meter_replenish_fraction: Decimal::percent(5),
        ..default_config()
    }
}

fn slash_log(suite: &Suite) -> Vec<crate::msg::SlashRecord> {
    let log: SlashLogResponse = suite.query(QueryMsg::SlashLog {
        start_after: None,
        limit: Some(100),
    });
    log.records
}

fn served(suite: &Suite, consumer_id: u64, seed: u8, vsc_id: u64) -> bool {
    let answer: ServedOnResponse = suite.query(QueryMsg::ServedOn {
        consumer_id,
        consensus_address: Binary::from(cons_addr(seed).as_bytes()),
        vsc_id,
    });
    answer.served
}

/// The namespaces (as key prefixes) of the keys that differ between two snapshots.
fn changed_namespaces(before: &Snapshot, after: &Snapshot) -> Vec<String> {
    let mut keys: Vec<&Vec<u8>> = vec![];
    for (key, value) in after {
        if !before.iter().any(|(k, v)| k == key && v == value) {
            keys.push(key);
        }
    }
    for (key, _) in before {
        if !after.iter().any(|(k, _)| k == key) {
            keys.push(key);
        }
    }
    let mut names: Vec<String> = keys
        .into_iter()
        .map(|key| {
            ns::ITEMS
                .iter()
                .find(|name| key.as_slice() == name.as_bytes())
                .or_else(|| {
                    ns::MAPS.iter().find(|name| {
                        key.starts_with(&Map::<&[u8], ()>::new_dyn(name.to_string()).key(&[]))
                    })
                })
                .map(|name| name.to_string())
                .unwrap_or_else(|| format!("{key:?}"))
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn a_downtime_report_about_a_validator_outside_the_consumers_set_changes_no_validator() {
    // Attack 1: on the old code this jailed and slashed dave, who never served on the consumer.
    let (mut suite, id) = four_validators_three_seats(default_config());
    let dave_before = suite.validator("dave");
    let before = snapshot(&suite.deps.storage);
    let (ack, response) = suite.receive_raw("channel-0", downtime(4, 0).encode().unwrap());
    assert_eq!(ack, Acknowledgement::Result(AckResult::SlashHandled));
    assert!(
        response.messages.is_empty(),
        "nothing slashed, nothing burnt"
    );
    assert_eq!(suite.validator("dave"), dave_before);
    assert!(slash_log(&suite).is_empty());
    let ignored = event(&response, "slash_ignored").expect("a slash_ignored event");
    assert!(ignored.contains(&("reason".into(), "not_in_consumer_set".into())));
    assert!(ignored.contains(&("consumer_id".into(), id.to_string())));
    assert!(ignored.contains(&("vsc_id".into(), "0".into())));
    // Only a slash ack is owed, as the Go provider does, so the consumer clears its flag.
    let dave = cons_addr(4).to_bech32(PREFIX).unwrap();
    assert_eq!(suite.consumer(id).pending_slash_acks, vec![dave.clone()]);
    assert_eq!(
        changed_namespaces(&before, &snapshot(&suite.deps.storage)),
        vec![ns::DUE_CONSUMERS, ns::SLASH_ACKS, ns::NEXT_SLASH_ID]
    );
    let sent = suite.epoch();
    assert_eq!(sent[0].1.slash_acks, vec![dave]);
    assert!(updates(&sent[0].1).is_empty(), "dave keeps his power");
}

#[test]
fn a_report_about_an_unknown_address_is_acknowledged_without_effect() {
    let (mut suite, id) = four_validators_three_seats(default_config());
    let before = snapshot(&suite.deps.storage);
    let (ack, response) = suite.receive_raw("channel-0", downtime(99, 0).encode().unwrap());
    assert_eq!(ack, Acknowledgement::Result(AckResult::SlashHandled));
    let ignored = event(&response, "slash_ignored").unwrap();
    assert!(ignored.contains(&("reason".into(), "unknown_validator".into())));
    assert_eq!(suite.consumer(id).pending_slash_acks.len(), 1);
    assert_eq!(
        changed_namespaces(&before, &snapshot(&suite.deps.storage)),
        vec![ns::DUE_CONSUMERS, ns::SLASH_ACKS, ns::NEXT_SLASH_ID]
    );
    // A double-sign report about an outsider is not even recorded, and owes no ack.
    let before = snapshot(&suite.deps.storage);
    let ack = suite.receive("channel-0", slash_packet(4, 0, Infraction::DoubleSign));
    assert_eq!(ack, Acknowledgement::Result(AckResult::SlashHandled));
    assert_eq!(snapshot(&suite.deps.storage), before);
}

#[test]
fn membership_is_judged_at_the_vsc_id_the_report_carries() {
    let (mut suite, id) = four_validators_three_seats(default_config());
    // dave (40) enters, alice (10) leaves at the next epoch's vscId.
    suite.bond("dave", "dave", 350).unwrap();
    let sent = suite.epoch();
    let vsc = sent[0].1.valset_update_id;
    assert_eq!(updates(&sent[0].1), vec![(1, 0), (4, 40)]);
    let launch_vsc = suite.consumer(id).launch_vsc_id.unwrap();
    assert!(launch_vsc < vsc);
    for (seed, at_genesis, after_vsc) in [(1, true, false), (2, true, true), (4, false, true)] {
        assert_eq!(served(&suite, id, seed, 0), at_genesis, "{seed} at genesis");
        assert_eq!(served(&suite, id, seed, launch_vsc), at_genesis, "{seed}");
        assert_eq!(served(&suite, id, seed, vsc), after_vsc, "{seed} at {vsc}");
    }
    // alice's downtime while she served (genesis) is punished although she left since;
    // dave's report at genesis and alice's at the new vscId are not.
    let ack = suite.receive("channel-0", downtime(4, 0));
    assert_eq!(ack, Acknowledgement::Result(AckResult::SlashHandled));
    let ack = suite.receive("channel-0", downtime(1, vsc));
    assert_eq!(ack, Acknowledgement::Result(AckResult::SlashHandled));
    assert!(slash_log(&suite).is_empty());
    assert!(suite.validator("dave").jailed_until.is_none());
    suite.receive("channel-0", downtime(1, 0));
    let log = slash_log(&suite);
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].validator, addr("alice"));
    assert!(matches!(log[0].action, SlashAction::Jailed { .. }));
    // dave served from `vsc` on.
    suite.receive("channel-0", downtime(4, vsc));
    assert!(suite.validator("dave").jailed_until.is_some());
}

#[test]
fn a_vsc_id_the_consumer_was_never_sent_is_refused_with_nothing_written() {
    let (mut suite, _) = four_validators_three_seats(default_config());
    // A second consumer launches three epochs later: vscIds before its launch were never its.
    suite.bond("s", "alice", 10).unwrap();
    suite.epoch();
    suite.bond("s", "alice", 10).unwrap();
    suite.epoch();
    let second = suite.running_consumer("c2", "channel-1", CONNECTION);
    suite.bond("s", "alice", 10).unwrap();
    suite.epoch();
    let consumer = suite.consumer(second);
    let launch = consumer.launch_vsc_id.unwrap();
    assert!(launch > 2 && consumer.last_sent_vsc_id > launch);
    for vsc_id in [1, launch - 1, consumer.last_sent_vsc_id + 1] {
        let before = snapshot(&suite.deps.storage);
        let (ack, _) = suite.receive_raw("channel-1", downtime(2, vsc_id).encode().unwrap());
        assert!(
            matches!(ack, Acknowledgement::Error(_)),
            "{vsc_id}: {ack:?}"
        );
        assert_eq!(snapshot(&suite.deps.storage), before, "{vsc_id}");
        let query = query(
            suite.deps.as_ref(),
            suite.env.clone(),
            QueryMsg::ServedOn {
                consumer_id: second,
                consensus_address: Binary::from(cons_addr(2).as_bytes()),
                vsc_id,
            },
        );
        assert!(matches!(query, Err(ContractError::UnknownVscId(_))));
    }
    // Its launch vscId and genesis (0) are known.
    assert!(served(&suite, second, 2, launch));
    assert_eq!(
        suite.receive("channel-1", downtime(2, launch)),
        Acknowledgement::Result(AckResult::SlashHandled)
    );
}

#[test]
fn the_meter_starts_full_and_follows_the_allowance_of_the_active_set() {
    let (suite, _) = four_validators_three_seats(throttled());
    let meter = suite.slash_meter();
    // 5% of 60 (alice, bob, carol; dave is outside) = 3.
    assert_eq!(meter.total_power, 60);
    assert_eq!(meter.allowance, Uint128::new(3));
    assert_eq!(meter.meter, Int128::new(3));
    assert_eq!(
        meter.next_replenish_at.seconds(),
        mock_env().block.time.seconds() + 3_600
    );
}

#[test]
fn downtime_is_handled_while_the_meter_is_not_negative_and_bounced_after() {
    let (mut suite, id) = four_validators_three_seats(throttled());
    let (ack, response) = suite.receive_raw("channel-0", downtime(1, 0).encode().unwrap());
    assert_eq!(ack, Acknowledgement::Result(AckResult::SlashHandled));
    assert_eq!(attribute(&response, "slash_meter"), "-7");
    assert_eq!(suite.slash_meter().meter, Int128::new(-7));

    // Bounced: 0x03, nothing written, an event says why.
    let before = snapshot(&suite.deps.storage);
    let (ack, response) = suite.receive_raw("channel-0", downtime(2, 0).encode().unwrap());
    assert_eq!(ack, Acknowledgement::Result(AckResult::SlashBounced));
    assert_eq!(snapshot(&suite.deps.storage), before);
    let bounced = event(&response, "slash_bounced").expect("a slash_bounced event");
    assert!(bounced.contains(&("slash_meter".into(), "-7".into())));
    assert!(bounced.contains(&("consumer_id".into(), id.to_string())));
    assert!(suite.validator("bob").jailed_until.is_none());

    // Double sign is never throttled: recorded while the meter is negative.
    let ack = suite.receive("channel-0", slash_packet(2, 0, Infraction::DoubleSign));
    assert_eq!(ack, Acknowledgement::Result(AckResult::SlashHandled));
    assert_eq!(
        slash_log(&suite).last().unwrap().action,
        SlashAction::Recorded {}
    );
    assert_eq!(suite.slash_meter().meter, Int128::new(-7));

    // One period: -7 + 3 = -4, still bounced.
    suite.advance_seconds(3_600);
    assert_eq!(suite.slash_meter().meter, Int128::new(-4));
    let ack = suite.receive("channel-0", downtime(2, 0));
    assert_eq!(ack, Acknowledgement::Result(AckResult::SlashBounced));
    // Two more: 2 ≥ 0, handled, and the meter takes bob's 20.
    suite.advance_seconds(2 * 3_600);
    let ack = suite.receive("channel-0", downtime(2, 0));
    assert_eq!(ack, Acknowledgement::Result(AckResult::SlashHandled));
    assert!(suite.validator("bob").jailed_until.is_some());
    assert_eq!(suite.slash_meter().meter, Int128::new(-18));
}

#[test]
fn a_report_about_an_already_jailed_validator_costs_the_meter_nothing() {
    let (mut suite, _) = four_validators_three_seats(throttled());
    suite.advance_seconds(100 * 3_600);
    suite.receive("channel-0", downtime(1, 0));
    assert_eq!(suite.slash_meter().meter, Int128::new(-7));
    suite.advance_seconds(3 * 3_600);
    assert_eq!(suite.slash_meter().meter, Int128::new(2));
    // alice is jailed: her power is 0, the meter stays at 2.
    let ack = suite.receive("channel-0", downtime(1, 0));
    assert_eq!(ack, Acknowledgement::Result(AckResult::SlashHandled));
    assert_eq!(
        slash_log(&suite).last().unwrap().action,
        SlashAction::AlreadyJailed {}
    );
    assert_eq!(suite.slash_meter().meter, Int128::new(2));
}

#[test]
fn the_meter_replenishes_per_whole_period_up_to_the_allowance_and_the_epoch_saves_it() {
    let (mut suite, _) = four_validators_three_seats(throttled());
    let start = suite.slash_meter().next_replenish_at.minus_seconds(3_600);
    suite.receive("channel-0", downtime(3, 0));
    assert_eq!(suite.slash_meter().meter, Int128::new(-27));
    // carol's jailing leaves alice and bob in the set and lets dave in: 10 + 20 + 5 = 35,
    // allowance ceil(1.75) = 2.
    suite.epoch();
    let meter = suite.slash_meter();
    assert_eq!(meter.total_power, 35);
    assert_eq!(meter.allowance, Uint128::new(2));
    assert_eq!(meter.meter, Int128::new(-27));
    // Less than a period: nothing; whole periods only: 10 periods give 20.
    suite.env.block.time = start.plus_seconds(3_599);
    assert_eq!(suite.slash_meter().meter, Int128::new(-27));
    suite.env.block.time = start.plus_seconds(10 * 3_600 + 3_599);
    assert_eq!(suite.slash_meter().meter, Int128::new(-7));
    assert_eq!(
        suite.slash_meter().next_replenish_at,
        start.plus_seconds(11 * 3_600)
    );
    // The epoch saves the replenished meter (and says so).
    suite.env.block.time = start.plus_seconds(10 * 3_600);
    let epoch: crate::msg::EpochResponse = suite.query(QueryMsg::Epoch {});
    suite.env.block.height = epoch.next_epoch_height;
    let response = suite.tick();
    assert_eq!(attribute(&response, "slash_meter"), "-7");
    let stored = crate::state::slashing::SLASH_METER
        .load(&suite.deps.storage)
        .unwrap();
    assert_eq!(stored.meter, Int128::new(-7));
    assert_eq!(
        stored.last_replenish_seconds,
        start.plus_seconds(10 * 3_600).seconds()
    );
    // Long after: capped at the allowance.
    suite.env.block.time = start.plus_seconds(1_000 * 3_600);
    let meter = suite.slash_meter();
    assert_eq!(meter.meter, Int128::new(2));
    assert_eq!(meter.next_replenish_at, start.plus_seconds(1_001 * 3_600));
}

#[test]
fn a_full_meter_is_not_rewritten_by_quiet_epochs() {
    let (mut suite, _) = four_validators_three_seats(throttled());
    suite.epoch();
    suite.advance_seconds(2 * 3_600);
    let before = crate::state::slashing::SLASH_METER
        .load(&suite.deps.storage)
        .unwrap();
    let response = suite.epoch();
    assert!(response.is_empty());
    let after = crate::state::slashing::SLASH_METER
        .load(&suite.deps.storage)
        .unwrap();
    assert_eq!(before, after);
    assert_eq!(suite.slash_meter().meter, Int128::new(3));
}

#[test]
fn a_report_from_a_stopped_consumer_is_refused_before_any_check() {
    let (mut suite, id) = four_validators_three_seats(throttled());
    suite
        .exec("admin", ExecuteMsg::StopConsumer { consumer_id: id }, &[])
        .unwrap();
    assert_eq!(suite.consumer(id).phase, ConsumerPhase::Stopped);
    let before = snapshot(&suite.deps.storage);
    let (ack, _) = suite.receive_raw("channel-0", downtime(1, 0).encode().unwrap());
    assert!(matches!(ack, Acknowledgement::Error(_)));
    assert_eq!(snapshot(&suite.deps.storage), before);
}
