//! The DESIGN.md §7 property checks themselves must be able to fail: each is fed a violation
//! (and the state next to it that satisfies it).

use std::collections::BTreeMap;

use cosmwasm_std::{Addr, Timestamp, Uint128};
use cw_ics_ccv::{ConsensusAddress, Infraction, SlashPacketData, SlashedValidator};
use cw_ics_provider::msg as provider_msg;
use cw_ics_sim::invariants::properties::*;

fn set(entries: &[(u8, u64)]) -> PowerMap {
    entries
        .iter()
        .map(|(seed, power)| (vec![*seed; 32], *power))
        .collect()
}

fn slash(vsc_id: u64) -> SlashPacketData {
    SlashPacketData {
        validator: SlashedValidator {
            address: ConsensusAddress([7; 20]),
            power: 5,
        },
        valset_update_id: vsc_id,
        infraction: Infraction::Downtime,
    }
}

#[test]
fn replication_catches_a_wrong_or_unknown_set() {
    let provider = BTreeMap::from([(0, set(&[(1, 10)])), (1, set(&[(1, 11)]))]);
    assert!(validator_set_replication(&provider, 1, &set(&[(1, 11)])).is_ok());
    assert!(validator_set_replication(&provider, 0, &set(&[(1, 10)])).is_ok());
    assert!(validator_set_replication(&provider, 1, &set(&[(1, 10)])).is_err());
    assert!(validator_set_replication(&provider, 1, &set(&[(1, 11), (2, 1)])).is_err());
    assert!(validator_set_replication(&provider, 2, &set(&[(1, 11)])).is_err());
}

#[test]
fn replication_catches_a_height_whose_set_is_another_vsc_id() {
    assert!(height_maps_to_its_set(10, 3, 3).is_ok());
    assert!(height_maps_to_its_set(10, 3, 2).is_err());
}

#[test]
fn channel_order_catches_gaps_reordering_and_extra_deliveries() {
    let sent = [1, 2, 3];
    assert!(vsc_delivered_in_order(&sent, 0, 1).is_ok());
    assert!(vsc_delivered_in_order(&sent, 2, 3).is_ok());
    // A gap (3 right after 1), a repeat, a delivery of something never sent.
    assert!(vsc_delivered_in_order(&sent, 1, 3).is_err());
    assert!(vsc_delivered_in_order(&sent, 1, 1).is_err());
    assert!(vsc_delivered_in_order(&sent, 3, 4).is_err());
    // The provider's own order.
    assert!(vsc_sent_in_order(None, 1).is_ok());
    assert!(vsc_sent_in_order(Some(1), 2).is_ok());
    assert!(vsc_sent_in_order(Some(2), 1).is_err());
    assert!(vsc_sent_in_order(Some(2), 2).is_err());
}

#[test]
fn the_consumer_warranty_catches_a_duplicate_send() {
    assert!(no_duplicate_in_flight(&[], &slash(1)).is_ok());
    assert!(no_duplicate_in_flight(&[slash(2)], &slash(1)).is_ok());
    assert!(no_duplicate_in_flight(&[slash(2), slash(1)], &slash(1)).is_err());
}

#[test]
fn the_consumer_warranty_catches_a_second_downtime_slash_before_the_first_was_acknowledged() {
    assert!(one_outstanding_downtime_slash(false, false).is_ok());
    // A resend after a bounce is expected.
    assert!(one_outstanding_downtime_slash(true, true).is_ok());
    assert!(one_outstanding_downtime_slash(true, false).is_err());
}

#[test]
fn the_consumer_warranty_catches_more_double_sign_packets_than_infractions() {
    assert!(double_sign_packets_within_infractions(1, 1).is_ok());
    assert!(double_sign_packets_within_infractions(1, 2).is_ok());
    assert!(double_sign_packets_within_infractions(2, 1).is_err());
    assert!(double_sign_packets_within_infractions(1, 0).is_err());
}

fn record(id: u64, vsc_id: u64) -> provider_msg::SlashRecord {
    provider_msg::SlashRecord {
        id,
        consumer_id: 1,
        validator: Addr::unchecked("validator"),
        consensus_address: "07".repeat(20),
        infraction: cw_ics_ccv::Infraction::Downtime,
        vsc_id,
        infraction_height: 10,
        received_at: Timestamp::from_seconds(1),
        action: provider_msg::SlashAction::AlreadyJailed {},
    }
}

#[test]
fn the_provider_warranty_catches_a_missing_extra_or_misattributed_record() {
    assert!(provider_slashing_warranty(&[record(1, 3)], &[slash(3)]).is_ok());
    assert!(provider_slashing_warranty(&[], &[]).is_ok());
    assert!(provider_slashing_warranty(&[], &[slash(3)]).is_err());
    assert!(provider_slashing_warranty(&[record(1, 3), record(2, 3)], &[slash(3)]).is_err());
    assert!(provider_slashing_warranty(&[record(1, 2)], &[slash(3)]).is_err());
}

#[test]
fn maturity_timing_catches_an_early_or_unapplied_maturity() {
    assert!(maturity_after_consumer_unbonding(1, 150, Some(100), 50).is_ok());
    assert!(maturity_after_consumer_unbonding(1, 150, Some(100), 51).is_err());
    assert!(maturity_after_consumer_unbonding(2, 1_000, None, 50).is_err());
}

fn consumer(last_matured: u64) -> provider_msg::ConsumerResponse {
    provider_msg::ConsumerResponse {
        consumer_id: 1,
        owner: None,
        phase: provider_msg::ConsumerPhase::Launched,
        registration: provider_msg::ConsumerRegistration {
            chain_id: "c".to_string(),
            spawn_time: Timestamp::from_seconds(0),
            unbonding_period_seconds: 1,
            connection_id: "connection-0".to_string(),
            counterparty_connection_id: "connection-0".to_string(),
            counterparty_port_id: None,
            ccv_timeout_seconds: None,
            init_timeout_seconds: None,
            vsc_timeout_seconds: None,
            retry_delay_seconds: 1,
            signed_blocks_window: 1,
            min_signed_per_window: cosmwasm_std::Decimal::percent(50),
            valcons_prefix: "x".to_string(),
            infraction_parameters: None,
        },
        channel_id: Some("channel-0".to_string()),
        launch_height: Some(10),
        launched_at: None,
        stopped_at: None,
        stop_reason: None,
        last_sent_vsc_id: 9,
        last_matured_vsc_id: last_matured,
        pending_slash_acks: vec![],
        launch_vsc_id: Some(1),
        infraction_parameters: provider_msg::InfractionParameters {
            double_sign: provider_msg::SlashJailParameters {
                slash_fraction: cosmwasm_std::Decimal::percent(5),
                jail_duration_seconds: 0,
                tombstone: true,
            },
            downtime: provider_msg::SlashJailParameters {
                slash_fraction: cosmwasm_std::Decimal::zero(),
                jail_duration_seconds: 600,
                tombstone: false,
            },
        },
        pending_infraction_parameters: None,
        deposit: None,
    }
}

fn entry(vsc_id: u64, completes_at: u64, created_height: u64) -> provider_msg::UnbondingResponse {
    provider_msg::UnbondingResponse {
        id: 1,
        validator: Addr::unchecked("validator"),
        balance: Uint128::new(5),
        initial_amount: Uint128::new(5),
        created_height,
        vsc_id,
        completes_at: Timestamp::from_seconds(completes_at),
        waiting_on: vec![],
        released: true,
        waiting_on_more: false,
    }
}

#[test]
fn provider_safety_catches_an_early_or_unmatured_release() {
    let now = Timestamp::from_seconds(1_000);
    assert!(released_entries_were_matured(&[entry(5, 900, 20)], &consumer(5), now).is_ok());
    assert!(released_entries_were_matured(&[entry(5, 1_001, 20)], &consumer(5), now).is_err());
    assert!(released_entries_were_matured(&[entry(5, 900, 20)], &consumer(4), now).is_err());
    // Started before the consumer launched: it never waited on it.
    assert!(released_entries_were_matured(&[entry(5, 900, 5)], &consumer(0), now).is_ok());
    assert!(!consumer_was_waited_on(&entry(5, 900, 5), &consumer(0)));
    assert!(consumer_was_waited_on(&entry(5, 900, 20), &consumer(0)));
}

#[test]
fn provider_safety_catches_a_release_before_the_consumer_ran_the_vsc_for_its_unbonding() {
    let seen = BTreeMap::from([
        (4, Timestamp::from_seconds(100)),
        (5, Timestamp::from_seconds(200)),
        (6, Timestamp::from_seconds(300)),
    ]);
    let released = entry(5, 0, 20);
    let at = Timestamp::from_seconds;
    // vscId 5 seen from 200: matured at 200 + 50.
    assert!(consumer_ran_the_entry_for_its_unbonding(&released, &seen, at(250), 50).is_ok());
    assert!(consumer_ran_the_entry_for_its_unbonding(&released, &seen, at(249), 50).is_err());
    // An earlier vscId running long enough does not count.
    assert!(consumer_ran_the_entry_for_its_unbonding(&released, &seen, at(160), 60).is_err());
    // Never seen at vscId 5 or later.
    let only_earlier = BTreeMap::from([(4, at(0))]);
    assert!(
        consumer_ran_the_entry_for_its_unbonding(&released, &only_earlier, at(999), 1).is_err()
    );
}

#[test]
fn the_halt_check_catches_a_change_after_the_halt_and_an_unhalt() {
    let mut watch = HaltWatch::default();
    watch.check(false, &set(&[(1, 1)])).unwrap();
    watch.check(false, &set(&[(1, 2)])).unwrap();
    watch.check(true, &set(&[(1, 3)])).unwrap();
    watch.check(true, &set(&[(1, 3)])).unwrap();
    assert!(watch.check(true, &set(&[(1, 4)])).is_err());
    assert!(watch.check(false, &set(&[(1, 3)])).is_err());
}

#[test]
fn the_chain_set_check_catches_a_chain_that_drifted() {
    let given = set(&[(1, 10), (2, 20)]);
    assert!(chain_follows_the_replicated_set(&given, Some(&given)).is_ok());
    assert!(chain_follows_the_replicated_set(&set(&[(1, 10)]), Some(&given)).is_err());
    assert!(chain_follows_the_replicated_set(&given, None).is_err());
}
