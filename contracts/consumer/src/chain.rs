//! The x/twasm chain hooks (sudo): privileges, `begin_block` liveness and evidence,
//! `end_with_validator_update`.

use cosmwasm_std::{
    to_json_binary, DepsMut, Env, Order, QueryRequest, Response, StdResult, Storage,
};
use cw_ics_bindings::{
    ChainMsg, ChainQuery, Evidence, PowerChange, Privilege, Pubkey, ValidatorDiff,
    ValidatorVoteResponse,
};
use cw_ics_ccv::ConsumerPacket;

use crate::error::ContractError;
use crate::evidence::{handle_evidence, Outcome};
use crate::liveness::record_votes;
use crate::outbox::{enqueue, progress};
use crate::state::{Mode, CHAIN_SET, CONFIG, HALT, MODE, PENDING_DIFF, VALIDATORS};

/// Promoted: ask for the privileges that make this contract the chain's validator-set
/// source, and hand the whole replicated set to the chain at the next
/// `end_with_validator_update` so that the chain starts from it.
pub fn promoted(deps: DepsMut<ChainQuery>) -> Result<Response<ChainMsg>, ContractError> {
    MODE.save(deps.storage, &Mode::ValidatorSetUpdater)?;
    CHAIN_SET.clear(deps.storage);
    PENDING_DIFF.clear(deps.storage);
    let members = VALIDATORS
        .range(deps.storage, None, None, Order::Ascending)
        .map(|entry| entry.map(|(_, member)| member))
        .collect::<StdResult<Vec<_>>>()?;
    for member in members {
        PENDING_DIFF.save(deps.storage, member.pub_key.bytes(), &member.power)?;
    }
    Ok(Response::new()
        .add_message(ChainMsg::request(Privilege::ValidatorSetUpdater))
        .add_message(ChainMsg::request(Privilege::BeginBlocker))
        .add_attribute("action", "promoted"))
}

/// Demoted: back to a validator-set oracle; the replicated set is kept and stays queryable.
pub fn demoted(deps: DepsMut<ChainQuery>) -> Result<Response<ChainMsg>, ContractError> {
    MODE.save(deps.storage, &Mode::Oracle)?;
    PENDING_DIFF.clear(deps.storage);
    CHAIN_SET.clear(deps.storage);
    Ok(Response::new().add_attribute("action", "demoted"))
}

/// The changes accumulated since the chain last asked, as a JSON `ValidatorDiff` in `data`
/// (no data when nothing changed or in oracle mode). Changes applied before a halt are still
/// handed over, so the chain's set ends equal to the replicated one.
pub fn end_with_validator_update(
    deps: DepsMut<ChainQuery>,
) -> Result<Response<ChainMsg>, ContractError> {
    let response = Response::new().add_attribute("action", "end_with_validator_update");
    if MODE.load(deps.storage)? != Mode::ValidatorSetUpdater {
        return Ok(response);
    }
    let diff = take_pending_diff(deps.storage)?;
    if diff.diffs.is_empty() {
        return Ok(response);
    }
    Ok(response
        .add_attribute("changes", diff.diffs.len().to_string())
        .set_data(to_json_binary(&diff)?))
}

/// Hands the pending changes to the chain and records them as the chain's set.
fn take_pending_diff(storage: &mut dyn Storage) -> StdResult<ValidatorDiff> {
    let diff = pending_diff(storage)?;
    for change in &diff.diffs {
        let Pubkey::Ed25519(key) = &change.pubkey;
        if change.power == 0 {
            CHAIN_SET.remove(storage, key.as_slice());
        } else {
            CHAIN_SET.save(storage, key.as_slice(), &change.power)?;
        }
    }
    PENDING_DIFF.clear(storage);
    Ok(diff)
}

/// The pending changes that differ from what the chain already has (as the Go consumer's
/// `ApplyCCValidatorChanges`, which drops removals of validators it never had).
pub fn pending_diff(storage: &dyn Storage) -> StdResult<ValidatorDiff> {
    let mut diffs = vec![];
    for entry in PENDING_DIFF.range(storage, None, None, Order::Ascending) {
        let (key, power) = entry?;
        let on_chain = CHAIN_SET.may_load(storage, &key)?.unwrap_or(0);
        if power != on_chain {
            diffs.push(PowerChange {
                pubkey: Pubkey::Ed25519(key.into()),
                power,
            });
        }
    }
    Ok(ValidatorDiff { diffs })
}

/// Liveness from `validator_votes`, double signs from `evidence`, then maturity and sending.
/// A halted consumer does nothing here.
pub fn begin_block(
    deps: DepsMut<ChainQuery>,
    env: Env,
    evidence: Vec<Evidence>,
) -> Result<Response<ChainMsg>, ContractError> {
    let mut response = Response::new().add_attribute("action", "begin_block");
    if HALT.may_load(deps.storage)?.is_some() {
        return Ok(response.add_attribute("halted", "true"));
    }
    let params = CONFIG.load(deps.storage)?.params;
    let votes: ValidatorVoteResponse = deps
        .querier
        .query(&QueryRequest::Custom(ChainQuery::ValidatorVotes {}))?;
    for slash in record_votes(deps.storage, &params, env.block.height, &votes.votes)? {
        response = response.add_attribute(
            "downtime",
            slash.validator.address.to_bech32(&params.valcons_prefix)?,
        );
        enqueue(deps.storage, &ConsumerPacket::Slash(slash))?;
    }
    for item in &evidence {
        match handle_evidence(deps.storage, item)? {
            Outcome::Slash(slash) => {
                response = response.add_attribute(
                    "double_sign",
                    slash.validator.address.to_bech32(&params.valcons_prefix)?,
                );
                enqueue(deps.storage, &ConsumerPacket::Slash(slash))?;
            }
            Outcome::Skipped(reason) => {
                response = response.add_attribute("evidence_skipped", format!("{reason:?}"));
            }
        }
    }
    let messages = progress(deps.storage, &env)?;
    Ok(response.add_messages(messages))
}

/// `end_block` and the permissionless `tick`: maturity and sending only.
pub fn tick(deps: DepsMut<ChainQuery>, env: Env) -> Result<Response<ChainMsg>, ContractError> {
    let messages = progress(deps.storage, &env)?;
    Ok(Response::new()
        .add_attribute("action", "tick")
        .add_attribute("sent", messages.len().to_string())
        .add_messages(messages))
}
