use super::*;
use crate::msg::{
    ConfigUpdate, ConsumerPhase, ConsumerValidator, ConsumerValidatorsResponse, EpochResponse,
    PendingVscsResponse, VscHeightResponse,
};

fn consumer_set(suite: &Suite, consumer_id: u64) -> Vec<(u8, u64)> {
    let response: ConsumerValidatorsResponse = suite.query(QueryMsg::ConsumerValidators {
        consumer_id,
        start_after: None,
        limit: Some(100),
    });
    let mut set: Vec<(u8, u64)> = response
        .validators
        .iter()
        .map(|v| (v.pub_key.bytes()[0], v.power))
        .collect();
    set.sort_unstable();
    set
}

#[test]
fn tick_does_nothing_before_the_boundary_and_once_per_epoch() {
    let mut suite = Suite::new();
    assert_eq!(attribute(&suite.tick(), "epoch"), "finished");
    assert_eq!(attribute(&suite.tick(), "epoch"), "not_due");
    suite.advance(EPOCH_BLOCKS - 1);
    assert_eq!(attribute(&suite.tick(), "epoch"), "not_due");
    suite.advance(1);
    assert_eq!(attribute(&suite.tick(), "epoch"), "finished");
    let epoch: EpochResponse = suite.query(QueryMsg::Epoch {});
    assert_eq!(epoch.current_vsc_id, 3);
    let height: VscHeightResponse = suite.query(QueryMsg::VscHeight {
        consumer_id: 0,
        vsc_id: 3,
    });
    assert_eq!(height.height, Some(suite.env.block.height));
    let err = suite
        .exec(
            "anyone",
            ExecuteMsg::Tick {},
            &cosmwasm_std::coins(1, DENOM),
        )
        .unwrap_err();
    assert!(matches!(err, ContractError::UnexpectedFunds));
}

#[test]
fn a_vsc_is_sent_only_when_the_set_changes() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    suite.add_validator("bob", 2, 200);
    let id = suite.running_consumer("c1", "channel-0", CONNECTION);
    let first = suite.epoch();
    assert_eq!(first.len(), 1, "the first VSC establishes the channel");
    assert!(first[0].1.validator_updates.is_empty());
    assert!(suite.epoch().is_empty(), "nothing changed");

    suite.bond("staker", "alice", 50).unwrap();
    let sent = suite.epoch();
    assert_eq!(sent.len(), 1);
    let (channel, packet) = &sent[0];
    assert_eq!(channel, "channel-0");
    assert_eq!(updates(packet), vec![(1, 15)]);
    assert!(packet.slash_acks.is_empty());
    assert_eq!(suite.consumer(id).last_sent_vsc_id, packet.valset_update_id);
    assert_eq!(consumer_set(&suite, id), vec![(1, 15), (2, 20)]);

    // A change that leaves the power unchanged sends nothing.
    suite.bond("staker", "alice", 5).unwrap();
    assert!(suite.epoch().is_empty());
}

#[test]
fn the_top_n_boundary_swaps_validators_in_and_out() {
    let mut suite = Suite::new();
    suite.add_validator("a", 1, 100);
    suite.add_validator("b", 2, 200);
    suite.add_validator("c", 3, 300);
    suite.add_validator("d", 4, 50);
    let id = suite.running_consumer("c1", "channel-0", CONNECTION);
    assert_eq!(consumer_set(&suite, id), vec![(1, 10), (2, 20), (3, 30)]);

    suite.bond("s", "d", 100).unwrap();
    let sent = suite.epoch();
    assert_eq!(updates(&sent[0].1), vec![(1, 0), (4, 15)]);
    assert_eq!(consumer_set(&suite, id), vec![(2, 20), (3, 30), (4, 15)]);

    // Ties go to the lower consensus address, deterministically.
    suite.bond("s", "a", 50).unwrap();
    let sent = suite.epoch();
    let expected_in = if cons_addr(1) < cons_addr(4) { 1 } else { 4 };
    let set = consumer_set(&suite, id);
    assert!(set.contains(&(expected_in, 15)), "{set:?}");
    assert_eq!(set.len(), 3);
    if expected_in == 1 {
        assert_eq!(updates(&sent[0].1), vec![(1, 15), (4, 0)]);
    } else {
        assert!(sent.is_empty());
    }

    // Shrinking the set size pushes the weakest out.
    let update = ConfigUpdate {
        max_validators: Some(1),
        ..ConfigUpdate::default()
    };
    suite
        .exec("admin", ExecuteMsg::UpdateConfig(update), &[])
        .unwrap();
    suite.epoch();
    assert_eq!(consumer_set(&suite, id), vec![(3, 30)]);
}

#[test]
fn jailing_removes_a_validator_and_unjailing_brings_it_back() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    suite.add_validator("bob", 2, 200);
    let id = suite.running_consumer("c1", "channel-0", CONNECTION);
    let operator = addr("alice");
    let mut validator = suite.load_stake(&operator);
    let until = suite.env.block.time.plus_seconds(10);
    crate::staking::jail(&mut validator.stake, until);
    suite.save_stake(&validator);
    let sent = suite.epoch();
    assert_eq!(updates(&sent[0].1), vec![(1, 0)]);
    assert_eq!(consumer_set(&suite, id), vec![(2, 20)]);
    suite.advance_seconds(10);
    suite.exec("alice", ExecuteMsg::Unjail {}, &[]).unwrap();
    let sent = suite.epoch();
    assert_eq!(updates(&sent[0].1), vec![(1, 10)]);
}

#[test]
fn vscs_queue_until_the_channel_opens_then_flush_in_order() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    let id = suite.register_consumer("c1");
    suite.epoch();
    suite.bond("s", "alice", 10).unwrap();
    assert!(suite.epoch().is_empty());
    suite.bond("s", "alice", 10).unwrap();
    assert!(suite.epoch().is_empty());
    let pending: PendingVscsResponse = suite.query(QueryMsg::PendingVscs {
        consumer_id: id,
        start_after: None,
        limit: None,
    });
    assert_eq!(pending.packets.len(), 2);
    assert!(pending.packets[0].valset_update_id < pending.packets[1].valset_update_id);
    let response = suite
        .open_channel("channel-0", CONNECTION, CONSUMER_PORT)
        .unwrap();
    let sent = sent_vscs(&response.messages);
    assert_eq!(sent.len(), 2);
    assert_eq!(updates(&sent[0].1), vec![(1, 11)]);
    assert_eq!(updates(&sent[1].1), vec![(1, 12)]);
    assert_eq!(
        sent[0].1.valset_update_id,
        pending.packets[0].valset_update_id
    );
    let pending: PendingVscsResponse = suite.query(QueryMsg::PendingVscs {
        consumer_id: id,
        start_after: None,
        limit: None,
    });
    assert!(pending.packets.is_empty());
}

#[test]
fn a_newly_opened_channel_gets_a_first_vsc_even_without_changes() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    let id = suite.register_consumer("c1");
    suite.epoch();
    let response = suite
        .open_channel("channel-0", CONNECTION, CONSUMER_PORT)
        .unwrap();
    assert!(
        sent_vscs(&response.messages).is_empty(),
        "nothing was queued"
    );

    // The consumer counts its channel as established at its first VSC: it gets one at the
    // next epoch, with no updates, and only that once.
    let sent = suite.epoch();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].1.validator_updates.is_empty());
    assert!(sent[0].1.valset_update_id > 0);
    assert!(suite.epoch().is_empty());
    let consumer: crate::msg::ConsumerResponse =
        suite.query(QueryMsg::Consumer { consumer_id: id });
    assert_eq!(consumer.last_sent_vsc_id, sent[0].1.valset_update_id);
}

#[test]
fn an_unbonding_that_changes_no_power_still_gets_a_vsc_so_it_can_mature() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 105);
    let id = suite.running_consumer("c1", "channel-0", CONNECTION);
    suite.unbond("alice", "alice", 5).unwrap();
    let entry_vsc = suite.unbondings("alice").unbondings[0].vsc_id;
    let sent = suite.epoch();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].1.validator_updates.is_empty());
    assert_eq!(sent[0].1.valset_update_id, entry_vsc);
    assert_eq!(suite.unbondings("alice").unbondings[0].waiting_on, vec![id]);
}

/// Runs the same history with a tiny and a large work budget: the results must agree, and
/// the tiny budget must have needed several calls.
#[test]
fn bounded_work_resumes_across_calls_with_the_same_result() {
    type Sets = Vec<Vec<(u8, u64)>>;
    type SentPerEpoch = Vec<Vec<(String, Vec<(u8, u64)>)>>;
    fn scenario(max_epoch_work: u32) -> (Sets, SentPerEpoch, usize) {
        let mut msg = default_instantiate();
        msg.config.max_epoch_work = max_epoch_work;
        msg.config.max_validators = 5;
        let mut suite = Suite::with(msg);
        for seed in 1..=12u8 {
            suite.add_validator(&format!("v{seed}"), seed, 100 + u128::from(seed) * 10);
        }
        let ids = [
            suite.running_consumer("c1", "channel-1", "connection-1"),
            suite.running_consumer("c2", "channel-2", "connection-2"),
            suite.running_consumer("c3", "channel-3", "connection-3"),
        ];
        let mut history = vec![];
        let mut calls = 0;
        for round in 0..4u8 {
            for seed in 1..=12u8 {
                if (seed + round) % 3 == 0 {
                    suite.bond("s", &format!("v{seed}"), 70).unwrap();
                }
            }
            let epoch: EpochResponse = suite.query(QueryMsg::Epoch {});
            suite.advance(epoch.next_epoch_height - suite.env.block.height);
            let mut sent = vec![];
            loop {
                calls += 1;
                let response = suite.tick();
                sent.extend(
                    sent_vscs(&response.messages)
                        .into_iter()
                        .map(|(channel, packet)| (channel, updates(&packet))),
                );
                let epoch: EpochResponse = suite.query(QueryMsg::Epoch {});
                if !epoch.in_progress {
                    break;
                }
            }
            sent.sort();
            history.push(sent);
        }
        let sets = ids.iter().map(|id| consumer_set(&suite, *id)).collect();
        (sets, history, calls)
    }
    let (small_sets, small_history, small_calls) = scenario(3);
    let (large_sets, large_history, large_calls) = scenario(10_000);
    assert_eq!(small_sets, large_sets);
    assert_eq!(small_history, large_history);
    assert_eq!(large_calls, 4);
    assert!(small_calls > 4 * 3, "only {small_calls} calls");
    assert_eq!(small_sets[0].len(), 5);
    assert!(small_history.iter().all(|epoch| epoch.len() == 3));
}

#[test]
fn an_epoch_without_changes_costs_nothing_per_validator() {
    let mut msg = default_instantiate();
    msg.config.max_validators = 50;
    let mut suite = Suite::with(msg);
    for seed in 1..=60u8 {
        suite.add_validator(&format!("v{seed}"), seed, 1_000);
    }
    suite.running_consumer("c1", "channel-1", "connection-1");
    let update = ConfigUpdate {
        max_epoch_work: Some(2),
        ..ConfigUpdate::default()
    };
    suite
        .exec("admin", ExecuteMsg::UpdateConfig(update), &[])
        .unwrap();
    let epoch: EpochResponse = suite.query(QueryMsg::Epoch {});
    suite.advance(epoch.next_epoch_height - suite.env.block.height);
    let response = suite.tick();
    // One launched consumer to finalise and one to check for timeouts: done in one call.
    assert_eq!(attribute(&response, "epoch"), "finished");
}

#[test]
fn a_consumer_that_never_opens_its_channel_is_stopped_at_init_timeout() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    let id = suite.register_consumer("c1");
    suite.epoch();
    suite.unbond("alice", "alice", 10).unwrap();
    assert_eq!(suite.unbondings("alice").unbondings[0].waiting_on, vec![id]);
    // Epochs are 10 blocks (50 s) apart: the one at or after 400 s is before 500 s.
    suite.advance_seconds(400);
    suite.epoch();
    assert_eq!(suite.consumer(id).phase, ConsumerPhase::Launched);
    suite.advance_seconds(100);
    suite.epoch();
    let consumer = suite.consumer(id);
    assert_eq!(consumer.phase, ConsumerPhase::Stopped);
    assert!(consumer.stop_reason.unwrap().contains("init timeout"));
    // It no longer holds the unbonding.
    suite.advance_seconds(UNBONDING);
    let entry = &suite.unbondings("alice").unbondings[0];
    assert!(entry.waiting_on.is_empty());
    assert!(entry.released);
    // A late handshake is refused.
    assert!(suite
        .open_channel("channel-0", CONNECTION, CONSUMER_PORT)
        .is_err());
}

#[test]
fn a_consumer_that_stops_maturing_is_stopped_at_vsc_timeout() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    let id = suite.running_consumer("c1", "channel-0", CONNECTION);
    suite.bond("s", "alice", 10).unwrap();
    assert_eq!(suite.epoch().len(), 1);
    suite.advance_seconds(1_995);
    suite.epoch();
    assert_eq!(suite.consumer(id).phase, ConsumerPhase::Launched);
    suite.advance_seconds(10);
    let epoch: EpochResponse = suite.query(QueryMsg::Epoch {});
    suite.advance(
        epoch
            .next_epoch_height
            .saturating_sub(suite.env.block.height),
    );
    let response = suite.tick();
    assert_eq!(suite.consumer(id).phase, ConsumerPhase::Stopped);
    assert!(response.messages.iter().any(|m| m.msg
        == CosmosMsg::Ibc(IbcMsg::CloseChannel {
            channel_id: "channel-0".into()
        })));
}

#[test]
fn each_consumer_gets_its_own_diff_from_what_it_last_received() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    let first = suite.running_consumer("c1", "channel-1", "connection-1");
    suite.add_validator("bob", 2, 200);
    let sent = suite.epoch();
    assert_eq!(updates(&sent[0].1), vec![(2, 20)]);
    let second = suite.running_consumer("c2", "channel-2", "connection-2");
    assert_eq!(consumer_set(&suite, first), consumer_set(&suite, second));
    suite.bond("s", "bob", 10).unwrap();
    let sent = suite.epoch();
    assert_eq!(sent.len(), 2);
    assert!(sent
        .iter()
        .all(|(_, packet)| updates(packet) == vec![(2, 21)]));
}

/// Slash acks for an already jailed validator change no power: the quiet epoch that follows
/// gives a VSC to the consumer that reported it, and to no other.
#[test]
fn a_quiet_epoch_gives_slash_acks_only_to_the_consumer_owed_them() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    suite.add_validator("bob", 2, 200);
    suite.running_consumer("c1", "channel-1", "connection-1");
    suite.running_consumer("c2", "channel-2", "connection-2");
    suite.epoch();
    let until = suite.env.block.time.plus_seconds(1_000_000);
    let mut alice = suite.load_stake(&addr("alice"));
    crate::staking::jail(&mut alice.stake, until);
    suite.save_stake(&alice);
    let sent = suite.epoch();
    assert_eq!(sent.len(), 2, "the jailing changes both consumers' sets");

    suite.receive("channel-2", downtime(1, 0));
    let sent = suite.epoch();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, "channel-2");
    assert!(sent[0].1.validator_updates.is_empty());
    assert_eq!(
        sent[0].1.slash_acks,
        vec![cons_addr(1).to_bech32(PREFIX).unwrap()]
    );
    assert!(suite.epoch().is_empty(), "delivered once");
}

/// A slash ack queued while the epoch is giving VSCs to due consumers, for a consumer it has
/// already served, is not lost: it goes out at the next epoch.
#[test]
fn a_slash_ack_queued_during_an_epoch_goes_out_at_the_next_one() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    suite.add_validator("bob", 2, 200);
    suite.running_consumer("c1", "channel-1", "connection-1");
    suite.running_consumer("c2", "channel-2", "connection-2");
    suite.epoch();
    let until = suite.env.block.time.plus_seconds(1_000_000);
    let mut alice = suite.load_stake(&addr("alice"));
    crate::staking::jail(&mut alice.stake, until);
    suite.save_stake(&alice);
    suite.epoch();
    let update = ConfigUpdate {
        max_epoch_work: Some(1),
        ..ConfigUpdate::default()
    };
    suite
        .exec("admin", ExecuteMsg::UpdateConfig(update), &[])
        .unwrap();
    suite.receive("channel-1", downtime(1, 0));
    suite.receive("channel-2", downtime(1, 0));

    let epoch: EpochResponse = suite.query(QueryMsg::Epoch {});
    suite.advance(epoch.next_epoch_height - suite.env.block.height);
    let first_call = sent_vscs(&suite.tick().messages);
    assert_eq!(first_call.len(), 1, "one unit of work: consumer 1 only");
    assert_eq!(first_call[0].0, "channel-1");
    suite.receive("channel-1", downtime(1, 0));
    let mut rest = vec![];
    loop {
        rest.extend(sent_vscs(&suite.tick().messages));
        let epoch: EpochResponse = suite.query(QueryMsg::Epoch {});
        if !epoch.in_progress {
            break;
        }
    }
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].0, "channel-2");
    let next = suite.epoch();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].0, "channel-1");
    assert_eq!(next[0].1.slash_acks.len(), 1);
}

/// The set is answered from the ranking in consensus-address order: paging through it with
/// `start_after` (a member's or an outsider's address) gives exactly the top N, once each.
#[test]
fn consumer_validators_pages_the_top_n_in_address_order() {
    let mut suite = Suite::new();
    for (seed, tokens) in [(1u8, 100u128), (2, 500), (3, 300), (4, 200), (5, 400)] {
        suite.add_validator(&format!("val{seed}"), seed, tokens);
    }
    let id = suite.running_consumer("c1", "channel-0", CONNECTION);
    // Bonds after the launch move the ranking: seed 1 enters the top 3, seed 3 leaves it.
    suite.bond("val1", "val1", 1_000).unwrap();
    suite.unbond("val3", "val3", 250).unwrap();
    suite.epoch();
    let page = |start_after: Option<Binary>, limit: u32| -> Vec<ConsumerValidator> {
        let response: ConsumerValidatorsResponse = suite.query(QueryMsg::ConsumerValidators {
            consumer_id: id,
            start_after,
            limit: Some(limit),
        });
        response.validators
    };
    let whole = page(None, 100);
    let mut expected: Vec<(Binary, u64)> = [(1u8, 110u64), (2, 50), (5, 40)]
        .into_iter()
        .map(|(seed, power)| (Binary::from(cons_addr(seed).as_bytes()), power))
        .collect();
    expected.sort();
    let answered: Vec<(Binary, u64)> = whole
        .iter()
        .map(|v| (v.consensus_address.clone(), v.power))
        .collect();
    assert_eq!(answered, expected);

    let mut paged = vec![];
    let mut after = None;
    loop {
        let next = page(after.clone(), 1);
        let Some(last) = next.last() else { break };
        after = Some(last.consensus_address.clone());
        paged.extend(next);
    }
    assert_eq!(paged, whole);

    // Starting after an outsider's address (seed 3 or 4) gives the members after it.
    for outsider in [3u8, 4] {
        let from = Binary::from(cons_addr(outsider).as_bytes());
        let after_outsider: Vec<Binary> = page(Some(from.clone()), 100)
            .into_iter()
            .map(|v| v.consensus_address)
            .collect();
        let members_after: Vec<Binary> = expected
            .iter()
            .filter(|(address, _)| *address > from)
            .map(|(address, _)| address.clone())
            .collect();
        assert_eq!(after_outsider, members_after);
    }
}

/// A validator saved several times between epochs is re-ranked from the power it was ranked at
/// before the first of those saves: changes that cancel out send nothing and leave the ranking
/// consistent for the next change.
#[test]
fn changes_that_cancel_out_within_an_epoch_send_nothing() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    suite.add_validator("bob", 2, 200);
    let id = suite.running_consumer("c1", "channel-0", CONNECTION);
    suite.epoch();

    suite.bond("staker", "alice", 300).unwrap();
    suite.unbond("staker", "alice", 300).unwrap();
    // The unbonding entry still gets its VSC, with no update: alice's power is back to 10.
    let sent = suite.epoch();
    assert_eq!(sent.len(), 1);
    assert!(updates(&sent[0].1).is_empty());
    assert_eq!(consumer_set(&suite, id), vec![(1, 10), (2, 20)]);

    // Up, down past the start, then up again: only the final power is sent, once.
    suite.bond("staker", "alice", 300).unwrap();
    suite.unbond("alice", "alice", 50).unwrap();
    suite.bond("bob", "alice", 20).unwrap();
    let sent = suite.epoch();
    assert_eq!(sent.len(), 1);
    assert_eq!(updates(&sent[0].1), vec![(1, 37)]);
    assert_eq!(consumer_set(&suite, id), vec![(1, 37), (2, 20)]);

    suite.unbond("staker", "alice", 300).unwrap();
    let sent = suite.epoch();
    assert_eq!(updates(&sent[0].1), vec![(1, 7)]);
    assert_eq!(consumer_set(&suite, id), vec![(1, 7), (2, 20)]);
}
