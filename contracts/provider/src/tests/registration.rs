//! Permissionless registration: the deposit (returned at launch, forfeited if stopped before)
//! and the cap on each owner's registered, not yet launched consumers.

use cosmwasm_std::{coin, coins, BankMsg, Uint128};

use super::*;
use crate::msg::{ConsumerPhase, ConsumerUpdate, PendingRegistrationsResponse};

const DEPOSIT: u128 = 1_000;

/// Permissionless, a deposit of 1,000, at most 3 pending registrations per owner; alice
/// validates (so consumers can launch).
fn permissionless() -> Suite {
    let mut suite = Suite::with(InstantiateMsg {
        admin: None,
        config: Config {
            consumer_registration: RegistrationPolicy::Permissionless,
            registration_deposit: Uint128::new(DEPOSIT),
            ..default_config()
        },
    });
    suite.add_validator("alice", 1, 100);
    suite
}

fn register(suite: &mut Suite, owner: &str, chain_id: &str, spawn_in: u64) -> u64 {
    let reg = registration(chain_id, suite.env.block.time.plus_seconds(spawn_in));
    let response = suite
        .exec(
            owner,
            ExecuteMsg::RegisterConsumer(reg),
            &coins(DEPOSIT, DENOM),
        )
        .unwrap();
    attribute(&response, "consumer_id").parse().unwrap()
}

fn pending(suite: &Suite, owner: &str) -> u32 {
    let answer: PendingRegistrationsResponse = suite.query(QueryMsg::PendingRegistrations {
        owner: addr(owner).to_string(),
    });
    answer.count
}

fn bank_messages(messages: &[cosmwasm_std::SubMsg<ChainMsg>]) -> Vec<BankMsg> {
    messages
        .iter()
        .filter_map(|m| match &m.msg {
            CosmosMsg::Bank(bank) => Some(bank.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_permissionless_registration_attaches_exactly_the_deposit() {
    let mut suite = permissionless();
    let reg = || ExecuteMsg::RegisterConsumer(registration("c1", suite_time()));
    for funds in [
        vec![],
        coins(DEPOSIT - 1, DENOM),
        coins(DEPOSIT + 1, DENOM),
        coins(DEPOSIT, "uatom"),
        vec![coin(DEPOSIT, DENOM), coin(1, "uatom")],
    ] {
        let err = suite.refused("founder", reg(), &funds);
        assert!(
            matches!(&err, ContractError::WrongDeposit { expected } if *expected == coin(DEPOSIT, DENOM)),
            "{funds:?}: {err:?}"
        );
    }
    let id = register(&mut suite, "founder", "c1", 0);
    let consumer = suite.consumer(id);
    assert_eq!(consumer.owner, Some(addr("founder")));
    assert_eq!(consumer.deposit, Some(coin(DEPOSIT, DENOM)));
    assert_eq!(pending(&suite, "founder"), 1);
}

fn suite_time() -> cosmwasm_std::Timestamp {
    mock_env().block.time
}

#[test]
fn the_admin_registers_without_deposit_or_owner_under_either_policy() {
    let mut suite = permissionless();
    let reg = ExecuteMsg::RegisterConsumer(registration("c1", suite.env.block.time));
    let err = suite.refused("admin", reg.clone(), &coins(DEPOSIT, DENOM));
    assert!(matches!(err, ContractError::UnexpectedFunds));
    let response = suite.exec("admin", reg, &[]).unwrap();
    let id: u64 = attribute(&response, "consumer_id").parse().unwrap();
    let consumer = suite.consumer(id);
    assert_eq!(consumer.owner, None);
    assert_eq!(consumer.deposit, None);
    assert_eq!(pending(&suite, "admin"), 0);
}

#[test]
fn the_deposit_is_returned_to_the_owner_at_launch() {
    let mut suite = permissionless();
    let id = register(&mut suite, "founder", "c1", 0);
    // Handed over before launch: the new owner gets the deposit back.
    suite
        .exec(
            "founder",
            ExecuteMsg::UpdateConsumer {
                consumer_id: id,
                update: ConsumerUpdate {
                    owner: Some(addr("heir").to_string()),
                    ..ConsumerUpdate::default()
                },
            },
            &[],
        )
        .unwrap();
    assert_eq!(pending(&suite, "founder"), 0);
    assert_eq!(pending(&suite, "heir"), 1);
    let epoch: crate::msg::EpochResponse = suite.query(QueryMsg::Epoch {});
    suite.advance(epoch.next_epoch_height - suite.env.block.height);
    let response = suite.tick();
    assert_eq!(suite.consumer(id).phase, ConsumerPhase::Launched);
    assert_eq!(
        bank_messages(&response.messages),
        vec![BankMsg::Send {
            to_address: addr("heir").to_string(),
            amount: coins(DEPOSIT, DENOM),
        }]
    );
    assert_eq!(suite.consumer(id).deposit, None);
    assert_eq!(pending(&suite, "heir"), 0);
}

#[test]
fn the_deposit_is_forfeited_if_the_consumer_is_stopped_before_launch() {
    let mut suite = permissionless();
    let id = register(&mut suite, "founder", "c1", 10_000);
    let response = suite
        .exec("founder", ExecuteMsg::StopConsumer { consumer_id: id }, &[])
        .unwrap();
    assert_eq!(
        bank_messages(&response.messages),
        vec![BankMsg::Burn {
            amount: coins(DEPOSIT, DENOM)
        }]
    );
    assert_eq!(suite.consumer(id).deposit, None);
    assert_eq!(pending(&suite, "founder"), 0);
}

#[test]
fn an_owner_has_at_most_the_configured_number_of_registrations_waiting_to_launch() {
    let mut suite = permissionless();
    let max = default_config().max_pending_registrations_per_owner;
    let mut ids = vec![];
    for n in 0..max {
        ids.push(register(&mut suite, "spammer", &format!("c{n}"), 10_000));
    }
    assert_eq!(pending(&suite, "spammer"), max);
    let reg = ExecuteMsg::RegisterConsumer(registration("one-more", suite.env.block.time));
    let err = suite.refused("spammer", reg.clone(), &coins(DEPOSIT, DENOM));
    assert!(matches!(
        err,
        ContractError::TooManyPendingRegistrations { max: 3, .. }
    ));
    // Others are not affected.
    register(&mut suite, "honest", "h1", 10_000);
    // Nor can a full owner be handed another consumer.
    let handover = ExecuteMsg::UpdateConsumer {
        consumer_id: 4,
        update: ConsumerUpdate {
            owner: Some(addr("spammer").to_string()),
            ..ConsumerUpdate::default()
        },
    };
    let err = suite.refused("honest", handover, &[]);
    assert!(matches!(
        err,
        ContractError::TooManyPendingRegistrations { .. }
    ));
    // A stopped one frees a slot.
    suite
        .exec(
            "spammer",
            ExecuteMsg::StopConsumer {
                consumer_id: ids[0],
            },
            &[],
        )
        .unwrap();
    assert_eq!(pending(&suite, "spammer"), max - 1);
    suite.exec("spammer", reg, &coins(DEPOSIT, DENOM)).unwrap();
    // Launched ones free theirs too.
    suite.advance_seconds(10_000);
    suite.epoch();
    assert_eq!(pending(&suite, "spammer"), 0);
}

#[test]
fn without_a_deposit_configured_nothing_is_attached() {
    let mut suite = Suite::with(InstantiateMsg {
        admin: None,
        config: Config {
            consumer_registration: RegistrationPolicy::Permissionless,
            ..default_config()
        },
    });
    let reg = ExecuteMsg::RegisterConsumer(registration("c1", suite.env.block.time));
    let err = suite.refused("founder", reg.clone(), &coins(1, DENOM));
    assert!(matches!(err, ContractError::UnexpectedFunds));
    suite.exec("founder", reg, &[]).unwrap();
    assert_eq!(pending(&suite, "founder"), 1);
}
