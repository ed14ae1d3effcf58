//! A provider chain and a consumer chain on ibc-sim, with the real provider and consumer
//! contracts, launched and connected the way a deployment would be:
//! register validators and stake → register the consumer → the provider's epoch launches it
//! and serves its genesis → the consumer contract is instantiated from that genesis → its
//! port is registered on the provider → the consumer opens the CCV channel.

use std::collections::BTreeMap;

use anyhow::{anyhow, bail, Result};
use cosmwasm_std::{coins, Addr, Decimal, IbcOrder, Timestamp, Uint128};
use cw_ics_bindings::{ChainSudoMsg, Evidence, ValidatorVote};
use cw_ics_ccv::{ConsumerGenesis, PublicKey};
use cw_ics_consumer::msg as consumer_msg;
use cw_ics_ibc_sim::{contract_port, ChainConfig, Coordinator, Path, RelaySummary};
use cw_ics_provider::msg as provider_msg;
use cw_multi_test::AppResponse;

use cw_ics_bindings::multitest::{self as twasm, TwasmModule};

pub const PROVIDER_CHAIN: &str = "provider-1";
pub const CONSUMER_CHAIN: &str = "consumer-1";
pub const BOND_DENOM: &str = "stake";
pub const VALCONS_PREFIX: &str = "consvalcons";

/// Chosen so a scenario runs through several unbonding periods in a few hundred steps, and
/// always below the light clients' 14-day trusting period.
pub const PROVIDER_UNBONDING: u64 = 3 * 86_400;
pub const CONSUMER_UNBONDING: u64 = 86_400;
pub const CCV_TIMEOUT: u64 = 5 * 86_400;
pub const RETRY_DELAY: u64 = 600;
pub const SIGNED_BLOCKS_WINDOW: u64 = 10;
pub const BLOCK_SECONDS: u64 = 5;

/// One validator of the provider: its operator and its ed25519 consensus key.
#[derive(Clone, Debug)]
pub struct TestValidator {
    pub operator: Addr,
    pub pub_key: PublicKey,
}

impl TestValidator {
    pub fn address(&self) -> cw_ics_ccv::ConsensusAddress {
        self.pub_key.consensus_address()
    }
}

pub struct IcsNetwork {
    pub coord: Coordinator<TwasmModule>,
    pub provider: Addr,
    pub consumer: Addr,
    pub consumer_id: u64,
    /// `a` is the consumer's end (it sends OpenInit), `b` the provider's.
    pub path: Path,
    pub validators: Vec<TestValidator>,
    pub admin: Addr,
    pub staker: Addr,
    pub genesis: ConsumerGenesis,
    /// Once the consumer is promoted: the consumer chain's CometBFT validator set (key bytes →
    /// power), as built from the diffs `end_with_validator_update` returned.
    pub chain_validators: Option<BTreeMap<Vec<u8>, u64>>,
    /// The consumer's vscId at the last end block: the chain's set must be that vscId's set.
    pub chain_synced_vsc_id: u64,
}

pub use cw_ics_sim::contracts::{consumer_code, provider_code};

pub fn test_key(seed: u8) -> PublicKey {
    PublicKey::Ed25519(vec![seed; 32].into())
}

fn provider_config(admin: &Addr) -> provider_msg::InstantiateMsg {
    provider_msg::InstantiateMsg {
        admin: Some(admin.to_string()),
        bond_denom: BOND_DENOM.to_string(),
        power_reduction: Uint128::new(1),
        unbonding_period_seconds: PROVIDER_UNBONDING,
        epoch_length_blocks: 1,
        max_validators: 10,
        consumer_registration: provider_msg::RegistrationPolicy::AdminOnly,
        ccv_timeout_seconds: CCV_TIMEOUT,
        init_timeout_seconds: 86_400,
        vsc_timeout_seconds: 10 * 86_400,
        downtime_jail_seconds: 600,
        downtime_slash_fraction: Decimal::zero(),
        double_sign_slash_fraction: Decimal::percent(5),
        slashed_tokens: provider_msg::SlashedTokens::Burn {},
        wait_for_consumer_maturity: true,
        max_epoch_work: None,
    }
}

impl IcsNetwork {
    /// Validators with the given stakes (power = stake), a launched consumer with its CCV
    /// channel open and the provider's first VSCs (if any) not yet relayed.
    pub fn launch(stakes: &[u128]) -> Result<Self> {
        let mut coord = Coordinator::<TwasmModule>::new_custom();
        coord.add_chain_with_custom(
            ChainConfig::new(PROVIDER_CHAIN, "prov").with_block_time(BLOCK_SECONDS),
            TwasmModule,
        )?;
        coord.add_chain_with_custom(
            ChainConfig::new(CONSUMER_CHAIN, "cons").with_block_time(BLOCK_SECONDS),
            TwasmModule,
        )?;
        let connection = coord.setup_connection(CONSUMER_CHAIN, PROVIDER_CHAIN)?;

        // Provider, validators and stake.
        let chain = coord.chain_mut(PROVIDER_CHAIN)?;
        let admin = chain.addr_make("admin");
        let staker = chain.addr_make("staker");
        let code = chain.store_code(provider_code());
        let provider =
            chain.instantiate(code, &admin, &provider_config(&admin), &[], "provider")?;
        let mut validators = vec![];
        for (index, stake) in stakes.iter().enumerate() {
            let seed = u8::try_from(index + 1)?;
            let operator = chain.addr_make(&format!("operator-{seed}"));
            let pub_key = test_key(seed);
            chain.execute(
                &operator,
                &provider,
                &provider_msg::ExecuteMsg::RegisterValidator {
                    pub_key: pub_key.clone(),
                    moniker: format!("validator {seed}"),
                    commission: Decimal::percent(5),
                },
                &[],
            )?;
            chain.mint(&operator, coins(*stake, BOND_DENOM))?;
            chain.execute(
                &operator,
                &provider,
                &provider_msg::ExecuteMsg::Bond {
                    validator: operator.to_string(),
                },
                &coins(*stake, BOND_DENOM),
            )?;
            validators.push(TestValidator { operator, pub_key });
        }
        chain.mint(&staker, coins(1_000_000, BOND_DENOM))?;

        // Register and launch the consumer.
        let spawn_time = chain.time();
        chain.execute(
            &admin,
            &provider,
            &provider_msg::ExecuteMsg::RegisterConsumer(provider_msg::ConsumerRegistration {
                chain_id: CONSUMER_CHAIN.to_string(),
                spawn_time,
                unbonding_period_seconds: CONSUMER_UNBONDING,
                connection_id: connection.b.connection_id.clone(),
                counterparty_connection_id: connection.a.connection_id.clone(),
                counterparty_port_id: None,
                ccv_timeout_seconds: None,
                init_timeout_seconds: None,
                vsc_timeout_seconds: None,
                retry_delay_seconds: RETRY_DELAY,
                signed_blocks_window: SIGNED_BLOCKS_WINDOW,
                min_signed_per_window: Decimal::percent(50),
                valcons_prefix: VALCONS_PREFIX.to_string(),
            }),
            &[],
        )?;
        let consumers: provider_msg::ConsumersResponse = chain.query(
            &provider,
            &provider_msg::QueryMsg::Consumers {
                start_after: None,
                limit: None,
            },
        )?;
        let consumer_id = consumers
            .consumers
            .last()
            .map(|c| c.consumer_id)
            .ok_or_else(|| anyhow!("the consumer was not registered"))?;
        chain.advance_blocks(1);
        chain.execute(&admin, &provider, &provider_msg::ExecuteMsg::Tick {}, &[])?;
        let genesis: ConsumerGenesis = chain.query(
            &provider,
            &provider_msg::QueryMsg::ConsumerGenesis { consumer_id },
        )?;

        // The consumer contract, from that genesis.
        let consumer_side = coord.chain_mut(CONSUMER_CHAIN)?;
        let deployer = consumer_side.addr_make("deployer");
        let code = consumer_side.store_code(consumer_code());
        let consumer = consumer_side.instantiate(
            code,
            &deployer,
            &consumer_msg::InstantiateMsg {
                genesis: genesis.clone(),
            },
            &[],
            "consumer",
        )?;
        let consumer_port = contract_port(&consumer);
        coord.chain_mut(PROVIDER_CHAIN)?.execute(
            &admin,
            &provider,
            &provider_msg::ExecuteMsg::UpdateConsumer {
                consumer_id,
                update: provider_msg::ConsumerUpdate {
                    counterparty_port_id: Some(consumer_port.clone()),
                    ..Default::default()
                },
            },
            &[],
        )?;

        let mut path = coord.new_path(
            &connection,
            &consumer_port,
            &contract_port(&provider),
            IbcOrder::Ordered,
            cw_ics_ccv::CCV_VERSION,
        );
        coord.open_channel(&mut path)?;

        Ok(IcsNetwork {
            coord,
            provider,
            consumer,
            consumer_id,
            path,
            validators,
            admin,
            staker,
            genesis,
            chain_validators: None,
            chain_synced_vsc_id: 0,
        })
    }

    /// The consumer chain promotes the consumer contract (x/twasm `privilege_change`); from
    /// then on every block ends with `end_with_validator_update`. The chain starts from the
    /// genesis set, as a chain created from the consumer genesis would.
    pub fn promote(&mut self) -> Result<AppResponse> {
        let consumer = self.consumer.clone();
        let chain = self.coord.chain_mut(CONSUMER_CHAIN)?;
        twasm::set_privileged(chain.app_mut().storage_mut(), &consumer, true);
        let response = chain.sudo(
            &consumer,
            &ChainSudoMsg::PrivilegeChange(cw_ics_bindings::PrivilegeChange::Promoted {}),
        )?;
        self.chain_validators = Some(
            self.genesis
                .initial_validator_set
                .iter()
                .map(|v| (v.pub_key.bytes().to_vec(), v.power))
                .collect(),
        );
        self.end_block()?;
        Ok(response)
    }

    /// The consumer chain's end block when the contract is the validator-set updater: applies
    /// the returned diff as CometBFT would, refusing what CometBFT refuses (removing a validator
    /// it does not have) and an empty set.
    pub fn end_block(&mut self) -> Result<()> {
        let Some(mut set) = self.chain_validators.take() else {
            return Ok(());
        };
        let consumer = self.consumer.clone();
        let response = self
            .coord
            .chain_mut(CONSUMER_CHAIN)?
            .sudo(&consumer, &ChainSudoMsg::EndWithValidatorUpdate {})?;
        if let Some(data) = response.data {
            let diff: cw_ics_bindings::ValidatorDiff =
                cosmwasm_std::from_json(data).map_err(|e| anyhow!("bad diff: {e}"))?;
            for change in diff.diffs {
                let cw_ics_bindings::Pubkey::Ed25519(key) = change.pubkey;
                if change.power == 0 {
                    if set.remove(key.as_slice()).is_none() {
                        bail!("CometBFT: removal of a validator the chain does not have");
                    }
                } else {
                    set.insert(key.to_vec(), change.power);
                }
            }
            if set.is_empty() {
                bail!("CometBFT: the update would leave the chain without validators");
            }
        }
        self.chain_validators = Some(set);
        self.chain_synced_vsc_id = self.consumer_status()?.last_vsc_id;
        Ok(())
    }

    // ---------------------------------------------------------------- steps

    /// One block on both chains: the provider's epoch (epochs are one block long) and the
    /// consumer chain's `begin_block` with every validator of its set signing.
    pub fn next_block(&mut self) -> Result<()> {
        self.next_block_with(|_| true)
    }

    /// One block on both chains; `signing(index)` tells which validators signed the
    /// consumer's previous block.
    pub fn next_block_with(&mut self, signing: impl Fn(usize) -> bool) -> Result<()> {
        self.coord.advance_blocks(1);
        self.provider_tick()?;
        let votes = self.votes(signing)?;
        self.consumer_begin_block(votes, vec![])?;
        self.end_block()
    }

    /// Moves both clocks by `secs` (one block), then the provider's epoch and the consumer's
    /// `begin_block` (everyone signing).
    pub fn advance_time(&mut self, secs: u64) -> Result<()> {
        self.coord.advance_time(secs);
        self.provider_tick()?;
        let votes = self.votes(|_| true)?;
        self.consumer_begin_block(votes, vec![])?;
        self.end_block()
    }

    pub fn provider_tick(&mut self) -> Result<AppResponse> {
        let (admin, provider) = (self.admin.clone(), self.provider.clone());
        Ok(self.coord.chain_mut(PROVIDER_CHAIN)?.execute(
            &admin,
            &provider,
            &provider_msg::ExecuteMsg::Tick {},
            &[],
        )?)
    }

    /// The consumer's permissionless tick (what a chain without block hooks relies on).
    pub fn consumer_tick(&mut self) -> Result<AppResponse> {
        let consumer = self.consumer.clone();
        let chain = self.coord.chain_mut(CONSUMER_CHAIN)?;
        let anyone = chain.addr_make("anyone");
        Ok(chain.execute(&anyone, &consumer, &consumer_msg::ExecuteMsg::Tick {}, &[])?)
    }

    /// The chain's `begin_block` hook on the consumer with these votes and this evidence.
    pub fn consumer_begin_block(
        &mut self,
        votes: Vec<ValidatorVote>,
        evidence: Vec<Evidence>,
    ) -> Result<AppResponse> {
        let consumer = self.consumer.clone();
        let chain = self.coord.chain_mut(CONSUMER_CHAIN)?;
        twasm::set_last_commit_votes(
            chain.app_mut().storage_mut(),
            &cw_ics_bindings::ValidatorVoteResponse { votes },
        )
        .map_err(|e| anyhow::anyhow!("recording votes: {e}"))?;
        Ok(chain.sudo(&consumer, &ChainSudoMsg::BeginBlock { evidence })?)
    }

    pub fn relay(&mut self) -> Result<RelaySummary> {
        Ok(self.coord.relay_all()?)
    }

    pub fn bond(&mut self, validator: usize, amount: u128) -> Result<AppResponse> {
        let (staker, provider) = (self.staker.clone(), self.provider.clone());
        let operator = self.validators[validator].operator.to_string();
        Ok(self.coord.chain_mut(PROVIDER_CHAIN)?.execute(
            &staker,
            &provider,
            &provider_msg::ExecuteMsg::Bond {
                validator: operator,
            },
            &coins(amount, BOND_DENOM),
        )?)
    }

    pub fn unbond(&mut self, validator: usize, amount: u128) -> Result<AppResponse> {
        let (staker, provider) = (self.staker.clone(), self.provider.clone());
        let operator = self.validators[validator].operator.to_string();
        Ok(self.coord.chain_mut(PROVIDER_CHAIN)?.execute(
            &staker,
            &provider,
            &provider_msg::ExecuteMsg::Unbond {
                validator: operator,
                amount: Uint128::new(amount),
            },
            &[],
        )?)
    }

    /// The validator's operator unbonds `amount` of its own stake.
    pub fn operator_unbond(&mut self, validator: usize, amount: u128) -> Result<AppResponse> {
        let provider = self.provider.clone();
        let operator = self.validators[validator].operator.clone();
        Ok(self.coord.chain_mut(PROVIDER_CHAIN)?.execute(
            &operator,
            &provider,
            &provider_msg::ExecuteMsg::Unbond {
                validator: operator.to_string(),
                amount: Uint128::new(amount),
            },
            &[],
        )?)
    }

    // ---------------------------------------------------------------- queries

    pub fn consumer_query<T: serde::de::DeserializeOwned>(
        &self,
        msg: &consumer_msg::QueryMsg,
    ) -> Result<T> {
        Ok(self
            .coord
            .chain(CONSUMER_CHAIN)?
            .query(&self.consumer, msg)?)
    }

    pub fn provider_query<T: serde::de::DeserializeOwned>(
        &self,
        msg: &provider_msg::QueryMsg,
    ) -> Result<T> {
        Ok(self
            .coord
            .chain(PROVIDER_CHAIN)?
            .query(&self.provider, msg)?)
    }

    pub fn consumer_status(&self) -> Result<consumer_msg::StatusResponse> {
        self.consumer_query(&consumer_msg::QueryMsg::Status {})
    }

    /// The consumer's replicated set as (consensus address bytes, power), sorted.
    pub fn consumer_powers(&self) -> Result<Vec<(Vec<u8>, u64)>> {
        let set: consumer_msg::ValidatorSetResponse =
            self.consumer_query(&consumer_msg::QueryMsg::CurrentSet {})?;
        let mut powers: Vec<_> = set
            .validators
            .into_iter()
            .map(|v| (v.address.to_vec(), v.power))
            .collect();
        powers.sort();
        Ok(powers)
    }

    pub fn consumer_power_of(&self, validator: usize) -> Result<Option<u64>> {
        let address = self.validators[validator].address();
        Ok(self
            .consumer_powers()?
            .into_iter()
            .find(|(a, _)| a.as_slice() == address.as_bytes())
            .map(|(_, power)| power))
    }

    pub fn provider_consumer(&self) -> Result<provider_msg::ConsumerResponse> {
        self.provider_query(&provider_msg::QueryMsg::Consumer {
            consumer_id: self.consumer_id,
        })
    }

    pub fn provider_validator(&self, validator: usize) -> Result<provider_msg::ValidatorResponse> {
        self.provider_query(&provider_msg::QueryMsg::Validator {
            operator: self.validators[validator].operator.to_string(),
        })
    }

    pub fn staker_unbondings(&self) -> Result<Vec<provider_msg::UnbondingResponse>> {
        let response: provider_msg::UnbondingsResponse =
            self.provider_query(&provider_msg::QueryMsg::Unbondings {
                staker: self.staker.to_string(),
                start_after: None,
                limit: Some(100),
            })?;
        Ok(response.unbondings)
    }

    pub fn provider_time(&self) -> Result<Timestamp> {
        Ok(self.coord.chain(PROVIDER_CHAIN)?.time())
    }

    pub fn consumer_height(&self) -> Result<u64> {
        Ok(self.coord.chain(CONSUMER_CHAIN)?.height())
    }

    /// The contracts holding `privilege` on the consumer chain.
    pub fn consumer_chain_privilege_holders(
        &self,
        privilege: cw_ics_bindings::Privilege,
    ) -> Result<Vec<Addr>> {
        Ok(twasm::holders(
            self.coord.chain(CONSUMER_CHAIN)?.app().storage(),
            privilege,
        ))
    }

    /// The commit votes of the consumer chain's validators (its replicated set):
    /// `signing(index)` tells whether the provider validator `index` signed.
    pub fn votes(&self, signing: impl Fn(usize) -> bool) -> Result<Vec<ValidatorVote>> {
        let powers = self.consumer_powers()?;
        Ok(self
            .validators
            .iter()
            .enumerate()
            .filter_map(|(index, v)| {
                let address = v.address();
                powers
                    .iter()
                    .find(|(a, _)| a.as_slice() == address.as_bytes())
                    .map(|(_, power)| ValidatorVote {
                        address: address.as_bytes().to_vec().into(),
                        power: *power,
                        voted: signing(index),
                    })
            })
            .collect())
    }
}
