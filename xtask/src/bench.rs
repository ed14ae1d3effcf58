//! `cargo xtask bench`: builds the optimised artifacts, then runs every protocol operation on
//! them in cosmwasm-vm with wasmd's gas accounting (`packages/vm-gas`, binary `gas-bench`, in
//! release mode) and writes `BENCHMARKS.md` and `<target>/bench/gas.json`.

use anyhow::Result;

use crate::command;
use crate::wasm;
use crate::workspace::Workspace;

pub fn run(workspace: &Workspace, quick: bool) -> Result<()> {
    wasm::run(workspace)?;
    let markdown = workspace.root.join("BENCHMARKS.md");
    let json = workspace.target_dir.join("bench").join("gas.json");
    let mut cargo = workspace.cargo();
    cargo.args([
        "run",
        "--release",
        "--locked",
        "--package",
        "cw-ics-vm-gas",
        "--bin",
        "gas-bench",
        "--",
    ]);
    cargo.arg("--markdown").arg(&markdown);
    cargo.arg("--json").arg(&json);
    if quick {
        cargo.arg("--quick");
    }
    println!("\nmeasuring gas (release build of the VM harness, then every operation)");
    command::run(&mut cargo)
}
