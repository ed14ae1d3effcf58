//! Packets from consumers: slash requests and VSC-matured notifications.
//!
//! A refused packet is an `Err` (see `ibc::ibc_packet_receive`): wasmd discards whatever the
//! handler wrote before it failed, so a handler may refuse at any point.

use cosmwasm_std::{
    coin, Addr, BankMsg, Coin, CosmosMsg, DepsMut, Env, Event, Int128, Storage, Timestamp, Uint128,
};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use cw_ics_ccv::{
    AckResult, ConsumerPacket, Infraction, PublicKey, SlashPacketData, VscMaturedPacketData,
};
use cw_storage_plus::KeyDeserialize;

use crate::consumers::phase_name;
use crate::error::ContractError;
use crate::infraction;
use crate::maturity;
use crate::membership::{served_on, set_vsc_id};
use crate::msg::{
    Config, ConsumerPhase, SlashAction, SlashJailParameters, SlashRecord, SlashedTokens,
};
use crate::staking::{jail, slash, validator_power, StakeChange};
use crate::state::consumers::{
    consumer_by_channel, mark_consumer_due, sent_vsc_ids, ConsumerInfo, ConsumerLink, CONSUMERS,
    CONSUMER_LINKS, SENT_VSCS,
};
use crate::state::epoch::VSC_HEIGHTS;
use crate::state::slashing::{SlashMeter, NEXT_SLASH_ID, SLASH_ACKS, SLASH_LOG, SLASH_METER};
use crate::state::staking::{validators, Stake, STAKES};
use crate::state::{next_id, CONFIG};
use crate::throttle::replenish;
use crate::time::after;

pub struct Handled {
    pub ack: AckResult,
    pub messages: Vec<CosmosMsg<ChainMsg>>,
    pub attributes: Vec<(&'static str, String)>,
    pub events: Vec<Event>,
}

impl Handled {
    fn new(ack: AckResult, attributes: Vec<(&'static str, String)>) -> Self {
        Handled {
            ack,
            messages: vec![],
            attributes,
            events: vec![],
        }
    }
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

/// The provider height a vscId the consumer was sent stands for (its genesis: launch height).
fn infraction_height(
    storage: &dyn Storage,
    info: &ConsumerInfo,
    vsc_id: u64,
) -> Result<u64, ContractError> {
    let height = if vsc_id == 0 {
        info.launch_height
    } else {
        VSC_HEIGHTS.may_load(storage, vsc_id)?
    };
    height.ok_or(ContractError::UnknownVscId(vsc_id))
}

/// A slash packet. In order, as the Go provider (v4+) judges it:
/// 1. a vscId the consumer was never sent is refused (`Err`: error ack, nothing written);
/// 2. a validator that is unknown, or was not in the consumer's set at that vscId, is not
///    touched: ack `0x02`, a `slash_ignored` event, and for downtime a slash ack in the
///    consumer's next VSC (so the consumer clears its outstanding flag);
/// 3. double sign: recorded only, never throttled, ack `0x02`;
/// 4. downtime: bounced (ack `0x03`, nothing written) while the slash meter is negative;
///    otherwise the meter loses the validator's power (0 if already jailed) and the validator
///    is slashed and jailed with the consumer's downtime parameters, ack `0x02`.
fn handle_slash(
    deps: DepsMut<ChainQuery>,
    env: &Env,
    consumer_id: u64,
    link: &ConsumerLink,
    packet: SlashPacketData,
) -> Result<Handled, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let now = env.block.time;
    let info = CONSUMERS.load(deps.storage, consumer_id)?;
    let vsc_id = packet.valset_update_id;
    let set_vsc_id = set_vsc_id(&info, link, vsc_id)?;
    let height = infraction_height(deps.storage, &info, vsc_id)?;
    let address = packet.validator.address;
    let bech32 = address.to_bech32(&info.registration.valcons_prefix)?;
    let attributes = vec![
        ("packet", "slash".to_string()),
        ("consumer_id", consumer_id.to_string()),
        ("consensus_address", bech32.clone()),
        ("vsc_id", vsc_id.to_string()),
    ];

    let found = validators()
        .idx
        .consensus_address
        .item(deps.storage, address.as_bytes().to_vec())?;
    let ignored = match &found {
        None => Some("unknown_validator"),
        Some(_) if !served_on(deps.storage, consumer_id, &address, set_vsc_id)? => {
            Some("not_in_consumer_set")
        }
        Some(_) => None,
    };
    let (Some((operator, validator)), None) = (found, ignored) else {
        let downtime = packet.infraction == Infraction::Downtime;
        if downtime {
            let ack_id = next_id(deps.storage, &NEXT_SLASH_ID)?;
            queue_slash_ack(deps.storage, consumer_id, ack_id, &bech32)?;
        }
        let mut handled = Handled::new(AckResult::SlashHandled, attributes);
        handled.events.push(
            Event::new("slash_ignored")
                .add_attribute("consumer_id", consumer_id.to_string())
                .add_attribute("consensus_address", bech32)
                .add_attribute("vsc_id", vsc_id.to_string())
                .add_attribute("infraction", infraction_name(packet.infraction))
                .add_attribute("reason", ignored.unwrap_or_default())
                .add_attribute("slash_ack_queued", downtime.to_string()),
        );
        return Ok(handled);
    };
    let operator = Addr::from_vec(operator)?;

    let mut handled = Handled::new(AckResult::SlashHandled, attributes);
    // The slash id is taken after the bounce check (a bounce writes nothing); a downtime
    // record and its ack share it.
    let (id, action) = match packet.infraction {
        Infraction::DoubleSign => (
            next_id(deps.storage, &NEXT_SLASH_ID)?,
            SlashAction::Recorded {},
        ),
        Infraction::Downtime => {
            let mut meter = SlashMeter::load(deps.storage, now)?;
            replenish(&mut meter, &config, now)?;
            if meter.meter.is_negative() {
                // Bounced: nothing is written; the consumer retries after its retry delay.
                handled.ack = AckResult::SlashBounced;
                handled.events.push(
                    Event::new("slash_bounced")
                        .add_attribute("consumer_id", consumer_id.to_string())
                        .add_attribute("validator", operator.to_string())
                        .add_attribute("vsc_id", vsc_id.to_string())
                        .add_attribute("slash_meter", meter.meter.to_string()),
                );
                return Ok(handled);
            }
            let id = next_id(deps.storage, &NEXT_SLASH_ID)?;
            let stake = STAKES.load(deps.storage, &operator)?;
            meter.meter = meter
                .meter
                .checked_sub(Int128::from(validator_power(&config, &stake)))?;
            SLASH_METER.save(deps.storage, &meter)?;
            handled
                .attributes
                .push(("slash_meter", meter.meter.to_string()));
            let parameters = infraction::in_force(&config, &info, now).downtime;
            let (action, slashed) = punish_downtime(
                deps.storage,
                &config,
                now,
                operator.clone(),
                validator.pub_key,
                stake,
                &parameters,
                height,
            )?;
            if !slashed.is_zero() {
                handled.messages.push(slashed_tokens_message(
                    &config.slashed_tokens,
                    &config.bond_denom,
                    slashed,
                ));
            }
            queue_slash_ack(deps.storage, consumer_id, id, &bech32)?;
            (id, action)
        }
    };
    let record = SlashRecord {
        id,
        consumer_id,
        validator: operator,
        consensus_address: bech32,
        infraction: packet.infraction,
        vsc_id,
        infraction_height: height,
        received_at: now,
        action,
    };
    SLASH_LOG.save(deps.storage, id, &record)?;
    handled
        .attributes
        .push(("validator", record.validator.to_string()));
    handled.attributes.push(("slash_record", id.to_string()));
    Ok(handled)
}

fn infraction_name(infraction: Infraction) -> &'static str {
    match infraction {
        Infraction::DoubleSign => "double_sign",
        Infraction::Downtime => "downtime",
    }
}

/// Owes the consumer an acknowledgement of its downtime report in its next VSC (`slash_id`
/// orders the acks).
fn queue_slash_ack(
    storage: &mut dyn Storage,
    consumer_id: u64,
    slash_id: u64,
    bech32: &str,
) -> Result<(), ContractError> {
    SLASH_ACKS.save(storage, (consumer_id, slash_id), &bech32.to_string())?;
    mark_consumer_due(storage, consumer_id)?;
    Ok(())
}

/// Slashes and jails (or tombstones) a validator for downtime as `parameters` say, unless it
/// is already jailed or tombstoned; returns the action and the tokens taken.
#[allow(clippy::too_many_arguments)]
fn punish_downtime(
    storage: &mut dyn Storage,
    config: &Config,
    now: Timestamp,
    operator: Addr,
    pub_key: PublicKey,
    stake: Stake,
    parameters: &SlashJailParameters,
    height: u64,
) -> Result<(SlashAction, Uint128), ContractError> {
    if stake.jailed_until.is_some() || stake.tombstoned {
        return Ok((SlashAction::AlreadyJailed {}, Uint128::zero()));
    }
    let until = after(now, parameters.jail_duration_seconds)?;
    let mut change = StakeChange::new(config, operator, pub_key, stake);
    let slashed = slash(storage, &mut change, parameters.slash_fraction, height)?;
    jail(&mut change.stake, until);
    if parameters.tombstone {
        change.stake.tombstoned = true;
    }
    change.save(storage, config)?;
    Ok((SlashAction::Jailed { slashed }, slashed))
}

pub fn slashed_tokens_message(
    destination: &SlashedTokens,
    denom: &str,
    amount: Uint128,
) -> CosmosMsg<ChainMsg> {
    forfeit_message(destination, coin(amount.u128(), denom))
}

/// Burns `amount` or sends it to the configured address, as slashed tokens go.
pub fn forfeit_message(destination: &SlashedTokens, amount: Coin) -> CosmosMsg<ChainMsg> {
    let amount = vec![amount];
    match destination {
        SlashedTokens::Burn {} => BankMsg::Burn { amount }.into(),
        SlashedTokens::SendTo { address } => BankMsg::Send {
            to_address: address.clone(),
            amount,
        }
        .into(),
    }
}

/// VSC-matured packets remove at most this many sent-VSC records each. A consumer matures its
/// VSCs one by one, so this only bounds a packet that matures many at once: the records it
/// leaves are at or below `last_matured_vsc_id`, which every reader skips, and later packets
/// (and the consumer's deletion) remove them.
pub const MAX_MATURED_REMOVALS: usize = 32;

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
    for matured in sent_vsc_ids(storage, consumer_id, Some(vsc_id), MAX_MATURED_REMOVALS)? {
        SENT_VSCS.remove(storage, (consumer_id, matured));
    }
    maturity::on_matured(storage, consumer_id, &mut link, vsc_id)?;
    CONSUMER_LINKS.save(storage, consumer_id, &link)?;
    Ok(Handled::new(
        AckResult::Success,
        vec![
            ("packet", "vsc_matured".to_string()),
            ("consumer_id", consumer_id.to_string()),
            ("vsc_id", vsc_id.to_string()),
        ],
    ))
}
