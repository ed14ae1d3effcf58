use cosmwasm_std::{RecoverPubkeyError, StdError, VerificationError};
use thiserror::Error;

#[derive(Error, Debug)]
pub enum ProbeError {
    #[error(transparent)]
    Std(#[from] StdError),

    #[error("verification failed: {0}")]
    Verification(#[from] VerificationError),

    #[error("recovery failed: {0}")]
    Recovery(#[from] RecoverPubkeyError),

    #[error("recovery_param {0} does not fit in a byte")]
    RecoveryParamTooLarge(u32),
}
