//! ICS-20 on the relayer's side: receiving a transfer (unescrow or mint a voucher), the
//! refund on an error ack or a timeout, and the ADR-8 callbacks.

use crate::chain::{Chain, SimCustom};
use crate::contract::IbcEntry;
use crate::error::{SimError, SimResult};
use crate::events::IbcEvent;
use crate::store::DENOM_TRACES;
use crate::transfer::{
    error_ack, escrow_address, is_error_ack, local_denom, parse_callback_memo, returning_prefix,
    voucher_denom, FungibleTokenPacketData, ICS20_SUCCESS_ACK,
};
use cosmwasm_std::{
    Addr, Api, BankMsg, Binary, Coin, CosmosMsg, IbcAckCallbackMsg, IbcAcknowledgement,
    IbcDestinationCallbackMsg, IbcPacket, IbcSourceCallbackMsg, IbcTimeoutCallbackMsg,
    IbcTransferCallback, Uint256,
};
use cw_multi_test::{BankSudo, Executor};
use std::str::FromStr;

fn parse_data(packet: &IbcPacket) -> Result<(FungibleTokenPacketData, Uint256), String> {
    let data: FungibleTokenPacketData = serde_json::from_slice(packet.data.as_slice())
        .map_err(|e| format!("cannot unmarshal ICS-20 transfer packet data: {e}"))?;
    let amount = Uint256::from_str(&data.amount)
        .map_err(|e| format!("invalid transfer amount {:?}: {e}", data.amount))?;
    if amount.is_zero() {
        return Err("transfer amount must be positive".to_string());
    }
    Ok((data, amount))
}

/// The local coin a received packet pays out, and whether it comes out of escrow.
fn received_coin(
    packet: &IbcPacket,
    data: &FungibleTokenPacketData,
    amount: Uint256,
) -> (Coin, Option<String>) {
    let prefix = returning_prefix(&packet.src.port_id, &packet.src.channel_id);
    match data.denom.strip_prefix(&prefix) {
        // the token comes home: it was escrowed here when it left
        Some(unprefixed) => (Coin::new(amount, local_denom(unprefixed)), None),
        None => {
            let trace = format!(
                "{}/{}/{}",
                packet.dest.port_id, packet.dest.channel_id, data.denom
            );
            (Coin::new(amount, voucher_denom(&trace)), Some(trace))
        }
    }
}

/// Receives a transfer on `chain` and returns the acknowledgement (an error ack leaves no
/// state behind).
pub(crate) fn receive<CustomT: SimCustom>(
    chain: &mut Chain<CustomT>,
    packet: &IbcPacket,
) -> SimResult<Binary> {
    let (data, amount) = match parse_data(packet) {
        Ok(parsed) => parsed,
        Err(error) => return Ok(error_ack(&error).into()),
    };
    let receiver = match chain.app().api().addr_validate(&data.receiver) {
        Ok(addr) => addr,
        Err(e) => {
            return Ok(error_ack(&format!(
                "invalid receiver {:?}: {}",
                data.receiver,
                crate::error::error_text(&e)
            ))
            .into())
        }
    };
    let (coin, new_trace) = received_coin(packet, &data, amount);
    let result = match &new_trace {
        None => {
            let escrow = escrow_address(
                chain.app().api(),
                &packet.dest.port_id,
                &packet.dest.channel_id,
            )?;
            let send: CosmosMsg<CustomT::ExecT> = BankMsg::Send {
                to_address: receiver.to_string(),
                amount: vec![coin],
            }
            .into();
            chain.app_mut().execute(escrow, send).map(|_| ())
        }
        Some(_) => chain
            .app_mut()
            .sudo(
                BankSudo::Mint {
                    to_address: receiver.to_string(),
                    amount: vec![coin.clone()],
                }
                .into(),
            )
            .map(|_| ()),
    };
    if let Err(e) = result {
        return Ok(error_ack(&crate::error::error_text(&e)).into());
    }
    if let Some(trace) = new_trace {
        let denom = voucher_denom(&trace);
        DENOM_TRACES.save(chain.app_mut().storage_mut(), &denom, &trace)?;
    }
    Ok(Binary::from(ICS20_SUCCESS_ACK))
}

/// Calls the contract named by the memo's `dest_callback` after a successful receive.
pub(crate) fn destination_callback<CustomT: SimCustom>(
    chain: &mut Chain<CustomT>,
    packet: &IbcPacket,
    ack: &Binary,
) -> SimResult<()> {
    let Ok((data, amount)) = parse_data(packet) else {
        return Ok(());
    };
    let Some(callback) = parse_callback_memo(&data.memo).dest_callback else {
        return Ok(());
    };
    let contract = match chain.app().api().addr_validate(&callback.address) {
        Ok(addr) => addr,
        Err(e) => {
            return callback_failed(
                chain,
                &callback.address,
                "ibc_destination_callback",
                &crate::error::error_text(&e),
            )
        }
    };
    let (coin, _) = received_coin(packet, &data, amount);
    let msg = IbcDestinationCallbackMsg {
        packet: packet.clone(),
        ack: IbcAcknowledgement::new(ack.clone()),
        transfer: Some(IbcTransferCallback {
            sender: data.sender.clone(),
            receiver: Addr::unchecked(data.receiver.clone()),
            funds: vec![coin],
        }),
    };
    call_callback(chain, &contract, IbcEntry::DestinationCallback(msg))
}

/// Refunds the sender on an error ack or a timeout (`ack` is `None`), then calls the
/// memo's `src_callback` (which wasmd only honours when it names the sender).
pub(crate) fn on_ack_or_timeout<CustomT: SimCustom>(
    chain: &mut Chain<CustomT>,
    packet: &IbcPacket,
    ack: Option<&Binary>,
) -> SimResult<()> {
    let Ok((data, amount)) = parse_data(packet) else {
        return Ok(());
    };
    let refund = ack.map(|a| is_error_ack(a)).unwrap_or(true);
    if refund {
        let sender = Addr::unchecked(data.sender.clone());
        let burned = data.denom.starts_with(&returning_prefix(
            &packet.src.port_id,
            &packet.src.channel_id,
        ));
        let result = if burned {
            chain.app_mut().sudo(
                BankSudo::Mint {
                    to_address: sender.to_string(),
                    amount: vec![Coin::new(amount, voucher_denom(&data.denom))],
                }
                .into(),
            )
        } else {
            let escrow = escrow_address(
                chain.app().api(),
                &packet.src.port_id,
                &packet.src.channel_id,
            )?;
            let send: CosmosMsg<CustomT::ExecT> = BankMsg::Send {
                to_address: sender.to_string(),
                amount: vec![Coin::new(amount, local_denom(&data.denom))],
            }
            .into();
            chain.app_mut().execute(escrow, send)
        };
        result.map_err(|e| SimError::contract(chain.chain_id(), &e))?;
    }
    let Some(callback) = parse_callback_memo(&data.memo).src_callback else {
        return Ok(());
    };
    if callback.address.as_str() != data.sender {
        return callback_failed(
            chain,
            callback.address.as_str(),
            "ibc_source_callback",
            "source callback address must be the packet's sender",
        );
    }
    let relayer = chain.relayer();
    let msg = match ack {
        Some(ack) => IbcSourceCallbackMsg::Acknowledgement(IbcAckCallbackMsg::new(
            IbcAcknowledgement::new(ack.clone()),
            packet.clone(),
            relayer,
        )),
        None => IbcSourceCallbackMsg::Timeout(IbcTimeoutCallbackMsg::new(packet.clone(), relayer)),
    };
    call_callback(chain, &callback.address, IbcEntry::SourceCallback(msg))
}

fn call_callback<CustomT: SimCustom>(
    chain: &mut Chain<CustomT>,
    contract: &Addr,
    entry: IbcEntry,
) -> SimResult<()> {
    let name = entry.name();
    if chain.app().contract_data(contract).is_err() {
        return callback_failed(
            chain,
            contract.as_str(),
            name,
            "no contract at this address",
        );
    }
    match chain.call_contract(contract, entry)? {
        Ok(_) => Ok(()),
        Err(error) => callback_failed(chain, contract.as_str(), name, &error),
    }
}

fn callback_failed<CustomT: SimCustom>(
    chain: &mut Chain<CustomT>,
    contract: &str,
    entrypoint: &str,
    error: &str,
) -> SimResult<()> {
    let at = chain.stamp();
    chain.log().push(IbcEvent::CallbackFailed {
        at,
        contract: contract.to_string(),
        entrypoint: entrypoint.to_string(),
        error: error.to_string(),
    });
    Ok(())
}
