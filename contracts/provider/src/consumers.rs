//! Consumer chains: registration, updates, launch (consumer genesis) and stop.

use cosmwasm_std::{CosmosMsg, DepsMut, Env, IbcMsg, MessageInfo, Response, Storage, Timestamp};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use cw_ics_ccv::{ConsensusAddress, ConsumerGenesis, ConsumerParams, GenesisValidator, PublicKey};

use crate::consumer_store::{schedule_timeout_check, GenesisRecord, GENESIS};
use crate::error::ContractError;
use crate::msg::{ConsumerPhase, ConsumerRegistration, ConsumerUpdate, RegistrationPolicy};
use crate::ranking::top_n;
use crate::state::{
    next_cell_id, take_slash_acks, Config, Consumer, EpochState, CONFIG, CONSUMERS, DELETION_QUEUE,
    LAUNCHED, NEXT_CONSUMER_ID, SPAWN_QUEUE,
};

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
        phase: phase_name(consumer.phase),
    }
}

pub fn load_consumer(storage: &dyn Storage, id: u64) -> Result<Consumer, ContractError> {
    CONSUMERS
        .may_load(storage, id)?
        .ok_or(ContractError::UnknownConsumer(id))
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
    for (name, value) in [
        ("ccv_timeout_seconds", registration.ccv_timeout_seconds),
        ("init_timeout_seconds", registration.init_timeout_seconds),
        ("vsc_timeout_seconds", registration.vsc_timeout_seconds),
    ] {
        if value == Some(0) {
            return invalid(&format!("{name} must be above 0"));
        }
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
            .unwrap_or(config.ccv_timeout_seconds),
        retry_delay_seconds: registration.retry_delay_seconds,
        signed_blocks_window: registration.signed_blocks_window,
        min_signed_per_window: registration.min_signed_per_window,
        valcons_prefix: registration.valcons_prefix.clone(),
    }
}

pub fn init_timeout(config: &Config, consumer: &Consumer) -> u64 {
    consumer
        .registration
        .init_timeout_seconds
        .unwrap_or(config.init_timeout_seconds)
}

pub fn vsc_timeout(config: &Config, consumer: &Consumer) -> u64 {
    consumer
        .registration
        .vsc_timeout_seconds
        .unwrap_or(config.vsc_timeout_seconds)
}

pub fn register(
    deps: DepsMut<ChainQuery>,
    info: MessageInfo,
    registration: ConsumerRegistration,
) -> Result<Response<ChainMsg>, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if !info.funds.is_empty() {
        return Err(ContractError::UnexpectedFunds);
    }
    let owner = match config.consumer_registration {
        RegistrationPolicy::AdminOnly if info.sender != config.admin => {
            return Err(ContractError::Unauthorized(
                "only the admin registers consumers",
            ))
        }
        RegistrationPolicy::AdminOnly => None,
        RegistrationPolicy::Permissionless => Some(info.sender),
    };
    validate_registration(&config, &registration)?;
    let id = next_cell_id(deps.storage, &NEXT_CONSUMER_ID)?;
    let consumer = Consumer {
        id,
        owner,
        phase: ConsumerPhase::Registered,
        registration,
        channel_id: None,
        launch_height: None,
        launched_at: None,
        stopped_at: None,
        stop_reason: None,
        last_sent_vsc_id: 0,
        last_matured_vsc_id: 0,
        covered_vsc_id: 0,
    };
    SPAWN_QUEUE.insert(deps.storage, consumer.registration.spawn_time.seconds(), id);
    CONSUMERS.save(deps.storage, id, &consumer)?;
    Ok(Response::new()
        .add_attribute("action", "register_consumer")
        .add_attribute("consumer_id", id.to_string())
        .add_attribute("chain_id", consumer.registration.chain_id))
}

fn ensure_manager(
    config: &Config,
    consumer: &Consumer,
    info: &MessageInfo,
) -> Result<(), ContractError> {
    if info.sender == config.admin || consumer.owner.as_ref() == Some(&info.sender) {
        Ok(())
    } else {
        Err(ContractError::Unauthorized(
            "only the admin or the consumer's owner manages a consumer",
        ))
    }
}

pub fn update(
    deps: DepsMut<ChainQuery>,
    info: MessageInfo,
    consumer_id: u64,
    update: ConsumerUpdate,
) -> Result<Response<ChainMsg>, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut consumer = load_consumer(deps.storage, consumer_id)?;
    ensure_manager(&config, &consumer, &info)?;
    if let Some(owner) = &update.owner {
        consumer.owner = Some(deps.api.addr_validate(owner)?);
    }
    match consumer.phase {
        ConsumerPhase::Registered => {
            let old_spawn = consumer.registration.spawn_time;
            apply_registration_update(&mut consumer.registration, update);
            validate_registration(&config, &consumer.registration)?;
            SPAWN_QUEUE.remove(deps.storage, old_spawn.seconds(), consumer_id);
            SPAWN_QUEUE.insert(
                deps.storage,
                consumer.registration.spawn_time.seconds(),
                consumer_id,
            );
        }
        ConsumerPhase::Launched => {
            let others = ConsumerUpdate {
                counterparty_port_id: None,
                owner: None,
                ..update.clone()
            };
            if others != ConsumerUpdate::default() {
                return Err(wrong_phase(&consumer));
            }
            if let Some(port) = update.counterparty_port_id {
                if consumer.channel_id.is_some() {
                    return Err(ContractError::ChannelAlreadyOpen);
                }
                if port.is_empty() {
                    return Err(ContractError::InvalidRegistration(
                        "counterparty_port_id must not be empty".into(),
                    ));
                }
                consumer.registration.counterparty_port_id = Some(port);
            }
        }
        ConsumerPhase::Stopped | ConsumerPhase::Deleted => return Err(wrong_phase(&consumer)),
    }
    CONSUMERS.save(deps.storage, consumer_id, &consumer)?;
    Ok(Response::new()
        .add_attribute("action", "update_consumer")
        .add_attribute("consumer_id", consumer_id.to_string()))
}

fn apply_registration_update(registration: &mut ConsumerRegistration, update: ConsumerUpdate) {
    macro_rules! set {
        ($($field:ident),*) => {$(
            if let Some(value) = update.$field {
                registration.$field = value;
            }
        )*};
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
    ensure_manager(&config, &consumer, &info)?;
    let messages = match consumer.phase {
        ConsumerPhase::Registered => {
            SPAWN_QUEUE.remove(
                deps.storage,
                consumer.registration.spawn_time.seconds(),
                consumer_id,
            );
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
/// is deleted one provider unbonding period later. Returns the channel close message when
/// `close_channel` and the channel is open. Saves the consumer.
pub fn stop(
    storage: &mut dyn Storage,
    config: &Config,
    now: Timestamp,
    consumer: &mut Consumer,
    reason: &str,
    close_channel: bool,
) -> Result<Vec<CosmosMsg<ChainMsg>>, ContractError> {
    consumer.phase = ConsumerPhase::Stopped;
    consumer.stopped_at = Some(now);
    consumer.stop_reason = Some(reason.to_string());
    // A stopped consumer receives no more VSCs: the acks it is owed are dropped.
    take_slash_acks(storage, consumer.id)?;
    LAUNCHED.remove(storage, consumer.id);
    let delete_at = now.plus_seconds(config.unbonding_period_seconds).seconds();
    DELETION_QUEUE.insert(storage, delete_at, consumer.id);
    CONSUMERS.save(storage, consumer.id, consumer)?;
    let mut messages = vec![];
    if close_channel {
        if let Some(channel_id) = &consumer.channel_id {
            messages.push(CosmosMsg::Ibc(IbcMsg::CloseChannel {
                channel_id: channel_id.clone(),
            }));
        }
    }
    Ok(messages)
}

/// The consumer genesis a launch produces, from its registration and what the launch fixed.
fn build_genesis(
    env: &Env,
    config: &Config,
    registration: &ConsumerRegistration,
    record: GenesisRecord,
) -> ConsumerGenesis {
    ConsumerGenesis {
        provider_chain_id: record.provider_chain_id,
        chain_id: registration.chain_id.clone(),
        connection_id: registration.counterparty_connection_id.clone(),
        provider_port_id: format!("wasm.{}", env.contract.address),
        initial_validator_set: record
            .validators
            .into_iter()
            .map(|(pub_key, power)| GenesisValidator {
                pub_key: PublicKey::Ed25519(pub_key),
                power,
            })
            .collect(),
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
        .may_load(storage, &[&consumer.id.to_be_bytes()])?
        .ok_or(ContractError::UnknownConsumer(consumer.id))?;
    Ok(build_genesis(env, config, &consumer.registration, record))
}

/// Launches a due consumer with the current top N as its genesis. Returns false (and changes
/// nothing) when no genesis can be built, e.g. with no eligible validator: the launch is
/// retried at the next epoch.
pub fn launch(
    storage: &mut dyn Storage,
    env: &Env,
    config: &Config,
    consumer_id: u64,
    epoch: &EpochState,
) -> Result<bool, ContractError> {
    let mut consumer = load_consumer(storage, consumer_id)?;
    if consumer.phase != ConsumerPhase::Registered {
        return Ok(false);
    }
    let record = GenesisRecord {
        provider_chain_id: env.block.chain_id.clone(),
        ccv_timeout_seconds: genesis_params(config, &consumer.registration).ccv_timeout_seconds,
        validators: top_n(storage, &epoch.cut)?,
    };
    let genesis = build_genesis(env, config, &consumer.registration, record);
    if genesis.validate().is_err() {
        return Ok(false);
    }
    // Stored compactly: the query rebuilds the same genesis from it and the registration.
    let record = GenesisRecord {
        provider_chain_id: genesis.provider_chain_id,
        ccv_timeout_seconds: genesis.params.ccv_timeout_seconds,
        validators: genesis
            .initial_validator_set
            .into_iter()
            .map(|validator| (validator.pub_key.bytes().to_vec().into(), validator.power))
            .collect(),
    };
    GENESIS.save(storage, &[&consumer_id.to_be_bytes()], &record);
    SPAWN_QUEUE.remove(
        storage,
        consumer.registration.spawn_time.seconds(),
        consumer_id,
    );
    LAUNCHED.insert(storage, consumer_id);
    consumer.phase = ConsumerPhase::Launched;
    consumer.launch_height = Some(env.block.height);
    consumer.launched_at = Some(env.block.time);
    consumer.covered_vsc_id = epoch.epoch_vsc_id;
    CONSUMERS.save(storage, consumer_id, &consumer)?;
    schedule_timeout_check(
        storage,
        env.block.time.plus_seconds(init_timeout(config, &consumer)),
        consumer_id,
    );
    Ok(true)
}
