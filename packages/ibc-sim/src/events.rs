//! The event log: every client, handshake step, packet, ack and timeout the simulator saw,
//! in the order it happened, for assertions and for a demo's timeline.

use cosmwasm_std::{Binary, IbcOrder, IbcPacket, Timestamp};
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

/// Where and when something happened: the chain, its block height and its block time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub chain_id: String,
    pub height: u64,
    pub time: Timestamp,
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} h={} t={}s",
            self.chain_id,
            self.height,
            self.time.seconds()
        )
    }
}

/// The handshake step a contract (or the transfer module) was asked to accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandshakeStep {
    OpenInit,
    OpenTry,
    OpenAck,
    OpenConfirm,
}

impl fmt::Display for HandshakeStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            HandshakeStep::OpenInit => "ChanOpenInit",
            HandshakeStep::OpenTry => "ChanOpenTry",
            HandshakeStep::OpenAck => "ChanOpenAck",
            HandshakeStep::OpenConfirm => "ChanOpenConfirm",
        };
        f.write_str(name)
    }
}

/// One entry of the log. `at` is the chain the step ran on. Packets are the full
/// `IbcPacket` (source and destination endpoints, sequence, data, timeout).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IbcEvent {
    ClientCreated {
        at: Stamp,
        client_id: String,
        counterparty_chain_id: String,
        trusting_period_secs: u64,
    },
    ClientRecovered {
        at: Stamp,
        client_id: String,
    },
    ConnectionOpened {
        at: Stamp,
        connection_id: String,
        client_id: String,
        counterparty_chain_id: String,
        counterparty_connection_id: String,
    },
    ChannelOpenInit {
        at: Stamp,
        port_id: String,
        channel_id: String,
        counterparty_port_id: String,
        order: IbcOrder,
        version: String,
    },
    ChannelOpenTry {
        at: Stamp,
        port_id: String,
        channel_id: String,
        counterparty_port_id: String,
        counterparty_channel_id: String,
        order: IbcOrder,
        version: String,
    },
    ChannelOpenAck {
        at: Stamp,
        port_id: String,
        channel_id: String,
        version: String,
    },
    ChannelOpenConfirm {
        at: Stamp,
        port_id: String,
        channel_id: String,
        version: String,
    },
    HandshakeRefused {
        at: Stamp,
        step: HandshakeStep,
        port_id: String,
        error: String,
    },
    ChannelCloseInit {
        at: Stamp,
        port_id: String,
        channel_id: String,
    },
    ChannelCloseConfirm {
        at: Stamp,
        port_id: String,
        channel_id: String,
    },
    /// An ordered channel closed because one of its packets timed out.
    ChannelClosedOnTimeout {
        at: Stamp,
        port_id: String,
        channel_id: String,
        sequence: u64,
    },
    SendPacket {
        at: Stamp,
        packet: IbcPacket,
    },
    RecvPacket {
        at: Stamp,
        packet: IbcPacket,
    },
    /// An acknowledgement written on the receiving chain (synchronously, or later with
    /// `IbcMsg::WriteAcknowledgement` when `is_async`).
    WriteAck {
        at: Stamp,
        packet: IbcPacket,
        ack: Binary,
        is_error: bool,
        is_async: bool,
    },
    AckPacket {
        at: Stamp,
        packet: IbcPacket,
        ack: Binary,
    },
    TimeoutPacket {
        at: Stamp,
        packet: IbcPacket,
    },
    /// An ADR-8 callback (or its contract) failed; its state changes were reverted and the
    /// packet's life went on, as ibc-go's callbacks middleware does.
    CallbackFailed {
        at: Stamp,
        contract: String,
        entrypoint: String,
        error: String,
    },
}

impl IbcEvent {
    /// Where and when the event happened.
    pub fn at(&self) -> &Stamp {
        match self {
            IbcEvent::ClientCreated { at, .. }
            | IbcEvent::ClientRecovered { at, .. }
            | IbcEvent::ConnectionOpened { at, .. }
            | IbcEvent::ChannelOpenInit { at, .. }
            | IbcEvent::ChannelOpenTry { at, .. }
            | IbcEvent::ChannelOpenAck { at, .. }
            | IbcEvent::ChannelOpenConfirm { at, .. }
            | IbcEvent::HandshakeRefused { at, .. }
            | IbcEvent::ChannelCloseInit { at, .. }
            | IbcEvent::ChannelCloseConfirm { at, .. }
            | IbcEvent::ChannelClosedOnTimeout { at, .. }
            | IbcEvent::SendPacket { at, .. }
            | IbcEvent::RecvPacket { at, .. }
            | IbcEvent::WriteAck { at, .. }
            | IbcEvent::AckPacket { at, .. }
            | IbcEvent::TimeoutPacket { at, .. }
            | IbcEvent::CallbackFailed { at, .. } => at,
        }
    }

    /// The packet the event is about, if any.
    pub fn packet(&self) -> Option<&IbcPacket> {
        match self {
            IbcEvent::SendPacket { packet, .. }
            | IbcEvent::RecvPacket { packet, .. }
            | IbcEvent::WriteAck { packet, .. }
            | IbcEvent::AckPacket { packet, .. }
            | IbcEvent::TimeoutPacket { packet, .. } => Some(packet),
            _ => None,
        }
    }
}

/// `wasm.<64-char address>` shortened for a readable timeline.
fn short_port(port: &str) -> String {
    let chars: Vec<char> = port.chars().collect();
    if port.starts_with("wasm.") && chars.len() > 24 {
        let head: String = chars[..15].iter().collect();
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("{head}…{tail}")
    } else {
        port.to_string()
    }
}

fn packet_label(packet: &IbcPacket) -> String {
    format!(
        "{}/{} -> {}/{} #{}",
        short_port(&packet.src.port_id),
        packet.src.channel_id,
        short_port(&packet.dest.port_id),
        packet.dest.channel_id,
        packet.sequence
    )
}

fn printable(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) if text.chars().all(|c| !c.is_control()) => text.to_string(),
        _ => format!(
            "0x{}",
            bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
        ),
    }
}

impl fmt::Display for IbcEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] ", self.at())?;
        match self {
            IbcEvent::ClientCreated {
                client_id,
                counterparty_chain_id,
                trusting_period_secs,
                ..
            } => write!(
                f,
                "client {client_id} tracks {counterparty_chain_id} (trusting period {trusting_period_secs}s)"
            ),
            IbcEvent::ClientRecovered { client_id, .. } => {
                write!(f, "client {client_id} recovered")
            }
            IbcEvent::ConnectionOpened {
                connection_id,
                counterparty_chain_id,
                counterparty_connection_id,
                ..
            } => write!(
                f,
                "connection {connection_id} open to {counterparty_chain_id}/{counterparty_connection_id}"
            ),
            IbcEvent::ChannelOpenInit {
                port_id,
                channel_id,
                counterparty_port_id,
                version,
                ..
            } => write!(
                f,
                "ChanOpenInit {}/{channel_id} -> {} version {version:?}",
                short_port(port_id),
                short_port(counterparty_port_id)
            ),
            IbcEvent::ChannelOpenTry {
                port_id,
                channel_id,
                counterparty_port_id,
                counterparty_channel_id,
                version,
                ..
            } => write!(
                f,
                "ChanOpenTry {}/{channel_id} <- {}/{counterparty_channel_id} version {version:?}",
                short_port(port_id),
                short_port(counterparty_port_id)
            ),
            IbcEvent::ChannelOpenAck {
                port_id,
                channel_id,
                version,
                ..
            } => write!(
                f,
                "ChanOpenAck {}/{channel_id} version {version:?}",
                short_port(port_id)
            ),
            IbcEvent::ChannelOpenConfirm {
                port_id,
                channel_id,
                version,
                ..
            } => write!(
                f,
                "ChanOpenConfirm {}/{channel_id} version {version:?}",
                short_port(port_id)
            ),
            IbcEvent::HandshakeRefused {
                step,
                port_id,
                error,
                ..
            } => write!(f, "{step} refused by {}: {error}", short_port(port_id)),
            IbcEvent::ChannelCloseInit {
                port_id,
                channel_id,
                ..
            } => write!(f, "ChanCloseInit {}/{channel_id}", short_port(port_id)),
            IbcEvent::ChannelCloseConfirm {
                port_id,
                channel_id,
                ..
            } => write!(f, "ChanCloseConfirm {}/{channel_id}", short_port(port_id)),
            IbcEvent::ChannelClosedOnTimeout {
                port_id,
                channel_id,
                sequence,
                ..
            } => write!(
                f,
                "ordered channel {}/{channel_id} closed by the timeout of #{sequence}",
                short_port(port_id)
            ),
            IbcEvent::SendPacket { packet, .. } => write!(
                f,
                "SendPacket {} {}",
                packet_label(packet),
                printable(&packet.data)
            ),
            IbcEvent::RecvPacket { packet, .. } => {
                write!(f, "RecvPacket {}", packet_label(packet))
            }
            IbcEvent::WriteAck {
                packet,
                ack,
                is_async,
                ..
            } => write!(
                f,
                "WriteAck{} {} {}",
                if *is_async { " (async)" } else { "" },
                packet_label(packet),
                printable(ack)
            ),
            IbcEvent::AckPacket { packet, ack, .. } => write!(
                f,
                "AckPacket {} {}",
                packet_label(packet),
                printable(ack)
            ),
            IbcEvent::TimeoutPacket { packet, .. } => {
                write!(f, "TimeoutPacket {}", packet_label(packet))
            }
            IbcEvent::CallbackFailed {
                contract,
                entrypoint,
                error,
                ..
            } => write!(f, "{entrypoint} of {contract} failed: {error}"),
        }
    }
}

/// The shared, append-only log (chains and the coordinator write to the same one).
#[derive(Clone, Default, Debug)]
pub struct EventLog(Rc<RefCell<Vec<IbcEvent>>>);

impl EventLog {
    pub(crate) fn push(&self, event: IbcEvent) {
        self.0.borrow_mut().push(event);
    }

    /// A copy of every event so far.
    pub fn all(&self) -> Vec<IbcEvent> {
        self.0.borrow().clone()
    }

    /// The events after the first `from` (use `len()` as a bookmark).
    pub fn since(&self, from: usize) -> Vec<IbcEvent> {
        self.0.borrow().iter().skip(from).cloned().collect()
    }

    pub fn len(&self) -> usize {
        self.0.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.borrow().is_empty()
    }

    /// Every event as one line each, in order: a printable timeline.
    pub fn timeline(&self) -> String {
        self.0
            .borrow()
            .iter()
            .map(|event| format!("{event}\n"))
            .collect()
    }

    /// Forgets every event (e.g. between the phases of a long benchmark).
    pub fn clear(&self) {
        self.0.borrow_mut().clear();
    }
}
