//! The cw-ics provider contract.

pub mod contract;
pub mod error;
pub mod ibc;
pub mod msg;
pub mod state;

pub use crate::error::ContractError;
