//! The chain behind `Deps`: storage, address and signature functions, and queries, through the
//! VM's imports (cosmwasm-vm `imports.rs` documents each one).

use cosmwasm_std::{
    Addr, Api, Binary, CanonicalAddr, ContractResult, Order, Querier, QuerierResult, Record,
    RecoverPubkeyError, StdError, StdResult, Storage, SystemError, SystemResult, VerificationError,
};

use crate::region::{consume, Buffer, Lent};
use crate::sections::{encode_sections, split_entry};

extern "C" {
    fn abort(message: u32);

    fn db_read(key: u32) -> u32;
    fn db_write(key: u32, value: u32);
    fn db_remove(key: u32);
    fn db_scan(start: u32, end: u32, order: i32) -> u32;
    fn db_next(iterator: u32) -> u32;
    fn db_next_key(iterator: u32) -> u32;
    fn db_next_value(iterator: u32) -> u32;

    fn addr_validate(address: u32) -> u32;
    fn addr_canonicalize(address: u32, canonical: u32) -> u32;
    fn addr_humanize(canonical: u32, address: u32) -> u32;

    fn secp256k1_verify(hash: u32, signature: u32, public_key: u32) -> u32;
    fn secp256k1_recover_pubkey(hash: u32, signature: u32, recovery_param: u32) -> u64;
    fn ed25519_verify(message: u32, signature: u32, public_key: u32) -> u32;
    fn ed25519_batch_verify(messages: u32, signatures: u32, public_keys: u32) -> u32;

    fn debug(message: u32);
    fn query_chain(request: u32) -> u32;
}

/// Ends the call with `message`: the VM fails it and reports the message.
pub fn abort_with(message: &str) {
    let message = Lent::new(message.as_bytes());
    // SAFETY: the region describes `message`, alive for the call.
    unsafe { abort(message.pointer()) };
}

/// The VM's limit on a human address it will read (`MAX_LENGTH_HUMAN_ADDRESS`).
const MAX_ADDRESS_LENGTH: usize = 256;
const CANONICAL_ADDRESS_CAPACITY: usize = 64;
const HUMAN_ADDRESS_CAPACITY: usize = 90;

pub struct HostStorage;

impl Storage for HostStorage {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        let key = Lent::new(key);
        // SAFETY: the key region is alive for the call; a non-zero answer is a region the VM
        // allocated for us.
        match unsafe { db_read(key.pointer()) } {
            0 => None,
            value => Some(unsafe { consume(value) }),
        }
    }

    fn set(&mut self, key: &[u8], value: &[u8]) {
        if value.is_empty() {
            // cosmwasm-std refuses this too: the store cannot tell an empty value from none.
            abort_with("Storage::set with an empty value: use Storage::remove");
            return;
        }
        let key = Lent::new(key);
        let value = Lent::new(value);
        // SAFETY: both regions are alive for the call.
        unsafe { db_write(key.pointer(), value.pointer()) };
    }

    fn remove(&mut self, key: &[u8]) {
        let key = Lent::new(key);
        // SAFETY: the region is alive for the call.
        unsafe { db_remove(key.pointer()) };
    }

    fn range<'a>(
        &'a self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: Order,
    ) -> Box<dyn Iterator<Item = Record> + 'a> {
        Box::new(Entries(scan(start, end, order)))
    }

    fn range_keys<'a>(
        &'a self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: Order,
    ) -> Box<dyn Iterator<Item = Vec<u8>> + 'a> {
        Box::new(Halves {
            iterator: scan(start, end, order),
            next: db_next_key,
        })
    }

    fn range_values<'a>(
        &'a self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: Order,
    ) -> Box<dyn Iterator<Item = Vec<u8>> + 'a> {
        Box::new(Halves {
            iterator: scan(start, end, order),
            next: db_next_value,
        })
    }
}

/// Opens a VM iterator over `[start, end)`.
fn scan(start: Option<&[u8]>, end: Option<&[u8]>, order: Order) -> u32 {
    let start = start.map(Lent::new);
    let end = end.map(Lent::new);
    let start = start.as_ref().map_or(0, Lent::pointer);
    let end = end.as_ref().map_or(0, Lent::pointer);
    // SAFETY: the bound regions (or 0 for none) are alive for the call.
    unsafe { db_scan(start, end, order as i32) }
}

/// Moves a VM iterator `count` entries on, reading only keys (the cheaper step).
fn skip(iterator: u32, count: usize) {
    for _ in 0..count {
        // SAFETY: an iterator id the VM gave; the answer is a region we own or 0 at the end.
        let key = unsafe { db_next_key(iterator) };
        if key == 0 {
            return;
        }
        drop(unsafe { consume(key) });
    }
}

struct Entries(u32);

impl Iterator for Entries {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        // SAFETY: an iterator id the VM gave; the answer is a region we own.
        let entry = unsafe { consume(db_next(self.0)) };
        split_entry(entry)
    }

    fn nth(&mut self, n: usize) -> Option<Record> {
        skip(self.0, n);
        self.next()
    }
}

/// Keys or values alone (`db_next_key` / `db_next_value`): an answer of 0 ends the range.
struct Halves {
    iterator: u32,
    next: unsafe extern "C" fn(u32) -> u32,
}

impl Iterator for Halves {
    type Item = Vec<u8>;

    fn next(&mut self) -> Option<Vec<u8>> {
        // SAFETY: an iterator id the VM gave; the answer is a region we own or 0 at the end.
        match unsafe { (self.next)(self.iterator) } {
            0 => None,
            half => Some(unsafe { consume(half) }),
        }
    }

    fn nth(&mut self, n: usize) -> Option<Vec<u8>> {
        skip(self.iterator, n);
        self.next()
    }
}

pub struct HostApi;

/// The VM's error text for a failed address import.
fn address_error(function: &str, answer: u32) -> StdError {
    // SAFETY: a non-zero answer of an address import is a region holding the error text.
    let text = unsafe { consume(answer) };
    StdError::msg(format_args!(
        "{function} errored: {}",
        String::from_utf8_lossy(&text)
    ))
}

impl Api for HostApi {
    fn addr_validate(&self, input: &str) -> StdResult<Addr> {
        if input.len() > MAX_ADDRESS_LENGTH {
            return Err(StdError::msg("input too long for addr_validate"));
        }
        let source = Lent::new(input.as_bytes());
        // SAFETY: the region is alive for the call.
        match unsafe { addr_validate(source.pointer()) } {
            0 => Ok(Addr::unchecked(input)),
            error => Err(address_error("addr_validate", error)),
        }
    }

    fn addr_canonicalize(&self, input: &str) -> StdResult<CanonicalAddr> {
        if input.len() > MAX_ADDRESS_LENGTH {
            return Err(StdError::msg("input too long for addr_canonicalize"));
        }
        let source = Lent::new(input.as_bytes());
        let mut canonical = Buffer::with_capacity(CANONICAL_ADDRESS_CAPACITY);
        // SAFETY: both regions are alive for the call.
        match unsafe { addr_canonicalize(source.pointer(), canonical.pointer()) } {
            0 => Ok(CanonicalAddr::from(canonical.into_vec())),
            error => Err(address_error("addr_canonicalize", error)),
        }
    }

    fn addr_humanize(&self, canonical: &CanonicalAddr) -> StdResult<Addr> {
        let source = Lent::new(canonical.as_slice());
        let mut human = Buffer::with_capacity(HUMAN_ADDRESS_CAPACITY);
        // SAFETY: both regions are alive for the call.
        match unsafe { addr_humanize(source.pointer(), human.pointer()) } {
            0 => String::from_utf8(human.into_vec())
                .map(Addr::unchecked)
                .map_err(|_| StdError::msg("addr_humanize returned an address that is not UTF-8")),
            error => Err(address_error("addr_humanize", error)),
        }
    }

    fn secp256k1_verify(
        &self,
        message_hash: &[u8],
        signature: &[u8],
        public_key: &[u8],
    ) -> Result<bool, VerificationError> {
        verify(secp256k1_verify, message_hash, signature, public_key)
    }

    fn secp256k1_recover_pubkey(
        &self,
        message_hash: &[u8],
        signature: &[u8],
        recovery_param: u8,
    ) -> Result<Vec<u8>, RecoverPubkeyError> {
        let hash = Lent::new(message_hash);
        let signature = Lent::new(signature);
        // SAFETY: the regions are alive for the call.
        let answer = unsafe {
            secp256k1_recover_pubkey(hash.pointer(), signature.pointer(), recovery_param.into())
        };
        // The error code in the high half, the key's region in the low half.
        let (code, key) = ((answer >> 32) as u32, answer as u32);
        match code {
            // SAFETY: on success the low half is a region holding the key.
            0 => Ok(unsafe { consume(key) }),
            3 => Err(RecoverPubkeyError::InvalidHashFormat),
            4 => Err(RecoverPubkeyError::InvalidSignatureFormat),
            6 => Err(RecoverPubkeyError::InvalidRecoveryParam),
            code => Err(RecoverPubkeyError::unknown_err(code)),
        }
    }

    fn ed25519_verify(
        &self,
        message: &[u8],
        signature: &[u8],
        public_key: &[u8],
    ) -> Result<bool, VerificationError> {
        verify(ed25519_verify, message, signature, public_key)
    }

    fn ed25519_batch_verify(
        &self,
        messages: &[&[u8]],
        signatures: &[&[u8]],
        public_keys: &[&[u8]],
    ) -> Result<bool, VerificationError> {
        verify(
            ed25519_batch_verify,
            &encode_sections(messages),
            &encode_sections(signatures),
            &encode_sections(public_keys),
        )
    }

    fn debug(&self, message: &str) {
        let message = Lent::new(message.as_bytes());
        // SAFETY: the region is alive for the call.
        unsafe { debug(message.pointer()) };
    }
}

/// A signature check through `import`: 0 is valid, 1 invalid, anything else the VM's error
/// code.
fn verify(
    import: unsafe extern "C" fn(u32, u32, u32) -> u32,
    message: &[u8],
    signature: &[u8],
    public_key: &[u8],
) -> Result<bool, VerificationError> {
    let message = Lent::new(message);
    let signature = Lent::new(signature);
    let public_key = Lent::new(public_key);
    // SAFETY: the regions are alive for the call.
    match unsafe { import(message.pointer(), signature.pointer(), public_key.pointer()) } {
        0 => Ok(true),
        1 => Ok(false),
        3 => Err(VerificationError::InvalidHashFormat),
        4 => Err(VerificationError::InvalidSignatureFormat),
        5 => Err(VerificationError::InvalidPubkeyFormat),
        10 => Err(VerificationError::GenericErr),
        code => Err(VerificationError::unknown_err(code)),
    }
}

pub struct HostQuerier;

impl Querier for HostQuerier {
    fn raw_query(&self, request: &[u8]) -> QuerierResult {
        let request = Lent::new(request);
        // SAFETY: the region is alive for the call; the answer is a region we own.
        let answer = unsafe { consume(query_chain(request.pointer())) };
        cw_ics_json::from_slice::<SystemResult<ContractResult<Binary>>>(&answer).unwrap_or_else(
            |error| {
                SystemResult::Err(SystemError::InvalidResponse {
                    error: error.to_string(),
                    response: answer.into(),
                })
            },
        )
    }
}
