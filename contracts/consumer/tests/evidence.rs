mod common;

use common::*;
use cw_ics_bindings::EvidenceType;
use cw_ics_ccv::Infraction;
use cw_ics_consumer::msg::PendingPacketKind;

fn double_signs(deps: &Deps) -> Vec<(cosmwasm_std::Binary, u64)> {
    pending(deps)
        .packets
        .into_iter()
        .filter_map(|p| match p {
            PendingPacketKind::Slash {
                address,
                vsc_id,
                infraction: Infraction::DoubleSign,
                ..
            } => Some((address, vsc_id)),
            _ => None,
        })
        .collect()
}

#[test]
fn duplicate_vote_evidence_yields_one_double_sign_slash_with_the_vsc_id_at_the_infraction() {
    let mut deps = setup();
    open_channel(&mut deps);
    let h = GENESIS_HEIGHT + 10;
    receive_vsc(&mut deps, env_at(h, GENESIS_TIME + 10), 1, &[(2, 21)], &[]).unwrap();
    // Evidence of an infraction before vscId 1 came into force, and one after.
    begin_block(
        &mut deps,
        env_at(h + 20, GENESIS_TIME + 20),
        vec![duplicate_vote(2, h - 1), duplicate_vote(3, h + 2)],
    );
    assert_eq!(
        double_signs(&deps),
        vec![(address_binary(2), 0), (address_binary(3), 1)]
    );
    let queue = pending(&deps);
    match &queue.packets[1] {
        PendingPacketKind::Slash { power, .. } => assert_eq!(*power, 30),
        other => panic!("unexpected {other:?}"),
    }
    // The first slash went out and waits for its ack at the head of the queue.
    assert_eq!(
        queue.head_slash,
        Some(cw_ics_consumer::state::HeadSlash::AwaitingAck)
    );
}

#[test]
fn the_same_infraction_is_never_reported_twice() {
    let mut deps = setup();
    let h = GENESIS_HEIGHT + 10;
    begin_block(
        &mut deps,
        env_at(h, GENESIS_TIME + 10),
        vec![duplicate_vote(1, h - 2), duplicate_vote(1, h - 2)],
    );
    begin_block(
        &mut deps,
        env_at(h + 1, GENESIS_TIME + 11),
        vec![duplicate_vote(1, h - 2)],
    );
    assert_eq!(double_signs(&deps).len(), 1);
    // Another height is another infraction.
    begin_block(
        &mut deps,
        env_at(h + 2, GENESIS_TIME + 12),
        vec![duplicate_vote(1, h - 1)],
    );
    assert_eq!(double_signs(&deps).len(), 2);
}

#[test]
fn evidence_for_an_unknown_validator_or_a_light_client_attack_is_skipped() {
    let mut deps = setup();
    let h = GENESIS_HEIGHT + 10;
    let mut attack = duplicate_vote(1, h - 1);
    attack.evidence_type = EvidenceType::LightClientAttack;
    let mut malformed = duplicate_vote(1, h - 1);
    malformed.validator.address = cosmwasm_std::Binary::from(vec![9u8; 3]);
    let response = begin_block(
        &mut deps,
        env_at(h, GENESIS_TIME + 10),
        vec![duplicate_vote(9, h - 1), attack, malformed],
    );
    assert_eq!(pending(&deps).total, 0);
    let skipped: Vec<_> = response
        .attributes
        .iter()
        .filter(|a| a.key == "evidence_skipped")
        .map(|a| a.value.clone())
        .collect();
    assert_eq!(
        skipped,
        vec!["UnknownValidator", "NotDuplicateVote", "MalformedAddress"]
    );
}

#[test]
fn a_validator_that_has_left_the_set_is_still_slashable_for_an_earlier_infraction() {
    let mut deps = setup();
    open_channel(&mut deps);
    let h = GENESIS_HEIGHT + 10;
    receive_vsc(&mut deps, env_at(h, GENESIS_TIME + 10), 1, &[(1, 0)], &[]).unwrap();
    assert_eq!(power_of(&deps, 1), None);
    // An infraction after it left: unknown. One before: slashable, with vscId 0.
    begin_block(
        &mut deps,
        env_at(h + 5, GENESIS_TIME + 15),
        vec![duplicate_vote(1, h + 3), duplicate_vote(1, h - 3)],
    );
    assert_eq!(double_signs(&deps), vec![(address_binary(1), 0)]);
}
