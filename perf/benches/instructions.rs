//! Instruction counts (gungraun, on Callgrind): `cargo bench -p
//! turnstile-perf --bench instructions` (needs valgrind and
//! `cargo install gungraun-runner --version 0.20.0`).
//!
//! The same work as `walk.rs`: the ten-step typed walk three ways, and
//! 1,000 events fired at each run-time machine (instructions per event =
//! the count / 1,000). The machines are built by `setup` functions, which
//! are not counted. Figures in docs/performance.md.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::SystemTime;

use gungraun::{library_benchmark, library_benchmark_group, main};
use turnstile_perf::{enum_match, fsm, hand, sml, statig_ticket, ticket, Ticket};

const EVENTS: usize = 1_000;

#[library_benchmark]
fn walk_turnstile_typed() -> Ticket {
    black_box(turnstile_perf::turnstile_walk(black_box(Ticket { id: 7 })))
}

#[library_benchmark]
fn walk_hand_typestate() -> Ticket {
    black_box(hand::walk(black_box(Ticket { id: 7 })))
}

#[library_benchmark]
fn walk_enum_with_match() -> Ticket {
    black_box(enum_match::walk(black_box(Ticket { id: 7 })))
}

library_benchmark_group!(
    name = walk;
    benchmarks = walk_turnstile_typed, walk_hand_typestate, walk_enum_with_match
);

fn turnstile_in_progress() -> ticket::Current {
    ticket::Current::from(ticket::Machine::new(Ticket { id: 7 }).assign().start())
}

#[library_benchmark]
#[bench::events(setup = turnstile_in_progress)]
fn dispatch_turnstile_by_event(mut current: ticket::Current) -> ticket::Current {
    let events = [ticket::Event::Resolve, ticket::Event::Reopen];
    let now = SystemTime::UNIX_EPOCH;
    for i in 0..EVENTS {
        current = match current.fire_event(black_box(events[i % 2]), now) {
            Ok(next) => next,
            Err(refused) => refused.into_inner(),
        };
    }
    black_box(current)
}

#[library_benchmark]
#[bench::events(setup = turnstile_in_progress)]
fn dispatch_turnstile_by_name(mut current: ticket::Current) -> ticket::Current {
    let now = SystemTime::UNIX_EPOCH;
    for i in 0..EVENTS {
        current = match current.fire(black_box(turnstile_perf::LOOP[i % 2]), now) {
            Ok(next) => next,
            Err(refused) => refused.into_inner(),
        };
    }
    black_box(current)
}

fn enum_in_progress() -> enum_match::Machine {
    let mut m = enum_match::Machine::new(Ticket { id: 7 });
    let _ = m.fire(enum_match::Event::Assign);
    let _ = m.fire(enum_match::Event::Start);
    m
}

#[library_benchmark]
#[bench::events(setup = enum_in_progress)]
fn dispatch_enum_with_match(mut m: enum_match::Machine) -> enum_match::Machine {
    let events = [enum_match::Event::Resolve, enum_match::Event::Reopen];
    for i in 0..EVENTS {
        let _ = black_box(m.fire(black_box(events[i % 2])));
    }
    black_box(m)
}

fn fsm_in_progress() -> fsm::StateMachine {
    let mut m = fsm::StateMachine::new();
    let _ = m.consume(&fsm::Input::Assign);
    let _ = m.consume(&fsm::Input::Start);
    m
}

#[library_benchmark]
#[bench::events(setup = fsm_in_progress)]
fn dispatch_rust_fsm(mut m: fsm::StateMachine) -> fsm::StateMachine {
    let events = [fsm::Input::Resolve, fsm::Input::Reopen];
    for i in 0..EVENTS {
        let _ = black_box(m.consume(black_box(&events[i % 2])));
    }
    black_box(m)
}

fn sml_in_progress() -> sml::StateMachine<sml::Context> {
    let mut m = sml::StateMachine::new(sml::Context);
    let _ = m.process_event(sml::Events::Assign);
    let _ = m.process_event(sml::Events::Start);
    m
}

#[library_benchmark]
#[bench::events(setup = sml_in_progress)]
fn dispatch_smlang(mut m: sml::StateMachine<sml::Context>) -> sml::StateMachine<sml::Context> {
    let events = [sml::Events::Resolve, sml::Events::Reopen];
    for i in 0..EVENTS {
        let _ = black_box(m.process_event(black_box(events[i % 2])).is_ok());
    }
    black_box(m)
}

fn statig_in_progress() -> statig::blocking::StateMachine<statig_ticket::Ticket> {
    use statig::prelude::*;
    let mut m = statig_ticket::Ticket.state_machine();
    m.handle(&statig_ticket::Event::Assign);
    m.handle(&statig_ticket::Event::Start);
    m
}

#[library_benchmark]
#[bench::events(setup = statig_in_progress)]
fn dispatch_statig(
    mut m: statig::blocking::StateMachine<statig_ticket::Ticket>,
) -> statig::blocking::StateMachine<statig_ticket::Ticket> {
    let events = [statig_ticket::Event::Resolve, statig_ticket::Event::Reopen];
    for i in 0..EVENTS {
        m.handle(black_box(&events[i % 2]));
    }
    black_box(m)
}

library_benchmark_group!(
    name = dispatch;
    benchmarks = dispatch_turnstile_by_event, dispatch_turnstile_by_name, dispatch_enum_with_match,
        dispatch_rust_fsm, dispatch_smlang, dispatch_statig
);

main!(library_benchmark_groups = walk, dispatch);
