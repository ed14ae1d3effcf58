//! What permissionless registration costs: a deposit in the bond denom (returned to the owner
//! when the consumer launches, forfeited like slashed tokens if it is stopped before) and a cap
//! on each owner's registered, not yet launched consumers, counted in an O(1) counter.

use cosmwasm_std::{coin, Addr, BankMsg, Coin, CosmosMsg, MessageInfo, Storage};
use cw_ics_bindings::ChainMsg;

use crate::error::ContractError;
use crate::msg::Config;
use crate::receive::forfeit_message;
use crate::state::consumers::{ConsumerInfo, PENDING_REGISTRATIONS};

/// The deposit a registration attaches: exactly the configured one when `charged`, nothing
/// otherwise (the admin's registrations, or a deposit of 0).
pub fn take(
    config: &Config,
    info: &MessageInfo,
    charged: bool,
) -> Result<Option<Coin>, ContractError> {
    if !charged || config.registration_deposit.is_zero() {
        if !info.funds.is_empty() {
            return Err(ContractError::UnexpectedFunds);
        }
        return Ok(None);
    }
    let expected = coin(config.registration_deposit.u128(), &config.bond_denom);
    if info.funds != [expected.clone()] {
        return Err(ContractError::WrongDeposit { expected });
    }
    Ok(Some(expected))
}

/// Counts one more registered consumer for `owner`, refusing beyond the cap.
pub fn count(
    storage: &mut dyn Storage,
    config: &Config,
    owner: &Addr,
) -> Result<(), ContractError> {
    let held = PENDING_REGISTRATIONS
        .may_load(storage, owner)?
        .unwrap_or_default();
    if held >= config.max_pending_registrations_per_owner {
        return Err(ContractError::TooManyPendingRegistrations {
            owner: owner.clone(),
            max: config.max_pending_registrations_per_owner,
        });
    }
    let held = held.checked_add(1).ok_or(ContractError::Overflow)?;
    PENDING_REGISTRATIONS.save(storage, owner, &held)?;
    Ok(())
}

/// Counts one registered consumer less for `owner` (it launched, stopped or changed hands).
pub fn uncount(storage: &mut dyn Storage, owner: &Addr) -> Result<(), ContractError> {
    match PENDING_REGISTRATIONS.may_load(storage, owner)? {
        Some(held) if held > 1 => PENDING_REGISTRATIONS.save(storage, owner, &(held - 1))?,
        _ => PENDING_REGISTRATIONS.remove(storage, owner),
    }
    Ok(())
}

/// At launch: the deposit back to the owner.
pub fn refund(info: &mut ConsumerInfo) -> Option<CosmosMsg<ChainMsg>> {
    let owner = info.owner.clone()?;
    let deposit = info.deposit.take()?;
    Some(
        BankMsg::Send {
            to_address: owner.to_string(),
            amount: vec![deposit],
        }
        .into(),
    )
}

/// Stopped before launch: the deposit goes where slashed tokens go.
pub fn forfeit(config: &Config, info: &mut ConsumerInfo) -> Option<CosmosMsg<ChainMsg>> {
    let deposit = info.deposit.take()?;
    Some(forfeit_message(&config.slashed_tokens, deposit))
}
