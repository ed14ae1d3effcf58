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
