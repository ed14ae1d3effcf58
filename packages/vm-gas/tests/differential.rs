//! Differential check: the same sequence of calls through the contracts compiled natively (the
//! code cw-multi-test and the simulator run) and through the optimised Wasm artifacts on the VM
//! gives the same responses, the same acknowledgements and, key by key, the same state.
//! Catches Wasm-only bugs (e.g. a float or a platform-width integer in a path) and
//! serialisation drift between the two builds.

use std::cell::RefCell;
use std::marker::PhantomData;
use std::rc::Rc;

use cosmwasm_std::testing::{message_info, MockApi, MockQuerier, MockStorage};
use cosmwasm_std::{
    coin, from_json, to_json_binary, Addr, Binary, Coin, ContractResult, CosmosMsg, Env,
    IbcAcknowledgement, IbcBasicResponse, IbcChannel, IbcChannelConnectMsg, IbcChannelOpenMsg,
    IbcEndpoint, IbcMsg, IbcOrder, IbcPacket, IbcPacketAckMsg, IbcPacketReceiveMsg,
    IbcReceiveResponse, IbcTimeout, Order, OwnedDeps, Response, Storage, SystemResult, Timestamp,
    Uint128,
};
use cw_ics_bindings::{ChainMsg, ChainQuery, ChainSudoMsg, ValidatorVote, ValidatorVoteResponse};
use cw_ics_ccv::{ConsumerGenesis, CCV_VERSION};
use cw_ics_consumer as consumer;
use cw_ics_provider as provider;
use cw_ics_provider::msg::{ExecuteMsg, QueryMsg};
use cw_ics_vm_gas::artifacts::{load_artifact, CONSUMER_ARTIFACT, PROVIDER_ARTIFACT};
use cw_ics_vm_gas::ccv::provider::{instantiate_msg, registration, DENOM, POWER_REDUCTION};
use cw_ics_vm_gas::ccv::validator_key;
use cw_ics_vm_gas::{VmCallError, VmChain};
use serde::Serialize;

type NativeDeps = OwnedDeps<MockStorage, MockApi, MockQuerier<ChainQuery>, ChainQuery>;
type Votes = Rc<RefCell<Vec<ValidatorVote>>>;

fn artifact(name: &str) -> Vec<u8> {
    load_artifact(name).unwrap_or_else(|error| panic!("{error}"))
}

/// The contract's own error text from a VM failure (the VM adds nothing to it).
fn vm_error(error: VmCallError) -> String {
    match error {
        VmCallError::Contract(text) => text,
        other => panic!("the VM failed where the contract should have answered: {other}"),
    }
}

fn votes_handler(votes: Votes) -> impl Fn(&ChainQuery) -> cosmwasm_std::QuerierResult {
    move |query| match query {
        ChainQuery::ValidatorVotes {} => SystemResult::Ok(ContractResult::from(to_json_binary(
            &ValidatorVoteResponse {
                votes: votes.borrow().clone(),
            },
        ))),
    }
}

fn native_deps(votes: Votes) -> NativeDeps {
    OwnedDeps {
        storage: MockStorage::default(),
        api: MockApi::default(),
        querier: MockQuerier::<ChainQuery>::new(&[]).with_custom_handler(votes_handler(votes)),
        custom_query_type: PhantomData,
    }
}

fn native_store(storage: &dyn Storage) -> Vec<(Vec<u8>, Vec<u8>)> {
    storage.range(None, None, Order::Ascending).collect()
}

/// One contract, deployed both ways on one chain; every call runs on both and must agree.
struct Twin {
    chain: VmChain<ChainQuery>,
    address: Addr,
    native: NativeDeps,
    calls: usize,
}

impl Twin {
    fn env(&self) -> Env {
        let mut env = self.chain.env.clone();
        env.contract.address = self.address.clone();
        env
    }

    fn agree<T: PartialEq + std::fmt::Debug>(
        &mut self,
        what: &str,
        vm: Result<T, String>,
        native: Result<T, String>,
    ) -> Result<T, String> {
        self.calls += 1;
        assert_eq!(
            vm, native,
            "{what}: the Wasm artifact and the native build differ"
        );
        vm
    }

    fn assert_same_state(&self, name: &str) {
        let vm: Vec<(Vec<u8>, Vec<u8>)> = self
            .chain
            .store(&self.address)
            .expect("deployed")
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let native = native_store(&self.native.storage);
        assert!(!vm.is_empty(), "{name}: empty state");
        assert_eq!(vm.len(), native.len(), "{name}: number of keys differs");
        for ((vk, vv), (nk, nv)) in vm.iter().zip(&native) {
            assert_eq!(
                vk,
                nk,
                "{name}: keys differ: {} vs {}",
                String::from_utf8_lossy(vk),
                String::from_utf8_lossy(nk)
            );
            assert_eq!(
                vv,
                nv,
                "{name}: value of {} differs",
                String::from_utf8_lossy(vk)
            );
        }
    }
}

macro_rules! twin_entrypoints {
    ($name:ident, $module:ident, $exec:ty, $query:ty) => {
        struct $name(Twin);

        impl $name {
            fn instantiate(
                wasm: &[u8],
                chain_id: &str,
                creator: &str,
                msg: &impl Serialize,
                native_msg: $module::msg::InstantiateMsg,
                votes: Votes,
            ) -> Self {
                let mut chain = VmChain::<ChainQuery>::new(chain_id)
                    .expect("vm chain")
                    .with_custom_query_handler(votes_handler(votes.clone()));
                let creator = chain.addr(creator);
                let (address, outcome) = chain
                    .instantiate::<ChainMsg>(wasm, &creator, msg, &[])
                    .expect("instantiate on the VM");
                let mut twin = Twin {
                    chain,
                    address,
                    native: native_deps(votes),
                    calls: 0,
                };
                let env = twin.env();
                let native = $module::contract::instantiate(
                    twin.native.as_mut(),
                    env,
                    message_info(&creator, &[]),
                    native_msg,
                )
                .map_err(|e| e.to_string());
                twin.agree("instantiate", Ok(outcome.response), native)
                    .expect("instantiate");
                $name(twin)
            }

            fn execute(
                &mut self,
                sender: &Addr,
                msg: $exec,
                funds: &[Coin],
            ) -> Result<Response<ChainMsg>, String> {
                let t = &mut self.0;
                let env = t.env();
                let vm = t
                    .chain
                    .execute::<ChainMsg>(&t.address, sender, &msg, funds)
                    .map(|o| o.response)
                    .map_err(vm_error);
                let native = $module::contract::execute(
                    t.native.as_mut(),
                    env,
                    message_info(sender, funds),
                    msg,
                )
                .map_err(|e| e.to_string());
                t.agree("execute", vm, native)
            }

            fn sudo(&mut self, msg: ChainSudoMsg) -> Result<Response<ChainMsg>, String> {
                let t = &mut self.0;
                let env = t.env();
                let vm = t
                    .chain
                    .sudo::<ChainMsg>(&t.address, &msg)
                    .map(|o| o.response)
                    .map_err(vm_error);
                let native =
                    $module::contract::sudo(t.native.as_mut(), env, msg).map_err(|e| e.to_string());
                t.agree("sudo", vm, native)
            }

            fn query(&mut self, msg: $query) -> Result<Binary, String> {
                let t = &mut self.0;
                let env = t.env();
                let vm = t
                    .chain
                    .query(&t.address, &msg)
                    .map(|o| o.response)
                    .map_err(vm_error);
                let native = $module::contract::query(t.native.as_ref(), env, msg)
                    .map_err(|e| e.to_string());
                t.agree("query", vm, native)
            }

            fn channel_open(&mut self, msg: IbcChannelOpenMsg) -> Result<(), String> {
                let t = &mut self.0;
                let env = t.env();
                let vm = t
                    .chain
                    .ibc_channel_open(&t.address, &msg)
                    .map(|o| o.response)
                    .map_err(vm_error);
                let native = $module::ibc::ibc_channel_open(t.native.as_mut(), env, msg)
                    .map_err(|e| e.to_string());
                t.agree("ibc_channel_open", vm, native).map(|_| ())
            }

            fn channel_connect(
                &mut self,
                msg: IbcChannelConnectMsg,
            ) -> Result<IbcBasicResponse<ChainMsg>, String> {
                let t = &mut self.0;
                let env = t.env();
                let vm = t
                    .chain
                    .ibc_channel_connect::<ChainMsg>(&t.address, &msg)
                    .map(|o| o.response)
                    .map_err(vm_error);
                let native = $module::ibc::ibc_channel_connect(t.native.as_mut(), env, msg)
                    .map_err(|e| e.to_string());
                t.agree("ibc_channel_connect", vm, native)
            }

            fn receive(&mut self, msg: IbcPacketReceiveMsg) -> IbcReceiveResponse<ChainMsg> {
                let t = &mut self.0;
                let env = t.env();
                let vm = t
                    .chain
                    .ibc_packet_receive::<ChainMsg>(&t.address, &msg)
                    .map(|o| o.response)
                    .map_err(vm_error);
                let native = $module::ibc::ibc_packet_receive(t.native.as_mut(), env, msg)
                    .map_err(|e| e.to_string());
                t.agree("ibc_packet_receive", vm, native)
                    .expect("receive never fails: refusals are error acks")
            }

            fn ack(&mut self, msg: IbcPacketAckMsg) -> Result<IbcBasicResponse<ChainMsg>, String> {
                let t = &mut self.0;
                let env = t.env();
                let vm = t
                    .chain
                    .ibc_packet_ack::<ChainMsg>(&t.address, &msg)
                    .map(|o| o.response)
                    .map_err(vm_error);
                let native = $module::ibc::ibc_packet_ack(t.native.as_mut(), env, msg)
                    .map_err(|e| e.to_string());
                t.agree("ibc_packet_ack", vm, native)
            }
        }
    };
}

twin_entrypoints!(ProviderTwin, provider, ExecuteMsg, QueryMsg);
twin_entrypoints!(
    ConsumerTwin,
    consumer,
    consumer::msg::ExecuteMsg,
    consumer::msg::QueryMsg
);

/// Packets a response sends: (data, timeout).
fn packets(messages: &[cosmwasm_std::SubMsg<ChainMsg>]) -> Vec<(Binary, IbcTimeout)> {
    messages
        .iter()
        .filter_map(|sub| match &sub.msg {
            CosmosMsg::Ibc(IbcMsg::SendPacket { data, timeout, .. }) => {
                Some((data.clone(), timeout.clone()))
            }
            _ => None,
        })
        .collect()
}

const PROVIDER_CHANNEL: &str = "channel-7";
const CONSUMER_CHANNEL: &str = "channel-3";

/// Both ends of the CCV channel, and a relayer that runs every packet through both builds.
struct Network {
    provider: ProviderTwin,
    consumer: ConsumerTwin,
    votes: Votes,
    to_consumer_sequence: u64,
    to_provider_sequence: u64,
    acks_seen: Vec<Binary>,
}

impl Network {
    fn provider_end(&self) -> IbcEndpoint {
        IbcEndpoint {
            port_id: format!("wasm.{}", self.provider.0.address),
            channel_id: PROVIDER_CHANNEL.to_string(),
        }
    }

    fn consumer_end(&self) -> IbcEndpoint {
        IbcEndpoint {
            port_id: format!("wasm.{}", self.consumer.0.address),
            channel_id: CONSUMER_CHANNEL.to_string(),
        }
    }

    fn advance(&mut self, blocks: u64, seconds: u64) {
        self.provider.0.chain.advance(blocks, seconds);
        self.consumer.0.chain.advance(blocks, seconds);
    }

    /// Delivers provider → consumer packets, then relays the acks back.
    fn relay_to_consumer(&mut self, sent: Vec<(Binary, IbcTimeout)>) {
        let relayer = self.provider.0.chain.addr("relayer");
        for (data, timeout) in sent {
            let packet = IbcPacket::new(
                data,
                self.provider_end(),
                self.consumer_end(),
                self.to_consumer_sequence,
                timeout,
            );
            self.to_consumer_sequence += 1;
            let response = self
                .consumer
                .receive(IbcPacketReceiveMsg::new(packet.clone(), relayer.clone()));
            let ack = response.acknowledgement.clone().expect("an ack");
            self.acks_seen.push(ack.clone());
            let back = self
                .consumer_packets_after(&response.messages)
                .into_iter()
                .collect::<Vec<_>>();
            self.provider
                .ack(IbcPacketAckMsg::new(
                    IbcAcknowledgement::new(ack),
                    packet,
                    relayer.clone(),
                ))
                .expect("the provider takes the ack");
            self.relay_to_provider(back);
        }
    }

    fn consumer_packets_after(
        &self,
        messages: &[cosmwasm_std::SubMsg<ChainMsg>],
    ) -> Vec<(Binary, IbcTimeout)> {
        packets(messages)
    }

    /// Delivers consumer → provider packets, then relays the acks back.
    fn relay_to_provider(&mut self, sent: Vec<(Binary, IbcTimeout)>) {
        let relayer = self.consumer.0.chain.addr("relayer");
        for (data, timeout) in sent {
            let packet = IbcPacket::new(
                data,
                self.consumer_end(),
                self.provider_end(),
                self.to_provider_sequence,
                timeout,
            );
            self.to_provider_sequence += 1;
            let response = self
                .provider
                .receive(IbcPacketReceiveMsg::new(packet.clone(), relayer.clone()));
            let ack = response.acknowledgement.clone().expect("an ack");
            self.acks_seen.push(ack.clone());
            let forward = packets(&response.messages);
            let after_ack = self
                .consumer
                .ack(IbcPacketAckMsg::new(
                    IbcAcknowledgement::new(ack),
                    packet,
                    relayer.clone(),
                ))
                .expect("the consumer takes the ack");
            let more = packets(&after_ack.messages);
            self.relay_to_consumer(forward);
            self.relay_to_provider(more);
        }
    }

    /// Runs the provider's epoch (tick until done) and relays what it sends.
    fn epoch(&mut self) {
        let anyone = self.provider.0.chain.addr("anyone");
        for _ in 0..100 {
            let epoch: provider::msg::EpochResponse =
                from_json(self.provider.query(QueryMsg::Epoch {}).expect("epoch")).expect("json");
            if !epoch.in_progress
                && self.provider.0.chain.env.block.height < epoch.next_epoch_height
            {
                let blocks = epoch.next_epoch_height - self.provider.0.chain.env.block.height;
                self.advance(blocks, blocks * 6);
            }
            let response = self
                .provider
                .execute(&anyone, ExecuteMsg::Tick {}, &[])
                .expect("tick");
            let sent = packets(&response.messages);
            self.relay_to_consumer(sent);
            let epoch: provider::msg::EpochResponse =
                from_json(self.provider.query(QueryMsg::Epoch {}).expect("epoch")).expect("json");
            if !epoch.in_progress {
                return;
            }
        }
        panic!("the epoch never finished");
    }

    /// One consumer block: begin_block (liveness), end_with_validator_update, tick.
    fn consumer_block(&mut self) {
        self.advance(1, 6);
        let begin = self
            .consumer
            .sudo(ChainSudoMsg::BeginBlock { evidence: vec![] })
            .expect("begin_block");
        self.relay_to_provider(packets(&begin.messages));
        self.consumer
            .sudo(ChainSudoMsg::EndWithValidatorUpdate {})
            .expect("end_with_validator_update");
        let anyone = self.consumer.0.chain.addr("anyone");
        let tick = self
            .consumer
            .execute(&anyone, consumer::msg::ExecuteMsg::Tick {}, &[])
            .expect("consumer tick");
        self.relay_to_provider(packets(&tick.messages));
    }
}

fn channel(local: IbcEndpoint, remote: IbcEndpoint, connection: &str) -> IbcChannel {
    IbcChannel::new(local, remote, IbcOrder::Ordered, CCV_VERSION, connection)
}

#[test]
fn wasm_artifacts_and_native_contracts_agree_on_a_whole_ccv_life() {
    let provider_wasm = artifact(PROVIDER_ARTIFACT);
    let consumer_wasm = artifact(CONSUMER_ARTIFACT);
    let votes: Votes = Rc::new(RefCell::new(vec![]));

    // Provider: validators, stake, a consumer registered with a short liveness window.
    let mut msg = instantiate_msg();
    msg.config.max_validators = 4;
    let mut provider = ProviderTwin::instantiate(
        &provider_wasm,
        "provider-1",
        "admin",
        &msg,
        msg.clone(),
        votes.clone(),
    );
    let admin = provider.0.chain.addr("admin");
    let operators: Vec<Addr> = (0..5)
        .map(|i| provider.0.chain.addr(&format!("operator{i}")))
        .collect();
    for (i, operator) in operators.iter().enumerate() {
        provider
            .execute(
                operator,
                ExecuteMsg::RegisterValidator {
                    pub_key: validator_key(i as u32),
                    moniker: format!("v{i}"),
                    commission: cosmwasm_std::Decimal::percent(5),
                },
                &[],
            )
            .expect("register validator");
        provider
            .execute(
                operator,
                ExecuteMsg::Bond {
                    validator: operator.to_string(),
                },
                &[coin((10 + i as u128) * POWER_REDUCTION, DENOM)],
            )
            .expect("bond");
    }
    // Refusals must agree too (same error text from both builds).
    let refused = provider.execute(
        &operators[0],
        ExecuteMsg::Bond {
            validator: operators[1].to_string(),
        },
        &[coin(5, "wrongdenom")],
    );
    assert!(refused.is_err());

    let consumer_port_placeholder = "wasm.unknown".to_string();
    let mut reg = registration(0, Timestamp::from_seconds(0));
    reg.spawn_time = provider.0.chain.env.block.time;
    reg.signed_blocks_window = 10;
    reg.counterparty_port_id = Some(consumer_port_placeholder);
    provider
        .execute(&admin, ExecuteMsg::RegisterConsumer(reg.clone()), &[])
        .expect("register consumer");

    // Consumer: instantiated from the genesis the provider serves after launch.
    let mut network = Network {
        provider,
        consumer: ConsumerTwin::instantiate(
            &consumer_wasm,
            "consumer-0",
            "placeholder",
            &consumer::msg::InstantiateMsg {
                genesis: placeholder_genesis(),
            },
            consumer::msg::InstantiateMsg {
                genesis: placeholder_genesis(),
            },
            votes.clone(),
        ),
        votes: votes.clone(),
        to_consumer_sequence: 1,
        to_provider_sequence: 1,
        acks_seen: vec![],
    };
    network.epoch();
    let genesis: ConsumerGenesis = from_json(
        network
            .provider
            .query(QueryMsg::ConsumerGenesis { consumer_id: 1 })
            .expect("genesis"),
    )
    .expect("json");
    network.consumer = ConsumerTwin::instantiate(
        &consumer_wasm,
        "consumer-0",
        "deployer",
        &consumer::msg::InstantiateMsg {
            genesis: genesis.clone(),
        },
        consumer::msg::InstantiateMsg {
            genesis: genesis.clone(),
        },
        votes.clone(),
    );
    *votes.borrow_mut() = genesis
        .initial_validator_set
        .iter()
        .map(|v| ValidatorVote {
            address: Binary::new(v.pub_key.consensus_address().as_bytes().to_vec()),
            power: v.power,
            voted: true,
        })
        .collect();
    let consumer_port = format!("wasm.{}", network.consumer.0.address);
    network
        .provider
        .execute(
            &admin,
            ExecuteMsg::UpdateConsumer {
                consumer_id: 1,
                update: provider::msg::ConsumerUpdate {
                    counterparty_port_id: Some(consumer_port),
                    ..Default::default()
                },
            },
            &[],
        )
        .expect("set the consumer's port");
    network
        .consumer
        .sudo(ChainSudoMsg::PrivilegeChange(
            cw_ics_bindings::PrivilegeChange::Promoted {},
        ))
        .expect("promoted");

    // Handshake: OpenInit, OpenTry, OpenAck, OpenConfirm (which flushes the queued VSCs).
    let on_consumer = channel(
        network.consumer_end(),
        network.provider_end(),
        &genesis.connection_id,
    );
    let on_provider = channel(
        network.provider_end(),
        network.consumer_end(),
        &reg.connection_id,
    );
    network
        .consumer
        .channel_open(IbcChannelOpenMsg::new_init(on_consumer.clone()))
        .expect("open init");
    network
        .provider
        .channel_open(IbcChannelOpenMsg::new_try(on_provider.clone(), CCV_VERSION))
        .expect("open try");
    network
        .consumer
        .channel_connect(IbcChannelConnectMsg::new_ack(on_consumer, CCV_VERSION))
        .expect("open ack");
    let confirm = network
        .provider
        .channel_connect(IbcChannelConnectMsg::new_confirm(on_provider))
        .expect("open confirm");
    network.relay_to_consumer(packets(&confirm.messages));
    // The chain's end-block hook between epoch boundaries (promotes the provider to
    // end-blocker bookkeeping; no epoch work yet).
    let end_block = network
        .provider
        .sudo(ChainSudoMsg::EndBlock {})
        .expect("end_block");
    network.relay_to_consumer(packets(&end_block.messages));
    network.epoch();
    network.consumer_block();

    // Power changes: a fifth validator enters the top 4, another unbonds.
    network
        .provider
        .execute(
            &operators[0],
            ExecuteMsg::Bond {
                validator: operators[0].to_string(),
            },
            &[coin(20 * POWER_REDUCTION, DENOM)],
        )
        .expect("bond more");
    network
        .provider
        .execute(
            &operators[3],
            ExecuteMsg::Unbond {
                validator: operators[3].to_string(),
                amount: Uint128::new(POWER_REDUCTION),
            },
            &[],
        )
        .expect("unbond");
    network.epoch();
    network.consumer_block();

    // Downtime: the validator at index 1 of the consumer's votes stops signing.
    if let Some(vote) = network.votes.borrow_mut().get_mut(1) {
        vote.voted = false;
    }
    for _ in 0..12 {
        network.consumer_block();
    }
    network.epoch();
    network.consumer_block();

    // Maturity: past the consumer's and the provider's unbonding periods.
    network.advance(10, 3 * 24 * 3600 + 60);
    network.consumer_block();
    network.epoch();
    let withdraw =
        network
            .provider
            .execute(&operators[3], ExecuteMsg::Withdraw { entry_ids: None }, &[]);
    assert!(withdraw.is_ok(), "withdraw: {withdraw:?}");

    // Every query both builds answer must match as well.
    for query in [
        QueryMsg::Config {},
        QueryMsg::Epoch {},
        QueryMsg::Consumer { consumer_id: 1 },
        QueryMsg::Validators {
            start_after: None,
            limit: None,
        },
        QueryMsg::SlashLog {
            start_after: None,
            limit: None,
        },
    ] {
        network.provider.query(query).expect("provider query");
    }
    for query in [
        consumer::msg::QueryMsg::Status {},
        consumer::msg::QueryMsg::CurrentSet {},
        consumer::msg::QueryMsg::PendingPackets {
            start_at: None,
            limit: None,
        },
    ] {
        network.consumer.query(query).expect("consumer query");
    }

    network.provider.0.assert_same_state("provider");
    network.consumer.0.assert_same_state("consumer");
    // The run must have exercised the protocol, not just set it up.
    let slash_log: provider::msg::SlashLogResponse = from_json(
        network
            .provider
            .query(QueryMsg::SlashLog {
                start_after: None,
                limit: None,
            })
            .expect("slash log"),
    )
    .expect("json");
    assert_eq!(slash_log.records.len(), 1, "one downtime slash handled");
    let status: consumer::msg::StatusResponse = from_json(
        network
            .consumer
            .query(consumer::msg::QueryMsg::Status {})
            .expect("status"),
    )
    .expect("json");
    assert!(status.established && status.last_vsc_id >= 2, "{status:?}");
    assert!(
        network.acks_seen.len() >= 4,
        "{} acks",
        network.acks_seen.len()
    );
    assert!(network.provider.0.calls + network.consumer.0.calls > 80);
}

/// A throwaway genesis for the consumer slot before the provider serves the real one.
fn placeholder_genesis() -> ConsumerGenesis {
    cw_ics_vm_gas::ccv::consumer::genesis(1, cw_ics_vm_gas::ccv::consumer::params())
}

#[test]
#[should_panic(expected = "number of keys differs")]
fn a_state_difference_is_caught() {
    let wasm = artifact(PROVIDER_ARTIFACT);
    let msg = instantiate_msg();
    let mut twin = ProviderTwin::instantiate(
        &wasm,
        "provider-1",
        "admin",
        &msg,
        msg.clone(),
        Rc::new(RefCell::new(vec![])),
    );
    twin.0.native.storage.set(b"only-native", b"1");
    twin.0.assert_same_state("provider");
}
