//! The IBC module plugged into every simulated chain's cw-multi-test `App`: it turns the
//! `IbcMsg`s contracts emit into host state (commitments, acks, closed channels) and answers
//! `IbcQuery::Channel`. The relayer picks the results up from that state.

use crate::contract::{contract_port, envelope, IbcEntry};
use crate::store::{
    commit_packet, encode_sequence_response, load_channel, push_outbox, ChannelState, OutboxEntry,
    ACKS, CHANNELS, RECEIPTS, RECEIVED,
};
use crate::transfer::send_transfer;
use cosmwasm_std::{
    to_json_binary, Addr, Api, Binary, BlockInfo, ChannelResponse, CustomMsg, CustomQuery, Empty,
    Event, IbcChannelCloseMsg, IbcMsg, IbcQuery, Querier, StdError, StdResult, Storage,
};
use cw_multi_test::{AppResponse, CosmosRouter, Ibc, Module, SudoMsg, WasmSudo};
use serde::de::DeserializeOwned;

/// The simulator's IBC module (stateless: its state lives in the chain's storage).
#[derive(Default, Clone, Copy, Debug)]
pub struct SimIbcModule;

impl Ibc for SimIbcModule {}

impl Module for SimIbcModule {
    type ExecT = IbcMsg;
    type QueryT = IbcQuery;
    type SudoT = Empty;

    fn execute<ExecC, QueryC>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
        block: &BlockInfo,
        sender: Addr,
        msg: IbcMsg,
    ) -> StdResult<AppResponse>
    where
        ExecC: CustomMsg + DeserializeOwned + 'static,
        QueryC: CustomQuery + DeserializeOwned + 'static,
    {
        match msg {
            IbcMsg::SendPacket {
                channel_id,
                data,
                timeout,
            } => {
                let port_id = contract_port(&sender);
                let packet = commit_packet(storage, block, &port_id, &channel_id, data, timeout)?;
                Ok(AppResponse {
                    events: vec![Event::new("send_packet")
                        .add_attribute("packet_src_port", &port_id)
                        .add_attribute("packet_src_channel", &channel_id)
                        .add_attribute("packet_sequence", packet.sequence.to_string())],
                    data: Some(encode_sequence_response(packet.sequence)),
                })
            }
            IbcMsg::WriteAcknowledgement {
                channel_id,
                packet_sequence,
                ack,
            } => write_async_ack(
                storage,
                block,
                &contract_port(&sender),
                &channel_id,
                packet_sequence,
                ack.data,
            ),
            IbcMsg::CloseChannel { channel_id } => {
                close_init(api, storage, router, block, sender, &channel_id)
            }
            IbcMsg::Transfer {
                channel_id,
                to_address,
                amount,
                timeout,
                memo,
            } => send_transfer(
                api, storage, router, block, sender, channel_id, to_address, amount, timeout, memo,
            ),
            other => Err(StdError::msg(format!(
                "IBC message not supported by the simulator: {other:?}"
            ))),
        }
    }

    fn query(
        &self,
        _api: &dyn Api,
        storage: &dyn Storage,
        _querier: &dyn Querier,
        _block: &BlockInfo,
        request: IbcQuery,
    ) -> StdResult<Binary> {
        match request {
            IbcQuery::Channel {
                channel_id,
                port_id: Some(port_id),
            } => {
                // wasmd answers for OPEN and CLOSED channels only
                let channel = load_channel(storage, &port_id, &channel_id)?
                    .filter(|c| matches!(c.state, ChannelState::Open | ChannelState::Closed))
                    .map(|c| c.to_ibc_channel());
                to_json_binary(&ChannelResponse::new(channel))
            }
            other => Err(StdError::msg(format!(
                "IBC query {other:?} needs the calling contract's port; only contracts \
                 registered through IbcContractWrapper can ask it"
            ))),
        }
    }

    fn sudo<ExecC, QueryC>(
        &self,
        _api: &dyn Api,
        _storage: &mut dyn Storage,
        _router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
        _block: &BlockInfo,
        _msg: Empty,
    ) -> StdResult<AppResponse>
    where
        ExecC: CustomMsg + DeserializeOwned + 'static,
        QueryC: CustomQuery + DeserializeOwned + 'static,
    {
        Err(StdError::msg("the IBC module has no sudo"))
    }
}

/// `IbcMsg::WriteAcknowledgement`: the ack of a packet received earlier without one.
pub(crate) fn write_async_ack(
    storage: &mut dyn Storage,
    block: &BlockInfo,
    port_id: &str,
    channel_id: &str,
    sequence: u64,
    ack: Binary,
) -> StdResult<AppResponse> {
    let key = (port_id, channel_id, sequence);
    let mut receipt = RECEIPTS.may_load(storage, key)?.ok_or_else(|| {
        StdError::msg(format!(
            "packet {sequence} on {port_id}/{channel_id} was never received"
        ))
    })?;
    if !receipt.ack_pending || ACKS.has(storage, key) {
        return Err(StdError::msg(format!(
            "packet {sequence} on {port_id}/{channel_id} is already acknowledged"
        )));
    }
    if ack.is_empty() {
        return Err(StdError::msg("acknowledgement must not be empty"));
    }
    let packet = RECEIVED
        .may_load(storage, key)?
        .ok_or_else(|| StdError::msg("received packet not recorded"))?;
    receipt.ack_pending = false;
    RECEIPTS.save(storage, key, &receipt)?;
    ACKS.save(storage, key, &ack)?;
    RECEIVED.remove(storage, key);
    push_outbox(
        storage,
        OutboxEntry::AckWritten {
            packet,
            ack: ack.clone(),
            height: block.height,
            time: block.time,
        },
    )?;
    Ok(AppResponse {
        events: vec![Event::new("write_acknowledgement")
            .add_attribute("packet_dst_port", port_id)
            .add_attribute("packet_dst_channel", channel_id)
            .add_attribute("packet_sequence", sequence.to_string())],
        data: None,
    })
}

/// `IbcMsg::CloseChannel`: ChanCloseInit, which asks the contract's own
/// `ibc_channel_close(CloseInit)` first (it may refuse) and then closes our end.
fn close_init<ExecC, QueryC>(
    api: &dyn Api,
    storage: &mut dyn Storage,
    router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
    block: &BlockInfo,
    sender: Addr,
    channel_id: &str,
) -> StdResult<AppResponse>
where
    ExecC: CustomMsg + DeserializeOwned + 'static,
    QueryC: CustomQuery + DeserializeOwned + 'static,
{
    let port_id = contract_port(&sender);
    let mut channel = load_channel(storage, &port_id, channel_id)?
        .ok_or_else(|| StdError::msg(format!("channel {port_id}/{channel_id} not found")))?;
    if channel.state == ChannelState::Closed {
        return Err(StdError::msg(format!(
            "channel {port_id}/{channel_id} is already closed"
        )));
    }
    let message = envelope(IbcEntry::ChannelClose(IbcChannelCloseMsg::new_init(
        channel.to_ibc_channel(),
    )))?;
    let mut response = router.sudo(
        api,
        storage,
        block,
        SudoMsg::Wasm(WasmSudo {
            contract_addr: sender,
            message,
        }),
    )?;
    channel.state = ChannelState::Closed;
    CHANNELS.save(storage, (&port_id, channel_id), &channel)?;
    push_outbox(
        storage,
        OutboxEntry::CloseInit {
            port_id: port_id.clone(),
            channel_id: channel_id.to_string(),
            height: block.height,
            time: block.time,
        },
    )?;
    response.events.push(
        Event::new("channel_close_init")
            .add_attribute("port_id", port_id)
            .add_attribute("channel_id", channel_id),
    );
    response.data = None;
    Ok(response)
}
