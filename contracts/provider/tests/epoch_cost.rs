//! What one epoch call costs, with storage priced as the Cosmos SDK prices it (read 1,000 +
//! 3/byte, write 2,000 + 30/byte, delete 1,000, iterator step 30 + 3/byte; the contract-prefix
//! bytes of the keys and the 60,000 per-call instance cost are left out).
//!
//! Hundreds of validators and tens of consumers: every call of the epoch stays bounded by the
//! work budget, and an epoch without changes costs almost nothing whatever the validator count.

use std::cell::Cell;
use std::marker::PhantomData;

use cosmwasm_std::testing::{message_info, mock_env, MockApi, MockQuerier, MockStorage};
use cosmwasm_std::{
    coins, Binary, Decimal, Env, IbcChannel, IbcChannelConnectMsg, IbcChannelOpenMsg, IbcEndpoint,
    IbcOrder, Order, OwnedDeps, Record, Storage, Timestamp, Uint128,
};
use cw_ics_bindings::ChainQuery;
use cw_ics_ccv::PublicKey;
use cw_ics_provider::contract::{execute, instantiate, query};
use cw_ics_provider::ibc::{ibc_channel_connect, ibc_channel_open};
use cw_ics_provider::msg::{
    Config, ConsumerRegistration, EpochResponse, ExecuteMsg, InstantiateMsg, QueryMsg,
    RegistrationPolicy, SlashedTokens,
};

#[derive(Default)]
struct PricedStorage {
    inner: MockStorage,
    gas: Cell<u64>,
}

impl PricedStorage {
    fn charge(&self, amount: u64) {
        self.gas.set(self.gas.get() + amount);
    }
}

impl Storage for PricedStorage {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        let value = self.inner.get(key);
        let bytes = key.len() + value.as_ref().map_or(0, Vec::len);
        self.charge(1_000 + 3 * bytes as u64);
        value
    }

    fn range<'a>(
        &'a self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: Order,
    ) -> Box<dyn Iterator<Item = Record> + 'a> {
        Box::new(
            self.inner
                .range(start, end, order)
                .inspect(move |(key, value)| {
                    self.charge(30 + 3 * (key.len() + value.len()) as u64);
                }),
        )
    }

    fn set(&mut self, key: &[u8], value: &[u8]) {
        self.charge(2_000 + 30 * (key.len() + value.len()) as u64);
        self.inner.set(key, value);
    }

    fn remove(&mut self, key: &[u8]) {
        self.charge(1_000);
        self.inner.remove(key);
    }
}

type Deps = OwnedDeps<PricedStorage, MockApi, MockQuerier<ChainQuery>, ChainQuery>;

const VALIDATORS: u8 = 250;
const CONSUMERS: u64 = 20;
const SET_SIZE: u32 = 180;

fn setup(max_epoch_work: u32) -> (Deps, Env) {
    let mut deps = OwnedDeps {
        storage: PricedStorage::default(),
        api: MockApi::default(),
        querier: MockQuerier::<ChainQuery>::new(&[]),
        custom_query_type: PhantomData,
    };
    let mut env = mock_env();
    let api = MockApi::default();
    let admin = api.addr_make("admin");
    let msg = InstantiateMsg {
        admin: None,
        config: Config {
            bond_denom: "ustake".into(),
            power_reduction: Uint128::new(1),
            unbonding_period_seconds: 1_000_000,
            epoch_length_blocks: 10,
            max_validators: SET_SIZE,
            consumer_registration: RegistrationPolicy::AdminOnly,
            ccv_timeout_seconds: 1_000_000,
            init_timeout_seconds: 1_000_000,
            vsc_timeout_seconds: 1_000_000,
            downtime_jail_seconds: 600,
            downtime_slash_fraction: Decimal::zero(),
            double_sign_slash_fraction: Decimal::zero(),
            slashed_tokens: SlashedTokens::Burn {},
            wait_for_consumer_maturity: true,
            max_epoch_work,
            max_unbonding_entries: 7,
            slash_meter_replenish_fraction:
                cw_ics_provider::msg::defaults::slash_meter_replenish_fraction(),
            slash_meter_replenish_period_seconds:
                cw_ics_provider::msg::defaults::slash_meter_replenish_period_seconds(),
            max_ccv_timeout_seconds: cw_ics_provider::msg::defaults::max_ccv_timeout_seconds(),
            max_init_timeout_seconds: cw_ics_provider::msg::defaults::max_init_timeout_seconds(),
            max_vsc_timeout_seconds: cw_ics_provider::msg::defaults::max_vsc_timeout_seconds(),
            max_retry_delay_seconds: cw_ics_provider::msg::defaults::max_retry_delay_seconds(),
            max_jail_seconds: cw_ics_provider::msg::defaults::max_jail_seconds(),
            registration_deposit: cw_ics_provider::msg::defaults::registration_deposit(),
            max_pending_registrations_per_owner:
                cw_ics_provider::msg::defaults::max_pending_registrations_per_owner(),
        },
    };
    instantiate(deps.as_mut(), env.clone(), message_info(&admin, &[]), msg).unwrap();
    for seed in 1..=VALIDATORS {
        let operator = api.addr_make(&format!("validator-{seed}"));
        let mut key = vec![seed; 32];
        key[1] = 0xee;
        let register = ExecuteMsg::RegisterValidator {
            pub_key: PublicKey::Ed25519(Binary::new(key)),
            moniker: format!("validator-{seed}"),
            commission: Decimal::percent(5),
        };
        execute(
            deps.as_mut(),
            env.clone(),
            message_info(&operator, &[]),
            register,
        )
        .unwrap();
        let bond = ExecuteMsg::Bond {
            validator: operator.to_string(),
        };
        let funds = coins(1_000 + u128::from(seed), "ustake");
        execute(
            deps.as_mut(),
            env.clone(),
            message_info(&operator, &funds),
            bond,
        )
        .unwrap();
    }
    for id in 1..=CONSUMERS {
        let registration = ConsumerRegistration {
            chain_id: format!("consumer-{id}"),
            spawn_time: Timestamp::from_seconds(0),
            unbonding_period_seconds: 1_000,
            connection_id: format!("connection-{id}"),
            counterparty_connection_id: "connection-0".into(),
            counterparty_port_id: Some(format!("wasm.consumer{id}")),
            ccv_timeout_seconds: None,
            init_timeout_seconds: None,
            vsc_timeout_seconds: None,
            retry_delay_seconds: 60,
            signed_blocks_window: 100,
            min_signed_per_window: Decimal::percent(50),
            valcons_prefix: "consvalcons".into(),
            infraction_parameters: None,
        };
        execute(
            deps.as_mut(),
            env.clone(),
            message_info(&admin, &[]),
            ExecuteMsg::RegisterConsumer(registration),
        )
        .unwrap();
    }
    run_epoch(&mut deps, &mut env);
    for id in 1..=CONSUMERS {
        let channel = IbcChannel::new(
            IbcEndpoint {
                port_id: "wasm.provider".into(),
                channel_id: format!("channel-{id}"),
            },
            IbcEndpoint {
                port_id: format!("wasm.consumer{id}"),
                channel_id: "channel-0".into(),
            },
            IbcOrder::Ordered,
            "1",
            format!("connection-{id}"),
        );
        ibc_channel_open(
            deps.as_mut(),
            env.clone(),
            IbcChannelOpenMsg::new_try(channel.clone(), "1"),
        )
        .unwrap();
        ibc_channel_connect(
            deps.as_mut(),
            env.clone(),
            IbcChannelConnectMsg::new_confirm(channel),
        )
        .unwrap();
    }
    (deps, env)
}

/// Runs one epoch to completion; returns the gas of each call.
fn run_epoch(deps: &mut Deps, env: &mut Env) -> Vec<u64> {
    let epoch: EpochResponse =
        cosmwasm_std::from_json(query(deps.as_ref(), env.clone(), QueryMsg::Epoch {}).unwrap())
            .unwrap();
    if env.block.height < epoch.next_epoch_height {
        env.block.height = epoch.next_epoch_height;
        env.block.time = env.block.time.plus_seconds(60);
    }
    let keeper = MockApi::default().addr_make("keeper");
    let mut calls = vec![];
    loop {
        deps.storage.gas.set(0);
        execute(
            deps.as_mut(),
            env.clone(),
            message_info(&keeper, &[]),
            ExecuteMsg::Tick {},
        )
        .unwrap();
        calls.push(deps.storage.gas.get());
        let epoch: EpochResponse =
            cosmwasm_std::from_json(query(deps.as_ref(), env.clone(), QueryMsg::Epoch {}).unwrap())
                .unwrap();
        if !epoch.in_progress {
            return calls;
        }
        assert!(calls.len() < 10_000, "epoch never finishes");
    }
}

fn bond_all(deps: &mut Deps, env: &Env, validators: u8) {
    let api = MockApi::default();
    for seed in 1..=validators {
        let operator = api.addr_make(&format!("validator-{seed}"));
        let funds = coins(u128::from(seed) * 7, "ustake");
        let bond = ExecuteMsg::Bond {
            validator: operator.to_string(),
        };
        execute(
            deps.as_mut(),
            env.clone(),
            message_info(&operator, &funds),
            bond,
        )
        .unwrap();
    }
}

#[test]
fn every_epoch_call_stays_bounded_when_every_validator_changes() {
    let (mut deps, mut env) = setup(200);
    bond_all(&mut deps, &env, VALIDATORS);
    let calls = run_epoch(&mut deps, &mut env);
    let max = calls.iter().copied().max().unwrap();
    let total: u64 = calls.iter().sum();
    eprintln!(
        "{VALIDATORS} validators changed, {CONSUMERS} consumers, set size {SET_SIZE}, budget 200: \
         {} calls, max {max} gas per call, {total} gas in all",
        calls.len()
    );
    // A block's gas limit is tens of millions; one call stays far below it.
    assert!(max < 5_000_000, "a call cost {max}");
    assert!(calls.len() > 1, "the work was split");
}

#[test]
fn a_quiet_epoch_costs_the_same_with_few_or_many_validators() {
    let (mut deps, mut env) = setup(200);
    let quiet = run_epoch(&mut deps, &mut env);
    eprintln!("quiet epoch, {VALIDATORS} validators, {CONSUMERS} consumers: {quiet:?} gas");
    assert_eq!(quiet.len(), 1);

    // Changing a few validators costs in proportion to them, not to the validator count.
    bond_all(&mut deps, &env, 3);
    let few = run_epoch(&mut deps, &mut env);
    eprintln!("3 validators changed: {few:?} gas");
    assert_eq!(few.len(), 1);
    assert!(
        few[0] < quiet[0] + 3 * CONSUMERS * 60_000,
        "{few:?} vs {quiet:?}"
    );
}
