//! Model-based and fuzz tests: whatever the provider side sends, the consumer never panics,
//! refuses without changing state, and its set is the model's (accepted VSCs applied in order).

mod common;

use std::collections::BTreeMap;

use common::*;
use cosmwasm_std::Binary;
use cw_ics_consumer::ContractError;
use proptest::prelude::*;

/// One VSC as the test generates it: an id offset from the last accepted one (0 or negative
/// means out of order) and updates over a small key space.
#[derive(Debug, Clone)]
struct GeneratedVsc {
    id_step: i8,
    updates: Vec<(u8, u64)>,
}

fn generated_vsc() -> impl Strategy<Value = GeneratedVsc> {
    (
        -2i8..4,
        prop::collection::vec((1u8..7, prop_oneof![Just(0u64), 1u64..100]), 0..6),
    )
        .prop_map(|(id_step, updates)| GeneratedVsc { id_step, updates })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_bytes_never_panic_and_never_change_state(data in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut deps = setup();
        open_channel(&mut deps);
        let before = storage_dump(&deps);
        let result = receive_raw(&mut deps, env_at(GENESIS_HEIGHT + 1, GENESIS_TIME), CHANNEL, Binary::from(data));
        prop_assert!(result.is_err());
        prop_assert_eq!(storage_dump(&deps), before);
    }

    #[test]
    fn the_replicated_set_is_the_model_after_any_sequence_of_vscs(vscs in prop::collection::vec(generated_vsc(), 1..25)) {
        let mut deps = setup();
        open_channel(&mut deps);
        let mut model: BTreeMap<u8, u64> = (1..=3u8).map(|seed| (seed, 10 * u64::from(seed))).collect();
        let mut last_id = 0u64;
        // The set in force from each height on, to check the history queries too.
        let mut history: Vec<(u64, BTreeMap<u8, u64>)> = vec![(GENESIS_HEIGHT, model.clone())];
        for (index, vsc) in vscs.iter().enumerate() {
            let id = last_id.saturating_add_signed(i64::from(vsc.id_step));
            let env = env_at(GENESIS_HEIGHT + 1 + index as u64, GENESIS_TIME + index as u64);
            let before = storage_dump(&deps);
            let result = receive_vsc(&mut deps, env, id, &vsc.updates, &[]);

            let mut next = model.clone();
            for (seed, power) in &vsc.updates {
                if *power == 0 { next.remove(seed); } else { next.insert(*seed, *power); }
            }
            let acceptable = id > last_id && id > 0 && !next.is_empty();
            match result {
                Ok(_) => {
                    prop_assert!(acceptable, "accepted vscId {} after {}", id, last_id);
                    model = next;
                    last_id = id;
                    history.push((GENESIS_HEIGHT + 2 + index as u64, model.clone()));
                }
                Err(err) => {
                    prop_assert!(!acceptable, "refused a valid VSC: {}", err);
                    let expected_refusal = matches!(
                        err,
                        ContractError::VscOutOfOrder { .. }
                            | ContractError::EmptyValidatorSet(_)
                            | ContractError::Packet(_)
                    );
                    prop_assert!(expected_refusal, "unexpected refusal: {}", err);
                    prop_assert_eq!(storage_dump(&deps), before);
                }
            }
            let expected: Vec<_> = model.iter().map(|(seed, power)| (*seed, Some(*power))).collect();
            let got: Vec<_> = model.keys().map(|seed| (*seed, power_of(&deps, *seed))).collect();
            prop_assert_eq!(got, expected);
            prop_assert_eq!(powers(&deps).len(), model.len());
            prop_assert_eq!(status(&deps).last_vsc_id, last_id);
        }
        // Every earlier set is still what the history queries answer.
        for (height, set) in &history {
            let at: cw_ics_consumer::msg::ValidatorSetResponse =
                q(&deps, cw_ics_consumer::msg::QueryMsg::SetAtHeight { height: *height });
            let got: BTreeMap<Binary, u64> =
                at.validators.iter().map(|v| (v.address.clone(), v.power)).collect();
            let expected: BTreeMap<Binary, u64> =
                set.iter().map(|(seed, power)| (address_binary(*seed), *power)).collect();
            prop_assert_eq!(got, expected, "set at height {}", height);
        }
    }
}

#[test]
fn work_per_call_is_bounded_and_resumes() {
    let mut deps = setup();
    open_channel(&mut deps);
    for id in 1..=60u64 {
        receive_vsc(
            &mut deps,
            env_at(GENESIS_HEIGHT + id, GENESIS_TIME),
            id,
            &[],
            &[],
        )
        .unwrap();
    }
    let later = GENESIS_TIME + UNBONDING;
    let first = tick(&mut deps, env_at(GENESIS_HEIGHT + 100, later));
    assert_eq!(sent_packets(&first.messages).len(), 50);
    let second = tick(&mut deps, env_at(GENESIS_HEIGHT + 101, later));
    let rest = sent_packets(&second.messages);
    assert_eq!(rest.len(), 10);
    assert!(
        matches!(rest.last(), Some(cw_ics_ccv::ConsumerPacket::VscMatured(m)) if m.valset_update_id == 60)
    );
    assert!(tick(&mut deps, env_at(GENESIS_HEIGHT + 102, later))
        .messages
        .is_empty());
}
