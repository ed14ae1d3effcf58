//! Queries. List queries page with `start_after` + `limit` (default 10, at most 100).

use cosmwasm_std::{to_json_binary, Addr, Binary, Deps, Env, Order, StdError, StdResult, Storage};
use cw_ics_bindings::ChainQuery;
use cw_ics_ccv::ConsensusAddress;
use cw_storage_plus::Bound;

use crate::consumers::{consumer_genesis, load_consumer};
use crate::entry_slash::net_balance;
use crate::error::ContractError;
use crate::infraction;
use crate::maturity::{awaited, is_released, lowest_floor, MAX_AWAITED_LISTED};
use crate::membership::{served_on, set_vsc_id};
use crate::msg::{
    Config, ConfigResponse, ConsumerPhase, ConsumerResponse, ConsumerValidator,
    ConsumerValidatorsResponse, ConsumersResponse, DelegationResponse, DelegationsResponse,
    EntrySlashesResponse, EpochResponse, PendingRegistrationsResponse, PendingVscsResponse,
    QueryMsg, ServedOnResponse, SlashLogResponse, UnbondingResponse, UnbondingsResponse,
    ValidatorResponse, ValidatorsResponse, VscHeightResponse,
};
use crate::ranking::top_n_by_address;
use crate::staking::{load_validator, shares_value, validator_power};
use crate::state::consumers::{queued_vscs, Consumer, PENDING_REGISTRATIONS};
use crate::state::epoch::{EpochStage, EPOCH, VSC_HEIGHTS};
use crate::state::slashing::{pending_slash_acks, MAX_SLASH_ACKS_PER_VSC, SLASH_LOG};
use crate::state::staking::{
    validators, Stake, Validator, DELEGATIONS, ENTRY_SLASHES, STAKES, UNBONDINGS,
};
use crate::state::{ADMIN, CONFIG};
use crate::throttle::slash_meter;

pub const DEFAULT_LIMIT: u32 = 10;
pub const MAX_LIMIT: u32 = 100;

fn limit(limit: Option<u32>) -> usize {
    limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT) as usize
}

pub fn query(deps: Deps<ChainQuery>, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    let storage = deps.storage;
    Ok(match msg {
        QueryMsg::ContractVersion {} => to_json_binary(&cw2::get_contract_version(storage)?)?,
        QueryMsg::Config {} => to_json_binary(&ConfigResponse {
            admin: ADMIN.load(storage)?,
            config: CONFIG.load(storage)?,
        })?,
        QueryMsg::Epoch {} => {
            let epoch = EPOCH.load(storage)?;
            to_json_binary(&EpochResponse {
                current_vsc_id: epoch.current_vsc_id,
                next_epoch_height: epoch.next_epoch_height,
                in_progress: epoch.stage != EpochStage::Idle,
                has_end_blocker_privilege: epoch.end_blocker,
            })?
        }
        QueryMsg::Validator { operator } => {
            let config = CONFIG.load(storage)?;
            let operator = deps.api.addr_validate(&operator)?;
            let validator = load_validator(storage, &operator)?;
            let stake = STAKES.load(storage, &operator)?;
            to_json_binary(&validator_response(&config, operator, validator, stake))?
        }
        QueryMsg::Validators {
            start_after,
            limit: page,
        } => {
            let config = CONFIG.load(storage)?;
            let start = start_after.map(Addr::unchecked);
            let listed = validators()
                .range(
                    storage,
                    start.as_ref().map(Bound::exclusive),
                    None,
                    Order::Ascending,
                )
                .take(limit(page))
                .collect::<StdResult<Vec<_>>>()?;
            let mut answers = Vec::with_capacity(listed.len());
            for (operator, validator) in listed {
                let stake = STAKES.load(storage, &operator)?;
                answers.push(validator_response(&config, operator, validator, stake));
            }
            to_json_binary(&ValidatorsResponse {
                validators: answers,
            })?
        }
        QueryMsg::Delegations {
            staker,
            start_after,
            limit: page,
        } => {
            let staker = deps.api.addr_validate(&staker)?;
            let start = start_after.map(Addr::unchecked);
            let held = DELEGATIONS
                .prefix(&staker)
                .range(
                    storage,
                    start.as_ref().map(Bound::exclusive),
                    None,
                    Order::Ascending,
                )
                .take(limit(page))
                .collect::<StdResult<Vec<_>>>()?;
            let mut delegations = Vec::with_capacity(held.len());
            for (validator, shares) in held {
                let tokens = shares_value(&STAKES.load(storage, &validator)?, shares)?;
                delegations.push(DelegationResponse {
                    validator,
                    shares,
                    tokens,
                });
            }
            to_json_binary(&DelegationsResponse { delegations })?
        }
        QueryMsg::Unbondings {
            staker,
            start_after,
            limit: page,
        } => {
            let config = CONFIG.load(storage)?;
            let staker = deps.api.addr_validate(&staker)?;
            let entries = UNBONDINGS
                .prefix(&staker)
                .range(
                    storage,
                    start_after.map(Bound::exclusive),
                    None,
                    Order::Ascending,
                )
                .take(limit(page))
                .collect::<StdResult<Vec<_>>>()?;
            let lowest = lowest_floor(storage)?;
            let mut unbondings = Vec::with_capacity(entries.len());
            for (id, entry) in entries {
                let (waiting_on, waiting_on_more) =
                    awaited(storage, id, &entry, MAX_AWAITED_LISTED)?;
                unbondings.push(UnbondingResponse {
                    id,
                    released: is_released(&config, &env, lowest, id, &entry),
                    waiting_on,
                    waiting_on_more,
                    balance: net_balance(storage, id, &entry)?,
                    validator: entry.validator,
                    initial_amount: entry.initial_amount,
                    created_height: entry.created_height,
                    vsc_id: entry.vsc_id,
                    completes_at: entry.completes_at,
                });
            }
            to_json_binary(&UnbondingsResponse { unbondings })?
        }
        QueryMsg::Consumer { consumer_id } => {
            let config = CONFIG.load(storage)?;
            to_json_binary(&consumer_response(
                storage,
                &config,
                &env,
                load_consumer(storage, consumer_id)?,
            )?)?
        }
        QueryMsg::Consumers {
            start_after,
            limit: page,
        } => {
            let config = CONFIG.load(storage)?;
            let consumers = Consumer::page(storage, start_after, limit(page))?
                .into_iter()
                .map(|consumer| consumer_response(storage, &config, &env, consumer))
                .collect::<StdResult<Vec<_>>>()?;
            to_json_binary(&ConsumersResponse { consumers })?
        }
        QueryMsg::ConsumerGenesis { consumer_id } => {
            let consumer = load_consumer(storage, consumer_id)?;
            let config = CONFIG.load(storage)?;
            to_json_binary(&consumer_genesis(storage, &env, &config, &consumer)?)?
        }
        QueryMsg::ConsumerValidators {
            consumer_id,
            start_after,
            limit: page,
        } => {
            // Every launched consumer is given the top N (queued VSCs included); a consumer
            // that is not running has no set.
            let consumer = load_consumer(storage, consumer_id)?;
            let validators = if consumer.link.phase == ConsumerPhase::Launched {
                let last_member = EPOCH.load(storage)?.last_member;
                top_n_by_address(
                    storage,
                    last_member,
                    start_after.as_ref().map(Binary::as_slice),
                    limit(page),
                )?
                .into_iter()
                .map(|(rank, pub_key)| ConsumerValidator {
                    consensus_address: Binary::from(rank.address.as_bytes()),
                    pub_key,
                    power: rank.power,
                })
                .collect()
            } else {
                vec![]
            };
            to_json_binary(&ConsumerValidatorsResponse { validators })?
        }
        QueryMsg::PendingVscs {
            consumer_id,
            start_after,
            limit: page,
        } => to_json_binary(&PendingVscsResponse {
            packets: queued_vscs(storage, consumer_id, start_after, limit(page))?,
        })?,
        QueryMsg::VscHeight {
            consumer_id,
            vsc_id,
        } => {
            let height = if vsc_id == 0 {
                load_consumer(storage, consumer_id)?.info.launch_height
            } else {
                VSC_HEIGHTS.may_load(storage, vsc_id)?
            };
            to_json_binary(&VscHeightResponse { height })?
        }
        QueryMsg::SlashMeter {} => {
            let config = CONFIG.load(storage)?;
            to_json_binary(&slash_meter(storage, &config, env.block.time)?)?
        }
        QueryMsg::ServedOn {
            consumer_id,
            consensus_address,
            vsc_id,
        } => {
            let consumer = load_consumer(storage, consumer_id)?;
            let address = ConsensusAddress::from_slice(consensus_address.as_slice())
                .map_err(|_| StdError::msg("a consensus address is 20 bytes"))?;
            let set_vsc_id = set_vsc_id(&consumer.info, &consumer.link, vsc_id)?;
            to_json_binary(&ServedOnResponse {
                served: served_on(storage, consumer_id, &address, set_vsc_id)?,
            })?
        }
        QueryMsg::PendingRegistrations { owner } => {
            let config = CONFIG.load(storage)?;
            let owner = deps.api.addr_validate(&owner)?;
            to_json_binary(&PendingRegistrationsResponse {
                count: PENDING_REGISTRATIONS
                    .may_load(storage, &owner)?
                    .unwrap_or_default(),
                max: config.max_pending_registrations_per_owner,
            })?
        }
        QueryMsg::SlashLog {
            start_after,
            limit: page,
        } => {
            let records = SLASH_LOG
                .range(
                    storage,
                    start_after.map(Bound::exclusive),
                    None,
                    Order::Ascending,
                )
                .take(limit(page))
                .map(|entry| entry.map(|(_, record)| record))
                .collect::<StdResult<Vec<_>>>()?;
            to_json_binary(&SlashLogResponse { records })?
        }
        QueryMsg::EntrySlashes {
            start_after,
            limit: page,
        } => {
            let jobs = ENTRY_SLASHES
                .range(
                    storage,
                    start_after.map(Bound::exclusive),
                    None,
                    Order::Ascending,
                )
                .take(limit(page))
                .map(|entry| entry.map(|(_, job)| job))
                .collect::<StdResult<Vec<_>>>()?;
            to_json_binary(&EntrySlashesResponse { jobs })?
        }
    })
}

fn validator_response(
    config: &Config,
    operator: Addr,
    validator: Validator,
    stake: Stake,
) -> ValidatorResponse {
    ValidatorResponse {
        power: validator_power(config, &stake),
        consensus_address: validator.pub_key.consensus_address().to_string(),
        operator,
        pub_key: validator.pub_key,
        moniker: validator.moniker,
        commission: validator.commission,
        tokens: stake.tokens,
        shares: stake.shares,
        jailed_until: stake.jailed_until,
        tombstoned: stake.tombstoned,
    }
}

fn consumer_response(
    storage: &dyn Storage,
    config: &Config,
    env: &Env,
    consumer: Consumer,
) -> StdResult<ConsumerResponse> {
    let Consumer { id, info, link } = consumer;
    // A stopped consumer is sent no more VSCs: the acks left are deleted with its state.
    let pending_slash_acks = if link.phase == ConsumerPhase::Launched {
        pending_slash_acks(storage, id, MAX_SLASH_ACKS_PER_VSC)?
            .into_iter()
            .map(|(_, address)| address)
            .collect()
    } else {
        vec![]
    };
    let now = env.block.time;
    Ok(ConsumerResponse {
        pending_slash_acks,
        launch_vsc_id: info.launch_vsc_id,
        infraction_parameters: infraction::in_force(config, &info, now),
        pending_infraction_parameters: infraction::pending(&info, now),
        deposit: info.deposit,
        consumer_id: id,
        owner: info.owner,
        phase: link.phase,
        registration: info.registration,
        channel_id: link.channel_id,
        launch_height: info.launch_height,
        launched_at: info.launched_at,
        stopped_at: info.stopped_at,
        stop_reason: info.stop_reason,
        last_sent_vsc_id: link.last_sent_vsc_id,
        last_matured_vsc_id: link.last_matured_vsc_id,
    })
}
