//! The Wasm entry points read messages and write query answers with cw-ics-json; cw-multi-test
//! and clients use the serde derives. Every message and answer type must have the same JSON
//! both ways: a misspelt or forgotten field fails here.

use cosmwasm_std::{Addr, Binary, Decimal, Timestamp, Uint128};
use cw_ics_ccv::{ConsumerGenesis, ConsumerParams, GenesisValidator, PublicKey};
use cw_ics_json::{from_slice, serde_parity, FromJson, JsonError, ToJson};
use cw_ics_provider::msg::*;
use cw_ics_provider::state::Config;
use serde::{de::DeserializeOwned, Serialize};
use std::fmt::Debug;

fn same<T>(values: impl IntoIterator<Item = T>)
where
    T: ToJson + FromJson + Serialize + DeserializeOwned + PartialEq + Debug,
{
    for value in values {
        if let Err(difference) = serde_parity(&value) {
            panic!("{value:?}: {difference}");
        }
    }
}

fn key(byte: u8) -> PublicKey {
    PublicKey::Ed25519(Binary::new(vec![byte; 32]))
}

fn config_update_full() -> ConfigUpdate {
    ConfigUpdate {
        admin: Some("admin".into()),
        bond_denom: Some("stake".into()),
        power_reduction: Some(Uint128::new(1_000_000)),
        unbonding_period_seconds: Some(1),
        epoch_length_blocks: Some(2),
        max_validators: Some(3),
        consumer_registration: Some(RegistrationPolicy::Permissionless),
        ccv_timeout_seconds: Some(4),
        init_timeout_seconds: Some(5),
        vsc_timeout_seconds: Some(6),
        downtime_jail_seconds: Some(7),
        downtime_slash_fraction: Some(Decimal::percent(1)),
        double_sign_slash_fraction: Some(Decimal::percent(5)),
        slashed_tokens: Some(SlashedTokens::SendTo {
            address: "pool".into(),
        }),
        wait_for_consumer_maturity: Some(true),
        max_epoch_work: Some(8),
    }
}

fn registration(optional: bool) -> ConsumerRegistration {
    ConsumerRegistration {
        chain_id: "consumer-1".into(),
        spawn_time: Timestamp::from_nanos(1_700_000_000_123_456_789),
        unbonding_period_seconds: 86_400,
        connection_id: "connection-0".into(),
        counterparty_connection_id: "connection-7".into(),
        counterparty_port_id: optional.then(|| "wasm.consumer".into()),
        ccv_timeout_seconds: optional.then_some(1),
        init_timeout_seconds: optional.then_some(2),
        vsc_timeout_seconds: optional.then_some(3),
        retry_delay_seconds: 60,
        signed_blocks_window: 100,
        min_signed_per_window: Decimal::percent(50),
        valcons_prefix: "consumervalcons".into(),
    }
}

fn consumer_update_full() -> ConsumerUpdate {
    ConsumerUpdate {
        spawn_time: Some(Timestamp::from_seconds(9)),
        unbonding_period_seconds: Some(1),
        connection_id: Some("connection-1".into()),
        counterparty_connection_id: Some("connection-2".into()),
        counterparty_port_id: Some("wasm.c".into()),
        ccv_timeout_seconds: Some(2),
        init_timeout_seconds: Some(3),
        vsc_timeout_seconds: Some(4),
        retry_delay_seconds: Some(5),
        signed_blocks_window: Some(6),
        min_signed_per_window: Some(Decimal::percent(7)),
        valcons_prefix: Some("v".into()),
        owner: Some("owner".into()),
    }
}

#[test]
fn execute_messages() {
    same([
        ExecuteMsg::UpdateConfig(config_update_full()),
        ExecuteMsg::UpdateConfig(ConfigUpdate::default()),
        ExecuteMsg::RegisterValidator {
            pub_key: key(1),
            moniker: "val \"one\"".into(),
            commission: Decimal::percent(10),
        },
        ExecuteMsg::EditValidator {
            moniker: Some("m".into()),
            commission: Some(Decimal::one()),
        },
        ExecuteMsg::EditValidator {
            moniker: None,
            commission: None,
        },
        ExecuteMsg::Bond {
            validator: "op".into(),
        },
        ExecuteMsg::Unbond {
            validator: "op".into(),
            amount: Uint128::new(u128::MAX),
        },
        ExecuteMsg::Withdraw {
            entry_ids: Some(vec![1, 2, u64::MAX]),
        },
        ExecuteMsg::Withdraw { entry_ids: None },
        ExecuteMsg::Unjail {},
        ExecuteMsg::RegisterConsumer(registration(true)),
        ExecuteMsg::RegisterConsumer(registration(false)),
        ExecuteMsg::UpdateConsumer {
            consumer_id: 3,
            update: consumer_update_full(),
        },
        ExecuteMsg::UpdateConsumer {
            consumer_id: 3,
            update: ConsumerUpdate::default(),
        },
        ExecuteMsg::StopConsumer { consumer_id: 4 },
        ExecuteMsg::Tick {},
    ]);
    same([SlashedTokens::Burn {}]);
}

#[test]
fn instantiate_and_migrate_messages() {
    let instantiate = InstantiateMsg {
        admin: None,
        bond_denom: "stake".into(),
        power_reduction: Uint128::new(1_000_000),
        unbonding_period_seconds: 1,
        epoch_length_blocks: 2,
        max_validators: 3,
        consumer_registration: RegistrationPolicy::AdminOnly,
        ccv_timeout_seconds: 4,
        init_timeout_seconds: 5,
        vsc_timeout_seconds: 6,
        downtime_jail_seconds: 7,
        downtime_slash_fraction: Decimal::percent(1),
        double_sign_slash_fraction: Decimal::percent(5),
        slashed_tokens: SlashedTokens::Burn {},
        wait_for_consumer_maturity: false,
        max_epoch_work: Some(9),
    };
    let text = serde_json::to_vec(&instantiate).unwrap();
    assert_eq!(from_slice::<InstantiateMsg>(&text).unwrap(), instantiate);

    let mut without_denom: serde_json::Value = serde_json::from_slice(&text).unwrap();
    without_denom.as_object_mut().unwrap().remove("bond_denom");
    let text = serde_json::to_vec(&without_denom).unwrap();
    assert_eq!(
        from_slice::<InstantiateMsg>(&text).unwrap_err(),
        JsonError::MissingField("bond_denom")
    );
    assert!(serde_json::from_slice::<InstantiateMsg>(&text).is_err());

    same([
        MigrateMsg { config: None },
        MigrateMsg {
            config: Some(config_update_full()),
        },
    ]);
}

#[test]
fn query_messages() {
    same([
        QueryMsg::ContractVersion {},
        QueryMsg::Config {},
        QueryMsg::Epoch {},
        QueryMsg::Validator {
            operator: "op".into(),
        },
        QueryMsg::Validators {
            start_after: Some("a".into()),
            limit: Some(5),
        },
        QueryMsg::Validators {
            start_after: None,
            limit: None,
        },
        QueryMsg::Delegations {
            staker: "s".into(),
            start_after: Some("v".into()),
            limit: Some(1),
        },
        QueryMsg::Unbondings {
            staker: "s".into(),
            start_after: Some(3),
            limit: None,
        },
        QueryMsg::Consumer { consumer_id: 1 },
        QueryMsg::Consumers {
            start_after: Some(1),
            limit: Some(2),
        },
        QueryMsg::ConsumerGenesis { consumer_id: 1 },
        QueryMsg::ConsumerValidators {
            consumer_id: 1,
            start_after: Some(Binary::new(vec![7; 20])),
            limit: Some(3),
        },
        QueryMsg::PendingVscs {
            consumer_id: 1,
            start_after: None,
            limit: Some(4),
        },
        QueryMsg::VscHeight {
            consumer_id: 1,
            vsc_id: 2,
        },
        QueryMsg::SlashLog {
            start_after: Some(9),
            limit: None,
        },
    ]);
}

#[test]
fn query_answers() {
    same([Config {
        admin: Addr::unchecked("admin"),
        bond_denom: "stake".into(),
        power_reduction: Uint128::new(1_000_000),
        unbonding_period_seconds: 1,
        epoch_length_blocks: 2,
        max_validators: 3,
        consumer_registration: RegistrationPolicy::Permissionless,
        ccv_timeout_seconds: 4,
        init_timeout_seconds: 5,
        vsc_timeout_seconds: 6,
        downtime_jail_seconds: 7,
        downtime_slash_fraction: Decimal::percent(1),
        double_sign_slash_fraction: Decimal::permille(5),
        slashed_tokens: SlashedTokens::SendTo {
            address: "pool".into(),
        },
        wait_for_consumer_maturity: true,
        max_epoch_work: 200,
    }]);
    same([EpochResponse {
        current_vsc_id: 1,
        next_epoch_height: 2,
        in_progress: true,
        has_end_blocker_privilege: false,
    }]);
    let validator = |jailed: bool| ValidatorResponse {
        operator: Addr::unchecked("op"),
        pub_key: key(2),
        consensus_address: "AB12".into(),
        moniker: "m".into(),
        commission: Decimal::percent(3),
        tokens: Uint128::new(10),
        shares: Uint128::new(11),
        power: 12,
        jailed_until: jailed.then(|| Timestamp::from_seconds(5)),
        tombstoned: jailed,
    };
    same([ValidatorsResponse {
        validators: vec![validator(true), validator(false)],
    }]);
    same([DelegationsResponse {
        delegations: vec![DelegationResponse {
            validator: Addr::unchecked("v"),
            shares: Uint128::new(1),
            tokens: Uint128::new(2),
        }],
    }]);
    same([UnbondingsResponse {
        unbondings: vec![UnbondingResponse {
            id: 1,
            validator: Addr::unchecked("v"),
            balance: Uint128::new(2),
            initial_amount: Uint128::new(3),
            created_height: 4,
            vsc_id: 5,
            completes_at: Timestamp::from_seconds(6),
            waiting_on: vec![7, 8],
            released: false,
        }],
    }]);
    let consumer = |phase: ConsumerPhase, launched: bool| ConsumerResponse {
        consumer_id: 1,
        owner: launched.then(|| Addr::unchecked("owner")),
        phase,
        registration: registration(launched),
        channel_id: launched.then(|| "channel-0".into()),
        launch_height: launched.then_some(10),
        launched_at: launched.then(|| Timestamp::from_seconds(11)),
        stopped_at: launched.then(|| Timestamp::from_seconds(12)),
        stop_reason: launched.then(|| "timeout".into()),
        last_sent_vsc_id: 13,
        last_matured_vsc_id: 14,
        pending_slash_acks: vec!["consumervalcons1xyz".into()],
    };
    same([ConsumersResponse {
        consumers: vec![
            consumer(ConsumerPhase::Registered, false),
            consumer(ConsumerPhase::Launched, true),
            consumer(ConsumerPhase::Stopped, true),
            consumer(ConsumerPhase::Deleted, false),
        ],
    }]);
    same([ConsumerValidatorsResponse {
        validators: vec![ConsumerValidator {
            consensus_address: Binary::new(vec![1; 20]),
            pub_key: key(3),
            power: 4,
        }],
    }]);
    same([PendingVscsResponse {
        packets: vec![PendingVsc {
            valset_update_id: 1,
            validator_updates: vec![PowerUpdate {
                pub_key: key(4),
                power: 0,
            }],
            slash_acks: vec!["a".into()],
        }],
    }]);
    same([
        VscHeightResponse { height: Some(3) },
        VscHeightResponse { height: None },
    ]);
    let record = |action: SlashAction, infraction: InfractionKind| SlashRecord {
        id: 1,
        consumer_id: 2,
        validator: Addr::unchecked("v"),
        consensus_address: "cons".into(),
        infraction,
        vsc_id: 3,
        infraction_height: 4,
        received_at: Timestamp::from_nanos(5),
        action,
    };
    same([SlashLogResponse {
        records: vec![
            record(
                SlashAction::Jailed {
                    slashed: Uint128::new(9),
                },
                InfractionKind::Downtime,
            ),
            record(SlashAction::AlreadyJailed {}, InfractionKind::Downtime),
            record(SlashAction::Recorded {}, InfractionKind::DoubleSign),
        ],
    }]);
    same([ConsumerGenesis {
        provider_chain_id: "provider".into(),
        chain_id: "consumer".into(),
        connection_id: "connection-0".into(),
        provider_port_id: "wasm.provider".into(),
        initial_validator_set: vec![GenesisValidator {
            pub_key: key(5),
            power: 6,
        }],
        params: ConsumerParams {
            unbonding_period_seconds: 1,
            ccv_timeout_seconds: 2,
            retry_delay_seconds: 3,
            signed_blocks_window: 4,
            min_signed_per_window: Decimal::percent(50),
            valcons_prefix: "p".into(),
        },
    }]);
}
