//! Per-consumer infraction parameters (ADR-020): set at registration, changed at once before
//! launch and one provider unbonding period later after launch.

use cosmwasm_std::{BankMsg, Decimal, Uint128};

use super::*;
use crate::msg::{
    ConsumerUpdate, InfractionParameters, PendingInfractionParameters, SlashJailParameters,
};

fn parameters(downtime_percent: u64, jail: u64, tombstone: bool) -> InfractionParameters {
    InfractionParameters {
        double_sign: SlashJailParameters {
            slash_fraction: Decimal::percent(5),
            jail_duration_seconds: 10_000,
            tombstone: true,
        },
        downtime: SlashJailParameters {
            slash_fraction: Decimal::percent(downtime_percent),
            jail_duration_seconds: jail,
            tombstone,
        },
    }
}

fn register_with(suite: &mut Suite, infraction: Option<InfractionParameters>) -> u64 {
    let reg = ConsumerRegistration {
        infraction_parameters: infraction,
        ..registration("c1", suite.env.block.time)
    };
    let response = suite
        .exec("admin", ExecuteMsg::RegisterConsumer(reg), &[])
        .unwrap();
    attribute(&response, "consumer_id").parse().unwrap()
}

fn update(consumer_id: u64, infraction: InfractionParameters) -> ExecuteMsg {
    ExecuteMsg::UpdateConsumer {
        consumer_id,
        update: ConsumerUpdate {
            infraction_parameters: Some(infraction),
            ..ConsumerUpdate::default()
        },
    }
}

/// alice (power 10) and bob (20) and a launched consumer on "channel-0".
fn launched(infraction: Option<InfractionParameters>) -> (Suite, u64) {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    suite.add_validator("bob", 2, 200);
    let id = register_with(&mut suite, infraction);
    suite.epoch();
    suite
        .open_channel("channel-0", CONNECTION, CONSUMER_PORT)
        .unwrap();
    (suite, id)
}

fn burnt(response: &Response<ChainMsg>) -> u128 {
    match &response.messages[0].msg {
        CosmosMsg::Bank(BankMsg::Burn { amount }) => {
            Uint128::try_from(amount[0].amount).unwrap().u128()
        }
        other => panic!("not a burn: {other:?}"),
    }
}

#[test]
fn a_registration_without_parameters_takes_the_providers_defaults() {
    let mut suite = Suite::new();
    let id = register_with(&mut suite, None);
    let consumer = suite.consumer(id);
    let config = default_config();
    assert_eq!(
        consumer.infraction_parameters,
        InfractionParameters {
            double_sign: SlashJailParameters {
                slash_fraction: config.double_sign_slash_fraction,
                jail_duration_seconds: config.max_jail_seconds,
                tombstone: true,
            },
            downtime: SlashJailParameters {
                slash_fraction: config.downtime_slash_fraction,
                jail_duration_seconds: config.downtime_jail_seconds,
                tombstone: false,
            },
        }
    );
    assert_eq!(
        consumer.registration.infraction_parameters,
        Some(consumer.infraction_parameters.clone()),
        "stored resolved"
    );
    assert_eq!(consumer.pending_infraction_parameters, None);
}

#[test]
fn the_downtime_slash_uses_the_consumers_parameters() {
    let (mut suite, _) = launched(Some(parameters(50, 200, false)));
    let (_, response) = suite.receive_raw("channel-0", downtime(2, 0).encode().unwrap());
    // Half of bob's 200 tokens, jailed for 200 s.
    assert_eq!(burnt(&response), 100);
    let bob = suite.validator("bob");
    assert_eq!(bob.tokens, Uint128::new(100));
    assert_eq!(
        bob.jailed_until,
        Some(suite.env.block.time.plus_seconds(200))
    );
    assert!(!bob.tombstoned);
}

#[test]
fn a_consumer_may_tombstone_for_downtime() {
    let (mut suite, _) = launched(Some(parameters(0, 0, true)));
    let (_, response) = suite.receive_raw("channel-0", downtime(1, 0).encode().unwrap());
    assert!(
        response.messages.is_empty(),
        "a fraction of 0 takes nothing"
    );
    let alice = suite.validator("alice");
    assert!(alice.tombstoned);
    assert_eq!(alice.power, 0);
    let err = suite.refused("alice", ExecuteMsg::Unjail {}, &[]);
    assert!(matches!(err, ContractError::Tombstoned));
}

#[test]
fn invalid_parameters_are_refused_at_registration_and_update_with_nothing_written() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    let over_one = InfractionParameters {
        double_sign: SlashJailParameters {
            slash_fraction: Decimal::percent(101),
            jail_duration_seconds: 0,
            tombstone: true,
        },
        ..parameters(10, 100, false)
    };
    let too_long = parameters(10, default_config().max_jail_seconds + 1, false);
    let downtime_over_one = parameters(150, 100, false);
    for bad in [&over_one, &too_long, &downtime_over_one] {
        let reg = ConsumerRegistration {
            infraction_parameters: Some(bad.clone()),
            ..registration("c1", suite.env.block.time)
        };
        suite.refused("admin", ExecuteMsg::RegisterConsumer(reg), &[]);
    }
    let id = register_with(&mut suite, None);
    for bad in [&over_one, &too_long, &downtime_over_one] {
        suite.refused("admin", update(id, bad.clone()), &[]);
    }
    suite.epoch();
    for bad in [&over_one, &too_long, &downtime_over_one] {
        let err = suite.refused("admin", update(id, bad.clone()), &[]);
        assert!(
            matches!(
                err,
                ContractError::InvalidRegistration(_) | ContractError::AboveMaximum { .. }
            ),
            "{err:?}"
        );
    }
    // Only the owner or the admin changes them.
    suite.refused("stranger", update(id, parameters(1, 1, false)), &[]);
}

#[test]
fn before_launch_a_change_applies_at_once() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    let id = register_with(&mut suite, None);
    suite
        .exec("admin", update(id, parameters(30, 50, false)), &[])
        .unwrap();
    let consumer = suite.consumer(id);
    assert_eq!(consumer.infraction_parameters, parameters(30, 50, false));
    assert_eq!(consumer.pending_infraction_parameters, None);
    suite.epoch();
    suite
        .open_channel("channel-0", CONNECTION, CONSUMER_PORT)
        .unwrap();
    let (_, response) = suite.receive_raw("channel-0", downtime(1, 0).encode().unwrap());
    assert_eq!(burnt(&response), 30);
}

#[test]
fn after_launch_a_change_applies_one_provider_unbonding_period_later() {
    let (mut suite, id) = launched(None);
    let changed_at = suite.env.block.time;
    let response = suite
        .exec("admin", update(id, parameters(50, 100, false)), &[])
        .unwrap();
    let effective_at = changed_at.plus_seconds(UNBONDING);
    assert_eq!(
        attribute(&response, "infraction_parameters_effective_at"),
        effective_at.to_string()
    );
    let consumer = suite.consumer(id);
    assert_eq!(
        consumer.infraction_parameters.downtime.slash_fraction,
        Decimal::percent(10),
        "the old parameters stay in force"
    );
    assert_eq!(
        consumer.pending_infraction_parameters,
        Some(PendingInfractionParameters {
            parameters: parameters(50, 100, false),
            effective_at,
        })
    );
    // A report before then is punished with the old parameters (10%).
    let (_, response) = suite.receive_raw("channel-0", downtime(1, 0).encode().unwrap());
    assert_eq!(burnt(&response), 10);
    // Once the time came, the new ones are in force (no queue: read lazily).
    suite.advance_seconds(UNBONDING);
    let consumer = suite.consumer(id);
    assert_eq!(consumer.infraction_parameters, parameters(50, 100, false));
    assert_eq!(consumer.pending_infraction_parameters, None);
    let (_, response) = suite.receive_raw("channel-0", downtime(2, 0).encode().unwrap());
    assert_eq!(burnt(&response), 100);
}

#[test]
fn a_later_change_replaces_a_pending_one_and_keeps_one_already_in_force() {
    let (mut suite, id) = launched(None);
    suite
        .exec("admin", update(id, parameters(20, 100, false)), &[])
        .unwrap();
    // Replaced before it took effect: the clock restarts for the new one.
    suite.advance_seconds(100);
    suite
        .exec("admin", update(id, parameters(30, 100, false)), &[])
        .unwrap();
    let consumer = suite.consumer(id);
    assert_eq!(
        consumer.infraction_parameters.downtime.slash_fraction,
        Decimal::percent(10)
    );
    let pending = consumer.pending_infraction_parameters.unwrap();
    assert_eq!(pending.parameters, parameters(30, 100, false));
    assert_eq!(
        pending.effective_at,
        suite.env.block.time.plus_seconds(UNBONDING)
    );
    // In force, then changed again: the one in force becomes current, the new one pends.
    suite.advance_seconds(UNBONDING);
    suite
        .exec("admin", update(id, parameters(40, 100, false)), &[])
        .unwrap();
    let consumer = suite.consumer(id);
    assert_eq!(consumer.infraction_parameters, parameters(30, 100, false));
    assert_eq!(
        consumer.pending_infraction_parameters.unwrap().parameters,
        parameters(40, 100, false)
    );
    let (_, response) = suite.receive_raw("channel-0", downtime(2, 0).encode().unwrap());
    assert_eq!(burnt(&response), 60);
}

#[test]
fn a_stopped_consumers_parameters_cannot_change() {
    let (mut suite, id) = launched(None);
    suite
        .exec("admin", ExecuteMsg::StopConsumer { consumer_id: id }, &[])
        .unwrap();
    let err = suite.refused("admin", update(id, parameters(1, 1, false)), &[]);
    assert!(matches!(err, ContractError::WrongPhase { .. }));
}
