//! The DESIGN.md §7 properties as pure functions: each takes what the checker learnt (from the
//! event log or the contracts' queries) and says whether the property holds. Every one is fed a
//! violation in `tests/property_checks.rs`, so none of them can pass vacuously.
//!
//! Checks over a growing history take the new entries and the state they are compared with, so
//! the checker's cost per step follows what changed.

use std::collections::BTreeMap;

use anyhow::{bail, ensure, Result};
use cosmwasm_std::Timestamp;
use cw_ics_ccv::SlashPacketData;
use cw_ics_provider::msg as provider_msg;

/// A validator set as public-key bytes → power.
pub type PowerMap = BTreeMap<Vec<u8>, u64>;

/// Validator set replication: the set a consumer holds for a vscId (its current set, or the
/// set in force at a recorded height) is the set the provider sent for that vscId.
pub fn validator_set_replication(
    provider_sets: &BTreeMap<u64, PowerMap>,
    vsc_id: u64,
    held: &PowerMap,
) -> Result<()> {
    let Some(sent) = provider_sets.get(&vsc_id) else {
        bail!(
            "validator set replication: the consumer holds vscId {vsc_id}, which the provider never sent (sent: {:?})",
            provider_sets.keys().collect::<Vec<_>>()
        );
    };
    ensure!(
        sent == held,
        "validator set replication: at vscId {vsc_id} the consumer holds {} validators (total power {}), the provider sent {} (total power {})",
        held.len(),
        held.values().sum::<u64>(),
        sent.len(),
        sent.values().sum::<u64>()
    );
    Ok(())
}

/// A recorded height names the vscId of the set the consumer says was in force there.
pub fn height_maps_to_its_set(height: u64, recorded_vsc_id: u64, set_vsc_id: u64) -> Result<()> {
    ensure!(
        recorded_vsc_id == set_vsc_id,
        "validator set replication: height {height} maps to vscId {recorded_vsc_id} but its set is vscId {set_vsc_id}"
    );
    Ok(())
}

/// When the consumer drives its chain, the chain's set is the provider's set for the vscId the
/// consumer held at the chain's last end block (VSCs received since reach the chain at the next).
pub fn chain_follows_the_replicated_set(
    chain_set: &PowerMap,
    expected: Option<&PowerMap>,
) -> Result<()> {
    ensure!(
        Some(chain_set) == expected,
        "chain set: the chain's validators ({} of them, total power {}) differ from the set it was last given",
        chain_set.len(),
        chain_set.values().sum::<u64>()
    );
    Ok(())
}

/// Channel order, provider side: vscIds are sent strictly increasing.
pub fn vsc_sent_in_order(previous: Option<u64>, next: u64) -> Result<()> {
    ensure!(
        previous.is_none_or(|previous| previous < next),
        "channel order: the provider sent vscId {next} after {previous:?}"
    );
    Ok(())
}

/// Channel order, consumer side: the next VSC delivered (received, or applied) is the next one
/// sent — none skipped, none twice, none the provider never sent. `delivered_before` counts
/// the ones delivered before it.
pub fn vsc_delivered_in_order(sent: &[u64], delivered_before: usize, next: u64) -> Result<()> {
    let expected = sent.get(delivered_before);
    ensure!(
        expected == Some(&next),
        "channel order: vscId {next} delivered as number {} where the provider sent {expected:?} (sent: {sent:?})",
        delivered_before + 1
    );
    Ok(())
}

/// Consumer slashing warranty, one packet per infraction: a slash packet is not sent again
/// while an identical one is still in flight (sent and not acknowledged).
pub fn no_duplicate_in_flight(in_flight: &[SlashPacketData], sent: &SlashPacketData) -> Result<()> {
    ensure!(
        !in_flight.contains(sent),
        "consumer slashing warranty: slash packet sent again while an identical one is in flight: {sent:?}"
    );
    Ok(())
}

/// Consumer slashing warranty for downtime: no second downtime slash for a validator before
/// the provider acknowledged the first in a VSC, unless the first was bounced (then the resend
/// is expected).
pub fn one_outstanding_downtime_slash(already_outstanding: bool, after_bounce: bool) -> Result<()> {
    ensure!(
        !already_outstanding || after_bounce,
        "consumer slashing warranty: a second downtime slash packet before the provider acknowledged the first"
    );
    Ok(())
}

/// Consumer slashing warranty for double signs: never more slash packets for a validator than
/// double signs it committed on that chain.
pub fn double_sign_packets_within_infractions(packets: usize, infractions: usize) -> Result<()> {
    ensure!(
        packets <= infractions,
        "consumer slashing warranty: {packets} double-sign slash packets for a validator which double-signed {infractions} times"
    );
    Ok(())
}

/// Provider slashing warranty: each slash the provider answered as handled is in its slash log
/// exactly once, in order, with the packet's vscId. Takes the records and the handled packets
/// new since the last check (both grow in the same transaction).
pub fn provider_slashing_warranty(
    records: &[provider_msg::SlashRecord],
    handled: &[SlashPacketData],
) -> Result<()> {
    ensure!(
        records.len() == handled.len(),
        "provider slashing warranty: {} slash log records for {} handled slash packets",
        records.len(),
        handled.len()
    );
    for (record, packet) in records.iter().zip(handled) {
        ensure!(
            record.vsc_id == packet.valset_update_id,
            "provider slashing warranty: record {} has vscId {} but the packet {}",
            record.id,
            record.vsc_id,
            packet.valset_update_id
        );
    }
    Ok(())
}

/// Bond-based consumer safety, consumer side: a VSC is reported matured only a full consumer
/// unbonding period after the consumer applied it (`applied_at: None`: never applied).
pub fn maturity_after_consumer_unbonding(
    vsc_id: u64,
    matured_at: u64,
    applied_at: Option<u64>,
    unbonding: u64,
) -> Result<()> {
    let Some(applied_at) = applied_at else {
        bail!("bond-based consumer safety: vscId {vsc_id} matured but was never applied");
    };
    ensure!(
        matured_at >= applied_at.saturating_add(unbonding),
        "bond-based consumer safety: vscId {vsc_id} matured at {matured_at}, applied at {applied_at}, unbonding period {unbonding}"
    );
    Ok(())
}

/// Bond-based consumer safety, provider side: no unbonding entry is paid out before its
/// unbonding period, nor before a consumer running when it was created (and still running)
/// reported its vscId matured.
pub fn released_entries_were_matured(
    entries: &[provider_msg::UnbondingResponse],
    consumer: &provider_msg::ConsumerResponse,
    provider_now: Timestamp,
) -> Result<()> {
    for entry in entries.iter().filter(|e| e.released) {
        ensure!(
            entry.completes_at <= provider_now,
            "bond-based consumer safety: unbonding entry {} released before its unbonding period ended",
            entry.id
        );
        ensure!(
            !consumer_was_waited_on(entry, consumer)
                || consumer.last_matured_vsc_id >= entry.vsc_id,
            "bond-based consumer safety: unbonding entry {} (vscId {}) released while consumer {} matured only vscId {}",
            entry.id,
            entry.vsc_id,
            consumer.consumer_id,
            consumer.last_matured_vsc_id
        );
    }
    Ok(())
}

/// Whether a released entry had to wait for this consumer: it was running (launched at or
/// before the entry's height) and still is.
pub fn consumer_was_waited_on(
    entry: &provider_msg::UnbondingResponse,
    consumer: &provider_msg::ConsumerResponse,
) -> bool {
    let launched_before = consumer
        .launch_height
        .is_some_and(|launch| launch <= entry.created_height);
    launched_before && consumer.phase == provider_msg::ConsumerPhase::Launched
}

/// Bond-based consumer safety as the consumer ran it: a released entry's consumer has run the
/// entry's vscId (or a later one) for its whole unbonding period. `seen_since` maps each vscId
/// to the consumer time it was first seen running it.
pub fn consumer_ran_the_entry_for_its_unbonding(
    entry: &provider_msg::UnbondingResponse,
    seen_since: &BTreeMap<u64, Timestamp>,
    consumer_now: Timestamp,
    unbonding: u64,
) -> Result<()> {
    let matured = seen_since
        .range(entry.vsc_id..)
        .any(|(_, since)| consumer_now.seconds() >= since.seconds().saturating_add(unbonding));
    ensure!(
        matured,
        "bond-based consumer safety: unbonding entry {} (vscId {}) released while the consumer has not run vscId {} for its unbonding period",
        entry.id,
        entry.vsc_id,
        entry.vsc_id
    );
    Ok(())
}

/// A halted consumer never changes its set again and never leaves the halt.
#[derive(Clone, Debug, Default)]
pub struct HaltWatch {
    /// The consumer's set when it was first seen halted.
    frozen: Option<PowerMap>,
}

impl HaltWatch {
    pub fn check(&mut self, halted: bool, set: &PowerMap) -> Result<()> {
        match (&self.frozen, halted) {
            (None, false) => Ok(()),
            (Some(_), false) => bail!("halt: the consumer left its halted state"),
            (None, true) => {
                self.frozen = Some(set.clone());
                Ok(())
            }
            (Some(frozen), true) => {
                ensure!(frozen == set, "halt: a halted consumer changed its set");
                Ok(())
            }
        }
    }
}
