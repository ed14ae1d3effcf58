//! The storage layout: namespaces never collide, the key orders the contract relies on hold,
//! one owner's entries never mix with another's, hot records keep their short names, and
//! corrupt or missing records are errors, never panics.

use cosmwasm_std::testing::MockStorage;
use cosmwasm_std::{
    to_json_string, Addr, Binary, Decimal, Empty, Order, Storage, Timestamp, Uint128,
};
use cw_ics_ccv::{ConsensusAddress, Infraction, PublicKey};
use cw_storage_plus::Map;

use super::*;
use crate::msg::{SlashAction, SlashRecord};
use crate::state::consumers::{
    channels, consumer_by_channel, launched_ids, next_due, next_launched, oldest_sent_vsc,
    sent_vsc_ids, Consumer, ConsumerLink, CONSUMER_LINKS, DELETION_QUEUE, LAUNCHED,
    NEXT_CONSUMER_ID, SENT_VSCS, SPAWN_QUEUE,
};
use crate::state::epoch::{ChangeMark, EpochStage, EpochState, Rank, EPOCH, RANKING, VSC_HEIGHTS};
use crate::state::slashing::{pending_slash_acks, take_slash_acks, SLASH_ACKS, SLASH_LOG};
use crate::state::staking::{
    validators, Stake, UnbondingEntry, Validator, DELEGATIONS, STAKES, UNBONDINGS,
};
use crate::state::{next_id, ns, CONFIG};

fn identity(seed: u8) -> Validator {
    Validator {
        pub_key: key(seed),
        moniker: "moniker".to_string(),
        commission: Decimal::percent(5),
    }
}

fn entry(amount: u128) -> UnbondingEntry {
    UnbondingEntry {
        validator: Addr::unchecked("operator"),
        initial_amount: Uint128::new(amount),
        balance: Uint128::new(amount),
        created_height: 77,
        vsc_id: 3,
        completes_at: Timestamp::from_seconds(1_700_000_000),
    }
}

fn address(byte: u8) -> ConsensusAddress {
    ConsensusAddress([byte; 20])
}

#[test]
fn namespaces_are_short_and_no_key_of_one_can_fall_in_another() {
    for name in ns::ITEMS.iter().chain(ns::MAPS) {
        assert!(
            (1..=2).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_lowercase()),
            "{name:?} is not one or two letters"
        );
    }
    // An item's key is its namespace; a map's keys start with its length-prefixed namespace.
    // cw2's record lives next to ours.
    let mut prefixes: Vec<(String, Vec<u8>)> = ns::ITEMS
        .iter()
        .chain(&["contract_info"])
        .map(|name| (name.to_string(), name.as_bytes().to_vec()))
        .collect();
    for name in ns::MAPS {
        let prefix = Map::<&[u8], ()>::new_dyn(name.to_string())
            .key(&[])
            .to_vec();
        prefixes.push((name.to_string(), prefix));
    }
    for (i, (name, prefix)) in prefixes.iter().enumerate() {
        for (other, other_prefix) in &prefixes[i + 1..] {
            assert!(
                !prefix.starts_with(other_prefix) && !other_prefix.starts_with(prefix),
                "{name:?} and {other:?} collide"
            );
        }
    }
}

#[test]
fn every_namespace_the_contract_writes_is_listed() {
    let mut suite = Suite::new();
    suite.add_validator("alice", 1, 100);
    suite.add_validator("bob", 2, 200);
    suite.running_consumer("c1", "channel-0", CONNECTION);
    suite.unbond("alice", "alice", 10).unwrap();
    suite.unbond("bob", "bob", 10).unwrap();
    suite.receive("channel-0", downtime(2, 0));
    // An entry-slash job is pending (its records are gone once the epoch has worked it).
    let mut snapshots = vec![snapshot(&suite.deps.storage)];
    suite.epoch();
    snapshots.push(snapshot(&suite.deps.storage));
    let listed: Vec<Vec<u8>> = ns::ITEMS
        .iter()
        .chain(&["contract_info"])
        .map(|name| name.as_bytes().to_vec())
        .chain(ns::MAPS.iter().map(|name| {
            Map::<&[u8], ()>::new_dyn(name.to_string())
                .key(&[])
                .to_vec()
        }))
        .collect();
    let written: Vec<Vec<u8>> = snapshots.concat().into_iter().map(|(key, _)| key).collect();
    for name in [
        ns::ENTRY_SLASHES,
        ns::ENTRY_SLASHES_BY_VALIDATOR,
        ns::UNBONDING_COUNTS,
        ns::MATURITY,
    ] {
        let prefix = Map::<&[u8], ()>::new_dyn(name.to_string())
            .key(&[])
            .to_vec();
        assert!(
            written.iter().any(|key| key.starts_with(&prefix)),
            "nothing in {name:?}"
        );
    }
    for key in written {
        assert!(
            listed
                .iter()
                .any(|prefix| key == *prefix || (prefix[0] == 0 && key.starts_with(prefix))),
            "key {key:?} is in no listed namespace"
        );
    }
}

#[test]
fn validators_are_found_by_consensus_address_and_a_key_is_used_once() {
    let mut storage = MockStorage::new();
    let alice = Addr::unchecked("alice");
    let bob = Addr::unchecked("bob");
    validators()
        .save(&mut storage, &alice, &identity(1))
        .unwrap();
    validators().save(&mut storage, &bob, &identity(2)).unwrap();
    let (operator, found) = validators()
        .idx
        .consensus_address
        .item(&storage, cons_addr(2).as_bytes().to_vec())
        .unwrap()
        .unwrap();
    assert_eq!((operator, found), (b"bob".to_vec(), identity(2)));
    assert!(validators()
        .save(&mut storage, &Addr::unchecked("carol"), &identity(1))
        .is_err());
    // Editing the description keeps the index pointing at the same operator.
    let edited = Validator {
        moniker: "renamed".to_string(),
        ..identity(1)
    };
    validators()
        .replace(&mut storage, &alice, Some(&edited), Some(&identity(1)))
        .unwrap();
    let (operator, found) = validators()
        .idx
        .consensus_address
        .item(&storage, cons_addr(1).as_bytes().to_vec())
        .unwrap()
        .unwrap();
    assert_eq!((operator, found), (b"alice".to_vec(), edited));
}

#[test]
fn a_stakers_entries_never_include_those_of_a_longer_address_it_prefixes() {
    let mut storage = MockStorage::new();
    let short = Addr::unchecked("staker");
    let long = Addr::unchecked("stakers");
    UNBONDINGS
        .save(&mut storage, (&short, 2), &entry(2))
        .unwrap();
    UNBONDINGS
        .save(&mut storage, (&short, 256), &entry(256))
        .unwrap();
    UNBONDINGS
        .save(&mut storage, (&long, 1), &entry(1))
        .unwrap();
    let listed: Vec<(u64, UnbondingEntry)> = UNBONDINGS
        .prefix(&short)
        .range(&storage, None, None, Order::Ascending)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(listed, vec![(2, entry(2)), (256, entry(256))]);
    assert!(
        UNBONDINGS
            .may_load(&storage, (&short, 1))
            .unwrap()
            .is_none(),
        "an id names an entry only together with its staker"
    );

    let operator = Addr::unchecked("operator");
    DELEGATIONS
        .save(&mut storage, (&short, &operator), &Uint128::new(5))
        .unwrap();
    DELEGATIONS
        .save(&mut storage, (&long, &operator), &Uint128::new(7))
        .unwrap();
    let held: Vec<(Addr, Uint128)> = DELEGATIONS
        .prefix(&short)
        .range(&storage, None, None, Order::Ascending)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(held, vec![(operator, Uint128::new(5))]);
}

#[test]
fn the_ranking_comes_out_best_first_as_ranks_order_themselves() {
    let mut storage = MockStorage::new();
    let ranks = [
        Rank {
            power: 1,
            address: address(9),
        },
        Rank {
            power: 256,
            address: address(3),
        },
        Rank {
            power: 255,
            address: address(1),
        },
        Rank {
            power: 256,
            address: address(2),
        },
        Rank {
            power: u64::MAX / 8,
            address: address(7),
        },
        Rank {
            power: 65_536,
            address: address(0),
        },
    ];
    for rank in ranks {
        RANKING.save(&mut storage, rank.key(), &Empty {}).unwrap();
    }
    let stored: Vec<Rank> = RANKING
        .keys(&storage, None, None, Order::Ascending)
        .map(|key| Rank::from_key(key.unwrap()).unwrap())
        .collect();
    let mut sorted = ranks.to_vec();
    sorted.sort();
    assert_eq!(stored, sorted);
    assert_eq!(
        stored.iter().map(|rank| rank.power).collect::<Vec<_>>(),
        vec![u64::MAX / 8, 65_536, 256, 256, 255, 1]
    );
    // Equal powers: the lower address first.
    assert_eq!(stored[2].address, address(2));
    assert!(Rank::from_key((0, vec![1; 19])).is_err());
}

#[test]
fn queues_yield_due_entries_in_time_then_id_order_after_the_cursor() {
    let mut storage = MockStorage::new();
    for (seconds, id) in [(300, 1), (100, 7), (100, 2), (256, 9)] {
        SPAWN_QUEUE
            .save(&mut storage, (seconds, id), &Empty {})
            .unwrap();
    }
    // The deletion queue shares no entries with the spawn queue.
    DELETION_QUEUE
        .save(&mut storage, (50, 4), &Empty {})
        .unwrap();
    let mut due = vec![];
    let mut after = None;
    while let Some(key) = next_due(&SPAWN_QUEUE, &storage, after, 299).unwrap() {
        due.push(key);
        after = Some(key);
    }
    assert_eq!(due, vec![(100, 2), (100, 7), (256, 9)]);
    // A time equal to `now` is due, whatever the id.
    SPAWN_QUEUE
        .save(&mut storage, (299, u64::MAX), &Empty {})
        .unwrap();
    assert_eq!(
        next_due(&SPAWN_QUEUE, &storage, Some((256, 9)), 299).unwrap(),
        Some((299, u64::MAX))
    );
    assert_eq!(
        next_due(&SPAWN_QUEUE, &storage, None, 99).unwrap(),
        None,
        "nothing is due before its time"
    );
    assert_eq!(
        next_due(&DELETION_QUEUE, &storage, None, 1_000).unwrap(),
        Some((50, 4))
    );
}

#[test]
fn launched_consumers_come_out_in_id_order() {
    let mut storage = MockStorage::new();
    for id in [300, 2, 256, 1] {
        LAUNCHED.save(&mut storage, id, &Empty {}).unwrap();
    }
    assert_eq!(launched_ids(&storage).unwrap(), vec![1, 2, 256, 300]);
    assert_eq!(next_launched(&storage, None).unwrap(), Some(1));
    assert_eq!(next_launched(&storage, Some(2)).unwrap(), Some(256));
    assert_eq!(next_launched(&storage, Some(3)).unwrap(), Some(256));
    assert_eq!(next_launched(&storage, Some(300)).unwrap(), None);
}

#[test]
fn sent_vscs_are_ranged_per_consumer_up_to_an_inclusive_vsc_id() {
    let mut storage = MockStorage::new();
    for (consumer, vsc_id) in [(1, 5), (1, 256), (1, 3), (2, 1), (256, 4)] {
        let sent_at = Timestamp::from_seconds(consumer * 1_000 + vsc_id);
        SENT_VSCS
            .save(&mut storage, (consumer, vsc_id), &sent_at)
            .unwrap();
    }
    assert_eq!(
        sent_vsc_ids(&storage, 1, None, usize::MAX).unwrap(),
        vec![3, 5, 256]
    );
    assert_eq!(
        sent_vsc_ids(&storage, 1, Some(5), usize::MAX).unwrap(),
        vec![3, 5]
    );
    assert_eq!(sent_vsc_ids(&storage, 1, Some(4), 10).unwrap(), vec![3]);
    assert_eq!(sent_vsc_ids(&storage, 1, None, 2).unwrap(), vec![3, 5]);
    assert_eq!(
        oldest_sent_vsc(&storage, 256, 0).unwrap(),
        Some((4, Timestamp::from_seconds(256_004)))
    );
    // Records at or below the last matured vscId are matured leftovers: skipped.
    assert_eq!(
        oldest_sent_vsc(&storage, 1, 3).unwrap(),
        Some((5, Timestamp::from_seconds(1_005)))
    );
    assert_eq!(oldest_sent_vsc(&storage, 1, 256).unwrap(), None);
    assert!(sent_vsc_ids(&storage, 3, None, usize::MAX)
        .unwrap()
        .is_empty());
}

#[test]
fn a_channel_belongs_to_one_consumer() {
    let mut storage = MockStorage::new();
    channels()
        .save(&mut storage, 4, &"channel-1".to_string())
        .unwrap();
    channels()
        .save(&mut storage, 5, &"channel-10".to_string())
        .unwrap();
    assert_eq!(consumer_by_channel(&storage, "channel-1").unwrap(), Some(4));
    assert_eq!(
        consumer_by_channel(&storage, "channel-10").unwrap(),
        Some(5)
    );
    assert!(channels()
        .save(&mut storage, 6, &"channel-1".to_string())
        .is_err());
    channels().remove(&mut storage, 4).unwrap();
    assert_eq!(consumer_by_channel(&storage, "channel-1").unwrap(), None);
    assert_eq!(
        consumer_by_channel(&storage, "channel-10").unwrap(),
        Some(5)
    );
}

#[test]
fn slash_acks_are_kept_per_consumer_in_slash_order() {
    let mut storage = MockStorage::new();
    for (consumer, slash_id, address) in [(2, 5, "late"), (1, 4, "other"), (2, 3, "early")] {
        SLASH_ACKS
            .save(&mut storage, (consumer, slash_id), &address.to_string())
            .unwrap();
    }
    let addresses = |acks: Vec<(u64, String)>| -> Vec<String> {
        acks.into_iter().map(|(_, address)| address).collect()
    };
    assert_eq!(
        addresses(pending_slash_acks(&storage, 2, 10).unwrap()),
        vec!["early", "late"]
    );
    assert_eq!(
        addresses(pending_slash_acks(&storage, 2, 1).unwrap()),
        vec!["early"]
    );
    assert_eq!(
        take_slash_acks(&mut storage, 2).unwrap(),
        (vec!["early".to_string(), "late".to_string()], false)
    );
    assert!(pending_slash_acks(&storage, 2, 10).unwrap().is_empty());
    assert_eq!(
        addresses(pending_slash_acks(&storage, 1, 10).unwrap()),
        vec!["other"]
    );
}

#[test]
fn a_vsc_takes_at_most_its_share_of_slash_acks_and_says_more_remain() {
    use crate::state::slashing::MAX_SLASH_ACKS_PER_VSC;
    let mut storage = MockStorage::new();
    let owed = MAX_SLASH_ACKS_PER_VSC as u64 + 3;
    for slash_id in 1..=owed {
        SLASH_ACKS
            .save(&mut storage, (7, slash_id), &format!("a{slash_id}"))
            .unwrap();
    }
    let (first, more) = take_slash_acks(&mut storage, 7).unwrap();
    assert_eq!(first.len(), MAX_SLASH_ACKS_PER_VSC);
    assert_eq!(first[0], "a1");
    assert!(more);
    let (rest, more) = take_slash_acks(&mut storage, 7).unwrap();
    assert_eq!(rest, vec!["a101", "a102", "a103"]);
    assert!(!more);
}

#[test]
fn counters_and_vsc_heights_start_where_the_contract_expects() {
    let mut storage = MockStorage::new();
    assert_eq!(next_id(&mut storage, &NEXT_CONSUMER_ID).unwrap(), 1);
    assert_eq!(next_id(&mut storage, &NEXT_CONSUMER_ID).unwrap(), 2);
    VSC_HEIGHTS.save(&mut storage, 7, &1_234).unwrap();
    assert_eq!(VSC_HEIGHTS.may_load(&storage, 7).unwrap(), Some(1_234));
    assert_eq!(VSC_HEIGHTS.may_load(&storage, 8).unwrap(), None);
}

/// The bytes of the records every bond, VSC and epoch rewrites are paid per byte: their short
/// names are pinned here, so that a rename is a decision.
#[test]
fn hot_records_keep_their_short_names() {
    let stake = Stake {
        tokens: Uint128::new(100),
        shares: Uint128::new(90),
        jailed_until: None,
        tombstoned: false,
    };
    assert_eq!(to_json_string(&stake).unwrap(), r#"{"t":"100","s":"90"}"#);
    let mark = ChangeMark {
        pub_key: PublicKey::Ed25519(Binary::new(vec![0; 32])),
        ranked_power: 1,
        power: 2,
    };
    assert_eq!(
        to_json_string(&mark).unwrap(),
        r#"{"k":{"ed25519":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},"r":1,"p":2}"#
    );
    let link = ConsumerLink {
        phase: crate::msg::ConsumerPhase::Launched,
        channel_id: Some("channel-0".to_string()),
        last_sent_vsc_id: 5,
        last_matured_vsc_id: 4,
        covered_vsc_id: 5,
        ccv_timeout_seconds: None,
        vsc_timeout_seconds: None,
        launch_floor: None,
    };
    assert_eq!(
        to_json_string(&link).unwrap(),
        r#"{"p":"launched","ch":"channel-0","s":5,"m":4,"v":5}"#
    );
    let launching = ConsumerLink {
        launch_floor: Some((6, 41)),
        ..link
    };
    assert_eq!(
        to_json_string(&launching).unwrap(),
        r#"{"p":"launched","ch":"channel-0","s":5,"m":4,"v":5,"f":[6,41]}"#
    );
    let epoch = EpochState::initial(1, 10);
    assert_eq!(
        to_json_string(&epoch).unwrap(),
        r#"{"c":1,"e":0,"n":10,"s":"i","u":0,"eu":0,"b":false,"v":0,"a":0}"#
    );
    assert_eq!(
        to_json_string(&entry(5)).unwrap(),
        r#"{"v":"operator","a":"5","b":"5","h":77,"n":3,"t":"1700000000000000000"}"#
    );
    let meter = crate::state::slashing::SlashMeter {
        meter: cosmwasm_std::Int128::new(-7),
        last_replenish_seconds: 3,
        total_power: 60,
    };
    assert_eq!(
        to_json_string(&meter).unwrap(),
        r#"{"m":"-7","r":3,"p":60}"#
    );
}

#[test]
fn membership_stretches_answer_who_served_at_a_vsc_id() {
    use crate::membership::{record_moves, served_on, SetChange};
    use crate::ranking::SetMove;
    let mut storage = MockStorage::new();
    let moved = |seed: u8, before, after| SetMove {
        address: cons_addr(seed),
        pub_key: key(seed),
        before,
        after,
    };
    // 1 enters at 2, leaves at 5, enters again at 9; 2 enters at 3; 3 only changes power.
    assert_eq!(
        record_moves(&mut storage, 2, &[moved(1, 0, 10)]).unwrap(),
        SetChange {
            added: 10,
            removed: 0,
            written: 1
        }
    );
    record_moves(&mut storage, 3, &[moved(2, 0, 20)]).unwrap();
    assert_eq!(
        record_moves(&mut storage, 5, &[moved(1, 10, 0), moved(3, 7, 8)]).unwrap(),
        SetChange {
            added: 8,
            removed: 17,
            written: 1
        }
    );
    record_moves(&mut storage, 9, &[moved(1, 0, 12)]).unwrap();
    let served = |seed: u8, vsc: u64| served_on(&storage, 1, &cons_addr(seed), vsc).unwrap();
    let first: Vec<u64> = (0..12).filter(|v| served(1, *v)).collect();
    assert_eq!(first, vec![2, 3, 4, 9, 10, 11]);
    let second: Vec<u64> = (0..12).filter(|v| served(2, *v)).collect();
    assert_eq!(second, (3..12).collect::<Vec<_>>());
    assert!(!served(3, 5), "a power change records no stretch");
    // One record per stretch; an address that prefixes another never reads its records.
    let stretches: Vec<((Vec<u8>, u64), u64)> = crate::state::epoch::SET_MEMBERSHIP
        .range(&storage, None, None, Order::Ascending)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(stretches.len(), 3);
}

#[test]
fn records_round_trip_and_the_infraction_keeps_its_protocol_name() {
    let mut storage = MockStorage::new();
    let record = SlashRecord {
        id: 3,
        consumer_id: 4,
        validator: Addr::unchecked("operator"),
        consensus_address: "cosmosvalcons1xyz".to_string(),
        infraction: Infraction::DoubleSign,
        vsc_id: 9,
        infraction_height: 1_000_000,
        received_at: Timestamp::from_seconds(42),
        action: SlashAction::Recorded {},
    };
    SLASH_LOG.save(&mut storage, 3, &record).unwrap();
    assert_eq!(SLASH_LOG.load(&storage, 3).unwrap(), record);
    assert!(to_json_string(&record)
        .unwrap()
        .contains(r#""infraction":"INFRACTION_TYPE_DOUBLE_SIGN""#));

    let config = Config {
        slashed_tokens: SlashedTokens::SendTo {
            address: "community".to_string(),
        },
        consumer_registration: RegistrationPolicy::Permissionless,
        ..default_config()
    };
    CONFIG.save(&mut storage, &config).unwrap();
    assert_eq!(CONFIG.load(&storage).unwrap(), config);

    let mut epoch = EpochState::initial(1, 10);
    for stage in [
        EpochStage::Validators,
        EpochStage::Rebalance,
        EpochStage::DueConsumers {
            after_consumer: Some(3),
        },
        EpochStage::Broadcast {
            after_consumer: None,
        },
        EpochStage::Launches {
            after: Some((100, 2)),
        },
        EpochStage::Timeouts,
        EpochStage::Cleanup,
    ] {
        epoch.stage = stage;
        epoch.last_member = Some(Rank {
            power: 10,
            address: address(1),
        });
        epoch.epoch_last_member = epoch.last_member;
        epoch.candidate_chunks = 2;
        EPOCH.save(&mut storage, &epoch).unwrap();
        assert_eq!(EPOCH.load(&storage).unwrap(), epoch);
    }
}

#[test]
fn corrupt_or_missing_records_are_errors() {
    let mut storage = MockStorage::new();
    let operator = Addr::unchecked("val");
    STAKES
        .save(&mut storage, &operator, &Stake::default())
        .unwrap();
    let key = STAKES.key(&operator).to_vec();
    storage.set(&key, b"{\"t\":");
    assert!(STAKES.load(&storage, &operator).is_err());
    storage.set(&key, b"{\"t\":\"1\",\"s\":\"-1\"}");
    assert!(STAKES.load(&storage, &operator).is_err());

    // A consumer whose link is missing is an error, not a consumer without one.
    let mut suite = Suite::new();
    let id = suite.register_consumer("c1");
    CONSUMER_LINKS.remove(&mut suite.deps.storage, id);
    assert!(Consumer::may_load(&suite.deps.storage, id).is_err());
    let answer = query(
        suite.deps.as_ref(),
        suite.env.clone(),
        QueryMsg::Consumer { consumer_id: id },
    );
    assert!(answer.is_err());

    // A validator whose stake record is missing or unreadable answers with an error.
    suite.add_validator("alice", 1, 100);
    let alice = addr("alice");
    STAKES.remove(&mut suite.deps.storage, &alice);
    let answer = query(
        suite.deps.as_ref(),
        suite.env.clone(),
        QueryMsg::Validator {
            operator: alice.to_string(),
        },
    );
    assert!(answer.is_err());
    assert!(suite.bond("staker", "alice", 10).is_err());

    // An unreadable epoch record stops the epoch with an error.
    suite.deps.storage.set(ns::EPOCH.as_bytes(), b"[]");
    suite.advance(EPOCH_BLOCKS);
    assert!(suite.exec("anyone", ExecuteMsg::Tick {}, &[]).is_err());
}
