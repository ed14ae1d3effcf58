//! The stake ledger in storage: validators, delegations, unbonding entries, the entries each
//! (staker, validator) pair holds, entry-slash jobs and the consumers' maturity floors.
//!
//! A validator is kept in two records. Its identity (consensus key, moniker, commission) is
//! written when it registers or edits its description, and is indexed by consensus address
//! (`validators()`, an `IndexedMap` with a unique index): a slash packet names a validator by
//! that address. Its stake and standing (`Stake`) are rewritten by every bond, unbond, slash and
//! unjail; keeping them out of the indexed record spares each of those writes the index's
//! upkeep (a reload, a delete and a second full copy of the record under the index key).

use cosmwasm_std::{Addr, Decimal, Empty, Timestamp, Uint128};
use cw_ics_ccv::PublicKey;
use cw_storage_plus::{Index, IndexList, IndexedMap, Item, Map, UniqueIndex};
use serde::{Deserialize, Serialize};

use super::{is_default, ns};
use crate::msg::EntrySlash;

/// A validator's identity, fixed but for its description.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Validator {
    #[serde(rename = "k")]
    pub pub_key: PublicKey,
    #[serde(rename = "m")]
    pub moniker: String,
    #[serde(rename = "c")]
    pub commission: Decimal,
}

pub struct ValidatorIndexes<'a> {
    /// Consensus addresses are unique: a second validator with the same key is refused.
    pub consensus_address: UniqueIndex<'a, Vec<u8>, Validator, Addr>,
}

impl IndexList<Validator> for ValidatorIndexes<'_> {
    fn get_indexes(&self) -> Box<dyn Iterator<Item = &'_ dyn Index<Validator>> + '_> {
        let indexes: Vec<&dyn Index<Validator>> = vec![&self.consensus_address];
        Box::new(indexes.into_iter())
    }
}

fn consensus_address(validator: &Validator) -> Vec<u8> {
    validator.pub_key.consensus_address().as_bytes().to_vec()
}

/// Validators by operator, indexed by consensus address.
pub fn validators<'a>() -> IndexedMap<&'a Addr, Validator, ValidatorIndexes<'a>> {
    IndexedMap::new(
        ns::VALIDATORS,
        ValidatorIndexes {
            consensus_address: UniqueIndex::new(
                consensus_address,
                ns::VALIDATOR_BY_CONSENSUS_ADDRESS,
            ),
        },
    )
}

/// A validator's bonded tokens and standing.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Stake {
    /// Bonded tokens (after slashing).
    #[serde(rename = "t")]
    pub tokens: Uint128,
    /// Delegation shares issued against `tokens`.
    #[serde(rename = "s")]
    pub shares: Uint128,
    #[serde(rename = "j", default, skip_serializing_if = "Option::is_none")]
    pub jailed_until: Option<Timestamp>,
    #[serde(rename = "x", default, skip_serializing_if = "is_default")]
    pub tombstoned: bool,
}

pub const STAKES: Map<&Addr, Stake> = Map::new(ns::STAKES);

/// Delegation shares by (staker, validator operator).
pub const DELEGATIONS: Map<(&Addr, &Addr), Uint128> = Map::new(ns::DELEGATIONS);

/// An unbonding entry; its staker and id are its key.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct UnbondingEntry {
    #[serde(rename = "v")]
    pub validator: Addr,
    #[serde(rename = "a")]
    pub initial_amount: Uint128,
    /// What is left to pay after slashing.
    #[serde(rename = "b")]
    pub balance: Uint128,
    #[serde(rename = "h")]
    pub created_height: u64,
    #[serde(rename = "n")]
    pub vsc_id: u64,
    #[serde(rename = "t")]
    pub completes_at: Timestamp,
}

/// Unbonding entries by (staker, id): a staker's entries are one range, in id order, and an id
/// names an entry only together with its staker.
pub const UNBONDINGS: Map<(&Addr, u64), UnbondingEntry> = Map::new(ns::UNBONDINGS);
pub const NEXT_UNBONDING_ID: Item<u64> = Item::new(ns::NEXT_UNBONDING_ID);

/// Entries by (validator, created height, id) → staker, so a slash reaches the entries created
/// at or after the infraction height without scanning older ones. Kept by hand rather than as
/// an index of `UNBONDINGS`: an entry's key here never changes, while a slash rewrites the
/// entry, and an `IndexedMap` would rewrite its index key with it.
pub const UNBONDINGS_BY_VALIDATOR: Map<(&Addr, u64, u64), Addr> =
    Map::new(ns::UNBONDINGS_BY_VALIDATOR);

/// Entries held per (staker, validator operator): `unbond` refuses one more than
/// `max_unbonding_entries`, `withdraw` frees the slots of the entries it pays.
pub const UNBONDING_COUNTS: Map<(&Addr, &Addr), u32> = Map::new(ns::UNBONDING_COUNTS);

/// Entry-slash jobs by id: the id orders them, and they are worked through in that order, so an
/// entry two jobs cover is always cut by the older one first.
pub const ENTRY_SLASHES: Map<u64, EntrySlash> = Map::new(ns::ENTRY_SLASHES);
/// (validator operator, job id) → `Empty`: the pending jobs of a validator, which a withdraw
/// applies to the entry it pays before paying it.
pub const ENTRY_SLASHES_BY_VALIDATOR: Map<(&Addr, u64), Empty> =
    Map::new(ns::ENTRY_SLASHES_BY_VALIDATOR);
pub const NEXT_ENTRY_SLASH_ID: Item<u64> = Item::new(ns::NEXT_ENTRY_SLASH_ID);

/// (vscId, entry id) → the consumer: every launched consumer at its maturity floor, the place
/// in (vscId, entry id) order up to which it holds no unbonding entry. The smallest key decides
/// whether an entry may be released (see `maturity`); keys are moved, never scanned.
pub const MATURITY: Map<(u64, u64, u64), Empty> = Map::new(ns::MATURITY);
