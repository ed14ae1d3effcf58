//! A chain of contracts running on the real VM, one fresh instance per call as wasmd does.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use cosmwasm_std::testing::mock_env;
use cosmwasm_std::{
    Addr, Binary, Coin, ContractResult, CustomMsg, CustomQuery, Empty, Env,
    Ibc3ChannelOpenResponse, IbcBasicResponse, IbcChannelCloseMsg, IbcChannelConnectMsg,
    IbcChannelOpenMsg, IbcPacketAckMsg, IbcPacketReceiveMsg, IbcPacketTimeoutMsg,
    IbcReceiveResponse, MessageInfo, Response, SystemResult, Timestamp,
};
use cosmwasm_vm::testing::{MockApi, MockQuerier};
use cosmwasm_vm::{Backend, Instance, InstanceOptions, VmResult};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::config::VM_GAS_PER_SDK_GAS;
use crate::report::CallReport;
use crate::storage::{KvStore, MeteredStorage, StorageTally};

/// Gas limit of one call, in SDK gas: far above any block's, so only a runaway loop hits it.
const CALL_GAS_LIMIT_SDK: u64 = 1_000_000_000;

#[derive(Debug, thiserror::Error)]
pub enum VmCallError {
    #[error("no contract at {0}")]
    UnknownContract(String),
    #[error("the VM failed: {0}")]
    Vm(String),
    #[error("the contract returned an error: {0}")]
    Contract(String),
    #[error("cannot encode the message: {0}")]
    Encode(String),
}

/// A contract's answer and what it cost.
#[derive(Debug)]
pub struct Outcome<R> {
    pub response: R,
    pub report: CallReport,
}

type CustomHandler<Q> = Rc<dyn Fn(&Q) -> cosmwasm_std::QuerierResult>;
type Inst<Q> = Instance<MockApi, MeteredStorage, MockQuerier<Q>>;

struct Deployed {
    code: Rc<Vec<u8>>,
    store: KvStore,
}

/// Contracts on one simulated chain. `Q` is the chain's custom query type.
pub struct VmChain<Q: CustomQuery + DeserializeOwned + 'static = Empty> {
    pub env: Env,
    api: MockApi,
    contracts: BTreeMap<Addr, Deployed>,
    custom_handler: Option<CustomHandler<Q>>,
    next_contract: u64,
}

impl<Q: CustomQuery + DeserializeOwned + 'static> VmChain<Q> {
    pub fn new(chain_id: &str) -> Self {
        let mut env = mock_env();
        env.block.chain_id = chain_id.to_string();
        VmChain {
            env,
            api: MockApi::default(),
            contracts: BTreeMap::new(),
            custom_handler: None,
            next_contract: 0,
        }
    }

    /// Answers the contracts' custom queries (e.g. the chain ABI's `validator_votes`).
    pub fn with_custom_query_handler(
        mut self,
        handler: impl Fn(&Q) -> cosmwasm_std::QuerierResult + 'static,
    ) -> Self {
        self.custom_handler = Some(Rc::new(handler));
        self
    }

    /// A bech32 address of this chain, derived from a label (as `MockApi::addr_make`).
    pub fn addr(&self, label: &str) -> Addr {
        Addr::unchecked(self.api.addr_make(label))
    }

    pub fn advance(&mut self, blocks: u64, seconds: u64) {
        self.env.block.height += blocks;
        self.env.block.time = self.env.block.time.plus_seconds(seconds);
    }

    pub fn set_time(&mut self, time: Timestamp) {
        self.env.block.time = time;
    }

    /// Deploys `wasm` and runs its `instantiate`; `C` is the contract's custom message type.
    pub fn instantiate<C: CustomMsg + DeserializeOwned>(
        &mut self,
        wasm: Rc<Vec<u8>>,
        sender: &Addr,
        msg: &impl Serialize,
        funds: &[Coin],
    ) -> Result<(Addr, Outcome<Response<C>>), VmCallError> {
        let address = self.addr(&format!("contract{}", self.next_contract));
        self.next_contract += 1;
        self.contracts.insert(
            address.clone(),
            Deployed {
                code: wasm,
                store: KvStore::new(),
            },
        );
        let info = message_info(sender, funds);
        let msg = encode(msg)?;
        let outcome = self.call(&address, "instantiate", |instance, env| {
            cosmwasm_vm::call_instantiate(instance, env, &info, &msg)
        });
        if outcome.is_err() {
            self.contracts.remove(&address);
        }
        outcome.map(|outcome| (address, outcome))
    }

    pub fn execute<C: CustomMsg + DeserializeOwned>(
        &mut self,
        contract: &Addr,
        sender: &Addr,
        msg: &impl Serialize,
        funds: &[Coin],
    ) -> Result<Outcome<Response<C>>, VmCallError> {
        let info = message_info(sender, funds);
        let msg = encode(msg)?;
        self.call(contract, "execute", |instance, env| {
            cosmwasm_vm::call_execute(instance, env, &info, &msg)
        })
    }

    pub fn sudo<C: CustomMsg + DeserializeOwned>(
        &mut self,
        contract: &Addr,
        msg: &impl Serialize,
    ) -> Result<Outcome<Response<C>>, VmCallError> {
        let msg = encode(msg)?;
        self.call(contract, "sudo", |instance, env| {
            cosmwasm_vm::call_sudo(instance, env, &msg)
        })
    }

    /// Runs a query; queries never change state, and wasmd charges them like any call.
    pub fn query(
        &mut self,
        contract: &Addr,
        msg: &impl Serialize,
    ) -> Result<Outcome<Binary>, VmCallError> {
        let msg = encode(msg)?;
        self.call(contract, "query", |instance, env| {
            cosmwasm_vm::call_query(instance, env, &msg)
        })
    }

    pub fn ibc_channel_open(
        &mut self,
        contract: &Addr,
        msg: &IbcChannelOpenMsg,
    ) -> Result<Outcome<Option<Ibc3ChannelOpenResponse>>, VmCallError> {
        self.call(contract, "ibc_channel_open", |instance, env| {
            cosmwasm_vm::call_ibc_channel_open(instance, env, msg)
        })
    }

    pub fn ibc_channel_connect<C: CustomMsg + DeserializeOwned>(
        &mut self,
        contract: &Addr,
        msg: &IbcChannelConnectMsg,
    ) -> Result<Outcome<IbcBasicResponse<C>>, VmCallError> {
        self.call(contract, "ibc_channel_connect", |instance, env| {
            cosmwasm_vm::call_ibc_channel_connect(instance, env, msg)
        })
    }

    pub fn ibc_channel_close<C: CustomMsg + DeserializeOwned>(
        &mut self,
        contract: &Addr,
        msg: &IbcChannelCloseMsg,
    ) -> Result<Outcome<IbcBasicResponse<C>>, VmCallError> {
        self.call(contract, "ibc_channel_close", |instance, env| {
            cosmwasm_vm::call_ibc_channel_close(instance, env, msg)
        })
    }

    /// Delivers a packet. As on wasmd, a contract error reverts its state; the caller turns
    /// it into an error acknowledgement.
    pub fn ibc_packet_receive<C: CustomMsg + DeserializeOwned>(
        &mut self,
        contract: &Addr,
        msg: &IbcPacketReceiveMsg,
    ) -> Result<Outcome<IbcReceiveResponse<C>>, VmCallError> {
        self.call(contract, "ibc_packet_receive", |instance, env| {
            cosmwasm_vm::call_ibc_packet_receive(instance, env, msg)
        })
    }

    pub fn ibc_packet_ack<C: CustomMsg + DeserializeOwned>(
        &mut self,
        contract: &Addr,
        msg: &IbcPacketAckMsg,
    ) -> Result<Outcome<IbcBasicResponse<C>>, VmCallError> {
        self.call(contract, "ibc_packet_ack", |instance, env| {
            cosmwasm_vm::call_ibc_packet_ack(instance, env, msg)
        })
    }

    pub fn ibc_packet_timeout<C: CustomMsg + DeserializeOwned>(
        &mut self,
        contract: &Addr,
        msg: &IbcPacketTimeoutMsg,
    ) -> Result<Outcome<IbcBasicResponse<C>>, VmCallError> {
        self.call(contract, "ibc_packet_timeout", |instance, env| {
            cosmwasm_vm::call_ibc_packet_timeout(instance, env, msg)
        })
    }

    /// A contract's raw store, e.g. to compare it with the same contract's state elsewhere.
    pub fn store(&self, contract: &Addr) -> Option<&KvStore> {
        self.contracts.get(contract).map(|deployed| &deployed.store)
    }

    /// Runs one entrypoint on a fresh instance over the contract's store; commits the store
    /// only when the contract succeeded.
    fn call<R>(
        &mut self,
        contract: &Addr,
        entrypoint: &'static str,
        run: impl FnOnce(&mut Inst<Q>, &Env) -> VmResult<ContractResult<R>>,
    ) -> Result<Outcome<R>, VmCallError> {
        let deployed = self
            .contracts
            .get(contract)
            .ok_or_else(|| VmCallError::UnknownContract(contract.to_string()))?;
        let tally = Rc::new(RefCell::new(StorageTally::default()));
        let backend = Backend {
            api: self.api,
            storage: MeteredStorage::new(deployed.store.clone(), tally.clone()),
            querier: self.querier(),
        };
        let options = InstanceOptions {
            gas_limit: CALL_GAS_LIMIT_SDK * VM_GAS_PER_SDK_GAS,
        };
        let mut instance = Instance::from_code(&deployed.code, backend, options, None)
            .map_err(|err| VmCallError::Vm(err.to_string()))?;
        let mut env = self.env.clone();
        env.contract.address = contract.clone();
        let result = run(&mut instance, &env);
        let gas = instance.create_gas_report();
        let backend = instance
            .recycle()
            .ok_or_else(|| VmCallError::Vm("the instance kept its backend".to_string()))?;
        let result = result.map_err(|err| VmCallError::Vm(err.to_string()))?;
        let report = CallReport::new(entrypoint, gas.used_internally, tally.take());
        match result {
            ContractResult::Ok(response) => {
                if let Some(deployed) = self.contracts.get_mut(contract) {
                    deployed.store = backend.storage.into_data();
                }
                Ok(Outcome { response, report })
            }
            ContractResult::Err(err) => Err(VmCallError::Contract(err)),
        }
    }

    fn querier(&self) -> MockQuerier<Q> {
        let querier = MockQuerier::<Q>::new(&[]);
        match &self.custom_handler {
            Some(handler) => {
                let handler = handler.clone();
                querier.with_custom_handler(move |query| handler(query))
            }
            None => querier.with_custom_handler(|_| {
                SystemResult::Err(cosmwasm_std::SystemError::UnsupportedRequest {
                    kind: "custom query on a chain without a handler".to_string(),
                })
            }),
        }
    }
}

fn message_info(sender: &Addr, funds: &[Coin]) -> MessageInfo {
    MessageInfo {
        sender: sender.clone(),
        funds: funds.to_vec(),
    }
}

fn encode(msg: &impl Serialize) -> Result<Vec<u8>, VmCallError> {
    serde_json::to_vec(msg).map_err(|err| VmCallError::Encode(err.to_string()))
}
