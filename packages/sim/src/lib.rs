//! The cw-ics network simulator: a whole shared-security network in one process.

pub mod block;
pub mod consensus;
pub mod contracts;
pub mod demo;
pub mod invariants;
pub mod network;
pub mod report;
pub mod timeline;
pub mod twasm;
pub mod validators;
