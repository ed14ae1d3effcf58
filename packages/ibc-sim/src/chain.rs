//! One simulated chain: a cw-multi-test `App` with its own chain id, address prefix,
//! height and clock, the simulator's IBC module, and the light clients and connections
//! it holds.

use crate::error::{SimError, SimResult};
use crate::events::{EventLog, IbcEvent, Stamp};
use crate::module::SimIbcModule;
use crate::store::{
    drain_outbox, ChannelEnd, Commitment, OutboxEntry, ACKS, CHANNELS, COMMITMENTS, DENOM_TRACES,
    RECEIPTS,
};
use crate::transfer::is_error_ack;
use cosmwasm_std::testing::MockStorage;
use cosmwasm_std::{
    to_json_binary, Addr, Api, Binary, BlockInfo, CanonicalAddr, Coin, CosmosMsg, CustomMsg,
    CustomQuery, Empty, IbcMsg, IbcTimeout, Order, StdResult, Timestamp, Uint256, WasmMsg,
};
use cw_multi_test::{
    no_init, App, AppBuilder, AppResponse, BankKeeper, BankSudo, Contract, DistributionKeeper,
    Executor, FailingModule, GovFailingModule, MockApiBech32, Module, StakeKeeper, StargateFailing,
    WasmKeeper,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Debug;

/// The custom-message module a chain runs (cw-multi-test's `Module` for
/// `CosmosMsg::Custom` / `QueryRequest::Custom`). `FailingModule<Empty, Empty, Empty>` is
/// the plain default; a chain-bindings crate plugs its own.
pub trait SimCustom:
    Module<
        ExecT: CustomMsg + DeserializeOwned + 'static,
        QueryT: CustomQuery + Debug + DeserializeOwned + 'static,
    > + 'static
{
}

impl<T> SimCustom for T where
    T: Module<
            ExecT: CustomMsg + DeserializeOwned + 'static,
            QueryT: CustomQuery + Debug + DeserializeOwned + 'static,
        > + 'static
{
}

/// The default custom module: refuses every custom message and query.
pub type NoCustom = FailingModule<Empty, Empty, Empty>;

/// The cw-multi-test `App` behind a simulated chain.
pub type SimApp<CustomT> = App<
    BankKeeper,
    MockApiBech32,
    MockStorage,
    CustomT,
    WasmKeeper<<CustomT as Module>::ExecT, <CustomT as Module>::QueryT>,
    StakeKeeper,
    DistributionKeeper,
    SimIbcModule,
    GovFailingModule,
    StargateFailing,
>;

/// The clock every chain starts at unless told otherwise (cosmwasm's `mock_env` time).
pub const DEFAULT_START_TIME: Timestamp = Timestamp::from_nanos(1_571_797_419_879_305_533);

/// How to create a chain.
#[derive(Clone, Debug)]
pub struct ChainConfig {
    pub chain_id: String,
    /// Bech32 prefix of the chain's addresses.
    pub prefix: String,
    /// Seconds a block adds to the clock in [`Chain::advance_blocks`].
    pub block_time_secs: u64,
    pub start_height: u64,
    pub start_time: Timestamp,
}

impl ChainConfig {
    /// A chain starting at height 1 at [`DEFAULT_START_TIME`] with 5-second blocks.
    pub fn new(chain_id: impl Into<String>, prefix: impl Into<String>) -> Self {
        ChainConfig {
            chain_id: chain_id.into(),
            prefix: prefix.into(),
            block_time_secs: 5,
            start_height: 1,
            start_time: DEFAULT_START_TIME,
        }
    }

    pub fn with_block_time(mut self, secs: u64) -> Self {
        self.block_time_secs = secs;
        self
    }

    pub fn with_start(mut self, height: u64, time: Timestamp) -> Self {
        self.start_height = height;
        self.start_time = time;
        self
    }
}

/// A light client of a counterparty chain, held by the host chain.
///
/// It is expired once the host's clock reaches the counterparty time of its latest update
/// plus the trusting period; an expired client cannot be updated, so nothing is relayed over
/// it until [`crate::Coordinator::recover_client`] (a governance client recovery).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LightClient {
    pub client_id: String,
    pub counterparty_chain_id: String,
    pub trusting_period_secs: u64,
    pub latest_height: u64,
    pub latest_timestamp: Timestamp,
}

impl LightClient {
    pub fn is_expired(&self, host_now: Timestamp) -> bool {
        host_now
            >= self
                .latest_timestamp
                .plus_seconds(self.trusting_period_secs)
    }
}

/// A connection end (the simulator opens connections in one step).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionEnd {
    pub connection_id: String,
    pub client_id: String,
    pub counterparty_chain_id: String,
    pub counterparty_connection_id: String,
}

/// One chain of the simulated network. Everything a test user does on a chain goes through
/// here (or through [`Chain::app_mut`] for what this API does not cover).
pub struct Chain<CustomT: SimCustom = NoCustom> {
    chain_id: String,
    prefix: String,
    block_time_secs: u64,
    app: SimApp<CustomT>,
    pub(crate) clients: BTreeMap<String, LightClient>,
    pub(crate) connections: BTreeMap<String, ConnectionEnd>,
    next_client: u64,
    next_connection: u64,
    next_channel: u64,
    log: EventLog,
}

impl<CustomT: SimCustom> Chain<CustomT> {
    pub(crate) fn new(config: ChainConfig, custom: CustomT, log: EventLog) -> SimResult<Self> {
        // MockApiBech32 wants a 'static prefix; chains live for the whole test.
        let prefix: &'static str = Box::leak(config.prefix.clone().into_boxed_str());
        let api = MockApiBech32::new(prefix);
        // addr_make panics on a bad prefix: check it first.
        api.addr_humanize(&CanonicalAddr::from(vec![1u8; 20]))
            .map_err(|e| SimError::Std(format!("invalid address prefix {prefix:?}: {e}")))?;
        let app = AppBuilder::new_custom()
            .with_api(api)
            .with_custom(custom)
            .with_ibc(SimIbcModule)
            .with_block(BlockInfo {
                height: config.start_height,
                time: config.start_time,
                chain_id: config.chain_id.clone(),
            })
            .build(no_init);
        Ok(Chain {
            chain_id: config.chain_id,
            prefix: config.prefix,
            block_time_secs: config.block_time_secs,
            app,
            clients: BTreeMap::new(),
            connections: BTreeMap::new(),
            next_client: 0,
            next_connection: 0,
            next_channel: 0,
            log,
        })
    }

    pub fn chain_id(&self) -> &str {
        &self.chain_id
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn block_info(&self) -> BlockInfo {
        self.app.block_info()
    }

    pub fn height(&self) -> u64 {
        self.app.block_info().height
    }

    pub fn time(&self) -> Timestamp {
        self.app.block_info().time
    }

    pub(crate) fn stamp(&self) -> Stamp {
        let block = self.app.block_info();
        Stamp {
            chain_id: self.chain_id.clone(),
            height: block.height,
            time: block.time,
        }
    }

    /// The underlying cw-multi-test app (read-only).
    pub fn app(&self) -> &SimApp<CustomT> {
        &self.app
    }

    /// The underlying cw-multi-test app. Packets sent through it directly are picked up by
    /// the next call to this chain or the coordinator.
    pub fn app_mut(&mut self) -> &mut SimApp<CustomT> {
        &mut self.app
    }

    /// A valid address of this chain derived from `name`.
    pub fn addr_make(&self, name: &str) -> Addr {
        self.app.api().addr_make(name)
    }

    /// The account the relayer signs with on this chain (passed to packet entrypoints).
    pub fn relayer(&self) -> Addr {
        self.addr_make("relayer")
    }

    // ---------------------------------------------------------------- clock

    /// Produces `n` blocks of `block_time_secs` each.
    pub fn advance_blocks(&mut self, n: u64) {
        let step = self.block_time_secs.saturating_mul(n);
        self.app.update_block(|b| {
            b.height = b.height.saturating_add(n);
            b.time = b.time.plus_seconds(step);
        });
    }

    /// Moves the clock by `secs` in a single new block (height + 1).
    pub fn advance_time(&mut self, secs: u64) {
        self.app.update_block(|b| {
            b.height = b.height.saturating_add(1);
            b.time = b.time.plus_seconds(secs);
        });
    }

    // ---------------------------------------------------------------- contracts

    pub fn store_code(&mut self, code: Box<dyn Contract<CustomT::ExecT, CustomT::QueryT>>) -> u64 {
        self.app.store_code(code)
    }

    /// Instantiates a contract with `sender` as creator and admin.
    pub fn instantiate<M: Serialize>(
        &mut self,
        code_id: u64,
        sender: &Addr,
        msg: &M,
        funds: &[Coin],
        label: &str,
    ) -> SimResult<Addr> {
        let result = self.app.instantiate_contract(
            code_id,
            sender.clone(),
            msg,
            funds,
            label,
            Some(sender.to_string()),
        );
        self.settle(result)
    }

    pub fn execute<M: Serialize>(
        &mut self,
        sender: &Addr,
        contract: &Addr,
        msg: &M,
        funds: &[Coin],
    ) -> SimResult<AppResponse> {
        let msg = WasmMsg::Execute {
            contract_addr: contract.to_string(),
            msg: to_json_binary(msg)?,
            funds: funds.to_vec(),
        };
        self.execute_msg(sender, msg.into())
    }

    /// Executes any message as `sender` (bank, wasm, IBC, custom …).
    pub fn execute_msg(
        &mut self,
        sender: &Addr,
        msg: CosmosMsg<CustomT::ExecT>,
    ) -> SimResult<AppResponse> {
        let result = self.app.execute(sender.clone(), msg);
        self.settle(result)
    }

    pub fn query<T: DeserializeOwned, M: Serialize>(
        &self,
        contract: &Addr,
        msg: &M,
    ) -> SimResult<T> {
        self.app
            .wrap()
            .query_wasm_smart(contract.clone(), msg)
            .map_err(|e| SimError::contract(&self.chain_id, &e))
    }

    /// Calls the contract's own `sudo` entrypoint.
    pub fn sudo<M: Serialize>(&mut self, contract: &Addr, msg: &M) -> SimResult<AppResponse> {
        let result = self.app.wasm_sudo(contract.clone(), msg);
        self.settle(result)
    }

    pub fn migrate<M: Serialize>(
        &mut self,
        sender: &Addr,
        contract: &Addr,
        msg: &M,
        new_code_id: u64,
    ) -> SimResult<AppResponse> {
        let msg = WasmMsg::Migrate {
            contract_addr: contract.to_string(),
            new_code_id,
            msg: to_json_binary(msg)?,
        };
        self.execute_msg(sender, msg.into())
    }

    // ---------------------------------------------------------------- bank and ICS-20

    /// Creates tokens out of thin air for `to`.
    pub fn mint(&mut self, to: &Addr, coins: Vec<Coin>) -> SimResult<()> {
        let result = self.app.sudo(
            BankSudo::Mint {
                to_address: to.to_string(),
                amount: coins,
            }
            .into(),
        );
        self.settle(result).map(|_| ())
    }

    pub fn send(&mut self, from: &Addr, to: &Addr, coins: Vec<Coin>) -> SimResult<AppResponse> {
        let result = self.app.send_tokens(from.clone(), to.clone(), &coins);
        self.settle(result)
    }

    pub fn balance(&self, addr: &Addr, denom: &str) -> SimResult<Uint256> {
        self.app
            .wrap()
            .query_balance(addr.clone(), denom)
            .map(|c| c.amount)
            .map_err(|e| SimError::contract(&self.chain_id, &e))
    }

    /// An ICS-20 transfer by a user (`IbcMsg::Transfer` on the `transfer` port).
    pub fn transfer(
        &mut self,
        sender: &Addr,
        channel_id: &str,
        to_address: &str,
        amount: Coin,
        timeout: IbcTimeout,
        memo: Option<String>,
    ) -> SimResult<AppResponse> {
        let msg = IbcMsg::Transfer {
            channel_id: channel_id.to_string(),
            to_address: to_address.to_string(),
            amount,
            timeout,
            memo,
        };
        self.execute_msg(sender, CosmosMsg::Ibc(msg))
    }

    /// The trace path behind an `ibc/…` voucher denom received on this chain.
    pub fn denom_trace(&self, denom: &str) -> Option<String> {
        DENOM_TRACES
            .may_load(self.app.storage(), denom)
            .ok()
            .flatten()
    }

    // ---------------------------------------------------------------- IBC host state

    pub fn channel(&self, port_id: &str, channel_id: &str) -> Option<ChannelEnd> {
        CHANNELS
            .may_load(self.app.storage(), (port_id, channel_id))
            .ok()
            .flatten()
    }

    /// Every channel end on this chain.
    pub fn channels(&self) -> Vec<ChannelEnd> {
        CHANNELS
            .range(self.app.storage(), None, None, Order::Ascending)
            .filter_map(|r| r.ok().map(|(_, c)| c))
            .collect()
    }

    /// Packets sent on a channel and not yet acknowledged or timed out, by sequence.
    pub fn commitments(&self, port_id: &str, channel_id: &str) -> Vec<Commitment> {
        COMMITMENTS
            .prefix((port_id, channel_id))
            .range(self.app.storage(), None, None, Order::Ascending)
            .filter_map(|r| r.ok().map(|(_, c)| c))
            .collect()
    }

    /// The acknowledgement this chain wrote for a packet it received.
    pub fn ack(&self, port_id: &str, channel_id: &str, sequence: u64) -> Option<Binary> {
        ACKS.may_load(self.app.storage(), (port_id, channel_id, sequence))
            .ok()
            .flatten()
    }

    pub fn has_receipt(&self, port_id: &str, channel_id: &str, sequence: u64) -> bool {
        RECEIPTS.has(self.app.storage(), (port_id, channel_id, sequence))
    }

    pub fn clients(&self) -> impl Iterator<Item = &LightClient> {
        self.clients.values()
    }

    pub fn client(&self, client_id: &str) -> Option<&LightClient> {
        self.clients.get(client_id)
    }

    pub fn connection(&self, connection_id: &str) -> Option<&ConnectionEnd> {
        self.connections.get(connection_id)
    }

    // ---------------------------------------------------------------- internals

    pub(crate) fn next_client_id(&mut self) -> String {
        let id = format!("07-tendermint-{}", self.next_client);
        self.next_client += 1;
        id
    }

    pub(crate) fn next_connection_id(&mut self) -> String {
        let id = format!("connection-{}", self.next_connection);
        self.next_connection += 1;
        id
    }

    pub(crate) fn next_channel_id(&mut self) -> String {
        let id = format!("channel-{}", self.next_channel);
        self.next_channel += 1;
        id
    }

    pub(crate) fn log(&self) -> &EventLog {
        &self.log
    }

    /// Maps a chain call's result to the simulator's error and logs what the call did.
    pub(crate) fn settle<T>(&mut self, result: StdResult<T>) -> SimResult<T> {
        self.flush_outbox()?;
        result.map_err(|e| SimError::contract(&self.chain_id, &e))
    }

    /// Moves what the IBC module recorded during transactions into the event log.
    pub(crate) fn flush_outbox(&mut self) -> SimResult<()> {
        let entries = drain_outbox(self.app.storage_mut())?;
        for entry in entries {
            let event = match entry {
                OutboxEntry::PacketSent {
                    packet,
                    height,
                    time,
                } => IbcEvent::SendPacket {
                    at: self.stamp_at(height, time),
                    packet,
                },
                OutboxEntry::AckWritten {
                    packet,
                    ack,
                    height,
                    time,
                } => IbcEvent::WriteAck {
                    at: self.stamp_at(height, time),
                    is_error: is_error_ack(&ack),
                    packet,
                    ack,
                    is_async: true,
                },
                OutboxEntry::CloseInit {
                    port_id,
                    channel_id,
                    height,
                    time,
                } => IbcEvent::ChannelCloseInit {
                    at: self.stamp_at(height, time),
                    port_id,
                    channel_id,
                },
            };
            self.log.push(event);
        }
        Ok(())
    }

    fn stamp_at(&self, height: u64, time: Timestamp) -> Stamp {
        Stamp {
            chain_id: self.chain_id.clone(),
            height,
            time,
        }
    }
}

/// How a port answered a call: the chain's response, or the contract's refusal (its error
/// text, with its state changes reverted).
pub(crate) type PortAnswer = Result<AppResponse, String>;

impl<CustomT: SimCustom> Chain<CustomT> {
    /// The contract bound to a `wasm.<address>` port.
    pub(crate) fn port_contract(&self, port_id: &str) -> SimResult<Addr> {
        let address = port_id
            .strip_prefix("wasm.")
            .ok_or_else(|| SimError::UnboundPort(port_id.to_string()))?;
        let addr = Addr::unchecked(address);
        self.app
            .contract_data(&addr)
            .map_err(|_| SimError::UnboundPort(port_id.to_string()))?;
        Ok(addr)
    }

    /// Calls one IBC entrypoint of the contract behind `port_id`, transactionally.
    pub(crate) fn call_port(
        &mut self,
        port_id: &str,
        entry: crate::contract::IbcEntry,
    ) -> SimResult<PortAnswer> {
        let contract = self.port_contract(port_id)?;
        self.call_contract(&contract, entry)
    }

    pub(crate) fn call_contract(
        &mut self,
        contract: &Addr,
        entry: crate::contract::IbcEntry,
    ) -> SimResult<PortAnswer> {
        let message = crate::contract::envelope(entry)?;
        let result = self
            .app
            .wasm_sudo(contract.clone(), &message_value(&message)?);
        self.flush_outbox()?;
        Ok(result.map_err(|e| crate::error::error_text(&e)))
    }

    pub(crate) fn save_channel(&mut self, channel: &ChannelEnd) -> SimResult<()> {
        CHANNELS.save(
            self.app.storage_mut(),
            (&channel.port_id, &channel.channel_id),
            channel,
        )?;
        Ok(())
    }

    pub(crate) fn peek_channel_id(&self) -> String {
        format!("channel-{}", self.next_channel)
    }
}

/// `wasm_sudo` serialises its argument again; hand it the envelope as a JSON value.
fn message_value(message: &Binary) -> SimResult<serde_json::Value> {
    Ok(serde_json::from_slice(message.as_slice())?)
}
