//! The same scenarios against the real consumer contract: the consumer is instantiated from
//! the provider's consumer genesis, opens the channel, applies VSCs, reports maturity after
//! its unbonding period and downtime from its liveness window.

mod common;

use std::collections::BTreeMap;

use cosmwasm_std::{Addr, Binary, IbcOrder};
use cw_ics_bindings::{ChainSudoMsg, ValidatorVote};
use cw_ics_consumer::msg::{
    ExecuteMsg as ConsumerExecute, InstantiateMsg as ConsumerInstantiate,
    OutstandingDowntimeResponse, QueryMsg as ConsumerQuery, StatusResponse, ValidatorSetResponse,
};
use cw_ics_ibc_sim::{contract_port, Connection, IbcContractWrapper};
use cw_ics_provider::msg::{ConsumerPhase, ConsumerUpdate, ExecuteMsg, SlashAction};

use common::*;

const STAKERS: &[&str] = &["alice", "bob", "carol", "dave", "erin", "staker"];

fn consumer_contract(
) -> Box<IbcContractWrapper<cw_ics_bindings::ChainMsg, cw_ics_bindings::ChainQuery>> {
    use cw_ics_consumer::{contract, ibc};
    Box::new(
        IbcContractWrapper::new(contract::execute, contract::instantiate, contract::query)
            .with_sudo(contract::sudo)
            .with_migrate(contract::migrate)
            .with_ibc(
                ibc::ibc_channel_open,
                ibc::ibc_channel_connect,
                ibc::ibc_channel_close,
                ibc::ibc_packet_receive,
                ibc::ibc_packet_ack,
                ibc::ibc_packet_timeout,
            ),
    )
}

/// Registers, launches, instantiates the real consumer from the provider's genesis, points
/// the registration at its port and opens the channel from the consumer side.
fn real_consumer(net: &mut Net, chain_id: &str, label: &str) -> ConsumerHandle {
    let mut handle = net.register_consumer(chain_id, label);
    net.epoch();
    assert_eq!(net.consumer(handle.id).phase, ConsumerPhase::Launched);
    let genesis = net.genesis(handle.id);
    let chain = net.coord.chain_mut(chain_id).unwrap();
    let code = chain.store_code(consumer_contract());
    let deployer = chain.addr_make("deployer");
    handle.contract = chain
        .instantiate(
            code,
            &deployer,
            &ConsumerInstantiate { genesis },
            &[],
            "consumer",
        )
        .unwrap();
    let update = ExecuteMsg::UpdateConsumer {
        consumer_id: handle.id,
        update: ConsumerUpdate {
            counterparty_port_id: Some(contract_port(&handle.contract)),
            ..ConsumerUpdate::default()
        },
    };
    net.exec("admin", &update, &[]).unwrap();
    let reversed = Connection {
        a: handle.connection.b.clone(),
        b: handle.connection.a.clone(),
    };
    let mut path = net.coord.new_path(
        &reversed,
        &contract_port(&handle.contract),
        &contract_port(&net.provider),
        IbcOrder::Ordered,
        "1",
    );
    net.coord.open_channel(&mut path).unwrap();
    handle.path = Some(path);
    net.coord.relay_all().unwrap();
    handle
}

fn consumer_set(net: &Net, consumer: &ConsumerHandle) -> BTreeMap<Vec<u8>, u64> {
    let set: ValidatorSetResponse = net
        .coord
        .chain(&consumer.chain_id)
        .unwrap()
        .query(&consumer.contract, &ConsumerQuery::CurrentSet {})
        .unwrap();
    set.validators
        .into_iter()
        .map(|v| (v.pub_key.bytes().to_vec(), v.power))
        .collect()
}

fn status(net: &Net, consumer: &ConsumerHandle) -> StatusResponse {
    net.coord
        .chain(&consumer.chain_id)
        .unwrap()
        .query(&consumer.contract, &ConsumerQuery::Status {})
        .unwrap()
}

/// Replication, channel order and bond-based safety against the real consumer.
fn check(net: &Net, consumers: &[ConsumerHandle]) {
    net.check_accounting(STAKERS);
    for consumer in consumers {
        let view = consumer_set(net, consumer);
        assert_eq!(
            view,
            net.last_sent(consumer.id),
            "consumer {} diverged",
            consumer.id
        );
        assert_eq!(
            status(net, consumer).last_vsc_id,
            net.consumer(consumer.id).last_sent_vsc_id,
            "a VSC was lost or applied out of order"
        );
        net.check_backing(&view, STAKERS);
    }
}

fn consumer_tick(net: &mut Net, consumer: &ConsumerHandle) {
    let chain = net.coord.chain_mut(&consumer.chain_id).unwrap();
    let keeper = chain.addr_make("keeper");
    chain
        .execute(&keeper, &consumer.contract, &ConsumerExecute::Tick {}, &[])
        .unwrap();
    net.coord.relay_all().unwrap();
}

fn five_validators(net: &mut Net) {
    net.add_validator("alice", 1, 10_000);
    net.add_validator("bob", 2, 20_000);
    net.add_validator("carol", 3, 30_000);
    net.add_validator("dave", 4, 40_000);
    net.add_validator("erin", 5, 5_000);
}

#[test]
fn real_consumers_replicate_the_set_and_mature_unbonding() {
    let mut net = Net::new(&["consumer-a", "consumer-b"]);
    five_validators(&mut net);
    let consumers = vec![
        real_consumer(&mut net, "consumer-a", "x"),
        real_consumer(&mut net, "consumer-b", "y"),
    ];
    check(&net, &consumers);

    net.bond("staker", "erin", 20_000).unwrap();
    net.unbond("staker", "erin", 1_000).unwrap();
    let entry = net.unbondings("staker").unbondings[0].clone();
    net.epoch();
    net.coord.relay_all().unwrap();
    check(&net, &consumers);
    for consumer in &consumers {
        assert_eq!(consumer_set(&net, consumer), net.expected_top_n());
        assert!(status(&net, consumer).established);
    }

    // Each consumer reports maturity once its own unbonding period passed.
    net.coord.advance_time(CONSUMER_UNBONDING);
    consumer_tick(&mut net, &consumers[0]);
    assert!(net.consumer(consumers[0].id).last_matured_vsc_id >= entry.vsc_id);
    net.coord.advance_time(UNBONDING - CONSUMER_UNBONDING);
    assert!(
        !net.unbondings("staker").unbondings[0].released,
        "consumer-b has not matured"
    );
    consumer_tick(&mut net, &consumers[1]);
    assert!(net.unbondings("staker").unbondings[0].released);
    net.exec("staker", &ExecuteMsg::Withdraw { entry_ids: None }, &[])
        .unwrap();
    check(&net, &consumers);
}

#[test]
fn real_consumer_downtime_jails_and_the_slash_ack_clears_it() {
    let mut net = Net::new(&["consumer-a"]);
    five_validators(&mut net);
    let consumers = vec![real_consumer(&mut net, "consumer-a", "x")];
    // The consumer sends nothing before its first VSC (that establishes the channel).
    net.bond("staker", "alice", 1_000).unwrap();
    net.epoch();
    net.coord.relay_all().unwrap();
    assert!(status(&net, &consumers[0]).established);
    let set = consumer_set(&net, &consumers[0]);
    // dave (key 4) stops signing on the consumer chain.
    let votes: Vec<ValidatorVote> = set
        .iter()
        .map(|(key_bytes, power)| {
            let key = cw_ics_ccv::PublicKey::Ed25519(Binary::new(key_bytes.clone()));
            ValidatorVote {
                address: Binary::new(key.consensus_address().as_bytes().to_vec()),
                power: *power,
                voted: key_bytes[0] != 4,
            }
        })
        .collect();
    net.set_votes("consumer-a", votes);
    let contract: Addr = consumers[0].contract.clone();
    for _ in 0..120 {
        let chain = net.coord.chain_mut("consumer-a").unwrap();
        chain
            .sudo(&contract, &ChainSudoMsg::BeginBlock { evidence: vec![] })
            .unwrap();
        chain.advance_blocks(1);
    }
    net.coord.relay_all().unwrap();
    let log = net.slash_log().records;
    assert_eq!(log.len(), 1, "one slash packet for one infraction");
    assert!(matches!(log[0].action, SlashAction::Jailed { .. }));
    let outstanding: OutstandingDowntimeResponse = net
        .coord
        .chain("consumer-a")
        .unwrap()
        .query(
            &contract,
            &ConsumerQuery::OutstandingDowntime {
                start_after: None,
                limit: None,
            },
        )
        .unwrap();
    assert_eq!(outstanding.validators.len(), 1);

    net.epoch();
    net.coord.relay_all().unwrap();
    check(&net, &consumers);
    assert!(!consumer_set(&net, &consumers[0]).contains_key(key(4).bytes()));
    let outstanding: OutstandingDowntimeResponse = net
        .coord
        .chain("consumer-a")
        .unwrap()
        .query(
            &contract,
            &ConsumerQuery::OutstandingDowntime {
                start_after: None,
                limit: None,
            },
        )
        .unwrap();
    assert!(
        outstanding.validators.is_empty(),
        "the slash ack cleared it"
    );
}
