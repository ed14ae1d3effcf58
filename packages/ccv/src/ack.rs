use cosmwasm_std::{from_json, to_json_vec, Binary};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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

/// ibc-go's acknowledgement envelope: `{"result":"<b64>"}` or `{"error":"<text>"}`.
#[derive(Clone, Debug, PartialEq, Eq, JsonSchema)]
pub enum Acknowledgement {
    Result(AckResult),
    Error(String),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireAcknowledgement {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    result: Option<Binary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl Acknowledgement {
    pub fn error(text: impl Into<String>) -> Self {
        Acknowledgement::Error(text.into())
    }

    pub fn encode(&self) -> Result<Binary, PacketError> {
        let wire = match self {
            Acknowledgement::Result(result) => WireAcknowledgement {
                result: Some(Binary::new(vec![result.byte()])),
                error: None,
            },
            Acknowledgement::Error(text) => WireAcknowledgement {
                result: None,
                error: Some(text.clone()),
            },
        };
        to_json_vec(&wire)
            .map(Binary::new)
            .map_err(|err| PacketError::Json(err.to_string()))
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, PacketError> {
        let wire: WireAcknowledgement = from_json(bytes).map_err(PacketError::from_serde)?;
        match (wire.result, wire.error) {
            (Some(result), None) => match result.as_slice() {
                [byte] => Ok(Acknowledgement::Result(AckResult::from_byte(*byte)?)),
                other => Err(PacketError::InvalidAckResultLength(other.len())),
            },
            (None, Some(text)) => Ok(Acknowledgement::Error(text)),
            _ => Err(PacketError::InvalidAckEnvelope),
        }
    }
}
