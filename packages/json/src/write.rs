//! The writer: compact JSON, byte for byte what `serde_json::to_vec` writes for the same
//! serde-derived type (field order as declared, `null` for `None`, no whitespace).

/// A type written as JSON.
pub trait ToJson {
    fn write_json(&self, writer: &mut Writer);
}

/// A growing JSON text. Separators are placed from the last byte written, so callers only say
/// where keys and elements begin.
#[derive(Default)]
pub struct Writer {
    out: Vec<u8>,
}

impl Writer {
    pub fn new() -> Self {
        Writer::default()
    }

    pub fn into_vec(self) -> Vec<u8> {
        self.out
    }

    fn separate(&mut self) {
        if !matches!(self.out.last(), None | Some(b'{' | b'[')) {
            self.out.push(b',');
        }
    }

    pub fn begin_object(&mut self) {
        self.out.push(b'{');
    }

    /// The key of the next member of the open object.
    pub fn key(&mut self, name: &str) {
        self.separate();
        self.string(name);
        self.out.push(b':');
    }

    pub fn end_object(&mut self) {
        self.out.push(b'}');
    }

    pub fn begin_array(&mut self) {
        self.out.push(b'[');
    }

    /// The start of the next element of the open array.
    pub fn element(&mut self) {
        self.separate();
    }

    pub fn end_array(&mut self) {
        self.out.push(b']');
    }

    pub fn null(&mut self) {
        self.out.extend_from_slice(b"null");
    }

    pub fn boolean(&mut self, value: bool) {
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
    }

    pub fn unsigned(&mut self, value: u64) {
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        let mut rest = value;
        loop {
            start -= 1;
            digits[start] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        self.out.extend_from_slice(&digits[start..]);
    }

    /// A string, escaped as `serde_json` escapes it.
    pub fn string(&mut self, text: &str) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.out.push(b'"');
        let bytes = text.as_bytes();
        let mut start = 0;
        for (index, &byte) in bytes.iter().enumerate() {
            let escape: &[u8] = match byte {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                0x00..=0x1f => b"",
                _ => continue,
            };
            self.out.extend_from_slice(&bytes[start..index]);
            if escape.is_empty() {
                self.out.extend_from_slice(b"\\u00");
                self.out.push(HEX[usize::from(byte >> 4)]);
                self.out.push(HEX[usize::from(byte & 0xf)]);
            } else {
                self.out.extend_from_slice(escape);
            }
            start = index + 1;
        }
        self.out.extend_from_slice(&bytes[start..]);
        self.out.push(b'"');
    }
}
