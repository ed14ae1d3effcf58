//! The chain ABI cw-ics relies on: the privileged-contract interface of x/twasm (the Tgrade
//! chain). A chain with this module lets a contract become a begin/end blocker and the
//! validator-set updater; the JSON shapes here are that module's.
//!
//! A chain without it still runs the provider (its permissionless epoch `tick` replaces
//! `end_block`) and runs the consumer as a validator-set oracle.

#[cfg(feature = "multitest")]
pub mod multitest;

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Binary, CosmosMsg, CustomMsg, CustomQuery};

/// Messages the chain sends to a privileged contract through `sudo`.
#[cw_serde]
pub enum ChainSudoMsg {
    /// The contract gained or lost its privileged status.
    PrivilegeChange(PrivilegeChange),
    /// Start of every block, for `begin_blocker` contracts: evidence of misbehaviour.
    BeginBlock { evidence: Vec<Evidence> },
    /// End of every block, for `end_blocker` contracts.
    EndBlock {},
    /// End of every block, for the `validator_set_updater` contract; the response's `data` is
    /// a JSON [`ValidatorDiff`] (or empty for no change).
    EndWithValidatorUpdate {},
}

#[cw_serde]
pub enum PrivilegeChange {
    Promoted {},
    Demoted {},
}

/// What a privileged contract may ask the chain for.
#[cw_serde]
#[derive(Copy, Eq, Hash, PartialOrd, Ord)]
pub enum Privilege {
    BeginBlocker,
    EndBlocker,
    ValidatorSetUpdater,
}

#[cw_serde]
pub enum PrivilegeMsg {
    Request(Privilege),
    Release(Privilege),
}

/// The custom message a contract sends to the chain.
#[cw_serde]
pub enum ChainMsg {
    Privilege(PrivilegeMsg),
}

impl CustomMsg for ChainMsg {}

impl ChainMsg {
    pub fn request(privilege: Privilege) -> CosmosMsg<ChainMsg> {
        CosmosMsg::Custom(ChainMsg::Privilege(PrivilegeMsg::Request(privilege)))
    }

    pub fn release(privilege: Privilege) -> CosmosMsg<ChainMsg> {
        CosmosMsg::Custom(ChainMsg::Privilege(PrivilegeMsg::Release(privilege)))
    }
}

/// The custom query a contract sends to the chain.
#[cw_serde]
#[derive(QueryResponses)]
pub enum ChainQuery {
    /// Who signed the last block.
    #[returns(ValidatorVoteResponse)]
    ValidatorVotes {},
}

impl CustomQuery for ChainQuery {}

#[cw_serde]
pub struct ValidatorVoteResponse {
    pub votes: Vec<ValidatorVote>,
}

/// One validator of the last block's commit: its consensus address, power, and whether its
/// signature is in the commit.
#[cw_serde]
pub struct ValidatorVote {
    pub address: Binary,
    pub power: u64,
    pub voted: bool,
}

/// Evidence of misbehaviour the chain's consensus engine delivered in `begin_block`.
#[cw_serde]
pub struct Evidence {
    pub evidence_type: EvidenceType,
    pub validator: EvidenceValidator,
    pub height: u64,
    /// Unix time of the infraction, in seconds.
    pub time: u64,
    pub total_voting_power: u64,
}

#[cw_serde]
pub enum EvidenceType {
    DuplicateVote,
    LightClientAttack,
}

#[cw_serde]
pub struct EvidenceValidator {
    pub address: Binary,
    pub power: u64,
}

/// The validator-set update a `validator_set_updater` returns from `end_with_validator_update`.
#[cw_serde]
#[derive(Default)]
pub struct ValidatorDiff {
    pub diffs: Vec<PowerChange>,
}

/// One validator's new power; 0 removes it from the consensus set.
#[cw_serde]
pub struct PowerChange {
    pub pubkey: Pubkey,
    pub power: u64,
}

#[cw_serde]
#[derive(Eq, Hash, PartialOrd, Ord)]
pub enum Pubkey {
    Ed25519(Binary),
}
