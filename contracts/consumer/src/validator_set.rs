//! The replicated validator set: applying changes, its history by vscId, and height → vscId.

use cosmwasm_std::{Order, StdError, StdResult, Storage};
use cw_ics_ccv::{ConsensusAddress, PublicKey, SortedMap, ValidatorUpdate, MAX_TOTAL_VOTING_POWER};
use cw_storage_plus::Bound;

use crate::error::ContractError;
use crate::state::{
    Member, SetChange, SetTotals, HEIGHT_TO_VSC, KEYS, LAST_VSC_ID, MEMBERS, SET_CHANGES,
    SET_TOTALS,
};

/// Stores `validators` (key, power; validated, distinct, powers above 0, total within
/// CometBFT's maximum) as the current set, which is the set of vscId 0.
pub fn store_initial_set(
    storage: &mut dyn Storage,
    validators: &[(PublicKey, u64)],
) -> Result<(), ContractError> {
    let mut totals = SetTotals::default();
    for (key, power) in validators {
        totals.size = totals.size.checked_add(1).ok_or(ContractError::Overflow)?;
        totals.power = totals
            .power
            .checked_add(*power)
            .filter(|total| *total <= MAX_TOTAL_VOTING_POWER)
            .ok_or(ContractError::TotalPowerAboveMaximum)?;
        let address = key.consensus_address();
        KEYS.save(storage, address.as_bytes(), key)?;
        MEMBERS.save(
            storage,
            address.as_bytes(),
            &Member {
                power: *power,
                window: None,
            },
        )?;
    }
    Ok(SET_TOTALS.save(storage, &totals)?)
}

/// The updates of one VSC with the last update per key kept, in key order.
pub fn merge_updates(updates: &[ValidatorUpdate]) -> SortedMap<&PublicKey, u64> {
    SortedMap::from_entries(
        updates
            .iter()
            .map(|update| (&update.pub_key, update.power))
            .collect(),
        |kept, later| *kept = later,
    )
}

/// One validator's change, planned before anything is written.
struct PlannedChange {
    key: PublicKey,
    address: ConsensusAddress,
    /// The member as it is now (`None`: not in the set).
    before: Option<Member>,
    /// The new power (0: leaves the set).
    power: u64,
}

/// A VSC's effect on the set, checked but not yet written.
pub struct SetPlan {
    changes: Vec<PlannedChange>,
    before: SetTotals,
    pub after: SetTotals,
}

/// Reads one record per update (whatever the size of the set) and works out what `updates`
/// change, without writing anything. Updates that leave a validator as it is are dropped. A
/// set whose total power would exceed CometBFT's maximum is refused, as CometBFT would refuse
/// it.
pub fn plan_change(
    storage: &dyn Storage,
    updates: SortedMap<&PublicKey, u64>,
) -> Result<SetPlan, ContractError> {
    let before_totals = SET_TOTALS.load(storage)?;
    let mut after = before_totals;
    let mut changes = Vec::with_capacity(updates.len());
    for (key, power) in updates {
        let address = key.consensus_address();
        let before = MEMBERS.may_load(storage, address.as_bytes())?;
        let power_before = before.as_ref().map_or(0, |member| member.power);
        if power_before == power {
            continue;
        }
        if power == 0 {
            after.size = after.size.checked_sub(1).ok_or(ContractError::Overflow)?;
        } else if before.is_none() {
            after.size = after.size.checked_add(1).ok_or(ContractError::Overflow)?;
        }
        // Powers are below the maximum (the packet decoder refuses others), so the sum of two
        // cannot overflow before the check.
        after.power = after
            .power
            .checked_sub(power_before)
            .and_then(|total| total.checked_add(power))
            .ok_or(ContractError::Overflow)?;
        changes.push(PlannedChange {
            key: key.clone(),
            address,
            before,
            power,
        });
    }
    if after.power > MAX_TOTAL_VOTING_POWER {
        return Err(ContractError::TotalPowerAboveMaximum);
    }
    Ok(SetPlan {
        changes,
        before: before_totals,
        after,
    })
}

/// Writes a planned change of `vsc_id`: one record per changed validator (two for one that
/// joins) and one change-log record for the whole VSC. A member keeps its liveness window
/// across power changes; a validator that leaves takes its window with it.
pub fn apply_change(storage: &mut dyn Storage, vsc_id: u64, plan: SetPlan) -> StdResult<()> {
    let mut log = Vec::with_capacity(plan.changes.len());
    for change in plan.changes {
        let address = change.address.as_bytes();
        let power_before = change.before.as_ref().map_or(0, |member| member.power);
        if change.power == 0 {
            MEMBERS.remove(storage, address);
            KEYS.remove(storage, address);
        } else {
            if change.before.is_none() {
                KEYS.save(storage, address, &change.key)?;
            }
            let member = Member {
                power: change.power,
                window: change.before.and_then(|member| member.window),
            };
            MEMBERS.save(storage, address, &member)?;
        }
        log.push(SetChange {
            key: change.key,
            before: power_before,
            after: change.power,
        });
    }
    if !log.is_empty() {
        SET_CHANGES.save(storage, vsc_id, &log)?;
    }
    if plan.after != plan.before {
        SET_TOTALS.save(storage, &plan.after)?;
    }
    Ok(())
}

/// The changes of every VSC after `vsc_id`, in `order` of vscId.
pub fn changes_after(
    storage: &dyn Storage,
    vsc_id: u64,
    order: Order,
) -> impl Iterator<Item = StdResult<(u64, Vec<SetChange>)>> + '_ {
    SET_CHANGES.range(storage, Some(Bound::exclusive(vsc_id)), None, order)
}

/// The change-log records after `vsc_id`, oldest first, for the hand-over to the chain. The
/// record of the last VSC applied, usually the only one since the last hand-over, is a point
/// read: a range pays for the record it opens on and again for the step onto it.
pub fn changes_since(storage: &dyn Storage, vsc_id: u64) -> StdResult<Vec<(u64, Vec<SetChange>)>> {
    let last = LAST_VSC_ID.load(storage)?;
    if last <= vsc_id {
        return Ok(vec![]);
    }
    let mut records = SET_CHANGES
        .range(
            storage,
            Some(Bound::exclusive(vsc_id)),
            Some(Bound::exclusive(last)),
            Order::Ascending,
        )
        .collect::<StdResult<Vec<_>>>()?;
    if let Some(changes) = SET_CHANGES.may_load(storage, last)? {
        records.push((last, changes));
    }
    Ok(records)
}

/// The current set, key → power, in key order: the keys and the members are ranged side by
/// side (both are keyed by consensus address).
pub fn current_powers(storage: &dyn Storage) -> StdResult<SortedMap<PublicKey, u64>> {
    let keys = KEYS.range(storage, None, None, Order::Ascending);
    let members = MEMBERS.range(storage, None, None, Order::Ascending);
    let powers = keys
        .zip(members)
        .map(|(key, member)| {
            let ((key_address, key), (member_address, member)) = (key?, member?);
            if key_address != member_address {
                return Err(StdError::msg(
                    "corrupt state: the set's keys and members differ",
                ));
            }
            Ok((key, member.power))
        })
        .collect::<StdResult<Vec<_>>>()?;
    // Keys are unique in the set.
    Ok(SortedMap::from_entries(powers, |kept, later| *kept = later))
}

/// The set as it stood after `vsc_id` (a vscId this consumer applied, or 0), key → power in key
/// order: the current set with every later change rolled back. For queries; its cost grows with
/// the set and the changes since `vsc_id`.
pub fn set_at_vsc(storage: &dyn Storage, vsc_id: u64) -> StdResult<SortedMap<PublicKey, u64>> {
    let mut powers = current_powers(storage)?;
    for entry in changes_after(storage, vsc_id, Order::Descending) {
        let (_, changes) = entry?;
        for change in changes {
            if change.before == 0 {
                powers.remove(&change.key);
            } else {
                powers.insert(change.key, change.before);
            }
        }
    }
    Ok(powers)
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

/// The power of the validator with this consensus address in the current set or in the set of
/// `vsc_id`: the power before the first later change to that validator, if any changed it since.
pub fn find_member_power(
    storage: &dyn Storage,
    address: &ConsensusAddress,
    vsc_id: u64,
) -> StdResult<Option<u64>> {
    if let Some(member) = MEMBERS.may_load(storage, address.as_bytes())? {
        return Ok(Some(member.power));
    }
    for entry in changes_after(storage, vsc_id, Order::Ascending) {
        let (_, changes) = entry?;
        if let Some(change) = changes
            .iter()
            .find(|change| change.key.consensus_address() == *address)
        {
            return Ok((change.before > 0).then_some(change.before));
        }
    }
    Ok(None)
}
