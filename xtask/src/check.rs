//! Whether a Wasm artifact can be stored on a wasmd chain: the same static checks and
//! compilation that cosmwasm-vm (and so `cosmwasm-check`) runs at upload time, against the
//! capabilities a default wasmd node advertises, plus wasmd's upload size limit.

use std::collections::HashSet;
use std::path::PathBuf;

use anyhow::{bail, Result};
use cosmwasm_vm::internals::{check_wasm, compile_module, Logger};
use cosmwasm_vm::WasmLimits;

/// Capabilities of a default wasmd node (v0.61 and later); `cosmwasm_3_0` is not among them,
/// so a contract requiring it could not be stored.
pub const WASMD_CAPABILITIES: &[&str] = &[
    "iterator",
    "staking",
    "stargate",
    "cosmwasm_1_1",
    "cosmwasm_1_2",
    "cosmwasm_1_3",
    "cosmwasm_1_4",
    "cosmwasm_2_0",
    "cosmwasm_2_1",
    "cosmwasm_2_2",
];

/// wasmd's default maximum size of an uploaded contract.
pub const MAX_WASM_BYTES: usize = 800 * 1024;

/// This project's limit per artifact: 95% of wasmd's, so that no artifact ever sits at the
/// edge of what a chain accepts. `cargo xtask wasm` fails above it.
pub const PROJECT_LIMIT_BYTES: usize = MAX_WASM_BYTES / 20 * 19;

/// Refuses `wasm` for the first reason wasmd would refuse it.
pub fn check_artifact(wasm: &[u8]) -> Result<()> {
    if wasm.len() > MAX_WASM_BYTES {
        bail!(
            "{} bytes is over wasmd's upload limit of {MAX_WASM_BYTES} bytes (800 KiB)",
            wasm.len()
        );
    }
    let capabilities: HashSet<String> = WASMD_CAPABILITIES.iter().map(|c| c.to_string()).collect();
    check_wasm(wasm, &capabilities, &WasmLimits::default(), Logger::Off)?;
    // Static checks do not see everything the VM's compiler rejects (e.g. non-deterministic
    // instructions), so compile with the same engine and middlewares wasmd uses.
    compile_module(wasm, None)?;
    Ok(())
}

/// `cargo xtask check FILE...`: reports every file's verdict, fails if any is refused.
pub fn check_files(files: &[PathBuf]) -> Result<()> {
    let mut refused = Vec::new();
    for file in files {
        let verdict = std::fs::read(file)
            .map_err(anyhow::Error::from)
            .and_then(|wasm| check_artifact(&wasm));
        match verdict {
            Ok(()) => println!("{}: ok", file.display()),
            Err(error) => {
                println!("{}: REFUSED: {error:#}", file.display());
                refused.push(file.display().to_string());
            }
        }
    }
    if !refused.is_empty() {
        bail!("wasmd would refuse: {}", refused.join(", "));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::{
        CodeSection, CustomSection, ExportKind, ExportSection, Function, FunctionSection,
        MemorySection, MemoryType, Module, TypeSection, ValType,
    };

    /// A module of the shape the VM expects from a contract: one memory, `allocate`,
    /// `deallocate` and `interface_version_8`, plus `extra_exports` (no-op functions) and a
    /// `run` function whose body is `body` (no params, no results).
    struct ContractModule {
        exports: Vec<&'static str>,
        run_body: Function,
        padding_bytes: usize,
    }

    impl ContractModule {
        fn valid() -> Self {
            let mut run_body = Function::new([]);
            run_body.instructions().end();
            Self {
                exports: vec!["interface_version_8", "allocate", "deallocate"],
                run_body,
                padding_bytes: 0,
            }
        }

        fn without_export(mut self, name: &str) -> Self {
            self.exports.retain(|export| *export != name);
            self
        }

        fn with_export(mut self, name: &'static str) -> Self {
            self.exports.push(name);
            self
        }

        fn with_run_body(mut self, body: Function) -> Self {
            self.run_body = body;
            self
        }

        fn with_custom_section_of(mut self, bytes: usize) -> Self {
            self.padding_bytes = bytes;
            self
        }

        fn encode(&self) -> Vec<u8> {
            let mut types = TypeSection::new();
            types.ty().function([], []);
            types.ty().function([ValType::I32], [ValType::I32]);
            types.ty().function([ValType::I32], []);
            let (no_op, allocate_type, deallocate_type) = (0, 1, 2);

            let mut functions = FunctionSection::new();
            let mut code = CodeSection::new();
            let mut exports = ExportSection::new();
            for (index, name) in self.exports.iter().enumerate() {
                let (type_index, body) = match *name {
                    "allocate" => {
                        let mut body = Function::new([]);
                        body.instructions().local_get(0).end();
                        (allocate_type, body)
                    }
                    "deallocate" => {
                        let mut body = Function::new([]);
                        body.instructions().end();
                        (deallocate_type, body)
                    }
                    _ => {
                        let mut body = Function::new([]);
                        body.instructions().end();
                        (no_op, body)
                    }
                };
                functions.function(type_index);
                code.function(&body);
                exports.export(name, ExportKind::Func, index as u32);
            }
            functions.function(no_op);
            code.function(&self.run_body);
            exports.export("memory", ExportKind::Memory, 0);

            let mut memories = MemorySection::new();
            memories.memory(MemoryType {
                minimum: 1,
                maximum: None,
                memory64: false,
                shared: false,
                page_size_log2: None,
            });

            let mut module = Module::new();
            module
                .section(&types)
                .section(&functions)
                .section(&memories)
                .section(&exports)
                .section(&code);
            if self.padding_bytes > 0 {
                module.section(&CustomSection {
                    name: "padding".into(),
                    data: vec![0u8; self.padding_bytes].into(),
                });
            }
            module.finish()
        }
    }

    fn bulk_memory_copy() -> Function {
        let mut body = Function::new([]);
        body.instructions()
            .i32_const(0)
            .i32_const(0)
            .i32_const(0)
            .memory_copy(0, 0)
            .end();
        body
    }

    fn refusal(wasm: &[u8]) -> String {
        match check_artifact(wasm) {
            Ok(()) => panic!("the checker accepted a module it must refuse"),
            Err(error) => format!("{error:#}"),
        }
    }

    // Positive control: without it, the refusals below could come from a broken fixture.
    #[test]
    fn well_formed_contract_module_is_accepted() {
        check_artifact(&ContractModule::valid().encode()).unwrap();
    }

    #[test]
    fn bulk_memory_instruction_is_refused() {
        let wasm = ContractModule::valid()
            .with_run_body(bulk_memory_copy())
            .encode();
        let error = refusal(&wasm);
        assert!(error.contains("bulk memory"), "{error}");
    }

    #[test]
    fn missing_interface_version_is_refused() {
        let wasm = ContractModule::valid()
            .without_export("interface_version_8")
            .encode();
        let error = refusal(&wasm);
        assert!(error.contains("interface_version"), "{error}");
    }

    #[test]
    fn missing_allocate_export_is_refused() {
        let wasm = ContractModule::valid().without_export("allocate").encode();
        let error = refusal(&wasm);
        assert!(error.contains("allocate"), "{error}");
    }

    #[test]
    fn capability_up_to_cosmwasm_2_2_is_accepted() {
        let wasm = ContractModule::valid()
            .with_export("requires_cosmwasm_2_2")
            .with_export("requires_stargate")
            .encode();
        check_artifact(&wasm).unwrap();
    }

    #[test]
    fn capability_wasmd_lacks_is_refused() {
        let wasm = ContractModule::valid()
            .with_export("requires_cosmwasm_3_0")
            .encode();
        let error = refusal(&wasm);
        assert!(error.contains("cosmwasm_3_0"), "{error}");
    }

    #[test]
    fn module_over_the_upload_limit_is_refused() {
        let fixture_overhead = ContractModule::valid().encode().len();
        let at_limit = ContractModule::valid()
            .with_custom_section_of(MAX_WASM_BYTES - fixture_overhead - 16)
            .encode();
        assert!(at_limit.len() <= MAX_WASM_BYTES);
        check_artifact(&at_limit).unwrap();

        let over_limit = ContractModule::valid()
            .with_custom_section_of(MAX_WASM_BYTES)
            .encode();
        let error = refusal(&over_limit);
        assert!(error.contains("upload limit"), "{error}");
    }
}
