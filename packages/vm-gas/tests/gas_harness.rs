//! The harness on the real artifacts: what it reports adds up, failures roll back, and the
//! epoch-cost property the benchmark headlines holds.

use cosmwasm_std::coin;
use cw_ics_provider::msg::ExecuteMsg;
use cw_ics_vm_gas::artifacts::{load_artifact, PROVIDER_ARTIFACT};
use cw_ics_vm_gas::ccv::provider::{ProviderVm, POWER_REDUCTION};
use cw_ics_vm_gas::config::INSTANCE_COST;
use cw_ics_vm_gas::VmCallError;

fn provider_wasm() -> Vec<u8> {
    load_artifact(PROVIDER_ARTIFACT).unwrap_or_else(|error| panic!("{error}"))
}

#[test]
fn a_report_is_the_sum_of_its_parts_and_names_every_key_written() {
    let wasm = provider_wasm();
    let mut provider = ProviderVm::new(&wasm).expect("provider");
    let before = provider.chain.store(&provider.provider).cloned().unwrap();
    let measured = provider.register_validator(0).expect("register");
    let report = &measured.calls[0];
    let storage = &report.storage;
    assert_eq!(report.instance_gas, INSTANCE_COST);
    assert!(report.compute_gas > 0);
    assert_eq!(
        report.total_gas(),
        INSTANCE_COST
            + report.compute_gas
            + report.event_gas
            + storage.read_gas
            + storage.write_gas
            + storage.delete_gas
            + storage.iteration_gas
    );
    let after = provider.chain.store(&provider.provider).unwrap();
    let changed: Vec<&Vec<u8>> = after
        .iter()
        .filter(|(key, value)| before.get(*key) != Some(value))
        .map(|(key, _)| key)
        .collect();
    assert!(!changed.is_empty());
    for key in changed {
        assert!(storage.keys_touched.contains(key), "{key:?} not reported");
    }
    let namespaced: u64 = storage.by_namespace.values().map(|n| n.write_gas).sum();
    assert_eq!(namespaced, storage.write_gas + storage.delete_gas);
}

#[test]
fn a_refused_call_leaves_the_store_unchanged() {
    let wasm = provider_wasm();
    let mut provider = ProviderVm::new(&wasm).expect("provider");
    provider.grow_validators(2).expect("validators");
    let before = provider.chain.store(&provider.provider).cloned().unwrap();
    let staker = provider.chain.addr("staker");
    let refused = provider.chain.execute::<cw_ics_bindings::ChainMsg>(
        &provider.provider,
        &staker,
        &ExecuteMsg::Bond {
            validator: provider.operators[0].to_string(),
        },
        &[coin(5, "notthebonddenom")],
    );
    assert!(
        matches!(refused, Err(VmCallError::Contract(_))),
        "{refused:?}"
    );
    assert_eq!(provider.chain.store(&provider.provider), Some(&before));
    provider
        .bond(&staker, 0, POWER_REDUCTION)
        .expect("the right denom is taken");
    assert_ne!(provider.chain.store(&provider.provider), Some(&before));
}

#[test]
fn an_epoch_without_changes_costs_the_same_at_any_validator_count() {
    let wasm = provider_wasm();
    let mut costs = vec![];
    for validators in [4, 40] {
        let mut provider = ProviderVm::new(&wasm).expect("provider");
        provider.grow_validators(validators).expect("validators");
        provider.set_max_epoch_work(Some(u32::MAX)).expect("budget");
        provider.grow_consumers(1).expect("consumer");
        provider.set_max_epoch_work(None).expect("budget");
        provider.epoch().expect("settle");
        costs.push(provider.epoch().expect("epoch").total_gas());
    }
    // Numbers written as text may differ by a digit or two; anything per validator would
    // add at least a read (over 1,000 gas) per validator.
    let difference = costs[0].abs_diff(costs[1]);
    assert!(difference < 100, "epoch costs {costs:?}");
}
