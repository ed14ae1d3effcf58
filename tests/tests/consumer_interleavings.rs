//! Seeded pseudo-random interleavings of stake changes, blocks (with validators offline),
//! time, evidence, partial relaying and relayer outages between the real provider and the
//! real consumer; the DESIGN.md §7 properties are checked after every step.

use anyhow::Result;
use cw_ics_bindings::{Evidence, EvidenceType, EvidenceValidator};
use cw_ics_provider::msg as provider_msg;
use cw_ics_tests::network::*;
use cw_ics_tests::properties::{ChannelHistory, Properties};

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

fn provider_view(net: &IcsNetwork) -> Result<Vec<(Vec<u8>, u64)>> {
    let response: provider_msg::ConsumerValidatorsResponse =
        net.provider_query(&provider_msg::QueryMsg::ConsumerValidators {
            consumer_id: net.consumer_id,
            start_after: None,
            limit: Some(100),
        })?;
    let mut powers: Vec<_> = response
        .validators
        .into_iter()
        .map(|v| (v.consensus_address.to_vec(), v.power))
        .collect();
    powers.sort();
    Ok(powers)
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
    /// The run's consumer drove a chain's validator set.
    chain_followed: bool,
}

fn run(seed: u64, steps: usize) -> Result<Coverage> {
    let mut rng = Rng(seed);
    let mut net = IcsNetwork::launch(&[100, 200, 300, 400, 500])?;
    let mut props = Properties::new();
    let mut delegated = [0u128; 5];
    let mut relayer_up = true;
    // Even seeds run on a twasm chain that promoted the consumer: the chain's own validator
    // set then follows the replicated one block by block. Odd seeds run it as an oracle.
    if seed.is_multiple_of(2) {
        net.promote()?;
    }
    props.check(&net)?;
    for step in 0..steps {
        let validator = rng.below(5) as usize;
        match rng.below(13) {
            0 => {
                let amount = 1 + u128::from(rng.below(50));
                net.bond(validator, amount)?;
                delegated[validator] += amount;
            }
            1 if delegated[validator] > 0 => {
                let amount = 1 + u128::from(rng.below(delegated[validator] as u64));
                net.unbond(validator, amount)?;
                delegated[validator] -= amount;
            }
            2 | 3 => net.next_block()?,
            4 => {
                let offline = validator;
                for _ in 0..rng.below(2 * SIGNED_BLOCKS_WINDOW) {
                    net.next_block_with(|index| index != offline)?;
                }
            }
            5 => net.advance_time(60 + rng.below(6 * 3_600))?,
            6 | 7 => {
                net.relay()?;
            }
            8 if relayer_up => {
                net.coord.relay_next_packet(&net.path.clone())?;
            }
            9 => {
                let path = net.path.clone();
                if relayer_up {
                    net.coord.stop_relayer(&path);
                } else {
                    net.coord.start_relayer(&path);
                }
                relayer_up = !relayer_up;
            }
            10 => {
                let height = net.consumer_height()?.saturating_sub(1 + rng.below(5));
                let evidence = Evidence {
                    evidence_type: EvidenceType::DuplicateVote,
                    validator: EvidenceValidator {
                        address: net.validators[validator]
                            .address()
                            .as_bytes()
                            .to_vec()
                            .into(),
                        power: 1,
                    },
                    height,
                    time: 0,
                    total_voting_power: 1,
                };
                let votes = net.votes(|_| true)?;
                // Twice: the same infraction must be reported once.
                net.consumer_begin_block(votes.clone(), vec![evidence.clone()])?;
                net.consumer_begin_block(votes, vec![evidence])?;
            }
            11 => {
                // The operator tries to unjail (refused unless jailed and the jail time is over).
                let provider = net.provider.clone();
                let operator = net.validators[validator].operator.clone();
                let _ = net.coord.chain_mut(PROVIDER_CHAIN)?.execute(
                    &operator,
                    &provider,
                    &provider_msg::ExecuteMsg::Unjail {},
                    &[],
                );
            }
            _ => {
                net.consumer_tick()?;
            }
        }
        props
            .check(&net)
            .map_err(|e| e.context(format!("seed {seed}, step {step}")))?;
    }

    // Relayer back, everything delivered: a running consumer holds exactly the provider's set.
    net.coord.start_relayer(&net.path.clone());
    net.relay()?;
    net.next_block()?;
    net.relay()?;
    props.check(&net)?;
    if net.consumer_status()?.halted.is_none() {
        assert_eq!(net.consumer_powers()?, provider_view(&net)?, "seed {seed}");
    }
    let history = ChannelHistory::read(&net)?;
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
        halted: net.consumer_status()?.halted,
        provider_stop_reason: net.provider_consumer()?.stop_reason,
        chain_followed: net.chain_validators.is_some(),
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
