//! Keyed storage of [`Record`]s under a short tag.

use std::marker::PhantomData;

use cosmwasm_std::{Order, StdError, StdResult, Storage};

use crate::record::{decode, encode, Record};

/// Storage refuses empty values (cosmwasm-std's mocks panic, wasmd rejects them), so a record
/// that encodes to nothing, such as `()` in a set-like table, is stored as one zero byte.
const EMPTY_RECORD: &[u8] = &[0];

fn stored_bytes<V: Record>(value: &V) -> Vec<u8> {
    let bytes = encode(value);
    if bytes.is_empty() {
        EMPTY_RECORD.to_vec()
    } else {
        bytes
    }
}

fn decode_stored<V: Record>(bytes: &[u8]) -> StdResult<V> {
    match decode(bytes) {
        Err(_) if bytes == EMPTY_RECORD => decode(&[]),
        decoded => decoded,
    }
}

/// One stored value under a fixed key.
pub struct Cell<V> {
    key: &'static [u8],
    value: PhantomData<V>,
}

impl<V: Record> Cell<V> {
    pub const fn new(key: &'static [u8]) -> Self {
        Cell {
            key,
            value: PhantomData,
        }
    }

    pub fn load(&self, storage: &dyn Storage) -> StdResult<V> {
        self.may_load(storage)?
            .ok_or_else(|| StdError::msg(format!("nothing stored under {:?}", self.key)))
    }

    pub fn may_load(&self, storage: &dyn Storage) -> StdResult<Option<V>> {
        storage
            .get(self.key)
            .map(|bytes| decode_stored(&bytes))
            .transpose()
    }

    pub fn save(&self, storage: &mut dyn Storage, value: &V) {
        storage.set(self.key, &stored_bytes(value));
    }

    pub fn remove(&self, storage: &mut dyn Storage) {
        storage.remove(self.key);
    }
}

/// Values keyed by the tag followed by the caller's key parts, concatenated as given. Parts are
/// fixed-width (big-endian integers, 20-byte addresses) so keys sort as their parts do and a
/// leading part can serve as a prefix to range over.
pub struct Table<V> {
    tag: &'static [u8],
    value: PhantomData<V>,
}

/// An entry met while ranging: the key with the tag and the ranged prefix removed.
pub type Entry<V> = (Vec<u8>, V);

impl<V: Record> Table<V> {
    pub const fn new(tag: &'static [u8]) -> Self {
        Table {
            tag,
            value: PhantomData,
        }
    }

    /// The full storage key of an entry.
    pub fn key(&self, parts: &[&[u8]]) -> Vec<u8> {
        let len = self.tag.len() + parts.iter().map(|part| part.len()).sum::<usize>();
        let mut key = Vec::with_capacity(len);
        key.extend_from_slice(self.tag);
        for part in parts {
            key.extend_from_slice(part);
        }
        key
    }

    pub fn load(&self, storage: &dyn Storage, parts: &[&[u8]]) -> StdResult<V> {
        self.may_load(storage, parts)?
            .ok_or_else(|| StdError::msg(format!("no entry under {:?}", self.key(parts))))
    }

    pub fn may_load(&self, storage: &dyn Storage, parts: &[&[u8]]) -> StdResult<Option<V>> {
        storage
            .get(&self.key(parts))
            .map(|bytes| decode_stored(&bytes))
            .transpose()
    }

    pub fn has(&self, storage: &dyn Storage, parts: &[&[u8]]) -> bool {
        storage.get(&self.key(parts)).is_some()
    }

    pub fn save(&self, storage: &mut dyn Storage, parts: &[&[u8]], value: &V) {
        storage.set(&self.key(parts), &stored_bytes(value));
    }

    pub fn remove(&self, storage: &mut dyn Storage, parts: &[&[u8]]) {
        storage.remove(&self.key(parts));
    }

    /// Every entry whose key starts with `prefix` (tag excluded), in key order.
    pub fn range<'a>(
        &self,
        storage: &'a dyn Storage,
        prefix: &[&[u8]],
        order: Order,
    ) -> Box<dyn Iterator<Item = StdResult<Entry<V>>> + 'a>
    where
        V: 'a,
    {
        self.range_between(storage, prefix, None, None, order)
    }

    /// Entries under `prefix` whose remaining key is ≥ `min` and < `max` (each when given).
    pub fn range_between<'a>(
        &self,
        storage: &'a dyn Storage,
        prefix: &[&[u8]],
        min: Option<&[u8]>,
        max: Option<&[u8]>,
        order: Order,
    ) -> Box<dyn Iterator<Item = StdResult<Entry<V>>> + 'a>
    where
        V: 'a,
    {
        let (start, end, skip) = range_bounds(self.key(prefix), min, max);
        Box::new(
            storage
                .range(Some(&start), end.as_deref(), order)
                .map(move |(key, value)| Ok((key[skip..].to_vec(), decode_stored(&value)?))),
        )
    }

    /// Entries under `prefix` strictly after `after` (or from the first), for paginated queries.
    pub fn page<'a>(
        &self,
        storage: &'a dyn Storage,
        prefix: &[&[u8]],
        after: Option<&[u8]>,
        limit: usize,
    ) -> StdResult<Vec<Entry<V>>>
    where
        V: 'a,
    {
        let min = after.map(|after| [after, &[0u8][..]].concat());
        self.range_between(storage, prefix, min.as_deref(), None, Order::Ascending)
            .take(limit)
            .collect()
    }
}

/// The start and end keys of a range under `prefix` (a full key) and the length of the prefix.
/// Not generic, so it exists once rather than once per table type.
fn range_bounds(
    prefix: Vec<u8>,
    min: Option<&[u8]>,
    max: Option<&[u8]>,
) -> (Vec<u8>, Option<Vec<u8>>, usize) {
    let start = match min {
        Some(min) => [prefix.as_slice(), min].concat(),
        None => prefix.clone(),
    };
    let end = match max {
        Some(max) => Some([prefix.as_slice(), max].concat()),
        None => successor(&prefix),
    };
    (start, end, prefix.len())
}

/// The smallest key greater than every key starting with `prefix`; `None` when there is none.
fn successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::MockStorage;

    const POWERS: Table<u64> = Table::new(b"\x81");
    const OTHER: Table<u64> = Table::new(b"\x82");
    const HEIGHT: Cell<u64> = Cell::new(b"\x83");

    #[test]
    fn entries_are_isolated_by_tag_and_prefix() {
        let mut storage = MockStorage::new();
        for (chain, val, power) in [(1u64, 7u8, 10u64), (1, 3, 11), (2, 1, 12)] {
            POWERS.save(&mut storage, &[&chain.to_be_bytes(), &[val]], &power);
        }
        OTHER.save(&mut storage, &[&1u64.to_be_bytes(), &[0]], &99);

        let chain_one: Vec<_> = POWERS
            .range(&storage, &[&1u64.to_be_bytes()], Order::Ascending)
            .collect::<StdResult<_>>()
            .unwrap();
        assert_eq!(chain_one, vec![(vec![3], 11), (vec![7], 10)]);
        let everything: Vec<_> = POWERS
            .range(&storage, &[], Order::Descending)
            .map(|entry| entry.unwrap().1)
            .collect();
        assert_eq!(everything, vec![12, 10, 11]);
        assert_eq!(
            POWERS.load(&storage, &[&2u64.to_be_bytes(), &[1]]).unwrap(),
            12
        );
        assert!(POWERS.load(&storage, &[&2u64.to_be_bytes(), &[2]]).is_err());
    }

    #[test]
    fn pages_resume_after_the_last_key() {
        let mut storage = MockStorage::new();
        for val in 0u8..5 {
            POWERS.save(&mut storage, &[&[val]], &u64::from(val));
        }
        let first = POWERS.page(&storage, &[], None, 2).unwrap();
        assert_eq!(first, vec![(vec![0], 0), (vec![1], 1)]);
        let second = POWERS.page(&storage, &[], Some(&[1]), 2).unwrap();
        assert_eq!(second, vec![(vec![2], 2), (vec![3], 3)]);
        let bounded: Vec<_> = POWERS
            .range_between(&storage, &[], Some(&[1]), Some(&[3]), Order::Ascending)
            .map(|entry| entry.unwrap().1)
            .collect();
        assert_eq!(bounded, vec![1, 2]);
    }

    #[test]
    fn removal_and_cells() {
        let mut storage = MockStorage::new();
        POWERS.save(&mut storage, &[b"k"], &1);
        assert!(POWERS.has(&storage, &[b"k"]));
        POWERS.remove(&mut storage, &[b"k"]);
        assert!(!POWERS.has(&storage, &[b"k"]));
        assert!(HEIGHT.may_load(&storage).unwrap().is_none());
        HEIGHT.save(&mut storage, &5);
        assert_eq!(HEIGHT.load(&storage).unwrap(), 5);
        storage.set(b"\x83", &[0x80]);
        assert!(
            HEIGHT.load(&storage).is_err(),
            "corrupt value is an error, not a panic"
        );
    }

    #[test]
    fn empty_records_are_stored_as_a_marker() {
        const MEMBERS: Table<()> = Table::new(b"\x84");
        const ZERO: Cell<u8> = Cell::new(b"\x85");
        let mut storage = MockStorage::new();
        MEMBERS.save(&mut storage, &[b"a"], &());
        assert_eq!(storage.get(b"\x84a"), Some(vec![0]));
        assert!(MEMBERS.may_load(&storage, &[b"a"]).unwrap().is_some());
        let listed: Vec<_> = MEMBERS
            .range(&storage, &[], Order::Ascending)
            .collect::<StdResult<_>>()
            .unwrap();
        assert_eq!(listed, vec![(b"a".to_vec(), ())]);
        ZERO.save(&mut storage, &0);
        assert_eq!(
            ZERO.load(&storage).unwrap(),
            0,
            "a real zero byte is still a zero"
        );
    }

    #[test]
    fn successor_carries_over_0xff() {
        assert_eq!(successor(&[1, 0xff]), Some(vec![2]));
        assert_eq!(successor(&[0xff, 0xff]), None);
    }
}
