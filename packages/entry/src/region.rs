//! The VM's `Region`: where a byte buffer lives in the contract's memory. Its layout and
//! ownership rules are the VM's (cosmwasm-vm `memory.rs`): a region the VM hands over was made
//! by cosmwasm-std's `allocate`, a region handed back is freed by its `deallocate`, so both
//! sides must build regions exactly as cosmwasm-std does: a boxed `Region` describing a
//! `Vec<u8>`'s allocation.

use core::marker::PhantomData;
use core::mem::ManuallyDrop;

#[repr(C)]
struct Region {
    offset: u32,
    capacity: u32,
    length: u32,
}

/// Takes over a region the VM filled (an argument of an export or an import's answer).
/// `0` (no region) reads as empty.
///
/// # Safety
/// `pointer` is `0` or a region the VM filled that nothing else owns.
pub unsafe fn consume(pointer: u32) -> Vec<u8> {
    if pointer == 0 {
        return Vec::new();
    }
    let region = Box::from_raw(pointer as *mut Region);
    Vec::from_raw_parts(
        region.offset as *mut u8,
        region.length as usize,
        region.capacity as usize,
    )
}

/// Hands `data` to the VM, which reads it and frees it through `deallocate`.
pub fn release(data: Vec<u8>) -> u32 {
    let mut data = ManuallyDrop::new(data);
    let region = Box::new(Region {
        offset: data.as_mut_ptr() as u32,
        capacity: data.capacity() as u32,
        length: data.len() as u32,
    });
    Box::into_raw(region) as u32
}

/// A region over bytes the contract keeps, for an import to read while it is alive.
pub struct Lent<'a> {
    region: Region,
    bytes: PhantomData<&'a [u8]>,
}

impl<'a> Lent<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Lent {
            region: Region {
                offset: bytes.as_ptr() as u32,
                capacity: bytes.len() as u32,
                length: bytes.len() as u32,
            },
            bytes: PhantomData,
        }
    }

    pub fn pointer(&self) -> u32 {
        &self.region as *const Region as u32
    }
}

/// An empty buffer an import writes into, setting the region's length.
pub struct Buffer {
    data: Vec<u8>,
    region: Region,
}

impl Buffer {
    pub fn with_capacity(capacity: usize) -> Self {
        let mut data = Vec::with_capacity(capacity);
        let region = Region {
            offset: data.as_mut_ptr() as u32,
            capacity: data.capacity() as u32,
            length: 0,
        };
        Buffer { data, region }
    }

    pub fn pointer(&mut self) -> u32 {
        &mut self.region as *mut Region as u32
    }

    /// What the import wrote; a length past the capacity (a VM bug) reads as nothing.
    pub fn into_vec(mut self) -> Vec<u8> {
        let length = self.region.length as usize;
        if length <= self.data.capacity() {
            // SAFETY: the VM wrote `length` bytes into the buffer's allocation.
            unsafe { self.data.set_len(length) };
        }
        self.data
    }
}
