//! Shared helpers of the workspace integration tests.
//!
//! - [`twasm`]: a minimal x/twasm chain module for cw-multi-test (privilege requests,
//!   `validator_votes` answered from what the test sets).
//! - [`network`]: a provider chain and a consumer chain on `cw-ics-ibc-sim`, running the real
//!   provider and consumer contracts, with short-hands for the steps a scenario takes.
//! - [`properties`]: the DESIGN.md §7 properties, checked from both contracts' state and the
//!   IBC event log; call [`properties::Properties::check`] after every step.

pub mod network;
pub mod properties;
pub mod scripted;
pub mod twasm;
