//! `cargo xtask wasm`: release builds of every contract, lowered and optimised with wasm-opt,
//! written to `artifacts/` with their checksums and checked as wasmd would check them, and
//! against this project's size limit.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};

use crate::check::{check_artifact, PROJECT_LIMIT_BYTES};
use crate::command;
use crate::contracts::{lib_name, CONTRACTS};
use crate::tools::{self, WASM_TARGET};
use crate::workspace::Workspace;

/// Binaryen passes that rewrite what Rust ≥ 1.87 emits (bulk memory, sign extension,
/// non-trapping float-to-int) into MVP instructions the CosmWasm 3.0 VM accepts, then `-Os`.
const WASM_OPT_ARGS: &[&str] = &[
    "-Os",
    "--enable-bulk-memory",
    "--llvm-memory-copy-fill-lowering",
    "--signext-lowering",
    "--llvm-nontrapping-fptoint-lowering",
];

pub struct Artifact {
    pub name: String,
    pub path: PathBuf,
    pub bytes: usize,
    pub sha256: String,
    /// `Err` holds why wasmd would refuse the artifact.
    pub verdict: std::result::Result<(), String>,
}

/// Builds, optimises and checks every contract; fails if any artifact would be refused.
pub fn run(workspace: &Workspace) -> Result<Vec<Artifact>> {
    tools::ensure_wasm_target()?;
    let wasm_opt = tools::ensure_wasm_opt(&workspace.tools_dir())?;
    let artifacts_dir = workspace.artifacts_dir();
    fs::create_dir_all(&artifacts_dir)
        .with_context(|| format!("could not create {}", artifacts_dir.display()))?;

    let mut artifacts = Vec::new();
    for contract in CONTRACTS {
        let raw = build(workspace, contract.package)?;
        let optimised = artifacts_dir.join(format!("{}.wasm", contract.lib_name()));
        optimise(&wasm_opt, &raw, &optimised)?;
        artifacts.push(inspect(contract.lib_name(), optimised)?);
    }

    let checksums = artifacts_dir.join("checksums.txt");
    fs::write(&checksums, checksums_file(&artifacts))
        .with_context(|| format!("could not write {}", checksums.display()))?;
    println!("\n{}", size_table(&artifacts));

    let refused: Vec<&str> = artifacts
        .iter()
        .filter(|artifact| artifact.verdict.is_err())
        .map(|artifact| artifact.name.as_str())
        .collect();
    if !refused.is_empty() {
        bail!("wasmd would refuse: {}", refused.join(", "));
    }
    let oversized: Vec<&str> = artifacts
        .iter()
        .filter(|artifact| artifact.bytes > PROJECT_LIMIT_BYTES)
        .map(|artifact| artifact.name.as_str())
        .collect();
    if !oversized.is_empty() {
        bail!(
            "over the project's limit of {} KiB per artifact: {}",
            PROJECT_LIMIT_BYTES / 1024,
            oversized.join(", ")
        );
    }
    Ok(artifacts)
}

/// The workspace profile for contract builds: release with opt-level "z" (root Cargo.toml).
/// Size matters more than speed on chain: the provider measured 717 KiB at opt-level 3,
/// 597 KiB at "s" and 572 KiB at "z" after wasm-opt, against wasmd's 800 KiB upload limit;
/// storage, not compute, dominates its gas.
const WASM_PROFILE: &str = "wasm";

/// One cargo invocation per contract: building several together unifies their features and
/// has produced modules without entry points. Warnings are errors here because code compiled
/// only for the chain (entry points, wasm32-only cfgs) is never seen by the host clippy run,
/// which builds the contracts with the `library` feature.
fn build(workspace: &Workspace, package: &str) -> Result<PathBuf> {
    println!("building {package} for {WASM_TARGET}");
    command::run(
        workspace
            .cargo()
            .args([
                "build",
                "--profile",
                WASM_PROFILE,
                "--lib",
                "--locked",
                "--target",
                WASM_TARGET,
            ])
            .args(["--package", package])
            .env("RUSTFLAGS", "-C link-arg=-s -D warnings")
            .env_remove("CARGO_ENCODED_RUSTFLAGS"),
    )?;
    let raw = workspace
        .target_dir
        .join(WASM_TARGET)
        .join(WASM_PROFILE)
        .join(format!("{}.wasm", lib_name(package)));
    if !raw.is_file() {
        bail!("cargo built {package} but {} is missing", raw.display());
    }
    Ok(raw)
}

fn optimise(wasm_opt: &Path, input: &Path, output: &Path) -> Result<()> {
    println!("optimising {} -> {}", input.display(), output.display());
    command::run(
        Command::new(wasm_opt)
            .args(WASM_OPT_ARGS)
            .arg(input)
            .arg("-o")
            .arg(output),
    )
}

fn inspect(name: String, path: PathBuf) -> Result<Artifact> {
    let wasm = fs::read(&path).with_context(|| format!("could not read {}", path.display()))?;
    Ok(Artifact {
        name,
        bytes: wasm.len(),
        sha256: sha256_hex(&wasm),
        verdict: check_artifact(&wasm).map_err(|error| format!("{error:#}")),
        path,
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

/// `sha256sum` format, so `cd artifacts && sha256sum -c checksums.txt` verifies a download.
fn checksums_file(artifacts: &[Artifact]) -> String {
    artifacts
        .iter()
        .map(|artifact| {
            let file_name = artifact
                .path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            format!("{}  {file_name}\n", artifact.sha256)
        })
        .collect()
}

fn size_table(artifacts: &[Artifact]) -> String {
    let limit_kib = PROJECT_LIMIT_BYTES as f64 / 1024.0;
    let mut table = format!(
        "{:<20} {:>10} {:>14}  {:<64}  {}\n",
        "contract", "size (KiB)", "headroom (KiB)", "sha256", "check"
    );
    for artifact in artifacts {
        let verdict = match &artifact.verdict {
            Ok(()) => "ok".to_string(),
            Err(reason) => format!("REFUSED: {reason}"),
        };
        let kib = artifact.bytes as f64 / 1024.0;
        let _ = writeln!(
            table,
            "{:<20} {:>10.1} {:>14.1}  {:<64}  {verdict}",
            artifact.name,
            kib,
            limit_kib - kib,
            artifact.sha256
        );
    }
    let _ = write!(
        table,
        "limit {limit_kib:.0} KiB per artifact (95% of wasmd's 800 KiB upload limit)"
    );
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(name: &str, bytes: usize, verdict: std::result::Result<(), String>) -> Artifact {
        Artifact {
            name: name.to_string(),
            path: PathBuf::from(format!("/some/dir/{name}.wasm")),
            bytes,
            sha256: sha256_hex(name.as_bytes()),
            verdict,
        }
    }

    #[test]
    fn sha256_is_lower_case_hex_of_the_digest() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn checksums_use_sha256sum_format_with_bare_file_names() {
        let text = checksums_file(&[artifact("a", 1, Ok(())), artifact("b", 2, Ok(()))]);
        let expected = format!(
            "{}  a.wasm\n{}  b.wasm\n",
            sha256_hex(b"a"),
            sha256_hex(b"b")
        );
        assert_eq!(text, expected);
    }

    #[test]
    fn size_table_shows_kib_and_the_refusal_reason() {
        let table = size_table(&[
            artifact("good", 2048, Ok(())),
            artifact("bad", 1536, Err("too big".to_string())),
        ]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[1].starts_with("good") && lines[1].contains(" 2.0 "));
        assert!(
            lines[1].contains(" 758.0 "),
            "headroom to 760 KiB: {}",
            lines[1]
        );
        assert!(lines[1].trim_end().ends_with("ok"));
        assert!(lines[2].contains(" 1.5 ") && lines[2].ends_with("REFUSED: too big"));
        assert!(lines[3].starts_with("limit 760 KiB"));
    }
}
