//! Downtime detection from the chain's `validator_votes`: a signed-blocks window per validator
//! kept as a ring of missed-block bits plus a counter, so each block costs O(votes), never
//! O(window).
//!
//! A block ranges over the set once (an iterator step per member, far cheaper than a read per
//! vote) and writes nothing for a member that signs as before: blocks counted are derived from
//! the contract's block counter, and the ring is read only while the member has misses in its
//! window or misses this block. A member's record is written when its window starts, when its
//! missed count changes, when it leaves or re-enters the commits, and when it is slashed.

use cosmwasm_std::{Decimal, Order, StdResult, Storage};
use cw_ics_bindings::ValidatorVote;
use cw_ics_ccv::{
    ConsensusAddress, ConsumerParams, Infraction, SlashPacketData, SlashedValidator, SortedMap,
};

use crate::error::ContractError;
use crate::state::{
    stored_address, Member, Progress, Window, BLOCKS_COUNTED, MEMBERS, MISSED_BLOCKS,
    OUTSTANDING_DOWNTIME,
};
use crate::validator_set::vsc_id_at;

/// Counts the votes of block `height` (the signatures of block `height - 1`, CometBFT's
/// one-block delay) and returns one downtime slash for each validator of the replicated set
/// that signed fewer than the minimum over a full window and has no downtime outstanding.
///
/// Only blocks in which a member appears in the votes (signed or not) count for it. Votes for
/// addresses outside the replicated set are skipped: the provider could not attribute them.
pub fn record_votes(
    storage: &mut dyn Storage,
    params: &ConsumerParams,
    height: u64,
    votes: &[ValidatorVote],
) -> Result<Vec<SlashPacketData>, ContractError> {
    let block = BLOCKS_COUNTED
        .may_load(storage)?
        .unwrap_or(0)
        .checked_add(1)
        .ok_or(ContractError::Overflow)?;
    BLOCKS_COUNTED.save(storage, &block)?;
    // A vote listed twice counts once (the last).
    let votes_by_address: SortedMap<ConsensusAddress, &ValidatorVote> = SortedMap::from_entries(
        votes
            .iter()
            .filter_map(|vote| {
                let address = ConsensusAddress::from_slice(vote.address.as_slice()).ok()?;
                Some((address, vote))
            })
            .collect(),
        |kept, later| *kept = later,
    );
    let members = MEMBERS
        .range(storage, None, None, Order::Ascending)
        .collect::<StdResult<Vec<_>>>()?;
    let mut slashes = vec![];
    for (address, member) in members {
        let address = stored_address(&address)?;
        let step = match votes_by_address.get(&address) {
            Some(vote) => count_vote(storage, params, block, &address, &member, vote)?,
            None => Step {
                window: pause(block, member.window)?,
                slash: None,
            },
        };
        if let Some(power) = step.slash {
            let infraction_height = height.saturating_sub(1);
            slashes.push(SlashPacketData {
                validator: SlashedValidator { address, power },
                valset_update_id: vsc_id_at(storage, infraction_height)?,
                infraction: Infraction::Downtime,
            });
            OUTSTANDING_DOWNTIME.save(storage, address.as_bytes(), &infraction_height)?;
        }
        if step.window != member.window {
            let updated = Member {
                window: step.window,
                ..member
            };
            MEMBERS.save(storage, address.as_bytes(), &updated)?;
        }
    }
    Ok(slashes)
}

/// A member's window after one block, and the power to slash it with if it fell below the
/// minimum.
struct Step {
    window: Option<Window>,
    slash: Option<u64>,
}

/// A member missing from the commits: its window stops counting until it is back.
fn pause(block: u64, window: Option<Window>) -> Result<Option<Window>, ContractError> {
    let Some(mut window) = window else {
        return Ok(None);
    };
    if let Progress::Counting { since } = window.progress {
        window.progress = Progress::Paused {
            counted: counted_before(block, since)?,
        };
    }
    Ok(Some(window))
}

/// Blocks a window counting since `since` had counted before `block`.
fn counted_before(block: u64, since: u64) -> Result<u64, ContractError> {
    block
        .checked_sub(1)
        .and_then(|previous| previous.checked_sub(since))
        .ok_or(ContractError::Overflow)
}

/// Moves a member's window on by one block in which it signed or missed.
fn count_vote(
    storage: &mut dyn Storage,
    params: &ConsumerParams,
    block: u64,
    address: &ConsensusAddress,
    member: &Member,
    vote: &ValidatorVote,
) -> Result<Step, ContractError> {
    let size = params.signed_blocks_window;
    // A first vote starts the window with this block.
    let mut window = member.window.unwrap_or(Window {
        generation: block,
        progress: Progress::Paused { counted: 0 },
        missed: 0,
    });
    let counted = match window.progress {
        Progress::Counting { since } => counted_before(block, since)?,
        Progress::Paused { counted } => counted,
    };
    let missed = !vote.voted;
    // With no miss in the window, no bit of this generation is set: nothing to read.
    if window.missed > 0 || missed {
        let slot = counted % size;
        let key = (address.as_bytes(), slot);
        let was_missed =
            window.missed > 0 && MISSED_BLOCKS.may_load(storage, key)? == Some(window.generation);
        match (was_missed, missed) {
            (false, true) => {
                MISSED_BLOCKS.save(storage, key, &window.generation)?;
                window.missed = window
                    .missed
                    .checked_add(1)
                    .ok_or(ContractError::Overflow)?;
            }
            (true, false) => {
                MISSED_BLOCKS.remove(storage, key);
                window.missed = window.missed.saturating_sub(1);
            }
            _ => {}
        }
    }
    let counted = counted.checked_add(1).ok_or(ContractError::Overflow)?;
    // Counting through this block: counted = block − since.
    window.progress = Progress::Counting {
        since: block.checked_sub(counted).ok_or(ContractError::Overflow)?,
    };
    let window_full = counted >= size;
    if window_full
        && signed_too_few(size, window.missed, params.min_signed_per_window)?
        && !OUTSTANDING_DOWNTIME.has(storage, address.as_bytes())
    {
        let power = if vote.power > 0 {
            vote.power
        } else {
            member.power
        };
        // As x/slashing does after a downtime slash, the validator starts a new window, from
        // the next block; the bits of this one are left behind under the old generation.
        let next = block.checked_add(1).ok_or(ContractError::Overflow)?;
        let fresh = Window {
            generation: next,
            progress: Progress::Counting { since: block },
            missed: 0,
        };
        return Ok(Step {
            window: Some(fresh),
            slash: Some(power),
        });
    }
    Ok(Step {
        window: Some(window),
        slash: None,
    })
}

/// Whether `window - missed` signatures are fewer than `min_signed * window`, compared exactly
/// (no rounding of the minimum).
pub fn signed_too_few(
    window: u64,
    missed: u64,
    min_signed: Decimal,
) -> Result<bool, ContractError> {
    let signed = u128::from(window.saturating_sub(missed));
    let lhs = signed
        .checked_mul(Decimal::one().atomics().u128())
        .ok_or(ContractError::Overflow)?;
    let rhs = min_signed
        .atomics()
        .u128()
        .checked_mul(u128::from(window))
        .ok_or(ContractError::Overflow)?;
    Ok(lhs < rhs)
}

/// Liveness counters of one validator, for queries.
#[derive(Default)]
pub struct SigningInfo {
    /// Blocks observed since the window started; it is full once this reaches its size.
    pub blocks_counted: u64,
    /// Missed blocks among the last `signed_blocks_window` observed.
    pub missed_in_window: u64,
}

/// The counters of a member of the current set; zeros for anyone else.
pub fn signing_info(storage: &dyn Storage, address: &ConsensusAddress) -> StdResult<SigningInfo> {
    let window = MEMBERS
        .may_load(storage, address.as_bytes())?
        .and_then(|member| member.window);
    let Some(window) = window else {
        return Ok(SigningInfo::default());
    };
    let blocks_counted = match window.progress {
        Progress::Counting { since } => BLOCKS_COUNTED
            .may_load(storage)?
            .unwrap_or(0)
            .saturating_sub(since),
        Progress::Paused { counted } => counted,
    };
    Ok(SigningInfo {
        blocks_counted,
        missed_in_window: window.missed,
    })
}
