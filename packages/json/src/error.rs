use core::fmt;

/// Why a JSON text was refused. Offsets are bytes from the start of the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonError {
    Syntax { at: usize, expected: &'static str },
    Invalid { at: usize, reason: String },
    MissingField(&'static str),
    UnknownField(String),
    DuplicateField(&'static str),
    UnknownVariant(String),
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonError::Syntax { at, expected } => write!(f, "expected {expected} at byte {at}"),
            JsonError::Invalid { at, reason } => {
                write!(f, "invalid value before byte {at}: {reason}")
            }
            JsonError::MissingField(field) => write!(f, "missing field `{field}`"),
            JsonError::UnknownField(field) => write!(f, "unknown field `{field}`"),
            JsonError::DuplicateField(field) => write!(f, "duplicate field `{field}`"),
            JsonError::UnknownVariant(variant) => write!(f, "unknown variant `{variant}`"),
        }
    }
}

impl std::error::Error for JsonError {}
