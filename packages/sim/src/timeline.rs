//! A readable account of what happened in a network: CCV packets decoded from the IBC event
//! log, and each chain's validator-set changes.

use std::fmt;

use cosmwasm_std::Timestamp;
use cw_ics_ccv::{ConsumerPacket, Infraction, ValidatorSetChangePacket};
use cw_ics_ibc_sim::{contract_port, IbcEvent};

use crate::network::Network;

#[derive(Clone, Debug, PartialEq)]
pub struct TimelineEntry {
    pub chain_id: String,
    pub height: u64,
    pub time: Timestamp,
    pub kind: EntryKind,
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntryKind {
    Channel,
    VscSent,
    VscApplied,
    Slash,
    Maturity,
    Timeout,
    ValidatorSet,
}

impl EntryKind {
    pub fn label(self) -> &'static str {
        match self {
            EntryKind::Channel => "channel",
            EntryKind::VscSent => "vsc sent",
            EntryKind::VscApplied => "vsc applied",
            EntryKind::Slash => "slash",
            EntryKind::Maturity => "maturity",
            EntryKind::Timeout => "timeout",
            EntryKind::ValidatorSet => "validator set",
        }
    }
}

impl fmt::Display for TimelineEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:>8} {:<12} h={:<6} {:<13} {}",
            clock(self.time),
            self.chain_id,
            self.height,
            self.kind.label(),
            self.text
        )
    }
}

/// `+HH:MM` since the simulator's start time.
pub fn clock(time: Timestamp) -> String {
    let elapsed = time
        .seconds()
        .saturating_sub(cw_ics_ibc_sim::DEFAULT_START_TIME.seconds());
    format!("+{:02}:{:02}", elapsed / 3600, (elapsed % 3600) / 60)
}

/// Builds the timeline of everything the network did so far.
pub fn timeline(net: &Network) -> Vec<TimelineEntry> {
    let provider_port = contract_port(&net.provider().contract);
    let mut entries = vec![];
    for event in net.coordinator.events() {
        let at = event.at().clone();
        let entry = |kind, text: String| TimelineEntry {
            chain_id: at.chain_id.clone(),
            height: at.height,
            time: at.time,
            kind,
            text,
        };
        match &event {
            IbcEvent::ChannelOpenConfirm { channel_id, .. }
                if at.chain_id == net.provider().chain_id =>
            {
                entries.push(entry(
                    EntryKind::Channel,
                    format!("CCV channel {channel_id} open"),
                ));
            }
            IbcEvent::SendPacket { packet, .. } if packet.src.port_id == provider_port => {
                if let Ok(vsc) = ValidatorSetChangePacket::decode(&packet.data) {
                    entries.push(entry(
                        EntryKind::VscSent,
                        format!(
                            "vscId {} to {}: {} update(s){}",
                            vsc.valset_update_id,
                            packet.src.channel_id,
                            vsc.validator_updates.len(),
                            if vsc.slash_acks.is_empty() {
                                String::new()
                            } else {
                                format!(", {} slash ack(s)", vsc.slash_acks.len())
                            }
                        ),
                    ));
                }
            }
            IbcEvent::RecvPacket { packet, .. } if packet.src.port_id == provider_port => {
                if let Ok(vsc) = ValidatorSetChangePacket::decode(&packet.data) {
                    let names: Vec<String> = vsc
                        .validator_updates
                        .iter()
                        .map(|u| {
                            let name = net.name_of(&u.pub_key).unwrap_or("?");
                            format!("{name}→{}", u.power)
                        })
                        .collect();
                    entries.push(entry(
                        EntryKind::VscApplied,
                        format!("vscId {} [{}]", vsc.valset_update_id, names.join(", ")),
                    ));
                }
            }
            IbcEvent::SendPacket { packet, .. } if packet.dest.port_id == provider_port => {
                match ConsumerPacket::decode(&packet.data) {
                    Ok(ConsumerPacket::Slash(slash)) => {
                        let name = net
                            .validators
                            .iter()
                            .find(|v| v.consensus_address() == slash.validator.address)
                            .map_or("?", |v| v.name.as_str());
                        let infraction = match slash.infraction {
                            Infraction::Downtime => "downtime",
                            Infraction::DoubleSign => "double sign",
                        };
                        entries.push(entry(
                            EntryKind::Slash,
                            format!(
                                "{infraction} slash packet for {name} (vscId {})",
                                slash.valset_update_id
                            ),
                        ));
                    }
                    Ok(ConsumerPacket::VscMatured(matured)) => entries.push(entry(
                        EntryKind::Maturity,
                        format!("vscId {} matured", matured.valset_update_id),
                    )),
                    Err(_) => {}
                }
            }
            IbcEvent::TimeoutPacket { packet, .. } => entries.push(entry(
                EntryKind::Timeout,
                format!(
                    "packet #{} on {} timed out",
                    packet.sequence, packet.src.channel_id
                ),
            )),
            _ => {}
        }
    }
    let mut previous: std::collections::BTreeMap<&str, &std::collections::BTreeMap<String, u64>> =
        Default::default();
    for sample in &net.history {
        let before = previous.insert(sample.chain_id.as_str(), &sample.powers);
        let changes: Vec<String> = sample
            .powers
            .iter()
            .filter(|(name, power)| before.and_then(|b| b.get(*name)) != Some(power))
            .map(|(name, power)| format!("{name}={power}"))
            .chain(
                before
                    .into_iter()
                    .flat_map(|b| b.keys())
                    .filter(|name| !sample.powers.contains_key(*name))
                    .map(|name| format!("{name} out")),
            )
            .collect();
        if changes.is_empty() {
            continue;
        }
        entries.push(TimelineEntry {
            chain_id: sample.chain_id.clone(),
            height: sample.height,
            time: sample.time,
            kind: EntryKind::ValidatorSet,
            text: format!(
                "{} validators, power {}: {}",
                sample.powers.len(),
                sample.powers.values().sum::<u64>(),
                changes.join(" ")
            ),
        });
    }
    // Stable: entries of one moment keep the order they happened in.
    entries.sort_by_key(|e| e.time);
    entries
}
