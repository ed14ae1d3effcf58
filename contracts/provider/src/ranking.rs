//! The power ranking and the top N (the set every consumer is given).
//!
//! Eligible validators are kept in one index ordered best first (highest power, then lowest
//! consensus address). The top N is not stored per validator: it is every entry at or before a
//! rank kept in the epoch record (`last_member`), with a count of those entries. A changed
//! validator moves in the index (one delete, one write: its change mark says which power it is
//! ranked at, so nothing else is kept per validator) and the count follows; the boundary then
//! moves over as many entries as the count is away from `max_validators`. So re-ranking costs
//! O(changed validators) whether or not the set is full, and no record is written per
//! validator of the set.
//!
//! Everything the ranking moves is reported as a `Candidate` (power before and after); the
//! epoch turns the candidates into the VSC's updates by comparing membership under the boundary
//! at the epoch's start and at its end.

use cosmwasm_std::{Empty, Order, StdError, StdResult, Storage};
use cw_ics_ccv::{ConsensusAddress, PublicKey, SortedMap, ValidatorUpdate};
use cw_storage_plus::Bound;

use crate::state::epoch::{Candidate, EpochState, Rank, RANKING};
use crate::state::staking::validators;

/// Whether a validator ranked at `power` is in the top N that ends at `last_member`.
fn in_set(power: u64, address: ConsensusAddress, last_member: Option<Rank>) -> bool {
    power > 0 && last_member.is_some_and(|last| Rank { power, address } <= last)
}

/// The consensus key of the registered validator with this address.
pub fn consensus_key(storage: &dyn Storage, address: ConsensusAddress) -> StdResult<PublicKey> {
    let (_, validator) = validators()
        .idx
        .consensus_address
        .item(storage, address.as_bytes().to_vec())?
        .ok_or_else(|| {
            StdError::msg(format!(
                "corrupt state: ranked validator {address} is not registered"
            ))
        })?;
    Ok(validator.pub_key)
}

/// A ranking entry as the candidate it is when the boundary crosses it (its power unchanged).
fn crossed(storage: &dyn Storage, key: (u64, Vec<u8>)) -> StdResult<Candidate> {
    let rank = Rank::from_key(key)?;
    Ok(Candidate {
        address: rank.address,
        pub_key: consensus_key(storage, rank.address)?,
        old_power: rank.power,
        new_power: rank.power,
    })
}

/// Moves a validator from `old_power` (0: not ranked), the power the ranking holds it at, to
/// `new_power` (0: no longer eligible).
pub fn rerank(
    storage: &mut dyn Storage,
    epoch: &mut EpochState,
    address: ConsensusAddress,
    pub_key: PublicKey,
    old_power: u64,
    new_power: u64,
) -> StdResult<Candidate> {
    if old_power != new_power {
        if old_power > 0 {
            if in_set(old_power, address, epoch.last_member) {
                epoch.active_count = epoch.active_count.saturating_sub(1);
            }
            let old_rank = Rank {
                power: old_power,
                address,
            };
            RANKING.remove(storage, old_rank.key());
        }
        if new_power > 0 {
            if in_set(new_power, address, epoch.last_member) {
                epoch.active_count = epoch.active_count.saturating_add(1);
            }
            let new_rank = Rank {
                power: new_power,
                address,
            };
            RANKING.save(storage, new_rank.key(), &Empty {})?;
        }
    }
    Ok(Candidate {
        address,
        pub_key,
        old_power,
        new_power,
    })
}

/// Moves the boundary over one entry towards `max_validators` members; None when the top N is
/// complete (exactly `max_validators` members, or every eligible validator).
pub fn rebalance_step(
    storage: &dyn Storage,
    epoch: &mut EpochState,
    max_validators: u32,
) -> StdResult<Option<Candidate>> {
    if epoch.active_count > max_validators {
        if let Some(last) = epoch.last_member {
            // The worst member leaves; the entry before it becomes the last member.
            let mut members = RANKING.keys(
                storage,
                None,
                Some(Bound::inclusive(last.key())),
                Order::Descending,
            );
            if let Some(key) = members.next().transpose()? {
                epoch.last_member = members
                    .next()
                    .transpose()?
                    .map(Rank::from_key)
                    .transpose()?;
                epoch.active_count -= 1;
                return crossed(storage, key).map(Some);
            }
        }
        // Nobody at or before the boundary: the count can only be 0 (kept consistent by
        // `rerank`; restoring it here keeps the epoch live rather than stuck on an error).
        epoch.active_count = 0;
    }
    if epoch.active_count < max_validators {
        let after_last = epoch
            .last_member
            .as_ref()
            .map(|last| Bound::exclusive(last.key()));
        let best_outside = RANKING
            .keys(storage, after_last, None, Order::Ascending)
            .next()
            .transpose()?;
        let Some(key) = best_outside else {
            return Ok(None);
        };
        let joining = crossed(storage, key)?;
        epoch.last_member = Some(Rank {
            power: joining.new_power,
            address: joining.address,
        });
        epoch.active_count += 1;
        return Ok(Some(joining));
    }
    Ok(None)
}

/// The top N ending at `last_member`, best first.
pub fn top_n(storage: &dyn Storage, last_member: Option<Rank>) -> StdResult<Vec<Rank>> {
    let Some(last) = last_member else {
        return Ok(vec![]);
    };
    RANKING
        .keys(
            storage,
            None,
            Some(Bound::inclusive(last.key())),
            Order::Ascending,
        )
        .map(|key| Rank::from_key(key?))
        .collect()
}

/// Up to `limit` members of the top N ending at `last_member`, in consensus-address order,
/// after `after`, with their keys. Reads the whole top N (for queries, which are not metered
/// against transactions), so that the epoch keeps no per-validator record in address order.
pub fn top_n_by_address(
    storage: &dyn Storage,
    last_member: Option<Rank>,
    after: Option<&[u8]>,
    limit: usize,
) -> StdResult<Vec<(Rank, PublicKey)>> {
    let listed = top_n(storage, last_member)?
        .into_iter()
        .filter(|rank| after.is_none_or(|after| rank.address.as_bytes() > after))
        .map(|rank| (rank.address, rank))
        .collect();
    // An address is ranked once.
    let members = SortedMap::from_entries(listed, |kept, later| *kept = later);
    members
        .into_iter()
        .take(limit)
        .map(|(address, rank)| Ok((rank, consensus_key(storage, address)?)))
        .collect()
}

/// A validator whose power in the top N differs between two boundaries (0: not a member).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetMove {
    pub address: ConsensusAddress,
    pub pub_key: PublicKey,
    pub before: u64,
    pub after: u64,
}

impl SetMove {
    /// The update that takes a consumer's set over this move.
    pub fn update(&self) -> ValidatorUpdate {
        ValidatorUpdate {
            pub_key: self.pub_key.clone(),
            power: self.after,
        }
    }
}

/// The moves that take every consumer from the top N ending at `old_last` to the one ending
/// at `new_last`, in consensus-address order. `candidates` must include every validator that
/// was re-ranked or crossed by the boundary since `old_last`, in the order they were met.
pub fn set_moves(
    candidates: impl IntoIterator<Item = Candidate>,
    old_last: Option<Rank>,
    new_last: Option<Rank>,
) -> Vec<SetMove> {
    // Per validator: power when the epoch started (first record) and now (last record).
    let moves: SortedMap<ConsensusAddress, Candidate> = SortedMap::from_entries(
        candidates
            .into_iter()
            .map(|candidate| (candidate.address, candidate))
            .collect(),
        |seen, later| seen.new_power = later.new_power,
    );
    moves
        .into_iter()
        .filter_map(|(address, moved)| {
            let before = if in_set(moved.old_power, address, old_last) {
                moved.old_power
            } else {
                0
            };
            let after = if in_set(moved.new_power, address, new_last) {
                moved.new_power
            } else {
                0
            };
            (before != after).then_some(SetMove {
                address,
                pub_key: moved.pub_key,
                before,
                after,
            })
        })
        .collect()
}
