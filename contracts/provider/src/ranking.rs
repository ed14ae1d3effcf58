//! The power ranking and the top N (the set every consumer is given).
//!
//! Eligible validators are kept in one index ordered best first (highest power, then lowest
//! consensus address). The top N is not stored per validator: it is every entry whose ranking
//! key sorts before a cut kept in the epoch record, with a count of those entries. A changed
//! validator moves in the index (one delete, one write: its change mark says which power it is
//! ranked at, so nothing else is kept per validator) and the count follows; the cut then moves over as many entries as the count is away from `max_validators`.
//! So re-ranking costs O(changed validators) whether or not the set is full, and no record is
//! written per validator of the set.
//!
//! Everything the ranking moves is reported as a `Candidate` (power before and after); the
//! epoch turns the candidates into the VSC's updates by comparing membership under the cut at
//! the epoch's start and at its end.

use cosmwasm_std::{Binary, Order, StdError, StdResult, Storage};
use cw_ics_ccv::{PublicKey, SortedMap, ValidatorUpdate, CONSENSUS_ADDRESS_LEN};
use cw_ics_store::{record, Table};

use crate::state::{tags, EpochState};

/// (u64::MAX - power, consensus address) → ed25519 key bytes.
const RANKING: Table<Binary> = Table::new(tags::RANKING);

pub type Address = [u8; CONSENSUS_ADDRESS_LEN];

/// A validator whose power or membership may have changed this epoch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub address: Address,
    pub pub_key: Binary,
    /// Ranked power before the move (0: not eligible).
    pub old_power: u64,
    /// Ranked power after the move.
    pub new_power: u64,
}

record!(Candidate {
    address,
    pub_key,
    old_power,
    new_power
});

pub fn address(bytes: &[u8]) -> StdResult<Address> {
    bytes
        .try_into()
        .map_err(|_| StdError::msg("corrupt stored key: consensus address"))
}

fn ranking_key(power: u64, address: &[u8]) -> Vec<u8> {
    [&(u64::MAX - power).to_be_bytes()[..], address].concat()
}

fn in_set(power: u64, address: &[u8], cut: &[u8]) -> bool {
    power > 0 && ranking_key(power, address).as_slice() < cut
}

fn entry_candidate(key: &[u8], pub_key: Binary) -> StdResult<Candidate> {
    let (rank, address_bytes) = key.split_at(key.len().min(8));
    let rank = u64::from_be_bytes(
        rank.try_into()
            .map_err(|_| StdError::msg("corrupt stored key: ranking"))?,
    );
    let power = u64::MAX - rank;
    Ok(Candidate {
        address: address(address_bytes)?,
        pub_key,
        old_power: power,
        new_power: power,
    })
}

/// Moves a validator from `old_power` (0: not ranked), the power the ranking holds it at, to
/// `new_power` (0: no longer eligible).
pub fn rerank(
    storage: &mut dyn Storage,
    epoch: &mut EpochState,
    address: Address,
    pub_key: Binary,
    old_power: u64,
    new_power: u64,
) -> Candidate {
    let candidate = Candidate {
        address,
        pub_key,
        old_power,
        new_power,
    };
    if old_power == new_power {
        return candidate;
    }
    if old_power > 0 {
        if in_set(old_power, &address, &epoch.cut) {
            epoch.active_count = epoch.active_count.saturating_sub(1);
        }
        RANKING.remove(storage, &[&ranking_key(old_power, &address)]);
    }
    if new_power > 0 {
        if in_set(new_power, &address, &epoch.cut) {
            epoch.active_count = epoch.active_count.saturating_add(1);
        }
        RANKING.save(
            storage,
            &[&ranking_key(new_power, &address)],
            &candidate.pub_key,
        );
    }
    candidate
}

/// Moves the cut over one entry towards `max_validators` members; None when the top N is
/// complete (exactly `max_validators` members, or every eligible validator).
pub fn rebalance_step(
    storage: &dyn Storage,
    epoch: &mut EpochState,
    max_validators: u32,
) -> StdResult<Option<Candidate>> {
    if epoch.active_count > max_validators {
        let worst = RANKING
            .range_between(storage, &[], None, Some(&epoch.cut), Order::Descending)
            .next()
            .transpose()?;
        match worst {
            Some((key, pub_key)) => {
                epoch.cut = Binary::new(key.clone());
                epoch.active_count -= 1;
                return entry_candidate(&key, pub_key).map(Some);
            }
            // Nothing before the cut: the count can only be 0 (kept consistent by `rerank`;
            // restoring it here keeps the epoch live rather than stuck on an error).
            None => epoch.active_count = 0,
        }
    }
    if epoch.active_count < max_validators {
        let best_outside = RANKING
            .range_between(storage, &[], Some(&epoch.cut), None, Order::Ascending)
            .next()
            .transpose()?;
        let Some((key, pub_key)) = best_outside else {
            return Ok(None);
        };
        // The smallest key after `key`: ranking keys all have the same length.
        epoch.cut = Binary::new([key.as_slice(), &[0]].concat());
        epoch.active_count += 1;
        return entry_candidate(&key, pub_key).map(Some);
    }
    Ok(None)
}

/// The top N under `cut`, best first.
pub fn top_n(storage: &dyn Storage, cut: &[u8]) -> StdResult<Vec<(Binary, u64)>> {
    RANKING
        .range_between(storage, &[], None, Some(cut), Order::Ascending)
        .map(|entry| {
            let (key, pub_key) = entry?;
            let candidate = entry_candidate(&key, pub_key)?;
            Ok((candidate.pub_key, candidate.new_power))
        })
        .collect()
}

/// Up to `limit` members of the top N under `cut` in consensus-address order, after `after`:
/// (address, key, power). Reads the whole top N (for queries, which are not metered against
/// transactions), so that the epoch keeps no per-validator record in address order.
pub fn top_n_by_address(
    storage: &dyn Storage,
    cut: &[u8],
    after: Option<&[u8]>,
    limit: usize,
) -> StdResult<Vec<(Address, Binary, u64)>> {
    let mut listed = Vec::new();
    for entry in RANKING.range_between(storage, &[], None, Some(cut), Order::Ascending) {
        let (key, pub_key) = entry?;
        let member = entry_candidate(&key, pub_key)?;
        if after.is_none_or(|after| member.address.as_slice() > after) {
            listed.push((member.address, member));
        }
    }
    // An address is ranked once.
    let members = SortedMap::from_entries(listed, |kept, later| *kept = later);
    Ok(members
        .into_iter()
        .map(|(_, member)| member)
        .take(limit)
        .map(|member| (member.address, member.pub_key, member.new_power))
        .collect())
}

/// The updates that take every consumer from the top N under `old_cut` to the one under
/// `new_cut`, in consensus-address order. `candidates` must include every validator that was
/// re-ranked or crossed by the cut since `old_cut`, in the order they were met.
pub fn set_changes(
    candidates: impl IntoIterator<Item = Candidate>,
    old_cut: &[u8],
    new_cut: &[u8],
) -> Vec<(Address, ValidatorUpdate)> {
    // Per validator: power when the epoch started (first record) and now (last record).
    let moves: SortedMap<Address, Candidate> = SortedMap::from_entries(
        candidates
            .into_iter()
            .map(|candidate| (candidate.address, candidate))
            .collect(),
        |seen, later| seen.new_power = later.new_power,
    );
    moves
        .into_iter()
        .filter_map(|(_, moved)| {
            let before = if in_set(moved.old_power, &moved.address, old_cut) {
                moved.old_power
            } else {
                0
            };
            let after = if in_set(moved.new_power, &moved.address, new_cut) {
                moved.new_power
            } else {
                0
            };
            (before != after).then_some((
                moved.address,
                ValidatorUpdate {
                    pub_key: PublicKey::Ed25519(moved.pub_key),
                    power: after,
                },
            ))
        })
        .collect()
}
