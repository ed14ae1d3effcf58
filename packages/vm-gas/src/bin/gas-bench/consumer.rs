//! The consumer's operations at their sizes.

use cw_ics_ccv::Acknowledgement;
use cw_ics_vm_gas::ccv::consumer::{genesis, params, ConsumerVm};
use cw_ics_vm_gas::ccv::{DriverError, DriverResult, Measured};

use crate::rows::{in_series, LowerBound, Row};
use crate::Sizes;

const CONTRACT: &str = "consumer";

fn row(
    operation: &'static str,
    size: String,
    items: Option<u64>,
    measured: Measured,
    lower_bound: LowerBound,
) -> Row {
    Row::new(CONTRACT, operation, size, items, measured, lower_bound)
}

fn expect_result(ack: &Acknowledgement) -> DriverResult<()> {
    match ack {
        Acknowledgement::Result(_) => Ok(()),
        Acknowledgement::Error(error) => Err(DriverError::Unexpected(format!(
            "the VSC was refused: {error}"
        ))),
    }
}

pub fn run(wasm: &[u8], sizes: &Sizes, rows: &mut Vec<Row>) -> DriverResult<()> {
    let validators = sizes.vsc_validators;
    eprintln!("consumer: VSCs on a set of {validators}");
    let mut consumer = ConsumerVm::new(wasm, genesis(validators, params()))?;
    consumer.promote()?;
    let snapshot = consumer.chain.snapshot();
    let mut vsc_rows = vec![];
    let mut update_rows = vec![];
    for &changes in &sizes.vsc_updates {
        let updates = consumer.power_changes(changes);
        let (ack, received) = consumer.receive_vsc(updates)?;
        expect_result(&ack)?;
        let k = changes as u64;
        vsc_rows.push(in_series(
            row(
                "receive VSC with K updates",
                format!("K={changes} V={validators}"),
                Some(k),
                received,
                vsc_lower_bound(k),
            ),
            format!("V={validators}"),
        ));
        if changes > 0 {
            let handed = consumer.end_with_validator_update()?;
            update_rows.push(row(
                "end_with_validator_update (K changes)",
                format!("K={changes} V={validators}"),
                Some(k),
                Measured::one(handed.report),
                LowerBound {
                    cell_writes: 1,
                    reads: 1,
                    extra_read_bytes: k * HANDED_OVER_UPDATE_BYTES,
                    why: "the K pending updates read back (key and power each), the hand-over \
                          recorded",
                    ..LowerBound::default()
                },
            ));
        }
        consumer.chain.restore(&snapshot);
    }
    for &small in &sizes.vsc_growth_validators {
        eprintln!("consumer: one VSC of 10 updates on a set of {small}");
        let mut consumer = ConsumerVm::new(wasm, genesis(small, params()))?;
        // Same mode as the V=500 series (validator-set updater), so the rows compare.
        consumer.promote()?;
        let updates = consumer.power_changes(10.min(small));
        let (ack, received) = consumer.receive_vsc(updates)?;
        expect_result(&ack)?;
        vsc_rows.push(in_series(
            row(
                "receive VSC with K updates",
                format!("K=10 V={small}"),
                Some(10),
                received,
                vsc_lower_bound(10),
            ),
            format!("V={small}"),
        ));
    }
    rows.extend(vsc_rows);
    rows.extend(update_rows);

    for &validators in &sizes.liveness_validators {
        eprintln!("consumer: liveness with {validators} validators");
        let mut consumer = ConsumerVm::new(wasm, genesis(validators, params()))?;
        consumer.begin_block()?;
        let block = consumer.begin_block()?;
        let v = validators as u64;
        rows.push(row(
            "begin_block liveness step",
            format!("V={validators}"),
            Some(v),
            Measured::one(block.report),
            LowerBound {
                cell_writes: 1,
                steps: v,
                why: "every vote's validator visited (inherently per validator; at least an \
                      iterator step each), the block counted",
                ..LowerBound::default()
            },
        ));
    }

    rows.push(send_slash(wasm, sizes.slash_validators)?);
    rewards(wasm, rows)?;
    Ok(())
}

/// Reward denoms of the transmission rows (the provider allow-lists at most 3).
const REWARD_DENOMS: [usize; 2] = [1, 3];
const BLOCKS_PER_TRANSMISSION: u64 = 10;

/// The block whose `end_block` transmits K reward denoms (a bank send and an ICS-20 transfer
/// each), and the source callback of an acknowledged transfer.
fn rewards(wasm: &[u8], rows: &mut Vec<Row>) -> DriverResult<()> {
    for k in REWARD_DENOMS {
        eprintln!("consumer: reward transmission of {k} denoms");
        let mut consumer = ConsumerVm::new(wasm, genesis(10, params()))?;
        let denoms: Vec<String> = (0..k).map(|i| format!("ureward{i}")).collect();
        let names: Vec<&str> = denoms.iter().map(String::as_str).collect();
        consumer.configure_rewards(&names, BLOCKS_PER_TRANSMISSION)?;
        consumer.set_pool(
            denoms
                .iter()
                .map(|denom| cosmwasm_std::Coin::new(1_000_000u128, denom))
                .collect(),
        );
        let mut transmitted = None;
        for _ in 0..BLOCKS_PER_TRANSMISSION {
            let block = consumer.end_block()?;
            let transfers = transfers(&block.response.messages);
            if !transfers.is_empty() {
                transmitted = Some((block, transfers));
                break;
            }
        }
        let Some((block, transfers)) = transmitted else {
            return Err(DriverError::Unexpected(format!(
                "no transmission within {BLOCKS_PER_TRANSMISSION} blocks"
            )));
        };
        if transfers.len() != k {
            return Err(DriverError::Unexpected(format!(
                "{} transfers for {k} denoms",
                transfers.len()
            )));
        }
        let k = k as u64;
        rows.push(row(
            "consumer transmission (K reward denoms)",
            format!("K={k}"),
            Some(k),
            Measured::one(block.report),
            LowerBound {
                reads: 2,
                cell_writes: 1,
                writes: k,
                why: "the schedule and the configuration read, the next height written, each \
                      denom's transmission recorded (its outcome is answerable)",
                ..LowerBound::default()
            },
        ));
        if k == 1 {
            let ack = consumer.transfer_acknowledged(&transfers[0], 1)?;
            rows.push(row(
                "reward transfer acknowledged (source callback)",
                "K=1".to_string(),
                None,
                Measured::one(ack.report),
                LowerBound {
                    reads: 1,
                    writes: 1,
                    why: "the denom's transmission read and its outcome written",
                    ..LowerBound::default()
                },
            ));
        }
    }
    Ok(())
}

fn transfers(
    messages: &[cosmwasm_std::SubMsg<cw_ics_bindings::ChainMsg>],
) -> Vec<cosmwasm_std::IbcMsg> {
    messages
        .iter()
        .filter_map(|sub| match &sub.msg {
            cosmwasm_std::CosmosMsg::Ibc(transfer @ cosmwasm_std::IbcMsg::Transfer { .. }) => {
                Some(transfer.clone())
            }
            _ => None,
        })
        .collect()
}

/// What the chain needs per validator update handed over: a 32-byte ed25519 key and a power.
const HANDED_OVER_UPDATE_BYTES: u64 = 32 + 8;

fn vsc_lower_bound(k: u64) -> LowerBound {
    LowerBound::writes(k + 2, "K set records, height→vscId, the maturity entry")
}

/// The block in which a validator falls under `min_signed_per_window`: the consumer queues a
/// downtime slash packet (and sends it when its channel allows).
fn send_slash(wasm: &[u8], validators: u32) -> DriverResult<Row> {
    eprintln!("consumer: downtime slash with {validators} validators");
    let mut short_window = params();
    short_window.signed_blocks_window = 10;
    let mut consumer = ConsumerVm::new(wasm, genesis(validators, short_window))?;
    consumer.set_voted(0, false);
    for _ in 0..40 {
        let block = consumer.begin_block()?;
        if block
            .response
            .attributes
            .iter()
            .any(|a| a.key == "downtime")
        {
            let v = validators as u64;
            return Ok(row(
                "begin_block that sends a downtime slash",
                format!("V={validators}"),
                None,
                Measured::one(block.report),
                LowerBound {
                    cell_writes: 1,
                    writes: 2,
                    steps: v,
                    why: "liveness step's visits and block count, the queued packet, the \
                          outstanding flag",
                    ..LowerBound::default()
                },
            ));
        }
    }
    Err(DriverError::Unexpected(
        "no downtime slash after 40 missed blocks".to_string(),
    ))
}
