//! Packets relayed per second between two simulated chains.
//!
//! `cargo run --release -p cw-ics-ibc-sim --example relay_bench [packets] [batch]`
//!
//! An echo contract on each chain; each round the sender's contract emits `batch` packets in
//! one transaction, then `relay_all` delivers them and relays their acks. Reported: the
//! relaying rate (receive + ack, the time inside `relay_all`) and the end-to-end rate
//! (including sending).

use cosmwasm_std::{
    Binary, Deps, DepsMut, Empty, Env, IbcBasicResponse, IbcChannelCloseMsg, IbcChannelConnectMsg,
    IbcChannelOpenMsg, IbcChannelOpenResponse, IbcMsg, IbcOrder, IbcPacketAckMsg,
    IbcPacketReceiveMsg, IbcPacketTimeoutMsg, IbcReceiveResponse, IbcTimeout, MessageInfo,
    Response, StdResult,
};
use cw_ics_ibc_sim::{contract_port, ChainConfig, Coordinator, IbcContractWrapper};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

#[derive(Serialize, Deserialize)]
struct SendMany {
    channel_id: String,
    count: u32,
    timeout: IbcTimeout,
}

fn instantiate(_: DepsMut, _: Env, _: MessageInfo, _: Empty) -> StdResult<Response> {
    Ok(Response::new())
}
fn execute(_: DepsMut, _: Env, _: MessageInfo, msg: SendMany) -> StdResult<Response> {
    let messages = (0..msg.count).map(|i| IbcMsg::SendPacket {
        channel_id: msg.channel_id.clone(),
        data: Binary::from(format!("packet-{i}").into_bytes()),
        timeout: msg.timeout.clone(),
    });
    Ok(Response::new().add_messages(messages))
}
fn query(_: Deps, _: Env, _: Empty) -> StdResult<Binary> {
    Ok(Binary::default())
}
fn open(_: DepsMut, _: Env, _: IbcChannelOpenMsg) -> StdResult<IbcChannelOpenResponse> {
    Ok(None)
}
fn connect(_: DepsMut, _: Env, _: IbcChannelConnectMsg) -> StdResult<IbcBasicResponse> {
    Ok(IbcBasicResponse::new())
}
fn close(_: DepsMut, _: Env, _: IbcChannelCloseMsg) -> StdResult<IbcBasicResponse> {
    Ok(IbcBasicResponse::new())
}
fn receive(deps: DepsMut, _: Env, msg: IbcPacketReceiveMsg) -> StdResult<IbcReceiveResponse> {
    // one storage write per packet, like a real handler
    deps.storage.set(
        &msg.packet.sequence.to_be_bytes(),
        msg.packet.data.as_slice(),
    );
    Ok(IbcReceiveResponse::new(msg.packet.data))
}
fn ack(deps: DepsMut, _: Env, msg: IbcPacketAckMsg) -> StdResult<IbcBasicResponse> {
    deps.storage.set(
        &msg.original_packet.sequence.to_be_bytes(),
        msg.acknowledgement.data.as_slice(),
    );
    Ok(IbcBasicResponse::new())
}
fn timeout(_: DepsMut, _: Env, _: IbcPacketTimeoutMsg) -> StdResult<IbcBasicResponse> {
    Ok(IbcBasicResponse::new())
}

fn echo() -> Box<IbcContractWrapper> {
    Box::new(
        IbcContractWrapper::new(execute, instantiate, query)
            .with_ibc(open, connect, close, receive, ack, timeout),
    )
}

fn main() -> anyhow::Result<()> {
    let args: Vec<u32> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let total = args.first().copied().unwrap_or(5_000);
    let batch = args.get(1).copied().unwrap_or(100).max(1);

    let mut coord = Coordinator::new();
    coord.add_chain(ChainConfig::new("bench-a", "alpha"))?;
    coord.add_chain(ChainConfig::new("bench-b", "beta"))?;
    let connection = coord.setup_connection("bench-a", "bench-b")?;
    let mut contracts = vec![];
    for chain_id in ["bench-a", "bench-b"] {
        let chain = coord.chain_mut(chain_id)?;
        let code = chain.store_code(echo());
        let admin = chain.addr_make("admin");
        contracts.push(chain.instantiate(code, &admin, &Empty {}, &[], "echo")?);
    }
    let path = coord.create_channel(
        &connection,
        &contract_port(&contracts[0]),
        &contract_port(&contracts[1]),
        IbcOrder::Unordered,
        "echo-1",
    )?;

    let mut relaying = Duration::ZERO;
    let started = Instant::now();
    let mut relayed = 0usize;
    let mut sent = 0u32;
    while sent < total {
        let count = batch.min(total - sent);
        let deadline = coord.chain("bench-b")?.time().plus_seconds(3600);
        let chain = coord.chain_mut("bench-a")?;
        let user = chain.addr_make("user");
        chain.execute(
            &user,
            &contracts[0],
            &SendMany {
                channel_id: path.a.channel_id.clone(),
                count,
                timeout: IbcTimeout::with_timestamp(deadline),
            },
            &[],
        )?;
        sent += count;
        let relay_started = Instant::now();
        let summary = coord.relay_all()?;
        relaying += relay_started.elapsed();
        anyhow::ensure!(
            summary.packets_received == count as usize && summary.acks_relayed == count as usize,
            "relayed {summary:?} for a batch of {count}"
        );
        relayed += summary.packets_received;
        coord.advance_blocks(1);
        coord.event_log().clear();
    }
    let total_time = started.elapsed();
    println!("packets relayed (received + acked): {relayed} in batches of {batch}");
    println!(
        "relaying: {:.0} packets/s ({:.1} µs per packet, inside relay_all)",
        relayed as f64 / relaying.as_secs_f64(),
        relaying.as_micros() as f64 / relayed as f64
    );
    println!(
        "end to end (send + receive + ack): {:.0} packets/s over {:.2}s",
        relayed as f64 / total_time.as_secs_f64(),
        total_time.as_secs_f64()
    );
    Ok(())
}
