//! The properties of DESIGN.md §7, checked from both contracts' state and the IBC event log.
//! A scenario keeps one [`Properties`] and calls [`Properties::check`] after every step.

use std::collections::BTreeMap;

use anyhow::{bail, ensure, Result};
use cw_ics_ccv::{
    AckResult, Acknowledgement, ConsumerPacket, SlashPacketData, ValidatorSetChangePacket,
};
use cw_ics_consumer::msg as consumer_msg;
use cw_ics_ibc_sim::{IbcEvent, Stamp};
use cw_ics_provider::msg as provider_msg;

use crate::network::{IcsNetwork, CONSUMER_CHAIN, CONSUMER_UNBONDING, PROVIDER_CHAIN};

/// A validator set as key bytes → power.
pub type PowerMap = BTreeMap<Vec<u8>, u64>;

/// What the event log says happened on the CCV channel, in order.
#[derive(Default, Debug)]
pub struct ChannelHistory {
    /// VSCs the provider sent, in send order.
    pub vscs_sent: Vec<ValidatorSetChangePacket>,
    /// vscIds the consumer received and acknowledged with success, with the consumer time.
    pub vscs_applied: Vec<(u64, u64)>,
    /// Every slash packet the consumer sent (resends included), with the consumer time.
    pub slashes_sent: Vec<(SlashPacketData, u64)>,
    /// Slash packets the provider answered as handled (0x01/0x02), in the order it did.
    pub slashes_handled: Vec<SlashPacketData>,
    /// Slash packets the provider bounced (0x03).
    pub slashes_bounced: Vec<SlashPacketData>,
    /// VSC-matured packets the consumer sent: (vscId, consumer time).
    pub matured_sent: Vec<(u64, u64)>,
    /// Consumer slash sends violating "one packet per infraction": sent again while an
    /// identical packet was still in flight (sent and not yet acknowledged). An identical
    /// packet after an ack is a resend after a bounce, or another infraction at the same
    /// vscId (packets do not carry the infraction height).
    pub duplicate_slash_sends: Vec<SlashPacketData>,
}

impl ChannelHistory {
    pub fn read(net: &IcsNetwork) -> Result<Self> {
        let consumer_port = &net.path.a.port_id;
        let provider_port = &net.path.b.port_id;
        let mut history = ChannelHistory::default();
        let events = net.coord.events();
        // Where each of the consumer's packets got its ack delivered. ibc-sim logs an ack after
        // the contract handled it, so a packet the ack handler sends is logged before the ack.
        let acks: BTreeMap<u64, (usize, Stamp)> = events
            .iter()
            .enumerate()
            .filter_map(|(index, event)| match event {
                IbcEvent::AckPacket { at, packet, .. } if &packet.src.port_id == consumer_port => {
                    Some((packet.sequence, (index, at.clone())))
                }
                _ => None,
            })
            .collect();
        let still_in_flight = |sequence: u64, now: usize, at: &Stamp| match acks.get(&sequence) {
            None => true,
            Some((ack_index, ack_at)) => *ack_index > now && ack_at != at,
        };
        // Slash packets sent and not yet acknowledged: (content, sequence).
        let mut in_flight: Vec<(SlashPacketData, u64)> = vec![];
        for (index, event) in events.into_iter().enumerate() {
            match event {
                IbcEvent::SendPacket { at, packet } if &packet.src.port_id == provider_port => {
                    history
                        .vscs_sent
                        .push(ValidatorSetChangePacket::decode(packet.data.as_slice())?);
                    let _ = at;
                }
                IbcEvent::SendPacket { at, packet } if &packet.src.port_id == consumer_port => {
                    match ConsumerPacket::decode(packet.data.as_slice())? {
                        ConsumerPacket::Slash(slash) => {
                            in_flight
                                .retain(|(_, sequence)| still_in_flight(*sequence, index, &at));
                            if in_flight.iter().any(|(sent, _)| *sent == slash) {
                                history.duplicate_slash_sends.push(slash.clone());
                            }
                            in_flight.push((slash.clone(), packet.sequence));
                            history.slashes_sent.push((slash, at.time.seconds()));
                        }
                        ConsumerPacket::VscMatured(matured) => history
                            .matured_sent
                            .push((matured.valset_update_id, at.time.seconds())),
                    }
                }
                IbcEvent::WriteAck {
                    at,
                    packet,
                    is_error: false,
                    ..
                } if at.chain_id == CONSUMER_CHAIN && &packet.dest.port_id == consumer_port => {
                    let vsc = ValidatorSetChangePacket::decode(packet.data.as_slice())?;
                    history
                        .vscs_applied
                        .push((vsc.valset_update_id, at.time.seconds()));
                }
                // What the provider decided, when it decided it (the ack may reach the
                // consumer much later).
                IbcEvent::WriteAck {
                    at, packet, ack, ..
                } if at.chain_id == PROVIDER_CHAIN && &packet.src.port_id == consumer_port => {
                    if let ConsumerPacket::Slash(slash) =
                        ConsumerPacket::decode(packet.data.as_slice())?
                    {
                        match Acknowledgement::decode(ack.as_slice())? {
                            Acknowledgement::Result(AckResult::SlashBounced) => {
                                history.slashes_bounced.push(slash)
                            }
                            Acknowledgement::Result(_) => history.slashes_handled.push(slash),
                            Acknowledgement::Error(_) => {}
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(history)
    }

    /// The provider's set for the consumer after each vscId it sent (0: the genesis set).
    pub fn provider_sets(&self, net: &IcsNetwork) -> BTreeMap<u64, PowerMap> {
        let mut current: PowerMap = net
            .genesis
            .initial_validator_set
            .iter()
            .map(|v| (v.pub_key.bytes().to_vec(), v.power))
            .collect();
        let mut sets = BTreeMap::from([(0, current.clone())]);
        for vsc in &self.vscs_sent {
            for update in &vsc.validator_updates {
                if update.power == 0 {
                    current.remove(update.pub_key.bytes());
                } else {
                    current.insert(update.pub_key.bytes().to_vec(), update.power);
                }
            }
            sets.insert(vsc.valset_update_id, current.clone());
        }
        sets
    }
}

fn as_power_map(set: &consumer_msg::ValidatorSetResponse) -> PowerMap {
    set.validators
        .iter()
        .map(|v| (v.pub_key.bytes().to_vec(), v.power))
        .collect()
}

/// The property checker; it remembers what it must compare across steps.
#[derive(Default)]
pub struct Properties {
    /// The consumer's set when it was first seen halted.
    halted_set: Option<PowerMap>,
    /// Number of checks run, for the test's own sanity.
    pub checks: usize,
}

impl Properties {
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks every property; the error names the one broken.
    pub fn check(&mut self, net: &IcsNetwork) -> Result<()> {
        let history = ChannelHistory::read(net)?;
        let provider_sets = history.provider_sets(net);
        validator_set_replication(&provider_sets, &consumer_sets(net)?)?;
        if let Some(chain_set) = &net.chain_validators {
            chain_follows_the_replicated_set(
                chain_set,
                provider_sets.get(&net.chain_synced_vsc_id),
            )?;
        }
        channel_order(&history)?;
        consumer_slashing_warranty(&history)?;
        let log: provider_msg::SlashLogResponse =
            net.provider_query(&provider_msg::QueryMsg::SlashLog {
                start_after: None,
                limit: Some(100),
            })?;
        let records: Vec<_> = log
            .records
            .into_iter()
            .filter(|r| r.consumer_id == net.consumer_id)
            .collect();
        provider_slashing_warranty(&records, &history.slashes_handled)?;
        maturity_after_consumer_unbonding(&history, CONSUMER_UNBONDING)?;
        released_entries_were_matured(
            &net.staker_unbondings()?,
            &net.provider_consumer()?,
            net.coord.chain(PROVIDER_CHAIN)?.time(),
        )?;
        let status = net.consumer_status()?;
        let current: consumer_msg::ValidatorSetResponse =
            net.consumer_query(&consumer_msg::QueryMsg::CurrentSet {})?;
        self.halted_consumer_is_frozen(status.halted.is_some(), as_power_map(&current))?;
        self.checks += 1;
        Ok(())
    }

    /// A halted consumer never changes its set again, and never leaves the halt.
    pub fn halted_consumer_is_frozen(&mut self, halted: bool, set: PowerMap) -> Result<()> {
        match (&self.halted_set, halted) {
            (None, false) => Ok(()),
            (Some(_), false) => bail!("halt: the consumer left its halted state"),
            (None, true) => {
                self.halted_set = Some(set);
                Ok(())
            }
            (Some(frozen), true) => {
                ensure!(*frozen == set, "halt: a halted consumer changed its set");
                Ok(())
            }
        }
    }
}

/// When the consumer drives the chain, the chain's set is the provider's set of the vscId the
/// consumer held at the last end block (VSCs received since then reach the chain at the next).
pub fn chain_follows_the_replicated_set(
    chain_set: &PowerMap,
    expected: Option<&PowerMap>,
) -> Result<()> {
    ensure!(
        Some(chain_set) == expected,
        "chain set: the chain's validators differ from the set it was last given"
    );
    Ok(())
}

/// What the consumer holds: its current set and the set at every recorded height, each with
/// the vscId it claims to be.
pub fn consumer_sets(net: &IcsNetwork) -> Result<Vec<(u64, PowerMap)>> {
    let current: consumer_msg::ValidatorSetResponse =
        net.consumer_query(&consumer_msg::QueryMsg::CurrentSet {})?;
    let mut sets = vec![(current.vsc_id, as_power_map(&current))];
    let heights: consumer_msg::HeightToVscIdsResponse =
        net.consumer_query(&consumer_msg::QueryMsg::HeightToVscIds {
            start_after: None,
            limit: Some(100),
        })?;
    for entry in heights.entries {
        let at: consumer_msg::ValidatorSetResponse =
            net.consumer_query(&consumer_msg::QueryMsg::SetAtHeight {
                height: entry.height,
            })?;
        ensure!(
            at.vsc_id == entry.vsc_id,
            "replication: height {} maps to vscId {} but its set is vscId {}",
            entry.height,
            entry.vsc_id,
            at.vsc_id
        );
        sets.push((at.vsc_id, as_power_map(&at)));
    }
    Ok(sets)
}

/// Every set the consumer holds is the set the provider sent for that vscId.
pub fn validator_set_replication(
    provider_sets: &BTreeMap<u64, PowerMap>,
    consumer_sets: &[(u64, PowerMap)],
) -> Result<()> {
    for (vsc_id, set) in consumer_sets {
        let Some(expected) = provider_sets.get(vsc_id) else {
            bail!("replication: the consumer holds vscId {vsc_id}, which the provider never sent");
        };
        ensure!(
            expected == set,
            "replication: the consumer's set for vscId {vsc_id} differs from the provider's"
        );
    }
    Ok(())
}

/// VSCs are applied in the order sent, none skipped, each once.
pub fn channel_order(history: &ChannelHistory) -> Result<()> {
    let sent: Vec<u64> = history
        .vscs_sent
        .iter()
        .map(|v| v.valset_update_id)
        .collect();
    ensure!(
        sent.windows(2).all(|pair| pair[0] < pair[1]),
        "channel order: the provider sent vscIds out of order: {sent:?}"
    );
    let applied: Vec<u64> = history.vscs_applied.iter().map(|(id, _)| *id).collect();
    ensure!(
        applied.len() <= sent.len() && applied == sent[..applied.len()],
        "channel order: applied {applied:?} is not a prefix of sent {sent:?}"
    );
    Ok(())
}

/// One slash packet per infraction: a packet is sent again only after the provider bounced it.
pub fn consumer_slashing_warranty(history: &ChannelHistory) -> Result<()> {
    ensure!(
        history.duplicate_slash_sends.is_empty(),
        "consumer slashing warranty: sent again while in flight: {:?}",
        history.duplicate_slash_sends
    );
    Ok(())
}

/// Each slash the provider acknowledged as handled is in its slash log exactly once, in order.
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

/// Consumer side of bond-based safety: a VSC is reported matured only a full consumer
/// unbonding period after the consumer applied it.
pub fn maturity_after_consumer_unbonding(history: &ChannelHistory, unbonding: u64) -> Result<()> {
    for (vsc_id, sent_at) in &history.matured_sent {
        let Some((_, applied_at)) = history.vscs_applied.iter().find(|(id, _)| id == vsc_id) else {
            bail!("consumer safety: vscId {vsc_id} matured but was never applied");
        };
        ensure!(
            *sent_at >= applied_at + unbonding,
            "consumer safety: vscId {vsc_id} matured at {sent_at}, applied at {applied_at}"
        );
    }
    Ok(())
}

/// Provider side of bond-based safety: no unbonding entry leaves before its unbonding period,
/// nor before a running consumer that was launched when it started matured its vscId.
pub fn released_entries_were_matured(
    entries: &[provider_msg::UnbondingResponse],
    consumer: &provider_msg::ConsumerResponse,
    provider_now: cosmwasm_std::Timestamp,
) -> Result<()> {
    for entry in entries.iter().filter(|e| e.released) {
        ensure!(
            entry.completes_at <= provider_now,
            "consumer safety: entry {} released before its unbonding period",
            entry.id
        );
        let started_before_launch = consumer
            .launch_height
            .is_none_or(|launch| entry.created_height < launch);
        let consumer_running = consumer.phase == provider_msg::ConsumerPhase::Launched;
        ensure!(
            started_before_launch
                || !consumer_running
                || consumer.last_matured_vsc_id >= entry.vsc_id,
            "consumer safety: entry {} (vscId {}) released while the consumer matured only {}",
            entry.id,
            entry.vsc_id,
            consumer.last_matured_vsc_id
        );
    }
    Ok(())
}
