//! The command-line demo's flags and a short run that writes its report.

use cw_ics_sim::demo::{parse_args, run, write_report, DemoConfig, PlannedFault};

fn args(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_string).collect()
}

#[test]
fn no_flags_is_the_default_scenario_and_help_is_not_a_run() {
    assert_eq!(parse_args(&[]).unwrap(), Some(DemoConfig::default()));
    assert_eq!(parse_args(&args("--help")).unwrap(), None);
}

#[test]
fn flags_shape_the_scenario() {
    let config = parse_args(&args(
        "--validators 4 --consumers 3 --blocks 90 --offline 1:consumer-3:10:20 --double-sign 2:consumer-1:5 --relayer-down 30:10",
    ))
    .unwrap()
    .unwrap();
    assert_eq!(
        (config.validators, config.consumers, config.blocks),
        (4, 3, 90)
    );
    assert_eq!(
        config.faults,
        vec![
            PlannedFault::Offline {
                validator: 1,
                chain_id: "consumer-3".into(),
                at: 10,
                blocks: 20
            },
            PlannedFault::DoubleSign {
                validator: 2,
                chain_id: "consumer-1".into(),
                at: 5
            },
        ]
    );
    assert_eq!(config.relayer_down, Some((30, 10)));
}

#[test]
fn bad_flags_are_refused_with_a_reason() {
    for (line, reason) in [
        ("--bogus", "unknown flag"),
        ("--blocks", "needs a value"),
        ("--blocks ten", "not a whole number"),
        ("--validators 0", "at least 1"),
        ("--offline 9:consumer-1:1:1", "only 6"),
        ("--offline 1:consumer-7:1:1", "does not have"),
        ("--offline 1:consumer-1", "V:CHAIN:AT:N"),
    ] {
        let err = parse_args(&args(line)).unwrap_err().to_string();
        assert!(err.contains(reason), "`{line}` gave `{err}`");
    }
}

#[test]
fn a_short_run_jails_the_offline_validator_and_writes_the_report() {
    let config = parse_args(&args("--blocks 300 --offline 5:consumer-1:60:120"))
        .unwrap()
        .unwrap();
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
