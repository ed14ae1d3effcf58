//! The stake ledger: validators, delegations (as shares), unbonding entries, jail.

use cosmwasm_std::{
    Addr, Decimal, DepsMut, Env, MessageInfo, Response, StdResult, Storage, Timestamp, Uint128,
    Uint256,
};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use cw_ics_ccv::{PublicKey, MAX_TOTAL_VOTING_POWER};

use crate::config::MAX_VALIDATORS_HARD_CAP;
use crate::entry_slash;
use crate::error::ContractError;
use crate::msg::Config;
use crate::state::epoch::{ChangeMark, CHANGE_MARKS, EPOCH};
use crate::state::staking::{
    validators, Stake, UnbondingEntry, Validator, DELEGATIONS, NEXT_UNBONDING_ID, STAKES,
    UNBONDINGS, UNBONDINGS_BY_VALIDATOR, UNBONDING_COUNTS,
};
use crate::state::{next_id, CONFIG};

/// The most power one validator may have: with at most `MAX_VALIDATORS_HARD_CAP` validators in
/// a set, no set the provider sends sums above CometBFT's maximum total voting power.
pub const MAX_POWER: u64 = MAX_TOTAL_VOTING_POWER / MAX_VALIDATORS_HARD_CAP as u64;
const MAX_MONIKER_LEN: usize = 70;

/// Power as stake gives it: 0 while jailed or tombstoned.
pub fn validator_power(config: &Config, stake: &Stake) -> u64 {
    if stake.tombstoned || stake.jailed_until.is_some() {
        return 0;
    }
    let power = stake.tokens.u128() / config.power_reduction.u128().max(1);
    u64::try_from(power).unwrap_or(u64::MAX).min(MAX_POWER)
}

/// A validator's stake, loaded to be changed. Every change to a validator's power or
/// eligibility is saved through it, once per message, so the next epoch re-ranks the validator.
pub struct StakeChange {
    pub operator: Addr,
    pub pub_key: PublicKey,
    pub stake: Stake,
    /// The power of the stake as stored before this change.
    power_before: u64,
}

impl StakeChange {
    pub fn new(config: &Config, operator: Addr, pub_key: PublicKey, stake: Stake) -> Self {
        StakeChange {
            power_before: validator_power(config, &stake),
            operator,
            pub_key,
            stake,
        }
    }

    pub fn load(
        storage: &dyn Storage,
        config: &Config,
        operator: Addr,
    ) -> Result<Self, ContractError> {
        let validator = load_validator(storage, &operator)?;
        let stake = STAKES.load(storage, &operator)?;
        Ok(Self::new(config, operator, validator.pub_key, stake))
    }

    /// Stores the stake and, when the ranking must move, the validator's change mark. The mark
    /// keeps the power the ranking holds the validator at: from an earlier mark if there is one,
    /// else the power before this change (an unmarked validator is ranked at its stored power;
    /// `power_reduction` cannot change once a validator exists).
    pub fn save(&self, storage: &mut dyn Storage, config: &Config) -> StdResult<()> {
        STAKES.save(storage, &self.operator, &self.stake)?;
        let address = self.pub_key.consensus_address();
        let power = validator_power(config, &self.stake);
        let ranked_power = match CHANGE_MARKS.may_load(storage, address.as_bytes())? {
            Some(mark) => mark.ranked_power,
            None if power == self.power_before => return Ok(()),
            None => self.power_before,
        };
        CHANGE_MARKS.save(
            storage,
            address.as_bytes(),
            &ChangeMark {
                pub_key: self.pub_key.clone(),
                ranked_power,
                power,
            },
        )
    }
}

pub fn load_validator(storage: &dyn Storage, operator: &Addr) -> Result<Validator, ContractError> {
    validators()
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

pub(crate) fn refuse_funds(info: &MessageInfo) -> Result<(), ContractError> {
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
    if validators().has(deps.storage, &info.sender) {
        return Err(ContractError::AlreadyValidator);
    }
    let address = pub_key.consensus_address();
    let index = &validators().idx.consensus_address;
    if index
        .item(deps.storage, address.as_bytes().to_vec())?
        .is_some()
    {
        return Err(ContractError::DuplicateConsensusKey);
    }
    let validator = Validator {
        pub_key: pub_key.clone(),
        moniker,
        commission,
    };
    // Nothing is stored under the operator yet: no old record to reload.
    validators().replace(deps.storage, &info.sender, Some(&validator), None)?;
    let config = CONFIG.load(deps.storage)?;
    StakeChange::new(&config, info.sender.clone(), pub_key, Stake::default())
        .save(deps.storage, &config)?;
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
    let stored = load_validator(deps.storage, &info.sender)?;
    let mut validator = stored.clone();
    if let Some(moniker) = moniker {
        validator.moniker = moniker;
    }
    if let Some(commission) = commission {
        validator.commission = commission;
    }
    validate_description(&validator.moniker, validator.commission)?;
    // Power is unchanged: no re-evaluation needed.
    validators().replace(deps.storage, &info.sender, Some(&validator), Some(&stored))?;
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
    let mut change = StakeChange::load(deps.storage, &config, operator.clone())?;
    let stake = &mut change.stake;
    let new_shares = if stake.shares.is_zero() {
        amount
    } else if stake.tokens.is_zero() {
        return Err(ContractError::ValidatorWipedOut);
    } else {
        amount.checked_multiply_ratio(stake.shares, stake.tokens)?
    };
    if new_shares.is_zero() {
        return Err(ContractError::BondTooSmall);
    }
    stake.tokens = stake.tokens.checked_add(amount)?;
    stake.shares = stake.shares.checked_add(new_shares)?;
    if stake.tokens.u128() / config.power_reduction.u128() > u128::from(MAX_POWER) {
        return Err(ContractError::PowerTooLarge { max: MAX_POWER });
    }
    let key = (&info.sender, &operator);
    let shares = DELEGATIONS.may_load(deps.storage, key)?.unwrap_or_default();
    DELEGATIONS.save(deps.storage, key, &shares.checked_add(new_shares)?)?;
    change.save(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "bond")
        .add_attribute("staker", info.sender)
        .add_attribute("validator", operator)
        .add_attribute("amount", amount))
}

/// What `shares` of a validator are worth now.
pub fn shares_value(stake: &Stake, shares: Uint128) -> Result<Uint128, ContractError> {
    if stake.shares.is_zero() {
        return Ok(Uint128::zero());
    }
    Ok(shares.checked_multiply_ratio(stake.tokens, stake.shares)?)
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
    let mut change = StakeChange::load(deps.storage, &config, operator.clone())?;
    let stake = &mut change.stake;
    let key = (&info.sender, &operator);
    let entries = UNBONDING_COUNTS.may_load(deps.storage, key)?.unwrap_or(0);
    if entries >= config.max_unbonding_entries {
        return Err(ContractError::TooManyUnbondingEntries {
            max: config.max_unbonding_entries,
        });
    }
    let held = DELEGATIONS.may_load(deps.storage, key)?.unwrap_or_default();
    let available = shares_value(stake, held)?;
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
        ceil_ratio(amount, stake.shares, stake.tokens)?.min(held)
    };
    stake.tokens = stake.tokens.checked_sub(amount)?;
    stake.shares = stake.shares.checked_sub(removed)?;
    let remaining = held.checked_sub(removed)?;
    if remaining.is_zero() {
        DELEGATIONS.remove(deps.storage, key);
    } else {
        DELEGATIONS.save(deps.storage, key, &remaining)?;
    }
    change.save(deps.storage, &config)?;

    let mut epoch = EPOCH.load(deps.storage)?;
    let id = next_id(deps.storage, &NEXT_UNBONDING_ID)?;
    let entry = UnbondingEntry {
        validator: operator.clone(),
        initial_amount: amount,
        balance: amount,
        created_height: env.block.height,
        vsc_id: epoch.current_vsc_id,
        completes_at: crate::time::after(env.block.time, config.unbonding_period_seconds)?,
    };
    UNBONDINGS.save(deps.storage, (&info.sender, id), &entry)?;
    UNBONDING_COUNTS.save(deps.storage, key, &entries.saturating_add(1))?;
    UNBONDINGS_BY_VALIDATOR.save(
        deps.storage,
        (&operator, entry.created_height, id),
        &info.sender,
    )?;
    epoch.latest_unbonding_vsc_id = entry.vsc_id;
    EPOCH.save(deps.storage, &epoch)?;
    Ok(Response::new()
        .add_attribute("action", "unbond")
        .add_attribute("staker", info.sender)
        .add_attribute("validator", operator)
        .add_attribute("amount", amount)
        .add_attribute("unbonding_id", id.to_string())
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

pub fn unjail(
    deps: DepsMut<ChainQuery>,
    env: Env,
    info: MessageInfo,
) -> Result<Response<ChainMsg>, ContractError> {
    refuse_funds(&info)?;
    let config = CONFIG.load(deps.storage)?;
    let mut change = StakeChange::load(deps.storage, &config, info.sender.clone())?;
    if change.stake.tombstoned {
        return Err(ContractError::Tombstoned);
    }
    let until = change.stake.jailed_until.ok_or(ContractError::NotJailed)?;
    if env.block.time < until {
        return Err(ContractError::StillJailed(until));
    }
    change.stake.jailed_until = None;
    change.save(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "unjail")
        .add_attribute("operator", info.sender))
}

/// Jails a validator until `until` (keeping a later release time if it is already jailed).
/// The caller saves the stake.
pub fn jail(stake: &mut Stake, until: Timestamp) {
    stake.jailed_until = Some(match stake.jailed_until {
        Some(current) if current > until => current,
        _ => until,
    });
}

/// Takes `fraction` of the validator's bonded tokens at once and returns what it took; the
/// validator's unbonding entries created at or after `infraction_height` (0: all of them) are
/// cut by an entry-slash job (`entry_slash`), which burns or sends their share as it cuts them.
/// O(1): the job is recorded only if such an entry exists. The stake is left for the caller to
/// save.
pub fn slash(
    storage: &mut dyn Storage,
    change: &mut StakeChange,
    fraction: Decimal,
    infraction_height: u64,
) -> Result<Uint128, ContractError> {
    if fraction.is_zero() {
        return Ok(Uint128::zero());
    }
    let stake = &mut change.stake;
    let taken = stake.tokens.checked_mul_floor(fraction)?;
    stake.tokens = stake.tokens.checked_sub(taken)?;
    entry_slash::record(storage, &change.operator, fraction, infraction_height)?;
    Ok(taken)
}
