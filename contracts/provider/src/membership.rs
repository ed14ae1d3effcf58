//! Who served on a consumer, and when: the consumer-validator check of slash packets.
//!
//! Every consumer is given the same set (the top N), so the history is global: the epoch
//! writes one record per stretch a validator spends in the top N, where it enters or leaves
//! (O(changes), nothing in a quiet epoch), and the set a consumer applied with VSC `v` is the
//! top N as epoch `v` computed it; a consumer's genesis (vscId 0) holds the top N of the epoch
//! it launched in. A slash packet is judged with one lookup ([`served_on`]), which is the one
//! place per-consumer sets will change.

use cosmwasm_std::{Order, StdResult, Storage};
use cw_ics_ccv::ConsensusAddress;
use cw_storage_plus::Bound;

use crate::error::ContractError;
use crate::ranking::SetMove;
use crate::state::consumers::{ConsumerInfo, ConsumerLink};
use crate::state::epoch::SET_MEMBERSHIP;

/// What the epoch's moves did to the top N.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SetChange {
    /// Power of the members after the moves, summed over the moved validators.
    pub added: u128,
    /// Power of the members before the moves, summed over the moved validators.
    pub removed: u128,
    /// Records written (entries and exits; a power change writes none).
    pub written: u32,
}

/// Records the epoch's entries into and exits from the top N; returns the change of the set's
/// total power and the records written.
pub fn record_moves(
    storage: &mut dyn Storage,
    epoch_vsc_id: u64,
    moves: &[SetMove],
) -> Result<SetChange, ContractError> {
    let mut change = SetChange::default();
    for moved in moves {
        change.added = change
            .added
            .checked_add(u128::from(moved.after))
            .ok_or(ContractError::Overflow)?;
        change.removed = change
            .removed
            .checked_add(u128::from(moved.before))
            .ok_or(ContractError::Overflow)?;
        let address = moved.address.as_bytes();
        if moved.before == 0 && moved.after > 0 {
            SET_MEMBERSHIP.save(storage, (address, epoch_vsc_id), &u64::MAX)?;
            change.written = change.written.saturating_add(1);
        } else if moved.before > 0 && moved.after == 0 {
            // The open stretch is the latest one (a validator is in the set once at a time).
            let latest = SET_MEMBERSHIP
                .prefix(address)
                .range(storage, None, None, Order::Descending)
                .next()
                .transpose()?;
            if let Some((from, u64::MAX)) = latest {
                SET_MEMBERSHIP.save(storage, (address, from), &epoch_vsc_id)?;
                change.written = change.written.saturating_add(1);
            }
        }
    }
    Ok(change)
}

/// The epoch vscId whose top N the consumer applied when it reported `vsc_id` (its genesis for
/// 0). A vscId the consumer was never sent (above its last sent, or below its launch vscId) is
/// refused, as the Go provider refuses a slash whose vscId it cannot map.
pub fn set_vsc_id(
    info: &ConsumerInfo,
    link: &ConsumerLink,
    vsc_id: u64,
) -> Result<u64, ContractError> {
    let launch_vsc_id = info
        .launch_vsc_id
        .ok_or(ContractError::UnknownVscId(vsc_id))?;
    if vsc_id == 0 {
        return Ok(launch_vsc_id);
    }
    if vsc_id < launch_vsc_id || vsc_id > link.last_sent_vsc_id {
        return Err(ContractError::UnknownVscId(vsc_id));
    }
    Ok(vsc_id)
}

/// Whether the validator with `address` was in the set `consumer_id` applied with the epoch
/// vscId `set_vsc_id` (see [`set_vsc_id`]). One reverse seek.
pub fn served_on(
    storage: &dyn Storage,
    _consumer_id: u64,
    address: &ConsensusAddress,
    set_vsc_id: u64,
) -> StdResult<bool> {
    let stretch = SET_MEMBERSHIP
        .prefix(address.as_bytes())
        .range(
            storage,
            None,
            Some(Bound::inclusive(set_vsc_id)),
            Order::Descending,
        )
        .next()
        .transpose()?;
    Ok(stretch.is_some_and(|(from, until)| from <= set_vsc_id && set_vsc_id < until))
}
