use cosmwasm_std::StdError;
use thiserror::Error;

#[derive(Error, Debug)]
pub enum ContractError {
    #[error(transparent)]
    Std(#[from] StdError),

    #[error("{0} is not supported by this contract yet")]
    NotSupported(&'static str),

    #[error("cannot migrate from contract {0}")]
    WrongContract(String),

    #[error("cannot migrate from version {from} to the older version {to}")]
    Downgrade { from: String, to: String },

    #[error(transparent)]
    Channel(#[from] cw_ics_ccv::ChannelError),
}
