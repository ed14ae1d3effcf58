//! The replicated validator set: applying changes, its history by vscId, and height → vscId.

use cosmwasm_std::{Order, StdResult, Storage};
use cw_ics_ccv::{ConsensusAddress, PacketError, PublicKey, SortedMap, ValidatorUpdate};

use crate::error::ContractError;
use crate::state::{
    be_u64, KeyBytes, Member, SetChange, HEIGHT_TO_VSC, MEMBERS, SET_CHANGES, SET_SIZE,
};

/// The consensus address of an ed25519 key.
pub fn address_of(key: &KeyBytes) -> ConsensusAddress {
    PublicKey::Ed25519(key.to_vec().into()).consensus_address()
}

/// The 32 bytes of a key that was validated when its packet or genesis was decoded.
fn key_bytes(key: &PublicKey) -> Result<KeyBytes, ContractError> {
    KeyBytes::try_from(key.bytes())
        .map_err(|_| PacketError::InvalidKeyLength(key.bytes().len()).into())
}

/// Stores `validators` (key, power; validated, distinct, powers above 0) as the current set,
/// which is the set of vscId 0.
pub fn store_initial_set(
    storage: &mut dyn Storage,
    validators: &[(PublicKey, u64)],
) -> Result<(), ContractError> {
    for (key, power) in validators {
        let key = key_bytes(key)?;
        let address = address_of(&key);
        MEMBERS.save(
            storage,
            &[address.as_bytes()],
            &Member {
                key,
                power: *power,
                window: None,
            },
        );
    }
    SET_SIZE.save(storage, &(validators.len() as u64));
    Ok(())
}

/// The updates of one VSC with the last update per key kept, keyed by key bytes.
pub fn merge_updates(updates: &[ValidatorUpdate]) -> SortedMap<Vec<u8>, &ValidatorUpdate> {
    SortedMap::from_entries(
        updates
            .iter()
            .map(|update| (update.pub_key.bytes().to_vec(), update))
            .collect(),
        |kept, later| *kept = later,
    )
}

/// One validator's change, planned before anything is written.
struct PlannedChange {
    address: ConsensusAddress,
    key: KeyBytes,
    /// The member as it is now (`None`: not in the set).
    before: Option<Member>,
    /// The new power (0: leaves the set).
    power: u64,
}

/// A VSC's effect on the set, checked but not yet written.
pub struct SetPlan {
    changes: Vec<PlannedChange>,
    size_before: u64,
    pub size_after: u64,
}

/// Reads one record per update (whatever the size of the set) and works out what `updates`
/// change, without writing anything. Updates that leave a validator as it is are dropped.
pub fn plan_change(
    storage: &dyn Storage,
    updates: &SortedMap<Vec<u8>, &ValidatorUpdate>,
) -> Result<SetPlan, ContractError> {
    let size_before = SET_SIZE.load(storage)?;
    let mut size_after = size_before;
    let mut changes = Vec::with_capacity(updates.len());
    for update in updates.values() {
        let key = key_bytes(&update.pub_key)?;
        let address = address_of(&key);
        let before = MEMBERS.may_load(storage, &[address.as_bytes()])?;
        let power_before = before.as_ref().map_or(0, |member| member.power);
        if power_before == update.power {
            continue;
        }
        if update.power == 0 {
            size_after = size_after.checked_sub(1).ok_or(ContractError::Overflow)?;
        } else if before.is_none() {
            size_after = size_after.checked_add(1).ok_or(ContractError::Overflow)?;
        }
        changes.push(PlannedChange {
            address,
            key,
            before,
            power: update.power,
        });
    }
    Ok(SetPlan {
        changes,
        size_before,
        size_after,
    })
}

/// Writes a planned change of `vsc_id`: one record per changed validator and one change-log
/// record for the whole VSC. A member keeps its liveness window across power changes; a
/// validator that leaves takes its window with it.
pub fn apply_change(storage: &mut dyn Storage, vsc_id: u64, plan: SetPlan) {
    let mut log = Vec::with_capacity(plan.changes.len());
    for change in plan.changes {
        let address = [change.address.as_bytes()];
        let power_before = change.before.as_ref().map_or(0, |member| member.power);
        if change.power == 0 {
            MEMBERS.remove(storage, &address);
        } else {
            let member = Member {
                key: change.key,
                power: change.power,
                window: change.before.and_then(|member| member.window),
            };
            MEMBERS.save(storage, &address, &member);
        }
        log.push(SetChange {
            key: change.key,
            before: power_before,
            after: change.power,
        });
    }
    if !log.is_empty() {
        SET_CHANGES.save(storage, &[&vsc_id.to_be_bytes()], &log);
    }
    if plan.size_after != plan.size_before {
        SET_SIZE.save(storage, &plan.size_after);
    }
}

/// The changes of every VSC after `vsc_id`, oldest first.
pub fn changes_after(
    storage: &dyn Storage,
    vsc_id: u64,
    order: Order,
) -> impl Iterator<Item = StdResult<(u64, Vec<SetChange>)>> + '_ {
    let min = vsc_id.checked_add(1).map(u64::to_be_bytes);
    let ranged: Box<dyn Iterator<Item = _>> = match min {
        Some(min) => SET_CHANGES.range_between(storage, &[], Some(&min), None, order),
        None => Box::new(std::iter::empty()),
    };
    ranged.map(|entry| {
        let (key, changes) = entry?;
        Ok((be_u64(&key)?, changes))
    })
}

/// The current set, key → power, in key order.
pub fn current_powers(storage: &dyn Storage) -> StdResult<SortedMap<KeyBytes, u64>> {
    let powers = MEMBERS
        .range(storage, &[], Order::Ascending)
        .map(|entry| entry.map(|(_, member)| (member.key, member.power)))
        .collect::<StdResult<Vec<_>>>()?;
    // Keys are unique in the set.
    Ok(SortedMap::from_entries(powers, |kept, later| *kept = later))
}

/// The set as it stood after `vsc_id` (a vscId this consumer applied, or 0), key → power in key
/// order: the current set with every later change rolled back. For queries; its cost grows with
/// the set and the changes since `vsc_id`.
pub fn set_at_vsc(storage: &dyn Storage, vsc_id: u64) -> StdResult<SortedMap<KeyBytes, u64>> {
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
pub fn record_vsc_from_height(storage: &mut dyn Storage, height: u64, vsc_id: u64) {
    HEIGHT_TO_VSC.save(storage, &[&height.to_be_bytes()], &vsc_id);
}

/// The vscId in force at `height`: the last change at or below it; 0 before instantiation.
pub fn vsc_id_at(storage: &dyn Storage, height: u64) -> StdResult<u64> {
    let above = height.checked_add(1).map(u64::to_be_bytes);
    let found = HEIGHT_TO_VSC
        .range_between(
            storage,
            &[],
            None,
            above.as_ref().map(|bytes| &bytes[..]),
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
    if let Some(member) = MEMBERS.may_load(storage, &[address.as_bytes()])? {
        return Ok(Some(member.power));
    }
    for entry in changes_after(storage, vsc_id, Order::Ascending) {
        let (_, changes) = entry?;
        if let Some(change) = changes.iter().find(|c| address_of(&c.key) == *address) {
            return Ok((change.before > 0).then_some(change.before));
        }
    }
    Ok(None)
}
