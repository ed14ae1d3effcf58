use thiserror::Error;

/// Why bytes received from a counterparty are not a valid CCV packet or acknowledgement.
#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum PacketError {
    /// The bytes are not the packet's JSON: serde's message names the field, the variant or
    /// the rule (unknown or missing field, unpadded base64, an integer Go would not read, a
    /// negative power, a payload that does not match the packet type, ...).
    #[error("malformed packet: {0}")]
    Malformed(String),

    #[error("a validator-set-change packet must have a valset_update_id above 0")]
    ZeroValsetUpdateId,

    #[error("a slash packet must name a validator with power above 0")]
    ZeroSlashPower,

    #[error("power {0} is above CometBFT's maximum total voting power (i64::MAX / 8)")]
    PowerAboveMaximum(u64),

    #[error("a consensus address must be 20 bytes, got {0}")]
    InvalidAddressLength(usize),

    #[error("an ed25519 public key must be 32 bytes, got {0}")]
    InvalidKeyLength(usize),

    #[error("unknown acknowledgement result byte {0:#04x}")]
    UnknownAckResult(u8),

    #[error("`{0}` is not a bech32 consensus address")]
    InvalidBech32(String),
}

/// Why a channel handshake step is not acceptable for a CCV channel.
#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum ChannelError {
    #[error("CCV channels must be ORDERED")]
    NotOrdered,

    #[error("CCV version must be \"{expected}\", got \"{got}\"")]
    InvalidVersion { expected: &'static str, got: String },
}
