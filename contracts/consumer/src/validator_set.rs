//! The replicated validator set: applying changes, its history by vscId, and height → vscId.

use std::collections::BTreeMap;

use cosmwasm_std::{Order, StdResult, Storage};
use cw_ics_ccv::{ConsensusAddress, ValidatorUpdate};
use cw_storage_plus::{Bound, PrefixBound};

use crate::error::ContractError;
use crate::state::{
    Member, Mode, HEIGHT_TO_VSC, MODE, PENDING_DIFF, SET_CHANGES, SET_SIZE, VALIDATORS,
};

/// Stores `members` as the current set, which is the set of vscId 0.
pub fn store_initial_set(storage: &mut dyn Storage, members: Vec<Member>) -> StdResult<()> {
    for member in &members {
        VALIDATORS.save(
            storage,
            member.pub_key.consensus_address().as_bytes(),
            member,
        )?;
    }
    SET_SIZE.save(storage, &(members.len() as u64))
}

/// The updates of one VSC with the last update per key kept, keyed by key bytes.
pub fn merge_updates(updates: &[ValidatorUpdate]) -> BTreeMap<Vec<u8>, &ValidatorUpdate> {
    updates
        .iter()
        .map(|update| (update.pub_key.bytes().to_vec(), update))
        .collect()
}

/// How many validators the set would have after `updates`, without writing anything. Reads
/// one entry per update, whatever the size of the set.
pub fn size_after(
    storage: &dyn Storage,
    updates: &BTreeMap<Vec<u8>, &ValidatorUpdate>,
) -> Result<u64, ContractError> {
    let mut size = SET_SIZE.load(storage)?;
    for update in updates.values() {
        let address = update.pub_key.consensus_address();
        let present = VALIDATORS.has(storage, address.as_bytes());
        if update.power == 0 && present {
            size = size.checked_sub(1).ok_or(ContractError::Overflow)?;
        } else if update.power > 0 && !present {
            size = size.checked_add(1).ok_or(ContractError::Overflow)?;
        }
    }
    Ok(size)
}

/// Writes an already validated change of `vsc_id` leaving `new_size` validators: the current
/// set, the change log, and (when the chain follows this contract) the pending diff. Costs
/// one read and a few writes per update.
pub fn apply_change(
    storage: &mut dyn Storage,
    vsc_id: u64,
    updates: &BTreeMap<Vec<u8>, &ValidatorUpdate>,
    new_size: u64,
) -> Result<(), ContractError> {
    let follows = MODE.load(storage)? == Mode::ValidatorSetUpdater;
    for (key, update) in updates {
        let address = update.pub_key.consensus_address();
        let before = VALIDATORS.may_load(storage, address.as_bytes())?;
        let after = (update.power > 0).then(|| Member {
            pub_key: update.pub_key.clone(),
            power: update.power,
        });
        if before == after {
            continue;
        }
        SET_CHANGES.save(storage, (vsc_id, address.as_bytes()), &before)?;
        match &after {
            Some(member) => VALIDATORS.save(storage, address.as_bytes(), member)?,
            None => VALIDATORS.remove(storage, address.as_bytes()),
        }
        if follows {
            PENDING_DIFF.save(storage, key, &update.power)?;
        }
    }
    SET_SIZE.save(storage, &new_size)?;
    Ok(())
}

/// The set as it stood after `vsc_id` (a vscId this consumer applied, or 0), sorted by key
/// bytes: the current set with every later change rolled back. For queries; its cost grows
/// with the set and the changes since `vsc_id`.
pub fn set_at_vsc(storage: &dyn Storage, vsc_id: u64) -> StdResult<Vec<Member>> {
    let mut by_address: BTreeMap<Vec<u8>, Member> = VALIDATORS
        .range(storage, None, None, Order::Ascending)
        .collect::<StdResult<_>>()?;
    let later = SET_CHANGES
        .prefix_range(
            storage,
            Some(PrefixBound::exclusive(vsc_id)),
            None,
            Order::Descending,
        )
        .collect::<StdResult<Vec<_>>>()?;
    for ((_, address), before) in later {
        match before {
            Some(member) => by_address.insert(address, member),
            None => by_address.remove(&address),
        };
    }
    let mut members: Vec<Member> = by_address.into_values().collect();
    members.sort_by(|a, b| a.pub_key.bytes().cmp(b.pub_key.bytes()));
    Ok(members)
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

/// The member with this consensus address in the current set or in the set of `vsc_id`: the
/// state before the first later change to that validator, if any changed it since.
pub fn find_member(
    storage: &dyn Storage,
    address: &ConsensusAddress,
    vsc_id: u64,
) -> StdResult<Option<Member>> {
    if let Some(member) = VALIDATORS.may_load(storage, address.as_bytes())? {
        return Ok(Some(member));
    }
    for entry in SET_CHANGES.prefix_range(
        storage,
        Some(PrefixBound::exclusive(vsc_id)),
        None,
        Order::Ascending,
    ) {
        let ((_, changed), before) = entry?;
        if changed == address.as_bytes() {
            return Ok(before);
        }
    }
    Ok(None)
}
