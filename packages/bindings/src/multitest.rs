//! The chain side of the x/twasm privileged-contract ABI, as a cw-multi-test custom module
//! (feature `multitest`): contracts ask for privileges with `ChainMsg::Privilege`, and query
//! who signed the last block with `ChainQuery::ValidatorVotes`. Tests and the network
//! simulator plug it into their chains; a test driver promotes contracts and records votes
//! with the functions below, and calls the privileged hooks itself.
//!
//! The module keeps its state in the app's own storage, so a privilege request made by a
//! response that later fails is rolled back with everything else, as on chain.

use crate::{ChainMsg, ChainQuery, Privilege, PrivilegeMsg, ValidatorVoteResponse};
use cosmwasm_std::{
    from_json, to_json_binary, to_json_vec, Addr, Api, Binary, BlockInfo, CustomMsg, CustomQuery,
    Empty, Querier, StdError, StdResult, Storage,
};
use cw_multi_test::{AppResponse, CosmosRouter, Module};
use serde::de::DeserializeOwned;

const PRIVILEGED: &[u8] = b"twasm/privileged/";
const GRANTS: &[u8] = b"twasm/grants/";
const VOTES: &[u8] = b"twasm/last_commit_votes";

/// x/twasm as the contracts see it. Stateless: everything lives in the app's storage.
#[derive(Default, Clone, Copy, Debug)]
pub struct TwasmModule;

fn key(prefix: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut key = prefix.to_vec();
    for part in parts {
        key.extend_from_slice(part);
        key.push(b'/');
    }
    key
}

fn privilege_name(privilege: Privilege) -> &'static [u8] {
    match privilege {
        Privilege::BeginBlocker => b"begin_blocker",
        Privilege::EndBlocker => b"end_blocker",
        Privilege::ValidatorSetUpdater => b"validator_set_updater",
    }
}

/// Marks a contract privileged (governance's `PromoteToPrivilegedContract`); the caller then
/// sends it `privilege_change {promoted}`.
pub fn set_privileged(storage: &mut dyn Storage, contract: &Addr, privileged: bool) {
    let key = key(PRIVILEGED, &[contract.as_bytes()]);
    if privileged {
        storage.set(&key, b"1");
    } else {
        storage.remove(&key);
        for privilege in [
            Privilege::BeginBlocker,
            Privilege::EndBlocker,
            Privilege::ValidatorSetUpdater,
        ] {
            storage.remove(&grant_key(privilege, contract));
        }
    }
}

pub fn is_privileged(storage: &dyn Storage, contract: &Addr) -> bool {
    storage
        .get(&key(PRIVILEGED, &[contract.as_bytes()]))
        .is_some()
}

fn grant_key(privilege: Privilege, contract: &Addr) -> Vec<u8> {
    key(GRANTS, &[privilege_name(privilege), contract.as_bytes()])
}

/// The contracts holding `privilege`, in address order (the order twasm calls them in).
pub fn holders(storage: &dyn Storage, privilege: Privilege) -> Vec<Addr> {
    let prefix = key(GRANTS, &[privilege_name(privilege)]);
    let mut end = prefix.clone();
    if let Some(last) = end.last_mut() {
        *last += 1;
    }
    storage
        .range(Some(&prefix), Some(&end), cosmwasm_std::Order::Ascending)
        .filter_map(|(key, _)| {
            let address = key.get(prefix.len()..key.len().saturating_sub(1))?;
            String::from_utf8(address.to_vec())
                .ok()
                .map(Addr::unchecked)
        })
        .collect()
}

/// Records the votes of the last commit, which `validator_votes` answers with.
pub fn set_last_commit_votes(
    storage: &mut dyn Storage,
    votes: &ValidatorVoteResponse,
) -> StdResult<()> {
    storage.set(VOTES, &to_json_vec(votes)?);
    Ok(())
}

impl Module for TwasmModule {
    type ExecT = ChainMsg;
    type QueryT = ChainQuery;
    type SudoT = Empty;

    fn execute<ExecC, QueryC>(
        &self,
        _api: &dyn Api,
        storage: &mut dyn Storage,
        _router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
        _block: &BlockInfo,
        sender: Addr,
        msg: ChainMsg,
    ) -> StdResult<AppResponse>
    where
        ExecC: CustomMsg + DeserializeOwned + 'static,
        QueryC: CustomQuery + DeserializeOwned + 'static,
    {
        if !is_privileged(storage, &sender) {
            return Err(StdError::msg(format!(
                "{sender} is not a privileged contract"
            )));
        }
        let ChainMsg::Privilege(request) = msg;
        match request {
            PrivilegeMsg::Request(privilege) => {
                if privilege == Privilege::ValidatorSetUpdater {
                    let current = holders(storage, privilege);
                    if current.iter().any(|holder| *holder != sender) {
                        return Err(StdError::msg(
                            "the validator_set_updater privilege is already taken",
                        ));
                    }
                }
                storage.set(&grant_key(privilege, &sender), b"1");
            }
            PrivilegeMsg::Release(privilege) => storage.remove(&grant_key(privilege, &sender)),
        }
        Ok(AppResponse::default())
    }

    fn query(
        &self,
        _api: &dyn Api,
        storage: &dyn Storage,
        _querier: &dyn Querier,
        _block: &BlockInfo,
        request: ChainQuery,
    ) -> StdResult<Binary> {
        match request {
            ChainQuery::ValidatorVotes {} => {
                let votes = match storage.get(VOTES) {
                    Some(bytes) => from_json(bytes)?,
                    None => ValidatorVoteResponse { votes: vec![] },
                };
                to_json_binary(&votes)
            }
        }
    }

    fn sudo<ExecC, QueryC>(
        &self,
        _api: &dyn Api,
        _storage: &mut dyn Storage,
        _router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
        _block: &BlockInfo,
        _msg: Empty,
    ) -> StdResult<AppResponse>
    where
        ExecC: CustomMsg + DeserializeOwned + 'static,
        QueryC: CustomQuery + DeserializeOwned + 'static,
    {
        Err(StdError::msg("twasm has no sudo messages"))
    }
}
