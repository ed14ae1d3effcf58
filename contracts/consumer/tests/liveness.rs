mod common;

use common::*;
use cosmwasm_std::Decimal;
use cw_ics_ccv::{ConsumerPacket, Infraction, SlashPacketData, SlashedValidator};
use cw_ics_consumer::liveness::signed_too_few;
use cw_ics_consumer::msg::{LivenessResponse, OutstandingDowntimeResponse, QueryMsg};

/// Runs begin_block for heights `from..to` with validator 1 signing per `signs(height)` and
/// validators 2 and 3 always signing; returns the slash packets queued.
fn run_blocks(
    deps: &mut Deps,
    from: u64,
    to: u64,
    signs: impl Fn(u64) -> bool,
) -> Vec<SlashPacketData> {
    let mut slashes = vec![];
    let before = pending(deps).total as usize;
    for height in from..to {
        set_votes(deps, votes(&[(1, signs(height)), (2, true), (3, true)]));
        begin_block(deps, env_at(height, GENESIS_TIME + height), vec![]);
    }
    let queue = pending(deps);
    for packet in queue.packets.into_iter().skip(before) {
        if let cw_ics_consumer::msg::PendingPacketKind::Slash {
            address,
            power,
            vsc_id,
            infraction,
        } = packet
        {
            slashes.push(SlashPacketData {
                validator: SlashedValidator {
                    address: cw_ics_ccv::ConsensusAddress::from_slice(address.as_slice()).unwrap(),
                    power,
                },
                valset_update_id: vsc_id,
                infraction,
            });
        }
    }
    slashes
}

fn liveness(deps: &Deps, seed: u8) -> LivenessResponse {
    q(
        deps,
        QueryMsg::Liveness {
            address: address_binary(seed),
        },
    )
}

#[test]
fn the_minimum_is_compared_exactly() {
    let half = Decimal::percent(50);
    assert!(!signed_too_few(10, 5, half).unwrap()); // 5 signed of min 5
    assert!(signed_too_few(10, 6, half).unwrap()); // 4 signed
    let third = Decimal::from_ratio(1u64, 3u64);
    // min 3.33…: 3 signed is too few, 4 is enough.
    assert!(signed_too_few(10, 7, third).unwrap());
    assert!(!signed_too_few(10, 6, third).unwrap());
    assert!(!signed_too_few(u64::MAX, 0, Decimal::one()).unwrap());
    assert!(!signed_too_few(10, 10, Decimal::zero()).unwrap());
}

#[test]
fn counters_follow_the_window_as_a_ring() {
    let mut deps = setup();
    let start = GENESIS_HEIGHT + 1;
    // Miss the first 3 blocks, then sign: the count drops once the misses leave the window.
    run_blocks(&mut deps, start, start + 3, |_| false);
    assert_eq!(liveness(&deps, 1).missed_in_window, 3);
    run_blocks(&mut deps, start + 3, start + WINDOW, |_| true);
    let info = liveness(&deps, 1);
    assert_eq!((info.blocks_counted, info.missed_in_window), (WINDOW, 3));
    run_blocks(&mut deps, start + WINDOW, start + WINDOW + 2, |_| true);
    assert_eq!(liveness(&deps, 1).missed_in_window, 1);
    assert_eq!(liveness(&deps, 2).missed_in_window, 0);
}

#[test]
fn too_many_misses_over_a_full_window_yield_exactly_one_downtime_slash() {
    let mut deps = setup();
    let start = GENESIS_HEIGHT + 1;
    // 6 misses of 10 (min 5 signed): not before the window is full.
    let early = run_blocks(&mut deps, start, start + WINDOW - 1, |_| false);
    assert!(early.is_empty());
    let slashes = run_blocks(&mut deps, start + WINDOW - 1, start + WINDOW, |_| false);
    assert_eq!(slashes.len(), 1);
    assert_eq!(slashes[0].validator.address, address(1));
    assert_eq!(slashes[0].validator.power, 10);
    assert_eq!(slashes[0].infraction, Infraction::Downtime);
    assert_eq!(slashes[0].valset_update_id, 0);

    let outstanding: OutstandingDowntimeResponse = q(
        &deps,
        QueryMsg::OutstandingDowntime {
            start_after: None,
            limit: None,
        },
    );
    assert_eq!(outstanding.validators.len(), 1);
    assert_eq!(outstanding.validators[0].address, address_binary(1));
    // The votes of block H are the signatures of H-1.
    assert_eq!(
        outstanding.validators[0].infraction_height,
        start + WINDOW - 2
    );

    // Still offline for two more windows: no second packet while outstanding.
    let more = run_blocks(&mut deps, start + WINDOW, start + 3 * WINDOW, |_| false);
    assert!(more.is_empty());
    assert!(liveness(&deps, 1).outstanding_downtime);
}

#[test]
fn the_slash_ack_clears_outstanding_downtime_and_a_new_window_can_slash_again() {
    let mut deps = setup();
    open_channel(&mut deps);
    let start = GENESIS_HEIGHT + 1;
    assert_eq!(
        run_blocks(&mut deps, start, start + WINDOW, |_| false).len(),
        1
    );
    let h = start + WINDOW;
    receive_vsc(
        &mut deps,
        env_at(h, GENESIS_TIME + h),
        1,
        &[(1, 9)],
        &[bech32(1)],
    )
    .unwrap();
    assert!(!liveness(&deps, 1).outstanding_downtime);
    let again = run_blocks(&mut deps, h + 1, h + 1 + WINDOW, |_| false);
    assert_eq!(again.len(), 1);
    // The infraction happened after vscId 1 came into force.
    assert_eq!(again[0].valset_update_id, 1);
    assert_eq!(again[0].validator.power, 10);
}

#[test]
fn enough_signatures_never_slash() {
    let mut deps = setup();
    let start = GENESIS_HEIGHT + 1;
    // Signs every other block: exactly half, the minimum.
    let slashes = run_blocks(&mut deps, start, start + 5 * WINDOW, |h| h % 2 == 0);
    assert!(slashes.is_empty());
}

#[test]
fn votes_of_validators_outside_the_replicated_set_are_ignored() {
    let mut deps = setup();
    for height in GENESIS_HEIGHT + 1..GENESIS_HEIGHT + 1 + 2 * WINDOW {
        let mut list = votes(&[(7, false), (2, true), (3, true)]);
        list.push(cw_ics_bindings::ValidatorVote {
            address: cosmwasm_std::Binary::from(vec![1u8; 5]),
            power: 1,
            voted: false,
        });
        set_votes(&mut deps, list);
        begin_block(&mut deps, env_at(height, GENESIS_TIME + height), vec![]);
    }
    assert_eq!(pending(&deps).total, 0);
    assert_eq!(liveness(&deps, 7).blocks_counted, 0);
}

#[test]
fn a_queued_downtime_slash_waits_for_the_channel_then_goes_out() {
    let mut deps = setup();
    let start = GENESIS_HEIGHT + 1;
    run_blocks(&mut deps, start, start + WINDOW, |_| false);
    assert_eq!(pending(&deps).total, 1);
    open_channel(&mut deps);
    // Open but not yet established: still queued.
    assert!(tick(&mut deps, env_at(start + WINDOW, GENESIS_TIME + 500))
        .messages
        .is_empty());
    let response = receive_vsc(
        &mut deps,
        env_at(start + WINDOW + 1, GENESIS_TIME + 501),
        1,
        &[(3, 31)],
        &[],
    )
    .unwrap();
    let sent = sent_packets(&response.messages);
    assert_eq!(sent.len(), 1);
    assert!(
        matches!(&sent[0], ConsumerPacket::Slash(s) if s.validator.address == address(1) && s.infraction == Infraction::Downtime)
    );
}

/// Runs begin_block at `height` with exactly `entries` in the commit.
fn block_with(deps: &mut Deps, height: u64, entries: &[(u8, bool)]) {
    set_votes(deps, votes(entries));
    begin_block(deps, env_at(height, GENESIS_TIME + height), vec![]);
}

#[test]
fn a_block_in_which_everyone_signs_as_before_writes_only_the_block_counter() {
    let mut deps = setup();
    let start = GENESIS_HEIGHT + 1;
    let everyone = [(1, true), (2, true), (3, true)];
    // The first votes start the windows; from then on a signature changes nothing stored.
    block_with(&mut deps, start, &everyone);
    let before = storage_dump(&deps);
    block_with(&mut deps, start + 1, &everyone);
    let after = storage_dump(&deps);
    let changed = after.iter().filter(|entry| !before.contains(entry)).count();
    assert_eq!((before.len(), changed), (after.len(), 1));
    assert_eq!(liveness(&deps, 2).blocks_counted, 2);
}

#[test]
fn blocks_in_which_a_validator_is_missing_from_the_commits_do_not_count_for_it() {
    let mut deps = setup();
    let mut height = GENESIS_HEIGHT + 1;
    for _ in 0..3 {
        block_with(&mut deps, height, &[(1, false), (2, true), (3, true)]);
        height += 1;
    }
    // Out of the commits (e.g. not yet or no longer in the chain's set) for two windows.
    for _ in 0..2 * WINDOW {
        block_with(&mut deps, height, &[(2, true), (3, true)]);
        height += 1;
    }
    let info = liveness(&deps, 1);
    assert_eq!((info.blocks_counted, info.missed_in_window), (3, 3));
    assert_eq!(liveness(&deps, 2).blocks_counted, 3 + 2 * WINDOW);
    // Back: its 3 earlier misses are still in its window, so 3 more make 6 of 10 once the
    // window is full (4 blocks later), and not a block earlier.
    for round in 0..7 {
        let signs = round >= 3;
        block_with(&mut deps, height, &[(1, signs), (2, true), (3, true)]);
        height += 1;
        let expected = if round < 6 { 0 } else { 1 };
        assert_eq!(pending(&deps).total, expected, "after round {round}");
    }
    let slashed = run_blocks(&mut deps, height, height + 1, |_| false);
    assert!(slashed.is_empty(), "outstanding: no second slash");
}

#[test]
fn a_validator_that_leaves_the_set_and_rejoins_starts_a_new_window() {
    let mut deps = setup();
    open_channel(&mut deps);
    let mut height = GENESIS_HEIGHT + 1;
    for _ in 0..4 {
        block_with(&mut deps, height, &[(1, false), (2, true), (3, true)]);
        height += 1;
    }
    assert_eq!(liveness(&deps, 1).missed_in_window, 4);
    let env = env_at(height, GENESIS_TIME + height);
    receive_vsc(&mut deps, env.clone(), 1, &[(1, 0)], &[]).unwrap();
    assert_eq!(liveness(&deps, 1).blocks_counted, 0);
    receive_vsc(&mut deps, env, 2, &[(1, 15)], &[]).unwrap();
    // Its new window: a miss in slot 0, then signatures in the slots where the old window
    // left its (stale) bits: they must not be taken for this window's misses.
    block_with(&mut deps, height, &[(1, false), (2, true), (3, true)]);
    height += 1;
    for _ in 0..4 {
        block_with(&mut deps, height, &[(1, true), (2, true), (3, true)]);
        height += 1;
    }
    let info = liveness(&deps, 1);
    assert_eq!((info.blocks_counted, info.missed_in_window), (5, 1));
}

#[test]
fn a_slashed_validator_s_old_misses_do_not_count_in_its_new_window() {
    let mut deps = setup();
    open_channel(&mut deps);
    let start = GENESIS_HEIGHT + 1;
    assert_eq!(
        run_blocks(&mut deps, start, start + WINDOW, |_| false).len(),
        1
    );
    let h = start + WINDOW;
    receive_vsc(&mut deps, env_at(h, GENESIS_TIME + h), 1, &[], &[bech32(1)]).unwrap();
    // The new window: one miss, then signatures over the slots the old window's misses
    // occupy; the count must stay at that one miss.
    run_blocks(&mut deps, h + 1, h + 2, |_| false);
    run_blocks(&mut deps, h + 2, h + 2 + WINDOW - 1, |_| true);
    let info = liveness(&deps, 1);
    assert_eq!((info.blocks_counted, info.missed_in_window), (WINDOW, 1));
}
