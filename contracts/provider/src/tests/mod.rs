//! Unit tests: every handler and every refusal, on `cosmwasm_std::testing` mocks with the
//! chain's custom query type.

mod bounds;
mod config;
mod consumers;
mod entry_slash;
mod epoch;
mod ibc;
mod infraction;
mod maturity;
mod registration;
mod slashing;
mod staking;
mod storage;
mod top_n;

use std::marker::PhantomData;

use cosmwasm_std::testing::{message_info, mock_env, MockApi, MockQuerier, MockStorage};
use cosmwasm_std::{
    coin, from_json, Addr, Binary, Coin, CosmosMsg, Decimal, Env, IbcAcknowledgement,
    IbcBasicResponse, IbcChannel, IbcChannelCloseMsg, IbcChannelConnectMsg, IbcChannelOpenMsg,
    IbcEndpoint, IbcMsg, IbcOrder, IbcPacket, IbcPacketAckMsg, IbcPacketReceiveMsg,
    IbcPacketTimeoutMsg, IbcTimeout, Order, OwnedDeps, Response, Storage, Timestamp, Uint128,
};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use cw_ics_ccv::{
    Acknowledgement, ConsensusAddress, ConsumerPacket, Infraction, PublicKey, SlashPacketData,
    SlashedValidator, ValidatorSetChangePacket, VscMaturedPacketData,
};
use serde::de::DeserializeOwned;

use crate::contract::{execute, instantiate, query};
use crate::error::ContractError;
use crate::ibc::{
    ibc_channel_close, ibc_channel_connect, ibc_channel_open, ibc_packet_ack, ibc_packet_receive,
    ibc_packet_timeout,
};
use crate::msg::{
    Config, ConsumerRegistration, ConsumerResponse, ExecuteMsg, InstantiateMsg, QueryMsg,
    RegistrationPolicy, SlashedTokens, UnbondingsResponse, ValidatorResponse,
};
use crate::staking::StakeChange;

pub type TestDeps = OwnedDeps<MockStorage, MockApi, MockQuerier<ChainQuery>, ChainQuery>;

pub const DENOM: &str = "ustake";
pub const POWER_REDUCTION: u128 = 10;
pub const UNBONDING: u64 = 1_000;
pub const EPOCH_BLOCKS: u64 = 10;
pub const BLOCK_SECONDS: u64 = 5;
pub const CONNECTION: &str = "connection-0";
pub const COUNTERPARTY_CONNECTION: &str = "connection-9";
pub const CONSUMER_PORT: &str = "wasm.consumer";
pub const PREFIX: &str = "cosmosvalcons";

pub fn addr(name: &str) -> Addr {
    MockApi::default().addr_make(name)
}

pub fn key(seed: u8) -> PublicKey {
    PublicKey::Ed25519(Binary::new(vec![seed; 32]))
}

pub fn default_instantiate() -> InstantiateMsg {
    InstantiateMsg {
        admin: None,
        config: default_config(),
    }
}

pub fn default_config() -> Config {
    Config {
        bond_denom: DENOM.to_string(),
        power_reduction: Uint128::new(POWER_REDUCTION),
        unbonding_period_seconds: UNBONDING,
        epoch_length_blocks: EPOCH_BLOCKS,
        max_validators: 3,
        consumer_registration: RegistrationPolicy::AdminOnly,
        ccv_timeout_seconds: 10_000,
        init_timeout_seconds: 500,
        vsc_timeout_seconds: 2_000,
        downtime_jail_seconds: 100,
        downtime_slash_fraction: Decimal::percent(10),
        double_sign_slash_fraction: Decimal::percent(5),
        slashed_tokens: SlashedTokens::Burn {},
        wait_for_consumer_maturity: true,
        max_epoch_work: crate::msg::DEFAULT_MAX_EPOCH_WORK,
        max_unbonding_entries: crate::msg::DEFAULT_MAX_UNBONDING_ENTRIES,
        // The whole set may be jailed per period: throttling is tested on its own
        // (`tests::throttle`), the other tests slash several validators in a row.
        slash_meter_replenish_fraction: Decimal::one(),
        slash_meter_replenish_period_seconds: 3_600,
        max_ccv_timeout_seconds: 20_000,
        max_init_timeout_seconds: 1_000,
        max_vsc_timeout_seconds: 4_000,
        max_retry_delay_seconds: 600,
        max_jail_seconds: 10_000,
        registration_deposit: Uint128::zero(),
        max_pending_registrations_per_owner: 3,
    }
}

pub fn registration(chain_id: &str, spawn_time: Timestamp) -> ConsumerRegistration {
    ConsumerRegistration {
        chain_id: chain_id.to_string(),
        spawn_time,
        unbonding_period_seconds: 500,
        connection_id: CONNECTION.to_string(),
        counterparty_connection_id: COUNTERPARTY_CONNECTION.to_string(),
        counterparty_port_id: Some(CONSUMER_PORT.to_string()),
        ccv_timeout_seconds: None,
        init_timeout_seconds: None,
        vsc_timeout_seconds: None,
        retry_delay_seconds: 60,
        signed_blocks_window: 100,
        min_signed_per_window: Decimal::percent(50),
        valcons_prefix: PREFIX.to_string(),
        infraction_parameters: None,
    }
}

/// A provider contract on mocks, with a clock the test drives.
pub struct Suite {
    pub deps: TestDeps,
    pub env: Env,
}

impl Suite {
    pub fn new() -> Self {
        Self::with(default_instantiate())
    }

    pub fn with(msg: InstantiateMsg) -> Self {
        let mut deps = OwnedDeps {
            storage: MockStorage::default(),
            api: MockApi::default(),
            querier: MockQuerier::<ChainQuery>::new(&[]),
            custom_query_type: PhantomData,
        };
        let env = mock_env();
        instantiate(
            deps.as_mut(),
            env.clone(),
            message_info(&addr("admin"), &[]),
            msg,
        )
        .expect("instantiate");
        Suite { deps, env }
    }

    pub fn exec(
        &mut self,
        sender: &str,
        msg: ExecuteMsg,
        funds: &[Coin],
    ) -> Result<Response<ChainMsg>, ContractError> {
        execute(
            self.deps.as_mut(),
            self.env.clone(),
            message_info(&addr(sender), funds),
            msg,
        )
    }

    pub fn query<T: DeserializeOwned>(&self, msg: QueryMsg) -> T {
        from_json(query(self.deps.as_ref(), self.env.clone(), msg).expect("query")).expect("json")
    }

    pub fn advance(&mut self, blocks: u64) {
        self.env.block.height += blocks;
        self.env.block.time = self.env.block.time.plus_seconds(blocks * BLOCK_SECONDS);
    }

    pub fn advance_seconds(&mut self, seconds: u64) {
        let blocks = seconds.div_ceil(BLOCK_SECONDS);
        self.advance(blocks);
    }

    pub fn tick(&mut self) -> Response<ChainMsg> {
        self.exec("anyone", ExecuteMsg::Tick {}, &[]).expect("tick")
    }

    /// Moves to the next epoch boundary and ticks until its work is finished; returns the VSC
    /// packets sent, by channel.
    pub fn epoch(&mut self) -> Vec<(String, ValidatorSetChangePacket)> {
        let epoch: crate::msg::EpochResponse = self.query(QueryMsg::Epoch {});
        if self.env.block.height < epoch.next_epoch_height {
            self.advance(epoch.next_epoch_height - self.env.block.height);
        }
        let mut sent = vec![];
        for _ in 0..1_000 {
            let response = self.tick();
            sent.extend(sent_vscs(&response.messages));
            let epoch: crate::msg::EpochResponse = self.query(QueryMsg::Epoch {});
            if !epoch.in_progress {
                return sent;
            }
        }
        panic!("epoch never finished");
    }

    pub fn add_validator(&mut self, operator: &str, seed: u8, tokens: u128) {
        self.exec(
            operator,
            ExecuteMsg::RegisterValidator {
                pub_key: key(seed),
                moniker: operator.to_string(),
                commission: Decimal::percent(5),
            },
            &[],
        )
        .expect("register validator");
        if tokens > 0 {
            self.bond(operator, operator, tokens).expect("bond");
        }
    }

    pub fn bond(
        &mut self,
        staker: &str,
        operator: &str,
        tokens: u128,
    ) -> Result<Response<ChainMsg>, ContractError> {
        self.exec(
            staker,
            ExecuteMsg::Bond {
                validator: addr(operator).to_string(),
            },
            &[coin(tokens, DENOM)],
        )
    }

    pub fn unbond(
        &mut self,
        staker: &str,
        operator: &str,
        tokens: u128,
    ) -> Result<Response<ChainMsg>, ContractError> {
        self.exec(
            staker,
            ExecuteMsg::Unbond {
                validator: addr(operator).to_string(),
                amount: Uint128::new(tokens),
            },
            &[],
        )
    }

    pub fn validator(&self, operator: &str) -> ValidatorResponse {
        self.query(QueryMsg::Validator {
            operator: addr(operator).to_string(),
        })
    }

    pub fn consumer(&self, consumer_id: u64) -> ConsumerResponse {
        self.query(QueryMsg::Consumer { consumer_id })
    }

    pub fn unbondings(&self, staker: &str) -> UnbondingsResponse {
        self.query(QueryMsg::Unbondings {
            staker: addr(staker).to_string(),
            start_after: None,
            limit: None,
        })
    }

    pub fn register_consumer(&mut self, chain_id: &str) -> u64 {
        let spawn = self.env.block.time;
        let response = self
            .exec(
                "admin",
                ExecuteMsg::RegisterConsumer(registration(chain_id, spawn)),
                &[],
            )
            .expect("register consumer");
        attribute(&response, "consumer_id").parse().expect("id")
    }

    /// Registers a consumer, launches it at the next epoch and opens its channel.
    pub fn running_consumer(&mut self, chain_id: &str, channel_id: &str, connection: &str) -> u64 {
        let spawn = self.env.block.time;
        let mut reg = registration(chain_id, spawn);
        reg.connection_id = connection.to_string();
        let response = self
            .exec("admin", ExecuteMsg::RegisterConsumer(reg), &[])
            .expect("register consumer");
        let id = attribute(&response, "consumer_id").parse().expect("id");
        self.epoch();
        self.open_channel(channel_id, connection, CONSUMER_PORT)
            .expect("open channel");
        id
    }

    pub fn channel(&self, channel_id: &str, connection: &str, port: &str) -> IbcChannel {
        IbcChannel::new(
            IbcEndpoint {
                port_id: format!("wasm.{}", self.env.contract.address),
                channel_id: channel_id.to_string(),
            },
            IbcEndpoint {
                port_id: port.to_string(),
                channel_id: format!("counterparty-{channel_id}"),
            },
            IbcOrder::Ordered,
            "1",
            connection,
        )
    }

    /// OpenTry then OpenConfirm.
    pub fn open_channel(
        &mut self,
        channel_id: &str,
        connection: &str,
        port: &str,
    ) -> Result<IbcBasicResponse<ChainMsg>, ContractError> {
        let channel = self.channel(channel_id, connection, port);
        ibc_channel_open(
            self.deps.as_mut(),
            self.env.clone(),
            IbcChannelOpenMsg::new_try(channel.clone(), "1"),
        )?;
        ibc_channel_connect(
            self.deps.as_mut(),
            self.env.clone(),
            IbcChannelConnectMsg::new_confirm(channel),
        )
    }

    pub fn packet(&self, channel_id: &str, data: Binary) -> IbcPacket {
        IbcPacket::new(
            data,
            IbcEndpoint {
                port_id: CONSUMER_PORT.to_string(),
                channel_id: format!("counterparty-{channel_id}"),
            },
            IbcEndpoint {
                port_id: format!("wasm.{}", self.env.contract.address),
                channel_id: channel_id.to_string(),
            },
            1,
            IbcTimeout::with_timestamp(self.env.block.time.plus_seconds(100)),
        )
    }

    /// Delivers a packet as wasmd does: an `Err` from the contract discards the call's writes
    /// and becomes an error acknowledgement.
    pub fn receive_raw(
        &mut self,
        channel_id: &str,
        data: Binary,
    ) -> (Acknowledgement, Response<ChainMsg>) {
        let packet = self.packet(channel_id, data);
        let before = snapshot(&self.deps.storage);
        let result = ibc_packet_receive(
            self.deps.as_mut(),
            self.env.clone(),
            IbcPacketReceiveMsg::new(packet, addr("relayer")),
        );
        let response = match result {
            Ok(response) => response,
            Err(err) => {
                restore(&mut self.deps.storage, before);
                return (Acknowledgement::error(err.to_string()), Response::new());
            }
        };
        let ack = Acknowledgement::decode(
            response
                .acknowledgement
                .as_ref()
                .expect("an ack")
                .as_slice(),
        )
        .expect("decodable ack");
        let mut plain = Response::new();
        plain.messages = response.messages;
        plain.attributes = response.attributes;
        plain.events = response.events;
        (ack, plain)
    }

    pub fn receive(&mut self, channel_id: &str, packet: ConsumerPacket) -> Acknowledgement {
        let data = packet.encode().expect("encode");
        self.receive_raw(channel_id, data).0
    }

    pub fn ack_vsc(
        &mut self,
        channel_id: &str,
        ack: Binary,
    ) -> Result<IbcBasicResponse<ChainMsg>, ContractError> {
        let packet = IbcPacket::new(
            Binary::default(),
            IbcEndpoint {
                port_id: format!("wasm.{}", self.env.contract.address),
                channel_id: channel_id.to_string(),
            },
            IbcEndpoint {
                port_id: CONSUMER_PORT.to_string(),
                channel_id: format!("counterparty-{channel_id}"),
            },
            1,
            IbcTimeout::with_timestamp(self.env.block.time),
        );
        ibc_packet_ack(
            self.deps.as_mut(),
            self.env.clone(),
            IbcPacketAckMsg::new(IbcAcknowledgement::new(ack), packet, addr("relayer")),
        )
    }

    pub fn timeout_vsc(
        &mut self,
        channel_id: &str,
    ) -> Result<IbcBasicResponse<ChainMsg>, ContractError> {
        let packet = IbcPacket::new(
            Binary::default(),
            IbcEndpoint {
                port_id: format!("wasm.{}", self.env.contract.address),
                channel_id: channel_id.to_string(),
            },
            IbcEndpoint {
                port_id: CONSUMER_PORT.to_string(),
                channel_id: format!("counterparty-{channel_id}"),
            },
            1,
            IbcTimeout::with_timestamp(self.env.block.time),
        );
        ibc_packet_timeout(
            self.deps.as_mut(),
            self.env.clone(),
            IbcPacketTimeoutMsg::new(packet, addr("relayer")),
        )
    }

    /// A validator's stake, loaded to be changed directly through the ledger (jailing or
    /// slashing without a packet); `save_stake` stores it as the handlers do.
    pub fn load_stake(&self, operator: &Addr) -> StakeChange {
        let config = crate::state::CONFIG
            .load(&self.deps.storage)
            .expect("config");
        StakeChange::load(&self.deps.storage, &config, operator.clone()).expect("stake")
    }

    pub fn save_stake(&mut self, change: &StakeChange) {
        let config = crate::state::CONFIG
            .load(&self.deps.storage)
            .expect("config");
        change
            .save(&mut self.deps.storage, &config)
            .expect("save stake");
    }

    pub fn close(
        &mut self,
        msg: IbcChannelCloseMsg,
    ) -> Result<IbcBasicResponse<ChainMsg>, ContractError> {
        ibc_channel_close(self.deps.as_mut(), self.env.clone(), msg)
    }
}

impl Suite {
    /// Executes a message that must be refused, and checks that the refusal wrote nothing
    /// (the contract validates before writing; wasmd's revert is not relied on).
    pub fn refused(&mut self, sender: &str, msg: ExecuteMsg, funds: &[Coin]) -> ContractError {
        let before = snapshot(&self.deps.storage);
        let err = self
            .exec(sender, msg, funds)
            .expect_err("the message must be refused");
        assert_eq!(
            snapshot(&self.deps.storage),
            before,
            "refused with {err:?} but changed the store"
        );
        err
    }

    pub fn slash_meter(&self) -> crate::msg::SlashMeterResponse {
        self.query(QueryMsg::SlashMeter {})
    }
}

/// The attributes of the first event of type `ty`.
pub fn event<T>(response: &Response<T>, ty: &str) -> Option<Vec<(String, String)>> {
    response.events.iter().find(|e| e.ty == ty).map(|e| {
        e.attributes
            .iter()
            .map(|a| (a.key.clone(), a.value.clone()))
            .collect()
    })
}

pub fn attribute<T>(response: &Response<T>, name: &str) -> String {
    response
        .attributes
        .iter()
        .find(|a| a.key == name)
        .unwrap_or_else(|| panic!("no attribute {name}"))
        .value
        .clone()
}

pub fn sent_vscs(
    messages: &[cosmwasm_std::SubMsg<ChainMsg>],
) -> Vec<(String, ValidatorSetChangePacket)> {
    messages
        .iter()
        .filter_map(|m| match &m.msg {
            CosmosMsg::Ibc(IbcMsg::SendPacket {
                channel_id, data, ..
            }) => Some((
                channel_id.clone(),
                ValidatorSetChangePacket::decode(data.as_slice()).expect("a VSC"),
            )),
            _ => None,
        })
        .collect()
}

pub fn cons_addr(seed: u8) -> ConsensusAddress {
    key(seed).consensus_address()
}

pub fn downtime(seed: u8, vsc_id: u64) -> ConsumerPacket {
    slash_packet(seed, vsc_id, Infraction::Downtime)
}

pub fn slash_packet(seed: u8, vsc_id: u64, infraction: Infraction) -> ConsumerPacket {
    ConsumerPacket::Slash(SlashPacketData {
        validator: SlashedValidator {
            address: cons_addr(seed),
            power: 1,
        },
        valset_update_id: vsc_id,
        infraction,
    })
}

pub fn matured(vsc_id: u64) -> ConsumerPacket {
    ConsumerPacket::VscMatured(VscMaturedPacketData {
        valset_update_id: vsc_id,
    })
}

/// (key seed byte, power) pairs of a VSC's updates.
pub fn updates(packet: &ValidatorSetChangePacket) -> Vec<(u8, u64)> {
    let mut pairs: Vec<(u8, u64)> = packet
        .validator_updates
        .iter()
        .map(|u| (u.pub_key.bytes()[0], u.power))
        .collect();
    pairs.sort_unstable();
    pairs
}

pub type Snapshot = Vec<(Vec<u8>, Vec<u8>)>;

/// Every key and value in the store, in key order.
pub fn snapshot(storage: &dyn Storage) -> Snapshot {
    storage.range(None, None, Order::Ascending).collect()
}

fn restore(storage: &mut dyn Storage, snapshot: Snapshot) {
    let keys: Vec<Vec<u8>> = storage
        .range(None, None, Order::Ascending)
        .map(|(key, _)| key)
        .collect();
    for key in keys {
        storage.remove(&key);
    }
    for (key, value) in snapshot {
        storage.set(&key, &value);
    }
}
