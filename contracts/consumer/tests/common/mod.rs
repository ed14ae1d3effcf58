//! Test helpers: a mock chain with the x/twasm custom query, an instantiated consumer, and
//! short-hands for the IBC messages the provider side would produce.
#![allow(dead_code)]

use std::marker::PhantomData;

use cosmwasm_std::testing::{message_info, mock_env, MockApi, MockQuerier, MockStorage};
use cosmwasm_std::{
    from_json, to_json_binary, Addr, Binary, Coin, ContractResult, CosmosMsg, Decimal, Env,
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

// ---- rewards ----

pub const TRANSFER_CHANNEL: &str = "channel-5";
/// A channel on `transfer` over another connection than the CCV one.
pub const FOREIGN_TRANSFER_CHANNEL: &str = "channel-6";
/// A channel on `transfer` whose counterparty is not ICS-20.
pub const NOT_ICS20_CHANNEL: &str = "channel-7";
pub const PROVIDER_ADDRESS: &str = "provider";

pub fn admin() -> Addr {
    cosmwasm_std::testing::MockApi::default().addr_make("governance")
}

pub fn redistribution() -> Addr {
    cosmwasm_std::testing::MockApi::default().addr_make("redistribution")
}

pub fn contract_address() -> Addr {
    mock_env().contract.address
}

pub fn transfer_channel(channel_id: &str, connection: &str, counterparty_port: &str) -> IbcChannel {
    IbcChannel::new(
        IbcEndpoint {
            port_id: "transfer".to_string(),
            channel_id: channel_id.to_string(),
        },
        IbcEndpoint {
            port_id: counterparty_port.to_string(),
            channel_id: "channel-9".to_string(),
        },
        IbcOrder::Unordered,
        "ics20-1",
        connection,
    )
}

/// What the chain answers about the consumer for rewards: its wasmd admin (`None`: no admin)
/// and the transfer channels (one good, one over a foreign connection, one not ICS-20).
pub fn rewards_chain(deps: &mut Deps, admin: Option<Addr>) {
    deps.querier.update_wasm(move |query| match query {
        cosmwasm_std::WasmQuery::ContractInfo { .. } => SystemResult::Ok(ContractResult::Ok(
            to_json_binary(&cosmwasm_std::ContractInfoResponse::new(
                1,
                Addr::unchecked("creator"),
                admin.clone(),
                false,
                None,
                None,
            ))
            .unwrap(),
        )),
        _ => SystemResult::Err(cosmwasm_std::SystemError::UnsupportedRequest {
            kind: "wasm".to_string(),
        }),
    });
    deps.querier.ibc.update(
        "wasm.consumer",
        &[
            transfer_channel(TRANSFER_CHANNEL, CONNECTION, "transfer"),
            transfer_channel(FOREIGN_TRANSFER_CHANNEL, "connection-99", "transfer"),
            transfer_channel(NOT_ICS20_CHANNEL, CONNECTION, "wasm.other"),
        ],
    );
}

/// An instantiated consumer whose chain knows `admin()` as its admin.
pub fn rewards_setup() -> Deps {
    let mut deps = setup();
    rewards_chain(&mut deps, Some(admin()));
    deps
}

/// Settings with the required fields and every default.
pub fn settings(denoms: &[&str]) -> cw_ics_consumer::msg::RewardSettings {
    cw_ics_consumer::msg::RewardSettings {
        consumer_id: 7,
        transfer_channel_id: TRANSFER_CHANNEL.to_string(),
        redistribution_address: redistribution().to_string(),
        reward_denoms: denoms.iter().map(|d| d.to_string()).collect(),
        blocks_per_distribution_transmission: None,
        consumer_redistribution_fraction: None,
        transfer_timeout_seconds: None,
    }
}

pub fn configure_rewards(
    deps: &mut Deps,
    env: Env,
    sender: &Addr,
    settings: cw_ics_consumer::msg::RewardSettings,
) -> Result<Response<ChainMsg>, ContractError> {
    execute(
        deps.as_mut(),
        env,
        message_info(sender, &[]),
        ExecuteMsg::ConfigureRewards(settings),
    )
}

pub fn deposit_rewards(
    deps: &mut Deps,
    sender: &Addr,
    funds: &[Coin],
) -> Result<Response<ChainMsg>, ContractError> {
    execute(
        deps.as_mut(),
        env_at(GENESIS_HEIGHT + 1, GENESIS_TIME + 5),
        message_info(sender, funds),
        ExecuteMsg::DepositRewards {},
    )
}

/// The contract's bank balances as the querier answers them.
pub fn set_pool(deps: &mut Deps, coins: &[(&str, u128)]) {
    let coins = coins
        .iter()
        .map(|(denom, amount)| Coin::new(*amount, *denom))
        .collect();
    deps.querier.bank.update_balance(contract_address(), coins);
}

/// What a response pays and transfers: (bank sends as (to, coin), ICS-20 transfers).
pub struct RewardMessages {
    pub payments: Vec<(String, Coin)>,
    pub transfers: Vec<Transfer>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Transfer {
    pub channel_id: String,
    pub to_address: String,
    pub amount: Coin,
    pub timeout: IbcTimeout,
    pub memo: Option<String>,
}

pub fn reward_messages<C: std::fmt::Debug>(messages: &[cosmwasm_std::SubMsg<C>]) -> RewardMessages {
    let mut out = RewardMessages {
        payments: vec![],
        transfers: vec![],
    };
    for sub in messages {
        match &sub.msg {
            CosmosMsg::Bank(cosmwasm_std::BankMsg::Send { to_address, amount }) => {
                assert_eq!(sub.reply_on, cosmwasm_std::ReplyOn::Error);
                assert_eq!(amount.len(), 1);
                out.payments.push((to_address.clone(), amount[0].clone()));
            }
            CosmosMsg::Ibc(IbcMsg::Transfer {
                channel_id,
                to_address,
                amount,
                timeout,
                memo,
            }) => {
                assert_eq!(sub.reply_on, cosmwasm_std::ReplyOn::Error);
                out.transfers.push(Transfer {
                    channel_id: channel_id.clone(),
                    to_address: to_address.clone(),
                    amount: amount.clone(),
                    timeout: timeout.clone(),
                    memo: memo.clone(),
                });
            }
            _ => {}
        }
    }
    out
}

/// The ICS-20 packet of a transfer this contract sent (sequence `sequence`).
pub fn transfer_packet(transfer: &Transfer, denom_trace: &str, sequence: u64) -> IbcPacket {
    let data = serde_json_data(&transfer.amount.amount.to_string(), denom_trace, transfer);
    IbcPacket::new(
        data,
        IbcEndpoint {
            port_id: "transfer".to_string(),
            channel_id: transfer.channel_id.clone(),
        },
        IbcEndpoint {
            port_id: "transfer".to_string(),
            channel_id: "channel-9".to_string(),
        },
        sequence,
        transfer.timeout.clone(),
    )
}

fn serde_json_data(amount: &str, denom: &str, transfer: &Transfer) -> Binary {
    #[derive(serde::Serialize)]
    struct Data<'a> {
        amount: &'a str,
        denom: &'a str,
        memo: &'a str,
        receiver: &'a str,
        sender: String,
    }
    to_json_binary(&Data {
        amount,
        denom,
        memo: transfer.memo.as_deref().unwrap_or(""),
        receiver: &transfer.to_address,
        sender: contract_address().to_string(),
    })
    .unwrap()
}

pub enum TransferResult {
    Ack,
    ErrorAck(&'static str),
    Timeout,
}

pub fn source_callback(
    deps: &mut Deps,
    packet: IbcPacket,
    result: TransferResult,
) -> Result<cosmwasm_std::IbcBasicResponse<ChainMsg>, ContractError> {
    use cosmwasm_std::{IbcAckCallbackMsg, IbcSourceCallbackMsg, IbcTimeoutCallbackMsg};
    let relayer = Addr::unchecked("relayer");
    let msg = match result {
        TransferResult::Ack => IbcSourceCallbackMsg::Acknowledgement(IbcAckCallbackMsg::new(
            IbcAcknowledgement::new(br#"{"result":"AQ=="}"#.to_vec()),
            packet,
            relayer,
        )),
        TransferResult::ErrorAck(error) => {
            IbcSourceCallbackMsg::Acknowledgement(IbcAckCallbackMsg::new(
                IbcAcknowledgement::new(to_json_binary(&serde_json_error(error)).unwrap()),
                packet,
                relayer,
            ))
        }
        TransferResult::Timeout => {
            IbcSourceCallbackMsg::Timeout(IbcTimeoutCallbackMsg::new(packet, relayer))
        }
    };
    cw_ics_consumer::ibc::ibc_source_callback(
        deps.as_mut(),
        env_at(GENESIS_HEIGHT + 1, GENESIS_TIME + 5),
        msg,
    )
}

fn serde_json_error(error: &str) -> std::collections::BTreeMap<&'static str, String> {
    std::collections::BTreeMap::from([("error", error.to_string())])
}

/// One block: the chain's `begin_block` at `height` (time advances 5 s per block).
pub fn block(deps: &mut Deps, height: u64) -> Response<ChainMsg> {
    let seconds = GENESIS_TIME + (height - GENESIS_HEIGHT) * 5;
    begin_block(deps, env_at(height, seconds), vec![])
}

pub fn reward_transmissions(deps: &Deps) -> Vec<cw_ics_consumer::msg::DenomTransmission> {
    let response: cw_ics_consumer::msg::RewardTransmissionsResponse =
        q(deps, QueryMsg::RewardTransmissions {});
    response.transmissions
}

pub fn next_transmission(deps: &Deps) -> Option<u64> {
    let response: cw_ics_consumer::msg::NextRewardTransmissionResponse =
        q(deps, QueryMsg::NextRewardTransmission {});
    response.height
}

/// The attributes of the events of type `kind`.
pub fn events_of(events: &[cosmwasm_std::Event], kind: &str) -> Vec<Vec<(String, String)>> {
    events
        .iter()
        .filter(|event| event.ty == kind)
        .map(|event| {
            event
                .attributes
                .iter()
                .map(|a| (a.key.clone(), a.value.clone()))
                .collect()
        })
        .collect()
}
