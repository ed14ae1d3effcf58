//! Storage layout of the consumer contract.
//!
//! Every record is a compact binary `cw-ics-store` record under a one-byte tag (listed here, all
//! of them, so that they stay unique); only cw2's contract version is JSON. Keys are fixed-width:
//! consensus addresses are 20 bytes, ed25519 keys 32, integers 8 bytes big-endian so that they
//! sort numerically.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Decimal, StdResult, Timestamp};
use cw_ics_ccv::{ConsumerParams, Infraction, SlashPacketData};
use cw_ics_json::json_enum;
use cw_ics_store::{record, Cell, Reader, Record, StdError, Table};

/// cw2 contract name.
pub const CONTRACT_NAME: &str = concat!("crates.io:", env!("CARGO_PKG_NAME"));
/// cw2 contract version.
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A 20-byte CometBFT consensus address, as stored in keys.
pub type AddressBytes = [u8; 20];
/// A 32-byte ed25519 public key.
pub type KeyBytes = [u8; 32];

/// What the consumer genesis fixed; never changes after instantiation.
pub struct Config {
    pub provider_chain_id: String,
    pub chain_id: String,
    pub connection_id: String,
    pub provider_port_id: String,
    pub params: ConsumerParams,
    /// Block height of instantiation: height → vscId 0 starts here.
    pub genesis_height: u64,
}

/// `ConsumerParams` lives in `cw-ics-ccv`, so its fields are written here one by one.
impl Record for Config {
    fn encode(&self, out: &mut Vec<u8>) {
        self.provider_chain_id.encode(out);
        self.chain_id.encode(out);
        self.connection_id.encode(out);
        self.provider_port_id.encode(out);
        let params = &self.params;
        params.unbonding_period_seconds.encode(out);
        params.ccv_timeout_seconds.encode(out);
        params.retry_delay_seconds.encode(out);
        params.signed_blocks_window.encode(out);
        params.min_signed_per_window.encode(out);
        params.valcons_prefix.encode(out);
        self.genesis_height.encode(out);
    }
    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        Ok(Config {
            provider_chain_id: String::decode(input)?,
            chain_id: String::decode(input)?,
            connection_id: String::decode(input)?,
            provider_port_id: String::decode(input)?,
            params: ConsumerParams {
                unbonding_period_seconds: u64::decode(input)?,
                ccv_timeout_seconds: u64::decode(input)?,
                retry_delay_seconds: u64::decode(input)?,
                signed_blocks_window: u64::decode(input)?,
                min_signed_per_window: Decimal::decode(input)?,
                valcons_prefix: String::decode(input)?,
            },
            genesis_height: u64::decode(input)?,
        })
    }
}

pub const CONFIG: Cell<Config> = Cell::new(b"\x80");

/// The CCV channel, recorded at OpenAck.
pub struct CcvChannel {
    pub channel_id: String,
    /// Set by the first VSC received on the channel (as in the Go consumer); outgoing packets
    /// wait in the queue until then.
    pub established: bool,
}
record!(CcvChannel {
    channel_id,
    established
});

pub const CCV_CHANNEL: Cell<CcvChannel> = Cell::new(b"\x81");

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
json_enum!(HaltReason {
    ErrorAck = "error_ack" { sequence, error },
    Timeout = "timeout" { sequence },
    ChannelClosed = "channel_closed" { channel_id },
});

impl Record for HaltReason {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            HaltReason::ErrorAck { sequence, error } => {
                out.push(0);
                sequence.encode(out);
                error.encode(out);
            }
            HaltReason::Timeout { sequence } => {
                out.push(1);
                sequence.encode(out);
            }
            HaltReason::ChannelClosed { channel_id } => {
                out.push(2);
                channel_id.encode(out);
            }
        }
    }
    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        match input.byte()? {
            0 => Ok(HaltReason::ErrorAck {
                sequence: u64::decode(input)?,
                error: String::decode(input)?,
            }),
            1 => Ok(HaltReason::Timeout {
                sequence: u64::decode(input)?,
            }),
            2 => Ok(HaltReason::ChannelClosed {
                channel_id: String::decode(input)?,
            }),
            _ => Err(unknown_variant("halt reason")),
        }
    }
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

pub const HALT: Cell<HaltReason> = Cell::new(b"\x82");

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
json_enum!(Mode {
    Oracle = "oracle",
    ValidatorSetUpdater = "validator_set_updater",
});

/// The stored [`Mode`] and, when promoted, how far the chain's validator set has been brought.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainLink {
    Oracle,
    ValidatorSetUpdater {
        /// The chain's set is the replicated set as of this vscId: every change of a later VSC
        /// is still to be handed over. `None` until the first hand-over after promotion: the
        /// chain then has nothing from this contract and gets the whole set.
        handed_up_to: Option<u64>,
    },
}

impl ChainLink {
    pub fn mode(&self) -> Mode {
        match self {
            ChainLink::Oracle => Mode::Oracle,
            ChainLink::ValidatorSetUpdater { .. } => Mode::ValidatorSetUpdater,
        }
    }
}

impl Record for ChainLink {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            ChainLink::Oracle => out.push(0),
            ChainLink::ValidatorSetUpdater { handed_up_to } => {
                out.push(1);
                handed_up_to.encode(out);
            }
        }
    }
    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        match input.byte()? {
            0 => Ok(ChainLink::Oracle),
            1 => Ok(ChainLink::ValidatorSetUpdater {
                handed_up_to: Option::decode(input)?,
            }),
            _ => Err(unknown_variant("chain link")),
        }
    }
}

pub const CHAIN_LINK: Cell<ChainLink> = Cell::new(b"\x83");

/// The vscId of the last VSC applied (0: the genesis set).
pub const LAST_VSC_ID: Cell<u64> = Cell::new(b"\x84");

/// How many validators the current set has (kept so a VSC that would empty it is refused
/// without reading the set).
pub const SET_SIZE: Cell<u64> = Cell::new(b"\x85");

/// A validator of the current set: its key, its power and its liveness window. One record, so
/// that a block's liveness step ranges over the set once and any change to the set, a validator
/// joining included, is one write per validator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub key: KeyBytes,
    pub power: u64,
    /// `None` until the validator's first vote is seen (joining validators enter the chain's
    /// commits a few blocks after the replicated set).
    pub window: Option<Window>,
}
record!(Member { key, power, window });

/// The signed-blocks window of one validator. Blocks counted are derived from the contract's
/// block counter ([`BLOCKS_COUNTED`]) while the validator keeps voting, so a block in which
/// it signs as before writes nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Tells this window's missed-block bits from those of an earlier window of the same
    /// validator, which are left behind instead of deleted: the counter value of the window's
    /// first block.
    pub generation: u64,
    pub progress: Progress,
    /// Missed blocks among the last `signed_blocks_window` counted.
    pub missed: u64,
}
record!(Window {
    generation,
    progress,
    missed
});

/// How many blocks a window has counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// The validator voted in every block since: counted = block counter − `since`.
    Counting { since: u64 },
    /// The validator was missing from the commits (not even an absent vote): counting stopped.
    Paused { counted: u64 },
}

impl Record for Progress {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Progress::Counting { since } => {
                out.push(0);
                since.encode(out);
            }
            Progress::Paused { counted } => {
                out.push(1);
                counted.encode(out);
            }
        }
    }
    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        match input.byte()? {
            0 => Ok(Progress::Counting {
                since: u64::decode(input)?,
            }),
            1 => Ok(Progress::Paused {
                counted: u64::decode(input)?,
            }),
            _ => Err(unknown_variant("window progress")),
        }
    }
}

/// The current set: consensus address → member.
pub const MEMBERS: Table<Member> = Table::new(b"\x86");

/// One validator's change in a VSC. Powers are never 0 inside the set, so 0 stands for "not in
/// the set".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetChange {
    pub key: KeyBytes,
    pub before: u64,
    pub after: u64,
}
record!(SetChange { key, before, after });

/// The history of the set as a change log, one record per VSC that changed it: vscId → its
/// changes, sorted by key. The set at an older vscId is the current set with the later changes
/// rolled back (answers "the set at a height" and lets double-sign evidence name a validator
/// that has left); the changes after the last hand-over are the diff the chain gets next.
pub const SET_CHANGES: Table<Vec<SetChange>> = Table::new(b"\x88");

/// Height → vscId in force from that height on. Stored sparsely, only where the vscId
/// changes; the vscId at a height is the entry at or below it.
pub const HEIGHT_TO_VSC: Table<u64> = Table::new(b"\x89");

/// VSCs waiting out the consumer unbonding period: (maturity time in nanoseconds, vscId).
pub const MATURING: Table<()> = Table::new(b"\x8a");

/// A packet waiting to go to the provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueuedPacket {
    Slash(SlashPacketData),
    VscMatured { vsc_id: u64 },
}

impl Record for QueuedPacket {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            QueuedPacket::Slash(slash) => {
                out.push(match slash.infraction {
                    Infraction::Downtime => 0,
                    Infraction::DoubleSign => 1,
                });
                slash.validator.address.0.encode(out);
                slash.validator.power.encode(out);
                slash.valset_update_id.encode(out);
            }
            QueuedPacket::VscMatured { vsc_id } => {
                out.push(2);
                vsc_id.encode(out);
            }
        }
    }
    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        let infraction = match input.byte()? {
            0 => Infraction::Downtime,
            1 => Infraction::DoubleSign,
            2 => {
                return Ok(QueuedPacket::VscMatured {
                    vsc_id: u64::decode(input)?,
                })
            }
            _ => return Err(unknown_variant("queued packet")),
        };
        Ok(QueuedPacket::Slash(SlashPacketData {
            validator: cw_ics_ccv::SlashedValidator {
                address: cw_ics_ccv::ConsensusAddress(AddressBytes::decode(input)?),
                power: u64::decode(input)?,
            },
            valset_update_id: u64::decode(input)?,
            infraction,
        }))
    }
}

/// Packets to the provider by queue position, sent in order once the channel is established.
pub const PACKETS: Table<QueuedPacket> = Table::new(b"\x8b");

/// The queue's bounds: position of the head and the next free position (equal: empty).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueBounds {
    pub head: u64,
    pub next: u64,
}
record!(QueueBounds { head, next });

pub const PACKET_QUEUE: Cell<QueueBounds> = Cell::new(b"\x8c");

/// The state of the slash packet at the head of the queue, once it has been sent.
#[cw_serde]
pub enum HeadSlash {
    /// Sent; nothing behind it goes out until its acknowledgement arrives.
    AwaitingAck,
    /// The provider bounced it; it is resent once `retry_at` has passed.
    Bounced { retry_at: Timestamp },
}

json_enum!(HeadSlash {
    AwaitingAck = "awaiting_ack",
    Bounced = "bounced" { retry_at },
});

impl Record for HeadSlash {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            HeadSlash::AwaitingAck => out.push(0),
            HeadSlash::Bounced { retry_at } => {
                out.push(1);
                retry_at.encode(out);
            }
        }
    }
    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        match input.byte()? {
            0 => Ok(HeadSlash::AwaitingAck),
            1 => Ok(HeadSlash::Bounced {
                retry_at: Timestamp::decode(input)?,
            }),
            _ => Err(unknown_variant("head slash")),
        }
    }
}

pub const HEAD_SLASH: Cell<HeadSlash> = Cell::new(b"\x8d");

/// How many blocks the liveness step has counted (one per unhalted `begin_block`).
pub const BLOCKS_COUNTED: Cell<u64> = Cell::new(b"\x8e");

/// Missed-block bits: (consensus address, slot in the window) → generation of the window that
/// wrote it. Only a bit of the validator's current generation counts.
pub const MISSED_BLOCKS: Table<u64> = Table::new(b"\x8f");

/// Validators with a downtime slash packet the provider has not acknowledged yet (address →
/// infraction height). Cleared by `slash_acks` in a VSC.
pub const OUTSTANDING_DOWNTIME: Table<u64> = Table::new(b"\x90");

/// Double signs already reported: (consensus address, infraction height).
pub const DOUBLE_SIGNS_REPORTED: Table<()> = Table::new(b"\x91");

/// A stored consensus address (a key suffix of 20 bytes).
pub fn stored_address(bytes: &[u8]) -> StdResult<AddressBytes> {
    AddressBytes::try_from(bytes)
        .map_err(|_| StdError::msg("corrupt stored key: not a 20-byte address"))
}

/// A stored big-endian integer (a key part of 8 bytes).
pub fn be_u64(bytes: &[u8]) -> StdResult<u64> {
    <[u8; 8]>::try_from(bytes)
        .map(u64::from_be_bytes)
        .map_err(|_| StdError::msg("corrupt stored key: not an 8-byte integer"))
}

fn unknown_variant(what: &str) -> StdError {
    StdError::msg(format!("corrupt stored record: unknown {what} variant"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cw_ics_ccv::{ConsensusAddress, SlashedValidator};
    use cw_ics_store::{decode, encode};

    fn round_trip<R: Record + PartialEq + std::fmt::Debug>(value: R) {
        let bytes = encode(&value);
        assert_eq!(decode::<R>(&bytes).unwrap(), value);
    }

    #[test]
    fn enums_round_trip_and_unknown_variants_are_refused() {
        round_trip(HaltReason::ErrorAck {
            sequence: 3,
            error: "no".to_string(),
        });
        round_trip(HaltReason::Timeout { sequence: 9 });
        round_trip(HaltReason::ChannelClosed {
            channel_id: "channel-1".to_string(),
        });
        round_trip(ChainLink::Oracle);
        round_trip(ChainLink::ValidatorSetUpdater { handed_up_to: None });
        round_trip(ChainLink::ValidatorSetUpdater {
            handed_up_to: Some(7),
        });
        round_trip(HeadSlash::Bounced {
            retry_at: Timestamp::from_seconds(5),
        });
        round_trip(QueuedPacket::VscMatured { vsc_id: 300 });
        round_trip(QueuedPacket::Slash(SlashPacketData {
            validator: SlashedValidator {
                address: ConsensusAddress([7; 20]),
                power: 1_000,
            },
            valset_update_id: 12,
            infraction: Infraction::DoubleSign,
        }));
        round_trip(Member {
            key: [3; 32],
            power: 10,
            window: Some(Window {
                generation: 4,
                progress: Progress::Paused { counted: 2 },
                missed: 1,
            }),
        });
        assert!(decode::<HaltReason>(&[3]).is_err());
        assert!(decode::<ChainLink>(&[2]).is_err());
        assert!(decode::<QueuedPacket>(&[3, 0]).is_err());
        assert!(decode::<Progress>(&[2, 0]).is_err());
        assert!(decode::<HeadSlash>(&[2]).is_err());
    }

    #[test]
    fn a_member_that_keeps_signing_is_its_key_and_a_few_bytes() {
        let member = Member {
            key: [3; 32],
            power: 100,
            window: Some(Window {
                generation: 1_000_000,
                progress: Progress::Counting { since: 1_000_000 },
                missed: 0,
            }),
        };
        assert!(encode(&member).len() <= 32 + 12);
    }
}
