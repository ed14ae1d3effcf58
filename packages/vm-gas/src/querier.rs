//! What the chain answers a contract's queries: bank balances, contract info (admins), IBC
//! channels and the chain's custom queries. cosmwasm-vm's own mock querier cannot be given IBC
//! channels, so this one wraps cosmwasm-std's mock (which can) and charges the same query gas
//! as cosmwasm-vm's mock does (the harness's reports do not count query gas either way).

use cosmwasm_std::testing::MockQuerier as StdMockQuerier;
use cosmwasm_std::{
    to_json_binary, Binary, ContractResult, CustomQuery, Querier as _, SystemResult,
};
use cosmwasm_vm::{BackendError, BackendResult, GasInfo, Querier};
use serde::de::DeserializeOwned;

/// cosmwasm-vm's mock querier's gas: a flat cost plus 100 per byte of the answer.
const GAS_COST_QUERY_FLAT: u64 = 100_000;
const GAS_COST_QUERY_RESPONSE_MULTIPLIER: u64 = 100;

pub struct ChainQuerier<Q: CustomQuery + DeserializeOwned> {
    pub(crate) inner: StdMockQuerier<Q>,
}

impl<Q: CustomQuery + DeserializeOwned> Querier for ChainQuerier<Q> {
    fn query_raw(
        &self,
        request: &[u8],
        gas_limit: u64,
    ) -> BackendResult<SystemResult<ContractResult<Binary>>> {
        let response = self.inner.raw_query(request);
        let answer_len = to_json_binary(&response).map(|b| b.len()).unwrap_or(0) as u64;
        let gas_info = GasInfo::with_externally_used(
            GAS_COST_QUERY_FLAT + GAS_COST_QUERY_RESPONSE_MULTIPLIER * answer_len,
        );
        if gas_info.externally_used > gas_limit {
            return (Err(BackendError::out_of_gas()), gas_info);
        }
        (Ok(response), gas_info)
    }
}
