//! The cw-ics consumer contract: runs the validator set the provider lends it.
//!
//! It replicates the provider's validator-set changes received over the CCV channel, hands
//! them to the chain through the x/twasm `end_with_validator_update` hook when promoted (a
//! validator-set oracle otherwise), tracks liveness and double-sign evidence, and reports
//! slashes and VSC maturity back to the provider.

pub mod chain;
pub mod contract;
pub mod error;
pub mod evidence;
pub mod genesis;
pub mod handshake;
pub mod ibc;
pub mod liveness;
pub mod msg;
pub mod outbox;
pub mod query;
pub mod rewards;
pub mod state;
pub mod time;
pub mod validator_set;
pub mod vsc;

pub use crate::error::ContractError;
