//! IBC entrypoints: the CCV channel handshake (consumer-initiated), packets from consumers,
//! acknowledgements and timeouts of the VSCs the provider sends.

use cosmwasm_std::{
    DepsMut, Env, Ibc3ChannelOpenResponse, IbcBasicResponse, IbcChannel, IbcChannelCloseMsg,
    IbcChannelConnectMsg, IbcChannelOpenMsg, IbcPacketAckMsg, IbcPacketReceiveMsg,
    IbcPacketTimeoutMsg, IbcReceiveResponse, Never, Storage,
};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use cw_ics_ccv::{
    ensure_ordered, validate_counterparty_version, AckResult, Acknowledgement, CCV_VERSION,
};

use crate::consumer_store::mark_consumer_due;
use crate::consumers::{load_consumer, stop};
use crate::error::ContractError;
use crate::msg::ConsumerPhase;
use crate::receive::{consumer_on_channel, handle_packet};
use crate::state::{Consumer, CHANNEL_TO_CONSUMER, CONFIG, CONSUMERS, LAUNCHED};
use crate::vsc::send_pending;

/// The launched consumer without a channel whose registration pins this channel's connection
/// and counterparty port.
fn consumer_for_new_channel(
    storage: &dyn Storage,
    channel: &IbcChannel,
) -> Result<Consumer, ContractError> {
    let launched = LAUNCHED.all(storage)?;
    for id in launched {
        let consumer = load_consumer(storage, id)?;
        if consumer.channel_id.is_none()
            && consumer.registration.connection_id == channel.connection_id
            && consumer.registration.counterparty_port_id.as_deref()
                == Some(channel.counterparty_endpoint.port_id.as_str())
        {
            return Ok(consumer);
        }
    }
    Err(ContractError::NoConsumerForChannel {
        connection: channel.connection_id.clone(),
        port: channel.counterparty_endpoint.port_id.clone(),
    })
}

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
    CHANNEL_TO_CONSUMER.save(deps.storage, &channel_id, consumer.id);
    let mut link = consumer.link();
    link.channel_id = Some(channel_id.clone());
    let messages = send_pending(deps.storage, &env, &config, consumer.id, &mut link)?;
    CONSUMERS.save_link(deps.storage, consumer.id, &link);
    // The consumer counts its channel as established at its first VSC: the next epoch gives
    // it one if the queue held none.
    mark_consumer_due(deps.storage, consumer.id);
    Ok(IbcBasicResponse::new()
        .add_messages(messages)
        .add_attribute("action", "channel_established")
        .add_attribute("consumer_id", consumer.id.to_string())
        .add_attribute("channel_id", channel_id))
}

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
            let id = CHANNEL_TO_CONSUMER.may_load(deps.storage, &channel.endpoint.channel_id)?;
            match id.map(|id| load_consumer(deps.storage, id)).transpose()? {
                Some(consumer) if consumer.phase != ConsumerPhase::Launched => {
                    Ok(IbcBasicResponse::new().add_attribute("action", "channel_close_init"))
                }
                _ => Err(ContractError::CloseInitRefused),
            }
        }
        IbcChannelCloseMsg::CloseConfirm { channel } => {
            let config = CONFIG.load(deps.storage)?;
            let mut response =
                IbcBasicResponse::new().add_attribute("action", "channel_close_confirm");
            if let Ok(mut consumer) =
                consumer_on_channel(deps.storage, &channel.endpoint.channel_id)
            {
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

pub fn ibc_packet_receive(
    deps: DepsMut<ChainQuery>,
    env: Env,
    msg: IbcPacketReceiveMsg,
) -> Result<IbcReceiveResponse<ChainMsg>, Never> {
    let packet = msg.packet;
    let outcome = handle_packet(deps, &env, &packet.dest.channel_id, packet.data.as_slice());
    let response = match outcome {
        Ok(handled) => {
            let ack = Acknowledgement::Result(handled.ack);
            IbcReceiveResponse::new(encode_ack(&ack))
                .add_messages(handled.messages)
                .add_attributes(handled.attributes)
        }
        Err(err) => {
            let ack = Acknowledgement::error(err.to_string());
            IbcReceiveResponse::new(encode_ack(&ack))
                .add_attribute("packet", "refused")
                .add_attribute("error", err.to_string())
        }
    };
    Ok(response)
}

fn encode_ack(ack: &Acknowledgement) -> cosmwasm_std::Binary {
    // Encoding an ack is serialising two plain fields and cannot fail; the fallback keeps the
    // entrypoint panic-free regardless.
    ack.encode()
        .unwrap_or_else(|_| cosmwasm_std::Binary::from(br#"{"error":"ack encoding"}"#.as_slice()))
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
    if let Ok(mut consumer) = consumer_on_channel(deps.storage, channel_id) {
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
