//! Bond-based consumer safety: when an unbonding entry may leave the provider.
//!
//! An entry records the consumers that were running when it was created. It is released once
//! the provider's unbonding period has passed and each of those consumers has matured a vscId
//! at or after the entry's, or has stopped. Maturity is a comparison against each consumer's
//! `last_matured_vsc_id`, so a VSC-matured packet costs O(1) and a release costs O(consumers
//! of that entry): nothing scans all entries.

use cosmwasm_std::{Env, StdResult, Storage};

use crate::msg::{Config, ConsumerPhase};
use crate::state::consumers::CONSUMER_LINKS;
use crate::state::staking::UnbondingEntry;

/// The consumers whose maturity `entry` still waits for.
pub fn pending_consumers(storage: &dyn Storage, entry: &UnbondingEntry) -> StdResult<Vec<u64>> {
    let mut pending = Vec::new();
    for id in &entry.waiting_on {
        if let Some(consumer) = CONSUMER_LINKS.may_load(storage, *id)? {
            if consumer.phase == ConsumerPhase::Launched
                && consumer.last_matured_vsc_id < entry.vsc_id
            {
                pending.push(*id);
            }
        }
    }
    Ok(pending)
}

pub fn is_released(
    storage: &dyn Storage,
    config: &Config,
    env: &Env,
    entry: &UnbondingEntry,
) -> StdResult<bool> {
    if env.block.time < entry.completes_at {
        return Ok(false);
    }
    if !config.wait_for_consumer_maturity {
        return Ok(true);
    }
    Ok(pending_consumers(storage, entry)?.is_empty())
}
