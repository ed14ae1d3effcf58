//! The Wasm exports. cw-ics-entry reads each call's arguments with cw-ics-json and writes the
//! answer with it, where `#[entry_point]` would run cosmwasm-std's `serde_json` glue (about
//! 180 KiB of Wasm). The handlers are the typed ones tests and cw-multi-test call directly.

cw_ics_entry::exports! {
    instantiate => crate::contract::instantiate,
    execute => crate::contract::execute,
    sudo => crate::contract::sudo,
    query => crate::contract::query,
    migrate => crate::contract::migrate,
    ibc_channel_open => crate::ibc::ibc_channel_open,
    ibc_channel_connect => crate::ibc::ibc_channel_connect,
    ibc_channel_close => crate::ibc::ibc_channel_close,
    ibc_packet_receive => crate::ibc::ibc_packet_receive,
    ibc_packet_ack => crate::ibc::ibc_packet_ack,
    ibc_packet_timeout => crate::ibc::ibc_packet_timeout,
}
