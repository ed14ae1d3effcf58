use cosmwasm_std::{IbcChannel, IbcOrder, IbcTimeout, Timestamp};

use crate::ChannelError;

/// The CCV channel version. Negotiation rule: the opening side proposes `"1"` (or leaves the
/// version empty, which means `"1"`); the other side accepts exactly `"1"`; anything else is
/// refused on both sides.
pub const CCV_VERSION: &str = "1";

/// The Go implementation's default `ccv_timeout_period`: four weeks.
pub const DEFAULT_CCV_TIMEOUT_SECONDS: u64 = 4 * 7 * 24 * 60 * 60;

/// The version the opening side (OpenInit) uses, given what the relayer proposed.
pub fn negotiate_version(proposed: &str) -> Result<&'static str, ChannelError> {
    match proposed {
        "" | CCV_VERSION => Ok(CCV_VERSION),
        other => Err(ChannelError::InvalidVersion {
            expected: CCV_VERSION,
            got: other.to_string(),
        }),
    }
}

/// Accepts only the exact CCV version (OpenTry's counterparty version, OpenAck's version).
pub fn validate_counterparty_version(version: &str) -> Result<(), ChannelError> {
    if version == CCV_VERSION {
        Ok(())
    } else {
        Err(ChannelError::InvalidVersion {
            expected: CCV_VERSION,
            got: version.to_string(),
        })
    }
}

/// A CCV channel is ORDERED: VSCs must be applied in vscId order and none may be skipped.
pub fn ensure_ordered(channel: &IbcChannel) -> Result<(), ChannelError> {
    match channel.order {
        IbcOrder::Ordered => Ok(()),
        IbcOrder::Unordered => Err(ChannelError::NotOrdered),
    }
}

/// The timeout of a CCV packet sent at `now`: a timestamp only, as the Go implementation uses.
pub fn timeout_after(now: Timestamp, period_seconds: u64) -> IbcTimeout {
    IbcTimeout::with_timestamp(now.plus_seconds(period_seconds))
}
