//! The relayer, driven by the test: relay everything until quiet, one packet at a time,
//! list what is pending, hold / drop / delay packets, stop and restart a path.

use crate::chain::SimCustom;
use crate::contract::IbcEntry;
use crate::coordinator::{ChannelKey, Coordinator, Path};
use crate::error::{SimError, SimResult};
use crate::events::IbcEvent;
use crate::ics20;
use crate::store::{
    timed_out, ChannelEnd, ChannelState, Commitment, Receipt, ACKS, CHANNELS, COMMITMENTS,
    RECEIPTS, RECEIVED,
};
use crate::transfer::{is_error_ack, TRANSFER_PORT};
use cosmwasm_std::{
    Binary, IbcAcknowledgement, IbcChannelCloseMsg, IbcPacket, IbcPacketAckMsg,
    IbcPacketReceiveMsg, IbcPacketTimeoutMsg, Timestamp,
};
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
    stopped: BTreeSet<ChannelKey>,
    holds: BTreeMap<PacketId, PacketHold>,
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

/// Both ends of a channel and the client each side uses to verify the other.
#[derive(Clone, Debug)]
struct Route {
    src: ChannelKey,
    dst: ChannelKey,
    src_client: String,
    dst_client: String,
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
        for pending in self.pending(path)? {
            match pending {
                Pending::Packet { id, hold: None, .. } | Pending::Timeout { id, .. } => {
                    let outcome = self.relay_packet(&id)?;
                    return Ok(Some((id, outcome)));
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

    // ------------------------------------------------------------ delivery

    fn deliver_packet(&mut self, route: &Route, commitment: Commitment) -> SimResult<RelayOutcome> {
        let packet = commitment.packet;
        let seq = packet.sequence;
        let (dst_port, dst_channel) = (route.dst.port_id.clone(), route.dst.channel_id.clone());
        let dst_end = self.end(&route.dst)?;
        let dst_block = self.chain(&route.dst.chain_id)?.block_info();
        if self
            .chain(&route.dst.chain_id)?
            .has_receipt(&dst_port, &dst_channel, seq)
        {
            return Err(SimError::AlreadyReceived {
                chain_id: route.dst.chain_id.clone(),
                port_id: dst_port,
                channel_id: dst_channel,
                sequence: seq,
            });
        }
        if timed_out(&packet, &dst_block) || dst_end.state == ChannelState::Closed {
            self.deliver_timeout(route, packet)?;
            return Ok(RelayOutcome::TimedOut);
        }
        expect_open(&route.dst, &dst_end)?;
        self.update_client(&route.dst.chain_id, &route.dst_client)?;
        if dst_end.is_ordered() && seq != dst_end.next_sequence_recv {
            return Err(SimError::OutOfOrder {
                chain_id: route.dst.chain_id.clone(),
                port_id: dst_port,
                channel_id: dst_channel,
                expected: dst_end.next_sequence_recv,
                got: seq,
            });
        }
        let chain = self.chain_mut(&route.dst.chain_id)?;
        chain.log().clone().push(IbcEvent::RecvPacket {
            at: chain.stamp(),
            packet: packet.clone(),
        });
        let relayer = chain.relayer();
        let ack = if dst_port == TRANSFER_PORT {
            Some(ics20::receive(chain, &packet)?)
        } else {
            let entry = IbcEntry::PacketReceive(IbcPacketReceiveMsg::new(packet.clone(), relayer));
            match chain.call_port(&dst_port, entry)? {
                Ok(response) => response.data,
                Err(error) => Some(crate::transfer::error_ack(&error).into()),
            }
        };
        let block = chain.block_info();
        let storage = chain.app_mut().storage_mut();
        let key = (dst_port.as_str(), dst_channel.as_str(), seq);
        RECEIPTS.save(
            storage,
            key,
            &Receipt {
                height: block.height,
                time: block.time,
                ack_pending: ack.is_none(),
            },
        )?;
        match &ack {
            Some(ack) => ACKS.save(storage, key, ack)?,
            None => RECEIVED.save(storage, key, &packet)?,
        }
        if dst_end.is_ordered() {
            // reload: the contract's own messages may have touched the end (e.g. closed it)
            if let Some(mut end) = CHANNELS.may_load(storage, (&dst_port, &dst_channel))? {
                end.next_sequence_recv = seq.saturating_add(1);
                CHANNELS.save(storage, (&dst_port, &dst_channel), &end)?;
            }
        }
        if let Some(ack) = &ack {
            let at = chain.stamp();
            self.log.push(IbcEvent::WriteAck {
                at,
                packet: packet.clone(),
                ack: ack.clone(),
                is_error: is_error_ack(ack),
                is_async: false,
            });
            if dst_port == TRANSFER_PORT && !is_error_ack(ack) {
                let chain = self.chain_mut(&route.dst.chain_id)?;
                ics20::destination_callback(chain, &packet, ack)?;
            }
        }
        Ok(RelayOutcome::Received { ack })
    }

    fn deliver_ack(&mut self, route: &Route, packet: IbcPacket, ack: Binary) -> SimResult<()> {
        let src_end = self.end(&route.src)?;
        expect_open(&route.src, &src_end)?;
        self.update_client(&route.src.chain_id, &route.src_client)?;
        let seq = packet.sequence;
        if src_end.is_ordered() && seq != src_end.next_sequence_ack {
            return Err(SimError::OutOfOrder {
                chain_id: route.src.chain_id.clone(),
                port_id: route.src.port_id.clone(),
                channel_id: route.src.channel_id.clone(),
                expected: src_end.next_sequence_ack,
                got: seq,
            });
        }
        let chain = self.chain_mut(&route.src.chain_id)?;
        if route.src.port_id == TRANSFER_PORT {
            ics20::on_ack_or_timeout(chain, &packet, Some(&ack))?;
        } else {
            let relayer = chain.relayer();
            let msg = IbcPacketAckMsg::new(
                IbcAcknowledgement::new(ack.clone()),
                packet.clone(),
                relayer,
            );
            if let Err(error) = chain.call_port(&route.src.port_id, IbcEntry::PacketAck(msg))? {
                return Err(SimError::Contract {
                    chain_id: route.src.chain_id.clone(),
                    error,
                });
            }
        }
        let storage = chain.app_mut().storage_mut();
        COMMITMENTS.remove(storage, (&route.src.port_id, &route.src.channel_id, seq));
        if src_end.is_ordered() {
            if let Some(mut end) =
                CHANNELS.may_load(storage, (&route.src.port_id, &route.src.channel_id))?
            {
                end.next_sequence_ack = seq.saturating_add(1);
                CHANNELS.save(storage, (&route.src.port_id, &route.src.channel_id), &end)?;
            }
        }
        let at = chain.stamp();
        self.log.push(IbcEvent::AckPacket { at, packet, ack });
        Ok(())
    }

    fn deliver_timeout(&mut self, route: &Route, packet: IbcPacket) -> SimResult<()> {
        let seq = packet.sequence;
        let src_end = self.end(&route.src)?;
        expect_open(&route.src, &src_end)?;
        let dst_end = self.end(&route.dst)?;
        let dst_chain = self.chain(&route.dst.chain_id)?;
        if dst_chain.has_receipt(&route.dst.port_id, &route.dst.channel_id, seq) {
            return Err(SimError::AlreadyReceived {
                chain_id: route.dst.chain_id.clone(),
                port_id: route.dst.port_id.clone(),
                channel_id: route.dst.channel_id.clone(),
                sequence: seq,
            });
        }
        if !timed_out(&packet, &dst_chain.block_info()) && dst_end.state != ChannelState::Closed {
            return Err(SimError::NotTimedOut {
                chain_id: route.src.chain_id.clone(),
                port_id: route.src.port_id.clone(),
                channel_id: route.src.channel_id.clone(),
                sequence: seq,
            });
        }
        self.update_client(&route.src.chain_id, &route.src_client)?;
        let chain = self.chain_mut(&route.src.chain_id)?;
        if route.src.port_id == TRANSFER_PORT {
            ics20::on_ack_or_timeout(chain, &packet, None)?;
        } else {
            let relayer = chain.relayer();
            let msg = IbcPacketTimeoutMsg::new(packet.clone(), relayer);
            if let Err(error) = chain.call_port(&route.src.port_id, IbcEntry::PacketTimeout(msg))? {
                return Err(SimError::Contract {
                    chain_id: route.src.chain_id.clone(),
                    error,
                });
            }
        }
        let storage = chain.app_mut().storage_mut();
        COMMITMENTS.remove(storage, (&route.src.port_id, &route.src.channel_id, seq));
        let at = chain.stamp();
        chain.log().clone().push(IbcEvent::TimeoutPacket {
            at: at.clone(),
            packet,
        });
        if src_end.is_ordered() {
            // ibc-go closes an ordered channel on timeout; the other end follows with
            // ChanCloseConfirm when relayed.
            let storage = chain.app_mut().storage_mut();
            let key = (route.src.port_id.as_str(), route.src.channel_id.as_str());
            if let Some(mut end) = CHANNELS.may_load(storage, key)? {
                end.state = ChannelState::Closed;
                CHANNELS.save(storage, key, &end)?;
            }
            chain.log().clone().push(IbcEvent::ChannelClosedOnTimeout {
                at,
                port_id: route.src.port_id.clone(),
                channel_id: route.src.channel_id.clone(),
                sequence: seq,
            });
        }
        Ok(())
    }

    fn deliver_close_confirm(&mut self, route: &Route) -> SimResult<()> {
        let mut dst_end = self.end(&route.dst)?;
        self.update_client(&route.dst.chain_id, &route.dst_client)?;
        let chain = self.chain_mut(&route.dst.chain_id)?;
        if route.dst.port_id != TRANSFER_PORT {
            let msg = IbcChannelCloseMsg::new_confirm(dst_end.to_ibc_channel());
            if let Err(error) = chain.call_port(&route.dst.port_id, IbcEntry::ChannelClose(msg))? {
                return Err(SimError::Contract {
                    chain_id: route.dst.chain_id.clone(),
                    error,
                });
            }
        }
        dst_end.state = ChannelState::Closed;
        chain.save_channel(&dst_end)?;
        let at = chain.stamp();
        self.log.push(IbcEvent::ChannelCloseConfirm {
            at,
            port_id: route.dst.port_id.clone(),
            channel_id: route.dst.channel_id.clone(),
        });
        Ok(())
    }

    // ------------------------------------------------------------ lookups

    fn end(&self, key: &ChannelKey) -> SimResult<ChannelEnd> {
        self.chain(&key.chain_id)?
            .channel(&key.port_id, &key.channel_id)
            .ok_or_else(|| SimError::UnknownChannel {
                chain_id: key.chain_id.clone(),
                port_id: key.port_id.clone(),
                channel_id: key.channel_id.clone(),
            })
    }

    fn route(&self, src: &ChannelKey) -> SimResult<Route> {
        let src_end = self.end(src)?;
        let src_chain = self.chain(&src.chain_id)?;
        let connection = src_chain
            .connection(&src_end.connection_id)
            .ok_or_else(|| SimError::UnknownConnection {
                chain_id: src.chain_id.clone(),
                connection_id: src_end.connection_id.clone(),
            })?;
        let dst_chain = self.chain(&connection.counterparty_chain_id)?;
        let dst_connection = dst_chain
            .connection(&connection.counterparty_connection_id)
            .ok_or_else(|| SimError::UnknownConnection {
                chain_id: dst_chain.chain_id().to_string(),
                connection_id: connection.counterparty_connection_id.clone(),
            })?;
        Ok(Route {
            src: src.clone(),
            dst: ChannelKey::new(
                dst_chain.chain_id(),
                &src_end.counterparty_port_id,
                &src_end.counterparty_channel_id,
            ),
            src_client: connection.client_id.clone(),
            dst_client: dst_connection.client_id.clone(),
        })
    }

    fn commitment(&self, route: &Route, sequence: u64) -> SimResult<Commitment> {
        COMMITMENTS
            .may_load(
                self.chain(&route.src.chain_id)?.app().storage(),
                (&route.src.port_id, &route.src.channel_id, sequence),
            )?
            .ok_or_else(|| no_packet(&route.src, sequence))
    }

    fn check_running(&self, route: &Route) -> SimResult<()> {
        if self.relayer.stopped.contains(&route.src) || self.relayer.stopped.contains(&route.dst) {
            return Err(SimError::RelayerStopped(format!(
                "{}:{}/{}",
                route.src.chain_id, route.src.port_id, route.src.channel_id
            )));
        }
        Ok(())
    }
}

fn expect_open(key: &ChannelKey, end: &ChannelEnd) -> SimResult<()> {
    if end.state != ChannelState::Open {
        return Err(SimError::WrongChannelState {
            chain_id: key.chain_id.clone(),
            port_id: key.port_id.clone(),
            channel_id: key.channel_id.clone(),
            state: end.state.to_string(),
            expected: ChannelState::Open.to_string(),
        });
    }
    Ok(())
}

fn no_packet(key: &ChannelKey, sequence: u64) -> SimError {
    SimError::NoSuchPacket {
        chain_id: key.chain_id.clone(),
        port_id: key.port_id.clone(),
        channel_id: key.channel_id.clone(),
        sequence,
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
