//! The provider contract on the VM: validators, stake, consumers with open channels, epochs.

use cosmwasm_std::{
    coin, from_json, Addr, Decimal, IbcChannel, IbcChannelConnectMsg, IbcChannelOpenMsg,
    IbcEndpoint, IbcOrder, IbcPacket, IbcPacketReceiveMsg, IbcTimeout, Response, Uint128,
};
use cw_ics_bindings::{ChainMsg, ChainQuery};
use cw_ics_ccv::{
    Acknowledgement, ConsumerPacket, Infraction, SlashPacketData, SlashedValidator,
    ValidatorSetChangePacket, VscMaturedPacketData, CCV_VERSION,
};
use cw_ics_provider::msg::{
    Config, ConfigUpdate, ConsumerRegistration, EpochResponse, ExecuteMsg, InstantiateMsg,
    QueryMsg, RegistrationPolicy, SlashedTokens, DEFAULT_MAX_EPOCH_WORK,
    DEFAULT_MAX_UNBONDING_ENTRIES,
};
use serde::de::DeserializeOwned;

use super::{sent_packets, validator_key, written_ack, DriverError, DriverResult, Measured};
use crate::{Outcome, VmChain};

pub const DENOM: &str = "ustake";
pub const POWER_REDUCTION: u128 = 1_000_000;
pub const UNBONDING_SECONDS: u64 = 3 * 24 * 3600;
pub const EPOCH_BLOCKS: u64 = 10;
pub const BLOCK_SECONDS: u64 = 6;
/// Large enough that every registered validator is in every consumer's set.
pub const MAX_VALIDATORS: u32 = 1_000;

/// The provider's instantiate message the drivers use (default epoch work budget).
pub fn instantiate_msg() -> InstantiateMsg {
    InstantiateMsg {
        admin: None,
        config: Config {
            bond_denom: DENOM.to_string(),
            power_reduction: Uint128::new(POWER_REDUCTION),
            unbonding_period_seconds: UNBONDING_SECONDS,
            epoch_length_blocks: EPOCH_BLOCKS,
            max_validators: MAX_VALIDATORS,
            consumer_registration: RegistrationPolicy::AdminOnly,
            ccv_timeout_seconds: 28 * 24 * 3600,
            init_timeout_seconds: 7 * 24 * 3600,
            vsc_timeout_seconds: 28 * 24 * 3600,
            downtime_jail_seconds: 600,
            downtime_slash_fraction: Decimal::permille(1),
            double_sign_slash_fraction: Decimal::percent(5),
            slashed_tokens: SlashedTokens::Burn {},
            wait_for_consumer_maturity: true,
            max_epoch_work: DEFAULT_MAX_EPOCH_WORK,
            max_unbonding_entries: DEFAULT_MAX_UNBONDING_ENTRIES,
            slash_meter_replenish_fraction:
                cw_ics_provider::msg::defaults::slash_meter_replenish_fraction(),
            slash_meter_replenish_period_seconds:
                cw_ics_provider::msg::defaults::slash_meter_replenish_period_seconds(),
            max_ccv_timeout_seconds: cw_ics_provider::msg::defaults::max_ccv_timeout_seconds(),
            max_init_timeout_seconds: cw_ics_provider::msg::defaults::max_init_timeout_seconds(),
            max_vsc_timeout_seconds: cw_ics_provider::msg::defaults::max_vsc_timeout_seconds(),
            max_retry_delay_seconds: cw_ics_provider::msg::defaults::max_retry_delay_seconds(),
            max_jail_seconds: cw_ics_provider::msg::defaults::max_jail_seconds(),
            registration_deposit: cw_ics_provider::msg::defaults::registration_deposit(),
            max_pending_registrations_per_owner:
                cw_ics_provider::msg::defaults::max_pending_registrations_per_owner(),
        },
    }
}

/// Consumer `index`'s registration: its own connection and consumer port.
pub fn registration(index: usize, spawn_time: cosmwasm_std::Timestamp) -> ConsumerRegistration {
    ConsumerRegistration {
        chain_id: format!("consumer-{index}"),
        spawn_time,
        unbonding_period_seconds: 2 * 24 * 3600,
        connection_id: format!("connection-{index}"),
        counterparty_connection_id: format!("connection-c{index}"),
        counterparty_port_id: Some(consumer_port(index)),
        ccv_timeout_seconds: None,
        init_timeout_seconds: None,
        vsc_timeout_seconds: None,
        retry_delay_seconds: 600,
        signed_blocks_window: 100,
        min_signed_per_window: Decimal::percent(50),
        valcons_prefix: "cosmosvalcons".to_string(),
        infraction_parameters: None,
    }
}

pub fn consumer_port(index: usize) -> String {
    format!("wasm.consumer{index}")
}

pub fn provider_channel(index: usize) -> String {
    format!("channel-{index}")
}

/// A launched consumer with an open channel, as the provider sees it.
#[derive(Clone, Debug)]
pub struct ConsumerHandle {
    pub index: usize,
    pub consumer_id: u64,
    pub channel_id: String,
    next_sequence: u64,
}

pub struct ProviderVm {
    pub chain: VmChain<ChainQuery>,
    pub provider: Addr,
    pub admin: Addr,
    /// Operators of the registered validators, by index.
    pub operators: Vec<Addr>,
    pub consumers: Vec<ConsumerHandle>,
    /// The VSC packets sent so far, by provider channel.
    pub sent_vscs: Vec<(String, ValidatorSetChangePacket)>,
}

impl ProviderVm {
    pub fn new(wasm: &[u8]) -> DriverResult<Self> {
        Self::with(wasm, instantiate_msg())
    }

    pub fn with(wasm: &[u8], msg: InstantiateMsg) -> DriverResult<Self> {
        let mut chain = VmChain::<ChainQuery>::new("provider-1")?;
        let admin = chain.addr("admin");
        let (provider, _) = chain.instantiate::<ChainMsg>(wasm, &admin, &msg, &[])?;
        Ok(ProviderVm {
            chain,
            provider,
            admin,
            operators: vec![],
            consumers: vec![],
            sent_vscs: vec![],
        })
    }

    pub fn operator(&self, index: usize) -> Addr {
        self.chain.addr(&format!("operator{index}"))
    }

    pub fn execute(
        &mut self,
        sender: &Addr,
        msg: &ExecuteMsg,
        funds: &[cosmwasm_std::Coin],
    ) -> DriverResult<Outcome<Response<ChainMsg>>> {
        let outcome = self
            .chain
            .execute::<ChainMsg>(&self.provider, sender, msg, funds)?;
        self.record_vscs(&outcome.response.messages)?;
        Ok(outcome)
    }

    pub fn query<T: DeserializeOwned>(&mut self, msg: &QueryMsg) -> DriverResult<T> {
        let outcome = self.chain.query(&self.provider, msg)?;
        from_json(&outcome.response).map_err(|err| DriverError::Unexpected(err.to_string()))
    }

    fn record_vscs(&mut self, messages: &[cosmwasm_std::SubMsg<ChainMsg>]) -> DriverResult<()> {
        for (channel, data) in sent_packets(messages) {
            let packet = ValidatorSetChangePacket::decode(data.as_slice())
                .map_err(|err| DriverError::Unexpected(err.to_string()))?;
            self.sent_vscs.push((channel, packet));
        }
        Ok(())
    }

    /// Registers validator `index` (operator `operator<index>`) without stake.
    pub fn register_validator(&mut self, index: usize) -> DriverResult<Measured> {
        let operator = self.operator(index);
        let msg = ExecuteMsg::RegisterValidator {
            pub_key: validator_key(index as u32),
            moniker: format!("validator {index}"),
            commission: Decimal::percent(5),
        };
        let outcome = self.execute(&operator, &msg, &[])?;
        self.operators.push(operator);
        Ok(Measured::one(outcome.report))
    }

    pub fn bond(
        &mut self,
        staker: &Addr,
        validator: usize,
        tokens: u128,
    ) -> DriverResult<Measured> {
        let msg = ExecuteMsg::Bond {
            validator: self.operators[validator].to_string(),
        };
        let outcome = self.execute(staker, &msg, &[coin(tokens, DENOM)])?;
        Ok(Measured::one(outcome.report))
    }

    pub fn unbond(
        &mut self,
        staker: &Addr,
        validator: usize,
        tokens: u128,
    ) -> DriverResult<Measured> {
        let msg = ExecuteMsg::Unbond {
            validator: self.operators[validator].to_string(),
            amount: Uint128::new(tokens),
        };
        let outcome = self.execute(staker, &msg, &[])?;
        Ok(Measured::one(outcome.report))
    }

    pub fn withdraw(&mut self, staker: &Addr) -> DriverResult<Outcome<Response<ChainMsg>>> {
        self.execute(staker, &ExecuteMsg::Withdraw { entry_ids: None }, &[])
    }

    /// Adds validators until there are `count`, each self-bonded with a distinct stake
    /// (power 10 + index).
    pub fn grow_validators(&mut self, count: usize) -> DriverResult<()> {
        for index in self.operators.len()..count {
            self.register_validator(index)?;
            let operator = self.operators[index].clone();
            self.bond(&operator, index, (10 + index as u128) * POWER_REDUCTION)?;
        }
        Ok(())
    }

    pub fn set_max_epoch_work(&mut self, work: Option<u32>) -> DriverResult<()> {
        let admin = self.admin.clone();
        let update = ConfigUpdate {
            // `None` in an update means "unchanged": the default budget is written explicitly.
            max_epoch_work: Some(work.unwrap_or(200)),
            ..ConfigUpdate::default()
        };
        self.execute(&admin, &ExecuteMsg::UpdateConfig(update), &[])?;
        Ok(())
    }

    pub fn register_consumer(&mut self, index: usize) -> DriverResult<(u64, Measured)> {
        let admin = self.admin.clone();
        let msg = ExecuteMsg::RegisterConsumer(registration(index, self.chain.env.block.time));
        let outcome = self.execute(&admin, &msg, &[])?;
        let id = outcome
            .response
            .attributes
            .iter()
            .find(|a| a.key == "consumer_id")
            .and_then(|a| a.value.parse().ok())
            .ok_or_else(|| DriverError::Unexpected("no consumer_id attribute".to_string()))?;
        Ok((id, Measured::one(outcome.report)))
    }

    /// Moves to the next epoch boundary and calls `tick` until the epoch's work is done.
    pub fn epoch(&mut self) -> DriverResult<Measured> {
        let epoch: EpochResponse = self.query(&QueryMsg::Epoch {})?;
        let height = self.chain.env.block.height;
        if height < epoch.next_epoch_height {
            let blocks = epoch.next_epoch_height - height;
            self.chain.advance(blocks, blocks * BLOCK_SECONDS);
        }
        let anyone = self.chain.addr("anyone");
        let mut measured = Measured::default();
        for _ in 0..10_000 {
            let outcome = self.execute(&anyone, &ExecuteMsg::Tick {}, &[])?;
            measured.calls.push(outcome.report);
            let epoch: EpochResponse = self.query(&QueryMsg::Epoch {})?;
            if !epoch.in_progress {
                return Ok(measured);
            }
        }
        Err(DriverError::Unexpected(
            "the epoch never finished".to_string(),
        ))
    }

    fn channel(&self, index: usize) -> IbcChannel {
        IbcChannel::new(
            IbcEndpoint {
                port_id: format!("wasm.{}", self.provider),
                channel_id: provider_channel(index),
            },
            IbcEndpoint {
                port_id: consumer_port(index),
                channel_id: format!("counterparty-{index}"),
            },
            IbcOrder::Ordered,
            CCV_VERSION,
            format!("connection-{index}"),
        )
    }

    /// OpenTry then OpenConfirm of consumer `index`'s channel.
    pub fn open_channel(&mut self, index: usize, consumer_id: u64) -> DriverResult<Measured> {
        let channel = self.channel(index);
        let open = self.chain.ibc_channel_open(
            &self.provider,
            &IbcChannelOpenMsg::new_try(channel.clone(), CCV_VERSION),
        )?;
        let connect = self.chain.ibc_channel_connect::<ChainMsg>(
            &self.provider,
            &IbcChannelConnectMsg::new_confirm(channel),
        )?;
        self.record_vscs(&connect.response.messages)?;
        self.consumers.push(ConsumerHandle {
            index,
            consumer_id,
            channel_id: provider_channel(index),
            next_sequence: 1,
        });
        Ok(Measured {
            calls: vec![open.report, connect.report],
        })
    }

    /// Registers consumers until there are `count` running (launched at the next epoch, with
    /// their channel open), then runs one more epoch so that nothing is left to send.
    pub fn grow_consumers(&mut self, count: usize) -> DriverResult<()> {
        let first = self.consumers.len();
        if first >= count {
            return Ok(());
        }
        let mut registered = vec![];
        for index in first..count {
            registered.push((index, self.register_consumer(index)?.0));
        }
        self.epoch()?;
        for (index, id) in registered {
            self.open_channel(index, id)?;
        }
        self.epoch()?;
        Ok(())
    }

    /// Delivers a consumer packet on consumer `consumer`'s channel.
    pub fn receive(
        &mut self,
        consumer: usize,
        packet: &ConsumerPacket,
    ) -> DriverResult<(Acknowledgement, Measured)> {
        let handle = &mut self.consumers[consumer];
        let sequence = handle.next_sequence;
        handle.next_sequence += 1;
        let index = handle.index;
        let data = packet
            .encode()
            .map_err(|err| DriverError::Unexpected(err.to_string()))?;
        let ibc_packet = IbcPacket::new(
            data,
            IbcEndpoint {
                port_id: consumer_port(index),
                channel_id: format!("counterparty-{index}"),
            },
            IbcEndpoint {
                port_id: format!("wasm.{}", self.provider),
                channel_id: provider_channel(index),
            },
            sequence,
            IbcTimeout::with_timestamp(self.chain.env.block.time.plus_seconds(3600)),
        );
        let relayer = self.chain.addr("relayer");
        let outcome = self.chain.ibc_packet_receive::<ChainMsg>(
            &self.provider,
            &IbcPacketReceiveMsg::new(ibc_packet, relayer),
        )?;
        self.record_vscs(&outcome.response.messages)?;
        let ack = written_ack(&outcome.response)?;
        Ok((ack, Measured::one(outcome.report)))
    }

    /// The last vscId sent on consumer `consumer`'s channel.
    pub fn last_sent_vsc_id(&self, consumer: usize) -> u64 {
        let channel = &self.consumers[consumer].channel_id;
        self.sent_vscs
            .iter()
            .filter(|(c, _)| c == channel)
            .map(|(_, p)| p.valset_update_id)
            .max()
            .unwrap_or(0)
    }

    pub fn vsc_matured(vsc_id: u64) -> ConsumerPacket {
        ConsumerPacket::VscMatured(VscMaturedPacketData {
            valset_update_id: vsc_id,
        })
    }

    pub fn downtime_slash(validator: usize, power: u64, vsc_id: u64) -> ConsumerPacket {
        ConsumerPacket::Slash(SlashPacketData {
            validator: SlashedValidator {
                address: validator_key(validator as u32).consensus_address(),
                power,
            },
            valset_update_id: vsc_id,
            infraction: Infraction::Downtime,
        })
    }
}
