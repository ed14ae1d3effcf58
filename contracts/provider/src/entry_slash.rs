//! Entry-slash jobs: the part of a slash that reaches unbonding entries, done in bounded chunks.
//!
//! A slash takes its share of the validator's bonded stake at once, but the validator's
//! unbonding entries created since the infraction are as many as stakers chose to make: cutting
//! them all while the slash packet is received would let anyone who unbonds 1 token thousands of
//! times make that packet run out of gas, and the ordered channel would then deliver nothing
//! behind it. So the slash records a job instead (validator, infraction height, fraction, the
//! last entry id that existed, a cursor), and:
//!
//! - the epoch work (`tick`/`end_block`) cuts the entries of the oldest job in (created height,
//!   id) order with whatever its work budget leaves, even between epochs, and burns (or sends)
//!   each chunk's cut at once (event `entry_slash`);
//! - a withdrawal applies every pending job that covers the entry it pays before paying it;
//! - queries show entries net of the cuts still pending.
//!
//! Jobs are worked strictly in id order, so an entry two jobs cover is cut by the older one
//! first, as the slashes came: every entry ends up with the balance (and every slash with the
//! total) the immediate rewrite gave. An entry created after the slash has a higher id than the
//! job's `last_entry_id` and sorts after every covered entry in the validator's index (its
//! height is at least the slash's, its id higher), so a job ends at the first such entry.
//! Infraction height 0 covers every entry the validator still has (equivocation).

use cosmwasm_std::{Addr, Decimal, Empty, Event, Order, StdResult, Storage, Uint128};
use cw_storage_plus::Bound;

use crate::error::ContractError;
use crate::msg::EntrySlash;
use crate::state::next_id;
use crate::state::staking::{
    UnbondingEntry, ENTRY_SLASHES, ENTRY_SLASHES_BY_VALIDATOR, NEXT_ENTRY_SLASH_ID,
    NEXT_UNBONDING_ID, UNBONDINGS, UNBONDINGS_BY_VALIDATOR,
};

/// Records a job cutting `fraction` of the validator's entries created at or after
/// `infraction_height`, if there is any such entry; returns its id.
pub fn record(
    storage: &mut dyn Storage,
    validator: &Addr,
    fraction: Decimal,
    infraction_height: u64,
) -> Result<Option<u64>, ContractError> {
    if fraction.is_zero() {
        return Ok(None);
    }
    let first_covered = UNBONDINGS_BY_VALIDATOR
        .sub_prefix(validator)
        .keys(
            storage,
            Some(Bound::inclusive((infraction_height, 0))),
            None,
            Order::Ascending,
        )
        .next()
        .transpose()?;
    if first_covered.is_none() {
        return Ok(None);
    }
    // The counter holds the next entry id: every existing entry is below it.
    let last_entry_id = NEXT_UNBONDING_ID
        .may_load(storage)?
        .unwrap_or(1)
        .saturating_sub(1);
    let id = next_id(storage, &NEXT_ENTRY_SLASH_ID)?;
    let job = EntrySlash {
        id,
        validator: validator.clone(),
        infraction_height,
        fraction,
        last_entry_id,
        cursor: None,
        taken: Uint128::zero(),
    };
    ENTRY_SLASHES.save(storage, id, &job)?;
    ENTRY_SLASHES_BY_VALIDATOR.save(storage, (validator, id), &Empty {})?;
    Ok(Some(id))
}

/// Whether `job` still has to cut the entry at (created height, id).
fn covers(job: &EntrySlash, created_height: u64, id: u64) -> bool {
    let position = (created_height, id);
    id <= job.last_entry_id
        && position >= (job.infraction_height, 0)
        && job.cursor.is_none_or(|cursor| position > cursor)
}

/// The pending jobs that cover entry `id`, oldest first, each with the cut it makes when the
/// older ones were made before it. O(pending jobs of the entry's validator).
pub fn pending_cuts(
    storage: &dyn Storage,
    id: u64,
    entry: &UnbondingEntry,
) -> Result<Vec<(EntrySlash, Uint128)>, ContractError> {
    let job_ids = ENTRY_SLASHES_BY_VALIDATOR
        .prefix(&entry.validator)
        .keys(storage, None, None, Order::Ascending)
        .collect::<StdResult<Vec<_>>>()?;
    let mut balance = entry.balance;
    let mut cuts = vec![];
    for job_id in job_ids {
        let job = ENTRY_SLASHES.load(storage, job_id)?;
        if covers(&job, entry.created_height, id) {
            let cut = balance.checked_mul_floor(job.fraction)?;
            balance = balance.checked_sub(cut)?;
            cuts.push((job, cut));
        }
    }
    Ok(cuts)
}

/// The entry's balance once the pending jobs have cut it.
pub fn net_balance(
    storage: &dyn Storage,
    id: u64,
    entry: &UnbondingEntry,
) -> Result<Uint128, ContractError> {
    let mut balance = entry.balance;
    for (_, cut) in pending_cuts(storage, id, entry)? {
        balance = balance.checked_sub(cut)?;
    }
    Ok(balance)
}

/// Cuts taken from entries as they are withdrawn, gathered per job for one event each.
#[derive(Default)]
pub struct WithdrawCuts {
    /// (job id, validator, entries cut, tokens), in the order first met (a withdrawal meets a
    /// few jobs: a linear search is enough).
    jobs: Vec<(u64, Addr, u32, Uint128)>,
    pub total: Uint128,
}

impl WithdrawCuts {
    /// Applies the pending jobs to an entry about to be paid: the jobs record what they took;
    /// returns what is left to pay. The entry itself is about to be removed and is not saved.
    pub fn apply(
        &mut self,
        storage: &mut dyn Storage,
        id: u64,
        entry: &UnbondingEntry,
    ) -> Result<Uint128, ContractError> {
        let mut balance = entry.balance;
        for (mut job, cut) in pending_cuts(storage, id, entry)? {
            balance = balance.checked_sub(cut)?;
            job.taken = job.taken.checked_add(cut)?;
            ENTRY_SLASHES.save(storage, job.id, &job)?;
            let index = match self.jobs.iter().position(|seen| seen.0 == job.id) {
                Some(index) => index,
                None => {
                    self.jobs
                        .push((job.id, job.validator.clone(), 0, Uint128::zero()));
                    self.jobs.len() - 1
                }
            };
            let seen = &mut self.jobs[index];
            seen.2 = seen.2.saturating_add(1);
            seen.3 = seen.3.checked_add(cut)?;
            self.total = self.total.checked_add(cut)?;
        }
        Ok(balance)
    }

    pub fn events(&self) -> Vec<Event> {
        self.jobs
            .iter()
            .map(|(id, validator, entries, amount)| {
                chunk_event(*id, validator, *entries, *amount, false)
                    .add_attribute("by", "withdraw")
            })
            .collect()
    }
}

fn chunk_event(id: u64, validator: &Addr, entries: u32, amount: Uint128, done: bool) -> Event {
    Event::new("entry_slash")
        .add_attribute("job", id.to_string())
        .add_attribute("validator", validator.as_str())
        .add_attribute("entries", entries.to_string())
        .add_attribute("amount", amount)
        .add_attribute("done", done.to_string())
}

/// What one call's job work did.
#[derive(Default)]
pub struct Worked {
    /// Work units spent: one per entry cut, at least one per job visited.
    pub units: u32,
    /// Tokens cut, to burn or send.
    pub taken: Uint128,
    pub events: Vec<Event>,
}

/// Whether any job is pending (one iterator step).
pub fn any_pending(storage: &dyn Storage) -> StdResult<bool> {
    Ok(ENTRY_SLASHES
        .keys(storage, None, None, Order::Ascending)
        .next()
        .is_some())
}

/// Works the oldest jobs for at most `max_units` units (an entry each).
pub fn work(storage: &mut dyn Storage, max_units: u32) -> Result<Worked, ContractError> {
    let mut worked = Worked::default();
    while worked.units < max_units {
        let Some((id, mut job)) = ENTRY_SLASHES
            .range(storage, None, None, Order::Ascending)
            .next()
            .transpose()?
        else {
            break;
        };
        let allowed = max_units.saturating_sub(worked.units);
        let start = match job.cursor {
            Some(cursor) => Bound::exclusive(cursor),
            None => Bound::inclusive((job.infraction_height, 0)),
        };
        // One key more than allowed tells whether the job ends in this chunk.
        let keys = UNBONDINGS_BY_VALIDATOR
            .sub_prefix(&job.validator)
            .range(storage, Some(start), None, Order::Ascending)
            .take((allowed as usize).saturating_add(1))
            .collect::<StdResult<Vec<_>>>()?;
        let mut done = keys.len() <= allowed as usize;
        let (mut entries, mut taken) = (0u32, Uint128::zero());
        for ((created_height, entry_id), staker) in keys.into_iter().take(allowed as usize) {
            if entry_id > job.last_entry_id {
                // Created after the slash: so is everything after it.
                done = true;
                break;
            }
            job.cursor = Some((created_height, entry_id));
            entries = entries.saturating_add(1);
            let key = (&staker, entry_id);
            let Some(mut entry) = UNBONDINGS.may_load(storage, key)? else {
                continue;
            };
            let cut = entry.balance.checked_mul_floor(job.fraction)?;
            if cut.is_zero() {
                continue;
            }
            entry.balance = entry.balance.checked_sub(cut)?;
            UNBONDINGS.save(storage, key, &entry)?;
            taken = taken.checked_add(cut)?;
        }
        worked.units = worked.units.saturating_add(entries.max(1));
        job.taken = job.taken.checked_add(taken)?;
        worked.taken = worked.taken.checked_add(taken)?;
        worked.events.push(
            chunk_event(id, &job.validator, entries, taken, done)
                .add_attribute("by", "epoch")
                .add_attribute("job_total", job.taken),
        );
        if done {
            ENTRY_SLASHES.remove(storage, id);
            ENTRY_SLASHES_BY_VALIDATOR.remove(storage, (&job.validator, id));
        } else {
            ENTRY_SLASHES.save(storage, id, &job)?;
        }
    }
    Ok(worked)
}
