//! The twasm-like chain module and block production, driven against a toy privileged
//! contract that records what the chain tells it and returns the diff it is given.

use cosmwasm_std::{
    to_json_binary, Addr, Binary, Deps, DepsMut, Empty, Env, MessageInfo, Response, StdError,
    StdResult,
};
use cw_ics_bindings::multitest::{holders, TwasmModule};
use cw_ics_bindings::{
    ChainMsg, ChainQuery, ChainSudoMsg, PowerChange, Privilege, PrivilegeChange, Pubkey,
    ValidatorDiff, ValidatorVoteResponse,
};
use cw_ics_ibc_sim::{ChainConfig, Coordinator};
use cw_ics_sim::block::{demote, produce_block, promote};
use cw_ics_sim::consensus::Consensus;
use cw_ics_sim::validators::SimValidator;
use cw_multi_test::ContractWrapper;
use cw_storage::{load, save};

mod cw_storage {
    use cosmwasm_std::{from_json, to_json_vec, StdResult, Storage};
    use serde::{de::DeserializeOwned, Serialize};

    pub fn save<T: Serialize>(storage: &mut dyn Storage, key: &str, value: &T) -> StdResult<()> {
        storage.set(key.as_bytes(), &to_json_vec(value)?);
        Ok(())
    }

    pub fn load<T: DeserializeOwned + Default>(storage: &dyn Storage, key: &str) -> StdResult<T> {
        storage
            .get(key.as_bytes())
            .map_or(Ok(T::default()), |bytes| from_json(bytes))
    }
}

fn instantiate(
    _: DepsMut<ChainQuery>,
    _: Env,
    _: MessageInfo,
    _: Empty,
) -> StdResult<Response<ChainMsg>> {
    Ok(Response::new())
}

/// Execute: the diff to return at the next end_with_validator_update.
fn execute(
    deps: DepsMut<ChainQuery>,
    _: Env,
    _: MessageInfo,
    diff: ValidatorDiff,
) -> StdResult<Response<ChainMsg>> {
    save(deps.storage, "diff", &diff.diffs)?;
    Ok(Response::new())
}

fn sudo(deps: DepsMut<ChainQuery>, _: Env, msg: ChainSudoMsg) -> StdResult<Response<ChainMsg>> {
    match msg {
        ChainSudoMsg::PrivilegeChange(PrivilegeChange::Promoted {}) => Ok(Response::new()
            .add_message(ChainMsg::request(Privilege::BeginBlocker))
            .add_message(ChainMsg::request(Privilege::ValidatorSetUpdater))),
        ChainSudoMsg::PrivilegeChange(PrivilegeChange::Demoted {}) => Ok(Response::new()),
        ChainSudoMsg::BeginBlock { evidence } => {
            let votes: ValidatorVoteResponse = deps.querier.query(
                &cosmwasm_std::QueryRequest::Custom(ChainQuery::ValidatorVotes {}),
            )?;
            let signed = votes.votes.iter().filter(|vote| vote.voted).count() as u64;
            let mut log: Vec<(u64, u64)> = load(deps.storage, "log")?;
            log.push((signed, evidence.len() as u64));
            save(deps.storage, "log", &log)?;
            Ok(Response::new())
        }
        ChainSudoMsg::EndBlock {} => Err(StdError::msg("not an end blocker")),
        ChainSudoMsg::EndWithValidatorUpdate {} => {
            let diffs: Vec<PowerChange> = load(deps.storage, "diff")?;
            deps.storage.remove(b"diff");
            if diffs.is_empty() {
                return Ok(Response::new());
            }
            Ok(Response::new().set_data(to_json_binary(&ValidatorDiff { diffs })?))
        }
    }
}

/// Query: the (signers, evidence count) seen at each begin_block.
fn query(deps: Deps<ChainQuery>, _: Env, _: Empty) -> StdResult<Binary> {
    to_json_binary(&load::<Vec<(u64, u64)>>(deps.storage, "log")?)
}

fn setup() -> (Coordinator<TwasmModule>, Addr, [SimValidator; 3], Consensus) {
    let mut coordinator = Coordinator::<TwasmModule>::new_custom();
    let chain = coordinator
        .add_chain(ChainConfig::new("consumer-1", "cosmos"))
        .unwrap();
    let code = chain.store_code(Box::new(
        ContractWrapper::new(execute, instantiate, query).with_sudo(sudo),
    ));
    let admin = chain.addr_make("admin");
    let contract = chain
        .instantiate(code, &admin, &Empty {}, &[], "toy")
        .unwrap();
    let validators = [
        SimValidator::new("a"),
        SimValidator::new("b"),
        SimValidator::new("c"),
    ];
    let mut consensus = Consensus::new(
        "consumer-1",
        validators.iter().map(|v| (v.public_key(), 10)),
    );
    for validator in &validators {
        consensus.add_signer(validator.clone());
    }
    (coordinator, contract, validators, consensus)
}

fn pubkey(validator: &SimValidator) -> Pubkey {
    Pubkey::Ed25519(validator.public_key().bytes().to_vec().into())
}

#[test]
fn an_unprivileged_contract_gets_no_hooks_and_cannot_request_privileges() {
    let (mut coordinator, contract, _, mut consensus) = setup();
    let chain = coordinator.chain_mut("consumer-1").unwrap();
    let outcome = produce_block(chain, &mut consensus).unwrap();
    assert!(outcome.failures.is_empty());
    let log: Vec<(u64, u64)> = chain.query(&contract, &Empty {}).unwrap();
    assert!(
        log.is_empty(),
        "begin_block reached an unprivileged contract"
    );

    // The promoted callback's requests fail when governance did not promote it.
    let err = chain
        .sudo(
            &contract,
            &ChainSudoMsg::PrivilegeChange(PrivilegeChange::Promoted {}),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("not a privileged contract"),
        "{err}"
    );
    assert!(holders(chain.app().storage(), Privilege::BeginBlocker).is_empty());
}

#[test]
fn promoted_contract_sees_votes_and_evidence_and_its_diff_signs_two_blocks_later() {
    let (mut coordinator, contract, validators, mut consensus) = setup();
    let chain = coordinator.chain_mut("consumer-1").unwrap();
    promote(chain, &contract).unwrap();
    assert_eq!(
        holders(chain.app().storage(), Privilege::ValidatorSetUpdater),
        vec![contract.clone()]
    );

    let start = chain.height();
    consensus.set_offline(&validators[2], start + 1..=start + 1);
    consensus.schedule_double_sign(&validators[1], start + 1);
    produce_block(chain, &mut consensus).unwrap(); // start+1: votes of `start`, all signed
    produce_block(chain, &mut consensus).unwrap(); // start+2: votes of start+1, c offline; evidence
    let log: Vec<(u64, u64)> = chain.query(&contract, &Empty {}).unwrap();
    assert_eq!(log, vec![(3, 0), (2, 1)]);
    assert!(consensus.evidence_log[0].is_valid());

    // A diff returned at the end of block H signs from H + 2.
    let diff = ValidatorDiff {
        diffs: vec![PowerChange {
            pubkey: pubkey(&validators[0]),
            power: 0,
        }],
    };
    chain
        .execute(&chain.addr_make("admin"), &contract, &diff, &[])
        .unwrap();
    let returned_at = produce_block(chain, &mut consensus).unwrap();
    assert_eq!(returned_at.validator_updates, diff.diffs);
    assert!(!produce_block(chain, &mut consensus).unwrap().set_changed);
    assert_eq!(consensus.total_power(), 30);
    let effective = produce_block(chain, &mut consensus).unwrap();
    assert!(effective.set_changed);
    assert_eq!(effective.height, returned_at.height + 2);
    assert_eq!(consensus.total_power(), 20);
}

#[test]
fn a_demoted_contract_loses_its_hooks() {
    let (mut coordinator, contract, _, mut consensus) = setup();
    let chain = coordinator.chain_mut("consumer-1").unwrap();
    promote(chain, &contract).unwrap();
    demote(chain, &contract).unwrap();
    produce_block(chain, &mut consensus).unwrap();
    let log: Vec<(u64, u64)> = chain.query(&contract, &Empty {}).unwrap();
    assert!(log.is_empty());
}
