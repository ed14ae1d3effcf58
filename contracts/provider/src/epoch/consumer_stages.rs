//! The epoch's stages that visit consumers: VSCs for the consumers that are owed one,
//! launches, timeouts and deletions. Each visits only what is due and stops where the budget
//! runs out, leaving a cursor in the epoch record.

use cosmwasm_std::{Env, Order, StdResult, Storage};
use cw_ics_ccv::ValidatorSetChangePacket;

use super::{Budget, Progress};
use crate::consumers::{init_timeout, launch, load_consumer, stop, vsc_timeout};
use crate::error::ContractError;
use crate::msg::{Config, ConsumerPhase};
use crate::state::consumers::{
    channels, mark_consumer_due, next_due, next_due_consumer, next_launched, oldest_sent_vsc,
    schedule_timeout_check, sent_vsc_ids, take_due_timeout_check, Consumer, CONSUMER_LINKS,
    DELETION_QUEUE, DUE_CONSUMERS, GENESIS, QUEUED_VSCS, SENT_VSCS, SPAWN_QUEUE, TIMEOUT_CHECKS,
};
use crate::state::epoch::{EpochStage, EpochState, CANDIDATE_CHUNKS};
use crate::state::slashing::{take_slash_acks, SLASH_ACKS};
use crate::time::after;
use crate::vsc::{queue_or_send, send_pending};

/// Stage 3: gives a VSC to the consumers marked due, if they are still owed one.
pub(super) fn give_due(
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
        let sent = give_vsc(storage, env, config, epoch, progress, consumer_id)?;
        budget.spend(sent);
    }
}

/// Stage 4: when validators moved or an unbonding entry waits for a VSC, gives this epoch's
/// VSC to every launched consumer.
pub(super) fn broadcast(
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
        let sent = give_vsc(storage, env, config, epoch, progress, consumer_id)?;
        budget.spend(sent);
    }
}

/// Queues (or sends) this epoch's VSC to a launched consumer if it is owed one: the set
/// changed, slash acks wait, an unbonding entry needs its maturity, or its channel just opened
/// (a consumer counts its channel as established only at its first VSC, and sends nothing
/// before that). A consumer owed nothing but with VSCs still queued behind a bounded flush has
/// the next of them sent. A consumer given nothing is not written, so it costs one read.
/// Returns the number of packets sent.
fn give_vsc(
    storage: &mut dyn Storage,
    env: &Env,
    config: &Config,
    epoch: &EpochState,
    progress: &mut Progress,
    consumer_id: u64,
) -> Result<u32, ContractError> {
    let Some(mut link) = CONSUMER_LINKS.may_load(storage, consumer_id)? else {
        return Ok(0);
    };
    if link.phase != ConsumerPhase::Launched || link.covered_vsc_id >= epoch.epoch_vsc_id {
        // Stopped, or already given this epoch's VSC.
        return Ok(0);
    }
    let (slash_acks, more_acks) = take_slash_acks(storage, consumer_id)?;
    if more_acks {
        // The rest go in the next epoch's VSC.
        mark_consumer_due(storage, consumer_id)?;
    }
    let packet = ValidatorSetChangePacket {
        validator_updates: progress.updates(storage, epoch)?,
        valset_update_id: epoch.epoch_vsc_id,
        slash_acks,
    };
    let unbonding_waits = epoch.epoch_unbonding_vsc_id > link.covered_vsc_id;
    // Queued VSCs were flushed when the channel opened, so an open channel with nothing sent
    // yet means nothing was ever owed.
    let awaits_first_vsc = link.channel_id.is_some() && link.last_sent_vsc_id == 0;
    let owed = !packet.validator_updates.is_empty()
        || !packet.slash_acks.is_empty()
        || unbonding_waits
        || awaits_first_vsc;
    let messages = if owed {
        link.covered_vsc_id = epoch.epoch_vsc_id;
        queue_or_send(storage, env, config, consumer_id, &mut link, &packet)?
    } else {
        send_pending(storage, env, config, consumer_id, &mut link)?.0
    };
    if !owed && messages.is_empty() {
        return Ok(0);
    }
    CONSUMER_LINKS.save(storage, consumer_id, &link)?;
    let sent = u32::try_from(messages.len()).unwrap_or(u32::MAX);
    progress.messages.extend(messages);
    Ok(sent)
}

/// Stage 5: launches registered consumers whose spawn time has come.
pub(super) fn launch_due(
    storage: &mut dyn Storage,
    env: &Env,
    config: &Config,
    epoch: &mut EpochState,
    budget: &mut Budget,
    progress: &mut Progress,
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
        launch(storage, env, config, key.1, epoch, &mut progress.messages)?;
        after = Some(key);
    }
}

/// Stage 6: stops consumers that never opened their channel in time (init timeout) or left a
/// sent VSC unmatured for too long (VSC timeout), visiting only the checks whose time came.
pub(super) fn apply_timeouts(
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
            let deadline = after(launched_at, init_timeout(config, &consumer))?;
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
        let oldest_unmatured =
            oldest_sent_vsc(storage, consumer_id, consumer.link.last_matured_vsc_id)?;
        // Nothing unmatured: the next VSC sent schedules a new check.
        if let Some((vsc_id, sent_at)) = oldest_unmatured {
            let deadline = after(sent_at, vsc_timeout(config, &consumer))?;
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
pub(super) fn cleanup(
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
    // One unit per record, the queued VSCs first, then the unmatured ones, then the slash acks;
    // a call that uses the whole budget leaves the rest (if any) to the next.
    let limit = budget.0 as usize;
    let queued = QUEUED_VSCS
        .prefix(consumer_id)
        .keys(storage, None, None, Order::Ascending)
        .take(limit)
        .collect::<StdResult<Vec<_>>>()?;
    let unmatured = sent_vsc_ids(
        storage,
        consumer_id,
        None,
        limit.saturating_sub(queued.len()),
    )?;
    let acks = SLASH_ACKS
        .prefix(consumer_id)
        .keys(storage, None, None, Order::Ascending)
        .take(limit.saturating_sub(queued.len() + unmatured.len()))
        .collect::<StdResult<Vec<_>>>()?;
    let work = queued.len() + unmatured.len() + acks.len();
    budget.spend(u32::try_from(work).unwrap_or(u32::MAX).saturating_add(1));
    for vsc_id in queued {
        QUEUED_VSCS.remove(storage, (consumer_id, vsc_id));
    }
    for vsc_id in unmatured {
        SENT_VSCS.remove(storage, (consumer_id, vsc_id));
    }
    for slash_id in acks {
        SLASH_ACKS.remove(storage, (consumer_id, slash_id));
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
