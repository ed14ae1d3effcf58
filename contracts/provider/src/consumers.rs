//! Consumer chains: launch (consumer genesis) and stop; registration and updates are in
//! `registration`.

use cosmwasm_std::{
    CosmosMsg, DepsMut, Empty, Env, IbcMsg, MessageInfo, Response, StdResult, Storage, Timestamp,
};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use cw_ics_ccv::{ConsumerGenesis, ConsumerParams, GenesisValidator};

use crate::error::ContractError;
use crate::maturity;
use crate::msg::{Config, ConsumerPhase, ConsumerRegistration};
use crate::ranking::{consensus_key, top_n};
use crate::state::consumers::{
    schedule_timeout_check, Consumer, GenesisRecord, DELETION_QUEUE, GENESIS, LAUNCHED, SPAWN_QUEUE,
};
use crate::state::epoch::EpochState;
use crate::state::{ADMIN, CONFIG};
use crate::time::after;
use crate::{deposit, registration};

pub fn phase_name(phase: ConsumerPhase) -> String {
    match phase {
        ConsumerPhase::Registered => "registered",
        ConsumerPhase::Launched => "launched",
        ConsumerPhase::Stopped => "stopped",
        ConsumerPhase::Deleted => "deleted",
    }
    .to_string()
}

pub(crate) fn wrong_phase(consumer: &Consumer) -> ContractError {
    ContractError::WrongPhase {
        id: consumer.id,
        phase: phase_name(consumer.link.phase),
    }
}

pub fn load_consumer(storage: &dyn Storage, id: u64) -> Result<Consumer, ContractError> {
    Consumer::may_load(storage, id)?.ok_or(ContractError::UnknownConsumer(id))
}

pub(crate) fn genesis_params(
    config: &Config,
    registration: &ConsumerRegistration,
) -> ConsumerParams {
    ConsumerParams {
        unbonding_period_seconds: registration.unbonding_period_seconds,
        ccv_timeout_seconds: registration
            .ccv_timeout_seconds
            .unwrap_or(config.ccv_timeout_seconds)
            .min(config.max_ccv_timeout_seconds),
        retry_delay_seconds: registration.retry_delay_seconds,
        signed_blocks_window: registration.signed_blocks_window,
        min_signed_per_window: registration.min_signed_per_window,
        valcons_prefix: registration.valcons_prefix.clone(),
    }
}

/// The consumer's init timeout, never above the provider's current maximum (which the admin
/// may have lowered since the registration was validated).
pub fn init_timeout(config: &Config, consumer: &Consumer) -> u64 {
    consumer
        .info
        .registration
        .init_timeout_seconds
        .unwrap_or(config.init_timeout_seconds)
        .min(config.max_init_timeout_seconds)
}

/// The consumer's VSC timeout, never above the provider's current maximum.
pub fn vsc_timeout(config: &Config, consumer: &Consumer) -> u64 {
    consumer
        .info
        .registration
        .vsc_timeout_seconds
        .unwrap_or(config.vsc_timeout_seconds)
        .min(config.max_vsc_timeout_seconds)
}

pub(crate) fn ensure_manager(
    storage: &dyn Storage,
    consumer: &Consumer,
    info: &MessageInfo,
) -> Result<(), ContractError> {
    if consumer.info.owner.as_ref() == Some(&info.sender) || ADMIN.load(storage)? == info.sender {
        Ok(())
    } else {
        Err(ContractError::Unauthorized(
            "only the admin or the consumer's owner manages a consumer",
        ))
    }
}

pub fn execute_stop(
    deps: DepsMut<ChainQuery>,
    env: Env,
    info: MessageInfo,
    consumer_id: u64,
) -> Result<Response<ChainMsg>, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut consumer = load_consumer(deps.storage, consumer_id)?;
    ensure_manager(deps.storage, &consumer, &info)?;
    let messages = match consumer.link.phase {
        ConsumerPhase::Registered => {
            let spawn_time = consumer.info.registration.spawn_time.seconds();
            SPAWN_QUEUE.remove(deps.storage, (spawn_time, consumer_id));
            if let Some(owner) = &consumer.info.owner {
                deposit::uncount(deps.storage, owner)?;
            }
            stop(
                deps.storage,
                &config,
                env.block.time,
                &mut consumer,
                "stopped by its manager",
                false,
            )?
        }
        ConsumerPhase::Launched => stop(
            deps.storage,
            &config,
            env.block.time,
            &mut consumer,
            "stopped by its manager",
            true,
        )?,
        ConsumerPhase::Stopped | ConsumerPhase::Deleted => return Err(wrong_phase(&consumer)),
    };
    Ok(Response::new()
        .add_messages(messages)
        .add_attribute("action", "stop_consumer")
        .add_attribute("consumer_id", consumer_id.to_string()))
}

/// Stops a consumer: it no longer holds anyone's unbonding, receives nothing, and its state
/// is deleted one provider unbonding period later (the slash acks it was owed with it: it
/// receives no more VSCs). Returns the channel close message when `close_channel` and the
/// channel is open, and the forfeit of a deposit still held (stopped before launch). Saves the
/// consumer.
pub fn stop(
    storage: &mut dyn Storage,
    config: &Config,
    now: Timestamp,
    consumer: &mut Consumer,
    reason: &str,
    close_channel: bool,
) -> Result<Vec<CosmosMsg<ChainMsg>>, ContractError> {
    let delete_at = after(now, config.unbonding_period_seconds)?.seconds();
    if consumer.link.phase == ConsumerPhase::Launched && consumer.link.channel_id.is_none() {
        registration::close_opening(storage, consumer);
    }
    consumer.link.phase = ConsumerPhase::Stopped;
    consumer.info.stopped_at = Some(now);
    consumer.info.stop_reason = Some(reason.to_string());
    LAUNCHED.remove(storage, consumer.id);
    maturity::on_stop(storage, consumer.id, &mut consumer.link);
    DELETION_QUEUE.save(storage, (delete_at, consumer.id), &Empty {})?;
    let mut messages: Vec<CosmosMsg<ChainMsg>> = deposit::forfeit(config, &mut consumer.info)
        .into_iter()
        .collect();
    consumer.save(storage)?;
    if close_channel {
        if let Some(channel_id) = &consumer.link.channel_id {
            messages.push(CosmosMsg::Ibc(IbcMsg::CloseChannel {
                channel_id: channel_id.clone(),
            }));
        }
    }
    Ok(messages)
}

/// The consumer genesis a launch produces, from its registration, what the launch fixed and
/// the validator set (best first).
fn build_genesis(
    env: &Env,
    config: &Config,
    registration: &ConsumerRegistration,
    record: &GenesisRecord,
    initial_validator_set: Vec<GenesisValidator>,
) -> ConsumerGenesis {
    ConsumerGenesis {
        provider_chain_id: record.provider_chain_id.clone(),
        chain_id: registration.chain_id.clone(),
        connection_id: registration.counterparty_connection_id.clone(),
        provider_port_id: format!("wasm.{}", env.contract.address),
        initial_validator_set,
        params: ConsumerParams {
            ccv_timeout_seconds: record.ccv_timeout_seconds,
            ..genesis_params(config, registration)
        },
    }
}

/// A launched consumer's genesis, as produced at its launch (the registration fields it
/// holds can no longer change once launched).
pub fn consumer_genesis(
    storage: &dyn Storage,
    env: &Env,
    config: &Config,
    consumer: &Consumer,
) -> Result<ConsumerGenesis, ContractError> {
    let record = GENESIS
        .may_load(storage, consumer.id)?
        .ok_or(ContractError::UnknownConsumer(consumer.id))?;
    let initial_validator_set = record
        .validators
        .iter()
        .map(|(address, power)| {
            Ok(GenesisValidator {
                pub_key: consensus_key(storage, *address)?,
                power: *power,
            })
        })
        .collect::<StdResult<Vec<_>>>()?;
    Ok(build_genesis(
        env,
        config,
        &consumer.info.registration,
        &record,
        initial_validator_set,
    ))
}

/// Launches a due consumer with the current top N as its genesis, returning its deposit to
/// its owner (added to `messages`). Returns false (and changes nothing) when no genesis can be
/// built, e.g. with no eligible validator: the launch is retried at the next epoch.
pub fn launch(
    storage: &mut dyn Storage,
    env: &Env,
    config: &Config,
    consumer_id: u64,
    epoch: &EpochState,
    messages: &mut Vec<CosmosMsg<ChainMsg>>,
) -> Result<bool, ContractError> {
    let mut consumer = load_consumer(storage, consumer_id)?;
    if consumer.link.phase != ConsumerPhase::Registered {
        return Ok(false);
    }
    let init_deadline = after(env.block.time, init_timeout(config, &consumer))?;
    let registration = &consumer.info.registration;
    let members = top_n(storage, epoch.last_member)?;
    // The ranking holds each validator once (a consensus key is registered once) at a power
    // above 0, and the registration's genesis fields and parameters were validated when it was
    // registered or updated: an empty set is what can keep a genesis from being valid here.
    if members.is_empty() {
        return Ok(false);
    }
    let record = GenesisRecord {
        provider_chain_id: env.block.chain_id.clone(),
        ccv_timeout_seconds: genesis_params(config, registration).ccv_timeout_seconds,
        validators: members
            .into_iter()
            .map(|rank| (rank.address, rank.power))
            .collect(),
    };
    GENESIS.save(storage, consumer_id, &record)?;
    let spawn_time = registration.spawn_time.seconds();
    SPAWN_QUEUE.remove(storage, (spawn_time, consumer_id));
    LAUNCHED.save(storage, consumer_id, &Empty {})?;
    maturity::on_launch(storage, epoch, consumer_id, &mut consumer.link)?;
    consumer.link.phase = ConsumerPhase::Launched;
    consumer.link.covered_vsc_id = epoch.epoch_vsc_id;
    consumer.info.launch_height = Some(env.block.height);
    consumer.info.launched_at = Some(env.block.time);
    // The genesis holds the top N as this epoch computed it.
    consumer.info.launch_vsc_id = Some(epoch.epoch_vsc_id);
    if let Some(owner) = &consumer.info.owner {
        deposit::uncount(storage, owner)?;
    }
    messages.extend(deposit::refund(&mut consumer.info));
    consumer.save(storage)?;
    registration::open_opening(storage, &consumer)?;
    schedule_timeout_check(storage, init_deadline, consumer_id)?;
    Ok(true)
}
