//! Epoch work, run by sudo `end_block` and by the permissionless `tick`.
//!
//! An epoch starts at the first call at or after its boundary height; it then runs through
//! stages (evaluate changed validators and rebalance the top N, diff each launched consumer,
//! launch due consumers, apply timeouts, delete stopped consumers). Every call does at most
//! `max_epoch_work` units of work and the next call resumes where it stopped; a call between
//! the end of one epoch and the next boundary does nothing.
//!
//! The top N is kept incrementally in two power-ordered indexes (active and waiting), so an
//! epoch costs O(changed validators × launched consumers), not O(all validators).

use cosmwasm_std::{Binary, CosmosMsg, DepsMut, Env, Order, Response, StdResult, Storage};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use cw_ics_ccv::{PublicKey, ValidatorSetChangePacket, ValidatorUpdate};
use cw_storage_plus::Bound;

use crate::consumers::{init_timeout, launch, load_consumer, stop, vsc_timeout};
use crate::error::ContractError;
use crate::msg::ConsumerPhase;
use crate::staking::validator_power;
use crate::state::{
    take_slash_acks, Config, EpochStage, EpochState, SentValidator, Slot, TouchedValidator,
    ACTIVE_COUNT, ACTIVE_INDEX, BUILDING_VSCS, CHANGED, CHANNEL_TO_CONSUMER, CONFIG, CONSUMERS,
    DELETION_QUEUE, EPOCH, EPOCH_TOUCHED, GENESIS, LAST_SENT, LAUNCHED, OPERATOR_BY_CONS_ADDR,
    PENDING_VSCS, SENT_VSCS, SLOTS, SPAWN_QUEUE, VALIDATORS, VSC_HEIGHTS, WAITING_INDEX,
};
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

/// What one call accomplished, for attributes and tests.
struct Progress {
    messages: Vec<CosmosMsg<ChainMsg>>,
    started: bool,
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
        let finished = match epoch.stage.clone() {
            EpochStage::Idle => true,
            EpochStage::Validators => evaluate_validators(deps.storage, &config, &mut budget)?,
            EpochStage::Consumers {
                consumer,
                after_validator,
            } => diff_consumers(
                deps.storage,
                env,
                &config,
                &mut epoch,
                &mut budget,
                &mut progress,
                consumer,
                after_validator,
            )?,
            EpochStage::Launches { after } => {
                launch_due(deps.storage, env, &config, &mut epoch, &mut budget, after)?
            }
            EpochStage::Timeouts { after_consumer } => apply_timeouts(
                deps.storage,
                env,
                &config,
                &mut epoch,
                &mut budget,
                &mut progress,
                after_consumer,
            )?,
            EpochStage::Cleanup => cleanup(deps.storage, env, &mut budget)?,
        };
        if !finished {
            break;
        }
        epoch.stage = next_stage(&epoch.stage);
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
        EpochStage::Validators => EpochStage::Consumers {
            consumer: 0,
            after_validator: None,
        },
        EpochStage::Consumers { .. } => EpochStage::Launches { after: None },
        EpochStage::Launches { .. } => EpochStage::Timeouts {
            after_consumer: None,
        },
        EpochStage::Timeouts { .. } => EpochStage::Cleanup,
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
    epoch.stage = EpochStage::Validators;
    Ok(())
}

/// Ordering key: best (highest power, then lowest address) first.
fn rank(power: u64) -> u64 {
    u64::MAX - power
}

fn touch(
    storage: &mut dyn Storage,
    address: &[u8],
    pub_key: &PublicKey,
    power: u64,
) -> StdResult<()> {
    EPOCH_TOUCHED.save(
        storage,
        address,
        &TouchedValidator {
            pub_key: pub_key.clone(),
            power,
        },
    )
}

/// Stage 1: re-evaluates changed validators, then rebalances the top N. Returns true when done.
fn evaluate_validators(
    storage: &mut dyn Storage,
    config: &Config,
    budget: &mut Budget,
) -> Result<bool, ContractError> {
    loop {
        let next = CHANGED
            .keys(storage, None, None, Order::Ascending)
            .next()
            .transpose()?;
        let Some(address) = next else { break };
        if budget.exhausted() {
            return Ok(false);
        }
        reevaluate(storage, config, &address)?;
        CHANGED.remove(storage, &address);
        budget.spend(1);
    }
    loop {
        let Some(step) = rebalance_step(storage, config)? else {
            return Ok(true);
        };
        if budget.exhausted() {
            return Ok(false);
        }
        apply_step(storage, step)?;
        budget.spend(1);
    }
}

/// Takes a changed validator out of the indexes and puts it back in the waiting index with
/// its current power (if eligible); rebalancing decides whether it is in the top N.
fn reevaluate(
    storage: &mut dyn Storage,
    config: &Config,
    address: &[u8],
) -> Result<(), ContractError> {
    let operator = OPERATOR_BY_CONS_ADDR.load(storage, address)?;
    let validator = VALIDATORS.load(storage, &operator)?;
    if let Some(slot) = SLOTS.may_load(storage, address)? {
        if slot.active {
            ACTIVE_INDEX.remove(storage, (rank(slot.power), address));
            ACTIVE_COUNT.update(storage, |count| -> StdResult<u32> {
                Ok(count.saturating_sub(1))
            })?;
            touch(storage, address, &validator.pub_key, 0)?;
        } else {
            WAITING_INDEX.remove(storage, (rank(slot.power), address));
        }
    }
    let power = validator_power(config, &validator);
    if power == 0 {
        SLOTS.remove(storage, address);
    } else {
        WAITING_INDEX.save(storage, (rank(power), address), &validator.pub_key)?;
        SLOTS.save(
            storage,
            address,
            &Slot {
                power,
                active: false,
            },
        )?;
    }
    Ok(())
}

type IndexEntry = ((u64, Vec<u8>), PublicKey);

fn first(storage: &dyn Storage, waiting: bool, order: Order) -> StdResult<Option<IndexEntry>> {
    let index = if waiting {
        &WAITING_INDEX
    } else {
        &ACTIVE_INDEX
    };
    index.range(storage, None, None, order).next().transpose()
}

fn move_entry(storage: &mut dyn Storage, entry: &IndexEntry, to_active: bool) -> StdResult<()> {
    let ((ranked, address), pub_key) = entry;
    let power = u64::MAX - ranked;
    let (from, to) = if to_active {
        (&WAITING_INDEX, &ACTIVE_INDEX)
    } else {
        (&ACTIVE_INDEX, &WAITING_INDEX)
    };
    from.remove(storage, (*ranked, address));
    to.save(storage, (*ranked, address), pub_key)?;
    SLOTS.save(
        storage,
        address,
        &Slot {
            power,
            active: to_active,
        },
    )?;
    ACTIVE_COUNT.update(storage, |count| -> StdResult<u32> {
        Ok(if to_active {
            count.saturating_add(1)
        } else {
            count.saturating_sub(1)
        })
    })?;
    touch(storage, address, pub_key, if to_active { power } else { 0 })
}

/// A move of the top-N rebalancing.
enum RebalanceStep {
    Demote(IndexEntry),
    Promote(IndexEntry),
    Swap(IndexEntry, IndexEntry),
}

/// The next move towards "the active index holds the best `max_validators` eligible
/// validators", or None when balanced. Each changed validator causes at most a couple.
fn rebalance_step(storage: &dyn Storage, config: &Config) -> StdResult<Option<RebalanceStep>> {
    let count = ACTIVE_COUNT.may_load(storage)?.unwrap_or_default();
    if count > config.max_validators {
        return Ok(first(storage, false, Order::Descending)?.map(RebalanceStep::Demote));
    }
    let Some(best_waiting) = first(storage, true, Order::Ascending)? else {
        return Ok(None);
    };
    if count < config.max_validators {
        return Ok(Some(RebalanceStep::Promote(best_waiting)));
    }
    Ok(match first(storage, false, Order::Descending)? {
        Some(worst_active) if best_waiting.0 < worst_active.0 => {
            Some(RebalanceStep::Swap(worst_active, best_waiting))
        }
        _ => None,
    })
}

fn apply_step(storage: &mut dyn Storage, step: RebalanceStep) -> StdResult<()> {
    match step {
        RebalanceStep::Demote(entry) => move_entry(storage, &entry, false),
        RebalanceStep::Promote(entry) => move_entry(storage, &entry, true),
        RebalanceStep::Swap(out, into) => {
            move_entry(storage, &out, false)?;
            move_entry(storage, &into, true)
        }
    }
}

/// Stage 2: for each launched consumer, applies this epoch's top-N changes to the set it last
/// received and queues a VSC if anything changed, slash acks are owed, or unbonding entries
/// wait on it.
#[allow(clippy::too_many_arguments)]
fn diff_consumers(
    storage: &mut dyn Storage,
    env: &Env,
    config: &Config,
    epoch: &mut EpochState,
    budget: &mut Budget,
    progress: &mut Progress,
    mut consumer_cursor: u64,
    mut after_validator: Option<Binary>,
) -> Result<bool, ContractError> {
    loop {
        let next = LAUNCHED
            .keys(
                storage,
                Some(Bound::inclusive(consumer_cursor)),
                None,
                Order::Ascending,
            )
            .next()
            .transpose()?;
        let Some(consumer_id) = next else {
            return Ok(true);
        };
        if budget.exhausted() {
            epoch.stage = EpochStage::Consumers {
                consumer: consumer_cursor,
                after_validator,
            };
            return Ok(false);
        }
        if consumer_id != consumer_cursor {
            // The consumer in progress was stopped meanwhile: its cursor means nothing here.
            consumer_cursor = consumer_id;
            after_validator = None;
        }
        // A packet is only half-built when the previous call stopped inside this consumer.
        let resumed = after_validator.is_some();
        let building = if resumed {
            BUILDING_VSCS.may_load(storage, consumer_id)?
        } else {
            None
        };
        let mut packet = building.unwrap_or(ValidatorSetChangePacket {
            validator_updates: vec![],
            valset_update_id: epoch.epoch_vsc_id,
            slash_acks: vec![],
        });
        let touched = EPOCH_TOUCHED
            .range(
                storage,
                after_validator
                    .as_ref()
                    .map(|a| Bound::exclusive(a.as_slice())),
                None,
                Order::Ascending,
            )
            .take(budget.0 as usize)
            .collect::<StdResult<Vec<_>>>()?;
        let complete = touched.len() < budget.0 as usize;
        budget.spend(u32::try_from(touched.len()).unwrap_or(u32::MAX));
        for (address, change) in &touched {
            let key = (consumer_id, address.as_slice());
            let sent = LAST_SENT
                .may_load(storage, key)?
                .map(|s| s.power)
                .unwrap_or(0);
            if sent == change.power {
                continue;
            }
            if change.power == 0 {
                LAST_SENT.remove(storage, key);
            } else {
                LAST_SENT.save(
                    storage,
                    key,
                    &SentValidator {
                        pub_key: change.pub_key.clone(),
                        power: change.power,
                    },
                )?;
            }
            packet.validator_updates.push(ValidatorUpdate {
                pub_key: change.pub_key.clone(),
                power: change.power,
            });
        }
        if !complete {
            BUILDING_VSCS.save(storage, consumer_id, &packet)?;
            after_validator = touched
                .last()
                .map(|(address, _)| Binary::new(address.clone()));
            continue;
        }
        budget.spend(1);
        let mut consumer = load_consumer(storage, consumer_id)?;
        packet
            .slash_acks
            .extend(take_slash_acks(storage, consumer_id)?);
        let unbonding_waits = epoch.epoch_unbonding_vsc_id > consumer.covered_vsc_id;
        // A consumer counts its channel as established only at its first VSC, and sends
        // nothing (no slash, no maturity) before that: give it one as soon as the channel is
        // open, even when its set has not changed since genesis.
        // (Queued VSCs were flushed when the channel opened, so an open channel with nothing
        // sent yet means nothing was ever owed.)
        let awaits_first_vsc = consumer.channel_id.is_some() && consumer.last_sent_vsc_id == 0;
        if resumed {
            BUILDING_VSCS.remove(storage, consumer_id);
        }
        // Nothing to send leaves the consumer untouched: no write, so quiet epochs stay cheap.
        let owed = !packet.validator_updates.is_empty()
            || !packet.slash_acks.is_empty()
            || unbonding_waits
            || awaits_first_vsc;
        if owed {
            consumer.covered_vsc_id = epoch.epoch_vsc_id;
            progress
                .messages
                .extend(queue_or_send(storage, env, config, &mut consumer, &packet)?);
            CONSUMERS.save(storage, consumer_id, &consumer)?;
        }
        consumer_cursor = consumer_id.saturating_add(1);
        after_validator = None;
        if consumer_id == u64::MAX {
            return Ok(true);
        }
    }
}

/// Stage 3: launches registered consumers whose spawn time has come.
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
        let next = SPAWN_QUEUE
            .keys(
                storage,
                after.map(Bound::exclusive),
                Some(Bound::inclusive((now, u64::MAX))),
                Order::Ascending,
            )
            .next()
            .transpose()?;
        let Some(key) = next else { return Ok(true) };
        if budget.exhausted() {
            epoch.stage = EpochStage::Launches { after };
            return Ok(false);
        }
        let set_size = ACTIVE_COUNT.may_load(storage)?.unwrap_or_default();
        budget.spend(set_size.saturating_add(1));
        launch(storage, env, config, key.1, epoch.epoch_vsc_id)?;
        after = Some(key);
    }
}

/// Stage 4: stops consumers that never opened their channel in time (init timeout) or left a
/// sent VSC unmatured for too long (VSC timeout).
#[allow(clippy::too_many_arguments)]
fn apply_timeouts(
    storage: &mut dyn Storage,
    env: &Env,
    config: &Config,
    epoch: &mut EpochState,
    budget: &mut Budget,
    progress: &mut Progress,
    mut after_consumer: Option<u64>,
) -> Result<bool, ContractError> {
    loop {
        let next = LAUNCHED
            .keys(
                storage,
                after_consumer.map(Bound::exclusive),
                None,
                Order::Ascending,
            )
            .next()
            .transpose()?;
        let Some(consumer_id) = next else {
            return Ok(true);
        };
        if budget.exhausted() {
            epoch.stage = EpochStage::Timeouts { after_consumer };
            return Ok(false);
        }
        budget.spend(1);
        after_consumer = Some(consumer_id);
        let mut consumer = load_consumer(storage, consumer_id)?;
        let now = env.block.time;
        if consumer.channel_id.is_none() {
            let launched_at = consumer.launched_at.unwrap_or(now);
            if now >= launched_at.plus_seconds(init_timeout(config, &consumer)) {
                stop(
                    storage,
                    config,
                    now,
                    &mut consumer,
                    "init timeout: no channel",
                    false,
                )?;
            }
            continue;
        }
        let oldest_unmatured = SENT_VSCS
            .prefix(consumer_id)
            .range(storage, None, None, Order::Ascending)
            .next()
            .transpose()?;
        if let Some((vsc_id, sent_at)) = oldest_unmatured {
            if now >= sent_at.plus_seconds(vsc_timeout(config, &consumer)) {
                let reason = format!("VSC timeout: vscId {vsc_id} never matured");
                progress
                    .messages
                    .extend(stop(storage, config, now, &mut consumer, &reason, true)?);
            }
        }
    }
}

/// Stage 5: deletes the state of consumers stopped one unbonding period ago, then clears the
/// epoch's record of top-N changes.
fn cleanup(
    storage: &mut dyn Storage,
    env: &Env,
    budget: &mut Budget,
) -> Result<bool, ContractError> {
    let now = env.block.time.seconds();
    loop {
        let due = DELETION_QUEUE
            .keys(
                storage,
                None,
                Some(Bound::inclusive((now, u64::MAX))),
                Order::Ascending,
            )
            .next()
            .transpose()?;
        let Some(key) = due else { break };
        if budget.exhausted() {
            return Ok(false);
        }
        if delete_consumer_state(storage, key.1, budget)? {
            DELETION_QUEUE.remove(storage, key);
        }
    }
    loop {
        let batch = EPOCH_TOUCHED
            .keys(storage, None, None, Order::Ascending)
            .take((budget.0 as usize).max(1))
            .collect::<StdResult<Vec<_>>>()?;
        if batch.is_empty() {
            return Ok(true);
        }
        if budget.exhausted() {
            return Ok(false);
        }
        budget.spend(u32::try_from(batch.len()).unwrap_or(u32::MAX));
        for address in batch {
            EPOCH_TOUCHED.remove(storage, &address);
        }
    }
}

/// Deletes a stopped consumer's per-consumer records within the budget; true when finished
/// (the consumer is then in phase Deleted).
fn delete_consumer_state(
    storage: &mut dyn Storage,
    consumer_id: u64,
    budget: &mut Budget,
) -> Result<bool, ContractError> {
    let limit = budget.0 as usize;
    let sent = LAST_SENT
        .prefix(consumer_id)
        .keys(storage, None, None, Order::Ascending)
        .take(limit)
        .collect::<StdResult<Vec<_>>>()?;
    let pending = PENDING_VSCS
        .prefix(consumer_id)
        .keys(storage, None, None, Order::Ascending)
        .take(limit)
        .collect::<StdResult<Vec<_>>>()?;
    let unmatured = SENT_VSCS
        .prefix(consumer_id)
        .keys(storage, None, None, Order::Ascending)
        .take(limit)
        .collect::<StdResult<Vec<_>>>()?;
    let work = sent.len() + pending.len() + unmatured.len();
    budget.spend(u32::try_from(work).unwrap_or(u32::MAX).saturating_add(1));
    for address in &sent {
        LAST_SENT.remove(storage, (consumer_id, address.as_slice()));
    }
    for vsc_id in pending {
        PENDING_VSCS.remove(storage, (consumer_id, vsc_id));
    }
    for vsc_id in unmatured {
        SENT_VSCS.remove(storage, (consumer_id, vsc_id));
    }
    BUILDING_VSCS.remove(storage, consumer_id);
    if work >= limit {
        return Ok(false);
    }
    let mut consumer = load_consumer(storage, consumer_id)?;
    GENESIS.remove(storage, consumer_id);
    if let Some(channel_id) = &consumer.channel_id {
        CHANNEL_TO_CONSUMER.remove(storage, channel_id);
    }
    consumer.phase = ConsumerPhase::Deleted;
    CONSUMERS.save(storage, consumer_id, &consumer)?;
    Ok(true)
}
