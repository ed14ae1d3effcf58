//! Packets to the provider: a FIFO queue sent in order once the channel is established. A slash
//! packet stays at the head while in flight and blocks what is behind it until its ack; a
//! bounced slash is resent after the retry delay. VSC-matured packets leave the queue when sent.

use cosmwasm_std::{
    CosmosMsg, Empty, Env, IbcMsg, IbcTimeout, Order, StdResult, Storage, Timestamp,
};
use cw_ics_bindings::ChainMsg;
use cw_ics_ccv::{
    AckResult, ConsumerPacket, SlashPacketData, SlashedValidator, VscMaturedPacketData,
};
use cw_storage_plus::Bound;

use crate::error::ContractError;
use crate::state::{
    HeadSlash, QueuedPacket, CCV_CHANNEL, CONFIG, HALT, HEAD_SLASH, MATURING, PACKETS, PACKET_QUEUE,
};
use crate::time::after;

/// At most this many packets leave in one call, so that one call always fits in a block.
pub const MAX_SENDS_PER_CALL: usize = 50;
/// At most this many matured VSCs are queued in one call; the rest wait for the next call.
pub const MAX_MATURITIES_PER_CALL: usize = 50;

pub fn enqueue(storage: &mut dyn Storage, packet: &QueuedPacket) -> Result<(), ContractError> {
    let mut queue = PACKET_QUEUE.may_load(storage)?.unwrap_or_default();
    PACKETS.save(storage, queue.next, packet)?;
    queue.next = queue.next.checked_add(1).ok_or(ContractError::Overflow)?;
    PACKET_QUEUE.save(storage, &queue)?;
    Ok(())
}

/// The packet at the head of the queue.
pub fn front(storage: &dyn Storage) -> StdResult<Option<QueuedPacket>> {
    let queue = PACKET_QUEUE.may_load(storage)?.unwrap_or_default();
    if queue.head == queue.next {
        return Ok(None);
    }
    PACKETS.may_load(storage, queue.head)
}

/// Removes the head of the queue, if any.
fn pop_front(storage: &mut dyn Storage) -> StdResult<()> {
    let mut queue = PACKET_QUEUE.may_load(storage)?.unwrap_or_default();
    if queue.head < queue.next {
        PACKETS.remove(storage, queue.head);
        queue.head += 1;
        PACKET_QUEUE.save(storage, &queue)?;
    }
    Ok(())
}

/// The queued packets from position `skip` on (head first), at most `limit`, and how many are
/// queued in all.
pub fn queued(
    storage: &dyn Storage,
    skip: u64,
    limit: usize,
) -> StdResult<(Vec<QueuedPacket>, u64)> {
    let queue = PACKET_QUEUE.may_load(storage)?.unwrap_or_default();
    let start = queue.head.saturating_add(skip);
    let packets = PACKETS
        .range(
            storage,
            Some(Bound::inclusive(start)),
            None,
            Order::Ascending,
        )
        .take(limit)
        .map(|entry| entry.map(|(_, packet)| packet))
        .collect::<StdResult<_>>()?;
    Ok((packets, queue.next.saturating_sub(queue.head)))
}

/// The packet as it goes on the wire.
fn wire_packet(packet: &QueuedPacket) -> ConsumerPacket {
    match *packet {
        QueuedPacket::Slash {
            address,
            power,
            vsc_id,
            infraction,
        } => ConsumerPacket::Slash(SlashPacketData {
            validator: SlashedValidator { address, power },
            valset_update_id: vsc_id,
            infraction,
        }),
        QueuedPacket::VscMatured { vsc_id } => ConsumerPacket::VscMatured(VscMaturedPacketData {
            valset_update_id: vsc_id,
        }),
    }
}

/// A slash packet as it waits in the queue.
pub fn queued_slash(slash: &SlashPacketData) -> QueuedPacket {
    QueuedPacket::Slash {
        address: slash.validator.address,
        power: slash.validator.power,
        vsc_id: slash.valset_update_id,
        infraction: slash.infraction,
    }
}

/// Schedules the VSC-matured packet of `vsc_id` for `received + unbonding period`.
pub fn schedule_maturity(
    storage: &mut dyn Storage,
    received: Timestamp,
    unbonding_period_seconds: u64,
    vsc_id: u64,
) -> Result<(), ContractError> {
    let matures_at = after(received, unbonding_period_seconds)?;
    MATURING.save(storage, (matures_at.nanos(), vsc_id), &Empty {})?;
    Ok(())
}

/// The VSCs waiting out their unbonding period, earliest first: (maturity nanos, vscId).
pub fn maturing(
    storage: &dyn Storage,
    due_by: Option<Timestamp>,
) -> impl Iterator<Item = StdResult<(u64, u64)>> + '_ {
    // Due by a time: every key up to (that time, any vscId).
    let max = due_by.map(|time| Bound::inclusive((time.nanos(), u64::MAX)));
    MATURING.keys(storage, None, max, Order::Ascending)
}

/// Moves the VSCs whose unbonding period has passed into the queue, earliest first.
pub fn queue_due_maturities(
    storage: &mut dyn Storage,
    now: Timestamp,
) -> Result<usize, ContractError> {
    let due: Vec<(u64, u64)> = maturing(storage, Some(now))
        .take(MAX_MATURITIES_PER_CALL)
        .collect::<StdResult<_>>()?;
    for (nanos, vsc_id) in &due {
        MATURING.remove(storage, (*nanos, *vsc_id));
        enqueue(storage, &QueuedPacket::VscMatured { vsc_id: *vsc_id })?;
    }
    Ok(due.len())
}

/// The maturity bookkeeping and sending every entrypoint that may make progress runs.
pub fn progress(
    storage: &mut dyn Storage,
    env: &Env,
) -> Result<Vec<CosmosMsg<ChainMsg>>, ContractError> {
    if HALT.may_load(storage)?.is_some() {
        return Ok(vec![]);
    }
    queue_due_maturities(storage, env.block.time)?;
    flush(storage, env)
}

/// Sends what the queue allows: nothing before the channel is established or after a halt.
pub fn flush(
    storage: &mut dyn Storage,
    env: &Env,
) -> Result<Vec<CosmosMsg<ChainMsg>>, ContractError> {
    let mut messages = vec![];
    if HALT.may_load(storage)?.is_some() {
        return Ok(messages);
    }
    let channel = match CCV_CHANNEL.may_load(storage)? {
        Some(channel) if channel.established => channel,
        _ => return Ok(messages),
    };
    let timeout_seconds = CONFIG.load(storage)?.params.ccv_timeout_seconds;
    // A timestamp-only timeout, as the Go consumer uses (`cw_ics_ccv::timeout_after`, checked).
    let timeout = IbcTimeout::with_timestamp(after(env.block.time, timeout_seconds)?);
    let send = |packet: &QueuedPacket| -> Result<CosmosMsg<ChainMsg>, ContractError> {
        Ok(CosmosMsg::Ibc(IbcMsg::SendPacket {
            channel_id: channel.channel_id.clone(),
            data: wire_packet(packet).encode()?,
            timeout: timeout.clone(),
        }))
    };
    while messages.len() < MAX_SENDS_PER_CALL {
        let Some(head) = front(storage)? else {
            break;
        };
        match head {
            QueuedPacket::VscMatured { .. } => {
                messages.push(send(&head)?);
                pop_front(storage)?;
            }
            QueuedPacket::Slash { .. } => {
                let may_send = match HEAD_SLASH.may_load(storage)? {
                    None => true,
                    Some(HeadSlash::AwaitingAck) => false,
                    Some(HeadSlash::Bounced { retry_at }) => env.block.time >= retry_at,
                };
                if may_send {
                    messages.push(send(&head)?);
                    HEAD_SLASH.save(storage, &HeadSlash::AwaitingAck)?;
                }
                break;
            }
        }
    }
    Ok(messages)
}

/// What a result acknowledgement did to the queue.
#[derive(Debug, PartialEq, Eq)]
pub enum AckOutcome {
    /// A VSC-matured packet was acknowledged; it had already left the queue.
    MaturedAcknowledged,
    /// The slash at the head was handled and removed.
    SlashDone,
    /// The slash at the head was bounced; it is resent at the given time.
    SlashBounced(Timestamp),
    /// The ack does not match the slash in flight (e.g. a duplicate); nothing changed.
    Ignored,
}

/// Applies a result acknowledgement for `packet`, one of ours.
pub fn on_result_ack(
    storage: &mut dyn Storage,
    env: &Env,
    packet: &ConsumerPacket,
    result: AckResult,
) -> Result<AckOutcome, ContractError> {
    let slash = match packet {
        ConsumerPacket::VscMatured(_) => return Ok(AckOutcome::MaturedAcknowledged),
        ConsumerPacket::Slash(slash) => slash,
    };
    let in_flight = HEAD_SLASH.may_load(storage)? == Some(HeadSlash::AwaitingAck);
    let head_matches = front(storage)? == Some(queued_slash(slash));
    if !in_flight || !head_matches {
        return Ok(AckOutcome::Ignored);
    }
    match result {
        AckResult::SlashBounced => {
            let retry_delay = CONFIG.load(storage)?.params.retry_delay_seconds;
            let retry_at = after(env.block.time, retry_delay)?;
            HEAD_SLASH.save(storage, &HeadSlash::Bounced { retry_at })?;
            Ok(AckOutcome::SlashBounced(retry_at))
        }
        AckResult::Success | AckResult::SlashHandled => {
            pop_front(storage)?;
            HEAD_SLASH.remove(storage);
            Ok(AckOutcome::SlashDone)
        }
    }
}
