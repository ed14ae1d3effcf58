//! A CometBFT-like consensus engine for one simulated chain: the validator set that signs
//! each block, who actually signs (faults), the evidence of double signs, and validator
//! updates applied with CometBFT's delay (updates returned at the end of block H sign from
//! block H + 2).

use std::collections::{BTreeMap, VecDeque};
use std::ops::RangeInclusive;

use cosmwasm_std::Binary;
use cw_ics_bindings::{
    Evidence, EvidenceType, EvidenceValidator, PowerChange, Pubkey, ValidatorVote,
    ValidatorVoteResponse,
};
use cw_ics_ccv::PublicKey;

use crate::validators::{SignedEvidence, SimValidator};

/// Blocks between the end block that returns an update and the first block it signs.
pub const VALIDATOR_UPDATE_DELAY: u64 = 2;

#[derive(Clone, Debug, Default)]
pub struct Consensus {
    chain_id: String,
    /// The keys this simulation can sign with, by public key bytes.
    signers: BTreeMap<Vec<u8>, SimValidator>,
    /// Power by public key bytes of the set signing the current height.
    active: BTreeMap<Vec<u8>, u64>,
    /// Updates waiting for their first height.
    pending: VecDeque<(u64, Vec<PowerChange>)>,
    offline: Vec<(Vec<u8>, RangeInclusive<u64>)>,
    double_signs: Vec<(Vec<u8>, u64)>,
    /// Every double sign that happened, with the signed conflicting votes.
    pub evidence_log: Vec<SignedEvidence>,
    /// The evidence last handed to begin_block, and whether the next block hands it again.
    last_evidence: Vec<Evidence>,
    replay_evidence: bool,
}

impl Consensus {
    pub fn new(chain_id: &str, initial_set: impl IntoIterator<Item = (PublicKey, u64)>) -> Self {
        Consensus {
            chain_id: chain_id.to_string(),
            active: initial_set
                .into_iter()
                .filter(|(_, power)| *power > 0)
                .map(|(key, power)| (key.bytes().to_vec(), power))
                .collect(),
            ..Consensus::default()
        }
    }

    pub fn add_signer(&mut self, validator: SimValidator) {
        self.signers
            .insert(validator.public_key().bytes().to_vec(), validator);
    }

    /// `validator` signs no block in `heights`.
    pub fn set_offline(&mut self, validator: &SimValidator, heights: RangeInclusive<u64>) {
        self.offline
            .push((validator.public_key().bytes().to_vec(), heights));
    }

    /// `validator` signs two blocks at `height`; the evidence reaches the chain in the next
    /// block's begin_block.
    pub fn schedule_double_sign(&mut self, validator: &SimValidator, height: u64) {
        self.double_signs
            .push((validator.public_key().bytes().to_vec(), height));
    }

    /// The next block hands the evidence of the last block that had some to begin_block again
    /// (CometBFT can include the same evidence in more than one block): the application must
    /// treat it as the infraction it already saw. Returns whether there was evidence to replay.
    pub fn replay_last_evidence(&mut self) -> bool {
        self.replay_evidence = !self.last_evidence.is_empty();
        self.replay_evidence
    }

    pub fn active_set(&self) -> &BTreeMap<Vec<u8>, u64> {
        &self.active
    }

    /// The set the chain was given so far: the active set with every update already returned
    /// by an end block applied, including those not signing yet.
    pub fn scheduled_set(&self) -> BTreeMap<Vec<u8>, u64> {
        let mut set = self.active.clone();
        for (_, changes) in &self.pending {
            apply_changes(&mut set, changes);
        }
        set
    }

    pub fn total_power(&self) -> u64 {
        self.active.values().sum()
    }

    fn signs(&self, key: &[u8], height: u64) -> bool {
        !self
            .offline
            .iter()
            .any(|(offline_key, heights)| offline_key == key && heights.contains(&height))
    }

    /// The commit of block `height` by the set that signed it, as `validator_votes` reports
    /// it during block `height + 1`.
    pub fn commit_votes(&self, height: u64) -> ValidatorVoteResponse {
        ValidatorVoteResponse {
            votes: self
                .active
                .iter()
                .map(|(key, power)| ValidatorVote {
                    address: consensus_address(key),
                    power: *power,
                    voted: self.signs(key, height),
                })
                .collect(),
        }
    }

    /// Evidence of the double signs at `height`, delivered in begin_block of `height + 1`.
    pub fn evidence_for(&mut self, height: u64, time_seconds: u64) -> Vec<Evidence> {
        let total_voting_power = self.total_power();
        let mut evidence = vec![];
        let due: Vec<Vec<u8>> = self
            .double_signs
            .iter()
            .filter(|(_, at)| *at == height)
            .map(|(key, _)| key.clone())
            .collect();
        for key in due {
            let Some(power) = self.active.get(&key).copied() else {
                continue;
            };
            if let Some(validator) = self.signers.get(&key) {
                self.evidence_log
                    .push(validator.double_sign(&self.chain_id, height, time_seconds));
            }
            evidence.push(Evidence {
                evidence_type: EvidenceType::DuplicateVote,
                validator: EvidenceValidator {
                    address: consensus_address(&key),
                    power,
                },
                height,
                time: time_seconds,
                total_voting_power,
            });
        }
        if std::mem::take(&mut self.replay_evidence) {
            evidence.extend(self.last_evidence.iter().cloned());
        }
        if !evidence.is_empty() {
            self.last_evidence = evidence.clone();
        }
        evidence
    }

    /// The updates a validator-set updater returned at the end of block `height`.
    pub fn end_block_updates(&mut self, height: u64, changes: Vec<PowerChange>) {
        if !changes.is_empty() {
            self.pending
                .push_back((height + VALIDATOR_UPDATE_DELAY, changes));
        }
    }

    /// Moves to `height`: the updates due by then start signing. Returns whether the set
    /// changed.
    pub fn enter_height(&mut self, height: u64) -> bool {
        let mut changed = false;
        while let Some((due, _)) = self.pending.front() {
            if *due > height {
                break;
            }
            let Some((_, changes)) = self.pending.pop_front() else {
                break;
            };
            apply_changes(&mut self.active, &changes);
            changed = true;
        }
        changed
    }

    /// The name of the simulated validator with this key, if the simulation holds it.
    pub fn name_of(&self, key: &[u8]) -> Option<&str> {
        self.signers
            .get(key)
            .map(|validator| validator.name.as_str())
    }
}

fn consensus_address(key: &[u8]) -> Binary {
    Binary::new(
        PublicKey::Ed25519(key.to_vec().into())
            .consensus_address()
            .as_bytes()
            .to_vec(),
    )
}

/// Applies validator updates as CometBFT does: power 0 removes, anything else sets.
fn apply_changes(set: &mut BTreeMap<Vec<u8>, u64>, changes: &[PowerChange]) {
    for change in changes {
        let Pubkey::Ed25519(key) = &change.pubkey;
        if change.power == 0 {
            set.remove(key.as_slice());
        } else {
            set.insert(key.to_vec(), change.power);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(validator: &SimValidator, power: u64) -> PowerChange {
        PowerChange {
            pubkey: Pubkey::Ed25519(validator.public_key().bytes().to_vec().into()),
            power,
        }
    }

    #[test]
    fn updates_sign_from_two_blocks_after_the_end_block_that_returned_them() {
        let (a, b) = (SimValidator::new("a"), SimValidator::new("b"));
        let mut consensus = Consensus::new("c", [(a.public_key(), 10)]);
        consensus.end_block_updates(5, vec![change(&b, 7), change(&a, 0)]);
        assert!(!consensus.enter_height(6));
        assert_eq!(consensus.total_power(), 10);
        assert!(consensus.enter_height(7));
        assert_eq!(consensus.total_power(), 7);
        assert_eq!(consensus.active_set().len(), 1);
    }

    #[test]
    fn offline_validators_miss_votes_only_in_their_span() {
        let (a, b) = (SimValidator::new("a"), SimValidator::new("b"));
        let mut consensus = Consensus::new("c", [(a.public_key(), 1), (b.public_key(), 1)]);
        consensus.set_offline(&b, 3..=4);
        let signed = |consensus: &Consensus, height| {
            consensus
                .commit_votes(height)
                .votes
                .iter()
                .filter(|vote| vote.voted)
                .count()
        };
        assert_eq!(signed(&consensus, 2), 2);
        assert_eq!(signed(&consensus, 3), 1);
        assert_eq!(signed(&consensus, 4), 1);
        assert_eq!(signed(&consensus, 5), 2);
    }

    #[test]
    fn a_double_sign_yields_evidence_once_with_verifiable_votes() {
        let a = SimValidator::new("a");
        let mut consensus = Consensus::new("c", [(a.public_key(), 3)]);
        consensus.add_signer(a.clone());
        consensus.schedule_double_sign(&a, 9);
        assert!(consensus.evidence_for(8, 100).is_empty());
        let evidence = consensus.evidence_for(9, 100);
        assert_eq!(evidence.len(), 1);
        assert_eq!(evidence[0].validator.power, 3);
        assert_eq!(
            evidence[0].validator.address.as_slice(),
            a.consensus_address().as_bytes()
        );
        assert!(consensus.evidence_log[0].is_valid());
    }
}
