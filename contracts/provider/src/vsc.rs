//! Sending validator-set-change packets over a consumer's channel, or queuing them until it opens.

use cosmwasm_std::{CosmosMsg, Env, IbcMsg, IbcTimeout, Storage};
use cw_ics_bindings::ChainMsg;
use cw_ics_ccv::{ValidatorSetChangePacket, ValidatorUpdate};

use crate::error::ContractError;
use crate::msg::{Config, ConsumerPhase, PendingVsc, PowerUpdate};
use crate::state::consumers::{
    mark_consumer_due, oldest_sent_vsc, queued_vscs, schedule_timeout_check, ConsumerLink,
    QUEUED_VSCS, SENT_VSCS,
};
use crate::time::after;

/// Queued VSCs one call sends at most to a consumer whose channel just opened (one is queued
/// per epoch with changes until then): a longer queue is sent over the next epochs, the
/// consumer staying marked due and new VSCs queuing behind the rest, in vscId order.
pub const MAX_QUEUED_VSCS_PER_CALL: usize = 32;

/// A VSC as it waits in the queue (and as the `pending_vscs` query shows it).
pub fn pending_vsc(packet: &ValidatorSetChangePacket) -> PendingVsc {
    PendingVsc {
        valset_update_id: packet.valset_update_id,
        validator_updates: packet
            .validator_updates
            .iter()
            .map(|update| PowerUpdate {
                pub_key: update.pub_key.clone(),
                power: update.power,
            })
            .collect(),
        slash_acks: packet.slash_acks.clone(),
    }
}

fn vsc_packet(pending: PendingVsc) -> ValidatorSetChangePacket {
    ValidatorSetChangePacket {
        validator_updates: pending
            .validator_updates
            .into_iter()
            .map(|update| ValidatorUpdate {
                pub_key: update.pub_key,
                power: update.power,
            })
            .collect(),
        valset_update_id: pending.valset_update_id,
        slash_acks: pending.slash_acks,
    }
}

/// Sends up to [`MAX_QUEUED_VSCS_PER_CALL`] queued VSCs of a launched consumer with an open
/// channel, in vscId order, and records their send times for the VSC timeout; returns them and
/// whether the queue is now empty (if not, the consumer is marked due so that the next epoch
/// sends more). The caller saves `link`.
pub fn send_pending(
    storage: &mut dyn Storage,
    env: &Env,
    config: &Config,
    consumer_id: u64,
    link: &mut ConsumerLink,
) -> Result<(Vec<CosmosMsg<ChainMsg>>, bool), ContractError> {
    let Some(channel_id) = open_channel(link) else {
        return Ok((vec![], false));
    };
    let mut queued = queued_vscs(storage, consumer_id, None, MAX_QUEUED_VSCS_PER_CALL + 1)?;
    let drained = queued.len() <= MAX_QUEUED_VSCS_PER_CALL;
    queued.truncate(MAX_QUEUED_VSCS_PER_CALL);
    if !drained {
        mark_consumer_due(storage, consumer_id)?;
    }
    let mut messages = Vec::with_capacity(queued.len());
    for pending in queued {
        QUEUED_VSCS.remove(storage, (consumer_id, pending.valset_update_id));
        let packet = vsc_packet(pending);
        messages.push(send(
            storage,
            env,
            config,
            consumer_id,
            link,
            &channel_id,
            &packet,
        )?);
    }
    Ok((messages, drained))
}

/// Queues `packet` for a consumer, or sends it (after anything queued before it) when the
/// consumer's channel is open. The caller saves `link`.
pub fn queue_or_send(
    storage: &mut dyn Storage,
    env: &Env,
    config: &Config,
    consumer_id: u64,
    link: &mut ConsumerLink,
    packet: &ValidatorSetChangePacket,
) -> Result<Vec<CosmosMsg<ChainMsg>>, ContractError> {
    let (mut messages, drained) = send_pending(storage, env, config, consumer_id, link)?;
    match open_channel(link) {
        Some(channel_id) if drained => {
            messages.push(send(
                storage,
                env,
                config,
                consumer_id,
                link,
                &channel_id,
                packet,
            )?);
        }
        // No channel yet, or older VSCs still queued: this one waits behind them.
        _ => {
            let key = (consumer_id, packet.valset_update_id);
            QUEUED_VSCS.save(storage, key, &pending_vsc(packet))?;
        }
    }
    Ok(messages)
}

/// The channel a consumer's VSCs go out on: its channel, once open, while it is launched.
fn open_channel(link: &ConsumerLink) -> Option<String> {
    match (&link.channel_id, link.phase) {
        (Some(channel_id), ConsumerPhase::Launched) => Some(channel_id.clone()),
        _ => None,
    }
}

fn send(
    storage: &mut dyn Storage,
    env: &Env,
    config: &Config,
    consumer_id: u64,
    link: &mut ConsumerLink,
    channel_id: &str,
    packet: &ValidatorSetChangePacket,
) -> Result<CosmosMsg<ChainMsg>, ContractError> {
    let vsc_id = packet.valset_update_id;
    let now = env.block.time;
    let nothing_unmatured =
        oldest_sent_vsc(storage, consumer_id, link.last_matured_vsc_id)?.is_none();
    SENT_VSCS.save(storage, (consumer_id, vsc_id), &now)?;
    if nothing_unmatured {
        // This VSC is now the oldest unmatured one: its deadline is the consumer's VSC timeout.
        let vsc_timeout = link
            .vsc_timeout_seconds
            .unwrap_or(config.vsc_timeout_seconds)
            .min(config.max_vsc_timeout_seconds);
        schedule_timeout_check(storage, after(now, vsc_timeout)?, consumer_id)?;
    }
    link.last_sent_vsc_id = link.last_sent_vsc_id.max(vsc_id);
    let ccv_timeout = link
        .ccv_timeout_seconds
        .unwrap_or(config.ccv_timeout_seconds)
        .min(config.max_ccv_timeout_seconds);
    Ok(CosmosMsg::Ibc(IbcMsg::SendPacket {
        channel_id: channel_id.to_string(),
        data: packet.encode()?,
        timeout: IbcTimeout::with_timestamp(after(now, ccv_timeout)?),
    }))
}
