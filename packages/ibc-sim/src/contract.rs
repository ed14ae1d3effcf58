//! A cw-multi-test [`Contract`] that also exposes the six IBC entrypoints and the
//! two ADR-8 callback entrypoints.
//!
//! cw-multi-test 3 has no IBC entrypoints, so the simulator reaches them through the
//! contract's `sudo` with an envelope only the simulator produces. They therefore run on
//! the contract's own storage, with the usual transactional commit/revert, and their
//! messages are dispatched by the chain like any other response. Real sudo messages still
//! reach the contract's own `sudo`.

use cosmwasm_std::{
    from_json, to_json_binary, Binary, ContractResult, CustomMsg, CustomQuery, Deps, DepsMut,
    Empty, Env, IbcBasicResponse, IbcChannelCloseMsg, IbcChannelConnectMsg, IbcChannelOpenMsg,
    IbcChannelOpenResponse, IbcDestinationCallbackMsg, IbcPacketAckMsg, IbcPacketReceiveMsg,
    IbcPacketTimeoutMsg, IbcQuery, IbcReceiveResponse, IbcSourceCallbackMsg, MessageInfo,
    PortIdResponse, Querier, QuerierResult, QuerierWrapper, QueryRequest, Reply, Response,
    StdError, StdResult, SystemResult,
};
use cw_multi_test::Contract;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt::Display;

/// The port a wasm contract is bound to, as wasmd names it.
pub fn contract_port(address: impl Display) -> String {
    format!("wasm.{address}")
}

/// One call into a contract's IBC side, as carried by the sudo envelope.
#[derive(Serialize, Deserialize, Clone, Debug)]
#[serde(rename_all = "snake_case")]
pub(crate) enum IbcEntry {
    ChannelOpen(IbcChannelOpenMsg),
    ChannelConnect(IbcChannelConnectMsg),
    ChannelClose(IbcChannelCloseMsg),
    PacketReceive(IbcPacketReceiveMsg),
    PacketAck(IbcPacketAckMsg),
    PacketTimeout(IbcPacketTimeoutMsg),
    SourceCallback(IbcSourceCallbackMsg),
    DestinationCallback(IbcDestinationCallbackMsg),
}

impl IbcEntry {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            IbcEntry::ChannelOpen(_) => "ibc_channel_open",
            IbcEntry::ChannelConnect(_) => "ibc_channel_connect",
            IbcEntry::ChannelClose(_) => "ibc_channel_close",
            IbcEntry::PacketReceive(_) => "ibc_packet_receive",
            IbcEntry::PacketAck(_) => "ibc_packet_ack",
            IbcEntry::PacketTimeout(_) => "ibc_packet_timeout",
            IbcEntry::SourceCallback(_) => "ibc_source_callback",
            IbcEntry::DestinationCallback(_) => "ibc_destination_callback",
        }
    }
}

/// The sudo message the simulator sends; the field name cannot clash with a real sudo enum.
#[derive(Serialize, Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct IbcEnvelope {
    #[serde(rename = "__cw_ics_ibc_sim_entry__")]
    pub entry: IbcEntry,
}

pub(crate) fn envelope(entry: IbcEntry) -> StdResult<Binary> {
    to_json_binary(&IbcEnvelope { entry })
}

/// A contract's `execute` or `instantiate` function.
pub type ExecuteFn<T, C, E, Q> = fn(DepsMut<Q>, Env, MessageInfo, T) -> Result<Response<C>, E>;
/// A contract's `query` function.
pub type QueryFn<T, E, Q> = fn(Deps<Q>, Env, T) -> Result<Binary, E>;
/// A contract entrypoint taking `(deps, env, msg)`: sudo, migrate, reply and the IBC ones.
pub type EntryFn<T, R, E, Q> = fn(DepsMut<Q>, Env, T) -> Result<R, E>;

type MutEntry<M, C, Q> = Box<dyn Fn(DepsMut<Q>, Env, M) -> StdResult<Response<C>>>;
type QueryEntry<Q> = Box<dyn Fn(Deps<Q>, Env, Vec<u8>) -> StdResult<Binary>>;

fn to_std<E: Display>(err: E) -> StdError {
    StdError::msg(err.to_string())
}

fn parse<T: DeserializeOwned>(msg: &[u8]) -> StdResult<T> {
    from_json(msg)
}

/// A contract for a simulated chain: its usual entrypoints plus its IBC entrypoints.
///
/// ```ignore
/// let code = IbcContractWrapper::new(execute, instantiate, query)
///     .with_sudo(sudo)
///     .with_ibc(ibc_channel_open, ibc_channel_connect, ibc_channel_close,
///               ibc_packet_receive, ibc_packet_ack, ibc_packet_timeout);
/// let code_id = chain.store_code(Box::new(code));
/// ```
///
/// `C` and `Q` are the chain's custom message and query types. A contract written for
/// `Empty` can run on a chain with custom types after [`IbcContractWrapper::into_custom`].
pub struct IbcContractWrapper<C = Empty, Q: CustomQuery = Empty> {
    execute: MutEntry<(MessageInfo, Vec<u8>), C, Q>,
    instantiate: MutEntry<(MessageInfo, Vec<u8>), C, Q>,
    query: QueryEntry<Q>,
    sudo: Option<MutEntry<Vec<u8>, C, Q>>,
    migrate: Option<MutEntry<Vec<u8>, C, Q>>,
    reply: Option<MutEntry<Reply, C, Q>>,
    channel_open: Option<MutEntry<IbcChannelOpenMsg, C, Q>>,
    channel_connect: Option<MutEntry<IbcChannelConnectMsg, C, Q>>,
    channel_close: Option<MutEntry<IbcChannelCloseMsg, C, Q>>,
    packet_receive: Option<MutEntry<IbcPacketReceiveMsg, C, Q>>,
    packet_ack: Option<MutEntry<IbcPacketAckMsg, C, Q>>,
    packet_timeout: Option<MutEntry<IbcPacketTimeoutMsg, C, Q>>,
    source_callback: Option<MutEntry<IbcSourceCallbackMsg, C, Q>>,
    destination_callback: Option<MutEntry<IbcDestinationCallbackMsg, C, Q>>,
}

fn basic_to_response<C>(res: IbcBasicResponse<C>) -> Response<C> {
    Response::new()
        .add_submessages(res.messages)
        .add_attributes(res.attributes)
        .add_events(res.events)
}

/// The receive result travels as the response data, exactly like wasmd does it: a
/// submessage reply that sets data overwrites the acknowledgement, and no data means the
/// contract will acknowledge later (`IbcMsg::WriteAcknowledgement`).
fn receive_to_response<C>(res: IbcReceiveResponse<C>) -> Response<C> {
    let response = Response::new()
        .add_submessages(res.messages)
        .add_attributes(res.attributes)
        .add_events(res.events);
    match res.acknowledgement {
        Some(ack) => response.set_data(ack),
        None => response,
    }
}

/// The negotiated version travels as the response data; no data keeps the proposed one.
fn open_to_response<C>(res: IbcChannelOpenResponse) -> Response<C> {
    match res {
        Some(open) => Response::new().set_data(open.version.into_bytes()),
        None => Response::new(),
    }
}

impl<C, Q> IbcContractWrapper<C, Q>
where
    C: CustomMsg + 'static,
    Q: CustomQuery + 'static,
{
    /// A contract with `execute`, `instantiate` and `query`.
    pub fn new<T1, T2, T3, E1, E2, E3>(
        execute: ExecuteFn<T1, C, E1, Q>,
        instantiate: ExecuteFn<T2, C, E2, Q>,
        query: QueryFn<T3, E3, Q>,
    ) -> Self
    where
        T1: DeserializeOwned + 'static,
        T2: DeserializeOwned + 'static,
        T3: DeserializeOwned + 'static,
        E1: Display + 'static,
        E2: Display + 'static,
        E3: Display + 'static,
    {
        IbcContractWrapper {
            execute: Box::new(move |deps, env, (info, msg): (MessageInfo, Vec<u8>)| {
                execute(deps, env, info, parse(&msg)?).map_err(to_std)
            }),
            instantiate: Box::new(move |deps, env, (info, msg): (MessageInfo, Vec<u8>)| {
                instantiate(deps, env, info, parse(&msg)?).map_err(to_std)
            }),
            query: Box::new(move |deps, env, msg| query(deps, env, parse(&msg)?).map_err(to_std)),
            sudo: None,
            migrate: None,
            reply: None,
            channel_open: None,
            channel_connect: None,
            channel_close: None,
            packet_receive: None,
            packet_ack: None,
            packet_timeout: None,
            source_callback: None,
            destination_callback: None,
        }
    }

    /// Adds the contract's `sudo` entrypoint.
    pub fn with_sudo<T, E>(mut self, sudo: EntryFn<T, Response<C>, E, Q>) -> Self
    where
        T: DeserializeOwned + 'static,
        E: Display + 'static,
    {
        self.sudo = Some(Box::new(move |deps, env, msg: Vec<u8>| {
            sudo(deps, env, parse(&msg)?).map_err(to_std)
        }));
        self
    }

    /// Adds the contract's `migrate` entrypoint.
    pub fn with_migrate<T, E>(mut self, migrate: EntryFn<T, Response<C>, E, Q>) -> Self
    where
        T: DeserializeOwned + 'static,
        E: Display + 'static,
    {
        self.migrate = Some(Box::new(move |deps, env, msg: Vec<u8>| {
            migrate(deps, env, parse(&msg)?).map_err(to_std)
        }));
        self
    }

    /// Adds the contract's `reply` entrypoint.
    pub fn with_reply<E>(mut self, reply: EntryFn<Reply, Response<C>, E, Q>) -> Self
    where
        E: Display + 'static,
    {
        self.reply = Some(Box::new(move |deps, env, msg| {
            reply(deps, env, msg).map_err(to_std)
        }));
        self
    }

    /// Adds the six IBC entrypoints (channel open/connect/close, packet receive/ack/timeout).
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    pub fn with_ibc<E1, E2, E3, E4, E5, E6>(
        mut self,
        channel_open: EntryFn<IbcChannelOpenMsg, IbcChannelOpenResponse, E1, Q>,
        channel_connect: fn(
            DepsMut<Q>,
            Env,
            IbcChannelConnectMsg,
        ) -> Result<IbcBasicResponse<C>, E2>,
        channel_close: EntryFn<IbcChannelCloseMsg, IbcBasicResponse<C>, E3, Q>,
        packet_receive: fn(
            DepsMut<Q>,
            Env,
            IbcPacketReceiveMsg,
        ) -> Result<IbcReceiveResponse<C>, E4>,
        packet_ack: EntryFn<IbcPacketAckMsg, IbcBasicResponse<C>, E5, Q>,
        packet_timeout: EntryFn<IbcPacketTimeoutMsg, IbcBasicResponse<C>, E6, Q>,
    ) -> Self
    where
        E1: Display + 'static,
        E2: Display + 'static,
        E3: Display + 'static,
        E4: Display + 'static,
        E5: Display + 'static,
        E6: Display + 'static,
    {
        self.channel_open = Some(Box::new(move |deps, env, msg| {
            channel_open(deps, env, msg)
                .map(open_to_response)
                .map_err(to_std)
        }));
        self.channel_connect = Some(Box::new(move |deps, env, msg| {
            channel_connect(deps, env, msg)
                .map(basic_to_response)
                .map_err(to_std)
        }));
        self.channel_close = Some(Box::new(move |deps, env, msg| {
            channel_close(deps, env, msg)
                .map(basic_to_response)
                .map_err(to_std)
        }));
        self.packet_receive = Some(Box::new(move |deps, env, msg| {
            packet_receive(deps, env, msg)
                .map(receive_to_response)
                .map_err(to_std)
        }));
        self.packet_ack = Some(Box::new(move |deps, env, msg| {
            packet_ack(deps, env, msg)
                .map(basic_to_response)
                .map_err(to_std)
        }));
        self.packet_timeout = Some(Box::new(move |deps, env, msg| {
            packet_timeout(deps, env, msg)
                .map(basic_to_response)
                .map_err(to_std)
        }));
        self
    }

    /// Adds the ADR-8 `ibc_source_callback` entrypoint (ack/timeout of a packet this
    /// contract sent with a `src_callback` memo).
    pub fn with_source_callback<E>(
        mut self,
        callback: EntryFn<IbcSourceCallbackMsg, IbcBasicResponse<C>, E, Q>,
    ) -> Self
    where
        E: Display + 'static,
    {
        self.source_callback = Some(Box::new(move |deps, env, msg| {
            callback(deps, env, msg)
                .map(basic_to_response)
                .map_err(to_std)
        }));
        self
    }

    /// Adds the ADR-8 `ibc_destination_callback` entrypoint (a packet received with a
    /// `dest_callback` memo naming this contract).
    pub fn with_destination_callback<E>(
        mut self,
        callback: EntryFn<IbcDestinationCallbackMsg, IbcBasicResponse<C>, E, Q>,
    ) -> Self
    where
        E: Display + 'static,
    {
        self.destination_callback = Some(Box::new(move |deps, env, msg| {
            callback(deps, env, msg)
                .map(basic_to_response)
                .map_err(to_std)
        }));
        self
    }

    fn dispatch(&self, deps: DepsMut<Q>, env: Env, entry: IbcEntry) -> StdResult<Response<C>> {
        let name = entry.name();
        let missing = || StdError::msg(format!("contract has no {name} entrypoint"));
        match entry {
            IbcEntry::ChannelOpen(msg) => {
                self.channel_open.as_ref().ok_or_else(missing)?(deps, env, msg)
            }
            IbcEntry::ChannelConnect(msg) => {
                self.channel_connect.as_ref().ok_or_else(missing)?(deps, env, msg)
            }
            IbcEntry::ChannelClose(msg) => {
                self.channel_close.as_ref().ok_or_else(missing)?(deps, env, msg)
            }
            IbcEntry::PacketReceive(msg) => {
                self.packet_receive.as_ref().ok_or_else(missing)?(deps, env, msg)
            }
            IbcEntry::PacketAck(msg) => {
                self.packet_ack.as_ref().ok_or_else(missing)?(deps, env, msg)
            }
            IbcEntry::PacketTimeout(msg) => {
                self.packet_timeout.as_ref().ok_or_else(missing)?(deps, env, msg)
            }
            IbcEntry::SourceCallback(msg) => {
                self.source_callback.as_ref().ok_or_else(missing)?(deps, env, msg)
            }
            IbcEntry::DestinationCallback(msg) => {
                self.destination_callback.as_ref().ok_or_else(missing)?(deps, env, msg)
            }
        }
    }
}

fn customize_mut<M: 'static, C: CustomMsg + 'static, Q: CustomQuery + 'static>(
    entry: MutEntry<M, Empty, Empty>,
) -> MutEntry<M, C, Q> {
    Box::new(move |deps: DepsMut<Q>, env, msg| {
        let DepsMut {
            storage,
            api,
            querier,
        } = deps;
        let plain = DepsMut {
            storage,
            api,
            querier: QuerierWrapper::new(&*querier),
        };
        entry(plain, env, msg)?.change_custom().ok_or_else(|| {
            StdError::msg("a contract without custom messages emitted CosmosMsg::Custom")
        })
    })
}

fn customize_opt<M: 'static, C: CustomMsg + 'static, Q: CustomQuery + 'static>(
    entry: Option<MutEntry<M, Empty, Empty>>,
) -> Option<MutEntry<M, C, Q>> {
    entry.map(customize_mut)
}

impl IbcContractWrapper<Empty, Empty> {
    /// Runs a contract written without custom messages/queries on a chain whose custom
    /// types are `C` and `Q` (e.g. an ordinary contract next to one using chain bindings).
    pub fn into_custom<C: CustomMsg + 'static, Q: CustomQuery + 'static>(
        self,
    ) -> IbcContractWrapper<C, Q> {
        let query = self.query;
        IbcContractWrapper {
            execute: customize_mut(self.execute),
            instantiate: customize_mut(self.instantiate),
            query: Box::new(move |deps: Deps<Q>, env, msg| {
                let plain = Deps {
                    storage: deps.storage,
                    api: deps.api,
                    querier: QuerierWrapper::new(&*deps.querier),
                };
                query(plain, env, msg)
            }),
            sudo: customize_opt(self.sudo),
            migrate: customize_opt(self.migrate),
            reply: customize_opt(self.reply),
            channel_open: customize_opt(self.channel_open),
            channel_connect: customize_opt(self.channel_connect),
            channel_close: customize_opt(self.channel_close),
            packet_receive: customize_opt(self.packet_receive),
            packet_ack: customize_opt(self.packet_ack),
            packet_timeout: customize_opt(self.packet_timeout),
            source_callback: customize_opt(self.source_callback),
            destination_callback: customize_opt(self.destination_callback),
        }
    }
}

/// Answers `IbcQuery::PortId` for the contract being called (only the contract knows its
/// own address) and passes every other query to the chain.
struct PortAwareQuerier<'a> {
    inner: &'a dyn Querier,
    port_id: String,
}

impl Querier for PortAwareQuerier<'_> {
    fn raw_query(&self, bin_request: &[u8]) -> QuerierResult {
        match from_json::<QueryRequest<Empty>>(bin_request) {
            Ok(QueryRequest::Ibc(IbcQuery::PortId {})) => {
                let answer = to_json_binary(&PortIdResponse::new(self.port_id.clone()));
                SystemResult::Ok(match answer {
                    Ok(bin) => ContractResult::Ok(bin),
                    Err(err) => ContractResult::Err(err.to_string()),
                })
            }
            // wasmd fills in the caller's port when the query leaves it out
            Ok(QueryRequest::Ibc(IbcQuery::Channel {
                channel_id,
                port_id: None,
            })) => {
                let request: QueryRequest<Empty> = QueryRequest::Ibc(IbcQuery::Channel {
                    channel_id,
                    port_id: Some(self.port_id.clone()),
                });
                match to_json_binary(&request) {
                    Ok(bin) => self.inner.raw_query(&bin),
                    Err(err) => SystemResult::Ok(ContractResult::Err(err.to_string())),
                }
            }
            _ => self.inner.raw_query(bin_request),
        }
    }
}

fn with_port_querier<Q: CustomQuery, R>(
    deps: DepsMut<Q>,
    env: &Env,
    call: impl FnOnce(DepsMut<Q>) -> R,
) -> R {
    let DepsMut {
        storage,
        api,
        querier,
    } = deps;
    let port_querier = PortAwareQuerier {
        inner: &*querier,
        port_id: contract_port(&env.contract.address),
    };
    call(DepsMut {
        storage,
        api,
        querier: QuerierWrapper::new(&port_querier),
    })
}

impl<C, Q> Contract<C, Q> for IbcContractWrapper<C, Q>
where
    C: CustomMsg + 'static,
    Q: CustomQuery + 'static,
{
    fn instantiate(
        &self,
        deps: DepsMut<Q>,
        env: Env,
        info: MessageInfo,
        msg: Vec<u8>,
    ) -> StdResult<Response<C>> {
        let env2 = env.clone();
        with_port_querier(deps, &env2, |deps| {
            (self.instantiate)(deps, env, (info, msg))
        })
    }

    fn execute(
        &self,
        deps: DepsMut<Q>,
        env: Env,
        info: MessageInfo,
        msg: Vec<u8>,
    ) -> StdResult<Response<C>> {
        let env2 = env.clone();
        with_port_querier(deps, &env2, |deps| (self.execute)(deps, env, (info, msg)))
    }

    fn query(&self, deps: Deps<Q>, env: Env, msg: Vec<u8>) -> StdResult<Binary> {
        let port_querier = PortAwareQuerier {
            inner: &*deps.querier,
            port_id: contract_port(&env.contract.address),
        };
        let deps = Deps {
            storage: deps.storage,
            api: deps.api,
            querier: QuerierWrapper::new(&port_querier),
        };
        (self.query)(deps, env, msg)
    }

    fn reply(&self, deps: DepsMut<Q>, env: Env, msg: Reply) -> StdResult<Response<C>> {
        let reply = self
            .reply
            .as_ref()
            .ok_or_else(|| StdError::msg("reply is not implemented for contract"))?;
        let env2 = env.clone();
        with_port_querier(deps, &env2, |deps| reply(deps, env, msg))
    }

    fn sudo(&self, deps: DepsMut<Q>, env: Env, msg: Vec<u8>) -> StdResult<Response<C>> {
        let env2 = env.clone();
        if let Ok(IbcEnvelope { entry }) = from_json::<IbcEnvelope>(&msg) {
            return with_port_querier(deps, &env2, |deps| self.dispatch(deps, env, entry));
        }
        let sudo = self
            .sudo
            .as_ref()
            .ok_or_else(|| StdError::msg("sudo is not implemented for contract"))?;
        with_port_querier(deps, &env2, |deps| sudo(deps, env, msg))
    }

    fn migrate(&self, deps: DepsMut<Q>, env: Env, msg: Vec<u8>) -> StdResult<Response<C>> {
        let migrate = self
            .migrate
            .as_ref()
            .ok_or_else(|| StdError::msg("migrate is not implemented for contract"))?;
        let env2 = env.clone();
        with_port_querier(deps, &env2, |deps| migrate(deps, env, msg))
    }
}
