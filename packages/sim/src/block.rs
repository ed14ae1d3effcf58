//! Producing blocks on a simulated chain the way x/twasm on CometBFT would drive the
//! contracts: the last commit's votes become queryable, begin-blockers get the evidence,
//! end-blockers their end block, and the validator-set updater's diff goes to consensus.

use cosmwasm_std::{from_json, Addr};
use cw_ics_bindings::{
    ChainSudoMsg, Evidence, PowerChange, Privilege, PrivilegeChange, ValidatorDiff,
};
use cw_ics_ibc_sim::{Chain, SimResult};

use crate::consensus::Consensus;
use cw_ics_bindings::multitest::{self as twasm, TwasmModule};

/// A chain whose contracts see the x/twasm ABI.
pub type TwasmChain = Chain<TwasmModule>;

/// What happened in one produced block.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BlockOutcome {
    pub height: u64,
    pub evidence: Vec<Evidence>,
    /// The validator updates returned at the end of this block (they sign from height + 2).
    pub validator_updates: Vec<PowerChange>,
    /// Whether the signing set changed at this height.
    pub set_changed: bool,
    /// Privileged calls that failed: (contract, hook, error). On chain these would be logged
    /// and the block would go on.
    pub failures: Vec<(Addr, &'static str, String)>,
}

/// Governance's promotion of a contract to privileged, followed by the `promoted` callback in
/// which the contract asks for the privileges it wants.
pub fn promote(chain: &mut TwasmChain, contract: &Addr) -> SimResult<()> {
    twasm::set_privileged(chain.app_mut().storage_mut(), contract, true);
    chain.sudo(
        contract,
        &ChainSudoMsg::PrivilegeChange(PrivilegeChange::Promoted {}),
    )?;
    Ok(())
}

/// Takes a contract's privileges away, after telling it.
pub fn demote(chain: &mut TwasmChain, contract: &Addr) -> SimResult<()> {
    chain.sudo(
        contract,
        &ChainSudoMsg::PrivilegeChange(PrivilegeChange::Demoted {}),
    )?;
    twasm::set_privileged(chain.app_mut().storage_mut(), contract, false);
    Ok(())
}

/// Produces the next block of `chain`, signed as `consensus` says.
pub fn produce_block(chain: &mut TwasmChain, consensus: &mut Consensus) -> SimResult<BlockOutcome> {
    let previous = chain.height();
    let votes = consensus.commit_votes(previous);
    twasm::set_last_commit_votes(chain.app_mut().storage_mut(), &votes)?;
    let evidence = consensus.evidence_for(previous, chain.time().seconds());

    chain.advance_blocks(1);
    let height = chain.height();
    let mut outcome = BlockOutcome {
        height,
        set_changed: consensus.enter_height(height),
        evidence: evidence.clone(),
        ..BlockOutcome::default()
    };

    let storage = chain.app().storage();
    let begin_blockers = twasm::holders(storage, Privilege::BeginBlocker);
    let end_blockers = twasm::holders(storage, Privilege::EndBlocker);
    let updaters = twasm::holders(storage, Privilege::ValidatorSetUpdater);

    for contract in begin_blockers {
        let msg = ChainSudoMsg::BeginBlock {
            evidence: evidence.clone(),
        };
        if let Err(err) = chain.sudo(&contract, &msg) {
            outcome
                .failures
                .push((contract, "begin_block", err.to_string()));
        }
    }
    for contract in end_blockers {
        if let Err(err) = chain.sudo(&contract, &ChainSudoMsg::EndBlock {}) {
            outcome
                .failures
                .push((contract, "end_block", err.to_string()));
        }
    }
    for contract in updaters {
        match chain.sudo(&contract, &ChainSudoMsg::EndWithValidatorUpdate {}) {
            Ok(response) => {
                let Some(data) = response.data.filter(|data| !data.is_empty()) else {
                    continue;
                };
                match from_json::<ValidatorDiff>(&data) {
                    Ok(diff) => outcome.validator_updates.extend(diff.diffs),
                    Err(err) => outcome.failures.push((
                        contract,
                        "end_with_validator_update",
                        format!("unreadable validator diff: {err}"),
                    )),
                }
            }
            Err(err) => {
                outcome
                    .failures
                    .push((contract, "end_with_validator_update", err.to_string()))
            }
        }
    }
    consensus.end_block_updates(height, outcome.validator_updates.clone());
    Ok(outcome)
}
