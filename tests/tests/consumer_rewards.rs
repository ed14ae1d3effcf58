//! Rewards end to end on ibc-sim: a consumer chain and a provider chain with the CCV channel
//! and an ICS-20 channel over the same connection; the scripted provider contract stands for
//! the provider and records the destination callbacks. Rewards are deposited, transmitted
//! (the consumer's part paid on the consumer chain, the rest transferred), arrive with ICS's
//! memo; a transfer held past its timeout is refunded into the pool and goes out again at the
//! next transmission; nothing is created or lost.

use anyhow::Result;
use cosmwasm_std::{Addr, Coin, Decimal, Uint256};
use cw_ics_consumer::msg::{
    ExecuteMsg, NextRewardTransmissionResponse, QueryMsg, RewardSettings,
    RewardTransmissionsResponse,
};
use cw_ics_consumer::rewards::transfer_memo;
use cw_ics_consumer::state::TransmissionOutcome;
use cw_ics_ibc_sim::{voucher_denom, IbcEvent, PacketId, Path, TRANSFER_PORT};
use cw_ics_tests::scripted::{ScriptedNetwork, BLOCK_SECONDS, CONSUMER_CHAIN, PROVIDER_CHAIN};

const DENOM: &str = "ucons";
const CONSUMER_ID: u64 = 7;
const EVERY: u64 = 5;
const TIMEOUT: u64 = 600;

struct Rewards {
    net: ScriptedNetwork,
    transfer: Path,
    redistribution: Addr,
    fees: Addr,
    deposited: u128,
}

impl Rewards {
    /// The consumer launched and established; a transfer channel; rewards in `ucons` every
    /// 5 blocks, 0.75 to the consumer chain, transfers timing out after 10 minutes.
    fn setup() -> Result<Self> {
        let mut net = ScriptedNetwork::launch(3, 300)?;
        net.send_vsc(
            cw_ics_ccv::ValidatorSetChangePacket {
                validator_updates: vec![],
                valset_update_id: 1,
                slash_acks: vec![],
            }
            .encode()?,
        )?;
        net.coord.relay_all()?;
        let transfer = net.open_transfer_channel()?;
        let consumer = net.consumer.clone();
        let chain = net.coord.chain_mut(CONSUMER_CHAIN)?;
        let governance = chain.addr_make("deployer"); // the consumer's wasmd admin
        let redistribution = chain.addr_make("community-pool");
        let fees = chain.addr_make("fee-collector");
        chain.mint(&fees, vec![Coin::new(1_000_000u128, DENOM)])?;
        chain.execute(
            &governance,
            &consumer,
            &ExecuteMsg::ConfigureRewards(RewardSettings {
                consumer_id: CONSUMER_ID,
                transfer_channel_id: transfer.a.channel_id.clone(),
                redistribution_address: redistribution.to_string(),
                reward_denoms: vec![DENOM.to_string()],
                blocks_per_distribution_transmission: Some(EVERY),
                consumer_redistribution_fraction: None,
                transfer_timeout_seconds: Some(TIMEOUT),
            }),
            &[],
        )?;
        Ok(Rewards {
            net,
            transfer,
            redistribution,
            fees,
            deposited: 0,
        })
    }

    fn deposit(&mut self, amount: u128) -> Result<()> {
        let consumer = self.net.consumer.clone();
        let fees = self.fees.clone();
        self.net.coord.chain_mut(CONSUMER_CHAIN)?.execute(
            &fees,
            &consumer,
            &ExecuteMsg::DepositRewards {},
            &[Coin::new(amount, DENOM)],
        )?;
        self.deposited += amount;
        Ok(())
    }

    fn consumer_balance(&self, who: &Addr) -> Result<u128> {
        let amount = self.net.coord.chain(CONSUMER_CHAIN)?.balance(who, DENOM)?;
        Ok(cosmwasm_std::Uint128::try_from(amount)?.u128())
    }

    fn pool(&self) -> Result<u128> {
        self.consumer_balance(&self.net.consumer)
    }

    fn paid_to_consumer_chain(&self) -> Result<u128> {
        self.consumer_balance(&self.redistribution)
    }

    /// The vouchers the provider contract holds.
    fn received_on_provider(&self) -> Result<u128> {
        let voucher = voucher_denom(&format!(
            "{TRANSFER_PORT}/{}/{DENOM}",
            self.transfer.b.channel_id
        ));
        let amount = self
            .net
            .coord
            .chain(PROVIDER_CHAIN)?
            .balance(&self.net.provider, &voucher)?;
        Ok(cosmwasm_std::Uint128::try_from(amount)?.u128())
    }

    /// Blocks (with `begin_block`) until the consumer has transmitted.
    fn until_transmission(&mut self) -> Result<()> {
        let next: NextRewardTransmissionResponse = self
            .net
            .consumer_query(&QueryMsg::NextRewardTransmission {})?;
        let due = next.height.expect("configured");
        while self.net.coord.chain(CONSUMER_CHAIN)?.height() < due {
            self.net.block_after(BLOCK_SECONDS, |_| true)?;
        }
        Ok(())
    }

    fn last_outcome(&self) -> Result<TransmissionOutcome> {
        let response: RewardTransmissionsResponse =
            self.net.consumer_query(&QueryMsg::RewardTransmissions {})?;
        Ok(response.transmissions[0].transmission.outcome.clone())
    }

    /// Deposited = paid on the consumer chain + received on the provider + still in the pool
    /// (+ what is in flight: escrowed on the consumer chain).
    fn assert_conserved(&self, in_flight: u128) -> Result<()> {
        assert_eq!(
            self.deposited,
            self.paid_to_consumer_chain()?
                + self.received_on_provider()?
                + self.pool()?
                + in_flight
        );
        Ok(())
    }
}

#[test]
fn rewards_reach_the_provider_with_the_memo_and_a_timed_out_transfer_goes_out_again() -> Result<()>
{
    let mut r = Rewards::setup()?;
    r.deposit(1_000)?;
    r.assert_conserved(0)?;

    // First transmission: 750 paid on the consumer chain, 250 transferred.
    r.until_transmission()?;
    assert_eq!(r.paid_to_consumer_chain()?, 750);
    assert_eq!(r.pool()?, 0);
    assert_eq!(r.last_outcome()?, TransmissionOutcome::InFlight {});
    r.assert_conserved(250)?;
    r.net.coord.relay_all()?;
    assert_eq!(r.received_on_provider()?, 250);
    assert_eq!(
        r.last_outcome()?,
        TransmissionOutcome::Acknowledged { sequence: 1 }
    );
    r.assert_conserved(0)?;

    // The provider contract was told, with ICS's attribution and both callbacks in the memo.
    let arrivals = r.net.arrivals()?;
    assert_eq!(arrivals.len(), 1);
    assert_eq!(arrivals[0].sender, r.net.consumer.to_string());
    assert_eq!(arrivals[0].channel_id, r.transfer.b.channel_id);
    assert_eq!(
        arrivals[0].funds[0].amount,
        Uint256::from(250u128),
        "the callback reports the amount received"
    );
    let expected_memo = transfer_memo(
        CONSUMER_ID,
        CONSUMER_CHAIN,
        r.net.provider.as_str(),
        &r.net.consumer,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    assert_eq!(arrivals[0].memo, expected_memo);
    assert_eq!(
        expected_memo,
        format!(
            r#"{{"provider":{{"consumerId":"7","chainId":"consumer-1","memo":"ICS rewards"}},"dest_callback":{{"address":"{}"}},"src_callback":{{"address":"{}"}}}}"#,
            r.net.provider, r.net.consumer
        )
    );

    // Second transmission: the transfer is held by the relayer past its timeout.
    r.deposit(400)?;
    r.until_transmission()?;
    assert_eq!(r.paid_to_consumer_chain()?, 750 + 300);
    let held = PacketId::new(CONSUMER_CHAIN, TRANSFER_PORT, &r.transfer.a.channel_id, 2);
    r.net.coord.hold_packet(&held);
    r.net.coord.relay_all()?;
    assert_eq!(r.received_on_provider()?, 250);
    r.assert_conserved(100)?;
    r.net.coord.advance_time(TIMEOUT);
    r.net.coord.release_packet(&held);
    let summary = r.net.coord.relay_all()?;
    assert_eq!(summary.timeouts_relayed, 1);

    // Refunded into the pool; the source callback recorded the timeout.
    assert_eq!(r.pool()?, 100);
    assert_eq!(
        r.last_outcome()?,
        TransmissionOutcome::TimedOut { sequence: 2 }
    );
    r.assert_conserved(0)?;

    // It goes out whole at the next transmission: a refund is owed to the provider and is not
    // split a second time.
    r.until_transmission()?;
    assert_eq!(r.pool()?, 0);
    assert_eq!(r.paid_to_consumer_chain()?, 750 + 300);
    r.net.coord.relay_all()?;
    assert_eq!(r.received_on_provider()?, 250 + 100);
    assert_eq!(
        r.last_outcome()?,
        TransmissionOutcome::Acknowledged { sequence: 3 }
    );
    r.assert_conserved(0)?;
    assert_eq!(r.net.arrivals()?.len(), 2);

    // No callback failed anywhere.
    assert!(!r
        .net
        .coord
        .events()
        .iter()
        .any(|e| matches!(e, IbcEvent::CallbackFailed { .. })));
    Ok(())
}

#[test]
fn only_the_consumer_contracts_admin_configures_rewards() -> Result<()> {
    let r = Rewards::setup()?;
    let mut net = r.net;
    let consumer = net.consumer.clone();
    let chain = net.coord.chain_mut(CONSUMER_CHAIN)?;
    let stranger = chain.addr_make("stranger");
    let err = chain
        .execute(
            &stranger,
            &consumer,
            &ExecuteMsg::ConfigureRewards(RewardSettings {
                consumer_id: 1,
                transfer_channel_id: r.transfer.a.channel_id.clone(),
                redistribution_address: stranger.to_string(),
                reward_denoms: vec![DENOM.to_string()],
                blocks_per_distribution_transmission: None,
                consumer_redistribution_fraction: Some(Decimal::one()),
                transfer_timeout_seconds: None,
            }),
            &[],
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("only the contract's admin"),
        "{err}"
    );
    // The CCV channel is no ICS-20 channel: refused even for the admin.
    let governance = chain.addr_make("deployer");
    let err = chain
        .execute(
            &governance,
            &consumer,
            &ExecuteMsg::ConfigureRewards(RewardSettings {
                consumer_id: 1,
                transfer_channel_id: net.path.a.channel_id.clone(),
                redistribution_address: stranger.to_string(),
                reward_denoms: vec![DENOM.to_string()],
                blocks_per_distribution_transmission: None,
                consumer_redistribution_fraction: None,
                transfer_timeout_seconds: None,
            }),
            &[],
        )
        .unwrap_err();
    assert!(err.to_string().contains("no ICS-20 channel"), "{err}");
    let config: cw_ics_consumer::msg::RewardConfigResponse =
        net.consumer_query(&QueryMsg::RewardConfig {})?;
    assert_eq!(config.config.map(|c| c.consumer_id), Some(CONSUMER_ID));
    Ok(())
}
