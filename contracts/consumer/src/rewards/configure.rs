//! `configure_rewards` (the chain's governance) and `deposit_rewards` (anyone).

use cosmwasm_std::{
    ChannelResponse, Coin, Decimal, Deps, DepsMut, Env, Event, IbcQuery, MessageInfo, QueryRequest,
    Response,
};
use cw_ics_bindings::{ChainMsg, ChainQuery};

use super::{
    DEFAULT_BLOCKS_PER_DISTRIBUTION_TRANSMISSION, DEFAULT_CONSUMER_REDISTRIBUTION_FRACTION,
    DEFAULT_TRANSFER_TIMEOUT_SECONDS, MAX_REWARD_DENOMS, MAX_TRANSFER_TIMEOUT_SECONDS,
    TRANSFER_PORT,
};
use crate::error::ContractError;
use crate::msg::RewardSettings;
use crate::state::{Config, RewardConfig, CONFIG, NEXT_TRANSMISSION, REWARD_CONFIG, TRANSMISSIONS};

/// Admin only. Validates everything, then replaces the configuration. The first configuration
/// schedules a transmission `blocks_per_distribution_transmission` blocks from now; a later one
/// keeps the last transmission's height and applies the new period from it (as ICS counts
/// from its `LastTransmissionBlockHeight`).
pub fn configure_rewards(
    deps: DepsMut<ChainQuery>,
    env: Env,
    info: MessageInfo,
    settings: RewardSettings,
) -> Result<Response<ChainMsg>, ContractError> {
    ensure_admin(deps.as_ref(), &env, &info)?;
    let genesis = CONFIG.load(deps.storage)?;
    let config = validate(deps.as_ref(), &genesis, settings)?;
    let previous = REWARD_CONFIG.may_load(deps.storage)?;
    let last_transmission = match (&previous, NEXT_TRANSMISSION.may_load(deps.storage)?) {
        (Some(previous), Some(next)) => {
            next.saturating_sub(previous.blocks_per_distribution_transmission)
        }
        _ => env.block.height,
    };
    let next = last_transmission
        .checked_add(config.blocks_per_distribution_transmission)
        .ok_or(ContractError::Overflow)?;

    // Records of denoms no longer configured go, so at most MAX_REWARD_DENOMS are kept.
    for denom in previous.iter().flat_map(|p| &p.reward_denoms) {
        if !config.reward_denoms.contains(denom) {
            TRANSMISSIONS.remove(deps.storage, denom);
        }
    }
    REWARD_CONFIG.save(deps.storage, &config)?;
    NEXT_TRANSMISSION.save(deps.storage, &next)?;
    Ok(Response::new().add_event(
        Event::new("rewards_configured")
            .add_attribute("consumer_id", config.consumer_id.to_string())
            .add_attribute("transfer_channel_id", &config.transfer_channel_id)
            .add_attribute("provider", &config.provider_address)
            .add_attribute(
                "blocks_per_distribution_transmission",
                config.blocks_per_distribution_transmission.to_string(),
            )
            .add_attribute(
                "consumer_redistribution_fraction",
                config.consumer_redistribution_fraction.to_string(),
            )
            .add_attribute("redistribution_address", &config.redistribution_address)
            .add_attribute(
                "transfer_timeout_seconds",
                config.transfer_timeout_seconds.to_string(),
            )
            .add_attribute("reward_denoms", config.reward_denoms.join(","))
            .add_attribute("next_transmission_height", next.to_string()),
    ))
}

/// The chain's governance is the contract's wasmd admin.
fn ensure_admin(
    deps: Deps<ChainQuery>,
    env: &Env,
    info: &MessageInfo,
) -> Result<(), ContractError> {
    let admin = deps
        .querier
        .query_wasm_contract_info(env.contract.address.as_str())?
        .admin;
    if admin.as_ref() != Some(&info.sender) {
        return Err(ContractError::NotAdmin {
            sender: info.sender.to_string(),
            admin: admin.map(String::from),
        });
    }
    Ok(())
}

fn validate(
    deps: Deps<ChainQuery>,
    genesis: &Config,
    settings: RewardSettings,
) -> Result<RewardConfig, ContractError> {
    let RewardSettings {
        consumer_id,
        transfer_channel_id,
        redistribution_address,
        reward_denoms,
        blocks_per_distribution_transmission,
        consumer_redistribution_fraction,
        transfer_timeout_seconds,
    } = settings;
    if reward_denoms.is_empty() {
        return Err(ContractError::NoRewardDenoms);
    }
    if reward_denoms.len() > MAX_REWARD_DENOMS {
        return Err(ContractError::TooManyRewardDenoms {
            max: MAX_REWARD_DENOMS,
            got: reward_denoms.len(),
        });
    }
    for (index, denom) in reward_denoms.iter().enumerate() {
        if !is_valid_denom(denom) {
            return Err(ContractError::InvalidDenom(denom.clone()));
        }
        if reward_denoms[..index].contains(denom) {
            return Err(ContractError::DuplicateRewardDenom(denom.clone()));
        }
    }
    let fraction =
        consumer_redistribution_fraction.unwrap_or(DEFAULT_CONSUMER_REDISTRIBUTION_FRACTION);
    if fraction > Decimal::one() {
        return Err(ContractError::FractionAboveOne(fraction));
    }
    let blocks = blocks_per_distribution_transmission
        .unwrap_or(DEFAULT_BLOCKS_PER_DISTRIBUTION_TRANSMISSION);
    if blocks == 0 {
        return Err(ContractError::ZeroBlocksPerTransmission);
    }
    let timeout = transfer_timeout_seconds.unwrap_or(DEFAULT_TRANSFER_TIMEOUT_SECONDS);
    if !(1..=MAX_TRANSFER_TIMEOUT_SECONDS).contains(&timeout) {
        return Err(ContractError::TransferTimeoutOutOfRange {
            got: timeout,
            min: 1,
            max: MAX_TRANSFER_TIMEOUT_SECONDS,
        });
    }
    let redistribution_address = deps.api.addr_validate(&redistribution_address)?;
    let provider_address = provider_contract(&genesis.provider_port_id)?;
    ensure_transfer_channel(deps, genesis, &transfer_channel_id)?;
    Ok(RewardConfig {
        consumer_id,
        transfer_channel_id,
        blocks_per_distribution_transmission: blocks,
        consumer_redistribution_fraction: fraction,
        redistribution_address,
        transfer_timeout_seconds: timeout,
        reward_denoms,
        provider_address,
    })
}

/// The provider contract's address, from its port `wasm.<address>` (wasmd's port naming).
/// The address is on the provider chain, so it is not checked against this chain's prefix.
fn provider_contract(provider_port_id: &str) -> Result<String, ContractError> {
    match provider_port_id.strip_prefix("wasm.") {
        Some(address) if !address.is_empty() => Ok(address.to_string()),
        _ => Err(ContractError::ProviderNotAContract(
            provider_port_id.to_string(),
        )),
    }
}

/// The transfer channel must exist on this chain's `transfer` port, lead to the counterparty's
/// `transfer` port, and run over the CCV connection: that connection's counterparty is the
/// provider chain, so the rewards cannot go to another chain (where the provider's address
/// would mean nothing), and the provider can attribute them by the channel's connection.
fn ensure_transfer_channel(
    deps: Deps<ChainQuery>,
    genesis: &Config,
    channel_id: &str,
) -> Result<(), ContractError> {
    let response: ChannelResponse = deps.querier.query(&QueryRequest::Ibc(IbcQuery::Channel {
        channel_id: channel_id.to_string(),
        port_id: Some(TRANSFER_PORT.to_string()),
    }))?;
    let channel = response
        .channel
        .ok_or_else(|| ContractError::TransferChannelNotFound(channel_id.to_string()))?;
    if channel.connection_id != genesis.connection_id {
        return Err(ContractError::TransferChannelWrongConnection {
            channel_id: channel_id.to_string(),
            expected: genesis.connection_id.clone(),
            got: channel.connection_id,
        });
    }
    if channel.counterparty_endpoint.port_id != TRANSFER_PORT {
        return Err(ContractError::TransferChannelWrongPort {
            channel_id: channel_id.to_string(),
            got: channel.counterparty_endpoint.port_id,
        });
    }
    Ok(())
}

/// The Cosmos SDK's denom syntax: `[a-zA-Z][a-zA-Z0-9/:._-]{2,127}`.
fn is_valid_denom(denom: &str) -> bool {
    let bytes = denom.as_bytes();
    (3..=128).contains(&bytes.len())
        && bytes[0].is_ascii_alphabetic()
        && bytes[1..]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"/:._-".contains(b))
}

/// Anyone may add to the pool, in reward denoms only. Nothing is written: the pool is the
/// contract's balance.
pub fn deposit_rewards(
    deps: Deps<ChainQuery>,
    info: MessageInfo,
) -> Result<Response<ChainMsg>, ContractError> {
    let config = REWARD_CONFIG
        .may_load(deps.storage)?
        .ok_or(ContractError::RewardsNotConfigured)?;
    if info.funds.is_empty() || info.funds.iter().all(|coin| coin.amount.is_zero()) {
        return Err(ContractError::EmptyDeposit);
    }
    if let Some(coin) = info
        .funds
        .iter()
        .find(|coin| !config.reward_denoms.contains(&coin.denom))
    {
        return Err(ContractError::NotARewardDenom {
            denom: coin.denom.clone(),
            allowed: config.reward_denoms.join(","),
        });
    }
    Ok(Response::new().add_event(
        Event::new("rewards_deposit")
            .add_attribute("depositor", info.sender)
            .add_attribute("amount", coins_text(&info.funds)),
    ))
}

/// `100ucons,5uatom`, as the SDK prints coins.
pub(super) fn coins_text(coins: &[Coin]) -> String {
    coins
        .iter()
        .map(Coin::to_string)
        .collect::<Vec<_>>()
        .join(",")
}
