use cosmwasm_std::Binary;
use cw_ics_json::{from_slice, json_struct, ToJson, Writer};
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

/// Read side of the envelope; [`Acknowledgement::encode`] writes only the member it has.
struct WireAcknowledgement {
    result: Option<Binary>,
    error: Option<String>,
}
json_struct!(deny_unknown_fields WireAcknowledgement { result, error });

impl Acknowledgement {
    pub fn error(text: impl Into<String>) -> Self {
        Acknowledgement::Error(text.into())
    }

    pub fn encode(&self) -> Result<Binary, PacketError> {
        let mut writer = Writer::new();
        writer.begin_object();
        match self {
            Acknowledgement::Result(result) => {
                writer.key("result");
                Binary::new(vec![result.byte()]).write_json(&mut writer);
            }
            Acknowledgement::Error(text) => {
                writer.key("error");
                writer.string(text);
            }
        }
        writer.end_object();
        Ok(Binary::new(writer.into_vec()))
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, PacketError> {
        let wire: WireAcknowledgement = from_slice(bytes)?;
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
