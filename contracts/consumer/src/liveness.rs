//! Downtime detection from the chain's `validator_votes`: a signed-blocks window per validator
//! kept as a ring of missed-block bits plus a counter, so each block costs O(votes), never
//! O(window).

use cosmwasm_std::{Decimal, StdResult, Storage};
use cw_ics_bindings::ValidatorVote;
use cw_ics_ccv::{ConsensusAddress, ConsumerParams, Infraction, SlashPacketData, SlashedValidator};

use crate::error::ContractError;
use crate::state::{SigningInfo, MISSED_BLOCKS, OUTSTANDING_DOWNTIME, SIGNING_INFO, VALIDATORS};
use crate::validator_set::vsc_id_at;

/// Counts the votes of block `height` (the signatures of block `height - 1`, CometBFT's
/// one-block delay) and returns one downtime slash for each validator of the replicated set
/// that signed fewer than the minimum over a full window and has no downtime outstanding.
///
/// Votes for addresses outside the replicated set are skipped: the provider could not
/// attribute them.
pub fn record_votes(
    storage: &mut dyn Storage,
    params: &ConsumerParams,
    height: u64,
    votes: &[ValidatorVote],
) -> Result<Vec<SlashPacketData>, ContractError> {
    let mut slashes = vec![];
    let window = params.signed_blocks_window;
    let infraction_height = height.saturating_sub(1);
    for vote in votes {
        let Ok(address) = ConsensusAddress::from_slice(vote.address.as_slice()) else {
            continue;
        };
        let Some(member) = VALIDATORS.may_load(storage, address.as_bytes())? else {
            continue;
        };
        let mut info = SIGNING_INFO
            .may_load(storage, address.as_bytes())?
            .unwrap_or_default();
        record_one(storage, &address, &mut info, window, !vote.voted)?;

        let window_full = info.blocks_counted >= window;
        if window_full
            && signed_too_few(window, info.missed_in_window, params.min_signed_per_window)?
            && !OUTSTANDING_DOWNTIME.has(storage, address.as_bytes())
        {
            let power = if vote.power > 0 {
                vote.power
            } else {
                member.power
            };
            slashes.push(SlashPacketData {
                validator: SlashedValidator { address, power },
                valset_update_id: vsc_id_at(storage, infraction_height)?,
                infraction: Infraction::Downtime,
            });
            OUTSTANDING_DOWNTIME.save(storage, address.as_bytes(), &infraction_height)?;
            // As x/slashing does after a downtime slash, the validator starts a new window.
            info = SigningInfo {
                generation: info
                    .generation
                    .checked_add(1)
                    .ok_or(ContractError::Overflow)?,
                blocks_counted: 0,
                missed_in_window: 0,
            };
        }
        SIGNING_INFO.save(storage, address.as_bytes(), &info)?;
    }
    Ok(slashes)
}

/// Moves the window on by one block for one validator.
fn record_one(
    storage: &mut dyn Storage,
    address: &ConsensusAddress,
    info: &mut SigningInfo,
    window: u64,
    missed: bool,
) -> Result<(), ContractError> {
    let slot = info.blocks_counted % window;
    let key = (address.as_bytes(), slot);
    let was_missed = MISSED_BLOCKS.may_load(storage, key)? == Some(info.generation);
    match (was_missed, missed) {
        (false, true) => {
            MISSED_BLOCKS.save(storage, key, &info.generation)?;
            info.missed_in_window = info
                .missed_in_window
                .checked_add(1)
                .ok_or(ContractError::Overflow)?;
        }
        (true, false) => {
            MISSED_BLOCKS.remove(storage, key);
            info.missed_in_window = info.missed_in_window.saturating_sub(1);
        }
        _ => {}
    }
    info.blocks_counted = info
        .blocks_counted
        .checked_add(1)
        .ok_or(ContractError::Overflow)?;
    Ok(())
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
pub fn signing_info(storage: &dyn Storage, address: &[u8]) -> StdResult<SigningInfo> {
    Ok(SIGNING_INFO.may_load(storage, address)?.unwrap_or_default())
}
