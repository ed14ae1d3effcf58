//! Smoke scenario: a provider and one consumer launched from the provider's genesis.

use cw_ics_sim::network::NetworkBuilder;

#[test]
fn a_consumer_launches_and_runs_the_providers_validator_set() {
    let mut net = NetworkBuilder::new()
        .validators(4)
        .consumer("consumer-1", 3)
        .build()
        .unwrap();
    let reports = net.run_blocks(20).unwrap();
    assert!(reports
        .iter()
        .any(|r| r.launched == vec!["consumer-1".to_string()]));
    let consumer = net.consumer("consumer-1").unwrap();
    assert!(consumer.path.is_some(), "the CCV channel is open");
    let provider_powers = net.consensus_powers("provider-1").unwrap();
    assert_eq!(net.consensus_powers("consumer-1").unwrap(), provider_powers);
    assert_eq!(provider_powers.len(), 4);
}
