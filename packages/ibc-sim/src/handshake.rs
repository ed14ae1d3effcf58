//! Channel handshakes (ChanOpenInit/Try/Ack/Confirm, calling the ports' real entrypoints)
//! and user-initiated closes.

use crate::chain::SimCustom;
use crate::contract::IbcEntry;
use crate::coordinator::Coordinator;
use crate::error::{SimError, SimResult};
use crate::events::{HandshakeStep, IbcEvent};
use crate::path::{ChannelKey, Connection, ConnectionSide, Endpoint, Path};
use crate::store::{ChannelEnd, ChannelState};
use crate::transfer::{ICS20_VERSION, TRANSFER_PORT};
use cosmwasm_std::{
    IbcChannel, IbcChannelCloseMsg, IbcChannelConnectMsg, IbcChannelOpenMsg, IbcEndpoint, IbcOrder,
};

impl<CustomT: SimCustom> Coordinator<CustomT> {
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
