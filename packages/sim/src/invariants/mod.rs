//! The properties of DESIGN.md §7, checked after every step of a simulated network.
//!
//! - [`log`]: follows the IBC event log incrementally into a [`ChannelHistory`] per consumer,
//!   checking the properties that are about single events as they are read.
//! - [`properties`]: every property as a pure function, each shown to catch a violation.
//! - this module: [`InvariantChecker`], which compares what the log says with what the
//!   contracts and the chains' consensus say about themselves. Every check keeps its own
//!   incremental state, so a step costs what changed in it, not the whole history.
//!
//! A violation is an error that names the step, the chain and the diverging state.

pub mod log;
pub mod properties;

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{anyhow, Context, Result};
use cosmwasm_std::Timestamp;
use cw_ics_consumer::msg as consumer_msg;
use cw_ics_ibc_sim::contract_port;
use cw_ics_provider::msg as provider_msg;

pub use log::ChannelHistory;
use log::Routing;
use properties::{
    chain_follows_the_replicated_set, consumer_ran_the_entry_for_its_unbonding,
    consumer_was_waited_on, double_sign_packets_within_infractions, height_maps_to_its_set,
    provider_slashing_warranty, released_entries_were_matured, validator_set_replication,
    HaltWatch, PowerMap,
};

use crate::network::{ConsumerHandle, Network, ProviderHandle};

/// Page size of the checker's paginated queries.
const PAGE: u32 = 100;

/// What the checker remembers about one consumer besides its channel history.
#[derive(Default, Debug)]
struct ConsumerWatch {
    /// The first consumer time the consumer was seen running each vscId.
    vsc_seen_at: BTreeMap<u64, Timestamp>,
    /// The last recorded height whose set was checked (heights are final once passed).
    checked_height: Option<u64>,
    halt: HaltWatch,
    /// How many of the history's handled slashes were matched with slash log records.
    slashes_recorded: usize,
}

/// Checks one provider and its consumers.
#[derive(Default, Debug)]
pub struct InvariantChecker {
    /// Index of the provider in `Network::providers`.
    provider: usize,
    cursor: usize,
    histories: BTreeMap<String, ChannelHistory>,
    watches: BTreeMap<String, ConsumerWatch>,
    /// The id of the last slash log record read.
    last_slash_record: Option<u64>,
    /// Unbonding entries already seen released.
    released: BTreeSet<u64>,
    /// Per staker, the last entry up to which all of theirs were seen released: the next
    /// step reads from there, so its cost follows the entries still unbonding.
    released_through: BTreeMap<cosmwasm_std::Addr, u64>,
}

impl InvariantChecker {
    pub fn new(provider: usize) -> Self {
        InvariantChecker {
            provider,
            ..InvariantChecker::default()
        }
    }

    /// What the event log says happened on `chain_id`'s CCV channel (once it is deployed).
    pub fn history(&self, chain_id: &str) -> Option<&ChannelHistory> {
        self.histories.get(chain_id)
    }

    fn provider<'n>(&self, net: &'n Network) -> Result<&'n ProviderHandle> {
        net.providers
            .get(self.provider)
            .ok_or_else(|| anyhow!("no provider {}", self.provider))
    }

    fn deployed<'n>(&self, net: &'n Network) -> impl Iterator<Item = &'n ConsumerHandle> {
        let provider = self.provider;
        net.consumers
            .iter()
            .filter(move |c| c.provider == provider && c.contract.is_some())
    }

    /// Checks every property; call after each step.
    pub fn check(&mut self, net: &Network) -> Result<()> {
        let step = net.step;
        self.follow_log(net)
            .with_context(|| format!("step {step}"))?;
        let consumers: Vec<&ConsumerHandle> = self.deployed(net).collect();
        for consumer in consumers {
            self.check_consumer(net, consumer)
                .with_context(|| format!("step {step}: on {}", consumer.spec.chain_id))?;
        }
        let provider_chain = &self.provider(net)?.chain_id;
        self.check_provider_slashes(net)
            .with_context(|| format!("step {step}: on {provider_chain}"))?;
        self.check_bond_based_safety(net)
            .with_context(|| format!("step {step}: on {provider_chain}"))?;
        Ok(())
    }

    /// Reads the new log entries into the consumers' histories (started from the genesis set
    /// the provider served, once each consumer is deployed).
    fn follow_log(&mut self, net: &Network) -> Result<()> {
        let provider = self.provider(net)?;
        let consumers: Vec<&ConsumerHandle> = self.deployed(net).collect();
        for consumer in &consumers {
            if self.histories.contains_key(&consumer.spec.chain_id) {
                continue;
            }
            let genesis: cw_ics_ccv::ConsumerGenesis = net.query_provider_of(
                provider,
                &provider_msg::QueryMsg::ConsumerGenesis {
                    consumer_id: consumer.consumer_id,
                },
            )?;
            let set = genesis
                .initial_validator_set
                .iter()
                .map(|v| (v.pub_key.bytes().to_vec(), v.power))
                .collect();
            self.histories.insert(
                consumer.spec.chain_id.clone(),
                ChannelHistory::from_genesis(set),
            );
        }
        let provider_port = contract_port(&provider.contract);
        let by_provider_channel: BTreeMap<String, String> = consumers
            .iter()
            .filter_map(|c| {
                c.path
                    .as_ref()
                    .map(|path| (path.b.channel_id.clone(), c.spec.chain_id.clone()))
            })
            .collect();
        let deployed: BTreeSet<String> =
            consumers.iter().map(|c| c.spec.chain_id.clone()).collect();
        let routing = Routing {
            provider_chain_id: &provider.chain_id,
            provider_port: &provider_port,
            by_provider_channel: &by_provider_channel,
            deployed: &deployed,
            consumer_unbonding: net.params.consumer_unbonding,
        };
        let events = net.coordinator.event_log().since(self.cursor);
        self.cursor += events.len();
        log::follow(&mut self.histories, &events, &routing)
    }

    fn check_consumer(&mut self, net: &Network, consumer: &ConsumerHandle) -> Result<()> {
        let chain_id = &consumer.spec.chain_id;
        let history = self
            .histories
            .get_mut(chain_id)
            .ok_or_else(|| anyhow!("no history for {chain_id}"))?;
        let watch = self.watches.entry(chain_id.clone()).or_default();
        let chain = net.chain(chain_id)?;

        let current: consumer_msg::ValidatorSetResponse =
            net.query_consumer(chain_id, &consumer_msg::QueryMsg::CurrentSet {})?;
        let held = as_power_map(&current);
        watch
            .vsc_seen_at
            .entry(current.vsc_id)
            .or_insert(chain.time());
        validator_set_replication(&history.sent_sets, current.vsc_id, &held)?;
        check_recorded_heights(net, chain_id, chain.height(), history, watch)?;

        if let (Some(synced), Some(consensus)) =
            (consumer.synced_vsc_id, net.consensus.get(chain_id))
        {
            chain_follows_the_replicated_set(
                &consensus.scheduled_set(),
                history.sent_sets.get(&synced),
            )
            .with_context(|| format!("the consumer held vscId {synced} at the last end block"))?;
        }

        let status: consumer_msg::StatusResponse =
            net.query_consumer(chain_id, &consumer_msg::QueryMsg::Status {})?;
        watch.halt.check(status.halted.is_some(), &held)?;

        for address in std::mem::take(&mut history.double_signs_to_check) {
            let infractions = net.consensus.get(chain_id).map_or(0, |consensus| {
                consensus
                    .evidence_log
                    .iter()
                    .filter(|evidence| evidence.public_key.consensus_address() == address)
                    .count()
            });
            let packets = history
                .double_sign_packets
                .get(&address)
                .copied()
                .unwrap_or(0);
            double_sign_packets_within_infractions(packets, infractions)
                .with_context(|| format!("validator {address}"))?;
        }
        Ok(())
    }

    /// Provider slashing warranty: the slash log records new since the last step are, per
    /// consumer, exactly the slash packets it answered as handled since then.
    fn check_provider_slashes(&mut self, net: &Network) -> Result<()> {
        let provider = self.provider(net)?;
        let mut new_records: BTreeMap<u64, Vec<provider_msg::SlashRecord>> = BTreeMap::new();
        let last_slash_record = &mut self.last_slash_record;
        for_each_page(
            *last_slash_record,
            |start_after| {
                let page: provider_msg::SlashLogResponse = net.query_provider_of(
                    provider,
                    &provider_msg::QueryMsg::SlashLog {
                        start_after,
                        limit: Some(PAGE),
                    },
                )?;
                Ok(page.records)
            },
            |record| record.id,
            |record| {
                *last_slash_record = Some(record.id);
                new_records
                    .entry(record.consumer_id)
                    .or_default()
                    .push(record);
                Ok(true)
            },
        )?;
        let consumers: Vec<&ConsumerHandle> = net
            .consumers
            .iter()
            .filter(|c| c.provider == self.provider)
            .collect();
        for consumer_id in new_records.keys() {
            if !consumers.iter().any(|c| c.consumer_id == *consumer_id) {
                return Err(anyhow!(
                    "provider slashing warranty: slash log records for consumer {consumer_id}, which has no channel history"
                ));
            }
        }
        for consumer in consumers {
            let chain_id = &consumer.spec.chain_id;
            let Some(history) = self.histories.get(chain_id) else {
                continue;
            };
            let watch = self.watches.entry(chain_id.clone()).or_default();
            let records = new_records
                .remove(&consumer.consumer_id)
                .unwrap_or_default();
            let handled = history
                .slashes_handled
                .get(watch.slashes_recorded..)
                .unwrap_or_default();
            provider_slashing_warranty(&records, handled)
                .with_context(|| format!("slashes from {chain_id}"))?;
            watch.slashes_recorded = history.slashes_handled.len();
        }
        Ok(())
    }

    /// Bond-based consumer safety on the provider: each unbonding entry newly seen released
    /// was due, and every consumer it had to wait for matured its vscId (as the provider
    /// recorded it, and as the consumer actually ran it).
    fn check_bond_based_safety(&mut self, net: &Network) -> Result<()> {
        let provider = self.provider(net)?;
        let provider_now = net.chain(&provider.chain_id)?.time();
        let mut newly_released = vec![];
        let released = &mut self.released;
        for staker in &provider.stakers {
            let mut all_released_so_far = true;
            let released_through = &mut self.released_through;
            for_each_page(
                released_through.get(staker).copied(),
                |start_after| {
                    let page: provider_msg::UnbondingsResponse = net.query_provider_of(
                        provider,
                        &provider_msg::QueryMsg::Unbondings {
                            staker: staker.to_string(),
                            start_after,
                            limit: Some(PAGE),
                        },
                    )?;
                    Ok(page.unbondings)
                },
                |entry| entry.id,
                |entry| {
                    all_released_so_far &= entry.released;
                    if all_released_so_far {
                        released_through.insert(staker.clone(), entry.id);
                    }
                    if entry.released && released.insert(entry.id) {
                        newly_released.push(entry);
                    }
                    Ok(true)
                },
            )?;
        }
        if newly_released.is_empty() {
            return Ok(());
        }
        let consumers: Vec<&ConsumerHandle> = net
            .consumers
            .iter()
            .filter(|c| c.provider == self.provider)
            .collect();
        for consumer in consumers {
            let chain_id = &consumer.spec.chain_id;
            let state: provider_msg::ConsumerResponse = net.query_provider_of(
                provider,
                &provider_msg::QueryMsg::Consumer {
                    consumer_id: consumer.consumer_id,
                },
            )?;
            released_entries_were_matured(&newly_released, &state, provider_now)
                .with_context(|| format!("waiting on {chain_id}"))?;
            let Some(watch) = self.watches.get(chain_id) else {
                continue;
            };
            let consumer_now = net.chain(chain_id)?.time();
            for entry in newly_released
                .iter()
                .filter(|entry| consumer_was_waited_on(entry, &state))
            {
                consumer_ran_the_entry_for_its_unbonding(
                    entry,
                    &watch.vsc_seen_at,
                    consumer_now,
                    net.params.consumer_unbonding,
                )
                .with_context(|| format!("waiting on {chain_id}"))?;
            }
        }
        Ok(())
    }
}

/// Replication at every recorded height: each height the consumer recorded since the last
/// check (up to the current one; later ones can still change) names a vscId whose set the
/// consumer holds as the provider sent it.
fn check_recorded_heights(
    net: &Network,
    chain_id: &str,
    height: u64,
    history: &ChannelHistory,
    watch: &mut ConsumerWatch,
) -> Result<()> {
    for_each_page(
        watch.checked_height,
        |start_after| {
            let page: consumer_msg::HeightToVscIdsResponse = net.query_consumer(
                chain_id,
                &consumer_msg::QueryMsg::HeightToVscIds {
                    start_after,
                    limit: Some(PAGE),
                },
            )?;
            Ok(page.entries)
        },
        |entry| entry.height,
        |entry| {
            if entry.height > height {
                return Ok(false);
            }
            let at: consumer_msg::ValidatorSetResponse = net.query_consumer(
                chain_id,
                &consumer_msg::QueryMsg::SetAtHeight {
                    height: entry.height,
                },
            )?;
            height_maps_to_its_set(entry.height, entry.vsc_id, at.vsc_id)?;
            validator_set_replication(&history.sent_sets, at.vsc_id, &as_power_map(&at))
                .with_context(|| format!("the set in force at height {}", entry.height))?;
            watch.checked_height = Some(entry.height);
            Ok(true)
        },
    )
}

/// Reads a paginated query (pages of [`PAGE`]) from `start_after` on, handing each item to
/// `visit` until it returns false or the pages run out.
fn for_each_page<T>(
    mut start_after: Option<u64>,
    fetch: impl Fn(Option<u64>) -> Result<Vec<T>>,
    key: impl Fn(&T) -> u64,
    mut visit: impl FnMut(T) -> Result<bool>,
) -> Result<()> {
    loop {
        let page = fetch(start_after)?;
        let full = page.len() == PAGE as usize;
        for item in page {
            start_after = Some(key(&item));
            if !visit(item)? {
                return Ok(());
            }
        }
        if !full {
            return Ok(());
        }
    }
}

fn as_power_map(set: &consumer_msg::ValidatorSetResponse) -> PowerMap {
    set.validators
        .iter()
        .map(|v| (v.pub_key.bytes().to_vec(), v.power))
        .collect()
}
