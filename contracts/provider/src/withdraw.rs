//! `withdraw`: pays out a staker's released unbonding entries, after applying the slashes
//! still pending on them, and frees their slots under the entry cap.

use cosmwasm_std::{
    coin, Addr, BankMsg, DepsMut, Env, MessageInfo, Order, Response, StdResult, Storage, Uint128,
};
use cw_ics_bindings::{ChainMsg, ChainQuery};

use crate::entry_slash::WithdrawCuts;
use crate::error::ContractError;
use crate::maturity::{is_released, lowest_floor};
use crate::receive::slashed_tokens_message;
use crate::staking::refuse_funds;
use crate::state::staking::{
    UnbondingEntry, UNBONDINGS, UNBONDINGS_BY_VALIDATOR, UNBONDING_COUNTS,
};
use crate::state::CONFIG;

/// Entries `Withdraw { entry_ids: None }` looks at, and the most ids `Withdraw` takes.
pub const WITHDRAW_SCAN_LIMIT: usize = 100;

pub fn withdraw(
    deps: DepsMut<ChainQuery>,
    env: Env,
    info: MessageInfo,
    entry_ids: Option<Vec<u64>>,
) -> Result<Response<ChainMsg>, ContractError> {
    refuse_funds(&info)?;
    let config = CONFIG.load(deps.storage)?;
    let staker = &info.sender;
    let lowest = lowest_floor(deps.storage)?;
    let mut paid = Paid::default();
    match entry_ids {
        Some(ids) => {
            if ids.len() > WITHDRAW_SCAN_LIMIT {
                return Err(ContractError::TooManyEntryIds {
                    given: ids.len(),
                    max: WITHDRAW_SCAN_LIMIT,
                });
            }
            for id in ids {
                // Loaded one at a time, after the previous ones were removed: an id given twice
                // is unknown the second time.
                let entry = UNBONDINGS
                    .may_load(deps.storage, (staker, id))?
                    .ok_or(ContractError::UnknownUnbonding(id))?;
                if !is_released(&config, &env, lowest, id, &entry) {
                    return Err(ContractError::NotReleased(id));
                }
                paid.pay(deps.storage, staker, id, &entry)?;
            }
        }
        None => {
            let entries = UNBONDINGS
                .prefix(staker)
                .range(deps.storage, None, None, Order::Ascending)
                .take(WITHDRAW_SCAN_LIMIT)
                .collect::<StdResult<Vec<_>>>()?;
            for (id, entry) in entries {
                if is_released(&config, &env, lowest, id, &entry) {
                    paid.pay(deps.storage, staker, id, &entry)?;
                }
            }
        }
    }
    if paid.ids.is_empty() {
        return Err(ContractError::NothingToWithdraw);
    }
    paid.free_slots(deps.storage, staker)?;
    let mut response = Response::new()
        .add_attribute("action", "withdraw")
        .add_attribute("staker", staker.clone())
        .add_attribute("entries", paid.ids.join(","))
        .add_attribute("amount", paid.total)
        .add_events(paid.cuts.events());
    if !paid.total.is_zero() {
        response = response.add_message(BankMsg::Send {
            to_address: info.sender.into_string(),
            amount: vec![coin(paid.total.u128(), &config.bond_denom)],
        });
    }
    if !paid.cuts.total.is_zero() {
        response = response
            .add_attribute("slashed", paid.cuts.total)
            .add_message(slashed_tokens_message(
                &config.slashed_tokens,
                &config.bond_denom,
                paid.cuts.total,
            ));
    }
    Ok(response)
}

/// What a withdrawal pays, the slots it frees and the pending slashes it applies.
#[derive(Default)]
struct Paid {
    ids: Vec<String>,
    total: Uint128,
    /// Entries paid per validator (a withdrawal pays at most 100: a linear search is enough).
    freed: Vec<(Addr, u32)>,
    cuts: WithdrawCuts,
}

impl Paid {
    /// Applies the pending slashes to a released entry, deletes it and its index key, and adds
    /// what is left to the payment.
    fn pay(
        &mut self,
        storage: &mut dyn Storage,
        staker: &Addr,
        id: u64,
        entry: &UnbondingEntry,
    ) -> Result<(), ContractError> {
        let balance = self.cuts.apply(storage, id, entry)?;
        UNBONDINGS.remove(storage, (staker, id));
        UNBONDINGS_BY_VALIDATOR.remove(storage, (&entry.validator, entry.created_height, id));
        self.total = self.total.checked_add(balance)?;
        self.ids.push(id.to_string());
        match self.freed.iter_mut().find(|(v, _)| *v == entry.validator) {
            Some((_, freed)) => *freed = freed.saturating_add(1),
            None => self.freed.push((entry.validator.clone(), 1)),
        }
        Ok(())
    }

    /// Gives the paid entries' slots back to their (staker, validator) pairs.
    fn free_slots(&self, storage: &mut dyn Storage, staker: &Addr) -> StdResult<()> {
        for (validator, freed) in &self.freed {
            let key = (staker, validator);
            let held = UNBONDING_COUNTS.may_load(storage, key)?.unwrap_or(0);
            match held.saturating_sub(*freed) {
                0 => UNBONDING_COUNTS.remove(storage, key),
                left => UNBONDING_COUNTS.save(storage, key, &left)?,
            }
        }
        Ok(())
    }
}
