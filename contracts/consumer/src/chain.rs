//! The x/twasm chain hooks (sudo): privileges, `begin_block` liveness and evidence,
//! `end_with_validator_update`.

use cosmwasm_std::{
    to_json_binary, DepsMut, Env, QuerierWrapper, QueryRequest, Response, StdResult, Storage,
};
use cw_ics_bindings::{
    ChainMsg, ChainQuery, Evidence, PowerChange, Privilege, Pubkey, ValidatorDiff,
    ValidatorVoteResponse,
};
use cw_ics_ccv::{PublicKey, SortedMap};

use crate::error::ContractError;
use crate::evidence::{handle_evidence, Outcome};
use crate::liveness::record_votes;
use crate::outbox::{enqueue, progress, queued_slash};
use crate::rewards::transmit_if_due;
use crate::state::{ChainLink, CHAIN_LINK, CONFIG, HALT, LAST_VSC_ID};
use crate::validator_set::{changes_since, current_powers};

/// Promoted: ask for the privileges that make this contract the chain's validator-set
/// source, and hand the whole replicated set to the chain at the next
/// `end_with_validator_update` so that the chain starts from it.
pub fn promoted(deps: DepsMut<ChainQuery>) -> Result<Response<ChainMsg>, ContractError> {
    CHAIN_LINK.save(
        deps.storage,
        &ChainLink::ValidatorSetUpdater { handed_up_to: None },
    )?;
    Ok(Response::new()
        .add_message(ChainMsg::request(Privilege::ValidatorSetUpdater))
        .add_message(ChainMsg::request(Privilege::BeginBlocker))
        .add_attribute("action", "promoted"))
}

/// Demoted: back to a validator-set oracle; the replicated set is kept and stays queryable.
pub fn demoted(deps: DepsMut<ChainQuery>) -> Result<Response<ChainMsg>, ContractError> {
    CHAIN_LINK.save(deps.storage, &ChainLink::Oracle)?;
    Ok(Response::new().add_attribute("action", "demoted"))
}

/// The changes accumulated since the chain last asked, as a JSON `ValidatorDiff` in `data`
/// (no data when nothing changed or in oracle mode). Changes applied before a halt are still
/// handed over, so the chain's set ends equal to the replicated one.
pub fn end_with_validator_update(
    deps: DepsMut<ChainQuery>,
) -> Result<Response<ChainMsg>, ContractError> {
    let response = Response::new().add_attribute("action", "end_with_validator_update");
    let ChainLink::ValidatorSetUpdater { handed_up_to } = CHAIN_LINK.load(deps.storage)? else {
        return Ok(response);
    };
    let pending = pending_changes(deps.storage, handed_up_to)?;
    if pending.handed_up_to != handed_up_to {
        CHAIN_LINK.save(
            deps.storage,
            &ChainLink::ValidatorSetUpdater {
                handed_up_to: pending.handed_up_to,
            },
        )?;
    }
    if pending.diff.diffs.is_empty() {
        return Ok(response);
    }
    Ok(response
        .add_attribute("changes", pending.diff.diffs.len().to_string())
        .set_data(to_json_binary(&pending.diff)?))
}

/// What the chain gets next and how far that brings it.
struct PendingChanges {
    diff: ValidatorDiff,
    handed_up_to: Option<u64>,
}

/// The changes since `handed_up_to` that differ from what the chain already has (as the Go
/// consumer's `ApplyCCValidatorChanges`, which drops removals of validators it never had): the
/// chain has each key's power from before its first later change, and gets the power after
/// its last one. With nothing handed over yet, the chain has nothing and gets the whole set.
fn pending_changes(storage: &dyn Storage, handed_up_to: Option<u64>) -> StdResult<PendingChanges> {
    let Some(handed_up_to) = handed_up_to else {
        let diffs = current_powers(storage)?
            .into_iter()
            .map(|(key, power)| power_change(key, power))
            .collect();
        return Ok(PendingChanges {
            diff: ValidatorDiff { diffs },
            handed_up_to: Some(LAST_VSC_ID.load(storage)?),
        });
    };
    let mut last_vsc_id = handed_up_to;
    // key → (power on chain: before its first change, power after its last change)
    let mut changed = Vec::new();
    for (vsc_id, changes) in changes_since(storage, handed_up_to)? {
        last_vsc_id = vsc_id;
        changed.extend(
            changes
                .into_iter()
                .map(|change| (change.key, (change.before, change.after))),
        );
    }
    let merged = SortedMap::from_entries(changed, |kept, later| kept.1 = later.1);
    let diffs = merged
        .into_iter()
        .filter(|(_, (on_chain, after))| on_chain != after)
        .map(|(key, (_, after))| power_change(key, after))
        .collect();
    Ok(PendingChanges {
        diff: ValidatorDiff { diffs },
        handed_up_to: Some(last_vsc_id),
    })
}

/// The chain ABI's name for a key is its own `Pubkey`.
fn power_change(key: PublicKey, power: u64) -> PowerChange {
    let pubkey = match key {
        PublicKey::Ed25519(bytes) => Pubkey::Ed25519(bytes),
    };
    PowerChange { pubkey, power }
}

/// The changes the next `end_with_validator_update` hands over (none in oracle mode).
pub fn pending_diff(storage: &dyn Storage) -> StdResult<ValidatorDiff> {
    match CHAIN_LINK.load(storage)? {
        ChainLink::Oracle => Ok(ValidatorDiff { diffs: vec![] }),
        ChainLink::ValidatorSetUpdater { handed_up_to } => {
            Ok(pending_changes(storage, handed_up_to)?.diff)
        }
    }
}

/// A due reward transmission, then liveness from `validator_votes`, double signs from
/// `evidence`, maturity and sending. A halted consumer only transmits rewards here (its
/// consumer chain's part).
pub fn begin_block(
    mut deps: DepsMut<ChainQuery>,
    env: Env,
    evidence: Vec<Evidence>,
) -> Result<Response<ChainMsg>, ContractError> {
    let rewards = transmit_if_due(deps.branch(), &env)?;
    let mut response = Response::new()
        .add_attribute("action", "begin_block")
        .add_submessages(rewards.messages)
        .add_events(rewards.events);
    if HALT.may_load(deps.storage)?.is_some() {
        return Ok(response.add_attribute("halted", "true"));
    }
    let params = CONFIG.load(deps.storage)?.params;
    let votes = validator_votes(&deps.querier)?;
    for slash in record_votes(deps.storage, &params, env.block.height, &votes.votes)? {
        response = response.add_attribute(
            "downtime",
            slash.validator.address.to_bech32(&params.valcons_prefix)?,
        );
        enqueue(deps.storage, &queued_slash(&slash))?;
    }
    for item in &evidence {
        match handle_evidence(deps.storage, item)? {
            Outcome::Slash(slash) => {
                response = response.add_attribute(
                    "double_sign",
                    slash.validator.address.to_bech32(&params.valcons_prefix)?,
                );
                enqueue(deps.storage, &queued_slash(&slash))?;
            }
            Outcome::Skipped(reason) => {
                response = response.add_attribute("evidence_skipped", format!("{reason:?}"));
            }
        }
    }
    let messages = progress(deps.storage, &env)?;
    Ok(response.add_messages(messages))
}

/// Who signed the last block, from the chain's `validator_votes` query.
fn validator_votes(
    querier: &QuerierWrapper<ChainQuery>,
) -> Result<ValidatorVoteResponse, ContractError> {
    querier
        .query(&QueryRequest::Custom(ChainQuery::ValidatorVotes {}))
        .map_err(ContractError::ValidatorVotes)
}

/// `end_block` and the permissionless `tick`: a due reward transmission (so that a chain
/// without `begin_block` hooks transmits too), maturity and sending.
pub fn tick(mut deps: DepsMut<ChainQuery>, env: Env) -> Result<Response<ChainMsg>, ContractError> {
    let rewards = transmit_if_due(deps.branch(), &env)?;
    let messages = progress(deps.storage, &env)?;
    Ok(Response::new()
        .add_attribute("action", "tick")
        .add_attribute("sent", messages.len().to_string())
        .add_messages(messages)
        .add_submessages(rewards.messages)
        .add_events(rewards.events))
}
