//! CCV channel handshake rules on the consumer side: this contract opens the channel
//! (OpenInit → OpenAck) on the genesis connection to the provider's port, ORDERED, CCV
//! version, and only while no CCV channel exists. It never answers a handshake (OpenTry,
//! OpenConfirm) and nobody may close the channel.

use cosmwasm_std::{IbcChannel, Storage};
use cw_ics_ccv::{ensure_ordered, negotiate_version, validate_counterparty_version};

use crate::error::ContractError;
use crate::state::{CcvChannel, Config, CCV_CHANNEL, CONFIG};

fn ensure_no_ccv_channel(storage: &dyn Storage) -> Result<(), ContractError> {
    match CCV_CHANNEL.may_load(storage)? {
        Some(existing) => Err(ContractError::ChannelAlreadyExists(existing.channel_id)),
        None => Ok(()),
    }
}

fn ensure_endpoints(config: &Config, channel: &IbcChannel) -> Result<(), ContractError> {
    if channel.connection_id != config.connection_id {
        return Err(ContractError::WrongConnection {
            expected: config.connection_id.clone(),
            got: channel.connection_id.clone(),
        });
    }
    if channel.counterparty_endpoint.port_id != config.provider_port_id {
        return Err(ContractError::WrongCounterpartyPort {
            expected: config.provider_port_id.clone(),
            got: channel.counterparty_endpoint.port_id.clone(),
        });
    }
    ensure_ordered(channel)?;
    Ok(())
}

/// OpenInit: returns the version to use.
pub fn open_init(storage: &dyn Storage, channel: &IbcChannel) -> Result<String, ContractError> {
    ensure_no_ccv_channel(storage)?;
    ensure_endpoints(&CONFIG.load(storage)?, channel)?;
    Ok(negotiate_version(&channel.version)?.to_string())
}

/// OpenAck: records the channel as the CCV channel (established later, at the first VSC).
pub fn open_ack(
    storage: &mut dyn Storage,
    channel: &IbcChannel,
    counterparty_version: &str,
) -> Result<(), ContractError> {
    ensure_no_ccv_channel(storage)?;
    ensure_endpoints(&CONFIG.load(storage)?, channel)?;
    validate_counterparty_version(counterparty_version)?;
    CCV_CHANNEL.save(
        storage,
        &CcvChannel {
            channel_id: channel.endpoint.channel_id.clone(),
            established: false,
        },
    )?;
    Ok(())
}
