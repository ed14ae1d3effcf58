//! Packets from consumers: slash requests and VSC-matured notifications.
//!
//! Every handler validates everything before its first write, so a refused packet (answered
//! with an error acknowledgement) leaves state untouched.

use cosmwasm_std::{coin, BankMsg, CosmosMsg, DepsMut, Env, Storage, Uint128};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use cw_ics_ccv::{AckResult, ConsumerPacket, Infraction, SlashPacketData, VscMaturedPacketData};

use crate::consumer_store::mark_consumer_due;
use crate::consumers::{load_consumer, phase_name};
use crate::error::ContractError;
use crate::msg::{ConsumerPhase, InfractionKind, SlashAction, SlashRecord, SlashedTokens};
use crate::staking::{jail, load_validator, save_validator, slash};
use crate::state::{
    next_cell_id, queue_slash_ack, Consumer, CHANNEL_TO_CONSUMER, CONFIG, CONSUMERS, NEXT_SLASH_ID,
    OPERATOR_BY_CONS_ADDR, SENT_VSCS, SLASH_LOG, VSC_HEIGHTS,
};

pub struct Handled {
    pub ack: AckResult,
    pub messages: Vec<CosmosMsg<ChainMsg>>,
    pub attributes: Vec<(&'static str, String)>,
}

/// The launched consumer that owns `channel_id`.
pub fn consumer_on_channel(
    storage: &dyn Storage,
    channel_id: &str,
) -> Result<Consumer, ContractError> {
    let id = CHANNEL_TO_CONSUMER
        .may_load(storage, channel_id)?
        .ok_or_else(|| ContractError::UnknownChannel(channel_id.to_string()))?;
    let consumer = load_consumer(storage, id)?;
    if consumer.phase != ConsumerPhase::Launched {
        return Err(ContractError::WrongPhase {
            id,
            phase: phase_name(consumer.phase),
        });
    }
    Ok(consumer)
}

pub fn handle_packet(
    deps: DepsMut<ChainQuery>,
    env: &Env,
    channel_id: &str,
    data: &[u8],
) -> Result<Handled, ContractError> {
    let consumer = consumer_on_channel(deps.storage, channel_id)?;
    match ConsumerPacket::decode(data)? {
        ConsumerPacket::Slash(slash) => handle_slash(deps, env, consumer, slash),
        ConsumerPacket::VscMatured(matured) => handle_matured(deps.storage, consumer, matured),
    }
}

/// The provider height the consumer's `vsc_id` stands for (0: the consumer's launch height).
fn infraction_height(
    storage: &dyn Storage,
    consumer: &Consumer,
    vsc_id: u64,
) -> Result<u64, ContractError> {
    if vsc_id == 0 {
        return consumer
            .launch_height
            .ok_or(ContractError::UnknownVscId(vsc_id));
    }
    if vsc_id > consumer.last_sent_vsc_id {
        return Err(ContractError::UnknownVscId(vsc_id));
    }
    VSC_HEIGHTS
        .may_load(storage, vsc_id)?
        .ok_or(ContractError::UnknownVscId(vsc_id))
}

fn handle_slash(
    deps: DepsMut<ChainQuery>,
    env: &Env,
    consumer: Consumer,
    packet: SlashPacketData,
) -> Result<Handled, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let address = packet.validator.address;
    let operator = OPERATOR_BY_CONS_ADDR
        .may_load(deps.storage, address.as_bytes())?
        .ok_or_else(|| ContractError::UnknownConsensusAddress(address.to_string()))?;
    let mut validator = load_validator(deps.storage, &operator)?;
    let height = infraction_height(deps.storage, &consumer, packet.valset_update_id)?;
    let bech32 = address.to_bech32(&consumer.registration.valcons_prefix)?;

    let mut messages = vec![];
    let (ack, action) = match packet.infraction {
        Infraction::DoubleSign => (AckResult::Success, SlashAction::Recorded {}),
        Infraction::Downtime => {
            let action = if validator.jailed_until.is_some() || validator.tombstoned {
                SlashAction::AlreadyJailed {}
            } else {
                let slashed = slash(
                    deps.storage,
                    &mut validator,
                    config.downtime_slash_fraction,
                    height,
                )?;
                jail(
                    &mut validator,
                    env.block.time.plus_seconds(config.downtime_jail_seconds),
                );
                save_validator(deps.storage, &config, &validator)?;
                if !slashed.is_zero() {
                    messages.push(slashed_tokens_message(
                        &config.slashed_tokens,
                        &config.bond_denom,
                        slashed,
                    ));
                }
                SlashAction::Jailed { slashed }
            };
            (AckResult::SlashHandled, action)
        }
    };
    let id = next_cell_id(deps.storage, &NEXT_SLASH_ID)?;
    if matches!(packet.infraction, Infraction::Downtime) {
        queue_slash_ack(deps.storage, consumer.id, id, bech32.clone());
        mark_consumer_due(deps.storage, consumer.id);
    }
    let record = SlashRecord {
        id,
        consumer_id: consumer.id,
        validator: operator,
        consensus_address: bech32,
        infraction: match packet.infraction {
            Infraction::Downtime => InfractionKind::Downtime,
            Infraction::DoubleSign => InfractionKind::DoubleSign,
        },
        vsc_id: packet.valset_update_id,
        infraction_height: height,
        received_at: env.block.time,
        action,
    };
    SLASH_LOG.save(deps.storage, &[&record.id.to_be_bytes()], &record);
    Ok(Handled {
        ack,
        messages,
        attributes: vec![
            ("packet", "slash".to_string()),
            ("consumer_id", consumer.id.to_string()),
            ("validator", record.validator.to_string()),
            ("slash_record", record.id.to_string()),
        ],
    })
}

fn slashed_tokens_message(
    destination: &SlashedTokens,
    denom: &str,
    amount: Uint128,
) -> CosmosMsg<ChainMsg> {
    let amount = vec![coin(amount.u128(), denom)];
    match destination {
        SlashedTokens::Burn {} => BankMsg::Burn { amount }.into(),
        SlashedTokens::SendTo { address } => BankMsg::Send {
            to_address: address.clone(),
            amount,
        }
        .into(),
    }
}

fn handle_matured(
    storage: &mut dyn Storage,
    mut consumer: Consumer,
    packet: VscMaturedPacketData,
) -> Result<Handled, ContractError> {
    let vsc_id = packet.valset_update_id;
    if vsc_id == 0 || vsc_id > consumer.last_sent_vsc_id {
        return Err(ContractError::UnknownVscId(vsc_id));
    }
    let matured = SENT_VSCS.ids(storage, consumer.id, Some(vsc_id), usize::MAX)?;
    for id in matured {
        SENT_VSCS.remove(storage, consumer.id, id);
    }
    consumer.last_matured_vsc_id = consumer.last_matured_vsc_id.max(vsc_id);
    CONSUMERS.save(storage, consumer.id, &consumer)?;
    Ok(Handled {
        ack: AckResult::Success,
        messages: vec![],
        attributes: vec![
            ("packet", "vsc_matured".to_string()),
            ("consumer_id", consumer.id.to_string()),
            ("vsc_id", vsc_id.to_string()),
        ],
    })
}
