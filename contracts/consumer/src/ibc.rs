//! IBC entrypoints: the handshake (see `handshake`), VSC receipt (see `vsc`), acks and
//! timeouts of our packets (see `outbox`), and the halt on error ack, timeout or close.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    DepsMut, Env, Ibc3ChannelOpenResponse, IbcBasicResponse, IbcChannelCloseMsg,
    IbcChannelConnectMsg, IbcChannelOpenMsg, IbcPacketAckMsg, IbcPacketReceiveMsg,
    IbcPacketTimeoutMsg, IbcReceiveResponse, IbcSourceCallbackMsg, Storage,
};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use cw_ics_ccv::{Acknowledgement, ConsumerPacket};

use crate::error::ContractError;
use crate::handshake::{open_ack, open_init};
use crate::outbox::{flush, on_result_ack, AckOutcome};
use crate::state::{HaltReason, CCV_CHANNEL, HALT};
use crate::vsc::receive_vsc;

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_channel_open(
    deps: DepsMut<ChainQuery>,
    _env: Env,
    msg: IbcChannelOpenMsg,
) -> Result<Option<Ibc3ChannelOpenResponse>, ContractError> {
    match msg {
        IbcChannelOpenMsg::OpenInit { channel } => {
            let version = open_init(deps.storage, &channel)?;
            Ok(Some(Ibc3ChannelOpenResponse { version }))
        }
        IbcChannelOpenMsg::OpenTry { .. } => Err(ContractError::WrongHandshakeSide("OpenTry")),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_channel_connect(
    deps: DepsMut<ChainQuery>,
    _env: Env,
    msg: IbcChannelConnectMsg,
) -> Result<IbcBasicResponse<ChainMsg>, ContractError> {
    match msg {
        IbcChannelConnectMsg::OpenAck {
            channel,
            counterparty_version,
        } => {
            open_ack(deps.storage, &channel, &counterparty_version)?;
            Ok(IbcBasicResponse::new()
                .add_attribute("action", "ccv_channel_open_ack")
                .add_attribute("channel_id", channel.endpoint.channel_id))
        }
        IbcChannelConnectMsg::OpenConfirm { .. } => {
            Err(ContractError::WrongHandshakeSide("OpenConfirm"))
        }
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_channel_close(
    deps: DepsMut<ChainQuery>,
    _env: Env,
    msg: IbcChannelCloseMsg,
) -> Result<IbcBasicResponse<ChainMsg>, ContractError> {
    match msg {
        IbcChannelCloseMsg::CloseInit { .. } => Err(ContractError::CloseRefused),
        IbcChannelCloseMsg::CloseConfirm { channel } => {
            let channel_id = channel.endpoint.channel_id;
            let response = IbcBasicResponse::new().add_attribute("action", "ccv_channel_closed");
            if is_ccv_channel(deps.storage, &channel_id)? {
                halt(deps.storage, HaltReason::ChannelClosed { channel_id })?;
                return Ok(response.add_attribute("halted", "true"));
            }
            Ok(response)
        }
    }
}

/// The receive convention (the same in the provider): every refusal of a received packet is an
/// `Err` — not on the CCV channel, malformed, out of order, emptying the set, after a halt —
/// so that wasmd reverts this call's writes and writes an error acknowledgement; a packet that
/// was understood and applied returns `Ok` with a result acknowledgement. No refusal is written
/// as an error ack from `Ok`, which would keep whatever the call had written.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_packet_receive(
    deps: DepsMut<ChainQuery>,
    env: Env,
    msg: IbcPacketReceiveMsg,
) -> Result<IbcReceiveResponse<ChainMsg>, ContractError> {
    receive_vsc(deps, env, &msg.packet)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_packet_ack(
    deps: DepsMut<ChainQuery>,
    env: Env,
    msg: IbcPacketAckMsg,
) -> Result<IbcBasicResponse<ChainMsg>, ContractError> {
    let packet = &msg.original_packet;
    if !is_ccv_channel(deps.storage, &packet.src.channel_id)? {
        return Err(ContractError::NotCcvChannel(packet.src.channel_id.clone()));
    }
    let sent = ConsumerPacket::decode(packet.data.as_slice())?;
    let ack = Acknowledgement::decode(msg.acknowledgement.data.as_slice())?;
    let response = IbcBasicResponse::new().add_attribute("action", "ccv_ack");
    match ack {
        Acknowledgement::Error(error) => {
            halt(
                deps.storage,
                HaltReason::ErrorAck {
                    sequence: packet.sequence,
                    error,
                },
            )?;
            Ok(response.add_attribute("halted", "true"))
        }
        Acknowledgement::Result(result) => {
            let outcome = on_result_ack(deps.storage, &env, &sent, result)?;
            let messages = match outcome {
                AckOutcome::SlashDone => flush(deps.storage, &env)?,
                _ => vec![],
            };
            Ok(response
                .add_attribute("outcome", format!("{outcome:?}"))
                .add_messages(messages))
        }
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_packet_timeout(
    deps: DepsMut<ChainQuery>,
    _env: Env,
    msg: IbcPacketTimeoutMsg,
) -> Result<IbcBasicResponse<ChainMsg>, ContractError> {
    let packet = &msg.packet;
    if !is_ccv_channel(deps.storage, &packet.src.channel_id)? {
        return Err(ContractError::NotCcvChannel(packet.src.channel_id.clone()));
    }
    halt(
        deps.storage,
        HaltReason::Timeout {
            sequence: packet.sequence,
        },
    )?;
    Ok(IbcBasicResponse::new()
        .add_attribute("action", "ccv_timeout")
        .add_attribute("halted", "true"))
}

/// ADR-8: the acknowledgement or timeout of a reward transfer this contract sent (see
/// `rewards`); the ICS-20 packets never reach the entry points above.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_source_callback(
    deps: DepsMut<ChainQuery>,
    env: Env,
    msg: IbcSourceCallbackMsg,
) -> Result<IbcBasicResponse<ChainMsg>, ContractError> {
    crate::rewards::source_callback(deps, env, msg)
}

fn is_ccv_channel(storage: &dyn Storage, channel_id: &str) -> Result<bool, ContractError> {
    Ok(CCV_CHANNEL
        .may_load(storage)?
        .is_some_and(|channel| channel.channel_id == channel_id))
}

/// Records the first halt reason; later ones (e.g. the close that follows a timeout) keep it.
fn halt(storage: &mut dyn Storage, reason: HaltReason) -> Result<(), ContractError> {
    if HALT.may_load(storage)?.is_none() {
        HALT.save(storage, &reason)?;
    }
    Ok(())
}
