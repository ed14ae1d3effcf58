//! Packets from consumers: slash requests and VSC-matured notifications.
//!
//! A refused packet is an `Err` (see `ibc::ibc_packet_receive`): wasmd discards whatever the
//! handler wrote before it failed, so a handler may refuse at any point.

use cosmwasm_std::{coin, Addr, BankMsg, CosmosMsg, DepsMut, Env, Storage, Uint128};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use cw_ics_ccv::{AckResult, ConsumerPacket, Infraction, SlashPacketData, VscMaturedPacketData};
use cw_storage_plus::KeyDeserialize;

use crate::consumers::phase_name;
use crate::error::ContractError;
use crate::maturity;
use crate::msg::{ConsumerPhase, SlashAction, SlashRecord, SlashedTokens};
use crate::staking::{jail, slash, StakeChange};
use crate::state::consumers::{
    consumer_by_channel, mark_consumer_due, sent_vsc_ids, ConsumerInfo, ConsumerLink, CONSUMERS,
    CONSUMER_LINKS, SENT_VSCS,
};
use crate::state::epoch::VSC_HEIGHTS;
use crate::state::slashing::{NEXT_SLASH_ID, SLASH_ACKS, SLASH_LOG};
use crate::state::staking::{validators, STAKES};
use crate::state::{next_id, CONFIG};

pub struct Handled {
    pub ack: AckResult,
    pub messages: Vec<CosmosMsg<ChainMsg>>,
    pub attributes: Vec<(&'static str, String)>,
}

/// The launched consumer that owns `channel_id`: its id and link.
pub fn consumer_on_channel(
    storage: &dyn Storage,
    channel_id: &str,
) -> Result<(u64, ConsumerLink), ContractError> {
    let id = consumer_by_channel(storage, channel_id)?
        .ok_or_else(|| ContractError::UnknownChannel(channel_id.to_string()))?;
    let link = CONSUMER_LINKS
        .may_load(storage, id)?
        .ok_or(ContractError::UnknownConsumer(id))?;
    if link.phase != ConsumerPhase::Launched {
        return Err(ContractError::WrongPhase {
            id,
            phase: phase_name(link.phase),
        });
    }
    Ok((id, link))
}

pub fn handle_packet(
    deps: DepsMut<ChainQuery>,
    env: &Env,
    channel_id: &str,
    data: &[u8],
) -> Result<Handled, ContractError> {
    let (consumer_id, link) = consumer_on_channel(deps.storage, channel_id)?;
    match ConsumerPacket::decode(data)? {
        ConsumerPacket::Slash(slash) => handle_slash(deps, env, consumer_id, &link, slash),
        ConsumerPacket::VscMatured(matured) => {
            handle_matured(deps.storage, consumer_id, link, matured)
        }
    }
}

/// The provider height the consumer's `vsc_id` stands for (0: the consumer's launch height).
fn infraction_height(
    storage: &dyn Storage,
    info: &ConsumerInfo,
    link: &ConsumerLink,
    vsc_id: u64,
) -> Result<u64, ContractError> {
    if vsc_id == 0 {
        return info
            .launch_height
            .ok_or(ContractError::UnknownVscId(vsc_id));
    }
    if vsc_id > link.last_sent_vsc_id {
        return Err(ContractError::UnknownVscId(vsc_id));
    }
    VSC_HEIGHTS
        .may_load(storage, vsc_id)?
        .ok_or(ContractError::UnknownVscId(vsc_id))
}

fn handle_slash(
    deps: DepsMut<ChainQuery>,
    env: &Env,
    consumer_id: u64,
    link: &ConsumerLink,
    packet: SlashPacketData,
) -> Result<Handled, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let address = packet.validator.address;
    let (operator, validator) = validators()
        .idx
        .consensus_address
        .item(deps.storage, address.as_bytes().to_vec())?
        .ok_or_else(|| ContractError::UnknownConsensusAddress(address.to_string()))?;
    let operator = Addr::from_vec(operator)?;
    let info = CONSUMERS.load(deps.storage, consumer_id)?;
    let height = infraction_height(deps.storage, &info, link, packet.valset_update_id)?;
    let bech32 = address.to_bech32(&info.registration.valcons_prefix)?;

    let mut messages = vec![];
    let (ack, action) = match packet.infraction {
        Infraction::DoubleSign => (AckResult::Success, SlashAction::Recorded {}),
        Infraction::Downtime => {
            let stake = STAKES.load(deps.storage, &operator)?;
            let action = if stake.jailed_until.is_some() || stake.tombstoned {
                SlashAction::AlreadyJailed {}
            } else {
                let mut change =
                    StakeChange::new(&config, operator.clone(), validator.pub_key, stake);
                let slashed = slash(
                    deps.storage,
                    &mut change,
                    config.downtime_slash_fraction,
                    height,
                )?;
                jail(
                    &mut change.stake,
                    env.block.time.plus_seconds(config.downtime_jail_seconds),
                );
                change.save(deps.storage, &config)?;
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
    let id = next_id(deps.storage, &NEXT_SLASH_ID)?;
    if packet.infraction == Infraction::Downtime {
        SLASH_ACKS.save(deps.storage, (consumer_id, id), &bech32)?;
        mark_consumer_due(deps.storage, consumer_id)?;
    }
    let record = SlashRecord {
        id,
        consumer_id,
        validator: operator,
        consensus_address: bech32,
        infraction: packet.infraction,
        vsc_id: packet.valset_update_id,
        infraction_height: height,
        received_at: env.block.time,
        action,
    };
    SLASH_LOG.save(deps.storage, id, &record)?;
    Ok(Handled {
        ack,
        messages,
        attributes: vec![
            ("packet", "slash".to_string()),
            ("consumer_id", consumer_id.to_string()),
            ("validator", record.validator.to_string()),
            ("slash_record", id.to_string()),
        ],
    })
}

pub(crate) fn slashed_tokens_message(
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
    consumer_id: u64,
    mut link: ConsumerLink,
    packet: VscMaturedPacketData,
) -> Result<Handled, ContractError> {
    let vsc_id = packet.valset_update_id;
    if vsc_id == 0 || vsc_id > link.last_sent_vsc_id {
        return Err(ContractError::UnknownVscId(vsc_id));
    }
    for matured in sent_vsc_ids(storage, consumer_id, Some(vsc_id), usize::MAX)? {
        SENT_VSCS.remove(storage, (consumer_id, matured));
    }
    maturity::on_matured(storage, consumer_id, &mut link, vsc_id)?;
    CONSUMER_LINKS.save(storage, consumer_id, &link)?;
    Ok(Handled {
        ack: AckResult::Success,
        messages: vec![],
        attributes: vec![
            ("packet", "vsc_matured".to_string()),
            ("consumer_id", consumer_id.to_string()),
            ("vsc_id", vsc_id.to_string()),
        ],
    })
}
