//! `cargo xtask test`: everything CI checks, in order, from a fresh clone. Stops at the first
//! failing step.

use std::io::{BufRead, BufReader};
use std::ops::AddAssign;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::command;
use crate::schema;
use crate::tools;
use crate::wasm;
use crate::workspace::Workspace;

#[derive(Clone, Copy)]
enum Step {
    SetUp,
    Format,
    Clippy,
    SchemaCheck,
    Wasm,
    CargoTest,
}

const STEPS: &[Step] = &[
    Step::SetUp,
    Step::Format,
    Step::Clippy,
    Step::SchemaCheck,
    Step::Wasm,
    Step::CargoTest,
];

impl Step {
    fn title(self) -> &'static str {
        match self {
            Step::SetUp => "set-up: rustfmt, clippy, wasm32 target, binaryen",
            Step::Format => "cargo fmt --all --check",
            Step::Clippy => "cargo clippy --workspace --all-targets --locked -- -D warnings",
            Step::SchemaCheck => "cargo xtask schema --check",
            Step::Wasm => "cargo xtask wasm",
            Step::CargoTest => "cargo test --workspace --locked",
        }
    }

    /// Runs the step; `Ok` carries a one-line result for the summary.
    fn run(self, workspace: &Workspace) -> Result<Option<String>> {
        match self {
            Step::SetUp => {
                tools::ensure_rust_components()?;
                tools::ensure_wasm_target()?;
                let wasm_opt = tools::ensure_wasm_opt(&workspace.tools_dir())?;
                Ok(Some(format!("wasm-opt: {}", wasm_opt.display())))
            }
            Step::Format => {
                command::run(workspace.cargo().args(["fmt", "--all", "--check"]))?;
                Ok(None)
            }
            Step::Clippy => {
                command::run(workspace.cargo().args([
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--locked",
                    "--",
                    "-D",
                    "warnings",
                ]))?;
                Ok(None)
            }
            Step::SchemaCheck => {
                schema::check(workspace)?;
                Ok(None)
            }
            Step::Wasm => {
                let sizes: Vec<String> = wasm::run(workspace)?
                    .iter()
                    .map(|artifact| {
                        format!(
                            "{} {:.1} KiB",
                            artifact.name,
                            artifact.bytes as f64 / 1024.0
                        )
                    })
                    .collect();
                Ok(Some(sizes.join(", ")))
            }
            Step::CargoTest => Ok(Some(format!("tests: {}", cargo_test(workspace)?))),
        }
    }
}

enum Outcome {
    Passed(Duration, Option<String>),
    Failed(Duration),
    NotRun,
}

pub fn run(workspace: &Workspace) -> Result<()> {
    let started = Instant::now();
    let mut outcomes = Vec::new();
    let mut failure = None;
    for (index, step) in STEPS.iter().enumerate() {
        if failure.is_some() {
            outcomes.push(Outcome::NotRun);
            continue;
        }
        println!("\n==> [{}/{}] {}\n", index + 1, STEPS.len(), step.title());
        let step_started = Instant::now();
        match step.run(workspace) {
            Ok(note) => outcomes.push(Outcome::Passed(step_started.elapsed(), note)),
            Err(error) => {
                outcomes.push(Outcome::Failed(step_started.elapsed()));
                failure = Some(error.context(format!("step `{}` failed", step.title())));
            }
        }
    }

    println!("\n==> summary ({:.0?} in all)\n", started.elapsed());
    for (step, outcome) in STEPS.iter().zip(&outcomes) {
        let line = match outcome {
            Outcome::Passed(took, note) => {
                let note = note
                    .as_ref()
                    .map(|n| format!("  ({n})"))
                    .unwrap_or_default();
                format!(
                    "ok       {:>6.1}s  {}{note}",
                    took.as_secs_f64(),
                    step.title()
                )
            }
            Outcome::Failed(took) => {
                format!("FAILED   {:>6.1}s  {}", took.as_secs_f64(), step.title())
            }
            Outcome::NotRun => format!("not run           {}", step.title()),
        };
        println!("  {line}");
    }
    match failure {
        Some(error) => Err(error),
        None => {
            // The test totals close the run, as the plain `tests: N passed, N failed` line
            // that log readers look for.
            let test_totals =
                STEPS
                    .iter()
                    .zip(&outcomes)
                    .find_map(|step_outcome| match step_outcome {
                        (Step::CargoTest, Outcome::Passed(_, Some(totals))) => Some(totals),
                        _ => None,
                    });
            if let Some(totals) = test_totals {
                println!("\n{totals}");
            }
            Ok(())
        }
    }
}

/// Totals of the `test result:` lines printed by every test binary and doc-test run.
#[derive(Debug, Default, PartialEq, Eq, Clone, Copy)]
struct TestCounts {
    passed: u64,
    failed: u64,
    ignored: u64,
}

impl AddAssign for TestCounts {
    fn add_assign(&mut self, other: Self) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.ignored += other.ignored;
    }
}

impl std::fmt::Display for TestCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.ignored
        )
    }
}

/// Reads `test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; ...`.
fn parse_test_result(line: &str) -> Option<TestCounts> {
    let (_, counts) = line
        .trim()
        .strip_prefix("test result: ")?
        .split_once(". ")?;
    let mut result = TestCounts::default();
    for part in counts.split("; ") {
        let Some((number, what)) = part.split_once(' ') else {
            continue;
        };
        let Ok(number) = number.parse::<u64>() else {
            continue;
        };
        match what {
            "passed" => result.passed = number,
            "failed" => result.failed = number,
            "ignored" => result.ignored = number,
            _ => {}
        }
    }
    Some(result)
}

/// Runs the workspace's tests, echoing their output while totalling the results. Cargo's
/// stderr goes through the same pipe so each "Running <binary>" line stays next to that
/// binary's results.
fn cargo_test(workspace: &Workspace) -> Result<TestCounts> {
    let (output, output_writer) = std::io::pipe().context("could not create a pipe")?;
    let mut cargo = workspace.cargo();
    cargo
        .args(["test", "--workspace", "--locked"])
        .stdout(
            output_writer
                .try_clone()
                .context("could not share a pipe")?,
        )
        .stderr(output_writer);
    let description = command::describe(&cargo);
    let mut child = cargo
        .spawn()
        .with_context(|| format!("could not start `{description}`"))?;
    // The command holds the pipe's write end; only once it is gone does reading end.
    drop(cargo);
    let mut totals = TestCounts::default();
    let mut reader = BufReader::new(output);
    let mut line = Vec::new();
    while reader
        .read_until(b'\n', &mut line)
        .context("could not read the output of cargo test")?
        > 0
    {
        let text = String::from_utf8_lossy(&line);
        print!("{text}");
        if let Some(counts) = parse_test_result(&text) {
            totals += counts;
        }
        line.clear();
    }
    let status = child
        .wait()
        .with_context(|| format!("`{description}` did not finish"))?;
    if !status.success() {
        bail!("`{description}` failed ({status}): {totals}");
    }
    Ok(totals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passing_test_result_line_is_parsed() {
        let line =
            "test result: ok. 12 passed; 0 failed; 3 ignored; 0 measured; 0 filtered out; finished in 0.02s\n";
        assert_eq!(
            parse_test_result(line),
            Some(TestCounts {
                passed: 12,
                failed: 0,
                ignored: 3
            })
        );
    }

    #[test]
    fn failing_test_result_line_is_parsed() {
        let line = "test result: FAILED. 4 passed; 2 failed; 0 ignored; 0 measured; 1 filtered out; finished in 1.50s";
        assert_eq!(
            parse_test_result(line),
            Some(TestCounts {
                passed: 4,
                failed: 2,
                ignored: 0
            })
        );
    }

    #[test]
    fn other_lines_are_not_results() {
        assert_eq!(parse_test_result("test foo::bar ... ok"), None);
        assert_eq!(parse_test_result("running 3 tests"), None);
        assert_eq!(parse_test_result(""), None);
    }

    #[test]
    fn totals_add_up_and_read_as_the_plain_summary_line() {
        let mut totals = TestCounts::default();
        totals += TestCounts {
            passed: 2,
            failed: 1,
            ignored: 0,
        };
        totals += TestCounts {
            passed: 3,
            failed: 0,
            ignored: 4,
        };
        assert_eq!(totals.to_string(), "5 passed, 1 failed, 4 skipped");
    }
}
