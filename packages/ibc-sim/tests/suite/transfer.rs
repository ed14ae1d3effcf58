use crate::toy::{self, ExecuteMsg, InstantiateMsg, ReceiveMode};
use crate::{in_an_hour, network, state, A, B};
use cosmwasm_std::{Addr, Coin, IbcOrder, IbcTimeout, Uint256};
use cw_ics_ibc_sim::{
    escrow_address, voucher_denom, Coordinator, IbcContractWrapper, IbcEvent, Path,
};

fn transfer_network() -> (Coordinator, Path) {
    let (mut coord, connection) = network();
    let path = coord.create_transfer_channel(&connection).unwrap();
    (coord, path)
}

fn balance(coord: &Coordinator, chain: &str, who: &Addr, denom: &str) -> Uint256 {
    coord.chain(chain).unwrap().balance(who, denom).unwrap()
}

#[test]
fn vouchers_are_named_like_ibc_go_names_them() {
    // ATOM on Osmosis: the well-known hash of transfer/channel-0/uatom
    assert_eq!(
        voucher_denom("transfer/channel-0/uatom"),
        "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2"
    );
}

#[test]
fn a_user_transfer_escrows_mints_a_voucher_and_comes_back() {
    let (mut coord, path) = transfer_network();
    let alice = coord.chain(A).unwrap().addr_make("alice");
    let bob = coord.chain(B).unwrap().addr_make("bob");
    coord
        .chain_mut(A)
        .unwrap()
        .mint(&alice, vec![Coin::new(1_000u128, "ualpha")])
        .unwrap();
    let timeout = in_an_hour(&coord, B);

    coord
        .chain_mut(A)
        .unwrap()
        .transfer(
            &alice,
            &path.a.channel_id,
            bob.as_str(),
            Coin::new(400u128, "ualpha"),
            timeout,
            None,
        )
        .unwrap();
    coord.relay_all().unwrap();

    let voucher = voucher_denom(&format!("transfer/{}/ualpha", path.b.channel_id));
    let escrow = escrow_address(
        coord.chain(A).unwrap().app().api(),
        "transfer",
        &path.a.channel_id,
    )
    .unwrap();
    assert_eq!(balance(&coord, A, &alice, "ualpha"), Uint256::from(600u128));
    assert_eq!(
        balance(&coord, A, &escrow, "ualpha"),
        Uint256::from(400u128)
    );
    assert_eq!(balance(&coord, B, &bob, &voucher), Uint256::from(400u128));
    assert_eq!(
        coord.chain(B).unwrap().denom_trace(&voucher),
        Some(format!("transfer/{}/ualpha", path.b.channel_id))
    );

    // back home: the voucher is burnt on B and the escrow pays out on A
    let timeout = in_an_hour(&coord, A);
    coord
        .chain_mut(B)
        .unwrap()
        .transfer(
            &bob,
            &path.b.channel_id,
            alice.as_str(),
            Coin::new(150u128, voucher.clone()),
            timeout,
            None,
        )
        .unwrap();
    coord.relay_all().unwrap();

    assert_eq!(balance(&coord, B, &bob, &voucher), Uint256::from(250u128));
    assert_eq!(balance(&coord, A, &alice, "ualpha"), Uint256::from(750u128));
    assert_eq!(
        balance(&coord, A, &escrow, "ualpha"),
        Uint256::from(250u128)
    );
}

#[test]
fn an_error_ack_refunds_the_sender() {
    let (mut coord, path) = transfer_network();
    let alice = coord.chain(A).unwrap().addr_make("alice");
    coord
        .chain_mut(A)
        .unwrap()
        .mint(&alice, vec![Coin::new(100u128, "ualpha")])
        .unwrap();
    let timeout = in_an_hour(&coord, B);

    coord
        .chain_mut(A)
        .unwrap()
        .transfer(
            &alice,
            &path.a.channel_id,
            "not-a-beta-address",
            Coin::new(100u128, "ualpha"),
            timeout,
            None,
        )
        .unwrap();
    assert_eq!(balance(&coord, A, &alice, "ualpha"), Uint256::zero());
    coord.relay_all().unwrap();

    assert_eq!(balance(&coord, A, &alice, "ualpha"), Uint256::from(100u128));
    assert!(coord
        .events()
        .iter()
        .any(|e| matches!(e, IbcEvent::WriteAck { is_error: true, .. })));
}

#[test]
fn a_timeout_refunds_the_sender() {
    let (mut coord, path) = transfer_network();
    let alice = coord.chain(A).unwrap().addr_make("alice");
    let bob = coord.chain(B).unwrap().addr_make("bob");
    coord
        .chain_mut(A)
        .unwrap()
        .mint(&alice, vec![Coin::new(100u128, "ualpha")])
        .unwrap();
    let deadline = coord.chain(B).unwrap().time().plus_seconds(10);

    coord
        .chain_mut(A)
        .unwrap()
        .transfer(
            &alice,
            &path.a.channel_id,
            bob.as_str(),
            Coin::new(100u128, "ualpha"),
            IbcTimeout::with_timestamp(deadline),
            None,
        )
        .unwrap();
    coord.advance_time(10);
    let summary = coord.relay_all().unwrap();

    assert_eq!(summary.timeouts_relayed, 1);
    assert_eq!(balance(&coord, A, &alice, "ualpha"), Uint256::from(100u128));
    let voucher = voucher_denom(&format!("transfer/{}/ualpha", path.b.channel_id));
    assert_eq!(balance(&coord, B, &bob, &voucher), Uint256::zero());
}

#[test]
fn transfer_refuses_what_the_sender_does_not_have() {
    let (mut coord, path) = transfer_network();
    let alice = coord.chain(A).unwrap().addr_make("alice");
    let timeout = in_an_hour(&coord, B);
    let result = coord.chain_mut(A).unwrap().transfer(
        &alice,
        &path.a.channel_id,
        "beta1xyz",
        Coin::new(5u128, "ualpha"),
        timeout,
        None,
    );
    assert!(result.is_err());
    assert!(coord
        .chain(A)
        .unwrap()
        .commitments("transfer", &path.a.channel_id)
        .is_empty());
}

#[test]
fn the_transfer_module_refuses_a_wrong_handshake_and_a_user_close() {
    let (mut coord, connection) = network();
    let err = coord
        .create_channel(
            &connection,
            "transfer",
            "transfer",
            IbcOrder::Ordered,
            "ics20-1",
        )
        .unwrap_err();
    assert!(err.to_string().contains("UNORDERED"), "{err}");
    let path = coord.create_transfer_channel(&connection).unwrap();
    assert!(coord
        .close_channel(A, "transfer", &path.a.channel_id)
        .is_err());
}

/// A toy contract on each chain; the one on A sends a transfer naming itself as source
/// callback and the one on B as destination callback.
fn callback_setup(destination: IbcContractWrapper) -> (Coordinator, Path, Addr, Addr) {
    let (mut coord, path) = transfer_network();
    let msg = InstantiateMsg::new("toy-1", IbcOrder::Unordered, ReceiveMode::Echo);
    let sender = crate::deploy(&mut coord, A, &msg);
    let chain_b = coord.chain_mut(B).unwrap();
    let code = chain_b.store_code(Box::new(destination));
    let owner = chain_b.addr_make("owner");
    let receiver = chain_b
        .instantiate(code, &owner, &msg, &[], "dest")
        .unwrap();
    (coord, path, sender, receiver)
}

fn send_with_callbacks(
    coord: &mut Coordinator,
    path: &Path,
    sender: &Addr,
    receiver: &Addr,
    timeout: IbcTimeout,
) {
    let memo = format!(
        r#"{{"src_callback":{{"address":"{sender}"}},"dest_callback":{{"address":"{receiver}"}}}}"#
    );
    let chain = coord.chain_mut(A).unwrap();
    let user = chain.addr_make("user");
    chain
        .mint(&user, vec![Coin::new(100u128, "ualpha")])
        .unwrap();
    chain
        .execute(
            &user,
            sender,
            &ExecuteMsg::Transfer {
                channel_id: path.a.channel_id.clone(),
                to_address: receiver.to_string(),
                timeout,
                memo: Some(memo),
            },
            &[Coin::new(100u128, "ualpha")],
        )
        .unwrap();
}

#[test]
fn a_contract_transfer_calls_the_destination_and_source_callbacks() {
    let (mut coord, path, sender, receiver) = callback_setup(toy::wrapper());
    let timeout = in_an_hour(&coord, B);
    send_with_callbacks(&mut coord, &path, &sender, &receiver, timeout);

    coord.relay_all().unwrap();

    let voucher = voucher_denom(&format!("transfer/{}/ualpha", path.b.channel_id));
    assert_eq!(
        balance(&coord, B, &receiver, &voucher),
        Uint256::from(100u128)
    );
    assert_eq!(
        state(&coord, B, &receiver).callbacks,
        vec![format!("dest:{receiver}:100:{voucher}")]
    );
    assert_eq!(
        state(&coord, A, &sender).callbacks,
        vec![r#"src-ack:1:{"result":"AQ=="}"#.to_string()]
    );
}

#[test]
fn a_timed_out_contract_transfer_calls_the_source_timeout_callback() {
    let (mut coord, path, sender, receiver) = callback_setup(toy::wrapper());
    let deadline = coord.chain(B).unwrap().time().plus_seconds(5);
    send_with_callbacks(
        &mut coord,
        &path,
        &sender,
        &receiver,
        IbcTimeout::with_timestamp(deadline),
    );
    coord.advance_time(5);

    coord.relay_all().unwrap();

    assert_eq!(
        state(&coord, A, &sender).callbacks,
        vec!["src-timeout:1".to_string()]
    );
    assert!(state(&coord, B, &receiver).callbacks.is_empty());
    assert_eq!(
        balance(&coord, A, &sender, "ualpha"),
        Uint256::from(100u128)
    );
}

#[test]
fn a_failing_destination_callback_does_not_undo_the_transfer() {
    let failing = IbcContractWrapper::new(toy::execute, toy::instantiate, toy::query)
        .with_destination_callback(toy::failing_destination_callback);
    let (mut coord, path, sender, receiver) = callback_setup(failing);
    let timeout = in_an_hour(&coord, B);
    send_with_callbacks(&mut coord, &path, &sender, &receiver, timeout);

    coord.relay_all().unwrap();

    let voucher = voucher_denom(&format!("transfer/{}/ualpha", path.b.channel_id));
    assert_eq!(
        balance(&coord, B, &receiver, &voucher),
        Uint256::from(100u128)
    );
    assert!(coord.events().iter().any(|e| matches!(
        e,
        IbcEvent::CallbackFailed { entrypoint, error, .. }
            if entrypoint == "ibc_destination_callback" && error == "callback exploded"
    )));
}

#[test]
fn a_token_travels_over_two_hops_and_unwinds_back_home() {
    let (mut coord, ab) = network();
    coord
        .add_chain(cw_ics_ibc_sim::ChainConfig::new("chain-c", "gamma"))
        .unwrap();
    let bc = coord.setup_connection(B, "chain-c").unwrap();
    let path_ab = coord.create_transfer_channel(&ab).unwrap();
    let path_bc = coord.create_transfer_channel(&bc).unwrap();
    let alice = coord.chain(A).unwrap().addr_make("alice");
    let bob = coord.chain(B).unwrap().addr_make("bob");
    let carol = coord.chain("chain-c").unwrap().addr_make("carol");
    coord
        .chain_mut(A)
        .unwrap()
        .mint(&alice, vec![Coin::new(100u128, "ualpha")])
        .unwrap();

    let hop = |coord: &mut Coordinator,
               chain: &str,
               from: &Addr,
               channel: &str,
               to: &Addr,
               coin: Coin| {
        let timeout =
            IbcTimeout::with_timestamp(coord.chain(chain).unwrap().time().plus_seconds(3600));
        coord
            .chain_mut(chain)
            .unwrap()
            .transfer(from, channel, to.as_str(), coin, timeout, None)
            .unwrap();
        coord.relay_all().unwrap();
    };

    let on_b = voucher_denom(&format!("transfer/{}/ualpha", path_ab.b.channel_id));
    let on_c_trace = format!(
        "transfer/{}/transfer/{}/ualpha",
        path_bc.b.channel_id, path_ab.b.channel_id
    );
    let on_c = voucher_denom(&on_c_trace);

    hop(
        &mut coord,
        A,
        &alice,
        &path_ab.a.channel_id,
        &bob,
        Coin::new(100u128, "ualpha"),
    );
    hop(
        &mut coord,
        B,
        &bob,
        &path_bc.a.channel_id,
        &carol,
        Coin::new(60u128, on_b.clone()),
    );
    assert_eq!(balance(&coord, B, &bob, &on_b), Uint256::from(40u128));
    assert_eq!(
        balance(&coord, "chain-c", &carol, &on_c),
        Uint256::from(60u128)
    );
    assert_eq!(
        coord.chain("chain-c").unwrap().denom_trace(&on_c),
        Some(on_c_trace)
    );

    // unwind: C burns, B releases its escrowed vouchers, then B burns and A releases
    hop(
        &mut coord,
        "chain-c",
        &carol,
        &path_bc.b.channel_id,
        &bob,
        Coin::new(60u128, on_c.clone()),
    );
    assert_eq!(balance(&coord, "chain-c", &carol, &on_c), Uint256::zero());
    assert_eq!(balance(&coord, B, &bob, &on_b), Uint256::from(100u128));
    hop(
        &mut coord,
        B,
        &bob,
        &path_ab.b.channel_id,
        &alice,
        Coin::new(100u128, on_b.clone()),
    );
    assert_eq!(balance(&coord, B, &bob, &on_b), Uint256::zero());
    assert_eq!(balance(&coord, A, &alice, "ualpha"), Uint256::from(100u128));
}
