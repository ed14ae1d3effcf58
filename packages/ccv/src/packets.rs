//! Packet data, declared once with serde in the Go implementation's JSON form. Decoding refuses
//! unknown fields (a field this version does not know is a protocol change, not something to
//! ignore); what serde cannot express is checked by `decode` after reading.

use core::fmt;

use cosmwasm_schema::cw_schema::Schemaifier;
use cosmwasm_std::Binary;
use schemars::JsonSchema;
use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::keys::{ConsensusAddress, PublicKey};
use crate::wire::{self, power, uint64};
use crate::PacketError;

/// CometBFT's `MaxTotalVotingPower`: no validator's power, and no set's total, may exceed it.
pub const MAX_TOTAL_VOTING_POWER: u64 = (i64::MAX / 8) as u64;

/// A change to one validator's power; power 0 removes the validator.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidatorUpdate {
    pub pub_key: PublicKey,
    #[serde(with = "power")]
    #[schemars(with = "String")]
    pub power: u64,
}

/// Provider → consumer: the validator set changes of one `valset_update_id`, and the consensus
/// addresses (bech32) whose downtime slash the provider has handled.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidatorSetChangePacket {
    pub validator_updates: Vec<ValidatorUpdate>,
    #[serde(with = "uint64")]
    #[schemars(with = "String")]
    pub valset_update_id: u64,
    pub slash_acks: Vec<String>,
}

/// The kind of misbehaviour a slash packet reports, by its proto enum name. The protocol's
/// one infraction type: both contracts use it in their own records and answers too.
#[derive(
    Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, JsonSchema, Schemaifier,
)]
#[schemaifier(crate = "cosmwasm_schema::cw_schema")]
pub enum Infraction {
    #[serde(rename = "INFRACTION_TYPE_DOUBLE_SIGN")]
    DoubleSign,
    #[serde(rename = "INFRACTION_TYPE_DOWNTIME")]
    Downtime,
}

/// The validator a slash packet names: its consensus address and its power on the consumer.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SlashedValidator {
    pub address: ConsensusAddress,
    #[serde(with = "power")]
    #[schemars(with = "String")]
    pub power: u64,
}

/// Consumer → provider: a validator misbehaved while the set of `valset_update_id` was in force.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SlashPacketData {
    pub validator: SlashedValidator,
    #[serde(with = "uint64")]
    #[schemars(with = "String")]
    pub valset_update_id: u64,
    pub infraction: Infraction,
}

/// Consumer → provider: the consumer's unbonding period has passed for `valset_update_id`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VscMaturedPacketData {
    #[serde(with = "uint64")]
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
/// `ConsumerPacketData`: a `type` and the oneof member that goes with it, and no other.
#[derive(Clone, Debug, PartialEq, Eq, JsonSchema)]
pub enum ConsumerPacket {
    Slash(SlashPacketData),
    VscMatured(VscMaturedPacketData),
}

impl ValidatorSetChangePacket {
    pub fn decode(bytes: &[u8]) -> Result<Self, PacketError> {
        let packet: Self = wire::decode(bytes)?;
        if packet.valset_update_id == 0 {
            return Err(PacketError::ZeroValsetUpdateId);
        }
        for update in &packet.validator_updates {
            update.pub_key.validate()?;
            if update.power > MAX_TOTAL_VOTING_POWER {
                return Err(PacketError::PowerAboveMaximum(update.power));
            }
        }
        Ok(packet)
    }

    pub fn encode(&self) -> Result<Binary, PacketError> {
        wire::encode(self)
    }
}

impl ConsumerPacket {
    pub fn decode(bytes: &[u8]) -> Result<Self, PacketError> {
        let packet: Self = wire::decode(bytes)?;
        if let ConsumerPacket::Slash(slash) = &packet {
            if slash.validator.power == 0 {
                return Err(PacketError::ZeroSlashPower);
            }
        }
        Ok(packet)
    }

    pub fn encode(&self) -> Result<Binary, PacketError> {
        wire::encode(self)
    }

    pub fn packet_type(&self) -> ConsumerPacketType {
        match self {
            ConsumerPacket::Slash(_) => ConsumerPacketType::Slash,
            ConsumerPacket::VscMatured(_) => ConsumerPacketType::VscMatured,
        }
    }
}

const TYPE: &str = "type";
const SLASH_MEMBER: &str = "slashPacketData";
const VSC_MATURED_MEMBER: &str = "vscMaturedPacketData";

impl Serialize for ConsumerPacket {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry(TYPE, &self.packet_type())?;
        match self {
            ConsumerPacket::Slash(data) => map.serialize_entry(SLASH_MEMBER, data)?,
            ConsumerPacket::VscMatured(data) => map.serialize_entry(VSC_MATURED_MEMBER, data)?,
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for ConsumerPacket {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ConsumerPacketVisitor)
    }
}

struct ConsumerPacketVisitor;

impl<'de> Visitor<'de> for ConsumerPacketVisitor {
    type Value = ConsumerPacket;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a consumer packet object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ConsumerPacket, A::Error> {
        const FIELDS: &[&str] = &[TYPE, SLASH_MEMBER, VSC_MATURED_MEMBER];
        let mut packet_type: Option<ConsumerPacketType> = None;
        let mut slash: Option<SlashPacketData> = None;
        let mut matured: Option<VscMaturedPacketData> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                TYPE if packet_type.is_none() => packet_type = Some(map.next_value()?),
                SLASH_MEMBER if slash.is_none() => slash = Some(map.next_value()?),
                VSC_MATURED_MEMBER if matured.is_none() => matured = Some(map.next_value()?),
                TYPE | SLASH_MEMBER | VSC_MATURED_MEMBER => {
                    return Err(de::Error::custom(format_args!("duplicate field `{key}`")))
                }
                other => return Err(de::Error::unknown_field(other, FIELDS)),
            }
        }
        match (packet_type, slash, matured) {
            (None, _, _) => Err(de::Error::missing_field(TYPE)),
            (Some(ConsumerPacketType::Slash), Some(data), None) => Ok(ConsumerPacket::Slash(data)),
            (Some(ConsumerPacketType::VscMatured), None, Some(data)) => {
                Ok(ConsumerPacket::VscMatured(data))
            }
            (Some(ConsumerPacketType::Slash), _, _) => {
                Err(payload_mismatch("CONSUMER_PACKET_TYPE_SLASH", SLASH_MEMBER))
            }
            (Some(ConsumerPacketType::VscMatured), _, _) => Err(payload_mismatch(
                "CONSUMER_PACKET_TYPE_VSCM",
                VSC_MATURED_MEMBER,
            )),
        }
    }
}

fn payload_mismatch<E: de::Error>(packet_type: &str, member: &str) -> E {
    E::custom(format_args!(
        "a consumer packet of type {packet_type} must carry exactly the `{member}` payload"
    ))
}
