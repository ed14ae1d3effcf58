mod common;

use common::*;
use cosmwasm_std::{from_json, Binary};
use cw_ics_bindings::{ChainSudoMsg, PrivilegeChange, ValidatorDiff};
use cw_ics_ccv::{
    AckResult, Acknowledgement, ConsumerPacket, VscMaturedPacketData, MAX_TOTAL_VOTING_POWER,
};
use cw_ics_consumer::contract::sudo;
use cw_ics_consumer::msg::{
    MaturingVscsResponse, QueryMsg, ValidatorSetResponse, VscIdAtHeightResponse,
};
use cw_ics_consumer::state::HaltReason;
use cw_ics_consumer::ContractError;

fn opened() -> Deps {
    let mut deps = setup();
    open_channel(&mut deps);
    deps
}

#[test]
fn a_vsc_is_applied_acked_and_establishes_the_channel() {
    let mut deps = opened();
    let env = env_at(GENESIS_HEIGHT + 10, GENESIS_TIME + 100);
    let response = receive_vsc(&mut deps, env, 1, &[(1, 0), (2, 25), (4, 40)], &[]).unwrap();
    assert_eq!(
        Acknowledgement::decode(response.acknowledgement.as_ref().unwrap()).unwrap(),
        Acknowledgement::Result(AckResult::Success)
    );
    assert_eq!(power_of(&deps, 1), None);
    assert_eq!(power_of(&deps, 2), Some(25));
    assert_eq!(power_of(&deps, 3), Some(30));
    assert_eq!(power_of(&deps, 4), Some(40));
    let status = status(&deps);
    assert!(status.established);
    assert_eq!(status.last_vsc_id, 1);
}

#[test]
fn the_next_height_maps_to_the_new_vsc_id_and_old_sets_stay_queryable() {
    let mut deps = opened();
    let h = GENESIS_HEIGHT + 10;
    receive_vsc(&mut deps, env_at(h, GENESIS_TIME + 100), 1, &[(1, 0)], &[]).unwrap();
    receive_vsc(
        &mut deps,
        env_at(h + 5, GENESIS_TIME + 150),
        4,
        &[(2, 99)],
        &[],
    )
    .unwrap();

    let at = |height| -> u64 {
        let r: VscIdAtHeightResponse = q(&deps, QueryMsg::VscIdAtHeight { height });
        r.vsc_id
    };
    assert_eq!(at(h), 0);
    assert_eq!(at(h + 1), 1);
    assert_eq!(at(h + 5), 1);
    assert_eq!(at(h + 6), 4);
    assert_eq!(at(h + 1000), 4);

    let old: ValidatorSetResponse = q(&deps, QueryMsg::SetAtHeight { height: h + 3 });
    assert_eq!(old.vsc_id, 1);
    assert_eq!(old.validators.len(), 2);
    assert!(old.validators.iter().all(|v| v.pub_key != key(1)));
    assert!(old
        .validators
        .iter()
        .any(|v| v.pub_key == key(2) && v.power == 20));
    let genesis_set: ValidatorSetResponse = q(&deps, QueryMsg::SetAtHeight { height: h });
    assert_eq!(genesis_set.validators.len(), 3);
}

#[test]
fn within_one_vsc_the_last_update_per_key_wins() {
    let mut deps = opened();
    receive_vsc(
        &mut deps,
        env_at(GENESIS_HEIGHT + 3, GENESIS_TIME + 30),
        1,
        &[(2, 5), (2, 0), (5, 1), (5, 7)],
        &[],
    )
    .unwrap();
    assert_eq!(power_of(&deps, 2), None);
    assert_eq!(power_of(&deps, 5), Some(7));
}

#[test]
fn out_of_order_and_repeated_vsc_ids_are_refused_without_changes() {
    let mut deps = opened();
    receive_vsc(
        &mut deps,
        env_at(GENESIS_HEIGHT + 3, GENESIS_TIME + 30),
        5,
        &[(1, 11)],
        &[],
    )
    .unwrap();
    let before = storage_dump(&deps);
    let env = env_at(GENESIS_HEIGHT + 4, GENESIS_TIME + 40);
    let err = receive_vsc(&mut deps, env.clone(), 5, &[(1, 12)], &[]).unwrap_err();
    assert!(matches!(
        err,
        ContractError::VscOutOfOrder { got: 5, last: 5 }
    ));
    let err = receive_vsc(&mut deps, env, 3, &[(1, 13)], &[]).unwrap_err();
    assert!(matches!(
        err,
        ContractError::VscOutOfOrder { got: 3, last: 5 }
    ));
    assert_eq!(storage_dump(&deps), before);
    assert_eq!(power_of(&deps, 1), Some(11));
}

#[test]
fn a_vsc_on_another_channel_or_before_the_channel_is_refused() {
    let mut deps = setup();
    let env = env_at(GENESIS_HEIGHT + 3, GENESIS_TIME + 30);
    let err = receive_vsc(&mut deps, env.clone(), 1, &[(1, 0)], &[]).unwrap_err();
    assert!(matches!(err, ContractError::NotCcvChannel(id) if id == CHANNEL));
    open_channel(&mut deps);
    let before = storage_dump(&deps);
    let err = receive_raw(&mut deps, env, "channel-99", vsc_bytes(1, &[(1, 0)], &[])).unwrap_err();
    assert!(matches!(err, ContractError::NotCcvChannel(id) if id == "channel-99"));
    assert_eq!(storage_dump(&deps), before);
    assert!(!status(&deps).established);
}

#[test]
fn malformed_packets_are_refused_without_changes() {
    let mut deps = opened();
    let env = env_at(GENESIS_HEIGHT + 3, GENESIS_TIME + 30);
    let before = storage_dump(&deps);
    let key_b64 = Binary::from([1u8; 32]).to_base64();
    let cases: Vec<(&str, String)> = vec![
        ("not json", "hello".to_string()),
        ("zero id", r#"{"validator_updates":[],"valset_update_id":"0","slash_acks":[]}"#.to_string()),
        ("unknown field", r#"{"validator_updates":[],"valset_update_id":"1","slash_acks":[],"x":1}"#.to_string()),
        ("short key", r#"{"validator_updates":[{"pub_key":{"ed25519":"AAAA"},"power":"1"}],"valset_update_id":"1","slash_acks":[]}"#.to_string()),
        ("negative power", format!(r#"{{"validator_updates":[{{"pub_key":{{"ed25519":"{key_b64}"}},"power":"-1"}}],"valset_update_id":"1","slash_acks":[]}}"#)),
        // Go's decoder reads a JSON number as well as a string, but never a fraction.
        ("fractional id", r#"{"validator_updates":[],"valset_update_id":"1.0","slash_acks":[]}"#.to_string()),
    ];
    for (name, data) in cases {
        let result = receive_raw(
            &mut deps,
            env.clone(),
            CHANNEL,
            Binary::from(data.as_bytes()),
        );
        assert!(
            matches!(result, Err(ContractError::Packet(_))),
            "{name}: {result:?}"
        );
    }
    assert_eq!(storage_dump(&deps), before);
}

#[test]
fn unparsable_or_foreign_slash_acks_make_the_vsc_malformed() {
    let mut deps = opened();
    let env = env_at(GENESIS_HEIGHT + 3, GENESIS_TIME + 30);
    let before = storage_dump(&deps);
    let foreign = address(1).to_bech32("osmovalcons").unwrap();
    for bad in ["not-bech32".to_string(), foreign] {
        let err = receive_vsc(
            &mut deps,
            env.clone(),
            1,
            &[(1, 0)],
            std::slice::from_ref(&bad),
        )
        .unwrap_err();
        assert!(matches!(err, ContractError::InvalidSlashAck { ack, .. } if ack == bad));
    }
    assert_eq!(storage_dump(&deps), before);
}

#[test]
fn a_vsc_that_removes_every_validator_is_refused() {
    let mut deps = opened();
    let err = receive_vsc(
        &mut deps,
        env_at(GENESIS_HEIGHT + 3, GENESIS_TIME + 30),
        1,
        &[(1, 0), (2, 0), (3, 0)],
        &[],
    )
    .unwrap_err();
    assert!(matches!(err, ContractError::EmptyValidatorSet(1)));
    assert_eq!(powers(&deps).len(), 3);
}

/// CometBFT refuses a set whose total power exceeds i64::MAX / 8; so does the consumer, before
/// anything is written. The genesis set has 10 + 20 + 30 = 60.
#[test]
fn a_vsc_that_takes_the_total_power_past_cometbfts_maximum_is_refused() {
    let mut deps = opened();
    let before = storage_dump(&deps);
    let env = env_at(GENESIS_HEIGHT + 3, GENESIS_TIME + 30);
    let at_max = MAX_TOTAL_VOTING_POWER - 60;
    let err = receive_vsc(&mut deps, env.clone(), 1, &[(4, at_max + 1)], &[]).unwrap_err();
    assert!(matches!(err, ContractError::TotalPowerAboveMaximum));
    let err = receive_vsc(&mut deps, env.clone(), 1, &[(1, at_max + 10), (4, 1)], &[]).unwrap_err();
    assert!(matches!(err, ContractError::TotalPowerAboveMaximum));
    assert_eq!(storage_dump(&deps), before);

    receive_vsc(&mut deps, env.clone(), 1, &[(4, at_max)], &[]).unwrap();
    assert_eq!(power_of(&deps, 4), Some(at_max));
    // Lowering one power makes room for another.
    receive_vsc(&mut deps, env, 2, &[(4, at_max - 5), (5, 5)], &[]).unwrap();
    assert_eq!(power_of(&deps, 5), Some(5));
}

#[test]
fn a_genesis_whose_total_power_exceeds_cometbfts_maximum_is_refused() {
    let mut genesis = genesis();
    genesis.initial_validator_set[0].power = MAX_TOTAL_VOTING_POWER;
    assert!(matches!(
        setup_with(genesis),
        Err(ContractError::TotalPowerAboveMaximum)
    ));
}

#[test]
fn maturity_is_scheduled_for_receipt_plus_unbonding_and_sent_when_due() {
    let mut deps = opened();
    let received = GENESIS_TIME + 100;
    receive_vsc(
        &mut deps,
        env_at(GENESIS_HEIGHT + 3, received),
        1,
        &[(1, 11)],
        &[],
    )
    .unwrap();
    let maturing: MaturingVscsResponse = q(
        &deps,
        QueryMsg::MaturingVscs {
            start_after: None,
            limit: None,
        },
    );
    assert_eq!(maturing.maturing.len(), 1);
    assert_eq!(maturing.maturing[0].vsc_id, 1);
    assert_eq!(
        maturing.maturing[0].matures_at.seconds(),
        received + UNBONDING
    );

    let early = tick(
        &mut deps,
        env_at(GENESIS_HEIGHT + 4, received + UNBONDING - 1),
    );
    assert!(early.messages.is_empty());
    let due_time = received + UNBONDING;
    let due = tick(&mut deps, env_at(GENESIS_HEIGHT + 5, due_time));
    let sent = sent(&due.messages);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, CHANNEL);
    assert_eq!(
        sent[0].1,
        ConsumerPacket::VscMatured(VscMaturedPacketData {
            valset_update_id: 1
        })
    );
    assert_eq!(
        sent[0].2.timestamp().unwrap().seconds(),
        due_time + CCV_TIMEOUT
    );
    // Sent once only.
    assert!(tick(&mut deps, env_at(GENESIS_HEIGHT + 6, due_time + 1))
        .messages
        .is_empty());
    assert_eq!(pending(&deps).total, 0);
}

#[test]
fn a_later_vsc_receipt_also_releases_due_maturities() {
    let mut deps = opened();
    receive_vsc(
        &mut deps,
        env_at(GENESIS_HEIGHT + 3, GENESIS_TIME),
        1,
        &[(1, 11)],
        &[],
    )
    .unwrap();
    let response = receive_vsc(
        &mut deps,
        env_at(GENESIS_HEIGHT + 50, GENESIS_TIME + UNBONDING),
        2,
        &[(1, 12)],
        &[],
    )
    .unwrap();
    assert_eq!(
        sent_packets(&response.messages),
        vec![ConsumerPacket::VscMatured(VscMaturedPacketData {
            valset_update_id: 1
        })]
    );
}

#[test]
fn the_pending_diff_accumulates_only_when_promoted() {
    let mut deps = opened();
    // Oracle mode: the set is replicated, no diff is kept.
    receive_vsc(
        &mut deps,
        env_at(GENESIS_HEIGHT + 3, GENESIS_TIME),
        1,
        &[(1, 11)],
        &[],
    )
    .unwrap();
    let env = env_at(GENESIS_HEIGHT + 4, GENESIS_TIME + 5);
    let response = sudo(
        deps.as_mut(),
        env.clone(),
        ChainSudoMsg::EndWithValidatorUpdate {},
    )
    .unwrap();
    assert_eq!(response.data, None);

    sudo(
        deps.as_mut(),
        env.clone(),
        ChainSudoMsg::PrivilegeChange(PrivilegeChange::Promoted {}),
    )
    .unwrap();
    // The first diff after promotion is the whole replicated set.
    let first = sudo(
        deps.as_mut(),
        env.clone(),
        ChainSudoMsg::EndWithValidatorUpdate {},
    )
    .unwrap();
    let diff: ValidatorDiff = from_json(first.data.unwrap()).unwrap();
    assert_eq!(diff.diffs.len(), 3);
    assert!(sudo(
        deps.as_mut(),
        env.clone(),
        ChainSudoMsg::EndWithValidatorUpdate {}
    )
    .unwrap()
    .data
    .is_none());

    // Across two VSCs, the last update per key wins; validator 4 came and went before the
    // chain saw it, so the chain hears nothing about it.
    receive_vsc(
        &mut deps,
        env_at(GENESIS_HEIGHT + 5, GENESIS_TIME + 6),
        2,
        &[(2, 21), (4, 40)],
        &[],
    )
    .unwrap();
    receive_vsc(
        &mut deps,
        env_at(GENESIS_HEIGHT + 6, GENESIS_TIME + 7),
        3,
        &[(2, 22), (4, 0)],
        &[],
    )
    .unwrap();
    let next = sudo(deps.as_mut(), env, ChainSudoMsg::EndWithValidatorUpdate {}).unwrap();
    let diff: ValidatorDiff = from_json(next.data.unwrap()).unwrap();
    let mut got: Vec<_> = diff
        .diffs
        .iter()
        .map(|c| match &c.pubkey {
            cw_ics_bindings::Pubkey::Ed25519(bytes) => (bytes.to_vec(), c.power),
        })
        .collect();
    got.sort();
    assert_eq!(got, vec![(vec![2u8; 32], 22)]);
}

#[test]
fn a_halted_consumer_refuses_further_vscs_and_keeps_its_set() {
    let mut deps = opened();
    receive_vsc(
        &mut deps,
        env_at(GENESIS_HEIGHT + 3, GENESIS_TIME),
        1,
        &[(1, 11)],
        &[],
    )
    .unwrap();
    close_confirm(&mut deps, CHANNEL).unwrap();
    let set_before = powers(&deps);
    let err = receive_vsc(
        &mut deps,
        env_at(GENESIS_HEIGHT + 4, GENESIS_TIME + 1),
        2,
        &[(1, 12)],
        &[],
    )
    .unwrap_err();
    assert!(matches!(err, ContractError::Halted(_)));
    assert_eq!(powers(&deps), set_before);
    assert!(matches!(
        status(&deps).halted,
        Some(HaltReason::ChannelClosed { .. })
    ));
}
