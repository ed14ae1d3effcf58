use cosmwasm_std::testing::{message_info, mock_env};
use cosmwasm_std::{Decimal, Uint128};
use cw_ics_bindings::{ChainMsg, ChainSudoMsg, Privilege, PrivilegeChange};

use super::*;
use crate::contract::{migrate, sudo};
use crate::msg::{ConfigResponse, ConfigUpdate, EpochResponse, MigrateMsg};

#[test]
fn instantiate_stores_the_config_with_the_sender_as_default_admin() {
    let suite = Suite::new();
    let config: ConfigResponse = suite.query(QueryMsg::Config {});
    assert_eq!(config.admin, addr("admin"));
    assert_eq!(config.config.bond_denom, DENOM);
    assert_eq!(
        config.config.max_epoch_work,
        crate::msg::DEFAULT_MAX_EPOCH_WORK
    );
    let epoch: EpochResponse = suite.query(QueryMsg::Epoch {});
    assert_eq!(epoch.current_vsc_id, 1);
    assert!(!epoch.in_progress);
}

#[test]
fn instantiate_refuses_invalid_configs() {
    type Mutation = Box<dyn Fn(&mut InstantiateMsg)>;
    let cases: Vec<(&str, Mutation)> = vec![
        (
            "empty denom",
            Box::new(|m| m.config.bond_denom = String::new()),
        ),
        (
            "zero power reduction",
            Box::new(|m| m.config.power_reduction = Uint128::zero()),
        ),
        (
            "zero unbonding",
            Box::new(|m| m.config.unbonding_period_seconds = 0),
        ),
        ("zero epoch", Box::new(|m| m.config.epoch_length_blocks = 0)),
        ("zero validators", Box::new(|m| m.config.max_validators = 0)),
        (
            "zero vsc timeout",
            Box::new(|m| m.config.vsc_timeout_seconds = 0),
        ),
        (
            "zero init timeout",
            Box::new(|m| m.config.init_timeout_seconds = 0),
        ),
        (
            "zero ccv timeout",
            Box::new(|m| m.config.ccv_timeout_seconds = 0),
        ),
        ("zero work", Box::new(|m| m.config.max_epoch_work = 0)),
        (
            "fraction above one",
            Box::new(|m| m.config.downtime_slash_fraction = Decimal::percent(101)),
        ),
        (
            "double sign above one",
            Box::new(|m| m.config.double_sign_slash_fraction = Decimal::percent(150)),
        ),
        (
            "bad admin",
            Box::new(|m| m.admin = Some("not an address".into())),
        ),
        (
            "bad slash destination",
            Box::new(|m| {
                m.config.slashed_tokens = SlashedTokens::SendTo {
                    address: "nope".into(),
                }
            }),
        ),
    ];
    for (name, mutate) in cases {
        let mut msg = default_instantiate();
        mutate(&mut msg);
        let mut deps = Suite::new().deps;
        let result = instantiate(
            deps.as_mut(),
            mock_env(),
            message_info(&addr("admin"), &[]),
            msg,
        );
        assert!(result.is_err(), "{name} was accepted");
    }
}

#[test]
fn only_the_admin_updates_the_config() {
    let mut suite = Suite::new();
    let update = ConfigUpdate {
        max_validators: Some(7),
        ..ConfigUpdate::default()
    };
    let err = suite
        .exec("stranger", ExecuteMsg::UpdateConfig(update.clone()), &[])
        .unwrap_err();
    assert!(matches!(err, ContractError::Unauthorized(_)));
    suite
        .exec("admin", ExecuteMsg::UpdateConfig(update), &[])
        .unwrap();
    let config: ConfigResponse = suite.query(QueryMsg::Config {});
    assert_eq!(config.config.max_validators, 7);
}

#[test]
fn an_invalid_update_changes_nothing() {
    let mut suite = Suite::new();
    let update = ConfigUpdate {
        max_validators: Some(9),
        epoch_length_blocks: Some(0),
        ..ConfigUpdate::default()
    };
    let err = suite
        .exec("admin", ExecuteMsg::UpdateConfig(update), &[])
        .unwrap_err();
    assert!(matches!(err, ContractError::InvalidConfig(_)));
    let config: ConfigResponse = suite.query(QueryMsg::Config {});
    assert_eq!(config.config.max_validators, 3);
}

#[test]
fn denom_and_power_reduction_freeze_once_a_validator_exists() {
    let mut suite = Suite::new();
    let change_denom = ConfigUpdate {
        bond_denom: Some("uother".into()),
        ..ConfigUpdate::default()
    };
    suite
        .exec("admin", ExecuteMsg::UpdateConfig(change_denom), &[])
        .unwrap();
    suite.add_validator("val", 1, 0);
    let back = ConfigUpdate {
        bond_denom: Some(DENOM.into()),
        ..ConfigUpdate::default()
    };
    let err = suite
        .exec("admin", ExecuteMsg::UpdateConfig(back), &[])
        .unwrap_err();
    assert!(matches!(err, ContractError::FrozenParameter("bond_denom")));
    let reduction = ConfigUpdate {
        power_reduction: Some(Uint128::new(1)),
        ..ConfigUpdate::default()
    };
    let err = suite
        .exec("admin", ExecuteMsg::UpdateConfig(reduction), &[])
        .unwrap_err();
    assert!(matches!(
        err,
        ContractError::FrozenParameter("power_reduction")
    ));
}

#[test]
fn admin_can_be_handed_over() {
    let mut suite = Suite::new();
    let update = ConfigUpdate {
        admin: Some(addr("new-admin").to_string()),
        ..ConfigUpdate::default()
    };
    suite
        .exec("admin", ExecuteMsg::UpdateConfig(update), &[])
        .unwrap();
    let again = ConfigUpdate {
        max_validators: Some(4),
        ..ConfigUpdate::default()
    };
    assert!(suite
        .exec("admin", ExecuteMsg::UpdateConfig(again.clone()), &[])
        .is_err());
    suite
        .exec("new-admin", ExecuteMsg::UpdateConfig(again), &[])
        .unwrap();
}

#[test]
fn migrate_applies_a_config_update_and_refuses_other_contracts() {
    let mut suite = Suite::new();
    let msg = MigrateMsg {
        config: Some(ConfigUpdate {
            downtime_jail_seconds: Some(42),
            ..ConfigUpdate::default()
        }),
    };
    migrate(suite.deps.as_mut(), suite.env.clone(), msg).unwrap();
    let config: ConfigResponse = suite.query(QueryMsg::Config {});
    assert_eq!(config.config.downtime_jail_seconds, 42);

    cw2::set_contract_version(&mut suite.deps.storage, "crates.io:other", "0.1.0").unwrap();
    let err = migrate(
        suite.deps.as_mut(),
        suite.env.clone(),
        MigrateMsg { config: None },
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("Cannot migrate from crates.io:other to crates.io:cw-ics-provider"),
        "{err}"
    );

    cw2::set_contract_version(
        &mut suite.deps.storage,
        crate::state::CONTRACT_NAME,
        "99.0.0",
    )
    .unwrap();
    let err = migrate(
        suite.deps.as_mut(),
        suite.env.clone(),
        MigrateMsg { config: None },
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("Cannot migrate from newer version (99.0.0)"),
        "{err}"
    );
}

#[test]
fn promotion_requests_the_end_blocker_privilege_and_end_block_runs_the_epoch() {
    let mut suite = Suite::new();
    let response = sudo(
        suite.deps.as_mut(),
        suite.env.clone(),
        ChainSudoMsg::PrivilegeChange(PrivilegeChange::Promoted {}),
    )
    .unwrap();
    assert_eq!(response.messages.len(), 1);
    assert_eq!(
        response.messages[0].msg,
        ChainMsg::request(Privilege::EndBlocker)
    );
    let response = sudo(
        suite.deps.as_mut(),
        suite.env.clone(),
        ChainSudoMsg::EndBlock {},
    )
    .unwrap();
    assert_eq!(attribute(&response, "epoch"), "finished");
    let epoch: EpochResponse = suite.query(QueryMsg::Epoch {});
    assert!(epoch.has_end_blocker_privilege);
    assert_eq!(epoch.current_vsc_id, 2);
    // Same epoch: a second end_block does nothing.
    let response = sudo(
        suite.deps.as_mut(),
        suite.env.clone(),
        ChainSudoMsg::EndBlock {},
    )
    .unwrap();
    assert_eq!(attribute(&response, "epoch"), "not_due");

    sudo(
        suite.deps.as_mut(),
        suite.env.clone(),
        ChainSudoMsg::PrivilegeChange(PrivilegeChange::Demoted {}),
    )
    .unwrap();
    let epoch: EpochResponse = suite.query(QueryMsg::Epoch {});
    assert!(!epoch.has_end_blocker_privilege);
}

#[test]
fn unsupported_sudo_messages_are_refused() {
    let mut suite = Suite::new();
    for msg in [
        ChainSudoMsg::BeginBlock { evidence: vec![] },
        ChainSudoMsg::EndWithValidatorUpdate {},
    ] {
        let err = sudo(suite.deps.as_mut(), suite.env.clone(), msg).unwrap_err();
        assert!(matches!(err, ContractError::NotSupported(_)));
    }
}

#[test]
fn end_block_starts_the_next_vsc_id_at_the_next_height_and_tick_at_this_one() {
    let mut suite = Suite::new();
    sudo(
        suite.deps.as_mut(),
        suite.env.clone(),
        ChainSudoMsg::EndBlock {},
    )
    .unwrap();
    let height: crate::msg::VscHeightResponse = suite.query(QueryMsg::VscHeight {
        consumer_id: 0,
        vsc_id: 2,
    });
    assert_eq!(height.height, Some(suite.env.block.height + 1));
    suite.advance(EPOCH_BLOCKS);
    suite.tick();
    let height: crate::msg::VscHeightResponse = suite.query(QueryMsg::VscHeight {
        consumer_id: 0,
        vsc_id: 3,
    });
    assert_eq!(height.height, Some(suite.env.block.height));
}

#[test]
fn instantiate_json_is_parsed_field_for_field_and_refuses_missing_or_null_required_fields() {
    // The configuration is nested under `config`; `admin` and `max_epoch_work` may be left out.
    use cosmwasm_std::from_json;
    use serde_json::to_value as to_json_value;
    let msg = InstantiateMsg {
        admin: Some("boss".to_string()),
        config: Config {
            max_epoch_work: 7,
            ..default_config()
        },
    };
    let json = to_json_value(&msg).unwrap();
    assert_eq!(from_json::<InstantiateMsg>(json.to_string()).unwrap(), msg);

    let without_optionals = InstantiateMsg {
        admin: None,
        config: default_config(),
    };
    let mut object = to_json_value(&without_optionals).unwrap();
    object.as_object_mut().unwrap().remove("admin");
    object["config"]
        .as_object_mut()
        .unwrap()
        .remove("max_epoch_work");
    assert_eq!(
        from_json::<InstantiateMsg>(object.to_string()).unwrap(),
        without_optionals
    );

    let required = [
        "bond_denom",
        "power_reduction",
        "unbonding_period_seconds",
        "epoch_length_blocks",
        "max_validators",
        "consumer_registration",
        "ccv_timeout_seconds",
        "init_timeout_seconds",
        "vsc_timeout_seconds",
        "downtime_jail_seconds",
        "downtime_slash_fraction",
        "double_sign_slash_fraction",
        "slashed_tokens",
        "wait_for_consumer_maturity",
    ];
    for field in required {
        let mut missing = to_json_value(&msg).unwrap();
        missing["config"].as_object_mut().unwrap().remove(field);
        let err = from_json::<InstantiateMsg>(missing.to_string()).unwrap_err();
        assert!(
            err.to_string()
                .contains(&format!("missing field `{field}`")),
            "{field}: {err}"
        );
        let mut null = to_json_value(&msg).unwrap();
        null["config"][field] = serde_json::Value::Null;
        assert!(
            from_json::<InstantiateMsg>(null.to_string()).is_err(),
            "{field} null"
        );
    }
    let mut unknown = to_json_value(&msg).unwrap();
    unknown["surprise"] = serde_json::Value::Bool(true);
    unknown["config"]["surprise"] = serde_json::Value::Bool(true);
    assert_eq!(
        from_json::<InstantiateMsg>(unknown.to_string()).unwrap(),
        msg,
        "unknown fields are ignored, as cw_serde's derived deserializers do"
    );
}
