//! What became of a transmission: the ADR-8 source callback (acknowledged, refused, timed
//! out) and the reply of a submessage this chain refused. Neither moves funds: the ICS-20
//! module has already refunded a refused or timed-out transfer into the pool. They record the
//! outcome on the denom's last transmission, count a refunded amount as owed to the provider
//! (so the next transmission sends it whole), and emit an event.

use cosmwasm_std::{
    from_json, DepsMut, Env, Event, IbcBasicResponse, IbcPacket, IbcSourceCallbackMsg, Reply,
    Response, StdError, Storage, SubMsgResult, Uint256,
};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use serde::Deserialize;

use super::transmission::{outcome_name, voucher_denom, REPLY_PAYMENT, REPLY_TRANSFER};
use crate::error::ContractError;
use crate::state::{TransmissionOutcome, OWED_TO_PROVIDER, REWARD_CONFIG, TRANSMISSIONS};

/// An error text kept in the store is cut to this many bytes (the provider chain writes it).
const MAX_ERROR_BYTES: usize = 256;

/// The fields of ICS-20 v1 packet data this contract reads (others are ignored).
#[derive(Deserialize)]
struct FungibleTokenPacketData {
    amount: String,
    denom: String,
    sender: String,
}

/// ibc-go's acknowledgement envelope: an error has `error`, a success `result`.
#[derive(Deserialize)]
struct AckEnvelope {
    #[serde(default)]
    error: Option<String>,
}

/// The chain calls this for a transfer this contract sent with a `src_callback` naming it.
pub fn source_callback(
    deps: DepsMut<ChainQuery>,
    env: Env,
    msg: IbcSourceCallbackMsg,
) -> Result<IbcBasicResponse<ChainMsg>, ContractError> {
    let (packet, outcome) = match &msg {
        IbcSourceCallbackMsg::Acknowledgement(ack) => {
            let sequence = ack.original_packet.sequence;
            let outcome = match from_json::<AckEnvelope>(&ack.acknowledgement.data)
                .ok()
                .and_then(|envelope| envelope.error)
            {
                Some(error) => TransmissionOutcome::Refused {
                    sequence,
                    error: truncated(error),
                },
                None => TransmissionOutcome::Acknowledged { sequence },
            };
            (&ack.original_packet, outcome)
        }
        IbcSourceCallbackMsg::Timeout(timeout) => (
            &timeout.packet,
            TransmissionOutcome::TimedOut {
                sequence: timeout.packet.sequence,
            },
        ),
    };
    let data: FungibleTokenPacketData =
        from_json(&packet.data).map_err(|err| ContractError::NotOurTransfer(err.to_string()))?;
    if data.sender != env.contract.address.as_str() {
        return Err(ContractError::NotOurTransfer(format!(
            "sent by {}",
            data.sender
        )));
    }
    let denom = reward_denom_of(deps.as_ref().storage, &data.denom)?;
    let refunded = !matches!(outcome, TransmissionOutcome::Acknowledged { .. });
    let recorded = match &denom {
        Some(denom) => {
            if refunded {
                let amount = data
                    .amount
                    .parse::<Uint256>()
                    .map_err(|err| ContractError::NotOurTransfer(err.to_string()))?;
                owe_provider(deps.storage, denom, amount)?;
            }
            record_outcome(deps, denom, packet, &data.amount, &outcome)?
        }
        None => false,
    };
    let mut event = Event::new("rewards_transfer_outcome")
        .add_attribute("denom", denom.unwrap_or(data.denom))
        .add_attribute("amount", &data.amount)
        .add_attribute("sequence", packet.sequence.to_string())
        .add_attribute("outcome", outcome_name(&outcome))
        .add_attribute("refunded", refunded.to_string())
        .add_attribute("recorded", recorded.to_string());
    if let TransmissionOutcome::Refused { error, .. } = &outcome {
        event = event.add_attribute("error", error);
    }
    Ok(IbcBasicResponse::new().add_event(event))
}

/// The configured reward denom a packet's ICS-20 denom is: the same native denom, or the
/// `ibc/…` voucher of its trace.
fn reward_denom_of(
    storage: &dyn cosmwasm_std::Storage,
    packet_denom: &str,
) -> Result<Option<String>, ContractError> {
    let Some(config) = REWARD_CONFIG.may_load(storage)? else {
        return Ok(None);
    };
    if config.reward_denoms.iter().any(|d| d == packet_denom) {
        return Ok(Some(packet_denom.to_string()));
    }
    if !config.reward_denoms.iter().any(|d| d.starts_with("ibc/")) {
        return Ok(None);
    }
    let voucher = voucher_denom(packet_denom);
    Ok(config.reward_denoms.into_iter().find(|d| *d == voucher))
}

/// Records the outcome when the packet is the denom's last transmission (same amount and
/// timeout, still in flight); a late callback of an older transmission changes nothing.
fn record_outcome(
    deps: DepsMut<ChainQuery>,
    denom: &str,
    packet: &IbcPacket,
    amount: &str,
    outcome: &TransmissionOutcome,
) -> Result<bool, ContractError> {
    let Some(mut record) = TRANSMISSIONS.may_load(deps.storage, denom)? else {
        return Ok(false);
    };
    let current = record.outcome == TransmissionOutcome::InFlight {}
        // The packet's decimal amount, compared as text: no parsing needed.
        && record.to_provider.to_string() == amount
        && packet.timeout.timestamp() == Some(record.timeout);
    if current {
        record.outcome = outcome.clone();
        TRANSMISSIONS.save(deps.storage, denom, &record)?;
    }
    Ok(current)
}

/// A transmission's submessage that this chain refused (replies are asked on error only).
/// Whatever it carried is still in the pool.
pub fn reply(
    deps: DepsMut<ChainQuery>,
    env: Env,
    msg: Reply,
) -> Result<Response<ChainMsg>, ContractError> {
    let SubMsgResult::Err(error) = msg.result else {
        return Ok(Response::new());
    };
    let denom = String::from_utf8(msg.payload.to_vec())
        .map_err(|_| StdError::msg("a reply payload that is not a denom"))?;
    let error = truncated(error);
    match msg.id {
        REPLY_PAYMENT => Ok(Response::new().add_event(
            Event::new("rewards_payment_failed")
                .add_attribute("denom", denom)
                .add_attribute("error", error),
        )),
        REPLY_TRANSFER => {
            if let Some(mut record) = TRANSMISSIONS.may_load(deps.storage, &denom)? {
                if record.height == env.block.height
                    && record.outcome == (TransmissionOutcome::InFlight {})
                {
                    record.outcome = TransmissionOutcome::NotSent {
                        error: error.clone(),
                    };
                    TRANSMISSIONS.save(deps.storage, &denom, &record)?;
                    owe_provider(deps.storage, &denom, record.to_provider)?;
                }
            }
            Ok(Response::new().add_event(
                Event::new("rewards_transfer_not_sent")
                    .add_attribute("denom", denom)
                    .add_attribute("error", error),
            ))
        }
        other => Err(ContractError::UnknownReply(other)),
    }
}

/// Adds a refunded amount to what the pool owes the provider in `denom`.
fn owe_provider(
    storage: &mut dyn Storage,
    denom: &str,
    amount: Uint256,
) -> Result<(), ContractError> {
    let owed = OWED_TO_PROVIDER
        .may_load(storage, denom)?
        .unwrap_or_default()
        .checked_add(amount)
        .map_err(|_| ContractError::Overflow)?;
    OWED_TO_PROVIDER.save(storage, denom, &owed)?;
    Ok(())
}

/// At most [`MAX_ERROR_BYTES`], cut at a character boundary.
fn truncated(mut text: String) -> String {
    if text.len() > MAX_ERROR_BYTES {
        let mut end = MAX_ERROR_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}
