//! The IBC host state of one chain, kept in the chain's own storage so that it commits and
//! reverts together with the transaction that changed it (a contract whose submessage fails
//! after `IbcMsg::SendPacket` leaves no packet behind).

use cosmwasm_std::{
    Binary, BlockInfo, IbcChannel, IbcEndpoint, IbcOrder, IbcPacket, StdResult, Storage, Timestamp,
};
use cw_storage_plus::{Item, Map};
use serde::{Deserialize, Serialize};
use std::fmt;

/// ICS-04 channel state.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelState {
    Init,
    TryOpen,
    Open,
    Closed,
}

impl fmt::Display for ChannelState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            ChannelState::Init => "INIT",
            ChannelState::TryOpen => "TRYOPEN",
            ChannelState::Open => "OPEN",
            ChannelState::Closed => "CLOSED",
        };
        f.write_str(name)
    }
}

/// One end of a channel, as the host chain stores it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ChannelEnd {
    pub port_id: String,
    pub channel_id: String,
    pub state: ChannelState,
    pub order: IbcOrder,
    pub version: String,
    pub counterparty_port_id: String,
    /// Unknown until the counterparty's OpenTry (ours) or OpenInit (theirs).
    pub counterparty_channel_id: String,
    pub connection_id: String,
    pub next_sequence_send: u64,
    pub next_sequence_recv: u64,
    pub next_sequence_ack: u64,
}

impl ChannelEnd {
    /// The channel as a contract sees it.
    pub fn to_ibc_channel(&self) -> IbcChannel {
        IbcChannel::new(
            IbcEndpoint {
                port_id: self.port_id.clone(),
                channel_id: self.channel_id.clone(),
            },
            IbcEndpoint {
                port_id: self.counterparty_port_id.clone(),
                channel_id: self.counterparty_channel_id.clone(),
            },
            self.order.clone(),
            self.version.clone(),
            self.connection_id.clone(),
        )
    }

    pub fn is_ordered(&self) -> bool {
        self.order == IbcOrder::Ordered
    }
}

/// A packet sent and not yet acknowledged or timed out (the commitment), with when it was sent.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Commitment {
    pub packet: IbcPacket,
    pub sent_height: u64,
    pub sent_time: Timestamp,
}

/// Proof that a packet was received, and whether its ack is still to come (async ack).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    pub height: u64,
    pub time: Timestamp,
    pub ack_pending: bool,
}

/// Things that happened inside a transaction and that the coordinator logs afterwards.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum OutboxEntry {
    PacketSent {
        packet: IbcPacket,
        height: u64,
        time: Timestamp,
    },
    AckWritten {
        packet: IbcPacket,
        ack: Binary,
        height: u64,
        time: Timestamp,
    },
    CloseInit {
        port_id: String,
        channel_id: String,
        height: u64,
        time: Timestamp,
    },
}

pub(crate) const CHANNELS: Map<(&str, &str), ChannelEnd> = Map::new("ibcsim_channels");
pub(crate) const COMMITMENTS: Map<(&str, &str, u64), Commitment> = Map::new("ibcsim_commitments");
pub(crate) const RECEIPTS: Map<(&str, &str, u64), Receipt> = Map::new("ibcsim_receipts");
/// Acks written on the receiving chain, keyed by the receiving end.
pub(crate) const ACKS: Map<(&str, &str, u64), Binary> = Map::new("ibcsim_acks");
/// Received packets, kept until their ack is written so an async ack can rebuild the packet.
pub(crate) const RECEIVED: Map<(&str, &str, u64), IbcPacket> = Map::new("ibcsim_received");
pub(crate) const DENOM_TRACES: Map<&str, String> = Map::new("ibcsim_denom_traces");
/// Appended inside transactions (so a reverted transaction leaves nothing), drained by the
/// chain after each call. Keyed by an increasing index to keep appends O(1).
pub(crate) const OUTBOX: Map<u64, OutboxEntry> = Map::new("ibcsim_outbox");
pub(crate) const OUTBOX_NEXT: Item<u64> = Item::new("ibcsim_outbox_next");

pub(crate) fn push_outbox(storage: &mut dyn Storage, entry: OutboxEntry) -> StdResult<()> {
    let index = OUTBOX_NEXT.may_load(storage)?.unwrap_or_default();
    OUTBOX.save(storage, index, &entry)?;
    OUTBOX_NEXT.save(storage, &index.wrapping_add(1))
}

pub(crate) fn drain_outbox(storage: &mut dyn Storage) -> StdResult<Vec<OutboxEntry>> {
    let entries: Vec<(u64, OutboxEntry)> = OUTBOX
        .range(storage, None, None, cosmwasm_std::Order::Ascending)
        .collect::<StdResult<_>>()?;
    for (index, _) in &entries {
        OUTBOX.remove(storage, *index);
    }
    Ok(entries.into_iter().map(|(_, entry)| entry).collect())
}

pub(crate) fn load_channel(
    storage: &dyn Storage,
    port_id: &str,
    channel_id: &str,
) -> StdResult<Option<ChannelEnd>> {
    CHANNELS.may_load(storage, (port_id, channel_id))
}

/// Whether a packet can no longer be received at the destination's current block.
pub fn timed_out(packet: &IbcPacket, dest_block: &BlockInfo) -> bool {
    let by_height = packet
        .timeout
        .block()
        .map(|b| !b.is_zero() && dest_block.height >= b.height)
        .unwrap_or(false);
    let by_time = packet
        .timeout
        .timestamp()
        .map(|t| t.nanos() > 0 && dest_block.time >= t)
        .unwrap_or(false);
    by_height || by_time
}

/// Records a new packet commitment with the channel's next send sequence.
pub(crate) fn commit_packet(
    storage: &mut dyn Storage,
    block: &BlockInfo,
    port_id: &str,
    channel_id: &str,
    data: Binary,
    timeout: cosmwasm_std::IbcTimeout,
) -> StdResult<IbcPacket> {
    let mut channel = load_channel(storage, port_id, channel_id)?.ok_or_else(|| {
        cosmwasm_std::StdError::msg(format!("channel {port_id}/{channel_id} not found"))
    })?;
    if channel.state != ChannelState::Open {
        return Err(cosmwasm_std::StdError::msg(format!(
            "channel {port_id}/{channel_id} is {}, packets can only be sent on an OPEN channel",
            channel.state
        )));
    }
    let no_height = timeout.block().map(|b| b.is_zero()).unwrap_or(true);
    let no_time = timeout.timestamp().map(|t| t.nanos() == 0).unwrap_or(true);
    if no_height && no_time {
        return Err(cosmwasm_std::StdError::msg(
            "packet timeout must set a height or a timestamp",
        ));
    }
    let sequence = channel.next_sequence_send;
    channel.next_sequence_send = sequence
        .checked_add(1)
        .ok_or_else(|| cosmwasm_std::StdError::msg("sequence overflow"))?;
    let packet = IbcPacket::new(
        data,
        IbcEndpoint {
            port_id: port_id.to_string(),
            channel_id: channel_id.to_string(),
        },
        IbcEndpoint {
            port_id: channel.counterparty_port_id.clone(),
            channel_id: channel.counterparty_channel_id.clone(),
        },
        sequence,
        timeout,
    );
    CHANNELS.save(storage, (port_id, channel_id), &channel)?;
    COMMITMENTS.save(
        storage,
        (port_id, channel_id, sequence),
        &Commitment {
            packet: packet.clone(),
            sent_height: block.height,
            sent_time: block.time,
        },
    )?;
    push_outbox(
        storage,
        OutboxEntry::PacketSent {
            packet: packet.clone(),
            height: block.height,
            time: block.time,
        },
    )?;
    Ok(packet)
}

/// Encodes `MsgSendPacketResponse { sequence }` (protobuf field 1, varint), the data wasmd
/// returns for `IbcMsg::SendPacket` and `IbcMsg::Transfer`.
pub fn encode_sequence_response(sequence: u64) -> Binary {
    let mut out = vec![0x08];
    let mut value = sequence;
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
    Binary::from(out)
}
