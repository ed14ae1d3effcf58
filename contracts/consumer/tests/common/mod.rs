//! Test helpers: a mock chain with the x/twasm custom query, an instantiated consumer, and
//! short-hands for the IBC messages the provider side would produce.
#![allow(dead_code)]

use std::marker::PhantomData;

use cosmwasm_std::testing::{message_info, mock_env, MockApi, MockQuerier, MockStorage};
use cosmwasm_std::{
    from_json, to_json_binary, Addr, Binary, ContractResult, CosmosMsg, Decimal, Env,
    IbcAcknowledgement, IbcChannel, IbcChannelCloseMsg, IbcChannelConnectMsg, IbcChannelOpenMsg,
    IbcEndpoint, IbcMsg, IbcOrder, IbcPacket, IbcPacketAckMsg, IbcPacketReceiveMsg,
    IbcPacketTimeoutMsg, IbcReceiveResponse, IbcTimeout, OwnedDeps, Response, SystemResult,
    Timestamp,
};
use cw_ics_bindings::{
    ChainMsg, ChainQuery, ChainSudoMsg, Evidence, EvidenceType, EvidenceValidator, ValidatorVote,
    ValidatorVoteResponse,
};
use cw_ics_ccv::{
    Acknowledgement, ConsensusAddress, ConsumerGenesis, ConsumerPacket, ConsumerParams,
    GenesisValidator, PublicKey, ValidatorSetChangePacket, ValidatorUpdate,
};
use cw_ics_consumer::contract::{execute, instantiate, query, sudo};
use cw_ics_consumer::ibc::{
    ibc_channel_close, ibc_channel_connect, ibc_channel_open, ibc_packet_ack, ibc_packet_receive,
    ibc_packet_timeout,
};
use cw_ics_consumer::msg::{ExecuteMsg, InstantiateMsg, QueryMsg};
use cw_ics_consumer::ContractError;

pub type Deps = OwnedDeps<MockStorage, MockApi, MockQuerier<ChainQuery>, ChainQuery>;

pub const CONNECTION: &str = "connection-7";
pub const PROVIDER_PORT: &str = "wasm.provider";
pub const CHANNEL: &str = "channel-3";
pub const PREFIX: &str = "cosmosvalcons";
pub const UNBONDING: u64 = 1_000;
pub const CCV_TIMEOUT: u64 = 5_000;
pub const RETRY_DELAY: u64 = 100;
pub const WINDOW: u64 = 10;

pub fn key(seed: u8) -> PublicKey {
    PublicKey::ed25519([seed; 32]).unwrap()
}

pub fn address(seed: u8) -> ConsensusAddress {
    key(seed).consensus_address()
}

pub fn address_binary(seed: u8) -> Binary {
    Binary::from(address(seed).as_bytes())
}

/// Validators 1, 2, 3 with powers 10, 20, 30.
pub fn genesis() -> ConsumerGenesis {
    ConsumerGenesis {
        provider_chain_id: "provider-1".to_string(),
        chain_id: "consumer-1".to_string(),
        connection_id: CONNECTION.to_string(),
        provider_port_id: PROVIDER_PORT.to_string(),
        initial_validator_set: (1..=3u8)
            .map(|seed| GenesisValidator {
                pub_key: key(seed),
                power: 10 * u64::from(seed),
            })
            .collect(),
        params: ConsumerParams {
            unbonding_period_seconds: UNBONDING,
            ccv_timeout_seconds: CCV_TIMEOUT,
            retry_delay_seconds: RETRY_DELAY,
            signed_blocks_window: WINDOW,
            min_signed_per_window: Decimal::percent(50),
            valcons_prefix: PREFIX.to_string(),
        },
    }
}

pub fn empty_deps() -> Deps {
    OwnedDeps {
        storage: MockStorage::default(),
        api: MockApi::default(),
        querier: votes_querier(vec![]),
        custom_query_type: PhantomData,
    }
}

fn votes_querier(votes: Vec<ValidatorVote>) -> MockQuerier<ChainQuery> {
    MockQuerier::new(&[]).with_custom_handler(move |query| match query {
        ChainQuery::ValidatorVotes {} => SystemResult::Ok(ContractResult::Ok(
            to_json_binary(&ValidatorVoteResponse {
                votes: votes.clone(),
            })
            .unwrap(),
        )),
    })
}

pub fn set_votes(deps: &mut Deps, votes: Vec<ValidatorVote>) {
    deps.querier = votes_querier(votes);
}

/// Everyone in `seeds` votes; `voted` tells whether their signature is in the commit.
pub fn votes(entries: &[(u8, bool)]) -> Vec<ValidatorVote> {
    entries
        .iter()
        .map(|(seed, voted)| ValidatorVote {
            address: address_binary(*seed),
            power: 10 * u64::from(*seed),
            voted: *voted,
        })
        .collect()
}

pub fn env_at(height: u64, seconds: u64) -> Env {
    let mut env = mock_env();
    env.block.height = height;
    env.block.time = Timestamp::from_seconds(seconds);
    env
}

pub const GENESIS_HEIGHT: u64 = 100;
pub const GENESIS_TIME: u64 = 1_000_000;

pub fn setup_with(genesis: ConsumerGenesis) -> Result<Deps, ContractError> {
    let mut deps = empty_deps();
    let creator = Addr::unchecked("creator");
    instantiate(
        deps.as_mut(),
        env_at(GENESIS_HEIGHT, GENESIS_TIME),
        message_info(&creator, &[]),
        InstantiateMsg { genesis },
    )?;
    Ok(deps)
}

pub fn setup() -> Deps {
    setup_with(genesis()).unwrap()
}

pub fn channel(
    channel_id: &str,
    connection: &str,
    counterparty_port: &str,
    order: IbcOrder,
    version: &str,
) -> IbcChannel {
    IbcChannel::new(
        IbcEndpoint {
            port_id: "wasm.consumer".to_string(),
            channel_id: channel_id.to_string(),
        },
        IbcEndpoint {
            port_id: counterparty_port.to_string(),
            channel_id: format!("provider-{channel_id}"),
        },
        order,
        version,
        connection,
    )
}

pub fn good_channel(channel_id: &str) -> IbcChannel {
    channel(
        channel_id,
        CONNECTION,
        PROVIDER_PORT,
        IbcOrder::Ordered,
        "1",
    )
}

pub fn open_init(deps: &mut Deps, channel: IbcChannel) -> Result<String, ContractError> {
    let env = env_at(GENESIS_HEIGHT + 1, GENESIS_TIME + 5);
    ibc_channel_open(deps.as_mut(), env, IbcChannelOpenMsg::new_init(channel))
        .map(|response| response.map(|r| r.version).unwrap_or_default())
}

pub fn open_ack(deps: &mut Deps, channel: IbcChannel, version: &str) -> Result<(), ContractError> {
    let env = env_at(GENESIS_HEIGHT + 1, GENESIS_TIME + 5);
    ibc_channel_connect(
        deps.as_mut(),
        env,
        IbcChannelConnectMsg::new_ack(channel, version),
    )
    .map(|_| ())
}

pub fn open_channel(deps: &mut Deps) {
    open_init(deps, good_channel(CHANNEL)).unwrap();
    open_ack(deps, good_channel(CHANNEL), "1").unwrap();
}

pub fn close_confirm(deps: &mut Deps, channel_id: &str) -> Result<(), ContractError> {
    let env = env_at(GENESIS_HEIGHT + 1, GENESIS_TIME + 5);
    ibc_channel_close(
        deps.as_mut(),
        env,
        IbcChannelCloseMsg::new_confirm(good_channel(channel_id)),
    )
    .map(|_| ())
}

pub fn vsc_bytes(vsc_id: u64, updates: &[(u8, u64)], acks: &[String]) -> Binary {
    ValidatorSetChangePacket {
        validator_updates: updates
            .iter()
            .map(|(seed, power)| ValidatorUpdate {
                pub_key: key(*seed),
                power: *power,
            })
            .collect(),
        valset_update_id: vsc_id,
        slash_acks: acks.to_vec(),
    }
    .encode()
    .unwrap()
}

pub fn packet_to_consumer(channel_id: &str, sequence: u64, data: Binary) -> IbcPacket {
    IbcPacket::new(
        data,
        IbcEndpoint {
            port_id: PROVIDER_PORT.to_string(),
            channel_id: format!("provider-{channel_id}"),
        },
        IbcEndpoint {
            port_id: "wasm.consumer".to_string(),
            channel_id: channel_id.to_string(),
        },
        sequence,
        IbcTimeout::with_timestamp(Timestamp::from_seconds(u64::MAX / 2_000_000_000)),
    )
}

pub fn receive_raw(
    deps: &mut Deps,
    env: Env,
    channel_id: &str,
    data: Binary,
) -> Result<IbcReceiveResponse<ChainMsg>, ContractError> {
    let packet = packet_to_consumer(channel_id, 1, data);
    ibc_packet_receive(
        deps.as_mut(),
        env,
        IbcPacketReceiveMsg::new(packet, Addr::unchecked("relayer")),
    )
}

pub fn receive_vsc(
    deps: &mut Deps,
    env: Env,
    vsc_id: u64,
    updates: &[(u8, u64)],
    acks: &[String],
) -> Result<IbcReceiveResponse<ChainMsg>, ContractError> {
    receive_raw(deps, env, CHANNEL, vsc_bytes(vsc_id, updates, acks))
}

pub fn begin_block(deps: &mut Deps, env: Env, evidence: Vec<Evidence>) -> Response<ChainMsg> {
    sudo(deps.as_mut(), env, ChainSudoMsg::BeginBlock { evidence }).unwrap()
}

pub fn duplicate_vote(seed: u8, height: u64) -> Evidence {
    Evidence {
        evidence_type: EvidenceType::DuplicateVote,
        validator: EvidenceValidator {
            address: address_binary(seed),
            power: 10 * u64::from(seed),
        },
        height,
        time: GENESIS_TIME,
        total_voting_power: 60,
    }
}

pub fn tick(deps: &mut Deps, env: Env) -> Response<ChainMsg> {
    execute(
        deps.as_mut(),
        env,
        message_info(&Addr::unchecked("anyone"), &[]),
        ExecuteMsg::Tick {},
    )
    .unwrap()
}

/// The CCV packets a response sends, in order, with the channel they go to.
pub fn sent<C>(messages: &[cosmwasm_std::SubMsg<C>]) -> Vec<(String, ConsumerPacket, IbcTimeout)> {
    messages
        .iter()
        .filter_map(|sub| match &sub.msg {
            CosmosMsg::Ibc(IbcMsg::SendPacket {
                channel_id,
                data,
                timeout,
            }) => Some((
                channel_id.clone(),
                ConsumerPacket::decode(data.as_slice()).unwrap(),
                timeout.clone(),
            )),
            _ => None,
        })
        .collect()
}

pub fn sent_packets<C>(messages: &[cosmwasm_std::SubMsg<C>]) -> Vec<ConsumerPacket> {
    sent(messages)
        .into_iter()
        .map(|(_, packet, _)| packet)
        .collect()
}

pub fn packet_from_consumer(data: &ConsumerPacket, sequence: u64) -> IbcPacket {
    IbcPacket::new(
        data.encode().unwrap(),
        IbcEndpoint {
            port_id: "wasm.consumer".to_string(),
            channel_id: CHANNEL.to_string(),
        },
        IbcEndpoint {
            port_id: PROVIDER_PORT.to_string(),
            channel_id: format!("provider-{CHANNEL}"),
        },
        sequence,
        IbcTimeout::with_timestamp(Timestamp::from_seconds(GENESIS_TIME + CCV_TIMEOUT)),
    )
}

pub fn ack(
    deps: &mut Deps,
    env: Env,
    packet: &ConsumerPacket,
    ack: Acknowledgement,
) -> Result<cosmwasm_std::IbcBasicResponse<ChainMsg>, ContractError> {
    let msg = IbcPacketAckMsg::new(
        IbcAcknowledgement::new(ack.encode().unwrap()),
        packet_from_consumer(packet, 1),
        Addr::unchecked("relayer"),
    );
    ibc_packet_ack(deps.as_mut(), env, msg)
}

pub fn timeout(
    deps: &mut Deps,
    env: Env,
    packet: &ConsumerPacket,
    sequence: u64,
) -> Result<cosmwasm_std::IbcBasicResponse<ChainMsg>, ContractError> {
    let msg = IbcPacketTimeoutMsg::new(
        packet_from_consumer(packet, sequence),
        Addr::unchecked("relayer"),
    );
    ibc_packet_timeout(deps.as_mut(), env, msg)
}

pub fn q<T: serde::de::DeserializeOwned>(deps: &Deps, msg: QueryMsg) -> T {
    from_json(query(deps.as_ref(), mock_env(), msg).unwrap()).unwrap()
}

pub fn powers(deps: &Deps) -> Vec<(ConsensusAddress, u64)> {
    let set: cw_ics_consumer::msg::ValidatorSetResponse = q(deps, QueryMsg::CurrentSet {});
    set.validators
        .into_iter()
        .map(|v| {
            (
                ConsensusAddress::from_slice(v.address.as_slice()).unwrap(),
                v.power,
            )
        })
        .collect()
}

pub fn power_of(deps: &Deps, seed: u8) -> Option<u64> {
    powers(deps)
        .into_iter()
        .find(|(address, _)| *address == self::address(seed))
        .map(|(_, power)| power)
}

pub fn status(deps: &Deps) -> cw_ics_consumer::msg::StatusResponse {
    q(deps, QueryMsg::Status {})
}

pub fn pending(deps: &Deps) -> cw_ics_consumer::msg::PendingPacketsResponse {
    q(
        deps,
        QueryMsg::PendingPackets {
            start_at: None,
            limit: Some(100),
        },
    )
}

pub fn bech32(seed: u8) -> String {
    address(seed).to_bech32(PREFIX).unwrap()
}

/// A snapshot of everything the contract stores, to check that a refused message changed nothing.
pub fn storage_dump(deps: &Deps) -> Vec<(Vec<u8>, Vec<u8>)> {
    use cosmwasm_std::Storage;
    deps.storage
        .range(None, None, cosmwasm_std::Order::Ascending)
        .collect()
}
