//! Property: after every epoch, whatever the history and the work budget, each consumer's
//! set is exactly the provider's top N computed from scratch: the set the provider reports,
//! and the set a consumer gets by applying its genesis and then every VSC it was sent (or has
//! queued), in order, including a consumer launched halfway.

use proptest::prelude::*;

use super::*;
use crate::msg::{ConfigUpdate, ConsumerValidatorsResponse, ValidatorsResponse};

#[derive(Clone, Debug)]
enum Step {
    Bond { validator: u8, amount: u16 },
    Unbond { validator: u8, amount: u16 },
    Jail { validator: u8 },
    Unjail { validator: u8 },
    SetSize { size: u8 },
    LaunchSecond,
    Epoch,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..8u8, 1..500u16).prop_map(|(validator, amount)| Step::Bond { validator, amount }),
        3 => (0..8u8, 1..500u16).prop_map(|(validator, amount)| Step::Unbond { validator, amount }),
        1 => (0..8u8).prop_map(|validator| Step::Jail { validator }),
        1 => (0..8u8).prop_map(|validator| Step::Unjail { validator }),
        1 => (1..6u8).prop_map(|size| Step::SetSize { size }),
        1 => Just(Step::LaunchSecond),
        3 => Just(Step::Epoch),
    ]
}

fn operator(validator: u8) -> String {
    format!("val{validator}")
}

fn brute_force_top_n(suite: &Suite, size: u32) -> Vec<(u8, u64)> {
    let all: ValidatorsResponse = suite.query(QueryMsg::Validators {
        start_after: None,
        limit: Some(100),
    });
    let mut eligible: Vec<_> = all
        .validators
        .into_iter()
        .filter(|v| v.power > 0)
        .map(|v| (std::cmp::Reverse(v.power), v.consensus_address, v.pub_key))
        .collect();
    eligible.sort();
    let mut top: Vec<(u8, u64)> = eligible
        .into_iter()
        .take(size as usize)
        .map(|(power, _, key)| (key.bytes()[0], power.0))
        .collect();
    top.sort_unstable();
    top
}

fn last_sent(suite: &Suite, consumer_id: u64) -> Vec<(u8, u64)> {
    let set: ConsumerValidatorsResponse = suite.query(QueryMsg::ConsumerValidators {
        consumer_id,
        start_after: None,
        limit: Some(100),
    });
    let mut pairs: Vec<(u8, u64)> = set
        .validators
        .iter()
        .map(|v| (v.pub_key.bytes()[0], v.power))
        .collect();
    pairs.sort_unstable();
    pairs
}

fn launched(suite: &Suite, consumer_id: u64) -> bool {
    suite.consumer(consumer_id).phase == crate::msg::ConsumerPhase::Launched
}

type Replica = std::collections::BTreeMap<u8, u64>;

fn genesis_replica(suite: &Suite, consumer_id: u64) -> Replica {
    let genesis: cw_ics_ccv::ConsumerGenesis =
        suite.query(QueryMsg::ConsumerGenesis { consumer_id });
    genesis
        .initial_validator_set
        .iter()
        .map(|v| (v.pub_key.bytes()[0], v.power))
        .collect()
}

fn apply(replica: &mut Replica, updates: impl IntoIterator<Item = (u8, u64)>) {
    for (key, power) in updates {
        if power == 0 {
            replica.remove(&key);
        } else {
            replica.insert(key, power);
        }
    }
}

fn as_pairs(replica: &Replica) -> Vec<(u8, u64)> {
    replica.iter().map(|(key, power)| (*key, *power)).collect()
}

/// The second consumer has no channel: its set is its genesis plus its queued VSCs.
fn queued_replica(suite: &Suite, consumer_id: u64) -> Replica {
    let mut replica = genesis_replica(suite, consumer_id);
    let queued: crate::msg::PendingVscsResponse = suite.query(QueryMsg::PendingVscs {
        consumer_id,
        start_after: None,
        limit: Some(100),
    });
    for packet in queued.packets {
        apply(
            &mut replica,
            packet
                .validator_updates
                .iter()
                .map(|u| (u.pub_key.bytes()[0], u.power)),
        );
    }
    replica
}

/// 48 cases by default; `PROPTEST_CASES` asks for more (an explicit `cases` would ignore it).
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(48)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), .. ProptestConfig::default() })]

    #[test]
    fn consumer_sets_always_match_the_top_n(
        steps in proptest::collection::vec(step(), 1..40),
        budget in 1..12u32,
    ) {
        let mut msg = default_instantiate();
        msg.config.max_epoch_work = budget;
        let mut suite = Suite::with(msg);
        for validator in 0..8u8 {
            suite.add_validator(&operator(validator), validator + 1, 100 + u128::from(validator) * 30);
        }
        let consumer = suite.running_consumer("c1", "channel-0", CONNECTION);
        let mut replica = genesis_replica(&suite, consumer);
        let mut second: Option<u64> = None;
        let mut size = 3u32;
        for step in steps {
            match step {
                Step::Bond { validator, amount } => {
                    suite.bond("staker", &operator(validator), u128::from(amount)).unwrap();
                }
                Step::Unbond { validator, amount } => {
                    // Refused when the staker has less: that is fine, the state must not move.
                    let _ = suite.unbond(&operator(validator), &operator(validator), u128::from(amount));
                }
                Step::Jail { validator } => {
                    let address = addr(&operator(validator));
                    let mut record = suite.load_stake(&address);
                    let until = suite.env.block.time.plus_seconds(10);
                    crate::staking::jail(&mut record.stake, until);
                    suite.save_stake(&record);
                }
                Step::Unjail { validator } => {
                    suite.advance_seconds(10);
                    let _ = suite.exec(&operator(validator), ExecuteMsg::Unjail {}, &[]);
                }
                Step::SetSize { size: new_size } => {
                    size = u32::from(new_size);
                    let update = ConfigUpdate { max_validators: Some(size), ..ConfigUpdate::default() };
                    suite.exec("admin", ExecuteMsg::UpdateConfig(update), &[]).unwrap();
                }
                Step::LaunchSecond => {
                    if second.is_none() {
                        second = Some(suite.register_consumer("c2"));
                    }
                }
                Step::Epoch => {
                    for (_, packet) in suite.epoch() {
                        apply(&mut replica, updates(&packet));
                    }
                    let top_n = brute_force_top_n(&suite, size);
                    prop_assert_eq!(last_sent(&suite, consumer), top_n.clone());
                    prop_assert_eq!(as_pairs(&replica), top_n.clone());
                    // Until its init timeout stops it (it never opens a channel).
                    if let Some(id) = second.filter(|id| launched(&suite, *id)) {
                        prop_assert_eq!(as_pairs(&queued_replica(&suite, id)), top_n.clone());
                        prop_assert_eq!(last_sent(&suite, id), top_n);
                    }
                }
            }
        }
        for (_, packet) in suite.epoch() {
            apply(&mut replica, updates(&packet));
        }
        let top_n = brute_force_top_n(&suite, size);
        prop_assert_eq!(last_sent(&suite, consumer), top_n.clone());
        prop_assert_eq!(as_pairs(&replica), top_n.clone());
        if let Some(id) = second.filter(|id| launched(&suite, *id)) {
            prop_assert_eq!(as_pairs(&queued_replica(&suite, id)), top_n);
        }
    }
}
