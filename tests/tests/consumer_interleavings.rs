//! Seeded pseudo-random interleavings of stake changes, blocks (with validators offline),
//! time, double signs (with the evidence replayed), partial relaying and relayer outages
//! between the real provider and the real consumer on the simulated network; the DESIGN.md §7
//! invariants are checked after every operation.

use anyhow::Result;
use cw_ics_consumer::msg as consumer_msg;
use cw_ics_sim::network::Network;
use cw_ics_tests::setup::*;

/// A small deterministic generator (PCG-style LCG), so a failing seed replays exactly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// What one run went through, so the test can tell it exercised the interesting paths.
#[derive(Debug, Default)]
struct Coverage {
    vscs_applied: usize,
    downtime_slashes: usize,
    double_sign_slashes: usize,
    maturities: usize,
    halted: Option<cw_ics_consumer::state::HaltReason>,
    provider_stop_reason: Option<String>,
    /// The consumer drove its chain's validator set past the genesis set.
    chain_followed: bool,
}

const VALIDATORS: usize = 5;

/// One random operation; `delegated` is the staker's power delegated to each validator.
fn random_operation(
    net: &mut Network,
    rng: &mut Rng,
    delegated: &mut [u64; VALIDATORS],
    relayer_up: &mut bool,
) -> Result<()> {
    let validator = rng.below(VALIDATORS as u64) as usize;
    match rng.below(13) {
        0 => {
            let power = 1 + rng.below(50);
            net.bond("staker", validator, tokens(power))?;
            delegated[validator] += power;
        }
        1 if delegated[validator] > 0 => {
            let power = 1 + rng.below(delegated[validator]);
            net.unbond("staker", validator, tokens(power))?;
            delegated[validator] -= power;
        }
        2 | 3 => {
            net.step()?;
        }
        4 => {
            let blocks = rng.below(2 * SIGNED_BLOCKS_WINDOW);
            net.set_offline(validator, CONSUMER, blocks)?;
            net.run_blocks(blocks)?;
        }
        5 => {
            net.run_blocks(1 + rng.below(2 * CONSUMER_UNBONDING / BLOCK_SECONDS))?;
        }
        6 | 7 => {
            net.relay()?;
        }
        8 if *relayer_up => {
            net.relay_next_packet(CONSUMER)?;
        }
        9 => {
            let path = net.ccv_path(CONSUMER)?;
            if *relayer_up {
                net.coordinator.stop_relayer(&path);
            } else {
                net.coordinator.start_relayer(&path);
            }
            *relayer_up = !*relayer_up;
        }
        10 => {
            // The evidence reaches the chain in the next block; the chain then hands it over a
            // second time: the same infraction must be reported once.
            net.double_sign(validator, CONSUMER)?;
            net.run_blocks(2)?;
            net.replay_evidence(CONSUMER)?;
            net.step()?;
        }
        11 => {
            // The operator tries to unjail (refused unless jailed and the jail time is over).
            let _ = net.unjail(validator);
        }
        _ => net.consumer_tick(CONSUMER)?,
    }
    net.check_invariants()
}

fn run(seed: u64, operations: usize) -> Result<Coverage> {
    let mut rng = Rng(seed);
    // Even seeds run on a chain that promoted the consumer: the chain's own validator set then
    // follows the replicated one block by block. Odd seeds run it as an oracle.
    let promoted = seed.is_multiple_of(2);
    let mut net = launch(&[100, 200, 300, 400, 500], promoted)?;
    let mut delegated = [0u64; VALIDATORS];
    let mut relayer_up = true;
    for operation in 0..operations {
        random_operation(&mut net, &mut rng, &mut delegated, &mut relayer_up)
            .map_err(|e| e.context(format!("seed {seed}, operation {operation}")))?;
    }

    // Relayer back, everything delivered: a running consumer holds exactly the provider's set.
    net.coordinator.start_relayer(&net.ccv_path(CONSUMER)?);
    net.relay()?;
    net.step()?;
    net.relay()?;
    let status: consumer_msg::StatusResponse =
        net.query_consumer(CONSUMER, &consumer_msg::QueryMsg::Status {})?;
    if status.halted.is_none() {
        assert_eq!(
            net.consumer_set(CONSUMER)?,
            net.provider_set_for(CONSUMER)?,
            "seed {seed}"
        );
    }
    let history = net.channel_history(CONSUMER)?;
    let count = |kind| {
        history
            .slashes_handled
            .iter()
            .filter(|s| s.infraction == kind)
            .count()
    };
    Ok(Coverage {
        vscs_applied: history.vscs_applied.len(),
        downtime_slashes: count(cw_ics_ccv::Infraction::Downtime),
        double_sign_slashes: count(cw_ics_ccv::Infraction::DoubleSign),
        maturities: history.matured_sent.len(),
        halted: status.halted,
        provider_stop_reason: net.provider_consumer_state(CONSUMER)?.stop_reason,
        chain_followed: net
            .consumer(CONSUMER)?
            .synced_vsc_id
            .is_some_and(|vsc_id| vsc_id > 0),
    })
}

#[test]
fn random_interleavings_keep_every_property() -> Result<()> {
    let mut runs = vec![];
    for seed in 1..=8 {
        let coverage = run(seed, 150)?;
        eprintln!("seed {seed}: {coverage:?}");
        runs.push(coverage);
    }
    assert!(runs.iter().all(|c| c.vscs_applied > 0));
    assert!(runs.iter().any(|c| c.chain_followed));
    assert!(runs.iter().any(|c| c.downtime_slashes > 0));
    assert!(runs.iter().any(|c| c.double_sign_slashes > 0));
    assert!(runs.iter().any(|c| c.maturities > 0));
    assert!(runs.iter().any(|c| c.halted.is_none()));
    // A consumer only sees its channel closed when the provider stopped it, for a reason.
    assert!(runs.iter().all(|c| {
        !matches!(
            c.halted,
            Some(cw_ics_consumer::state::HaltReason::ChannelClosed { .. })
        ) || c.provider_stop_reason.is_some()
    }));
    Ok(())
}
