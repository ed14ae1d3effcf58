//! Packet data, typed. Decoding goes through private `Raw*` mirrors of the wire shape so that
//! every rule a packet can break surfaces as its own [`PacketError`].

use cosmwasm_std::{from_json, to_json_vec, Binary};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::keys::{ConsensusAddress, PublicKey};
use crate::string_int::{i64_string, u64_string};
use crate::PacketError;

/// A change to one validator's power; power 0 removes the validator.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(try_from = "RawValidatorUpdate")]
pub struct ValidatorUpdate {
    pub pub_key: PublicKey,
    #[serde(with = "u64_string")]
    #[schemars(with = "String")]
    pub power: u64,
}

/// Provider → consumer: the validator set changes of one `valset_update_id`, and the consensus
/// addresses (bech32) whose downtime slash the provider has handled.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(try_from = "RawValidatorSetChangePacket")]
pub struct ValidatorSetChangePacket {
    pub validator_updates: Vec<ValidatorUpdate>,
    #[serde(with = "u64_string")]
    #[schemars(with = "String")]
    pub valset_update_id: u64,
    pub slash_acks: Vec<String>,
}

/// The kind of misbehaviour a slash packet reports.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, JsonSchema)]
pub enum Infraction {
    #[serde(rename = "INFRACTION_TYPE_DOUBLE_SIGN")]
    DoubleSign,
    #[serde(rename = "INFRACTION_TYPE_DOWNTIME")]
    Downtime,
}

/// The validator a slash packet names: its consensus address and its power on the consumer.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(try_from = "RawSlashedValidator")]
pub struct SlashedValidator {
    pub address: ConsensusAddress,
    #[serde(with = "u64_string")]
    #[schemars(with = "String")]
    pub power: u64,
}

/// Consumer → provider: a validator misbehaved while the set of `valset_update_id` was in force.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(try_from = "RawSlashPacketData")]
pub struct SlashPacketData {
    pub validator: SlashedValidator,
    #[serde(with = "u64_string")]
    #[schemars(with = "String")]
    pub valset_update_id: u64,
    pub infraction: Infraction,
}

/// Consumer → provider: the consumer's unbonding period has passed for `valset_update_id`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VscMaturedPacketData {
    #[serde(with = "u64_string")]
    #[schemars(with = "String")]
    pub valset_update_id: u64,
}

/// The `type` member of the consumer packet wrapper.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum ConsumerPacketType {
    #[serde(rename = "CONSUMER_PACKET_TYPE_SLASH")]
    Slash,
    #[serde(rename = "CONSUMER_PACKET_TYPE_VSCM")]
    VscMatured,
}

/// Everything a consumer sends to its provider. On the wire it is the Go implementation's
/// `ConsumerPacketData`: a `type` and the oneof member that goes with it.
#[derive(Clone, Debug, PartialEq, Eq, JsonSchema)]
pub enum ConsumerPacket {
    Slash(SlashPacketData),
    VscMatured(VscMaturedPacketData),
}

impl ValidatorSetChangePacket {
    pub fn decode(bytes: &[u8]) -> Result<Self, PacketError> {
        let raw: RawValidatorSetChangePacket = from_json(bytes).map_err(PacketError::from_serde)?;
        raw.try_into()
    }

    pub fn encode(&self) -> Result<Binary, PacketError> {
        encode(self)
    }
}

impl ConsumerPacket {
    pub fn decode(bytes: &[u8]) -> Result<Self, PacketError> {
        let raw: RawConsumerPacket = from_json(bytes).map_err(PacketError::from_serde)?;
        raw.try_into()
    }

    pub fn encode(&self) -> Result<Binary, PacketError> {
        encode(self)
    }

    pub fn packet_type(&self) -> ConsumerPacketType {
        match self {
            ConsumerPacket::Slash(_) => ConsumerPacketType::Slash,
            ConsumerPacket::VscMatured(_) => ConsumerPacketType::VscMatured,
        }
    }
}

fn encode(value: &impl Serialize) -> Result<Binary, PacketError> {
    to_json_vec(value)
        .map(Binary::new)
        .map_err(|err| PacketError::Json(err.to_string()))
}

/// The wrapper's wire shape; only the member that goes with `type` is written.
#[derive(Serialize)]
struct WireConsumerPacket<'a> {
    #[serde(rename = "type")]
    packet_type: ConsumerPacketType,
    #[serde(rename = "slashPacketData", skip_serializing_if = "Option::is_none")]
    slash: Option<&'a SlashPacketData>,
    #[serde(
        rename = "vscMaturedPacketData",
        skip_serializing_if = "Option::is_none"
    )]
    vsc_matured: Option<&'a VscMaturedPacketData>,
}

impl Serialize for ConsumerPacket {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (slash, vsc_matured) = match self {
            ConsumerPacket::Slash(data) => (Some(data), None),
            ConsumerPacket::VscMatured(data) => (None, Some(data)),
        };
        WireConsumerPacket {
            packet_type: self.packet_type(),
            slash,
            vsc_matured,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ConsumerPacket {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        RawConsumerPacket::deserialize(deserializer)?
            .try_into()
            .map_err(serde::de::Error::custom)
    }
}

// ---- the raw wire shapes and their validation ----

#[derive(Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum RawPublicKey {
    Ed25519(Binary),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawValidatorUpdate {
    pub_key: RawPublicKey,
    #[serde(deserialize_with = "i64_string::deserialize")]
    power: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawValidatorSetChangePacket {
    // Option so that a missing or null list is told apart from a malformed one.
    #[serde(default)]
    validator_updates: Option<Vec<RawValidatorUpdate>>,
    #[serde(with = "u64_string")]
    valset_update_id: u64,
    slash_acks: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSlashedValidator {
    address: Binary,
    #[serde(deserialize_with = "i64_string::deserialize")]
    power: i64,
}

#[derive(Deserialize)]
enum RawInfraction {
    #[serde(rename = "INFRACTION_TYPE_UNSPECIFIED")]
    Unspecified,
    #[serde(rename = "INFRACTION_TYPE_DOUBLE_SIGN")]
    DoubleSign,
    #[serde(rename = "INFRACTION_TYPE_DOWNTIME")]
    Downtime,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSlashPacketData {
    validator: RawSlashedValidator,
    #[serde(with = "u64_string")]
    valset_update_id: u64,
    infraction: RawInfraction,
}

#[derive(Deserialize)]
enum RawConsumerPacketType {
    #[serde(rename = "CONSUMER_PACKET_TYPE_UNSPECIFIED")]
    Unspecified,
    #[serde(rename = "CONSUMER_PACKET_TYPE_SLASH")]
    Slash,
    #[serde(rename = "CONSUMER_PACKET_TYPE_VSCM")]
    VscMatured,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConsumerPacket {
    #[serde(rename = "type")]
    packet_type: RawConsumerPacketType,
    #[serde(rename = "slashPacketData", default)]
    slash: Option<RawSlashPacketData>,
    #[serde(rename = "vscMaturedPacketData", default)]
    vsc_matured: Option<VscMaturedPacketData>,
}

fn non_negative(power: i64) -> Result<u64, PacketError> {
    u64::try_from(power).map_err(|_| PacketError::NegativePower(power))
}

impl TryFrom<RawPublicKey> for PublicKey {
    type Error = PacketError;

    fn try_from(raw: RawPublicKey) -> Result<Self, PacketError> {
        match raw {
            RawPublicKey::Ed25519(bytes) => PublicKey::ed25519(bytes),
        }
    }
}

impl TryFrom<RawValidatorUpdate> for ValidatorUpdate {
    type Error = PacketError;

    fn try_from(raw: RawValidatorUpdate) -> Result<Self, PacketError> {
        Ok(ValidatorUpdate {
            pub_key: raw.pub_key.try_into()?,
            power: non_negative(raw.power)?,
        })
    }
}

impl TryFrom<RawValidatorSetChangePacket> for ValidatorSetChangePacket {
    type Error = PacketError;

    fn try_from(raw: RawValidatorSetChangePacket) -> Result<Self, PacketError> {
        let updates = raw
            .validator_updates
            .ok_or(PacketError::MissingValidatorUpdates)?;
        if raw.valset_update_id == 0 {
            return Err(PacketError::ZeroValsetUpdateId);
        }
        Ok(ValidatorSetChangePacket {
            validator_updates: updates
                .into_iter()
                .map(ValidatorUpdate::try_from)
                .collect::<Result<_, _>>()?,
            valset_update_id: raw.valset_update_id,
            slash_acks: raw.slash_acks,
        })
    }
}

impl TryFrom<RawSlashedValidator> for SlashedValidator {
    type Error = PacketError;

    fn try_from(raw: RawSlashedValidator) -> Result<Self, PacketError> {
        let address = ConsensusAddress::from_slice(raw.address.as_slice())?;
        let power = non_negative(raw.power)?;
        if power == 0 {
            return Err(PacketError::ZeroSlashPower);
        }
        Ok(SlashedValidator { address, power })
    }
}

impl TryFrom<RawSlashPacketData> for SlashPacketData {
    type Error = PacketError;

    fn try_from(raw: RawSlashPacketData) -> Result<Self, PacketError> {
        let infraction = match raw.infraction {
            RawInfraction::Unspecified => return Err(PacketError::UnspecifiedInfraction),
            RawInfraction::DoubleSign => Infraction::DoubleSign,
            RawInfraction::Downtime => Infraction::Downtime,
        };
        Ok(SlashPacketData {
            validator: raw.validator.try_into()?,
            valset_update_id: raw.valset_update_id,
            infraction,
        })
    }
}

impl TryFrom<RawConsumerPacket> for ConsumerPacket {
    type Error = PacketError;

    fn try_from(raw: RawConsumerPacket) -> Result<Self, PacketError> {
        match (raw.packet_type, raw.slash, raw.vsc_matured) {
            (RawConsumerPacketType::Unspecified, _, _) => Err(PacketError::UnspecifiedPacketType),
            (RawConsumerPacketType::Slash, Some(slash), None) => {
                Ok(ConsumerPacket::Slash(slash.try_into()?))
            }
            (RawConsumerPacketType::VscMatured, None, Some(matured)) => {
                Ok(ConsumerPacket::VscMatured(matured))
            }
            (RawConsumerPacketType::Slash, _, _) => Err(PacketError::PayloadMismatch {
                packet_type: "CONSUMER_PACKET_TYPE_SLASH",
                expected: "slashPacketData",
            }),
            (RawConsumerPacketType::VscMatured, _, _) => Err(PacketError::PayloadMismatch {
                packet_type: "CONSUMER_PACKET_TYPE_VSCM",
                expected: "vscMaturedPacketData",
            }),
        }
    }
}
