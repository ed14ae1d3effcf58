//! The provider's operations at their sizes.

use cw_ics_ccv::{AckResult, Acknowledgement};
use cw_ics_provider::msg::ExecuteMsg;
use cw_ics_vm_gas::ccv::provider::{ProviderVm, POWER_REDUCTION, UNBONDING_SECONDS};
use cw_ics_vm_gas::ccv::{DriverError, DriverResult, Measured};

use crate::rows::{in_series, LowerBound, Row};
use crate::Sizes;

const CONTRACT: &str = "provider";
/// The provider's default cap on unbonding entries per (staker, validator).
const MAX_ENTRIES: usize = cw_ics_provider::msg::DEFAULT_MAX_UNBONDING_ENTRIES as usize;

fn row(
    operation: &'static str,
    size: String,
    items: Option<u64>,
    measured: Measured,
    lower_bound: LowerBound,
) -> Row {
    Row::new(CONTRACT, operation, size, items, measured, lower_bound)
}

/// A provider with `validators` validators and no consumer; setup runs without an epoch work
/// budget, measurements with the default one.
fn provider_with(wasm: &[u8], validators: usize) -> DriverResult<ProviderVm> {
    let mut provider = ProviderVm::new(wasm)?;
    provider.grow_validators(validators)?;
    Ok(provider)
}

fn grow_consumers(provider: &mut ProviderVm, count: usize) -> DriverResult<()> {
    provider.set_max_epoch_work(Some(u32::MAX))?;
    provider.grow_consumers(count)?;
    provider.set_max_epoch_work(None)
}

fn expect_result(ack: &Acknowledgement, what: &str) -> DriverResult<()> {
    match ack {
        Acknowledgement::Result(_) => Ok(()),
        Acknowledgement::Error(error) => Err(DriverError::Unexpected(format!(
            "{what} was refused: {error}"
        ))),
    }
}

pub fn run(wasm: &[u8], sizes: &Sizes, rows: &mut Vec<Row>) -> DriverResult<()> {
    let mut epoch_rows = vec![];
    let mut launch_rows = vec![];
    let mut staking_rows = vec![];
    for &validators in &sizes.validators {
        eprintln!("provider: V = {validators}");
        let mut provider = provider_with(wasm, validators)?;
        if sizes.staking_validators.contains(&validators) {
            staking_rows.extend(staking_operations(&mut provider, validators)?);
            launch_rows.push(launch_consumer(&mut provider, validators)?);
        }
        for &consumers in &sizes.consumers {
            grow_consumers(&mut provider, consumers)?;
            provider.epoch()?;
            let measured = provider.epoch()?;
            epoch_rows.push(in_series(
                row(
                    "epoch, no change",
                    format!("V={validators} C={consumers}"),
                    Some(consumers as u64),
                    measured,
                    LowerBound::cell("the epoch's own progress (next boundary)"),
                ),
                format!("V={validators}"),
            ));
        }
    }
    rows.extend(staking_rows);
    rows.extend(epoch_rows);
    rows.extend(changed_epochs(wasm, sizes)?);
    rows.extend(slash_and_maturity(wasm, sizes)?);
    rows.extend(launch_rows);
    Ok(())
}

/// Register validator, bond, unbond on a provider of V validators (no consumer).
fn staking_operations(provider: &mut ProviderVm, validators: usize) -> DriverResult<Vec<Row>> {
    let size = format!("V={validators}");
    let snapshot = provider.chain.snapshot();
    let register = provider.register_validator(validators)?;
    provider.chain.restore(&snapshot);
    provider.operators.truncate(validators);
    let staker = provider.chain.addr("staker");
    let bond = provider.bond(&staker, validators / 2, 5 * POWER_REDUCTION)?;
    let unbond = provider.unbond(&staker, validators / 2, POWER_REDUCTION)?;
    provider.chain.restore(&snapshot);
    Ok(vec![
        row(
            "register validator",
            size.clone(),
            None,
            register,
            LowerBound::writes(2, "validator record, consensus-address index"),
        ),
        row(
            "bond",
            size.clone(),
            None,
            bond,
            LowerBound::writes(2, "delegation, validator tokens"),
        ),
        row(
            "unbond",
            size,
            None,
            unbond,
            LowerBound::writes(3, "delegation, validator tokens, unbonding entry"),
        ),
    ])
}

/// A genesis member at its smallest: a 20-byte consensus address and an 8-byte power.
const GENESIS_MEMBER_BYTES: u64 = 20 + 8;

/// Registers one consumer and measures the epoch that launches it (all V validators in its
/// genesis), with the default work budget (so the launch may take several calls).
fn launch_consumer(provider: &mut ProviderVm, validators: usize) -> DriverResult<Row> {
    // The stake ledger's own first epoch (ranking the registered validators) is not the
    // launch's cost: it runs first, without a budget.
    let snapshot = provider.chain.snapshot();
    provider.set_max_epoch_work(Some(u32::MAX))?;
    provider.epoch()?;
    provider.set_max_epoch_work(None)?;
    let (_, register) = provider.register_consumer(0)?;
    let launch = provider.epoch()?;
    provider.chain.restore(&snapshot);
    let _ = register;
    Ok(row(
        "launch consumer (genesis of V)",
        format!("V={validators}"),
        Some(validators as u64),
        launch,
        LowerBound {
            writes: 2,
            steps: validators as u64,
            extra_written_bytes: validators as u64 * GENESIS_MEMBER_BYTES,
            why: "the active set visited; the consumer's phase and its genesis set (address \
                  and power per validator) stored",
            ..LowerBound::default()
        },
    ))
}

/// Epochs where K validators changed power, with C consumers to tell.
fn changed_epochs(wasm: &[u8], sizes: &Sizes) -> DriverResult<Vec<Row>> {
    let validators = sizes.changed_epoch_validators;
    let mut rows = vec![];
    let mut provider = provider_with(wasm, validators)?;
    for &consumers in &sizes.changed_epoch_consumers {
        eprintln!("provider: epochs with changes, V = {validators}, C = {consumers}");
        grow_consumers(&mut provider, consumers)?;
        provider.epoch()?;
        let snapshot = provider.chain.snapshot();
        let register = if consumers == sizes.changed_epoch_consumers[0] {
            Some(provider.register_consumer(consumers)?.1)
        } else {
            None
        };
        provider.chain.restore(&snapshot);
        if let Some(register) = register {
            rows.push(row(
                "register consumer",
                format!("V={validators} C={consumers}"),
                None,
                register,
                LowerBound::writes(1, "the registration"),
            ));
        }
        for &changed in &sizes.changes {
            let staker = provider.chain.addr("staker");
            for validator in 0..changed.min(validators) {
                provider.bond(&staker, validator, POWER_REDUCTION)?;
            }
            let measured = provider.epoch()?;
            provider.chain.restore(&snapshot);
            let k = changed as u64;
            let c = consumers as u64;
            rows.push(in_series(
                row(
                    "epoch, K powers changed",
                    format!("K={changed} V={validators} C={consumers}"),
                    Some(k),
                    measured,
                    LowerBound {
                        cell_writes: 1,
                        writes: k + c,
                        steps: k,
                        why: "epoch progress; the K changed validators visited and their sent \
                              powers recorded (every consumer is sent the same set); per \
                              consumer the VSC it was sent",
                        ..LowerBound::default()
                    },
                ),
                format!("C={consumers}"),
            ));
        }
    }
    Ok(rows)
}

/// Downtime slash, VSC-matured releasing K unbonding entries, withdraw.
fn slash_and_maturity(wasm: &[u8], sizes: &Sizes) -> DriverResult<Vec<Row>> {
    let validators = sizes.changed_epoch_validators;
    let mut rows = vec![];
    let mut provider = provider_with(wasm, validators)?;
    grow_consumers(&mut provider, 1)?;
    provider.epoch()?;
    let snapshot = provider.chain.snapshot();

    let vsc_id = provider.last_sent_vsc_id(0);
    let power = 10 + 3;
    let (ack, slash) = provider.receive(0, &ProviderVm::downtime_slash(3, power, vsc_id))?;
    expect_result(&ack, "the downtime slash")?;
    rows.push(row(
        "receive slash (downtime)",
        format!("V={validators} C=1"),
        None,
        slash,
        LowerBound::writes(2, "validator jailed, slash ack pending for the consumer"),
    ));
    provider.chain.restore(&snapshot);
    rows.extend(throttled_and_ignored_slashes(&mut provider, validators)?);
    provider.chain.restore(&snapshot);

    for &entries in &sizes.matured_entries {
        eprintln!("provider: VSC-matured releasing {entries} entries");
        // At most 7 entries per (staker, validator), as in the SDK: a staker per 7 entries.
        let stakers: Vec<_> = (0..entries.div_ceil(MAX_ENTRIES))
            .map(|n| provider.chain.addr(&format!("unbonder{n}")))
            .collect();
        for staker in &stakers {
            provider.bond(staker, 0, (MAX_ENTRIES as u128 + 1) * POWER_REDUCTION)?;
        }
        provider.epoch()?;
        for n in 0..entries {
            provider.unbond(&stakers[n / MAX_ENTRIES], 0, POWER_REDUCTION)?;
        }
        let staker = stakers[0].clone();
        provider.epoch()?;
        let k = entries as u64;
        // A slash of the validator the K entries left: its receive does not grow with K, the
        // next call (between epochs) cuts them as an entry-slash job.
        let before_slash = provider.chain.snapshot();
        let vsc_id = provider.last_sent_vsc_id(0);
        let (ack, slash) = provider.receive(0, &ProviderVm::downtime_slash(0, 10, vsc_id))?;
        expect_result(&ack, "the downtime slash")?;
        rows.push(row(
            "receive slash (downtime), K unbonding entries",
            format!("K={entries} V={validators} C=1"),
            Some(k),
            slash,
            LowerBound::writes(
                2,
                "validator jailed, slash ack pending for the consumer (the entries are cut \
                 later, by the job)",
            ),
        ));
        let anyone = provider.chain.addr("anyone");
        let chunk = provider.execute(&anyone, &ExecuteMsg::Tick {}, &[])?;
        rows.push(row(
            "entry-slash job chunk cutting K entries",
            format!("K={entries} V={validators}"),
            Some(k),
            Measured::one(chunk.report),
            LowerBound {
                writes: k,
                steps: k,
                why: "each entry visited and its balance rewritten",
                ..LowerBound::default()
            },
        ));
        provider.chain.restore(&before_slash);
        provider
            .chain
            .advance(UNBONDING_SECONDS / 6 + 1, UNBONDING_SECONDS + 1);
        let (ack, matured) = provider.receive(0, &ProviderVm::vsc_matured(vsc_id))?;
        expect_result(&ack, "the VSC-matured packet")?;
        rows.push(row(
            "receive VSC-matured releasing K entries",
            format!("K={entries} V={validators} C=1"),
            Some(k),
            matured,
            LowerBound::writes(
                1,
                "the consumer's matured vscId (entries are released lazily, when withdrawn, so \
                 a design need not touch them here)",
            ),
        ));
        if entries == 1 {
            let withdraw = provider.withdraw(&staker)?;
            rows.push(row(
                "withdraw (1 released entry)",
                format!("V={validators}"),
                None,
                Measured::one(withdraw.report),
                LowerBound {
                    deletes: 1,
                    why: "the paid entry removed",
                    ..LowerBound::default()
                },
            ));
        }
        provider.chain.restore(&snapshot);
    }
    Ok(rows)
}

fn expect_ack(ack: &Acknowledgement, expected: AckResult, what: &str) -> DriverResult<()> {
    if *ack == Acknowledgement::Result(expected) {
        Ok(())
    } else {
        Err(DriverError::Unexpected(format!(
            "{what}: expected {expected:?}, got {ack:?}"
        )))
    }
}

/// A downtime slash for a validator outside the consumer's set (acknowledged, not applied),
/// one bounced by the slash meter, and a quiet epoch whose only work is replenishing the meter.
/// Leaves the provider changed: the caller restores it.
fn throttled_and_ignored_slashes(
    provider: &mut ProviderVm,
    validators: usize,
) -> DriverResult<Vec<Row>> {
    let mut rows = vec![];
    let size = format!("V={validators} C=1");
    let vsc_id = provider.last_sent_vsc_id(0);

    // A validator registered and bonded since the last epoch never served on the consumer.
    let snapshot = provider.chain.snapshot();
    provider.register_validator(validators)?;
    let newcomer = provider.operators[validators].clone();
    provider.bond(&newcomer, validators, 20 * POWER_REDUCTION)?;
    let (ack, outside) =
        provider.receive(0, &ProviderVm::downtime_slash(validators, 20, vsc_id))?;
    expect_ack(&ack, AckResult::SlashHandled, "a slash outside the set")?;
    rows.push(row(
        "receive slash (validator outside the set)",
        size.clone(),
        None,
        outside,
        LowerBound::writes(1, "slash ack pending for the consumer"),
    ));
    provider.chain.restore(&snapshot);
    provider.operators.truncate(validators);

    // Jail the strongest validators until the meter is negative, then measure a bounce.
    for validator in (0..validators).rev() {
        let power = 10 + validator as u64;
        let slash = ProviderVm::downtime_slash(validator, power, vsc_id);
        let (ack, _) = provider.receive(0, &slash)?;
        if ack == Acknowledgement::Result(AckResult::SlashBounced) {
            break;
        }
        expect_ack(
            &ack,
            AckResult::SlashHandled,
            "a slash before the meter ran out",
        )?;
    }
    let (ack, bounced) = provider.receive(0, &ProviderVm::downtime_slash(3, 13, vsc_id))?;
    expect_ack(
        &ack,
        AckResult::SlashBounced,
        "a slash with the meter negative",
    )?;
    rows.push(row(
        "receive slash (bounced by the meter)",
        size.clone(),
        None,
        bounced,
        LowerBound {
            reads: 2,
            why: "the consumer and the slash meter read; nothing written",
            ..LowerBound::default()
        },
    ));

    // The jailings reach the set at the next epoch; the one after is quiet. An hour later a
    // quiet epoch replenishes the meter.
    provider.epoch()?;
    provider.epoch()?;
    provider.chain.advance(600, 3_600);
    let replenishing = provider.epoch()?;
    rows.push(row(
        "epoch, no change, slash meter replenishing",
        size,
        None,
        replenishing,
        LowerBound {
            cell_writes: 2,
            why: "the epoch's own progress and the replenished meter",
            ..LowerBound::default()
        },
    ));
    Ok(rows)
}
