//! The replicated validator set: applying changes, its history by vscId, and height → vscId.

use std::collections::BTreeMap;

use cosmwasm_std::{Order, StdResult, Storage};
use cw_ics_ccv::{ConsensusAddress, ValidatorUpdate};
use cw_storage_plus::Bound;

use crate::error::ContractError;
use crate::state::{Member, Mode, HEIGHT_TO_VSC, MODE, PENDING_DIFF, SET_AT_VSC, VALIDATORS};

/// Stores `members` as the current set and as the set of `vsc_id` (the genesis set is vscId 0).
pub fn store_initial_set(storage: &mut dyn Storage, members: Vec<Member>) -> StdResult<()> {
    let mut sorted = members;
    sorted.sort_by(|a, b| a.pub_key.bytes().cmp(b.pub_key.bytes()));
    for member in &sorted {
        VALIDATORS.save(
            storage,
            member.pub_key.consensus_address().as_bytes(),
            member,
        )?;
    }
    SET_AT_VSC.save(storage, 0, &sorted)
}

/// The updates of one VSC with the last update per key kept, keyed by key bytes.
pub fn merge_updates(updates: &[ValidatorUpdate]) -> BTreeMap<Vec<u8>, &ValidatorUpdate> {
    updates
        .iter()
        .map(|update| (update.pub_key.bytes().to_vec(), update))
        .collect()
}

/// The set after applying `updates` to the set of `last_vsc_id`, without writing anything.
pub fn next_set(
    storage: &dyn Storage,
    last_vsc_id: u64,
    updates: &BTreeMap<Vec<u8>, &ValidatorUpdate>,
) -> StdResult<Vec<Member>> {
    let mut by_key: BTreeMap<Vec<u8>, Member> = SET_AT_VSC
        .load(storage, last_vsc_id)?
        .into_iter()
        .map(|member| (member.pub_key.bytes().to_vec(), member))
        .collect();
    for (key, update) in updates {
        if update.power == 0 {
            by_key.remove(key);
        } else {
            by_key.insert(
                key.clone(),
                Member {
                    pub_key: update.pub_key.clone(),
                    power: update.power,
                },
            );
        }
    }
    Ok(by_key.into_values().collect())
}

/// Writes an already validated change: the current set, the set of `vsc_id`, and (when the
/// chain follows this contract) the pending diff.
pub fn apply_change(
    storage: &mut dyn Storage,
    vsc_id: u64,
    updates: &BTreeMap<Vec<u8>, &ValidatorUpdate>,
    new_set: &[Member],
) -> Result<(), ContractError> {
    let follows = MODE.load(storage)? == Mode::ValidatorSetUpdater;
    for (key, update) in updates {
        let address = update.pub_key.consensus_address();
        if update.power == 0 {
            VALIDATORS.remove(storage, address.as_bytes());
        } else {
            VALIDATORS.save(
                storage,
                address.as_bytes(),
                &Member {
                    pub_key: update.pub_key.clone(),
                    power: update.power,
                },
            )?;
        }
        if follows {
            PENDING_DIFF.save(storage, key, &update.power)?;
        }
    }
    SET_AT_VSC.save(storage, vsc_id, &new_set.to_vec())?;
    Ok(())
}

/// Records that `vsc_id` is in force from `height` on.
pub fn record_vsc_from_height(
    storage: &mut dyn Storage,
    height: u64,
    vsc_id: u64,
) -> StdResult<()> {
    HEIGHT_TO_VSC.save(storage, height, &vsc_id)
}

/// The vscId in force at `height`: the last change at or below it; 0 before instantiation.
pub fn vsc_id_at(storage: &dyn Storage, height: u64) -> StdResult<u64> {
    let found = HEIGHT_TO_VSC
        .range(
            storage,
            None,
            Some(Bound::inclusive(height)),
            Order::Descending,
        )
        .next()
        .transpose()?;
    Ok(found.map(|(_, vsc_id)| vsc_id).unwrap_or(0))
}

/// The member with this consensus address in the current set or in the set of `vsc_id`.
pub fn find_member(
    storage: &dyn Storage,
    address: &ConsensusAddress,
    vsc_id: u64,
) -> StdResult<Option<Member>> {
    if let Some(member) = VALIDATORS.may_load(storage, address.as_bytes())? {
        return Ok(Some(member));
    }
    let historical = SET_AT_VSC.may_load(storage, vsc_id)?.unwrap_or_default();
    Ok(historical
        .into_iter()
        .find(|member| member.pub_key.consensus_address() == *address))
}
