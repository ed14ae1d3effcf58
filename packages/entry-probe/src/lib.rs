//! A test contract for cw-ics-entry: each message calls one host function the entry layer
//! wraps (address, signature and storage imports, `debug`, `query_chain`, `abort` through a
//! panic) and answers what it returned, so `packages/vm-gas/tests/entry_probe.rs` can check
//! the layer on the real VM. Not deployable: `cargo xtask wasm` writes it to
//! `artifacts/test/`, away from the contracts.

pub mod contract;
pub mod error;
pub mod msg;

#[cfg(not(feature = "library"))]
mod entry;
