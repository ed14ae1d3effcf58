//! A contract store that charges what wasmd's KV store charges and keeps the tally.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use std::collections::BTreeMap;
use std::ops::Bound;

use cosmwasm_std::{Order, Record};
use cosmwasm_vm::{BackendError, BackendResult, GasInfo, Storage};

use crate::config::{self, VM_GAS_PER_SDK_GAS};

/// Storage costs of one call, in SDK gas, and what they were spent on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StorageTally {
    pub read_gas: u64,
    pub write_gas: u64,
    pub delete_gas: u64,
    pub iteration_gas: u64,
    pub reads: u64,
    pub writes: u64,
    pub deletes: u64,
    pub iterators_opened: u64,
    /// `db_next` calls, including the one that finds the end.
    pub iterator_steps: u64,
    pub bytes_read: u64,
    pub bytes_written: u64,
    pub keys_touched: BTreeSet<Vec<u8>>,
    /// The same costs by namespace (cw-storage-plus name), to tell which record a cost comes from.
    pub by_namespace: BTreeMap<String, NamespaceTally>,
}

/// Storage costs spent on one namespace's records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NamespaceTally {
    /// Point reads and iterator steps.
    pub reads: u64,
    pub read_gas: u64,
    /// Writes and deletes.
    pub writes: u64,
    pub write_gas: u64,
    pub bytes_written: u64,
}

impl StorageTally {
    pub fn total_gas(&self) -> u64 {
        self.read_gas + self.write_gas + self.delete_gas + self.iteration_gas
    }

    fn namespace(&mut self, key: &[u8]) -> &mut NamespaceTally {
        self.by_namespace.entry(namespace_of(key)).or_default()
    }
}

/// The namespace a key belongs to: a cw-storage-plus map's keys start with the namespace's
/// length (two bytes) and the namespace; an item's key is its namespace.
pub fn namespace_of(key: &[u8]) -> String {
    let printable = |bytes: &[u8]| {
        !bytes.is_empty() && bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ')
    };
    if key.len() >= 2 {
        let len = u16::from_be_bytes([key[0], key[1]]) as usize;
        if let Some(name) = key.get(2..2 + len) {
            if printable(name) {
                return String::from_utf8_lossy(name).into_owned();
            }
        }
    }
    if printable(key) {
        String::from_utf8_lossy(key).into_owned()
    } else {
        "(other)".to_string()
    }
}

/// One contract's key-value store. Cloning it is how a failed call is rolled back.
pub type KvStore = BTreeMap<Vec<u8>, Vec<u8>>;

/// An in-memory contract store; every operation reports its SDK cost to the VM as externally
/// used gas (so the VM's gas limit sees it, as on chain) and adds it to the tally.
pub struct MeteredStorage {
    data: KvStore,
    /// Iterators snapshot their range when opened; a call's iterators die with the call.
    iterators: Vec<std::vec::IntoIter<Record>>,
    tally: Rc<RefCell<StorageTally>>,
}

impl MeteredStorage {
    pub fn new(data: KvStore, tally: Rc<RefCell<StorageTally>>) -> Self {
        MeteredStorage {
            data,
            iterators: Vec::new(),
            tally,
        }
    }

    pub fn into_data(self) -> KvStore {
        self.data
    }

    fn push_iterator(&mut self, records: Vec<Record>) -> u32 {
        self.iterators.push(records.into_iter());
        (self.iterators.len() - 1) as u32
    }

    fn charge(sdk_gas: u64) -> GasInfo {
        GasInfo::with_externally_used(sdk_gas.saturating_mul(VM_GAS_PER_SDK_GAS))
    }
}

impl Storage for MeteredStorage {
    fn get(&self, key: &[u8]) -> BackendResult<Option<Vec<u8>>> {
        let value = self.data.get(key).cloned();
        let value_len = value.as_ref().map_or(0, Vec::len);
        let cost = config::read_cost(key.len(), value_len);
        let mut tally = self.tally.borrow_mut();
        tally.read_gas += cost;
        tally.reads += 1;
        tally.bytes_read += (key.len() + value_len) as u64;
        tally.keys_touched.insert(key.to_vec());
        let namespace = tally.namespace(key);
        namespace.reads += 1;
        namespace.read_gas += cost;
        (Ok(value), Self::charge(cost))
    }

    fn scan(
        &mut self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: Order,
    ) -> BackendResult<u32> {
        let lower = start.map_or(Bound::Unbounded, |s| Bound::Included(s.to_vec()));
        let upper = end.map_or(Bound::Unbounded, |e| Bound::Excluded(e.to_vec()));
        if let (Some(s), Some(e)) = (start, end) {
            if s > e {
                let cost = config::iter_open_cost(None);
                let mut tally = self.tally.borrow_mut();
                tally.iteration_gas += cost;
                tally.iterators_opened += 1;
                drop(tally);
                return (Ok(self.push_iterator(Vec::new())), Self::charge(cost));
            }
        }
        let range = self
            .data
            .range((lower, upper))
            .map(|(k, v)| (k.clone(), v.clone()));
        let records: Vec<Record> = match order {
            Order::Ascending => range.collect(),
            Order::Descending => range.rev().collect(),
        };
        let first = records.first().map(|(key, value)| (key.len(), value.len()));
        let cost = config::iter_open_cost(first);
        {
            let mut tally = self.tally.borrow_mut();
            tally.iteration_gas += cost;
            tally.iterators_opened += 1;
        }
        (Ok(self.push_iterator(records)), Self::charge(cost))
    }

    fn next(&mut self, iterator_id: u32) -> BackendResult<Option<Record>> {
        let Some(iterator) = self.iterators.get_mut(iterator_id as usize) else {
            return (
                Err(BackendError::iterator_does_not_exist(iterator_id)),
                GasInfo::free(),
            );
        };
        let result: Result<Option<Record>, BackendError> = Ok(iterator.next());
        let record = match &result {
            Ok(Some((key, value))) => Some((key.len(), value.len())),
            _ => None,
        };
        let cost = config::iter_step_cost(record);
        let mut tally = self.tally.borrow_mut();
        tally.iteration_gas += cost;
        tally.iterator_steps += 1;
        if let Ok(Some((key, value))) = &result {
            tally.bytes_read += (key.len() + value.len()) as u64;
            tally.keys_touched.insert(key.clone());
            let namespace = tally.namespace(key);
            namespace.reads += 1;
            namespace.read_gas += cost;
        }
        (result, Self::charge(cost))
    }

    fn set(&mut self, key: &[u8], value: &[u8]) -> BackendResult<()> {
        self.data.insert(key.to_vec(), value.to_vec());
        let cost = config::write_cost(key.len(), value.len());
        let mut tally = self.tally.borrow_mut();
        tally.write_gas += cost;
        tally.writes += 1;
        tally.bytes_written += (key.len() + value.len()) as u64;
        tally.keys_touched.insert(key.to_vec());
        let namespace = tally.namespace(key);
        namespace.writes += 1;
        namespace.write_gas += cost;
        namespace.bytes_written += (key.len() + value.len()) as u64;
        (Ok(()), Self::charge(cost))
    }

    fn remove(&mut self, key: &[u8]) -> BackendResult<()> {
        self.data.remove(key);
        let mut tally = self.tally.borrow_mut();
        tally.delete_gas += config::DELETE_COST;
        tally.deletes += 1;
        tally.keys_touched.insert(key.to_vec());
        let namespace = tally.namespace(key);
        namespace.writes += 1;
        namespace.write_gas += config::DELETE_COST;
        (Ok(()), Self::charge(config::DELETE_COST))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::*;

    fn storage() -> (MeteredStorage, Rc<RefCell<StorageTally>>) {
        let tally = Rc::new(RefCell::new(StorageTally::default()));
        (MeteredStorage::new(KvStore::new(), tally.clone()), tally)
    }

    #[test]
    fn a_write_costs_flat_plus_per_byte_of_prefixed_key_and_value() {
        let (mut store, tally) = storage();
        let (result, gas) = store.set(b"key", b"value");
        assert!(result.is_ok());
        let expected = 2_000 + 30 * (33 + 3 + 5);
        assert_eq!(tally.borrow().write_gas, expected);
        assert_eq!(gas.externally_used, expected * VM_GAS_PER_SDK_GAS);
        assert_eq!(tally.borrow().bytes_written, 8);
    }

    #[test]
    fn a_read_costs_even_when_the_key_is_absent() {
        let (mut store, tally) = storage();
        assert_eq!(store.get(b"missing").0.unwrap(), None);
        assert_eq!(tally.borrow().read_gas, 1_000 + 3 * (33 + 7));
        store.set(b"k", b"vv").0.unwrap();
        assert_eq!(store.get(b"k").0.unwrap(), Some(b"vv".to_vec()));
        assert_eq!(
            tally.borrow().read_gas,
            (1_000 + 3 * 40) + (1_000 + 3 * (33 + 1 + 2))
        );
        assert_eq!(tally.borrow().reads, 2);
    }

    #[test]
    fn costs_are_also_told_by_storage_plus_namespace() {
        let (mut store, tally) = storage();
        let map_key = [&[0u8, 4][..], b"vals", b"\x01\x02"].concat();
        store.set(&map_key, b"v").0.unwrap();
        store.set(b"config", b"{}").0.unwrap();
        store.get(&map_key).0.unwrap();
        let tally = tally.borrow();
        assert_eq!(tally.by_namespace["vals"].writes, 1);
        assert_eq!(tally.by_namespace["vals"].reads, 1);
        assert_eq!(
            tally.by_namespace["vals"].write_gas,
            2_000 + 30 * (33 + map_key.len() as u64 + 1)
        );
        assert_eq!(tally.by_namespace["config"].writes, 1);
        assert_eq!(namespace_of(&[0x01, 0xfe]), "(other)");
    }

    #[test]
    fn a_delete_costs_flat() {
        let (mut store, tally) = storage();
        store.set(b"k", b"v").0.unwrap();
        store.remove(b"k").0.unwrap();
        assert_eq!(tally.borrow().delete_gas, DELETE_COST);
        assert_eq!(store.get(b"k").0.unwrap(), None);
    }

    #[test]
    fn iteration_charges_the_seek_onto_each_record_and_not_the_end() {
        let (mut store, tally) = storage();
        for key in [b"a", b"b", b"c"] {
            store.set(key, b"12").0.unwrap();
        }
        let id = store.scan(Some(b"b"), None, Order::Ascending).0.unwrap();
        assert_eq!(
            store.next(id).0.unwrap(),
            Some((b"b".to_vec(), b"12".to_vec()))
        );
        assert_eq!(
            store.next(id).0.unwrap(),
            Some((b"c".to_vec(), b"12".to_vec()))
        );
        assert_eq!(store.next(id).0.unwrap(), None);
        // Opening seeks onto "b" (charged), each record returned is charged as the SDK
        // iterator moves past it, and finding the end is free.
        let per_record = ITER_NEXT_COST_FLAT + 3 * (33 + 1 + 2);
        assert_eq!(tally.borrow().iteration_gas, 3 * per_record);
        assert_eq!(tally.borrow().iterator_steps, 3);
        assert_eq!(tally.borrow().iterators_opened, 1);
    }

    #[test]
    fn an_empty_range_costs_one_flat_seek() {
        let (mut store, tally) = storage();
        store.set(b"a", b"1").0.unwrap();
        let id = store.scan(Some(b"b"), None, Order::Ascending).0.unwrap();
        assert_eq!(store.next(id).0.unwrap(), None);
        assert_eq!(tally.borrow().iteration_gas, ITER_NEXT_COST_FLAT);
        let id = store
            .scan(Some(b"c"), Some(b"b"), Order::Ascending)
            .0
            .unwrap();
        assert_eq!(store.next(id).0.unwrap(), None);
        assert_eq!(tally.borrow().iteration_gas, 2 * ITER_NEXT_COST_FLAT);
    }

    #[test]
    fn descending_ranges_exclude_the_end() {
        let (mut store, _) = storage();
        for key in [b"a", b"b", b"c"] {
            store.set(key, b"").0.unwrap();
        }
        let id = store
            .scan(Some(b"a"), Some(b"c"), Order::Descending)
            .0
            .unwrap();
        assert_eq!(store.next_key(id).0.unwrap(), Some(b"b".to_vec()));
        assert_eq!(store.next_key(id).0.unwrap(), Some(b"a".to_vec()));
        assert_eq!(store.next_key(id).0.unwrap(), None);
        assert!(store.next(99).0.is_err());
    }
}
