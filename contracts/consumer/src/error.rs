use cosmwasm_std::{Decimal, StdError};
use cw_ics_ccv::{ChannelError, GenesisError, PacketError};
use thiserror::Error;

#[derive(Error, Debug)]
pub enum ContractError {
    #[error(transparent)]
    Std(#[from] StdError),

    #[error(transparent)]
    Channel(#[from] ChannelError),

    #[error("invalid consumer genesis: {0}")]
    Genesis(#[from] GenesisError),

    #[error("genesis parameter `{0}` is longer than 100 years")]
    PeriodTooLong(&'static str),

    #[error("invalid packet: {0}")]
    Packet(#[from] PacketError),

    // ---- channel handshake ----
    #[error("the CCV channel is opened by this contract: {0} is refused")]
    WrongHandshakeSide(&'static str),

    #[error("the CCV channel must use connection {expected}, not {got}")]
    WrongConnection { expected: String, got: String },

    #[error("the CCV channel's counterparty must be the provider port {expected}, not {got}")]
    WrongCounterpartyPort { expected: String, got: String },

    #[error("a CCV channel already exists: {0}")]
    ChannelAlreadyExists(String),

    #[error("nobody may close the CCV channel")]
    CloseRefused,

    // ---- packets ----
    #[error("packets are only accepted on the CCV channel, not on {0}")]
    NotCcvChannel(String),

    #[error("valset_update_id {got} is not above the last applied {last}")]
    VscOutOfOrder { got: u64, last: u64 },

    #[error("slash ack `{ack}` is not a {expected_prefix} consensus address")]
    InvalidSlashAck {
        ack: String,
        expected_prefix: String,
    },

    #[error("the validator-set change {0} would leave the consumer without validators")]
    EmptyValidatorSet(u64),

    #[error("the consumer is halted ({0}) and applies no further changes")]
    Halted(String),

    #[error("an acknowledgement arrived for a slash packet that is not in flight")]
    UnexpectedSlashAck,

    /// The chain could not answer, or answered something that is not a `ValidatorVoteResponse`.
    #[error("the chain's validator_votes query failed: {0}")]
    ValidatorVotes(StdError),

    #[error("the validator set's total power would exceed CometBFT's maximum (i64::MAX / 8)")]
    TotalPowerAboveMaximum,

    #[error("an arithmetic overflow (time, counter or power)")]
    Overflow,

    // ---- rewards ----
    #[error("only the contract's admin (the chain's governance, {admin:?}) may configure rewards, not {sender}")]
    NotAdmin {
        sender: String,
        admin: Option<String>,
    },

    #[error("rewards are not configured yet (configure_rewards)")]
    RewardsNotConfigured,

    #[error("at least one reward denom is needed")]
    NoRewardDenoms,

    #[error("at most {max} reward denoms (the provider allow-lists at most {max} per consumer), not {got}")]
    TooManyRewardDenoms { max: usize, got: usize },

    #[error("reward denom `{0}` is listed twice")]
    DuplicateRewardDenom(String),

    #[error("`{0}` is not a valid denom")]
    InvalidDenom(String),

    #[error("consumer_redistribution_fraction must be at most 1, not {0}")]
    FractionAboveOne(Decimal),

    #[error("blocks_per_distribution_transmission must be at least 1")]
    ZeroBlocksPerTransmission,

    #[error("transfer_timeout_seconds must be between {min} and {max}, not {got}")]
    TransferTimeoutOutOfRange { got: u64, min: u64, max: u64 },

    #[error("the provider port `{0}` is not a contract's port (`wasm.<address>`): rewards cannot name a receiver")]
    ProviderNotAContract(String),

    #[error("no ICS-20 channel {0} on port `transfer`")]
    TransferChannelNotFound(String),

    #[error("the transfer channel {channel_id} runs over connection {got}, not the CCV connection {expected}")]
    TransferChannelWrongConnection {
        channel_id: String,
        expected: String,
        got: String,
    },

    #[error("the transfer channel {channel_id} leads to port `{got}`, not `transfer`")]
    TransferChannelWrongPort { channel_id: String, got: String },

    #[error("a reward deposit needs funds")]
    EmptyDeposit,

    #[error("`{denom}` is not a reward denom (reward denoms: {allowed})")]
    NotARewardDenom { denom: String, allowed: String },

    #[error("a source callback for a packet that is not one of this contract's transfers: {0}")]
    NotOurTransfer(String),

    #[error("a reply to an unknown submessage {0}")]
    UnknownReply(u64),
}
