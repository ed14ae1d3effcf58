//! Installs what the tasks need and a fresh machine lacks: the wasm32 target, rustfmt and
//! clippy (via rustup) and Binaryen's wasm-opt (via npm, into the repo's `.tools/`).
//! Each install is skipped when the tool is already there.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::command;

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Binaryen 132 is the first npm release whose wasm-opt has the lowering passes we need
/// (Debian's binaryen and the wasm-opt crate are too old).
const BINARYEN_VERSION: &str = "132";

pub fn ensure_wasm_target() -> Result<()> {
    let sysroot = command::output(Command::new("rustc").args(["--print", "sysroot"]))?;
    let sysroot = String::from_utf8_lossy(&sysroot.stdout).trim().to_string();
    if Path::new(&sysroot)
        .join("lib/rustlib")
        .join(WASM_TARGET)
        .is_dir()
    {
        return Ok(());
    }
    println!("installing the Rust target {WASM_TARGET} (rustup target add)");
    command::run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

pub fn ensure_rust_components() -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let has_rustfmt = command::succeeds(&cargo, ["fmt", "--version"]);
    let has_clippy = command::succeeds(&cargo, ["clippy", "--version"]);
    if has_rustfmt && has_clippy {
        return Ok(());
    }
    println!("installing the Rust components rustfmt and clippy (rustup component add)");
    command::run(Command::new("rustup").args(["component", "add", "rustfmt", "clippy"]))
}

/// Path of a wasm-opt from npm `binaryen@132`, installed into `tools_dir` when missing or of
/// another version.
pub fn ensure_wasm_opt(tools_dir: &Path) -> Result<PathBuf> {
    let wasm_opt = tools_dir.join("node_modules/.bin/wasm-opt");
    if is_expected_wasm_opt(&wasm_opt) {
        return Ok(wasm_opt);
    }
    println!(
        "installing binaryen@{BINARYEN_VERSION} (wasm-opt) into {}",
        tools_dir.display()
    );
    std::fs::create_dir_all(tools_dir)
        .with_context(|| format!("could not create {}", tools_dir.display()))?;
    command::run(
        Command::new("npm")
            .arg("install")
            .arg("--prefix")
            .arg(tools_dir)
            .args([
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                &format!("binaryen@{BINARYEN_VERSION}"),
            ]),
    )?;
    if !is_expected_wasm_opt(&wasm_opt) {
        bail!(
            "after `npm install binaryen@{BINARYEN_VERSION}`, {} is missing or does not report version {BINARYEN_VERSION}",
            wasm_opt.display()
        );
    }
    Ok(wasm_opt)
}

fn is_expected_wasm_opt(wasm_opt: &Path) -> bool {
    if !wasm_opt.is_file() {
        return false;
    }
    Command::new(wasm_opt)
        .arg("--version")
        .output()
        .map(|output| {
            output.status.success()
                && String::from_utf8_lossy(&output.stdout)
                    .contains(&format!("version {BINARYEN_VERSION}"))
        })
        .unwrap_or(false)
}
