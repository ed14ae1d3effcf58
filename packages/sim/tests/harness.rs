//! The harness features scenarios lean on: oracle consumers, the manual relayer, evidence
//! replay. Invariants run after every step and every relay, as everywhere.

use cw_ics_consumer::msg as consumer_msg;
use cw_ics_consumer::state::Mode;
use cw_ics_sim::network::{NetworkBuilder, Params, RelayerPolicy};

#[test]
fn an_oracle_consumer_replicates_the_set_and_matures_but_drives_no_chain() {
    let params = Params {
        consumer_unbonding: 600,
        ..Params::default()
    };
    let mut net = NetworkBuilder::new()
        .validators(3)
        .oracle_consumer("consumer-1", 1)
        .params(params)
        .build()
        .unwrap();
    net.run_blocks(5).unwrap();
    let genesis_chain_set = net.consensus_powers("consumer-1").unwrap();
    net.bond("alice", 0, 5_000_000).unwrap();
    net.run_blocks(10).unwrap();

    let status: consumer_msg::StatusResponse = net
        .query_consumer("consumer-1", &consumer_msg::QueryMsg::Status {})
        .unwrap();
    assert_eq!(status.mode, Mode::Oracle);
    assert!(status.last_vsc_id > 0);
    let replicated = net.consumer_set("consumer-1").unwrap();
    assert_eq!(replicated, net.provider_set_for("consumer-1").unwrap());
    assert_eq!(replicated["val-0"], 35);
    // The chain never handed its set over: it still signs with the set it started with.
    assert_eq!(
        net.consensus_powers("consumer-1").unwrap(),
        genesis_chain_set
    );
    assert_eq!(genesis_chain_set["val-0"], 30);
    assert_eq!(net.consumer("consumer-1").unwrap().synced_vsc_id, None);

    // Without block hooks, the keeper's ticks are what mature its VSCs.
    net.run_blocks(15).unwrap();
    assert!(!net
        .channel_history("consumer-1")
        .unwrap()
        .matured_sent
        .is_empty());
    assert!(
        net.provider_consumer_state("consumer-1")
            .unwrap()
            .last_matured_vsc_id
            > 0
    );
}

#[test]
fn a_manual_relayer_relays_only_when_asked_and_one_packet_at_a_time() {
    let mut net = NetworkBuilder::new()
        .validators(3)
        .consumer("consumer-1", 1)
        .build()
        .unwrap();
    net.relayer = RelayerPolicy::Manual;
    net.run_blocks(3).unwrap();
    for power in [1_000_000, 2_000_000, 3_000_000] {
        net.bond("alice", 0, power).unwrap();
        net.run_blocks(5).unwrap();
    }
    let history = net.channel_history("consumer-1").unwrap();
    assert!(history.vscs_sent.len() >= 3);
    assert!(history.vscs_received.is_empty(), "nothing relayed by steps");

    assert!(net.relay_next_packet("consumer-1").unwrap());
    assert_eq!(
        net.channel_history("consumer-1")
            .unwrap()
            .vscs_received
            .len(),
        1
    );
    let summary = net.relay().unwrap();
    assert!(summary.packets_received >= 2);
    let history = net.channel_history("consumer-1").unwrap();
    assert_eq!(history.vscs_received, history.vscs_sent);
    assert_eq!(
        net.consumer_set("consumer-1").unwrap(),
        net.provider_set_for("consumer-1").unwrap()
    );
}

#[test]
fn replayed_evidence_reaches_the_consumer_again_and_is_reported_once() {
    let mut net = NetworkBuilder::new()
        .validators(4)
        .consumer("consumer-1", 2)
        .build()
        .unwrap();
    net.run_blocks(10).unwrap();
    assert!(
        !net.replay_evidence("consumer-1").unwrap(),
        "no evidence yet"
    );
    net.double_sign(1, "consumer-1").unwrap();
    net.run_blocks(2).unwrap();
    assert!(net.replay_evidence("consumer-1").unwrap());
    let report = net.step().unwrap();
    let (_, block) = report
        .blocks
        .iter()
        .find(|(chain_id, _)| chain_id == "consumer-1")
        .unwrap();
    assert_eq!(
        block.evidence.len(),
        1,
        "the same evidence handed over again"
    );
    net.run_blocks(5).unwrap();

    assert_eq!(net.consensus["consumer-1"].evidence_log.len(), 1);
    let address = net.validators[1].public_key().consensus_address();
    assert_eq!(
        net.channel_history("consumer-1")
            .unwrap()
            .double_sign_packets[&address],
        1
    );
    let records = net.slash_log().unwrap();
    assert_eq!(records.len(), 1);
}
