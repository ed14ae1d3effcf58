mod common;

use common::*;
use cosmwasm_std::{IbcChannelCloseMsg, IbcChannelConnectMsg, IbcChannelOpenMsg, IbcOrder};
use cw_ics_ccv::ChannelError;
use cw_ics_consumer::ibc::{ibc_channel_close, ibc_channel_connect, ibc_channel_open};
use cw_ics_consumer::state::HaltReason;
use cw_ics_consumer::ContractError;

#[test]
fn open_init_on_the_genesis_connection_negotiates_the_ccv_version() {
    let mut deps = setup();
    assert_eq!(open_init(&mut deps, good_channel(CHANNEL)).unwrap(), "1");
    let empty_version = channel(CHANNEL, CONNECTION, PROVIDER_PORT, IbcOrder::Ordered, "");
    assert_eq!(open_init(&mut deps, empty_version).unwrap(), "1");
    // OpenInit alone records nothing.
    assert_eq!(status(&deps).channel_id, None);
}

#[test]
fn open_init_on_another_connection_is_refused() {
    let mut deps = setup();
    let wrong = channel(
        CHANNEL,
        "connection-0",
        PROVIDER_PORT,
        IbcOrder::Ordered,
        "1",
    );
    let err = open_init(&mut deps, wrong).unwrap_err();
    assert!(matches!(err, ContractError::WrongConnection { got, .. } if got == "connection-0"));
}

#[test]
fn open_init_to_another_port_is_refused() {
    let mut deps = setup();
    let wrong = channel(CHANNEL, CONNECTION, "wasm.impostor", IbcOrder::Ordered, "1");
    let err = open_init(&mut deps, wrong).unwrap_err();
    assert!(
        matches!(err, ContractError::WrongCounterpartyPort { got, .. } if got == "wasm.impostor")
    );
}

#[test]
fn unordered_channels_and_other_versions_are_refused() {
    let mut deps = setup();
    let unordered = channel(CHANNEL, CONNECTION, PROVIDER_PORT, IbcOrder::Unordered, "1");
    assert!(matches!(
        open_init(&mut deps, unordered),
        Err(ContractError::Channel(ChannelError::NotOrdered))
    ));
    let other_version = channel(
        CHANNEL,
        CONNECTION,
        PROVIDER_PORT,
        IbcOrder::Ordered,
        "ics20-1",
    );
    assert!(matches!(
        open_init(&mut deps, other_version),
        Err(ContractError::Channel(ChannelError::InvalidVersion { .. }))
    ));
    open_init(&mut deps, good_channel(CHANNEL)).unwrap();
    assert!(matches!(
        open_ack(&mut deps, good_channel(CHANNEL), "2"),
        Err(ContractError::Channel(ChannelError::InvalidVersion { .. }))
    ));
    assert_eq!(status(&deps).channel_id, None);
}

#[test]
fn open_ack_records_the_channel_but_does_not_establish_it() {
    let mut deps = setup();
    open_channel(&mut deps);
    let status = status(&deps);
    assert_eq!(status.channel_id.as_deref(), Some(CHANNEL));
    assert!(!status.established);
}

#[test]
fn a_second_channel_is_refused_at_init_and_at_ack() {
    let mut deps = setup();
    // Two handshakes started before either completes: only the first ack wins.
    open_init(&mut deps, good_channel(CHANNEL)).unwrap();
    open_init(&mut deps, good_channel("channel-9")).unwrap();
    open_ack(&mut deps, good_channel(CHANNEL), "1").unwrap();
    let err = open_ack(&mut deps, good_channel("channel-9"), "1").unwrap_err();
    assert!(matches!(err, ContractError::ChannelAlreadyExists(id) if id == CHANNEL));
    let err = open_init(&mut deps, good_channel("channel-10")).unwrap_err();
    assert!(matches!(err, ContractError::ChannelAlreadyExists(id) if id == CHANNEL));
    assert_eq!(status(&deps).channel_id.as_deref(), Some(CHANNEL));
}

#[test]
fn open_try_and_open_confirm_are_refused() {
    let mut deps = setup();
    let env = env_at(GENESIS_HEIGHT, GENESIS_TIME);
    let err = ibc_channel_open(
        deps.as_mut(),
        env.clone(),
        IbcChannelOpenMsg::new_try(good_channel(CHANNEL), "1"),
    )
    .unwrap_err();
    assert!(matches!(err, ContractError::WrongHandshakeSide("OpenTry")));
    let err = ibc_channel_connect(
        deps.as_mut(),
        env,
        IbcChannelConnectMsg::new_confirm(good_channel(CHANNEL)),
    )
    .unwrap_err();
    assert!(matches!(
        err,
        ContractError::WrongHandshakeSide("OpenConfirm")
    ));
    assert_eq!(status(&deps).channel_id, None);
}

#[test]
fn close_init_is_refused_for_anyone() {
    let mut deps = setup();
    open_channel(&mut deps);
    let err = ibc_channel_close(
        deps.as_mut(),
        env_at(GENESIS_HEIGHT + 2, GENESIS_TIME + 10),
        IbcChannelCloseMsg::new_init(good_channel(CHANNEL)),
    )
    .unwrap_err();
    assert!(matches!(err, ContractError::CloseRefused));
    assert_eq!(status(&deps).halted, None);
}

#[test]
fn close_confirm_of_the_ccv_channel_halts_and_another_channel_does_not() {
    let mut deps = setup();
    open_channel(&mut deps);
    close_confirm(&mut deps, "channel-9").unwrap();
    assert_eq!(status(&deps).halted, None);
    close_confirm(&mut deps, CHANNEL).unwrap();
    assert_eq!(
        status(&deps).halted,
        Some(HaltReason::ChannelClosed {
            channel_id: CHANNEL.to_string()
        })
    );
}
