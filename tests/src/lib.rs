//! Shared helpers of the workspace integration tests. The network harness and the DESIGN.md
//! §7 invariant checker are `cw_ics_sim`'s (`network::Network`, `invariants`); this crate
//! only adds what a scenario against one consumer needs on top.
//!
//! - [`setup`]: one provider and one consumer chain on `cw_ics_sim`, with short periods and a
//!   manual relayer (`tests/consumer_round_trip.rs`, `tests/consumer_interleavings.rs`).
//! - [`scripted`]: a scripted, test-only provider for behaviour the real one never shows
//!   (throttling bounces, an impostor), built from `cw_ics_sim::contracts` and the x/twasm
//!   module of `cw_ics_bindings::multitest` (`tests/consumer_scripted_provider.rs`).

pub mod scripted;
pub mod setup;
