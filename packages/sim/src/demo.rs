//! The command-line demo: a default scenario (a provider, two consumers, a bonding wave, a
//! validator going offline on one consumer, an unbonding wave, one simulated day), or one
//! shaped by flags.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::network::{Network, NetworkBuilder, Params, RelayerPolicy, POWER_REDUCTION};
use crate::report::{final_sets, html_report};
use crate::timeline::{timeline, EntryKind, TimelineEntry};

pub const USAGE: &str = "\
cw-ics — simulate a shared-security network: one provider chain, consumer chains running the
cw-ics contracts, simulated validators with real ed25519 keys, and a relayer.

USAGE:
    cw-ics [FLAGS]

With no flags it runs the default scenario: 6 validators, 2 consumers, one simulated day of
60-second blocks; a bonding wave at block 50, val-5 offline on consumer-1 from block 200 for
150 blocks (jailed on the provider and removed everywhere, unjailed later), and an unbonding
wave at block 400 that matures on the provider once both consumers have matured it.

FLAGS:
    --validators N           validators (default 6, at least 1)
    --consumers N            consumer chains (default 2)
    --blocks N               blocks to simulate on every chain (default 1440)
    --block-time SECONDS     seconds per block (default 60)
    --offline V:CHAIN:AT:N   validator index V stops signing on CHAIN at block AT for N blocks
                             (repeatable; replaces the default fault plan)
    --double-sign V:CHAIN:AT validator index V double-signs on CHAIN at block AT (repeatable)
    --relayer-down AT:N      the relayer is down from block AT for N blocks
    --no-faults              no offline validator, no double sign
    --no-waves               no bonding or unbonding wave
    --no-invariants          skip the DESIGN.md §7 checks after each block (faster)
    --report PATH            where to write the HTML report (default target/cw-ics-report.html)
    --timeline N             print at most N timeline lines (default 200; 0 for none)
    -h, --help               this text
";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlannedFault {
    Offline {
        validator: usize,
        chain_id: String,
        at: u64,
        blocks: u64,
    },
    DoubleSign {
        validator: usize,
        chain_id: String,
        at: u64,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoConfig {
    pub validators: usize,
    pub consumers: usize,
    pub blocks: u64,
    pub block_time: u64,
    pub faults: Vec<PlannedFault>,
    pub relayer_down: Option<(u64, u64)>,
    pub waves: bool,
    pub check_invariants: bool,
    pub report: PathBuf,
    pub timeline_lines: usize,
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            validators: 6,
            consumers: 2,
            blocks: 1440,
            block_time: 60,
            faults: vec![PlannedFault::Offline {
                validator: 5,
                chain_id: "consumer-1".to_string(),
                at: 200,
                blocks: 150,
            }],
            relayer_down: None,
            waves: true,
            check_invariants: true,
            report: PathBuf::from("target/cw-ics-report.html"),
            timeline_lines: 200,
        }
    }
}

/// Parses the command line (without the program name). `Ok(None)` means `--help`.
pub fn parse_args(args: &[String]) -> Result<Option<DemoConfig>> {
    let mut config = DemoConfig::default();
    let mut custom_faults = false;
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = |name: &str| -> Result<String> {
            args.next()
                .cloned()
                .with_context(|| format!("{name} needs a value (see --help)"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--validators" => config.validators = number(&value(flag)?, flag)? as usize,
            "--consumers" => config.consumers = number(&value(flag)?, flag)? as usize,
            "--blocks" => config.blocks = number(&value(flag)?, flag)?,
            "--block-time" => config.block_time = number(&value(flag)?, flag)?,
            "--offline" => {
                let text = value(flag)?;
                let parts: Vec<&str> = text.split(':').collect();
                let [validator, chain, at, blocks] = parts[..] else {
                    bail!("--offline takes V:CHAIN:AT:N, got `{text}`");
                };
                if !custom_faults {
                    config.faults.clear();
                    custom_faults = true;
                }
                config.faults.push(PlannedFault::Offline {
                    validator: number(validator, flag)? as usize,
                    chain_id: chain.to_string(),
                    at: number(at, flag)?,
                    blocks: number(blocks, flag)?,
                });
            }
            "--double-sign" => {
                let text = value(flag)?;
                let parts: Vec<&str> = text.split(':').collect();
                let [validator, chain, at] = parts[..] else {
                    bail!("--double-sign takes V:CHAIN:AT, got `{text}`");
                };
                if !custom_faults {
                    config.faults.clear();
                    custom_faults = true;
                }
                config.faults.push(PlannedFault::DoubleSign {
                    validator: number(validator, flag)? as usize,
                    chain_id: chain.to_string(),
                    at: number(at, flag)?,
                });
            }
            "--relayer-down" => {
                let text = value(flag)?;
                let Some((at, blocks)) = text.split_once(':') else {
                    bail!("--relayer-down takes AT:N, got `{text}`");
                };
                config.relayer_down = Some((number(at, flag)?, number(blocks, flag)?));
            }
            "--no-faults" => {
                config.faults.clear();
                custom_faults = true;
            }
            "--no-waves" => config.waves = false,
            "--no-invariants" => config.check_invariants = false,
            "--report" => config.report = PathBuf::from(value(flag)?),
            "--timeline" => config.timeline_lines = number(&value(flag)?, flag)? as usize,
            other => bail!("unknown flag `{other}` (see --help)"),
        }
    }
    config.validate()?;
    Ok(Some(config))
}

fn number(text: &str, flag: &str) -> Result<u64> {
    text.parse::<u64>()
        .with_context(|| format!("{flag}: `{text}` is not a whole number"))
}

impl DemoConfig {
    fn validate(&self) -> Result<()> {
        if self.validators == 0 {
            bail!("--validators must be at least 1");
        }
        if self.block_time == 0 {
            bail!("--block-time must be at least 1 second");
        }
        for fault in &self.faults {
            let (validator, chain_id) = match fault {
                PlannedFault::Offline {
                    validator,
                    chain_id,
                    ..
                }
                | PlannedFault::DoubleSign {
                    validator,
                    chain_id,
                    ..
                } => (*validator, chain_id),
            };
            if validator >= self.validators {
                bail!(
                    "a fault names validator {validator}, but there are only {} (0..{})",
                    self.validators,
                    self.validators - 1
                );
            }
            if !self.consumer_ids().contains(chain_id) && chain_id != "provider-1" {
                bail!("a fault names the chain `{chain_id}`, which this network does not have");
            }
        }
        Ok(())
    }

    pub fn consumer_ids(&self) -> Vec<String> {
        (1..=self.consumers)
            .map(|i| format!("consumer-{i}"))
            .collect()
    }
}

/// What a demo run produced.
pub struct DemoOutcome {
    pub network: Network,
    pub timeline: Vec<TimelineEntry>,
    pub summary: Vec<String>,
    pub elapsed: Duration,
}

/// Runs the scenario; `progress(done, total)` is called as blocks go by.
pub fn run(config: &DemoConfig, mut progress: impl FnMut(u64, u64)) -> Result<DemoOutcome> {
    let params = Params {
        block_time: config.block_time,
        ..Params::default()
    };
    let mut builder = NetworkBuilder::new()
        .validators(config.validators)
        .params(params.clone());
    for (index, chain_id) in config.consumer_ids().iter().enumerate() {
        builder = builder.consumer(chain_id, 3 + 27 * index as u64);
    }
    let mut net = builder.build()?;
    if !config.check_invariants {
        net.invariants = None;
    }
    let started = Instant::now();
    let jail_blocks = params.downtime_jail.div_ceil(params.block_time);
    let mut unjail_at = vec![];
    for block in 1..=config.blocks {
        for fault in &config.faults {
            match fault {
                PlannedFault::Offline {
                    validator,
                    chain_id,
                    at,
                    blocks,
                } if *at == block => {
                    net.set_offline(*validator, chain_id, *blocks)?;
                    unjail_at.push((*validator, at + blocks + jail_blocks + 5));
                }
                PlannedFault::DoubleSign {
                    validator,
                    chain_id,
                    at,
                } if *at == block => net.double_sign(*validator, chain_id)?,
                _ => {}
            }
        }
        for (validator, at) in &unjail_at {
            if *at == block {
                // Refused when the validator was never jailed: nothing to do then.
                let _ = net.unjail(*validator);
            }
        }
        if config.waves && block == 50 {
            for validator in 0..config.validators.min(3) {
                net.bond(
                    &format!("delegator-{validator}"),
                    validator,
                    25 * POWER_REDUCTION,
                )?;
            }
        }
        if config.waves && block == 400 {
            for validator in 0..config.validators.min(3) {
                net.unbond(
                    &format!("delegator-{validator}"),
                    validator,
                    15 * POWER_REDUCTION,
                )?;
            }
        }
        if let Some((at, blocks)) = config.relayer_down {
            if block == at {
                net.relayer = RelayerPolicy::DownUntil(net.step + blocks);
            }
        }
        net.step()
            .with_context(|| format!("at block {block} of the demo"))?;
        progress(block, config.blocks);
    }
    let elapsed = started.elapsed();
    let entries = timeline(&net);
    let summary = summarize(&net, &entries, config, elapsed)?;
    Ok(DemoOutcome {
        network: net,
        timeline: entries,
        summary,
        elapsed,
    })
}

fn summarize(
    net: &Network,
    entries: &[TimelineEntry],
    config: &DemoConfig,
    elapsed: Duration,
) -> Result<Vec<String>> {
    let count = |kind: EntryKind| entries.iter().filter(|e| e.kind == kind).count();
    let seconds = elapsed.as_secs_f64().max(1e-9);
    let chains = 1 + config.consumers as u64;
    let mut summary = vec![
        format!(
            "{} blocks on each of {chains} chains ({} simulated hours) in {:.1}s: {:.0} blocks/s across the network",
            config.blocks,
            config.blocks * config.block_time / 3600,
            elapsed.as_secs_f64(),
            (config.blocks * chains) as f64 / seconds
        ),
        format!(
            "{} VSC packets sent, {} applied; {} slash packets, {} handled on the provider; {} VSC-matured packets; {} timeouts",
            count(EntryKind::VscSent),
            count(EntryKind::VscApplied),
            count(EntryKind::Slash),
            count(EntryKind::Jail),
            count(EntryKind::Maturity),
            count(EntryKind::Timeout)
        ),
        unbonding_summary(net)?,
        if config.check_invariants {
            format!(
                "DESIGN.md §7 invariants checked after each of the {} steps: all held",
                net.step
            )
        } else {
            "invariant checks were switched off".to_string()
        },
    ];
    for (chain_id, set) in final_sets(net) {
        let powers: Vec<String> = set.iter().map(|(n, p)| format!("{n}={p}")).collect();
        summary.push(format!("{chain_id} final set: {}", powers.join(" ")));
    }
    Ok(summary)
}

/// How the unbonding entries of the first provider's stakers stand.
fn unbonding_summary(net: &Network) -> Result<String> {
    use cw_ics_provider::msg::{QueryMsg, UnbondingsResponse};
    let (mut released, mut waiting, mut tokens) = (0, 0, 0u128);
    for staker in &net.provider().stakers {
        let page: UnbondingsResponse = net.query_provider(&QueryMsg::Unbondings {
            staker: staker.to_string(),
            start_after: None,
            limit: Some(100),
        })?;
        for entry in page.unbondings {
            if entry.released {
                released += 1;
                tokens += entry.balance.u128();
            } else {
                waiting += 1;
            }
        }
    }
    Ok(format!(
        "unbonding: {released} entries released ({tokens} tokens withdrawable) after every consumer matured them, {waiting} still waiting"
    ))
}

/// Writes the HTML report, creating its folder.
pub fn write_report(outcome: &DemoOutcome, path: &PathBuf) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    let html = html_report(&outcome.network, &outcome.timeline, &outcome.summary);
    std::fs::write(path, html).with_context(|| format!("writing {}", path.display()))
}
