//! The property checks themselves must be able to fail: each is fed a violation.

use std::collections::BTreeMap;

use cosmwasm_std::{Addr, Timestamp, Uint128};
use cw_ics_ccv::{
    ConsensusAddress, Infraction, SlashPacketData, SlashedValidator, ValidatorSetChangePacket,
};
use cw_ics_provider::msg as provider_msg;
use cw_ics_tests::properties::*;

fn set(entries: &[(u8, u64)]) -> PowerMap {
    entries
        .iter()
        .map(|(seed, power)| (vec![*seed; 32], *power))
        .collect()
}

fn vsc(id: u64) -> ValidatorSetChangePacket {
    ValidatorSetChangePacket {
        validator_updates: vec![],
        valset_update_id: id,
        slash_acks: vec![],
    }
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
    assert!(
        validator_set_replication(&provider, &[(1, set(&[(1, 11)])), (0, set(&[(1, 10)]))]).is_ok()
    );
    assert!(validator_set_replication(&provider, &[(1, set(&[(1, 10)]))]).is_err());
    assert!(validator_set_replication(&provider, &[(2, set(&[(1, 11)]))]).is_err());
}

#[test]
fn channel_order_catches_gaps_reordering_and_extra_applications() {
    let mut history = ChannelHistory {
        vscs_sent: vec![vsc(1), vsc(2), vsc(3)],
        vscs_applied: vec![(1, 0), (2, 0)],
        ..Default::default()
    };
    assert!(channel_order(&history).is_ok());
    history.vscs_applied = vec![(1, 0), (3, 0)];
    assert!(channel_order(&history).is_err());
    history.vscs_applied = vec![(1, 0), (2, 0), (3, 0), (4, 0)];
    assert!(channel_order(&history).is_err());
    history.vscs_applied = vec![];
    history.vscs_sent = vec![vsc(2), vsc(1)];
    assert!(channel_order(&history).is_err());
}

#[test]
fn the_consumer_warranty_catches_a_duplicate_send() {
    let mut history = ChannelHistory::default();
    assert!(consumer_slashing_warranty(&history).is_ok());
    history.duplicate_slash_sends = vec![slash(1)];
    assert!(consumer_slashing_warranty(&history).is_err());
}

fn record(id: u64, vsc_id: u64) -> provider_msg::SlashRecord {
    provider_msg::SlashRecord {
        id,
        consumer_id: 1,
        validator: Addr::unchecked("validator"),
        consensus_address: "07".repeat(20),
        infraction: provider_msg::InfractionKind::Downtime,
        vsc_id,
        infraction_height: 10,
        received_at: Timestamp::from_seconds(1),
        action: provider_msg::SlashAction::AlreadyJailed {},
    }
}

#[test]
fn the_provider_warranty_catches_a_missing_extra_or_misattributed_record() {
    assert!(provider_slashing_warranty(&[record(1, 3)], &[slash(3)]).is_ok());
    assert!(provider_slashing_warranty(&[], &[slash(3)]).is_err());
    assert!(provider_slashing_warranty(&[record(1, 3), record(2, 3)], &[slash(3)]).is_err());
    assert!(provider_slashing_warranty(&[record(1, 2)], &[slash(3)]).is_err());
}

#[test]
fn maturity_timing_catches_an_early_or_unapplied_maturity() {
    let mut history = ChannelHistory {
        vscs_applied: vec![(1, 100)],
        matured_sent: vec![(1, 100 + 50)],
        ..Default::default()
    };
    assert!(maturity_after_consumer_unbonding(&history, 50).is_ok());
    assert!(maturity_after_consumer_unbonding(&history, 51).is_err());
    history.matured_sent = vec![(2, 1_000)];
    assert!(maturity_after_consumer_unbonding(&history, 50).is_err());
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
        },
        channel_id: Some("channel-0".to_string()),
        launch_height: Some(10),
        launched_at: None,
        stopped_at: None,
        stop_reason: None,
        last_sent_vsc_id: 9,
        last_matured_vsc_id: last_matured,
        pending_slash_acks: vec![],
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
}

#[test]
fn the_halt_check_catches_a_change_after_the_halt_and_an_unhalt() {
    let mut properties = Properties::new();
    properties
        .halted_consumer_is_frozen(false, set(&[(1, 1)]))
        .unwrap();
    properties
        .halted_consumer_is_frozen(false, set(&[(1, 2)]))
        .unwrap();
    properties
        .halted_consumer_is_frozen(true, set(&[(1, 3)]))
        .unwrap();
    properties
        .halted_consumer_is_frozen(true, set(&[(1, 3)]))
        .unwrap();
    assert!(properties
        .halted_consumer_is_frozen(true, set(&[(1, 4)]))
        .is_err());
    assert!(properties
        .halted_consumer_is_frozen(false, set(&[(1, 3)]))
        .is_err());
}

#[test]
fn the_chain_set_check_catches_a_chain_that_drifted() {
    let given = set(&[(1, 10), (2, 20)]);
    assert!(chain_follows_the_replicated_set(&given, Some(&given)).is_ok());
    assert!(chain_follows_the_replicated_set(&set(&[(1, 10)]), Some(&given)).is_err());
    assert!(chain_follows_the_replicated_set(&given, None).is_err());
}
