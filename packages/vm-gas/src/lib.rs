//! Runs optimised CosmWasm artifacts on the real VM (cosmwasm-vm) and charges every call what
//! wasmd would: VM gas ÷ 140,000, the 60,000 instance cost, and the Cosmos SDK's KV store costs
//! with wasmd's contract-store key prefix. cw-multi-test meters no gas, and cosmwasm-vm's mock
//! storage charges almost nothing, so this is how cw-ics knows what a call costs on chain.
//!
//! Not counted: the transaction's own costs (signature, tx size), and
//! the messages a response dispatches (they are separate calls on chain and are run, and
//! charged, separately here by whoever drives the harness).

pub mod artifacts;
pub mod ccv;
mod chain;
pub mod config;
mod querier;
mod report;
mod storage;

pub use chain::{ChainSnapshot, Outcome, VmCallError, VmChain, WASMD_CAPABILITIES};
pub use report::{events_gas, CallReport, EventCost};
pub use storage::{namespace_of, KvStore, MeteredStorage, NamespaceTally, StorageTally};
