//! IBC entrypoints: the CCV channel handshake (consumer-initiated), packets from consumers,
//! acknowledgements and timeouts of the VSCs the provider sends.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    DepsMut, Env, Ibc3ChannelOpenResponse, IbcBasicResponse, IbcChannel, IbcChannelCloseMsg,
    IbcChannelConnectMsg, IbcChannelOpenMsg, IbcPacketAckMsg, IbcPacketReceiveMsg,
    IbcPacketTimeoutMsg, IbcReceiveResponse, Storage,
};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use cw_ics_ccv::{
    ensure_ordered, validate_counterparty_version, AckResult, Acknowledgement, CCV_VERSION,
};

use crate::consumers::{load_consumer, stop};
use crate::error::ContractError;
use crate::msg::ConsumerPhase;
use crate::receive::{consumer_on_channel, handle_packet};
use crate::registration::close_opening;
use crate::state::consumers::{
    channels, consumer_by_channel, consumer_for_opening, mark_consumer_due, Consumer,
    CONSUMER_LINKS,
};
use crate::state::CONFIG;
use crate::vsc::send_pending;

/// The launched consumer without a channel whose registration pins this channel's connection
/// and counterparty port (the lowest id if several do): one lookup in the index of launched
/// consumers waiting for their channel, however many consumers there are.
fn consumer_for_new_channel(
    storage: &dyn Storage,
    channel: &IbcChannel,
) -> Result<Consumer, ContractError> {
    let port = &channel.counterparty_endpoint.port_id;
    let found = consumer_for_opening(storage, &channel.connection_id, port)?
        .map(|id| load_consumer(storage, id))
        .transpose()?;
    match found {
        Some(consumer)
            if consumer.link.phase == ConsumerPhase::Launched
                && consumer.link.channel_id.is_none() =>
        {
            Ok(consumer)
        }
        _ => Err(ContractError::NoConsumerForChannel {
            connection: channel.connection_id.clone(),
            port: port.clone(),
        }),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_channel_open(
    deps: DepsMut<ChainQuery>,
    _env: Env,
    msg: IbcChannelOpenMsg,
) -> Result<Option<Ibc3ChannelOpenResponse>, ContractError> {
    match msg {
        IbcChannelOpenMsg::OpenInit { .. } => Err(ContractError::OpenInitRefused),
        IbcChannelOpenMsg::OpenTry {
            channel,
            counterparty_version,
        } => {
            ensure_ordered(&channel)?;
            validate_counterparty_version(&counterparty_version)?;
            consumer_for_new_channel(deps.storage, &channel)?;
            Ok(Some(Ibc3ChannelOpenResponse {
                version: CCV_VERSION.to_string(),
            }))
        }
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_channel_connect(
    deps: DepsMut<ChainQuery>,
    env: Env,
    msg: IbcChannelConnectMsg,
) -> Result<IbcBasicResponse<ChainMsg>, ContractError> {
    let channel = match msg {
        IbcChannelConnectMsg::OpenAck { .. } => return Err(ContractError::OpenInitRefused),
        IbcChannelConnectMsg::OpenConfirm { channel } => channel,
    };
    ensure_ordered(&channel)?;
    let config = CONFIG.load(deps.storage)?;
    let consumer = consumer_for_new_channel(deps.storage, &channel)?;
    let channel_id = channel.endpoint.channel_id;
    // The consumer has no channel yet: no old record to reload.
    channels().replace(deps.storage, consumer.id, Some(&channel_id), None)?;
    close_opening(deps.storage, &consumer);
    let mut link = consumer.link;
    link.channel_id = Some(channel_id.clone());
    let (messages, _) = send_pending(deps.storage, &env, &config, consumer.id, &mut link)?;
    CONSUMER_LINKS.save(deps.storage, consumer.id, &link)?;
    // The consumer counts its channel as established at its first VSC: the next epoch gives
    // it one if the queue held none.
    mark_consumer_due(deps.storage, consumer.id)?;
    Ok(IbcBasicResponse::new()
        .add_messages(messages)
        .add_attribute("action", "channel_established")
        .add_attribute("consumer_id", consumer.id.to_string())
        .add_attribute("channel_id", channel_id))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_channel_close(
    deps: DepsMut<ChainQuery>,
    env: Env,
    msg: IbcChannelCloseMsg,
) -> Result<IbcBasicResponse<ChainMsg>, ContractError> {
    match msg {
        IbcChannelCloseMsg::CloseInit { channel } => {
            // Users can never close a CCV channel. A chain that runs this callback for the
            // contract's own `IbcMsg::CloseChannel` reaches it only after the consumer was
            // stopped, so that close goes through.
            let id = consumer_by_channel(deps.storage, &channel.endpoint.channel_id)?;
            match id.map(|id| load_consumer(deps.storage, id)).transpose()? {
                Some(consumer) if consumer.link.phase != ConsumerPhase::Launched => {
                    Ok(IbcBasicResponse::new().add_attribute("action", "channel_close_init"))
                }
                _ => Err(ContractError::CloseInitRefused),
            }
        }
        IbcChannelCloseMsg::CloseConfirm { channel } => {
            let config = CONFIG.load(deps.storage)?;
            let mut response =
                IbcBasicResponse::new().add_attribute("action", "channel_close_confirm");
            if let Ok((id, _)) = consumer_on_channel(deps.storage, &channel.endpoint.channel_id) {
                let mut consumer = load_consumer(deps.storage, id)?;
                stop(
                    deps.storage,
                    &config,
                    env.block.time,
                    &mut consumer,
                    "channel closed by the counterparty",
                    false,
                )?;
                response = response.add_attribute("stopped_consumer", consumer.id.to_string());
            }
            Ok(response)
        }
    }
}

/// A packet from a consumer. The rule, the same in both contracts: a packet that is refused
/// (undecodable, on an unknown channel, from a consumer that is not running, or breaking a
/// protocol rule such as an unknown vscId) is an `Err`, so wasmd discards every write of the
/// call and writes the error acknowledgement; a packet that was understood is `Ok` with a
/// result acknowledgement (0x01 VSC-matured, 0x02 slash handled, 0x03 bounced), even when it
/// changes nothing.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_packet_receive(
    deps: DepsMut<ChainQuery>,
    env: Env,
    msg: IbcPacketReceiveMsg,
) -> Result<IbcReceiveResponse<ChainMsg>, ContractError> {
    let packet = msg.packet;
    let handled = handle_packet(deps, &env, &packet.dest.channel_id, packet.data.as_slice())?;
    let ack = Acknowledgement::Result(handled.ack).encode()?;
    Ok(IbcReceiveResponse::new(ack)
        .add_messages(handled.messages)
        .add_attributes(handled.attributes)
        .add_events(handled.events))
}

/// Stops the consumer on `channel_id` if it is still running.
fn stop_on_channel(
    deps: DepsMut<ChainQuery>,
    env: &Env,
    channel_id: &str,
    reason: &str,
    close_channel: bool,
) -> Result<IbcBasicResponse<ChainMsg>, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut response = IbcBasicResponse::new();
    if let Ok((id, _)) = consumer_on_channel(deps.storage, channel_id) {
        let mut consumer = load_consumer(deps.storage, id)?;
        let messages = stop(
            deps.storage,
            &config,
            env.block.time,
            &mut consumer,
            reason,
            close_channel,
        )?;
        response = response
            .add_messages(messages)
            .add_attribute("stopped_consumer", consumer.id.to_string());
    }
    Ok(response)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_packet_ack(
    deps: DepsMut<ChainQuery>,
    env: Env,
    msg: IbcPacketAckMsg,
) -> Result<IbcBasicResponse<ChainMsg>, ContractError> {
    let channel_id = msg.original_packet.src.channel_id;
    match Acknowledgement::decode(msg.acknowledgement.data.as_slice()) {
        Ok(Acknowledgement::Result(AckResult::Success)) => {
            Ok(IbcBasicResponse::new().add_attribute("action", "vsc_acknowledged"))
        }
        Ok(Acknowledgement::Error(text)) => Ok(stop_on_channel(
            deps,
            &env,
            &channel_id,
            &format!("VSC refused: {text}"),
            true,
        )?
        .add_attribute("action", "vsc_error_ack")),
        Ok(Acknowledgement::Result(other)) => Ok(stop_on_channel(
            deps,
            &env,
            &channel_id,
            &format!("unexpected VSC ack {:#04x}", other.byte()),
            true,
        )?
        .add_attribute("action", "vsc_error_ack")),
        Err(err) => Ok(stop_on_channel(
            deps,
            &env,
            &channel_id,
            &format!("malformed VSC ack: {err}"),
            true,
        )?
        .add_attribute("action", "vsc_error_ack")),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_packet_timeout(
    deps: DepsMut<ChainQuery>,
    env: Env,
    msg: IbcPacketTimeoutMsg,
) -> Result<IbcBasicResponse<ChainMsg>, ContractError> {
    // An ordered channel is already closed by the timeout itself: no close message.
    Ok(stop_on_channel(
        deps,
        &env,
        &msg.packet.src.channel_id,
        "VSC packet timed out",
        false,
    )?
    .add_attribute("action", "vsc_timeout"))
}
