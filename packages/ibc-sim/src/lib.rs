//! # cw-ics-ibc-sim — in-memory IBC for cw-multi-test 3
//!
//! cw-multi-test 3 has no IBC: contracts cannot expose IBC entrypoints and nothing relays
//! packets. This crate adds both, generic enough for any CosmWasm 3 IBC contract, with an
//! API modelled on ibc-go's testing coordinator (chains, connections, paths, endpoints):
//!
//! * [`Coordinator`] owns several [`Chain`]s, each a cw-multi-test `App` with its own chain
//!   id, bech32 prefix, height and clock, and an optional custom-message module.
//! * [`IbcContractWrapper`] registers a contract with its six IBC entrypoints (and the ADR-8
//!   callback entrypoints); its port is `wasm.<address>`. `IbcQuery::PortId` and
//!   `IbcQuery::Channel` are answered.
//! * Light clients with a trusting period, connections, the four-step channel handshake
//!   calling the contracts' real `ibc_channel_open` / `ibc_channel_connect`, and closing
//!   through `ibc_channel_close`.
//! * Packets with commitments and sequences, height/timestamp timeouts judged on the
//!   destination, ordered delivery (a timeout closes an ordered channel), wasmd's receive
//!   semantics (an `Err` reverts and writes `{"error":"…"}`), async acks.
//! * A relayer driven by the test ([`Coordinator::relay_all`], [`Coordinator::relay_packet`],
//!   [`Coordinator::pending`], hold / drop / delay, stop / start a path).
//! * ICS-20 on every chain (`transfer` port): escrow, `ibc/<hash>` vouchers, refunds, memos,
//!   ADR-8 source and destination callbacks.
//! * An [`EventLog`] of typed [`IbcEvent`]s for assertions and timelines.
//!
//! See the crate README for a worked example.

/// The README's worked example, compiled and run as a doctest.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctest;

pub mod chain;
pub mod contract;
pub mod coordinator;
mod delivery;
pub mod error;
pub mod events;
mod handshake;
mod ics20;
pub mod module;
pub mod path;
pub mod relay;
pub mod store;
pub mod transfer;

pub use chain::{
    Chain, ChainConfig, ConnectionEnd, LightClient, NoCustom, SimApp, SimCustom, DEFAULT_START_TIME,
};
pub use contract::{contract_port, IbcContractWrapper};
pub use coordinator::{Coordinator, DEFAULT_TRUSTING_PERIOD_SECS};
pub use error::{SimError, SimResult};
pub use events::{EventLog, HandshakeStep, IbcEvent, Stamp};
pub use module::SimIbcModule;
pub use path::{ChannelKey, Connection, ConnectionSide, Endpoint, Path};
pub use relay::{PacketHold, PacketId, Pending, RelayOutcome, RelaySummary};
pub use store::{ChannelEnd, ChannelState, Commitment};
pub use transfer::{
    escrow_address, voucher_denom, FungibleTokenPacketData, ICS20_SUCCESS_ACK, ICS20_VERSION,
    TRANSFER_PORT,
};
