//! Packets to the provider: a FIFO queue sent in order once the channel is established. A slash
//! packet stays at the head while in flight and blocks what is behind it until its ack; a
//! bounced slash is resent after the retry delay. VSC-matured packets leave the queue when sent.

use cosmwasm_std::{CosmosMsg, Env, IbcMsg, IbcTimeout, Order, StdResult, Storage, Timestamp};
use cw_ics_bindings::ChainMsg;
use cw_ics_ccv::{AckResult, ConsumerPacket, VscMaturedPacketData};
use cw_storage_plus::Bound;

use crate::error::ContractError;
use crate::state::{HeadSlash, CCV_CHANNEL, CONFIG, HALT, HEAD_SLASH, MATURING, PENDING_PACKETS};
use crate::time::after;

/// At most this many packets leave in one call, so that one call always fits in a block.
pub const MAX_SENDS_PER_CALL: usize = 50;
/// At most this many matured VSCs are queued in one call; the rest wait for the next call.
pub const MAX_MATURITIES_PER_CALL: usize = 50;

pub fn enqueue(storage: &mut dyn Storage, packet: &ConsumerPacket) -> StdResult<()> {
    PENDING_PACKETS.push_back(storage, packet)
}

/// Schedules the VSC-matured packet of `vsc_id` for `received + unbonding period`.
pub fn schedule_maturity(
    storage: &mut dyn Storage,
    received: Timestamp,
    unbonding_period_seconds: u64,
    vsc_id: u64,
) -> Result<(), ContractError> {
    let matures_at = after(received, unbonding_period_seconds)?;
    MATURING.save(storage, (matures_at.nanos(), vsc_id), &())?;
    Ok(())
}

/// Moves the VSCs whose unbonding period has passed into the queue, earliest first.
pub fn queue_due_maturities(storage: &mut dyn Storage, now: Timestamp) -> StdResult<usize> {
    let due: Vec<(u64, u64)> = MATURING
        .keys(
            storage,
            None,
            Some(Bound::inclusive((now.nanos(), u64::MAX))),
            Order::Ascending,
        )
        .take(MAX_MATURITIES_PER_CALL)
        .collect::<StdResult<_>>()?;
    for key in &due {
        MATURING.remove(storage, *key);
        enqueue(
            storage,
            &ConsumerPacket::VscMatured(VscMaturedPacketData {
                valset_update_id: key.1,
            }),
        )?;
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
    let send = |packet: &ConsumerPacket| -> Result<CosmosMsg<ChainMsg>, ContractError> {
        Ok(CosmosMsg::Ibc(IbcMsg::SendPacket {
            channel_id: channel.channel_id.clone(),
            data: packet.encode()?,
            timeout: timeout.clone(),
        }))
    };
    while messages.len() < MAX_SENDS_PER_CALL {
        let Some(head) = PENDING_PACKETS.front(storage)? else {
            break;
        };
        match head {
            ConsumerPacket::VscMatured(_) => {
                messages.push(send(&head)?);
                PENDING_PACKETS.pop_front(storage)?;
            }
            ConsumerPacket::Slash(_) => {
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
    let head_matches = matches!(PENDING_PACKETS.front(storage)?, Some(ConsumerPacket::Slash(head)) if head == *slash);
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
            PENDING_PACKETS.pop_front(storage)?;
            HEAD_SLASH.remove(storage);
            Ok(AckOutcome::SlashDone)
        }
    }
}
