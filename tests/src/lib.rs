//! Shared helpers of the workspace integration tests.
//!
//! - [`network`]: a provider chain and a consumer chain on `cw-ics-ibc-sim`, running the real
//!   provider and consumer contracts, with short-hands for the steps a scenario takes.
//! - [`properties`]: the DESIGN.md §7 properties, checked from both contracts' state and the
//!   IBC event log; call [`properties::Properties::check`] after every step.
//! - [`scripted`]: a scripted, test-only provider for behaviour the real one never shows.
//!
//! Both chains run `cw_ics_bindings::multitest::TwasmModule` (x/twasm's privileges and
//! `validator_votes`); the tests play the chain's hooks by calling the contracts' `sudo`.

pub mod network;
pub mod properties;
pub mod scripted;
pub mod setup;
