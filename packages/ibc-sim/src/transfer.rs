//! ICS-20 fungible token transfer: packet data, denom traces, escrow addresses, and the
//! sending half (run inside the chain's IBC module). The receiving, acknowledging and
//! timeout halves run in the coordinator (`relay.rs`), since the relayer drives them.

use crate::store::{commit_packet, encode_sequence_response, DENOM_TRACES};
use cosmwasm_std::{
    Addr, Api, BankMsg, BlockInfo, CanonicalAddr, Coin, CosmosMsg, CustomMsg, CustomQuery, Event,
    IbcDstCallback, IbcSrcCallback, IbcTimeout, StdError, StdResult, Storage,
};
use cw_multi_test::{AppResponse, CosmosRouter};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The port ICS-20 is bound to on every simulated chain.
pub const TRANSFER_PORT: &str = "transfer";
/// The only ICS-20 version the simulator negotiates.
pub const ICS20_VERSION: &str = "ics20-1";
/// ICS-20 success acknowledgement (`{"result":"AQ=="}`, i.e. the byte 0x01).
pub const ICS20_SUCCESS_ACK: &[u8] = br#"{"result":"AQ=="}"#;

/// ICS-20 v1 packet data, with ibc-go's JSON field order (alphabetical) and an omitted
/// empty memo.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FungibleTokenPacketData {
    pub amount: String,
    pub denom: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub memo: String,
    pub receiver: String,
    pub sender: String,
}

/// The ADR-8 callback part of an ICS-20 memo (other memo keys are ignored).
#[derive(Deserialize, Clone, Debug, Default)]
pub(crate) struct CallbackMemo {
    #[serde(default)]
    pub src_callback: Option<IbcSrcCallback>,
    #[serde(default)]
    pub dest_callback: Option<IbcDstCallback>,
}

pub(crate) fn parse_callback_memo(memo: &str) -> CallbackMemo {
    if memo.is_empty() {
        return CallbackMemo::default();
    }
    serde_json::from_str(memo).unwrap_or_default()
}

/// An ibc-go error acknowledgement.
pub fn error_ack(text: &str) -> Vec<u8> {
    serde_json::json!({ "error": text })
        .to_string()
        .into_bytes()
}

/// Whether an acknowledgement is an ibc-go error envelope.
pub fn is_error_ack(ack: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(ack)
        .ok()
        .and_then(|v| v.get("error").cloned())
        .is_some()
}

/// `ibc/<SHA-256 of the trace, upper-case hex>` as ibc-go names a voucher.
pub fn voucher_denom(full_trace: &str) -> String {
    let digest = Sha256::digest(full_trace.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02X}")).collect();
    format!("ibc/{hex}")
}

/// The local denom for a trace path (`transfer/channel-0/uatom` → `ibc/…`, `uatom` → `uatom`).
pub fn local_denom(full_trace: &str) -> String {
    if full_trace.contains('/') {
        voucher_denom(full_trace)
    } else {
        full_trace.to_string()
    }
}

/// ibc-go's escrow account of a transfer channel: the first 20 bytes of
/// SHA-256("ics20-1" ‖ 0x00 ‖ "`port`/`channel`").
pub fn escrow_address(api: &dyn Api, port_id: &str, channel_id: &str) -> StdResult<Addr> {
    let mut hasher = Sha256::new();
    hasher.update(ICS20_VERSION.as_bytes());
    hasher.update([0u8]);
    hasher.update(format!("{port_id}/{channel_id}").as_bytes());
    let digest = hasher.finalize();
    api.addr_humanize(&CanonicalAddr::from(&digest[..20]))
}

/// The full trace path of a local denom: vouchers are looked up, native denoms are themselves.
pub(crate) fn trace_of(storage: &dyn Storage, denom: &str) -> StdResult<String> {
    if denom.starts_with("ibc/") {
        DENOM_TRACES
            .may_load(storage, denom)?
            .ok_or_else(|| StdError::msg(format!("unknown denom trace for {denom}")))
    } else {
        Ok(denom.to_string())
    }
}

/// The trace a token comes back with when it returns over the channel it left by.
pub(crate) fn returning_prefix(port_id: &str, channel_id: &str) -> String {
    format!("{port_id}/{channel_id}/")
}

/// Sends an ICS-20 transfer: escrows native tokens (or burns vouchers going home) and
/// commits the packet on the `transfer` port.
#[allow(clippy::too_many_arguments)]
pub(crate) fn send_transfer<ExecC, QueryC>(
    api: &dyn Api,
    storage: &mut dyn Storage,
    router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
    block: &BlockInfo,
    sender: Addr,
    channel_id: String,
    to_address: String,
    amount: Coin,
    timeout: IbcTimeout,
    memo: Option<String>,
) -> StdResult<AppResponse>
where
    ExecC: CustomMsg,
    QueryC: CustomQuery,
{
    if amount.amount.is_zero() {
        return Err(StdError::msg("cannot transfer a zero amount"));
    }
    if to_address.trim().is_empty() {
        return Err(StdError::msg("transfer receiver must not be empty"));
    }
    let trace = trace_of(storage, &amount.denom)?;
    let coins = vec![amount.clone()];
    let mut events = vec![];
    if trace.starts_with(&returning_prefix(TRANSFER_PORT, &channel_id)) {
        let burn: CosmosMsg<ExecC> = BankMsg::Burn { amount: coins }.into();
        events.extend(
            router
                .execute(api, storage, block, sender.clone(), burn)?
                .events,
        );
    } else {
        let escrow = escrow_address(api, TRANSFER_PORT, &channel_id)?;
        let send: CosmosMsg<ExecC> = BankMsg::Send {
            to_address: escrow.to_string(),
            amount: coins,
        }
        .into();
        events.extend(
            router
                .execute(api, storage, block, sender.clone(), send)?
                .events,
        );
    }
    let data = FungibleTokenPacketData {
        amount: amount.amount.to_string(),
        denom: trace,
        memo: memo.unwrap_or_default(),
        receiver: to_address,
        sender: sender.to_string(),
    };
    let packet = commit_packet(
        storage,
        block,
        TRANSFER_PORT,
        &channel_id,
        serde_json::to_vec(&data)
            .map_err(|e| StdError::msg(e.to_string()))?
            .into(),
        timeout,
    )?;
    events.push(
        Event::new("ibc_transfer")
            .add_attribute("sender", sender.as_str())
            .add_attribute("receiver", &data.receiver)
            .add_attribute("amount", &data.amount)
            .add_attribute("denom", &data.denom)
            .add_attribute("packet_src_channel", &channel_id)
            .add_attribute("packet_sequence", packet.sequence.to_string()),
    );
    Ok(AppResponse {
        events,
        data: Some(encode_sequence_response(packet.sequence)),
    })
}
