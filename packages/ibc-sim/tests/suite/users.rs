//! What a test user does on a chain: sudo, migrate, funds, and wasmd's send-packet reply.

use crate::toy::{ExecuteMsg, InstantiateMsg, ReceiveMode, SudoMsg};
use crate::{deploy, in_an_hour, network, state, toy_channel, A, B};
use cosmwasm_std::{Coin, IbcOrder, Uint256};
use cw_ics_ibc_sim::SimError;

#[test]
fn a_real_sudo_message_still_reaches_the_contracts_sudo() {
    let (mut coord, _) = network();
    let contract = deploy(
        &mut coord,
        A,
        &InstantiateMsg::new("v1", IbcOrder::Unordered, ReceiveMode::Echo),
    );
    coord
        .chain_mut(A)
        .unwrap()
        .sudo(&contract, &SudoMsg::Note { text: "hi".into() })
        .unwrap();
    assert_eq!(state(&coord, A, &contract).notes, vec!["hi".to_string()]);
}

#[test]
fn the_admin_migrates_and_a_stranger_cannot() {
    let (mut coord, _) = network();
    let contract = deploy(
        &mut coord,
        A,
        &InstantiateMsg::new("v1", IbcOrder::Unordered, ReceiveMode::Echo),
    );
    let chain = coord.chain_mut(A).unwrap();
    let code_id = chain.app().contract_data(&contract).unwrap().code_id;
    let owner = chain.addr_make("owner");
    let stranger = chain.addr_make("stranger");

    let refused = chain.migrate(
        &stranger,
        &contract,
        &SudoMsg::Note { text: "x".into() },
        code_id,
    );
    assert!(matches!(refused, Err(SimError::Contract { .. })));
    chain
        .migrate(
            &owner,
            &contract,
            &SudoMsg::Note { text: "v2".into() },
            code_id,
        )
        .unwrap();
    assert_eq!(
        state(&coord, A, &contract).notes,
        vec!["migrated:v2".to_string()]
    );
}

#[test]
fn users_mint_send_and_read_balances() {
    let (mut coord, _) = network();
    let chain = coord.chain_mut(A).unwrap();
    let alice = chain.addr_make("alice");
    let bob = chain.addr_make("bob");
    chain
        .mint(&alice, vec![Coin::new(10u128, "ualpha")])
        .unwrap();
    chain
        .send(&alice, &bob, vec![Coin::new(4u128, "ualpha")])
        .unwrap();
    assert!(chain
        .send(&alice, &bob, vec![Coin::new(7u128, "ualpha")])
        .is_err());
    assert_eq!(
        chain.balance(&alice, "ualpha").unwrap(),
        Uint256::from(6u128)
    );
    assert_eq!(chain.balance(&bob, "ualpha").unwrap(), Uint256::from(4u128));
}

#[test]
fn a_send_packet_submessage_replies_with_the_sequence() {
    let (mut coord, a, _b, path) =
        toy_channel(IbcOrder::Unordered, ReceiveMode::Echo, ReceiveMode::Echo);
    for data in ["x", "y"] {
        let timeout = in_an_hour(&coord, B);
        let chain = coord.chain_mut(A).unwrap();
        let user = chain.addr_make("user");
        let msg = ExecuteMsg::SendWithReply {
            channel_id: path.a.channel_id.clone(),
            data: data.to_string(),
            timeout,
        };
        chain.execute(&user, &a, &msg, &[]).unwrap();
    }
    assert_eq!(
        state(&coord, A, &a).notes,
        vec!["reply-seq:1".to_string(), "reply-seq:2".to_string()]
    );
}
