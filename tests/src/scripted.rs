//! A scripted, test-only provider: a tiny contract that accepts the consumer's CCV channel,
//! sends the VSC bytes the test hands it, and answers slash packets as told (bounce the next
//! N, then handle). It lets a test drive provider behaviour the real provider never shows,
//! such as throttling bounces (0x03). It also records the reward transfers it is told of by
//! wasmd's ADR-8 destination callback (the consumer's reward memo names it).

use cosmwasm_std::{
    from_json, to_json_binary, to_json_vec, Binary, Coin, Deps, DepsMut, Env,
    Ibc3ChannelOpenResponse, IbcBasicResponse, IbcChannelCloseMsg, IbcChannelConnectMsg,
    IbcChannelOpenMsg, IbcDestinationCallbackMsg, IbcMsg, IbcPacketAckMsg, IbcPacketReceiveMsg,
    IbcPacketTimeoutMsg, IbcReceiveResponse, MessageInfo, Response, StdError, StdResult, Storage,
};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use cw_ics_ccv::{AckResult, Acknowledgement, ConsumerPacket, PublicKey, CCV_VERSION};
use cw_ics_ibc_sim::IbcContractWrapper;
use cw_ics_sim::contracts::{consumer_code, CcvContract};
use serde::{Deserialize, Serialize};

pub const PROVIDER_CHAIN: &str = "provider-1";
pub const CONSUMER_CHAIN: &str = "consumer-1";
pub const VALCONS_PREFIX: &str = "consvalcons";
pub const BLOCK_SECONDS: u64 = 5;
pub const CCV_TIMEOUT: u64 = 5 * 86_400;
pub const RETRY_DELAY: u64 = 600;
pub const SIGNED_BLOCKS_WINDOW: u64 = 10;

/// The consensus key of the scripted network's validator `seed` (the consumer only compares
/// keys, so a fixed byte pattern is enough: nothing here verifies a signature).
pub fn test_key(seed: u8) -> PublicKey {
    PublicKey::Ed25519(vec![seed; 32].into())
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ScriptedExecute {
    /// Sends these bytes as a packet on the channel, timing out after `timeout_seconds`.
    SendVsc { data: Binary, timeout_seconds: u64 },
    /// Answers the next `count` slash packets with 0x03 (bounced).
    BounceNextSlashes { count: u32 },
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ScriptedQuery {
    /// Every packet received, with the ack given, in order.
    Received {},
    /// Every ICS-20 transfer the destination callback reported, in order.
    Arrivals {},
}

/// An ICS-20 transfer to this contract, as its ADR-8 destination callback saw it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Arrival {
    pub sender: String,
    pub funds: Vec<Coin>,
    /// The packet's memo.
    pub memo: String,
    /// The provider chain's end of the transfer channel.
    pub channel_id: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ReceivedPacket {
    pub data: Binary,
    pub ack: Binary,
}

const CHANNEL: &[u8] = b"channel";
const BOUNCES: &[u8] = b"bounces";
const RECEIVED: &[u8] = b"received";
const ARRIVALS: &[u8] = b"arrivals";

fn load<T: serde::de::DeserializeOwned + Default>(
    storage: &dyn Storage,
    key: &[u8],
) -> StdResult<T> {
    storage
        .get(key)
        .map(|v| from_json(v))
        .unwrap_or(Ok(T::default()))
}

fn save<T: Serialize>(storage: &mut dyn Storage, key: &[u8], value: &T) -> StdResult<()> {
    storage.set(key, &to_json_vec(value)?);
    Ok(())
}

fn instantiate(
    _: DepsMut<ChainQuery>,
    _: Env,
    _: MessageInfo,
    _: cosmwasm_std::Empty,
) -> StdResult<Response<ChainMsg>> {
    Ok(Response::new())
}

fn execute(
    deps: DepsMut<ChainQuery>,
    env: Env,
    _: MessageInfo,
    msg: ScriptedExecute,
) -> StdResult<Response<ChainMsg>> {
    match msg {
        ScriptedExecute::SendVsc {
            data,
            timeout_seconds,
        } => {
            let channel_id: String = load(deps.storage, CHANNEL)?;
            if channel_id.is_empty() {
                return Err(StdError::msg("no channel yet"));
            }
            Ok(Response::new().add_message(IbcMsg::SendPacket {
                channel_id,
                data,
                timeout: cw_ics_ccv::timeout_after(env.block.time, timeout_seconds),
            }))
        }
        ScriptedExecute::BounceNextSlashes { count } => {
            save(deps.storage, BOUNCES, &count)?;
            Ok(Response::new())
        }
    }
}

fn query(deps: Deps<ChainQuery>, _: Env, msg: ScriptedQuery) -> StdResult<Binary> {
    match msg {
        ScriptedQuery::Received {} => {
            to_json_binary(&load::<Vec<ReceivedPacket>>(deps.storage, RECEIVED)?)
        }
        ScriptedQuery::Arrivals {} => {
            to_json_binary(&load::<Vec<Arrival>>(deps.storage, ARRIVALS)?)
        }
    }
}

/// Accepts any handshake step, so that it can also play an impostor that opens towards a
/// consumer.
fn channel_open(
    _: DepsMut<ChainQuery>,
    _: Env,
    _: IbcChannelOpenMsg,
) -> StdResult<Option<Ibc3ChannelOpenResponse>> {
    Ok(Some(Ibc3ChannelOpenResponse {
        version: CCV_VERSION.to_string(),
    }))
}

fn channel_connect(
    deps: DepsMut<ChainQuery>,
    _: Env,
    msg: IbcChannelConnectMsg,
) -> StdResult<IbcBasicResponse<ChainMsg>> {
    save(deps.storage, CHANNEL, &msg.channel().endpoint.channel_id)?;
    Ok(IbcBasicResponse::new())
}

fn channel_close(
    _: DepsMut<ChainQuery>,
    _: Env,
    _: IbcChannelCloseMsg,
) -> StdResult<IbcBasicResponse<ChainMsg>> {
    Ok(IbcBasicResponse::new())
}

fn packet_receive(
    deps: DepsMut<ChainQuery>,
    _: Env,
    msg: IbcPacketReceiveMsg,
) -> StdResult<IbcReceiveResponse<ChainMsg>> {
    let data = msg.packet.data;
    let result = match ConsumerPacket::decode(data.as_slice()) {
        Ok(ConsumerPacket::Slash(_)) => {
            let bounces: u32 = load(deps.storage, BOUNCES)?;
            if bounces > 0 {
                save(deps.storage, BOUNCES, &(bounces - 1))?;
                Acknowledgement::Result(AckResult::SlashBounced)
            } else {
                Acknowledgement::Result(AckResult::SlashHandled)
            }
        }
        Ok(ConsumerPacket::VscMatured(_)) => Acknowledgement::Result(AckResult::Success),
        Err(err) => Acknowledgement::error(err.to_string()),
    };
    let ack = result.encode().map_err(|e| StdError::msg(e.to_string()))?;
    let mut received: Vec<ReceivedPacket> = load(deps.storage, RECEIVED)?;
    received.push(ReceivedPacket {
        data,
        ack: ack.clone(),
    });
    save(deps.storage, RECEIVED, &received)?;
    Ok(IbcReceiveResponse::new(ack))
}

fn packet_ack(
    _: DepsMut<ChainQuery>,
    _: Env,
    _: IbcPacketAckMsg,
) -> StdResult<IbcBasicResponse<ChainMsg>> {
    Ok(IbcBasicResponse::new())
}

fn packet_timeout(
    _: DepsMut<ChainQuery>,
    _: Env,
    _: IbcPacketTimeoutMsg,
) -> StdResult<IbcBasicResponse<ChainMsg>> {
    Ok(IbcBasicResponse::new())
}

fn destination_callback(
    deps: DepsMut<ChainQuery>,
    _: Env,
    msg: IbcDestinationCallbackMsg,
) -> StdResult<IbcBasicResponse<ChainMsg>> {
    #[derive(Deserialize)]
    struct Memo {
        #[serde(default)]
        memo: String,
    }
    let transfer = msg
        .transfer
        .ok_or_else(|| StdError::msg("not an ICS-20 transfer"))?;
    let data: Memo = from_json(&msg.packet.data)?;
    let mut arrivals: Vec<Arrival> = load(deps.storage, ARRIVALS)?;
    arrivals.push(Arrival {
        sender: transfer.sender,
        funds: transfer.funds,
        memo: data.memo,
        channel_id: msg.packet.dest.channel_id,
    });
    save(deps.storage, ARRIVALS, &arrivals)?;
    Ok(IbcBasicResponse::new())
}

pub fn scripted_provider_code() -> Box<CcvContract> {
    Box::new(
        IbcContractWrapper::new(execute, instantiate, query)
            .with_ibc(
                channel_open,
                channel_connect,
                channel_close,
                packet_receive,
                packet_ack,
                packet_timeout,
            )
            .with_destination_callback(destination_callback),
    )
}

/// A consumer contract connected to the scripted provider, channel open (not yet established).
pub struct ScriptedNetwork {
    pub coord: cw_ics_ibc_sim::Coordinator<cw_ics_bindings::multitest::TwasmModule>,
    pub provider: cosmwasm_std::Addr,
    pub consumer: cosmwasm_std::Addr,
    pub path: cw_ics_ibc_sim::Path,
    pub genesis: cw_ics_ccv::ConsumerGenesis,
}

impl ScriptedNetwork {
    /// Validators with seeds 1..=n and power 10 each; the consumer's genesis parameters are
    /// this module's constants and `consumer_unbonding_seconds`.
    pub fn launch(validators: u8, consumer_unbonding_seconds: u64) -> anyhow::Result<Self> {
        use cw_ics_bindings::multitest::TwasmModule;
        use cw_ics_ibc_sim::{contract_port, ChainConfig, Coordinator};

        let mut coord = Coordinator::<TwasmModule>::new_custom();
        coord.add_chain_with_custom(
            ChainConfig::new(PROVIDER_CHAIN, "prov").with_block_time(BLOCK_SECONDS),
            TwasmModule,
        )?;
        coord.add_chain_with_custom(
            ChainConfig::new(CONSUMER_CHAIN, "cons").with_block_time(BLOCK_SECONDS),
            TwasmModule,
        )?;
        let connection = coord.setup_connection(CONSUMER_CHAIN, PROVIDER_CHAIN)?;
        let chain = coord.chain_mut(PROVIDER_CHAIN)?;
        let owner = chain.addr_make("owner");
        let code = chain.store_code(scripted_provider_code());
        let provider = chain.instantiate(code, &owner, &cosmwasm_std::Empty {}, &[], "scripted")?;

        let genesis = cw_ics_ccv::ConsumerGenesis {
            provider_chain_id: PROVIDER_CHAIN.to_string(),
            chain_id: CONSUMER_CHAIN.to_string(),
            connection_id: connection.a.connection_id.clone(),
            provider_port_id: contract_port(&provider),
            initial_validator_set: (1..=validators)
                .map(|seed| cw_ics_ccv::GenesisValidator {
                    pub_key: test_key(seed),
                    power: 10,
                })
                .collect(),
            params: cw_ics_ccv::ConsumerParams {
                unbonding_period_seconds: consumer_unbonding_seconds,
                ccv_timeout_seconds: CCV_TIMEOUT,
                retry_delay_seconds: RETRY_DELAY,
                signed_blocks_window: SIGNED_BLOCKS_WINDOW,
                min_signed_per_window: cosmwasm_std::Decimal::percent(50),
                valcons_prefix: VALCONS_PREFIX.to_string(),
            },
        };
        let chain = coord.chain_mut(CONSUMER_CHAIN)?;
        let deployer = chain.addr_make("deployer");
        let code = chain.store_code(consumer_code());
        let consumer = chain.instantiate(
            code,
            &deployer,
            &cw_ics_consumer::msg::InstantiateMsg {
                genesis: genesis.clone(),
            },
            &[],
            "consumer",
        )?;
        let mut path = coord.new_path(
            &connection,
            &contract_port(&consumer),
            &contract_port(&provider),
            cosmwasm_std::IbcOrder::Ordered,
            CCV_VERSION,
        );
        coord.open_channel(&mut path)?;
        Ok(ScriptedNetwork {
            coord,
            provider,
            consumer,
            path,
            genesis,
        })
    }

    /// The scripted provider sends these bytes as a VSC.
    pub fn send_vsc(&mut self, data: Binary) -> anyhow::Result<()> {
        let provider = self.provider.clone();
        let chain = self.coord.chain_mut(PROVIDER_CHAIN)?;
        let owner = chain.addr_make("owner");
        chain.execute(
            &owner,
            &provider,
            &ScriptedExecute::SendVsc {
                data,
                timeout_seconds: CCV_TIMEOUT,
            },
            &[],
        )?;
        Ok(())
    }

    pub fn bounce_next_slashes(&mut self, count: u32) -> anyhow::Result<()> {
        let provider = self.provider.clone();
        let chain = self.coord.chain_mut(PROVIDER_CHAIN)?;
        let owner = chain.addr_make("owner");
        chain.execute(
            &owner,
            &provider,
            &ScriptedExecute::BounceNextSlashes { count },
            &[],
        )?;
        Ok(())
    }

    /// Opens an ICS-20 channel (`transfer` ↔ `transfer`) over the CCV connection, from the
    /// consumer chain.
    pub fn open_transfer_channel(&mut self) -> anyhow::Result<cw_ics_ibc_sim::Path> {
        let side = |end: &cw_ics_ibc_sim::Endpoint| cw_ics_ibc_sim::ConnectionSide {
            chain_id: end.chain_id.clone(),
            client_id: end.client_id.clone(),
            connection_id: end.connection_id.clone(),
        };
        let connection = cw_ics_ibc_sim::Connection {
            a: side(&self.path.a),
            b: side(&self.path.b),
        };
        Ok(self.coord.create_transfer_channel(&connection)?)
    }

    /// The reward transfers the provider contract was told of.
    pub fn arrivals(&self) -> anyhow::Result<Vec<Arrival>> {
        Ok(self
            .coord
            .chain(PROVIDER_CHAIN)?
            .query(&self.provider, &ScriptedQuery::Arrivals {})?)
    }

    pub fn received(&self) -> anyhow::Result<Vec<ReceivedPacket>> {
        Ok(self
            .coord
            .chain(PROVIDER_CHAIN)?
            .query(&self.provider, &ScriptedQuery::Received {})?)
    }

    /// `secs` later on both chains (one block), then the consumer's `begin_block` with
    /// `signing(seed)` telling which genesis validators signed.
    pub fn block_after(&mut self, secs: u64, signing: impl Fn(u8) -> bool) -> anyhow::Result<()> {
        self.coord.advance_time(secs);
        let votes = self
            .genesis
            .initial_validator_set
            .iter()
            .enumerate()
            .map(|(index, v)| cw_ics_bindings::ValidatorVote {
                address: v.pub_key.consensus_address().as_bytes().to_vec().into(),
                power: v.power,
                voted: signing(u8::try_from(index + 1).unwrap_or(u8::MAX)),
            })
            .collect();
        let consumer = self.consumer.clone();
        let chain = self.coord.chain_mut(CONSUMER_CHAIN)?;
        cw_ics_bindings::multitest::set_last_commit_votes(
            chain.app_mut().storage_mut(),
            &cw_ics_bindings::ValidatorVoteResponse { votes },
        )
        .map_err(|e| anyhow::anyhow!("recording votes: {e}"))?;
        chain.sudo(
            &consumer,
            &cw_ics_bindings::ChainSudoMsg::BeginBlock { evidence: vec![] },
        )?;
        Ok(())
    }

    pub fn consumer_query<T: serde::de::DeserializeOwned>(
        &self,
        msg: &cw_ics_consumer::msg::QueryMsg,
    ) -> anyhow::Result<T> {
        Ok(self
            .coord
            .chain(CONSUMER_CHAIN)?
            .query(&self.consumer, msg)?)
    }

    /// Every packet the consumer sent so far, with the consumer's time, in order.
    pub fn consumer_sends(&self) -> anyhow::Result<Vec<(ConsumerPacket, u64)>> {
        let mut sends = vec![];
        for event in self.coord.events() {
            if let cw_ics_ibc_sim::IbcEvent::SendPacket { at, packet } = event {
                if packet.src.port_id == self.path.a.port_id {
                    sends.push((
                        ConsumerPacket::decode(packet.data.as_slice())?,
                        at.time.seconds(),
                    ));
                }
            }
        }
        Ok(sends)
    }
}
