//! `cargo xtask wasm`: release builds of every contract, lowered and optimised with wasm-opt,
//! written to `artifacts/` with their checksums and checked as wasmd would check them. The
//! test contracts are built the same way into `artifacts/test/`.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};

use crate::check::check_artifact;
use crate::command;
use crate::contracts::{lib_name, CONTRACTS, TEST_CONTRACTS};
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
    build_test_contracts(workspace, &wasm_opt, &test_artifacts_dir(&artifacts_dir))?;

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
    Ok(artifacts)
}

/// The workspace profile for contract builds: release with opt-level "z" (root Cargo.toml).
/// Size matters more than speed on chain: the provider measured 717 KiB at opt-level 3,
/// 597 KiB at "s" and 572 KiB at "z" after wasm-opt, against wasmd's 800 KiB upload limit;
/// storage, not compute, dominates its gas.
const WASM_PROFILE: &str = "wasm";

/// Where the test contracts go: a folder of their own, so nothing that lists `artifacts/*.wasm`
/// (checksums, sizes, deployment) takes them for contracts.
fn test_artifacts_dir(artifacts_dir: &Path) -> PathBuf {
    artifacts_dir.join("test")
}

/// Builds, optimises and checks the test contracts; one the VM would refuse fails the build.
fn build_test_contracts(workspace: &Workspace, wasm_opt: &Path, dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    for package in TEST_CONTRACTS {
        let raw = build(workspace, package)?;
        let optimised = dir.join(format!("{}.wasm", lib_name(package)));
        optimise(wasm_opt, &raw, &optimised)?;
        let artifact = inspect(lib_name(package), optimised)?;
        if let Err(reason) = artifact.verdict {
            bail!("the test contract {package} would be refused: {reason}");
        }
    }
    Ok(())
}

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
    let mut table = format!(
        "{:<20} {:>10}  {:<64}  {}\n",
        "contract", "size (KiB)", "sha256", "check"
    );
    for artifact in artifacts {
        let verdict = match &artifact.verdict {
            Ok(()) => "ok".to_string(),
            Err(reason) => format!("REFUSED: {reason}"),
        };
        let _ = writeln!(
            table,
            "{:<20} {:>10.1}  {:<64}  {verdict}",
            artifact.name,
            artifact.bytes as f64 / 1024.0,
            artifact.sha256
        );
    }
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
    fn test_contracts_go_to_their_own_folder_and_are_not_contracts() {
        let dir = test_artifacts_dir(Path::new("/repo/artifacts"));
        assert_eq!(dir, PathBuf::from("/repo/artifacts/test"));
        for package in TEST_CONTRACTS {
            assert!(CONTRACTS
                .iter()
                .all(|contract| contract.package != *package));
        }
        // packages/vm-gas loads the probe from this path.
        assert_eq!(
            dir.join(format!("{}.wasm", lib_name(TEST_CONTRACTS[0]))),
            PathBuf::from("/repo/artifacts/test/cw_ics_entry_probe.wasm")
        );
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
        assert_eq!(lines.len(), 3);
        assert!(lines[1].starts_with("good") && lines[1].contains(" 2.0 "));
        assert!(lines[1].trim_end().ends_with("ok"));
        assert!(lines[2].contains(" 1.5 ") && lines[2].ends_with("REFUSED: too big"));
    }
}
