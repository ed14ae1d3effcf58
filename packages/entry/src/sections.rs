//! The VM's encoding of several byte strings in one region: each followed by its length as a
//! big-endian u32.

use cosmwasm_std::Record;

pub fn encode_sections(parts: &[&[u8]]) -> Vec<u8> {
    let total = parts.iter().map(|part| part.len() + 4).sum();
    let mut encoded = Vec::with_capacity(total);
    for part in parts {
        encoded.extend_from_slice(part);
        encoded.extend_from_slice(&(part.len() as u32).to_be_bytes());
    }
    encoded
}

/// `db_next`'s answer: a key and a value. An empty key is the end of the range, and so is an
/// answer that is not two sections (which the VM never sends).
pub fn split_entry(mut entry: Vec<u8>) -> Option<Record> {
    let value_length = take_length(&mut entry)?;
    let value = entry.split_off(entry.len().checked_sub(value_length)?);
    let key_length = take_length(&mut entry)?;
    if key_length != entry.len() || key_length == 0 {
        return None;
    }
    Some((entry, value))
}

fn take_length(section: &mut Vec<u8>) -> Option<usize> {
    let at = section.len().checked_sub(4)?;
    let length = u32::from_be_bytes(section.get(at..)?.try_into().ok()?) as usize;
    section.truncate(at);
    Some(length)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_splits_into_its_key_and_value() {
        let entry = encode_sections(&[b"key", b"value"]);
        assert_eq!(entry, b"key\0\0\0\x03value\0\0\0\x05");
        assert_eq!(
            split_entry(entry),
            Some((b"key".to_vec(), b"value".to_vec()))
        );
    }

    #[test]
    fn an_empty_value_is_kept() {
        let entry = encode_sections(&[b"k", b""]);
        assert_eq!(split_entry(entry), Some((b"k".to_vec(), Vec::new())));
    }

    #[test]
    fn an_empty_key_ends_the_range() {
        assert_eq!(split_entry(encode_sections(&[b"", b""])), None);
    }

    #[test]
    fn malformed_answers_end_the_range_without_panicking() {
        for entry in [
            Vec::new(),
            vec![0, 0, 1],
            vec![0, 0, 0, 9],
            b"key\0\0\0\x09value\0\0\0\x05".to_vec(),
            b"xkey\0\0\0\x03value\0\0\0\x05".to_vec(),
            vec![0xff; 8],
        ] {
            assert_eq!(split_entry(entry.clone()), None, "{entry:?}");
        }
    }
}
