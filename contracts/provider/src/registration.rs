//! Consumer registration and updates by the admin or the consumer's owner: validation against
//! the provider's bounds, the deposit and per-owner cap of permissionless registration,
//! infraction parameters, and the index the channel handshake finds a launched consumer by.

use cosmwasm_std::{DepsMut, Empty, Env, MessageInfo, Response, StdResult, Storage};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use cw_ics_ccv::ConsensusAddress;

use crate::consumers::{ensure_manager, genesis_params, load_consumer, wrong_phase};
use crate::error::ContractError;
use crate::msg::{Config, ConsumerPhase, ConsumerRegistration, ConsumerUpdate, RegistrationPolicy};
use crate::state::consumers::{
    Consumer, ConsumerInfo, ConsumerLink, CHANNEL_OPENINGS, NEXT_CONSUMER_ID, SPAWN_QUEUE,
};
use crate::state::{next_id, ADMIN, CONFIG};
use crate::time::ensure_at_most;
use crate::{deposit, infraction};

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
            launch_floor: None,
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
    if consumer.info.owner != old_owner {
        if let Some(owner) = &consumer.info.owner {
            response = response.add_attribute("owner", owner.to_string());
        }
    }
    consumer.save(deps.storage)?;
    Ok(response)
}

/// Lets the channel handshake find a launched consumer without a channel (when its
/// registration names the counterparty port).
pub(crate) fn open_opening(storage: &mut dyn Storage, consumer: &Consumer) -> StdResult<()> {
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
