//! Rewards: the consumer chain pays the validators that secure it, as ICS's consumer
//! distribution does (`x/ccv/consumer/keeper/distribution.go`).
//!
//! - The **pool** is this contract's bank balance of the reward denoms: `deposit_rewards`
//!   adds to it, and a failed or timed-out transfer is refunded into it by the ICS-20 module,
//!   so no counter kept beside the balance can drift from it.
//! - Every `blocks_per_distribution_transmission` blocks (whichever of `begin_block`,
//!   `end_block` or `tick` comes first once due), each reward denom's balance is split: the
//!   consumer's part, `floor(balance × consumer_redistribution_fraction)`, is paid to the
//!   redistribution address; the rest goes by ICS-20 to the provider contract with ICS's
//!   attribution memo and wasmd's callbacks (see [`transmission`]).
//! - The ADR-8 source callback records what became of each transfer ([`callbacks`]).

mod callbacks;
mod configure;
mod transmission;

use cosmwasm_std::Decimal;

pub use callbacks::{reply, source_callback};
pub use configure::{configure_rewards, deposit_rewards};
pub use transmission::{split, transfer_memo, transmit_if_due, voucher_denom, Transmitted};

/// The provider allow-lists at most 3 reward denoms per consumer (ICS v6.2), so more would
/// only strand funds; it also bounds every loop over the denoms.
pub const MAX_REWARD_DENOMS: usize = 3;
/// ICS's default.
pub const DEFAULT_BLOCKS_PER_DISTRIBUTION_TRANSMISSION: u64 = 1_000;
/// ICS's default: the consumer chain keeps 75%.
pub const DEFAULT_CONSUMER_REDISTRIBUTION_FRACTION: Decimal = Decimal::percent(75);
/// ICS's default: one hour.
pub const DEFAULT_TRANSFER_TIMEOUT_SECONDS: u64 = 3_600;
/// 28 days, ICS's default CCV timeout and the longest wait it allows anything; a transfer
/// pending longer only keeps its amount out of the pool.
pub const MAX_TRANSFER_TIMEOUT_SECONDS: u64 = 28 * 24 * 3_600;
/// The port ICS-20 is bound to.
pub const TRANSFER_PORT: &str = "transfer";
/// What ICS's consumer writes in the attribution memo.
pub const ICS_REWARDS_MEMO: &str = "ICS rewards";
