//! The coordinator: owns the chains, creates clients and connections, runs channel
//! handshakes and closes (the relayer's packet work is in `relay.rs`). Modelled on ibc-go's
//! testing coordinator: chains, paths and endpoints.

use crate::chain::{Chain, ChainConfig, ConnectionEnd, LightClient, NoCustom, SimCustom};
use crate::contract::IbcEntry;
use crate::error::{SimError, SimResult};
use crate::events::{EventLog, HandshakeStep, IbcEvent};
use crate::relay::RelayerControl;
use crate::store::{ChannelEnd, ChannelState};
use crate::transfer::{ICS20_VERSION, TRANSFER_PORT};
use cosmwasm_std::{
    IbcChannel, IbcChannelCloseMsg, IbcChannelConnectMsg, IbcChannelOpenMsg, IbcEndpoint, IbcOrder,
};
use std::collections::BTreeMap;

/// Default trusting period of new light clients: two weeks, as in ibc-go's testing package.
pub const DEFAULT_TRUSTING_PERIOD_SECS: u64 = 14 * 24 * 60 * 60;

/// One side of a connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionSide {
    pub chain_id: String,
    pub client_id: String,
    pub connection_id: String,
}

/// An open connection between two chains (each side with its client of the other).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    pub a: ConnectionSide,
    pub b: ConnectionSide,
}

impl Connection {
    /// The same connection seen from `b` (so that `b` sends ChanOpenInit on paths over it).
    pub fn reversed(&self) -> Connection {
        Connection {
            a: self.b.clone(),
            b: self.a.clone(),
        }
    }
}

/// One end of a path: chain, client, connection, port and (once allocated) channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub chain_id: String,
    pub client_id: String,
    pub connection_id: String,
    pub port_id: String,
    /// Empty until the handshake step on this side allocates it.
    pub channel_id: String,
}

/// A channel between two ports over a connection, as ibc-go's testing `Path`. `a` is the
/// side that sends ChanOpenInit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    pub a: Endpoint,
    pub b: Endpoint,
    pub order: IbcOrder,
    /// The proposed version before the handshake, the negotiated one after it.
    pub version: String,
}

impl Path {
    /// The endpoint on `chain_id` (the first one if both ends are on the same chain).
    pub fn endpoint(&self, chain_id: &str) -> Option<&Endpoint> {
        if self.a.chain_id == chain_id {
            Some(&self.a)
        } else if self.b.chain_id == chain_id {
            Some(&self.b)
        } else {
            None
        }
    }

    /// The same path seen from `b`.
    pub fn reversed(&self) -> Path {
        Path {
            a: self.b.clone(),
            b: self.a.clone(),
            order: self.order.clone(),
            version: self.version.clone(),
        }
    }

    /// `chain:port/channel <-> chain:port/channel`, for messages and timelines.
    pub fn label(&self) -> String {
        format!(
            "{}:{}/{} <-> {}:{}/{}",
            self.a.chain_id,
            self.a.port_id,
            self.a.channel_id,
            self.b.chain_id,
            self.b.port_id,
            self.b.channel_id
        )
    }
}

/// A channel end's address in the network.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChannelKey {
    pub chain_id: String,
    pub port_id: String,
    pub channel_id: String,
}

impl ChannelKey {
    pub fn new(chain_id: &str, port_id: &str, channel_id: &str) -> Self {
        ChannelKey {
            chain_id: chain_id.to_string(),
            port_id: port_id.to_string(),
            channel_id: channel_id.to_string(),
        }
    }
}

impl From<&Endpoint> for ChannelKey {
    fn from(e: &Endpoint) -> Self {
        ChannelKey::new(&e.chain_id, &e.port_id, &e.channel_id)
    }
}

/// The simulated network. Generic over the chains' custom module (see [`SimCustom`]).
pub struct Coordinator<CustomT: SimCustom = NoCustom> {
    pub(crate) chains: BTreeMap<String, Chain<CustomT>>,
    pub(crate) log: EventLog,
    /// Every channel pair whose both ends exist, for `relay_all`.
    pub(crate) pairs: Vec<(ChannelKey, ChannelKey)>,
    pub(crate) relayer: RelayerControl,
}

impl<CustomT: SimCustom> Default for Coordinator<CustomT> {
    fn default() -> Self {
        Self::new_custom()
    }
}

impl Coordinator<NoCustom> {
    /// A network of chains without custom messages.
    pub fn new() -> Self {
        Self::new_custom()
    }
}

impl<CustomT: SimCustom> Coordinator<CustomT> {
    /// A network whose chains run the custom module `CustomT`
    /// (`Coordinator::<MyModule>::new_custom()`).
    pub fn new_custom() -> Self {
        Coordinator {
            chains: BTreeMap::new(),
            log: EventLog::default(),
            pairs: vec![],
            relayer: RelayerControl::default(),
        }
    }

    /// Adds a chain running `custom` as its custom-message module.
    pub fn add_chain_with_custom(
        &mut self,
        config: ChainConfig,
        custom: CustomT,
    ) -> SimResult<&mut Chain<CustomT>> {
        if self.chains.contains_key(&config.chain_id) {
            return Err(SimError::DuplicateChain(config.chain_id));
        }
        let chain_id = config.chain_id.clone();
        let chain = Chain::new(config, custom, self.log.clone())?;
        Ok(self.chains.entry(chain_id).or_insert(chain))
    }

    /// Adds a chain with the default custom module.
    pub fn add_chain(&mut self, config: ChainConfig) -> SimResult<&mut Chain<CustomT>>
    where
        CustomT: Default,
    {
        self.add_chain_with_custom(config, CustomT::default())
    }

    pub fn chain(&self, chain_id: &str) -> SimResult<&Chain<CustomT>> {
        self.chains
            .get(chain_id)
            .ok_or_else(|| SimError::UnknownChain(chain_id.to_string()))
    }

    pub fn chain_mut(&mut self, chain_id: &str) -> SimResult<&mut Chain<CustomT>> {
        self.chains
            .get_mut(chain_id)
            .ok_or_else(|| SimError::UnknownChain(chain_id.to_string()))
    }

    pub fn chain_ids(&self) -> Vec<String> {
        self.chains.keys().cloned().collect()
    }

    /// The shared event log.
    pub fn event_log(&self) -> &EventLog {
        &self.log
    }

    /// A copy of every logged event so far.
    pub fn events(&self) -> Vec<IbcEvent> {
        self.log.all()
    }

    /// Produces `n` blocks on every chain.
    pub fn advance_blocks(&mut self, n: u64) {
        for chain in self.chains.values_mut() {
            chain.advance_blocks(n);
        }
    }

    /// Moves every chain's clock by `secs` (one new block each).
    pub fn advance_time(&mut self, secs: u64) {
        for chain in self.chains.values_mut() {
            chain.advance_time(secs);
        }
    }

    // ------------------------------------------------------------ clients and connections

    /// Creates on `host` a light client of `counterparty` at its current height.
    pub fn create_client(
        &mut self,
        host: &str,
        counterparty: &str,
        trusting_period_secs: u64,
    ) -> SimResult<String> {
        let (height, time) = {
            let c = self.chain(counterparty)?;
            (c.height(), c.time())
        };
        let chain = self.chain_mut(host)?;
        let client_id = chain.next_client_id();
        chain.clients.insert(
            client_id.clone(),
            LightClient {
                client_id: client_id.clone(),
                counterparty_chain_id: counterparty.to_string(),
                trusting_period_secs,
                latest_height: height,
                latest_timestamp: time,
            },
        );
        let at = chain.stamp();
        self.log.push(IbcEvent::ClientCreated {
            at,
            client_id: client_id.clone(),
            counterparty_chain_id: counterparty.to_string(),
            trusting_period_secs,
        });
        Ok(client_id)
    }

    /// Brings a client up to its counterparty's current height and time (what a relayer does
    /// before delivering anything). Fails on an expired client.
    pub fn update_client(&mut self, host: &str, client_id: &str) -> SimResult<()> {
        let client = self.client(host, client_id)?.clone();
        let host_now = self.chain(host)?.time();
        if client.is_expired(host_now) {
            return Err(SimError::ClientExpired {
                chain_id: host.to_string(),
                client_id: client_id.to_string(),
            });
        }
        self.refresh_client(host, client_id)
    }

    /// Governance recovery of an expired client: it trusts the counterparty's current
    /// state again and relaying over it resumes.
    pub fn recover_client(&mut self, host: &str, client_id: &str) -> SimResult<()> {
        self.client(host, client_id)?;
        self.refresh_client(host, client_id)?;
        let at = self.chain(host)?.stamp();
        self.log.push(IbcEvent::ClientRecovered {
            at,
            client_id: client_id.to_string(),
        });
        Ok(())
    }

    /// Whether the client has expired by its host's clock.
    pub fn is_client_expired(&self, host: &str, client_id: &str) -> SimResult<bool> {
        let client = self.client(host, client_id)?;
        Ok(client.is_expired(self.chain(host)?.time()))
    }

    pub fn client(&self, host: &str, client_id: &str) -> SimResult<&LightClient> {
        self.chain(host)?
            .clients
            .get(client_id)
            .ok_or_else(|| SimError::UnknownClient {
                chain_id: host.to_string(),
                client_id: client_id.to_string(),
            })
    }

    fn refresh_client(&mut self, host: &str, client_id: &str) -> SimResult<()> {
        let counterparty = self.client(host, client_id)?.counterparty_chain_id.clone();
        let (height, time) = {
            let c = self.chain(&counterparty)?;
            (c.height(), c.time())
        };
        if let Some(client) = self.chain_mut(host)?.clients.get_mut(client_id) {
            client.latest_height = height;
            client.latest_timestamp = time;
        }
        Ok(())
    }

    /// Clients on both chains and an open connection between them, with the default
    /// trusting period.
    pub fn setup_connection(&mut self, a: &str, b: &str) -> SimResult<Connection> {
        self.setup_connection_with(
            a,
            b,
            DEFAULT_TRUSTING_PERIOD_SECS,
            DEFAULT_TRUSTING_PERIOD_SECS,
        )
    }

    /// Like [`Coordinator::setup_connection`] with explicit trusting periods for the client
    /// on `a` (tracking `b`) and on `b` (tracking `a`).
    pub fn setup_connection_with(
        &mut self,
        a: &str,
        b: &str,
        trusting_period_a_secs: u64,
        trusting_period_b_secs: u64,
    ) -> SimResult<Connection> {
        self.chain(a)?;
        self.chain(b)?;
        let client_a = self.create_client(a, b, trusting_period_a_secs)?;
        let client_b = self.create_client(b, a, trusting_period_b_secs)?;
        let connection_a = self.chain_mut(a)?.next_connection_id();
        let connection_b = self.chain_mut(b)?.next_connection_id();
        for (host, client, conn, other, other_conn) in [
            (a, &client_a, &connection_a, b, &connection_b),
            (b, &client_b, &connection_b, a, &connection_a),
        ] {
            let chain = self.chain_mut(host)?;
            chain.connections.insert(
                conn.clone(),
                ConnectionEnd {
                    connection_id: conn.clone(),
                    client_id: client.clone(),
                    counterparty_chain_id: other.to_string(),
                    counterparty_connection_id: other_conn.clone(),
                },
            );
            let at = chain.stamp();
            self.log.push(IbcEvent::ConnectionOpened {
                at,
                connection_id: conn.clone(),
                client_id: client.clone(),
                counterparty_chain_id: other.to_string(),
                counterparty_connection_id: other_conn.clone(),
            });
        }
        Ok(Connection {
            a: ConnectionSide {
                chain_id: a.to_string(),
                client_id: client_a,
                connection_id: connection_a,
            },
            b: ConnectionSide {
                chain_id: b.to_string(),
                client_id: client_b,
                connection_id: connection_b,
            },
        })
    }

    // ------------------------------------------------------------ channel handshake

    /// A path over `connection` between `port_a` (on its `a` chain) and `port_b`; nothing
    /// happens on chain until the handshake steps run.
    pub fn new_path(
        &self,
        connection: &Connection,
        port_a: &str,
        port_b: &str,
        order: IbcOrder,
        version: &str,
    ) -> Path {
        let endpoint = |side: &ConnectionSide, port: &str| Endpoint {
            chain_id: side.chain_id.clone(),
            client_id: side.client_id.clone(),
            connection_id: side.connection_id.clone(),
            port_id: port.to_string(),
            channel_id: String::new(),
        };
        Path {
            a: endpoint(&connection.a, port_a),
            b: endpoint(&connection.b, port_b),
            order,
            version: version.to_string(),
        }
    }

    /// Runs the whole four-step handshake on `path`.
    pub fn open_channel(&mut self, path: &mut Path) -> SimResult<()> {
        self.chan_open_init(path)?;
        self.chan_open_try(path)?;
        self.chan_open_ack(path)?;
        self.chan_open_confirm(path)
    }

    /// [`Coordinator::new_path`] + [`Coordinator::open_channel`].
    pub fn create_channel(
        &mut self,
        connection: &Connection,
        port_a: &str,
        port_b: &str,
        order: IbcOrder,
        version: &str,
    ) -> SimResult<Path> {
        let mut path = self.new_path(connection, port_a, port_b, order, version);
        self.open_channel(&mut path)?;
        Ok(path)
    }

    /// An ICS-20 channel (`transfer` ↔ `transfer`, unordered, `ics20-1`).
    pub fn create_transfer_channel(&mut self, connection: &Connection) -> SimResult<Path> {
        self.create_channel(
            connection,
            TRANSFER_PORT,
            TRANSFER_PORT,
            IbcOrder::Unordered,
            ICS20_VERSION,
        )
    }

    fn check_connection(&self, endpoint: &Endpoint) -> SimResult<()> {
        self.chain(&endpoint.chain_id)?
            .connection(&endpoint.connection_id)
            .map(|_| ())
            .ok_or_else(|| SimError::UnknownConnection {
                chain_id: endpoint.chain_id.clone(),
                connection_id: endpoint.connection_id.clone(),
            })
    }

    fn channel_end(&self, key: &ChannelKey) -> SimResult<ChannelEnd> {
        self.chain(&key.chain_id)?
            .channel(&key.port_id, &key.channel_id)
            .ok_or_else(|| SimError::UnknownChannel {
                chain_id: key.chain_id.clone(),
                port_id: key.port_id.clone(),
                channel_id: key.channel_id.clone(),
            })
    }

    fn expect_state(&self, key: &ChannelKey, expected: ChannelState) -> SimResult<ChannelEnd> {
        let end = self.channel_end(key)?;
        if end.state != expected {
            return Err(SimError::WrongChannelState {
                chain_id: key.chain_id.clone(),
                port_id: key.port_id.clone(),
                channel_id: key.channel_id.clone(),
                state: end.state.to_string(),
                expected: expected.to_string(),
            });
        }
        Ok(end)
    }

    /// Asks the port to accept a handshake step; logs and returns its refusal.
    fn handshake_call(
        &mut self,
        chain_id: &str,
        port_id: &str,
        step: HandshakeStep,
        entry: IbcEntry,
    ) -> SimResult<Option<cosmwasm_std::Binary>> {
        let answer = if port_id == TRANSFER_PORT {
            transfer_handshake(&entry).map(|version| version.map(|v| v.into_bytes().into()))
        } else {
            self.chain_mut(chain_id)?
                .call_port(port_id, entry)?
                .map(|response| response.data)
        };
        match answer {
            Ok(data) => Ok(data),
            Err(error) => {
                let at = self.chain(chain_id)?.stamp();
                self.log.push(IbcEvent::HandshakeRefused {
                    at,
                    step,
                    port_id: port_id.to_string(),
                    error: error.clone(),
                });
                Err(SimError::HandshakeRefused {
                    chain_id: chain_id.to_string(),
                    step: step.to_string(),
                    port_id: port_id.to_string(),
                    error,
                })
            }
        }
    }

    /// ChanOpenInit on `a`: the contract's `ibc_channel_open(OpenInit)` may refuse or pick
    /// the version.
    pub fn chan_open_init(&mut self, path: &mut Path) -> SimResult<()> {
        self.check_connection(&path.a)?;
        let channel_id = self.chain(&path.a.chain_id)?.peek_channel_id();
        let channel = IbcChannel::new(
            IbcEndpoint {
                port_id: path.a.port_id.clone(),
                channel_id: channel_id.clone(),
            },
            IbcEndpoint {
                port_id: path.b.port_id.clone(),
                channel_id: String::new(),
            },
            path.order.clone(),
            path.version.clone(),
            path.a.connection_id.clone(),
        );
        let data = self.handshake_call(
            &path.a.chain_id,
            &path.a.port_id,
            HandshakeStep::OpenInit,
            IbcEntry::ChannelOpen(IbcChannelOpenMsg::new_init(channel)),
        )?;
        let version = negotiated(data, &path.version);
        let chain = self.chain_mut(&path.a.chain_id)?;
        let channel_id = chain.next_channel_id();
        chain.save_channel(&ChannelEnd {
            port_id: path.a.port_id.clone(),
            channel_id: channel_id.clone(),
            state: ChannelState::Init,
            order: path.order.clone(),
            version: version.clone(),
            counterparty_port_id: path.b.port_id.clone(),
            counterparty_channel_id: String::new(),
            connection_id: path.a.connection_id.clone(),
            next_sequence_send: 1,
            next_sequence_recv: 1,
            next_sequence_ack: 1,
        })?;
        let at = chain.stamp();
        self.log.push(IbcEvent::ChannelOpenInit {
            at,
            port_id: path.a.port_id.clone(),
            channel_id: channel_id.clone(),
            counterparty_port_id: path.b.port_id.clone(),
            order: path.order.clone(),
            version: version.clone(),
        });
        path.a.channel_id = channel_id;
        path.version = version;
        Ok(())
    }

    /// ChanOpenTry on `b`: the contract's `ibc_channel_open(OpenTry)` sees `a`'s version.
    pub fn chan_open_try(&mut self, path: &mut Path) -> SimResult<()> {
        self.check_connection(&path.b)?;
        let init = self.expect_state(&(&path.a).into(), ChannelState::Init)?;
        self.update_client(&path.b.chain_id, &path.b.client_id)?;
        let channel_id = self.chain(&path.b.chain_id)?.peek_channel_id();
        let channel = IbcChannel::new(
            IbcEndpoint {
                port_id: path.b.port_id.clone(),
                channel_id: channel_id.clone(),
            },
            IbcEndpoint {
                port_id: path.a.port_id.clone(),
                channel_id: path.a.channel_id.clone(),
            },
            init.order.clone(),
            init.version.clone(),
            path.b.connection_id.clone(),
        );
        let data = self.handshake_call(
            &path.b.chain_id,
            &path.b.port_id,
            HandshakeStep::OpenTry,
            IbcEntry::ChannelOpen(IbcChannelOpenMsg::new_try(channel, init.version.clone())),
        )?;
        let version = negotiated(data, &init.version);
        let chain = self.chain_mut(&path.b.chain_id)?;
        let channel_id = chain.next_channel_id();
        chain.save_channel(&ChannelEnd {
            port_id: path.b.port_id.clone(),
            channel_id: channel_id.clone(),
            state: ChannelState::TryOpen,
            order: init.order.clone(),
            version: version.clone(),
            counterparty_port_id: path.a.port_id.clone(),
            counterparty_channel_id: path.a.channel_id.clone(),
            connection_id: path.b.connection_id.clone(),
            next_sequence_send: 1,
            next_sequence_recv: 1,
            next_sequence_ack: 1,
        })?;
        let at = chain.stamp();
        self.log.push(IbcEvent::ChannelOpenTry {
            at,
            port_id: path.b.port_id.clone(),
            channel_id: channel_id.clone(),
            counterparty_port_id: path.a.port_id.clone(),
            counterparty_channel_id: path.a.channel_id.clone(),
            order: init.order,
            version: version.clone(),
        });
        path.b.channel_id = channel_id;
        path.version = version;
        self.pairs.push(((&path.a).into(), (&path.b).into()));
        Ok(())
    }

    /// ChanOpenAck on `a`: `ibc_channel_connect(OpenAck)` with `b`'s version. The end is
    /// OPEN while the contract runs (as wasmd does), so it may send packets right away.
    pub fn chan_open_ack(&mut self, path: &mut Path) -> SimResult<()> {
        let mut end_a = self.expect_state(&(&path.a).into(), ChannelState::Init)?;
        let end_b = self.expect_state(&(&path.b).into(), ChannelState::TryOpen)?;
        self.update_client(&path.a.chain_id, &path.a.client_id)?;
        let before = end_a.clone();
        end_a.state = ChannelState::Open;
        end_a.version = end_b.version.clone();
        end_a.counterparty_channel_id = path.b.channel_id.clone();
        self.chain_mut(&path.a.chain_id)?.save_channel(&end_a)?;
        let msg = IbcChannelConnectMsg::new_ack(end_a.to_ibc_channel(), end_b.version.clone());
        let refused = self.handshake_call(
            &path.a.chain_id,
            &path.a.port_id,
            HandshakeStep::OpenAck,
            IbcEntry::ChannelConnect(msg),
        );
        if let Err(err) = refused {
            self.chain_mut(&path.a.chain_id)?.save_channel(&before)?;
            return Err(err);
        }
        let at = self.chain(&path.a.chain_id)?.stamp();
        self.log.push(IbcEvent::ChannelOpenAck {
            at,
            port_id: path.a.port_id.clone(),
            channel_id: path.a.channel_id.clone(),
            version: end_b.version.clone(),
        });
        path.version = end_b.version;
        Ok(())
    }

    /// ChanOpenConfirm on `b`: `ibc_channel_connect(OpenConfirm)`.
    pub fn chan_open_confirm(&mut self, path: &mut Path) -> SimResult<()> {
        self.expect_state(&(&path.a).into(), ChannelState::Open)?;
        let mut end_b = self.expect_state(&(&path.b).into(), ChannelState::TryOpen)?;
        self.update_client(&path.b.chain_id, &path.b.client_id)?;
        let before = end_b.clone();
        end_b.state = ChannelState::Open;
        self.chain_mut(&path.b.chain_id)?.save_channel(&end_b)?;
        let msg = IbcChannelConnectMsg::new_confirm(end_b.to_ibc_channel());
        let refused = self.handshake_call(
            &path.b.chain_id,
            &path.b.port_id,
            HandshakeStep::OpenConfirm,
            IbcEntry::ChannelConnect(msg),
        );
        if let Err(err) = refused {
            self.chain_mut(&path.b.chain_id)?.save_channel(&before)?;
            return Err(err);
        }
        let at = self.chain(&path.b.chain_id)?.stamp();
        self.log.push(IbcEvent::ChannelOpenConfirm {
            at,
            port_id: path.b.port_id.clone(),
            channel_id: path.b.channel_id.clone(),
            version: end_b.version,
        });
        Ok(())
    }

    // ------------------------------------------------------------ closing

    /// A user's ChanCloseInit: the contract's `ibc_channel_close(CloseInit)` may refuse
    /// (ICS-20 always refuses). The counterparty gets CloseConfirm when relayed.
    pub fn close_channel(
        &mut self,
        chain_id: &str,
        port_id: &str,
        channel_id: &str,
    ) -> SimResult<()> {
        let key = ChannelKey::new(chain_id, port_id, channel_id);
        let mut end = self.channel_end(&key)?;
        if end.state == ChannelState::Closed {
            return Err(SimError::WrongChannelState {
                chain_id: chain_id.to_string(),
                port_id: port_id.to_string(),
                channel_id: channel_id.to_string(),
                state: end.state.to_string(),
                expected: "not CLOSED".to_string(),
            });
        }
        let refusal = if port_id == TRANSFER_PORT {
            Err("ICS-20 channels cannot be closed by users".to_string())
        } else {
            let entry = IbcEntry::ChannelClose(IbcChannelCloseMsg::new_init(end.to_ibc_channel()));
            self.chain_mut(chain_id)?
                .call_port(port_id, entry)?
                .map(|_| ())
        };
        if let Err(error) = refusal {
            return Err(SimError::CloseRefused {
                chain_id: chain_id.to_string(),
                port_id: port_id.to_string(),
                channel_id: channel_id.to_string(),
                error,
            });
        }
        end.state = ChannelState::Closed;
        let chain = self.chain_mut(chain_id)?;
        chain.save_channel(&end)?;
        let at = chain.stamp();
        self.log.push(IbcEvent::ChannelCloseInit {
            at,
            port_id: port_id.to_string(),
            channel_id: channel_id.to_string(),
        });
        Ok(())
    }
}

/// The version a port settled on: the one it returned, else the proposed one.
fn negotiated(data: Option<cosmwasm_std::Binary>, proposed: &str) -> String {
    data.and_then(|d| String::from_utf8(d.to_vec()).ok())
        .unwrap_or_else(|| proposed.to_string())
}

/// ICS-20's handshake rules: unordered, version `ics20-1` (an empty proposal becomes it).
fn transfer_handshake(entry: &IbcEntry) -> Result<Option<String>, String> {
    let check = |channel: &IbcChannel, version: &str| {
        if channel.order != IbcOrder::Unordered {
            return Err("ICS-20 channels must be UNORDERED".to_string());
        }
        if !version.is_empty() && version != ICS20_VERSION {
            return Err(format!(
                "invalid ICS-20 version {version:?}, expected {ICS20_VERSION:?}"
            ));
        }
        Ok(Some(ICS20_VERSION.to_string()))
    };
    match entry {
        IbcEntry::ChannelOpen(IbcChannelOpenMsg::OpenInit { channel }) => {
            check(channel, &channel.version)
        }
        IbcEntry::ChannelOpen(IbcChannelOpenMsg::OpenTry {
            channel,
            counterparty_version,
        }) => check(channel, counterparty_version),
        IbcEntry::ChannelConnect(IbcChannelConnectMsg::OpenAck {
            channel,
            counterparty_version,
        }) => check(channel, counterparty_version).map(|_| None),
        IbcEntry::ChannelConnect(IbcChannelConnectMsg::OpenConfirm { .. }) => Ok(None),
        _ => Ok(None),
    }
}
