//! Errors returned by the simulator.

use cosmwasm_std::StdError;
use thiserror::Error;

/// Everything that can go wrong while driving the simulated network.
///
/// A contract's own error is carried as text (`error`), stripped of cosmwasm's
/// `kind: …, error:` decoration so tests can compare it with the contract's message.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SimError {
    #[error("unknown chain {0}")]
    UnknownChain(String),
    #[error("chain {0} already exists")]
    DuplicateChain(String),
    #[error("unknown client {client_id} on chain {chain_id}")]
    UnknownClient { chain_id: String, client_id: String },
    #[error("unknown connection {connection_id} on chain {chain_id}")]
    UnknownConnection {
        chain_id: String,
        connection_id: String,
    },
    #[error("unknown channel {port_id}/{channel_id} on chain {chain_id}")]
    UnknownChannel {
        chain_id: String,
        port_id: String,
        channel_id: String,
    },
    #[error("client {client_id} on chain {chain_id} has expired; recover it first")]
    ClientExpired { chain_id: String, client_id: String },
    #[error("channel {port_id}/{channel_id} on {chain_id} is {state}, expected {expected}")]
    WrongChannelState {
        chain_id: String,
        port_id: String,
        channel_id: String,
        state: String,
        expected: String,
    },
    #[error("{step} refused by {port_id} on {chain_id}: {error}")]
    HandshakeRefused {
        chain_id: String,
        step: String,
        port_id: String,
        error: String,
    },
    #[error("close of {port_id}/{channel_id} refused on {chain_id}: {error}")]
    CloseRefused {
        chain_id: String,
        port_id: String,
        channel_id: String,
        error: String,
    },
    #[error("port {0} is not bound (neither `transfer` nor `wasm.<contract>`)")]
    UnboundPort(String),
    #[error("no packet {sequence} pending on {port_id}/{channel_id} of {chain_id}")]
    NoSuchPacket {
        chain_id: String,
        port_id: String,
        channel_id: String,
        sequence: u64,
    },
    #[error("packet {sequence} on {port_id}/{channel_id} of {chain_id} was already received")]
    AlreadyReceived {
        chain_id: String,
        port_id: String,
        channel_id: String,
        sequence: u64,
    },
    #[error("ordered channel {port_id}/{channel_id} on {chain_id} expects sequence {expected}, got {got}")]
    OutOfOrder {
        chain_id: String,
        port_id: String,
        channel_id: String,
        expected: u64,
        got: u64,
    },
    #[error("packet {sequence} on {port_id}/{channel_id} of {chain_id} has not timed out")]
    NotTimedOut {
        chain_id: String,
        port_id: String,
        channel_id: String,
        sequence: u64,
    },
    #[error("packet {sequence} on {port_id}/{channel_id} of {chain_id} is {reason}")]
    PacketBlocked {
        chain_id: String,
        port_id: String,
        channel_id: String,
        sequence: u64,
        reason: String,
    },
    #[error("relayer of path {0} is stopped")]
    RelayerStopped(String),
    #[error("contract call on {chain_id} failed: {error}")]
    Contract { chain_id: String, error: String },
    #[error("relay did not become quiet after {0} rounds")]
    NotQuiet(usize),
    #[error("{0}")]
    Std(String),
}

impl SimError {
    /// Wraps a cosmwasm or multi-test error raised while calling into a chain.
    pub fn contract(chain_id: &str, err: &StdError) -> Self {
        SimError::Contract {
            chain_id: chain_id.to_string(),
            error: error_text(err),
        }
    }
}

impl From<StdError> for SimError {
    fn from(err: StdError) -> Self {
        SimError::Std(error_text(&err))
    }
}

impl From<serde_json::Error> for SimError {
    fn from(err: serde_json::Error) -> Self {
        SimError::Std(err.to_string())
    }
}

/// The text of a `StdError` without cosmwasm 3's `kind: Other, error: ` decoration
/// (possibly nested), so an error ack carries the contract's own message.
pub fn error_text(err: &StdError) -> String {
    strip_kind(&err.to_string())
}

pub(crate) fn strip_kind(text: &str) -> String {
    let mut rest = text;
    while let Some(stripped) = rest.strip_prefix("kind: ") {
        match stripped.find(", error: ") {
            Some(pos) => rest = &stripped[pos + ", error: ".len()..],
            None => break,
        }
    }
    rest.to_string()
}

/// Result alias used throughout the crate.
pub type SimResult<T> = Result<T, SimError>;
