//! Sending queued validator-set-change packets over a consumer's channel.

use cosmwasm_std::{CosmosMsg, Env, IbcMsg, Order, StdResult, Storage};
use cw_ics_bindings::ChainMsg;
use cw_ics_ccv::{timeout_after, ValidatorSetChangePacket};

use crate::consumers::ccv_timeout;
use crate::error::ContractError;
use crate::msg::ConsumerPhase;
use crate::state::{Config, Consumer, PENDING_VSCS, SENT_VSCS};

/// Sends every queued VSC of a launched consumer with an open channel, in vscId order, and
/// records their send times for the VSC timeout. The caller saves `consumer`.
pub fn send_pending(
    storage: &mut dyn Storage,
    env: &Env,
    config: &Config,
    consumer: &mut Consumer,
) -> Result<Vec<CosmosMsg<ChainMsg>>, ContractError> {
    let channel_id = match (&consumer.channel_id, consumer.phase) {
        (Some(channel_id), ConsumerPhase::Launched) => channel_id.clone(),
        _ => return Ok(vec![]),
    };
    let queued = PENDING_VSCS
        .prefix(consumer.id)
        .range(storage, None, None, Order::Ascending)
        .collect::<StdResult<Vec<_>>>()?;
    let mut messages = Vec::with_capacity(queued.len());
    for (vsc_id, packet) in queued {
        PENDING_VSCS.remove(storage, (consumer.id, vsc_id));
        messages.push(send(storage, env, config, consumer, &channel_id, &packet)?);
    }
    Ok(messages)
}

/// Queues `packet` for a consumer, or sends it (after anything queued before it) when the
/// consumer's channel is open. The caller saves `consumer`.
pub fn queue_or_send(
    storage: &mut dyn Storage,
    env: &Env,
    config: &Config,
    consumer: &mut Consumer,
    packet: &ValidatorSetChangePacket,
) -> Result<Vec<CosmosMsg<ChainMsg>>, ContractError> {
    match (&consumer.channel_id, consumer.phase) {
        (Some(channel_id), ConsumerPhase::Launched) => {
            let channel_id = channel_id.clone();
            let mut messages = send_pending(storage, env, config, consumer)?;
            messages.push(send(storage, env, config, consumer, &channel_id, packet)?);
            Ok(messages)
        }
        _ => {
            PENDING_VSCS.save(storage, (consumer.id, packet.valset_update_id), packet)?;
            Ok(vec![])
        }
    }
}

fn send(
    storage: &mut dyn Storage,
    env: &Env,
    config: &Config,
    consumer: &mut Consumer,
    channel_id: &str,
    packet: &ValidatorSetChangePacket,
) -> Result<CosmosMsg<ChainMsg>, ContractError> {
    let vsc_id = packet.valset_update_id;
    SENT_VSCS.save(storage, (consumer.id, vsc_id), &env.block.time)?;
    consumer.last_sent_vsc_id = consumer.last_sent_vsc_id.max(vsc_id);
    Ok(CosmosMsg::Ibc(IbcMsg::SendPacket {
        channel_id: channel_id.to_string(),
        data: packet.encode()?,
        timeout: timeout_after(env.block.time, ccv_timeout(config, consumer)),
    }))
}
