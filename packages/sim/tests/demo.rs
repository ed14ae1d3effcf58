//! The command-line demo's flags (through clap, as the binary reads them) and a short run that
//! writes its report.

use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::Parser;
use cw_ics_sim::demo::{run, write_report, Cli, DemoConfig, PlannedFault};

/// The scenario a command line describes, as the binary reads it.
fn parse(line: &str) -> Result<DemoConfig, clap::Error> {
    let args = std::iter::once("cw-ics").chain(line.split_whitespace());
    Cli::try_parse_from(args)?.into_config()
}

fn offline(validator: usize, chain_id: &str, at: u64, blocks: u64) -> PlannedFault {
    PlannedFault::Offline {
        validator,
        chain_id: chain_id.into(),
        at,
        blocks,
    }
}

fn double_sign(validator: usize, chain_id: &str, at: u64) -> PlannedFault {
    PlannedFault::DoubleSign {
        validator,
        chain_id: chain_id.into(),
        at,
    }
}

#[test]
fn no_flags_is_the_default_scenario() {
    assert_eq!(
        parse("").unwrap(),
        DemoConfig {
            validators: 6,
            consumers: 2,
            blocks: 1440,
            block_time: 60,
            faults: vec![offline(5, "consumer-1", 200, 150)],
            relayer_down: None,
            waves: true,
            check_invariants: true,
            report: PathBuf::from("target/cw-ics-report.html"),
            timeline_lines: 200,
        }
    );
}

#[test]
fn every_flag_shapes_the_scenario() {
    let config = parse(
        "--validators 4 --consumers 3 --blocks 90 --block-time 5 --offline 1:consumer-3:10:20 \
         --double-sign 2:consumer-1:5 --offline 0:provider-1:30:40 --relayer-down 30:10 \
         --no-waves --no-invariants --report out/r.html --timeline 0",
    )
    .unwrap();
    assert_eq!(
        config,
        DemoConfig {
            validators: 4,
            consumers: 3,
            blocks: 90,
            block_time: 5,
            // Offline spans, then double signs: the run schedules each independently.
            faults: vec![
                offline(1, "consumer-3", 10, 20),
                offline(0, "provider-1", 30, 40),
                double_sign(2, "consumer-1", 5),
            ],
            relayer_down: Some((30, 10)),
            waves: false,
            check_invariants: false,
            report: PathBuf::from("out/r.html"),
            timeline_lines: 0,
        }
    );
}

#[test]
fn any_planned_fault_or_no_faults_replaces_the_default_plan() {
    assert_eq!(parse("--no-faults").unwrap().faults, vec![]);
    assert_eq!(
        parse("--double-sign 3:consumer-2:7").unwrap().faults,
        vec![double_sign(3, "consumer-2", 7)]
    );
    assert_eq!(
        parse("--offline 4:consumer-2:1:2").unwrap().faults,
        vec![offline(4, "consumer-2", 1, 2)]
    );
}

#[test]
fn bad_flags_are_refused_with_a_reason() {
    for (line, reason) in [
        ("--bogus", "unexpected argument '--bogus'"),
        ("extra", "unexpected argument 'extra'"),
        ("--blocks", "a value is required for '--blocks <N>'"),
        ("--blocks ten", "`ten` is not a whole number"),
        ("--timeline -1", "`-1` is not a whole number"),
        ("--validators 0", "'--validators <N>': must be at least 1"),
        (
            "--block-time 0",
            "'--block-time <SECONDS>': must be at least 1",
        ),
        (
            "--offline 9:consumer-1:1:1",
            "validator 9, but there are only 6",
        ),
        (
            "--double-sign 1:consumer-7:1",
            "`consumer-7`, which this network does not have",
        ),
        ("--offline 1:consumer-1", "expected V:CHAIN:AT:N"),
        ("--offline 1:consumer-1:x:1", "`x` is not a whole number"),
        ("--double-sign 1:consumer-1", "expected V:CHAIN:AT"),
        ("--relayer-down 30", "expected AT:N"),
        ("--relayer-down 30:y", "`y` is not a whole number"),
        (
            "--no-faults --offline 1:consumer-1:1:1",
            "cannot be used with",
        ),
    ] {
        let err = parse(line).unwrap_err();
        assert_eq!(err.exit_code(), 2, "`{line}` is a usage error");
        let text = err.to_string();
        assert!(text.contains(reason), "`{line}` gave `{text}`");
    }
}

#[test]
fn help_is_not_a_run_and_describes_every_flag() {
    for line in ["--help", "-h"] {
        let help = parse(line).unwrap_err();
        assert_eq!(help.kind(), ErrorKind::DisplayHelp);
        assert_eq!(help.exit_code(), 0);
        // Compared with its line breaks undone: clap wraps to the terminal's width.
        let text = help
            .to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        for flag in [
            "--validators <N>",
            "--consumers <N>",
            "--blocks <N>",
            "--block-time <SECONDS>",
            "--offline <V:CHAIN:AT:N>",
            "--double-sign <V:CHAIN:AT>",
            "--relayer-down <AT:N>",
            "--no-faults",
            "--no-waves",
            "--no-invariants",
            "--report <PATH>",
            "--timeline <N>",
            "[default: 5:consumer-1:200:150]",
            "[default: target/cw-ics-report.html]",
        ] {
            assert!(
                text.contains(flag),
                "`{line}` does not mention `{flag}`:\n{text}"
            );
        }
    }
    let long = parse("--help").unwrap_err().to_string();
    assert!(long.contains("default scenario") && long.contains("provider-1 or consumer-K"));
}

#[test]
fn a_short_run_jails_the_offline_validator_and_writes_the_report() {
    let config = parse("--blocks 300 --offline 5:consumer-1:60:120").unwrap();
    let outcome = run(&config, |_, _| {}).unwrap();
    let slashes = outcome
        .timeline
        .iter()
        .filter(|e| e.text.contains("downtime slash packet for val-5"))
        .count();
    assert_eq!(slashes, 1);
    assert!(outcome
        .summary
        .iter()
        .any(|l| l.contains("invariants checked")));
    let path = std::env::temp_dir().join(format!("cw-ics-report-{}.html", std::process::id()));
    write_report(&outcome, &path).unwrap();
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.contains("<svg") && html.contains("consumer-2") && html.contains("val-5"));
    std::fs::remove_file(path).unwrap();
}
