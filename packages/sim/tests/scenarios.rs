//! Whole-network scenarios. Every step of every scenario runs the DESIGN.md §7 invariant
//! checks (`Network::step` fails on a violation), so these tests fail on any divergence, not
//! only on their final assertions.

use cw_ics_consumer::msg as consumer_msg;
use cw_ics_provider::msg as provider_msg;
use cw_ics_sim::network::{Network, NetworkBuilder, Params, RelayerPolicy};

const BLOCK: u64 = 60;

fn blocks(seconds: u64) -> u64 {
    seconds.div_ceil(BLOCK)
}

/// A stake change after launch: its VSC establishes the consumers' channels (a consumer
/// counts its channel as established at the first VSC, as the Go consumer does).
fn establish_channels(net: &mut Network) {
    net.bond("establisher", 0, 1_000_000).unwrap();
    net.run_blocks(10).unwrap();
}

#[test]
fn consumers_launched_at_different_times_replicate_the_provider_set() {
    let mut net = NetworkBuilder::new()
        .validators(5)
        .consumer("consumer-1", 3)
        .consumer("consumer-2", 40)
        .build()
        .unwrap();
    net.run_blocks(20).unwrap();
    assert!(net.consumer("consumer-1").unwrap().contract.is_some());
    assert!(net.consumer("consumer-2").unwrap().contract.is_none());

    net.bond("alice", 4, 200_000_000).unwrap();
    net.run_blocks(40).unwrap();
    assert!(net.consumer("consumer-2").unwrap().contract.is_some());
    let provider = net.consensus_powers("provider-1").unwrap();
    let expected_val4 = 10 + 200;
    for chain in ["consumer-1", "consumer-2"] {
        let powers = net.consensus_powers(chain).unwrap();
        assert_eq!(powers.len(), 5, "{chain}");
        assert_eq!(powers["val-4"], expected_val4, "{chain}");
    }
    // The provider chain's own consensus is not the provider contract's to change.
    assert_eq!(provider["val-4"], 10);
}

#[test]
fn unbonding_waits_for_every_consumer_to_mature_then_releases() {
    let params = Params::default();
    let mut net = NetworkBuilder::new()
        .validators(4)
        .consumer("consumer-1", 2)
        .consumer("consumer-2", 2)
        .params(params.clone())
        .build()
        .unwrap();
    net.bond("alice", 0, 50_000_000).unwrap();
    net.bond("bob", 1, 50_000_000).unwrap();
    net.run_blocks(10).unwrap();

    // A wave of unbonding.
    net.unbond("alice", 0, 20_000_000).unwrap();
    net.unbond("bob", 1, 50_000_000).unwrap();
    net.self_unbond(2, 5_000_000).unwrap();
    net.run_blocks(blocks(params.provider_unbonding) - 2)
        .unwrap();
    assert!(net
        .unbondings_of("alice")
        .unwrap()
        .iter()
        .all(|e| !e.released));

    net.run_blocks(10).unwrap();
    let alice = net.unbondings_of("alice").unwrap();
    assert_eq!(alice.len(), 1);
    assert!(alice[0].released, "{alice:?}");
    assert!(net.unbondings_of("bob").unwrap()[0].released);

    // bob's validator lost 50 power everywhere.
    for chain in ["consumer-1", "consumer-2"] {
        assert_eq!(net.consensus_powers(chain).unwrap()["val-1"], 30);
    }
}

#[test]
fn a_validator_offline_on_one_consumer_is_jailed_everywhere_then_unjailed() {
    let params = Params::default();
    let mut net = NetworkBuilder::new()
        .validators(4)
        .consumer("consumer-1", 2)
        .consumer("consumer-2", 2)
        .params(params.clone())
        .build()
        .unwrap();
    net.run_blocks(10).unwrap();
    establish_channels(&mut net);
    net.set_offline(3, "consumer-1", params.signed_blocks_window)
        .unwrap();
    net.run_blocks(params.signed_blocks_window + 10).unwrap();

    let jailed = net.validator_state(3).unwrap();
    assert!(jailed.jailed_until.is_some(), "{jailed:?}");
    assert_eq!(jailed.power, 0);
    for chain in ["consumer-1", "consumer-2"] {
        let powers = net.consensus_powers(chain).unwrap();
        assert!(!powers.contains_key("val-3"), "{chain}: {powers:?}");
    }
    let records = net.slash_log().unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].infraction, cw_ics_ccv::Infraction::Downtime);

    // Unjailing too early is refused; after the jail time the validator returns everywhere.
    assert!(net.unjail(3).is_err());
    net.run_blocks(blocks(params.downtime_jail)).unwrap();
    net.unjail(3).unwrap();
    net.run_blocks(15).unwrap();
    for chain in ["consumer-1", "consumer-2"] {
        assert_eq!(
            net.consensus_powers(chain).unwrap().get("val-3"),
            Some(&10),
            "{chain}"
        );
    }
    // The consumer's outstanding-downtime flag was cleared by the slash ack.
    let outstanding: consumer_msg::OutstandingDowntimeResponse = net
        .query_consumer(
            "consumer-1",
            &consumer_msg::QueryMsg::OutstandingDowntime {
                start_after: None,
                limit: None,
            },
        )
        .unwrap();
    assert!(outstanding.validators.is_empty());
}

#[test]
fn a_double_sign_on_a_consumer_is_reported_and_logged() {
    let mut net = NetworkBuilder::new()
        .validators(4)
        .consumer("consumer-1", 2)
        .build()
        .unwrap();
    net.run_blocks(10).unwrap();
    establish_channels(&mut net);
    net.double_sign(1, "consumer-1").unwrap();
    net.run_blocks(5).unwrap();

    let evidence = &net.consensus["consumer-1"].evidence_log;
    assert_eq!(evidence.len(), 1);
    assert!(
        evidence[0].is_valid(),
        "the simulated votes are really signed"
    );
    let records = net.slash_log().unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].infraction, cw_ics_ccv::Infraction::DoubleSign);
    assert_eq!(records[0].action, provider_msg::SlashAction::Recorded {});
    // A consumer's word alone slashes nobody.
    assert_eq!(net.validator_state(1).unwrap().power, 30);
}

#[test]
fn a_relayer_outage_longer_than_the_unbonding_periods_delays_maturity_only() {
    let params = Params::default();
    let mut net = NetworkBuilder::new()
        .validators(3)
        .consumer("consumer-1", 2)
        .params(params.clone())
        .build()
        .unwrap();
    net.run_blocks(10).unwrap();
    net.self_unbond(0, 10_000_000).unwrap();
    // Longer than both unbonding periods.
    let outage = blocks(params.provider_unbonding) + 30;
    assert!(params.provider_unbonding > params.consumer_unbonding);
    net.relayer = RelayerPolicy::DownUntil(net.step + outage);
    net.run_blocks(outage).unwrap();
    // The provider's unbonding period is over, but the consumer never heard of the
    // unbonding: nothing may be released yet.
    let operator = net.operator(0).unwrap();
    let entries: provider_msg::UnbondingsResponse = net
        .query_provider(&provider_msg::QueryMsg::Unbondings {
            staker: operator.to_string(),
            start_after: None,
            limit: None,
        })
        .unwrap();
    assert!(entries.unbondings.iter().all(|e| !e.released));

    net.run_blocks(blocks(params.consumer_unbonding) + 30)
        .unwrap();
    let entries: provider_msg::UnbondingsResponse = net
        .query_provider(&provider_msg::QueryMsg::Unbondings {
            staker: operator.to_string(),
            start_after: None,
            limit: None,
        })
        .unwrap();
    assert!(entries.unbondings.iter().all(|e| e.released), "{entries:?}");
    let status: consumer_msg::StatusResponse = net
        .query_consumer("consumer-1", &consumer_msg::QueryMsg::Status {})
        .unwrap();
    assert!(status.halted.is_none());
}

#[test]
fn a_consumer_that_never_opens_its_channel_is_removed_and_holds_no_unbonding() {
    let params = Params::default();
    let mut net = NetworkBuilder::new()
        .validators(3)
        .consumer("consumer-1", 2)
        .silent_consumer("consumer-2", 2)
        .params(params.clone())
        .build()
        .unwrap();
    net.run_blocks(5).unwrap();
    net.self_unbond(1, 5_000_000).unwrap();
    net.run_blocks(blocks(params.init_timeout) + 10).unwrap();
    let silent = net.provider_consumer_state("consumer-2").unwrap();
    assert_eq!(
        silent.phase,
        provider_msg::ConsumerPhase::Stopped,
        "{silent:?}"
    );
    assert_eq!(
        net.provider_consumer_state("consumer-1").unwrap().phase,
        provider_msg::ConsumerPhase::Launched
    );

    net.run_blocks(blocks(params.provider_unbonding)).unwrap();
    let operator = net.operator(1).unwrap();
    let entries: provider_msg::UnbondingsResponse = net
        .query_provider(&provider_msg::QueryMsg::Unbondings {
            staker: operator.to_string(),
            start_after: None,
            limit: None,
        })
        .unwrap();
    assert!(entries.unbondings.iter().all(|e| e.released), "{entries:?}");
}

#[test]
fn a_consumer_whose_channel_times_out_is_halted_and_stopped() {
    let params = Params {
        ccv_timeout: 3600,
        ..Params::default()
    };
    let mut net = NetworkBuilder::new()
        .validators(3)
        .consumer("consumer-1", 2)
        .params(params.clone())
        .build()
        .unwrap();
    net.run_blocks(10).unwrap();
    establish_channels(&mut net);
    let before = net.consensus_powers("consumer-1").unwrap();
    net.relayer = RelayerPolicy::DownUntil(net.step + blocks(3600) + 20);
    net.bond("alice", 2, 100_000_000).unwrap();
    net.run_blocks(blocks(3600) + 40).unwrap();

    assert_eq!(
        net.provider_consumer_state("consumer-1").unwrap().phase,
        provider_msg::ConsumerPhase::Stopped
    );
    let status: consumer_msg::StatusResponse = net
        .query_consumer("consumer-1", &consumer_msg::QueryMsg::Status {})
        .unwrap();
    assert!(status.halted.is_some(), "{status:?}");
    // A halted consumer never changes its set again.
    net.run_blocks(10).unwrap();
    assert_eq!(net.consensus_powers("consumer-1").unwrap(), before);
}

#[test]
fn a_chain_is_consumer_of_one_network_and_provider_of_another() {
    // hub-2 borrows security from provider-1 and lends its own stake ledger's security to
    // leaf-3: a two-level mesh.
    let mut net = NetworkBuilder::new()
        .validators(4)
        .consumer("hub-2", 2)
        .provider_on("hub-2")
        .consumer_of("hub-2", "leaf-3", 2)
        .build()
        .unwrap();
    net.run_blocks(15).unwrap();
    assert!(net.consumer("hub-2").unwrap().path.is_some());
    assert!(net.consumer("leaf-3").unwrap().path.is_some());

    // A stake change on provider-1 reaches hub-2's consensus, not leaf-3's.
    net.bond("alice", 0, 100_000_000).unwrap();
    net.run_blocks(10).unwrap();
    assert_eq!(net.consensus_powers("hub-2").unwrap()["val-0"], 140);
    assert_eq!(net.consensus_powers("leaf-3").unwrap()["val-0"], 40);

    // A stake change on hub-2's provider reaches leaf-3.
    let hub = net.provider_on("hub-2").unwrap().clone();
    let chain = net.chain_mut("hub-2").unwrap();
    let bob = chain.addr_make("bob");
    chain
        .mint(&bob, vec![cosmwasm_std::coin(50_000_000, "stake")])
        .unwrap();
    chain
        .execute(
            &bob,
            &hub.contract,
            &provider_msg::ExecuteMsg::Bond {
                validator: hub.operators[3].to_string(),
            },
            &[cosmwasm_std::coin(50_000_000, "stake")],
        )
        .unwrap();
    net.run_blocks(10).unwrap();
    assert_eq!(net.consensus_powers("leaf-3").unwrap()["val-3"], 60);
    assert_eq!(net.consensus_powers("hub-2").unwrap()["val-3"], 10);
}

#[test]
fn a_dropped_vsc_times_out_the_channel_and_the_snapshot_shows_the_halt() {
    let params = Params {
        ccv_timeout: 1800,
        ..Params::default()
    };
    let mut net = NetworkBuilder::new()
        .validators(3)
        .consumer("consumer-1", 2)
        .params(params)
        .build()
        .unwrap();
    net.run_blocks(10).unwrap();
    establish_channels(&mut net);
    let before = net.snapshot().unwrap();
    assert_eq!(before.consumers["consumer-1"].halted, None);

    // The relayer loses the next VSC.
    net.relayer = RelayerPolicy::EveryNBlocks(1_000_000);
    net.bond("alice", 1, 20_000_000).unwrap();
    net.run_blocks(6).unwrap();
    assert_eq!(net.drop_pending_packets("consumer-1").unwrap(), 1);
    net.relayer = RelayerPolicy::AlwaysOn;
    net.run_for(1800 + 600).unwrap();

    let after = net.snapshot().unwrap();
    let consumer = &after.consumers["consumer-1"];
    assert_eq!(consumer.phase, provider_msg::ConsumerPhase::Stopped);
    assert!(consumer.halted.is_some(), "{consumer:?}");
    assert_eq!(
        consumer.applied_vsc_id,
        before.consumers["consumer-1"].applied_vsc_id
    );
    assert_eq!(
        after.chains["consumer-1"].consensus_set,
        before.chains["consumer-1"].consensus_set
    );
}

#[test]
fn downtime_is_reported_even_if_the_set_never_changed_since_launch() {
    // No stake change after launch: the provider's first VSC on the new channel is what
    // establishes it, so the consumer's slash packet can flow.
    let params = Params::default();
    let mut net = NetworkBuilder::new()
        .validators(4)
        .consumer("consumer-1", 2)
        .params(params.clone())
        .build()
        .unwrap();
    net.run_blocks(10).unwrap();
    net.set_offline(2, "consumer-1", params.signed_blocks_window)
        .unwrap();
    net.run_blocks(params.signed_blocks_window + 10).unwrap();
    assert!(net.validator_state(2).unwrap().jailed_until.is_some());
    assert!(!net
        .consensus_powers("consumer-1")
        .unwrap()
        .contains_key("val-2"));
}
