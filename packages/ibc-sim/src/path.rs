//! Names of things in the network: connections, paths and their endpoints, channel keys.

use cosmwasm_std::IbcOrder;

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
