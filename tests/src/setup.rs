//! The network the consumer scenarios share: one provider and one consumer chain on
//! `cw_ics_sim`, periods short enough that a scenario runs through several unbonding periods
//! in a few hundred blocks, and a relayer that only relays when the scenario says so.

use anyhow::{anyhow, Result};
use cw_ics_sim::network::{Network, NetworkBuilder, Params, RelayerPolicy, POWER_REDUCTION};

pub const CONSUMER: &str = "consumer-1";
pub const PROVIDER: &str = "provider-1";
pub const BLOCK_SECONDS: u64 = 60;
pub const SIGNED_BLOCKS_WINDOW: u64 = 10;
pub const CONSUMER_UNBONDING: u64 = 20 * BLOCK_SECONDS;
pub const PROVIDER_UNBONDING: u64 = 3 * CONSUMER_UNBONDING;
pub const CCV_TIMEOUT: u64 = 4 * PROVIDER_UNBONDING;

pub fn params() -> Params {
    Params {
        block_time: BLOCK_SECONDS,
        epoch_length_blocks: 1,
        max_validators: 10,
        provider_unbonding: PROVIDER_UNBONDING,
        consumer_unbonding: CONSUMER_UNBONDING,
        ccv_timeout: CCV_TIMEOUT,
        signed_blocks_window: SIGNED_BLOCKS_WINDOW,
        ..Params::default()
    }
}

/// Tokens for `power` units of voting power.
pub fn tokens(power: u64) -> u128 {
    u128::from(power) * POWER_REDUCTION
}

/// Validators `val-0`, `val-1`, … with these powers and the consumer launched: deployed from
/// the provider's genesis, its CCV channel open, nothing relayed yet. `promoted: false` leaves
/// the consumer an oracle its chain never promotes.
pub fn launch(powers: &[u64], promoted: bool) -> Result<Network> {
    let stakes: Vec<u128> = powers.iter().map(|p| tokens(*p)).collect();
    let builder = NetworkBuilder::new()
        .validator_stakes(&stakes)
        .params(params());
    let builder = if promoted {
        builder.consumer(CONSUMER, 0)
    } else {
        builder.oracle_consumer(CONSUMER, 0)
    };
    let mut net = builder.build()?;
    net.relayer = RelayerPolicy::Manual;
    for _ in 0..3 {
        net.step()?;
        if net.consumer(CONSUMER)?.path.is_some() {
            return Ok(net);
        }
    }
    Err(anyhow!("{CONSUMER} did not launch"))
}
