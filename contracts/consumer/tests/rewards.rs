//! Rewards on mocks: configuration (admin only, bounds), deposits, the split, the memo, the
//! transmission schedule, callbacks and replies.

mod common;

use common::*;
use cosmwasm_std::{
    Addr, Coin, ContractInfoResponse, Decimal, IbcTimeout, Reply, SubMsgResult, Timestamp, Uint256,
};
use cw_ics_consumer::contract::reply;
use cw_ics_consumer::msg::{QueryMsg, RewardConfigResponse, RewardPoolResponse};
use cw_ics_consumer::rewards::{split, transfer_memo, voucher_denom, MAX_TRANSFER_TIMEOUT_SECONDS};
use cw_ics_consumer::state::{RewardConfig, TransmissionOutcome, OWED_TO_PROVIDER};
use cw_ics_consumer::ContractError;

const UCONS: &str = "ucons";
const UATOM: &str = "uatom";

fn configured(deps: &Deps) -> Option<RewardConfig> {
    let response: RewardConfigResponse = q(deps, QueryMsg::RewardConfig {});
    response.config
}

fn at(height: u64) -> cosmwasm_std::Env {
    env_at(height, GENESIS_TIME + (height - GENESIS_HEIGHT) * 5)
}

/// Rewards in `denoms`, every `blocks` blocks, configured at the genesis height.
fn configured_setup(denoms: &[&str], blocks: u64, fraction: Decimal) -> Deps {
    let mut deps = rewards_setup();
    let mut s = settings(denoms);
    s.blocks_per_distribution_transmission = Some(blocks);
    s.consumer_redistribution_fraction = Some(fraction);
    configure_rewards(&mut deps, at(GENESIS_HEIGHT), &admin(), s).unwrap();
    deps
}

// ---- configuration ----

#[test]
fn the_admin_configures_rewards_with_ics_defaults() {
    let mut deps = rewards_setup();
    assert_eq!(configured(&deps), None);
    assert_eq!(next_transmission(&deps), None);

    let response = configure_rewards(
        &mut deps,
        at(GENESIS_HEIGHT + 3),
        &admin(),
        settings(&[UCONS]),
    )
    .unwrap();

    assert_eq!(
        configured(&deps),
        Some(RewardConfig {
            consumer_id: 7,
            transfer_channel_id: TRANSFER_CHANNEL.to_string(),
            blocks_per_distribution_transmission: 1_000,
            consumer_redistribution_fraction: Decimal::percent(75),
            redistribution_address: redistribution(),
            transfer_timeout_seconds: 3_600,
            reward_denoms: vec![UCONS.to_string()],
            provider_address: PROVIDER_ADDRESS.to_string(),
        })
    );
    assert_eq!(next_transmission(&deps), Some(GENESIS_HEIGHT + 3 + 1_000));
    let events = events_of(&response.events, "rewards_configured");
    assert_eq!(events.len(), 1);
    assert!(events[0].contains(&("consumer_id".to_string(), "7".to_string())));
    assert!(events[0].contains(&(
        "next_transmission_height".to_string(),
        (GENESIS_HEIGHT + 1_003).to_string()
    )));
}

#[test]
fn anyone_but_the_admin_is_refused_and_nothing_changes() {
    let mut deps = rewards_setup();
    let before = storage_dump(&deps);
    let stranger = Addr::unchecked("stranger");
    let err = configure_rewards(&mut deps, at(GENESIS_HEIGHT), &stranger, settings(&[UCONS]))
        .unwrap_err();
    assert!(
        matches!(&err, ContractError::NotAdmin { sender, admin: Some(a) }
            if sender == "stranger" && *a == admin().to_string()),
        "{err:?}"
    );
    assert_eq!(storage_dump(&deps), before);

    // A contract without an admin cannot be configured at all.
    rewards_chain(&mut deps, None);
    let err =
        configure_rewards(&mut deps, at(GENESIS_HEIGHT), &admin(), settings(&[UCONS])).unwrap_err();
    assert!(
        matches!(err, ContractError::NotAdmin { admin: None, .. }),
        "{err:?}"
    );
    assert_eq!(storage_dump(&deps), before);
}

#[test]
fn out_of_bounds_settings_are_refused_and_change_nothing() {
    let mut deps = configured_setup(&[UCONS], 10, Decimal::percent(75));
    let before = storage_dump(&deps);
    let with = |change: &dyn Fn(&mut cw_ics_consumer::msg::RewardSettings)| {
        let mut s = settings(&[UCONS]);
        change(&mut s);
        s
    };
    let cases: Vec<(cw_ics_consumer::msg::RewardSettings, &str)> = vec![
        (settings(&["ua", "ub1", "uc1", "ud1"]), "TooManyRewardDenoms { max: 3, got: 4 }"),
        (settings(&[]), "NoRewardDenoms"),
        (settings(&[UCONS, UATOM, UCONS]), "DuplicateRewardDenom(\"ucons\")"),
        (settings(&["1cons"]), "InvalidDenom(\"1cons\")"),
        (settings(&["uc"]), "InvalidDenom(\"uc\")"),
        (settings(&["u cons"]), "InvalidDenom(\"u cons\")"),
        (
            with(&|s| s.consumer_redistribution_fraction = Some(Decimal::permille(1_001))),
            "FractionAboveOne(Decimal(1.001))",
        ),
        (
            with(&|s| s.blocks_per_distribution_transmission = Some(0)),
            "ZeroBlocksPerTransmission",
        ),
        (
            with(&|s| s.blocks_per_distribution_transmission = Some(u64::MAX)),
            "Overflow",
        ),
        (
            with(&|s| s.transfer_timeout_seconds = Some(0)),
            "TransferTimeoutOutOfRange { got: 0, min: 1, max: 2419200 }",
        ),
        (
            with(&|s| s.transfer_timeout_seconds = Some(MAX_TRANSFER_TIMEOUT_SECONDS + 1)),
            "TransferTimeoutOutOfRange { got: 2419201, min: 1, max: 2419200 }",
        ),
        (
            with(&|s| s.transfer_channel_id = "channel-404".to_string()),
            "TransferChannelNotFound(\"channel-404\")",
        ),
        (
            with(&|s| s.transfer_channel_id = FOREIGN_TRANSFER_CHANNEL.to_string()),
            "TransferChannelWrongConnection { channel_id: \"channel-6\", expected: \"connection-7\", got: \"connection-99\" }",
        ),
        (
            with(&|s| s.transfer_channel_id = NOT_ICS20_CHANNEL.to_string()),
            "TransferChannelWrongPort { channel_id: \"channel-7\", got: \"wasm.other\" }",
        ),
    ];
    for (settings, expected) in cases {
        let err =
            configure_rewards(&mut deps, at(GENESIS_HEIGHT + 5), &admin(), settings).unwrap_err();
        assert_eq!(format!("{err:?}"), expected);
        assert_eq!(storage_dump(&deps), before, "{expected}");
    }
    let err = configure_rewards(
        &mut deps,
        at(GENESIS_HEIGHT + 5),
        &admin(),
        with(&|s| s.redistribution_address = "not an address".to_string()),
    )
    .unwrap_err();
    assert!(matches!(err, ContractError::Std(_)), "{err:?}");
    assert_eq!(storage_dump(&deps), before);
}

#[test]
fn the_bounds_themselves_are_accepted() {
    let mut deps = rewards_setup();
    let mut s = settings(&[
        UCONS,
        UATOM,
        "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2",
    ]);
    s.consumer_redistribution_fraction = Some(Decimal::one());
    s.transfer_timeout_seconds = Some(MAX_TRANSFER_TIMEOUT_SECONDS);
    s.blocks_per_distribution_transmission = Some(1);
    configure_rewards(&mut deps, at(GENESIS_HEIGHT), &admin(), s).unwrap();
    let mut s = settings(&[UCONS]);
    s.consumer_redistribution_fraction = Some(Decimal::zero());
    s.transfer_timeout_seconds = Some(1);
    configure_rewards(&mut deps, at(GENESIS_HEIGHT), &admin(), s).unwrap();
}

#[test]
fn a_provider_that_is_not_a_contract_cannot_be_paid() {
    let mut genesis = genesis();
    genesis.provider_port_id = "provider".to_string();
    let mut deps = setup_with(genesis).unwrap();
    rewards_chain(&mut deps, Some(admin()));
    let before = storage_dump(&deps);
    let err =
        configure_rewards(&mut deps, at(GENESIS_HEIGHT), &admin(), settings(&[UCONS])).unwrap_err();
    assert!(
        matches!(&err, ContractError::ProviderNotAContract(port) if port == "provider"),
        "{err:?}"
    );
    assert_eq!(storage_dump(&deps), before);
}

#[test]
fn a_new_configuration_keeps_the_schedule_and_drops_old_denoms_records() {
    let mut deps = configured_setup(&[UCONS, UATOM], 100, Decimal::percent(50));
    set_pool(&mut deps, &[(UCONS, 10), (UATOM, 10)]);
    block(&mut deps, GENESIS_HEIGHT + 100);
    assert_eq!(reward_transmissions(&deps).len(), 2);
    assert_eq!(next_transmission(&deps), Some(GENESIS_HEIGHT + 200));

    // Counted from the last transmission with the new period, as ICS does.
    let mut s = settings(&[UCONS]);
    s.blocks_per_distribution_transmission = Some(30);
    configure_rewards(&mut deps, at(GENESIS_HEIGHT + 110), &admin(), s).unwrap();
    assert_eq!(next_transmission(&deps), Some(GENESIS_HEIGHT + 130));
    let kept: Vec<String> = reward_transmissions(&deps)
        .into_iter()
        .map(|t| t.denom)
        .collect();
    assert_eq!(kept, vec![UCONS.to_string()]);
}

// ---- deposits ----

#[test]
fn deposits_in_reward_denoms_are_accepted_with_an_event() {
    let mut deps = configured_setup(&[UCONS, UATOM], 10, Decimal::percent(75));
    let before = storage_dump(&deps);
    let depositor = Addr::unchecked("treasury");
    let response = deposit_rewards(
        &mut deps,
        &depositor,
        &[Coin::new(100u128, UATOM), Coin::new(5u128, UCONS)],
    )
    .unwrap();
    assert_eq!(
        events_of(&response.events, "rewards_deposit"),
        vec![vec![
            ("depositor".to_string(), "treasury".to_string()),
            ("amount".to_string(), "100uatom,5ucons".to_string()),
        ]]
    );
    // The pool is the balance: nothing is written.
    assert_eq!(storage_dump(&deps), before);
}

#[test]
fn refused_deposits_change_nothing() {
    let mut deps = rewards_setup();
    let depositor = Addr::unchecked("treasury");
    let before = storage_dump(&deps);
    let err = deposit_rewards(&mut deps, &depositor, &[Coin::new(5u128, UCONS)]).unwrap_err();
    assert!(
        matches!(err, ContractError::RewardsNotConfigured),
        "{err:?}"
    );
    assert_eq!(storage_dump(&deps), before);

    let mut deps = configured_setup(&[UCONS], 10, Decimal::percent(75));
    let before = storage_dump(&deps);
    let err = deposit_rewards(&mut deps, &depositor, &[]).unwrap_err();
    assert!(matches!(err, ContractError::EmptyDeposit), "{err:?}");
    let err = deposit_rewards(&mut deps, &depositor, &[Coin::new(0u128, UCONS)]).unwrap_err();
    assert!(matches!(err, ContractError::EmptyDeposit), "{err:?}");
    let err = deposit_rewards(
        &mut deps,
        &depositor,
        &[Coin::new(5u128, UCONS), Coin::new(1u128, "uother")],
    )
    .unwrap_err();
    assert!(
        matches!(&err, ContractError::NotARewardDenom { denom, allowed }
            if denom == "uother" && allowed == "ucons"),
        "{err:?}"
    );
    assert_eq!(storage_dump(&deps), before);
}

// ---- the split and the memo ----

#[test]
fn the_consumer_part_is_rounded_down_and_the_provider_gets_the_remainder() {
    let cases = [
        (1_000u128, Decimal::percent(75), 750u128, 250u128),
        (1, Decimal::percent(75), 0, 1),
        (3, Decimal::percent(50), 1, 2),
        (999, Decimal::permille(333), 332, 667),
        (7, Decimal::one(), 7, 0),
        (7, Decimal::zero(), 0, 7),
    ];
    for (amount, fraction, consumer, provider) in cases {
        assert_eq!(
            split(Uint256::from(amount), fraction).unwrap(),
            (Uint256::from(consumer), Uint256::from(provider)),
            "{amount} × {fraction}"
        );
    }
    let (consumer, provider) = split(Uint256::MAX, Decimal::percent(75)).unwrap();
    assert_eq!(consumer + provider, Uint256::MAX);
}

#[test]
fn the_memo_is_ics_attribution_plus_both_callbacks() {
    let memo = transfer_memo(
        7,
        "consumer-1",
        "cosmos1provider",
        &Addr::unchecked("cons1consumer"),
    )
    .unwrap();
    assert_eq!(
        memo,
        r#"{"provider":{"consumerId":"7","chainId":"consumer-1","memo":"ICS rewards"},"dest_callback":{"address":"cosmos1provider"},"src_callback":{"address":"cons1consumer"}}"#
    );
    // Strings are escaped, never spliced.
    let memo = transfer_memo(0, "a\"b", "p", &Addr::unchecked("c")).unwrap();
    assert!(memo.contains(r#""chainId":"a\"b""#), "{memo}");
}

// ---- transmission ----

#[test]
fn nothing_is_transmitted_before_configuration() {
    let mut deps = rewards_setup();
    set_pool(&mut deps, &[(UCONS, 1_000)]);
    for height in GENESIS_HEIGHT + 1..GENESIS_HEIGHT + 2_500 {
        let response = block(&mut deps, height);
        assert!(response.messages.is_empty(), "height {height}");
    }
    let response = tick(&mut deps, at(GENESIS_HEIGHT + 2_500));
    assert!(response.messages.is_empty());
    assert!(reward_transmissions(&deps).is_empty());
}

#[test]
fn a_transmission_pays_the_consumer_part_and_transfers_the_rest_with_the_memo() {
    let mut deps = configured_setup(&[UCONS, UATOM, "uzero"], 10, Decimal::percent(75));
    set_pool(&mut deps, &[(UCONS, 1_001), (UATOM, 3)]);
    let height = GENESIS_HEIGHT + 10;
    let env = at(height);
    let response = begin_block(&mut deps, env.clone(), vec![]);

    let sent = reward_messages(&response.messages);
    assert_eq!(
        sent.payments,
        vec![
            (redistribution().to_string(), Coin::new(750u128, UCONS)),
            (redistribution().to_string(), Coin::new(2u128, UATOM)),
        ]
    );
    let memo = transfer_memo(
        7,
        &env.block.chain_id,
        PROVIDER_ADDRESS,
        &contract_address(),
    )
    .unwrap();
    let timeout = IbcTimeout::with_timestamp(env.block.time.plus_seconds(3_600));
    let transfer = |amount: u128, denom: &str| Transfer {
        channel_id: TRANSFER_CHANNEL.to_string(),
        to_address: PROVIDER_ADDRESS.to_string(),
        amount: Coin::new(amount, denom),
        timeout: timeout.clone(),
        memo: Some(memo.clone()),
    };
    assert_eq!(
        sent.transfers,
        vec![transfer(251, UCONS), transfer(1, UATOM)]
    );

    // A zero balance sends nothing and keeps no record.
    let records = reward_transmissions(&deps);
    assert_eq!(
        records.iter().map(|r| r.denom.as_str()).collect::<Vec<_>>(),
        vec![UATOM, UCONS]
    );
    let ucons = &records[1].transmission;
    assert_eq!(ucons.height, height);
    assert_eq!(ucons.to_consumer, Uint256::from(750u128));
    assert_eq!(ucons.to_provider, Uint256::from(251u128));
    assert_eq!(ucons.outcome, TransmissionOutcome::InFlight {});
    let events = events_of(&response.events, "rewards_transmission");
    assert_eq!(events.len(), 2);
    assert!(events[0].contains(&("to_provider".to_string(), "251".to_string())));
    assert!(events[0].contains(&("to_consumer".to_string(), "750".to_string())));
    assert_eq!(next_transmission(&deps), Some(height + 10));
}

#[test]
fn transmissions_happen_every_n_blocks_once_per_height_from_any_hook() {
    let mut deps = configured_setup(&[UCONS], 10, Decimal::percent(75));
    set_pool(&mut deps, &[(UCONS, 100)]);
    let mut transmitted_at = vec![];
    for offset in 1..=35 {
        let height = GENESIS_HEIGHT + offset;
        // No begin_block at offset 20 (as on a chain without begin-block hooks): end_block
        // transmits then; tick after both never transmits again at the same height.
        let mut hooks = vec![];
        if offset != 20
            && !reward_messages(&block(&mut deps, height).messages)
                .transfers
                .is_empty()
        {
            hooks.push("begin_block");
        }
        let end = cw_ics_consumer::contract::sudo(
            deps.as_mut(),
            at(height),
            cw_ics_bindings::ChainSudoMsg::EndBlock {},
        )
        .unwrap();
        if !reward_messages(&end.messages).transfers.is_empty() {
            hooks.push("end_block");
        }
        if !reward_messages(&tick(&mut deps, at(height)).messages)
            .transfers
            .is_empty()
        {
            hooks.push("tick");
        }
        if !hooks.is_empty() {
            transmitted_at.push((offset, hooks));
        }
    }
    assert_eq!(
        transmitted_at,
        vec![
            (10, vec!["begin_block"]),
            (20, vec!["end_block"]),
            (30, vec!["begin_block"])
        ]
    );
}

#[test]
fn a_halted_consumer_pays_its_part_and_keeps_the_providers_in_the_pool() {
    let mut deps = configured_setup(&[UCONS], 10, Decimal::percent(75));
    open_channel(&mut deps);
    close_confirm(&mut deps, CHANNEL).unwrap();
    assert!(status(&deps).halted.is_some());
    set_pool(&mut deps, &[(UCONS, 100)]);

    let response = block(&mut deps, GENESIS_HEIGHT + 10);

    let sent = reward_messages(&response.messages);
    assert_eq!(
        sent.payments,
        vec![(redistribution().to_string(), Coin::new(75u128, UCONS))]
    );
    assert!(sent.transfers.is_empty());
    let record = &reward_transmissions(&deps)[0].transmission;
    assert_eq!(record.outcome, TransmissionOutcome::Withheld {});
    assert_eq!(record.to_provider, Uint256::from(25u128));
}

#[test]
fn a_fraction_of_one_or_zero_sends_one_message_per_denom() {
    let mut deps = configured_setup(&[UCONS], 10, Decimal::one());
    set_pool(&mut deps, &[(UCONS, 100)]);
    let sent = reward_messages(&block(&mut deps, GENESIS_HEIGHT + 10).messages);
    assert_eq!((sent.payments.len(), sent.transfers.len()), (1, 0));
    assert_eq!(
        reward_transmissions(&deps)[0].transmission.outcome,
        TransmissionOutcome::NothingForProvider {}
    );

    let mut deps = configured_setup(&[UCONS], 10, Decimal::zero());
    set_pool(&mut deps, &[(UCONS, 100)]);
    let sent = reward_messages(&block(&mut deps, GENESIS_HEIGHT + 10).messages);
    assert_eq!(sent.payments, vec![]);
    assert_eq!(sent.transfers[0].amount, Coin::new(100u128, UCONS));
}

#[test]
fn the_pool_query_reads_the_balance_of_each_reward_denom() {
    let mut deps = configured_setup(&[UCONS, UATOM], 10, Decimal::percent(75));
    set_pool(&mut deps, &[(UCONS, 12), ("uother", 5)]);
    let pool: RewardPoolResponse = q(&deps, QueryMsg::RewardPool {});
    assert_eq!(
        pool.balances,
        vec![Coin::new(12u128, UCONS), Coin::new(0u128, UATOM)]
    );
}

// ---- callbacks and replies ----

/// A configured consumer that has just transmitted 100 ucons (75 / 25) at genesis + 10.
fn transmitted() -> (Deps, Transfer) {
    let mut deps = configured_setup(&[UCONS], 10, Decimal::percent(75));
    set_pool(&mut deps, &[(UCONS, 100)]);
    let response = block(&mut deps, GENESIS_HEIGHT + 10);
    let transfer = reward_messages(&response.messages).transfers.remove(0);
    (deps, transfer)
}

fn outcome(deps: &Deps) -> TransmissionOutcome {
    reward_transmissions(deps)[0].transmission.outcome.clone()
}

#[test]
fn callbacks_record_acknowledged_refused_and_timed_out_transfers() {
    let (mut deps, transfer) = transmitted();
    let response = source_callback(
        &mut deps,
        transfer_packet(&transfer, UCONS, 4),
        TransferResult::Ack,
    )
    .unwrap();
    assert_eq!(
        outcome(&deps),
        TransmissionOutcome::Acknowledged { sequence: 4 }
    );
    let event = &events_of(&response.events, "rewards_transfer_outcome")[0];
    for expected in [
        ("denom", UCONS),
        ("amount", "25"),
        ("sequence", "4"),
        ("outcome", "acknowledged"),
        ("refunded", "false"),
        ("recorded", "true"),
    ] {
        assert!(
            event.contains(&(expected.0.to_string(), expected.1.to_string())),
            "{expected:?} in {event:?}"
        );
    }

    let (mut deps, transfer) = transmitted();
    source_callback(
        &mut deps,
        transfer_packet(&transfer, UCONS, 5),
        TransferResult::ErrorAck("receiver unknown"),
    )
    .unwrap();
    assert_eq!(
        outcome(&deps),
        TransmissionOutcome::Refused {
            sequence: 5,
            error: "receiver unknown".to_string()
        }
    );

    let (mut deps, transfer) = transmitted();
    let response = source_callback(
        &mut deps,
        transfer_packet(&transfer, UCONS, 6),
        TransferResult::Timeout,
    )
    .unwrap();
    assert_eq!(
        outcome(&deps),
        TransmissionOutcome::TimedOut { sequence: 6 }
    );
    assert!(events_of(&response.events, "rewards_transfer_outcome")[0]
        .contains(&("refunded".to_string(), "true".to_string())));
}

#[test]
fn a_late_refund_of_an_older_transmission_is_owed_to_the_provider_but_records_no_outcome() {
    let (mut deps, transfer) = transmitted();
    let mut older = transfer.clone();
    older.timeout = IbcTimeout::with_timestamp(Timestamp::from_seconds(GENESIS_TIME));
    let response = source_callback(
        &mut deps,
        transfer_packet(&older, UCONS, 1),
        TransferResult::Timeout,
    )
    .unwrap();
    assert!(events_of(&response.events, "rewards_transfer_outcome")[0]
        .contains(&("recorded".to_string(), "false".to_string())));
    assert_eq!(outcome(&deps), TransmissionOutcome::InFlight {});
    let owed = OWED_TO_PROVIDER.load(deps.as_ref().storage, UCONS).unwrap();
    assert_eq!(owed.to_string(), transfer.amount.amount.to_string());
}

#[test]
fn an_acknowledged_transfer_owes_nothing() {
    let (mut deps, transfer) = transmitted();
    source_callback(
        &mut deps,
        transfer_packet(&transfer, UCONS, 6),
        TransferResult::Ack,
    )
    .unwrap();
    assert_eq!(
        OWED_TO_PROVIDER
            .may_load(deps.as_ref().storage, UCONS)
            .unwrap(),
        None
    );
}

#[test]
fn a_callback_for_a_packet_this_contract_did_not_send_is_refused() {
    let (mut deps, transfer) = transmitted();
    let before = storage_dump(&deps);
    let mut packet = transfer_packet(&transfer, UCONS, 4);
    packet.data = br#"{"amount":"25","denom":"ucons","receiver":"x","sender":"someone"}"#
        .to_vec()
        .into();
    let err = source_callback(&mut deps, packet, TransferResult::Ack).unwrap_err();
    assert!(matches!(err, ContractError::NotOurTransfer(_)), "{err:?}");
    let mut packet = transfer_packet(&transfer, UCONS, 4);
    packet.data = b"not json".to_vec().into();
    let err = source_callback(&mut deps, packet, TransferResult::Ack).unwrap_err();
    assert!(matches!(err, ContractError::NotOurTransfer(_)), "{err:?}");
    assert_eq!(storage_dump(&deps), before);
}

#[test]
fn a_voucher_reward_denom_is_matched_by_its_trace() {
    let trace = "transfer/channel-0/uatom";
    let voucher = voucher_denom(trace);
    assert_eq!(
        voucher,
        "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2"
    );
    let mut deps = configured_setup(&[&voucher], 10, Decimal::percent(75));
    set_pool(&mut deps, &[(&voucher, 100)]);
    let response = block(&mut deps, GENESIS_HEIGHT + 10);
    let transfer = reward_messages(&response.messages).transfers.remove(0);
    source_callback(
        &mut deps,
        transfer_packet(&transfer, trace, 2),
        TransferResult::Ack,
    )
    .unwrap();
    assert_eq!(
        outcome(&deps),
        TransmissionOutcome::Acknowledged { sequence: 2 }
    );
}

fn failed_reply(id: u64, denom: &str, error: &str) -> Reply {
    #[allow(deprecated)]
    Reply {
        id,
        payload: denom.as_bytes().to_vec().into(),
        gas_used: 0,
        result: SubMsgResult::Err(error.to_string()),
    }
}

#[test]
fn a_transfer_this_chain_refuses_is_recorded_as_not_sent() {
    let (mut deps, _) = transmitted();
    let env = at(GENESIS_HEIGHT + 10);
    let response = reply(
        deps.as_mut(),
        env.clone(),
        failed_reply(2, UCONS, "channel closed"),
    )
    .unwrap();
    assert_eq!(
        outcome(&deps),
        TransmissionOutcome::NotSent {
            error: "channel closed".to_string()
        }
    );
    assert_eq!(
        events_of(&response.events, "rewards_transfer_not_sent").len(),
        1
    );

    // A refused payment only reports (its amount stays in the pool).
    let before = storage_dump(&deps);
    let response = reply(
        deps.as_mut(),
        env.clone(),
        failed_reply(1, UCONS, "blocked"),
    )
    .unwrap();
    assert_eq!(
        events_of(&response.events, "rewards_payment_failed").len(),
        1
    );
    assert_eq!(storage_dump(&deps), before);

    let err = reply(deps.as_mut(), env, failed_reply(9, UCONS, "?")).unwrap_err();
    assert!(matches!(err, ContractError::UnknownReply(9)), "{err:?}");
    assert_eq!(storage_dump(&deps), before);
}

#[test]
fn an_overlong_error_is_cut_at_a_character_boundary() {
    let (mut deps, transfer) = transmitted();
    let long: &'static str = Box::leak("é".repeat(300).into_boxed_str());
    source_callback(
        &mut deps,
        transfer_packet(&transfer, UCONS, 5),
        TransferResult::ErrorAck(long),
    )
    .unwrap();
    let TransmissionOutcome::Refused { error, .. } = outcome(&deps) else {
        panic!("expected refused");
    };
    assert_eq!(error.len(), 256);
    assert!(error.chars().all(|c| c == 'é'));
}

#[test]
fn contract_info_answers_are_what_the_admin_check_reads() {
    // Guards the test harness itself: the mock answers the admin that `rewards_chain` set.
    let deps = rewards_setup();
    let info: ContractInfoResponse = deps
        .as_ref()
        .querier
        .query_wasm_contract_info(contract_address())
        .unwrap();
    assert_eq!(info.admin, Some(admin()));
}
