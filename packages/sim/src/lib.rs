//! The cw-ics network simulator: a whole shared-security network in one process.
//! See the crate README.

/// The README's example, compiled as a doctest so it cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctest;

pub mod block;
pub mod consensus;
pub mod contracts;
pub mod demo;
pub mod invariants;
pub mod network;
pub mod report;
pub mod timeline;
pub mod validators;
