//! cw2's contract-version record, read and written here instead of through serde: the same
//! bytes under the same key, so `cw2::get_contract_version` and other contracts' raw queries
//! of `contract_info` keep working.

use cosmwasm_std::{Binary, StdError, Storage};

use crate::{from_slice, json_struct, to_vec};

/// `cw2::ContractVersion`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractVersion {
    pub contract: String,
    pub version: String,
}
json_struct!(ContractVersion { contract, version });

fn stored(storage: &dyn Storage) -> Result<Vec<u8>, StdError> {
    storage
        .get(cw2::CONTRACT.as_slice())
        .ok_or_else(|| StdError::msg("contract version not found"))
}

/// The stored record as the `contract_version` query answers it (its JSON, unchanged).
pub fn contract_version_json(storage: &dyn Storage) -> Result<Binary, StdError> {
    stored(storage).map(Binary::new)
}

pub fn load_contract_version(storage: &dyn Storage) -> Result<ContractVersion, StdError> {
    from_slice(&stored(storage)?).map_err(StdError::msg)
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
        let answer = contract_version_json(&storage).unwrap();
        assert_eq!(
            cosmwasm_std::from_json::<cw2::ContractVersion>(&answer).unwrap(),
            cw2::get_contract_version(&storage).unwrap()
        );
    }

    #[test]
    fn a_missing_record_is_an_error() {
        let storage = MockStorage::new();
        assert!(load_contract_version(&storage).is_err());
        assert!(contract_version_json(&storage).is_err());
    }
}
