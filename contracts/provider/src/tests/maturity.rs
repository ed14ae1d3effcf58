//! The maturity floor: an unbonding entry is released exactly when the old rule released it
//! (time passed, and every consumer running at its creation and still running matured its
//! vscId), with one index read instead of a copy of every launched consumer per entry.

use cw_ics_ccv::AckResult;

use super::*;
use crate::msg::{ConfigUpdate, ConsumerPhase, EpochResponse, UnbondingResponse};

fn entry(suite: &Suite, staker: &str, id: u64) -> UnbondingResponse {
    suite
        .unbondings(staker)
        .unbondings
        .into_iter()
        .find(|e| e.id == id)
        .expect("entry")
}

fn unbond_id(suite: &mut Suite, staker: &str, operator: &str, tokens: u128) -> u64 {
    let response = suite.unbond(staker, operator, tokens).unwrap();
    attribute(&response, "unbonding_id").parse().unwrap()
}

fn epoch_state(suite: &Suite) -> EpochResponse {
    suite.query(QueryMsg::Epoch {})
}

#[test]
fn a_consumer_launched_after_the_entry_never_holds_it() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    suite.epoch();
    let early = unbond_id(&mut suite, "alice", "alice", 10);
    let id = suite.running_consumer("c1", "channel-0", CONNECTION);
    assert_eq!(suite.consumer(id).phase, ConsumerPhase::Launched);
    let late = unbond_id(&mut suite, "alice", "alice", 10);
    assert!(entry(&suite, "alice", early).waiting_on.is_empty());
    assert_eq!(entry(&suite, "alice", late).waiting_on, vec![id]);
    suite.advance_seconds(UNBONDING);
    assert!(entry(&suite, "alice", early).released);
    assert!(!entry(&suite, "alice", late).released);
    let err = suite
        .exec(
            "alice",
            ExecuteMsg::Withdraw {
                entry_ids: Some(vec![late]),
            },
            &[],
        )
        .unwrap_err();
    assert!(matches!(err, ContractError::NotReleased(id) if id == late));
}

/// The boundary: a consumer launches in the epoch of vscId E while new entries are already
/// stamped E + 1. With an epoch spread over several calls, entries stamped E + 1 exist on both
/// sides of the launch: those created before it never wait for the consumer, those created
/// after it wait until it matures E + 1.
#[test]
fn entries_with_the_launch_vsc_id_wait_only_if_created_after_the_launch() {
    let mut msg = default_instantiate();
    msg.config.max_epoch_work = 1;
    let mut suite = Suite::with(msg);
    for seed in 1..=3u8 {
        suite.add_validator(&format!("v{seed}"), seed, 100);
    }
    suite.epoch();
    for seed in 1..=3u8 {
        suite.bond("staker", &format!("v{seed}"), 10).unwrap();
    }
    let id = suite.register_consumer("c1");
    suite.advance(epoch_state(&suite).next_epoch_height - suite.env.block.height);
    assert_eq!(attribute(&suite.tick(), "epoch"), "started");
    let sealed = epoch_state(&suite).current_vsc_id;
    let before = unbond_id(&mut suite, "staker", "v1", 5);
    let mut calls = 0;
    while suite.consumer(id).phase != ConsumerPhase::Launched {
        suite.tick();
        calls += 1;
        assert!(calls < 20, "never launched");
    }
    assert!(calls > 1, "the launch came in a later call");
    let after = unbond_id(&mut suite, "staker", "v2", 5);
    while epoch_state(&suite).in_progress {
        suite.tick();
    }
    let (before, after) = (
        entry(&suite, "staker", before),
        entry(&suite, "staker", after),
    );
    assert_eq!(before.vsc_id, sealed);
    assert_eq!(
        after.vsc_id, sealed,
        "both carry the vscId after the launch's"
    );
    assert!(before.waiting_on.is_empty());
    assert_eq!(after.waiting_on, vec![id]);

    suite.advance_seconds(UNBONDING);
    assert!(entry(&suite, "staker", before.id).released);
    assert!(!entry(&suite, "staker", after.id).released);
    suite
        .open_channel("channel-0", CONNECTION, CONSUMER_PORT)
        .unwrap();
    let sent = suite.epoch();
    assert_eq!(sent[0].1.valset_update_id, sealed);
    assert_eq!(
        suite.receive("channel-0", matured(sealed)),
        Acknowledgement::Result(AckResult::Success)
    );
    assert!(entry(&suite, "staker", after.id).released);
}

#[test]
fn consumers_maturing_out_of_order_release_each_entry_at_the_last_of_its_consumers() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 1_000);
    let ids: Vec<u64> = (1..=3)
        .map(|n| {
            suite.running_consumer(
                &format!("c{n}"),
                &format!("channel-{n}"),
                &format!("connection-{n}"),
            )
        })
        .collect();
    suite.epoch();
    let first = unbond_id(&mut suite, "alice", "alice", 10);
    let v1 = suite.epoch()[0].1.valset_update_id;
    let second = unbond_id(&mut suite, "alice", "alice", 10);
    let v2 = suite.epoch()[0].1.valset_update_id;
    assert!(v2 > v1);
    suite.advance_seconds(UNBONDING);
    let state = |suite: &Suite| {
        [first, second].map(|id| {
            let e = entry(suite, "alice", id);
            (e.released, e.waiting_on)
        })
    };
    assert_eq!(state(&suite), [(false, ids.clone()), (false, ids.clone())]);
    // The third matures the second entry's vscId first, the first matures the older one.
    suite.receive("channel-3", matured(v2));
    suite.receive("channel-1", matured(v1));
    // Listed lowest floor first: the second consumer matured nothing yet.
    assert_eq!(
        state(&suite),
        [(false, vec![ids[1]]), (false, vec![ids[1], ids[0]])]
    );
    // A maturity below what a consumer already matured changes nothing.
    suite.receive("channel-3", matured(v1));
    assert_eq!(suite.consumer(ids[2]).last_matured_vsc_id, v2);
    suite.receive("channel-2", matured(v1));
    assert_eq!(
        state(&suite),
        [(true, vec![]), (false, vec![ids[0], ids[1]])]
    );
    // A stopped consumer holds nothing any more.
    suite
        .exec(
            "admin",
            ExecuteMsg::StopConsumer {
                consumer_id: ids[1],
            },
            &[],
        )
        .unwrap();
    assert_eq!(state(&suite), [(true, vec![]), (false, vec![ids[0]])]);
    suite.receive("channel-1", matured(v2));
    assert_eq!(state(&suite), [(true, vec![]), (true, vec![])]);
    suite
        .exec("alice", ExecuteMsg::Withdraw { entry_ids: None }, &[])
        .unwrap();
    assert!(suite.unbondings("alice").unbondings.is_empty());
}

#[test]
fn the_awaited_consumers_are_listed_up_to_ten() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    for n in 1..=12 {
        suite.register_consumer(&format!("c{n}"));
    }
    suite.epoch();
    let id = unbond_id(&mut suite, "alice", "alice", 10);
    let listed = entry(&suite, "alice", id);
    assert_eq!(listed.waiting_on, (1..=10).collect::<Vec<u64>>());
    assert!(listed.waiting_on_more);
    for consumer_id in 1..=2 {
        suite
            .exec("admin", ExecuteMsg::StopConsumer { consumer_id }, &[])
            .unwrap();
    }
    let listed = entry(&suite, "alice", id);
    assert_eq!(listed.waiting_on, (3..=12).collect::<Vec<u64>>());
    assert!(!listed.waiting_on_more);
}

#[test]
fn without_waiting_for_consumers_the_index_is_kept_but_ignored() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    let id = suite.running_consumer("c1", "channel-0", CONNECTION);
    let update = |wait| ConfigUpdate {
        wait_for_consumer_maturity: Some(wait),
        ..ConfigUpdate::default()
    };
    suite
        .exec("admin", ExecuteMsg::UpdateConfig(update(false)), &[])
        .unwrap();
    let entry_id = unbond_id(&mut suite, "alice", "alice", 10);
    suite.advance_seconds(UNBONDING);
    assert!(entry(&suite, "alice", entry_id).released);
    // Turned back on, the consumer that never matured holds the entry again.
    suite
        .exec("admin", ExecuteMsg::UpdateConfig(update(true)), &[])
        .unwrap();
    let held = entry(&suite, "alice", entry_id);
    assert!(!held.released);
    assert_eq!(held.waiting_on, vec![id]);
}

mod model {
    //! Random histories of launches, channel openings, epochs (spread over several calls),
    //! unbondings, maturities, stops and time: every entry's `released` and `waiting_on` are
    //! what the rule the floor replaced says (the consumers running at the entry's creation,
    //! recorded in the entry, each either stopped or matured at or past its vscId).

    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::msg::ConsumersResponse;

    #[derive(Clone, Debug)]
    enum Op {
        Register,
        OpenChannel(usize),
        Tick,
        Advance(u64),
        Unbond(u8),
        Mature(usize, u64),
        Stop(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            1 => Just(Op::Register),
            2 => (0..6usize).prop_map(Op::OpenChannel),
            6 => Just(Op::Tick),
            3 => (1..400u64).prop_map(Op::Advance),
            5 => (1..=3u8).prop_map(Op::Unbond),
            6 => (0..6usize, 0..12u64).prop_map(|(c, back)| Op::Mature(c, back)),
            1 => (0..6usize).prop_map(Op::Stop),
        ]
    }

    fn consumers(suite: &Suite) -> Vec<crate::msg::ConsumerResponse> {
        let answer: ConsumersResponse = suite.query(QueryMsg::Consumers {
            start_after: None,
            limit: Some(100),
        });
        answer.consumers
    }

    /// The old rule, from what the entry recorded at its creation.
    fn old_rule(
        suite: &Suite,
        waiting_on: &[u64],
        vsc_id: u64,
        completes_at: Timestamp,
    ) -> (bool, Vec<u64>) {
        let now = consumers(suite);
        let pending: Vec<u64> = waiting_on
            .iter()
            .copied()
            .filter(|id| {
                let c = &now[(*id - 1) as usize];
                c.phase == ConsumerPhase::Launched && c.last_matured_vsc_id < vsc_id
            })
            .collect();
        (
            suite.env.block.time >= completes_at && pending.is_empty(),
            pending,
        )
    }

    fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
        let mut msg = default_instantiate();
        msg.config.max_epoch_work = 2;
        msg.config.max_unbonding_entries = 1_000;
        let mut suite = Suite::with(msg);
        for seed in 1..=3u8 {
            suite.add_validator(&format!("v{seed}"), seed, 1_000);
        }
        // Entry id → (consumers running at its creation, creation order).
        let mut recorded: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
        for op in ops {
            let all = consumers(&suite);
            match op {
                Op::Register => {
                    if all.len() < 6 {
                        let n = all.len();
                        let mut reg = registration(&format!("c{n}"), suite.env.block.time);
                        reg.connection_id = format!("connection-{n}");
                        suite
                            .exec("admin", ExecuteMsg::RegisterConsumer(reg), &[])
                            .unwrap();
                    }
                }
                Op::OpenChannel(n) => {
                    if let Some(c) = all.get(n) {
                        if c.phase == ConsumerPhase::Launched && c.channel_id.is_none() {
                            let connection = format!("connection-{n}");
                            suite
                                .open_channel(&format!("channel-{n}"), &connection, CONSUMER_PORT)
                                .unwrap();
                        }
                    }
                }
                Op::Tick => {
                    suite.advance(3);
                    suite.tick();
                }
                Op::Advance(seconds) => suite.advance_seconds(seconds),
                Op::Unbond(seed) => {
                    let operator = format!("v{seed}");
                    // Changes a power too, so epochs have work to spread over calls.
                    suite.bond("staker", &operator, 10).unwrap();
                    let id = unbond_id(&mut suite, "staker", &operator, 5);
                    let running = all
                        .iter()
                        .filter(|c| c.phase == ConsumerPhase::Launched)
                        .map(|c| c.consumer_id)
                        .collect();
                    recorded.insert(id, running);
                }
                Op::Mature(n, back) => {
                    if let Some(c) = all.get(n) {
                        if c.phase == ConsumerPhase::Launched && c.last_sent_vsc_id > 0 {
                            let vsc_id = c.last_sent_vsc_id.saturating_sub(back).max(1);
                            suite.receive(&format!("channel-{n}"), matured(vsc_id));
                        }
                    }
                }
                Op::Stop(n) => {
                    if let Some(c) = all.get(n) {
                        if matches!(c.phase, ConsumerPhase::Launched | ConsumerPhase::Registered) {
                            suite
                                .exec(
                                    "admin",
                                    ExecuteMsg::StopConsumer {
                                        consumer_id: c.consumer_id,
                                    },
                                    &[],
                                )
                                .unwrap();
                        }
                    }
                }
            }
            let entries: UnbondingsResponse = suite.query(QueryMsg::Unbondings {
                staker: addr("staker").to_string(),
                start_after: None,
                limit: Some(100),
            });
            for e in entries.unbondings {
                let (released, pending) =
                    old_rule(&suite, &recorded[&e.id], e.vsc_id, e.completes_at);
                prop_assert_eq!(e.released, released, "entry {}", e.id);
                let mut listed = e.waiting_on.clone();
                listed.sort_unstable();
                prop_assert_eq!(listed, pending, "entry {}", e.id);
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

        #[test]
        fn released_ness_is_the_old_waiting_on_rule(
            ops in proptest::collection::vec(op(), 1..60),
        ) {
            run(ops)?;
        }
    }
}
