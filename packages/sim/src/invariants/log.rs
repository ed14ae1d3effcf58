//! Following the IBC event log: what each CCV channel carried, kept per consumer and grown
//! incrementally (each event is read once). The checks that are about single events (order,
//! one packet per infraction, maturity timing) run here, as the event is recorded.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{anyhow, Result};
use cosmwasm_std::IbcPacket;
use cw_ics_ccv::{
    AckResult, Acknowledgement, ConsensusAddress, ConsumerPacket, Infraction, SlashPacketData,
    ValidatorSetChangePacket,
};
use cw_ics_ibc_sim::{IbcEvent, Stamp};

use super::properties::{
    maturity_after_consumer_unbonding, no_duplicate_in_flight, one_outstanding_downtime_slash,
    vsc_delivered_in_order, vsc_sent_in_order, PowerMap,
};

/// What the event log says happened on one consumer's CCV channel, in order.
#[derive(Default, Debug)]
pub struct ChannelHistory {
    /// The provider's set for the consumer after each vscId it sent (0: the genesis set).
    pub sent_sets: BTreeMap<u64, PowerMap>,
    /// vscIds the provider sent, in send order.
    pub vscs_sent: Vec<u64>,
    /// vscIds the consumer received (refused ones included), in order.
    pub vscs_received: Vec<u64>,
    /// vscIds the consumer applied (success ack), with the consumer time in seconds.
    pub vscs_applied: Vec<(u64, u64)>,
    /// Every slash packet the consumer sent (resends included), with the consumer time.
    pub slashes_sent: Vec<(SlashPacketData, u64)>,
    /// Slash packets the provider answered as handled (0x01/0x02), in the order it did.
    pub slashes_handled: Vec<SlashPacketData>,
    /// Slash packets the provider bounced (0x03).
    pub slashes_bounced: Vec<SlashPacketData>,
    /// VSC-matured packets the consumer sent: (vscId, consumer time).
    pub matured_sent: Vec<(u64, u64)>,
    /// Double-sign slash packets sent, by validator.
    pub double_sign_packets: BTreeMap<ConsensusAddress, usize>,
    /// Validators with a double-sign packet sent since the checker last compared the counts.
    pub(super) double_signs_to_check: BTreeSet<ConsensusAddress>,
    applied_at: BTreeMap<u64, u64>,
    /// Slash packets sent and not yet acknowledged: (content, sequence).
    in_flight: Vec<(SlashPacketData, u64)>,
    /// Downtime slashes sent and not yet acknowledged in a VSC.
    outstanding_downtime: BTreeSet<ConsensusAddress>,
    /// Downtime slashes whose last delivery was bounced (0x03), so a resend is expected.
    bounced_downtime: BTreeSet<ConsensusAddress>,
}

impl ChannelHistory {
    /// A history starting from the genesis set the provider served.
    pub fn from_genesis(genesis_set: PowerMap) -> Self {
        ChannelHistory {
            sent_sets: BTreeMap::from([(0, genesis_set)]),
            ..ChannelHistory::default()
        }
    }

    fn vsc_sent(&mut self, vsc: &ValidatorSetChangePacket) -> Result<()> {
        vsc_sent_in_order(self.vscs_sent.last().copied(), vsc.valset_update_id)?;
        let mut set = self
            .sent_sets
            .values()
            .next_back()
            .cloned()
            .unwrap_or_default();
        for update in &vsc.validator_updates {
            if update.power == 0 {
                set.remove(update.pub_key.bytes());
            } else {
                set.insert(update.pub_key.bytes().to_vec(), update.power);
            }
        }
        self.sent_sets.insert(vsc.valset_update_id, set);
        self.vscs_sent.push(vsc.valset_update_id);
        Ok(())
    }

    fn vsc_received(&mut self, vsc: &ValidatorSetChangePacket) -> Result<()> {
        vsc_delivered_in_order(
            &self.vscs_sent,
            self.vscs_received.len(),
            vsc.valset_update_id,
        )?;
        self.vscs_received.push(vsc.valset_update_id);
        for ack in &vsc.slash_acks {
            if let Ok((_, address)) = ConsensusAddress::from_bech32(ack) {
                self.outstanding_downtime.remove(&address);
            }
        }
        Ok(())
    }

    fn vsc_applied(&mut self, vsc_id: u64, at: u64) -> Result<()> {
        vsc_delivered_in_order(&self.vscs_sent, self.vscs_applied.len(), vsc_id)?;
        self.vscs_applied.push((vsc_id, at));
        self.applied_at.insert(vsc_id, at);
        Ok(())
    }

    fn slash_sent(&mut self, slash: SlashPacketData, sequence: u64, at: u64) -> Result<()> {
        let in_flight: Vec<SlashPacketData> = self
            .in_flight
            .iter()
            .map(|(sent, _)| sent.clone())
            .collect();
        no_duplicate_in_flight(&in_flight, &slash)?;
        let address = slash.validator.address;
        match slash.infraction {
            Infraction::Downtime => {
                let after_bounce = self.bounced_downtime.remove(&address);
                let outstanding = !self.outstanding_downtime.insert(address);
                one_outstanding_downtime_slash(outstanding, after_bounce)
                    .map_err(|e| e.context(format!("validator {address}")))?;
            }
            Infraction::DoubleSign => {
                *self.double_sign_packets.entry(address).or_default() += 1;
                self.double_signs_to_check.insert(address);
            }
        }
        self.in_flight.push((slash.clone(), sequence));
        self.slashes_sent.push((slash, at));
        Ok(())
    }

    fn matured_sent(&mut self, vsc_id: u64, at: u64, unbonding: u64) -> Result<()> {
        maturity_after_consumer_unbonding(
            vsc_id,
            at,
            self.applied_at.get(&vsc_id).copied(),
            unbonding,
        )?;
        self.matured_sent.push((vsc_id, at));
        Ok(())
    }

    fn acknowledged(&mut self, sequence: u64) {
        self.in_flight.retain(|(_, sent)| *sent != sequence);
    }
}

/// How the follower tells which channel an event belongs to: consumer contracts on different
/// chains can share an address (and so a port), so packets are told apart by chain and by the
/// provider's end of each channel.
pub struct Routing<'a> {
    pub provider_chain_id: &'a str,
    pub provider_port: &'a str,
    /// The provider chain's channel end → consumer chain id.
    pub by_provider_channel: &'a BTreeMap<String, String>,
    /// Consumer chains with a deployed consumer contract.
    pub deployed: &'a BTreeSet<String>,
    /// The consumers' unbonding period (seconds).
    pub consumer_unbonding: u64,
}

/// Reads `events` (the log since the last call) into the consumers' histories, checking the
/// per-event properties as it goes.
pub fn follow(
    histories: &mut BTreeMap<String, ChannelHistory>,
    events: &[IbcEvent],
    routing: &Routing,
) -> Result<()> {
    let provider_port = routing.provider_port;
    // Where each consumer packet's ack was delivered in this batch. ibc-sim logs an ack after
    // the contract handled it, so a packet the ack handler sends is logged before the ack:
    // such a send is not a duplicate of the packet being acknowledged.
    let acks_in_batch: BTreeMap<(&str, u64), &Stamp> = events
        .iter()
        .filter_map(|event| match event {
            IbcEvent::AckPacket { at, packet, .. } if packet.dest.port_id == provider_port => {
                Some(((at.chain_id.as_str(), packet.sequence), at))
            }
            _ => None,
        })
        .collect();
    for event in events {
        match event {
            IbcEvent::SendPacket { at, packet }
                if packet.src.port_id == provider_port
                    && at.chain_id == routing.provider_chain_id =>
            {
                let Some(history) =
                    provider_side_history(histories, routing, &packet.src.channel_id)
                else {
                    continue;
                };
                history.vsc_sent(&decode_vsc(packet)?)?;
            }
            IbcEvent::RecvPacket { at, packet } if packet.src.port_id == provider_port => {
                let Some(history) = deployed_history(histories, routing, at) else {
                    continue;
                };
                history
                    .vsc_received(&decode_vsc(packet)?)
                    .map_err(|e| e.context(format!("on {}", at.chain_id)))?;
            }
            IbcEvent::WriteAck {
                at,
                packet,
                is_error: false,
                ..
            } if packet.src.port_id == provider_port => {
                let Some(history) = deployed_history(histories, routing, at) else {
                    continue;
                };
                history
                    .vsc_applied(decode_vsc(packet)?.valset_update_id, at.time.seconds())
                    .map_err(|e| e.context(format!("on {}", at.chain_id)))?;
            }
            IbcEvent::SendPacket { at, packet } if packet.dest.port_id == provider_port => {
                let Some(history) = deployed_history(histories, routing, at) else {
                    continue;
                };
                let sent_at = at.time.seconds();
                match decode_consumer_packet(packet)? {
                    ConsumerPacket::Slash(slash) => {
                        // Packets whose ack handling sent this one are no longer in flight.
                        history.in_flight.retain(|(_, sequence)| {
                            acks_in_batch.get(&(at.chain_id.as_str(), *sequence)) != Some(&at)
                        });
                        history
                            .slash_sent(slash, packet.sequence, sent_at)
                            .map_err(|e| e.context(format!("on {}", at.chain_id)))?;
                    }
                    ConsumerPacket::VscMatured(matured) => history
                        .matured_sent(
                            matured.valset_update_id,
                            sent_at,
                            routing.consumer_unbonding,
                        )
                        .map_err(|e| e.context(format!("on {}", at.chain_id)))?,
                }
            }
            IbcEvent::AckPacket { at, packet, .. } if packet.dest.port_id == provider_port => {
                if let Some(history) = deployed_history(histories, routing, at) {
                    history.acknowledged(packet.sequence);
                }
            }
            // What the provider decided, when it decided it (the ack may reach the consumer
            // much later).
            IbcEvent::WriteAck {
                at,
                packet,
                ack,
                is_error: false,
                ..
            } if packet.dest.port_id == provider_port
                && at.chain_id == routing.provider_chain_id =>
            {
                let Some(history) =
                    provider_side_history(histories, routing, &packet.dest.channel_id)
                else {
                    continue;
                };
                if let Ok(ConsumerPacket::Slash(slash)) = decode_consumer_packet(packet) {
                    match Acknowledgement::decode(ack) {
                        Ok(Acknowledgement::Result(AckResult::SlashBounced)) => {
                            if slash.infraction == Infraction::Downtime {
                                history.bounced_downtime.insert(slash.validator.address);
                            }
                            history.slashes_bounced.push(slash);
                        }
                        Ok(Acknowledgement::Result(_)) => history.slashes_handled.push(slash),
                        Ok(Acknowledgement::Error(_)) | Err(_) => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The history of the consumer at the other end of the provider's channel `channel_id`.
fn provider_side_history<'h>(
    histories: &'h mut BTreeMap<String, ChannelHistory>,
    routing: &Routing,
    channel_id: &str,
) -> Option<&'h mut ChannelHistory> {
    let chain_id = routing.by_provider_channel.get(channel_id)?;
    histories.get_mut(chain_id)
}

/// The history of the deployed consumer on the chain of `at`.
fn deployed_history<'h>(
    histories: &'h mut BTreeMap<String, ChannelHistory>,
    routing: &Routing,
    at: &Stamp,
) -> Option<&'h mut ChannelHistory> {
    if !routing.deployed.contains(&at.chain_id) {
        return None;
    }
    histories.get_mut(&at.chain_id)
}

fn decode_vsc(packet: &IbcPacket) -> Result<ValidatorSetChangePacket> {
    ValidatorSetChangePacket::decode(&packet.data)
        .map_err(|e| anyhow!("the provider sent a malformed VSC packet: {e}"))
}

fn decode_consumer_packet(packet: &IbcPacket) -> Result<ConsumerPacket> {
    ConsumerPacket::decode(&packet.data)
        .map_err(|e| anyhow!("a consumer sent a malformed packet: {e}"))
}
