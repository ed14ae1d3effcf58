//! Bounds: time values (attack 2 of issue 14: halting every epoch), a consumer without a
//! channel holding unbonding (attack 3), bounded loops on the packet and IBC paths, powers
//! within CometBFT's maximum.

use cosmwasm_std::{coins, Timestamp};
use cw_ics_ccv::AckResult;

use super::*;
use crate::msg::{ConfigUpdate, ConsumerPhase, ConsumerUpdate, PendingVscsResponse};
use crate::state::consumers::{oldest_sent_vsc, sent_vsc_ids, CHANNEL_OPENINGS};
use crate::time::{after, TIME_CEILING_SECONDS};

/// The value of issue 14's attack: `Timestamp::plus_seconds` overflows with it.
const OVERFLOWING: u64 = 18_446_744_074;

fn with_config(config: Config) -> Suite {
    Suite::with(InstantiateMsg {
        admin: None,
        config,
    })
}

#[test]
fn time_additions_are_checked() {
    let near_end = Timestamp::from_nanos(u64::MAX - 1_000_000_000);
    assert_eq!(after(near_end, 1).unwrap(), Timestamp::from_nanos(u64::MAX));
    assert!(matches!(
        after(near_end, 2),
        Err(ContractError::TimeOverflow { seconds: 2, .. })
    ));
    assert!(after(Timestamp::from_seconds(0), OVERFLOWING).is_err());
    assert!(after(Timestamp::from_seconds(0), u64::MAX).is_err());
    // Every configured duration is at most the ceiling: from any instant of this century it
    // stays in range.
    assert!(after(Timestamp::from_seconds(4_102_444_800), TIME_CEILING_SECONDS).is_ok());
}

#[test]
fn an_overflowing_timeout_is_refused_at_registration_and_update() {
    // Attack 2: the old code accepted these and every epoch then panicked.
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    type Mutation = Box<dyn Fn(&mut ConsumerRegistration)>;
    let cases: Vec<(&str, Mutation)> = vec![
        (
            "ccv_timeout_seconds",
            Box::new(|r| r.ccv_timeout_seconds = Some(OVERFLOWING)),
        ),
        (
            "init_timeout_seconds",
            Box::new(|r| r.init_timeout_seconds = Some(OVERFLOWING)),
        ),
        (
            "vsc_timeout_seconds",
            Box::new(|r| r.vsc_timeout_seconds = Some(OVERFLOWING)),
        ),
        (
            "retry_delay_seconds",
            Box::new(|r| r.retry_delay_seconds = OVERFLOWING),
        ),
        (
            "init_timeout_seconds",
            Box::new(|r| {
                r.init_timeout_seconds = Some(default_config().max_init_timeout_seconds + 1)
            }),
        ),
    ];
    for (name, mutate) in &cases {
        let mut reg = registration("c1", suite.env.block.time);
        mutate(&mut reg);
        let err = suite.refused("admin", ExecuteMsg::RegisterConsumer(reg), &[]);
        assert!(
            matches!(err, ContractError::AboveMaximum { name: refused, .. } if refused == *name),
            "{name}: {err:?}"
        );
    }
    let id = suite.register_consumer("c1");
    let updates = [
        ConsumerUpdate {
            init_timeout_seconds: Some(OVERFLOWING),
            ..ConsumerUpdate::default()
        },
        ConsumerUpdate {
            vsc_timeout_seconds: Some(OVERFLOWING),
            ..ConsumerUpdate::default()
        },
        ConsumerUpdate {
            ccv_timeout_seconds: Some(OVERFLOWING),
            ..ConsumerUpdate::default()
        },
        ConsumerUpdate {
            retry_delay_seconds: Some(OVERFLOWING),
            ..ConsumerUpdate::default()
        },
    ];
    for update in updates {
        let msg = ExecuteMsg::UpdateConsumer {
            consumer_id: id,
            update,
        };
        let err = suite.refused("admin", msg, &[]);
        assert!(matches!(err, ContractError::AboveMaximum { .. }), "{err:?}");
    }
    // Every value at its maximum is accepted, and epochs keep running.
    let config = default_config();
    let at_max = ConsumerRegistration {
        ccv_timeout_seconds: Some(config.max_ccv_timeout_seconds),
        init_timeout_seconds: Some(config.max_init_timeout_seconds),
        vsc_timeout_seconds: Some(config.max_vsc_timeout_seconds),
        retry_delay_seconds: config.max_retry_delay_seconds,
        ..registration("c2", suite.env.block.time)
    };
    suite
        .exec("admin", ExecuteMsg::RegisterConsumer(at_max), &[])
        .unwrap();
    suite.epoch();
    suite.advance_seconds(config.max_init_timeout_seconds);
    suite.epoch();
    assert_eq!(suite.consumer(2).phase, ConsumerPhase::Stopped);
}

#[test]
fn the_admins_time_values_are_bounded_too() {
    let mut suite = Suite::new();
    let config = default_config();
    let updates = [
        ConfigUpdate {
            init_timeout_seconds: Some(config.max_init_timeout_seconds + 1),
            ..ConfigUpdate::default()
        },
        ConfigUpdate {
            vsc_timeout_seconds: Some(config.max_vsc_timeout_seconds + 1),
            ..ConfigUpdate::default()
        },
        ConfigUpdate {
            ccv_timeout_seconds: Some(config.max_ccv_timeout_seconds + 1),
            ..ConfigUpdate::default()
        },
        ConfigUpdate {
            downtime_jail_seconds: Some(config.max_jail_seconds + 1),
            ..ConfigUpdate::default()
        },
        // A maximum below the value it bounds.
        ConfigUpdate {
            max_init_timeout_seconds: Some(config.init_timeout_seconds - 1),
            ..ConfigUpdate::default()
        },
        // Maxima and durations are themselves bounded.
        ConfigUpdate {
            max_jail_seconds: Some(OVERFLOWING),
            ..ConfigUpdate::default()
        },
        ConfigUpdate {
            unbonding_period_seconds: Some(OVERFLOWING),
            ..ConfigUpdate::default()
        },
        ConfigUpdate {
            slash_meter_replenish_period_seconds: Some(TIME_CEILING_SECONDS + 1),
            ..ConfigUpdate::default()
        },
        ConfigUpdate {
            slash_meter_replenish_period_seconds: Some(0),
            ..ConfigUpdate::default()
        },
        ConfigUpdate {
            slash_meter_replenish_fraction: Some(cosmwasm_std::Decimal::percent(101)),
            ..ConfigUpdate::default()
        },
        ConfigUpdate {
            max_pending_registrations_per_owner: Some(0),
            ..ConfigUpdate::default()
        },
        ConfigUpdate {
            max_validators: Some(crate::config::MAX_VALIDATORS_HARD_CAP + 1),
            ..ConfigUpdate::default()
        },
    ];
    for update in updates {
        let err = suite.refused("admin", ExecuteMsg::UpdateConfig(update.clone()), &[]);
        assert!(
            matches!(
                err,
                ContractError::AboveMaximum { .. } | ContractError::InvalidConfig(_)
            ),
            "{update:?}: {err:?}"
        );
    }
    // Lowering a maximum together with the value it bounds is fine.
    let lower = ConfigUpdate {
        init_timeout_seconds: Some(100),
        max_init_timeout_seconds: Some(100),
        ..ConfigUpdate::default()
    };
    suite
        .exec("admin", ExecuteMsg::UpdateConfig(lower), &[])
        .unwrap();
    let mut msg = default_instantiate();
    msg.config.max_validators = crate::config::MAX_VALIDATORS_HARD_CAP + 1;
    let mut deps = Suite::new().deps;
    let err = instantiate(
        deps.as_mut(),
        mock_env(),
        cosmwasm_std::testing::message_info(&addr("admin"), &[]),
        msg,
    )
    .unwrap_err();
    assert!(matches!(
        err,
        ContractError::AboveMaximum {
            name: "max_validators",
            ..
        }
    ));
}

#[test]
fn a_launched_consumer_without_a_channel_holds_unbonding_at_most_the_providers_max_init_timeout() {
    // Attack 3: the registrant chose the init timeout (the old code took 10 years).
    let mut suite = with_config(Config {
        max_init_timeout_seconds: 2 * UNBONDING,
        ..default_config()
    });
    suite.add_validator("alice", 1, 100);
    let too_long = ConsumerRegistration {
        init_timeout_seconds: Some(2 * UNBONDING + 1),
        ..registration("c1", suite.env.block.time)
    };
    suite.refused("admin", ExecuteMsg::RegisterConsumer(too_long), &[]);
    let longest = ConsumerRegistration {
        init_timeout_seconds: Some(2 * UNBONDING),
        ..registration("c1", suite.env.block.time)
    };
    suite
        .exec("admin", ExecuteMsg::RegisterConsumer(longest), &[])
        .unwrap();
    suite.epoch();
    let launched_at = suite.consumer(1).launched_at.unwrap();
    suite.unbond("alice", "alice", 10).unwrap();
    suite.advance_seconds(UNBONDING);
    suite.epoch();
    assert!(!suite.unbondings("alice").unbondings[0].released, "held");
    // At the provider's maximum the consumer is stopped and the entry released.
    suite.env.block.time = launched_at.plus_seconds(2 * UNBONDING);
    suite.epoch();
    assert_eq!(suite.consumer(1).phase, ConsumerPhase::Stopped);
    assert!(suite.unbondings("alice").unbondings[0].released);
}

#[test]
fn a_lowered_maximum_caps_a_consumer_registered_before() {
    let mut suite = with_config(Config {
        max_init_timeout_seconds: 2 * UNBONDING,
        ..default_config()
    });
    suite.add_validator("alice", 1, 100);
    let reg = ConsumerRegistration {
        init_timeout_seconds: Some(2 * UNBONDING),
        ..registration("c1", suite.env.block.time)
    };
    suite
        .exec("admin", ExecuteMsg::RegisterConsumer(reg), &[])
        .unwrap();
    let lower = ConfigUpdate {
        max_init_timeout_seconds: Some(600),
        ..ConfigUpdate::default()
    };
    suite
        .exec("admin", ExecuteMsg::UpdateConfig(lower), &[])
        .unwrap();
    suite.epoch();
    let launched_at = suite.consumer(1).launched_at.unwrap();
    suite.env.block.time = launched_at.plus_seconds(600);
    suite.epoch();
    assert_eq!(suite.consumer(1).phase, ConsumerPhase::Stopped);
}

#[test]
fn the_channel_handshake_finds_its_consumer_through_the_openings_index() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    // Two consumers pinned to the same connection and port, one without a port yet, one
    // stopped before its channel opened.
    let first = suite.register_consumer("c1");
    let second = suite.register_consumer("c2");
    suite
        .exec(
            "admin",
            ExecuteMsg::RegisterConsumer(ConsumerRegistration {
                counterparty_port_id: None,
                ..registration("c3", suite.env.block.time)
            }),
            &[],
        )
        .unwrap();
    let stopped = suite.register_consumer("c4");
    suite.epoch();
    suite
        .exec(
            "admin",
            ExecuteMsg::StopConsumer {
                consumer_id: stopped,
            },
            &[],
        )
        .unwrap();
    let openings = |suite: &Suite| -> Vec<(String, String, u64)> {
        CHANNEL_OPENINGS
            .keys(
                &suite.deps.storage,
                None,
                None,
                cosmwasm_std::Order::Ascending,
            )
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let entry = |id| (CONNECTION.to_string(), CONSUMER_PORT.to_string(), id);
    assert_eq!(openings(&suite), vec![entry(first), entry(second)]);
    // The lowest id first, then the next; each leaves the index when its channel opens.
    suite
        .open_channel("channel-0", CONNECTION, CONSUMER_PORT)
        .unwrap();
    assert_eq!(
        suite.consumer(first).channel_id.as_deref(),
        Some("channel-0")
    );
    assert_eq!(openings(&suite), vec![entry(second)]);
    suite
        .open_channel("channel-1", CONNECTION, CONSUMER_PORT)
        .unwrap();
    assert_eq!(
        suite.consumer(second).channel_id.as_deref(),
        Some("channel-1")
    );
    assert!(openings(&suite).is_empty());
    // Nothing left for that pair (the stopped consumer is not found).
    assert!(matches!(
        suite.open_channel("channel-2", CONNECTION, CONSUMER_PORT),
        Err(ContractError::NoConsumerForChannel { .. })
    ));
    // A port set after launch enters the index; changed again, the old one leaves it.
    for port in ["wasm.first", "wasm.second"] {
        suite
            .exec(
                "admin",
                ExecuteMsg::UpdateConsumer {
                    consumer_id: 3,
                    update: ConsumerUpdate {
                        counterparty_port_id: Some(port.to_string()),
                        ..ConsumerUpdate::default()
                    },
                },
                &[],
            )
            .unwrap();
    }
    assert_eq!(
        openings(&suite),
        vec![(CONNECTION.to_string(), "wasm.second".to_string(), 3)]
    );
    assert!(suite
        .open_channel("channel-3", CONNECTION, "wasm.first")
        .is_err());
    suite
        .open_channel("channel-3", CONNECTION, "wasm.second")
        .unwrap();
    assert!(openings(&suite).is_empty());
}

/// One validator, epochs of one block, one consumer launched and given its first VSC on
/// "channel-0" (or without a channel when `open` is false).
fn fast_epochs(open: bool) -> (Suite, u64) {
    let mut suite = with_config(Config {
        epoch_length_blocks: 1,
        ..default_config()
    });
    suite.add_validator("alice", 1, 100);
    let id = suite.register_consumer("c1");
    suite.epoch();
    if open {
        suite
            .open_channel("channel-0", CONNECTION, CONSUMER_PORT)
            .unwrap();
        suite.epoch();
    }
    (suite, id)
}

/// `count` epochs that each change alice's power; the VSCs they send.
fn changing_epochs(suite: &mut Suite, count: usize) -> Vec<u64> {
    let mut sent = vec![];
    for _ in 0..count {
        suite.bond("s", "alice", 10).unwrap();
        sent.extend(suite.epoch().into_iter().map(|(_, p)| p.valset_update_id));
    }
    sent
}

#[test]
fn a_vsc_matured_packet_removes_a_bounded_number_of_records_and_leftovers_are_harmless() {
    use crate::receive::MAX_MATURED_REMOVALS;
    let (mut suite, id) = fast_epochs(true);
    let sent = changing_epochs(&mut suite, MAX_MATURED_REMOVALS + 8);
    let last = *sent.last().unwrap();
    let unmatured = |suite: &Suite| sent_vsc_ids(&suite.deps.storage, id, None, 1_000).unwrap();
    assert_eq!(unmatured(&suite).len(), MAX_MATURED_REMOVALS + 9);
    assert_eq!(
        suite.receive("channel-0", matured(last)),
        Acknowledgement::Result(AckResult::Success)
    );
    assert_eq!(
        unmatured(&suite).len(),
        9,
        "at most {MAX_MATURED_REMOVALS} removed"
    );
    assert_eq!(suite.consumer(id).last_matured_vsc_id, last);
    // The leftovers are matured: no VSC timeout for them.
    assert_eq!(
        oldest_sent_vsc(&suite.deps.storage, id, last).unwrap(),
        None
    );
    suite.advance_seconds(default_config().vsc_timeout_seconds * 2);
    suite.epoch();
    assert_eq!(suite.consumer(id).phase, ConsumerPhase::Launched);
    // A later VSC is timed from when it was sent, and the next maturity clears the rest.
    let next = changing_epochs(&mut suite, 1)[0];
    assert_eq!(
        oldest_sent_vsc(&suite.deps.storage, id, last)
            .unwrap()
            .map(|(v, _)| v),
        Some(next)
    );
    suite.receive("channel-0", matured(next));
    assert!(unmatured(&suite).is_empty());
}

#[test]
fn queued_vscs_are_sent_a_bounded_number_at_a_time_and_in_order() {
    use crate::vsc::MAX_QUEUED_VSCS_PER_CALL;
    let (mut suite, id) = fast_epochs(false);
    let backlog = 2 * MAX_QUEUED_VSCS_PER_CALL + 6;
    assert!(changing_epochs(&mut suite, backlog).is_empty());
    let pending: PendingVscsResponse = suite.query(QueryMsg::PendingVscs {
        consumer_id: id,
        start_after: None,
        limit: Some(100),
    });
    let queued: Vec<u64> = pending.packets.iter().map(|p| p.valset_update_id).collect();
    assert_eq!(queued.len(), backlog);
    let response = suite
        .open_channel("channel-0", CONNECTION, CONSUMER_PORT)
        .unwrap();
    let mut delivered: Vec<u64> = sent_vscs(&response.messages)
        .into_iter()
        .map(|(_, p)| p.valset_update_id)
        .collect();
    assert_eq!(delivered.len(), MAX_QUEUED_VSCS_PER_CALL);
    // An epoch with a change: the next batch goes out, the new VSC queues behind the rest.
    let batch = changing_epochs(&mut suite, 1);
    assert_eq!(batch.len(), MAX_QUEUED_VSCS_PER_CALL);
    delivered.extend(batch);
    // A quiet epoch sends the rest and the new one.
    let rest: Vec<u64> = suite
        .epoch()
        .into_iter()
        .map(|(_, p)| p.valset_update_id)
        .collect();
    assert_eq!(rest.len(), 7);
    delivered.extend(rest);
    let mut expected = queued.clone();
    expected.push(*delivered.last().unwrap());
    assert_eq!(delivered, expected, "every VSC once, in vscId order");
    assert!(delivered.windows(2).all(|w| w[0] < w[1]));
    assert!(suite.epoch().is_empty(), "nothing more is owed");
}

#[test]
fn a_vsc_carries_a_bounded_number_of_slash_acks_and_the_next_one_the_rest() {
    use crate::state::slashing::MAX_SLASH_ACKS_PER_VSC;
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    suite.add_validator("bob", 2, 200);
    suite.running_consumer("c1", "channel-0", CONNECTION);
    suite.epoch();
    for _ in 0..MAX_SLASH_ACKS_PER_VSC + 5 {
        assert_eq!(
            suite.receive("channel-0", downtime(1, 0)),
            Acknowledgement::Result(AckResult::SlashHandled)
        );
    }
    assert_eq!(
        suite.consumer(1).pending_slash_acks.len(),
        MAX_SLASH_ACKS_PER_VSC
    );
    let sent = suite.epoch();
    assert_eq!(sent[0].1.slash_acks.len(), MAX_SLASH_ACKS_PER_VSC);
    let sent = suite.epoch();
    assert_eq!(sent.len(), 1, "the consumer stays due for the rest");
    assert_eq!(sent[0].1.slash_acks.len(), 5);
    assert!(suite.epoch().is_empty());
}

#[test]
fn a_stopped_consumers_slash_acks_go_with_its_state() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    let id = suite.running_consumer("c1", "channel-0", CONNECTION);
    suite.receive("channel-0", downtime(1, 0));
    suite
        .exec("admin", ExecuteMsg::StopConsumer { consumer_id: id }, &[])
        .unwrap();
    assert!(suite.consumer(id).pending_slash_acks.is_empty());
    let owed = |suite: &Suite| {
        crate::state::slashing::pending_slash_acks(&suite.deps.storage, id, 10)
            .unwrap()
            .len()
    };
    assert_eq!(owed(&suite), 1, "kept until the deletion, which pages");
    suite.advance_seconds(UNBONDING);
    suite.epoch();
    assert_eq!(suite.consumer(id).phase, ConsumerPhase::Deleted);
    assert_eq!(owed(&suite), 0);
}

#[test]
fn a_bond_above_the_per_validator_maximum_is_refused() {
    use crate::staking::MAX_POWER;
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 0);
    assert_eq!(
        MAX_POWER,
        cw_ics_ccv::MAX_TOTAL_VOTING_POWER / u64::from(crate::config::MAX_VALIDATORS_HARD_CAP)
    );
    let at_max = u128::from(MAX_POWER) * POWER_REDUCTION;
    let over = ExecuteMsg::Bond {
        validator: addr("alice").to_string(),
    };
    let err = suite.refused(
        "whale",
        over.clone(),
        &coins(at_max + POWER_REDUCTION, DENOM),
    );
    assert!(matches!(err, ContractError::PowerTooLarge { max } if max == MAX_POWER));
    suite.bond("whale", "alice", at_max).unwrap();
    assert_eq!(suite.validator("alice").power, MAX_POWER);
    let err = suite.refused("whale", over, &coins(POWER_REDUCTION, DENOM));
    assert!(matches!(err, ContractError::PowerTooLarge { .. }));
    // A full set of validators at the maximum stays within CometBFT's total.
    assert!(
        u128::from(MAX_POWER) * u128::from(crate::config::MAX_VALIDATORS_HARD_CAP)
            <= u128::from(cw_ics_ccv::MAX_TOTAL_VOTING_POWER)
    );
}
