//! A map kept as a `Vec` sorted by key, for the contracts' per-call maps (built and read within
//! one call, at most one entry per validator). A `BTreeMap` instantiation costs 3–4 KB of Wasm
//! per key/value type, this a few hundred bytes. Inserting shifts the tail, which at a few
//! hundred entries costs less than one storage read.

/// Entries in ascending key order, one per key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K: Ord, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap {
            entries: Vec::new(),
        }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    pub fn new() -> Self {
        Self::default()
    }

    fn position(&self, key: &K) -> Result<usize, usize> {
        self.entries.binary_search_by(|(probe, _)| probe.cmp(key))
    }

    /// Sets the value of `key`, replacing any earlier one.
    pub fn insert(&mut self, key: K, value: V) {
        match self.position(&key) {
            Ok(index) => self.entries[index].1 = value,
            Err(index) => self.entries.insert(index, (key, value)),
        }
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        self.position(key).ok().map(|index| &self.entries[index].1)
    }

    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        match self.position(key) {
            Ok(index) => Some(&mut self.entries[index].1),
            Err(_) => None,
        }
    }

    pub fn remove(&mut self, key: &K) -> Option<V> {
        self.position(key)
            .ok()
            .map(|index| self.entries.remove(index).1)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, value)| value)
    }
}

impl<K, V> IntoIterator for SortedMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[derive(Clone, Debug)]
    enum Op {
        Insert(u8, u32),
        Remove(u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (any::<u8>(), any::<u32>()).prop_map(|(key, value)| Op::Insert(key, value)),
            any::<u8>().prop_map(Op::Remove),
        ]
    }

    proptest! {
        #[test]
        fn behaves_as_a_btree_map(ops in proptest::collection::vec(op(), 0..200)) {
            let mut sorted = SortedMap::new();
            let mut model = BTreeMap::new();
            for op in ops {
                match op {
                    Op::Insert(key, value) => {
                        sorted.insert(key, value);
                        model.insert(key, value);
                    }
                    Op::Remove(key) => prop_assert_eq!(sorted.remove(&key), model.remove(&key)),
                }
                prop_assert_eq!(sorted.len(), model.len());
                for key in [0u8, 1, 127, 255] {
                    prop_assert_eq!(sorted.get(&key), model.get(&key));
                }
            }
            if let Some((&key, _)) = model.iter().next() {
                *sorted.get_mut(&key).unwrap() += 1;
                *model.get_mut(&key).unwrap() += 1;
            }
            prop_assert_eq!(sorted.values().copied().collect::<Vec<_>>(), model.values().copied().collect::<Vec<_>>());
            prop_assert_eq!(sorted.into_iter().collect::<Vec<_>>(), model.into_iter().collect::<Vec<_>>());
        }
    }
}
