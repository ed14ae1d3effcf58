//! Duplicate-vote evidence from `begin_block` → double-sign slash packets, one per
//! (validator, infraction height).

use cosmwasm_std::{Empty, StdResult, Storage};
use cw_ics_bindings::{Evidence, EvidenceType};
use cw_ics_ccv::{ConsensusAddress, Infraction, SlashPacketData, SlashedValidator};

use crate::state::DOUBLE_SIGNS_REPORTED;
use crate::validator_set::{find_member_power, vsc_id_at};

/// Why a piece of evidence produced no slash packet (reported as an attribute).
#[derive(Debug, PartialEq, Eq)]
pub enum Skipped {
    /// Light-client attacks are not attributable to one validator's consumer power here.
    NotDuplicateVote,
    MalformedAddress,
    /// Neither in the current set nor in the set in force at the infraction height.
    UnknownValidator,
    AlreadyReported,
}

pub enum Outcome {
    Slash(SlashPacketData),
    Skipped(Skipped),
}

/// Turns one piece of evidence into a double-sign slash, recording it so that the same
/// infraction is never reported twice.
pub fn handle_evidence(storage: &mut dyn Storage, evidence: &Evidence) -> StdResult<Outcome> {
    if evidence.evidence_type != EvidenceType::DuplicateVote {
        return Ok(Outcome::Skipped(Skipped::NotDuplicateVote));
    }
    let Ok(address) = ConsensusAddress::from_slice(evidence.validator.address.as_slice()) else {
        return Ok(Outcome::Skipped(Skipped::MalformedAddress));
    };
    let key = (address.as_bytes(), evidence.height);
    if DOUBLE_SIGNS_REPORTED.has(storage, key) {
        return Ok(Outcome::Skipped(Skipped::AlreadyReported));
    }
    let vsc_id = vsc_id_at(storage, evidence.height)?;
    let Some(member_power) = find_member_power(storage, &address, vsc_id)? else {
        return Ok(Outcome::Skipped(Skipped::UnknownValidator));
    };
    let power = if evidence.validator.power > 0 {
        evidence.validator.power
    } else {
        member_power
    };
    DOUBLE_SIGNS_REPORTED.save(storage, key, &Empty {})?;
    Ok(Outcome::Slash(SlashPacketData {
        validator: SlashedValidator { address, power },
        valset_update_id: vsc_id,
        infraction: Infraction::DoubleSign,
    }))
}
