//! End-to-end: the provider contract on an ibc-sim chain, consumers played by a scripted
//! counterparty contract on other chains, DESIGN.md §7 properties checked after each step.

mod common;

use cosmwasm_std::Binary;
use cw_ics_ccv::{
    AckResult, Acknowledgement, ConsumerPacket, Infraction, SlashPacketData, SlashedValidator,
};
use cw_ics_provider::msg::{ConsumerPhase, ExecuteMsg, QueryMsg, SlashAction, ValidatorsResponse};

use common::*;

const STAKERS: &[&str] = &["alice", "bob", "carol", "dave", "erin", "staker"];

fn downtime(seed: u8, vsc_id: u64) -> Binary {
    ConsumerPacket::Slash(SlashPacketData {
        validator: SlashedValidator {
            address: key(seed).consensus_address(),
            power: 1,
        },
        valset_update_id: vsc_id,
        infraction: Infraction::Downtime,
    })
    .encode()
    .unwrap()
}

fn five_validators(net: &mut Net) {
    net.add_validator("alice", 1, 10_000);
    net.add_validator("bob", 2, 20_000);
    net.add_validator("carol", 3, 30_000);
    net.add_validator("dave", 4, 40_000);
    net.add_validator("erin", 5, 5_000);
}

#[test]
fn the_validator_set_is_replicated_to_several_consumers() {
    let mut net = Net::new(&["consumer-a", "consumer-b"]);
    five_validators(&mut net);
    // Two consumers share consumer-a's connection (told apart by port), one is on consumer-b.
    let consumers = net.running_consumers(&[
        ("consumer-a", "x"),
        ("consumer-a", "y"),
        ("consumer-b", "z"),
    ]);
    for consumer in &consumers {
        assert_eq!(net.consumer_view(consumer), net.expected_top_n());
        assert_eq!(
            net.genesis(consumer.id).initial_validator_set.len(),
            MAX_VALIDATORS as usize
        );
    }
    net.check_properties(&consumers, STAKERS);

    // Bonding pushes erin into the top 4 and alice out.
    net.bond("staker", "erin", 20_000).unwrap();
    net.epoch();
    net.coord.relay_all().unwrap();
    net.check_properties(&consumers, STAKERS);
    for consumer in &consumers {
        assert_eq!(net.consumer_view(consumer), net.expected_top_n());
        assert!(!net.consumer_view(consumer).contains_key(key(1).bytes()));
    }

    // Unbonding lowers dave.
    net.unbond("dave", "dave", 15_000).unwrap();
    net.epoch();
    net.coord.relay_all().unwrap();
    net.check_properties(&consumers, STAKERS);
    assert_eq!(net.consumer_view(&consumers[0])[key(4).bytes()], 25);

    // Downtime reported by one consumer jails carol everywhere; the slash ack goes back.
    let vsc_id = net.consumer(consumers[2].id).last_sent_vsc_id;
    net.consumer_sends(&consumers[2], downtime(3, vsc_id))
        .unwrap();
    let acks = net.counterparty_acks(&consumers[2]);
    assert_eq!(
        Acknowledgement::decode(acks.last().unwrap()).unwrap(),
        Acknowledgement::Result(AckResult::SlashHandled)
    );
    net.epoch();
    net.coord.relay_all().unwrap();
    net.check_properties(&consumers, STAKERS);
    for consumer in &consumers {
        assert!(!net.consumer_view(consumer).contains_key(key(3).bytes()));
        assert_eq!(net.consumer_view(consumer), net.expected_top_n());
    }
    let last = net.received(&consumers[2]).last().unwrap().clone();
    assert_eq!(
        last.slash_acks,
        vec![key(3).consensus_address().to_bech32("consvalcons").unwrap()]
    );
    assert!(net
        .received(&consumers[0])
        .last()
        .unwrap()
        .slash_acks
        .is_empty());

    // Unjailing after the jail time brings carol back (with 10% less stake).
    net.coord.advance_time(600);
    net.exec("carol", &ExecuteMsg::Unjail {}, &[]).unwrap();
    net.epoch();
    net.coord.relay_all().unwrap();
    net.check_properties(&consumers, STAKERS);
    for consumer in &consumers {
        assert_eq!(net.consumer_view(consumer)[key(3).bytes()], 27);
        assert_eq!(net.consumer_view(consumer), net.expected_top_n());
    }
}

#[test]
fn unbonding_is_released_exactly_when_all_running_consumers_matured() {
    let mut net = Net::new(&["consumer-a", "consumer-b"]);
    five_validators(&mut net);
    let consumers = net.running_consumers(&[("consumer-a", "x"), ("consumer-b", "y")]);
    net.bond("staker", "bob", 4_000).unwrap();
    net.epoch();
    net.unbond("staker", "bob", 4_000).unwrap();
    let entry = net.unbondings("staker").unbondings[0].clone();
    net.epoch();
    net.coord.relay_all().unwrap();
    net.check_properties(&consumers, STAKERS);
    let vsc_id = net.received(&consumers[0]).last().unwrap().valset_update_id;
    assert_eq!(vsc_id, entry.vsc_id);
    assert_eq!(
        net.received(&consumers[1]).last().unwrap().valset_update_id,
        vsc_id
    );

    // Both consumers mature early: still held by the provider's own unbonding period.
    net.coord.advance_time(CONSUMER_UNBONDING);
    net.send_matured(&consumers[0], vsc_id);
    net.send_matured(&consumers[1], vsc_id);
    assert!(!net.unbondings("staker").unbondings[0].released);
    net.check_properties(&consumers, STAKERS);

    // Time passes; now it is released.
    net.coord.advance_time(UNBONDING - CONSUMER_UNBONDING);
    assert!(net.unbondings("staker").unbondings[0].released);
    let before = net.balance("staker");
    net.exec("staker", &ExecuteMsg::Withdraw { entry_ids: None }, &[])
        .unwrap();
    assert_eq!(net.balance("staker"), before + 4_000);

    // A second entry: time passes first, then one consumer matures, then the other.
    net.unbond("bob", "bob", 1_000).unwrap();
    net.epoch();
    net.coord.relay_all().unwrap();
    let vsc_id = net.received(&consumers[0]).last().unwrap().valset_update_id;
    net.coord.advance_time(UNBONDING);
    assert!(!net.unbondings("bob").unbondings[0].released);
    net.send_matured(&consumers[1], vsc_id);
    assert!(!net.unbondings("bob").unbondings[0].released);
    assert_eq!(
        net.unbondings("bob").unbondings[0].waiting_on,
        vec![consumers[0].id]
    );
    net.send_matured(&consumers[0], vsc_id);
    assert!(net.unbondings("bob").unbondings[0].released);
    net.check_properties(&consumers, STAKERS);
}

#[test]
fn dead_consumers_are_removed_and_stop_holding_unbonding() {
    let mut net = Net::new(&["consumer-a", "consumer-b"]);
    five_validators(&mut net);
    let live = net.running_consumers(&[("consumer-a", "live"), ("consumer-b", "silent")]);
    // A third consumer launches but never opens its channel.
    let never = net.register_consumer("consumer-b", "never");
    net.epoch();
    assert_eq!(net.consumer(never.id).phase, ConsumerPhase::Launched);

    net.unbond("alice", "alice", 2_000).unwrap();
    let entry = net.unbondings("alice").unbondings[0].clone();
    assert_eq!(entry.waiting_on, vec![live[0].id, live[1].id, never.id]);
    net.epoch();
    net.coord.relay_all().unwrap();
    let vsc_id = net.received(&live[0]).last().unwrap().valset_update_id;
    assert_eq!(vsc_id, entry.vsc_id);

    // Init timeout removes the consumer without a channel.
    net.coord.advance_time(INIT_TIMEOUT);
    net.epoch();
    assert_eq!(net.consumer(never.id).phase, ConsumerPhase::Stopped);
    net.check_properties(&live, STAKERS);

    // The live consumer matures; the silent one never does and is stopped at VSC timeout,
    // its channel closed by the provider.
    net.coord.advance_time(CONSUMER_UNBONDING);
    net.send_matured(&live[0], vsc_id);
    net.coord.advance_time(UNBONDING);
    assert!(!net.unbondings("alice").unbondings[0].released);
    net.coord.advance_time(VSC_TIMEOUT);
    net.epoch();
    net.coord.relay_all().unwrap();
    let silent = net.consumer(live[1].id);
    assert_eq!(silent.phase, ConsumerPhase::Stopped);
    assert!(silent.stop_reason.unwrap().contains("VSC timeout"));
    assert!(
        net.counterparty_state(&live[1]).closed,
        "the counterparty saw CloseConfirm"
    );
    assert!(net.unbondings("alice").unbondings[0].released);
    assert_eq!(net.consumer(live[0].id).phase, ConsumerPhase::Launched);
    net.check_properties(&live, STAKERS);

    // One provider unbonding period later the stopped consumers are deleted.
    net.coord.advance_time(UNBONDING);
    net.epoch();
    assert_eq!(net.consumer(live[1].id).phase, ConsumerPhase::Deleted);
    assert_eq!(net.consumer(never.id).phase, ConsumerPhase::Deleted);
}

#[test]
fn a_vsc_that_times_out_stops_the_consumer() {
    let mut net = Net::new(&["consumer-a"]);
    five_validators(&mut net);
    let consumers = net.running_consumers(&[("consumer-a", "x")]);
    let path = consumers[0].path.clone().unwrap();
    net.coord.stop_relayer(&path);
    net.bond("staker", "alice", 5_000).unwrap();
    net.epoch();
    net.coord.advance_time(CCV_TIMEOUT + 1);
    net.coord.start_relayer(&path);
    net.coord.relay_all().unwrap();
    let consumer = net.consumer(consumers[0].id);
    assert_eq!(consumer.phase, ConsumerPhase::Stopped);
    assert!(consumer.stop_reason.unwrap().contains("timed out"));
}

#[test]
fn an_error_ack_from_the_consumer_stops_it() {
    let mut net = Net::new(&["consumer-a"]);
    five_validators(&mut net);
    let consumers = net.running_consumers(&[("consumer-a", "x")]);
    let chain = net.coord.chain_mut("consumer-a").unwrap();
    let script = chain.addr_make("script");
    chain
        .execute(
            &script,
            &consumers[0].contract,
            &common::counterparty::CounterpartyExecute::SetAck {
                ack: Binary::from(br#"{"error":"refused"}"#.as_slice()),
            },
            &[],
        )
        .unwrap();
    net.bond("staker", "alice", 5_000).unwrap();
    net.epoch();
    net.coord.relay_all().unwrap();
    assert_eq!(net.consumer(consumers[0].id).phase, ConsumerPhase::Stopped);
    assert!(net.counterparty_state(&consumers[0]).closed);
}

#[test]
fn adversarial_packets_and_handshakes_change_nothing() {
    let mut net = Net::new(&["consumer-a", "consumer-b"]);
    five_validators(&mut net);
    let consumers = net.running_consumers(&[("consumer-a", "x")]);
    let before = net.provider_snapshot();
    let last_sent = net.consumer(consumers[0].id).last_sent_vsc_id;
    let attacks: Vec<(&str, Binary)> = vec![
        ("garbage", Binary::from(b"\x00\xff garbage".as_slice())),
        (
            "json of the wrong shape",
            Binary::from(br#"{"hello":"world"}"#.as_slice()),
        ),
        ("vscId never sent", downtime(1, last_sent + 7)),
        (
            "matured vscId never sent",
            ConsumerPacket::VscMatured(cw_ics_ccv::VscMaturedPacketData {
                valset_update_id: last_sent + 1,
            })
            .encode()
            .unwrap(),
        ),
    ];
    let mut errors = 0;
    for (name, data) in attacks {
        net.consumer_sends(&consumers[0], data).unwrap();
        let acks = net.counterparty_acks(&consumers[0]);
        let ack = Acknowledgement::decode(acks.last().unwrap()).unwrap();
        assert!(matches!(ack, Acknowledgement::Error(_)), "{name}: {ack:?}");
        errors += 1;
        assert_eq!(acks.len(), errors);
        assert_eq!(
            net.provider_snapshot(),
            before,
            "{name} changed the provider"
        );
        net.check_properties(&consumers, STAKERS);
    }

    // A report about a validator the provider does not know is understood and changes no
    // validator (ack 0x02, as the Go provider answers): only a slash ack is owed.
    let validators_before: ValidatorsResponse = net.query(&QueryMsg::Validators {
        start_after: None,
        limit: Some(100),
    });
    net.consumer_sends(&consumers[0], downtime(99, 0)).unwrap();
    let acks = net.counterparty_acks(&consumers[0]);
    assert_eq!(
        Acknowledgement::decode(acks.last().unwrap()).unwrap(),
        Acknowledgement::Result(cw_ics_ccv::AckResult::SlashHandled)
    );
    let validators_after: ValidatorsResponse = net.query(&QueryMsg::Validators {
        start_after: None,
        limit: Some(100),
    });
    assert_eq!(validators_after, validators_before);
    assert!(net.slash_log().records.is_empty());
    assert_eq!(net.consumer(consumers[0].id).pending_slash_acks.len(), 1);
    net.epoch();
    net.coord.relay_all().unwrap();
    let before = net.provider_snapshot();

    // An impostor on another chain (or another port) cannot open a CCV channel.
    let mut impostor = consumers[0].clone();
    impostor.chain_id = "consumer-b".into();
    impostor.connection = net.connections["consumer-b"].clone();
    let code = net.counterparty_code["consumer-b"];
    let chain = net.coord.chain_mut("consumer-b").unwrap();
    let deployer = chain.addr_make("mallory");
    impostor.contract = chain
        .instantiate(code, &deployer, &cosmwasm_std::Empty {}, &[], "impostor")
        .unwrap();
    assert!(net.open_channel(&mut impostor).is_err());
    // Nor can a second channel be opened for the same consumer.
    let mut twin = consumers[0].clone();
    assert!(net.open_channel(&mut twin).is_err());
    // Nor can anyone close the channel.
    let path = consumers[0].path.clone().unwrap();
    assert!(net
        .coord
        .close_channel(PROVIDER, &path.b.port_id, &path.b.channel_id)
        .is_err());
    assert_eq!(net.provider_snapshot(), before);
    net.check_properties(&consumers, STAKERS);
}

#[test]
fn each_valid_slash_request_is_handled_exactly_once() {
    let mut net = Net::new(&["consumer-a", "consumer-b"]);
    five_validators(&mut net);
    let consumers = net.running_consumers(&[("consumer-a", "x"), ("consumer-b", "y")]);
    let tokens_before = |net: &Net| {
        let v: cw_ics_provider::msg::ValidatorResponse =
            net.query(&cw_ics_provider::msg::QueryMsg::Validator {
                operator: net.user("dave").to_string(),
            });
        v.tokens.u128()
    };
    let start = tokens_before(&net);
    // Both consumers report dave's downtime: one slash, two acknowledgements.
    net.consumer_sends(&consumers[0], downtime(4, 0)).unwrap();
    net.consumer_sends(&consumers[1], downtime(4, 0)).unwrap();
    assert_eq!(tokens_before(&net), start - start / 10);
    let log = net.slash_log().records;
    assert_eq!(log.len(), 2);
    assert!(matches!(log[0].action, SlashAction::Jailed { .. }));
    assert_eq!(log[1].action, SlashAction::AlreadyJailed {});
    net.epoch();
    net.coord.relay_all().unwrap();
    for consumer in &consumers {
        let last = net.received(consumer).last().unwrap().clone();
        assert_eq!(last.slash_acks.len(), 1, "each consumer gets its own ack");
    }
    net.check_properties(&consumers, STAKERS);
}

#[test]
fn the_chains_end_blocker_runs_epochs_with_a_small_budget() {
    let mut net = Net::new(&["consumer-a"]);
    five_validators(&mut net);
    let consumers = net.running_consumers(&[("consumer-a", "x")]);
    let provider = net.provider.clone();
    let chain = net.coord.chain_mut(PROVIDER).unwrap();
    // Governance promotes the contract; in its callback it asks to be an end blocker.
    cw_ics_bindings::multitest::set_privileged(chain.app_mut().storage_mut(), &provider, true);
    chain
        .sudo(
            &provider,
            &cw_ics_bindings::ChainSudoMsg::PrivilegeChange(
                cw_ics_bindings::PrivilegeChange::Promoted {},
            ),
        )
        .unwrap();
    assert_eq!(
        cw_ics_bindings::multitest::holders(
            chain.app().storage(),
            cw_ics_bindings::Privilege::EndBlocker
        ),
        vec![provider.clone()]
    );
    let admin = net.admin.clone();
    let update = ExecuteMsg::UpdateConfig(cw_ics_provider::msg::ConfigUpdate {
        max_epoch_work: Some(2),
        ..Default::default()
    });
    net.coord
        .chain_mut(PROVIDER)
        .unwrap()
        .execute(&admin, &provider, &update, &[])
        .unwrap();
    for (staker, validator) in [("s1", "alice"), ("s2", "bob"), ("s3", "erin")] {
        net.bond(staker, validator, 3_000).unwrap();
    }
    // The chain calls end_block every block; the epoch's work spreads over several blocks.
    let mut blocks = 0;
    let mut spread = false;
    loop {
        net.coord.advance_blocks(1);
        blocks += 1;
        let chain = net.coord.chain_mut(PROVIDER).unwrap();
        chain
            .sudo(&provider, &cw_ics_bindings::ChainSudoMsg::EndBlock {})
            .unwrap();
        let epoch: cw_ics_provider::msg::EpochResponse =
            net.query(&cw_ics_provider::msg::QueryMsg::Epoch {});
        assert!(epoch.has_end_blocker_privilege);
        spread |= epoch.in_progress;
        if !epoch.in_progress && net.consumer(consumers[0].id).last_sent_vsc_id > 1 {
            break;
        }
        assert!(blocks < 100);
    }
    assert!(spread, "the epoch needed several blocks");
    net.coord.relay_all().unwrap();
    assert_eq!(net.consumer_view(&consumers[0]), net.expected_top_n());
    net.check_properties(
        &consumers,
        &["s1", "s2", "s3", "alice", "bob", "carol", "dave", "erin"],
    );
}
