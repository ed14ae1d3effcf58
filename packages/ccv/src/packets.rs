//! Packet data, typed. Decoding goes through private `Raw*` mirrors of the wire shape so that
//! every rule a packet can break surfaces as its own [`PacketError`].

use cosmwasm_std::Binary;
use cw_ics_json::{
    from_slice, json_enum, json_struct, read_parsed, to_binary, write_display, FromJson, JsonError,
    Reader, ToJson, Writer,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::keys::{ConsensusAddress, PublicKey};
use crate::string_int::u64_string;
use crate::PacketError;

/// A change to one validator's power; power 0 removes the validator.
#[derive(Serialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct ValidatorUpdate {
    pub pub_key: PublicKey,
    #[serde(with = "u64_string")]
    #[schemars(with = "String")]
    pub power: u64,
}

/// Provider → consumer: the validator set changes of one `valset_update_id`, and the consensus
/// addresses (bech32) whose downtime slash the provider has handled.
#[derive(Serialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
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
#[derive(Serialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct SlashedValidator {
    pub address: ConsensusAddress,
    #[serde(with = "u64_string")]
    #[schemars(with = "String")]
    pub power: u64,
}

/// Consumer → provider: a validator misbehaved while the set of `valset_update_id` was in force.
#[derive(Serialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
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
        from_slice::<RawValidatorSetChangePacket>(bytes)?.try_into()
    }

    pub fn encode(&self) -> Result<Binary, PacketError> {
        Ok(to_binary(self))
    }
}

impl ConsumerPacket {
    pub fn decode(bytes: &[u8]) -> Result<Self, PacketError> {
        from_slice::<RawConsumerPacket>(bytes)?.try_into()
    }

    pub fn encode(&self) -> Result<Binary, PacketError> {
        Ok(to_binary(self))
    }

    pub fn packet_type(&self) -> ConsumerPacketType {
        match self {
            ConsumerPacket::Slash(_) => ConsumerPacketType::Slash,
            ConsumerPacket::VscMatured(_) => ConsumerPacketType::VscMatured,
        }
    }
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

// ---- the wire form as cw-ics-json writes it (the serde impls above write the same bytes) ----

/// gogoproto writes 64-bit integers as strings.
fn write_u64_string(value: u64, writer: &mut Writer) {
    write_display(&value, writer);
}

impl ToJson for ValidatorUpdate {
    fn write_json(&self, writer: &mut Writer) {
        writer.begin_object();
        writer.key("pub_key");
        self.pub_key.write_json(writer);
        writer.key("power");
        write_u64_string(self.power, writer);
        writer.end_object();
    }
}

impl ToJson for ValidatorSetChangePacket {
    fn write_json(&self, writer: &mut Writer) {
        writer.begin_object();
        writer.key("validator_updates");
        self.validator_updates.write_json(writer);
        writer.key("valset_update_id");
        write_u64_string(self.valset_update_id, writer);
        writer.key("slash_acks");
        self.slash_acks.write_json(writer);
        writer.end_object();
    }
}

impl ToJson for SlashedValidator {
    fn write_json(&self, writer: &mut Writer) {
        writer.begin_object();
        writer.key("address");
        Binary::from(self.address.as_bytes()).write_json(writer);
        writer.key("power");
        write_u64_string(self.power, writer);
        writer.end_object();
    }
}

json_enum!(Infraction {
    DoubleSign = "INFRACTION_TYPE_DOUBLE_SIGN",
    Downtime = "INFRACTION_TYPE_DOWNTIME",
});

impl ToJson for SlashPacketData {
    fn write_json(&self, writer: &mut Writer) {
        writer.begin_object();
        writer.key("validator");
        self.validator.write_json(writer);
        writer.key("valset_update_id");
        write_u64_string(self.valset_update_id, writer);
        writer.key("infraction");
        self.infraction.write_json(writer);
        writer.end_object();
    }
}

impl ToJson for VscMaturedPacketData {
    fn write_json(&self, writer: &mut Writer) {
        writer.begin_object();
        writer.key("valset_update_id");
        write_u64_string(self.valset_update_id, writer);
        writer.end_object();
    }
}

json_enum!(ConsumerPacketType {
    Slash = "CONSUMER_PACKET_TYPE_SLASH",
    VscMatured = "CONSUMER_PACKET_TYPE_VSCM",
});

impl ToJson for ConsumerPacket {
    fn write_json(&self, writer: &mut Writer) {
        writer.begin_object();
        writer.key("type");
        self.packet_type().write_json(writer);
        match self {
            ConsumerPacket::Slash(data) => {
                writer.key("slashPacketData");
                data.write_json(writer);
            }
            ConsumerPacket::VscMatured(data) => {
                writer.key("vscMaturedPacketData");
                data.write_json(writer);
            }
        }
        writer.end_object();
    }
}

// ---- the raw wire shapes and their validation ----

// Every wire object refuses unknown fields: a packet field this version does not know is a
// protocol change, not something to ignore.

/// gogoproto's `uint64`, as a string; bare JSON numbers are refused.
struct U64String(u64);

impl FromJson for U64String {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        read_parsed(reader, |text| {
            text.parse().map(U64String).map_err(|_| "not a uint64")
        })
    }
}

impl ToJson for U64String {
    fn write_json(&self, writer: &mut Writer) {
        write_u64_string(self.0, writer);
    }
}

/// gogoproto's `int64`, as a string: powers arrive signed and are checked after reading.
struct I64String(i64);

impl FromJson for I64String {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        read_parsed(reader, |text| {
            text.parse().map(I64String).map_err(|_| "not an int64")
        })
    }
}

impl ToJson for I64String {
    fn write_json(&self, writer: &mut Writer) {
        write_display(&self.0, writer);
    }
}

struct RawValidatorUpdate {
    pub_key: PublicKey,
    power: I64String,
}
json_struct!(deny_unknown_fields RawValidatorUpdate { pub_key, power });

struct RawValidatorSetChangePacket {
    // Option so that a missing or null list is told apart from a malformed one.
    validator_updates: Option<Vec<RawValidatorUpdate>>,
    valset_update_id: U64String,
    slash_acks: Vec<String>,
}
json_struct!(deny_unknown_fields RawValidatorSetChangePacket {
    validator_updates,
    valset_update_id,
    slash_acks,
});

struct RawSlashedValidator {
    address: Binary,
    power: I64String,
}
json_struct!(deny_unknown_fields RawSlashedValidator { address, power });

enum RawInfraction {
    Unspecified,
    DoubleSign,
    Downtime,
}
json_enum!(RawInfraction {
    Unspecified = "INFRACTION_TYPE_UNSPECIFIED",
    DoubleSign = "INFRACTION_TYPE_DOUBLE_SIGN",
    Downtime = "INFRACTION_TYPE_DOWNTIME",
});

struct RawSlashPacketData {
    validator: RawSlashedValidator,
    valset_update_id: U64String,
    infraction: RawInfraction,
}
json_struct!(deny_unknown_fields RawSlashPacketData {
    validator,
    valset_update_id,
    infraction,
});

struct RawVscMaturedPacketData {
    valset_update_id: U64String,
}
json_struct!(deny_unknown_fields RawVscMaturedPacketData { valset_update_id });

enum RawConsumerPacketType {
    Unspecified,
    Slash,
    VscMatured,
}
json_enum!(RawConsumerPacketType {
    Unspecified = "CONSUMER_PACKET_TYPE_UNSPECIFIED",
    Slash = "CONSUMER_PACKET_TYPE_SLASH",
    VscMatured = "CONSUMER_PACKET_TYPE_VSCM",
});

struct RawConsumerPacket {
    packet_type: RawConsumerPacketType,
    slash: Option<RawSlashPacketData>,
    vsc_matured: Option<RawVscMaturedPacketData>,
}
json_struct!(deny_unknown_fields RawConsumerPacket {
    packet_type = "type",
    slash = "slashPacketData",
    vsc_matured = "vscMaturedPacketData",
});

fn non_negative(power: i64) -> Result<u64, PacketError> {
    u64::try_from(power).map_err(|_| PacketError::NegativePower(power))
}

impl TryFrom<RawValidatorUpdate> for ValidatorUpdate {
    type Error = PacketError;

    fn try_from(raw: RawValidatorUpdate) -> Result<Self, PacketError> {
        raw.pub_key.validate()?;
        Ok(ValidatorUpdate {
            pub_key: raw.pub_key,
            power: non_negative(raw.power.0)?,
        })
    }
}

impl TryFrom<RawValidatorSetChangePacket> for ValidatorSetChangePacket {
    type Error = PacketError;

    fn try_from(raw: RawValidatorSetChangePacket) -> Result<Self, PacketError> {
        let updates = raw
            .validator_updates
            .ok_or(PacketError::MissingValidatorUpdates)?;
        if raw.valset_update_id.0 == 0 {
            return Err(PacketError::ZeroValsetUpdateId);
        }
        Ok(ValidatorSetChangePacket {
            validator_updates: updates
                .into_iter()
                .map(ValidatorUpdate::try_from)
                .collect::<Result<_, _>>()?,
            valset_update_id: raw.valset_update_id.0,
            slash_acks: raw.slash_acks,
        })
    }
}

impl TryFrom<RawSlashedValidator> for SlashedValidator {
    type Error = PacketError;

    fn try_from(raw: RawSlashedValidator) -> Result<Self, PacketError> {
        let address = ConsensusAddress::from_slice(raw.address.as_slice())?;
        let power = non_negative(raw.power.0)?;
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
            valset_update_id: raw.valset_update_id.0,
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
                Ok(ConsumerPacket::VscMatured(VscMaturedPacketData {
                    valset_update_id: matured.valset_update_id.0,
                }))
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
