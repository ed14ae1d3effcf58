//! The coordinator: owns the chains and their clocks, creates light clients and
//! connections. Channel handshakes and closes are in `handshake.rs`, the relayer in
//! `relay.rs` and `delivery.rs`. Modelled on ibc-go's testing coordinator.

use crate::chain::{Chain, ChainConfig, ConnectionEnd, LightClient, NoCustom, SimCustom};
use crate::error::{SimError, SimResult};
use crate::events::{EventLog, IbcEvent};
use crate::path::{ChannelKey, ConnectionSide};
use crate::relay::RelayerControl;
// the path types lived here first; keep them reachable from this module too
pub use crate::path::{Connection, Endpoint, Path};
use std::collections::BTreeMap;

/// Default trusting period of new light clients: two weeks, as in ibc-go's testing package.
pub const DEFAULT_TRUSTING_PERIOD_SECS: u64 = 14 * 24 * 60 * 60;

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
}
