//! The value encoding: fields in declaration order, unsigned integers as LEB128, signed ones
//! zig-zagged, byte strings and sequences prefixed by their length.

use cosmwasm_std::{Addr, Binary, Decimal, StdError, StdResult, Timestamp, Uint128};

/// A value stored in a [`crate::Table`] or [`crate::Cell`].
pub trait Record: Sized {
    fn encode(&self, out: &mut Vec<u8>);
    fn decode(input: &mut Reader<'_>) -> StdResult<Self>;
}

/// Encodes one record.
pub fn encode<R: Record>(record: &R) -> Vec<u8> {
    let mut out = Vec::new();
    record.encode(&mut out);
    out
}

/// Decodes one record that must span all of `bytes`.
pub fn decode<R: Record>(bytes: &[u8]) -> StdResult<R> {
    let mut reader = Reader::new(bytes);
    let record = R::decode(&mut reader)?;
    reader.finish()?;
    Ok(record)
}

/// Implements [`Record`] for a struct with named fields, encoded in the order listed.
///
/// ```
/// struct Stake { tokens: u128, jailed: bool }
/// cw_ics_store::record!(Stake { tokens, jailed });
/// let bytes = cw_ics_store::encode(&Stake { tokens: 300, jailed: true });
/// assert_eq!(bytes, [0xac, 0x02, 1]);
/// ```
#[macro_export]
macro_rules! record {
    ($ty:ident { $($field:ident),* $(,)? }) => {
        impl $crate::Record for $ty {
            fn encode(&self, out: &mut ::std::vec::Vec<u8>) {
                $( $crate::Record::encode(&self.$field, out); )*
            }
            fn decode(input: &mut $crate::Reader<'_>) -> $crate::StdResult<Self> {
                Ok(Self { $( $field: $crate::Record::decode(input)?, )* })
            }
        }
    };
}

/// Reads a record's bytes front to back; every read fails cleanly on truncated input.
pub struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes }
    }

    /// The next `len` bytes.
    pub fn take(&mut self, len: usize) -> StdResult<&'a [u8]> {
        if len > self.bytes.len() {
            return Err(corrupt("record ends early"));
        }
        let (head, tail) = self.bytes.split_at(len);
        self.bytes = tail;
        Ok(head)
    }

    pub fn byte(&mut self) -> StdResult<u8> {
        Ok(self.take(1)?[0])
    }

    /// An unsigned LEB128 integer of at most 128 bits, in its shortest form.
    pub fn varint(&mut self) -> StdResult<u128> {
        let mut value: u128 = 0;
        let mut shift = 0u32;
        loop {
            let byte = self.byte()?;
            let bits = u128::from(byte & 0x7f);
            if shift >= 128
                || (shift > 0 && bits.checked_shl(shift).map(|v| v >> shift) != Some(bits))
            {
                return Err(corrupt("integer too large"));
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                if byte == 0 && shift > 0 {
                    return Err(corrupt("integer not in its shortest form"));
                }
                return Ok(value);
            }
            shift += 7;
        }
    }

    /// A length prefix, bounded by what is left to read so a corrupt length cannot allocate.
    pub fn length(&mut self) -> StdResult<usize> {
        let len = self.varint()?;
        match usize::try_from(len) {
            Ok(len) if len <= self.bytes.len() => Ok(len),
            _ => Err(corrupt("length beyond the record")),
        }
    }

    /// Fails if bytes are left over.
    pub fn finish(&self) -> StdResult<()> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(corrupt("bytes left after the record"))
        }
    }
}

fn corrupt(why: &str) -> StdError {
    StdError::msg(format!("corrupt stored record: {why}"))
}

fn put_varint(mut value: u128, out: &mut Vec<u8>) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn put_bytes(bytes: &[u8], out: &mut Vec<u8>) {
    put_varint(bytes.len() as u128, out);
    out.extend_from_slice(bytes);
}

macro_rules! unsigned {
    ($($ty:ty),*) => {$(
        impl Record for $ty {
            fn encode(&self, out: &mut Vec<u8>) {
                put_varint(u128::from(*self), out);
            }
            fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
                <$ty>::try_from(input.varint()?).map_err(|_| corrupt("integer out of range"))
            }
        }
    )*};
}
unsigned!(u8, u16, u32, u64, u128);

impl Record for i64 {
    fn encode(&self, out: &mut Vec<u8>) {
        let zigzag = ((*self << 1) ^ (*self >> 63)) as u64;
        put_varint(u128::from(zigzag), out);
    }
    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        let zigzag = u64::decode(input)?;
        Ok(((zigzag >> 1) as i64) ^ -((zigzag & 1) as i64))
    }
}

impl Record for bool {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        match input.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(corrupt("bool neither 0 nor 1")),
        }
    }
}

impl Record for () {
    fn encode(&self, _out: &mut Vec<u8>) {}
    fn decode(_input: &mut Reader<'_>) -> StdResult<Self> {
        Ok(())
    }
}

impl<const N: usize> Record for [u8; N] {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        let mut array = [0u8; N];
        array.copy_from_slice(input.take(N)?);
        Ok(array)
    }
}

impl Record for String {
    fn encode(&self, out: &mut Vec<u8>) {
        put_bytes(self.as_bytes(), out);
    }
    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        let len = input.length()?;
        let bytes = input.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| corrupt("text not UTF-8"))
    }
}

impl Record for Binary {
    fn encode(&self, out: &mut Vec<u8>) {
        put_bytes(self.as_slice(), out);
    }
    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        let len = input.length()?;
        Ok(Binary::from(input.take(len)?))
    }
}

/// Addresses were validated before they were stored.
impl Record for Addr {
    fn encode(&self, out: &mut Vec<u8>) {
        put_bytes(self.as_bytes(), out);
    }
    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        String::decode(input).map(Addr::unchecked)
    }
}

impl Record for Uint128 {
    fn encode(&self, out: &mut Vec<u8>) {
        self.u128().encode(out);
    }
    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        u128::decode(input).map(Uint128::new)
    }
}

/// Stored as its atomics (the value × 10¹⁸).
impl Record for Decimal {
    fn encode(&self, out: &mut Vec<u8>) {
        self.atomics().encode(out);
    }
    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        Uint128::decode(input).map(Decimal::new)
    }
}

impl Record for Timestamp {
    fn encode(&self, out: &mut Vec<u8>) {
        self.nanos().encode(out);
    }
    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        u64::decode(input).map(Timestamp::from_nanos)
    }
}

impl<T: Record> Record for Option<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(value) => {
                out.push(1);
                value.encode(out);
            }
        }
    }
    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        match input.byte()? {
            0 => Ok(None),
            1 => T::decode(input).map(Some),
            _ => Err(corrupt("option tag neither 0 nor 1")),
        }
    }
}

impl<T: Record> Record for Vec<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        put_varint(self.len() as u128, out);
        for item in self {
            item.encode(out);
        }
    }
    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        // Every item takes at least one byte except `()`, so the length check bounds allocation.
        let len = input.length()?;
        let mut items = Vec::with_capacity(len);
        for _ in 0..len {
            items.push(T::decode(input)?);
        }
        Ok(items)
    }
}

impl<A: Record, B: Record> Record for (A, B) {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
        self.1.encode(out);
    }
    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        Ok((A::decode(input)?, B::decode(input)?))
    }
}

impl<A: Record, B: Record, C: Record> Record for (A, B, C) {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
        self.1.encode(out);
        self.2.encode(out);
    }
    fn decode(input: &mut Reader<'_>) -> StdResult<Self> {
        Ok((A::decode(input)?, B::decode(input)?, C::decode(input)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn round_trip<R: Record + PartialEq + std::fmt::Debug>(value: R) {
        let bytes = encode(&value);
        assert_eq!(decode::<R>(&bytes).unwrap(), value);
        if !bytes.is_empty() {
            assert!(decode::<R>(&bytes[..bytes.len() - 1]).is_err(), "truncated");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode::<R>(&longer).is_err(), "trailing byte");
    }

    #[test]
    fn small_integers_take_one_byte() {
        assert_eq!(encode(&0u64), [0]);
        assert_eq!(encode(&127u64), [127]);
        assert_eq!(encode(&128u64), [0x80, 1]);
        assert_eq!(encode(&-1i64), [1]);
        assert_eq!(encode(&1i64), [2]);
    }

    #[test]
    fn overlong_and_oversized_integers_are_refused() {
        assert!(decode::<u64>(&[0x80, 0]).is_err(), "not shortest");
        assert!(decode::<u8>(&[0x80, 2]).is_err(), "256 in a u8");
        let too_big = [0xff; 19];
        assert!(decode::<u128>(&too_big).is_err());
        let mut u128_max = vec![0xff; 18];
        u128_max.push(0x03);
        assert_eq!(decode::<u128>(&u128_max).unwrap(), u128::MAX);
        u128_max[18] = 0x07;
        assert!(decode::<u128>(&u128_max).is_err(), "bit 129");
    }

    #[test]
    fn corrupt_lengths_and_tags_are_refused() {
        assert!(decode::<Vec<u8>>(&[5, 1]).is_err());
        assert!(decode::<String>(&[2, 0xff, 0xfe]).is_err());
        assert!(decode::<bool>(&[2]).is_err());
        assert!(decode::<Option<u8>>(&[2]).is_err());
    }

    struct Sample {
        id: u64,
        owner: Addr,
        stake: Uint128,
        key: [u8; 4],
        notes: Vec<(u32, bool)>,
        ends: Option<Timestamp>,
    }
    crate::record!(Sample {
        id,
        owner,
        stake,
        key,
        notes,
        ends
    });

    #[test]
    fn record_macro_writes_fields_in_order() {
        let sample = Sample {
            id: 1,
            owner: Addr::unchecked("ab"),
            stake: Uint128::new(2),
            key: [9, 9, 9, 9],
            notes: vec![(3, true)],
            ends: Some(Timestamp::from_nanos(4)),
        };
        let bytes = encode(&sample);
        assert_eq!(bytes, [1, 2, b'a', b'b', 2, 9, 9, 9, 9, 1, 3, 1, 1, 4]);
        let back: Sample = decode(&bytes).unwrap();
        assert_eq!(
            (back.id, back.owner.as_str(), back.stake.u128(), back.key),
            (1, "ab", 2, [9; 4])
        );
        assert_eq!(
            (back.notes, back.ends),
            (vec![(3, true)], Some(Timestamp::from_nanos(4)))
        );
    }

    proptest! {
        #[test]
        fn integers_round_trip(a: u128, b: u64, c: i64, d: u8) {
            round_trip(a);
            round_trip(b);
            round_trip(c);
            round_trip(d);
        }

        #[test]
        fn composites_round_trip(
            text in ".{0,40}",
            bytes in proptest::collection::vec(any::<u8>(), 0..300),
            pairs in proptest::collection::vec((any::<u64>(), any::<bool>()), 0..20),
            maybe: Option<u32>,
            key: [u8; 20],
            a_decimal: u128,
        ) {
            round_trip(text);
            round_trip(Binary::from(bytes));
            round_trip(pairs);
            round_trip(maybe);
            round_trip(key);
            round_trip(Decimal::new(Uint128::new(a_decimal)));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = decode::<Vec<(String, Option<u128>)>>(&bytes);
            let _ = decode::<(i64, Binary, bool)>(&bytes);
        }
    }
}
