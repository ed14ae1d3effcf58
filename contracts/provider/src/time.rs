//! Time arithmetic. Every instant the contract computes goes through [`after`]: a duration
//! comes from the configuration or a registration, and although both are bounded (every time
//! value by its maximum, every maximum by [`TIME_CEILING_SECONDS`]), an addition that leaves
//! `Timestamp`'s range is an error for the caller to return, never a panic that would halt the
//! epoch or a packet for good.

use cosmwasm_std::Timestamp;

use crate::error::ContractError;

/// The largest duration any time value of the configuration may have (100 years): with it,
/// no instant of this century plus a configured duration leaves `Timestamp`'s range (about
/// year 2554).
pub const TIME_CEILING_SECONDS: u64 = 100 * 365 * 24 * 3_600;

/// `time` + `seconds`, or `TimeOverflow`.
pub fn after(time: Timestamp, seconds: u64) -> Result<Timestamp, ContractError> {
    let overflow = || ContractError::TimeOverflow { time, seconds };
    let nanos = seconds.checked_mul(1_000_000_000).ok_or_else(overflow)?;
    time.nanos()
        .checked_add(nanos)
        .map(Timestamp::from_nanos)
        .ok_or_else(overflow)
}

/// Refuses `value` above `max`.
pub fn ensure_at_most(name: &'static str, value: u64, max: u64) -> Result<(), ContractError> {
    if value > max {
        return Err(ContractError::AboveMaximum { name, value, max });
    }
    Ok(())
}
