//! Pins the JSON of every chain-ABI message, as x/twasm writes and reads it.

use cosmwasm_std::{from_json, to_json_string, Binary, CosmosMsg};
use cw_ics_bindings::{
    ChainMsg, ChainQuery, ChainSudoMsg, Evidence, EvidenceType, EvidenceValidator, PowerChange,
    Privilege, PrivilegeChange, Pubkey, ValidatorDiff, ValidatorVote, ValidatorVoteResponse,
};
use serde::{de::DeserializeOwned, Serialize};
use std::fmt::Debug;

fn pin<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: T, json: &str) {
    assert_eq!(to_json_string(&value).unwrap(), json);
    assert_eq!(from_json::<T>(json).unwrap(), value);
}

#[test]
fn privilege_change_sudo() {
    pin(
        ChainSudoMsg::PrivilegeChange(PrivilegeChange::Promoted {}),
        r#"{"privilege_change":{"promoted":{}}}"#,
    );
    pin(
        ChainSudoMsg::PrivilegeChange(PrivilegeChange::Demoted {}),
        r#"{"privilege_change":{"demoted":{}}}"#,
    );
}

#[test]
fn block_sudos() {
    pin(ChainSudoMsg::EndBlock {}, r#"{"end_block":{}}"#);
    pin(
        ChainSudoMsg::EndWithValidatorUpdate {},
        r#"{"end_with_validator_update":{}}"#,
    );
    pin(
        ChainSudoMsg::BeginBlock { evidence: vec![] },
        r#"{"begin_block":{"evidence":[]}}"#,
    );
}

#[test]
fn begin_block_with_duplicate_vote_evidence() {
    let evidence = Evidence {
        evidence_type: EvidenceType::DuplicateVote,
        validator: EvidenceValidator {
            address: Binary::new(vec![0xAB; 20]),
            power: 10,
        },
        height: 17,
        time: 1_700_000_000,
        total_voting_power: 100,
    };
    pin(
        ChainSudoMsg::BeginBlock {
            evidence: vec![evidence],
        },
        concat!(
            r#"{"begin_block":{"evidence":[{"evidence_type":"duplicate_vote","validator":"#,
            r#"{"address":"q6urq6urq6urq6urq6urq6urq6s=","power":10},"height":17,"#,
            r#""time":1700000000,"total_voting_power":100}]}}"#
        ),
    );
}

#[test]
fn privilege_requests() {
    let cases = [
        (Privilege::ValidatorSetUpdater, "validator_set_updater"),
        (Privilege::BeginBlocker, "begin_blocker"),
        (Privilege::EndBlocker, "end_blocker"),
    ];
    for (privilege, name) in cases {
        let CosmosMsg::Custom(msg) = ChainMsg::request(privilege) else {
            panic!("a privilege request is a custom message");
        };
        pin(msg, &format!(r#"{{"privilege":{{"request":"{name}"}}}}"#));
        let CosmosMsg::Custom(msg) = ChainMsg::release(privilege) else {
            panic!("a privilege release is a custom message");
        };
        pin(msg, &format!(r#"{{"privilege":{{"release":"{name}"}}}}"#));
    }
}

#[test]
fn validator_votes_query_and_response() {
    pin(ChainQuery::ValidatorVotes {}, r#"{"validator_votes":{}}"#);
    pin(
        ValidatorVoteResponse {
            votes: vec![ValidatorVote {
                address: Binary::new(vec![0xAB; 20]),
                power: 5,
                voted: true,
            }],
        },
        r#"{"votes":[{"address":"q6urq6urq6urq6urq6urq6urq6s=","power":5,"voted":true}]}"#,
    );
}

#[test]
fn validator_diff() {
    pin(
        ValidatorDiff {
            diffs: vec![PowerChange {
                pubkey: Pubkey::Ed25519(Binary::new((1u8..=32).collect())),
                power: 0,
            }],
        },
        r#"{"diffs":[{"pubkey":{"ed25519":"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="},"power":0}]}"#,
    );
    pin(ValidatorDiff::default(), r#"{"diffs":[]}"#);
}

#[test]
fn unknown_sudo_is_refused() {
    assert!(from_json::<ChainSudoMsg>(r#"{"export":{}}"#).is_err());
}
