//! A minimal stand-in for the x/twasm chain module: enough for the consumer contract to run
//! on a simulated chain. It records privilege requests and answers `validator_votes {}` with
//! the votes the test sets; the test itself plays the chain's hooks by calling the contract's
//! `sudo` (`begin_block`, `end_with_validator_update`).

use std::cell::RefCell;
use std::rc::Rc;

use cosmwasm_std::{
    to_json_binary, Addr, Api, Binary, BlockInfo, CustomMsg, CustomQuery, Empty, Querier, StdError,
    StdResult, Storage,
};
use cw_ics_bindings::{
    ChainMsg, ChainQuery, Privilege, PrivilegeMsg, ValidatorVote, ValidatorVoteResponse,
};
use cw_multi_test::{AppResponse, CosmosRouter, Module};
use serde::de::DeserializeOwned;

/// Shared with the test: what the module was asked and what it answers.
#[derive(Clone, Default)]
pub struct TwasmState {
    pub votes: Rc<RefCell<Vec<ValidatorVote>>>,
    pub privileges: Rc<RefCell<Vec<(Addr, Privilege)>>>,
}

impl TwasmState {
    pub fn set_votes(&self, votes: Vec<ValidatorVote>) {
        *self.votes.borrow_mut() = votes;
    }

    pub fn privileges_of(&self, contract: &Addr) -> Vec<Privilege> {
        self.privileges
            .borrow()
            .iter()
            .filter(|(holder, _)| holder == contract)
            .map(|(_, privilege)| *privilege)
            .collect()
    }
}

#[derive(Clone, Default)]
pub struct TwasmModule {
    pub state: TwasmState,
}

impl Module for TwasmModule {
    type ExecT = ChainMsg;
    type QueryT = ChainQuery;
    type SudoT = Empty;

    fn execute<ExecC, QueryC>(
        &self,
        _api: &dyn Api,
        _storage: &mut dyn Storage,
        _router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
        _block: &BlockInfo,
        sender: Addr,
        msg: ChainMsg,
    ) -> StdResult<AppResponse>
    where
        ExecC: CustomMsg + DeserializeOwned + 'static,
        QueryC: CustomQuery + DeserializeOwned + 'static,
    {
        let mut privileges = self.state.privileges.borrow_mut();
        match msg {
            ChainMsg::Privilege(PrivilegeMsg::Request(privilege)) => {
                if !privileges.contains(&(sender.clone(), privilege)) {
                    privileges.push((sender, privilege));
                }
            }
            ChainMsg::Privilege(PrivilegeMsg::Release(privilege)) => {
                privileges.retain(|entry| *entry != (sender.clone(), privilege));
            }
        }
        Ok(AppResponse::default())
    }

    fn query(
        &self,
        _api: &dyn Api,
        _storage: &dyn Storage,
        _querier: &dyn Querier,
        _block: &BlockInfo,
        request: ChainQuery,
    ) -> StdResult<Binary> {
        match request {
            ChainQuery::ValidatorVotes {} => to_json_binary(&ValidatorVoteResponse {
                votes: self.state.votes.borrow().clone(),
            }),
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
        Err(StdError::msg("the twasm test module has no sudo"))
    }
}
