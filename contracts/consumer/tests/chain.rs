mod common;

use common::*;
use cosmwasm_std::{from_json, CosmosMsg};
use cw_ics_bindings::{
    ChainMsg, ChainSudoMsg, Privilege, PrivilegeChange, PrivilegeMsg, ValidatorDiff,
};
use cw_ics_consumer::contract::sudo;
use cw_ics_consumer::msg::{PendingDiffResponse, QueryMsg};
use cw_ics_consumer::state::Mode;

#[test]
fn promotion_requests_the_validator_set_updater_and_begin_blocker_privileges() {
    let mut deps = setup();
    let response = sudo(
        deps.as_mut(),
        env_at(GENESIS_HEIGHT, GENESIS_TIME),
        ChainSudoMsg::PrivilegeChange(PrivilegeChange::Promoted {}),
    )
    .unwrap();
    let requested: Vec<_> = response
        .messages
        .iter()
        .map(|sub| match &sub.msg {
            CosmosMsg::Custom(ChainMsg::Privilege(PrivilegeMsg::Request(p))) => *p,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        requested,
        vec![Privilege::ValidatorSetUpdater, Privilege::BeginBlocker]
    );
    assert_eq!(status(&deps).mode, Mode::ValidatorSetUpdater);
}

#[test]
fn nothing_is_requested_from_the_chain_before_promotion() {
    let mut deps = setup();
    // Instantiation and the oracle-mode hooks send no custom message.
    let r = sudo(
        deps.as_mut(),
        env_at(GENESIS_HEIGHT + 1, GENESIS_TIME),
        ChainSudoMsg::EndWithValidatorUpdate {},
    )
    .unwrap();
    assert!(r.messages.is_empty());
    assert!(r.data.is_none());
    let r = sudo(
        deps.as_mut(),
        env_at(GENESIS_HEIGHT + 1, GENESIS_TIME),
        ChainSudoMsg::EndBlock {},
    )
    .unwrap();
    assert!(r.messages.is_empty());
}

#[test]
fn the_first_diff_after_promotion_is_the_replicated_set_then_nothing_while_unchanged() {
    let mut deps = setup();
    let env = env_at(GENESIS_HEIGHT, GENESIS_TIME);
    sudo(
        deps.as_mut(),
        env.clone(),
        ChainSudoMsg::PrivilegeChange(PrivilegeChange::Promoted {}),
    )
    .unwrap();
    let pending_diff: PendingDiffResponse = q(&deps, QueryMsg::PendingDiff {});
    let response = sudo(
        deps.as_mut(),
        env.clone(),
        ChainSudoMsg::EndWithValidatorUpdate {},
    )
    .unwrap();
    let diff: ValidatorDiff = from_json(response.data.unwrap()).unwrap();
    assert_eq!(diff, pending_diff.diff);
    let mut got: Vec<_> = diff.diffs.iter().map(|c| c.power).collect();
    got.sort();
    assert_eq!(got, vec![10, 20, 30]);
    for _ in 0..3 {
        let response = sudo(
            deps.as_mut(),
            env.clone(),
            ChainSudoMsg::EndWithValidatorUpdate {},
        )
        .unwrap();
        assert!(response.data.is_none());
    }
}

#[test]
fn demotion_falls_back_to_oracle_mode_and_keeps_replicating() {
    let mut deps = setup();
    open_channel(&mut deps);
    let env = env_at(GENESIS_HEIGHT, GENESIS_TIME);
    sudo(
        deps.as_mut(),
        env.clone(),
        ChainSudoMsg::PrivilegeChange(PrivilegeChange::Promoted {}),
    )
    .unwrap();
    sudo(
        deps.as_mut(),
        env.clone(),
        ChainSudoMsg::PrivilegeChange(PrivilegeChange::Demoted {}),
    )
    .unwrap();
    assert_eq!(status(&deps).mode, Mode::Oracle);
    receive_vsc(
        &mut deps,
        env_at(GENESIS_HEIGHT + 1, GENESIS_TIME + 1),
        1,
        &[(1, 99)],
        &[],
    )
    .unwrap();
    assert_eq!(power_of(&deps, 1), Some(99));
    let response = sudo(deps.as_mut(), env, ChainSudoMsg::EndWithValidatorUpdate {}).unwrap();
    assert!(response.data.is_none());
}

fn diff_of(response: cosmwasm_std::Response<ChainMsg>) -> Vec<(u8, u64)> {
    let Some(data) = response.data else {
        return vec![];
    };
    let diff: ValidatorDiff = from_json(data).unwrap();
    let mut changes: Vec<_> = diff
        .diffs
        .into_iter()
        .map(|c| match c.pubkey {
            cw_ics_bindings::Pubkey::Ed25519(key) => (key[0], c.power),
        })
        .collect();
    changes.sort();
    changes
}

#[test]
fn the_chain_is_never_told_to_remove_a_validator_it_never_had_nor_to_repeat_a_power() {
    let mut deps = setup();
    open_channel(&mut deps);
    let env = env_at(GENESIS_HEIGHT, GENESIS_TIME);
    sudo(
        deps.as_mut(),
        env.clone(),
        ChainSudoMsg::PrivilegeChange(PrivilegeChange::Promoted {}),
    )
    .unwrap();
    let first = sudo(
        deps.as_mut(),
        env.clone(),
        ChainSudoMsg::EndWithValidatorUpdate {},
    )
    .unwrap();
    assert_eq!(diff_of(first), vec![(1, 10), (2, 20), (3, 30)]);

    // Validator 5 joins and leaves between two end blocks; validator 2 is set to its current
    // power; validator 3 leaves.
    receive_vsc(
        &mut deps,
        env_at(GENESIS_HEIGHT + 1, GENESIS_TIME + 1),
        1,
        &[(5, 50), (2, 20)],
        &[],
    )
    .unwrap();
    receive_vsc(
        &mut deps,
        env_at(GENESIS_HEIGHT + 1, GENESIS_TIME + 1),
        2,
        &[(5, 0), (3, 0)],
        &[],
    )
    .unwrap();
    let pending: PendingDiffResponse = q(&deps, QueryMsg::PendingDiff {});
    assert_eq!(pending.diff.diffs.len(), 1);
    let next = sudo(
        deps.as_mut(),
        env.clone(),
        ChainSudoMsg::EndWithValidatorUpdate {},
    )
    .unwrap();
    assert_eq!(diff_of(next), vec![(3, 0)]);

    // Validator 3 comes back: the chain gets it again.
    receive_vsc(
        &mut deps,
        env_at(GENESIS_HEIGHT + 2, GENESIS_TIME + 2),
        3,
        &[(3, 33)],
        &[],
    )
    .unwrap();
    let next = sudo(deps.as_mut(), env, ChainSudoMsg::EndWithValidatorUpdate {}).unwrap();
    assert_eq!(diff_of(next), vec![(3, 33)]);
}

#[test]
fn changes_that_cancel_out_over_several_vscs_are_not_handed_over() {
    let mut deps = setup();
    open_channel(&mut deps);
    let env = env_at(GENESIS_HEIGHT, GENESIS_TIME);
    sudo(
        deps.as_mut(),
        env.clone(),
        ChainSudoMsg::PrivilegeChange(PrivilegeChange::Promoted {}),
    )
    .unwrap();
    sudo(
        deps.as_mut(),
        env.clone(),
        ChainSudoMsg::EndWithValidatorUpdate {},
    )
    .unwrap();
    // Validator 1 goes 10 → 50 → 10 and validator 2 goes 20 → 25 → 26 between two end blocks.
    for (vsc_id, updates) in [(1, [(1, 50), (2, 25)]), (2, [(1, 10), (2, 26)])] {
        let height = GENESIS_HEIGHT + vsc_id;
        receive_vsc(
            &mut deps,
            env_at(height, GENESIS_TIME + vsc_id),
            vsc_id,
            &updates,
            &[],
        )
        .unwrap();
    }
    let next = sudo(
        deps.as_mut(),
        env.clone(),
        ChainSudoMsg::EndWithValidatorUpdate {},
    )
    .unwrap();
    assert_eq!(diff_of(next), vec![(2, 26)]);
    let again = sudo(deps.as_mut(), env, ChainSudoMsg::EndWithValidatorUpdate {}).unwrap();
    assert!(again.data.is_none());
}

#[test]
fn a_promotion_after_a_demotion_hands_over_the_whole_set_again() {
    let mut deps = setup();
    open_channel(&mut deps);
    let env = env_at(GENESIS_HEIGHT, GENESIS_TIME);
    let promote = |deps: &mut Deps| {
        sudo(
            deps.as_mut(),
            env.clone(),
            ChainSudoMsg::PrivilegeChange(PrivilegeChange::Promoted {}),
        )
        .unwrap();
        sudo(
            deps.as_mut(),
            env.clone(),
            ChainSudoMsg::EndWithValidatorUpdate {},
        )
        .unwrap()
    };
    assert_eq!(diff_of(promote(&mut deps)), vec![(1, 10), (2, 20), (3, 30)]);
    sudo(
        deps.as_mut(),
        env.clone(),
        ChainSudoMsg::PrivilegeChange(PrivilegeChange::Demoted {}),
    )
    .unwrap();
    receive_vsc(
        &mut deps,
        env_at(GENESIS_HEIGHT + 1, GENESIS_TIME + 1),
        1,
        &[(1, 99), (3, 0)],
        &[],
    )
    .unwrap();
    assert_eq!(diff_of(promote(&mut deps)), vec![(1, 99), (2, 20)]);
}
