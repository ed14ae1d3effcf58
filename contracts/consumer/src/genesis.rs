//! Instantiation from the provider's consumer genesis.

use cosmwasm_std::{DepsMut, Env, Response};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use cw_ics_ccv::ConsumerGenesis;

use crate::error::ContractError;
use crate::state::{ChainLink, Config, CHAIN_LINK, CONFIG, LAST_VSC_ID};
use crate::time::MAX_PERIOD_SECONDS;
use crate::validator_set::{record_vsc_from_height, store_initial_set};

/// The genesis set becomes the current set and the set of vscId 0, in force from this height.
/// The contract starts as an oracle: privileges are requested only when the chain promotes it.
pub fn instantiate_from_genesis(
    deps: DepsMut<ChainQuery>,
    env: Env,
    genesis: ConsumerGenesis,
) -> Result<Response<ChainMsg>, ContractError> {
    genesis.validate()?;
    for (name, seconds) in [
        (
            "unbonding_period_seconds",
            genesis.params.unbonding_period_seconds,
        ),
        ("ccv_timeout_seconds", genesis.params.ccv_timeout_seconds),
        ("retry_delay_seconds", genesis.params.retry_delay_seconds),
    ] {
        if seconds > MAX_PERIOD_SECONDS {
            return Err(ContractError::PeriodTooLong(name));
        }
    }
    let ConsumerGenesis {
        provider_chain_id,
        chain_id,
        connection_id,
        provider_port_id,
        initial_validator_set,
        params,
    } = genesis;
    let validators = initial_validator_set.len();
    let initial_set: Vec<_> = initial_validator_set
        .into_iter()
        .map(|validator| (validator.pub_key, validator.power))
        .collect();
    store_initial_set(deps.storage, &initial_set)?;
    CONFIG.save(
        deps.storage,
        &Config {
            provider_chain_id: provider_chain_id.clone(),
            chain_id,
            connection_id,
            provider_port_id,
            params,
            genesis_height: env.block.height,
        },
    )?;
    LAST_VSC_ID.save(deps.storage, &0)?;
    record_vsc_from_height(deps.storage, env.block.height, 0)?;
    CHAIN_LINK.save(deps.storage, &ChainLink::Oracle)?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("provider_chain_id", provider_chain_id)
        .add_attribute("validators", validators.to_string()))
}
