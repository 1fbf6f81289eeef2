//! Wall time (divan): `cargo bench -p turnstile-perf --bench walk`.
//!
//! - `walk`: the ten-step typed walk, turnstile's typed methods against the
//!   same typestate by hand and an enum with `match`.
//! - `dispatch`: a stream of 1,000 events (resolve, reopen, …) fired at a
//!   machine that holds its state at run time: turnstile by `Event` value and
//!   by name, the enum with `match`, rust-fsm, smlang and statig. divan
//!   reports events per second (`item/s`).
//!
//! Figures in docs/performance.md.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::SystemTime;

use divan::counter::ItemsCount;
use divan::Bencher;
use turnstile_perf::{enum_match, fsm, hand, sml, statig_ticket, ticket, Ticket};

fn main() {
    divan::main();
}

const EVENTS: usize = 1_000;

mod walk {
    use super::*;

    #[divan::bench]
    fn turnstile_typed() -> Ticket {
        turnstile_perf::turnstile_walk(black_box(Ticket { id: 7 }))
    }

    #[divan::bench]
    fn hand_typestate() -> Ticket {
        hand::walk(black_box(Ticket { id: 7 }))
    }

    #[divan::bench]
    fn enum_with_match() -> Ticket {
        enum_match::walk(black_box(Ticket { id: 7 }))
    }
}

mod dispatch {
    use super::*;

    /// A turnstile machine in `in_progress`.
    fn in_progress() -> ticket::Current {
        ticket::Current::from(ticket::Machine::new(Ticket { id: 7 }).assign().start())
    }

    #[divan::bench]
    fn turnstile_by_event(bencher: Bencher) {
        let events = [ticket::Event::Resolve, ticket::Event::Reopen];
        let now = SystemTime::UNIX_EPOCH;
        bencher
            .counter(ItemsCount::new(EVENTS))
            .with_inputs(in_progress)
            .bench_local_values(|mut current| {
                for i in 0..EVENTS {
                    current = match current.fire_event(black_box(events[i % 2]), now) {
                        Ok(next) => next,
                        Err(refused) => refused.into_inner(),
                    };
                }
                current
            });
    }

    #[divan::bench]
    fn turnstile_by_name(bencher: Bencher) {
        let now = SystemTime::UNIX_EPOCH;
        bencher
            .counter(ItemsCount::new(EVENTS))
            .with_inputs(in_progress)
            .bench_local_values(|mut current| {
                for i in 0..EVENTS {
                    current = match current.fire(black_box(turnstile_perf::LOOP[i % 2]), now) {
                        Ok(next) => next,
                        Err(refused) => refused.into_inner(),
                    };
                }
                current
            });
    }

    #[divan::bench]
    fn enum_with_match(bencher: Bencher) {
        let events = [enum_match::Event::Resolve, enum_match::Event::Reopen];
        bencher
            .counter(ItemsCount::new(EVENTS))
            .with_inputs(|| {
                let mut m = enum_match::Machine::new(Ticket { id: 7 });
                let _ = m.fire(enum_match::Event::Assign);
                let _ = m.fire(enum_match::Event::Start);
                m
            })
            .bench_local_refs(|m| {
                for i in 0..EVENTS {
                    let _ = black_box(m.fire(black_box(events[i % 2])));
                }
            });
    }

    #[divan::bench]
    fn rust_fsm(bencher: Bencher) {
        let events = [fsm::Input::Resolve, fsm::Input::Reopen];
        bencher
            .counter(ItemsCount::new(EVENTS))
            .with_inputs(|| {
                let mut m = fsm::StateMachine::new();
                let _ = m.consume(&fsm::Input::Assign);
                let _ = m.consume(&fsm::Input::Start);
                m
            })
            .bench_local_refs(|m| {
                for i in 0..EVENTS {
                    let _ = black_box(m.consume(black_box(&events[i % 2])));
                }
            });
    }

    #[divan::bench]
    fn smlang(bencher: Bencher) {
        let events = [sml::Events::Resolve, sml::Events::Reopen];
        bencher
            .counter(ItemsCount::new(EVENTS))
            .with_inputs(|| {
                let mut m = sml::StateMachine::new(sml::Context);
                let _ = m.process_event(sml::Events::Assign);
                let _ = m.process_event(sml::Events::Start);
                m
            })
            .bench_local_refs(|m| {
                for i in 0..EVENTS {
                    let _ = black_box(m.process_event(black_box(events[i % 2])).is_ok());
                }
            });
    }

    #[divan::bench]
    fn statig(bencher: Bencher) {
        use statig::prelude::*;
        let events = [statig_ticket::Event::Resolve, statig_ticket::Event::Reopen];
        bencher
            .counter(ItemsCount::new(EVENTS))
            .with_inputs(|| {
                let mut m = statig_ticket::Ticket.state_machine();
                m.handle(&statig_ticket::Event::Assign);
                m.handle(&statig_ticket::Event::Start);
                m
            })
            .bench_local_refs(|m| {
                for i in 0..EVENTS {
                    m.handle(black_box(&events[i % 2]));
                }
            });
    }
}
