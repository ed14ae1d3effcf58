//! `cw-ics`: runs a simulated shared-security network and reports what happened.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use cw_ics_sim::demo::{parse_args, run, write_report, USAGE};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse_args(&args) {
        Ok(Some(config)) => config,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            eprintln!("error: {err:#}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    eprintln!(
        "simulating provider-1 + {} consumer(s), {} validators, {} blocks of {}s …",
        config.consumers, config.validators, config.blocks, config.block_time
    );
    let interactive = std::io::stderr().is_terminal();
    let mut last_percent = 0;
    let outcome = run(&config, |done, total| {
        let percent = done * 100 / total.max(1);
        if percent >= last_percent + 10 || done == total {
            last_percent = percent;
            if interactive {
                eprint!("\r  {percent:>3}%  block {done}/{total}");
                let _ = std::io::stderr().flush();
            } else {
                eprintln!("  {percent:>3}%  block {done}/{total}");
            }
        }
    });
    if interactive {
        eprintln!();
    }
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
