//! Slash throttling (ADR-008, the Go provider's v4 semantics).
//!
//! A downtime slash packet for a validator in the consumer's set is handled while the meter is
//! at least 0 and takes the validator's power (0 if already jailed) from it before it is
//! handled; while the meter is negative such packets are bounced (ack `0x03`) and the consumer
//! retries them. The meter regains the allowance — max(1, ceil(fraction × power of the top N))
//! — for every whole period since its last replenishment, up to the allowance. Replenishment is
//! computed where the meter is read (O(1), whatever the time elapsed): by slash packets, by the
//! epoch (which saves it when the meter's value changes, so queries and monitors see it) and by
//! the query.
//!
//! Deviation from Go, where the meter is set at genesis: this contract starts with an empty set,
//! so a meter at its cap stays at its cap when the epoch changes the set's power (a full meter
//! follows the allowance up as well as down).

use cosmwasm_std::{Int128, Storage, Timestamp, Uint128};

use crate::error::ContractError;
use crate::msg::{Config, SlashMeterResponse};
use crate::state::slashing::SlashMeter;
use crate::time::after;

/// What the meter gains per period and its cap, for a set of `total_power`.
pub fn allowance(config: &Config, total_power: u64) -> Result<i128, ContractError> {
    let share =
        Uint128::from(total_power).checked_mul_ceil(config.slash_meter_replenish_fraction)?;
    let share = i128::try_from(share.u128()).map_err(|_| ContractError::Overflow)?;
    Ok(share.max(1))
}

/// Adds the allowance for every whole period since the last replenishment (up to the
/// allowance) and caps the meter at the allowance; returns whether the meter's value changed.
/// The last replenishment moves on by whole periods, so a meter left unsaved while its value did not
/// change replenishes later exactly as if it had been saved.
pub fn replenish(
    meter: &mut SlashMeter,
    config: &Config,
    now: Timestamp,
) -> Result<bool, ContractError> {
    let allowance = allowance(config, meter.total_power)?;
    let before = meter.meter;
    let period = config.slash_meter_replenish_period_seconds.max(1);
    let elapsed = now.seconds().saturating_sub(meter.last_replenish_seconds);
    let periods = elapsed / period;
    if periods > 0 {
        // The meter never exceeds the allowance: saturating is the cap, not a lost overflow.
        let gained = allowance.saturating_mul(i128::from(periods));
        meter.meter = Int128::new(meter.meter.i128().saturating_add(gained).min(allowance));
        // At most `elapsed`, so within `now`.
        meter.last_replenish_seconds = meter
            .last_replenish_seconds
            .checked_add(periods * period)
            .ok_or(ContractError::Overflow)?;
    }
    // A set whose power fell: the meter never holds more than the allowance (Go checks this
    // every block).
    if meter.meter.i128() > allowance {
        meter.meter = Int128::new(allowance);
    }
    Ok(meter.meter != before)
}

/// The epoch's update of the top N's power (after replenishing): a full meter stays full.
pub fn set_total_power(
    meter: &mut SlashMeter,
    config: &Config,
    now: Timestamp,
    total_power: u64,
) -> Result<(), ContractError> {
    replenish(meter, config, now)?;
    let full = meter.meter.i128() >= allowance(config, meter.total_power)?;
    meter.total_power = total_power;
    let allowance = allowance(config, total_power)?;
    if full || meter.meter.i128() > allowance {
        meter.meter = Int128::new(allowance);
    }
    Ok(())
}

/// The meter as a slash packet would find it now.
pub fn slash_meter(
    storage: &dyn Storage,
    config: &Config,
    now: Timestamp,
) -> Result<SlashMeterResponse, ContractError> {
    let mut meter = SlashMeter::load(storage, now)?;
    replenish(&mut meter, config, now)?;
    let allowance = allowance(config, meter.total_power)?;
    Ok(SlashMeterResponse {
        meter: meter.meter,
        allowance: Uint128::new(allowance.unsigned_abs()),
        total_power: meter.total_power,
        next_replenish_at: after(
            Timestamp::from_seconds(meter.last_replenish_seconds),
            config.slash_meter_replenish_period_seconds,
        )?,
    })
}
