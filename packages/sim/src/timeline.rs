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
    /// None where the source does not say (the provider's slash log keeps times only).
    pub height: Option<u64>,
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
    Jail,
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
            EntryKind::Jail => "jail",
            EntryKind::ValidatorSet => "validator set",
        }
    }
}

impl fmt::Display for TimelineEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let height = self.height.map_or("-".to_string(), |h| h.to_string());
        write!(
            f,
            "{:>8} {:<12} h={:<6} {:<13} {}",
            clock(self.time),
            self.chain_id,
            height,
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
            height: Some(at.height),
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
    entries.extend(provider_slash_log(net));
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
            height: Some(sample.height),
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

/// What the first provider did with the slash packets it received.
fn provider_slash_log(net: &Network) -> Vec<TimelineEntry> {
    use cw_ics_ccv::Infraction;
    use cw_ics_provider::msg::{QueryMsg, SlashAction, SlashLogResponse};
    let mut entries = vec![];
    let mut start_after = None;
    loop {
        let Ok(page) = net.query_provider::<SlashLogResponse>(&QueryMsg::SlashLog {
            start_after,
            limit: Some(100),
        }) else {
            break;
        };
        for record in &page.records {
            let name = net
                .validators
                .iter()
                .find(|v| {
                    cw_ics_ccv::ConsensusAddress::from_bech32(&record.consensus_address)
                        .is_ok_and(|(_, address)| address == v.consensus_address())
                })
                .map_or(record.validator.as_str(), |v| v.name.as_str());
            let consumer = net
                .consumers
                .iter()
                .find(|c| c.provider == 0 && c.consumer_id == record.consumer_id)
                .map_or("?", |c| c.spec.chain_id.as_str());
            let (kind, text) = match (&record.action, record.infraction) {
                (SlashAction::Jailed { slashed }, _) => (
                    EntryKind::Jail,
                    format!("{name} jailed for downtime on {consumer}, {slashed} tokens slashed"),
                ),
                (SlashAction::AlreadyJailed {}, _) => (
                    EntryKind::Jail,
                    format!("{name} already jailed: downtime report from {consumer} acknowledged"),
                ),
                (SlashAction::Recorded {}, Infraction::DoubleSign) => (
                    EntryKind::Jail,
                    format!("double sign by {name} on {consumer} recorded in the slash log"),
                ),
                (SlashAction::Recorded {}, Infraction::Downtime) => (
                    EntryKind::Jail,
                    format!("downtime of {name} on {consumer} recorded"),
                ),
            };
            entries.push(TimelineEntry {
                chain_id: net.provider().chain_id.clone(),
                height: None,
                time: record.received_at,
                kind,
                text,
            });
        }
        match page.records.last() {
            Some(last) if page.records.len() == 100 => start_after = Some(last.id),
            _ => break,
        }
    }
    entries
}
