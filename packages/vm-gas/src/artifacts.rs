//! The optimised contract artifacts `cargo xtask wasm` writes to `artifacts/`.

use std::path::{Path, PathBuf};

pub const PROVIDER_ARTIFACT: &str = "cw_ics_provider.wasm";
pub const CONSUMER_ARTIFACT: &str = "cw_ics_consumer.wasm";

#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    #[error("{path} is missing: run `cargo xtask wasm` first")]
    Missing { path: String },
    #[error("cannot read {path}: {reason}")]
    Unreadable { path: String, reason: String },
}

/// The repository's root (this crate lives in `packages/vm-gas`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

pub fn artifacts_dir() -> PathBuf {
    workspace_root().join("artifacts")
}

/// Reads `artifacts/<name>`; a missing file says how to build it.
pub fn load_artifact(name: &str) -> Result<Vec<u8>, ArtifactError> {
    let path = artifacts_dir().join(name);
    std::fs::read(&path).map_err(|err| {
        let shown = path.display().to_string();
        if err.kind() == std::io::ErrorKind::NotFound {
            ArtifactError::Missing { path: shown }
        } else {
            ArtifactError::Unreadable {
                path: shown,
                reason: err.to_string(),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_artifact_tells_how_to_build_it() {
        let error = load_artifact("no_such_contract.wasm").unwrap_err();
        assert!(matches!(error, ArtifactError::Missing { .. }));
        assert!(error.to_string().contains("run `cargo xtask wasm` first"));
    }

    #[test]
    fn the_workspace_root_holds_the_workspace_manifest() {
        assert!(workspace_root().join("Cargo.toml").is_file());
        assert!(workspace_root().join("packages/vm-gas").is_dir());
    }
}
