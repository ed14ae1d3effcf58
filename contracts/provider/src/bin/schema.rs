use cosmwasm_schema::write_api;
use cw_ics_bindings::ChainSudoMsg;
use cw_ics_provider::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};

fn main() {
    write_api! {
        instantiate: InstantiateMsg,
        execute: ExecuteMsg,
        query: QueryMsg,
        migrate: MigrateMsg,
        sudo: ChainSudoMsg,
    }
}
