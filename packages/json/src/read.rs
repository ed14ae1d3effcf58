//! The reader: one non-generic pass over the bytes. Per-type code only says which field or
//! variant comes next and which type reads it, so a message type costs a few hundred bytes of
//! Wasm where a serde-derived deserializer monomorphised for `serde_json` costs kilobytes.

use crate::JsonError;

/// A type read from JSON.
pub trait FromJson: Sized {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, JsonError>;

    /// The value of a field left out of an object, if the type has one (`Option`: `None`).
    fn when_missing() -> Option<Self> {
        None
    }
}

/// The value of one object field while the object is read: `Option<T>` for a field of type
/// `T`. Field values are read through this trait object, so the reading code exists once per
/// field type rather than once per field.
pub trait Slot {
    fn fill(&mut self, reader: &mut Reader<'_>) -> Result<(), JsonError>;

    /// Once the object is read: whether the slot holds a value, after giving a left-out
    /// field its type's value for a missing field.
    fn settle(&mut self) -> bool;
}

impl<T: FromJson> Slot for Option<T> {
    fn fill(&mut self, reader: &mut Reader<'_>) -> Result<(), JsonError> {
        *self = Some(T::read_json(reader)?);
        Ok(())
    }

    fn settle(&mut self) -> bool {
        if self.is_none() {
            *self = T::when_missing();
        }
        self.is_some()
    }
}

/// A cursor over one JSON text.
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    /// An error at the cursor.
    pub fn error(&self, expected: &'static str) -> JsonError {
        JsonError::Syntax {
            at: self.at,
            expected,
        }
    }

    /// An error about the value that ends at the cursor (e.g. a string that is no decimal).
    pub fn invalid(&self, reason: impl core::fmt::Display) -> JsonError {
        JsonError::Invalid {
            at: self.at,
            reason: reason.to_string(),
        }
    }

    /// The next byte that is not whitespace, without consuming it.
    fn peek(&mut self) -> Option<u8> {
        while let Some(&byte) = self.bytes.get(self.at) {
            if !matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
                return Some(byte);
            }
            self.at += 1;
        }
        None
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, byte: u8, expected: &'static str) -> Result<(), JsonError> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(self.error(expected))
        }
    }

    fn keyword(&mut self, word: &'static [u8]) -> bool {
        self.peek();
        if self.bytes[self.at..].starts_with(word) {
            self.at += word.len();
            true
        } else {
            false
        }
    }

    /// Consumes `null` if it comes next.
    pub fn null(&mut self) -> bool {
        self.keyword(b"null")
    }

    pub fn boolean(&mut self) -> Result<bool, JsonError> {
        if self.keyword(b"true") {
            Ok(true)
        } else if self.keyword(b"false") {
            Ok(false)
        } else {
            Err(self.error("a boolean"))
        }
    }

    /// A JSON number that is a non-negative integer fitting `u64`. Fractions, exponents, a
    /// sign and leading zeros are refused, as `serde_json` refuses them for an unsigned field.
    pub fn unsigned(&mut self) -> Result<u64, JsonError> {
        self.peek();
        let start = self.at;
        let mut value: u64 = 0;
        while let Some(&byte) = self.bytes.get(self.at) {
            if !byte.is_ascii_digit() {
                break;
            }
            value = value
                .checked_mul(10)
                .and_then(|value| value.checked_add(u64::from(byte - b'0')))
                .ok_or_else(|| self.error("an integer that fits 64 bits"))?;
            self.at += 1;
        }
        let digits = self.at - start;
        let leading_zero = digits > 1 && self.bytes[start] == b'0';
        let fraction = matches!(self.bytes.get(self.at), Some(b'.' | b'e' | b'E'));
        if digits == 0 || leading_zero || fraction {
            self.at = start;
            return Err(self.error("a non-negative integer"));
        }
        Ok(value)
    }

    /// A JSON string, unescaped.
    pub fn string(&mut self) -> Result<String, JsonError> {
        self.expect(b'"', "a string")?;
        let mut text = Vec::new();
        loop {
            let start = self.at;
            while let Some(&byte) = self.bytes.get(self.at) {
                if byte == b'"' || byte == b'\\' || byte < 0x20 {
                    break;
                }
                self.at += 1;
            }
            text.extend_from_slice(&self.bytes[start..self.at]);
            match self.bytes.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return String::from_utf8(text).map_err(|_| self.error("UTF-8 text"));
                }
                Some(b'\\') => {
                    self.at += 1;
                    self.escape(&mut text)?;
                }
                _ => return Err(self.error("a closing quote")),
            }
        }
    }

    fn escape(&mut self, text: &mut Vec<u8>) -> Result<(), JsonError> {
        let Some(&byte) = self.bytes.get(self.at) else {
            return Err(self.error("an escape"));
        };
        self.at += 1;
        let simple = match byte {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let mut code = u32::from(self.hex4()?);
                if (0xd800..0xdc00).contains(&code) {
                    if !self.bytes[self.at..].starts_with(b"\\u") {
                        return Err(self.error("a low surrogate"));
                    }
                    self.at += 2;
                    let low = u32::from(self.hex4()?);
                    if !(0xdc00..0xe000).contains(&low) {
                        return Err(self.error("a low surrogate"));
                    }
                    code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
                }
                let character = char::from_u32(code).ok_or_else(|| self.error("a character"))?;
                let mut buffer = [0u8; 4];
                text.extend_from_slice(character.encode_utf8(&mut buffer).as_bytes());
                return Ok(());
            }
            _ => {
                self.at -= 1;
                return Err(self.error("an escape"));
            }
        };
        text.push(simple);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u16, JsonError> {
        let digits = self
            .bytes
            .get(self.at..self.at + 4)
            .ok_or_else(|| self.error("four hex digits"))?;
        let mut value = 0u16;
        for &digit in digits {
            let nibble = (digit as char)
                .to_digit(16)
                .ok_or_else(|| self.error("four hex digits"))?;
            value = (value << 4) | nibble as u16;
        }
        self.at += 4;
        Ok(value)
    }

    /// An object whose known keys are `fields`, each value read into the slot of the same
    /// index. A known key given twice is refused; an unknown key is skipped, as serde skips it
    /// for a type without `deny_unknown_fields` (every `#[cw_serde]` type), or refused when
    /// `strict`. On success every slot holds a value.
    pub fn fields(
        &mut self,
        fields: &[&'static str],
        strict: bool,
        slots: &mut [&mut dyn Slot],
    ) -> Result<(), JsonError> {
        self.expect(b'{', "an object")?;
        if !self.eat(b'}') {
            let mut seen: u64 = 0;
            loop {
                let key = self.string()?;
                self.expect(b':', "`:`")?;
                match fields.iter().position(|field| *field == key) {
                    Some(index) => {
                        let bit = 1u64.checked_shl(index as u32).unwrap_or(0);
                        if seen & bit != 0 {
                            return Err(JsonError::DuplicateField(fields[index]));
                        }
                        seen |= bit;
                        if let Some(slot) = slots.get_mut(index) {
                            slot.fill(self)?;
                        }
                    }
                    None if strict => return Err(JsonError::UnknownField(key)),
                    None => self.skip_value()?,
                }
                if !self.eat(b',') {
                    self.expect(b'}', "`,` or `}`")?;
                    break;
                }
            }
        }
        for (slot, field) in slots.iter_mut().zip(fields) {
            if !slot.settle() {
                return Err(JsonError::MissingField(field));
            }
        }
        Ok(())
    }

    /// Checks and passes over one value of any type, without recursion; nesting deeper than
    /// `serde_json`'s limit (128) is refused.
    fn skip_value(&mut self) -> Result<(), JsonError> {
        const MAX_DEPTH: usize = 128;
        // Open containers, innermost last: true for an object.
        let mut open: Vec<bool> = Vec::new();
        loop {
            match self.peek() {
                Some(byte @ (b'{' | b'[')) => {
                    if open.len() == MAX_DEPTH {
                        return Err(self.error("nesting at most 128 deep"));
                    }
                    self.at += 1;
                    let object = byte == b'{';
                    if !self.eat(if object { b'}' } else { b']' }) {
                        open.push(object);
                        if object {
                            self.string()?;
                            self.expect(b':', "`:`")?;
                        }
                        continue;
                    }
                }
                Some(b'"') => {
                    self.string()?;
                }
                Some(b'-' | b'0'..=b'9') => self.number()?,
                _ => {
                    if !(self.keyword(b"true") || self.keyword(b"false") || self.null()) {
                        return Err(self.error("a value"));
                    }
                }
            }
            // A value ended: close the containers it ends, or move to the next member.
            loop {
                let Some(&object) = open.last() else {
                    return Ok(());
                };
                if self.eat(b',') {
                    if object {
                        self.string()?;
                        self.expect(b':', "`:`")?;
                    }
                    break;
                }
                self.expect(if object { b'}' } else { b']' }, "`,` or a closing bracket")?;
                open.pop();
            }
        }
    }

    /// Passes over a JSON number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Result<(), JsonError> {
        let digits = |reader: &mut Self| {
            let start = reader.at;
            while reader.bytes.get(reader.at).is_some_and(u8::is_ascii_digit) {
                reader.at += 1;
            }
            reader.at - start
        };
        if self.bytes.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        let start = self.at;
        let integer = digits(self);
        if integer == 0 || (integer > 1 && self.bytes[start] == b'0') {
            return Err(self.error("a number"));
        }
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            if digits(self) == 0 {
                return Err(self.error("a digit after the point"));
            }
        }
        if matches!(self.bytes.get(self.at), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.bytes.get(self.at), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if digits(self) == 0 {
                return Err(self.error("a digit in the exponent"));
            }
        }
        Ok(())
    }

    /// An array: `each` reads one element.
    pub fn array(
        &mut self,
        each: &mut dyn FnMut(&mut Reader<'a>) -> Result<(), JsonError>,
    ) -> Result<(), JsonError> {
        self.expect(b'[', "an array")?;
        if self.eat(b']') {
            return Ok(());
        }
        loop {
            each(self)?;
            if !self.eat(b',') {
                return self.expect(b']', "`,` or `]`");
            }
        }
    }

    /// The `{"variant":` opening an externally tagged enum value with content: the index of
    /// the variant among `variants`. [`Reader::end_variant`] reads the closing brace.
    fn variant(&mut self, variants: &[&'static str]) -> Result<usize, JsonError> {
        self.expect(b'{', "an object naming one variant")?;
        let index = self.unit_variant(variants)?;
        self.expect(b':', "`:`")?;
        Ok(index)
    }

    /// A unit variant's name (`false`) or the `{"variant":` opening one with content (`true`),
    /// with the variant's index among `variants`.
    pub fn any_variant(&mut self, variants: &[&'static str]) -> Result<(usize, bool), JsonError> {
        if self.peek() == Some(b'"') {
            Ok((self.unit_variant(variants)?, false))
        } else {
            Ok((self.variant(variants)?, true))
        }
    }

    pub fn end_variant(&mut self) -> Result<(), JsonError> {
        self.expect(b'}', "`}` after the variant")
    }

    /// A string naming one of `variants`: a unit variant, or the key of a variant with content.
    fn unit_variant(&mut self, variants: &[&'static str]) -> Result<usize, JsonError> {
        let name = self.string()?;
        variants
            .iter()
            .position(|variant| *variant == name)
            .ok_or(JsonError::UnknownVariant(name))
    }

    /// Only whitespace may follow the value.
    pub fn end(&mut self) -> Result<(), JsonError> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error("the end of the input")),
        }
    }
}
