//! The Cross-Chain Validation (CCV) protocol as the cw-ics provider and consumer contracts
//! speak it: packet data, acknowledgements, channel rules and consensus addresses, and the
//! small pieces of logic both contracts share (`SortedMap`, their per-call maps).
//!
//! Both contracts depend on this one crate so that the wire format cannot drift between them.
//! The encoding is byte-compatible with the Go implementation (cosmos/interchain-security),
//! which marshals its packets with gogoproto's JSON marshaller: snake_case field names as
//! declared in the protos, 64-bit integers as strings, bytes as padded standard base64, enums
//! by name, empty lists emitted as `[]`. Each wire type is declared once with serde; the Go
//! forms serde has no attribute for live in `wire` (see the crate README).

mod ack;
mod channel;
mod error;
mod evidence;
mod genesis;
mod keys;
mod packets;
mod sign_bytes;
mod sorted_map;
mod wire;

pub use ack::{AckResult, Acknowledgement};
pub use channel::{
    ensure_ordered, negotiate_version, timeout_after, validate_counterparty_version, CCV_VERSION,
    DEFAULT_CCV_TIMEOUT_SECONDS,
};
pub use error::{ChannelError, PacketError};
pub use evidence::{DuplicateVoteEvidence, EvidenceError, Vote};
pub use genesis::{ConsumerGenesis, ConsumerParams, GenesisError, GenesisValidator};
pub use keys::{ConsensusAddress, PublicKey, CONSENSUS_ADDRESS_LEN, ED25519_KEY_LEN};
pub use packets::{
    ConsumerPacket, ConsumerPacketType, Infraction, SlashPacketData, SlashedValidator,
    ValidatorSetChangePacket, ValidatorUpdate, VscMaturedPacketData, MAX_TOTAL_VOTING_POWER,
};
pub use sign_bytes::{BlockId, CanonicalVote, VoteType};
pub use sorted_map::SortedMap;
pub use wire::padded_base64;
