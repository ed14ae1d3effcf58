//! Epoch work, run by sudo `end_block` and by the permissionless `tick`.
//!
//! An epoch starts at the first call at or after its boundary height; it then runs through
//! stages (re-rank changed validators and move the top-N boundary, give a VSC to the consumers that
//! are owed one, launch due consumers, apply due timeouts, delete stopped consumers). Every call
//! does at most `max_epoch_work` units of work and the next call resumes where it stopped; a
//! call between the end of one epoch and the next boundary does nothing but entry-slash work.
//!
//! Entry-slash jobs (`entry_slash`) take whatever budget the epoch's stages leave, in every
//! call, between epochs too: they never hold up an epoch, and a call with no job pending pays
//! one iterator step to find out.
//!
//! Every consumer is given the same set (the top N), so the epoch's changes are computed once,
//! from the validators the ranking moved, and sent to each launched consumer as they are; a
//! consumer launched later starts from the top N of its launch. When no validator moved and no
//! unbonding waits for a VSC, only the consumers marked due (first VSC after the channel opened,
//! slash acks) are visited, and timeouts come from a queue ordered by deadline: a quiet epoch
//! costs the same whatever the number of validators and consumers.

mod consumer_stages;

use cosmwasm_std::{CosmosMsg, DepsMut, Env, Order, Response, StdError, StdResult, Storage};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use cw_ics_ccv::{ConsensusAddress, ValidatorUpdate};

use crate::entry_slash;
use crate::error::ContractError;
use crate::membership::record_moves;
use crate::msg::Config;
use crate::ranking::{rebalance_step, rerank, set_moves, SetMove};
use crate::receive::slashed_tokens_message;
use crate::state::epoch::{
    Candidate, EpochStage, EpochState, CANDIDATE_CHUNKS, CHANGE_MARKS, EPOCH, VSC_HEIGHTS,
};
use crate::state::slashing::{SlashMeter, SLASH_METER};
use crate::state::CONFIG;
use crate::throttle::{replenish, set_total_power};
use consumer_stages::{apply_timeouts, broadcast, cleanup, give_due, launch_due};

/// Work units left in this call.
struct Budget(u32);

impl Budget {
    fn exhausted(&self) -> bool {
        self.0 == 0
    }

    fn spend(&mut self, units: u32) {
        self.0 = self.0.saturating_sub(units);
    }
}

/// What one call accomplished, for attributes and tests, and what it learnt on the way.
struct Progress {
    messages: Vec<CosmosMsg<ChainMsg>>,
    started: bool,
    /// Candidates found by this call (saved as a chunk if the epoch does not finish in it).
    candidates: Vec<Candidate>,
    /// This epoch's moves in the top N, once computed in this call.
    moves: Option<Vec<SetMove>>,
    /// Attributes for the response (meter replenished, set power).
    attributes: Vec<(&'static str, String)>,
    /// The slash meter, read once per call; saved at the end of the call when changed.
    meter: Option<SlashMeter>,
    meter_changed: bool,
}

impl Progress {
    /// The validators whose power in the top N this epoch changed (valid once the boundary
    /// moved).
    fn moves(
        &mut self,
        storage: &dyn Storage,
        epoch: &EpochState,
    ) -> Result<&[SetMove], ContractError> {
        if self.moves.is_none() {
            let mut candidates = Vec::new();
            for chunk in 0..epoch.candidate_chunks {
                candidates.extend(CANDIDATE_CHUNKS.load(storage, chunk)?);
            }
            candidates.extend(self.candidates.iter().cloned());
            self.moves = Some(set_moves(
                candidates,
                epoch.epoch_last_member,
                epoch.last_member,
            ));
        }
        Ok(self.moves.as_deref().unwrap_or_default())
    }

    /// The updates every launched consumer is given this epoch (valid once the boundary moved).
    fn updates(
        &mut self,
        storage: &dyn Storage,
        epoch: &EpochState,
    ) -> Result<Vec<ValidatorUpdate>, ContractError> {
        Ok(self
            .moves(storage, epoch)?
            .iter()
            .map(SetMove::update)
            .collect())
    }
}

/// Who runs the epoch work: the chain at the end of a block, or anyone in a transaction.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    EndBlock,
    Tick,
}

impl Caller {
    fn name(self) -> &'static str {
        match self {
            Caller::EndBlock => "end_block",
            Caller::Tick => "tick",
        }
    }
}

pub fn run(
    deps: DepsMut<ChainQuery>,
    env: &Env,
    caller: Caller,
) -> Result<Response<ChainMsg>, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut epoch = EPOCH.load(deps.storage)?;
    let mut progress = Progress {
        messages: vec![],
        started: false,
        candidates: vec![],
        moves: None,
        attributes: vec![],
        meter: None,
        meter_changed: false,
    };
    let due = epoch.stage != EpochStage::Idle || env.block.height >= epoch.next_epoch_height;
    if !due && !entry_slash::any_pending(deps.storage)? {
        return Ok(not_due(caller));
    }
    if due && epoch.stage == EpochStage::Idle {
        start(deps.storage, env, &config, &mut epoch, caller)?;
        replenish_meter(deps.storage, env, &config, &mut progress)?;
        progress.started = true;
    }
    let mut budget = Budget(config.max_epoch_work);
    while epoch.stage != EpochStage::Idle {
        let storage = &mut *deps.storage;
        let finished = match epoch.stage.clone() {
            EpochStage::Idle => true,
            EpochStage::Validators => {
                rank_changed(storage, &mut epoch, &mut budget, &mut progress)?
            }
            EpochStage::Rebalance => {
                let finished =
                    move_boundary(storage, &config, &mut epoch, &mut budget, &mut progress)?;
                if finished {
                    record_set(storage, env, &config, &epoch, &mut budget, &mut progress)?;
                }
                finished
            }
            EpochStage::DueConsumers { after_consumer } => give_due(
                storage,
                env,
                &config,
                &mut epoch,
                &mut budget,
                &mut progress,
                after_consumer,
            )?,
            EpochStage::Broadcast { after_consumer } => broadcast(
                storage,
                env,
                &config,
                &mut epoch,
                &mut budget,
                &mut progress,
                after_consumer,
            )?,
            EpochStage::Launches { after } => launch_due(
                storage,
                env,
                &config,
                &mut epoch,
                &mut budget,
                &mut progress,
                after,
            )?,
            EpochStage::Timeouts => {
                apply_timeouts(storage, env, &config, &mut budget, &mut progress)?
            }
            EpochStage::Cleanup => cleanup(storage, env, &mut epoch, &mut budget)?,
        };
        if !finished {
            break;
        }
        epoch.stage = next_stage(&epoch.stage);
    }
    if epoch.stage != EpochStage::Idle && !progress.candidates.is_empty() {
        CANDIDATE_CHUNKS.save(deps.storage, epoch.candidate_chunks, &progress.candidates)?;
        epoch.candidate_chunks = epoch
            .candidate_chunks
            .checked_add(1)
            .ok_or(ContractError::Overflow)?;
    }
    // Entry-slash jobs take what the epoch leaves of the budget, so they never hold up an
    // epoch, and run in the calls between epochs too.
    let jobs = entry_slash::work(deps.storage, budget.0)?;
    if !jobs.taken.is_zero() {
        progress.messages.push(slashed_tokens_message(
            &config.slashed_tokens,
            &config.bond_denom,
            jobs.taken,
        ));
    }
    if !due {
        return Ok(not_due(caller)
            .add_messages(progress.messages)
            .add_events(jobs.events));
    }
    EPOCH.save(deps.storage, &epoch)?;
    if let (Some(meter), true) = (&progress.meter, progress.meter_changed) {
        SLASH_METER.save(deps.storage, meter)?;
    }
    Ok(Response::new()
        .add_messages(progress.messages)
        .add_events(jobs.events)
        .add_attributes(progress.attributes)
        .add_attribute("action", caller.name())
        .add_attribute(
            "epoch",
            match (progress.started, epoch.stage == EpochStage::Idle) {
                (_, true) => "finished",
                (true, false) => "started",
                (false, false) => "resumed",
            },
        )
        .add_attribute("epoch_vsc_id", epoch.epoch_vsc_id.to_string()))
}

fn not_due(caller: Caller) -> Response<ChainMsg> {
    Response::new()
        .add_attribute("action", caller.name())
        .add_attribute("epoch", "not_due")
}

fn next_stage(stage: &EpochStage) -> EpochStage {
    match stage {
        EpochStage::Idle => EpochStage::Idle,
        EpochStage::Validators => EpochStage::Rebalance,
        EpochStage::Rebalance => EpochStage::DueConsumers {
            after_consumer: None,
        },
        EpochStage::DueConsumers { .. } => EpochStage::Broadcast {
            after_consumer: None,
        },
        EpochStage::Broadcast { .. } => EpochStage::Launches { after: None },
        EpochStage::Launches { .. } => EpochStage::Timeouts,
        EpochStage::Timeouts => EpochStage::Cleanup,
        EpochStage::Cleanup => EpochStage::Idle,
    }
}

/// Seals the current vscId for this epoch's VSCs; new unbonding entries get the next one.
///
/// The next vscId's height is the first height whose entries all carry it: the next block
/// when the chain runs this at the end of a block, this block for a `tick` (entries created
/// earlier in the same block then count as created at the new vscId: a slash for an
/// infraction at it may also reach them, which errs on the provider's side).
fn start(
    storage: &mut dyn Storage,
    env: &Env,
    config: &Config,
    epoch: &mut EpochState,
    caller: Caller,
) -> Result<(), ContractError> {
    epoch.epoch_vsc_id = epoch.current_vsc_id;
    epoch.current_vsc_id = epoch
        .current_vsc_id
        .checked_add(1)
        .ok_or(ContractError::Overflow)?;
    let first_height = match caller {
        Caller::EndBlock => env
            .block
            .height
            .checked_add(1)
            .ok_or(ContractError::Overflow)?,
        Caller::Tick => env.block.height,
    };
    VSC_HEIGHTS.save(storage, epoch.current_vsc_id, &first_height)?;
    epoch.epoch_unbonding_vsc_id = epoch.latest_unbonding_vsc_id;
    epoch.next_epoch_height = env
        .block
        .height
        .checked_add(config.epoch_length_blocks)
        .ok_or(ContractError::Overflow)?;
    epoch.epoch_last_member = epoch.last_member;
    epoch.stage = EpochStage::Validators;
    Ok(())
}

/// Stage 1: moves each validator marked changed from the power it is ranked at to its current
/// power, reading the marks with one iterator (one more mark than the budget allows tells
/// whether the stage finishes in this call).
fn rank_changed(
    storage: &mut dyn Storage,
    epoch: &mut EpochState,
    budget: &mut Budget,
    progress: &mut Progress,
) -> Result<bool, ContractError> {
    let allowed = budget.0 as usize;
    let marks = CHANGE_MARKS
        .range(storage, None, None, Order::Ascending)
        .take(allowed.saturating_add(1))
        .collect::<StdResult<Vec<_>>>()?;
    let finished = marks.len() <= allowed;
    for (key, mark) in marks.into_iter().take(allowed) {
        budget.spend(1);
        let address = ConsensusAddress::from_slice(&key)
            .map_err(|_| StdError::msg("corrupt change mark key: consensus address"))?;
        let candidate = rerank(
            storage,
            epoch,
            address,
            mark.pub_key,
            mark.ranked_power,
            mark.power,
        )?;
        // An unchanged power changes membership only if the boundary crosses it, which reports it.
        if candidate.old_power != candidate.new_power {
            progress.candidates.push(candidate);
        }
        CHANGE_MARKS.remove(storage, &key);
    }
    Ok(finished)
}

/// Stage 2: moves the boundary until the top N holds `max_validators` validators (or all).
fn move_boundary(
    storage: &mut dyn Storage,
    config: &Config,
    epoch: &mut EpochState,
    budget: &mut Budget,
    progress: &mut Progress,
) -> Result<bool, ContractError> {
    loop {
        let mut moved = epoch.clone();
        let Some(crossed) = rebalance_step(storage, &mut moved, config.max_validators)? else {
            return Ok(true);
        };
        if budget.exhausted() {
            return Ok(false);
        }
        budget.spend(1);
        *epoch = moved;
        progress.candidates.push(crossed);
    }
}

/// At the epoch's start: the slash meter's replenishment, saved when its value changes (a meter
/// at its cap stays as stored: replenishing it later gives the same result).
fn replenish_meter(
    storage: &dyn Storage,
    env: &Env,
    config: &Config,
    progress: &mut Progress,
) -> Result<(), ContractError> {
    let mut meter = SlashMeter::load(storage, env.block.time)?;
    if replenish(&mut meter, config, env.block.time)? {
        progress.meter_changed = true;
        progress
            .attributes
            .push(("slash_meter", meter.meter.to_string()));
    }
    progress.meter = Some(meter);
    Ok(())
}

/// Once the boundary is in place: records who entered and left the top N at this epoch's
/// vscId (one unit of work per record) and the set's new total power (O(moves); nothing when
/// the set did not change).
fn record_set(
    storage: &mut dyn Storage,
    env: &Env,
    config: &Config,
    epoch: &EpochState,
    budget: &mut Budget,
    progress: &mut Progress,
) -> Result<(), ContractError> {
    let moves = progress.moves(storage, epoch)?.to_vec();
    if moves.is_empty() {
        return Ok(());
    }
    let change = record_moves(storage, epoch.epoch_vsc_id, &moves)?;
    budget.spend(change.written);
    let mut meter = match progress.meter.take() {
        Some(meter) => meter,
        None => SlashMeter::load(storage, env.block.time)?,
    };
    // The total is the sum of the members' powers, so it never falls below what leaves it;
    // saturating keeps a contract migrated from before the total was kept (total 0) live.
    let total = u128::from(meter.total_power)
        .checked_add(change.added)
        .ok_or(ContractError::Overflow)?
        .saturating_sub(change.removed);
    let total = u64::try_from(total).map_err(|_| ContractError::Overflow)?;
    let before = meter.clone();
    set_total_power(&mut meter, config, env.block.time, total)?;
    progress
        .attributes
        .push(("active_set_power", total.to_string()));
    progress
        .attributes
        .push(("slash_meter", meter.meter.to_string()));
    progress.meter_changed |= meter != before;
    progress.meter = Some(meter);
    Ok(())
}
