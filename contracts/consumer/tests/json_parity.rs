//! Every consumer message and query answer has the same JSON under `cw-ics-json` (which the
//! Wasm entry points read and the query handlers write) as under its `#[cw_serde]` derive
//! (which the schema, clients and cw-multi-test use). Each variant is checked, with `None`
//! and `Some` of each optional field and non-empty lists, so that a misspelt or missing name
//! fails.

mod common;

use common::*;
use cosmwasm_std::testing::{mock_env, MockQuerier};
use cosmwasm_std::{
    from_json, to_json_vec, Binary, ContractResult, QueryRequest, StdError, Storage, SystemError,
    SystemResult, Timestamp,
};
use cw_ics_bindings::{ChainQuery, ChainSudoMsg, PowerChange, Pubkey, ValidatorDiff};
use cw_ics_consumer::chain::VALIDATOR_VOTES_REQUEST;
use cw_ics_consumer::contract::{query, sudo};
use cw_ics_consumer::msg::{
    ConfigResponse, ExecuteMsg, HeightToVscIdsResponse, InfractionKind, InstantiateMsg,
    LivenessResponse, MaturingVsc, MaturingVscsResponse, MigrateMsg, OutstandingDowntimeEntry,
    OutstandingDowntimeResponse, PendingDiffResponse, PendingPacketKind, PendingPacketsResponse,
    QueryMsg, StatusResponse, ValidatorEntry, ValidatorSetResponse, VscIdAtHeightResponse,
};
use cw_ics_consumer::state::{HaltReason, HeadSlash, Mode};
use cw_ics_consumer::ContractError;
use cw_ics_json::{from_slice, serde_parity, ContractVersionError};

fn assert_parity<T>(values: &[T])
where
    T: cw_ics_json::ToJson
        + cw_ics_json::FromJson
        + serde::Serialize
        + serde::de::DeserializeOwned
        + PartialEq
        + core::fmt::Debug,
{
    for value in values {
        if let Err(difference) = serde_parity(value) {
            panic!("{value:?}: {difference}");
        }
    }
}

fn binary(byte: u8) -> Binary {
    Binary::from(vec![byte; 20])
}

#[test]
fn instantiate_migrate_and_execute_messages() {
    assert_parity(&[InstantiateMsg { genesis: genesis() }]);
    assert_parity(&[MigrateMsg {}]);
    assert_parity(&[ExecuteMsg::Tick {}]);
}

#[test]
fn every_query_message() {
    assert_parity(&[
        QueryMsg::ContractVersion {},
        QueryMsg::Status {},
        QueryMsg::Config {},
        QueryMsg::CurrentSet {},
        QueryMsg::SetAtHeight { height: 7 },
        QueryMsg::VscIdAtHeight { height: 8 },
        QueryMsg::HeightToVscIds {
            start_after: None,
            limit: None,
        },
        QueryMsg::HeightToVscIds {
            start_after: Some(3),
            limit: Some(4),
        },
        QueryMsg::PendingPackets {
            start_at: None,
            limit: None,
        },
        QueryMsg::PendingPackets {
            start_at: Some(1),
            limit: Some(2),
        },
        QueryMsg::MaturingVscs {
            start_after: None,
            limit: None,
        },
        QueryMsg::MaturingVscs {
            start_after: Some(5),
            limit: Some(6),
        },
        QueryMsg::OutstandingDowntime {
            start_after: None,
            limit: None,
        },
        QueryMsg::OutstandingDowntime {
            start_after: Some(binary(9)),
            limit: Some(10),
        },
        QueryMsg::Liveness { address: binary(1) },
        QueryMsg::PendingDiff {},
    ]);
}

#[test]
fn status_answers_with_every_halt_reason_and_mode() {
    let status = |channel_id: Option<&str>, halted: Option<HaltReason>, mode| StatusResponse {
        provider_chain_id: "provider-1".to_string(),
        chain_id: "consumer-1".to_string(),
        connection_id: "connection-7".to_string(),
        channel_id: channel_id.map(str::to_string),
        established: channel_id.is_some(),
        halted,
        last_vsc_id: 12,
        mode,
    };
    assert_parity(&[
        status(None, None, Mode::Oracle),
        status(Some("channel-3"), None, Mode::ValidatorSetUpdater),
        status(
            Some("channel-3"),
            Some(HaltReason::ErrorAck {
                sequence: 4,
                error: "refused \"slash\"".to_string(),
            }),
            Mode::Oracle,
        ),
        status(
            Some("channel-3"),
            Some(HaltReason::Timeout { sequence: 5 }),
            Mode::ValidatorSetUpdater,
        ),
        status(
            Some("channel-3"),
            Some(HaltReason::ChannelClosed {
                channel_id: "channel-3".to_string(),
            }),
            Mode::Oracle,
        ),
    ]);
}

#[test]
fn config_and_validator_set_answers() {
    let genesis = genesis();
    assert_parity(&[ConfigResponse {
        provider_chain_id: genesis.provider_chain_id,
        chain_id: genesis.chain_id,
        connection_id: genesis.connection_id,
        provider_port_id: genesis.provider_port_id,
        params: genesis.params,
        genesis_height: 100,
    }]);
    assert_parity(&[
        ValidatorSetResponse {
            vsc_id: 0,
            validators: vec![],
        },
        ValidatorSetResponse {
            vsc_id: 3,
            validators: vec![
                ValidatorEntry {
                    pub_key: key(1),
                    address: address_binary(1),
                    power: 10,
                },
                ValidatorEntry {
                    pub_key: key(2),
                    address: address_binary(2),
                    power: 20,
                },
            ],
        },
    ]);
}

#[test]
fn vsc_id_answers() {
    assert_parity(&[VscIdAtHeightResponse {
        height: 101,
        vsc_id: 2,
    }]);
    assert_parity(&[
        HeightToVscIdsResponse { entries: vec![] },
        HeightToVscIdsResponse {
            entries: vec![
                VscIdAtHeightResponse {
                    height: 100,
                    vsc_id: 0,
                },
                VscIdAtHeightResponse {
                    height: 105,
                    vsc_id: 1,
                },
            ],
        },
    ]);
}

#[test]
fn pending_packets_answers_with_every_packet_kind_and_head_state() {
    let packets = vec![
        PendingPacketKind::Slash {
            address: binary(1),
            power: 10,
            vsc_id: 3,
            infraction: InfractionKind::Downtime,
        },
        PendingPacketKind::Slash {
            address: binary(2),
            power: 20,
            vsc_id: 4,
            infraction: InfractionKind::DoubleSign,
        },
        PendingPacketKind::VscMatured { vsc_id: 5 },
    ];
    assert_parity(&[
        PendingPacketsResponse {
            packets: vec![],
            head_slash: None,
            total: 0,
        },
        PendingPacketsResponse {
            packets: packets.clone(),
            head_slash: Some(HeadSlash::AwaitingAck),
            total: 3,
        },
        PendingPacketsResponse {
            packets,
            head_slash: Some(HeadSlash::Bounced {
                retry_at: Timestamp::from_nanos(1_000_000_000_123),
            }),
            total: 7,
        },
    ]);
}

#[test]
fn head_slash_refuses_a_struct_variant_named_as_a_string_and_unknown_variants() {
    for text in [
        r#""bounced""#,
        r#""awaiting""#,
        r#"{"awaiting_ack":{}}"#,
        r#"{"bounced":{}}"#,
        r#"{"bounced":{"retry_at":"5"}"#,
    ] {
        assert!(
            from_slice::<HeadSlash>(text.as_bytes()).is_err(),
            "{text} read by cw-ics-json"
        );
        assert!(
            from_json::<HeadSlash>(text.as_bytes()).is_err(),
            "{text} read by serde"
        );
    }
}

#[test]
fn maturing_downtime_liveness_and_diff_answers() {
    assert_parity(&[
        MaturingVscsResponse { maturing: vec![] },
        MaturingVscsResponse {
            maturing: vec![
                MaturingVsc {
                    vsc_id: 1,
                    matures_at: Timestamp::from_seconds(1_001_000),
                },
                MaturingVsc {
                    vsc_id: 2,
                    matures_at: Timestamp::from_nanos(7),
                },
            ],
        },
    ]);
    assert_parity(&[
        OutstandingDowntimeResponse { validators: vec![] },
        OutstandingDowntimeResponse {
            validators: vec![
                OutstandingDowntimeEntry {
                    address: binary(1),
                    infraction_height: 110,
                },
                OutstandingDowntimeEntry {
                    address: binary(2),
                    infraction_height: 111,
                },
            ],
        },
    ]);
    assert_parity(&[
        LivenessResponse {
            address: binary(1),
            signed_blocks_window: 10,
            blocks_counted: 4,
            missed_in_window: 2,
            outstanding_downtime: true,
        },
        LivenessResponse {
            address: binary(2),
            signed_blocks_window: 10,
            blocks_counted: 0,
            missed_in_window: 0,
            outstanding_downtime: false,
        },
    ]);
    assert_parity(&[
        PendingDiffResponse {
            diff: ValidatorDiff { diffs: vec![] },
        },
        PendingDiffResponse {
            diff: ValidatorDiff {
                diffs: vec![
                    PowerChange {
                        pubkey: Pubkey::Ed25519(Binary::from([1u8; 32])),
                        power: 0,
                    },
                    PowerChange {
                        pubkey: Pubkey::Ed25519(Binary::from([2u8; 32])),
                        power: 25,
                    },
                ],
            },
        },
    ]);
}

#[test]
fn the_contract_version_is_cw2s_record() {
    let mut deps = setup();
    let stored = cw2::get_contract_version(&deps.storage).unwrap();
    assert_eq!(stored.contract, "crates.io:cw-ics-consumer");
    assert_eq!(stored.version, env!("CARGO_PKG_VERSION"));
    let answer = query(deps.as_ref(), mock_env(), QueryMsg::ContractVersion {}).unwrap();
    assert_eq!(answer.as_slice(), to_json_vec(&stored).unwrap().as_slice());

    // A record cw2 wrote, with characters that need escaping, reads back and is answered as
    // cw2 would write it.
    cw2::set_contract_version(&mut deps.storage, "crates.io:\"other\"\n", "1.2.3").unwrap();
    let stored = cw2::get_contract_version(&deps.storage).unwrap();
    let answer = query(deps.as_ref(), mock_env(), QueryMsg::ContractVersion {}).unwrap();
    assert_eq!(answer.as_slice(), to_json_vec(&stored).unwrap().as_slice());
}

#[test]
fn a_missing_or_malformed_contract_version_is_a_typed_error() {
    let mut deps = setup();
    deps.storage
        .set(cw2::CONTRACT.as_slice(), br#"{"contract":"x"}"#);
    assert!(matches!(
        query(deps.as_ref(), mock_env(), QueryMsg::ContractVersion {}),
        Err(ContractError::ContractVersion(
            ContractVersionError::Invalid(_)
        ))
    ));
    deps.storage.remove(cw2::CONTRACT.as_slice());
    assert!(matches!(
        query(deps.as_ref(), mock_env(), QueryMsg::ContractVersion {}),
        Err(ContractError::ContractVersion(
            ContractVersionError::Missing
        ))
    ));
}

#[test]
fn the_validator_votes_request_is_the_one_serde_writes() {
    let request: QueryRequest<ChainQuery> = QueryRequest::Custom(ChainQuery::ValidatorVotes {});
    assert_eq!(
        VALIDATOR_VOTES_REQUEST,
        to_json_vec(&request).unwrap().as_slice()
    );
}

#[test]
fn entry_point_messages_are_read_as_serde_reads_them() {
    // Whitespace, an unknown key and a left-out optional field, as clients may send them.
    let texts: [&[u8]; 4] = [
        br#"{"tick":{}}"#,
        br#" { "tick" : { "ignored" : [1, {"a": null}] } } "#,
        br#"{"height_to_vsc_ids":{"limit":3}}"#,
        br#"{"outstanding_downtime":{"start_after":"AQID","limit":null}}"#,
    ];
    let execute: ExecuteMsg = from_json(texts[0]).unwrap();
    assert_eq!(from_slice::<ExecuteMsg>(texts[0]).unwrap(), execute);
    let execute: ExecuteMsg = from_json(texts[1]).unwrap();
    assert_eq!(from_slice::<ExecuteMsg>(texts[1]).unwrap(), execute);
    for text in &texts[2..] {
        let query: QueryMsg = from_json(text).unwrap();
        assert_eq!(from_slice::<QueryMsg>(text).unwrap(), query);
    }
    let instantiate = to_json_vec(&InstantiateMsg { genesis: genesis() }).unwrap();
    assert_eq!(
        from_slice::<InstantiateMsg>(&instantiate).unwrap(),
        from_json::<InstantiateMsg>(&instantiate).unwrap()
    );
    // A message serde refuses is refused here too.
    for refused in [
        &br#"{"tock":{}}"#[..],
        br#"{"tick":{}"#,
        br#"{"tick":{}} x"#,
    ] {
        assert!(from_json::<ExecuteMsg>(refused).is_err());
        assert!(from_slice::<ExecuteMsg>(refused).is_err());
    }
}

#[test]
fn query_answers_read_back_with_serde() {
    let deps = setup();
    let status: StatusResponse = q(&deps, QueryMsg::Status {});
    assert_eq!(status.mode, Mode::Oracle);
    assert_eq!(status.halted, None);
    let binary = query(deps.as_ref(), mock_env(), QueryMsg::Status {}).unwrap();
    assert_eq!(binary, cw_ics_json::to_binary(&status));
}

fn begin_block_with_answer(
    answer: SystemResult<ContractResult<Binary>>,
) -> Result<(), ContractError> {
    let mut deps = setup();
    deps.querier = MockQuerier::new(&[]).with_custom_handler(move |query| match query {
        ChainQuery::ValidatorVotes {} => answer.clone(),
    });
    sudo(
        deps.as_mut(),
        env_at(GENESIS_HEIGHT + 1, GENESIS_TIME + 5),
        ChainSudoMsg::BeginBlock { evidence: vec![] },
    )
    .map(|_| ())
}

#[test]
fn a_failed_or_malformed_validator_votes_answer_is_a_typed_error() {
    let error = begin_block_with_answer(SystemResult::Ok(ContractResult::Ok(Binary::from(
        br#"{"votes":[{"address":"AQ==","power":"x","voted":true}]}"#,
    ))))
    .unwrap_err();
    assert!(
        matches!(error, ContractError::InvalidValidatorVotes(_)),
        "{error}"
    );

    let error = begin_block_with_answer(SystemResult::Ok(ContractResult::Err(
        "no votes here".to_string(),
    )))
    .unwrap_err();
    match error {
        ContractError::Std(error) => assert_eq!(
            error.to_string(),
            StdError::msg("Querier contract error: no votes here").to_string()
        ),
        other => panic!("unexpected {other}"),
    }

    let error = begin_block_with_answer(SystemResult::Err(SystemError::UnsupportedRequest {
        kind: "custom".to_string(),
    }))
    .unwrap_err();
    match error {
        ContractError::Std(error) => {
            assert!(
                error.to_string().contains("Querier system error:"),
                "{error}"
            )
        }
        other => panic!("unexpected {other}"),
    }

    begin_block_with_answer(SystemResult::Ok(ContractResult::Ok(Binary::from(
        br#"{"votes":[]}"#,
    ))))
    .unwrap();
}
