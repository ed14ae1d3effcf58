//! A whole shared-security network: one provider chain, any number of consumer chains, the
//! real contracts on each, simulated validators, and a relayer — built in a few lines and
//! advanced block by block.
//!
//! ```text
//! let mut net = NetworkBuilder::new().validators(4).consumer("consumer-1", 3).build()?;
//! net.run_blocks(100)?;                     // every chain produces 100 blocks, relayer on
//! net.set_offline(2, "consumer-1", 150);    // validator 2 stops signing there
//! net.unbond(0, 10_000_000)?;               // a staker leaves
//! ```

use std::collections::BTreeMap;

use anyhow::{anyhow, bail, Context, Result};
use cosmwasm_std::{coin, Addr, Decimal, IbcOrder, Timestamp, Uint128};
use cw_ics_ccv::{ConsumerGenesis, PublicKey, CCV_VERSION};
use cw_ics_consumer::msg as consumer_msg;
use cw_ics_ibc_sim::{contract_port, ChainConfig, Connection, Coordinator, Path};
use cw_ics_provider::msg as provider_msg;

use crate::block::{produce_block, promote, BlockOutcome, TwasmChain};
use crate::consensus::Consensus;
use crate::contracts::{consumer_code, provider_code};
use crate::invariants::InvariantChecker;
use crate::validators::SimValidator;
use cw_ics_bindings::multitest::TwasmModule;

pub const BOND_DENOM: &str = "stake";
pub const POWER_REDUCTION: u128 = 1_000_000;

/// The protocol parameters of a simulated network (seconds unless named otherwise).
#[derive(Clone, Debug)]
pub struct Params {
    pub block_time: u64,
    pub epoch_length_blocks: u64,
    pub max_validators: u32,
    pub provider_unbonding: u64,
    pub consumer_unbonding: u64,
    pub init_timeout: u64,
    pub vsc_timeout: u64,
    pub ccv_timeout: u64,
    pub downtime_jail: u64,
    pub downtime_slash_fraction: Decimal,
    pub double_sign_slash_fraction: Decimal,
    pub signed_blocks_window: u64,
    pub min_signed_per_window: Decimal,
    pub retry_delay: u64,
    /// Slash throttling: the share of the active set's power jailed per period (1: the whole
    /// set, so scenarios not about throttling are not throttled).
    pub slash_meter_replenish_fraction: Decimal,
    pub slash_meter_replenish_period: u64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            block_time: 60,
            epoch_length_blocks: 5,
            max_validators: 100,
            provider_unbonding: 6 * 3600,
            consumer_unbonding: 4 * 3600,
            init_timeout: 2 * 3600,
            vsc_timeout: 24 * 3600,
            ccv_timeout: 28 * 24 * 3600,
            downtime_jail: 3600,
            downtime_slash_fraction: Decimal::zero(),
            double_sign_slash_fraction: Decimal::percent(5),
            signed_blocks_window: 100,
            min_signed_per_window: Decimal::percent(50),
            retry_delay: 600,
            slash_meter_replenish_fraction: Decimal::one(),
            slash_meter_replenish_period: 3600,
        }
    }
}

/// A consumer chain the builder registers on the provider.
#[derive(Clone, Debug)]
pub struct ConsumerSpec {
    pub chain_id: String,
    /// The chain whose provider contract this consumer borrows security from.
    pub provider_chain_id: String,
    /// Provider blocks after start at which the consumer's spawn time falls.
    pub spawn_after_blocks: u64,
    /// False for a consumer whose operators never open the CCV channel.
    pub opens_channel: bool,
    /// False for a consumer its chain never promotes: it runs as an oracle (replicates the
    /// set, drives no chain, gets no block hooks), and a keeper calls its permissionless
    /// `tick {}` after each of its chain's blocks instead. Its chain keeps a fixed set.
    pub promoted: bool,
}

/// When the relayer relays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RelayerPolicy {
    /// After every block.
    AlwaysOn,
    /// After every n-th block.
    EveryNBlocks(u64),
    /// Not at all until the given step, then always on.
    DownUntil(u64),
    /// Only when the scenario calls [`Network::relay`] or [`Network::relay_next_packet`].
    Manual,
}

pub struct NetworkBuilder {
    provider_chain_id: String,
    /// Chains that host a provider contract besides the first provider chain (a chain can be
    /// a consumer of one provider and the provider of other consumers: a mesh).
    more_providers: Vec<String>,
    validators: Vec<u128>,
    consumers: Vec<ConsumerSpec>,
    params: Params,
}

impl Default for NetworkBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl NetworkBuilder {
    pub fn new() -> Self {
        NetworkBuilder {
            provider_chain_id: "provider-1".to_string(),
            more_providers: vec![],
            validators: vec![],
            consumers: vec![],
            params: Params::default(),
        }
    }

    pub fn provider_chain_id(mut self, chain_id: &str) -> Self {
        self.provider_chain_id = chain_id.to_string();
        self
    }

    /// `n` validators with decreasing self-bonded stakes (power n, n-1, … 1 × 10).
    pub fn validators(mut self, n: usize) -> Self {
        self.validators = (0..n)
            .map(|i| ((n - i) as u128) * 10 * POWER_REDUCTION)
            .collect();
        self
    }

    /// Validators with these self-bonded stakes (in tokens).
    pub fn validator_stakes(mut self, stakes: &[u128]) -> Self {
        self.validators = stakes.to_vec();
        self
    }

    /// A consumer of the first provider, spawning `spawn_after_blocks` after the start.
    pub fn consumer(self, chain_id: &str, spawn_after_blocks: u64) -> Self {
        let provider = self.provider_chain_id.clone();
        self.consumer_of(&provider, chain_id, spawn_after_blocks)
    }

    /// A consumer of the provider contract on `provider_chain_id`.
    pub fn consumer_of(
        mut self,
        provider_chain_id: &str,
        chain_id: &str,
        spawn_after_blocks: u64,
    ) -> Self {
        self.consumers.push(ConsumerSpec {
            chain_id: chain_id.to_string(),
            provider_chain_id: provider_chain_id.to_string(),
            spawn_after_blocks,
            opens_channel: true,
            promoted: true,
        });
        self
    }

    /// Another provider contract, on `chain_id` (which may be a consumer chain itself).
    pub fn provider_on(mut self, chain_id: &str) -> Self {
        self.more_providers.push(chain_id.to_string());
        self
    }

    /// A consumer of the first provider that its chain never promotes (see
    /// [`ConsumerSpec::promoted`]).
    pub fn oracle_consumer(mut self, chain_id: &str, spawn_after_blocks: u64) -> Self {
        self.consumers.push(ConsumerSpec {
            chain_id: chain_id.to_string(),
            provider_chain_id: self.provider_chain_id.clone(),
            spawn_after_blocks,
            opens_channel: true,
            promoted: false,
        });
        self
    }

    /// A consumer that launches but whose channel is never opened.
    pub fn silent_consumer(mut self, chain_id: &str, spawn_after_blocks: u64) -> Self {
        self.consumers.push(ConsumerSpec {
            chain_id: chain_id.to_string(),
            provider_chain_id: self.provider_chain_id.clone(),
            spawn_after_blocks,
            opens_channel: false,
            promoted: true,
        });
        self
    }

    pub fn params(mut self, params: Params) -> Self {
        self.params = params;
        self
    }

    pub fn build(self) -> Result<Network> {
        if self.validators.is_empty() {
            bail!("a network needs at least one validator");
        }
        let params = self.params;
        let mut coordinator = Coordinator::<TwasmModule>::new_custom();
        let provider_chains: Vec<String> = std::iter::once(self.provider_chain_id.clone())
            .chain(self.more_providers.iter().cloned())
            .collect();
        let mut chain_order: Vec<String> = vec![];
        for chain_id in provider_chains
            .iter()
            .chain(self.consumers.iter().map(|c| &c.chain_id))
        {
            if !chain_order.contains(chain_id) {
                chain_order.push(chain_id.clone());
            }
        }
        // A chain that consumes security runs the consumer contract's set; the others have
        // their own, fixed validator set.
        let consumer_chains: Vec<&String> = self.consumers.iter().map(|c| &c.chain_id).collect();
        for spec in &self.consumers {
            if !provider_chains.contains(&spec.provider_chain_id) {
                bail!(
                    "{} consumes from {}, which hosts no provider",
                    spec.chain_id,
                    spec.provider_chain_id
                );
            }
        }
        for chain_id in &chain_order {
            let prefix = if consumer_chains.contains(&chain_id) {
                "consumer"
            } else {
                "cosmos"
            };
            coordinator
                .add_chain(ChainConfig::new(chain_id, prefix).with_block_time(params.block_time))
                .map_err(|e| anyhow!("{e}"))?;
        }

        let validators: Vec<SimValidator> = (0..self.validators.len())
            .map(|i| SimValidator::new(format!("val-{i}")))
            .collect();
        let mut providers = vec![];
        for chain_id in &provider_chains {
            providers.push(deploy_provider(
                &mut coordinator,
                chain_id,
                &params,
                &validators,
                &self.validators,
            )?);
        }

        let mut consensus = BTreeMap::new();
        for chain_id in &chain_order {
            let initial: Vec<(PublicKey, u64)> = if consumer_chains.contains(&chain_id) {
                vec![]
            } else {
                validators
                    .iter()
                    .zip(&self.validators)
                    .map(|(v, stake)| (v.public_key(), (*stake / POWER_REDUCTION) as u64))
                    .collect()
            };
            let mut engine = Consensus::new(chain_id, initial);
            for validator in &validators {
                engine.add_signer(validator.clone());
            }
            consensus.insert(chain_id.clone(), engine);
        }

        let mut consumers = vec![];
        for spec in self.consumers {
            let provider = providers
                .iter()
                .position(|p: &ProviderHandle| p.chain_id == spec.provider_chain_id)
                .ok_or_else(|| anyhow!("no provider on {}", spec.provider_chain_id))?;
            let connection = coordinator
                .setup_connection(&spec.chain_id, &spec.provider_chain_id)
                .map_err(|e| anyhow!("{e}"))?;
            let start_time = providers[provider].start_time;
            let registration = provider_msg::ConsumerRegistration {
                chain_id: spec.chain_id.clone(),
                spawn_time: start_time.plus_seconds(spec.spawn_after_blocks * params.block_time),
                unbonding_period_seconds: params.consumer_unbonding,
                connection_id: connection.b.connection_id.clone(),
                counterparty_connection_id: connection.a.connection_id.clone(),
                counterparty_port_id: None,
                ccv_timeout_seconds: None,
                init_timeout_seconds: None,
                vsc_timeout_seconds: None,
                retry_delay_seconds: params.retry_delay,
                signed_blocks_window: params.signed_blocks_window,
                min_signed_per_window: params.min_signed_per_window,
                valcons_prefix: "consumervalcons".to_string(),
                infraction_parameters: None,
            };
            let handle = &providers[provider];
            let chain = coordinator
                .chain_mut(&handle.chain_id)
                .map_err(|e| anyhow!("{e}"))?;
            let response = chain
                .execute(
                    &handle.admin,
                    &handle.contract,
                    &provider_msg::ExecuteMsg::RegisterConsumer(registration),
                    &[],
                )
                .map_err(|e| anyhow!("registering {}: {e}", spec.chain_id))?;
            let consumer_id = response
                .events
                .iter()
                .flat_map(|event| event.attributes.iter())
                .find(|attribute| attribute.key == "consumer_id")
                .and_then(|attribute| attribute.value.parse::<u64>().ok())
                .ok_or_else(|| anyhow!("the provider did not report the consumer id"))?;
            consumers.push(ConsumerHandle {
                spec,
                provider,
                consumer_id,
                connection,
                contract: None,
                path: None,
                synced_vsc_id: None,
            });
        }

        let checkers = (0..providers.len()).map(InvariantChecker::new).collect();
        Ok(Network {
            coordinator,
            params,
            providers,
            validators,
            consumers,
            consensus,
            chain_order,
            relayer: RelayerPolicy::AlwaysOn,
            step: 0,
            history: vec![],
            invariants: Some(checkers),
        })
    }
}

/// Instantiates a provider contract on `chain_id`, promotes it (it asks to be an end
/// blocker), and registers and self-bonds every validator on it.
fn deploy_provider(
    coordinator: &mut Coordinator<TwasmModule>,
    chain_id: &str,
    params: &Params,
    validators: &[SimValidator],
    stakes: &[u128],
) -> Result<ProviderHandle> {
    let chain = coordinator
        .chain_mut(chain_id)
        .map_err(|e| anyhow!("{e}"))?;
    let admin = chain.addr_make("admin");
    let code = chain.store_code(provider_code());
    let contract = chain
        .instantiate(
            code,
            &admin,
            &provider_instantiate(&admin, params),
            &[],
            "cw-ics provider",
        )
        .map_err(|e| anyhow!("instantiating the provider on {chain_id}: {e}"))?;
    promote(chain, &contract).map_err(|e| anyhow!("promoting the provider: {e}"))?;
    let mut operators = vec![];
    for (validator, stake) in validators.iter().zip(stakes) {
        let operator = chain.addr_make(&format!("operator-{}", validator.name));
        chain
            .mint(&operator, vec![coin(*stake, BOND_DENOM)])
            .map_err(|e| anyhow!("{e}"))?;
        chain
            .execute(
                &operator,
                &contract,
                &provider_msg::ExecuteMsg::RegisterValidator {
                    pub_key: validator.public_key(),
                    moniker: validator.name.clone(),
                    commission: Decimal::percent(5),
                },
                &[],
            )
            .map_err(|e| anyhow!("registering {}: {e}", validator.name))?;
        chain
            .execute(
                &operator,
                &contract,
                &provider_msg::ExecuteMsg::Bond {
                    validator: operator.to_string(),
                },
                &[coin(*stake, BOND_DENOM)],
            )
            .map_err(|e| anyhow!("bonding to {}: {e}", validator.name))?;
        operators.push(operator);
    }
    Ok(ProviderHandle {
        chain_id: chain_id.to_string(),
        contract,
        admin,
        start_time: chain.time(),
        stakers: operators.clone(),
        operators,
    })
}

fn provider_instantiate(admin: &Addr, params: &Params) -> provider_msg::InstantiateMsg {
    provider_msg::InstantiateMsg {
        admin: Some(admin.to_string()),
        config: provider_msg::Config {
            bond_denom: BOND_DENOM.to_string(),
            power_reduction: Uint128::new(POWER_REDUCTION),
            unbonding_period_seconds: params.provider_unbonding,
            epoch_length_blocks: params.epoch_length_blocks,
            max_validators: params.max_validators,
            consumer_registration: provider_msg::RegistrationPolicy::AdminOnly,
            ccv_timeout_seconds: params.ccv_timeout,
            init_timeout_seconds: params.init_timeout,
            vsc_timeout_seconds: params.vsc_timeout,
            downtime_jail_seconds: params.downtime_jail,
            downtime_slash_fraction: params.downtime_slash_fraction,
            double_sign_slash_fraction: params.double_sign_slash_fraction,
            slashed_tokens: provider_msg::SlashedTokens::Burn {},
            wait_for_consumer_maturity: true,
            max_epoch_work: provider_msg::DEFAULT_MAX_EPOCH_WORK,
            max_unbonding_entries: provider_msg::DEFAULT_MAX_UNBONDING_ENTRIES,
            slash_meter_replenish_fraction: params.slash_meter_replenish_fraction,
            slash_meter_replenish_period_seconds: params.slash_meter_replenish_period,
            max_ccv_timeout_seconds: provider_msg::defaults::max_ccv_timeout_seconds(),
            max_init_timeout_seconds: provider_msg::defaults::max_init_timeout_seconds(),
            max_vsc_timeout_seconds: provider_msg::defaults::max_vsc_timeout_seconds(),
            max_retry_delay_seconds: provider_msg::defaults::max_retry_delay_seconds(),
            max_jail_seconds: provider_msg::defaults::max_jail_seconds(),
            registration_deposit: provider_msg::defaults::registration_deposit(),
            max_pending_registrations_per_owner:
                provider_msg::defaults::max_pending_registrations_per_owner(),
        },
    }
}

#[derive(Clone, Debug)]
pub struct ProviderHandle {
    pub chain_id: String,
    pub contract: Addr,
    pub admin: Addr,
    pub start_time: Timestamp,
    /// Validator i's operator (and self-delegator) on this provider.
    pub operators: Vec<Addr>,
    /// Everyone who ever bonded here, whose unbonding entries the invariants follow.
    pub stakers: Vec<Addr>,
}

#[derive(Clone, Debug)]
pub struct ConsumerHandle {
    pub spec: ConsumerSpec,
    /// Index of its provider in `Network::providers`.
    pub provider: usize,
    pub consumer_id: u64,
    /// `a` is the consumer chain's side, `b` the provider's.
    pub connection: Connection,
    /// Once launched and deployed.
    pub contract: Option<Addr>,
    /// Once the CCV channel is open.
    pub path: Option<Path>,
    /// The vscId the consumer contract held at its chain's last end block: the chain's
    /// validator set is that vscId's set (None while the contract drives no chain).
    pub synced_vsc_id: Option<u64>,
}

/// What one step (one block on every chain, then the relayer) did.
#[derive(Clone, Debug, Default)]
pub struct StepReport {
    pub step: u64,
    pub blocks: Vec<(String, BlockOutcome)>,
    /// Consumers deployed from their genesis in this step.
    pub launched: Vec<String>,
    pub packets_relayed: usize,
    pub acks_relayed: usize,
    pub timeouts_relayed: usize,
}

/// The state of every chain and consumer at one step.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkSnapshot {
    pub step: u64,
    pub chains: BTreeMap<String, ChainSnapshot>,
    pub consumers: BTreeMap<String, ConsumerSnapshot>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ChainSnapshot {
    pub height: u64,
    pub time: Timestamp,
    /// Power by validator name of the set signing the chain's blocks.
    pub consensus_set: BTreeMap<String, u64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConsumerSnapshot {
    /// As its provider sees it.
    pub phase: provider_msg::ConsumerPhase,
    pub last_sent_vsc_id: u64,
    pub last_matured_vsc_id: u64,
    /// The vscId the consumer contract runs (None before it is deployed).
    pub applied_vsc_id: Option<u64>,
    pub halted: Option<String>,
}

/// A point of the voting-power history: a chain's consensus set after a step.
#[derive(Clone, Debug, PartialEq)]
pub struct PowerSample {
    pub step: u64,
    pub chain_id: String,
    pub height: u64,
    pub time: Timestamp,
    /// Power by validator name.
    pub powers: BTreeMap<String, u64>,
}

pub struct Network {
    pub coordinator: Coordinator<TwasmModule>,
    pub params: Params,
    /// Every provider; the first one is the one `bond`, `unbond`, `query_provider` … address.
    pub providers: Vec<ProviderHandle>,
    pub validators: Vec<SimValidator>,
    pub consumers: Vec<ConsumerHandle>,
    /// The consensus engine of each chain, by chain id.
    pub consensus: BTreeMap<String, Consensus>,
    /// The order chains produce their blocks in within a step.
    pub chain_order: Vec<String>,
    pub relayer: RelayerPolicy,
    pub step: u64,
    /// Each chain's consensus set whenever it changed.
    pub history: Vec<PowerSample>,
    /// The DESIGN.md §7 checks run after every step, one checker per provider (None:
    /// switched off, e.g. to time the contracts alone).
    pub invariants: Option<Vec<InvariantChecker>>,
}

impl Network {
    pub fn chain(&self, chain_id: &str) -> Result<&TwasmChain> {
        self.coordinator.chain(chain_id).map_err(|e| anyhow!("{e}"))
    }

    pub fn chain_mut(&mut self, chain_id: &str) -> Result<&mut TwasmChain> {
        self.coordinator
            .chain_mut(chain_id)
            .map_err(|e| anyhow!("{e}"))
    }

    pub fn consumer(&self, chain_id: &str) -> Result<&ConsumerHandle> {
        self.consumers
            .iter()
            .find(|consumer| consumer.spec.chain_id == chain_id)
            .ok_or_else(|| anyhow!("no consumer chain {chain_id}"))
    }

    pub fn validator_index(&self, name: &str) -> Result<usize> {
        self.validators
            .iter()
            .position(|validator| validator.name == name)
            .ok_or_else(|| anyhow!("no validator {name}"))
    }

    /// Runs `n` steps.
    pub fn run_blocks(&mut self, n: u64) -> Result<Vec<StepReport>> {
        (0..n).map(|_| self.step()).collect()
    }

    /// Runs as many steps as `seconds` of block time take.
    pub fn run_for(&mut self, seconds: u64) -> Result<Vec<StepReport>> {
        self.run_blocks(seconds.div_ceil(self.params.block_time.max(1)))
    }

    /// The CCV channel of the consumer on `chain_id` (`a`: the consumer's end).
    pub fn ccv_path(&self, chain_id: &str) -> Result<Path> {
        self.consumer(chain_id)?
            .path
            .clone()
            .ok_or_else(|| anyhow!("{chain_id} has no CCV channel"))
    }

    /// The relayer loses every packet now waiting on `chain_id`'s CCV channel, in both
    /// directions: they are never delivered (on an ordered channel they eventually time out).
    pub fn drop_pending_packets(&mut self, chain_id: &str) -> Result<usize> {
        let path = self.ccv_path(chain_id)?;
        let pending = self
            .coordinator
            .pending(&path)
            .map_err(|e| anyhow!("{e}"))?;
        let mut dropped = 0;
        for item in pending {
            if let cw_ics_ibc_sim::Pending::Packet { id, .. } = item {
                self.coordinator.drop_packet(&id);
                dropped += 1;
            }
        }
        Ok(dropped)
    }

    /// Every chain's state as the scenario sees it.
    pub fn snapshot(&self) -> Result<NetworkSnapshot> {
        let mut chains = BTreeMap::new();
        for chain_id in &self.chain_order {
            let chain = self.chain(chain_id)?;
            chains.insert(
                chain_id.clone(),
                ChainSnapshot {
                    height: chain.height(),
                    time: chain.time(),
                    consensus_set: self.consensus_powers(chain_id)?,
                },
            );
        }
        let mut consumers = BTreeMap::new();
        for consumer in &self.consumers {
            let provider = &self.providers[consumer.provider];
            let state: provider_msg::ConsumerResponse = self.query_provider_of(
                provider,
                &provider_msg::QueryMsg::Consumer {
                    consumer_id: consumer.consumer_id,
                },
            )?;
            let status: Option<consumer_msg::StatusResponse> =
                match consumer.contract {
                    Some(_) => Some(self.query_consumer(
                        &consumer.spec.chain_id,
                        &consumer_msg::QueryMsg::Status {},
                    )?),
                    None => None,
                };
            consumers.insert(
                consumer.spec.chain_id.clone(),
                ConsumerSnapshot {
                    phase: state.phase,
                    last_sent_vsc_id: state.last_sent_vsc_id,
                    last_matured_vsc_id: state.last_matured_vsc_id,
                    applied_vsc_id: status.as_ref().map(|s| s.last_vsc_id),
                    halted: status.and_then(|s| s.halted.map(|reason| reason.to_string())),
                },
            );
        }
        Ok(NetworkSnapshot {
            step: self.step,
            chains,
            consumers,
        })
    }

    /// One block on every chain (provider first), consumers launched when due, then the
    /// relayer as its policy says.
    pub fn step(&mut self) -> Result<StepReport> {
        self.step += 1;
        let mut report = StepReport {
            step: self.step,
            ..StepReport::default()
        };
        for chain_id in self.chain_order.clone() {
            let consensus = self
                .consensus
                .get_mut(&chain_id)
                .ok_or_else(|| anyhow!("no consensus for {chain_id}"))?;
            let chain = self
                .coordinator
                .chain_mut(&chain_id)
                .map_err(|e| anyhow!("{e}"))?;
            let outcome = produce_block(chain, consensus)
                .with_context(|| format!("producing a block on {chain_id}"))?;
            if let Some((contract, hook, error)) = outcome.failures.first() {
                bail!(
                    "{chain_id} h={}: {hook} of {contract} failed: {error}",
                    outcome.height
                );
            }
            if outcome.set_changed || self.step == 1 {
                self.record_powers(&chain_id)?;
            }
            self.record_synced_vsc_id(&chain_id)?;
            self.keeper_tick(&chain_id)?;
            report.blocks.push((chain_id, outcome));
        }
        report.launched = self.deploy_launched_consumers()?;
        let relay = match self.relayer {
            RelayerPolicy::AlwaysOn => true,
            RelayerPolicy::EveryNBlocks(n) => self.step.is_multiple_of(n),
            RelayerPolicy::DownUntil(step) => {
                if self.step >= step {
                    self.relayer = RelayerPolicy::AlwaysOn;
                    true
                } else {
                    false
                }
            }
            RelayerPolicy::Manual => false,
        };
        if relay {
            let summary = self.coordinator.relay_all().map_err(|e| anyhow!("{e}"))?;
            report.packets_relayed = summary.packets_received;
            report.acks_relayed = summary.acks_relayed;
            report.timeouts_relayed = summary.timeouts_relayed;
        }
        self.check_invariants()?;
        Ok(report)
    }

    /// Runs the DESIGN.md §7 checks now (each step does it unless they are switched off).
    pub fn check_invariants(&mut self) -> Result<()> {
        if let Some(mut checkers) = self.invariants.take() {
            let result = checkers
                .iter_mut()
                .try_for_each(|checker| checker.check(self));
            self.invariants = Some(checkers);
            result?;
        }
        Ok(())
    }

    /// After a block on `chain_id`: the keeper's `tick {}` of the oracle consumer there, if any
    /// (a chain that never promoted it calls none of its hooks).
    fn keeper_tick(&mut self, chain_id: &str) -> Result<()> {
        let is_deployed_oracle = self
            .consumers
            .iter()
            .any(|c| c.spec.chain_id == chain_id && !c.spec.promoted && c.contract.is_some());
        if is_deployed_oracle {
            self.consumer_tick(chain_id)?;
        }
        Ok(())
    }

    /// Anyone calls the consumer's permissionless `tick {}` on `chain_id`.
    pub fn consumer_tick(&mut self, chain_id: &str) -> Result<()> {
        let contract = self
            .consumer(chain_id)?
            .contract
            .clone()
            .ok_or_else(|| anyhow!("{chain_id} has not launched"))?;
        let chain = self.chain_mut(chain_id)?;
        let keeper = chain.addr_make("keeper");
        chain
            .execute(&keeper, &contract, &consumer_msg::ExecuteMsg::Tick {}, &[])
            .map_err(|e| anyhow!("tick on {chain_id}: {e}"))?;
        Ok(())
    }

    /// Relays everything pending on every path whose relayer is not stopped (whatever the
    /// policy), then checks the invariants.
    pub fn relay(&mut self) -> Result<cw_ics_ibc_sim::RelaySummary> {
        let summary = self.coordinator.relay_all().map_err(|e| anyhow!("{e}"))?;
        self.check_invariants()?;
        Ok(summary)
    }

    /// Delivers only the next packet (or ack, or timeout) pending on `chain_id`'s CCV channel,
    /// then checks the invariants. False when nothing was pending.
    pub fn relay_next_packet(&mut self, chain_id: &str) -> Result<bool> {
        let path = self.ccv_path(chain_id)?;
        let relayed = self
            .coordinator
            .relay_next_packet(&path)
            .map_err(|e| anyhow!("{e}"))?
            .is_some();
        self.check_invariants()?;
        Ok(relayed)
    }

    /// `chain_id`'s consensus hands the evidence of its last block with evidence to the next
    /// block's begin_block again. False when it never had evidence.
    pub fn replay_evidence(&mut self, chain_id: &str) -> Result<bool> {
        Ok(self
            .consensus
            .get_mut(chain_id)
            .ok_or_else(|| anyhow!("no consensus for {chain_id}"))?
            .replay_last_evidence())
    }

    /// After a block on `chain_id`: the vscId its consumer contract (if it drives the chain)
    /// held at the end block, which the chain's set must now be.
    fn record_synced_vsc_id(&mut self, chain_id: &str) -> Result<()> {
        let Some(index) = self
            .consumers
            .iter()
            .position(|c| c.spec.chain_id == chain_id && c.synced_vsc_id.is_some())
        else {
            return Ok(());
        };
        let status: consumer_msg::StatusResponse =
            self.query_consumer(chain_id, &consumer_msg::QueryMsg::Status {})?;
        self.consumers[index].synced_vsc_id = Some(status.last_vsc_id);
        Ok(())
    }

    /// What the event log says happened on `chain_id`'s CCV channel, as the invariant checker
    /// of its provider followed it (invariants must be on).
    pub fn channel_history(&self, chain_id: &str) -> Result<&crate::invariants::ChannelHistory> {
        let provider = self.consumer(chain_id)?.provider;
        self.invariants
            .as_ref()
            .and_then(|checkers| checkers.get(provider))
            .and_then(|checker| checker.history(chain_id))
            .ok_or_else(|| {
                anyhow!("no channel history for {chain_id} (invariants off, or not deployed)")
            })
    }

    fn record_powers(&mut self, chain_id: &str) -> Result<()> {
        let consensus = self
            .consensus
            .get(chain_id)
            .ok_or_else(|| anyhow!("no consensus for {chain_id}"))?;
        let powers = consensus
            .active_set()
            .iter()
            .map(|(key, power)| {
                let name = consensus
                    .name_of(key)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{:02x?}", &key[..4]));
                (name, *power)
            })
            .collect();
        let chain = self.chain(chain_id)?;
        let (time, height) = (chain.time(), chain.height());
        self.history.push(PowerSample {
            step: self.step,
            chain_id: chain_id.to_string(),
            height,
            time,
            powers,
        });
        Ok(())
    }

    /// Deploys every consumer the provider has launched since the last step: instantiates
    /// the consumer contract from the provider's genesis, starts its chain's consensus with
    /// the genesis set, promotes the contract, tells the provider its port and opens the
    /// channel (unless the consumer is one that never does).
    fn deploy_launched_consumers(&mut self) -> Result<Vec<String>> {
        let mut launched = vec![];
        for index in 0..self.consumers.len() {
            if self.consumers[index].contract.is_some() {
                continue;
            }
            let consumer_id = self.consumers[index].consumer_id;
            let provider = self.providers[self.consumers[index].provider].clone();
            let state: provider_msg::ConsumerResponse = self
                .query_provider_of(&provider, &provider_msg::QueryMsg::Consumer { consumer_id })?;
            if state.phase != provider_msg::ConsumerPhase::Launched {
                continue;
            }
            let genesis: ConsumerGenesis = self.query_provider_of(
                &provider,
                &provider_msg::QueryMsg::ConsumerGenesis { consumer_id },
            )?;
            let chain_id = self.consumers[index].spec.chain_id.clone();
            let mut consensus = Consensus::new(
                &chain_id,
                genesis
                    .initial_validator_set
                    .iter()
                    .map(|v| (v.pub_key.clone(), v.power)),
            );
            for validator in &self.validators {
                consensus.add_signer(validator.clone());
            }
            self.consensus.insert(chain_id.clone(), consensus);

            let promoted = self.consumers[index].spec.promoted;
            let chain = self.chain_mut(&chain_id)?;
            let deployer = chain.addr_make("deployer");
            let code = chain.store_code(consumer_code());
            let contract = chain
                .instantiate(
                    code,
                    &deployer,
                    &consumer_msg::InstantiateMsg { genesis },
                    &[],
                    "cw-ics consumer",
                )
                .map_err(|e| anyhow!("instantiating the consumer on {chain_id}: {e}"))?;
            if promoted {
                promote(chain, &contract).map_err(|e| anyhow!("promoting on {chain_id}: {e}"))?;
                // The chain starts from the genesis set, vscId 0.
                self.consumers[index].synced_vsc_id = Some(0);
            }
            self.consumers[index].contract = Some(contract.clone());
            self.record_powers(&chain_id)?;

            let port = contract_port(&contract);
            let admin = provider.admin.clone();
            let provider_contract = provider.contract.clone();
            let provider_id = provider.chain_id.clone();
            self.chain_mut(&provider_id)?
                .execute(
                    &admin,
                    &provider_contract,
                    &provider_msg::ExecuteMsg::UpdateConsumer {
                        consumer_id,
                        update: provider_msg::ConsumerUpdate {
                            counterparty_port_id: Some(port.clone()),
                            ..Default::default()
                        },
                    },
                    &[],
                )
                .map_err(|e| anyhow!("setting the port of {chain_id}: {e}"))?;
            if self.consumers[index].spec.opens_channel {
                let connection = self.consumers[index].connection.clone();
                let path = self
                    .coordinator
                    .create_channel(
                        &connection,
                        &port,
                        &contract_port(&provider_contract),
                        IbcOrder::Ordered,
                        CCV_VERSION,
                    )
                    .map_err(|e| anyhow!("opening the CCV channel of {chain_id}: {e}"))?;
                self.consumers[index].path = Some(path);
            }
            launched.push(chain_id);
        }
        Ok(launched)
    }

    /// Queries the first provider.
    pub fn query_provider<T: serde::de::DeserializeOwned>(
        &self,
        msg: &provider_msg::QueryMsg,
    ) -> Result<T> {
        self.query_provider_of(self.provider(), msg)
    }

    pub fn query_provider_of<T: serde::de::DeserializeOwned>(
        &self,
        provider: &ProviderHandle,
        msg: &provider_msg::QueryMsg,
    ) -> Result<T> {
        self.chain(&provider.chain_id)?
            .query(&provider.contract, msg)
            .map_err(|e| anyhow!("provider query on {} {msg:?}: {e}", provider.chain_id))
    }

    /// The first provider.
    pub fn provider(&self) -> &ProviderHandle {
        &self.providers[0]
    }

    /// The provider on `chain_id`.
    pub fn provider_on(&self, chain_id: &str) -> Result<&ProviderHandle> {
        self.providers
            .iter()
            .find(|p| p.chain_id == chain_id)
            .ok_or_else(|| anyhow!("no provider on {chain_id}"))
    }

    pub fn query_consumer<T: serde::de::DeserializeOwned>(
        &self,
        chain_id: &str,
        msg: &consumer_msg::QueryMsg,
    ) -> Result<T> {
        let contract = self
            .consumer(chain_id)?
            .contract
            .clone()
            .ok_or_else(|| anyhow!("{chain_id} has not launched"))?;
        self.chain(chain_id)?
            .query(&contract, msg)
            .map_err(|e| anyhow!("consumer query on {chain_id}: {e}"))
    }

    fn provider_execute(
        &mut self,
        sender: &Addr,
        msg: &provider_msg::ExecuteMsg,
        funds: &[cosmwasm_std::Coin],
    ) -> Result<()> {
        let provider_id = self.provider().chain_id.clone();
        let contract = self.provider().contract.clone();
        self.chain_mut(&provider_id)?
            .execute(sender, &contract, msg, funds)
            .map_err(|e| anyhow!("provider {msg:?}: {e}"))?;
        Ok(())
    }

    /// A staker (named) bonds `amount` tokens to validator `validator`.
    pub fn bond(&mut self, staker: &str, validator: usize, amount: u128) -> Result<()> {
        let provider_id = self.provider().chain_id.clone();
        let chain = self.chain_mut(&provider_id)?;
        let staker = chain.addr_make(staker);
        chain
            .mint(&staker, vec![coin(amount, BOND_DENOM)])
            .map_err(|e| anyhow!("{e}"))?;
        let stakers = &mut self.providers[0].stakers;
        if !stakers.contains(&staker) {
            stakers.push(staker.clone());
        }
        let operator = self.operator(validator)?;
        self.provider_execute(
            &staker,
            &provider_msg::ExecuteMsg::Bond {
                validator: operator.to_string(),
            },
            &[coin(amount, BOND_DENOM)],
        )
    }

    /// A staker (named) unbonds `amount` tokens from validator `validator`.
    pub fn unbond(&mut self, staker: &str, validator: usize, amount: u128) -> Result<()> {
        let staker = self.chain(&self.provider().chain_id)?.addr_make(staker);
        self.unbond_as(&staker, validator, amount)
    }

    /// Validator `validator`'s operator unbonds part of its self-delegation.
    pub fn self_unbond(&mut self, validator: usize, amount: u128) -> Result<()> {
        let operator = self.operator(validator)?;
        self.unbond_as(&operator, validator, amount)
    }

    fn unbond_as(&mut self, staker: &Addr, validator: usize, amount: u128) -> Result<()> {
        let operator = self.operator(validator)?;
        self.provider_execute(
            staker,
            &provider_msg::ExecuteMsg::Unbond {
                validator: operator.to_string(),
                amount: Uint128::new(amount),
            },
            &[],
        )
    }

    /// Validator `validator`'s operator asks to leave jail.
    pub fn unjail(&mut self, validator: usize) -> Result<()> {
        let operator = self.operator(validator)?;
        self.provider_execute(&operator, &provider_msg::ExecuteMsg::Unjail {}, &[])
    }

    /// Validator `validator` as the first provider sees it (power, jail, tokens).
    pub fn validator_state(&self, validator: usize) -> Result<provider_msg::ValidatorResponse> {
        self.query_provider(&provider_msg::QueryMsg::Validator {
            operator: self.operator(validator)?.to_string(),
        })
    }

    /// The unbonding entries of a staker (named) on the first provider, oldest first.
    pub fn unbondings_of(&self, staker: &str) -> Result<Vec<provider_msg::UnbondingResponse>> {
        let staker = self.chain(&self.provider().chain_id)?.addr_make(staker);
        let response: provider_msg::UnbondingsResponse =
            self.query_provider(&provider_msg::QueryMsg::Unbondings {
                staker: staker.to_string(),
                start_after: None,
                limit: Some(100),
            })?;
        Ok(response.unbondings)
    }

    /// The first provider's slash log (the first page of up to 100 records).
    pub fn slash_log(&self) -> Result<Vec<provider_msg::SlashRecord>> {
        let log: provider_msg::SlashLogResponse =
            self.query_provider(&provider_msg::QueryMsg::SlashLog {
                start_after: None,
                limit: Some(100),
            })?;
        Ok(log.records)
    }

    /// The first provider's record of the consumer on `chain_id`.
    pub fn provider_consumer_state(
        &self,
        chain_id: &str,
    ) -> Result<provider_msg::ConsumerResponse> {
        let consumer_id = self.consumer(chain_id)?.consumer_id;
        self.query_provider(&provider_msg::QueryMsg::Consumer { consumer_id })
    }

    /// Validator `validator`'s operator on the first provider.
    pub fn operator(&self, validator: usize) -> Result<Addr> {
        self.provider()
            .operators
            .get(validator)
            .cloned()
            .ok_or_else(|| anyhow!("no validator {validator}"))
    }

    /// Validator `validator` signs no block on `chain_id` for the next `blocks` blocks.
    pub fn set_offline(&mut self, validator: usize, chain_id: &str, blocks: u64) -> Result<()> {
        let height = self.chain(chain_id)?.height();
        let signer = self
            .validators
            .get(validator)
            .cloned()
            .ok_or_else(|| anyhow!("no validator {validator}"))?;
        self.consensus
            .get_mut(chain_id)
            .ok_or_else(|| anyhow!("no consensus for {chain_id}"))?
            .set_offline(&signer, height + 1..=height + blocks);
        Ok(())
    }

    /// Validator `validator` signs two blocks at the next height of `chain_id`.
    pub fn double_sign(&mut self, validator: usize, chain_id: &str) -> Result<()> {
        let height = self.chain(chain_id)?.height();
        let signer = self
            .validators
            .get(validator)
            .cloned()
            .ok_or_else(|| anyhow!("no validator {validator}"))?;
        self.consensus
            .get_mut(chain_id)
            .ok_or_else(|| anyhow!("no consensus for {chain_id}"))?
            .schedule_double_sign(&signer, height + 1);
        Ok(())
    }

    /// The power of each validator (by name) in a chain's consensus set now.
    pub fn consensus_powers(&self, chain_id: &str) -> Result<BTreeMap<String, u64>> {
        let consensus = self
            .consensus
            .get(chain_id)
            .ok_or_else(|| anyhow!("no consensus for {chain_id}"))?;
        Ok(consensus
            .active_set()
            .iter()
            .filter_map(|(key, power)| consensus.name_of(key).map(|n| (n.to_string(), *power)))
            .collect())
    }

    /// The set the consumer contract on `chain_id` runs now, by validator name.
    pub fn consumer_set(&self, chain_id: &str) -> Result<BTreeMap<String, u64>> {
        let set: consumer_msg::ValidatorSetResponse =
            self.query_consumer(chain_id, &consumer_msg::QueryMsg::CurrentSet {})?;
        Ok(set
            .validators
            .iter()
            .map(|v| (self.name_or_key(&v.pub_key), v.power))
            .collect())
    }

    /// The set the provider last sent `chain_id` (what the consumer runs once everything is
    /// relayed), by validator name.
    pub fn provider_set_for(&self, chain_id: &str) -> Result<BTreeMap<String, u64>> {
        let consumer = self.consumer(chain_id)?;
        let response: provider_msg::ConsumerValidatorsResponse = self.query_provider_of(
            &self.providers[consumer.provider],
            &provider_msg::QueryMsg::ConsumerValidators {
                consumer_id: consumer.consumer_id,
                start_after: None,
                limit: Some(100),
            },
        )?;
        Ok(response
            .validators
            .iter()
            .map(|v| (self.name_or_key(&v.pub_key), v.power))
            .collect())
    }

    fn name_or_key(&self, key: &PublicKey) -> String {
        self.name_of(key)
            .map(str::to_string)
            .unwrap_or_else(|| format!("{:02x?}", key.bytes()))
    }

    /// The validator name a public key belongs to.
    pub fn name_of(&self, key: &PublicKey) -> Option<&str> {
        self.validators
            .iter()
            .find(|validator| &validator.public_key() == key)
            .map(|validator| validator.name.as_str())
    }
}
