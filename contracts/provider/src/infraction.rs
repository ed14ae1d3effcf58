//! Per-consumer infraction parameters (ICS v6.4, ADR-020): the slash fraction, jail duration
//! and tombstoning a consumer's reports carry.
//!
//! Set at registration (the provider's defaults when left out) and changed by the consumer's
//! owner or the admin: at once before launch; after launch only one provider unbonding period
//! later, so an owner cannot raise the penalties of validators already serving (they can leave
//! the set and unbond before). A delayed change is applied lazily: whoever reads the parameters
//! takes the pending ones once their time came, so no queue is kept.

use cosmwasm_std::{Decimal, Timestamp};

use crate::error::ContractError;
use crate::msg::{Config, InfractionParameters, PendingInfractionParameters, SlashJailParameters};
use crate::state::consumers::ConsumerInfo;
use crate::time::{after, ensure_at_most};

/// The provider's defaults: downtime as the config punishes it, double sign with the config's
/// fraction and tombstoning.
pub fn defaults(config: &Config) -> InfractionParameters {
    InfractionParameters {
        double_sign: SlashJailParameters {
            slash_fraction: config.double_sign_slash_fraction,
            jail_duration_seconds: config.max_jail_seconds,
            tombstone: true,
        },
        downtime: SlashJailParameters {
            slash_fraction: config.downtime_slash_fraction,
            jail_duration_seconds: config.downtime_jail_seconds,
            tombstone: false,
        },
    }
}

/// Fractions at most 1, jail durations at most the config's `max_jail_seconds`.
pub fn validate(config: &Config, parameters: &InfractionParameters) -> Result<(), ContractError> {
    for (name, fraction, jail) in [
        (
            "double_sign",
            parameters.double_sign.slash_fraction,
            parameters.double_sign.jail_duration_seconds,
        ),
        (
            "downtime",
            parameters.downtime.slash_fraction,
            parameters.downtime.jail_duration_seconds,
        ),
    ] {
        if fraction > Decimal::one() {
            return Err(ContractError::InvalidRegistration(format!(
                "the {name} slash fraction must be at most 1"
            )));
        }
        ensure_at_most("jail_duration_seconds", jail, config.max_jail_seconds)?;
    }
    Ok(())
}

/// The parameters in force at `now`.
pub fn in_force(config: &Config, info: &ConsumerInfo, now: Timestamp) -> InfractionParameters {
    match &info.pending_infraction {
        Some(pending) if now >= pending.effective_at => pending.parameters.clone(),
        _ => info
            .registration
            .infraction_parameters
            .clone()
            // Only a consumer registered before these parameters existed has none.
            .unwrap_or_else(|| defaults(config)),
    }
}

/// The change not yet in force at `now`, if any.
pub fn pending(info: &ConsumerInfo, now: Timestamp) -> Option<PendingInfractionParameters> {
    info.pending_infraction
        .clone()
        .filter(|pending| now < pending.effective_at)
}

/// Schedules `parameters` for a launched consumer: in force one provider unbonding period from
/// now. A pending change already in force becomes the current parameters first; one not yet in
/// force is replaced. Returns when the new parameters take effect.
pub fn schedule(
    config: &Config,
    info: &mut ConsumerInfo,
    now: Timestamp,
    parameters: InfractionParameters,
) -> Result<Timestamp, ContractError> {
    validate(config, &parameters)?;
    let effective_at = after(now, config.unbonding_period_seconds)?;
    info.registration.infraction_parameters = Some(in_force(config, info, now));
    info.pending_infraction = Some(PendingInfractionParameters {
        parameters,
        effective_at,
    });
    Ok(effective_at)
}
