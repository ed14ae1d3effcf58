//! The compact records of the staking ledger, the configuration, the slash log and the consumer
//! queues and indexes: what is saved is what is loaded, keys of different owners never mix,
//! ranges keep their order, corrupt bytes are errors.

use cosmwasm_std::testing::MockStorage;
use cosmwasm_std::{Addr, Decimal, Storage, Timestamp, Uint128};
use cw_ics_ccv::PublicKey;

use crate::msg::{InfractionKind, RegistrationPolicy, SlashAction, SlashRecord, SlashedTokens};
use crate::state::{
    next_cell_id, pending_slash_acks, queue_slash_ack, take_slash_acks, Config, UnbondingEntry,
    Validator, CHANNEL_TO_CONSUMER, CONFIG, DELETION_QUEUE, LAUNCHED, NEXT_CONSUMER_ID, SENT_VSCS,
    SLASH_LOG, SPAWN_QUEUE, UNBONDINGS, VALIDATORS, VSC_HEIGHTS,
};

fn validator(operator: &str, jailed_until: Option<Timestamp>) -> Validator {
    Validator {
        operator: Addr::unchecked(operator),
        pub_key: PublicKey::Ed25519(vec![7; 32].into()),
        moniker: "moniker".to_string(),
        commission: Decimal::percent(5),
        tokens: Uint128::new(u128::MAX),
        shares: Uint128::new(12_345),
        jailed_until,
        tombstoned: jailed_until.is_none(),
    }
}

fn entry(staker: &str, id: u64) -> UnbondingEntry {
    UnbondingEntry {
        id,
        staker: Addr::unchecked(staker),
        validator: Addr::unchecked("operator"),
        initial_amount: Uint128::new(1_000),
        balance: Uint128::new(900),
        created_height: 77,
        vsc_id: 3,
        completes_at: Timestamp::from_seconds(1_700_000_000),
        waiting_on: vec![1, 300],
    }
}

#[test]
fn validators_load_with_their_operator_and_page_in_operator_order() {
    let mut storage = MockStorage::new();
    let jailed = validator("val-b", Some(Timestamp::from_nanos(5)));
    let tombstoned = validator("val-a", None);
    VALIDATORS.save(&mut storage, &jailed);
    VALIDATORS.save(&mut storage, &tombstoned);
    assert_eq!(VALIDATORS.load(&storage, &jailed.operator).unwrap(), jailed);
    assert!(VALIDATORS.has(&storage, &tombstoned.operator));
    assert!(VALIDATORS
        .may_load(&storage, &Addr::unchecked("val-c"))
        .unwrap()
        .is_none());
    assert_eq!(
        VALIDATORS.page(&storage, None, 10).unwrap(),
        vec![tombstoned.clone(), jailed.clone()]
    );
    assert_eq!(
        VALIDATORS
            .page(&storage, Some(&tombstoned.operator), 10)
            .unwrap(),
        vec![jailed]
    );
    assert!(!VALIDATORS.is_empty(&storage));
    assert!(VALIDATORS.is_empty(&MockStorage::new()));
}

#[test]
fn a_stakers_entries_never_include_those_of_a_longer_address_it_prefixes() {
    let mut storage = MockStorage::new();
    UNBONDINGS.save(&mut storage, &entry("staker", 2)).unwrap();
    UNBONDINGS.save(&mut storage, &entry("staker", 1)).unwrap();
    UNBONDINGS.save(&mut storage, &entry("stakers", 3)).unwrap();
    let short = Addr::unchecked("staker");
    assert_eq!(
        UNBONDINGS.page(&storage, &short, None, 10).unwrap(),
        vec![entry("staker", 1), entry("staker", 2)]
    );
    assert_eq!(
        UNBONDINGS.page(&storage, &short, None, 1).unwrap(),
        vec![entry("staker", 1)]
    );
    assert_eq!(
        UNBONDINGS.page(&storage, &short, Some(1), 10).unwrap(),
        vec![entry("staker", 2)]
    );
    assert!(
        UNBONDINGS.may_load(&storage, &short, 3).unwrap().is_none(),
        "an id names an entry only together with its staker"
    );
    UNBONDINGS.remove(&mut storage, &short, 1).unwrap();
    assert_eq!(
        UNBONDINGS.page(&storage, &short, None, 10).unwrap(),
        vec![entry("staker", 2)]
    );
    assert_eq!(
        UNBONDINGS
            .may_load(&storage, &Addr::unchecked("stakers"), 3)
            .unwrap(),
        Some(entry("stakers", 3))
    );
}

#[test]
fn slash_records_and_config_round_trip() {
    let mut storage = MockStorage::new();
    let actions = [
        SlashAction::Jailed {
            slashed: Uint128::new(20),
        },
        SlashAction::AlreadyJailed {},
        SlashAction::Recorded {},
    ];
    for (id, action) in (1u64..).zip(actions) {
        let record = SlashRecord {
            id,
            consumer_id: 4,
            validator: Addr::unchecked("operator"),
            consensus_address: "cosmosvalcons1xyz".to_string(),
            infraction: if id == 3 {
                InfractionKind::DoubleSign
            } else {
                InfractionKind::Downtime
            },
            vsc_id: 9,
            infraction_height: 1_000_000,
            received_at: Timestamp::from_seconds(42),
            action,
        };
        SLASH_LOG.save(&mut storage, &[&id.to_be_bytes()], &record);
        assert_eq!(
            SLASH_LOG.load(&storage, &[&id.to_be_bytes()]).unwrap(),
            record
        );
    }

    for (policy, destination) in [
        (RegistrationPolicy::AdminOnly, SlashedTokens::Burn {}),
        (
            RegistrationPolicy::Permissionless,
            SlashedTokens::SendTo {
                address: "community".to_string(),
            },
        ),
    ] {
        let config = Config {
            admin: Addr::unchecked("admin"),
            bond_denom: "ustake".to_string(),
            power_reduction: Uint128::new(1_000_000),
            unbonding_period_seconds: 1_814_400,
            epoch_length_blocks: 600,
            max_validators: 180,
            consumer_registration: policy,
            ccv_timeout_seconds: 2_419_200,
            init_timeout_seconds: 604_800,
            vsc_timeout_seconds: 3_024_000,
            downtime_jail_seconds: 600,
            downtime_slash_fraction: Decimal::permille(1),
            double_sign_slash_fraction: Decimal::one(),
            slashed_tokens: destination,
            wait_for_consumer_maturity: true,
            max_epoch_work: 200,
        };
        CONFIG.save(&mut storage, &config);
        assert_eq!(CONFIG.load(&storage).unwrap(), config);
    }
}

#[test]
fn corrupt_records_are_errors() {
    let mut storage = MockStorage::new();
    let operator = Addr::unchecked("val");
    VALIDATORS.save(&mut storage, &validator("val", None));
    let key: Vec<u8> = [&b"\xd1"[..], operator.as_bytes()].concat();
    let mut bytes = storage.get(&key).unwrap();
    bytes.push(0);
    storage.set(&key, &bytes);
    assert!(VALIDATORS.load(&storage, &operator).is_err());
    storage.set(&key, &bytes[..5]);
    assert!(VALIDATORS.load(&storage, &operator).is_err());
}

#[test]
fn slash_acks_are_kept_per_consumer_in_slash_order() {
    let mut storage = MockStorage::new();
    queue_slash_ack(&mut storage, 2, 5, "late".to_string());
    queue_slash_ack(&mut storage, 1, 4, "other".to_string());
    queue_slash_ack(&mut storage, 2, 3, "early".to_string());
    assert_eq!(
        pending_slash_acks(&storage, 2).unwrap(),
        vec!["early", "late"]
    );
    assert_eq!(
        take_slash_acks(&mut storage, 2).unwrap(),
        vec!["early", "late"]
    );
    assert!(pending_slash_acks(&storage, 2).unwrap().is_empty());
    assert_eq!(pending_slash_acks(&storage, 1).unwrap(), vec!["other"]);
}

#[test]
fn store_tags_are_distinct_single_bytes_above_storage_plus_keys() {
    use crate::state::tags::*;
    let all = [
        EPOCH,
        CONSUMER_INFO,
        CONSUMER_LINK,
        GENESIS,
        QUEUED_VSCS,
        DUE_CONSUMERS,
        TIMEOUTS,
        RANKING,
        EPOCH_CANDIDATES,
        CHANGED,
        CONFIG,
        VALIDATORS,
        DELEGATIONS,
        UNBONDINGS,
        VALIDATOR_UNBONDINGS,
        NEXT_UNBONDING_ID,
        SLASH_LOG,
        NEXT_SLASH_ID,
        SLASH_ACKS,
        OPERATOR_BY_CONS_ADDR,
        SPAWN_QUEUE,
        LAUNCHED,
        DELETION_QUEUE,
        SENT_VSCS,
        CHANNEL_TO_CONSUMER,
        NEXT_CONSUMER_ID,
        VSC_HEIGHTS,
    ];
    let mut seen = std::collections::BTreeSet::new();
    for tag in all {
        assert_eq!(tag.len(), 1, "{tag:?}");
        assert!(
            tag[0] >= 0x80,
            "{tag:?} could collide with a cw-storage-plus key"
        );
        assert!(seen.insert(tag[0]), "{tag:?} used twice");
    }
}

#[test]
fn queues_yield_due_entries_in_time_then_id_order_after_the_cursor() {
    let mut storage = MockStorage::new();
    SPAWN_QUEUE.insert(&mut storage, 300, 1);
    SPAWN_QUEUE.insert(&mut storage, 100, 7);
    SPAWN_QUEUE.insert(&mut storage, 100, 2);
    SPAWN_QUEUE.insert(&mut storage, 256, 9);
    // The deletion queue shares no entries with the spawn queue.
    DELETION_QUEUE.insert(&mut storage, 50, 4);
    let mut due = vec![];
    let mut after = None;
    while let Some(key) = SPAWN_QUEUE.next_due(&storage, after, 299).unwrap() {
        due.push(key);
        after = Some(key);
    }
    assert_eq!(due, vec![(100, 2), (100, 7), (256, 9)]);
    // A time equal to `now` is due, whatever the id.
    SPAWN_QUEUE.insert(&mut storage, 299, u64::MAX);
    assert_eq!(
        SPAWN_QUEUE.next_due(&storage, Some((256, 9)), 299).unwrap(),
        Some((299, u64::MAX))
    );
    assert_eq!(
        SPAWN_QUEUE.next_due(&storage, None, u64::MAX).unwrap(),
        Some((100, 2))
    );
    SPAWN_QUEUE.remove(&mut storage, 100, 2);
    assert_eq!(
        SPAWN_QUEUE.next_due(&storage, None, 99).unwrap(),
        None,
        "nothing is due before its time"
    );
    assert_eq!(
        SPAWN_QUEUE.next_due(&storage, None, 100).unwrap(),
        Some((100, 7))
    );
    assert_eq!(
        DELETION_QUEUE.next_due(&storage, None, 1_000).unwrap(),
        Some((50, 4))
    );
    DELETION_QUEUE.remove(&mut storage, 50, 4);
    assert_eq!(
        DELETION_QUEUE.next_due(&storage, None, 1_000).unwrap(),
        None
    );
}

#[test]
fn launched_consumers_come_out_in_id_order() {
    let mut storage = MockStorage::new();
    for id in [300, 2, 256, 1] {
        LAUNCHED.insert(&mut storage, id);
    }
    assert_eq!(LAUNCHED.all(&storage).unwrap(), vec![1, 2, 256, 300]);
    assert_eq!(LAUNCHED.next_after(&storage, None).unwrap(), Some(1));
    assert_eq!(LAUNCHED.next_after(&storage, Some(2)).unwrap(), Some(256));
    assert_eq!(LAUNCHED.next_after(&storage, Some(3)).unwrap(), Some(256));
    assert_eq!(LAUNCHED.next_after(&storage, Some(300)).unwrap(), None);
    LAUNCHED.remove(&mut storage, 256);
    assert_eq!(LAUNCHED.all(&storage).unwrap(), vec![1, 2, 300]);
}

#[test]
fn sent_vscs_are_ranged_per_consumer_up_to_an_inclusive_vsc_id() {
    let mut storage = MockStorage::new();
    for (consumer, vsc_id) in [(1, 5), (1, 256), (1, 3), (2, 1), (256, 4)] {
        SENT_VSCS.save(
            &mut storage,
            consumer,
            vsc_id,
            Timestamp::from_seconds(consumer * 1_000 + vsc_id),
        );
    }
    assert_eq!(
        SENT_VSCS.ids(&storage, 1, None, usize::MAX).unwrap(),
        vec![3, 5, 256]
    );
    assert_eq!(
        SENT_VSCS.ids(&storage, 1, Some(5), usize::MAX).unwrap(),
        vec![3, 5]
    );
    assert_eq!(SENT_VSCS.ids(&storage, 1, Some(4), 10).unwrap(), vec![3]);
    assert_eq!(SENT_VSCS.ids(&storage, 1, None, 2).unwrap(), vec![3, 5]);
    assert_eq!(
        SENT_VSCS.oldest(&storage, 1).unwrap(),
        Some((3, Timestamp::from_seconds(1_003)))
    );
    assert_eq!(
        SENT_VSCS.oldest(&storage, 256).unwrap(),
        Some((4, Timestamp::from_seconds(256_004)))
    );
    SENT_VSCS.remove(&mut storage, 2, 1);
    assert_eq!(SENT_VSCS.oldest(&storage, 2).unwrap(), None);
    assert!(SENT_VSCS
        .ids(&storage, 3, None, usize::MAX)
        .unwrap()
        .is_empty());
}

#[test]
fn channels_vsc_heights_and_consumer_ids_round_trip() {
    let mut storage = MockStorage::new();
    CHANNEL_TO_CONSUMER.save(&mut storage, "channel-1", 4);
    CHANNEL_TO_CONSUMER.save(&mut storage, "channel-10", 5);
    assert_eq!(
        CHANNEL_TO_CONSUMER.may_load(&storage, "channel-1").unwrap(),
        Some(4)
    );
    assert_eq!(
        CHANNEL_TO_CONSUMER
            .may_load(&storage, "channel-10")
            .unwrap(),
        Some(5)
    );
    CHANNEL_TO_CONSUMER.remove(&mut storage, "channel-1");
    assert_eq!(
        CHANNEL_TO_CONSUMER.may_load(&storage, "channel-1").unwrap(),
        None
    );
    assert_eq!(
        CHANNEL_TO_CONSUMER
            .may_load(&storage, "channel-10")
            .unwrap(),
        Some(5)
    );

    VSC_HEIGHTS.save(&mut storage, 7, 1_234);
    assert_eq!(VSC_HEIGHTS.may_load(&storage, 7).unwrap(), Some(1_234));
    assert_eq!(VSC_HEIGHTS.may_load(&storage, 8).unwrap(), None);

    assert_eq!(next_cell_id(&mut storage, &NEXT_CONSUMER_ID).unwrap(), 1);
    assert_eq!(next_cell_id(&mut storage, &NEXT_CONSUMER_ID).unwrap(), 2);
}
