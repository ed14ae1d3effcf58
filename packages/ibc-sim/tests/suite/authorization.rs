//! Who may do what: a contract acts only on channels of its own port, and the ADR-8 source
//! callback only reaches the packet's sender.

use crate::toy::{ExecuteMsg, InstantiateMsg, ReceiveMode};
use crate::{deploy, in_an_hour, send, state, toy_channel, A, B};
use cosmwasm_std::{Coin, CosmosMsg, IbcMsg, IbcOrder, IbcTimeout, IbcTimeoutBlock};
use cw_ics_ibc_sim::{ChannelState, IbcEvent};

fn intruder(coord: &mut cw_ics_ibc_sim::Coordinator, chain: &str) -> cosmwasm_std::Addr {
    deploy(
        coord,
        chain,
        &InstantiateMsg::new("toy-1", IbcOrder::Unordered, ReceiveMode::Echo),
    )
}

#[test]
fn a_contract_cannot_send_on_another_contracts_channel() {
    let (mut coord, _a, _b, path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Echo);
    let other = intruder(&mut coord, A);
    let timeout = in_an_hour(&coord, B);
    let chain = coord.chain_mut(A).unwrap();
    let user = chain.addr_make("user");
    let msg = ExecuteMsg::Send {
        channel_id: path.a.channel_id.clone(),
        data: "forged".to_string(),
        timeout,
    };

    assert!(chain.execute(&user, &other, &msg, &[]).is_err());
    assert!(chain
        .commitments(&path.a.port_id, &path.a.channel_id)
        .is_empty());
}

#[test]
fn a_user_cannot_send_packets_itself() {
    let (mut coord, _a, _b, path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Echo);
    let timeout = in_an_hour(&coord, B);
    let chain = coord.chain_mut(A).unwrap();
    let user = chain.addr_make("user");
    let msg = CosmosMsg::Ibc(IbcMsg::SendPacket {
        channel_id: path.a.channel_id.clone(),
        data: b"forged".to_vec().into(),
        timeout,
    });

    assert!(chain.execute_msg(&user, msg).is_err());
    assert!(chain
        .commitments(&path.a.port_id, &path.a.channel_id)
        .is_empty());
}

#[test]
fn only_the_receiving_contract_can_write_an_async_ack() {
    let (mut coord, a, b, path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Async);
    let timeout = in_an_hour(&coord, B);
    send(&mut coord, A, &a, &path, "slow", timeout);
    coord.relay_all().unwrap();
    let other = intruder(&mut coord, B);
    let write = ExecuteMsg::WriteAck {
        channel_id: path.b.channel_id.clone(),
        sequence: 1,
        ack: "forged".to_string(),
    };
    let chain = coord.chain_mut(B).unwrap();
    let user = chain.addr_make("user");

    assert!(chain.execute(&user, &other, &write, &[]).is_err());
    coord.relay_all().unwrap();
    assert!(state(&coord, A, &a).acks.is_empty());

    let chain = coord.chain_mut(B).unwrap();
    let genuine = ExecuteMsg::WriteAck {
        channel_id: path.b.channel_id.clone(),
        sequence: 1,
        ack: "genuine".to_string(),
    };
    chain.execute(&user, &b, &genuine, &[]).unwrap();
    coord.relay_all().unwrap();
    assert_eq!(state(&coord, A, &a).acks, vec![(1, "genuine".to_string())]);
}

#[test]
fn a_contract_cannot_close_another_contracts_channel() {
    let (mut coord, a, _b, path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Echo);
    let other = intruder(&mut coord, A);
    let chain = coord.chain_mut(A).unwrap();
    let user = chain.addr_make("user");

    let close = ExecuteMsg::Close {
        channel_id: path.a.channel_id.clone(),
    };
    assert!(chain.execute(&user, &other, &close, &[]).is_err());

    assert_eq!(
        chain
            .channel(&path.a.port_id, &path.a.channel_id)
            .unwrap()
            .state,
        ChannelState::Open
    );
    assert!(state(&coord, A, &a).closed.is_empty());
}

#[test]
fn a_source_callback_naming_someone_else_than_the_sender_is_not_called() {
    let (mut coord, connection) = crate::network();
    let path = coord.create_transfer_channel(&connection).unwrap();
    let msg = InstantiateMsg::new("toy-1", IbcOrder::Unordered, ReceiveMode::Echo);
    let sender = deploy(&mut coord, A, &msg);
    let bystander = deploy(&mut coord, A, &msg);
    let bob = coord.chain(B).unwrap().addr_make("bob");
    let timeout = in_an_hour(&coord, B);
    let chain = coord.chain_mut(A).unwrap();
    let user = chain.addr_make("user");
    chain
        .mint(&user, vec![Coin::new(10u128, "ualpha")])
        .unwrap();
    chain
        .execute(
            &user,
            &sender,
            &ExecuteMsg::Transfer {
                channel_id: path.a.channel_id.clone(),
                to_address: bob.to_string(),
                timeout,
                memo: Some(format!(r#"{{"src_callback":{{"address":"{bystander}"}}}}"#)),
            },
            &[Coin::new(10u128, "ualpha")],
        )
        .unwrap();

    coord.relay_all().unwrap();

    assert!(state(&coord, A, &bystander).callbacks.is_empty());
    assert!(state(&coord, A, &sender).callbacks.is_empty());
    assert!(coord.events().iter().any(|e| matches!(
        e,
        IbcEvent::CallbackFailed { entrypoint, .. } if entrypoint == "ibc_source_callback"
    )));
}

#[test]
fn a_packet_without_any_timeout_is_refused() {
    let (mut coord, a, _b, path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Echo);
    let chain = coord.chain_mut(A).unwrap();
    let user = chain.addr_make("user");
    let msg = ExecuteMsg::Send {
        channel_id: path.a.channel_id.clone(),
        data: "forever".to_string(),
        timeout: IbcTimeout::with_block(IbcTimeoutBlock {
            revision: 0,
            height: 0,
        }),
    };
    let err = chain.execute(&user, &a, &msg, &[]).unwrap_err();
    assert!(err.to_string().contains("timeout"), "{err}");
}
