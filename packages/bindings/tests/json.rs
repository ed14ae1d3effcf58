//! Pins the JSON of every chain-ABI message, as x/twasm writes and reads it.

use cosmwasm_std::{from_json, to_json_string, Binary, CosmosMsg};
use cw_ics_bindings::{
    ChainMsg, ChainQuery, ChainSudoMsg, Evidence, EvidenceType, EvidenceValidator, PowerChange,
    Privilege, PrivilegeChange, Pubkey, ValidatorDiff, ValidatorVote, ValidatorVoteResponse,
};
use cw_ics_json::{FromJson, ToJson};
use serde::{de::DeserializeOwned, Serialize};
use std::fmt::Debug;

fn pin<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: T, json: &str) {
    assert_eq!(to_json_string(&value).unwrap(), json);
    assert_eq!(from_json::<T>(json).unwrap(), value);
}

/// A type the contracts read or write with cw-ics-json: pinned, and the same JSON both ways.
fn pin_both<T>(value: T, json: &str)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug + FromJson + ToJson,
{
    cw_ics_json::serde_parity(&value).unwrap();
    pin(value, json);
}

#[test]
fn privilege_change_sudo() {
    pin_both(
        ChainSudoMsg::PrivilegeChange(PrivilegeChange::Promoted {}),
        r#"{"privilege_change":{"promoted":{}}}"#,
    );
    pin_both(
        ChainSudoMsg::PrivilegeChange(PrivilegeChange::Demoted {}),
        r#"{"privilege_change":{"demoted":{}}}"#,
    );
}

#[test]
fn block_sudos() {
    pin_both(ChainSudoMsg::EndBlock {}, r#"{"end_block":{}}"#);
    pin_both(
        ChainSudoMsg::EndWithValidatorUpdate {},
        r#"{"end_with_validator_update":{}}"#,
    );
    pin_both(
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
    pin_both(
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
        pin_both(msg, &format!(r#"{{"privilege":{{"request":"{name}"}}}}"#));
        let CosmosMsg::Custom(msg) = ChainMsg::release(privilege) else {
            panic!("a privilege release is a custom message");
        };
        pin_both(msg, &format!(r#"{{"privilege":{{"release":"{name}"}}}}"#));
    }
}

#[test]
fn validator_votes_query_and_response() {
    pin(ChainQuery::ValidatorVotes {}, r#"{"validator_votes":{}}"#);
    pin_both(
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
    pin_both(
        ValidatorDiff {
            diffs: vec![PowerChange {
                pubkey: Pubkey::Ed25519(Binary::new((1u8..=32).collect())),
                power: 0,
            }],
        },
        r#"{"diffs":[{"pubkey":{"ed25519":"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="},"power":0}]}"#,
    );
    pin_both(ValidatorDiff::default(), r#"{"diffs":[]}"#);
}

#[test]
fn unknown_sudo_is_refused() {
    assert!(from_json::<ChainSudoMsg>(r#"{"export":{}}"#).is_err());
}
