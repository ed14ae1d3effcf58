//! The transmission: every `blocks_per_distribution_transmission` blocks, each reward denom's
//! balance is split between the consumer chain (a bank send to the redistribution address)
//! and the provider (an ICS-20 transfer to the provider contract).
//!
//! Both go out as submessages that reply only on error, so that a send this chain refuses
//! (a closed channel, a blocked address) is recorded instead of failing the block hook that
//! transmits; the amount then stays in the pool. ICS does the same with a cached context
//! whose failure is logged and dropped.

use cosmwasm_std::{
    to_json_string, Addr, BankMsg, Coin, Decimal, DepsMut, Env, Event, IbcDstCallback, IbcMsg,
    IbcSrcCallback, IbcTimeout, StdResult, SubMsg, Uint256,
};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{ICS_REWARDS_MEMO, MAX_REWARD_DENOMS};
use crate::error::ContractError;
use crate::state::{
    Transmission, TransmissionOutcome, HALT, NEXT_TRANSMISSION, OWED_TO_PROVIDER, REWARD_CONFIG,
    TRANSMISSIONS,
};
use crate::time::after;

/// Reply ids of the transmission's submessages (their payload is the denom).
pub const REPLY_PAYMENT: u64 = 1;
pub const REPLY_TRANSFER: u64 = 2;

/// What a due transmission sends and reports.
#[derive(Default)]
pub struct Transmitted {
    pub messages: Vec<SubMsg<ChainMsg>>,
    pub events: Vec<Event>,
}

/// Transmits if rewards are configured and the next transmission is due (one storage read
/// otherwise). A halted consumer still pays the consumer chain's part and keeps the
/// provider's in the pool: its channel to the provider is gone for good.
pub fn transmit_if_due(deps: DepsMut<ChainQuery>, env: &Env) -> Result<Transmitted, ContractError> {
    let mut out = Transmitted::default();
    let Some(due) = NEXT_TRANSMISSION.may_load(deps.storage)? else {
        return Ok(out);
    };
    if env.block.height < due {
        return Ok(out);
    }
    let config = REWARD_CONFIG.load(deps.storage)?;
    let halted = HALT.may_load(deps.storage)?.is_some();
    let timeout = after(env.block.time, config.transfer_timeout_seconds)?;
    let memo = transfer_memo(
        config.consumer_id,
        &env.block.chain_id,
        &config.provider_address,
        &env.contract.address,
    )?;
    let next = env
        .block
        .height
        .checked_add(config.blocks_per_distribution_transmission)
        .ok_or(ContractError::Overflow)?;
    for denom in config.reward_denoms.iter().take(MAX_REWARD_DENOMS) {
        let balance = deps
            .querier
            .query_balance(&env.contract.address, denom)?
            .amount;
        if balance.is_zero() {
            continue;
        }
        // A refunded transfer is the provider's already: it is not split a second time.
        let owed = OWED_TO_PROVIDER
            .may_load(deps.storage, denom)?
            .unwrap_or_default()
            .min(balance);
        let splittable = balance
            .checked_sub(owed)
            .map_err(|_| ContractError::Overflow)?;
        let (to_consumer, share) = split(splittable, config.consumer_redistribution_fraction)?;
        let to_provider = share
            .checked_add(owed)
            .map_err(|_| ContractError::Overflow)?;
        // Sent now, or (halted, for good) left to the consumer chain at later transmissions.
        OWED_TO_PROVIDER.remove(deps.storage, denom);
        if !to_consumer.is_zero() {
            let pay = BankMsg::Send {
                to_address: config.redistribution_address.to_string(),
                amount: vec![Coin::new(to_consumer, denom)],
            };
            out.messages
                .push(SubMsg::reply_on_error(pay, REPLY_PAYMENT).with_payload(denom.as_bytes()));
        }
        let outcome = if to_provider.is_zero() {
            TransmissionOutcome::NothingForProvider {}
        } else if halted {
            TransmissionOutcome::Withheld {}
        } else {
            let transfer = IbcMsg::Transfer {
                channel_id: config.transfer_channel_id.clone(),
                to_address: config.provider_address.clone(),
                amount: Coin::new(to_provider, denom),
                timeout: IbcTimeout::with_timestamp(timeout),
                memo: Some(memo.clone()),
            };
            out.messages.push(
                SubMsg::reply_on_error(transfer, REPLY_TRANSFER).with_payload(denom.as_bytes()),
            );
            TransmissionOutcome::InFlight {}
        };
        out.events.push(
            Event::new("rewards_transmission")
                .add_attribute("denom", denom)
                .add_attribute("to_consumer", to_consumer.to_string())
                .add_attribute("to_provider", to_provider.to_string())
                .add_attribute("outcome", outcome_name(&outcome))
                .add_attribute("channel_id", &config.transfer_channel_id)
                .add_attribute("timeout", timeout.nanos().to_string()),
        );
        let record = Transmission {
            height: env.block.height,
            to_consumer,
            to_provider,
            timeout,
            outcome,
        };
        TRANSMISSIONS.save(deps.storage, denom, &record)?;
    }
    NEXT_TRANSMISSION.save(deps.storage, &next)?;
    out.events.push(
        Event::new("rewards_round")
            .add_attribute("height", env.block.height.to_string())
            .add_attribute("next_transmission_height", next.to_string())
            .add_attribute("halted", halted.to_string()),
    );
    Ok(out)
}

/// `(to consumer, to provider)`: the consumer chain's part is rounded down, so the provider
/// gets the remainder and the two always add up to `amount`.
pub fn split(amount: Uint256, fraction: Decimal) -> Result<(Uint256, Uint256), ContractError> {
    let to_consumer = amount
        .checked_mul_floor(fraction)
        .map_err(|_| ContractError::Overflow)?;
    let to_provider = amount
        .checked_sub(to_consumer)
        .map_err(|_| ContractError::Overflow)?;
    Ok((to_consumer, to_provider))
}

/// ICS's attribution (`ccv.CreateTransferMemo`: consumer id as a decimal string, the chain id,
/// "ICS rewards") under `provider`, and wasmd's ADR-8 callback requests in the same object.
#[derive(Serialize)]
struct TransferMemo<'a> {
    provider: RewardAttribution<'a>,
    dest_callback: IbcDstCallback,
    src_callback: IbcSrcCallback,
}

#[derive(Serialize)]
struct RewardAttribution<'a> {
    #[serde(rename = "consumerId")]
    consumer_id: String,
    #[serde(rename = "chainId")]
    chain_id: &'a str,
    memo: &'a str,
}

/// The memo of every reward transfer.
pub fn transfer_memo(
    consumer_id: u64,
    chain_id: &str,
    provider: &str,
    this_contract: &Addr,
) -> StdResult<String> {
    to_json_string(&TransferMemo {
        provider: RewardAttribution {
            consumer_id: consumer_id.to_string(),
            chain_id,
            memo: ICS_REWARDS_MEMO,
        },
        dest_callback: IbcDstCallback {
            address: provider.to_string(),
            gas_limit: None,
        },
        src_callback: IbcSrcCallback {
            address: this_contract.clone(),
            gas_limit: None,
        },
    })
}

/// ibc-go's name of the voucher whose ICS-20 trace is `trace` (`transfer/channel-0/uatom`):
/// `ibc/<SHA-256 of the trace, upper-case hex>`. A packet carries the trace, the configuration
/// the local name.
pub fn voucher_denom(trace: &str) -> String {
    let digest = Sha256::digest(trace.as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02X}")).collect();
    format!("ibc/{hex}")
}

pub(super) fn outcome_name(outcome: &TransmissionOutcome) -> &'static str {
    match outcome {
        TransmissionOutcome::InFlight {} => "in_flight",
        TransmissionOutcome::Acknowledged { .. } => "acknowledged",
        TransmissionOutcome::Refused { .. } => "refused",
        TransmissionOutcome::TimedOut { .. } => "timed_out",
        TransmissionOutcome::NotSent { .. } => "not_sent",
        TransmissionOutcome::Withheld {} => "withheld",
        TransmissionOutcome::NothingForProvider {} => "nothing_for_provider",
    }
}
