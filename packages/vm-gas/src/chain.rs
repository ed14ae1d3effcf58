//! A chain of contracts running on the real VM, one fresh instance per call as wasmd does.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use cosmwasm_std::testing::mock_env;
use cosmwasm_std::{
    to_json_binary, Addr, Binary, Checksum, Coin, ContractInfoResponse, ContractResult, CustomMsg,
    CustomQuery, Empty, Env, Ibc3ChannelOpenResponse, IbcBasicResponse, IbcChannel,
    IbcChannelCloseMsg, IbcChannelConnectMsg, IbcChannelOpenMsg, IbcPacketAckMsg,
    IbcPacketReceiveMsg, IbcPacketTimeoutMsg, IbcReceiveResponse, IbcSourceCallbackMsg,
    MessageInfo, Reply, Response, SystemError, SystemResult, Timestamp, WasmQuery,
};
use cosmwasm_vm::testing::MockApi;
use cosmwasm_vm::{
    capabilities_from_csv, Backend, Cache, CacheOptions, Instance, InstanceOptions, Size, VmResult,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::config::VM_GAS_PER_SDK_GAS;
use crate::querier::ChainQuerier;
use crate::report::{CallReport, EventCost};
use crate::storage::{KvStore, MeteredStorage, StorageTally};

/// Gas limit of one call, in SDK gas: far above any block's, so only a runaway loop hits it.
const CALL_GAS_LIMIT_SDK: u64 = 1_000_000_000;

/// The capabilities wasmd (v0.61–v0.70) advertises: a contract that needs more cannot be
/// stored there, and cannot be deployed here either.
pub const WASMD_CAPABILITIES: &str = "iterator,staking,stargate,cosmwasm_1_1,cosmwasm_1_2,\
cosmwasm_1_3,cosmwasm_1_4,cosmwasm_2_0,cosmwasm_2_1,cosmwasm_2_2";

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
    #[error("cannot set up the module cache in {dir}: {reason}")]
    Cache { dir: String, reason: String },
}

/// Every contract's store and the block, as saved by [`VmChain::snapshot`].
#[derive(Clone, Debug)]
pub struct ChainSnapshot {
    env: Env,
    stores: BTreeMap<Addr, KvStore>,
}

/// A contract's answer and what it cost.
#[derive(Debug)]
pub struct Outcome<R> {
    pub response: R,
    pub report: CallReport,
}

type CustomHandler<Q> = Rc<dyn Fn(&Q) -> cosmwasm_std::QuerierResult>;
type Inst<Q> = Instance<MockApi, MeteredStorage, ChainQuerier<Q>>;
type ModuleCache<Q> = Cache<MockApi, MeteredStorage, ChainQuerier<Q>>;

struct Deployed {
    checksum: Checksum,
    store: KvStore,
    /// The wasmd admin: whoever instantiated it (as the simulator's chains do).
    admin: Addr,
}

/// The VM's module cache, as a node keeps one: code is checked and compiled once, then every
/// call gets a fresh instance of the compiled module. Lives in a private temporary folder.
struct CodeCache<Q: CustomQuery + DeserializeOwned + 'static> {
    cache: ModuleCache<Q>,
    dir: std::path::PathBuf,
}

impl<Q: CustomQuery + DeserializeOwned + 'static> CodeCache<Q> {
    fn new() -> Result<Self, VmCallError> {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("cw-ics-vm-gas-{}-{n}", std::process::id()));
        let cache_error = |reason: String| VmCallError::Cache {
            dir: dir.display().to_string(),
            reason,
        };
        let options = CacheOptions::new(
            &dir,
            capabilities_from_csv(WASMD_CAPABILITIES),
            Size::mebi(200),
            Size::mebi(32),
        );
        // SAFETY: the folder is private to this process and this cache (unique name above).
        let cache = unsafe { Cache::new(options) }.map_err(|err| cache_error(err.to_string()))?;
        Ok(CodeCache { cache, dir })
    }
}

impl<Q: CustomQuery + DeserializeOwned + 'static> Drop for CodeCache<Q> {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Contracts on one simulated chain. `Q` is the chain's custom query type.
pub struct VmChain<Q: CustomQuery + DeserializeOwned + 'static = Empty> {
    pub env: Env,
    api: MockApi,
    code_cache: CodeCache<Q>,
    contracts: BTreeMap<Addr, Deployed>,
    custom_handler: Option<CustomHandler<Q>>,
    next_contract: u64,
    /// Bank balances the chain answers (the VM runs no bank: a driver sets them).
    balances: BTreeMap<Addr, Vec<Coin>>,
    /// The IBC channels the chain answers `IbcQuery::Channel` with.
    ibc_channels: Vec<IbcChannel>,
}

impl<Q: CustomQuery + DeserializeOwned + 'static> VmChain<Q> {
    /// A chain with no contracts. Fails only when the module cache's temporary folder cannot
    /// be created.
    pub fn new(chain_id: &str) -> Result<Self, VmCallError> {
        let mut env = mock_env();
        env.block.chain_id = chain_id.to_string();
        Ok(VmChain {
            env,
            api: MockApi::default(),
            code_cache: CodeCache::new()?,
            contracts: BTreeMap::new(),
            custom_handler: None,
            next_contract: 0,
            balances: BTreeMap::new(),
            ibc_channels: vec![],
        })
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

    /// What the bank answers for `address` from now on.
    pub fn set_balance(&mut self, address: &Addr, coins: Vec<Coin>) {
        self.balances.insert(address.clone(), coins);
    }

    /// The channels `IbcQuery::Channel` answers from now on.
    pub fn set_ibc_channels(&mut self, channels: Vec<IbcChannel>) {
        self.ibc_channels = channels;
    }

    pub fn advance(&mut self, blocks: u64, seconds: u64) {
        self.env.block.height += blocks;
        self.env.block.time = self.env.block.time.plus_seconds(seconds);
    }

    pub fn set_time(&mut self, time: Timestamp) {
        self.env.block.time = time;
    }

    /// Stores `wasm` as wasmd's `MsgStoreCode` would (static checks against wasmd's
    /// capabilities, compilation); storing the same code twice is harmless.
    pub fn store_code(&mut self, wasm: &[u8]) -> Result<Checksum, VmCallError> {
        self.code_cache
            .cache
            .store_code(wasm, true, true)
            .map_err(|err| VmCallError::Vm(err.to_string()))
    }

    /// Deploys `wasm` and runs its `instantiate`; `C` is the contract's custom message type.
    pub fn instantiate<C: CustomMsg + DeserializeOwned>(
        &mut self,
        wasm: &[u8],
        sender: &Addr,
        msg: &impl Serialize,
        funds: &[Coin],
    ) -> Result<(Addr, Outcome<Response<C>>), VmCallError> {
        let checksum = self.store_code(wasm)?;
        let address = self.addr(&format!("contract{}", self.next_contract));
        self.next_contract += 1;
        self.contracts.insert(
            address.clone(),
            Deployed {
                checksum,
                store: KvStore::new(),
                admin: sender.clone(),
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

    pub fn reply<C: CustomMsg + DeserializeOwned>(
        &mut self,
        contract: &Addr,
        msg: &Reply,
    ) -> Result<Outcome<Response<C>>, VmCallError> {
        self.call(contract, "reply", |instance, env| {
            cosmwasm_vm::call_reply(instance, env, msg)
        })
    }

    pub fn ibc_source_callback<C: CustomMsg + DeserializeOwned>(
        &mut self,
        contract: &Addr,
        msg: &IbcSourceCallbackMsg,
    ) -> Result<Outcome<IbcBasicResponse<C>>, VmCallError> {
        self.call(contract, "ibc_source_callback", |instance, env| {
            cosmwasm_vm::call_ibc_source_callback(instance, env, msg)
        })
    }

    /// A contract's raw store, e.g. to compare it with the same contract's state elsewhere.
    pub fn store(&self, contract: &Addr) -> Option<&KvStore> {
        self.contracts.get(contract).map(|deployed| &deployed.store)
    }

    /// Saves the whole chain's contract state, to measure one operation from the same starting
    /// point several times (`restore` puts it back).
    pub fn snapshot(&self) -> ChainSnapshot {
        ChainSnapshot {
            env: self.env.clone(),
            stores: self
                .contracts
                .iter()
                .map(|(address, deployed)| (address.clone(), deployed.store.clone()))
                .collect(),
        }
    }

    pub fn restore(&mut self, snapshot: &ChainSnapshot) {
        self.env = snapshot.env.clone();
        for (address, store) in &snapshot.stores {
            if let Some(deployed) = self.contracts.get_mut(address) {
                deployed.store = store.clone();
            }
        }
    }

    /// Runs one entrypoint on a fresh instance over the contract's store; commits the store
    /// only when the contract succeeded.
    fn call<R: EventCost>(
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
            querier: self.querier(contract),
        };
        let options = InstanceOptions {
            gas_limit: CALL_GAS_LIMIT_SDK * VM_GAS_PER_SDK_GAS,
        };
        let mut instance = self
            .code_cache
            .cache
            .get_instance(&deployed.checksum, backend, options)
            .map_err(|err| VmCallError::Vm(err.to_string()))?;
        let mut env = self.env.clone();
        env.contract.address = contract.clone();
        let result = run(&mut instance, &env);
        let gas = instance.create_gas_report();
        let backend = instance
            .recycle()
            .ok_or_else(|| VmCallError::Vm("the instance kept its backend".to_string()))?;
        let result = result.map_err(|err| VmCallError::Vm(err.to_string()))?;
        let mut report = CallReport::new(entrypoint, gas.used_internally, tally.take());
        match result {
            ContractResult::Ok(response) => {
                report.event_gas = response.event_gas();
                if let Some(deployed) = self.contracts.get_mut(contract) {
                    deployed.store = backend.storage.into_data();
                }
                Ok(Outcome { response, report })
            }
            ContractResult::Err(err) => Err(VmCallError::Contract(err)),
        }
    }

    fn querier(&self, contract: &Addr) -> ChainQuerier<Q> {
        let balances: Vec<(String, Vec<Coin>)> = self
            .balances
            .iter()
            .map(|(address, coins)| (address.to_string(), coins.clone()))
            .collect();
        let balances: Vec<(&str, &[Coin])> = balances
            .iter()
            .map(|(address, coins)| (address.as_str(), coins.as_slice()))
            .collect();
        let mut querier = cosmwasm_std::testing::MockQuerier::<Q>::new(&balances);
        querier
            .ibc
            .update(format!("wasm.{contract}"), &self.ibc_channels);
        let admins: BTreeMap<String, Addr> = self
            .contracts
            .iter()
            .map(|(address, deployed)| (address.to_string(), deployed.admin.clone()))
            .collect();
        querier.update_wasm(move |query| match query {
            WasmQuery::ContractInfo { contract_addr } => match admins.get(contract_addr) {
                Some(admin) => SystemResult::Ok(ContractResult::from(to_json_binary(
                    &ContractInfoResponse::new(
                        1,
                        admin.clone(),
                        Some(admin.clone()),
                        false,
                        Some(format!("wasm.{contract_addr}")),
                        None,
                    ),
                ))),
                None => SystemResult::Err(SystemError::NoSuchContract {
                    addr: contract_addr.clone(),
                }),
            },
            _ => SystemResult::Err(SystemError::UnsupportedRequest {
                kind: "wasm query".to_string(),
            }),
        });
        let inner = match &self.custom_handler {
            Some(handler) => {
                let handler = handler.clone();
                querier.with_custom_handler(move |query| handler(query))
            }
            None => querier.with_custom_handler(|_| {
                SystemResult::Err(cosmwasm_std::SystemError::UnsupportedRequest {
                    kind: "custom query on a chain without a handler".to_string(),
                })
            }),
        };
        ChainQuerier { inner }
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
