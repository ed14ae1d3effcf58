//! The contracts that are built to Wasm and whose schema is committed.

pub struct Contract {
    /// Cargo package name.
    pub package: &'static str,
    /// Folder name under `schema/`.
    pub short_name: &'static str,
    /// The package's binary that writes its schema (`cosmwasm_schema::write_api!`) into
    /// `./schema/`. The names differ per contract so a workspace build does not collide.
    pub schema_bin: &'static str,
}

impl Contract {
    /// File stem cargo gives the compiled library (`-` becomes `_`), also used for the artifact.
    pub fn lib_name(&self) -> String {
        lib_name(self.package)
    }
}

/// File stem cargo gives a package's compiled library: `-` becomes `_`.
pub fn lib_name(package: &str) -> String {
    package.replace('-', "_")
}

pub const CONTRACTS: &[Contract] = &[
    Contract {
        package: "cw-ics-provider",
        short_name: "provider",
        schema_bin: "provider-schema",
    },
    Contract {
        package: "cw-ics-consumer",
        short_name: "consumer",
        schema_bin: "consumer-schema",
    },
];
