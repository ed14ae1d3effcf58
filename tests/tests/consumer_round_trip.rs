//! The consumer contract against the real provider contract on the simulated network
//! (`cw_ics_sim`): channel opening, VSCs in order, maturity, downtime round trip, the halt
//! after a timeout, promotion, an emptied set, impostor handshakes. The DESIGN.md §7
//! invariants are checked after every step and every relay (`Network` fails on a violation).

use anyhow::Result;
use cw_ics_consumer::msg as consumer_msg;
use cw_ics_consumer::state::{HaltReason, Mode};
use cw_ics_ibc_sim::IbcEvent;
use cw_ics_provider::msg as provider_msg;
use cw_ics_sim::network::Network;
use cw_ics_tests::setup::*;

fn status(net: &Network) -> Result<consumer_msg::StatusResponse> {
    net.query_consumer(CONSUMER, &consumer_msg::QueryMsg::Status {})
}

fn power_of(net: &Network, validator: &str) -> Result<Option<u64>> {
    Ok(net.consumer_set(CONSUMER)?.get(validator).copied())
}

fn outstanding_downtime(net: &Network) -> Result<consumer_msg::OutstandingDowntimeResponse> {
    net.query_consumer(
        CONSUMER,
        &consumer_msg::QueryMsg::OutstandingDowntime {
            start_after: None,
            limit: None,
        },
    )
}

/// Steps until the consumer has sent a slash packet (at most two signing windows).
fn step_until_a_slash_is_sent(net: &mut Network) -> Result<()> {
    for _ in 0..2 * SIGNED_BLOCKS_WINDOW {
        net.step()?;
        if !net.channel_history(CONSUMER)?.slashes_sent.is_empty() {
            return Ok(());
        }
    }
    anyhow::bail!("no slash packet after two signing windows offline")
}

#[test]
fn the_consumer_opens_the_channel_and_the_first_vsc_establishes_it() -> Result<()> {
    let mut net = launch(&[100, 200, 300], true)?;
    let path = net.ccv_path(CONSUMER)?;

    let status_now = status(&net)?;
    assert_eq!(
        status_now.channel_id.as_deref(),
        Some(path.a.channel_id.as_str())
    );
    assert_eq!(status_now.provider_chain_id, PROVIDER);
    assert!(!status_now.established);
    assert_eq!(status_now.halted, None);
    assert_eq!(net.consumer_set(CONSUMER)?, net.provider_set_for(CONSUMER)?);
    // The handshake ran from the consumer's side.
    assert!(net
        .coordinator
        .events()
        .iter()
        .any(|e| matches!(e, IbcEvent::ChannelOpenInit { at, .. } if at.chain_id == CONSUMER)));

    // A stake change: the next epoch sends a VSC; relaying it establishes the channel.
    net.bond("staker", 0, tokens(50))?;
    net.step()?;
    net.relay()?;
    let status_now = status(&net)?;
    assert!(status_now.established);
    assert!(status_now.last_vsc_id > 0);
    assert_eq!(power_of(&net, "val-0")?, Some(150));
    assert_eq!(net.consumer_set(CONSUMER)?, net.provider_set_for(CONSUMER)?);
    Ok(())
}

#[test]
fn vscs_are_applied_in_order_whatever_the_relaying_and_block_interleaving() -> Result<()> {
    let mut net = launch(&[100, 200, 300, 400], true)?;
    let path = net.ccv_path(CONSUMER)?;
    net.relay()?;

    // Several epochs of changes while the relayer is down.
    net.coordinator.stop_relayer(&path);
    for (validator, power) in [(0, 10), (1, 20), (0, 30), (3, 1)] {
        net.bond("staker", validator, tokens(power))?;
        net.step()?;
    }
    net.self_unbond(2, tokens(300))?; // validator 2 leaves the set entirely
    net.step()?;
    assert_eq!(status(&net)?.last_vsc_id, 0);
    net.coordinator.start_relayer(&path);

    // Deliver one packet at a time, with blocks in between.
    let mut delivered = 0;
    while net.relay_next_packet(CONSUMER)? {
        delivered += 1;
        net.step()?;
    }
    assert!(
        delivered >= 5,
        "expected one VSC per epoch with changes, got {delivered}"
    );
    net.relay()?;

    assert_eq!(net.consumer_set(CONSUMER)?, net.provider_set_for(CONSUMER)?);
    assert_eq!(power_of(&net, "val-2")?, None);
    assert_eq!(power_of(&net, "val-0")?, Some(140));
    let history = net.channel_history(CONSUMER)?;
    let applied: Vec<u64> = history.vscs_applied.iter().map(|(id, _)| *id).collect();
    assert!(applied.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(applied.len(), history.vscs_sent.len());
    Ok(())
}

#[test]
fn maturity_on_the_consumer_releases_unbonding_on_the_provider() -> Result<()> {
    let mut net = launch(&[100, 200, 300], true)?;
    let path = net.ccv_path(CONSUMER)?;
    let consumer_id = net.consumer(CONSUMER)?.consumer_id;
    net.relay()?;
    net.bond("staker", 1, tokens(1_000))?;
    net.step()?;
    net.relay()?;

    net.unbond("staker", 1, tokens(400))?;
    net.step()?; // the epoch sends the VSC the entry waits on
    net.relay()?;
    let entry = net.unbondings_of("staker")?[0].clone();
    assert!(entry.waiting_on.contains(&consumer_id));
    assert!(!entry.released);

    // The consumer matures after its unbonding period but the relayer is down until after
    // the provider's own unbonding period: nothing is released meanwhile.
    net.coordinator.stop_relayer(&path);
    net.run_for(PROVIDER_UNBONDING + CONSUMER_UNBONDING / 2)?;
    let pending: consumer_msg::PendingPacketsResponse = net.query_consumer(
        CONSUMER,
        &consumer_msg::QueryMsg::PendingPackets {
            start_at: None,
            limit: None,
        },
    )?;
    assert_eq!(pending.total, 0, "the VSC-matured packet left the consumer");
    assert!(net
        .channel_history(CONSUMER)?
        .matured_sent
        .iter()
        .any(|(id, _)| *id >= entry.vsc_id));
    assert!(net.chain(PROVIDER)?.time() >= entry.completes_at);
    let entry_now = net.unbondings_of("staker")?[0].clone();
    assert!(
        !entry_now.released,
        "released before the consumer's maturity arrived"
    );
    assert!(entry_now.waiting_on.contains(&consumer_id));

    net.coordinator.start_relayer(&path);
    net.relay()?;
    net.step()?;
    let entry_now = net.unbondings_of("staker")?[0].clone();
    assert!(entry_now.waiting_on.is_empty());
    assert!(entry_now.released);
    assert!(net.provider_consumer_state(CONSUMER)?.last_matured_vsc_id >= entry.vsc_id);
    Ok(())
}

#[test]
fn downtime_jails_on_the_provider_and_the_slash_ack_clears_it_on_the_consumer() -> Result<()> {
    let mut net = launch(&[100, 200, 300], true)?;
    net.bond("staker", 0, tokens(1))?;
    net.step()?;
    net.relay()?;
    assert!(status(&net)?.established);

    // Validator 1 stops signing on the consumer for a whole window (and a few blocks more).
    net.set_offline(1, CONSUMER, 3 * SIGNED_BLOCKS_WINDOW)?;
    step_until_a_slash_is_sent(&mut net)?;
    let outstanding = outstanding_downtime(&net)?;
    assert_eq!(outstanding.validators.len(), 1);
    let address = net.validators[1].public_key().consensus_address();
    assert_eq!(
        outstanding.validators[0].address.as_slice(),
        address.as_bytes()
    );
    assert_eq!(net.channel_history(CONSUMER)?.slashes_sent.len(), 1);

    // Still offline while the slash travels: no second packet.
    net.step()?;
    net.relay()?; // slash → provider jails, acks 0x02
    let validator = net.validator_state(1)?;
    assert!(validator.jailed_until.is_some());
    assert_eq!(validator.power, 0);

    net.step()?; // the epoch sends the removal and the slash ack
    net.relay()?;
    assert_eq!(power_of(&net, "val-1")?, None);
    assert!(outstanding_downtime(&net)?.validators.is_empty());

    let history = net.channel_history(CONSUMER)?;
    assert_eq!(
        history.slashes_sent.len(),
        1,
        "exactly one slash packet for the infraction"
    );
    assert_eq!(history.slashes_handled.len(), 1);
    assert_eq!(history.slashes_sent[0].0.validator.address, address);
    assert_eq!(net.consumer_set(CONSUMER)?, net.provider_set_for(CONSUMER)?);
    Ok(())
}

#[test]
fn a_timed_out_packet_halts_the_consumer_which_then_keeps_its_set() -> Result<()> {
    let mut net = launch(&[100, 200, 300], true)?;
    let path = net.ccv_path(CONSUMER)?;
    net.bond("staker", 0, tokens(1))?;
    net.step()?;
    net.relay()?;

    // The relayer goes down; validator 2 misses a window, so the consumer sends a slash that
    // nobody relays before its timeout.
    net.coordinator.stop_relayer(&path);
    net.set_offline(2, CONSUMER, 3 * SIGNED_BLOCKS_WINDOW)?;
    step_until_a_slash_is_sent(&mut net)?;
    assert_eq!(net.channel_history(CONSUMER)?.slashes_sent.len(), 1);
    net.run_for(CCV_TIMEOUT + BLOCK_SECONDS)?;
    net.coordinator.start_relayer(&path);
    net.relay()?;

    let halted = status(&net)?.halted;
    assert!(
        matches!(halted, Some(HaltReason::Timeout { .. })),
        "{halted:?}"
    );
    let frozen = net.consumer_set(CONSUMER)?;

    // The provider goes on changing its validators; the halted consumer never follows (the
    // invariants check that after every step too).
    for (validator, power) in [(0, 500), (1, 700)] {
        net.bond("staker", validator, tokens(power))?;
        net.step()?;
        net.relay()?;
    }
    net.consumer_tick(CONSUMER)?;
    net.check_invariants()?;
    assert_eq!(net.consumer_set(CONSUMER)?, frozen);
    Ok(())
}

#[test]
fn promotion_on_a_twasm_chain_requests_privileges_and_hands_over_the_set() -> Result<()> {
    let mut net = launch(&[100, 200], false)?;
    let consumer = net.consumer(CONSUMER)?.contract.clone().expect("deployed");
    let promoted = cw_ics_bindings::ChainSudoMsg::PrivilegeChange(
        cw_ics_bindings::PrivilegeChange::Promoted {},
    );
    // Not a privileged contract yet: the chain refuses its privilege requests, so the
    // promotion fails as a whole and the consumer stays an oracle.
    assert!(net.chain_mut(CONSUMER)?.sudo(&consumer, &promoted).is_err());
    assert_eq!(status(&net)?.mode, Mode::Oracle);

    cw_ics_sim::block::promote(net.chain_mut(CONSUMER)?, &consumer)?;
    let holders = |net: &Network, privilege| -> Result<Vec<cosmwasm_std::Addr>> {
        Ok(cw_ics_bindings::multitest::holders(
            net.chain(CONSUMER)?.app().storage(),
            privilege,
        ))
    };
    for privilege in [
        cw_ics_bindings::Privilege::ValidatorSetUpdater,
        cw_ics_bindings::Privilege::BeginBlocker,
    ] {
        assert_eq!(holders(&net, privilege)?, vec![consumer.clone()]);
    }
    assert!(holders(&net, cw_ics_bindings::Privilege::EndBlocker)?.is_empty());
    assert_eq!(status(&net)?.mode, Mode::ValidatorSetUpdater);
    let end_block = |net: &mut Network| -> Result<cw_ics_bindings::ValidatorDiff> {
        let response = net.chain_mut(CONSUMER)?.sudo(
            &consumer,
            &cw_ics_bindings::ChainSudoMsg::EndWithValidatorUpdate {},
        )?;
        cosmwasm_std::from_json(response.data.expect("a diff"))
            .map_err(|e| anyhow::anyhow!("unreadable diff: {e}"))
    };
    assert_eq!(end_block(&mut net)?.diffs.len(), 2);

    net.bond("staker", 1, tokens(5))?;
    net.step()?;
    net.relay()?;
    let diff = end_block(&mut net)?;
    assert_eq!(diff.diffs.len(), 1);
    assert_eq!(diff.diffs[0].power, 205);
    net.check_invariants()?;
    Ok(())
}

#[test]
fn a_vsc_that_would_empty_the_set_is_refused_and_the_provider_stops_the_consumer() -> Result<()> {
    let mut net = launch(&[100, 200], true)?;
    net.bond("staker", 0, tokens(1))?;
    net.step()?;
    net.relay()?;
    // Both validators go offline on the consumer: both are jailed on the provider, whose next
    // VSC removes every validator. The consumer refuses it (error ack), the provider stops
    // the consumer and closes the channel, and the consumer halts with its last set.
    let blocks = 3 * SIGNED_BLOCKS_WINDOW;
    net.set_offline(0, CONSUMER, blocks)?;
    net.set_offline(1, CONSUMER, blocks)?;
    for _ in 0..SIGNED_BLOCKS_WINDOW + 5 {
        net.step()?;
        net.relay()?;
    }
    let consumer = net.provider_consumer_state(CONSUMER)?;
    assert_eq!(consumer.phase, provider_msg::ConsumerPhase::Stopped);
    assert!(consumer
        .stop_reason
        .unwrap_or_default()
        .contains("without validators"));
    assert!(matches!(
        status(&net)?.halted,
        Some(HaltReason::ChannelClosed { .. })
    ));
    assert_eq!(net.consumer_set(CONSUMER)?.len(), 2);
    Ok(())
}

#[test]
fn impostors_cannot_open_a_channel_to_the_consumer() -> Result<()> {
    let mut net = launch(&[100, 200], true)?;
    let path = net.ccv_path(CONSUMER)?;
    let connection = net.consumer(CONSUMER)?.connection.clone();
    // An impostor contract on the provider chain, reachable over the genesis connection.
    let chain = net.chain_mut(PROVIDER)?;
    let code = chain.store_code(cw_ics_tests::scripted::scripted_provider_code());
    let owner = chain.addr_make("impostor");
    let impostor = chain.instantiate(code, &owner, &cosmwasm_std::Empty {}, &[], "impostor")?;
    let impostor_port = cw_ics_ibc_sim::contract_port(&impostor);

    // The consumer refuses to open towards another port than the provider's ...
    let coord = &mut net.coordinator;
    let mut towards_impostor = coord.new_path(
        &connection,
        &path.a.port_id,
        &impostor_port,
        cosmwasm_std::IbcOrder::Ordered,
        "1",
    );
    assert!(coord.chan_open_init(&mut towards_impostor).is_err());
    // ... and never answers a handshake someone else starts.
    let mut from_impostor = coord
        .new_path(
            &connection,
            &path.a.port_id,
            &impostor_port,
            cosmwasm_std::IbcOrder::Ordered,
            "1",
        )
        .reversed();
    coord.chan_open_init(&mut from_impostor)?;
    assert!(coord.chan_open_try(&mut from_impostor).is_err());
    // A second channel to the real provider is refused too: one CCV channel only.
    let mut second = coord.new_path(
        &connection,
        &path.a.port_id,
        &path.b.port_id,
        cosmwasm_std::IbcOrder::Ordered,
        "1",
    );
    assert!(coord.chan_open_init(&mut second).is_err());
    // And nobody can close the CCV channel from the consumer's side.
    assert!(coord
        .close_channel(CONSUMER, &path.a.port_id, &path.a.channel_id)
        .is_err());

    let status_now = status(&net)?;
    assert_eq!(
        status_now.channel_id.as_deref(),
        Some(path.a.channel_id.as_str())
    );
    assert_eq!(status_now.halted, None);
    net.bond("staker", 0, tokens(1))?;
    net.step()?;
    net.relay()?;
    assert!(status(&net)?.established);
    Ok(())
}
