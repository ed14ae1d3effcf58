//! The command-line demo: a default scenario (a provider, two consumers, a bonding wave, a
//! validator going offline on one consumer, an unbonding wave, one simulated day), or one
//! shaped by flags.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::builder::ArgPredicate;
use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};

use crate::network::{Network, NetworkBuilder, Params, RelayerPolicy, POWER_REDUCTION};
use crate::report::{final_sets, html_report};
use crate::timeline::{timeline, EntryKind, TimelineEntry};

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

/// Simulate a shared-security network: one provider chain, consumer chains running the cw-ics
/// contracts, simulated validators with real ed25519 keys, and a relayer.
///
/// With no flags it runs the default scenario: 6 validators, 2 consumers, one simulated day of
/// 60-second blocks; a bonding wave at block 50, val-5 offline on consumer-1 from block 200 for
/// 150 blocks (jailed on the provider and removed everywhere, unjailed later), and an unbonding
/// wave at block 400 that matures on the provider once both consumers have matured it. It prints
/// a timeline and a summary, and writes an HTML report.
///
/// Chains are named provider-1 and consumer-1, consumer-2, …; validators are numbered from 0
/// (val-0 has the most stake).
#[derive(Parser, Debug)]
// Negative numbers reach the value parsers, which say why they are refused.
#[command(name = "cw-ics", max_term_width = 100, allow_negative_numbers = true)]
pub struct Cli {
    /// Number of validators, at least 1
    #[arg(long, value_name = "N", default_value_t = 6, value_parser = at_least_one::<usize>)]
    validators: usize,

    /// Number of consumer chains
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = whole_number::<usize>)]
    consumers: usize,

    /// Blocks to simulate on every chain
    #[arg(long, value_name = "N", default_value_t = 1440, value_parser = whole_number::<u64>)]
    blocks: u64,

    /// Seconds per block, at least 1
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = at_least_one::<u64>)]
    block_time: u64,

    /// Validator V stops signing on CHAIN from block AT for N blocks (repeatable; any --offline
    /// or --double-sign replaces the default fault plan)
    ///
    /// CHAIN is provider-1 or consumer-K. On a consumer, a long enough outage is a downtime
    /// infraction: the consumer sends a slash packet, the provider jails the validator and every
    /// consumer drops it; the demo unjails it a little after the outage.
    ///
    /// Example: --offline 2:consumer-2:100:300 --offline 4:consumer-1:500:200
    #[arg(
        long,
        value_name = "V:CHAIN:AT:N",
        value_parser = offline_fault,
        default_value = "5:consumer-1:200:150",
        // `--no-faults` is a flag, always matched (false by default): test its value.
        default_value_ifs = [
            ("double_sign", ArgPredicate::IsPresent, None::<&str>),
            ("no_faults", ArgPredicate::Equals("true".into()), None),
        ],
    )]
    offline: Vec<PlannedFault>,

    /// Validator V double-signs on CHAIN at block AT (repeatable)
    ///
    /// CHAIN is provider-1 or consumer-K. The two conflicting votes are really signed; the chain
    /// hands the evidence to its contract.
    ///
    /// Example: --double-sign 1:consumer-1:300
    #[arg(long, value_name = "V:CHAIN:AT", value_parser = double_sign_fault)]
    double_sign: Vec<PlannedFault>,

    /// The relayer is down from block AT for N blocks (by default it is always up)
    ///
    /// Packets wait on their chains meanwhile and are relayed, or time out, when it is back.
    ///
    /// Example: --relayer-down 300:200
    #[arg(long, value_name = "AT:N", value_parser = relayer_outage)]
    relayer_down: Option<(u64, u64)>,

    /// No faults at all: drops the default fault plan (not with --offline or --double-sign)
    #[arg(long, conflicts_with_all = ["offline", "double_sign"])]
    no_faults: bool,

    /// No bonding wave (block 50) and no unbonding wave (block 400)
    #[arg(long)]
    no_waves: bool,

    /// Skip the DESIGN.md §7 invariant checks after each block (faster)
    #[arg(long)]
    no_invariants: bool,

    /// Where the HTML report goes
    ///
    /// A self-contained page: the timeline, the summary and each chain's voting power per
    /// validator over time. Its folder is created if missing.
    #[arg(long, value_name = "PATH", default_value = "target/cw-ics-report.html")]
    report: PathBuf,

    /// Print at most N timeline lines; 0 for none
    #[arg(long, value_name = "N", default_value_t = 200, value_parser = whole_number::<usize>)]
    timeline: usize,
}

impl Cli {
    /// The scenario these flags describe, refused (as a usage error) when a fault names a
    /// validator or a chain that the network will not have.
    pub fn into_config(self) -> Result<DemoConfig, clap::Error> {
        let config = DemoConfig {
            validators: self.validators,
            consumers: self.consumers,
            blocks: self.blocks,
            block_time: self.block_time,
            faults: self.offline.into_iter().chain(self.double_sign).collect(),
            relayer_down: self.relayer_down,
            waves: !self.no_waves,
            check_invariants: !self.no_invariants,
            report: self.report,
            timeline_lines: self.timeline,
        };
        match config.validate() {
            Ok(()) => Ok(config),
            Err(reason) => Err(Cli::command().error(ErrorKind::ValueValidation, reason)),
        }
    }
}

fn whole_number<T: FromStr>(text: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("`{text}` is not a whole number"))
}

fn at_least_one<T: FromStr + PartialOrd + From<u8>>(text: &str) -> Result<T, String> {
    let number: T = whole_number(text)?;
    if number < T::from(1) {
        return Err("must be at least 1".to_string());
    }
    Ok(number)
}

fn offline_fault(text: &str) -> Result<PlannedFault, String> {
    let parts: Vec<&str> = text.split(':').collect();
    let [validator, chain, at, blocks] = parts[..] else {
        return Err("expected V:CHAIN:AT:N, e.g. 5:consumer-1:200:150".to_string());
    };
    Ok(PlannedFault::Offline {
        validator: whole_number(validator)?,
        chain_id: chain.to_string(),
        at: whole_number(at)?,
        blocks: whole_number(blocks)?,
    })
}

fn double_sign_fault(text: &str) -> Result<PlannedFault, String> {
    let parts: Vec<&str> = text.split(':').collect();
    let [validator, chain, at] = parts[..] else {
        return Err("expected V:CHAIN:AT, e.g. 2:consumer-1:300".to_string());
    };
    Ok(PlannedFault::DoubleSign {
        validator: whole_number(validator)?,
        chain_id: chain.to_string(),
        at: whole_number(at)?,
    })
}

fn relayer_outage(text: &str) -> Result<(u64, u64), String> {
    let Some((at, blocks)) = text.split_once(':') else {
        return Err("expected AT:N, e.g. 300:200".to_string());
    };
    Ok((whole_number(at)?, whole_number(blocks)?))
}

impl DemoConfig {
    /// Every fault names a validator and a chain of this network.
    fn validate(&self) -> Result<(), String> {
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
                return Err(format!(
                    "a fault names validator {validator}, but there are only {} (0..{})",
                    self.validators,
                    self.validators.saturating_sub(1)
                ));
            }
            if !self.consumer_ids().contains(chain_id) && chain_id != "provider-1" {
                return Err(format!(
                    "a fault names the chain `{chain_id}`, which this network does not have"
                ));
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
