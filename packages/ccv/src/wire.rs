//! The primitive forms of the Go implementation's packet JSON, as serde attributes for the
//! wire types, and the one decode/encode pair every packet and acknowledgement goes through.
//!
//! The Go side reads packets with gogoproto's `jsonpb` (the Cosmos SDK's `ProtoCodec`): a
//! 64-bit integer is a JSON number or a string holding one, bytes are padded standard base64.
//! We accept and refuse exactly what it does on both points, except that a `null` integer
//! (which `jsonpb` reads as 0) is refused like a missing field.

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use cosmwasm_std::Binary;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::PacketError;

/// Reads one packet or acknowledgement; anything the decoder refuses is
/// [`PacketError::Malformed`] with serde's message, which names the field, variant or rule.
pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, PacketError> {
    serde_json::from_slice(bytes).map_err(|error| PacketError::Malformed(error.to_string()))
}

/// Writes one packet or acknowledgement as compact JSON.
pub(crate) fn encode<T: Serialize>(value: &T) -> Result<Binary, PacketError> {
    serde_json::to_vec(value)
        .map(Binary::new)
        .map_err(|error| PacketError::Malformed(error.to_string()))
}

/// Go's `base64.StdEncoding`: the standard alphabet, padding required, non-zero trailing bits
/// tolerated. (It also skips `\r` and `\n`; [`padded_base64`] removes them first.)
const GO_STD_ENCODING: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical)
        .with_decode_allow_trailing_bits(true),
);

/// Decodes base64 as Go's `encoding/json` decodes a `[]byte` field.
pub fn padded_base64(text: &str) -> Result<Vec<u8>, String> {
    let decoded = if text.contains(['\r', '\n']) {
        let joined: String = text.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
        GO_STD_ENCODING.decode(joined)
    } else {
        GO_STD_ENCODING.decode(text)
    };
    decoded.map_err(|_| format!("`{text}` is not padded standard base64"))
}

/// `deserialize_with` for a `Binary` that must be padded standard base64.
pub(crate) fn binary<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Binary, D::Error> {
    let text = String::deserialize(deserializer)?;
    padded_base64(&text)
        .map(Binary::new)
        .map_err(D::Error::custom)
}

/// An integer field as `jsonpb` reads it: a JSON number, or a string whose characters
/// (unescaped: `jsonpb` strips the quotes and parses what is between them as JSON) are a JSON
/// integer literal, possibly surrounded by spaces. No fraction, no exponent, no `+`, no
/// leading zero, nothing outside the type's range.
fn go_integer<'de, D: Deserializer<'de>>(deserializer: D, signed: bool) -> Result<i128, D::Error> {
    let raw = Box::<RawValue>::deserialize(deserializer)?;
    let token = raw.get();
    let literal = match token.strip_prefix('"') {
        Some(quoted) => quoted
            .strip_suffix('"')
            .filter(|inner| !inner.contains('\\'))
            .map(|inner| inner.trim_matches(' '))
            .ok_or_else(|| D::Error::custom(format!("{token} is not an integer")))?,
        None => token,
    };
    parse_integer_literal(literal, signed)
        .ok_or_else(|| D::Error::custom(format!("{token} is not an integer of this type")))
}

fn parse_integer_literal(literal: &str, signed: bool) -> Option<i128> {
    let (negative, digits) = match literal.strip_prefix('-') {
        Some(rest) if signed => (true, rest),
        Some(_) => return None,
        None => (false, literal),
    };
    let well_formed = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if !well_formed {
        return None;
    }
    let magnitude: u64 = digits.parse().ok()?;
    let value = if negative {
        -i128::from(magnitude)
    } else {
        i128::from(magnitude)
    };
    let (min, max) = if signed {
        (i128::from(i64::MIN), i128::from(i64::MAX))
    } else {
        (0, i128::from(u64::MAX))
    };
    (min..=max).contains(&value).then_some(value)
}

/// A proto `uint64` field: written as a decimal string, read as `jsonpb` reads it.
pub(crate) mod uint64 {
    use super::*;

    pub fn serialize<S: Serializer>(value: &u64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
        let value = go_integer(deserializer, false)?;
        u64::try_from(value).map_err(|_| D::Error::custom("integer out of range"))
    }
}

/// A proto `int64` power: written as a decimal string, read as `jsonpb` reads it, and refused
/// when negative (CometBFT powers are never below 0; 0 removes a validator).
pub(crate) mod power {
    use super::*;

    pub fn serialize<S: Serializer>(value: &u64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
        let value = go_integer(deserializer, true)?;
        u64::try_from(value)
            .map_err(|_| D::Error::custom(format!("power must not be negative, got {value}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(text: &str) -> Option<u64> {
        #[derive(Deserialize)]
        struct Field(#[serde(with = "uint64")] u64);
        serde_json::from_str::<Field>(text).ok().map(|f| f.0)
    }

    fn p(text: &str) -> Result<u64, String> {
        #[derive(Deserialize)]
        struct Field(#[serde(with = "power")] u64);
        serde_json::from_str::<Field>(text)
            .map(|f| f.0)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn uint64_accepts_what_jsonpb_accepts() {
        for (text, value) in [
            (r#""7""#, 7),
            ("7", 7),
            (r#""0""#, 0),
            ("0", 0),
            (r#"" 7 ""#, 7),
            (r#""18446744073709551615""#, u64::MAX),
            ("18446744073709551615", u64::MAX),
        ] {
            assert_eq!(u(text), Some(value), "{text}");
        }
    }

    #[test]
    fn uint64_refuses_what_jsonpb_refuses() {
        for text in [
            r#""18446744073709551616""#,
            "18446744073709551616",
            r#""-1""#,
            "-1",
            r#""-0""#,
            "-0",
            r#""1.0""#,
            "1.0",
            r#""1e2""#,
            "1e2",
            r#""+1""#,
            r#""01""#,
            r#""0x10""#,
            r#""""#,
            r#"" ""#,
            r#""\u0031""#,
            r#""1 2""#,
            "null",
            "true",
            "[1]",
        ] {
            assert_eq!(u(text), None, "{text}");
        }
    }

    #[test]
    fn power_is_int64_and_never_negative() {
        assert_eq!(p(r#""9223372036854775807""#), Ok(i64::MAX as u64));
        assert_eq!(p("-0"), Ok(0));
        assert!(p(r#""9223372036854775808""#).is_err());
        assert!(p(r#""-5""#)
            .unwrap_err()
            .contains("power must not be negative, got -5"));
    }

    #[test]
    fn base64_must_be_padded_as_go_requires() {
        assert_eq!(padded_base64("AQI="), Ok(vec![1, 2]));
        assert_eq!(padded_base64("AQID"), Ok(vec![1, 2, 3]));
        assert_eq!(padded_base64(""), Ok(vec![]));
        assert!(padded_base64("AQI").is_err());
        assert!(padded_base64("AQ=").is_err());
        assert!(padded_base64("AQ===").is_err());
        assert!(padded_base64("AQ-_").is_err(), "URL alphabet");
        // Go skips newlines and tolerates non-zero trailing bits.
        assert_eq!(padded_base64("AQ\nI="), Ok(vec![1, 2]));
        assert_eq!(padded_base64("AQP="), Ok(vec![1, 3]));
    }
}
