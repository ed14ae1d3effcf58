//! Epoch work, run by sudo `end_block` and by the permissionless `tick`.
//!
//! An epoch starts at the first call at or after its boundary height; it then runs through
//! stages (re-rank changed validators and move the top-N cut, give a VSC to the consumers that
//! are owed one, launch due consumers, apply due timeouts, delete stopped consumers). Every call
//! does at most `max_epoch_work` units of work and the next call resumes where it stopped; a
//! call between the end of one epoch and the next boundary does nothing.
//!
//! Every consumer is given the same set (the top N), so the epoch's changes are computed once,
//! from the validators the ranking moved, and sent to each launched consumer as they are; a
//! consumer launched later starts from the top N of its launch. When no validator moved and no
//! unbonding waits for a VSC, only the consumers marked due (first VSC after the channel opened,
//! slash acks) are visited, and timeouts come from a queue ordered by deadline: a quiet epoch
//! costs the same whatever the number of validators and consumers.

use cosmwasm_std::{CosmosMsg, DepsMut, Env, Order, Response, StdError, StdResult, Storage};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use cw_ics_ccv::{ConsensusAddress, ValidatorSetChangePacket, ValidatorUpdate};

use crate::consumers::{init_timeout, launch, load_consumer, stop, vsc_timeout};
use crate::error::ContractError;
use crate::msg::{Config, ConsumerPhase};
use crate::ranking::{rebalance_step, rerank, set_changes};
use crate::state::consumers::{
    channels, next_due, next_due_consumer, next_launched, oldest_sent_vsc, schedule_timeout_check,
    sent_vsc_ids, take_due_timeout_check, Consumer, CONSUMER_LINKS, DELETION_QUEUE, DUE_CONSUMERS,
    GENESIS, QUEUED_VSCS, SENT_VSCS, SPAWN_QUEUE, TIMEOUT_CHECKS,
};
use crate::state::epoch::{
    Candidate, EpochStage, EpochState, CANDIDATE_CHUNKS, CHANGE_MARKS, EPOCH, VSC_HEIGHTS,
};
use crate::state::slashing::take_slash_acks;
use crate::state::CONFIG;
use crate::vsc::queue_or_send;

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
    /// This epoch's updates, once computed in this call.
    updates: Option<Vec<ValidatorUpdate>>,
}

impl Progress {
    /// The updates every launched consumer is given this epoch (valid once the cut moved).
    fn updates(
        &mut self,
        storage: &dyn Storage,
        epoch: &EpochState,
    ) -> Result<Vec<ValidatorUpdate>, ContractError> {
        if let Some(updates) = &self.updates {
            return Ok(updates.clone());
        }
        let mut candidates = Vec::new();
        for chunk in 0..epoch.candidate_chunks {
            candidates.extend(CANDIDATE_CHUNKS.load(storage, chunk)?);
        }
        candidates.extend(self.candidates.iter().cloned());
        let updates: Vec<ValidatorUpdate> =
            set_changes(candidates, epoch.epoch_last_member, epoch.last_member)
                .into_iter()
                .map(|(_, update)| update)
                .collect();
        self.updates = Some(updates.clone());
        Ok(updates)
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
        updates: None,
    };
    if epoch.stage == EpochStage::Idle {
        if env.block.height < epoch.next_epoch_height {
            return Ok(Response::new()
                .add_attribute("action", caller.name())
                .add_attribute("epoch", "not_due"));
        }
        start(deps.storage, env, &config, &mut epoch, caller)?;
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
                move_cut(storage, &config, &mut epoch, &mut budget, &mut progress)?
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
            EpochStage::Launches { after } => {
                launch_due(storage, env, &config, &mut epoch, &mut budget, after)?
            }
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
    EPOCH.save(deps.storage, &epoch)?;
    Ok(Response::new()
        .add_messages(progress.messages)
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
        // An unchanged power changes membership only if the cut crosses it, which reports it.
        if candidate.old_power != candidate.new_power {
            progress.candidates.push(candidate);
        }
        CHANGE_MARKS.remove(storage, &key);
    }
    Ok(finished)
}

/// Stage 2: moves the cut until the top N holds `max_validators` validators (or all).
fn move_cut(
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

/// Stage 3: gives a VSC to the consumers marked due, if they are still owed one.
fn give_due(
    storage: &mut dyn Storage,
    env: &Env,
    config: &Config,
    epoch: &mut EpochState,
    budget: &mut Budget,
    progress: &mut Progress,
    mut after_consumer: Option<u64>,
) -> Result<bool, ContractError> {
    loop {
        let Some(consumer_id) = next_due_consumer(storage, after_consumer)? else {
            return Ok(true);
        };
        if budget.exhausted() {
            epoch.stage = EpochStage::DueConsumers { after_consumer };
            return Ok(false);
        }
        budget.spend(1);
        after_consumer = Some(consumer_id);
        DUE_CONSUMERS.remove(storage, consumer_id);
        give_vsc(storage, env, config, epoch, progress, consumer_id)?;
    }
}

/// Stage 4: when validators moved or an unbonding entry waits for a VSC, gives this epoch's
/// VSC to every launched consumer.
fn broadcast(
    storage: &mut dyn Storage,
    env: &Env,
    config: &Config,
    epoch: &mut EpochState,
    budget: &mut Budget,
    progress: &mut Progress,
    mut after_consumer: Option<u64>,
) -> Result<bool, ContractError> {
    let unbonding_waits = epoch.epoch_unbonding_vsc_id > epoch.covered_vsc_id;
    if !unbonding_waits && progress.updates(storage, epoch)?.is_empty() {
        return Ok(true);
    }
    loop {
        let next = next_launched(storage, after_consumer)?;
        let Some(consumer_id) = next else {
            epoch.covered_vsc_id = epoch.epoch_vsc_id;
            return Ok(true);
        };
        if budget.exhausted() {
            epoch.stage = EpochStage::Broadcast { after_consumer };
            return Ok(false);
        }
        budget.spend(1);
        after_consumer = Some(consumer_id);
        give_vsc(storage, env, config, epoch, progress, consumer_id)?;
    }
}

/// Queues (or sends) this epoch's VSC to a launched consumer if it is owed one: the set
/// changed, slash acks wait, an unbonding entry needs its maturity, or its channel just opened
/// (a consumer counts its channel as established only at its first VSC, and sends nothing
/// before that). A consumer given nothing is not written, so it costs one read.
fn give_vsc(
    storage: &mut dyn Storage,
    env: &Env,
    config: &Config,
    epoch: &EpochState,
    progress: &mut Progress,
    consumer_id: u64,
) -> Result<(), ContractError> {
    let Some(mut link) = CONSUMER_LINKS.may_load(storage, consumer_id)? else {
        return Ok(());
    };
    if link.phase != ConsumerPhase::Launched || link.covered_vsc_id >= epoch.epoch_vsc_id {
        // Stopped, or already given this epoch's VSC.
        return Ok(());
    }
    let packet = ValidatorSetChangePacket {
        validator_updates: progress.updates(storage, epoch)?,
        valset_update_id: epoch.epoch_vsc_id,
        slash_acks: take_slash_acks(storage, consumer_id)?,
    };
    let unbonding_waits = epoch.epoch_unbonding_vsc_id > link.covered_vsc_id;
    // Queued VSCs were flushed when the channel opened, so an open channel with nothing sent
    // yet means nothing was ever owed.
    let awaits_first_vsc = link.channel_id.is_some() && link.last_sent_vsc_id == 0;
    let owed = !packet.validator_updates.is_empty()
        || !packet.slash_acks.is_empty()
        || unbonding_waits
        || awaits_first_vsc;
    if !owed {
        return Ok(());
    }
    link.covered_vsc_id = epoch.epoch_vsc_id;
    progress.messages.extend(queue_or_send(
        storage,
        env,
        config,
        consumer_id,
        &mut link,
        &packet,
    )?);
    CONSUMER_LINKS.save(storage, consumer_id, &link)?;
    Ok(())
}

/// Stage 5: launches registered consumers whose spawn time has come.
fn launch_due(
    storage: &mut dyn Storage,
    env: &Env,
    config: &Config,
    epoch: &mut EpochState,
    budget: &mut Budget,
    mut after: Option<(u64, u64)>,
) -> Result<bool, ContractError> {
    let now = env.block.time.seconds();
    loop {
        let next = next_due(&SPAWN_QUEUE, storage, after, now)?;
        let Some(key) = next else { return Ok(true) };
        if budget.exhausted() {
            epoch.stage = EpochStage::Launches { after };
            return Ok(false);
        }
        budget.spend(epoch.active_count.saturating_add(1));
        launch(storage, env, config, key.1, epoch)?;
        after = Some(key);
    }
}

/// Stage 6: stops consumers that never opened their channel in time (init timeout) or left a
/// sent VSC unmatured for too long (VSC timeout), visiting only the checks whose time came.
fn apply_timeouts(
    storage: &mut dyn Storage,
    env: &Env,
    config: &Config,
    budget: &mut Budget,
    progress: &mut Progress,
) -> Result<bool, ContractError> {
    let now = env.block.time;
    loop {
        if budget.exhausted() {
            return Ok(next_due(&TIMEOUT_CHECKS, storage, None, now.seconds())?.is_none());
        }
        let Some(consumer_id) = take_due_timeout_check(storage, now)? else {
            return Ok(true);
        };
        budget.spend(1);
        let mut consumer = match Consumer::may_load(storage, consumer_id)? {
            Some(consumer) if consumer.link.phase == ConsumerPhase::Launched => consumer,
            _ => continue,
        };
        if consumer.link.channel_id.is_none() {
            let launched_at = consumer.info.launched_at.unwrap_or(now);
            let deadline = launched_at.plus_seconds(init_timeout(config, &consumer));
            if now >= deadline {
                stop(
                    storage,
                    config,
                    now,
                    &mut consumer,
                    "init timeout: no channel",
                    false,
                )?;
            } else {
                schedule_timeout_check(storage, deadline, consumer_id)?;
            }
            continue;
        }
        let oldest_unmatured = oldest_sent_vsc(storage, consumer_id)?;
        // Nothing unmatured: the next VSC sent schedules a new check.
        if let Some((vsc_id, sent_at)) = oldest_unmatured {
            let deadline = sent_at.plus_seconds(vsc_timeout(config, &consumer));
            if now >= deadline {
                let reason = format!("VSC timeout: vscId {vsc_id} never matured");
                progress
                    .messages
                    .extend(stop(storage, config, now, &mut consumer, &reason, true)?);
            } else {
                schedule_timeout_check(storage, deadline, consumer_id)?;
            }
        }
    }
}

/// Stage 7: deletes the state of consumers stopped one unbonding period ago, then drops the
/// epoch's saved candidates.
fn cleanup(
    storage: &mut dyn Storage,
    env: &Env,
    epoch: &mut EpochState,
    budget: &mut Budget,
) -> Result<bool, ContractError> {
    let now = env.block.time.seconds();
    loop {
        let due = next_due(&DELETION_QUEUE, storage, None, now)?;
        let Some(key) = due else { break };
        if budget.exhausted() {
            return Ok(false);
        }
        if delete_consumer_state(storage, key.1, budget)? {
            DELETION_QUEUE.remove(storage, key);
        }
    }
    for chunk in 0..epoch.candidate_chunks {
        CANDIDATE_CHUNKS.remove(storage, chunk);
    }
    epoch.candidate_chunks = 0;
    epoch.epoch_last_member = None;
    Ok(true)
}

/// Deletes a stopped consumer's per-consumer records within the budget; true when finished
/// (the consumer is then in phase Deleted).
fn delete_consumer_state(
    storage: &mut dyn Storage,
    consumer_id: u64,
    budget: &mut Budget,
) -> Result<bool, ContractError> {
    let limit = budget.0 as usize;
    let queued = QUEUED_VSCS
        .prefix(consumer_id)
        .keys(storage, None, None, Order::Ascending)
        .take(limit)
        .collect::<StdResult<Vec<_>>>()?;
    let unmatured = sent_vsc_ids(storage, consumer_id, None, limit)?;
    let work = queued.len() + unmatured.len();
    budget.spend(u32::try_from(work).unwrap_or(u32::MAX).saturating_add(1));
    for vsc_id in queued {
        QUEUED_VSCS.remove(storage, (consumer_id, vsc_id));
    }
    for vsc_id in unmatured {
        SENT_VSCS.remove(storage, (consumer_id, vsc_id));
    }
    if work >= limit {
        return Ok(false);
    }
    let mut consumer = load_consumer(storage, consumer_id)?;
    GENESIS.remove(storage, consumer_id);
    DUE_CONSUMERS.remove(storage, consumer_id);
    if consumer.link.channel_id.is_some() {
        channels().remove(storage, consumer_id)?;
    }
    consumer.link.phase = ConsumerPhase::Deleted;
    consumer.save(storage)?;
    Ok(true)
}
