//! The consumer contract on the VM: instantiated from a genesis of V validators, its channel
//! opened, VSC packets delivered, blocks driven through the chain ABI's sudo hooks.

use std::cell::RefCell;
use std::rc::Rc;

use cosmwasm_std::{
    to_json_binary, Addr, ContractResult, Decimal, IbcChannel, IbcChannelConnectMsg,
    IbcChannelOpenMsg, IbcEndpoint, IbcMsg, IbcOrder, IbcPacket, IbcPacketReceiveMsg, IbcTimeout,
    Response, SystemResult,
};
use cw_ics_bindings::{
    ChainMsg, ChainQuery, ChainSudoMsg, PrivilegeChange, ValidatorVote, ValidatorVoteResponse,
};
use cw_ics_ccv::{
    Acknowledgement, ConsumerGenesis, ConsumerParams, GenesisValidator, ValidatorSetChangePacket,
    ValidatorUpdate, CCV_VERSION,
};
use cw_ics_consumer::msg::{ExecuteMsg, InstantiateMsg, RewardSettings};

use super::{sent_packets, validator_key, written_ack, DriverError, DriverResult, Measured};
use crate::{Outcome, VmChain};

pub const PROVIDER_PORT: &str = "wasm.provider";
pub const CONNECTION: &str = "connection-0";
pub const CHANNEL: &str = "channel-0";
/// The consumer chain's ICS-20 channel towards the provider (over [`CONNECTION`]).
pub const TRANSFER_CHANNEL: &str = "channel-1";
pub const BLOCK_SECONDS: u64 = 6;
pub const INITIAL_POWER: u64 = 10;

/// The genesis of a consumer with `validators` validators of power 10.
pub fn genesis(validators: u32, params: ConsumerParams) -> ConsumerGenesis {
    ConsumerGenesis {
        provider_chain_id: "provider-1".to_string(),
        chain_id: "consumer-1".to_string(),
        connection_id: CONNECTION.to_string(),
        provider_port_id: PROVIDER_PORT.to_string(),
        initial_validator_set: (0..validators)
            .map(|index| GenesisValidator {
                pub_key: validator_key(index),
                power: INITIAL_POWER,
            })
            .collect(),
        params,
    }
}

pub fn params() -> ConsumerParams {
    ConsumerParams {
        unbonding_period_seconds: 2 * 24 * 3600,
        ccv_timeout_seconds: 28 * 24 * 3600,
        retry_delay_seconds: 600,
        signed_blocks_window: 100,
        min_signed_per_window: Decimal::percent(50),
        valcons_prefix: "cosmosvalcons".to_string(),
    }
}

pub struct ConsumerVm {
    pub chain: VmChain<ChainQuery>,
    pub consumer: Addr,
    /// What the chain's `validator_votes` query answers (who signed the last block).
    pub votes: Rc<RefCell<Vec<ValidatorVote>>>,
    next_vsc_id: u64,
    next_sequence: u64,
}

impl ConsumerVm {
    /// Instantiates the consumer from `genesis`, opens its channel and delivers the first VSC
    /// (empty), which establishes it. Every validator of the genesis signs every block.
    pub fn new(wasm: &[u8], genesis: ConsumerGenesis) -> DriverResult<Self> {
        let votes = Rc::new(RefCell::new(
            genesis
                .initial_validator_set
                .iter()
                .map(|v| ValidatorVote {
                    address: cosmwasm_std::Binary::new(
                        v.pub_key.consensus_address().as_bytes().to_vec(),
                    ),
                    power: v.power,
                    voted: true,
                })
                .collect::<Vec<_>>(),
        ));
        let answer = votes.clone();
        let mut chain = VmChain::<ChainQuery>::new("consumer-1")?.with_custom_query_handler(
            move |query: &ChainQuery| match query {
                ChainQuery::ValidatorVotes {} => {
                    let response = ValidatorVoteResponse {
                        votes: answer.borrow().clone(),
                    };
                    SystemResult::Ok(ContractResult::from(to_json_binary(&response)))
                }
            },
        );
        let creator = chain.addr("creator");
        let (consumer, _) =
            chain.instantiate::<ChainMsg>(wasm, &creator, &InstantiateMsg { genesis }, &[])?;
        let mut driver = ConsumerVm {
            chain,
            consumer,
            votes,
            next_vsc_id: 1,
            next_sequence: 1,
        };
        driver.open_channel()?;
        let (ack, _) = driver.receive_vsc(vec![])?;
        if !matches!(ack, Acknowledgement::Result(_)) {
            return Err(DriverError::Unexpected(format!(
                "the first VSC was refused: {ack:?}"
            )));
        }
        Ok(driver)
    }

    fn channel(&self) -> IbcChannel {
        IbcChannel::new(
            IbcEndpoint {
                port_id: format!("wasm.{}", self.consumer),
                channel_id: CHANNEL.to_string(),
            },
            IbcEndpoint {
                port_id: PROVIDER_PORT.to_string(),
                channel_id: "channel-p".to_string(),
            },
            IbcOrder::Ordered,
            CCV_VERSION,
            CONNECTION,
        )
    }

    /// OpenInit then OpenAck.
    pub fn open_channel(&mut self) -> DriverResult<Measured> {
        let channel = self.channel();
        let open = self.chain.ibc_channel_open(
            &self.consumer,
            &IbcChannelOpenMsg::new_init(channel.clone()),
        )?;
        let connect = self.chain.ibc_channel_connect::<ChainMsg>(
            &self.consumer,
            &IbcChannelConnectMsg::new_ack(channel, CCV_VERSION),
        )?;
        Ok(Measured {
            calls: vec![open.report, connect.report],
        })
    }

    /// Delivers the next VSC packet, carrying `updates`.
    pub fn receive_vsc(
        &mut self,
        updates: Vec<ValidatorUpdate>,
    ) -> DriverResult<(Acknowledgement, Measured)> {
        let packet = ValidatorSetChangePacket {
            validator_updates: updates,
            valset_update_id: self.next_vsc_id,
            slash_acks: vec![],
        };
        self.next_vsc_id += 1;
        let data = packet
            .encode()
            .map_err(|err| DriverError::Unexpected(err.to_string()))?;
        let ibc_packet = IbcPacket::new(
            data,
            IbcEndpoint {
                port_id: PROVIDER_PORT.to_string(),
                channel_id: "channel-p".to_string(),
            },
            IbcEndpoint {
                port_id: format!("wasm.{}", self.consumer),
                channel_id: CHANNEL.to_string(),
            },
            self.next_sequence,
            IbcTimeout::with_timestamp(self.chain.env.block.time.plus_seconds(3600)),
        );
        self.next_sequence += 1;
        let relayer = self.chain.addr("relayer");
        let outcome = self.chain.ibc_packet_receive::<ChainMsg>(
            &self.consumer,
            &IbcPacketReceiveMsg::new(ibc_packet, relayer),
        )?;
        let ack = written_ack(&outcome.response)?;
        Ok((ack, Measured::one(outcome.report)))
    }

    /// `count` power changes of validators 0..count (each to a power it never had).
    pub fn power_changes(&self, count: u32) -> Vec<ValidatorUpdate> {
        (0..count)
            .map(|index| ValidatorUpdate {
                pub_key: validator_key(index),
                power: INITIAL_POWER + self.next_vsc_id * 3 + 1,
            })
            .collect()
    }

    pub fn sudo(&mut self, msg: &ChainSudoMsg) -> DriverResult<Outcome<Response<ChainMsg>>> {
        Ok(self.chain.sudo::<ChainMsg>(&self.consumer, msg)?)
    }

    /// One block: the chain's `begin_block` hook (no evidence), which reads the votes.
    pub fn begin_block(&mut self) -> DriverResult<Outcome<Response<ChainMsg>>> {
        self.chain.advance(1, BLOCK_SECONDS);
        self.sudo(&ChainSudoMsg::BeginBlock { evidence: vec![] })
    }

    pub fn promote(&mut self) -> DriverResult<()> {
        self.sudo(&ChainSudoMsg::PrivilegeChange(PrivilegeChange::Promoted {}))?;
        self.end_with_validator_update()?;
        Ok(())
    }

    pub fn end_with_validator_update(&mut self) -> DriverResult<Outcome<Response<ChainMsg>>> {
        self.sudo(&ChainSudoMsg::EndWithValidatorUpdate {})
    }

    /// Marks validator `index` as absent from (or back in) the commits.
    pub fn set_voted(&mut self, index: usize, voted: bool) {
        if let Some(vote) = self.votes.borrow_mut().get_mut(index) {
            vote.voted = voted;
        }
    }

    /// Rewards in `denoms`, every `blocks` blocks, configured by the contract's admin (its
    /// instantiator) over an ICS-20 channel on the CCV connection.
    pub fn configure_rewards(&mut self, denoms: &[&str], blocks: u64) -> DriverResult<()> {
        self.chain.set_ibc_channels(vec![IbcChannel::new(
            IbcEndpoint {
                port_id: "transfer".to_string(),
                channel_id: TRANSFER_CHANNEL.to_string(),
            },
            IbcEndpoint {
                port_id: "transfer".to_string(),
                channel_id: "channel-t".to_string(),
            },
            IbcOrder::Unordered,
            "ics20-1",
            CONNECTION,
        )]);
        let admin = self.chain.addr("creator");
        let redistribution = self.chain.addr("redistribution");
        let settings = RewardSettings {
            consumer_id: 1,
            transfer_channel_id: TRANSFER_CHANNEL.to_string(),
            redistribution_address: redistribution.to_string(),
            reward_denoms: denoms.iter().map(|denom| denom.to_string()).collect(),
            blocks_per_distribution_transmission: Some(blocks),
            consumer_redistribution_fraction: None,
            transfer_timeout_seconds: None,
        };
        let consumer = self.consumer.clone();
        self.chain.execute::<ChainMsg>(
            &consumer,
            &admin,
            &ExecuteMsg::ConfigureRewards(settings),
            &[],
        )?;
        Ok(())
    }

    /// The bank balance the consumer (its reward pool) has from now on.
    pub fn set_pool(&mut self, coins: Vec<cosmwasm_std::Coin>) {
        let consumer = self.consumer.clone();
        self.chain.set_balance(&consumer, coins);
    }

    /// One block with only the chain's `end_block` hook (as on a chain without begin-block
    /// hooks).
    pub fn end_block(&mut self) -> DriverResult<Outcome<Response<ChainMsg>>> {
        self.chain.advance(1, BLOCK_SECONDS);
        self.sudo(&ChainSudoMsg::EndBlock {})
    }

    /// The ADR-8 source callback of a reward transfer the consumer sent: acknowledged.
    pub fn transfer_acknowledged(
        &mut self,
        transfer: &IbcMsg,
        sequence: u64,
    ) -> DriverResult<Outcome<cosmwasm_std::IbcBasicResponse<ChainMsg>>> {
        let IbcMsg::Transfer {
            channel_id,
            to_address,
            amount,
            timeout,
            memo,
        } = transfer
        else {
            return Err(DriverError::Unexpected("not a transfer".to_string()));
        };
        let data = serde_json::json!({
            "amount": amount.amount.to_string(),
            "denom": amount.denom,
            "memo": memo.clone().unwrap_or_default(),
            "receiver": to_address,
            "sender": self.consumer.to_string(),
        });
        let packet = IbcPacket::new(
            serde_json::to_vec(&data).map_err(|e| DriverError::Unexpected(e.to_string()))?,
            IbcEndpoint {
                port_id: "transfer".to_string(),
                channel_id: channel_id.clone(),
            },
            IbcEndpoint {
                port_id: "transfer".to_string(),
                channel_id: "channel-t".to_string(),
            },
            sequence,
            timeout.clone(),
        );
        let relayer = self.chain.addr("relayer");
        let msg = cosmwasm_std::IbcSourceCallbackMsg::Acknowledgement(
            cosmwasm_std::IbcAckCallbackMsg::new(
                cosmwasm_std::IbcAcknowledgement::new(br#"{"result":"AQ=="}"#.to_vec()),
                packet,
                relayer,
            ),
        );
        let consumer = self.consumer.clone();
        Ok(self.chain.ibc_source_callback(&consumer, &msg)?)
    }

    pub fn packets_sent(outcome: &Outcome<Response<ChainMsg>>) -> usize {
        sent_packets(&outcome.response.messages).len()
    }
}
