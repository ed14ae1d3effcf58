//! Queries. List queries page with `start_after` + `limit` (default 10, at most 100).

use cosmwasm_std::{Addr, Binary, Deps, Env, StdError, StdResult, Storage};
use cw_ics_bindings::ChainQuery;
use cw_ics_ccv::PublicKey;
use cw_ics_json::{load_contract_version, to_binary};

use crate::consumer_store::queued_vscs;
use crate::consumers::{consumer_genesis, load_consumer};
use crate::error::ContractError;
use crate::maturity::{is_released, pending_consumers};
use crate::msg::ConsumerPhase;
use crate::msg::{
    ConsumerResponse, ConsumerValidator, ConsumerValidatorsResponse, ConsumersResponse,
    DelegationResponse, DelegationsResponse, EpochResponse, PendingVsc, PendingVscsResponse,
    PowerUpdate, QueryMsg, SlashLogResponse, UnbondingResponse, UnbondingsResponse,
    ValidatorResponse, ValidatorsResponse, VscHeightResponse,
};
use crate::ranking::top_n_by_address;
use crate::staking::{load_validator, shares_value, validator_power};
use crate::state::{
    addr_part, pending_slash_acks, Config, Consumer, EpochStage, Validator, CONFIG, CONSUMERS,
    DELEGATIONS, EPOCH, SLASH_LOG, UNBONDINGS, VALIDATORS, VSC_HEIGHTS,
};

pub const DEFAULT_LIMIT: u32 = 10;
pub const MAX_LIMIT: u32 = 100;

fn limit(limit: Option<u32>) -> usize {
    limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT) as usize
}

pub fn query(deps: Deps<ChainQuery>, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    let storage = deps.storage;
    Ok(match msg {
        QueryMsg::ContractVersion {} => to_binary(&load_contract_version(storage)?),
        QueryMsg::Config {} => to_binary(&CONFIG.load(storage)?),
        QueryMsg::Epoch {} => {
            let epoch = EPOCH.load(storage)?;
            to_binary(&EpochResponse {
                current_vsc_id: epoch.current_vsc_id,
                next_epoch_height: epoch.next_epoch_height,
                in_progress: epoch.stage != EpochStage::Idle,
                has_end_blocker_privilege: epoch.end_blocker,
            })
        }
        QueryMsg::Validator { operator } => {
            let config = CONFIG.load(storage)?;
            let operator = deps.api.addr_validate(&operator)?;
            to_binary(&validator_response(
                &config,
                load_validator(storage, &operator)?,
            ))
        }
        QueryMsg::Validators {
            start_after,
            limit: page,
        } => {
            let config = CONFIG.load(storage)?;
            let start = start_after.map(Addr::unchecked);
            let validators = VALIDATORS
                .page(storage, start.as_ref(), limit(page))?
                .into_iter()
                .map(|v| validator_response(&config, v))
                .collect();
            to_binary(&ValidatorsResponse { validators })
        }
        QueryMsg::Delegations {
            staker,
            start_after,
            limit: page,
        } => {
            let staker = deps.api.addr_validate(&staker)?;
            let held = DELEGATIONS.page(
                storage,
                &[&addr_part(&staker)?],
                start_after.as_ref().map(String::as_bytes),
                limit(page),
            )?;
            let mut delegations = Vec::with_capacity(held.len());
            for (validator, shares) in held {
                let validator = String::from_utf8(validator)
                    .map(Addr::unchecked)
                    .map_err(|_| StdError::msg("corrupt stored delegation key"))?;
                let tokens = shares_value(&load_validator(storage, &validator)?, shares)?;
                delegations.push(DelegationResponse {
                    validator,
                    shares,
                    tokens,
                });
            }
            to_binary(&DelegationsResponse { delegations })
        }
        QueryMsg::Unbondings {
            staker,
            start_after,
            limit: page,
        } => {
            let config = CONFIG.load(storage)?;
            let staker = deps.api.addr_validate(&staker)?;
            let entries = UNBONDINGS.page(storage, &staker, start_after, limit(page))?;
            let mut unbondings = Vec::with_capacity(entries.len());
            for entry in entries {
                unbondings.push(UnbondingResponse {
                    id: entry.id,
                    released: is_released(storage, &config, &env, &entry)?,
                    waiting_on: pending_consumers(storage, &entry)?,
                    validator: entry.validator,
                    balance: entry.balance,
                    initial_amount: entry.initial_amount,
                    created_height: entry.created_height,
                    vsc_id: entry.vsc_id,
                    completes_at: entry.completes_at,
                });
            }
            to_binary(&UnbondingsResponse { unbondings })
        }
        QueryMsg::Consumer { consumer_id } => to_binary(&consumer_response(
            storage,
            load_consumer(storage, consumer_id)?,
        )?),
        QueryMsg::Consumers {
            start_after,
            limit: page,
        } => {
            let consumers = CONSUMERS
                .page(storage, start_after, limit(page))?
                .into_iter()
                .map(|consumer| consumer_response(storage, consumer))
                .collect::<StdResult<Vec<_>>>()?;
            to_binary(&ConsumersResponse { consumers })
        }
        QueryMsg::ConsumerGenesis { consumer_id } => {
            let consumer = load_consumer(storage, consumer_id)?;
            let config = CONFIG.load(storage)?;
            to_binary(&consumer_genesis(storage, &env, &config, &consumer)?)
        }
        QueryMsg::ConsumerValidators {
            consumer_id,
            start_after,
            limit: page,
        } => {
            // Every launched consumer is given the top N (queued VSCs included); a consumer
            // that is not running has no set.
            let consumer = load_consumer(storage, consumer_id)?;
            let validators = if consumer.phase == ConsumerPhase::Launched {
                let cut = EPOCH.load(storage)?.cut;
                top_n_by_address(
                    storage,
                    &cut,
                    start_after.as_ref().map(Binary::as_slice),
                    limit(page),
                )?
                .into_iter()
                .map(|(address, pub_key, power)| ConsumerValidator {
                    consensus_address: Binary::from(address),
                    pub_key: PublicKey::Ed25519(pub_key),
                    power,
                })
                .collect()
            } else {
                vec![]
            };
            to_binary(&ConsumerValidatorsResponse { validators })
        }
        QueryMsg::PendingVscs {
            consumer_id,
            start_after,
            limit: page,
        } => {
            let packets = queued_vscs(storage, consumer_id, start_after, limit(page))?
                .into_iter()
                .map(|packet| PendingVsc {
                    valset_update_id: packet.valset_update_id,
                    validator_updates: packet
                        .validator_updates
                        .into_iter()
                        .map(|u| PowerUpdate {
                            pub_key: u.pub_key,
                            power: u.power,
                        })
                        .collect(),
                    slash_acks: packet.slash_acks,
                })
                .collect();
            to_binary(&PendingVscsResponse { packets })
        }
        QueryMsg::VscHeight {
            consumer_id,
            vsc_id,
        } => {
            let height = if vsc_id == 0 {
                load_consumer(storage, consumer_id)?.launch_height
            } else {
                VSC_HEIGHTS.may_load(storage, vsc_id)?
            };
            to_binary(&VscHeightResponse { height })
        }
        QueryMsg::SlashLog {
            start_after,
            limit: page,
        } => {
            let after = start_after.map(u64::to_be_bytes);
            let records = SLASH_LOG
                .page(storage, &[], after.as_ref().map(|id| &id[..]), limit(page))?
                .into_iter()
                .map(|(_, record)| record)
                .collect();
            to_binary(&SlashLogResponse { records })
        }
    })
}

fn validator_response(config: &Config, validator: Validator) -> ValidatorResponse {
    ValidatorResponse {
        power: validator_power(config, &validator),
        consensus_address: validator.pub_key.consensus_address().to_string(),
        operator: validator.operator,
        pub_key: validator.pub_key,
        moniker: validator.moniker,
        commission: validator.commission,
        tokens: validator.tokens,
        shares: validator.shares,
        jailed_until: validator.jailed_until,
        tombstoned: validator.tombstoned,
    }
}

fn consumer_response(storage: &dyn Storage, consumer: Consumer) -> StdResult<ConsumerResponse> {
    Ok(ConsumerResponse {
        pending_slash_acks: pending_slash_acks(storage, consumer.id)?,
        consumer_id: consumer.id,
        owner: consumer.owner,
        phase: consumer.phase,
        registration: consumer.registration,
        channel_id: consumer.channel_id,
        launch_height: consumer.launch_height,
        launched_at: consumer.launched_at,
        stopped_at: consumer.stopped_at,
        stop_reason: consumer.stop_reason,
        last_sent_vsc_id: consumer.last_sent_vsc_id,
        last_matured_vsc_id: consumer.last_matured_vsc_id,
    })
}
