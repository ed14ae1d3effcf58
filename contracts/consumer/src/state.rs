//! Storage layout of the consumer contract.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::Timestamp;
use cw_ics_ccv::{ConsumerPacket, ConsumerParams, PublicKey};
use cw_storage_plus::{Deque, Item, Map};

/// cw2 contract name.
pub const CONTRACT_NAME: &str = concat!("crates.io:", env!("CARGO_PKG_NAME"));
/// cw2 contract version.
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// What the consumer genesis fixed; never changes after instantiation.
#[cw_serde]
pub struct Config {
    pub provider_chain_id: String,
    pub chain_id: String,
    pub connection_id: String,
    pub provider_port_id: String,
    pub params: ConsumerParams,
    /// Block height of instantiation: height → vscId 0 starts here.
    pub genesis_height: u64,
}

pub const CONFIG: Item<Config> = Item::new("config");

/// The CCV channel, recorded at OpenAck.
#[cw_serde]
pub struct CcvChannel {
    pub channel_id: String,
    /// Set by the first VSC received on the channel (as in the Go consumer); outgoing packets
    /// wait in the queue until then.
    pub established: bool,
}

pub const CCV_CHANNEL: Item<CcvChannel> = Item::new("ccv_channel");

/// Why the consumer stopped applying validator-set changes. Once set, it is never cleared.
#[cw_serde]
pub enum HaltReason {
    /// The provider answered one of our packets with an error acknowledgement.
    ErrorAck { sequence: u64, error: String },
    /// One of our packets timed out, which closes the ordered channel.
    Timeout { sequence: u64 },
    /// The CCV channel was closed by the counterparty.
    ChannelClosed { channel_id: String },
}

impl std::fmt::Display for HaltReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HaltReason::ErrorAck { sequence, error } => {
                write!(f, "packet {sequence} got an error acknowledgement: {error}")
            }
            HaltReason::Timeout { sequence } => write!(f, "packet {sequence} timed out"),
            HaltReason::ChannelClosed { channel_id } => {
                write!(f, "the CCV channel {channel_id} was closed")
            }
        }
    }
}

pub const HALT: Item<HaltReason> = Item::new("halt");

/// Whether the chain let this contract drive its validator set.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum Mode {
    /// No privileges (never promoted, or demoted): the set is replicated and queryable only.
    Oracle,
    /// Promoted: the chain's validator set follows the diffs returned by
    /// `end_with_validator_update`.
    ValidatorSetUpdater,
}

pub const MODE: Item<Mode> = Item::new("mode");

/// A validator of the replicated set.
#[cw_serde]
pub struct Member {
    pub pub_key: PublicKey,
    pub power: u64,
}

/// The vscId of the last VSC applied (0: the genesis set).
pub const LAST_VSC_ID: Item<u64> = Item::new("last_vsc_id");

/// The current replicated set, by consensus address (20 bytes).
pub const VALIDATORS: Map<&[u8], Member> = Map::new("validators");

/// The history of the set as a change log: (vscId, consensus address) → the member as it was
/// *before* that VSC changed it (None: it was not in the set). A VSC writes one entry per
/// validator it changes, never the whole set; the set at an older vscId is the current set
/// with the later changes rolled back. Answers "the set at a height" and lets double-sign
/// evidence name a validator that has since left.
pub const SET_CHANGES: Map<(u64, &[u8]), Option<Member>> = Map::new("set_changes");

/// How many validators the current set has (kept so a VSC that would empty it is refused
/// without reading the set).
pub const SET_SIZE: Item<u64> = Item::new("set_size");

/// Height → vscId in force from that height on. Stored sparsely, only where the vscId
/// changes; the vscId at a height is the entry at or below it.
pub const HEIGHT_TO_VSC: Map<u64, u64> = Map::new("height_to_vsc");

/// Changes not yet handed to the chain by `end_with_validator_update`: ed25519 key bytes →
/// new power (0 removes). Only accumulated in validator-set-updater mode.
pub const PENDING_DIFF: Map<&[u8], u64> = Map::new("pending_diff");

/// The validator set handed to the chain so far (key bytes → power), since the last
/// promotion. A pending change equal to what the chain already has, or the removal of a key
/// the chain never had, is not forwarded: CometBFT refuses to remove an unknown validator.
pub const CHAIN_SET: Map<&[u8], u64> = Map::new("chain_set");

/// VSCs waiting out the consumer unbonding period: (maturity time in nanoseconds, vscId).
pub const MATURING: Map<(u64, u64), ()> = Map::new("maturing");

/// Packets to the provider, sent in order once the channel is established.
pub const PENDING_PACKETS: Deque<ConsumerPacket> = Deque::new("pending_packets");

/// The state of the slash packet at the head of the queue, once it has been sent.
#[cw_serde]
pub enum HeadSlash {
    /// Sent; nothing behind it goes out until its acknowledgement arrives.
    AwaitingAck,
    /// The provider bounced it; it is resent once `retry_at` has passed.
    Bounced { retry_at: Timestamp },
}

pub const HEAD_SLASH: Item<HeadSlash> = Item::new("head_slash");

/// Liveness bookkeeping of one validator. `generation` changes at each reset so that the
/// missed-block bits of an earlier window are ignored without being deleted (O(1) reset).
#[cw_serde]
#[derive(Default)]
pub struct SigningInfo {
    pub generation: u64,
    /// Blocks observed since the last reset; the window is full once this reaches its size.
    pub blocks_counted: u64,
    /// Missed blocks among the last `signed_blocks_window` observed.
    pub missed_in_window: u64,
}

pub const SIGNING_INFO: Map<&[u8], SigningInfo> = Map::new("signing_info");

/// Missed-block bits: (consensus address, slot in the window) → generation it was written in.
pub const MISSED_BLOCKS: Map<(&[u8], u64), u64> = Map::new("missed_blocks");

/// Validators with a downtime slash packet the provider has not acknowledged yet (address →
/// infraction height). Cleared by `slash_acks` in a VSC.
pub const OUTSTANDING_DOWNTIME: Map<&[u8], u64> = Map::new("outstanding_downtime");

/// Double signs already reported: (consensus address, infraction height).
pub const DOUBLE_SIGNS_REPORTED: Map<(&[u8], u64), ()> = Map::new("double_signs_reported");
