//! Storage layout of the provider contract: cw-storage-plus items and maps, split by concern.
//!
//! Every namespace is listed in [`ns`] with what its keys and values are. Integer key parts use
//! cw-storage-plus's big-endian encoding, so ids, heights and times come out of a range in
//! order; a key part that other parts follow is length-prefixed, so one address's entries never
//! fall in the range of another address that happens to be its prefix. Hot records (written by
//! every bond, every VSC, every epoch) have one- or two-letter serde names, to keep the bytes
//! each write pays for down; the long names stay in Rust.

pub mod consumers;
pub mod epoch;
pub mod slashing;
pub mod staking;

use cosmwasm_std::{Addr, StdError, StdResult, Storage};
use cw_storage_plus::Item;

use crate::msg::Config;

/// cw2 contract name.
pub const CONTRACT_NAME: &str = concat!("crates.io:", env!("CARGO_PKG_NAME"));
/// cw2 contract version.
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Every namespace of the contract's storage, in one place so they stay distinct (a test checks
/// that no two collide, cw2's `contract_info` included).
pub mod ns {
    // Configuration.
    /// Item: the admin (`Addr`).
    pub const ADMIN: &str = "a";
    /// Item: the configuration (`msg::Config`).
    pub const CONFIG: &str = "p";

    // Stake ledger.
    /// Validator operator → its identity (`staking::Validator`: consensus key, moniker,
    /// commission); the primary map of `staking::validators()`.
    pub const VALIDATORS: &str = "v";
    /// Consensus address (20 bytes) → the operator and identity of the validator with that key
    /// (the unique index of `staking::validators()`).
    pub const VALIDATOR_BY_CONSENSUS_ADDRESS: &str = "vk";
    /// Validator operator → its stake and standing (`staking::Stake`).
    pub const STAKES: &str = "s";
    /// (staker, validator operator) → delegation shares (`Uint128`).
    pub const DELEGATIONS: &str = "d";
    /// (staker, entry id) → unbonding entry (`staking::UnbondingEntry`).
    pub const UNBONDINGS: &str = "u";
    /// (validator operator, created height, entry id) → staker: the entries a slash reaches.
    pub const UNBONDINGS_BY_VALIDATOR: &str = "uv";
    /// Item: the next unbonding entry id (`u64`).
    pub const NEXT_UNBONDING_ID: &str = "ui";

    // Epochs and the ranking.
    /// Item: the epoch record (`epoch::EpochState`).
    pub const EPOCH: &str = "e";
    /// Consensus address → change mark (`epoch::ChangeMark`) of a validator saved since the
    /// epoch last ranked it.
    pub const CHANGE_MARKS: &str = "m";
    /// (u64::MAX − power, consensus address) → `Empty`: eligible validators, best first.
    pub const RANKING: &str = "r";
    /// Chunk number (`u32`) → candidates (`Vec<epoch::Candidate>`) of a running epoch, saved by
    /// a call that ended before the VSCs were given.
    pub const CANDIDATE_CHUNKS: &str = "ec";
    /// vscId → the provider height from which new unbonding entries carry it (`u64`).
    pub const VSC_HEIGHTS: &str = "h";

    // Consumers.
    /// Consumer id → its registration and history (`consumers::ConsumerInfo`).
    pub const CONSUMERS: &str = "c";
    /// Consumer id → the part VSCs and packets rewrite (`consumers::ConsumerLink`).
    pub const CONSUMER_LINKS: &str = "l";
    /// Item: the next consumer id (`u64`).
    pub const NEXT_CONSUMER_ID: &str = "ci";
    /// Consumer id → its CCV channel id; the primary map of `consumers::channels()`.
    pub const CHANNELS: &str = "ch";
    /// CCV channel id → the consumer on it (the unique index of `consumers::channels()`).
    pub const CONSUMER_BY_CHANNEL: &str = "cc";
    /// Consumer id → what its genesis holds beyond its registration (`consumers::GenesisRecord`).
    pub const GENESIS: &str = "g";
    /// (consumer id, vscId) → a VSC queued until the channel opens (`msg::PendingVsc`).
    pub const QUEUED_VSCS: &str = "q";
    /// (consumer id, vscId) → when that VSC was sent (`Timestamp`), until it matures.
    pub const SENT_VSCS: &str = "o";
    /// Consumer id → `Empty`: owed a VSC at the next epoch even if no validator changed.
    pub const DUE_CONSUMERS: &str = "cd";
    /// (deadline in seconds, consumer id) → `Empty`: when to check a consumer's init or VSC timeout.
    pub const TIMEOUT_CHECKS: &str = "t";
    /// (spawn time in seconds, consumer id) → `Empty`: registered consumers waiting to launch.
    pub const SPAWN_QUEUE: &str = "cs";
    /// Consumer id → `Empty`: the launched (running) consumers.
    pub const LAUNCHED: &str = "cl";
    /// (deletion time in seconds, consumer id) → `Empty`: stopped consumers waiting for deletion.
    pub const DELETION_QUEUE: &str = "cx";

    // Slashing.
    /// Slash id → the slash packet as handled (`msg::SlashRecord`).
    pub const SLASH_LOG: &str = "sl";
    /// Item: the next slash id (`u64`).
    pub const NEXT_SLASH_ID: &str = "si";
    /// (consumer id, slash id) → bech32 consensus address whose downtime slash the consumer's
    /// next VSC acknowledges.
    pub const SLASH_ACKS: &str = "sa";

    // Bounds on the stake ledger (issue 14).
    /// (staker, validator operator) → the unbonding entries the pair holds (`u32`).
    pub const UNBONDING_COUNTS: &str = "uc";
    /// (matured-through vscId, matured-through entry id, consumer id) → `Empty`: every launched
    /// consumer at the point up to which it no longer holds unbonding entries (see `maturity`).
    pub const MATURITY: &str = "cm";
    /// Entry-slash job id → the job (`msg::EntrySlash`): unbonding entries still to be cut.
    pub const ENTRY_SLASHES: &str = "us";
    /// (validator operator, entry-slash job id) → `Empty`: the pending jobs of a validator.
    pub const ENTRY_SLASHES_BY_VALIDATOR: &str = "uk";
    /// Item: the next entry-slash job id (`u64`).
    pub const NEXT_ENTRY_SLASH_ID: &str = "uq";
    // Issue 14: membership history, slash throttling, channel openings, registration caps.
    /// (consensus address, vscId it entered the top N at) → vscId of the epoch it left
    /// (`u64::MAX` while still in): one record per stretch in the set.
    pub const SET_MEMBERSHIP: &str = "ms";
    /// Item: the slash meter (`slashing::SlashMeter`: meter, last replenishment, total power of
    /// the top N).
    pub const SLASH_METER: &str = "sm";
    /// (connection id, counterparty port, consumer id) → `Empty`: launched consumers without a
    /// channel whose registration names a port, so a channel handshake finds its consumer with
    /// one lookup.
    pub const CHANNEL_OPENINGS: &str = "cn";
    /// Owner → how many of its consumers are registered and not launched (`u32`).
    pub const PENDING_REGISTRATIONS: &str = "co";

    /// The namespaces used as an `Item` (the key is the namespace itself); all others are maps,
    /// whose keys start with the namespace's length.
    pub const ITEMS: &[&str] = &[
        ADMIN,
        CONFIG,
        NEXT_UNBONDING_ID,
        EPOCH,
        NEXT_CONSUMER_ID,
        NEXT_SLASH_ID,
        NEXT_ENTRY_SLASH_ID,
        SLASH_METER,
    ];

    pub const MAPS: &[&str] = &[
        VALIDATORS,
        VALIDATOR_BY_CONSENSUS_ADDRESS,
        STAKES,
        DELEGATIONS,
        UNBONDINGS,
        UNBONDINGS_BY_VALIDATOR,
        CHANGE_MARKS,
        RANKING,
        CANDIDATE_CHUNKS,
        VSC_HEIGHTS,
        CONSUMERS,
        CONSUMER_LINKS,
        CHANNELS,
        CONSUMER_BY_CHANNEL,
        GENESIS,
        QUEUED_VSCS,
        SENT_VSCS,
        DUE_CONSUMERS,
        TIMEOUT_CHECKS,
        SPAWN_QUEUE,
        LAUNCHED,
        DELETION_QUEUE,
        SLASH_LOG,
        SLASH_ACKS,
        UNBONDING_COUNTS,
        MATURITY,
        ENTRY_SLASHES,
        ENTRY_SLASHES_BY_VALIDATOR,
        SET_MEMBERSHIP,
        CHANNEL_OPENINGS,
        PENDING_REGISTRATIONS,
    ];
}

pub const ADMIN: Item<Addr> = Item::new(ns::ADMIN);
pub const CONFIG: Item<Config> = Item::new(ns::CONFIG);

/// Hands out the next id of a counter, starting at 1.
pub fn next_id(storage: &mut dyn Storage, counter: &Item<u64>) -> StdResult<u64> {
    let id = counter.may_load(storage)?.unwrap_or(1);
    let following = id
        .checked_add(1)
        .ok_or_else(|| StdError::msg("id counter overflow"))?;
    counter.save(storage, &following)?;
    Ok(id)
}

/// For `skip_serializing_if`: a hot record leaves out a member at its default.
pub(crate) fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}
