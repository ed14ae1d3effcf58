//! Configuration: instantiate, the admin's updates (execute and migrate), validation.

use cosmwasm_std::{Addr, Api, Decimal, DepsMut, Env, MessageInfo, Response, Storage};
use cw_ics_bindings::{ChainMsg, ChainQuery};

use crate::error::ContractError;
use crate::msg::{Config, ConfigUpdate, InstantiateMsg, SlashedTokens};
use crate::state::epoch::{EpochState, EPOCH, VSC_HEIGHTS};
use crate::state::slashing::{SlashMeter, SLASH_METER};
use crate::state::staking::validators;
use crate::state::{ADMIN, CONFIG};
use crate::time::{ensure_at_most, TIME_CEILING_SECONDS};

/// The first vscId: 0 is reserved for "the consumer's genesis".
pub const FIRST_VSC_ID: u64 = 1;

/// The largest `max_validators`: with every validator's power at most
/// `MAX_TOTAL_VOTING_POWER / MAX_VALIDATORS_HARD_CAP` (bonds above it are refused), no set the
/// provider sends can sum above CometBFT's maximum total voting power.
pub const MAX_VALIDATORS_HARD_CAP: u32 = 1_000;

pub fn instantiate(
    deps: DepsMut<ChainQuery>,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response<ChainMsg>, ContractError> {
    let admin = match msg.admin {
        Some(admin) => deps.api.addr_validate(&admin)?,
        None => info.sender,
    };
    validate(deps.api, &msg.config)?;
    ADMIN.save(deps.storage, &admin)?;
    CONFIG.save(deps.storage, &msg.config)?;
    SLASH_METER.save(deps.storage, &SlashMeter::initial(env.block.time))?;
    EPOCH.save(
        deps.storage,
        &EpochState::initial(FIRST_VSC_ID, env.block.height),
    )?;
    VSC_HEIGHTS.save(deps.storage, FIRST_VSC_ID, &env.block.height)?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("admin", admin))
}

/// Refuses anyone but the admin.
pub fn ensure_admin(
    storage: &dyn Storage,
    sender: &Addr,
    refusal: &'static str,
) -> Result<(), ContractError> {
    if ADMIN.load(storage)? == *sender {
        Ok(())
    } else {
        Err(ContractError::Unauthorized(refusal))
    }
}

pub fn execute_update(
    deps: DepsMut<ChainQuery>,
    info: MessageInfo,
    update: ConfigUpdate,
) -> Result<Response<ChainMsg>, ContractError> {
    ensure_admin(
        deps.storage,
        &info.sender,
        "only the admin changes the config",
    )?;
    apply_update(deps.storage, deps.api, update)?;
    Ok(Response::new().add_attribute("action", "update_config"))
}

/// Applies an update (from the admin's execute or from migrate) after validating it whole.
pub fn apply_update(
    storage: &mut dyn Storage,
    api: &dyn Api,
    update: ConfigUpdate,
) -> Result<(), ContractError> {
    let mut config = CONFIG.load(storage)?;
    let has_validators = !validators().is_empty(storage);
    let admin = update
        .admin
        .map(|admin| api.addr_validate(&admin))
        .transpose()?;
    if let Some(denom) = update.bond_denom {
        if has_validators && denom != config.bond_denom {
            return Err(ContractError::FrozenParameter("bond_denom"));
        }
        config.bond_denom = denom;
    }
    if let Some(reduction) = update.power_reduction {
        if has_validators && reduction != config.power_reduction {
            return Err(ContractError::FrozenParameter("power_reduction"));
        }
        config.power_reduction = reduction;
    }
    macro_rules! set {
        ($($field:ident),*) => {$(
            if let Some(value) = update.$field {
                config.$field = value;
            }
        )*};
    }
    set!(
        unbonding_period_seconds,
        epoch_length_blocks,
        max_validators,
        consumer_registration,
        ccv_timeout_seconds,
        init_timeout_seconds,
        vsc_timeout_seconds,
        downtime_jail_seconds,
        downtime_slash_fraction,
        double_sign_slash_fraction,
        slashed_tokens,
        wait_for_consumer_maturity,
        max_epoch_work,
        max_unbonding_entries,
        slash_meter_replenish_fraction,
        slash_meter_replenish_period_seconds,
        max_ccv_timeout_seconds,
        max_init_timeout_seconds,
        max_vsc_timeout_seconds,
        max_retry_delay_seconds,
        max_jail_seconds,
        registration_deposit,
        max_pending_registrations_per_owner
    );
    validate(api, &config)?;
    if let Some(admin) = admin {
        ADMIN.save(storage, &admin)?;
    }
    CONFIG.save(storage, &config)?;
    Ok(())
}

/// The rules every configuration keeps, at instantiate and after each update.
fn validate(api: &dyn Api, config: &Config) -> Result<(), ContractError> {
    let invalid = |text: &str| Err(ContractError::InvalidConfig(text.to_string()));
    if config.bond_denom.is_empty() {
        return invalid("bond_denom must not be empty");
    }
    if config.power_reduction.is_zero() {
        return invalid("power_reduction must be above 0");
    }
    for (name, value) in [
        ("unbonding_period_seconds", config.unbonding_period_seconds),
        ("epoch_length_blocks", config.epoch_length_blocks),
        ("max_validators", u64::from(config.max_validators)),
        ("ccv_timeout_seconds", config.ccv_timeout_seconds),
        ("init_timeout_seconds", config.init_timeout_seconds),
        ("vsc_timeout_seconds", config.vsc_timeout_seconds),
        ("max_epoch_work", u64::from(config.max_epoch_work)),
        (
            "max_unbonding_entries",
            u64::from(config.max_unbonding_entries),
        ),
    ] {
        if value == 0 {
            return invalid(&format!("{name} must be above 0"));
        }
    }
    if config.downtime_slash_fraction > Decimal::one()
        || config.double_sign_slash_fraction > Decimal::one()
    {
        return invalid("slash fractions must be at most 1");
    }
    if config.slash_meter_replenish_fraction > Decimal::one() {
        return invalid("slash_meter_replenish_fraction must be at most 1");
    }
    for (name, value) in [
        (
            "slash_meter_replenish_period_seconds",
            config.slash_meter_replenish_period_seconds,
        ),
        (
            "max_pending_registrations_per_owner",
            u64::from(config.max_pending_registrations_per_owner),
        ),
    ] {
        if value == 0 {
            return invalid(&format!("{name} must be above 0"));
        }
    }
    ensure_at_most(
        "max_validators",
        u64::from(config.max_validators),
        u64::from(MAX_VALIDATORS_HARD_CAP),
    )?;
    // Every duration is bounded, the maxima included, so no configured instant can overflow.
    for (name, value) in [
        ("unbonding_period_seconds", config.unbonding_period_seconds),
        (
            "slash_meter_replenish_period_seconds",
            config.slash_meter_replenish_period_seconds,
        ),
        ("max_ccv_timeout_seconds", config.max_ccv_timeout_seconds),
        ("max_init_timeout_seconds", config.max_init_timeout_seconds),
        ("max_vsc_timeout_seconds", config.max_vsc_timeout_seconds),
        ("max_retry_delay_seconds", config.max_retry_delay_seconds),
        ("max_jail_seconds", config.max_jail_seconds),
    ] {
        ensure_at_most(name, value, TIME_CEILING_SECONDS)?;
    }
    for (name, value, max) in [
        (
            "ccv_timeout_seconds",
            config.ccv_timeout_seconds,
            config.max_ccv_timeout_seconds,
        ),
        (
            "init_timeout_seconds",
            config.init_timeout_seconds,
            config.max_init_timeout_seconds,
        ),
        (
            "vsc_timeout_seconds",
            config.vsc_timeout_seconds,
            config.max_vsc_timeout_seconds,
        ),
        (
            "downtime_jail_seconds",
            config.downtime_jail_seconds,
            config.max_jail_seconds,
        ),
    ] {
        ensure_at_most(name, value, max)?;
    }
    if let SlashedTokens::SendTo { address } = &config.slashed_tokens {
        api.addr_validate(address)?;
    }
    Ok(())
}
