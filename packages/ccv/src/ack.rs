use cosmwasm_std::Binary;
use schemars::JsonSchema;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use crate::wire;
use crate::PacketError;

/// The result bytes of a successful CCV acknowledgement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, JsonSchema, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AckResult {
    /// `0x01`: a VSC or VSC-matured packet (or a double-sign report) was handled.
    Success,
    /// `0x02`: a slash packet was handled.
    SlashHandled,
    /// `0x03`: a slash packet was bounced by throttling; the consumer retries it later.
    SlashBounced,
}

impl AckResult {
    pub fn byte(self) -> u8 {
        match self {
            AckResult::Success => 0x01,
            AckResult::SlashHandled => 0x02,
            AckResult::SlashBounced => 0x03,
        }
    }

    pub fn from_byte(byte: u8) -> Result<Self, PacketError> {
        match byte {
            0x01 => Ok(AckResult::Success),
            0x02 => Ok(AckResult::SlashHandled),
            0x03 => Ok(AckResult::SlashBounced),
            other => Err(PacketError::UnknownAckResult(other)),
        }
    }
}

/// ibc-go's acknowledgement envelope: `{"result":"<b64>"}` or `{"error":"<text>"}`, exactly
/// one of them.
#[derive(Clone, Debug, PartialEq, Eq, JsonSchema, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Acknowledgement {
    Result(
        #[serde(with = "result_byte")]
        #[schemars(with = "Binary")]
        AckResult,
    ),
    Error(String),
}

impl Acknowledgement {
    pub fn error(text: impl Into<String>) -> Self {
        Acknowledgement::Error(text.into())
    }

    pub fn encode(&self) -> Result<Binary, PacketError> {
        wire::encode(self)
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, PacketError> {
        wire::decode(bytes)
    }
}

/// The result member: one byte, as padded base64.
mod result_byte {
    use super::*;

    pub fn serialize<S: Serializer>(result: &AckResult, serializer: S) -> Result<S::Ok, S::Error> {
        Binary::new(vec![result.byte()]).serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<AckResult, D::Error> {
        match wire::binary(deserializer)?.as_slice() {
            [byte] => AckResult::from_byte(*byte).map_err(de::Error::custom),
            other => Err(de::Error::custom(format_args!(
                "an acknowledgement result must be exactly one byte, got {}",
                other.len()
            ))),
        }
    }
}
