//! Drivers that put the cw-ics contracts, running from their optimised artifacts on the VM,
//! into a state of a given size through their real messages, so one operation can then be
//! measured on its own.

pub mod consumer;
pub mod provider;

use cosmwasm_std::{Binary, CosmosMsg, IbcMsg, IbcReceiveResponse};
use cw_ics_bindings::ChainMsg;
use cw_ics_ccv::{Acknowledgement, PublicKey};

use crate::CallReport;

/// The ed25519 key of simulated validator `index` (distinct for every index below 2^32).
pub fn validator_key(index: u32) -> PublicKey {
    let mut bytes = [7u8; 32];
    bytes[..4].copy_from_slice(&index.to_be_bytes());
    PublicKey::Ed25519(Binary::new(bytes.to_vec()))
}

/// The packets a response sends, by source channel.
pub fn sent_packets(messages: &[cosmwasm_std::SubMsg<ChainMsg>]) -> Vec<(String, Binary)> {
    messages
        .iter()
        .filter_map(|sub| match &sub.msg {
            CosmosMsg::Ibc(IbcMsg::SendPacket {
                channel_id, data, ..
            }) => Some((channel_id.clone(), data.clone())),
            _ => None,
        })
        .collect()
}

/// What a multi-call operation cost: the calls' reports, summed.
#[derive(Clone, Debug, Default)]
pub struct Measured {
    pub calls: Vec<CallReport>,
}

impl Measured {
    pub fn one(report: CallReport) -> Self {
        Measured {
            calls: vec![report],
        }
    }

    pub fn total_gas(&self) -> u64 {
        self.calls.iter().map(CallReport::total_gas).sum()
    }

    pub fn instance_gas(&self) -> u64 {
        self.calls.iter().map(|c| c.instance_gas).sum()
    }

    pub fn compute_gas(&self) -> u64 {
        self.calls.iter().map(|c| c.compute_gas).sum()
    }

    pub fn event_gas(&self) -> u64 {
        self.calls.iter().map(|c| c.event_gas).sum()
    }

    pub fn read_gas(&self) -> u64 {
        self.calls.iter().map(|c| c.storage.read_gas).sum()
    }

    pub fn write_gas(&self) -> u64 {
        self.calls
            .iter()
            .map(|c| c.storage.write_gas + c.storage.delete_gas)
            .sum()
    }

    pub fn iteration_gas(&self) -> u64 {
        self.calls.iter().map(|c| c.storage.iteration_gas).sum()
    }

    pub fn bytes_read(&self) -> u64 {
        self.calls.iter().map(|c| c.storage.bytes_read).sum()
    }

    pub fn bytes_written(&self) -> u64 {
        self.calls.iter().map(|c| c.storage.bytes_written).sum()
    }

    pub fn writes(&self) -> u64 {
        self.calls.iter().map(|c| c.storage.writes).sum()
    }

    /// Storage costs by namespace (cw-storage-plus name) over all calls, costliest first.
    pub fn by_namespace(&self) -> Vec<(String, crate::NamespaceTally)> {
        let mut merged: std::collections::BTreeMap<String, crate::NamespaceTally> =
            std::collections::BTreeMap::new();
        for call in &self.calls {
            for (name, tally) in &call.storage.by_namespace {
                let entry = merged.entry(name.clone()).or_default();
                entry.reads += tally.reads;
                entry.read_gas += tally.read_gas;
                entry.writes += tally.writes;
                entry.write_gas += tally.write_gas;
                entry.bytes_written += tally.bytes_written;
            }
        }
        let mut sorted: Vec<_> = merged.into_iter().collect();
        sorted.sort_by_key(|(_, t)| std::cmp::Reverse(t.read_gas + t.write_gas));
        sorted
    }

    pub fn keys_touched(&self) -> usize {
        let mut keys = std::collections::BTreeSet::new();
        for call in &self.calls {
            keys.extend(call.storage.keys_touched.iter().cloned());
        }
        keys.len()
    }
}

/// The acknowledgement a packet receive wrote, decoded as a CCV acknowledgement.
pub fn written_ack<C>(response: &IbcReceiveResponse<C>) -> DriverResult<Acknowledgement> {
    let ack_bytes = response
        .acknowledgement
        .as_ref()
        .ok_or_else(|| DriverError::Unexpected("no acknowledgement".to_string()))?;
    Acknowledgement::decode(ack_bytes.as_slice())
        .map_err(|err| DriverError::Unexpected(err.to_string()))
}

/// Errors of a driver: the VM's or a contract's, or an unexpected answer.
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    #[error(transparent)]
    Call(#[from] crate::VmCallError),
    #[error("{0}")]
    Unexpected(String),
}

pub type DriverResult<T> = Result<T, DriverError>;
