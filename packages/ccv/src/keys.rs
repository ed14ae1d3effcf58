use core::fmt;

use bech32::{Bech32, Hrp};
use cosmwasm_schema::cw_schema::{DefinitionReference, SchemaVisitor, Schemaifier};
use cosmwasm_schema::cw_serde;
use cosmwasm_std::Binary;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::PacketError;

/// Length of an ed25519 public key.
pub const ED25519_KEY_LEN: usize = 32;
/// Length of a CometBFT consensus address.
pub const CONSENSUS_ADDRESS_LEN: usize = 20;

/// A validator's consensus public key, as CometBFT's `PublicKey` oneof: `{"ed25519":"<b64>"}`.
/// The bytes must be padded standard base64, as the Go decoder requires.
#[cw_serde]
#[derive(Eq, PartialOrd, Ord, Hash)]
pub enum PublicKey {
    Ed25519(#[serde(deserialize_with = "crate::wire::binary")] Binary),
}

impl PublicKey {
    /// An ed25519 key, refused unless it is exactly 32 bytes.
    pub fn ed25519(bytes: impl Into<Vec<u8>>) -> Result<Self, PacketError> {
        let key = PublicKey::Ed25519(Binary::new(bytes.into()));
        key.validate()?;
        Ok(key)
    }

    pub fn validate(&self) -> Result<(), PacketError> {
        match self {
            PublicKey::Ed25519(bytes) if bytes.len() != ED25519_KEY_LEN => {
                Err(PacketError::InvalidKeyLength(bytes.len()))
            }
            PublicKey::Ed25519(_) => Ok(()),
        }
    }

    pub fn bytes(&self) -> &[u8] {
        match self {
            PublicKey::Ed25519(bytes) => bytes.as_slice(),
        }
    }

    /// The CometBFT consensus address: the first 20 bytes of SHA-256 of the key.
    pub fn consensus_address(&self) -> ConsensusAddress {
        let digest = Sha256::digest(self.bytes());
        let mut address = [0u8; CONSENSUS_ADDRESS_LEN];
        address.copy_from_slice(&digest[..CONSENSUS_ADDRESS_LEN]);
        ConsensusAddress(address)
    }
}

/// A CometBFT consensus address (20 bytes). On the wire it is padded standard base64; in
/// `slash_acks` it is the bech32 form with a `…valcons` prefix.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConsensusAddress(pub [u8; CONSENSUS_ADDRESS_LEN]);

impl ConsensusAddress {
    pub fn from_slice(bytes: &[u8]) -> Result<Self, PacketError> {
        let array: [u8; CONSENSUS_ADDRESS_LEN] = bytes
            .try_into()
            .map_err(|_| PacketError::InvalidAddressLength(bytes.len()))?;
        Ok(ConsensusAddress(array))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bech32 form, e.g. `cosmosvalcons1…` for the prefix `cosmosvalcons`.
    pub fn to_bech32(&self, prefix: &str) -> Result<String, PacketError> {
        let hrp = Hrp::parse(prefix).map_err(|_| PacketError::InvalidBech32(prefix.to_string()))?;
        bech32::encode::<Bech32>(hrp, &self.0)
            .map_err(|_| PacketError::InvalidBech32(prefix.to_string()))
    }

    /// Parses a bech32 consensus address whatever its prefix; returns the prefix too, so the
    /// caller decides whether it expected that chain's addresses.
    pub fn from_bech32(text: &str) -> Result<(String, Self), PacketError> {
        let (hrp, data) =
            bech32::decode(text).map_err(|_| PacketError::InvalidBech32(text.to_string()))?;
        let address = Self::from_slice(&data)?;
        Ok((hrp.to_string(), address))
    }
}

impl fmt::Debug for ConsensusAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ConsensusAddress({})",
            Binary::from(self.0.as_slice()).to_base64()
        )
    }
}

impl fmt::Display for ConsensusAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02X}")?;
        }
        Ok(())
    }
}

impl Serialize for ConsensusAddress {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Binary::from(self.0.as_slice()).serialize(serializer)
    }
}

/// Padded standard base64 of exactly 20 bytes.
impl<'de> Deserialize<'de> for ConsensusAddress {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let bytes = crate::wire::binary(deserializer)?;
        ConsensusAddress::from_slice(bytes.as_slice()).map_err(serde::de::Error::custom)
    }
}

/// Described as what it is on the wire: base64 bytes.
impl Schemaifier for ConsensusAddress {
    fn visit_schema(visitor: &mut SchemaVisitor) -> DefinitionReference {
        Binary::visit_schema(visitor)
    }
}

impl JsonSchema for ConsensusAddress {
    fn schema_name() -> String {
        "ConsensusAddress".to_string()
    }

    fn json_schema(generator: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        Binary::json_schema(generator)
    }
}
