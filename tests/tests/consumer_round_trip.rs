//! The consumer contract against the real provider contract on ibc-sim: channel opening,
//! VSCs in order, maturity, downtime round trip, and the halt after a timeout. DESIGN.md §7
//! properties are checked after every step.

use anyhow::Result;
use cw_ics_consumer::msg as consumer_msg;
use cw_ics_consumer::state::{HaltReason, Mode};
use cw_ics_ibc_sim::IbcEvent;
use cw_ics_provider::msg as provider_msg;
use cw_ics_tests::network::*;
use cw_ics_tests::properties::{ChannelHistory, Properties};

fn provider_view(net: &IcsNetwork) -> Result<Vec<(Vec<u8>, u64)>> {
    let response: provider_msg::ConsumerValidatorsResponse =
        net.provider_query(&provider_msg::QueryMsg::ConsumerValidators {
            consumer_id: net.consumer_id,
            start_after: None,
            limit: Some(100),
        })?;
    let mut powers: Vec<_> = response
        .validators
        .into_iter()
        .map(|v| (v.consensus_address.to_vec(), v.power))
        .collect();
    powers.sort();
    Ok(powers)
}

#[test]
fn the_consumer_opens_the_channel_and_the_first_vsc_establishes_it() -> Result<()> {
    let mut net = IcsNetwork::launch(&[100, 200, 300])?;
    let mut props = Properties::new();
    props.check(&net)?;

    let status = net.consumer_status()?;
    assert_eq!(
        status.channel_id.as_deref(),
        Some(net.path.a.channel_id.as_str())
    );
    assert_eq!(status.provider_chain_id, PROVIDER_CHAIN);
    assert!(!status.established);
    assert_eq!(status.halted, None);
    assert_eq!(net.consumer_powers()?, provider_view(&net)?);
    // The handshake ran from the consumer's side.
    let events = net.coord.events();
    assert!(events.iter().any(
        |e| matches!(e, IbcEvent::ChannelOpenInit { at, .. } if at.chain_id == CONSUMER_CHAIN)
    ));

    // A stake change: the next epoch sends a VSC; relaying it establishes the channel.
    net.bond(0, 50)?;
    net.next_block()?;
    props.check(&net)?;
    net.relay()?;
    props.check(&net)?;
    let status = net.consumer_status()?;
    assert!(status.established);
    assert!(status.last_vsc_id > 0);
    assert_eq!(net.consumer_power_of(0)?, Some(150));
    assert_eq!(net.consumer_powers()?, provider_view(&net)?);
    Ok(())
}

#[test]
fn vscs_are_applied_in_order_whatever_the_relaying_and_block_interleaving() -> Result<()> {
    let mut net = IcsNetwork::launch(&[100, 200, 300, 400])?;
    let mut props = Properties::new();
    net.relay()?;
    props.check(&net)?;

    // Several epochs of changes while the relayer is down.
    net.coord.stop_relayer(&net.path.clone());
    for (validator, amount) in [(0, 10), (1, 20), (0, 30), (3, 1)] {
        net.bond(validator, amount)?;
        net.next_block()?;
        props.check(&net)?;
    }
    net.operator_unbond(2, 300)?; // validator 2 leaves the set entirely
    net.next_block()?;
    props.check(&net)?;
    assert_eq!(net.consumer_status()?.last_vsc_id, 0);
    net.coord.start_relayer(&net.path.clone());

    // Deliver one packet at a time, with blocks in between.
    let mut delivered = 0;
    while net.coord.relay_next_packet(&net.path.clone())?.is_some() {
        delivered += 1;
        props.check(&net)?;
        net.next_block()?;
        props.check(&net)?;
    }
    assert!(
        delivered >= 5,
        "expected one VSC per epoch with changes, got {delivered}"
    );
    net.relay()?;
    props.check(&net)?;

    assert_eq!(net.consumer_powers()?, provider_view(&net)?);
    assert_eq!(net.consumer_power_of(2)?, None);
    assert_eq!(net.consumer_power_of(0)?, Some(140));
    let history = ChannelHistory::read(&net)?;
    let applied: Vec<u64> = history.vscs_applied.iter().map(|(id, _)| *id).collect();
    assert!(applied.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(applied.len(), history.vscs_sent.len());
    Ok(())
}

#[test]
fn maturity_on_the_consumer_releases_unbonding_on_the_provider() -> Result<()> {
    let mut net = IcsNetwork::launch(&[100, 200, 300])?;
    let mut props = Properties::new();
    net.relay()?;
    net.bond(1, 1_000)?;
    net.next_block()?;
    net.relay()?;
    props.check(&net)?;

    net.unbond(1, 400)?;
    net.next_block()?; // the epoch sends the VSC the entry waits on
    net.relay()?;
    props.check(&net)?;
    let entry = net
        .staker_unbondings()?
        .into_iter()
        .next()
        .expect("an unbonding entry");
    assert!(entry.waiting_on.contains(&net.consumer_id));
    assert!(!entry.released);

    // The consumer matures after its unbonding period (1 day) but the relayer is down until
    // after the provider's own unbonding period (3 days): nothing is released meanwhile.
    net.coord.stop_relayer(&net.path.clone());
    for _ in 0..14 {
        net.advance_time(6 * 3_600)?;
        props.check(&net)?;
    }
    let pending: consumer_msg::PendingPacketsResponse =
        net.consumer_query(&consumer_msg::QueryMsg::PendingPackets {
            start_at: None,
            limit: None,
        })?;
    assert_eq!(pending.total, 0, "the VSC-matured packet left the consumer");
    assert!(ChannelHistory::read(&net)?
        .matured_sent
        .iter()
        .any(|(id, _)| *id >= entry.vsc_id));
    assert!(net.provider_time()? >= entry.completes_at);
    let entry_now = net.staker_unbondings()?.into_iter().next().expect("entry");
    assert!(
        !entry_now.released,
        "released before the consumer's maturity arrived"
    );
    assert!(entry_now.waiting_on.contains(&net.consumer_id));

    net.coord.start_relayer(&net.path.clone());
    net.relay()?;
    net.next_block()?;
    props.check(&net)?;
    let entry_now = net.staker_unbondings()?.into_iter().next().expect("entry");
    assert!(entry_now.waiting_on.is_empty());
    assert!(entry_now.released);
    assert!(net.provider_consumer()?.last_matured_vsc_id >= entry.vsc_id);
    Ok(())
}

#[test]
fn downtime_jails_on_the_provider_and_the_slash_ack_clears_it_on_the_consumer() -> Result<()> {
    let mut net = IcsNetwork::launch(&[100, 200, 300])?;
    let mut props = Properties::new();
    net.bond(0, 1)?;
    net.next_block()?;
    net.relay()?;
    props.check(&net)?;
    assert!(net.consumer_status()?.established);

    // Validator 1 stops signing on the consumer for a whole window.
    for _ in 0..SIGNED_BLOCKS_WINDOW {
        net.next_block_with(|index| index != 1)?;
        props.check(&net)?;
    }
    let outstanding: consumer_msg::OutstandingDowntimeResponse =
        net.consumer_query(&consumer_msg::QueryMsg::OutstandingDowntime {
            start_after: None,
            limit: None,
        })?;
    assert_eq!(outstanding.validators.len(), 1);
    assert_eq!(
        outstanding.validators[0].address.as_slice(),
        net.validators[1].address().as_bytes()
    );
    let history = ChannelHistory::read(&net)?;
    assert_eq!(history.slashes_sent.len(), 1);

    // Still offline while the slash travels: no second packet.
    net.next_block_with(|index| index != 1)?;
    net.relay()?; // slash → provider jails, acks 0x02
    props.check(&net)?;
    let validator = net.provider_validator(1)?;
    assert!(validator.jailed_until.is_some());
    assert_eq!(validator.power, 0);

    net.next_block_with(|index| index != 1)?; // the epoch sends the removal and the slash ack
    props.check(&net)?;
    net.relay()?;
    props.check(&net)?;
    assert_eq!(net.consumer_power_of(1)?, None);
    let outstanding: consumer_msg::OutstandingDowntimeResponse =
        net.consumer_query(&consumer_msg::QueryMsg::OutstandingDowntime {
            start_after: None,
            limit: None,
        })?;
    assert!(outstanding.validators.is_empty());

    let history = ChannelHistory::read(&net)?;
    assert_eq!(
        history.slashes_sent.len(),
        1,
        "exactly one slash packet for the infraction"
    );
    assert_eq!(history.slashes_handled.len(), 1);
    assert_eq!(
        history.slashes_sent[0].0.validator.address,
        net.validators[1].address()
    );
    assert_eq!(net.consumer_powers()?, provider_view(&net)?);
    Ok(())
}

#[test]
fn a_timed_out_packet_halts_the_consumer_which_then_keeps_its_set() -> Result<()> {
    let mut net = IcsNetwork::launch(&[100, 200, 300])?;
    let mut props = Properties::new();
    net.bond(0, 1)?;
    net.next_block()?;
    net.relay()?;
    props.check(&net)?;

    // The relayer goes down; validator 2 misses a window, so the consumer sends a slash that
    // nobody relays before its timeout.
    net.coord.stop_relayer(&net.path.clone());
    for _ in 0..SIGNED_BLOCKS_WINDOW {
        net.next_block_with(|index| index != 2)?;
        props.check(&net)?;
    }
    assert_eq!(ChannelHistory::read(&net)?.slashes_sent.len(), 1);
    net.advance_time(CCV_TIMEOUT + 60)?;
    props.check(&net)?;
    net.coord.start_relayer(&net.path.clone());
    net.relay()?;
    props.check(&net)?;

    let status = net.consumer_status()?;
    assert!(
        matches!(status.halted, Some(HaltReason::Timeout { .. })),
        "{:?}",
        status.halted
    );
    let frozen = net.consumer_powers()?;

    // The provider goes on changing its validators; the halted consumer never follows.
    for (validator, amount) in [(0, 500), (1, 700)] {
        net.bond(validator, amount)?;
        net.next_block()?;
        net.relay()?;
        props.check(&net)?;
    }
    net.consumer_tick()?;
    props.check(&net)?;
    assert_eq!(net.consumer_powers()?, frozen);
    assert!(props.checks > 5);
    Ok(())
}

#[test]
fn promotion_on_a_twasm_chain_requests_privileges_and_hands_over_the_set() -> Result<()> {
    let mut net = IcsNetwork::launch(&[100, 200])?;
    let consumer = net.consumer.clone();
    let promoted = cw_ics_bindings::ChainSudoMsg::PrivilegeChange(
        cw_ics_bindings::PrivilegeChange::Promoted {},
    );
    // Not a privileged contract yet: the chain refuses its privilege requests, so the
    // promotion fails as a whole and the consumer stays an oracle.
    assert!(net
        .coord
        .chain_mut(CONSUMER_CHAIN)?
        .sudo(&consumer, &promoted)
        .is_err());
    assert_eq!(net.consumer_status()?.mode, Mode::Oracle);

    let chain = net.coord.chain_mut(CONSUMER_CHAIN)?;
    cw_ics_bindings::multitest::set_privileged(chain.app_mut().storage_mut(), &consumer, true);
    chain.sudo(&consumer, &promoted)?;
    for privilege in [
        cw_ics_bindings::Privilege::ValidatorSetUpdater,
        cw_ics_bindings::Privilege::BeginBlocker,
    ] {
        assert_eq!(
            net.consumer_chain_privilege_holders(privilege)?,
            vec![consumer.clone()]
        );
    }
    assert!(net
        .consumer_chain_privilege_holders(cw_ics_bindings::Privilege::EndBlocker)?
        .is_empty());
    assert_eq!(net.consumer_status()?.mode, Mode::ValidatorSetUpdater);
    let chain = net.coord.chain_mut(CONSUMER_CHAIN)?;
    let response = chain.sudo(
        &consumer,
        &cw_ics_bindings::ChainSudoMsg::EndWithValidatorUpdate {},
    )?;
    let diff: cw_ics_bindings::ValidatorDiff =
        cosmwasm_std::from_json(response.data.expect("a diff")).unwrap();
    assert_eq!(diff.diffs.len(), 2);

    net.bond(1, 5)?;
    net.next_block()?;
    net.relay()?;
    let chain = net.coord.chain_mut(CONSUMER_CHAIN)?;
    let response = chain.sudo(
        &consumer,
        &cw_ics_bindings::ChainSudoMsg::EndWithValidatorUpdate {},
    )?;
    let diff: cw_ics_bindings::ValidatorDiff =
        cosmwasm_std::from_json(response.data.expect("a diff")).unwrap();
    assert_eq!(diff.diffs.len(), 1);
    assert_eq!(diff.diffs[0].power, 205);
    Properties::new().check(&net)?;
    Ok(())
}

#[test]
fn a_vsc_that_would_empty_the_set_is_refused_and_the_provider_stops_the_consumer() -> Result<()> {
    let mut net = IcsNetwork::launch(&[100, 200])?;
    let mut props = Properties::new();
    net.bond(0, 1)?;
    net.next_block()?;
    net.relay()?;
    // Both validators go offline on the consumer: both are jailed on the provider, whose next
    // VSC removes every validator. The consumer refuses it (error ack), the provider stops
    // the consumer and closes the channel, and the consumer halts with its last set.
    for _ in 0..SIGNED_BLOCKS_WINDOW + 2 {
        net.next_block_with(|_| false)?;
        net.relay()?;
        props.check(&net)?;
    }
    for _ in 0..3 {
        net.next_block_with(|_| false)?;
        net.relay()?;
        props.check(&net)?;
    }
    let consumer = net.provider_consumer()?;
    assert_eq!(consumer.phase, provider_msg::ConsumerPhase::Stopped);
    assert!(consumer
        .stop_reason
        .unwrap_or_default()
        .contains("without validators"));
    assert!(matches!(
        net.consumer_status()?.halted,
        Some(HaltReason::ChannelClosed { .. })
    ));
    assert_eq!(net.consumer_powers()?.len(), 2);
    Ok(())
}

#[test]
fn impostors_cannot_open_a_channel_to_the_consumer() -> Result<()> {
    let mut net = IcsNetwork::launch(&[100, 200])?;
    let mut props = Properties::new();
    // An impostor contract on the provider chain, reachable over the genesis connection.
    let chain = net.coord.chain_mut(PROVIDER_CHAIN)?;
    let code = chain.store_code(cw_ics_tests::scripted::scripted_provider_code());
    let owner = chain.addr_make("impostor");
    let impostor = chain.instantiate(code, &owner, &cosmwasm_std::Empty {}, &[], "impostor")?;
    let impostor_port = cw_ics_ibc_sim::contract_port(&impostor);
    let connection = cw_ics_ibc_sim::Connection {
        a: cw_ics_ibc_sim::ConnectionSide {
            chain_id: net.path.a.chain_id.clone(),
            client_id: net.path.a.client_id.clone(),
            connection_id: net.path.a.connection_id.clone(),
        },
        b: cw_ics_ibc_sim::ConnectionSide {
            chain_id: net.path.b.chain_id.clone(),
            client_id: net.path.b.client_id.clone(),
            connection_id: net.path.b.connection_id.clone(),
        },
    };

    // The consumer refuses to open towards another port than the provider's ...
    let mut towards_impostor = net.coord.new_path(
        &connection,
        &net.path.a.port_id,
        &impostor_port,
        cosmwasm_std::IbcOrder::Ordered,
        "1",
    );
    assert!(net.coord.chan_open_init(&mut towards_impostor).is_err());
    // ... and never answers a handshake someone else starts.
    let mut from_impostor = net
        .coord
        .new_path(
            &connection,
            &net.path.a.port_id,
            &impostor_port,
            cosmwasm_std::IbcOrder::Ordered,
            "1",
        )
        .reversed();
    net.coord.chan_open_init(&mut from_impostor)?;
    assert!(net.coord.chan_open_try(&mut from_impostor).is_err());
    // A second channel to the real provider is refused too: one CCV channel only.
    let mut second = net.coord.new_path(
        &connection,
        &net.path.a.port_id,
        &net.path.b.port_id,
        cosmwasm_std::IbcOrder::Ordered,
        "1",
    );
    assert!(net.coord.chan_open_init(&mut second).is_err());
    // And nobody can close the CCV channel from the consumer's side.
    let (consumer_port, consumer_channel) =
        (net.path.a.port_id.clone(), net.path.a.channel_id.clone());
    assert!(net
        .coord
        .close_channel(CONSUMER_CHAIN, &consumer_port, &consumer_channel)
        .is_err());

    let status = net.consumer_status()?;
    assert_eq!(
        status.channel_id.as_deref(),
        Some(net.path.a.channel_id.as_str())
    );
    assert_eq!(status.halted, None);
    net.bond(0, 1)?;
    net.next_block()?;
    net.relay()?;
    props.check(&net)?;
    assert!(net.consumer_status()?.established);
    Ok(())
}
