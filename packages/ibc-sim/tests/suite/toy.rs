//! A small configurable IBC contract used by the suite: an ordered counter, an unordered
//! echo, a receiver that fails, an async acker, a handshake or close refuser, and a
//! transfer sender with ADR-8 callbacks, depending on how it is instantiated.

use cosmwasm_std::{
    to_json_binary, BankMsg, Binary, ChannelResponse, Deps, DepsMut, Env, Ibc3ChannelOpenResponse,
    IbcAcknowledgement, IbcBasicResponse, IbcChannelCloseMsg, IbcChannelConnectMsg,
    IbcChannelOpenMsg, IbcChannelOpenResponse, IbcDestinationCallbackMsg, IbcMsg, IbcOrder,
    IbcPacketAckMsg, IbcPacketReceiveMsg, IbcPacketTimeoutMsg, IbcQuery, IbcReceiveResponse,
    IbcSourceCallbackMsg, IbcTimeout, MessageInfo, PortIdResponse, QueryRequest, Reply, Response,
    StdError, StdResult, SubMsg,
};
use cw_ics_ibc_sim::IbcContractWrapper;
use cw_storage_plus::Item;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReceiveMode {
    /// ack = "count:<n>" where n counts received packets
    Count,
    /// ack = the packet data
    Echo,
    /// bumps the counter, then fails (the bump must be reverted)
    Fail,
    /// no ack now; `ExecuteMsg::WriteAck` later
    Async,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct InstantiateMsg {
    pub version: String,
    pub order: IbcOrder,
    pub receive: ReceiveMode,
    pub refuse_close: bool,
}

impl InstantiateMsg {
    pub fn new(version: &str, order: IbcOrder, receive: ReceiveMode) -> Self {
        InstantiateMsg {
            version: version.to_string(),
            order,
            receive,
            refuse_close: false,
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug)]
#[serde(rename_all = "snake_case")]
pub enum ExecuteMsg {
    Send {
        channel_id: String,
        data: String,
        timeout: IbcTimeout,
    },
    /// Sends a packet, then a bank transfer it cannot pay: the whole tx must fail.
    SendThenFail {
        channel_id: String,
        data: String,
        timeout: IbcTimeout,
    },
    /// Sends a packet as a submessage and records, in `reply`, the sequence wasmd returns.
    SendWithReply {
        channel_id: String,
        data: String,
        timeout: IbcTimeout,
    },
    Close {
        channel_id: String,
    },
    WriteAck {
        channel_id: String,
        sequence: u64,
        ack: String,
    },
    /// ICS-20 transfer of the attached funds.
    Transfer {
        channel_id: String,
        to_address: String,
        timeout: IbcTimeout,
        memo: Option<String>,
    },
}

#[derive(Serialize, Deserialize, Clone, Debug)]
#[serde(rename_all = "snake_case")]
pub enum SudoMsg {
    Note { text: String },
}

#[derive(Serialize, Deserialize, Clone, Debug)]
#[serde(rename_all = "snake_case")]
pub enum QueryMsg {
    State {},
    Channel { channel_id: String },
    Port {},
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    pub count: u64,
    pub received: Vec<String>,
    pub acks: Vec<(u64, String)>,
    pub timeouts: Vec<u64>,
    pub connected: Vec<String>,
    pub closed: Vec<String>,
    pub callbacks: Vec<String>,
    pub notes: Vec<String>,
    /// The port the contract learnt from `IbcQuery::PortId` at instantiation.
    pub port: String,
}

const CONFIG: Item<InstantiateMsg> = Item::new("config");
const SEND_REPLY_ID: u64 = 7;
const STATE: Item<State> = Item::new("state");

fn update(deps: &mut DepsMut, f: impl FnOnce(&mut State)) -> StdResult<()> {
    let mut state = STATE.load(deps.storage)?;
    f(&mut state);
    STATE.save(deps.storage, &state)
}

pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    msg: InstantiateMsg,
) -> StdResult<Response> {
    let port: PortIdResponse = deps
        .querier
        .query(&QueryRequest::Ibc(IbcQuery::PortId {}))?;
    CONFIG.save(deps.storage, &msg)?;
    STATE.save(
        deps.storage,
        &State {
            port: port.port_id,
            ..State::default()
        },
    )?;
    Ok(Response::new())
}

pub fn execute(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> StdResult<Response> {
    match msg {
        ExecuteMsg::Send {
            channel_id,
            data,
            timeout,
        } => Ok(Response::new().add_message(IbcMsg::SendPacket {
            channel_id,
            data: Binary::from(data.into_bytes()),
            timeout,
        })),
        ExecuteMsg::SendThenFail {
            channel_id,
            data,
            timeout,
        } => Ok(Response::new()
            .add_message(IbcMsg::SendPacket {
                channel_id,
                data: Binary::from(data.into_bytes()),
                timeout,
            })
            .add_message(BankMsg::Send {
                to_address: info.sender.to_string(),
                amount: vec![cosmwasm_std::Coin::new(1_000_000u128, "nothing")],
            })),
        ExecuteMsg::SendWithReply {
            channel_id,
            data,
            timeout,
        } => Ok(Response::new().add_submessage(SubMsg::reply_on_success(
            IbcMsg::SendPacket {
                channel_id,
                data: Binary::from(data.into_bytes()),
                timeout,
            },
            SEND_REPLY_ID,
        ))),
        ExecuteMsg::Close { channel_id } => {
            let _ = deps;
            Ok(Response::new().add_message(IbcMsg::CloseChannel { channel_id }))
        }
        ExecuteMsg::WriteAck {
            channel_id,
            sequence,
            ack,
        } => Ok(Response::new().add_message(IbcMsg::WriteAcknowledgement {
            channel_id,
            packet_sequence: sequence,
            ack: IbcAcknowledgement::new(ack.into_bytes()),
        })),
        ExecuteMsg::Transfer {
            channel_id,
            to_address,
            timeout,
            memo,
        } => {
            let amount = info
                .funds
                .first()
                .cloned()
                .ok_or_else(|| StdError::msg("attach the funds to transfer"))?;
            Ok(Response::new().add_message(IbcMsg::Transfer {
                channel_id,
                to_address,
                amount,
                timeout,
                memo,
            }))
        }
    }
}

pub fn sudo(mut deps: DepsMut, _env: Env, msg: SudoMsg) -> StdResult<Response> {
    match msg {
        SudoMsg::Note { text } => update(&mut deps, |s| s.notes.push(text))?,
    }
    Ok(Response::new())
}

/// Decodes `MsgSendPacketResponse { sequence }` (field 1, varint) from the reply.
pub fn reply(mut deps: DepsMut, _env: Env, msg: Reply) -> StdResult<Response> {
    if msg.id != SEND_REPLY_ID {
        return Err(StdError::msg("unknown reply"));
    }
    let response = msg.result.into_result().map_err(StdError::msg)?;
    let bytes = response
        .msg_responses
        .first()
        .map(|r| r.value.to_vec())
        .ok_or_else(|| StdError::msg("no msg response"))?;
    let (tag, varint) = bytes.split_first().ok_or_else(|| StdError::msg("empty"))?;
    if *tag != 0x08 {
        return Err(StdError::msg("not a sequence"));
    }
    let mut sequence = 0u64;
    for (i, byte) in varint.iter().enumerate() {
        sequence |= u64::from(byte & 0x7f) << (7 * i);
    }
    update(&mut deps, |s| s.notes.push(format!("reply-seq:{sequence}")))?;
    Ok(Response::new())
}

pub fn migrate(mut deps: DepsMut, _env: Env, msg: SudoMsg) -> StdResult<Response> {
    let SudoMsg::Note { text } = msg;
    update(&mut deps, |s| s.notes.push(format!("migrated:{text}")))?;
    Ok(Response::new())
}

pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::State {} => to_json_binary(&STATE.load(deps.storage)?),
        QueryMsg::Channel { channel_id } => {
            let response: ChannelResponse =
                deps.querier.query(&QueryRequest::Ibc(IbcQuery::Channel {
                    channel_id,
                    port_id: None,
                }))?;
            to_json_binary(&response)
        }
        QueryMsg::Port {} => {
            let response: PortIdResponse = deps
                .querier
                .query(&QueryRequest::Ibc(IbcQuery::PortId {}))?;
            to_json_binary(&response)
        }
    }
}

pub fn ibc_channel_open(
    deps: DepsMut,
    _env: Env,
    msg: IbcChannelOpenMsg,
) -> StdResult<IbcChannelOpenResponse> {
    let config = CONFIG.load(deps.storage)?;
    let channel = msg.channel();
    if channel.order != config.order {
        return Err(StdError::msg(format!("wrong order {:?}", channel.order)));
    }
    let offered = msg
        .counterparty_version()
        .unwrap_or(channel.version.as_str());
    if offered != config.version {
        return Err(StdError::msg(format!("unsupported version {offered}")));
    }
    Ok(Some(Ibc3ChannelOpenResponse {
        version: config.version,
    }))
}

pub fn ibc_channel_connect(
    mut deps: DepsMut,
    _env: Env,
    msg: IbcChannelConnectMsg,
) -> StdResult<IbcBasicResponse> {
    let id = msg.channel().endpoint.channel_id.clone();
    update(&mut deps, |s| s.connected.push(id))?;
    Ok(IbcBasicResponse::new())
}

pub fn ibc_channel_close(
    mut deps: DepsMut,
    _env: Env,
    msg: IbcChannelCloseMsg,
) -> StdResult<IbcBasicResponse> {
    let config = CONFIG.load(deps.storage)?;
    if config.refuse_close && matches!(msg, IbcChannelCloseMsg::CloseInit { .. }) {
        return Err(StdError::msg("this channel cannot be closed"));
    }
    let label = match &msg {
        IbcChannelCloseMsg::CloseInit { channel } => {
            format!("init:{}", channel.endpoint.channel_id)
        }
        IbcChannelCloseMsg::CloseConfirm { channel } => {
            format!("confirm:{}", channel.endpoint.channel_id)
        }
    };
    update(&mut deps, |s| s.closed.push(label))?;
    Ok(IbcBasicResponse::new())
}

pub fn ibc_packet_receive(
    mut deps: DepsMut,
    _env: Env,
    msg: IbcPacketReceiveMsg,
) -> StdResult<IbcReceiveResponse> {
    let config = CONFIG.load(deps.storage)?;
    let data = String::from_utf8_lossy(msg.packet.data.as_slice()).to_string();
    update(&mut deps, |s| {
        s.count += 1;
        s.received.push(data.clone());
    })?;
    let count = STATE.load(deps.storage)?.count;
    match config.receive {
        ReceiveMode::Count => Ok(IbcReceiveResponse::new(
            format!("count:{count}").into_bytes(),
        )),
        ReceiveMode::Echo => Ok(IbcReceiveResponse::new(msg.packet.data)),
        ReceiveMode::Fail => Err(StdError::msg(format!("cannot handle {data}"))),
        ReceiveMode::Async => Ok(IbcReceiveResponse::without_ack()),
    }
}

pub fn ibc_packet_ack(
    mut deps: DepsMut,
    _env: Env,
    msg: IbcPacketAckMsg,
) -> StdResult<IbcBasicResponse> {
    let ack = String::from_utf8_lossy(msg.acknowledgement.data.as_slice()).to_string();
    let seq = msg.original_packet.sequence;
    update(&mut deps, |s| s.acks.push((seq, ack)))?;
    Ok(IbcBasicResponse::new())
}

pub fn ibc_packet_timeout(
    mut deps: DepsMut,
    _env: Env,
    msg: IbcPacketTimeoutMsg,
) -> StdResult<IbcBasicResponse> {
    let seq = msg.packet.sequence;
    update(&mut deps, |s| s.timeouts.push(seq))?;
    Ok(IbcBasicResponse::new())
}

pub fn ibc_source_callback(
    mut deps: DepsMut,
    _env: Env,
    msg: IbcSourceCallbackMsg,
) -> StdResult<IbcBasicResponse> {
    let entry = match msg {
        IbcSourceCallbackMsg::Acknowledgement(ack) => format!(
            "src-ack:{}:{}",
            ack.original_packet.sequence,
            String::from_utf8_lossy(ack.acknowledgement.data.as_slice())
        ),
        IbcSourceCallbackMsg::Timeout(timeout) => {
            format!("src-timeout:{}", timeout.packet.sequence)
        }
    };
    update(&mut deps, |s| s.callbacks.push(entry))?;
    Ok(IbcBasicResponse::new())
}

pub fn ibc_destination_callback(
    mut deps: DepsMut,
    _env: Env,
    msg: IbcDestinationCallbackMsg,
) -> StdResult<IbcBasicResponse> {
    let transfer = msg
        .transfer
        .ok_or_else(|| StdError::msg("expected a transfer"))?;
    let entry = transfer
        .funds
        .iter()
        .map(|c| format!("dest:{}:{}:{}", transfer.receiver, c.amount, c.denom))
        .collect::<Vec<_>>()
        .join(",");
    update(&mut deps, |s| s.callbacks.push(entry))?;
    Ok(IbcBasicResponse::new())
}

/// A destination callback that always fails (to check that failure does not undo the receive).
pub fn failing_destination_callback(
    _deps: DepsMut,
    _env: Env,
    _msg: IbcDestinationCallbackMsg,
) -> StdResult<IbcBasicResponse> {
    Err(StdError::msg("callback exploded"))
}

pub fn wrapper() -> IbcContractWrapper {
    IbcContractWrapper::new(execute, instantiate, query)
        .with_sudo(sudo)
        .with_reply(reply)
        .with_migrate(migrate)
        .with_ibc(
            ibc_channel_open,
            ibc_channel_connect,
            ibc_channel_close,
            ibc_packet_receive,
            ibc_packet_ack,
            ibc_packet_timeout,
        )
        .with_source_callback(ibc_source_callback)
        .with_destination_callback(ibc_destination_callback)
}
