//! The real provider and consumer contracts, registered with all their entrypoints.

use cw_ics_bindings::{ChainMsg, ChainQuery};
use cw_ics_ibc_sim::IbcContractWrapper;

pub type CcvContract = IbcContractWrapper<ChainMsg, ChainQuery>;

pub fn provider_code() -> Box<CcvContract> {
    use cw_ics_provider::{contract, ibc};
    Box::new(
        IbcContractWrapper::new(contract::execute, contract::instantiate, contract::query)
            .with_sudo(contract::sudo)
            .with_migrate(contract::migrate)
            .with_ibc(
                ibc::ibc_channel_open,
                ibc::ibc_channel_connect,
                ibc::ibc_channel_close,
                ibc::ibc_packet_receive,
                ibc::ibc_packet_ack,
                ibc::ibc_packet_timeout,
            ),
    )
}

pub fn consumer_code() -> Box<CcvContract> {
    use cw_ics_consumer::{contract, ibc};
    Box::new(
        IbcContractWrapper::new(contract::execute, contract::instantiate, contract::query)
            .with_sudo(contract::sudo)
            .with_migrate(contract::migrate)
            .with_reply(contract::reply)
            .with_ibc(
                ibc::ibc_channel_open,
                ibc::ibc_channel_connect,
                ibc::ibc_channel_close,
                ibc::ibc_packet_receive,
                ibc::ibc_packet_ack,
                ibc::ibc_packet_timeout,
            )
            .with_source_callback(ibc::ibc_source_callback),
    )
}
