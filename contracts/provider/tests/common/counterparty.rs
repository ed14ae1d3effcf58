//! A scripted, test-only counterparty: it opens a CCV channel with OpenInit like a consumer
//! would, records every packet it receives, answers with the ack it is told to, and sends
//! whatever raw bytes the test gives it (including adversarial ones).

use cosmwasm_std::{
    to_json_binary, Binary, Deps, DepsMut, Empty, Env, IbcBasicResponse, IbcChannelCloseMsg,
    IbcChannelConnectMsg, IbcChannelOpenMsg, IbcChannelOpenResponse, IbcMsg, IbcOrder,
    IbcPacketAckMsg, IbcPacketReceiveMsg, IbcPacketTimeoutMsg, IbcReceiveResponse, IbcTimeout,
    MessageInfo, Response, StdError, StdResult,
};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use cw_ics_ibc_sim::IbcContractWrapper;
use cw_storage_plus::Item;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CounterpartyExecute {
    /// Sends `data` as-is on the channel.
    Send { data: Binary, timeout_seconds: u64 },
    /// The ack returned for the next received packets (raw bytes).
    SetAck { ack: Binary },
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CounterpartyQuery {
    /// Everything received, in order.
    Received {},
    /// Acks of what it sent, in order.
    Acks {},
    State {},
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct CounterpartyState {
    pub channel_id: Option<String>,
    pub closed: bool,
    pub timeouts: u32,
}

const RECEIVED: Item<Vec<Binary>> = Item::new("received");
const ACKS: Item<Vec<Binary>> = Item::new("acks");
const STATE: Item<CounterpartyState> = Item::new("state");
const ACK: Item<Binary> = Item::new("ack");

/// `{"result":"AQ=="}`: success, 0x01.
pub const SUCCESS_ACK: &[u8] = br#"{"result":"AQ=="}"#;

fn instantiate(deps: DepsMut, _: Env, _: MessageInfo, _: Empty) -> StdResult<Response> {
    STATE.save(deps.storage, &CounterpartyState::default())?;
    ACK.save(deps.storage, &Binary::from(SUCCESS_ACK))?;
    RECEIVED.save(deps.storage, &vec![])?;
    ACKS.save(deps.storage, &vec![])?;
    Ok(Response::new())
}

fn execute(
    deps: DepsMut,
    env: Env,
    _: MessageInfo,
    msg: CounterpartyExecute,
) -> StdResult<Response> {
    match msg {
        CounterpartyExecute::Send {
            data,
            timeout_seconds,
        } => {
            let channel_id = STATE
                .load(deps.storage)?
                .channel_id
                .ok_or_else(|| StdError::msg("no channel"))?;
            Ok(Response::new().add_message(IbcMsg::SendPacket {
                channel_id,
                data,
                timeout: IbcTimeout::with_timestamp(env.block.time.plus_seconds(timeout_seconds)),
            }))
        }
        CounterpartyExecute::SetAck { ack } => {
            ACK.save(deps.storage, &ack)?;
            Ok(Response::new())
        }
    }
}

fn query(deps: Deps, _: Env, msg: CounterpartyQuery) -> StdResult<Binary> {
    match msg {
        CounterpartyQuery::Received {} => to_json_binary(&RECEIVED.load(deps.storage)?),
        CounterpartyQuery::Acks {} => to_json_binary(&ACKS.load(deps.storage)?),
        CounterpartyQuery::State {} => to_json_binary(&STATE.load(deps.storage)?),
    }
}

fn open(_: DepsMut, _: Env, msg: IbcChannelOpenMsg) -> StdResult<IbcChannelOpenResponse> {
    match msg {
        IbcChannelOpenMsg::OpenInit { channel } if channel.order == IbcOrder::Ordered => {
            Ok(Some(cosmwasm_std::Ibc3ChannelOpenResponse {
                version: "1".to_string(),
            }))
        }
        _ => Err(StdError::msg(
            "the scripted consumer only opens ordered channels itself",
        )),
    }
}

fn connect(deps: DepsMut, _: Env, msg: IbcChannelConnectMsg) -> StdResult<IbcBasicResponse> {
    let channel_id = msg.channel().endpoint.channel_id.clone();
    STATE.update(deps.storage, |mut state| -> StdResult<_> {
        state.channel_id = Some(channel_id);
        Ok(state)
    })?;
    Ok(IbcBasicResponse::new())
}

fn close(deps: DepsMut, _: Env, _: IbcChannelCloseMsg) -> StdResult<IbcBasicResponse> {
    STATE.update(deps.storage, |mut state| -> StdResult<_> {
        state.closed = true;
        Ok(state)
    })?;
    Ok(IbcBasicResponse::new())
}

fn receive(deps: DepsMut, _: Env, msg: IbcPacketReceiveMsg) -> StdResult<IbcReceiveResponse> {
    let mut received = RECEIVED.load(deps.storage)?;
    received.push(msg.packet.data);
    RECEIVED.save(deps.storage, &received)?;
    Ok(IbcReceiveResponse::new(ACK.load(deps.storage)?))
}

fn ack(deps: DepsMut, _: Env, msg: IbcPacketAckMsg) -> StdResult<IbcBasicResponse> {
    let mut acks = ACKS.load(deps.storage)?;
    acks.push(msg.acknowledgement.data);
    ACKS.save(deps.storage, &acks)?;
    Ok(IbcBasicResponse::new())
}

fn timeout(deps: DepsMut, _: Env, _: IbcPacketTimeoutMsg) -> StdResult<IbcBasicResponse> {
    STATE.update(deps.storage, |mut state| -> StdResult<_> {
        state.timeouts += 1;
        Ok(state)
    })?;
    Ok(IbcBasicResponse::new())
}

pub fn contract() -> Box<IbcContractWrapper<ChainMsg, ChainQuery>> {
    Box::new(
        IbcContractWrapper::new(execute, instantiate, query)
            .with_ibc(open, connect, close, receive, ack, timeout)
            .into_custom(),
    )
}
