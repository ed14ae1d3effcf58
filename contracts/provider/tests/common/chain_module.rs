//! A minimal x/twasm stand-in for cw-multi-test: privilege requests succeed, and
//! `validator_votes {}` answers whatever the test last set for that chain.

use std::cell::RefCell;
use std::rc::Rc;

use cosmwasm_std::{
    to_json_binary, Addr, Api, Binary, BlockInfo, CustomMsg, CustomQuery, Empty, Querier, StdError,
    StdResult, Storage,
};
use cw_ics_bindings::{ChainMsg, ChainQuery, ValidatorVote, ValidatorVoteResponse};
use cw_multi_test::{AppResponse, CosmosRouter, Module};
use serde::de::DeserializeOwned;

#[derive(Clone, Default)]
pub struct ChainModule {
    pub votes: Rc<RefCell<Vec<ValidatorVote>>>,
}

impl Module for ChainModule {
    type ExecT = ChainMsg;
    type QueryT = ChainQuery;
    type SudoT = Empty;

    fn execute<ExecC, QueryC>(
        &self,
        _api: &dyn Api,
        _storage: &mut dyn Storage,
        _router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
        _block: &BlockInfo,
        _sender: Addr,
        msg: ChainMsg,
    ) -> StdResult<AppResponse>
    where
        ExecC: CustomMsg + DeserializeOwned + 'static,
        QueryC: CustomQuery + DeserializeOwned + 'static,
    {
        match msg {
            ChainMsg::Privilege(_) => Ok(AppResponse::default()),
        }
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
                votes: self.votes.borrow().clone(),
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
        Err(StdError::msg("no sudo"))
    }
}
