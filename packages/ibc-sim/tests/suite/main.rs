//! The toy-contract suite: every behaviour of the simulator, checked through small IBC
//! contracts running on two (or three) in-memory chains.

mod authorization;
mod clients;
mod close;
mod custom;
mod events;
mod handshake;
mod packets;
mod relayer;
mod timeouts;
mod toy;
mod transfer;
mod users;

use cosmwasm_std::{Addr, IbcOrder, IbcTimeout};
use cw_ics_ibc_sim::{contract_port, ChainConfig, Connection, Coordinator, Path, SimCustom};
use toy::{InstantiateMsg, ReceiveMode, State};

pub const A: &str = "chain-a";
pub const B: &str = "chain-b";

/// Two chains joined by a connection.
pub fn network() -> (Coordinator, Connection) {
    let mut coord = Coordinator::new();
    coord.add_chain(ChainConfig::new(A, "alpha")).unwrap();
    coord.add_chain(ChainConfig::new(B, "beta")).unwrap();
    let connection = coord.setup_connection(A, B).unwrap();
    (coord, connection)
}

/// Stores and instantiates the toy contract on `chain`.
pub fn deploy(coord: &mut Coordinator, chain: &str, msg: &InstantiateMsg) -> Addr {
    let chain = coord.chain_mut(chain).unwrap();
    let code_id = chain.store_code(Box::new(toy::wrapper()));
    let owner = chain.addr_make("owner");
    chain.instantiate(code_id, &owner, msg, &[], "toy").unwrap()
}

/// Toy contracts on both chains with an open channel between them.
pub fn toy_channel(
    order: IbcOrder,
    mode_a: ReceiveMode,
    mode_b: ReceiveMode,
) -> (Coordinator, Addr, Addr, Path) {
    let (mut coord, connection) = network();
    let a = deploy(
        &mut coord,
        A,
        &InstantiateMsg::new("toy-1", order.clone(), mode_a),
    );
    let b = deploy(
        &mut coord,
        B,
        &InstantiateMsg::new("toy-1", order.clone(), mode_b),
    );
    let path = coord
        .create_channel(
            &connection,
            &contract_port(&a),
            &contract_port(&b),
            order,
            "toy-1",
        )
        .unwrap();
    (coord, a, b, path)
}

pub fn state<T: SimCustom>(coord: &Coordinator<T>, chain: &str, contract: &Addr) -> State {
    coord
        .chain(chain)
        .unwrap()
        .query(contract, &toy::QueryMsg::State {})
        .unwrap()
}

/// A timeout an hour after `chain`'s current time.
pub fn in_an_hour<T: SimCustom>(coord: &Coordinator<T>, chain: &str) -> IbcTimeout {
    IbcTimeout::with_timestamp(coord.chain(chain).unwrap().time().plus_seconds(3600))
}

/// Makes the toy contract on `chain` send `data` over its end of `path`.
pub fn send<T: SimCustom>(
    coord: &mut Coordinator<T>,
    chain: &str,
    contract: &Addr,
    path: &Path,
    data: &str,
    timeout: IbcTimeout,
) {
    let channel_id = path.endpoint(chain).unwrap().channel_id.clone();
    let chain = coord.chain_mut(chain).unwrap();
    let user = chain.addr_make("user");
    chain
        .execute(
            &user,
            contract,
            &toy::ExecuteMsg::Send {
                channel_id,
                data: data.to_string(),
                timeout,
            },
            &[],
        )
        .unwrap();
}
