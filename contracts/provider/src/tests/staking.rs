use cosmwasm_std::{coin, coins, BankMsg, Decimal, Uint128};

use super::*;
use crate::msg::{DelegationsResponse, ValidatorsResponse};

#[test]
fn register_validator_records_key_and_description() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 0);
    let validator = suite.validator("alice");
    assert_eq!(validator.pub_key, key(1));
    assert_eq!(validator.consensus_address, cons_addr(1).to_string());
    assert_eq!(validator.power, 0);
    let all: ValidatorsResponse = suite.query(QueryMsg::Validators {
        start_after: None,
        limit: None,
    });
    assert_eq!(all.validators.len(), 1);
}

#[test]
fn register_validator_refusals() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 0);
    let register = |seed: u8, commission: Decimal, moniker: &str| ExecuteMsg::RegisterValidator {
        pub_key: key(seed),
        moniker: moniker.to_string(),
        commission,
    };
    // Duplicate consensus key.
    let err = suite
        .exec("bob", register(1, Decimal::zero(), "bob"), &[])
        .unwrap_err();
    assert!(matches!(err, ContractError::DuplicateConsensusKey));
    // One validator per operator.
    let err = suite
        .exec("alice", register(2, Decimal::zero(), "a2"), &[])
        .unwrap_err();
    assert!(matches!(err, ContractError::AlreadyValidator));
    // Commission above 1.
    let err = suite
        .exec("bob", register(2, Decimal::percent(101), "bob"), &[])
        .unwrap_err();
    assert!(matches!(err, ContractError::InvalidCommission));
    // Empty moniker.
    let err = suite
        .exec("bob", register(2, Decimal::zero(), ""), &[])
        .unwrap_err();
    assert!(matches!(err, ContractError::InvalidConfig(_)));
    // Key of the wrong length.
    let short = ExecuteMsg::RegisterValidator {
        pub_key: PublicKey::Ed25519(Binary::new(vec![3; 31])),
        moniker: "bob".into(),
        commission: Decimal::zero(),
    };
    let err = suite.exec("bob", short, &[]).unwrap_err();
    assert!(matches!(err, ContractError::Packet(_)));
    // Funds are refused.
    let err = suite
        .exec("bob", register(2, Decimal::zero(), "bob"), &coins(5, DENOM))
        .unwrap_err();
    assert!(matches!(err, ContractError::UnexpectedFunds));
}

#[test]
fn only_the_operator_edits_its_validator() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 0);
    let edit = ExecuteMsg::EditValidator {
        moniker: Some("renamed".into()),
        commission: Some(Decimal::percent(7)),
    };
    let err = suite.exec("mallory", edit.clone(), &[]).unwrap_err();
    assert!(matches!(err, ContractError::UnknownValidator(_)));
    suite.exec("alice", edit, &[]).unwrap();
    let validator = suite.validator("alice");
    assert_eq!(validator.moniker, "renamed");
    assert_eq!(validator.commission, Decimal::percent(7));
    let bad = ExecuteMsg::EditValidator {
        moniker: None,
        commission: Some(Decimal::percent(200)),
    };
    assert!(matches!(
        suite.exec("alice", bad, &[]).unwrap_err(),
        ContractError::InvalidCommission
    ));
}

#[test]
fn bond_gives_power_per_power_reduction() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 95);
    suite.bond("staker", "alice", 10).unwrap();
    let validator = suite.validator("alice");
    assert_eq!(validator.tokens, Uint128::new(105));
    assert_eq!(validator.power, 10);
    let delegations: DelegationsResponse = suite.query(QueryMsg::Delegations {
        staker: addr("staker").to_string(),
        start_after: None,
        limit: None,
    });
    assert_eq!(delegations.delegations.len(), 1);
    assert_eq!(delegations.delegations[0].tokens, Uint128::new(10));
}

#[test]
fn bond_refusals() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 0);
    let target = ExecuteMsg::Bond {
        validator: addr("alice").to_string(),
    };
    let err = suite
        .exec("s", target.clone(), &coins(10, "uatom"))
        .unwrap_err();
    assert!(
        matches!(err, ContractError::InvalidFunds { .. }),
        "wrong denom"
    );
    let err = suite.exec("s", target.clone(), &[]).unwrap_err();
    assert!(
        matches!(err, ContractError::InvalidFunds { .. }),
        "no funds"
    );
    let err = suite
        .exec("s", target.clone(), &coins(0, DENOM))
        .unwrap_err();
    assert!(matches!(err, ContractError::InvalidFunds { .. }), "zero");
    let err = suite
        .exec("s", target, &[coin(10, DENOM), coin(10, "uatom")])
        .unwrap_err();
    assert!(
        matches!(err, ContractError::InvalidFunds { .. }),
        "extra coin"
    );
    let err = suite.bond("s", "nobody", 10).unwrap_err();
    assert!(matches!(err, ContractError::UnknownValidator(_)));
}

#[test]
fn unbond_creates_an_entry_stamped_with_time_and_vsc_id() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    suite.bond("staker", "alice", 50).unwrap();
    suite.unbond("staker", "alice", 20).unwrap();
    let entries = suite.unbondings("staker").unbondings;
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert_eq!(entry.balance, Uint128::new(20));
    assert_eq!(entry.vsc_id, 1);
    assert_eq!(
        entry.completes_at,
        suite.env.block.time.plus_seconds(UNBONDING)
    );
    assert_eq!(entry.created_height, suite.env.block.height);
    assert!(!entry.released);
    assert_eq!(suite.validator("alice").tokens, Uint128::new(130));
}

#[test]
fn unbond_refusals() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    suite.bond("staker", "alice", 50).unwrap();
    let err = suite.unbond("staker", "alice", 51).unwrap_err();
    assert!(matches!(err, ContractError::InsufficientDelegation { .. }));
    let err = suite.unbond("staker", "alice", 0).unwrap_err();
    assert!(matches!(err, ContractError::ZeroAmount));
    let err = suite.unbond("stranger", "alice", 1).unwrap_err();
    assert!(matches!(err, ContractError::InsufficientDelegation { .. }));
    let err = suite.unbond("staker", "nobody", 1).unwrap_err();
    assert!(matches!(err, ContractError::UnknownValidator(_)));
    let err = suite
        .exec(
            "staker",
            ExecuteMsg::Unbond {
                validator: addr("alice").to_string(),
                amount: Uint128::new(1),
            },
            &coins(1, DENOM),
        )
        .unwrap_err();
    assert!(matches!(err, ContractError::UnexpectedFunds));
}

#[test]
fn withdraw_pays_only_released_entries_of_the_sender() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    suite.bond("staker", "alice", 50).unwrap();
    suite.unbond("staker", "alice", 20).unwrap();
    let err = suite
        .exec(
            "staker",
            ExecuteMsg::Withdraw {
                entry_ids: Some(vec![1]),
            },
            &[],
        )
        .unwrap_err();
    assert!(matches!(err, ContractError::NotReleased(1)));
    let err = suite
        .exec("staker", ExecuteMsg::Withdraw { entry_ids: None }, &[])
        .unwrap_err();
    assert!(matches!(err, ContractError::NothingToWithdraw));
    suite.advance_seconds(UNBONDING);
    let err = suite
        .exec(
            "thief",
            ExecuteMsg::Withdraw {
                entry_ids: Some(vec![1]),
            },
            &[],
        )
        .unwrap_err();
    assert!(matches!(err, ContractError::UnknownUnbonding(1)));
    let response = suite
        .exec("staker", ExecuteMsg::Withdraw { entry_ids: None }, &[])
        .unwrap();
    assert_eq!(
        response.messages[0].msg,
        CosmosMsg::Bank(BankMsg::Send {
            to_address: addr("staker").to_string(),
            amount: coins(20, DENOM),
        })
    );
    assert!(suite.unbondings("staker").unbondings.is_empty());
    let err = suite
        .exec(
            "staker",
            ExecuteMsg::Withdraw {
                entry_ids: Some(vec![1]),
            },
            &[],
        )
        .unwrap_err();
    assert!(
        matches!(err, ContractError::UnknownUnbonding(1)),
        "paid twice"
    );
}

#[test]
fn withdraw_refuses_an_entry_given_twice_and_pays_every_released_one_it_scans() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    suite.bond("staker", "alice", 50).unwrap();
    suite.unbond("staker", "alice", 20).unwrap();
    suite.unbond("staker", "alice", 5).unwrap();
    suite.advance_seconds(UNBONDING);
    suite.unbond("staker", "alice", 7).unwrap();
    let err = suite
        .exec(
            "staker",
            ExecuteMsg::Withdraw {
                entry_ids: Some(vec![1, 1]),
            },
            &[],
        )
        .unwrap_err();
    assert!(matches!(err, ContractError::UnknownUnbonding(1)));

    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    suite.bond("staker", "alice", 50).unwrap();
    suite.unbond("staker", "alice", 20).unwrap();
    suite.unbond("staker", "alice", 5).unwrap();
    suite.advance_seconds(UNBONDING);
    suite.unbond("staker", "alice", 7).unwrap();
    let response = suite
        .exec("staker", ExecuteMsg::Withdraw { entry_ids: None }, &[])
        .unwrap();
    assert_eq!(
        response.messages[0].msg,
        CosmosMsg::Bank(BankMsg::Send {
            to_address: addr("staker").to_string(),
            amount: coins(25, DENOM),
        })
    );
    let left: Vec<u64> = suite
        .unbondings("staker")
        .unbondings
        .iter()
        .map(|entry| entry.id)
        .collect();
    assert_eq!(left, vec![3], "the unreleased entry stays");
}

#[test]
fn unjail_refusals_and_success() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    let err = suite.exec("alice", ExecuteMsg::Unjail {}, &[]).unwrap_err();
    assert!(matches!(err, ContractError::NotJailed));
    let err = suite
        .exec("mallory", ExecuteMsg::Unjail {}, &[])
        .unwrap_err();
    assert!(matches!(err, ContractError::UnknownValidator(_)));

    // Jail through the ledger directly (slash packets are tested in the IBC tests).
    let operator = addr("alice");
    let mut validator = suite.load_stake(&operator);
    let until = suite.env.block.time.plus_seconds(100);
    crate::staking::jail(&mut validator.stake, until);
    suite.save_stake(&validator);
    assert_eq!(suite.validator("alice").power, 0);
    let err = suite.exec("alice", ExecuteMsg::Unjail {}, &[]).unwrap_err();
    assert!(matches!(err, ContractError::StillJailed(_)));
    suite.advance_seconds(100);
    suite.exec("alice", ExecuteMsg::Unjail {}, &[]).unwrap();
    assert_eq!(suite.validator("alice").power, 10);

    validator = suite.load_stake(&operator);
    validator.stake.tombstoned = true;
    crate::staking::jail(&mut validator.stake, until);
    suite.save_stake(&validator);
    assert_eq!(suite.validator("alice").power, 0);
    suite.advance_seconds(1_000);
    let err = suite.exec("alice", ExecuteMsg::Unjail {}, &[]).unwrap_err();
    assert!(matches!(err, ContractError::Tombstoned));
}

#[test]
fn slashing_hits_bonded_stake_and_entries_from_the_infraction_height_on() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 1_000);
    suite.bond("early", "alice", 100).unwrap();
    suite.bond("late", "alice", 100).unwrap();
    suite.unbond("early", "alice", 100).unwrap();
    let infraction_height = suite.env.block.height + 1;
    suite.advance(1);
    suite.unbond("late", "alice", 100).unwrap();
    let operator = addr("alice");
    let mut validator = suite.load_stake(&operator);
    let taken = crate::staking::slash(
        &mut suite.deps.storage,
        &mut validator,
        Decimal::percent(10),
        infraction_height,
    )
    .unwrap();
    suite.save_stake(&validator);
    // The bonded stake is cut at once; the entry by a job, which queries already count.
    assert_eq!(taken, Uint128::new(100));
    assert_eq!(suite.validator("alice").tokens, Uint128::new(900));
    assert_eq!(
        suite.unbondings("early").unbondings[0].balance,
        Uint128::new(100)
    );
    assert_eq!(
        suite.unbondings("late").unbondings[0].balance,
        Uint128::new(90)
    );
}

#[test]
fn shares_keep_stakers_proportional_after_a_slash() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    let operator = addr("alice");
    let mut validator = suite.load_stake(&operator);
    crate::staking::slash(
        &mut suite.deps.storage,
        &mut validator,
        Decimal::percent(50),
        0,
    )
    .unwrap();
    suite.save_stake(&validator);
    suite.bond("staker", "alice", 50).unwrap();
    let delegations: DelegationsResponse = suite.query(QueryMsg::Delegations {
        staker: addr("staker").to_string(),
        start_after: None,
        limit: None,
    });
    assert_eq!(delegations.delegations[0].tokens, Uint128::new(50));
    // Unbonding everything returns exactly the delegation's worth.
    suite.unbond("alice", "alice", 50).unwrap();
    assert_eq!(suite.validator("alice").tokens, Uint128::new(50));
}
