//! Storage layout of the consumer contract: every `Item` and `Map` it uses, listed here and only
//! here, each with what its key and value mean.
//!
//! Namespaces are one letter for the records written per validator or per block (the set, its
//! change log, the liveness bits, the packet queue, maturities) and two letters for the rest;
//! none is a prefix of another or of cw2's `contract_info` (a unit test below checks it).
//! Integer keys are cw-storage-plus's big-endian encoding, so ranges come out in numeric order.
//! Values are JSON: `#[cw_serde]` for the records that are also answers (config, halt reason,
//! mode, head slash), plain serde derives for the rest. The records written per validator, per
//! VSC or per packet shorten their field names (`#[serde(rename)]`) and leave out empty fields,
//! since every stored byte costs 30 gas to write and 3 to read.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Decimal, Empty, StdError, StdResult, Timestamp, Uint256};
use cw_ics_ccv::{ConsensusAddress, ConsumerParams, Infraction, PublicKey};
use cw_storage_plus::{Item, Map};
use serde::{Deserialize, Serialize};

/// cw2 contract name.
pub const CONTRACT_NAME: &str = concat!("crates.io:", env!("CARGO_PKG_NAME"));
/// cw2 contract version.
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// What the consumer genesis fixed; never changes after instantiation. Also the `config`
/// query's answer.
pub const CONFIG: Item<Config> = Item::new("cf");
/// The CCV channel, recorded at OpenAck.
pub const CCV_CHANNEL: Item<CcvChannel> = Item::new("cc");
/// Why the consumer halted; absent while it runs.
pub const HALT: Item<HaltReason> = Item::new("hr");
/// Oracle or validator-set updater, and how far the chain's set has been brought.
pub const CHAIN_LINK: Item<ChainLink> = Item::new("cl");
/// The vscId of the last VSC applied (0: the genesis set).
pub const LAST_VSC_ID: Item<u64> = Item::new("vi");
/// How many validators the current set has and their total power (kept so that a VSC that
/// would empty the set, or take its power past CometBFT's maximum, is refused without reading
/// the set).
pub const SET_TOTALS: Item<SetTotals> = Item::new("st");
/// How many blocks the liveness step has counted (one per unhalted `begin_block`).
pub const BLOCKS_COUNTED: Item<u64> = Item::new("bc");
/// The bounds of the outgoing packet queue ([`PACKETS`]).
pub const PACKET_QUEUE: Item<QueueBounds> = Item::new("pq");
/// The state of the slash packet at the head of the queue, once it has been sent.
pub const HEAD_SLASH: Item<HeadSlash> = Item::new("hs");

/// The current set's size and total power.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SetTotals {
    #[serde(rename = "n")]
    pub size: u64,
    #[serde(rename = "p")]
    pub power: u64,
}

/// The current set: consensus address (20 bytes) → power and liveness window.
pub const MEMBERS: Map<&[u8], Member> = Map::new("m");
/// The current set's keys: consensus address (20 bytes) → its ed25519 key. Written when a
/// validator joins and removed when it leaves, so a power change or a block does not carry the
/// key around.
pub const KEYS: Map<&[u8], PublicKey> = Map::new("k");
/// The history of the set as a change log, one record per VSC that changed it: vscId → its
/// changes, sorted by key. The set at an older vscId is the current set with the later changes
/// rolled back (answers "the set at a height" and lets double-sign evidence name a validator
/// that has left); the changes after the last hand-over are the diff the chain gets next.
pub const SET_CHANGES: Map<u64, Vec<SetChange>> = Map::new("l");
/// Height → vscId in force from that height on. Stored sparsely, only where the vscId
/// changes; the vscId at a height is the entry at or below it.
pub const HEIGHT_TO_VSC: Map<u64, u64> = Map::new("hv");
/// VSCs waiting out the consumer unbonding period: (maturity time in nanoseconds, vscId) → ∅.
pub const MATURING: Map<(u64, u64), Empty> = Map::new("t");
/// Packets to the provider: queue position → packet, sent in order once the channel is
/// established.
pub const PACKETS: Map<u64, QueuedPacket> = Map::new("q");
/// Missed-block bits: (consensus address, slot in the window) → generation of the window that
/// wrote it. Only a bit of the validator's current generation counts.
pub const MISSED_BLOCKS: Map<(&[u8], u64), u64> = Map::new("w");
/// Validators with a downtime slash the provider has not acknowledged yet: consensus address →
/// infraction height. Cleared by `slash_acks` in a VSC.
pub const OUTSTANDING_DOWNTIME: Map<&[u8], u64> = Map::new("od");
/// Double signs already reported: (consensus address, infraction height) → ∅.
pub const DOUBLE_SIGNS_REPORTED: Map<(&[u8], u64), Empty> = Map::new("ds");

/// How rewards are paid, as the chain's governance (the contract's admin) configured them;
/// absent until `configure_rewards`. Also the `reward_config` query's answer.
pub const REWARD_CONFIG: Item<RewardConfig> = Item::new("rc");
/// The height from which the next reward transmission is due; absent until rewards are
/// configured. Kept apart from [`REWARD_CONFIG`] because every block reads it.
pub const NEXT_TRANSMISSION: Item<u64> = Item::new("rn");
/// Reward denom → the last transmission of that denom and its outcome (at most one record per
/// configured denom: records of denoms dropped from the configuration are removed).
pub const TRANSMISSIONS: Map<&str, Transmission> = Map::new("rt");
/// Reward denom → what the pool owes the provider: transfers refunded (refused, timed out, or
/// never sent) come back into the balance, and go to the provider whole at the next
/// transmission instead of through the split again (ICS keeps them in a separate account).
pub const OWED_TO_PROVIDER: Map<&str, Uint256> = Map::new("ro");

/// What the consumer genesis fixed.
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

/// The CCV channel.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct CcvChannel {
    pub channel_id: String,
    /// Set by the first VSC received on the channel (as in the Go consumer); outgoing packets
    /// wait in the queue until then.
    pub established: bool,
}

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

/// The stored [`Mode`] and, when promoted, how far the chain's validator set has been brought.
/// Written at every hand-over, hence the short names.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainLink {
    #[serde(rename = "o")]
    Oracle,
    #[serde(rename = "u")]
    ValidatorSetUpdater {
        /// The chain's set is the replicated set as of this vscId: every change of a later VSC
        /// is still to be handed over. `None` until the first hand-over after promotion: the
        /// chain then has nothing from this contract and gets the whole set.
        #[serde(rename = "h", default, skip_serializing_if = "Option::is_none")]
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

/// A validator of the current set (its key is in [`KEYS`]): its power and its liveness window.
/// One record, so that a block's liveness step ranges over the set once.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member {
    #[serde(rename = "p")]
    pub power: u64,
    /// `None` until the validator's first vote is seen (joining validators enter the chain's
    /// commits a few blocks after the replicated set).
    #[serde(rename = "w", default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
}

/// The signed-blocks window of one validator. Blocks counted are derived from the contract's
/// block counter ([`BLOCKS_COUNTED`]) while the validator keeps voting, so a block in which
/// it signs as before writes nothing.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Tells this window's missed-block bits from those of an earlier window of the same
    /// validator, which are left behind instead of deleted: the counter value of the window's
    /// first block.
    #[serde(rename = "g")]
    pub generation: u64,
    #[serde(rename = "p")]
    pub progress: Progress,
    /// Missed blocks among the last `signed_blocks_window` counted.
    #[serde(rename = "m", default, skip_serializing_if = "is_zero")]
    pub missed: u64,
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

/// How many blocks a window has counted.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// The validator voted in every block since: counted = block counter − `since`.
    #[serde(rename = "c")]
    Counting {
        #[serde(rename = "s")]
        since: u64,
    },
    /// The validator was missing from the commits (not even an absent vote): counting stopped.
    #[serde(rename = "p")]
    Paused {
        #[serde(rename = "n")]
        counted: u64,
    },
}

/// One validator's change in a VSC. Powers are never 0 inside the set, so 0 stands for "not in
/// the set".
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SetChange {
    #[serde(rename = "k", with = "ed25519_bytes")]
    pub key: PublicKey,
    #[serde(rename = "b")]
    pub before: u64,
    #[serde(rename = "a")]
    pub after: u64,
}

/// A change-log key is its bare base64 bytes rather than the wire's `{"ed25519":"…"}`: every
/// change of every VSC carries one.
mod ed25519_bytes {
    use cosmwasm_std::Binary;
    use cw_ics_ccv::PublicKey;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(key: &PublicKey, serializer: S) -> Result<S::Ok, S::Error> {
        match key {
            PublicKey::Ed25519(bytes) => bytes.serialize(serializer),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<PublicKey, D::Error> {
        Binary::deserialize(deserializer).map(PublicKey::Ed25519)
    }
}

/// A packet waiting to go to the provider (the wire JSON is built when it is sent).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum QueuedPacket {
    #[serde(rename = "s")]
    Slash {
        #[serde(rename = "a")]
        address: ConsensusAddress,
        #[serde(rename = "p")]
        power: u64,
        #[serde(rename = "v")]
        vsc_id: u64,
        #[serde(rename = "i")]
        infraction: Infraction,
    },
    #[serde(rename = "m")]
    VscMatured {
        #[serde(rename = "v")]
        vsc_id: u64,
    },
}

/// The queue's bounds: position of the head and the next free position (equal: empty).
#[derive(Serialize, Deserialize, Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct QueueBounds {
    #[serde(rename = "h")]
    pub head: u64,
    #[serde(rename = "n")]
    pub next: u64,
}

/// The state of the slash packet at the head of the queue, once it has been sent.
#[cw_serde]
pub enum HeadSlash {
    /// Sent; nothing behind it goes out until its acknowledgement arrives.
    AwaitingAck,
    /// The provider bounced it; it is resent once `retry_at` has passed.
    Bounced { retry_at: Timestamp },
}

/// The reward configuration (see `rewards::configure`).
#[cw_serde]
pub struct RewardConfig {
    /// This consumer's id on the provider, named in the transfer memo for attribution.
    pub consumer_id: u64,
    /// The ICS-20 channel (port `transfer`) on this chain towards the provider chain; it runs
    /// over the CCV connection.
    pub transfer_channel_id: String,
    /// A transmission every this many blocks.
    pub blocks_per_distribution_transmission: u64,
    /// The part of each transmitted amount (rounded down) that stays on the consumer chain.
    pub consumer_redistribution_fraction: Decimal,
    /// Where the consumer chain's part is paid.
    pub redistribution_address: Addr,
    /// How long a reward transfer may take to be received on the provider chain.
    pub transfer_timeout_seconds: u64,
    /// The denoms of the pool (at most 3, as the provider allow-lists at most 3 per consumer).
    pub reward_denoms: Vec<String>,
    /// The provider contract (the genesis provider port is `wasm.<address>`): it receives the
    /// transfers and their destination callbacks.
    pub provider_address: String,
}

/// One denom's last reward transmission.
#[cw_serde]
pub struct Transmission {
    pub height: u64,
    /// Paid to the redistribution address.
    pub to_consumer: Uint256,
    /// Sent to the provider (or withheld, see `outcome`).
    pub to_provider: Uint256,
    /// The transfer's timeout; it also tells this transmission's callbacks from older ones.
    pub timeout: Timestamp,
    pub outcome: TransmissionOutcome,
}

/// What became of a transmission's transfer to the provider. Whatever did not arrive
/// (refused, timed out, not sent, withheld) is in the pool and goes out at the next
/// transmission.
#[cw_serde]
pub enum TransmissionOutcome {
    /// Sent; no acknowledgement or timeout yet.
    InFlight {},
    /// Received on the provider chain.
    Acknowledged { sequence: u64 },
    /// The provider chain answered an error acknowledgement; the ICS-20 module refunded it.
    Refused { sequence: u64, error: String },
    /// Not received before its timeout; the ICS-20 module refunded it.
    TimedOut { sequence: u64 },
    /// This chain's ICS-20 module refused the transfer (e.g. the channel is closed).
    NotSent { error: String },
    /// The consumer is halted: the provider's part stayed in the pool.
    Withheld {},
    /// The redistribution fraction is 1: nothing was due to the provider.
    NothingForProvider {},
}

/// The consensus address a stored key holds (the keys of [`MEMBERS`], [`KEYS`] and
/// [`OUTSTANDING_DOWNTIME`]).
pub fn stored_address(bytes: &[u8]) -> StdResult<ConsensusAddress> {
    ConsensusAddress::from_slice(bytes)
        .map_err(|_| StdError::msg("corrupt state: a stored key is not a consensus address"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::{from_json, to_json_vec, Binary};

    /// Every namespace of this contract, with cw2's.
    fn namespaces() -> Vec<Vec<u8>> {
        vec![
            CONFIG.as_slice().to_vec(),
            CCV_CHANNEL.as_slice().to_vec(),
            HALT.as_slice().to_vec(),
            CHAIN_LINK.as_slice().to_vec(),
            LAST_VSC_ID.as_slice().to_vec(),
            SET_TOTALS.as_slice().to_vec(),
            BLOCKS_COUNTED.as_slice().to_vec(),
            PACKET_QUEUE.as_slice().to_vec(),
            HEAD_SLASH.as_slice().to_vec(),
            MEMBERS.namespace_bytes().to_vec(),
            KEYS.namespace_bytes().to_vec(),
            SET_CHANGES.namespace_bytes().to_vec(),
            HEIGHT_TO_VSC.namespace_bytes().to_vec(),
            MATURING.namespace_bytes().to_vec(),
            PACKETS.namespace_bytes().to_vec(),
            MISSED_BLOCKS.namespace_bytes().to_vec(),
            OUTSTANDING_DOWNTIME.namespace_bytes().to_vec(),
            DOUBLE_SIGNS_REPORTED.namespace_bytes().to_vec(),
            REWARD_CONFIG.as_slice().to_vec(),
            NEXT_TRANSMISSION.as_slice().to_vec(),
            TRANSMISSIONS.namespace_bytes().to_vec(),
            OWED_TO_PROVIDER.namespace_bytes().to_vec(),
            cw2::CONTRACT.as_slice().to_vec(),
        ]
    }

    #[test]
    fn namespaces_are_distinct_short_and_none_is_a_prefix_of_another() {
        let all = namespaces();
        for (i, a) in all.iter().enumerate() {
            for (j, b) in all.iter().enumerate() {
                if i != j {
                    assert!(!b.starts_with(a), "{a:?} is a prefix of {b:?}");
                }
            }
        }
        for name in &all[..all.len() - 1] {
            assert!(name.len() <= 2, "{name:?} is longer than two letters");
        }
    }

    fn round_trip<T>(value: T) -> Vec<u8>
    where
        T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let bytes = to_json_vec(&value).unwrap();
        assert_eq!(from_json::<T>(&bytes).unwrap(), value);
        bytes
    }

    #[test]
    fn hot_records_round_trip_in_few_bytes() {
        let member = Member {
            power: 100,
            window: None,
        };
        assert_eq!(round_trip(member), br#"{"p":100}"#);
        let signing = Member {
            power: 100,
            window: Some(Window {
                generation: 1_000_000,
                progress: Progress::Counting { since: 1_000_000 },
                missed: 0,
            }),
        };
        assert_eq!(
            round_trip(signing),
            br#"{"p":100,"w":{"g":1000000,"p":{"c":{"s":1000000}}}}"#
        );
        round_trip(Window {
            generation: 4,
            progress: Progress::Paused { counted: 2 },
            missed: 1,
        });

        let change = SetChange {
            key: PublicKey::Ed25519(Binary::from([3u8; 32])),
            before: 0,
            after: 10,
        };
        let bytes = round_trip(vec![change]);
        assert_eq!(
            bytes,
            br#"[{"k":"AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=","b":0,"a":10}]"#
        );

        assert_eq!(round_trip(ChainLink::Oracle), br#""o""#);
        assert_eq!(
            round_trip(ChainLink::ValidatorSetUpdater { handed_up_to: None }),
            br#"{"u":{}}"#
        );
        assert_eq!(
            round_trip(ChainLink::ValidatorSetUpdater {
                handed_up_to: Some(7)
            }),
            br#"{"u":{"h":7}}"#
        );
        assert_eq!(
            round_trip(QueuedPacket::VscMatured { vsc_id: 300 }),
            br#"{"m":{"v":300}}"#
        );
        round_trip(QueuedPacket::Slash {
            address: ConsensusAddress([7; 20]),
            power: 1_000,
            vsc_id: 12,
            infraction: Infraction::DoubleSign,
        });
        assert_eq!(
            round_trip(QueueBounds { head: 1, next: 3 }),
            br#"{"h":1,"n":3}"#
        );
    }
}
