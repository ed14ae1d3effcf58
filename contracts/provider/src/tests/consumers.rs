use cosmwasm_std::coins;
use cw_ics_ccv::ConsumerGenesis;

use super::*;
use crate::msg::{
    ConfigUpdate, ConsumerPhase, ConsumerUpdate, ConsumerValidatorsResponse, ConsumersResponse,
};

#[test]
fn admin_only_registration_refuses_others() {
    let mut suite = Suite::new();
    let reg = registration("c1", suite.env.block.time);
    let err = suite
        .exec("stranger", ExecuteMsg::RegisterConsumer(reg.clone()), &[])
        .unwrap_err();
    assert!(matches!(err, ContractError::Unauthorized(_)));
    let err = suite
        .exec("admin", ExecuteMsg::RegisterConsumer(reg), &coins(1, DENOM))
        .unwrap_err();
    assert!(matches!(err, ContractError::UnexpectedFunds));
    let id = suite.register_consumer("c1");
    let consumer = suite.consumer(id);
    assert_eq!(consumer.phase, ConsumerPhase::Registered);
    assert_eq!(consumer.owner, None);
}

#[test]
fn permissionless_registration_makes_the_sender_owner() {
    let mut suite = Suite::new();
    let update = ConfigUpdate {
        consumer_registration: Some(RegistrationPolicy::Permissionless),
        ..ConfigUpdate::default()
    };
    suite
        .exec("admin", ExecuteMsg::UpdateConfig(update), &[])
        .unwrap();
    let reg = registration("c1", suite.env.block.time);
    suite
        .exec("founder", ExecuteMsg::RegisterConsumer(reg), &[])
        .unwrap();
    assert_eq!(suite.consumer(1).owner, Some(addr("founder")));
    // The owner and the admin manage it; nobody else does.
    let update = |port: &str| ExecuteMsg::UpdateConsumer {
        consumer_id: 1,
        update: ConsumerUpdate {
            counterparty_port_id: Some(port.to_string()),
            ..ConsumerUpdate::default()
        },
    };
    let err = suite.exec("stranger", update("wasm.x"), &[]).unwrap_err();
    assert!(matches!(err, ContractError::Unauthorized(_)));
    suite.exec("founder", update("wasm.y"), &[]).unwrap();
    suite.exec("admin", update("wasm.z"), &[]).unwrap();
    let err = suite
        .exec("stranger", ExecuteMsg::StopConsumer { consumer_id: 1 }, &[])
        .unwrap_err();
    assert!(matches!(err, ContractError::Unauthorized(_)));
    suite
        .exec("founder", ExecuteMsg::StopConsumer { consumer_id: 1 }, &[])
        .unwrap();
    assert_eq!(suite.consumer(1).phase, ConsumerPhase::Stopped);
}

#[test]
fn registration_validation() {
    let mut suite = Suite::new();
    let now = suite.env.block.time;
    type Mutation = Box<dyn Fn(&mut ConsumerRegistration)>;
    let cases: Vec<(&str, Mutation)> = vec![
        ("empty chain id", Box::new(|r| r.chain_id = String::new())),
        (
            "empty connection",
            Box::new(|r| r.connection_id = String::new()),
        ),
        (
            "empty counterparty connection",
            Box::new(|r| r.counterparty_connection_id = String::new()),
        ),
        (
            "empty port",
            Box::new(|r| r.counterparty_port_id = Some(String::new())),
        ),
        (
            "unbonding not shorter",
            Box::new(|r| r.unbonding_period_seconds = UNBONDING),
        ),
        (
            "zero unbonding",
            Box::new(|r| r.unbonding_period_seconds = 0),
        ),
        (
            "zero ccv timeout",
            Box::new(|r| r.ccv_timeout_seconds = Some(0)),
        ),
        (
            "zero init timeout",
            Box::new(|r| r.init_timeout_seconds = Some(0)),
        ),
        (
            "zero vsc timeout",
            Box::new(|r| r.vsc_timeout_seconds = Some(0)),
        ),
        ("zero window", Box::new(|r| r.signed_blocks_window = 0)),
        (
            "fraction above one",
            Box::new(|r| r.min_signed_per_window = Decimal::percent(101)),
        ),
        (
            "bad prefix",
            Box::new(|r| r.valcons_prefix = "Not A Prefix".into()),
        ),
        (
            "empty prefix",
            Box::new(|r| r.valcons_prefix = String::new()),
        ),
    ];
    for (name, mutate) in cases {
        let mut reg = registration("c1", now);
        mutate(&mut reg);
        let result = suite.exec("admin", ExecuteMsg::RegisterConsumer(reg), &[]);
        assert!(result.is_err(), "{name} was accepted");
    }
    let all: ConsumersResponse = suite.query(QueryMsg::Consumers {
        start_after: None,
        limit: None,
    });
    assert!(all.consumers.is_empty());
}

#[test]
fn launch_at_spawn_time_produces_the_consumer_genesis() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    suite.add_validator("bob", 2, 300);
    let spawn = suite.env.block.time.plus_seconds(100);
    suite
        .exec(
            "admin",
            ExecuteMsg::RegisterConsumer(registration("c1", spawn)),
            &[],
        )
        .unwrap();
    suite.epoch();
    assert_eq!(
        suite.consumer(1).phase,
        ConsumerPhase::Registered,
        "too early"
    );
    assert!(query(
        suite.deps.as_ref(),
        suite.env.clone(),
        QueryMsg::ConsumerGenesis { consumer_id: 1 }
    )
    .is_err());
    suite.advance_seconds(100);
    suite.epoch();
    let consumer = suite.consumer(1);
    assert_eq!(consumer.phase, ConsumerPhase::Launched);
    assert_eq!(consumer.launch_height, Some(suite.env.block.height));
    let genesis: ConsumerGenesis = suite.query(QueryMsg::ConsumerGenesis { consumer_id: 1 });
    genesis.validate().unwrap();
    assert_eq!(genesis.chain_id, "c1");
    assert_eq!(genesis.provider_chain_id, suite.env.block.chain_id);
    assert_eq!(genesis.connection_id, COUNTERPARTY_CONNECTION);
    assert_eq!(
        genesis.provider_port_id,
        format!("wasm.{}", suite.env.contract.address)
    );
    assert_eq!(genesis.params.unbonding_period_seconds, 500);
    assert_eq!(genesis.params.ccv_timeout_seconds, 10_000);
    assert_eq!(genesis.params.valcons_prefix, PREFIX);
    let set: Vec<(u8, u64)> = genesis
        .initial_validator_set
        .iter()
        .map(|v| (v.pub_key.bytes()[0], v.power))
        .collect();
    assert_eq!(set, vec![(2, 30), (1, 10)]);
    let last: ConsumerValidatorsResponse = suite.query(QueryMsg::ConsumerValidators {
        consumer_id: 1,
        start_after: None,
        limit: None,
    });
    assert_eq!(last.validators.len(), 2);
}

#[test]
fn launch_waits_for_at_least_one_validator() {
    let mut suite = Suite::new();
    suite.register_consumer("c1");
    suite.epoch();
    assert_eq!(suite.consumer(1).phase, ConsumerPhase::Registered);
    suite.add_validator("alice", 1, 100);
    suite.epoch();
    assert_eq!(suite.consumer(1).phase, ConsumerPhase::Launched);
}

#[test]
fn update_before_launch_changes_everything_after_launch_only_the_port() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    let id = suite.register_consumer("c1");
    let later = suite.env.block.time.plus_seconds(1_000);
    suite
        .exec(
            "admin",
            ExecuteMsg::UpdateConsumer {
                consumer_id: id,
                update: ConsumerUpdate {
                    spawn_time: Some(later),
                    signed_blocks_window: Some(7),
                    ..ConsumerUpdate::default()
                },
            },
            &[],
        )
        .unwrap();
    suite.epoch();
    assert_eq!(
        suite.consumer(id).phase,
        ConsumerPhase::Registered,
        "spawn moved"
    );
    let invalid = ExecuteMsg::UpdateConsumer {
        consumer_id: id,
        update: ConsumerUpdate {
            unbonding_period_seconds: Some(UNBONDING + 1),
            ..ConsumerUpdate::default()
        },
    };
    assert!(matches!(
        suite.exec("admin", invalid, &[]).unwrap_err(),
        ContractError::InvalidRegistration(_)
    ));
    suite.advance_seconds(1_000);
    suite.epoch();
    assert_eq!(suite.consumer(id).phase, ConsumerPhase::Launched);
    let genesis: ConsumerGenesis = suite.query(QueryMsg::ConsumerGenesis { consumer_id: id });
    assert_eq!(genesis.params.signed_blocks_window, 7);

    let change_window = ExecuteMsg::UpdateConsumer {
        consumer_id: id,
        update: ConsumerUpdate {
            signed_blocks_window: Some(9),
            ..ConsumerUpdate::default()
        },
    };
    assert!(matches!(
        suite.exec("admin", change_window, &[]).unwrap_err(),
        ContractError::WrongPhase { .. }
    ));
    let set_port = |port: &str| ExecuteMsg::UpdateConsumer {
        consumer_id: id,
        update: ConsumerUpdate {
            counterparty_port_id: Some(port.to_string()),
            ..ConsumerUpdate::default()
        },
    };
    suite.exec("admin", set_port("wasm.real"), &[]).unwrap();
    suite
        .open_channel("channel-0", CONNECTION, "wasm.real")
        .unwrap();
    assert!(matches!(
        suite
            .exec("admin", set_port("wasm.other"), &[])
            .unwrap_err(),
        ContractError::ChannelAlreadyOpen
    ));
}

#[test]
fn unknown_consumers_are_refused() {
    let mut suite = Suite::new();
    let err = suite
        .exec("admin", ExecuteMsg::StopConsumer { consumer_id: 9 }, &[])
        .unwrap_err();
    assert!(matches!(err, ContractError::UnknownConsumer(9)));
    let err = suite
        .exec(
            "admin",
            ExecuteMsg::UpdateConsumer {
                consumer_id: 9,
                update: ConsumerUpdate::default(),
            },
            &[],
        )
        .unwrap_err();
    assert!(matches!(err, ContractError::UnknownConsumer(9)));
}

#[test]
fn stopping_closes_the_channel_and_deletion_follows_one_unbonding_period_later() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    let id = suite.running_consumer("c1", "channel-0", CONNECTION);
    let response = suite
        .exec("admin", ExecuteMsg::StopConsumer { consumer_id: id }, &[])
        .unwrap();
    assert_eq!(
        response.messages[0].msg,
        CosmosMsg::Ibc(IbcMsg::CloseChannel {
            channel_id: "channel-0".into()
        })
    );
    assert_eq!(suite.consumer(id).phase, ConsumerPhase::Stopped);
    let err = suite
        .exec("admin", ExecuteMsg::StopConsumer { consumer_id: id }, &[])
        .unwrap_err();
    assert!(matches!(err, ContractError::WrongPhase { .. }));
    suite.epoch();
    assert_eq!(suite.consumer(id).phase, ConsumerPhase::Stopped);
    suite.advance_seconds(UNBONDING);
    suite.epoch();
    assert_eq!(suite.consumer(id).phase, ConsumerPhase::Deleted);
    assert!(query(
        suite.deps.as_ref(),
        suite.env.clone(),
        QueryMsg::ConsumerGenesis { consumer_id: id }
    )
    .is_err());
    let last: ConsumerValidatorsResponse = suite.query(QueryMsg::ConsumerValidators {
        consumer_id: id,
        start_after: None,
        limit: None,
    });
    assert!(last.validators.is_empty());
}
