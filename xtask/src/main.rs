//! `cargo xtask`: the project's build, release and CI tasks, written in Rust so that a fresh
//! clone needs nothing but rustup, node and npm.

mod bench;
mod check;
mod command;
mod contracts;
mod schema;
mod test;
mod tools;
mod wasm;
mod workspace;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};

use crate::workspace::Workspace;

const USAGE: &str = "\
Usage: cargo xtask <command> [options]

Commands:
  wasm              build every contract for wasm32, lower and optimise it with wasm-opt,
                    write artifacts/<name>.wasm and artifacts/checksums.txt, and check each
                    artifact against wasmd's default capabilities and the project's limit of
                    760 KiB (95% of wasmd's 800 KiB upload limit)
  check FILE...     check Wasm files as `cargo xtask wasm` checks its artifacts (wasmd's
                    capabilities, cosmwasm-vm's static checks and compilation, 800 KiB)
  schema            regenerate the JSON schema of every contract into schema/<contract>/
  schema --check    fail, listing the files, if the committed schema/ is stale
  bench [--quick]   build the artifacts, measure every protocol operation's gas on the VM
                    with wasmd's costs, write BENCHMARKS.md and target/bench/gas.json
                    (--quick: small sizes, a smoke run)
  test              everything CI runs: tool set-up, cargo fmt --check, cargo clippy,
                    schema --check, wasm, cargo test
  help              print this text (also: -h, --help after any command)

Missing tools (the wasm32-unknown-unknown target, rustfmt, clippy, npm binaryen) are installed
on first use; binaryen goes into the git-ignored .tools/ folder of the repository.";

/// What the command line asks for, parsed before anything runs so that a typo never starts a
/// long build.
#[derive(Debug, PartialEq, Eq)]
enum Task {
    Help,
    Wasm,
    Check { files: Vec<PathBuf> },
    Schema { check: bool },
    Test,
    Bench { quick: bool },
}

fn parse_args(args: &[String]) -> Result<Task> {
    if args.iter().any(|arg| arg == "-h" || arg == "--help") {
        return Ok(Task::Help);
    }
    let Some((command, options)) = args.split_first() else {
        return Ok(Task::Help);
    };
    let task = match command.as_str() {
        "help" => Task::Help,
        "wasm" => Task::Wasm,
        "check" => {
            if options.is_empty() {
                bail!("`check` needs at least one Wasm file");
            }
            if let Some(flag) = options.iter().find(|option| option.starts_with('-')) {
                bail!("unknown option `{flag}` for `check`");
            }
            Task::Check {
                files: options.iter().map(PathBuf::from).collect(),
            }
        }
        "schema" => Task::Schema {
            check: options.iter().any(|option| option == "--check"),
        },
        "test" => Task::Test,
        "bench" => Task::Bench {
            quick: options.iter().any(|option| option == "--quick"),
        },
        other => bail!("unknown command `{other}`"),
    };
    let accepted: &[&str] = match task {
        Task::Schema { .. } => &["--check"],
        Task::Bench { .. } => &["--quick"],
        Task::Check { .. } => return Ok(task),
        _ => &[],
    };
    if let Some(unknown) = options.iter().find(|o| !accepted.contains(&o.as_str())) {
        bail!("unknown option `{unknown}` for `{command}`");
    }
    Ok(task)
}

fn run(task: Task) -> Result<()> {
    match task {
        Task::Help => {
            println!("{USAGE}");
            Ok(())
        }
        Task::Check { files } => check::check_files(&files),
        Task::Wasm => wasm::run(&Workspace::locate()?).map(|_artifacts| ()),
        Task::Schema { check: false } => schema::regenerate(&Workspace::locate()?),
        Task::Schema { check: true } => schema::check(&Workspace::locate()?),
        Task::Test => test::run(&Workspace::locate()?),
        Task::Bench { quick } => bench::run(&Workspace::locate()?, quick),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = match parse_args(&args) {
        Ok(task) => task,
        Err(error) => {
            eprintln!("error: {error}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(task) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("\nerror: {error:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Task> {
        let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
        parse_args(&args)
    }

    #[test]
    fn known_commands_are_parsed() {
        assert_eq!(parse(&["wasm"]).unwrap(), Task::Wasm);
        assert_eq!(parse(&["test"]).unwrap(), Task::Test);
        assert_eq!(parse(&["bench"]).unwrap(), Task::Bench { quick: false });
        assert_eq!(
            parse(&["bench", "--quick"]).unwrap(),
            Task::Bench { quick: true }
        );
        assert_eq!(parse(&["schema"]).unwrap(), Task::Schema { check: false });
        assert_eq!(
            parse(&["schema", "--check"]).unwrap(),
            Task::Schema { check: true }
        );
    }

    #[test]
    fn check_takes_the_files_to_check() {
        assert_eq!(
            parse(&["check", "a.wasm", "b.wasm"]).unwrap(),
            Task::Check {
                files: vec![PathBuf::from("a.wasm"), PathBuf::from("b.wasm")]
            }
        );
        let error = parse(&["check"]).unwrap_err().to_string();
        assert!(error.contains("at least one Wasm file"), "{error}");
        let error = parse(&["check", "--verbose", "a.wasm"])
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown option `--verbose`"), "{error}");
    }

    #[test]
    fn help_is_given_for_no_command_and_for_help_flags() {
        assert_eq!(parse(&[]).unwrap(), Task::Help);
        assert_eq!(parse(&["help"]).unwrap(), Task::Help);
        assert_eq!(parse(&["--help"]).unwrap(), Task::Help);
        assert_eq!(parse(&["wasm", "-h"]).unwrap(), Task::Help);
    }

    #[test]
    fn unknown_command_is_refused_by_name() {
        let error = parse(&["deploy"]).unwrap_err().to_string();
        assert!(error.contains("unknown command `deploy`"), "{error}");
    }

    #[test]
    fn unknown_option_is_refused_by_name() {
        let error = parse(&["wasm", "--check"]).unwrap_err().to_string();
        assert!(
            error.contains("unknown option `--check` for `wasm`"),
            "{error}"
        );
        let error = parse(&["schema", "--fix"]).unwrap_err().to_string();
        assert!(error.contains("unknown option `--fix`"), "{error}");
    }
}
