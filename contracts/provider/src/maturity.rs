//! Bond-based consumer safety: when an unbonding entry may leave the provider.
//!
//! An entry is released once the provider's unbonding period has passed and every consumer
//! that was running when the entry was created, and still runs, has matured a vscId at or after
//! the entry's. Nothing is copied into the entry: each launched consumer sits in one index
//! (`MATURITY`) at its *floor*, a place in (vscId, entry id) order below which it holds no
//! entry. An entry (v, id) is held by a consumer iff (v, id) is above that consumer's floor, so
//! it is released iff the smallest floor is at or above (v, id) — one index read, whatever the
//! number of consumers — or no consumer runs.
//!
//! - A consumer that matured vscId m has the floor (m, u64::MAX): it holds the entries whose
//!   vscId is above m, as the rule says.
//! - A consumer launched in the epoch of vscId E (the genesis is that epoch's top N) launches
//!   while new entries are stamped E + 1, and the entries created before it launched must not
//!   wait for it: every entry stamped E or less, and the entries stamped E + 1 created earlier
//!   in the same (multi-call) epoch. Its launch floor is (E + 1, the last entry id handed out),
//!   exactly the entries that existed at its launch. Its first VSC-matured packet (vscId ≥ E + 1,
//!   the first VSC it can be sent) replaces it.
//! - A stopped consumer leaves the index.
//!
//! Launch, stop and each VSC-matured packet move one key: O(1).

use cosmwasm_std::{Empty, Env, Order, StdResult, Storage};
use cw_storage_plus::Bound;

use crate::msg::Config;
use crate::state::consumers::ConsumerLink;
use crate::state::epoch::EpochState;
use crate::state::staking::{UnbondingEntry, MATURITY, NEXT_UNBONDING_ID};

/// A place in (vscId, entry id) order.
pub type Floor = (u64, u64);

/// Consumers `waiting_on` lists at most in the `unbondings` query.
pub const MAX_AWAITED_LISTED: usize = 10;

/// The consumer's floor, if it is in the index (launched and not stopped).
pub fn floor_of(link: &ConsumerLink) -> Option<Floor> {
    match link.launch_floor {
        Some(floor) => Some(floor),
        None if link.last_matured_vsc_id > 0 => Some((link.last_matured_vsc_id, u64::MAX)),
        None => None,
    }
}

/// A consumer launches in `epoch`: it holds only the entries created from now on. The caller
/// saves the link.
pub fn on_launch(
    storage: &mut dyn Storage,
    epoch: &EpochState,
    consumer_id: u64,
    link: &mut ConsumerLink,
) -> StdResult<()> {
    // The counter holds the next id to hand out (1 before the first entry).
    let next_entry = NEXT_UNBONDING_ID.may_load(storage)?.unwrap_or(1);
    let floor = (epoch.current_vsc_id, next_entry.saturating_sub(1));
    link.launch_floor = Some(floor);
    MATURITY.save(storage, (floor.0, floor.1, consumer_id), &Empty {})
}

/// A consumer stops: it holds nothing any more. The caller saves the link.
pub fn on_stop(storage: &mut dyn Storage, consumer_id: u64, link: &mut ConsumerLink) {
    if let Some(floor) = floor_of(link) {
        MATURITY.remove(storage, (floor.0, floor.1, consumer_id));
    }
    link.launch_floor = None;
}

/// A launched consumer matured `vsc_id`: records it in the link and raises its floor (never
/// lowers it). The caller saves the link.
pub fn on_matured(
    storage: &mut dyn Storage,
    consumer_id: u64,
    link: &mut ConsumerLink,
    vsc_id: u64,
) -> StdResult<()> {
    let old = floor_of(link);
    link.last_matured_vsc_id = link.last_matured_vsc_id.max(vsc_id);
    let Some(old) = old else {
        return Ok(());
    };
    let new = (link.last_matured_vsc_id, u64::MAX);
    if new <= old {
        return Ok(());
    }
    MATURITY.remove(storage, (old.0, old.1, consumer_id));
    MATURITY.save(storage, (new.0, new.1, consumer_id), &Empty {})?;
    link.launch_floor = None;
    Ok(())
}

/// The smallest floor of the running consumers (None: no consumer runs). Read once per message
/// and passed to [`is_released`].
pub fn lowest_floor(storage: &dyn Storage) -> StdResult<Option<Floor>> {
    Ok(MATURITY
        .keys(storage, None, None, Order::Ascending)
        .next()
        .transpose()?
        .map(|(vsc_id, entry_id, _)| (vsc_id, entry_id)))
}

pub fn is_released(
    config: &Config,
    env: &Env,
    lowest: Option<Floor>,
    id: u64,
    entry: &UnbondingEntry,
) -> bool {
    if env.block.time < entry.completes_at {
        return false;
    }
    if !config.wait_for_consumer_maturity {
        return true;
    }
    lowest.is_none_or(|floor| floor >= (entry.vsc_id, id))
}

/// The consumers that still hold entry `id`, lowest floor first: at most `limit`, and whether
/// there are more.
pub fn awaited(
    storage: &dyn Storage,
    id: u64,
    entry: &UnbondingEntry,
    limit: usize,
) -> StdResult<(Vec<u64>, bool)> {
    // Keys below (vscId, id, 0) are exactly the floors below (vscId, id).
    let mut holders = MATURITY
        .keys(
            storage,
            None,
            Some(Bound::exclusive((entry.vsc_id, id, 0))),
            Order::Ascending,
        )
        .take(limit.saturating_add(1))
        .map(|key| key.map(|(_, _, consumer_id)| consumer_id))
        .collect::<StdResult<Vec<_>>>()?;
    let more = holders.len() > limit;
    holders.truncate(limit);
    Ok((holders, more))
}
