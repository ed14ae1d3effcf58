//! Standard and `cosmwasm-std` types, in the JSON form their serde implementations use.

use cosmwasm_std::{Addr, Binary, Decimal, Timestamp, Uint128, Uint64};

use crate::{FromJson, JsonError, Reader, ToJson, Writer};

impl FromJson for u64 {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        reader.unsigned()
    }
}

impl ToJson for u64 {
    fn write_json(&self, writer: &mut Writer) {
        writer.unsigned(*self);
    }
}

impl FromJson for u32 {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        let value = reader.unsigned()?;
        u32::try_from(value).map_err(|_| reader.invalid("integer does not fit 32 bits"))
    }
}

impl ToJson for u32 {
    fn write_json(&self, writer: &mut Writer) {
        writer.unsigned(u64::from(*self));
    }
}

impl FromJson for bool {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        reader.boolean()
    }
}

impl ToJson for bool {
    fn write_json(&self, writer: &mut Writer) {
        writer.boolean(*self);
    }
}

impl FromJson for String {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        reader.string()
    }
}

impl ToJson for String {
    fn write_json(&self, writer: &mut Writer) {
        writer.string(self);
    }
}

impl ToJson for str {
    fn write_json(&self, writer: &mut Writer) {
        writer.string(self);
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        if reader.null() {
            Ok(None)
        } else {
            T::read_json(reader).map(Some)
        }
    }

    fn when_missing() -> Option<Self> {
        Some(None)
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn write_json(&self, writer: &mut Writer) {
        match self {
            Some(value) => value.write_json(writer),
            None => writer.null(),
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        let mut items = Vec::new();
        reader.array(&mut |reader| {
            items.push(T::read_json(reader)?);
            Ok(())
        })?;
        Ok(items)
    }
}

impl<T: ToJson> ToJson for [T] {
    fn write_json(&self, writer: &mut Writer) {
        writer.begin_array();
        for item in self {
            writer.element();
            item.write_json(writer);
        }
        writer.end_array();
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, writer: &mut Writer) {
        self.as_slice().write_json(writer);
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn write_json(&self, writer: &mut Writer) {
        (**self).write_json(writer);
    }
}

/// A JSON string handed to `parse` (for a type that serde reads from a string, the function
/// its serde implementation calls).
pub fn read_parsed<T, E: core::fmt::Display>(
    reader: &mut Reader<'_>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, JsonError> {
    let text = reader.string()?;
    parse(&text).map_err(|error| reader.invalid(format_args!("`{text}`: {error}")))
}

/// A value written as the string of its `Display`, as serde writes such types.
pub fn write_display(value: &impl core::fmt::Display, writer: &mut Writer) {
    writer.string(&value.to_string());
}

impl FromJson for Uint128 {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        read_parsed(reader, |text| Uint128::try_from(text))
    }
}

impl ToJson for Uint128 {
    fn write_json(&self, writer: &mut Writer) {
        write_display(self, writer);
    }
}

impl FromJson for Uint64 {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        read_parsed(reader, |text| Uint64::try_from(text))
    }
}

impl ToJson for Uint64 {
    fn write_json(&self, writer: &mut Writer) {
        write_display(self, writer);
    }
}

impl FromJson for Decimal {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        read_parsed(reader, <Decimal as core::str::FromStr>::from_str)
    }
}

impl ToJson for Decimal {
    fn write_json(&self, writer: &mut Writer) {
        write_display(self, writer);
    }
}

impl FromJson for Binary {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        read_parsed(reader, Binary::from_base64)
    }
}

impl ToJson for Binary {
    fn write_json(&self, writer: &mut Writer) {
        writer.string(&self.to_base64());
    }
}

/// Nanoseconds since the epoch, as a string (`Timestamp` wraps a `Uint64`).
impl FromJson for Timestamp {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        Uint64::read_json(reader).map(|nanos| Timestamp::from_nanos(nanos.u64()))
    }
}

impl ToJson for Timestamp {
    fn write_json(&self, writer: &mut Writer) {
        write_display(&self.nanos(), writer);
    }
}

/// Unchecked, as serde reads it: handlers validate the addresses they use.
impl FromJson for Addr {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError> {
        reader.string().map(Addr::unchecked)
    }
}

impl ToJson for Addr {
    fn write_json(&self, writer: &mut Writer) {
        writer.string(self.as_str());
    }
}
