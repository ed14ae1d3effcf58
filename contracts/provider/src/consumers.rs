//! Consumer chains: registration, updates, launch (consumer genesis) and stop.

use cosmwasm_std::{
    CosmosMsg, DepsMut, Empty, Env, IbcMsg, MessageInfo, Response, StdResult, Storage, Timestamp,
};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use cw_ics_ccv::{ConsensusAddress, ConsumerGenesis, ConsumerParams, GenesisValidator};

use crate::error::ContractError;
use crate::msg::{Config, ConsumerPhase, ConsumerRegistration, ConsumerUpdate, RegistrationPolicy};
use crate::ranking::{consensus_key, top_n};
use crate::state::consumers::{
    schedule_timeout_check, Consumer, ConsumerInfo, ConsumerLink, GenesisRecord, CHANNEL_OPENINGS,
    DELETION_QUEUE, GENESIS, LAUNCHED, NEXT_CONSUMER_ID, SPAWN_QUEUE,
};
use crate::state::epoch::EpochState;
use crate::state::{next_id, ADMIN, CONFIG};
use crate::time::{after, ensure_at_most};
use crate::{deposit, infraction};

pub fn phase_name(phase: ConsumerPhase) -> String {
    match phase {
        ConsumerPhase::Registered => "registered",
        ConsumerPhase::Launched => "launched",
        ConsumerPhase::Stopped => "stopped",
        ConsumerPhase::Deleted => "deleted",
    }
    .to_string()
}

fn wrong_phase(consumer: &Consumer) -> ContractError {
    ContractError::WrongPhase {
        id: consumer.id,
        phase: phase_name(consumer.link.phase),
    }
}

pub fn load_consumer(storage: &dyn Storage, id: u64) -> Result<Consumer, ContractError> {
    Consumer::may_load(storage, id)?.ok_or(ContractError::UnknownConsumer(id))
}

fn validate_registration(
    config: &Config,
    registration: &ConsumerRegistration,
) -> Result<(), ContractError> {
    let invalid = |text: &str| Err(ContractError::InvalidRegistration(text.to_string()));
    for (name, value) in [
        ("chain_id", &registration.chain_id),
        ("connection_id", &registration.connection_id),
        (
            "counterparty_connection_id",
            &registration.counterparty_connection_id,
        ),
    ] {
        if value.is_empty() {
            return invalid(&format!("{name} must not be empty"));
        }
    }
    if registration.counterparty_port_id.as_deref() == Some("") {
        return invalid("counterparty_port_id must not be empty");
    }
    if registration.unbonding_period_seconds >= config.unbonding_period_seconds {
        return invalid("the consumer's unbonding period must be shorter than the provider's");
    }
    for (name, value, max) in [
        (
            "ccv_timeout_seconds",
            registration.ccv_timeout_seconds,
            config.max_ccv_timeout_seconds,
        ),
        (
            "init_timeout_seconds",
            registration.init_timeout_seconds,
            config.max_init_timeout_seconds,
        ),
        (
            "vsc_timeout_seconds",
            registration.vsc_timeout_seconds,
            config.max_vsc_timeout_seconds,
        ),
    ] {
        if value == Some(0) {
            return invalid(&format!("{name} must be above 0"));
        }
        ensure_at_most(name, value.unwrap_or_default(), max)?;
    }
    ensure_at_most(
        "retry_delay_seconds",
        registration.retry_delay_seconds,
        config.max_retry_delay_seconds,
    )?;
    if let Some(parameters) = &registration.infraction_parameters {
        infraction::validate(config, parameters)?;
    }
    ConsensusAddress([0; 20])
        .to_bech32(&registration.valcons_prefix)
        .map_err(|_| {
            ContractError::InvalidRegistration("valcons_prefix is not a bech32 prefix".into())
        })?;
    genesis_params(config, registration).validate()?;
    Ok(())
}

fn genesis_params(config: &Config, registration: &ConsumerRegistration) -> ConsumerParams {
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

pub fn register(
    deps: DepsMut<ChainQuery>,
    info: MessageInfo,
    mut registration: ConsumerRegistration,
) -> Result<Response<ChainMsg>, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let is_admin = ADMIN.load(deps.storage)? == info.sender;
    // The admin's registrations have no owner (the admin manages every consumer), pay no
    // deposit and count against no cap; under `Permissionless` anyone else becomes the owner.
    let owner = match config.consumer_registration {
        RegistrationPolicy::AdminOnly if !is_admin => {
            return Err(ContractError::Unauthorized(
                "only the admin registers consumers",
            ))
        }
        RegistrationPolicy::Permissionless if !is_admin => Some(info.sender.clone()),
        _ => None,
    };
    let deposit = deposit::take(&config, &info, owner.is_some())?;
    validate_registration(&config, &registration)?;
    if registration.infraction_parameters.is_none() {
        registration.infraction_parameters = Some(infraction::defaults(&config));
    }
    if let Some(owner) = &owner {
        deposit::count(deps.storage, &config, owner)?;
    }
    let id = next_id(deps.storage, &NEXT_CONSUMER_ID)?;
    let mut consumer = Consumer {
        id,
        info: ConsumerInfo {
            owner,
            registration,
            launch_height: None,
            launched_at: None,
            stopped_at: None,
            stop_reason: None,
            launch_vsc_id: None,
            pending_infraction: None,
            deposit,
        },
        link: ConsumerLink {
            phase: ConsumerPhase::Registered,
            channel_id: None,
            last_sent_vsc_id: 0,
            last_matured_vsc_id: 0,
            covered_vsc_id: 0,
            ccv_timeout_seconds: None,
            vsc_timeout_seconds: None,
        },
    };
    let spawn_time = consumer.info.registration.spawn_time.seconds();
    SPAWN_QUEUE.save(deps.storage, (spawn_time, id), &Empty {})?;
    consumer.save(deps.storage)?;
    let mut response = Response::new()
        .add_attribute("action", "register_consumer")
        .add_attribute("consumer_id", id.to_string())
        .add_attribute("chain_id", consumer.info.registration.chain_id);
    if let Some(deposit) = consumer.info.deposit {
        response = response.add_attribute("deposit", deposit.to_string());
    }
    Ok(response)
}

fn ensure_manager(
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

pub fn update(
    deps: DepsMut<ChainQuery>,
    env: Env,
    info: MessageInfo,
    consumer_id: u64,
    update: ConsumerUpdate,
) -> Result<Response<ChainMsg>, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut consumer = load_consumer(deps.storage, consumer_id)?;
    ensure_manager(deps.storage, &consumer, &info)?;
    let old_owner = consumer.info.owner.clone();
    if let Some(owner) = &update.owner {
        consumer.info.owner = Some(deps.api.addr_validate(owner)?);
    }
    let mut response = Response::new()
        .add_attribute("action", "update_consumer")
        .add_attribute("consumer_id", consumer_id.to_string());
    match consumer.link.phase {
        ConsumerPhase::Registered => {
            let registration = &mut consumer.info.registration;
            let old_spawn = registration.spawn_time.seconds();
            apply_registration_update(registration, update);
            validate_registration(&config, registration)?;
            let new_spawn = registration.spawn_time.seconds();
            // The cap counts each owner's registered consumers: a new owner takes one over
            // (counted first: a refusal writes nothing).
            if consumer.info.owner != old_owner {
                if let Some(new_owner) = &consumer.info.owner {
                    deposit::count(deps.storage, &config, new_owner)?;
                }
                if let Some(old_owner) = &old_owner {
                    deposit::uncount(deps.storage, old_owner)?;
                }
            }
            SPAWN_QUEUE.remove(deps.storage, (old_spawn, consumer_id));
            SPAWN_QUEUE.save(deps.storage, (new_spawn, consumer_id), &Empty {})?;
        }
        ConsumerPhase::Launched => {
            let others = ConsumerUpdate {
                counterparty_port_id: None,
                owner: None,
                infraction_parameters: None,
                ..update.clone()
            };
            if others != ConsumerUpdate::default() {
                return Err(wrong_phase(&consumer));
            }
            if let Some(parameters) = update.infraction_parameters {
                let effective_at =
                    infraction::schedule(&config, &mut consumer.info, env.block.time, parameters)?;
                response = response.add_attribute(
                    "infraction_parameters_effective_at",
                    effective_at.to_string(),
                );
            }
            if let Some(port) = update.counterparty_port_id {
                if consumer.link.channel_id.is_some() {
                    return Err(ContractError::ChannelAlreadyOpen);
                }
                if port.is_empty() {
                    return Err(ContractError::InvalidRegistration(
                        "counterparty_port_id must not be empty".into(),
                    ));
                }
                close_opening(deps.storage, &consumer);
                consumer.info.registration.counterparty_port_id = Some(port);
                open_opening(deps.storage, &consumer)?;
            }
        }
        ConsumerPhase::Stopped | ConsumerPhase::Deleted => return Err(wrong_phase(&consumer)),
    }
    consumer.save(deps.storage)?;
    Ok(response)
}

/// Lets the channel handshake find a launched consumer without a channel (when its
/// registration names the counterparty port).
fn open_opening(storage: &mut dyn Storage, consumer: &Consumer) -> StdResult<()> {
    let registration = &consumer.info.registration;
    match (
        &registration.counterparty_port_id,
        &consumer.link.channel_id,
    ) {
        (Some(port), None) => CHANNEL_OPENINGS.save(
            storage,
            (&registration.connection_id, port, consumer.id),
            &Empty {},
        ),
        _ => Ok(()),
    }
}

/// Removes the consumer from the channel handshake's index (channel open, port changed, stop).
pub fn close_opening(storage: &mut dyn Storage, consumer: &Consumer) {
    let registration = &consumer.info.registration;
    if let Some(port) = &registration.counterparty_port_id {
        CHANNEL_OPENINGS.remove(storage, (&registration.connection_id, port, consumer.id));
    }
}

fn apply_registration_update(registration: &mut ConsumerRegistration, update: ConsumerUpdate) {
    macro_rules! set {
        ($($field:ident),*) => {$(
            if let Some(value) = update.$field {
                registration.$field = value;
            }
        )*};
    }
    if update.infraction_parameters.is_some() {
        registration.infraction_parameters = update.infraction_parameters;
    }
    set!(
        spawn_time,
        unbonding_period_seconds,
        connection_id,
        counterparty_connection_id,
        retry_delay_seconds,
        signed_blocks_window,
        min_signed_per_window,
        valcons_prefix
    );
    if update.counterparty_port_id.is_some() {
        registration.counterparty_port_id = update.counterparty_port_id;
    }
    if update.ccv_timeout_seconds.is_some() {
        registration.ccv_timeout_seconds = update.ccv_timeout_seconds;
    }
    if update.init_timeout_seconds.is_some() {
        registration.init_timeout_seconds = update.init_timeout_seconds;
    }
    if update.vsc_timeout_seconds.is_some() {
        registration.vsc_timeout_seconds = update.vsc_timeout_seconds;
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
        close_opening(storage, consumer);
    }
    consumer.link.phase = ConsumerPhase::Stopped;
    consumer.info.stopped_at = Some(now);
    consumer.info.stop_reason = Some(reason.to_string());
    LAUNCHED.remove(storage, consumer.id);
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
    open_opening(storage, &consumer)?;
    schedule_timeout_check(storage, init_deadline, consumer_id)?;
    Ok(true)
}
