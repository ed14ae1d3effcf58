use thiserror::Error;

/// Why bytes received from a counterparty are not a valid CCV packet or acknowledgement.
///
/// Each rule has its own variant so that a contract can report precisely what it refused.
#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum PacketError {
    #[error("packet data has an unknown field `{0}`")]
    UnknownField(String),

    #[error("packet data is missing the field `{0}`")]
    MissingField(String),

    #[error("unknown enum value or key type `{0}`")]
    UnknownVariant(String),

    #[error("validator_updates must be a list, and is missing or null")]
    MissingValidatorUpdates,

    #[error("a validator-set-change packet must have a valset_update_id above 0")]
    ZeroValsetUpdateId,

    #[error("a slash packet must name a validator with power above 0")]
    ZeroSlashPower,

    #[error("power must not be negative, got {0}")]
    NegativePower(i64),

    #[error("a consensus address must be 20 bytes, got {0}")]
    InvalidAddressLength(usize),

    #[error("an ed25519 public key must be 32 bytes, got {0}")]
    InvalidKeyLength(usize),

    #[error("the infraction must be downtime or double sign, got unspecified")]
    UnspecifiedInfraction,

    #[error("the consumer packet type must be slash or VSC-matured, got unspecified")]
    UnspecifiedPacketType,

    #[error("consumer packet of type {packet_type} must carry exactly the `{expected}` payload")]
    PayloadMismatch {
        packet_type: &'static str,
        expected: &'static str,
    },

    #[error("an acknowledgement result must be exactly one byte, got {0}")]
    InvalidAckResultLength(usize),

    #[error("unknown acknowledgement result byte {0:#04x}")]
    UnknownAckResult(u8),

    #[error("an acknowledgement must have exactly one of `result` and `error`")]
    InvalidAckEnvelope,

    #[error("`{0}` is not a bech32 consensus address")]
    InvalidBech32(String),

    #[error("malformed JSON: {0}")]
    Json(String),
}

impl From<cw_ics_json::JsonError> for PacketError {
    fn from(error: cw_ics_json::JsonError) -> Self {
        use cw_ics_json::JsonError;
        match error {
            JsonError::UnknownField(field) => PacketError::UnknownField(field),
            JsonError::MissingField(field) => PacketError::MissingField(field.to_string()),
            JsonError::UnknownVariant(variant) => PacketError::UnknownVariant(variant),
            other => PacketError::Json(other.to_string()),
        }
    }
}

/// Why a channel handshake step is not acceptable for a CCV channel.
#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum ChannelError {
    #[error("CCV channels must be ORDERED")]
    NotOrdered,

    #[error("CCV version must be \"{expected}\", got \"{got}\"")]
    InvalidVersion { expected: &'static str, got: String },
}
