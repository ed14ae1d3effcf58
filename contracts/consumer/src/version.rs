//! The cw2 contract version, read and written here with `cw-ics-json` under cw2's key and in
//! cw2's JSON, so that chains, tools and `cw2::get_contract_version` see the same record while
//! the contract carries no `serde_json` code for it.

use cosmwasm_std::Storage;
use cw_ics_json::json_struct;

use crate::error::ContractError;
use crate::state::{CONTRACT_NAME, CONTRACT_VERSION};

/// `cw2::ContractVersion`, field for field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredVersion {
    pub contract: String,
    pub version: String,
}
json_struct!(StoredVersion { contract, version });

pub fn load_version(storage: &dyn Storage) -> Result<StoredVersion, ContractError> {
    let bytes = storage
        .get(cw2::CONTRACT.as_slice())
        .ok_or(ContractError::NoContractVersion)?;
    cw_ics_json::from_slice(&bytes).map_err(ContractError::InvalidContractVersion)
}

/// Records this build's name and version.
pub fn save_version(storage: &mut dyn Storage) {
    let current = StoredVersion {
        contract: CONTRACT_NAME.to_string(),
        version: CONTRACT_VERSION.to_string(),
    };
    storage.set(cw2::CONTRACT.as_slice(), &cw_ics_json::to_vec(&current));
}
