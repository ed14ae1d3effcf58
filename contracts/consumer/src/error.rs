use cosmwasm_std::StdError;
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
}
