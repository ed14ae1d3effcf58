//! Receiving validator-set-change packets from the provider.

use cosmwasm_std::{DepsMut, Env, IbcPacket, IbcReceiveResponse};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use cw_ics_ccv::{AckResult, Acknowledgement, ConsensusAddress, ValidatorSetChangePacket};

use crate::error::ContractError;
use crate::outbox::{progress, schedule_maturity};
use crate::state::{CCV_CHANNEL, CONFIG, HALT, LAST_VSC_ID, OUTSTANDING_DOWNTIME};
use crate::validator_set::{apply_change, merge_updates, plan_change, record_vsc_from_height};

/// Applies one VSC. Everything is checked before anything is written, so a refused packet
/// (an `Err`, which the chain turns into an error acknowledgement) changes nothing.
///
/// A `slash_acks` entry that is not a bech32 consensus address with this consumer's prefix
/// makes the whole packet malformed: the provider built it wrongly, and silently dropping an
/// ack would leave a validator's downtime outstanding forever.
pub fn receive_vsc(
    deps: DepsMut<ChainQuery>,
    env: Env,
    packet: &IbcPacket,
) -> Result<IbcReceiveResponse<ChainMsg>, ContractError> {
    if let Some(reason) = HALT.may_load(deps.storage)? {
        return Err(ContractError::Halted(reason.to_string()));
    }
    let channel_id = &packet.dest.channel_id;
    let mut channel = match CCV_CHANNEL.may_load(deps.storage)? {
        Some(channel) if channel.channel_id == *channel_id => channel,
        _ => return Err(ContractError::NotCcvChannel(channel_id.clone())),
    };
    let config = CONFIG.load(deps.storage)?;
    let vsc = ValidatorSetChangePacket::decode(packet.data.as_slice())?;
    let last = LAST_VSC_ID.load(deps.storage)?;
    if vsc.valset_update_id <= last {
        return Err(ContractError::VscOutOfOrder {
            got: vsc.valset_update_id,
            last,
        });
    }
    let acked = vsc
        .slash_acks
        .iter()
        .map(|ack| parse_slash_ack(ack, &config.params.valcons_prefix))
        .collect::<Result<Vec<_>, _>>()?;
    let updates = merge_updates(&vsc.validator_updates);
    let update_count = updates.len();
    let plan = plan_change(deps.storage, updates)?;
    if plan.after.size == 0 {
        return Err(ContractError::EmptyValidatorSet(vsc.valset_update_id));
    }

    apply_change(deps.storage, vsc.valset_update_id, plan)?;
    LAST_VSC_ID.save(deps.storage, &vsc.valset_update_id)?;
    let next_height = env
        .block
        .height
        .checked_add(1)
        .ok_or(ContractError::Overflow)?;
    record_vsc_from_height(deps.storage, next_height, vsc.valset_update_id)?;
    for address in &acked {
        OUTSTANDING_DOWNTIME.remove(deps.storage, address.as_bytes());
    }
    schedule_maturity(
        deps.storage,
        env.block.time,
        config.params.unbonding_period_seconds,
        vsc.valset_update_id,
    )?;
    let newly_established = !channel.established;
    if newly_established {
        channel.established = true;
        CCV_CHANNEL.save(deps.storage, &channel)?;
    }
    let messages = progress(deps.storage, &env)?;

    Ok(
        IbcReceiveResponse::new(Acknowledgement::Result(AckResult::Success).encode()?)
            .add_attribute("action", "receive_vsc")
            .add_attribute("valset_update_id", vsc.valset_update_id.to_string())
            .add_attribute("updates", update_count.to_string())
            .add_attribute("slash_acks", acked.len().to_string())
            .add_attribute("established", newly_established.to_string())
            .add_messages(messages),
    )
}

fn parse_slash_ack(ack: &str, prefix: &str) -> Result<ConsensusAddress, ContractError> {
    let refused = || ContractError::InvalidSlashAck {
        ack: ack.to_string(),
        expected_prefix: prefix.to_string(),
    };
    match ConsensusAddress::from_bech32(ack) {
        Ok((found_prefix, address)) if found_prefix == prefix => Ok(address),
        _ => Err(refused()),
    }
}
