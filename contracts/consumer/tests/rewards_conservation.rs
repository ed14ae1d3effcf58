//! Conservation of rewards, as a property: after any sequence of deposits, blocks (with their
//! transmissions), transfers acknowledged, refused or timed out (refunded into the pool, as
//! the ICS-20 module does), transfers this chain refuses, and a halt, per denom
//! deposited = paid to the redistribution address + received by the provider + in flight
//! + still in the pool. The test plays the bank and the ICS-20 module around the contract.

mod common;

use std::collections::BTreeMap;

use common::*;
use cosmwasm_std::{Decimal, Reply, SubMsgResult, Uint256};
use cw_ics_consumer::contract::reply;
use cw_ics_consumer::rewards::split;
use proptest::prelude::*;

const DENOMS: [&str; 2] = ["ucons", "uatom"];

#[derive(Clone, Debug)]
enum Op {
    Deposit {
        denom: usize,
        amount: u128,
    },
    Blocks(u64),
    /// Settles the in-flight transfer at this index (modulo their number).
    Settle {
        index: usize,
        result: u8,
    },
    /// This chain refuses the transfers of the next transmission (e.g. a closed channel).
    RefuseNextTransfers,
    Halt,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..DENOMS.len(), 1u128..1_000_000).prop_map(|(denom, amount)| Op::Deposit { denom, amount }),
        3 => (1u64..8).prop_map(Op::Blocks),
        3 => (0usize..8, 0u8..3).prop_map(|(index, result)| Op::Settle { index, result }),
        1 => Just(Op::RefuseNextTransfers),
        1 => Just(Op::Halt),
    ]
}

/// Amounts per denom.
type Ledger = BTreeMap<&'static str, u128>;

fn amount_of(amount: Uint256) -> u128 {
    cosmwasm_std::Uint128::try_from(amount).unwrap().u128()
}

fn denom_of(name: &str) -> &'static str {
    DENOMS
        .into_iter()
        .find(|d| *d == name)
        .expect("a reward denom")
}

struct Model {
    deps: Deps,
    height: u64,
    fraction: Decimal,
    deposited: Ledger,
    pool: Ledger,
    redistributed: Ledger,
    received: Ledger,
    /// Refunded to the pool, owed to the provider whole (never split again).
    owed: Ledger,
    in_flight: Vec<Transfer>,
    refuse_next: bool,
    halted: bool,
    sequence: u64,
}

impl Model {
    fn new(blocks: u64, fraction: Decimal) -> Self {
        let mut deps = rewards_setup();
        let mut s = settings(&DENOMS);
        s.blocks_per_distribution_transmission = Some(blocks);
        s.consumer_redistribution_fraction = Some(fraction);
        configure_rewards(&mut deps, env_at(GENESIS_HEIGHT, GENESIS_TIME), &admin(), s).unwrap();
        open_channel(&mut deps);
        Model {
            deps,
            height: GENESIS_HEIGHT,
            fraction,
            deposited: Ledger::new(),
            pool: Ledger::new(),
            redistributed: Ledger::new(),
            received: Ledger::new(),
            owed: Ledger::new(),
            in_flight: vec![],
            refuse_next: false,
            halted: false,
            sequence: 0,
        }
    }

    fn sync_pool(&mut self) {
        let coins: Vec<(&str, u128)> = self.pool.iter().map(|(d, a)| (*d, *a)).collect();
        set_pool(&mut self.deps, &coins);
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::Deposit { denom, amount } => {
                let denom = DENOMS[denom];
                let funds = [cosmwasm_std::Coin::new(amount, denom)];
                deposit_rewards(
                    &mut self.deps,
                    &cosmwasm_std::Addr::unchecked("fees"),
                    &funds,
                )
                .unwrap();
                *self.deposited.entry(denom).or_default() += amount;
                *self.pool.entry(denom).or_default() += amount;
            }
            Op::Blocks(n) => {
                for _ in 0..n {
                    self.block();
                }
            }
            Op::Settle { index, result } => {
                if self.in_flight.is_empty() {
                    return;
                }
                let transfer = self.in_flight.remove(index % self.in_flight.len());
                let denom = denom_of(&transfer.amount.denom);
                let amount = amount_of(transfer.amount.amount);
                self.sequence += 1;
                let packet = transfer_packet(&transfer, denom, self.sequence);
                let result = match result {
                    0 => {
                        *self.received.entry(denom).or_default() += amount;
                        TransferResult::Ack
                    }
                    1 => TransferResult::ErrorAck("refused"),
                    _ => TransferResult::Timeout,
                };
                if !matches!(result, TransferResult::Ack) {
                    *self.pool.entry(denom).or_default() += amount; // the ICS-20 refund
                    *self.owed.entry(denom).or_default() += amount;
                }
                source_callback(&mut self.deps, packet, result).unwrap();
            }
            Op::RefuseNextTransfers => self.refuse_next = true,
            Op::Halt => {
                if !self.halted {
                    close_confirm(&mut self.deps, CHANNEL).unwrap();
                    self.halted = true;
                }
            }
        }
    }

    /// One block: begin_block, then the bank and the ICS-20 module carry out its messages.
    fn block(&mut self) {
        self.height += 1;
        self.sync_pool();
        let before = self.pool.clone();
        let response = block(&mut self.deps, self.height);
        let sent = reward_messages(&response.messages);
        let transmitted = !sent.payments.is_empty() || !sent.transfers.is_empty();
        let round = response.events.iter().any(|e| e.ty == "rewards_round");
        // What the pool owed the provider went out in this transmission's transfers (or, halted,
        // is left to the consumer chain).
        let owed = if round {
            std::mem::take(&mut self.owed)
        } else {
            Ledger::new()
        };
        for (to, coin) in sent.payments {
            assert_eq!(to, redistribution().to_string());
            let denom = denom_of(&coin.denom);
            let amount = amount_of(coin.amount);
            let owed = owed.get(denom).copied().unwrap_or(0).min(before[denom]);
            let (expected, _) = split(Uint256::from(before[denom] - owed), self.fraction).unwrap();
            assert_eq!(
                Uint256::from(amount),
                expected,
                "the consumer's part of {denom}"
            );
            let pool = self.pool.get_mut(denom).unwrap();
            *pool = pool.checked_sub(amount).expect("pays only what it has");
            *self.redistributed.entry(denom).or_default() += amount;
        }
        assert!(
            !self.halted || sent.transfers.is_empty(),
            "a halted consumer sends nothing"
        );
        for transfer in sent.transfers {
            let denom = denom_of(&transfer.amount.denom);
            if self.refuse_next {
                #[allow(deprecated)]
                let refused = Reply {
                    id: 2,
                    payload: denom.as_bytes().to_vec().into(),
                    gas_used: 0,
                    result: SubMsgResult::Err("channel closed".to_string()),
                };
                reply(self.deps.as_mut(), env_at(self.height, 0), refused).unwrap();
                *self.owed.entry(denom).or_default() += amount_of(transfer.amount.amount);
                continue;
            }
            let amount = amount_of(transfer.amount.amount);
            let pool = self.pool.get_mut(denom).unwrap();
            *pool = pool.checked_sub(amount).expect("sends only what it has");
            self.in_flight.push(transfer);
        }
        if transmitted {
            if !self.halted && !self.refuse_next {
                assert!(
                    self.pool.values().all(|a| *a == 0),
                    "the pool went out whole"
                );
            }
            self.refuse_next = false;
        }
    }

    fn check_conservation(&self) {
        for denom in DENOMS {
            let get = |ledger: &Ledger| ledger.get(denom).copied().unwrap_or(0);
            let in_flight: u128 = self
                .in_flight
                .iter()
                .filter(|t| t.amount.denom == denom)
                .map(|t| amount_of(t.amount.amount))
                .sum();
            assert_eq!(
                get(&self.deposited),
                get(&self.redistributed) + get(&self.received) + in_flight + get(&self.pool),
                "{denom}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn rewards_are_conserved(
        blocks in 1u64..5,
        permille in 0u64..=1_000,
        ops in prop::collection::vec(op(), 1..40),
    ) {
        let mut model = Model::new(blocks, Decimal::permille(permille));
        for op in &ops {
            model.apply(op);
            model.check_conservation();
        }
        // Everything in flight settles; what comes back goes out at the next transmissions.
        while !model.in_flight.is_empty() {
            model.apply(&Op::Settle { index: 0, result: 2 });
        }
        model.apply(&Op::Blocks(blocks));
        model.check_conservation();
    }
}
