//! `cw-ics`: runs a simulated shared-security network and reports what happened.

use std::fmt;
use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use cw_ics_sim::demo::{run, write_report, Cli};
use indicatif::{ProgressBar, ProgressState, ProgressStyle};

fn main() -> ExitCode {
    let config = Cli::parse().into_config().unwrap_or_else(|err| err.exit());
    eprintln!(
        "simulating provider-1 + {} consumer(s), {} validators, {} blocks of {}s …",
        config.consumers, config.validators, config.blocks, config.block_time
    );
    let mut progress = Progress::new(config.blocks);
    let outcome = run(&config, |done, total| progress.update(done, total));
    progress.finish(outcome.is_ok());
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::FAILURE;
        }
    };
    if config.timeline_lines > 0 {
        println!("== timeline ==");
        for entry in outcome.timeline.iter().take(config.timeline_lines) {
            println!("{entry}");
        }
        if outcome.timeline.len() > config.timeline_lines {
            println!(
                "… {} more lines in the report",
                outcome.timeline.len() - config.timeline_lines
            );
        }
    }
    println!("== summary ==");
    for line in &outcome.summary {
        println!("{line}");
    }
    match write_report(&outcome, &config.report) {
        Ok(()) => {
            println!("report: {}", config.report.display());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// How a run shows its progress on stderr: a live bar on a terminal, and on a log or a pipe a
/// line every tenth of the run, which reads well in a file.
enum Progress {
    Bar(ProgressBar),
    Lines { last_percent: u64 },
}

impl Progress {
    fn new(blocks: u64) -> Self {
        if !std::io::stderr().is_terminal() {
            return Progress::Lines { last_percent: 0 };
        }
        let bar = ProgressBar::new(blocks);
        // A template error (none is expected: it is a constant) keeps indicatif's plain bar.
        if let Ok(style) = ProgressStyle::with_template(
            "  {percent:>3}% [{wide_bar}] block {pos}/{len}  {rate}, {eta} left",
        ) {
            bar.set_style(
                style
                    .with_key("rate", |state: &ProgressState, out: &mut dyn fmt::Write| {
                        let _ = write!(out, "{:.0} blocks/s per chain", state.per_sec());
                    })
                    .progress_chars("=> "),
            );
        }
        Progress::Bar(bar)
    }

    fn update(&mut self, done: u64, total: u64) {
        match self {
            Progress::Bar(bar) => bar.set_position(done),
            Progress::Lines { last_percent } => {
                let percent = done * 100 / total.max(1);
                if percent >= *last_percent + 10 || done == total {
                    *last_percent = percent;
                    eprintln!("  {percent:>3}%  block {done}/{total}");
                }
            }
        }
    }

    /// Leaves the bar where it stopped (full after a run, at the failing block after an error)
    /// and what follows on the next line.
    fn finish(self, succeeded: bool) {
        if let Progress::Bar(bar) = self {
            if succeeded {
                bar.finish();
            } else {
                bar.abandon();
            }
            eprintln!();
        }
    }
}
