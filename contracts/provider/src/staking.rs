//! The stake ledger: validators, delegations (as shares), unbonding entries, jail.

use cosmwasm_std::{
    coin, Addr, BankMsg, Binary, Decimal, DepsMut, Env, MessageInfo, Order, Response, StdError,
    StdResult, Storage, Timestamp, Uint128, Uint256,
};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use cw_ics_ccv::PublicKey;

use crate::error::ContractError;
use crate::maturity::is_released;
use crate::state::{
    addr_part, next_cell_id, ChangeMark, Config, UnbondingEntry, Validator, CHANGED, CONFIG,
    DELEGATIONS, EPOCH, LAUNCHED, NEXT_UNBONDING_ID, OPERATOR_BY_CONS_ADDR, UNBONDINGS, VALIDATORS,
    VALIDATOR_UNBONDINGS,
};

/// CometBFT's limit on a validator's power (MaxTotalVotingPower / 8 keeps sums safe too).
pub const MAX_POWER: u64 = (i64::MAX as u64) / 8;
/// Entries `Withdraw { entry_ids: None }` looks at.
pub const WITHDRAW_SCAN_LIMIT: usize = 100;
const MAX_MONIKER_LEN: usize = 70;

/// Power as stake gives it: 0 while jailed or tombstoned.
pub fn validator_power(config: &Config, validator: &Validator) -> u64 {
    if validator.tombstoned || validator.jailed_until.is_some() {
        return 0;
    }
    token_power(config, validator.tokens)
}

fn token_power(config: &Config, tokens: Uint128) -> u64 {
    let power = tokens.u128() / config.power_reduction.u128().max(1);
    u64::try_from(power).unwrap_or(u64::MAX).min(MAX_POWER)
}

/// Stores a validator and marks it for re-ranking at the next epoch: every change to a
/// validator's power or eligibility goes through here, once per message. The mark keeps the
/// power the ranking holds the validator at: from an earlier mark if there is one, else the
/// stored record's (an unmarked validator is ranked at its record's power; `power_reduction`
/// cannot change once a validator exists).
pub fn save_validator(
    storage: &mut dyn Storage,
    config: &Config,
    validator: &Validator,
) -> StdResult<()> {
    let address = validator.pub_key.consensus_address();
    let key: [&[u8]; 1] = [address.as_bytes()];
    let ranked_power = match CHANGED.may_load(storage, &key)? {
        Some(mark) => mark.ranked_power,
        None => VALIDATORS
            .may_load(storage, &validator.operator)?
            .map_or(0, |stored| validator_power(config, &stored)),
    };
    VALIDATORS.save(storage, validator);
    CHANGED.save(
        storage,
        &key,
        &ChangeMark {
            pub_key: Binary::from(validator.pub_key.bytes()),
            ranked_power,
            power: validator_power(config, validator),
        },
    );
    Ok(())
}

pub fn load_validator(storage: &dyn Storage, operator: &Addr) -> Result<Validator, ContractError> {
    VALIDATORS
        .may_load(storage, operator)?
        .ok_or_else(|| ContractError::UnknownValidator(operator.to_string()))
}

fn validate_description(moniker: &str, commission: Decimal) -> Result<(), ContractError> {
    if moniker.is_empty() || moniker.len() > MAX_MONIKER_LEN {
        return Err(ContractError::InvalidConfig(format!(
            "moniker must be 1 to {MAX_MONIKER_LEN} bytes"
        )));
    }
    if commission > Decimal::one() {
        return Err(ContractError::InvalidCommission);
    }
    Ok(())
}

fn refuse_funds(info: &MessageInfo) -> Result<(), ContractError> {
    if info.funds.is_empty() {
        Ok(())
    } else {
        Err(ContractError::UnexpectedFunds)
    }
}

pub fn register_validator(
    deps: DepsMut<ChainQuery>,
    info: MessageInfo,
    pub_key: PublicKey,
    moniker: String,
    commission: Decimal,
) -> Result<Response<ChainMsg>, ContractError> {
    refuse_funds(&info)?;
    pub_key.validate()?;
    validate_description(&moniker, commission)?;
    if VALIDATORS.has(deps.storage, &info.sender) {
        return Err(ContractError::AlreadyValidator);
    }
    let address = pub_key.consensus_address();
    if OPERATOR_BY_CONS_ADDR.has(deps.storage, address.as_bytes()) {
        return Err(ContractError::DuplicateConsensusKey);
    }
    let validator = Validator {
        operator: info.sender.clone(),
        pub_key,
        moniker,
        commission,
        tokens: Uint128::zero(),
        shares: Uint128::zero(),
        jailed_until: None,
        tombstoned: false,
    };
    let config = CONFIG.load(deps.storage)?;
    save_validator(deps.storage, &config, &validator)?;
    OPERATOR_BY_CONS_ADDR.save(deps.storage, address.as_bytes(), &info.sender);
    Ok(Response::new()
        .add_attribute("action", "register_validator")
        .add_attribute("operator", info.sender)
        .add_attribute("consensus_address", address.to_string()))
}

pub fn edit_validator(
    deps: DepsMut<ChainQuery>,
    info: MessageInfo,
    moniker: Option<String>,
    commission: Option<Decimal>,
) -> Result<Response<ChainMsg>, ContractError> {
    refuse_funds(&info)?;
    let mut validator = load_validator(deps.storage, &info.sender)?;
    if let Some(moniker) = moniker {
        validator.moniker = moniker;
    }
    if let Some(commission) = commission {
        validator.commission = commission;
    }
    validate_description(&validator.moniker, validator.commission)?;
    // Power is unchanged: no re-evaluation needed.
    VALIDATORS.save(deps.storage, &validator);
    Ok(Response::new()
        .add_attribute("action", "edit_validator")
        .add_attribute("operator", info.sender))
}

fn bonded_amount(config: &Config, info: &MessageInfo) -> Result<Uint128, ContractError> {
    let invalid = || ContractError::InvalidFunds {
        denom: config.bond_denom.clone(),
    };
    match info.funds.as_slice() {
        [sent] if sent.denom == config.bond_denom && !sent.amount.is_zero() => {
            Uint128::try_from(sent.amount).map_err(|_| invalid())
        }
        _ => Err(invalid()),
    }
}

pub fn bond(
    deps: DepsMut<ChainQuery>,
    info: MessageInfo,
    validator: String,
) -> Result<Response<ChainMsg>, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let amount = bonded_amount(&config, &info)?;
    let operator = deps.api.addr_validate(&validator)?;
    let mut validator = load_validator(deps.storage, &operator)?;
    let new_shares = if validator.shares.is_zero() {
        amount
    } else if validator.tokens.is_zero() {
        return Err(ContractError::ValidatorWipedOut);
    } else {
        amount.checked_multiply_ratio(validator.shares, validator.tokens)?
    };
    if new_shares.is_zero() {
        return Err(ContractError::BondTooSmall);
    }
    validator.tokens = validator.tokens.checked_add(amount)?;
    validator.shares = validator.shares.checked_add(new_shares)?;
    if validator.tokens.u128() / config.power_reduction.u128() > u128::from(MAX_POWER) {
        return Err(ContractError::PowerTooLarge);
    }
    let staker = addr_part(&info.sender)?;
    let key = [&staker[..], operator.as_bytes()];
    let shares = DELEGATIONS
        .may_load(deps.storage, &key)?
        .unwrap_or_default();
    DELEGATIONS.save(deps.storage, &key, &shares.checked_add(new_shares)?);
    save_validator(deps.storage, &config, &validator)?;
    Ok(Response::new()
        .add_attribute("action", "bond")
        .add_attribute("staker", info.sender)
        .add_attribute("validator", operator)
        .add_attribute("amount", amount))
}

/// What `shares` of a validator are worth now.
pub fn shares_value(validator: &Validator, shares: Uint128) -> Result<Uint128, ContractError> {
    if validator.shares.is_zero() {
        return Ok(Uint128::zero());
    }
    Ok(shares.checked_multiply_ratio(validator.tokens, validator.shares)?)
}

pub fn unbond(
    deps: DepsMut<ChainQuery>,
    env: Env,
    info: MessageInfo,
    validator: String,
    amount: Uint128,
) -> Result<Response<ChainMsg>, ContractError> {
    refuse_funds(&info)?;
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    let config = CONFIG.load(deps.storage)?;
    let operator = deps.api.addr_validate(&validator)?;
    let mut validator = load_validator(deps.storage, &operator)?;
    let staker = addr_part(&info.sender)?;
    let key = [&staker[..], operator.as_bytes()];
    let held = DELEGATIONS
        .may_load(deps.storage, &key)?
        .unwrap_or_default();
    let available = shares_value(&validator, held)?;
    if amount > available {
        return Err(ContractError::InsufficientDelegation {
            requested: amount,
            available,
        });
    }
    // Shares are rounded up against the staker; unbonding everything takes every share.
    let removed = if amount == available {
        held
    } else {
        ceil_ratio(amount, validator.shares, validator.tokens)?.min(held)
    };
    validator.tokens = validator.tokens.checked_sub(amount)?;
    validator.shares = validator.shares.checked_sub(removed)?;
    let remaining = held.checked_sub(removed)?;
    if remaining.is_zero() {
        DELEGATIONS.remove(deps.storage, &key);
    } else {
        DELEGATIONS.save(deps.storage, &key, &remaining);
    }
    save_validator(deps.storage, &config, &validator)?;

    let mut epoch = EPOCH.load(deps.storage)?;
    let waiting_on = LAUNCHED.all(deps.storage)?;
    let entry = UnbondingEntry {
        id: next_cell_id(deps.storage, &NEXT_UNBONDING_ID)?,
        staker: info.sender.clone(),
        validator: operator.clone(),
        initial_amount: amount,
        balance: amount,
        created_height: env.block.height,
        vsc_id: epoch.current_vsc_id,
        completes_at: env.block.time.plus_seconds(config.unbonding_period_seconds),
        waiting_on,
    };
    UNBONDINGS.save(deps.storage, &entry)?;
    VALIDATOR_UNBONDINGS.save(
        deps.storage,
        &[&validator_unbonding_key(
            &operator,
            entry.created_height,
            entry.id,
        )?],
        &info.sender,
    );
    epoch.latest_unbonding_vsc_id = entry.vsc_id;
    EPOCH.save(deps.storage, &epoch)?;
    Ok(Response::new()
        .add_attribute("action", "unbond")
        .add_attribute("staker", info.sender)
        .add_attribute("validator", operator)
        .add_attribute("amount", amount)
        .add_attribute("unbonding_id", entry.id.to_string())
        .add_attribute("vsc_id", entry.vsc_id.to_string()))
}

/// `value * numerator / denominator`, rounded up.
fn ceil_ratio(
    value: Uint128,
    numerator: Uint128,
    denominator: Uint128,
) -> Result<Uint128, ContractError> {
    if denominator.is_zero() {
        return Err(ContractError::Overflow);
    }
    let product = Uint256::from(value).checked_mul(Uint256::from(numerator))?;
    let denominator = Uint256::from(denominator);
    let quotient = product
        .checked_div(denominator)
        .map_err(|_| ContractError::Overflow)?;
    let rounded = if (quotient * denominator) == product {
        quotient
    } else {
        quotient.checked_add(Uint256::one())?
    };
    Uint128::try_from(rounded).map_err(|_| ContractError::Overflow)
}

pub fn withdraw(
    deps: DepsMut<ChainQuery>,
    env: Env,
    info: MessageInfo,
    entry_ids: Option<Vec<u64>>,
) -> Result<Response<ChainMsg>, ContractError> {
    refuse_funds(&info)?;
    let config = CONFIG.load(deps.storage)?;
    let mut total = Uint128::zero();
    let mut withdrawn = Vec::new();
    match entry_ids {
        Some(ids) => {
            for id in ids {
                // Loaded one at a time, after the previous ones were removed: an id given twice
                // is unknown the second time.
                let entry = UNBONDINGS
                    .may_load(deps.storage, &info.sender, id)?
                    .ok_or(ContractError::UnknownUnbonding(id))?;
                if !is_released(deps.storage, &config, &env, &entry)? {
                    return Err(ContractError::NotReleased(id));
                }
                total = total.checked_add(remove_entry(deps.storage, &entry)?)?;
                withdrawn.push(id.to_string());
            }
        }
        None => {
            for entry in UNBONDINGS.page(deps.storage, &info.sender, None, WITHDRAW_SCAN_LIMIT)? {
                if is_released(deps.storage, &config, &env, &entry)? {
                    total = total.checked_add(remove_entry(deps.storage, &entry)?)?;
                    withdrawn.push(entry.id.to_string());
                }
            }
        }
    }
    if withdrawn.is_empty() {
        return Err(ContractError::NothingToWithdraw);
    }
    let mut response = Response::new()
        .add_attribute("action", "withdraw")
        .add_attribute("staker", info.sender.clone())
        .add_attribute("entries", withdrawn.join(","))
        .add_attribute("amount", total);
    if !total.is_zero() {
        response = response.add_message(BankMsg::Send {
            to_address: info.sender.into_string(),
            amount: vec![coin(total.u128(), config.bond_denom)],
        });
    }
    Ok(response)
}

pub fn unjail(
    deps: DepsMut<ChainQuery>,
    env: Env,
    info: MessageInfo,
) -> Result<Response<ChainMsg>, ContractError> {
    refuse_funds(&info)?;
    let mut validator = load_validator(deps.storage, &info.sender)?;
    if validator.tombstoned {
        return Err(ContractError::Tombstoned);
    }
    let until = validator.jailed_until.ok_or(ContractError::NotJailed)?;
    if env.block.time < until {
        return Err(ContractError::StillJailed(until));
    }
    validator.jailed_until = None;
    let config = CONFIG.load(deps.storage)?;
    save_validator(deps.storage, &config, &validator)?;
    Ok(Response::new()
        .add_attribute("action", "unjail")
        .add_attribute("operator", info.sender))
}

/// Deletes a paid entry and its index key; returns what it pays.
fn remove_entry(storage: &mut dyn Storage, entry: &UnbondingEntry) -> StdResult<Uint128> {
    UNBONDINGS.remove(storage, &entry.staker, entry.id)?;
    VALIDATOR_UNBONDINGS.remove(
        storage,
        &[&validator_unbonding_key(
            &entry.validator,
            entry.created_height,
            entry.id,
        )?],
    );
    Ok(entry.balance)
}

/// The key of an entry in `VALIDATOR_UNBONDINGS`.
fn validator_unbonding_key(validator: &Addr, created_height: u64, id: u64) -> StdResult<Vec<u8>> {
    Ok([
        addr_part(validator)?,
        created_height.to_be_bytes().to_vec(),
        id.to_be_bytes().to_vec(),
    ]
    .concat())
}

/// Jails a validator until `until` (keeping a later release time if it is already jailed).
/// The caller saves the validator.
pub fn jail(validator: &mut Validator, until: Timestamp) {
    validator.jailed_until = Some(match validator.jailed_until {
        Some(current) if current > until => current,
        _ => until,
    });
}

/// Takes `fraction` of the validator's bonded tokens and of its unbonding entries created at or
/// after `infraction_height`; returns the total taken. Cost grows with those entries only.
/// The entries are saved here; the validator is left for the caller to save.
pub fn slash(
    storage: &mut dyn Storage,
    validator: &mut Validator,
    fraction: Decimal,
    infraction_height: u64,
) -> Result<Uint128, ContractError> {
    if fraction.is_zero() {
        return Ok(Uint128::zero());
    }
    let mut taken = validator.tokens.checked_mul_floor(fraction)?;
    validator.tokens = validator.tokens.checked_sub(taken)?;
    let operator = addr_part(&validator.operator)?;
    let entries = VALIDATOR_UNBONDINGS
        .range_between(
            storage,
            &[&operator],
            Some(&infraction_height.to_be_bytes()),
            None,
            Order::Ascending,
        )
        .collect::<StdResult<Vec<_>>>()?;
    for (height_and_id, staker) in entries {
        let id = height_and_id
            .get(8..)
            .and_then(|id| <[u8; 8]>::try_from(id).ok())
            .map(u64::from_be_bytes)
            .ok_or_else(|| StdError::msg("corrupt unbonding index key"))?;
        if let Some(mut entry) = UNBONDINGS.may_load(storage, &staker, id)? {
            let cut = entry.balance.checked_mul_floor(fraction)?;
            entry.balance = entry.balance.checked_sub(cut)?;
            taken = taken.checked_add(cut)?;
            UNBONDINGS.save(storage, &entry)?;
        }
    }
    Ok(taken)
}
