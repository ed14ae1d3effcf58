//! Provider behaviour the real provider never shows (it does not throttle), played by the
//! scripted provider of `cw_ics_tests::scripted`.

use anyhow::Result;
use cw_ics_ccv::{
    AckResult, Acknowledgement, ConsumerPacket, Infraction, ValidatorSetChangePacket,
    ValidatorUpdate,
};
use cw_ics_consumer::msg as consumer_msg;
use cw_ics_consumer::state::HeadSlash;
use cw_ics_tests::scripted::{test_key, ScriptedNetwork, RETRY_DELAY, SIGNED_BLOCKS_WINDOW};

fn vsc(id: u64, updates: &[(u8, u64)]) -> cosmwasm_std::Binary {
    ValidatorSetChangePacket {
        validator_updates: updates
            .iter()
            .map(|(seed, power)| ValidatorUpdate {
                pub_key: test_key(*seed),
                power: *power,
            })
            .collect(),
        valset_update_id: id,
        slash_acks: vec![],
    }
    .encode()
    .unwrap()
}

fn acks(net: &ScriptedNetwork) -> Result<Vec<Acknowledgement>> {
    Ok(net
        .received()?
        .iter()
        .map(|r| Acknowledgement::decode(r.ack.as_slice()).unwrap())
        .collect())
}

#[test]
fn a_bounced_slash_is_retried_after_the_delay_and_blocks_the_queue_behind_it() -> Result<()> {
    // Consumer unbonding of 5 minutes, so VSC 1 matures while the slash waits for its retry.
    let mut net = ScriptedNetwork::launch(3, 300)?;
    net.send_vsc(vsc(1, &[(1, 11)]))?;
    net.coord.relay_all()?;
    let status: consumer_msg::StatusResponse =
        net.consumer_query(&consumer_msg::QueryMsg::Status {})?;
    assert!(status.established);

    net.bounce_next_slashes(2)?;
    for _ in 0..SIGNED_BLOCKS_WINDOW {
        net.block_after(5, |seed| seed != 2)?;
    }
    net.coord.relay_all()?; // the slash goes over and bounces
    let pending: consumer_msg::PendingPacketsResponse =
        net.consumer_query(&consumer_msg::QueryMsg::PendingPackets {
            start_at: None,
            limit: None,
        })?;
    let bounced_at = match pending.head_slash {
        Some(HeadSlash::Bounced { retry_at }) => retry_at.seconds() - RETRY_DELAY,
        other => panic!("expected a bounced head slash, got {other:?}"),
    };

    // VSC 1 matures meanwhile; its packet must wait behind the slash.
    net.block_after(RETRY_DELAY / 2, |_| true)?;
    net.coord.relay_all()?;
    assert_eq!(
        net.consumer_sends()?.len(),
        1,
        "nothing resent or sent before the retry delay"
    );
    let pending: consumer_msg::PendingPacketsResponse =
        net.consumer_query(&consumer_msg::QueryMsg::PendingPackets {
            start_at: None,
            limit: None,
        })?;
    assert!(matches!(
        pending.packets.as_slice(),
        [
            consumer_msg::PendingPacketKind::Slash { .. },
            consumer_msg::PendingPacketKind::VscMatured { vsc_id: 1 }
        ]
    ));

    // After the delay: resent, bounced again; after the next delay: resent and handled, then
    // the matured packet behind it goes out.
    net.block_after(RETRY_DELAY / 2, |_| true)?;
    net.coord.relay_all()?;
    net.block_after(RETRY_DELAY, |_| true)?;
    net.coord.relay_all()?;

    let sends = net.consumer_sends()?;
    let slash_sends: Vec<_> = sends
        .iter()
        .filter_map(|(p, t)| match p {
            ConsumerPacket::Slash(s) => Some((s.clone(), *t)),
            _ => None,
        })
        .collect();
    assert_eq!(slash_sends.len(), 3);
    assert!(slash_sends.iter().all(|(s, _)| *s == slash_sends[0].0));
    assert_eq!(slash_sends[0].0.infraction, Infraction::Downtime);
    assert_eq!(
        slash_sends[0].0.validator.address,
        test_key(2).consensus_address()
    );
    assert!(slash_sends[1].1 >= bounced_at + RETRY_DELAY);
    assert!(slash_sends[2].1 >= slash_sends[1].1 + RETRY_DELAY);
    assert!(
        matches!(sends.last(), Some((ConsumerPacket::VscMatured(m), _)) if m.valset_update_id == 1)
    );

    assert_eq!(
        acks(&net)?,
        vec![
            Acknowledgement::Result(AckResult::SlashBounced),
            Acknowledgement::Result(AckResult::SlashBounced),
            Acknowledgement::Result(AckResult::SlashHandled),
            Acknowledgement::Result(AckResult::Success),
        ]
    );
    let pending: consumer_msg::PendingPacketsResponse =
        net.consumer_query(&consumer_msg::QueryMsg::PendingPackets {
            start_at: None,
            limit: None,
        })?;
    assert_eq!(pending.total, 0);
    assert_eq!(pending.head_slash, None);
    Ok(())
}

#[test]
fn adversarial_vscs_get_error_acks_and_change_nothing() -> Result<()> {
    let mut net = ScriptedNetwork::launch(3, 600)?;
    net.send_vsc(vsc(2, &[(1, 11)]))?;
    net.coord.relay_all()?;
    let before: consumer_msg::ValidatorSetResponse =
        net.consumer_query(&consumer_msg::QueryMsg::CurrentSet {})?;
    // A repeated id, an older id, garbage, and a set emptied: each refused with an error ack.
    for data in [
        vsc(2, &[(1, 12)]),
        vsc(1, &[(1, 13)]),
        cosmwasm_std::Binary::from(b"{}".to_vec()),
        vsc(3, &[(1, 0), (2, 0), (3, 0)]),
    ] {
        net.send_vsc(data)?;
        net.coord.relay_all()?;
    }
    let after: consumer_msg::ValidatorSetResponse =
        net.consumer_query(&consumer_msg::QueryMsg::CurrentSet {})?;
    assert_eq!(before, after);
    let status: consumer_msg::StatusResponse =
        net.consumer_query(&consumer_msg::QueryMsg::Status {})?;
    assert_eq!(status.last_vsc_id, 2);
    let errors = net
        .coord
        .events()
        .into_iter()
        .filter(|e| matches!(e, cw_ics_ibc_sim::IbcEvent::WriteAck { is_error: true, .. }))
        .count();
    assert_eq!(errors, 4);
    // A valid next VSC is still applied.
    net.send_vsc(vsc(3, &[(2, 22)]))?;
    net.coord.relay_all()?;
    let status: consumer_msg::StatusResponse =
        net.consumer_query(&consumer_msg::QueryMsg::Status {})?;
    assert_eq!(status.last_vsc_id, 3);
    Ok(())
}
