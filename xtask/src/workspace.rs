//! Where the repository and cargo's target directory are, and how to call cargo on them.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, Context, Result};

use crate::command;

pub struct Workspace {
    pub root: PathBuf,
    /// Cargo's target directory for this workspace: `target/` unless the caller configured
    /// another (CARGO_TARGET_DIR or cargo config), as `cargo metadata` reports it.
    pub target_dir: PathBuf,
}

impl Workspace {
    pub fn locate() -> Result<Self> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .ok_or_else(|| anyhow!("xtask is expected to live one folder below the repo root"))?
            .to_path_buf();
        let metadata = command::output(Command::new(cargo_program()).current_dir(&root).args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
        ]))?;
        let metadata: serde_json::Value = serde_json::from_slice(&metadata.stdout)
            .context("`cargo metadata` printed something that is not JSON")?;
        let target_dir = metadata["target_directory"]
            .as_str()
            .ok_or_else(|| anyhow!("`cargo metadata` reported no target_directory"))?;
        Ok(Self {
            root,
            target_dir: PathBuf::from(target_dir),
        })
    }

    /// A cargo command run from the repo root. The target directory is pinned explicitly so
    /// that a command run from another folder (the schema generator) shares the same builds.
    pub fn cargo(&self) -> Command {
        let mut cargo = Command::new(cargo_program());
        cargo
            .current_dir(&self.root)
            .env("CARGO_TARGET_DIR", &self.target_dir);
        cargo
    }

    pub fn artifacts_dir(&self) -> PathBuf {
        self.root.join("artifacts")
    }

    pub fn schema_dir(&self) -> PathBuf {
        self.root.join("schema")
    }

    /// Git-ignored folder for tools the xtask installs (binaryen).
    pub fn tools_dir(&self) -> PathBuf {
        self.root.join(".tools")
    }
}

/// The cargo that runs this xtask (so the same toolchain builds everything), or the one on
/// PATH when the xtask binary is started directly.
fn cargo_program() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}
