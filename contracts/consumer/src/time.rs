//! Checked time arithmetic: `Timestamp::plus_seconds` panics on overflow, and a contract must
//! not panic on its input.

use cosmwasm_std::Timestamp;

use crate::error::ContractError;

/// The longest period (unbonding, timeout, retry delay) a genesis may set: 100 years. With
/// it, `block time + period` stays far inside the range of a nanosecond timestamp.
pub const MAX_PERIOD_SECONDS: u64 = 100 * 365 * 24 * 60 * 60;

const NANOS_PER_SECOND: u64 = 1_000_000_000;

/// `time + seconds`, or an error instead of a panic when it does not fit.
pub fn after(time: Timestamp, seconds: u64) -> Result<Timestamp, ContractError> {
    seconds
        .checked_mul(NANOS_PER_SECOND)
        .and_then(|nanos| time.nanos().checked_add(nanos))
        .map(Timestamp::from_nanos)
        .ok_or(ContractError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_seconds_and_refuses_overflow() {
        let start = Timestamp::from_seconds(10);
        assert_eq!(after(start, 5).unwrap(), Timestamp::from_seconds(15));
        assert!(matches!(
            after(start, u64::MAX),
            Err(ContractError::Overflow)
        ));
        assert!(matches!(
            after(Timestamp::from_nanos(u64::MAX), 1),
            Err(ContractError::Overflow)
        ));
        assert!(after(Timestamp::from_seconds(2_000_000_000), MAX_PERIOD_SECONDS).is_ok());
    }
}
