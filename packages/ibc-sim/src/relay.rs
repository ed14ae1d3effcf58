//! The relayer, driven by the test: relay everything until quiet, one packet at a time,
//! list what is pending, hold / drop / delay packets, stop and restart a path.

use crate::chain::SimCustom;
use crate::coordinator::Coordinator;
use crate::delivery::no_packet;
use crate::error::{SimError, SimResult};
use crate::path::{ChannelKey, Path};
use crate::store::{timed_out, ChannelState};
use cosmwasm_std::{Binary, IbcPacket, Timestamp};
use std::collections::{BTreeMap, BTreeSet};

/// `relay_all` gives up after this many rounds (two contracts answering each other's
/// packets forever would otherwise never become quiet).
pub const MAX_RELAY_ROUNDS: usize = 1_000;

/// A packet, named by its source end and sequence.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PacketId {
    pub chain_id: String,
    pub port_id: String,
    pub channel_id: String,
    pub sequence: u64,
}

impl PacketId {
    pub fn new(chain_id: &str, port_id: &str, channel_id: &str, sequence: u64) -> Self {
        PacketId {
            chain_id: chain_id.to_string(),
            port_id: port_id.to_string(),
            channel_id: channel_id.to_string(),
            sequence,
        }
    }

    /// The id of a packet sent from `chain_id`.
    pub fn of(chain_id: &str, packet: &IbcPacket) -> Self {
        PacketId::new(
            chain_id,
            &packet.src.port_id,
            &packet.src.channel_id,
            packet.sequence,
        )
    }

    fn source(&self) -> ChannelKey {
        ChannelKey::new(&self.chain_id, &self.port_id, &self.channel_id)
    }
}

/// What the test told the relayer to do with one packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PacketHold {
    /// Not delivered by `relay_all` until released (an explicit `relay_packet` still does).
    /// Like every hold, it stops delivery only: once the packet has timed out, its timeout
    /// is relayed.
    Held,
    /// Never delivered; it can still time out and its timeout is relayed.
    Dropped,
    /// Not delivered before the destination chain's clock reaches this time.
    DelayedUntil(Timestamp),
}

/// Relayer switches: stopped paths and per-packet holds.
#[derive(Default, Clone, Debug)]
pub struct RelayerControl {
    pub(crate) stopped: BTreeSet<ChannelKey>,
    pub(crate) holds: BTreeMap<PacketId, PacketHold>,
}

/// Work waiting for the relayer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pending {
    /// Sent and deliverable (unless `hold` says otherwise).
    Packet {
        id: PacketId,
        packet: IbcPacket,
        hold: Option<PacketHold>,
    },
    /// Sent, not received, and past its timeout at the destination (or the destination end
    /// is closed): its timeout is to be relayed back.
    Timeout { id: PacketId, packet: IbcPacket },
    /// Received and acknowledged; the ack is to be relayed back.
    Ack {
        id: PacketId,
        packet: IbcPacket,
        ack: Binary,
    },
    /// Received without an ack yet: the receiving contract will write it later.
    AwaitingAsyncAck { id: PacketId, packet: IbcPacket },
    /// The counterparty end closed; this end is to get ChanCloseConfirm.
    CloseConfirm { end: ChannelKey },
}

/// What one relay run did.
#[derive(Default, Clone, Debug, PartialEq, Eq)]
pub struct RelaySummary {
    pub packets_received: usize,
    pub acks_relayed: usize,
    pub timeouts_relayed: usize,
    pub channels_closed: usize,
    /// Work that could not be done because a client has expired (one line each).
    pub blocked: Vec<String>,
}

impl RelaySummary {
    /// Number of messages the relayer delivered.
    pub fn steps(&self) -> usize {
        self.packets_received + self.acks_relayed + self.timeouts_relayed + self.channels_closed
    }
}

/// What happened to a packet handed to the relayer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RelayOutcome {
    /// Received; `ack` is `None` when the receiver acknowledges asynchronously.
    Received { ack: Option<Binary> },
    /// Too late (or the destination end closed): the timeout went back to the sender.
    TimedOut,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Packets,
    Closes,
}

impl<CustomT: SimCustom> Coordinator<CustomT> {
    // ------------------------------------------------------------ switches

    /// Relayer down on this path: `relay_all` skips it and explicit relays are refused.
    pub fn stop_relayer(&mut self, path: &Path) {
        self.relayer.stopped.insert((&path.a).into());
        self.relayer.stopped.insert((&path.b).into());
    }

    /// Relayer back up on this path.
    pub fn start_relayer(&mut self, path: &Path) {
        self.relayer.stopped.remove(&ChannelKey::from(&path.a));
        self.relayer.stopped.remove(&ChannelKey::from(&path.b));
    }

    pub fn is_relayer_running(&self, path: &Path) -> bool {
        !self.relayer.stopped.contains(&ChannelKey::from(&path.a))
    }

    pub fn hold_packet(&mut self, id: &PacketId) {
        self.relayer.holds.insert(id.clone(), PacketHold::Held);
    }

    /// Undoes a hold, drop or delay.
    pub fn release_packet(&mut self, id: &PacketId) {
        self.relayer.holds.remove(id);
    }

    pub fn drop_packet(&mut self, id: &PacketId) {
        self.relayer.holds.insert(id.clone(), PacketHold::Dropped);
    }

    /// Delivers the packet only once the destination chain's clock has advanced `secs`.
    pub fn delay_packet(&mut self, id: &PacketId, secs: u64) -> SimResult<()> {
        let route = self.route(&id.source())?;
        let until = self.chain(&route.dst.chain_id)?.time().plus_seconds(secs);
        self.relayer
            .holds
            .insert(id.clone(), PacketHold::DelayedUntil(until));
        Ok(())
    }

    fn hold_blocks(&self, id: &PacketId, dst_time: Timestamp) -> Option<PacketHold> {
        match self.relayer.holds.get(id) {
            Some(PacketHold::DelayedUntil(until)) if dst_time >= *until => None,
            other => other.cloned(),
        }
    }

    // ------------------------------------------------------------ inspection

    /// Everything waiting on both directions of `path`.
    pub fn pending(&self, path: &Path) -> SimResult<Vec<Pending>> {
        let mut out = self.pending_from(&(&path.a).into())?;
        out.extend(self.pending_from(&(&path.b).into())?);
        Ok(out)
    }

    /// Everything waiting anywhere in the network.
    pub fn pending_all(&self) -> SimResult<Vec<Pending>> {
        let mut out = vec![];
        for (a, b) in &self.pairs {
            out.extend(self.pending_from(a)?);
            out.extend(self.pending_from(b)?);
        }
        Ok(out)
    }

    /// Work whose source (or, for a close, whose closed end) is `src`.
    fn pending_from(&self, src: &ChannelKey) -> SimResult<Vec<Pending>> {
        let route = self.route(src)?;
        let src_end = self.end(&route.src)?;
        let dst_end = self.end(&route.dst)?;
        let dst_chain = self.chain(&route.dst.chain_id)?;
        let dst_block = dst_chain.block_info();
        let mut out = vec![];
        if src_end.state == ChannelState::Open {
            for commitment in self
                .chain(&src.chain_id)?
                .commitments(&src.port_id, &src.channel_id)
            {
                let id = PacketId::of(&src.chain_id, &commitment.packet);
                let packet = commitment.packet;
                let seq = packet.sequence;
                if dst_chain.has_receipt(&route.dst.port_id, &route.dst.channel_id, seq) {
                    match dst_chain.ack(&route.dst.port_id, &route.dst.channel_id, seq) {
                        Some(ack) => out.push(Pending::Ack { id, packet, ack }),
                        None => out.push(Pending::AwaitingAsyncAck { id, packet }),
                    }
                } else if timed_out(&packet, &dst_block) || dst_end.state == ChannelState::Closed {
                    out.push(Pending::Timeout { id, packet });
                } else if dst_end.state == ChannelState::Open {
                    let hold = self.hold_blocks(&id, dst_block.time);
                    out.push(Pending::Packet { id, packet, hold });
                }
            }
        }
        if src_end.state == ChannelState::Closed && dst_end.state != ChannelState::Closed {
            out.push(Pending::CloseConfirm {
                end: route.dst.clone(),
            });
        }
        Ok(out)
    }

    // ------------------------------------------------------------ explicit steps

    /// Delivers one packet (or, if it is too late, relays its timeout). Ignores a hold;
    /// refuses a dropped or still-delayed packet, a stopped path and an expired client.
    pub fn relay_packet(&mut self, id: &PacketId) -> SimResult<RelayOutcome> {
        let route = self.route(&id.source())?;
        self.check_running(&route)?;
        let dst_time = self.chain(&route.dst.chain_id)?.time();
        match self.hold_blocks(id, dst_time) {
            Some(PacketHold::Dropped) => return Err(blocked(id, "dropped")),
            Some(PacketHold::DelayedUntil(until)) => {
                return Err(blocked(id, &format!("delayed until {}s", until.seconds())))
            }
            _ => {}
        }
        let commitment = self.commitment(&route, id.sequence)?;
        let outcome = self.deliver_packet(&route, commitment)?;
        self.relayer.holds.remove(id);
        Ok(outcome)
    }

    /// Delivers the lowest-sequence deliverable packet of `path` (from `a` first, then `b`).
    pub fn relay_next_packet(
        &mut self,
        path: &Path,
    ) -> SimResult<Option<(PacketId, RelayOutcome)>> {
        // on an ordered channel a held packet blocks the ones behind it
        let mut blocked_sources = BTreeSet::new();
        for pending in self.pending(path)? {
            match pending {
                Pending::Packet { id, hold: None, .. } | Pending::Timeout { id, .. }
                    if !blocked_sources.contains(&id.source()) =>
                {
                    let outcome = self.relay_packet(&id)?;
                    return Ok(Some((id, outcome)));
                }
                Pending::Packet {
                    id, hold: Some(_), ..
                } if self.end(&id.source())?.is_ordered() => {
                    blocked_sources.insert(id.source());
                }
                _ => {}
            }
        }
        Ok(None)
    }

    /// Relays the acknowledgement of a received packet back to its sender.
    pub fn relay_ack(&mut self, id: &PacketId) -> SimResult<()> {
        let route = self.route(&id.source())?;
        self.check_running(&route)?;
        let commitment = self.commitment(&route, id.sequence)?;
        let ack = self
            .chain(&route.dst.chain_id)?
            .ack(&route.dst.port_id, &route.dst.channel_id, id.sequence)
            .ok_or_else(|| no_packet(&route.dst, id.sequence))?;
        self.deliver_ack(&route, commitment.packet, ack)
    }

    /// Relays the timeout of a packet that can no longer be received.
    pub fn relay_timeout(&mut self, id: &PacketId) -> SimResult<()> {
        let route = self.route(&id.source())?;
        self.check_running(&route)?;
        let commitment = self.commitment(&route, id.sequence)?;
        self.deliver_timeout(&route, commitment.packet)
    }

    /// Relays everything on `path` until nothing is left to do.
    pub fn relay_path(&mut self, path: &Path) -> SimResult<RelaySummary> {
        if !self.is_relayer_running(path) {
            return Err(SimError::RelayerStopped(path.label()));
        }
        let pair = ((&path.a).into(), (&path.b).into());
        self.relay_pairs(&[pair])
    }

    /// Relays everything on every running path until the network is quiet: packets (or their
    /// timeouts), then acks, then close confirmations, round after round, so packets sent
    /// while handling others are delivered too. Clients of running paths are kept fresh.
    pub fn relay_all(&mut self) -> SimResult<RelaySummary> {
        let pairs = self.pairs.clone();
        self.relay_pairs(&pairs)
    }

    fn relay_pairs(&mut self, pairs: &[(ChannelKey, ChannelKey)]) -> SimResult<RelaySummary> {
        let mut summary = RelaySummary::default();
        let running: Vec<_> = pairs
            .iter()
            .filter(|(a, _)| !self.relayer.stopped.contains(a))
            .cloned()
            .collect();
        for (a, _) in &running {
            let route = self.route(a)?;
            for (host, client) in [
                (&route.src.chain_id, &route.src_client),
                (&route.dst.chain_id, &route.dst_client),
            ] {
                if !self.is_client_expired(host, client)? {
                    self.update_client(host, client)?;
                }
            }
        }
        for _ in 0..MAX_RELAY_ROUNDS {
            let before = summary.steps();
            // packets, timeouts (also on close) and acks first, so nothing in flight is
            // stranded by a close confirmation delivered in the same round
            for phase in [Phase::Packets, Phase::Closes] {
                for (a, b) in &running {
                    self.relay_direction(a, phase, &mut summary)?;
                    self.relay_direction(b, phase, &mut summary)?;
                }
            }
            if summary.steps() == before {
                return Ok(summary);
            }
        }
        Err(SimError::NotQuiet(MAX_RELAY_ROUNDS))
    }

    fn relay_direction(
        &mut self,
        src: &ChannelKey,
        phase: Phase,
        summary: &mut RelaySummary,
    ) -> SimResult<()> {
        let route = self.route(src)?;
        let ordered = self.end(src)?.is_ordered();
        let dst_expired = self.is_client_expired(&route.dst.chain_id, &route.dst_client)?;
        let src_expired = self.is_client_expired(&route.src.chain_id, &route.src_client)?;
        for pending in self.pending_from(src)? {
            let is_close = matches!(pending, Pending::CloseConfirm { .. });
            if is_close != (phase == Phase::Closes) {
                continue;
            }
            // a timeout handled earlier in this loop may have closed an ordered channel
            if !is_close && self.end(src)?.state != ChannelState::Open {
                continue;
            }
            match pending {
                Pending::Packet { id, hold, .. } => {
                    if hold.is_some() {
                        if ordered {
                            break;
                        }
                        continue;
                    }
                    if dst_expired {
                        note_blocked(summary, &route.dst.chain_id, &route.dst_client);
                        break;
                    }
                    let commitment = self.commitment(&route, id.sequence)?;
                    match self.deliver_packet(&route, commitment)? {
                        RelayOutcome::Received { .. } => summary.packets_received += 1,
                        RelayOutcome::TimedOut => summary.timeouts_relayed += 1,
                    }
                    if ordered && self.end(src)?.state != ChannelState::Open {
                        break;
                    }
                }
                Pending::Timeout { packet, .. } => {
                    if src_expired {
                        note_blocked(summary, &route.src.chain_id, &route.src_client);
                        continue;
                    }
                    self.deliver_timeout(&route, packet)?;
                    summary.timeouts_relayed += 1;
                }
                Pending::Ack { packet, ack, .. } => {
                    if src_expired {
                        note_blocked(summary, &route.src.chain_id, &route.src_client);
                        continue;
                    }
                    self.deliver_ack(&route, packet, ack)?;
                    summary.acks_relayed += 1;
                }
                Pending::AwaitingAsyncAck { .. } => {}
                Pending::CloseConfirm { .. } => {
                    if dst_expired {
                        note_blocked(summary, &route.dst.chain_id, &route.dst_client);
                        continue;
                    }
                    self.deliver_close_confirm(&route)?;
                    summary.channels_closed += 1;
                }
            }
        }
        Ok(())
    }
}

fn blocked(id: &PacketId, reason: &str) -> SimError {
    SimError::PacketBlocked {
        chain_id: id.chain_id.clone(),
        port_id: id.port_id.clone(),
        channel_id: id.channel_id.clone(),
        sequence: id.sequence,
        reason: reason.to_string(),
    }
}

fn note_blocked(summary: &mut RelaySummary, chain_id: &str, client_id: &str) {
    let line = format!("client {client_id} on {chain_id} has expired");
    if !summary.blocked.contains(&line) {
        summary.blocked.push(line);
    }
}
