//! Bounds of the stake ledger: the cap on unbonding entries per (staker, validator), and
//! slashes reaching unbonding entries through jobs worked in bounded chunks (attack 4 of
//! issue 14: unbonding 1 token thousands of times must not make a slash packet run out of gas).

use cosmwasm_std::{BankMsg, Event, SubMsg};

use super::*;
use crate::msg::{ConfigUpdate, EntrySlashesResponse, SlashAction, SlashLogResponse};

fn burned(messages: &[SubMsg<ChainMsg>]) -> u128 {
    messages
        .iter()
        .filter_map(|m| match &m.msg {
            CosmosMsg::Bank(BankMsg::Burn { amount }) => {
                Some(Uint128::try_from(amount[0].amount).unwrap().u128())
            }
            _ => None,
        })
        .sum()
}

fn sent_to(messages: &[SubMsg<ChainMsg>], to: &Addr) -> u128 {
    messages
        .iter()
        .filter_map(|m| match &m.msg {
            CosmosMsg::Bank(BankMsg::Send { to_address, amount }) if to_address == to.as_str() => {
                Some(Uint128::try_from(amount[0].amount).unwrap().u128())
            }
            _ => None,
        })
        .sum()
}

fn event_sum(events: &[Event], key: &str) -> u128 {
    events
        .iter()
        .filter(|e| e.ty == "entry_slash")
        .flat_map(|e| e.attributes.iter().filter(|a| a.key == key))
        .map(|a| a.value.parse::<u128>().unwrap())
        .sum()
}

fn jobs(suite: &Suite) -> EntrySlashesResponse {
    suite.query(QueryMsg::EntrySlashes {
        start_after: None,
        limit: None,
    })
}

fn set_work(suite: &mut Suite, work: u32) {
    let update = ConfigUpdate {
        max_epoch_work: Some(work),
        ..ConfigUpdate::default()
    };
    suite
        .exec("admin", ExecuteMsg::UpdateConfig(update), &[])
        .unwrap();
}

/// The staker names and the amount of the entry each unbonding creates.
fn amount(staker: usize, n: usize) -> u128 {
    20 + ((staker * 7 + n) % 17) as u128 * 7
}

/// A validator with `stakers` × 7 unbonding entries of a few tokens each, all after the
/// consumer's launch; returns the suite and the entries' amounts by staker.
fn many_entries(stakers: usize) -> (Suite, Vec<Vec<u128>>) {
    many_entries_with(stakers, |_| {})
}

/// `stakers` × 7 entries on alice, after a running consumer `c1` and whatever `before_entries`
/// sets up.
fn many_entries_with(
    stakers: usize,
    before_entries: impl FnOnce(&mut Suite),
) -> (Suite, Vec<Vec<u128>>) {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 10_000);
    suite.add_validator("bob", 2, 20_000);
    suite.running_consumer("c1", "channel-0", CONNECTION);
    before_entries(&mut suite);
    suite.epoch();
    let mut amounts = vec![];
    for s in 0..stakers {
        let staker = format!("s{s}");
        let mine: Vec<u128> = (0..7).map(|n| amount(s, n)).collect();
        suite
            .bond(&staker, "alice", mine.iter().sum::<u128>())
            .unwrap();
        for a in &mine {
            suite.unbond(&staker, "alice", *a).unwrap();
        }
        amounts.push(mine);
    }
    (suite, amounts)
}

fn changed_keys(before: &Snapshot, after: &Snapshot) -> usize {
    let before: std::collections::BTreeMap<_, _> = before.iter().cloned().collect();
    let after: std::collections::BTreeMap<_, _> = after.iter().cloned().collect();
    let mut keys: std::collections::BTreeSet<_> = before.keys().collect();
    keys.extend(after.keys());
    keys.into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .count()
}

#[test]
fn a_slash_packet_does_bounded_work_however_many_entries_and_the_jobs_cut_them_all() {
    let mut changed = vec![];
    for stakers in [1, 50] {
        let (mut suite, amounts) = many_entries(stakers);
        let tokens = suite.validator("alice").tokens.u128();
        let before = snapshot(&suite.deps.storage);
        let (ack, response) = suite.receive_raw("channel-0", downtime(1, 0).encode().unwrap());
        assert_eq!(
            ack,
            Acknowledgement::Result(cw_ics_ccv::AckResult::SlashHandled)
        );
        changed.push(changed_keys(&before, &snapshot(&suite.deps.storage)));

        // At once: the bonded stake, as before.
        let bonded_cut = tokens / 10;
        assert_eq!(burned(&response.messages), bonded_cut);
        let log: SlashLogResponse = suite.query(QueryMsg::SlashLog {
            start_after: None,
            limit: None,
        });
        assert_eq!(
            log.records[0].action,
            SlashAction::Jailed {
                slashed: Uint128::new(bonded_cut)
            }
        );
        // Queries already show the entries net of the pending cut.
        let first = &suite.unbondings("s0").unbondings[0];
        assert_eq!(first.balance.u128(), amounts[0][0] - amounts[0][0] / 10);
        assert_eq!(jobs(&suite).jobs.len(), 1);

        // The following calls cut the entries within the budget, between epochs too.
        set_work(&mut suite, 40);
        let mut chunks = 0;
        let (mut burnt, mut events) = (0, vec![]);
        while !jobs(&suite).jobs.is_empty() {
            // Between epochs: the whole budget goes to the job.
            let response = suite.tick();
            assert_eq!(attribute(&response, "epoch"), "not_due");
            let cut: u128 = response
                .events
                .iter()
                .flat_map(|e| e.attributes.iter().filter(|a| a.key == "entries"))
                .map(|a| a.value.parse::<u128>().unwrap())
                .sum();
            assert!(cut <= 40, "{cut} entries in one call");
            burnt += burned(&response.messages);
            events.extend(response.events);
            chunks += 1;
            assert!(chunks < 100);
        }
        let entries: u128 = amounts.iter().map(|a| a.len() as u128).sum();
        assert_eq!(chunks as u128, entries.div_ceil(40).max(1));
        let expected: u128 = amounts.iter().flatten().map(|a| a / 10).sum();
        assert_eq!(burnt, expected, "every entry's cut burned exactly once");
        assert_eq!(event_sum(&events, "amount"), expected);
        for (s, mine) in amounts.iter().enumerate() {
            let stored = suite.unbondings(&format!("s{s}")).unbondings;
            let balances: Vec<u128> = stored.iter().map(|e| e.balance.u128()).collect();
            let cut: Vec<u128> = mine.iter().map(|a| a - a / 10).collect();
            assert_eq!(balances, cut, "staker s{s}");
        }
    }
    assert_eq!(
        changed[0], changed[1],
        "the receive's writes do not grow with entries"
    );
    assert!(changed[1] <= 10, "{} keys written", changed[1]);
}

#[test]
fn a_job_never_holds_up_the_epoch() {
    let (mut suite, _) = many_entries(10);
    suite.receive("channel-0", downtime(1, 0));
    set_work(&mut suite, 20);
    suite.bond("staker", "bob", 10).unwrap();
    let epoch: crate::msg::EpochResponse = suite.query(QueryMsg::Epoch {});
    suite.advance(epoch.next_epoch_height - suite.env.block.height);
    let response = suite.tick();
    assert_eq!(attribute(&response, "epoch"), "finished");
    let done = event_sum(&response.events, "entries");
    assert!(done < 20, "the epoch's work came first");
    assert_eq!(
        jobs(&suite).jobs.len(),
        1,
        "70 entries wait for later calls"
    );
    let response = suite.tick();
    assert_eq!(attribute(&response, "epoch"), "not_due");
    assert_eq!(event_sum(&response.events, "entries"), 20);
}

#[test]
fn withdrawing_an_entry_a_job_has_not_reached_applies_the_cut_first() {
    let (mut suite, amounts) = many_entries(3);
    let update = ConfigUpdate {
        wait_for_consumer_maturity: Some(false),
        max_epoch_work: Some(2),
        ..ConfigUpdate::default()
    };
    suite
        .exec("admin", ExecuteMsg::UpdateConfig(update), &[])
        .unwrap();
    suite.receive("channel-0", downtime(1, 0));
    // The job cuts s0's first two entries; s2's are still ahead of it.
    let first = suite.tick();
    assert_eq!(
        burned(&first.messages),
        amounts[0][0] / 10 + amounts[0][1] / 10
    );
    suite.advance_seconds(UNBONDING);
    let response = suite
        .exec("s2", ExecuteMsg::Withdraw { entry_ids: None }, &[])
        .unwrap();
    let cuts: u128 = amounts[2].iter().map(|a| a / 10).sum();
    let paid: u128 = amounts[2].iter().sum::<u128>() - cuts;
    assert_eq!(sent_to(&response.messages, &addr("s2")), paid);
    assert_eq!(burned(&response.messages), cuts);
    assert_eq!(attribute(&response, "slashed"), cuts.to_string());
    assert_eq!(event_sum(&response.events, "entries"), 7);
    // s0's entries already cut are paid as they are; the rest are cut on the way out.
    let response = suite
        .exec("s0", ExecuteMsg::Withdraw { entry_ids: None }, &[])
        .unwrap();
    let s0_late: u128 = amounts[0][2..].iter().map(|a| a / 10).sum();
    assert_eq!(burned(&response.messages), s0_late);
    assert_eq!(
        jobs(&suite).jobs[0].taken.u128(),
        cuts + s0_late + amounts[0][0] / 10 + amounts[0][1] / 10
    );
    // The job goes on with s1 only: nothing is cut twice.
    let mut rest = 0;
    while !jobs(&suite).jobs.is_empty() {
        rest += burned(&suite.tick().messages);
    }
    assert_eq!(rest, amounts[1].iter().map(|a| a / 10).sum::<u128>());
}

#[test]
fn two_jobs_cut_an_entry_in_the_order_of_their_slashes() {
    // A second consumer, registered under a 33% downtime default before the entries exist,
    // punishes with another fraction than the first (10%), so that the order of the cuts shows
    // in the rounding.
    let (mut suite, amounts) = many_entries_with(2, |suite| {
        let update = ConfigUpdate {
            downtime_slash_fraction: Some(Decimal::percent(33)),
            ..ConfigUpdate::default()
        };
        suite
            .exec("admin", ExecuteMsg::UpdateConfig(update), &[])
            .unwrap();
        suite.running_consumer("c2", "channel-1", CONNECTION);
    });
    set_work(&mut suite, 3);
    suite.receive("channel-0", downtime(1, 0));
    suite.advance(1);
    suite.tick();
    // Out of jail, slashed again while the first job is under way.
    suite.advance_seconds(100);
    suite.exec("alice", ExecuteMsg::Unjail {}, &[]).unwrap();
    suite.receive("channel-1", downtime(1, 0));
    let pending = jobs(&suite).jobs;
    assert_eq!(pending.len(), 2);
    assert!(pending[0].cursor.is_some() && pending[1].cursor.is_none());
    let twice = |a: u128| {
        let once = a - a / 10;
        once - once * 33 / 100
    };
    assert_ne!(twice(27), 27 - 27 * 33 / 100 - (27 - 27 * 33 / 100) / 10);
    // Queries and withdrawals apply both, older first.
    let shown: Vec<u128> = suite
        .unbondings("s1")
        .unbondings
        .iter()
        .map(|e| e.balance.u128())
        .collect();
    assert_eq!(
        shown,
        amounts[1].iter().map(|a| twice(*a)).collect::<Vec<_>>()
    );
    while !jobs(&suite).jobs.is_empty() {
        suite.advance(1);
        suite.tick();
    }
    for (s, mine) in amounts.iter().enumerate() {
        let stored: Vec<u128> = suite
            .unbondings(&format!("s{s}"))
            .unbondings
            .iter()
            .map(|e| e.balance.u128())
            .collect();
        assert_eq!(stored, mine.iter().map(|a| twice(*a)).collect::<Vec<_>>());
    }
}

#[test]
fn a_job_reaches_neither_older_entries_nor_those_created_after_the_slash() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 1_000);
    suite.unbond("alice", "alice", 100).unwrap();
    suite.advance(1);
    let infraction_height = suite.env.block.height;
    suite.unbond("alice", "alice", 100).unwrap();
    let operator = addr("alice");
    let mut stake = suite.load_stake(&operator);
    crate::staking::slash(
        &mut suite.deps.storage,
        &mut stake,
        Decimal::percent(10),
        infraction_height,
    )
    .unwrap();
    suite.save_stake(&stake);
    // Same block, after the slash.
    suite.unbond("alice", "alice", 100).unwrap();
    let balances = |suite: &Suite| -> Vec<u128> {
        suite
            .unbondings("alice")
            .unbondings
            .iter()
            .map(|e| e.balance.u128())
            .collect()
    };
    assert_eq!(balances(&suite), vec![100, 90, 100]);
    let response = suite.tick();
    assert_eq!(burned(&response.messages), 10);
    assert_eq!(balances(&suite), vec![100, 90, 100]);
    assert!(jobs(&suite).jobs.is_empty());

    // Infraction height 0 (equivocation) reaches every entry still held.
    let mut stake = suite.load_stake(&operator);
    crate::staking::slash(&mut suite.deps.storage, &mut stake, Decimal::percent(50), 0).unwrap();
    suite.save_stake(&stake);
    assert_eq!(balances(&suite), vec![50, 45, 50]);
    assert_eq!(burned(&suite.tick().messages), 50 + 45 + 50);
    // No entry, no job.
    let mut stake = suite.load_stake(&addr("alice"));
    let before = jobs(&suite).jobs.len();
    crate::staking::slash(
        &mut suite.deps.storage,
        &mut stake,
        Decimal::percent(10),
        suite.env.block.height + 1,
    )
    .unwrap();
    assert_eq!(jobs(&suite).jobs.len(), before);
}

#[test]
fn slashed_entry_tokens_go_where_the_config_sends_them() {
    let (mut suite, amounts) = many_entries(1);
    let update = ConfigUpdate {
        slashed_tokens: Some(SlashedTokens::SendTo {
            address: addr("community").to_string(),
        }),
        ..ConfigUpdate::default()
    };
    suite
        .exec("admin", ExecuteMsg::UpdateConfig(update), &[])
        .unwrap();
    suite.receive("channel-0", downtime(1, 0));
    suite.advance(1);
    let response = suite.tick();
    let expected: u128 = amounts[0].iter().map(|a| a / 10).sum();
    assert_eq!(sent_to(&response.messages, &addr("community")), expected);
    assert_eq!(burned(&response.messages), 0);
}

#[test]
fn the_eighth_entry_of_a_pair_is_refused_with_the_sdk_text_until_one_is_withdrawn() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 1_000);
    suite.add_validator("bob", 2, 1_000);
    suite.bond("staker", "alice", 100).unwrap();
    suite.bond("staker", "bob", 100).unwrap();
    for _ in 0..7 {
        suite.unbond("staker", "alice", 1).unwrap();
    }
    let before = snapshot(&suite.deps.storage);
    let err = suite.unbond("staker", "alice", 1).unwrap_err();
    assert!(matches!(
        err,
        ContractError::TooManyUnbondingEntries { max: 7 }
    ));
    assert_eq!(
        err.to_string(),
        "too many unbonding delegation entries for (delegator, validator) tuple"
    );
    assert_eq!(before, snapshot(&suite.deps.storage));
    // Other pairs are not affected.
    suite.unbond("staker", "bob", 1).unwrap();
    suite.unbond("alice", "alice", 1).unwrap();

    // Withdrawing frees the slots of the entries paid.
    suite.advance_seconds(UNBONDING);
    let first = suite.unbondings("staker").unbondings[0].id;
    suite
        .exec(
            "staker",
            ExecuteMsg::Withdraw {
                entry_ids: Some(vec![first]),
            },
            &[],
        )
        .unwrap();
    suite.unbond("staker", "alice", 1).unwrap();
    assert!(suite.unbond("staker", "alice", 1).is_err());
    suite
        .exec("staker", ExecuteMsg::Withdraw { entry_ids: None }, &[])
        .unwrap();
    for _ in 0..6 {
        suite.unbond("staker", "alice", 1).unwrap();
    }
    assert!(suite.unbond("staker", "alice", 1).is_err());
}

#[test]
fn the_entry_cap_is_configurable_above_zero() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 1_000);
    let set = |max| ConfigUpdate {
        max_unbonding_entries: Some(max),
        ..ConfigUpdate::default()
    };
    let before = snapshot(&suite.deps.storage);
    let err = suite
        .exec("admin", ExecuteMsg::UpdateConfig(set(0)), &[])
        .unwrap_err();
    assert!(
        matches!(err, ContractError::InvalidConfig(text) if text.contains("max_unbonding_entries"))
    );
    assert_eq!(before, snapshot(&suite.deps.storage));
    suite
        .exec("admin", ExecuteMsg::UpdateConfig(set(2)), &[])
        .unwrap();
    suite.unbond("alice", "alice", 1).unwrap();
    suite.unbond("alice", "alice", 1).unwrap();
    assert!(matches!(
        suite.unbond("alice", "alice", 1).unwrap_err(),
        ContractError::TooManyUnbondingEntries { max: 2 }
    ));
    // Left out of the instantiate message, the cap is the SDK's 7.
    let json = cosmwasm_std::to_json_string(&default_config()).unwrap();
    let without = json.replace(r#","max_unbonding_entries":7"#, "");
    assert_ne!(json, without);
    let config: Config = cosmwasm_std::from_json(without).unwrap();
    assert_eq!(config.max_unbonding_entries, 7);
}

#[test]
fn withdraw_takes_at_most_a_hundred_ids() {
    let mut suite = Suite::new();
    let before = snapshot(&suite.deps.storage);
    let err = suite
        .exec(
            "staker",
            ExecuteMsg::Withdraw {
                entry_ids: Some((1..=101).collect()),
            },
            &[],
        )
        .unwrap_err();
    assert!(matches!(
        err,
        ContractError::TooManyEntryIds {
            given: 101,
            max: 100
        }
    ));
    assert_eq!(before, snapshot(&suite.deps.storage));
}
