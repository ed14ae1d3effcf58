//! The epoch record, the power ranking, the change marks and the vscId heights.

use std::cmp::Ordering;

use cosmwasm_std::{Empty, StdError, StdResult};
use cw_ics_ccv::{ConsensusAddress, PublicKey};
use cw_storage_plus::{Item, Map};
use serde::{Deserialize, Serialize};

use super::{is_default, ns};

/// A place in the ranking: higher power first, then lower consensus address. The ranking's key
/// is `(u64::MAX - power, address)`, whose big-endian encoding sorts the same way.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rank {
    #[serde(rename = "p")]
    pub power: u64,
    #[serde(rename = "a")]
    pub address: ConsensusAddress,
}

impl Rank {
    pub fn key(&self) -> (u64, &[u8]) {
        (u64::MAX - self.power, self.address.as_bytes())
    }

    pub fn from_key((inverted_power, address): (u64, Vec<u8>)) -> StdResult<Self> {
        Ok(Rank {
            power: u64::MAX - inverted_power,
            address: ConsensusAddress::from_slice(&address)
                .map_err(|_| StdError::msg("corrupt ranking key: consensus address"))?,
        })
    }
}

impl Ord for Rank {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .power
            .cmp(&self.power)
            .then_with(|| self.address.cmp(&other.address))
    }
}

impl PartialOrd for Rank {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Eligible validators (power above 0) by rank. The key is all there is: a validator's consensus
/// key is found through the validators' index on the rare occasions it is needed (a validator
/// crossing the top-N boundary without having changed, queries), which spares every move in the
/// ranking writing the key again.
pub const RANKING: Map<(u64, &[u8]), Empty> = Map::new(ns::RANKING);

/// A validator saved since the epoch last ranked it: everything the epoch needs to move it in
/// the ranking, so it reads neither the validator's records nor its index.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ChangeMark {
    #[serde(rename = "k")]
    pub pub_key: PublicKey,
    /// The power the ranking holds it at (0: not ranked), taken when it was first marked after
    /// being ranked: every save marks, so an unmarked validator is ranked at its stake's power.
    #[serde(rename = "r")]
    pub ranked_power: u64,
    /// Its power as of its latest save.
    #[serde(rename = "p")]
    pub power: u64,
}

/// Change marks by consensus address.
pub const CHANGE_MARKS: Map<&[u8], ChangeMark> = Map::new(ns::CHANGE_MARKS);

/// A validator whose power or membership may have changed this epoch.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    #[serde(rename = "a")]
    pub address: ConsensusAddress,
    #[serde(rename = "k")]
    pub pub_key: PublicKey,
    /// Ranked power before the move (0: not eligible).
    #[serde(rename = "o")]
    pub old_power: u64,
    /// Ranked power after the move.
    #[serde(rename = "n")]
    pub new_power: u64,
}

/// Candidates of a running epoch saved by calls that ended before the VSCs were given, by
/// chunk number (one chunk per such call).
pub const CANDIDATE_CHUNKS: Map<u32, Vec<Candidate>> = Map::new(ns::CANDIDATE_CHUNKS);

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum EpochStage {
    #[serde(rename = "i")]
    Idle,
    /// Re-ranking the validators marked changed.
    #[serde(rename = "v")]
    Validators,
    /// Moving the top-N boundary until it holds `max_validators` (or every eligible) validators.
    #[serde(rename = "r")]
    Rebalance,
    /// Giving a VSC to the consumers marked due (first VSC, slash acks); cursor = last one
    /// handled (a consumer marked again behind it waits for the next epoch).
    #[serde(rename = "d")]
    DueConsumers {
        #[serde(rename = "a")]
        after_consumer: Option<u64>,
    },
    /// Giving this epoch's VSC to every launched consumer; cursor = last consumer handled.
    #[serde(rename = "b")]
    Broadcast {
        #[serde(rename = "a")]
        after_consumer: Option<u64>,
    },
    /// Launching due consumers; cursor = last spawn-queue key handled.
    #[serde(rename = "l")]
    Launches {
        #[serde(rename = "a")]
        after: Option<(u64, u64)>,
    },
    /// Init and VSC timeouts whose deadline passed.
    #[serde(rename = "t")]
    Timeouts,
    /// Deleting stopped consumers whose deletion time passed, then clearing the epoch diff.
    #[serde(rename = "c")]
    Cleanup,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct EpochState {
    /// The vscId the next VSC will carry.
    #[serde(rename = "c")]
    pub current_vsc_id: u64,
    /// The vscId of the VSCs the running (or last) epoch queues.
    #[serde(rename = "e")]
    pub epoch_vsc_id: u64,
    #[serde(rename = "n")]
    pub next_epoch_height: u64,
    #[serde(rename = "s")]
    pub stage: EpochStage,
    /// The vscId of the newest unbonding entry.
    #[serde(rename = "u")]
    pub latest_unbonding_vsc_id: u64,
    /// `latest_unbonding_vsc_id` when the running epoch started.
    #[serde(rename = "eu")]
    pub epoch_unbonding_vsc_id: u64,
    #[serde(rename = "b")]
    pub end_blocker: bool,
    /// Every launched consumer was given a VSC at or after this vscId (or launched at it).
    #[serde(rename = "v")]
    pub covered_vsc_id: u64,
    /// The top N: every ranked validator at or before this rank (None: nobody).
    #[serde(rename = "l", default, skip_serializing_if = "Option::is_none")]
    pub last_member: Option<Rank>,
    /// How many ranked validators are at or before `last_member`.
    #[serde(rename = "a")]
    pub active_count: u32,
    /// `last_member` when the running epoch started: the set every consumer was last given.
    #[serde(rename = "el", default, skip_serializing_if = "Option::is_none")]
    pub epoch_last_member: Option<Rank>,
    /// Chunks of this epoch's candidate changes saved by earlier calls of the running epoch.
    #[serde(rename = "k", default, skip_serializing_if = "is_default")]
    pub candidate_chunks: u32,
}

impl EpochState {
    /// Before the first epoch: nothing ranked, nothing in the top N.
    pub fn initial(first_vsc_id: u64, height: u64) -> Self {
        EpochState {
            current_vsc_id: first_vsc_id,
            epoch_vsc_id: 0,
            next_epoch_height: height,
            stage: EpochStage::Idle,
            latest_unbonding_vsc_id: 0,
            epoch_unbonding_vsc_id: 0,
            end_blocker: false,
            covered_vsc_id: 0,
            last_member: None,
            active_count: 0,
            epoch_last_member: None,
            candidate_chunks: 0,
        }
    }
}

pub const EPOCH: Item<EpochState> = Item::new(ns::EPOCH);

/// vscId → the provider height from which new unbonding entries carry it.
pub const VSC_HEIGHTS: Map<u64, u64> = Map::new(ns::VSC_HEIGHTS);

/// The top N's history: (consensus address, vscId of the epoch it entered) → vscId of the epoch
/// it left (`u64::MAX` while in). A validator was in the set a consumer applied with VSC `v`
/// iff its latest stretch starting at or before `v` ends after `v`.
pub const SET_MEMBERSHIP: Map<(&[u8], u64), u64> = Map::new(ns::SET_MEMBERSHIP);
