use cosmwasm_std::StdError;
use thiserror::Error;

#[derive(Error, Debug)]
pub enum ContractError {
    #[error(transparent)]
    Std(#[from] StdError),

    #[error("{0} is not supported by this contract")]
    NotSupported(&'static str),

    #[error(transparent)]
    Channel(#[from] cw_ics_ccv::ChannelError),

    #[error(transparent)]
    Packet(#[from] cw_ics_ccv::PacketError),

    #[error(transparent)]
    Genesis(#[from] cw_ics_ccv::GenesisError),

    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),

    #[error("invalid configuration: {0}")]
    InvalidConfig(String),

    #[error("{0} cannot change once a validator is registered")]
    FrozenParameter(&'static str),

    #[error("this address already operates a validator")]
    AlreadyValidator,

    #[error("the consensus key is already used by another validator")]
    DuplicateConsensusKey,

    #[error("commission must be at most 1")]
    InvalidCommission,

    #[error("no validator is operated by {0}")]
    UnknownValidator(String),

    #[error("send exactly one coin of {denom}, above 0")]
    InvalidFunds { denom: String },

    #[error("this message takes no funds")]
    UnexpectedFunds,

    #[error("the amount must be above 0")]
    ZeroAmount,

    #[error("the validator lost all its stake to slashing and takes no new bonds")]
    ValidatorWipedOut,

    #[error("the bond is too small to buy a share of this validator")]
    BondTooSmall,

    #[error("the validator's power would exceed {max}, the most one validator may have")]
    PowerTooLarge { max: u64 },

    #[error("cannot unbond {requested}: the delegation is worth {available}")]
    InsufficientDelegation {
        requested: cosmwasm_std::Uint128,
        available: cosmwasm_std::Uint128,
    },

    #[error("unbonding entry {0} does not exist or is not the sender's")]
    UnknownUnbonding(u64),

    #[error("unbonding entry {0} is not released yet")]
    NotReleased(u64),

    #[error("nothing to withdraw")]
    NothingToWithdraw,

    #[error("the validator is not jailed")]
    NotJailed,

    #[error("the validator is tombstoned and can never be unjailed")]
    Tombstoned,

    #[error("the validator stays jailed until {0}")]
    StillJailed(cosmwasm_std::Timestamp),

    #[error("unknown consumer {0}")]
    UnknownConsumer(u64),

    #[error("invalid consumer registration: {0}")]
    InvalidRegistration(String),

    #[error("consumer {id} is {phase}, which does not allow this")]
    WrongPhase { id: u64, phase: String },

    #[error("the consumer's channel is already open: its counterparty port cannot change")]
    ChannelAlreadyOpen,

    #[error("no launched consumer without a channel is registered for connection {connection} and port {port}")]
    NoConsumerForChannel { connection: String, port: String },

    #[error("the CCV channel is opened by the consumer: the provider only accepts OpenTry")]
    OpenInitRefused,

    #[error("CCV channels cannot be closed by users")]
    CloseInitRefused,

    #[error("unknown CCV channel {0}")]
    UnknownChannel(String),

    #[error("no validator has the consensus address {0}")]
    UnknownConsensusAddress(String),

    #[error("vscId {0} is unknown to this consumer")]
    UnknownVscId(u64),

    #[error("arithmetic overflow")]
    Overflow,

    /// The Cosmos SDK's text (`ErrMaxUnbondingDelegationEntries`); `max` is the configured cap.
    #[error("too many unbonding delegation entries for (delegator, validator) tuple")]
    TooManyUnbondingEntries { max: u32 },

    #[error("{given} entry ids given: at most {max} per withdrawal")]
    TooManyEntryIds { given: usize, max: usize },
    #[error("{time} plus {seconds} seconds is out of range")]
    TimeOverflow {
        time: cosmwasm_std::Timestamp,
        seconds: u64,
    },

    #[error("{name} is {value}, above its maximum {max}")]
    AboveMaximum {
        name: &'static str,
        value: u64,
        max: u64,
    },

    #[error("a permissionless registration attaches exactly {expected} (and nothing else)")]
    WrongDeposit { expected: cosmwasm_std::Coin },

    #[error("{owner} already has {max} registered consumers waiting to launch")]
    TooManyPendingRegistrations { owner: cosmwasm_std::Addr, max: u32 },
}

impl From<cosmwasm_std::OverflowError> for ContractError {
    fn from(_: cosmwasm_std::OverflowError) -> Self {
        ContractError::Overflow
    }
}

impl From<cosmwasm_std::CheckedMultiplyRatioError> for ContractError {
    fn from(_: cosmwasm_std::CheckedMultiplyRatioError) -> Self {
        ContractError::Overflow
    }
}

impl From<cosmwasm_std::CheckedMultiplyFractionError> for ContractError {
    fn from(_: cosmwasm_std::CheckedMultiplyFractionError) -> Self {
        ContractError::Overflow
    }
}
