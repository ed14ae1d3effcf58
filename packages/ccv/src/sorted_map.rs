//! A map kept as a `Vec` sorted by key, for the contracts' per-call maps (built and read within
//! one call, at most one entry per validator). A `BTreeMap` instantiation costs 3–4 KB of Wasm
//! per key/value type, and std's slice sorts 2–4 KB per element type; this map and its heap
//! sort cost a few hundred bytes.
//!
//! Build a map from many entries with [`SortedMap::from_entries`] (O(n log n)); `insert` and
//! `remove` shift the tail (O(n) each), for a few changes to a built map.

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

    /// The map of `entries`, where a key given more than once keeps its first value, into
    /// which each later value for that key is folded with `merge`, in the order given.
    pub fn from_entries(entries: Vec<(K, V)>, merge: impl Fn(&mut V, V)) -> Self {
        // Sorts positions, not entries: a swap moves 4 bytes, whatever the size of an entry.
        // The position breaks ties between equal keys, so they fold in the order given.
        let mut order: Vec<usize> = (0..entries.len()).collect();
        heap_sort(&mut order, |&a, &b| (&entries[a].0, a) < (&entries[b].0, b));
        let mut taken: Vec<Option<(K, V)>> = entries.into_iter().map(Some).collect();
        let mut sorted: Vec<(K, V)> = Vec::with_capacity(taken.len());
        for position in order {
            let Some((key, value)) = taken.get_mut(position).and_then(Option::take) else {
                continue;
            };
            match sorted.last_mut() {
                Some((last, folded)) if *last == key => merge(folded, value),
                _ => sorted.push((key, value)),
            }
        }
        SortedMap { entries: sorted }
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

/// In-place heap sort: O(n log n) whatever the input order, and little code per element type.
fn heap_sort<T>(items: &mut [T], less: impl Fn(&T, &T) -> bool) {
    let len = items.len();
    for root in (0..len / 2).rev() {
        sift_down(items, root, len, &less);
    }
    for end in (1..len).rev() {
        items.swap(0, end);
        sift_down(items, 0, end, &less);
    }
}

/// Moves `items[root]` down the max-heap held in `items[..end]` to its place.
fn sift_down<T>(items: &mut [T], mut root: usize, end: usize, less: &impl Fn(&T, &T) -> bool) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(&items[child], &items[child + 1]) {
            child += 1;
        }
        if !less(&items[root], &items[child]) {
            return;
        }
        items.swap(root, child);
        root = child;
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
        /// Built at once, a key keeps its first value with every later one folded in, in order.
        #[test]
        fn from_entries_folds_repeated_keys_in_order(
            entries in proptest::collection::vec((any::<u8>(), any::<u32>()), 0..300),
        ) {
            let built = SortedMap::from_entries(
                entries.iter().map(|&(key, value)| (key, vec![value])).collect(),
                |folded, later| folded.extend(later),
            );
            let mut model: BTreeMap<u8, Vec<u32>> = BTreeMap::new();
            for &(key, value) in &entries {
                model.entry(key).or_default().push(value);
            }
            prop_assert_eq!(built.into_iter().collect::<Vec<_>>(), model.into_iter().collect::<Vec<_>>());
        }

        #[test]
        fn heap_sort_sorts(mut items in proptest::collection::vec(any::<u16>(), 0..300)) {
            let mut expected = items.clone();
            expected.sort();
            heap_sort(&mut items, |a, b| a < b);
            prop_assert_eq!(items, expected);
        }

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
            prop_assert_eq!(sorted.values().copied().collect::<Vec<_>>(), model.values().copied().collect::<Vec<_>>());
            prop_assert_eq!(sorted.into_iter().collect::<Vec<_>>(), model.into_iter().collect::<Vec<_>>());
        }
    }
}
