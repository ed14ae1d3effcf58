//! The properties of DESIGN.md §7, checked after every step of a simulated network.
//!
//! The checker follows the IBC event log incrementally (what each side sent and received)
//! and compares it with what the contracts say about themselves. A violation is an error
//! that names the step, the chain and the diverging state.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{anyhow, bail, Result};
use cosmwasm_std::{IbcPacket, Timestamp};
use cw_ics_ccv::{
    AckResult, Acknowledgement, ConsensusAddress, ConsumerPacket, Infraction,
    ValidatorSetChangePacket,
};
use cw_ics_consumer::msg as consumer_msg;
use cw_ics_ibc_sim::{contract_port, IbcEvent};
use cw_ics_provider::msg as provider_msg;

use crate::network::{ConsumerHandle, Network, ProviderHandle};

type ValidatorSet = BTreeMap<Vec<u8>, u64>;

/// What the checker has learnt about one consumer from the event log.
#[derive(Default, Debug)]
struct ConsumerTrace {
    /// The set the provider sent for each vscId (0: genesis).
    sent_sets: BTreeMap<u64, ValidatorSet>,
    sent_order: Vec<u64>,
    received_order: Vec<u64>,
    /// Downtime slashes sent and not yet acknowledged in a VSC, by consensus address.
    outstanding_downtime: BTreeSet<ConsensusAddress>,
    /// Downtime slashes whose last delivery was bounced (0x03), so a resend is expected.
    bounced: BTreeSet<ConsensusAddress>,
    double_sign_packets: BTreeMap<ConsensusAddress, usize>,
    /// The first time the consumer was seen running each vscId or a later one.
    vsc_seen_at: BTreeMap<u64, Timestamp>,
}

/// Checks one provider and its consumers.
#[derive(Default, Debug)]
pub struct InvariantChecker {
    /// Index of the provider in `Network::providers`.
    provider: usize,
    cursor: usize,
    consumers: BTreeMap<String, ConsumerTrace>,
    /// Slash packets the provider received and accepted (non-error ack).
    provider_slashes_accepted: usize,
    /// Unbonding entries already seen released.
    released: BTreeSet<u64>,
}

impl InvariantChecker {
    pub fn new(provider: usize) -> Self {
        InvariantChecker {
            provider,
            ..InvariantChecker::default()
        }
    }

    fn provider<'n>(&self, net: &'n Network) -> Result<&'n ProviderHandle> {
        net.providers
            .get(self.provider)
            .ok_or_else(|| anyhow!("no provider {}", self.provider))
    }

    fn consumers<'n>(&self, net: &'n Network) -> impl Iterator<Item = &'n ConsumerHandle> {
        let provider = self.provider;
        net.consumers.iter().filter(move |c| c.provider == provider)
    }

    /// Checks every property; call after each step.
    pub fn check(&mut self, net: &Network) -> Result<()> {
        self.follow_log(net)?;
        let consumers: Vec<&ConsumerHandle> = self.consumers(net).collect();
        for consumer in consumers {
            if consumer.contract.is_none() {
                continue;
            }
            let chain_id = &consumer.spec.chain_id;
            self.check_replication(net, chain_id)?;
            self.check_channel_order(chain_id)?;
            self.check_double_signs(net, chain_id)?;
        }
        self.check_provider_slashes(net)?;
        self.check_bond_based_safety(net)?;
        Ok(())
    }

    fn trace(&mut self, chain_id: &str) -> &mut ConsumerTrace {
        self.consumers.entry(chain_id.to_string()).or_default()
    }

    /// Reads the new log entries: VSCs the provider sent and consumers received, slash
    /// packets consumers sent, acks.
    fn follow_log(&mut self, net: &Network) -> Result<()> {
        let provider = self.provider(net)?;
        let provider_port = contract_port(&provider.contract);
        // Consumer contracts on different chains can share an address (and so a port), so
        // packets are told apart by chain and by the provider's end of each channel.
        let deployed: BTreeSet<String> = self
            .consumers(net)
            .filter(|c| c.contract.is_some())
            .map(|c| c.spec.chain_id.clone())
            .collect();
        let by_provider_channel: BTreeMap<String, String> = self
            .consumers(net)
            .filter_map(|c| {
                c.path
                    .as_ref()
                    .map(|path| (path.b.channel_id.clone(), c.spec.chain_id.clone()))
            })
            .collect();
        // Genesis sets, once each consumer is deployed.
        let mine: Vec<&ConsumerHandle> = self.consumers(net).collect();
        for consumer in mine {
            if consumer.contract.is_none() || self.consumers.contains_key(&consumer.spec.chain_id) {
                continue;
            }
            let genesis: cw_ics_ccv::ConsumerGenesis = net.query_provider_of(
                provider,
                &provider_msg::QueryMsg::ConsumerGenesis {
                    consumer_id: consumer.consumer_id,
                },
            )?;
            let set = genesis
                .initial_validator_set
                .iter()
                .map(|v| (v.pub_key.bytes().to_vec(), v.power))
                .collect();
            self.trace(&consumer.spec.chain_id).sent_sets.insert(0, set);
        }

        let events = net.coordinator.event_log().since(self.cursor);
        self.cursor += events.len();
        for event in events {
            match &event {
                IbcEvent::SendPacket { packet, .. } if packet.src.port_id == provider_port => {
                    let Some(chain_id) = by_provider_channel.get(&packet.src.channel_id) else {
                        continue;
                    };
                    let vsc = decode_vsc(packet)?;
                    let trace = self.trace(chain_id);
                    let mut set = trace
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
                    trace.sent_sets.insert(vsc.valset_update_id, set);
                    trace.sent_order.push(vsc.valset_update_id);
                }
                IbcEvent::RecvPacket { at, packet } if packet.src.port_id == provider_port => {
                    let Some(chain_id) = deployed.get(&at.chain_id) else {
                        continue;
                    };
                    let vsc = decode_vsc(packet)?;
                    let trace = self.trace(chain_id);
                    trace.received_order.push(vsc.valset_update_id);
                    for ack in &vsc.slash_acks {
                        if let Ok((_, address)) = ConsensusAddress::from_bech32(ack) {
                            trace.outstanding_downtime.remove(&address);
                        }
                    }
                }
                IbcEvent::SendPacket { at, packet } if packet.dest.port_id == provider_port => {
                    let Some(chain_id) = deployed.get(&at.chain_id).cloned() else {
                        continue;
                    };
                    let step = net.step;
                    if let ConsumerPacket::Slash(slash) = decode_consumer_packet(packet)? {
                        let address = slash.validator.address;
                        let trace = self.trace(&chain_id);
                        match slash.infraction {
                            Infraction::Downtime => {
                                let retry = trace.bounced.remove(&address);
                                if !trace.outstanding_downtime.insert(address) && !retry {
                                    bail!(
                                        "step {step}: consumer slashing warranty broken on {chain_id}: a second downtime slash packet for {address} before the provider acknowledged the first"
                                    );
                                }
                            }
                            Infraction::DoubleSign => {
                                *trace.double_sign_packets.entry(address).or_default() += 1;
                            }
                        }
                    }
                }
                IbcEvent::AckPacket { at, packet, ack } if packet.dest.port_id == provider_port => {
                    let Some(chain_id) = deployed.get(&at.chain_id).cloned() else {
                        continue;
                    };
                    if let (
                        Ok(ConsumerPacket::Slash(slash)),
                        Ok(Acknowledgement::Result(AckResult::SlashBounced)),
                    ) = (decode_consumer_packet(packet), Acknowledgement::decode(ack))
                    {
                        self.trace(&chain_id)
                            .bounced
                            .insert(slash.validator.address);
                    }
                }
                IbcEvent::WriteAck {
                    packet, is_error, ..
                } if packet.dest.port_id == provider_port && !is_error => {
                    if let Ok(ConsumerPacket::Slash(_)) = decode_consumer_packet(packet) {
                        self.provider_slashes_accepted += 1;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Validator set replication: a consumer's set is the one the provider sent for the
    /// vscId the consumer is at.
    fn check_replication(&mut self, net: &Network, chain_id: &str) -> Result<()> {
        let current: consumer_msg::ValidatorSetResponse =
            net.query_consumer(chain_id, &consumer_msg::QueryMsg::CurrentSet {})?;
        let now = net.chain(chain_id)?.time();
        let step = net.step;
        let trace = self.trace(chain_id);
        trace.vsc_seen_at.entry(current.vsc_id).or_insert(now);
        let Some(sent) = trace.sent_sets.get(&current.vsc_id) else {
            bail!(
                "step {step}: validator set replication broken on {chain_id}: the consumer runs vscId {} which the provider never sent (sent: {:?})",
                current.vsc_id,
                trace.sent_sets.keys().collect::<Vec<_>>()
            );
        };
        let held: ValidatorSet = current
            .validators
            .iter()
            .map(|v| (v.pub_key.bytes().to_vec(), v.power))
            .collect();
        if &held != sent {
            bail!(
                "step {step}: validator set replication broken on {chain_id} at vscId {}: consumer holds {} validators (total power {}), provider sent {} (total power {})",
                current.vsc_id,
                held.len(),
                held.values().sum::<u64>(),
                sent.len(),
                sent.values().sum::<u64>()
            );
        }
        Ok(())
    }

    /// Channel order: VSCs arrive in vscId order, none skipped.
    fn check_channel_order(&mut self, chain_id: &str) -> Result<()> {
        let trace = self.trace(chain_id);
        if trace.received_order.windows(2).any(|w| w[0] >= w[1]) {
            bail!(
                "channel order broken on {chain_id}: VSCs received as {:?}",
                trace.received_order
            );
        }
        if !trace.sent_order.starts_with(&trace.received_order) {
            bail!(
                "channel order broken on {chain_id}: provider sent {:?}, consumer received {:?}",
                trace.sent_order,
                trace.received_order
            );
        }
        Ok(())
    }

    /// One double-sign slash packet per infraction: never more packets for a validator than
    /// double signs it committed on that chain.
    fn check_double_signs(&mut self, net: &Network, chain_id: &str) -> Result<()> {
        let committed: BTreeMap<ConsensusAddress, usize> = net
            .consensus
            .get(chain_id)
            .map(|consensus| {
                let mut counts = BTreeMap::new();
                for evidence in &consensus.evidence_log {
                    *counts
                        .entry(evidence.public_key.consensus_address())
                        .or_default() += 1;
                }
                counts
            })
            .unwrap_or_default();
        let step = net.step;
        for (address, packets) in &self.trace(chain_id).double_sign_packets {
            let infractions = committed.get(address).copied().unwrap_or(0);
            if *packets > infractions {
                bail!(
                    "step {step}: consumer slashing warranty broken on {chain_id}: {packets} double-sign slash packets for {address}, which double-signed {infractions} times"
                );
            }
        }
        Ok(())
    }

    /// Provider slashing warranty: every slash packet the provider accepted is in its slash
    /// log exactly once.
    fn check_provider_slashes(&self, net: &Network) -> Result<()> {
        let provider = self.provider(net)?;
        let mut records = 0usize;
        let mut start_after = None;
        loop {
            let page: provider_msg::SlashLogResponse = net.query_provider_of(
                provider,
                &provider_msg::QueryMsg::SlashLog {
                    start_after,
                    limit: Some(100),
                },
            )?;
            records += page.records.len();
            match page.records.last() {
                Some(last) if page.records.len() == 100 => start_after = Some(last.id),
                _ => break,
            }
        }
        if records != self.provider_slashes_accepted {
            bail!(
                "step {}: provider slashing warranty broken on {}: {} slash packets accepted, {records} slash records",
                net.step,
                provider.chain_id,
                self.provider_slashes_accepted
            );
        }
        Ok(())
    }

    /// Bond-based consumer safety: an unbonding entry is paid out only after the provider's
    /// unbonding period, and only once every consumer running when it was created has run
    /// its vscId (or a later one) for its own unbonding period — or has stopped.
    fn check_bond_based_safety(&mut self, net: &Network) -> Result<()> {
        let provider = self.provider(net)?;
        let provider_now = net.chain(&provider.chain_id)?.time();
        for staker in &provider.stakers {
            let mut start_after = None;
            loop {
                let page: provider_msg::UnbondingsResponse = net.query_provider_of(
                    provider,
                    &provider_msg::QueryMsg::Unbondings {
                        staker: staker.to_string(),
                        start_after,
                        limit: Some(100),
                    },
                )?;
                for entry in &page.unbondings {
                    if entry.released && self.released.insert(entry.id) {
                        self.check_release(net, entry, provider_now)?;
                    }
                }
                match page.unbondings.last() {
                    Some(last) if page.unbondings.len() == 100 => start_after = Some(last.id),
                    _ => break,
                }
            }
        }
        Ok(())
    }

    fn check_release(
        &mut self,
        net: &Network,
        entry: &provider_msg::UnbondingResponse,
        provider_now: Timestamp,
    ) -> Result<()> {
        let step = net.step;
        if provider_now < entry.completes_at {
            bail!(
                "step {step}: bond-based consumer safety broken: unbonding entry {} released before its unbonding period ended",
                entry.id
            );
        }
        let provider = self.provider(net)?;
        let consumers: Vec<&ConsumerHandle> = self.consumers(net).collect();
        for consumer in consumers {
            let state: provider_msg::ConsumerResponse = net.query_provider_of(
                provider,
                &provider_msg::QueryMsg::Consumer {
                    consumer_id: consumer.consumer_id,
                },
            )?;
            let was_running = state
                .launch_height
                .is_some_and(|launched| launched <= entry.created_height);
            if !was_running || state.phase != provider_msg::ConsumerPhase::Launched {
                continue;
            }
            let chain_id = &consumer.spec.chain_id;
            let consumer_now = net.chain(chain_id)?.time();
            let unbonding = net.params.consumer_unbonding;
            let matured = self
                .trace(chain_id)
                .vsc_seen_at
                .range(entry.vsc_id..)
                .any(|(_, since)| consumer_now.seconds() >= since.seconds() + unbonding);
            if !matured {
                bail!(
                    "step {step}: bond-based consumer safety broken: unbonding entry {} (vscId {}) released while {chain_id} has not run vscId {} for its unbonding period",
                    entry.id,
                    entry.vsc_id,
                    entry.vsc_id
                );
            }
        }
        Ok(())
    }
}

fn decode_vsc(packet: &IbcPacket) -> Result<ValidatorSetChangePacket> {
    ValidatorSetChangePacket::decode(&packet.data)
        .map_err(|e| anyhow!("the provider sent a malformed VSC packet: {e}"))
}

fn decode_consumer_packet(packet: &IbcPacket) -> Result<ConsumerPacket> {
    ConsumerPacket::decode(&packet.data)
        .map_err(|e| anyhow!("a consumer sent a malformed packet: {e}"))
}
