use crate::toy::{InstantiateMsg, ReceiveMode};
use crate::{deploy, send, state, A, B};
use cosmwasm_std::{IbcOrder, IbcTimeout};
use cw_ics_ibc_sim::{contract_port, ChainConfig, Coordinator, IbcEvent, PacketId, SimError};

fn short_trust() -> (
    Coordinator,
    cosmwasm_std::Addr,
    cosmwasm_std::Addr,
    cw_ics_ibc_sim::Path,
) {
    let mut coord = Coordinator::new();
    coord.add_chain(ChainConfig::new(A, "alpha")).unwrap();
    coord.add_chain(ChainConfig::new(B, "beta")).unwrap();
    let connection = coord.setup_connection_with(A, B, 100, 100).unwrap();
    let a = deploy(
        &mut coord,
        A,
        &InstantiateMsg::new("toy-1", IbcOrder::Unordered, ReceiveMode::Echo),
    );
    let b = deploy(
        &mut coord,
        B,
        &InstantiateMsg::new("toy-1", IbcOrder::Unordered, ReceiveMode::Echo),
    );
    let path = coord
        .create_channel(
            &connection,
            &contract_port(&a),
            &contract_port(&b),
            IbcOrder::Unordered,
            "toy-1",
        )
        .unwrap();
    (coord, a, b, path)
}

#[test]
fn an_expired_client_blocks_relaying_until_it_is_recovered() {
    let (mut coord, a, b, path) = short_trust();
    let far = IbcTimeout::with_timestamp(coord.chain(B).unwrap().time().plus_seconds(10_000));
    send(&mut coord, A, &a, &path, "stuck", far);
    coord.advance_time(100);
    assert!(coord.is_client_expired(B, &path.b.client_id).unwrap());

    let summary = coord.relay_all().unwrap();
    assert_eq!(summary.packets_received, 0);
    assert!(!summary.blocked.is_empty());
    let id = PacketId::new(A, &path.a.port_id, &path.a.channel_id, 1);
    assert!(matches!(
        coord.relay_packet(&id),
        Err(SimError::ClientExpired { .. })
    ));
    assert!(matches!(
        coord.update_client(B, &path.b.client_id),
        Err(SimError::ClientExpired { .. })
    ));

    coord.recover_client(B, &path.b.client_id).unwrap();
    coord.relay_all().unwrap();
    assert_eq!(state(&coord, B, &b).received, vec!["stuck"]);
    // the ack needs a's client of b, which expired too
    assert!(state(&coord, A, &a).acks.is_empty());

    coord.recover_client(A, &path.a.client_id).unwrap();
    coord.relay_all().unwrap();
    assert_eq!(state(&coord, A, &a).acks, vec![(1, "stuck".to_string())]);
    assert!(coord
        .events()
        .iter()
        .any(|e| matches!(e, IbcEvent::ClientRecovered { .. })));
}

#[test]
fn a_running_relayer_keeps_clients_fresh() {
    let (mut coord, _a, _b, path) = short_trust();
    for _ in 0..5 {
        coord.advance_time(60);
        coord.relay_all().unwrap();
    }
    assert!(!coord.is_client_expired(A, &path.a.client_id).unwrap());
    assert!(!coord.is_client_expired(B, &path.b.client_id).unwrap());

    coord.stop_relayer(&path);
    coord.advance_time(60);
    coord.relay_all().unwrap();
    coord.advance_time(60);
    assert!(coord.is_client_expired(B, &path.b.client_id).unwrap());
}

#[test]
fn a_handshake_over_an_expired_client_fails() {
    let mut coord = Coordinator::new();
    coord.add_chain(ChainConfig::new(A, "alpha")).unwrap();
    coord.add_chain(ChainConfig::new(B, "beta")).unwrap();
    let connection = coord.setup_connection_with(A, B, 100, 100).unwrap();
    let a = deploy(
        &mut coord,
        A,
        &InstantiateMsg::new("toy-1", IbcOrder::Unordered, ReceiveMode::Echo),
    );
    let b = deploy(
        &mut coord,
        B,
        &InstantiateMsg::new("toy-1", IbcOrder::Unordered, ReceiveMode::Echo),
    );
    let mut path = coord.new_path(
        &connection,
        &contract_port(&a),
        &contract_port(&b),
        IbcOrder::Unordered,
        "toy-1",
    );
    coord.chan_open_init(&mut path).unwrap();
    coord.advance_time(200);

    assert!(matches!(
        coord.chan_open_try(&mut path),
        Err(SimError::ClientExpired { .. })
    ));
}
