//! cw2's contract-version record, read and written here instead of through serde: the same
//! bytes under the same key, so `cw2::get_contract_version` and other contracts' raw queries
//! of `contract_info` keep working.

use core::fmt;

use cosmwasm_std::Storage;

use crate::{from_slice, json_struct, to_vec, JsonError};

/// `cw2::ContractVersion`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractVersion {
    pub contract: String,
    pub version: String,
}
json_struct!(ContractVersion { contract, version });

/// Why the stored contract version could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContractVersionError {
    Missing,
    Invalid(JsonError),
}

impl fmt::Display for ContractVersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContractVersionError::Missing => write!(f, "no cw2 contract version is stored"),
            ContractVersionError::Invalid(error) => {
                write!(f, "the stored cw2 contract version is refused: {error}")
            }
        }
    }
}

impl std::error::Error for ContractVersionError {}

pub fn load_contract_version(
    storage: &dyn Storage,
) -> Result<ContractVersion, ContractVersionError> {
    let bytes = storage
        .get(cw2::CONTRACT.as_slice())
        .ok_or(ContractVersionError::Missing)?;
    from_slice(&bytes).map_err(ContractVersionError::Invalid)
}

pub fn save_contract_version(storage: &mut dyn Storage, contract: &str, version: &str) {
    let record = ContractVersion {
        contract: contract.to_string(),
        version: version.to_string(),
    };
    storage.set(cw2::CONTRACT.as_slice(), &to_vec(&record));
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::MockStorage;

    #[test]
    fn reads_and_writes_what_cw2_reads_and_writes() {
        let mut storage = MockStorage::new();
        save_contract_version(&mut storage, "crates.io:cw-ics-provider", "0.1.0");
        let theirs = cw2::get_contract_version(&storage).unwrap();
        assert_eq!(theirs.contract, "crates.io:cw-ics-provider");
        assert_eq!(theirs.version, "0.1.0");

        cw2::set_contract_version(&mut storage, "crates.io:other", "2.0.0").unwrap();
        assert_eq!(
            load_contract_version(&storage).unwrap(),
            ContractVersion {
                contract: "crates.io:other".to_string(),
                version: "2.0.0".to_string()
            }
        );
        assert_eq!(
            crate::to_vec(&load_contract_version(&storage).unwrap()),
            cosmwasm_std::to_json_vec(&cw2::get_contract_version(&storage).unwrap()).unwrap()
        );
    }

    #[test]
    fn a_missing_or_malformed_record_is_an_error() {
        let mut storage = MockStorage::new();
        assert_eq!(
            load_contract_version(&storage),
            Err(ContractVersionError::Missing)
        );
        storage.set(cw2::CONTRACT.as_slice(), br#"{"contract":"x"}"#);
        assert_eq!(
            load_contract_version(&storage),
            Err(ContractVersionError::Invalid(JsonError::MissingField(
                "version"
            )))
        );
    }
}
