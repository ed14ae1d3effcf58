//! Chains with a custom-message module, and contracts with custom message/query types.

use crate::toy::{self, InstantiateMsg, ReceiveMode};
use crate::{A, B};
use cosmwasm_std::{
    to_json_binary, Addr, Api, Binary, BlockInfo, CosmosMsg, CustomMsg, CustomQuery, Deps, DepsMut,
    Empty, Env, IbcBasicResponse, IbcChannelCloseMsg, IbcChannelConnectMsg, IbcChannelOpenMsg,
    IbcChannelOpenResponse, IbcOrder, IbcPacketAckMsg, IbcPacketReceiveMsg, IbcPacketTimeoutMsg,
    IbcReceiveResponse, MessageInfo, Querier, QueryRequest, Response, StdError, StdResult, Storage,
};
use cw_ics_ibc_sim::{contract_port, ChainConfig, Coordinator, IbcContractWrapper};
use cw_multi_test::{AppResponse, CosmosRouter, Module};
use cw_storage_plus::Item;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChainMsg {
    Record { text: String },
}
impl CustomMsg for ChainMsg {}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChainQuery {
    Recorded {},
}
impl CustomQuery for ChainQuery {}

const RECORDED: Item<Vec<String>> = Item::new("chain_module_recorded");

/// A chain module in the spirit of a bindings module: records custom messages and
/// answers a custom query with them.
#[derive(Default)]
pub struct RecordingModule;

impl Module for RecordingModule {
    type ExecT = ChainMsg;
    type QueryT = ChainQuery;
    type SudoT = Empty;

    fn execute<ExecC, QueryC>(
        &self,
        _api: &dyn Api,
        storage: &mut dyn Storage,
        _router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
        _block: &BlockInfo,
        _sender: Addr,
        msg: ChainMsg,
    ) -> StdResult<AppResponse>
    where
        ExecC: CustomMsg + DeserializeOwned + 'static,
        QueryC: CustomQuery + DeserializeOwned + 'static,
    {
        let ChainMsg::Record { text } = msg;
        let mut all = RECORDED.may_load(storage)?.unwrap_or_default();
        all.push(text);
        RECORDED.save(storage, &all)?;
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
        let ChainQuery::Recorded {} = request;
        to_json_binary(&RECORDED.may_load(storage)?.unwrap_or_default())
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

// A receiver whose ack is what the chain module recorded, after asking it to record the data.
fn recorder_instantiate(
    _: DepsMut<ChainQuery>,
    _: Env,
    _: MessageInfo,
    _: Empty,
) -> StdResult<Response<ChainMsg>> {
    Ok(Response::new())
}
fn recorder_execute(
    _: DepsMut<ChainQuery>,
    _: Env,
    _: MessageInfo,
    _: Empty,
) -> StdResult<Response<ChainMsg>> {
    Err(StdError::msg("nothing to execute"))
}
fn recorder_query(deps: Deps<ChainQuery>, _: Env, _: Empty) -> StdResult<Binary> {
    let recorded: Vec<String> = deps
        .querier
        .query(&QueryRequest::Custom(ChainQuery::Recorded {}))?;
    to_json_binary(&recorded)
}
fn recorder_open(
    _: DepsMut<ChainQuery>,
    _: Env,
    _: IbcChannelOpenMsg,
) -> StdResult<IbcChannelOpenResponse> {
    Ok(None)
}
fn recorder_connect(
    _: DepsMut<ChainQuery>,
    _: Env,
    _: IbcChannelConnectMsg,
) -> StdResult<IbcBasicResponse<ChainMsg>> {
    Ok(
        IbcBasicResponse::new().add_message(CosmosMsg::Custom(ChainMsg::Record {
            text: "connected".into(),
        })),
    )
}
fn recorder_close(
    _: DepsMut<ChainQuery>,
    _: Env,
    _: IbcChannelCloseMsg,
) -> StdResult<IbcBasicResponse<ChainMsg>> {
    Ok(IbcBasicResponse::new())
}
fn recorder_receive(
    deps: DepsMut<ChainQuery>,
    _: Env,
    msg: IbcPacketReceiveMsg,
) -> StdResult<IbcReceiveResponse<ChainMsg>> {
    let before: Vec<String> = deps
        .querier
        .query(&QueryRequest::Custom(ChainQuery::Recorded {}))?;
    let text = String::from_utf8_lossy(msg.packet.data.as_slice()).to_string();
    Ok(
        IbcReceiveResponse::new(format!("seen-before:{}", before.len()).into_bytes())
            .add_message(CosmosMsg::Custom(ChainMsg::Record { text })),
    )
}
fn recorder_ack(
    _: DepsMut<ChainQuery>,
    _: Env,
    _: IbcPacketAckMsg,
) -> StdResult<IbcBasicResponse<ChainMsg>> {
    Ok(IbcBasicResponse::new())
}
fn recorder_timeout(
    _: DepsMut<ChainQuery>,
    _: Env,
    _: IbcPacketTimeoutMsg,
) -> StdResult<IbcBasicResponse<ChainMsg>> {
    Ok(IbcBasicResponse::new())
}

#[test]
fn custom_messages_and_queries_reach_the_chain_module_from_ibc_entrypoints() {
    let mut coord = Coordinator::<RecordingModule>::new_custom();
    coord.add_chain(ChainConfig::new(A, "alpha")).unwrap();
    coord
        .add_chain_with_custom(ChainConfig::new(B, "beta"), RecordingModule)
        .unwrap();
    let connection = coord.setup_connection(A, B).unwrap();

    // an ordinary (Empty) contract on a custom chain
    let chain_a = coord.chain_mut(A).unwrap();
    let toy_code = chain_a.store_code(Box::new(
        toy::wrapper().into_custom::<ChainMsg, ChainQuery>(),
    ));
    let owner = chain_a.addr_make("owner");
    let sender = chain_a
        .instantiate(
            toy_code,
            &owner,
            &InstantiateMsg::new("v1", IbcOrder::Unordered, ReceiveMode::Echo),
            &[],
            "toy",
        )
        .unwrap();

    let chain_b = coord.chain_mut(B).unwrap();
    let recorder = IbcContractWrapper::<ChainMsg, ChainQuery>::new(
        recorder_execute,
        recorder_instantiate,
        recorder_query,
    )
    .with_ibc(
        recorder_open,
        recorder_connect,
        recorder_close,
        recorder_receive,
        recorder_ack,
        recorder_timeout,
    );
    let code = chain_b.store_code(Box::new(recorder));
    let owner = chain_b.addr_make("owner");
    let receiver = chain_b
        .instantiate(code, &owner, &Empty {}, &[], "recorder")
        .unwrap();

    let path = coord
        .create_channel(
            &connection,
            &contract_port(&sender),
            &contract_port(&receiver),
            IbcOrder::Unordered,
            "v1",
        )
        .unwrap();
    let timeout = crate::in_an_hour(&coord, B);
    crate::send(&mut coord, A, &sender, &path, "hello", timeout);
    coord.relay_all().unwrap();

    let recorded: Vec<String> = coord.chain(B).unwrap().query(&receiver, &Empty {}).unwrap();
    assert_eq!(recorded, vec!["connected".to_string(), "hello".to_string()]);
    assert_eq!(
        crate::state(&coord, A, &sender).acks,
        vec![(1, "seen-before:1".to_string())]
    );
}
