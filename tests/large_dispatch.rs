//! Dispatch by name on a workflow of more than 64 states, which the
//! generator dispatches through per-state functions and a table of moves
//! (the reference workflows, all small, go through one nested `match`):
//! both must behave as the typed methods do.

use std::time::{Duration, SystemTime};

use turnstile::{Dispatch, Why, Workflow};

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/long_road.toml")]
/// The data of the long road.
pub struct Road {
    ok: bool,
    to_thirty: bool,
}

impl long_road::Guards for Road {
    fn ok(&self) -> bool {
        self.ok
    }
}

impl long_road::Outcomes for Road {
    fn decide(&self) -> long_road::choice::Decide {
        if self.to_thirty {
            long_road::choice::Decide::S30
        } else {
            long_road::choice::Decide::S21
        }
    }
}

const T0: SystemTime = SystemTime::UNIX_EPOCH;

fn fire(current: long_road::Current, event: &str, now: SystemTime) -> long_road::Current {
    match current.fire(event, now) {
        Ok(next) => next,
        Err(refused) => panic!("`{event}` refused: {}", refused.why()),
    }
}

#[test]
fn the_whole_road_by_name_matches_the_definition() {
    assert!(<Road as Workflow>::STATES.len() > 64, "the large path");
    let mut current = long_road::Current::from(long_road::Machine::new(
        Road {
            ok: false,
            to_thirty: false,
        },
        T0,
    ));
    let mut now = T0;
    for i in 0..69 {
        assert_eq!(current.state(), format!("s{i}"));
        assert_eq!(current.index(), i);
        let event = match i {
            10 => {
                // The guard refuses, and the machine comes back where it was.
                let refused = current.fire("approve", now).expect_err("guard");
                assert!(matches!(refused.why(), Why::Guard(r) if r.guard() == Some("ok")));
                current = refused.into_inner();
                assert_eq!(current.state(), "s10");
                current.data_mut().ok = true;
                "approve"
            }
            20 => "decide",
            40 => {
                let refused = current.fire("wait", now).expect_err("too early");
                assert!(matches!(refused.why(), Why::NotYet(_)));
                current = refused.into_inner();
                now += Duration::from_secs(3600);
                "wait"
            }
            _ => "next",
        };
        // `back` goes back where the definition has it, and `next` (a
        // move through the table) returns.
        if i > 0 && ![10, 11, 20, 21, 30, 40, 41].contains(&i) {
            current = fire(current, "back", now);
            assert_eq!(current.state(), format!("s{}", i - 1));
            current = fire(current, "next", now);
            assert_eq!(current.state(), format!("s{i}"));
        }
        current = fire(current, event, now);
    }
    assert_eq!(current.state(), "s69");
    assert_eq!(current.allowed(), &[] as &[&str]);
}

#[test]
fn refusals_name_what_is_allowed_and_what_is_close() {
    let road = Road {
        ok: true,
        to_thirty: true,
    };
    let current = long_road::Current::from(long_road::Machine::new(road, T0));
    let refused = current.fire("back", T0).expect_err("not from s0");
    match refused.why() {
        Why::NotAllowed { state, allowed, .. } => {
            assert_eq!(*state, "s0");
            assert_eq!(*allowed, &["next"]);
        }
        other => panic!("unexpected: {other}"),
    }
    let current = refused.into_inner();
    let refused = current.fire("nxt", T0).expect_err("no such event");
    assert!(
        matches!(
            refused.why(),
            Why::UnknownEvent {
                suggestion: Some("next"),
                ..
            }
        ),
        "{}",
        refused.why()
    );
    assert_eq!(refused.into_inner().state(), "s0");
}

#[test]
fn every_state_resumes_by_name_and_converts_both_ways() {
    for (i, name) in <Road as Workflow>::STATES.iter().enumerate() {
        let road = Road {
            ok: true,
            to_thirty: false,
        };
        let current = <Road as Dispatch>::resume(name, road, T0)
            .ok()
            .expect("a state");
        assert_eq!(current.state(), *name);
        assert_eq!(current.index(), i);
        // Into the typed machine of that state only.
        let current = match long_road::Machine::<long_road::state::S0>::try_from(current) {
            Ok(machine) => {
                assert_eq!(i, 0);
                long_road::Current::from(machine)
            }
            Err(current) => current,
        };
        assert_eq!(current.state(), *name);
    }
    let road = Road {
        ok: true,
        to_thirty: false,
    };
    assert!(<Road as Dispatch>::resume("s70", road, T0).is_err());
}

#[test]
fn a_branch_by_name_takes_the_outcome_the_data_decides() {
    let resume = |to_thirty| {
        let road = Road {
            ok: true,
            to_thirty,
        };
        <Road as Dispatch>::resume("s20", road, T0)
            .ok()
            .expect("s20")
    };
    assert_eq!(fire(resume(false), "decide", T0).state(), "s21");
    assert_eq!(fire(resume(true), "decide", T0).state(), "s30");
}

/// The chain of `perf/compile_time.py` at 70 states: 205 events.
#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/many_events.toml")]
pub struct Chain;

#[test]
fn every_event_converts_by_name_and_index() {
    let names = <Chain as Workflow>::EVENTS;
    assert_eq!(names.len(), 205);
    assert_eq!(many_events::Event::COUNT, names.len());
    let all: Vec<many_events::Event> = many_events::Event::all().collect();
    assert_eq!(all.len(), names.len());
    for (i, name) in names.iter().enumerate() {
        let event = many_events::Event::from_name(name).expect("known");
        assert_eq!(event.as_str(), *name);
        assert_eq!(event as usize, i);
        assert_eq!(many_events::Event::from_index(i), Some(event));
        assert_eq!(all[i], event);
    }
    assert_eq!(many_events::Event::from_index(names.len()), None);
    assert_eq!(many_events::Event::from_name("next_0"), None);
    assert_eq!(many_events::Event::from_name("next_70"), None);
}

#[test]
fn the_chain_walks_by_name_forward_and_back() {
    let mut current = many_events::Current::from(many_events::Machine::new(Chain));
    for i in 1..70 {
        assert_eq!(current.state(), format!("s{i}"));
        if i > 1 {
            current = fire_chain(current, &format!("back_{i}"));
            current = fire_chain(current, &format!("next_{}", i - 1));
        }
        // An event of another state is refused, and the machine comes back.
        let elsewhere = if i < 69 {
            format!("next_{}", i + 1)
        } else {
            "back_68".to_string()
        };
        let refused = current.fire(&elsewhere, T0).expect_err("not here");
        assert!(matches!(refused.why(), Why::NotAllowed { .. }));
        current = fire_chain(refused.into_inner(), &format!("next_{i}"));
    }
    assert_eq!(current.state(), "s70");
}

fn fire_chain(current: many_events::Current, event: &str) -> many_events::Current {
    match current.fire(event, T0) {
        Ok(next) => next,
        Err(refused) => panic!("`{event}` refused: {}", refused.why()),
    }
}
