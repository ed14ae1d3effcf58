//! gogoproto's JSON marshaller writes 64-bit integers as strings; these helpers read and write
//! them that way and refuse bare JSON numbers, as the wire format never carries them.

use serde::{de, Deserialize, Deserializer, Serializer};

pub mod u64_string {
    use super::*;

    pub fn serialize<S: Serializer>(value: &u64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse::<u64>()
            .map_err(|_| de::Error::custom(format_args!("`{text}` is not a uint64")))
    }
}
