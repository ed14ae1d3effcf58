mod common;

use common::*;
use cosmwasm_std::testing::mock_env;
use cw_ics_consumer::contract::migrate;
use cw_ics_consumer::msg::{
    HeightToVscIdsResponse, MigrateMsg, QueryMsg, ValidatorSetResponse, VscIdAtHeightResponse,
};
use cw_ics_consumer::state::{Config, Mode};
use cw_ics_consumer::ContractError;

#[test]
fn genesis_set_is_the_current_set_and_vsc_zero_from_the_instantiation_height() {
    let deps = setup();
    let set: ValidatorSetResponse = q(&deps, QueryMsg::CurrentSet {});
    assert_eq!(set.vsc_id, 0);
    let mut expected: Vec<_> = (1..=3u8).map(|s| (key(s), 10 * u64::from(s))).collect();
    expected.sort_by(|a, b| a.0.bytes().cmp(b.0.bytes()));
    let got: Vec<_> = set
        .validators
        .iter()
        .map(|v| (v.pub_key.clone(), v.power))
        .collect();
    assert_eq!(got, expected);
    for v in &set.validators {
        assert_eq!(
            v.address.as_slice(),
            v.pub_key.consensus_address().as_bytes()
        );
    }

    let at: VscIdAtHeightResponse = q(
        &deps,
        QueryMsg::VscIdAtHeight {
            height: GENESIS_HEIGHT,
        },
    );
    assert_eq!(at.vsc_id, 0);
    let history: HeightToVscIdsResponse = q(
        &deps,
        QueryMsg::HeightToVscIds {
            start_after: None,
            limit: None,
        },
    );
    assert_eq!(
        history.entries,
        vec![VscIdAtHeightResponse {
            height: GENESIS_HEIGHT,
            vsc_id: 0
        }]
    );

    let status = status(&deps);
    assert_eq!(status.provider_chain_id, "provider-1");
    assert_eq!(status.channel_id, None);
    assert!(!status.established);
    assert_eq!(status.halted, None);
    assert_eq!(status.last_vsc_id, 0);
    assert_eq!(status.mode, Mode::Oracle);

    let config: Config = q(&deps, QueryMsg::Config {});
    assert_eq!(config.connection_id, CONNECTION);
    assert_eq!(config.provider_port_id, PROVIDER_PORT);
    assert_eq!(config.params, genesis().params);
    assert_eq!(config.genesis_height, GENESIS_HEIGHT);
}

#[test]
fn heights_before_genesis_are_refused_in_queries() {
    let deps = setup();
    let err = cw_ics_consumer::contract::query(
        deps.as_ref(),
        mock_env(),
        QueryMsg::SetAtHeight {
            height: GENESIS_HEIGHT - 1,
        },
    )
    .unwrap_err();
    assert!(err
        .to_string()
        .contains("before the consumer's genesis height"));
}

#[test]
fn invalid_genesis_is_refused() {
    let mut empty_set = genesis();
    empty_set.initial_validator_set.clear();
    assert!(matches!(
        setup_with(empty_set),
        Err(ContractError::Genesis(_))
    ));

    let mut duplicate = genesis();
    duplicate.initial_validator_set[1].pub_key = key(1);
    assert!(matches!(
        setup_with(duplicate),
        Err(ContractError::Genesis(_))
    ));

    let mut no_connection = genesis();
    no_connection.connection_id.clear();
    assert!(matches!(
        setup_with(no_connection),
        Err(ContractError::Genesis(_))
    ));

    let mut zero_window = genesis();
    zero_window.params.signed_blocks_window = 0;
    assert!(matches!(
        setup_with(zero_window),
        Err(ContractError::Genesis(_))
    ));
}

#[test]
fn migrate_refuses_another_contract_and_accepts_itself() {
    let mut deps = setup();
    migrate(deps.as_mut(), mock_env(), MigrateMsg {}).unwrap();
    cw2::set_contract_version(&mut deps.storage, "crates.io:someone-else", "0.1.0").unwrap();
    let err = migrate(deps.as_mut(), mock_env(), MigrateMsg {}).unwrap_err();
    assert!(
        err.to_string()
            .contains("Cannot migrate from crates.io:someone-else to crates.io:cw-ics-consumer"),
        "{err}"
    );
}

#[test]
fn migrate_refuses_a_downgrade() {
    let mut deps = setup();
    cw2::set_contract_version(&mut deps.storage, "crates.io:cw-ics-consumer", "99.0.0").unwrap();
    let err = migrate(deps.as_mut(), mock_env(), MigrateMsg {}).unwrap_err();
    assert!(
        err.to_string()
            .contains("Cannot migrate from newer version (99.0.0)"),
        "{err}"
    );
    let stored = cw2::get_contract_version(&deps.storage).unwrap();
    assert_eq!(
        stored.version, "99.0.0",
        "a refused migration records nothing"
    );
}

#[test]
fn tick_is_permissionless_and_idle_without_a_channel() {
    let mut deps = setup();
    let response = tick(&mut deps, env_at(GENESIS_HEIGHT + 5, GENESIS_TIME + 50));
    assert!(response.messages.is_empty());
}

#[test]
fn periods_too_long_for_timestamp_arithmetic_are_refused() {
    for field in 0..3 {
        let mut huge = genesis();
        let value = cw_ics_consumer::time::MAX_PERIOD_SECONDS + 1;
        match field {
            0 => huge.params.unbonding_period_seconds = value,
            1 => huge.params.ccv_timeout_seconds = value,
            _ => huge.params.retry_delay_seconds = value,
        }
        assert!(matches!(
            setup_with(huge),
            Err(ContractError::PeriodTooLong(_))
        ));
    }
    let mut longest = genesis();
    longest.params.unbonding_period_seconds = cw_ics_consumer::time::MAX_PERIOD_SECONDS;
    assert!(setup_with(longest).is_ok());
}
