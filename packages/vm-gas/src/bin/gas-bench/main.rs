//! `cargo xtask bench`: every protocol operation of cw-ics, run from the optimised artifacts on
//! the VM with wasmd's gas accounting, at several sizes. Writes `BENCHMARKS.md` and
//! `target/bench/gas.json`.
//!
//! Usage: gas-bench [--quick] [--markdown FILE] [--json FILE]

mod consumer;
mod output;
mod provider;
mod rows;

use std::path::PathBuf;
use std::process::ExitCode;

use cw_ics_vm_gas::artifacts::{
    load_artifact, workspace_root, CONSUMER_ARTIFACT, PROVIDER_ARTIFACT,
};

/// The sizes each operation runs at.
pub struct Sizes {
    /// V of the no-change epochs (every V also gets the staking rows if listed below).
    pub validators: Vec<usize>,
    pub consumers: Vec<usize>,
    /// V at which register validator / bond / unbond / launch consumer are measured.
    pub staking_validators: Vec<usize>,
    pub changed_epoch_validators: usize,
    pub changed_epoch_consumers: Vec<usize>,
    pub changes: Vec<usize>,
    pub matured_entries: Vec<usize>,
    pub vsc_validators: u32,
    pub vsc_updates: Vec<u32>,
    /// Smaller sets receiving a VSC of 10 updates, to show (or not) growth with V.
    pub vsc_growth_validators: Vec<u32>,
    pub liveness_validators: Vec<u32>,
    pub slash_validators: u32,
}

impl Sizes {
    /// The sizes.
    fn full() -> Self {
        Sizes {
            validators: vec![10, 100, 500],
            consumers: vec![1, 10, 50],
            staking_validators: vec![100, 500],
            changed_epoch_validators: 100,
            changed_epoch_consumers: vec![1, 10],
            changes: vec![1, 10, 100],
            matured_entries: vec![1, 10, 100],
            vsc_validators: 500,
            vsc_updates: vec![0, 1, 10, 100, 500],
            vsc_growth_validators: vec![10, 100],
            liveness_validators: vec![10, 100, 200],
            slash_validators: 10,
        }
    }

    /// A smoke run of every operation at small sizes.
    fn quick() -> Self {
        Sizes {
            validators: vec![5, 20],
            consumers: vec![1, 3],
            staking_validators: vec![20],
            changed_epoch_validators: 10,
            changed_epoch_consumers: vec![1, 2],
            changes: vec![1, 5],
            matured_entries: vec![1, 3],
            vsc_validators: 20,
            vsc_updates: vec![0, 1, 10],
            vsc_growth_validators: vec![10],
            liveness_validators: vec![5, 20],
            slash_validators: 5,
        }
    }
}

struct Args {
    quick: bool,
    markdown: PathBuf,
    json: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let root = workspace_root();
    let mut args = Args {
        quick: false,
        markdown: root.join("BENCHMARKS.md"),
        json: root.join("target").join("bench").join("gas.json"),
    };
    let mut iter = std::env::args().skip(1);
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--quick" => args.quick = true,
            "--markdown" => {
                args.markdown = iter.next().ok_or("--markdown needs a file")?.into();
            }
            "--json" => args.json = iter.next().ok_or("--json needs a file")?.into(),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(args)
}

fn run(args: &Args) -> Result<(), String> {
    let provider_wasm = load_artifact(PROVIDER_ARTIFACT).map_err(|e| e.to_string())?;
    let consumer_wasm = load_artifact(CONSUMER_ARTIFACT).map_err(|e| e.to_string())?;
    let sizes = if args.quick {
        Sizes::quick()
    } else {
        Sizes::full()
    };
    let started = std::time::Instant::now();
    let mut rows = vec![];
    provider::run(&provider_wasm, &sizes, &mut rows).map_err(|e| format!("provider: {e}"))?;
    consumer::run(&consumer_wasm, &sizes, &mut rows).map_err(|e| format!("consumer: {e}"))?;
    let artifacts = vec![
        (PROVIDER_ARTIFACT, provider_wasm.len()),
        (CONSUMER_ARTIFACT, consumer_wasm.len()),
    ];
    let report = output::Report {
        rows: &rows,
        artifacts: &artifacts,
    };
    output::write(&args.markdown, &report.markdown()).map_err(|e| e.to_string())?;
    output::write(&args.json, &report.json()).map_err(|e| e.to_string())?;
    eprintln!(
        "wrote {} and {} ({} rows in {:.0?})",
        args.markdown.display(),
        args.json.display(),
        rows.len(),
        started.elapsed()
    );
    Ok(())
}

fn main() -> ExitCode {
    let result = parse_args().and_then(|args| run(&args));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
