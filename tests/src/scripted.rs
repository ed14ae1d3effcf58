//! A scripted, test-only provider: a tiny contract that accepts the consumer's CCV channel,
//! sends the VSC bytes the test hands it, and answers slash packets as told (bounce the next
//! N, then handle). It lets a test drive provider behaviour the real provider never shows,
//! such as throttling bounces (0x03).

use cosmwasm_std::{
    from_json, to_json_binary, to_json_vec, Binary, Deps, DepsMut, Env, Ibc3ChannelOpenResponse,
    IbcBasicResponse, IbcChannelCloseMsg, IbcChannelConnectMsg, IbcChannelOpenMsg, IbcMsg,
    IbcPacketAckMsg, IbcPacketReceiveMsg, IbcPacketTimeoutMsg, IbcReceiveResponse, MessageInfo,
    Response, StdError, StdResult, Storage,
};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use cw_ics_ccv::{AckResult, Acknowledgement, ConsumerPacket, CCV_VERSION};
use cw_ics_ibc_sim::IbcContractWrapper;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ScriptedExecute {
    /// Sends these bytes as a packet on the channel, timing out after `timeout_seconds`.
    SendVsc { data: Binary, timeout_seconds: u64 },
    /// Answers the next `count` slash packets with 0x03 (bounced).
    BounceNextSlashes { count: u32 },
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ScriptedQuery {
    /// Every packet received, with the ack given, in order.
    Received {},
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ReceivedPacket {
    pub data: Binary,
    pub ack: Binary,
}

const CHANNEL: &[u8] = b"channel";
const BOUNCES: &[u8] = b"bounces";
const RECEIVED: &[u8] = b"received";

fn load<T: serde::de::DeserializeOwned + Default>(
    storage: &dyn Storage,
    key: &[u8],
) -> StdResult<T> {
    storage
        .get(key)
        .map(|v| from_json(v))
        .unwrap_or(Ok(T::default()))
}

fn save<T: Serialize>(storage: &mut dyn Storage, key: &[u8], value: &T) -> StdResult<()> {
    storage.set(key, &to_json_vec(value)?);
    Ok(())
}

fn instantiate(
    _: DepsMut<ChainQuery>,
    _: Env,
    _: MessageInfo,
    _: cosmwasm_std::Empty,
) -> StdResult<Response<ChainMsg>> {
    Ok(Response::new())
}

fn execute(
    deps: DepsMut<ChainQuery>,
    env: Env,
    _: MessageInfo,
    msg: ScriptedExecute,
) -> StdResult<Response<ChainMsg>> {
    match msg {
        ScriptedExecute::SendVsc {
            data,
            timeout_seconds,
        } => {
            let channel_id: String = load(deps.storage, CHANNEL)?;
            if channel_id.is_empty() {
                return Err(StdError::msg("no channel yet"));
            }
            Ok(Response::new().add_message(IbcMsg::SendPacket {
                channel_id,
                data,
                timeout: cw_ics_ccv::timeout_after(env.block.time, timeout_seconds),
            }))
        }
        ScriptedExecute::BounceNextSlashes { count } => {
            save(deps.storage, BOUNCES, &count)?;
            Ok(Response::new())
        }
    }
}

fn query(deps: Deps<ChainQuery>, _: Env, msg: ScriptedQuery) -> StdResult<Binary> {
    match msg {
        ScriptedQuery::Received {} => {
            to_json_binary(&load::<Vec<ReceivedPacket>>(deps.storage, RECEIVED)?)
        }
    }
}

fn channel_open(
    _: DepsMut<ChainQuery>,
    _: Env,
    msg: IbcChannelOpenMsg,
) -> StdResult<Option<Ibc3ChannelOpenResponse>> {
    match msg {
        IbcChannelOpenMsg::OpenTry { .. } => Ok(Some(Ibc3ChannelOpenResponse {
            version: CCV_VERSION.to_string(),
        })),
        IbcChannelOpenMsg::OpenInit { .. } => {
            Err(StdError::msg("the scripted provider only answers OpenTry"))
        }
    }
}

fn channel_connect(
    deps: DepsMut<ChainQuery>,
    _: Env,
    msg: IbcChannelConnectMsg,
) -> StdResult<IbcBasicResponse<ChainMsg>> {
    save(deps.storage, CHANNEL, &msg.channel().endpoint.channel_id)?;
    Ok(IbcBasicResponse::new())
}

fn channel_close(
    _: DepsMut<ChainQuery>,
    _: Env,
    _: IbcChannelCloseMsg,
) -> StdResult<IbcBasicResponse<ChainMsg>> {
    Ok(IbcBasicResponse::new())
}

fn packet_receive(
    deps: DepsMut<ChainQuery>,
    _: Env,
    msg: IbcPacketReceiveMsg,
) -> StdResult<IbcReceiveResponse<ChainMsg>> {
    let data = msg.packet.data;
    let result = match ConsumerPacket::decode(data.as_slice()) {
        Ok(ConsumerPacket::Slash(_)) => {
            let bounces: u32 = load(deps.storage, BOUNCES)?;
            if bounces > 0 {
                save(deps.storage, BOUNCES, &(bounces - 1))?;
                Acknowledgement::Result(AckResult::SlashBounced)
            } else {
                Acknowledgement::Result(AckResult::SlashHandled)
            }
        }
        Ok(ConsumerPacket::VscMatured(_)) => Acknowledgement::Result(AckResult::Success),
        Err(err) => Acknowledgement::error(err.to_string()),
    };
    let ack = result.encode().map_err(|e| StdError::msg(e.to_string()))?;
    let mut received: Vec<ReceivedPacket> = load(deps.storage, RECEIVED)?;
    received.push(ReceivedPacket {
        data,
        ack: ack.clone(),
    });
    save(deps.storage, RECEIVED, &received)?;
    Ok(IbcReceiveResponse::new(ack))
}

fn packet_ack(
    _: DepsMut<ChainQuery>,
    _: Env,
    _: IbcPacketAckMsg,
) -> StdResult<IbcBasicResponse<ChainMsg>> {
    Ok(IbcBasicResponse::new())
}

fn packet_timeout(
    _: DepsMut<ChainQuery>,
    _: Env,
    _: IbcPacketTimeoutMsg,
) -> StdResult<IbcBasicResponse<ChainMsg>> {
    Ok(IbcBasicResponse::new())
}

pub fn scripted_provider_code() -> Box<IbcContractWrapper<ChainMsg, ChainQuery>> {
    Box::new(
        IbcContractWrapper::new(execute, instantiate, query).with_ibc(
            channel_open,
            channel_connect,
            channel_close,
            packet_receive,
            packet_ack,
            packet_timeout,
        ),
    )
}
