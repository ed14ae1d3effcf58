//! The cw-ics provider contract: lends its stakers' security to consumer chains over CCV.

pub mod config;
pub mod consumers;
pub mod contract;
pub mod deposit;
pub mod entry_slash;
pub mod epoch;
pub mod error;
pub mod ibc;
pub mod infraction;
pub mod maturity;
pub mod membership;
pub mod msg;
pub mod query;
pub mod ranking;
pub mod receive;
pub mod registration;
pub mod staking;
pub mod state;
pub mod throttle;
pub mod time;
pub mod vsc;
pub mod withdraw;

#[cfg(test)]
mod tests;

pub use crate::error::ContractError;
