//! The end-to-end harness: a provider chain and consumer chains on ibc-sim, the provider
//! contract, scripted counterparties, and the DESIGN.md §7 property checks.

#![allow(dead_code)]

pub mod counterparty;

use std::collections::BTreeMap;

use cosmwasm_std::{coins, Addr, Binary, Decimal, Empty, IbcOrder, Uint128};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use cw_ics_ccv::{ConsumerGenesis, ConsumerPacket, ValidatorSetChangePacket, VscMaturedPacketData};
use cw_ics_ibc_sim::{
    contract_port, ChainConfig, Connection, Coordinator, IbcContractWrapper, Path,
};
use cw_ics_provider::msg::{
    Config, ConsumerRegistration, ConsumerResponse, ConsumerUpdate, ConsumerValidatorsResponse,
    EpochResponse, ExecuteMsg, InstantiateMsg, QueryMsg, RegistrationPolicy, SlashLogResponse,
    SlashedTokens, UnbondingsResponse, ValidatorsResponse,
};

use counterparty::{CounterpartyExecute, CounterpartyQuery, CounterpartyState};
use cw_ics_bindings::multitest::{set_last_commit_votes, TwasmModule};
use cw_ics_bindings::{ValidatorVote, ValidatorVoteResponse};

pub type Custom = TwasmModule;

pub const PROVIDER: &str = "provider-1";
pub const DENOM: &str = "ustake";
pub const POWER_REDUCTION: u128 = 1_000;
pub const UNBONDING: u64 = 3_600;
pub const CONSUMER_UNBONDING: u64 = 1_800;
pub const EPOCH_BLOCKS: u64 = 5;
pub const INIT_TIMEOUT: u64 = 600;
pub const VSC_TIMEOUT: u64 = 7_200;
pub const CCV_TIMEOUT: u64 = 10_000;
pub const MAX_VALIDATORS: u32 = 4;

pub fn provider_contract() -> Box<IbcContractWrapper<ChainMsg, ChainQuery>> {
    use cw_ics_provider::{contract, ibc};
    Box::new(
        IbcContractWrapper::new(contract::execute, contract::instantiate, contract::query)
            .with_sudo(contract::sudo)
            .with_migrate(contract::migrate)
            .with_ibc(
                ibc::ibc_channel_open,
                ibc::ibc_channel_connect,
                ibc::ibc_channel_close,
                ibc::ibc_packet_receive,
                ibc::ibc_packet_ack,
                ibc::ibc_packet_timeout,
            ),
    )
}

/// A consumer as the test sees it.
#[derive(Clone, Debug)]
pub struct ConsumerHandle {
    pub id: u64,
    pub chain_id: String,
    pub contract: Addr,
    pub connection: Connection,
    pub path: Option<Path>,
}

pub struct Net {
    pub coord: Coordinator<Custom>,
    pub provider: Addr,
    pub admin: Addr,
    pub connections: BTreeMap<String, Connection>,
    pub counterparty_code: BTreeMap<String, u64>,
    /// Downtime slash packets delivered and accepted, per validator operator.
    pub slashes_delivered: usize,
}

impl Net {
    /// What `validator_votes {}` answers on `chain` from now on.
    pub fn set_votes(&mut self, chain: &str, votes: Vec<ValidatorVote>) {
        let chain = self.coord.chain_mut(chain).unwrap();
        set_last_commit_votes(
            chain.app_mut().storage_mut(),
            &ValidatorVoteResponse { votes },
        )
        .unwrap();
    }

    pub fn new(consumer_chains: &[&str]) -> Self {
        let mut coord = Coordinator::<Custom>::new_custom();
        coord
            .add_chain(ChainConfig::new(PROVIDER, "cosmos"))
            .unwrap();
        for chain in consumer_chains {
            coord.add_chain(ChainConfig::new(*chain, "cons")).unwrap();
        }
        let mut connections = BTreeMap::new();
        for chain in consumer_chains {
            connections.insert(
                chain.to_string(),
                coord.setup_connection(PROVIDER, chain).unwrap(),
            );
        }
        let provider_chain = coord.chain_mut(PROVIDER).unwrap();
        let code = provider_chain.store_code(provider_contract());
        let admin = provider_chain.addr_make("admin");
        let msg = InstantiateMsg {
            admin: None,
            config: Config {
                bond_denom: DENOM.into(),
                power_reduction: Uint128::new(POWER_REDUCTION),
                unbonding_period_seconds: UNBONDING,
                epoch_length_blocks: EPOCH_BLOCKS,
                max_validators: MAX_VALIDATORS,
                consumer_registration: RegistrationPolicy::AdminOnly,
                ccv_timeout_seconds: CCV_TIMEOUT,
                init_timeout_seconds: INIT_TIMEOUT,
                vsc_timeout_seconds: VSC_TIMEOUT,
                downtime_jail_seconds: 600,
                downtime_slash_fraction: Decimal::percent(10),
                double_sign_slash_fraction: Decimal::percent(5),
                slashed_tokens: SlashedTokens::Burn {},
                wait_for_consumer_maturity: true,
                max_epoch_work: 50,
                max_unbonding_entries: 7,
                // These scenarios slash several validators in a row: the whole set may be
                // jailed per period (throttling has its own tests).
                slash_meter_replenish_fraction: Decimal::one(),
                slash_meter_replenish_period_seconds:
                    cw_ics_provider::msg::defaults::slash_meter_replenish_period_seconds(),
                max_ccv_timeout_seconds: cw_ics_provider::msg::defaults::max_ccv_timeout_seconds(),
                max_init_timeout_seconds: cw_ics_provider::msg::defaults::max_init_timeout_seconds(
                ),
                max_vsc_timeout_seconds: cw_ics_provider::msg::defaults::max_vsc_timeout_seconds(),
                max_retry_delay_seconds: cw_ics_provider::msg::defaults::max_retry_delay_seconds(),
                max_jail_seconds: cw_ics_provider::msg::defaults::max_jail_seconds(),
                registration_deposit: cw_ics_provider::msg::defaults::registration_deposit(),
                max_pending_registrations_per_owner:
                    cw_ics_provider::msg::defaults::max_pending_registrations_per_owner(),
            },
        };
        let provider = provider_chain
            .instantiate(code, &admin, &msg, &[], "provider")
            .unwrap();
        let mut counterparty_code = BTreeMap::new();
        for chain in consumer_chains {
            let code = coord
                .chain_mut(chain)
                .unwrap()
                .store_code(counterparty::contract());
            counterparty_code.insert(chain.to_string(), code);
        }
        Net {
            coord,
            provider,
            admin,
            connections,
            counterparty_code,
            slashes_delivered: 0,
        }
    }

    pub fn user(&self, name: &str) -> Addr {
        self.coord.chain(PROVIDER).unwrap().addr_make(name)
    }

    pub fn exec(
        &mut self,
        sender: &str,
        msg: &ExecuteMsg,
        funds: &[cosmwasm_std::Coin],
    ) -> anyhow::Result<()> {
        let sender = self.user(sender);
        let provider = self.provider.clone();
        self.coord
            .chain_mut(PROVIDER)?
            .execute(&sender, &provider, msg, funds)?;
        Ok(())
    }

    pub fn query<T: serde::de::DeserializeOwned>(&self, msg: &QueryMsg) -> T {
        self.coord
            .chain(PROVIDER)
            .unwrap()
            .query(&self.provider, msg)
            .unwrap()
    }

    pub fn add_validator(&mut self, operator: &str, seed: u8, tokens: u128) {
        let msg = ExecuteMsg::RegisterValidator {
            pub_key: key(seed),
            moniker: operator.into(),
            commission: Decimal::percent(5),
        };
        self.exec(operator, &msg, &[]).unwrap();
        self.bond(operator, operator, tokens).unwrap();
    }

    pub fn bond(&mut self, staker: &str, operator: &str, tokens: u128) -> anyhow::Result<()> {
        let staker_addr = self.user(staker);
        self.coord
            .chain_mut(PROVIDER)?
            .mint(&staker_addr, coins(tokens, DENOM))?;
        let validator = self.user(operator).to_string();
        self.exec(
            staker,
            &ExecuteMsg::Bond { validator },
            &coins(tokens, DENOM),
        )
    }

    pub fn unbond(&mut self, staker: &str, operator: &str, tokens: u128) -> anyhow::Result<()> {
        let validator = self.user(operator).to_string();
        self.exec(
            staker,
            &ExecuteMsg::Unbond {
                validator,
                amount: Uint128::new(tokens),
            },
            &[],
        )
    }

    pub fn balance(&self, who: &str) -> u128 {
        let balance = self
            .coord
            .chain(PROVIDER)
            .unwrap()
            .balance(&self.user(who), DENOM)
            .unwrap();
        Uint128::try_from(balance).unwrap().u128()
    }

    /// Registers a consumer on `chain_id` (spawning now), pinned to that chain's connection;
    /// the counterparty port is set after launch, as a real deployment would.
    pub fn register_consumer(&mut self, chain_id: &str, label: &str) -> ConsumerHandle {
        let connection = self.connections[chain_id].clone();
        let now = self.coord.chain(PROVIDER).unwrap().time();
        let registration = ConsumerRegistration {
            chain_id: format!("{chain_id}-{label}"),
            spawn_time: now,
            unbonding_period_seconds: CONSUMER_UNBONDING,
            connection_id: connection.a.connection_id.clone(),
            counterparty_connection_id: connection.b.connection_id.clone(),
            counterparty_port_id: None,
            ccv_timeout_seconds: None,
            init_timeout_seconds: None,
            vsc_timeout_seconds: None,
            retry_delay_seconds: 60,
            signed_blocks_window: 100,
            min_signed_per_window: Decimal::percent(50),
            valcons_prefix: "consvalcons".into(),
            infraction_parameters: None,
        };
        self.exec("admin", &ExecuteMsg::RegisterConsumer(registration), &[])
            .unwrap();
        let consumers: cw_ics_provider::msg::ConsumersResponse = self.query(&QueryMsg::Consumers {
            start_after: None,
            limit: Some(100),
        });
        let id = consumers.consumers.last().unwrap().consumer_id;
        ConsumerHandle {
            id,
            chain_id: chain_id.into(),
            contract: Addr::unchecked(""),
            connection,
            path: None,
        }
    }

    /// Deploys the scripted counterparty for a launched consumer and tells the provider its
    /// port (the owner/admin sets it after launch).
    pub fn deploy_counterparty(&mut self, consumer: &mut ConsumerHandle) {
        let code = self.counterparty_code[&consumer.chain_id];
        let chain = self.coord.chain_mut(&consumer.chain_id).unwrap();
        let deployer = chain.addr_make("deployer");
        consumer.contract = chain
            .instantiate(code, &deployer, &Empty {}, &[], "counterparty")
            .unwrap();
        let update = ExecuteMsg::UpdateConsumer {
            consumer_id: consumer.id,
            update: ConsumerUpdate {
                counterparty_port_id: Some(contract_port(&consumer.contract)),
                ..ConsumerUpdate::default()
            },
        };
        self.exec("admin", &update, &[]).unwrap();
    }

    /// The consumer side opens the channel (OpenInit on the consumer chain).
    pub fn open_channel(&mut self, consumer: &mut ConsumerHandle) -> anyhow::Result<()> {
        let reversed = Connection {
            a: consumer.connection.b.clone(),
            b: consumer.connection.a.clone(),
        };
        let mut path = self.coord.new_path(
            &reversed,
            &contract_port(&consumer.contract),
            &contract_port(&self.provider),
            IbcOrder::Ordered,
            "1",
        );
        self.coord.open_channel(&mut path)?;
        consumer.path = Some(path);
        Ok(())
    }

    /// Launch + deploy + channel for each (chain, label).
    pub fn running_consumers(&mut self, specs: &[(&str, &str)]) -> Vec<ConsumerHandle> {
        let mut handles: Vec<ConsumerHandle> = specs
            .iter()
            .map(|(chain, label)| self.register_consumer(chain, label))
            .collect();
        self.epoch();
        for handle in &mut handles {
            assert_eq!(
                self.consumer(handle.id).phase,
                cw_ics_provider::msg::ConsumerPhase::Launched
            );
            self.deploy_counterparty(handle);
            self.open_channel(handle).unwrap();
        }
        self.coord.relay_all().unwrap();
        handles
    }

    pub fn tick(&mut self) -> anyhow::Result<()> {
        self.exec("keeper", &ExecuteMsg::Tick {}, &[])
    }

    /// Advances every chain to the provider's next epoch boundary and ticks until the epoch
    /// is finished.
    pub fn epoch(&mut self) {
        let epoch: EpochResponse = self.query(&QueryMsg::Epoch {});
        let height = self.coord.chain(PROVIDER).unwrap().height();
        if height < epoch.next_epoch_height {
            self.coord.advance_blocks(epoch.next_epoch_height - height);
        }
        for _ in 0..100 {
            self.tick().unwrap();
            let epoch: EpochResponse = self.query(&QueryMsg::Epoch {});
            if !epoch.in_progress {
                return;
            }
        }
        panic!("epoch never finished");
    }

    pub fn consumer(&self, id: u64) -> ConsumerResponse {
        self.query(&QueryMsg::Consumer { consumer_id: id })
    }

    pub fn genesis(&self, id: u64) -> ConsumerGenesis {
        self.query(&QueryMsg::ConsumerGenesis { consumer_id: id })
    }

    pub fn last_sent(&self, id: u64) -> BTreeMap<Vec<u8>, u64> {
        let response: ConsumerValidatorsResponse = self.query(&QueryMsg::ConsumerValidators {
            consumer_id: id,
            start_after: None,
            limit: Some(100),
        });
        response
            .validators
            .into_iter()
            .map(|v| (v.pub_key.bytes().to_vec(), v.power))
            .collect()
    }

    pub fn received(&self, consumer: &ConsumerHandle) -> Vec<ValidatorSetChangePacket> {
        let raw: Vec<Binary> = self
            .coord
            .chain(&consumer.chain_id)
            .unwrap()
            .query(&consumer.contract, &CounterpartyQuery::Received {})
            .unwrap();
        raw.iter()
            .map(|data| {
                ValidatorSetChangePacket::decode(data).expect("the provider sends valid VSCs")
            })
            .collect()
    }

    pub fn counterparty_acks(&self, consumer: &ConsumerHandle) -> Vec<Binary> {
        self.coord
            .chain(&consumer.chain_id)
            .unwrap()
            .query(&consumer.contract, &CounterpartyQuery::Acks {})
            .unwrap()
    }

    pub fn counterparty_state(&self, consumer: &ConsumerHandle) -> CounterpartyState {
        self.coord
            .chain(&consumer.chain_id)
            .unwrap()
            .query(&consumer.contract, &CounterpartyQuery::State {})
            .unwrap()
    }

    /// The consumer's set as it applied genesis and every VSC it received, in order.
    pub fn consumer_view(&self, consumer: &ConsumerHandle) -> BTreeMap<Vec<u8>, u64> {
        let mut set: BTreeMap<Vec<u8>, u64> = self
            .genesis(consumer.id)
            .initial_validator_set
            .into_iter()
            .map(|v| (v.pub_key.bytes().to_vec(), v.power))
            .collect();
        for packet in self.received(consumer) {
            for update in packet.validator_updates {
                if update.power == 0 {
                    set.remove(update.pub_key.bytes());
                } else {
                    set.insert(update.pub_key.bytes().to_vec(), update.power);
                }
            }
        }
        set
    }

    /// Sends raw bytes from the scripted consumer and relays everything.
    pub fn consumer_sends(
        &mut self,
        consumer: &ConsumerHandle,
        data: Binary,
    ) -> anyhow::Result<()> {
        let chain = self.coord.chain_mut(&consumer.chain_id)?;
        let sender = chain.addr_make("script");
        chain.execute(
            &sender,
            &consumer.contract,
            &CounterpartyExecute::Send {
                data,
                timeout_seconds: 1_000,
            },
            &[],
        )?;
        self.coord.relay_all()?;
        Ok(())
    }

    pub fn send_matured(&mut self, consumer: &ConsumerHandle, vsc_id: u64) {
        let packet = ConsumerPacket::VscMatured(VscMaturedPacketData {
            valset_update_id: vsc_id,
        });
        self.consumer_sends(consumer, packet.encode().unwrap())
            .unwrap();
    }

    pub fn unbondings(&self, staker: &str) -> UnbondingsResponse {
        self.query(&QueryMsg::Unbondings {
            staker: self.user(staker).to_string(),
            start_after: None,
            limit: Some(100),
        })
    }

    pub fn slash_log(&self) -> SlashLogResponse {
        self.query(&QueryMsg::SlashLog {
            start_after: None,
            limit: Some(100),
        })
    }

    /// The provider's top N right now, from its validator list: eligible (power ≥ 1), by power
    /// then consensus address.
    pub fn expected_top_n(&self) -> BTreeMap<Vec<u8>, u64> {
        let validators: ValidatorsResponse = self.query(&QueryMsg::Validators {
            start_after: None,
            limit: Some(100),
        });
        let mut eligible: Vec<_> = validators
            .validators
            .into_iter()
            .filter(|v| v.power > 0)
            .map(|v| (std::cmp::Reverse(v.power), v.consensus_address, v.pub_key))
            .collect();
        eligible.sort();
        eligible
            .into_iter()
            .take(MAX_VALIDATORS as usize)
            .map(|(power, _, key)| (key.bytes().to_vec(), power.0))
            .collect()
    }

    /// Everything the provider would answer about its state, for "nothing changed" checks.
    pub fn provider_snapshot(&self) -> String {
        let consumers: cw_ics_provider::msg::ConsumersResponse = self.query(&QueryMsg::Consumers {
            start_after: None,
            limit: Some(100),
        });
        let validators: ValidatorsResponse = self.query(&QueryMsg::Validators {
            start_after: None,
            limit: Some(100),
        });
        let epoch: EpochResponse = self.query(&QueryMsg::Epoch {});
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}",
            consumers,
            validators,
            self.slash_log(),
            epoch
        )
    }

    /// DESIGN.md §7, checked for every running consumer after the network is quiet:
    /// replication (the consumer's view is what the provider last sent it), channel order
    /// (vscIds strictly increasing, the last one is the provider's last sent), and bond-based
    /// safety (every power the consumer uses is backed by stake still held by the provider).
    pub fn check_properties(&self, consumers: &[ConsumerHandle], stakers: &[&str]) {
        self.check_accounting(stakers);
        for consumer in consumers {
            let state = self.consumer(consumer.id);
            if state.phase != cw_ics_provider::msg::ConsumerPhase::Launched
                || consumer.path.is_none()
            {
                continue;
            }
            let received = self.received(consumer);
            let ids: Vec<u64> = received.iter().map(|p| p.valset_update_id).collect();
            assert!(
                ids.windows(2).all(|w| w[0] < w[1]),
                "VSCs out of order: {ids:?}"
            );
            assert_eq!(
                ids.last().copied().unwrap_or(0),
                state.last_sent_vsc_id,
                "a VSC was lost"
            );
            let view = self.consumer_view(consumer);
            assert_eq!(
                view,
                self.last_sent(consumer.id),
                "consumer {} diverged",
                consumer.id
            );
            self.check_backing(&view, stakers);
        }
    }

    /// The provider holds exactly the bonded tokens plus the unbonding entries not yet paid.
    pub fn check_accounting(&self, stakers: &[&str]) {
        let held = self
            .coord
            .chain(PROVIDER)
            .unwrap()
            .balance(&self.provider, DENOM)
            .unwrap();
        let validators: ValidatorsResponse = self.query(&QueryMsg::Validators {
            start_after: None,
            limit: Some(100),
        });
        let mut owed: u128 = validators.validators.iter().map(|v| v.tokens.u128()).sum();
        for staker in stakers {
            owed += self
                .unbondings(staker)
                .unbondings
                .iter()
                .map(|e| e.balance.u128())
                .sum::<u128>();
        }
        assert_eq!(
            Uint128::try_from(held).unwrap().u128(),
            owed,
            "tokens held vs owed"
        );
    }

    /// Every validator power a consumer uses is backed by bonded tokens plus unreleased
    /// unbonding entries (the stake that cannot leave yet).
    pub fn check_backing(&self, view: &BTreeMap<Vec<u8>, u64>, stakers: &[&str]) {
        let validators: ValidatorsResponse = self.query(&QueryMsg::Validators {
            start_after: None,
            limit: Some(100),
        });
        let slashed: Vec<Addr> = self
            .slash_log()
            .records
            .into_iter()
            .map(|r| r.validator)
            .collect();
        for validator in validators.validators {
            let Some(power) = view.get(validator.pub_key.bytes()) else {
                continue;
            };
            if slashed.contains(&validator.operator) {
                continue;
            }
            let mut held = validator.tokens.u128();
            for staker in stakers {
                for entry in self.unbondings(staker).unbondings {
                    if entry.validator == validator.operator && !entry.released {
                        held += entry.balance.u128();
                    }
                }
            }
            assert!(
                held >= u128::from(*power) * POWER_REDUCTION,
                "{} has power {power} on a consumer but only {held} held",
                validator.moniker
            );
        }
    }
}

pub fn key(seed: u8) -> cw_ics_ccv::PublicKey {
    cw_ics_ccv::PublicKey::Ed25519(Binary::new(vec![seed; 32]))
}
