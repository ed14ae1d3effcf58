//! Configuration: instantiate, the admin's updates (execute and migrate), validation.

use cosmwasm_std::{Api, Decimal, DepsMut, Env, MessageInfo, Response, Storage};
use cw_ics_bindings::{ChainMsg, ChainQuery};

use crate::error::ContractError;
use crate::msg::{ConfigUpdate, InstantiateMsg, SlashedTokens};
use crate::state::{Config, EpochState, CONFIG, EPOCH, VALIDATORS, VSC_HEIGHTS};

/// Default units of epoch work per call.
pub const DEFAULT_MAX_EPOCH_WORK: u32 = 200;
/// The first vscId: 0 is reserved for "the consumer's genesis".
pub const FIRST_VSC_ID: u64 = 1;

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
    let config = Config {
        admin,
        bond_denom: msg.bond_denom,
        power_reduction: msg.power_reduction,
        unbonding_period_seconds: msg.unbonding_period_seconds,
        epoch_length_blocks: msg.epoch_length_blocks,
        max_validators: msg.max_validators,
        consumer_registration: msg.consumer_registration,
        ccv_timeout_seconds: msg.ccv_timeout_seconds,
        init_timeout_seconds: msg.init_timeout_seconds,
        vsc_timeout_seconds: msg.vsc_timeout_seconds,
        downtime_jail_seconds: msg.downtime_jail_seconds,
        downtime_slash_fraction: msg.downtime_slash_fraction,
        double_sign_slash_fraction: msg.double_sign_slash_fraction,
        slashed_tokens: validate_destination(deps.api, msg.slashed_tokens)?,
        wait_for_consumer_maturity: msg.wait_for_consumer_maturity,
        max_epoch_work: msg.max_epoch_work.unwrap_or(DEFAULT_MAX_EPOCH_WORK),
    };
    validate(&config)?;
    CONFIG.save(deps.storage, &config);
    EPOCH.save(
        deps.storage,
        &EpochState::initial(FIRST_VSC_ID, env.block.height),
    )?;
    VSC_HEIGHTS.save(deps.storage, FIRST_VSC_ID, env.block.height);
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("admin", config.admin))
}

pub fn execute_update(
    deps: DepsMut<ChainQuery>,
    info: MessageInfo,
    update: ConfigUpdate,
) -> Result<Response<ChainMsg>, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if info.sender != config.admin {
        return Err(ContractError::Unauthorized(
            "only the admin changes the config",
        ));
    }
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
    let has_validators = !VALIDATORS.is_empty(storage);
    if let Some(admin) = update.admin {
        config.admin = api.addr_validate(&admin)?;
    }
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
        wait_for_consumer_maturity,
        max_epoch_work
    );
    if let Some(destination) = update.slashed_tokens {
        config.slashed_tokens = validate_destination(api, destination)?;
    }
    validate(&config)?;
    CONFIG.save(storage, &config);
    Ok(())
}

fn validate_destination(
    api: &dyn Api,
    destination: SlashedTokens,
) -> Result<SlashedTokens, ContractError> {
    Ok(match destination {
        SlashedTokens::Burn {} => SlashedTokens::Burn {},
        SlashedTokens::SendTo { address } => SlashedTokens::SendTo {
            address: api.addr_validate(&address)?.into_string(),
        },
    })
}

fn validate(config: &Config) -> Result<(), ContractError> {
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
    Ok(())
}
