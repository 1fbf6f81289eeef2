//! The checker against brute force: random small definitions and random
//! properties, each judged by `prove` and by enumerating every run up to a
//! length that covers every simple path (concrete steps at concrete
//! instants: each person's event at its `not_before` and just before the
//! state's timer, each timer at its instant, each branch outcome). The two
//! verdicts agree, and every counterexample the checker gives is a run the
//! enumeration accepts step by step and that breaks the property.

use std::time::Duration;

use proptest::prelude::*;
use turnstile_spec::prove::{prove, Run, RunEnd, Verdict};
use turnstile_spec::{check, Claim, GuardId, SourceFile, StateId, Workflow};

const MS: Duration = Duration::from_millis(1);

/// One transition of a generated definition.
#[derive(Debug, Clone)]
struct T {
    from: usize,
    to: Vec<usize>,
    /// 0: none; 1–3: `after` that many hours; 4–6: `not_before` 1–3 hours.
    timer: u8,
    guarded: bool,
    role: Option<usize>,
}

fn definition(n: usize, final_last: bool, chain: &[u8], ts: &[T], property: &str) -> String {
    let mut out = String::from("[workflow]\nname = \"w\"\ninitial = \"s0\"\n[capabilities.c]\n");
    // Declared only where used: an unused one is an error (T009, T022).
    let timed = |t: &T| (1..=3).contains(&t.timer);
    if ts.iter().any(|t| t.guarded && !timed(t)) || chain[..n - 1].iter().any(|c| c % 4 == 1) {
        out.push_str("[guards.g]\n");
    }
    for r in 0..2 {
        if ts.iter().any(|t| t.role == Some(r) && !timed(t)) {
            out.push_str(&format!("[roles.r{r}]\n"));
        }
    }
    for i in 0..n {
        out.push_str(&format!("[states.s{i}]\n"));
        if i % 2 == 0 {
            out.push_str("permits = \"c\"\n");
        }
        if final_last && i == n - 1 {
            out.push_str("final = true\n");
        }
    }
    // A chain s0 → s1 → … keeps every state reachable and able to finish;
    // its steps are guarded, timed or waiting as `chain` says.
    for (i, kind) in chain.iter().enumerate().take(n - 1) {
        out.push_str(&format!(
            "[[transitions]]\nevent = \"c{i}\"\nfrom = \"s{i}\"\nto = \"s{}\"\n",
            i + 1
        ));
        match kind % 4 {
            1 => out.push_str("guard = \"g\"\n"),
            2 => out.push_str("after = \"2h\"\n"),
            3 => out.push_str("not_before = \"30m\"\n"),
            _ => {}
        }
    }
    for (k, t) in ts.iter().enumerate() {
        let to: Vec<String> = t.to.iter().map(|s| format!("\"s{s}\"")).collect();
        out.push_str(&format!(
            "[[transitions]]\nevent = \"e{k}\"\nfrom = \"s{}\"\nto = [{}]\n",
            t.from,
            to.join(", ")
        ));
        match t.timer {
            1..=3 => out.push_str(&format!("after = \"{}h\"\n", t.timer)),
            4..=6 => out.push_str(&format!("not_before = \"{}h\"\n", t.timer - 3)),
            _ => {}
        }
        if !timed(t) {
            if t.guarded {
                out.push_str("guard = \"g\"\n");
            }
            if let Some(r) = t.role {
                out.push_str(&format!("by = \"r{r}\"\n"));
            }
        }
    }
    out + property
}

/// A concrete move: a transition to one target, after waiting `wait` in
/// the state.
#[derive(Debug, Clone, Copy)]
struct Step {
    transition: usize,
    to: StateId,
    wait: Duration,
}

/// Every concrete move out of `s`, by the runtime's rules, written
/// directly from the definition (not from the checker's tables).
fn moves(w: &Workflow, s: StateId) -> Vec<Step> {
    let autos: Vec<(usize, Duration)> = w
        .transitions
        .iter()
        .enumerate()
        .filter(|(_, t)| t.from.contains(&s))
        .filter_map(|(i, t)| {
            t.timer
                .as_ref()
                .filter(|x| x.automatic)
                .map(|x| (i, x.after))
        })
        .collect();
    let deadline = autos.iter().map(|(_, d)| *d).min();
    let first_auto = autos
        .iter()
        .find(|(_, d)| Some(*d) == deadline)
        .map(|(i, _)| *i);
    let mut out = Vec::new();
    for (i, t) in w.transitions.iter().enumerate() {
        if !t.from.contains(&s) {
            continue;
        }
        let automatic = t.timer.as_ref().is_some_and(|x| x.automatic);
        let waits: Vec<Duration> = if automatic {
            if Some(i) == first_auto {
                vec![deadline.unwrap()]
            } else {
                vec![]
            }
        } else {
            let earliest = t.timer.as_ref().map_or(Duration::ZERO, |x| x.after);
            match deadline {
                Some(d) if earliest >= d => vec![],
                Some(d) => vec![earliest, d - MS],
                None => vec![earliest],
            }
        };
        for wait in waits {
            for to in &t.to {
                out.push(Step {
                    transition: i,
                    to: *to,
                    wait,
                });
            }
        }
    }
    out
}

/// Every run of up to `depth` steps from `start`, as lists of moves.
fn runs(w: &Workflow, start: StateId, depth: usize) -> Vec<Vec<Step>> {
    let mut all = vec![Vec::new()];
    let mut frontier = vec![Vec::new()];
    for _ in 0..depth {
        let mut next = Vec::new();
        for run in &frontier {
            let here = run.last().map_or(start, |s: &Step| s.to);
            for m in moves(w, here) {
                let mut longer = run.clone();
                longer.push(m);
                next.push(longer);
            }
        }
        all.extend(next.iter().cloned());
        frontier = next;
    }
    all
}

/// A way out of `s` that no guard outside `assuming` can refuse.
fn unguarded_way_out(w: &Workflow, s: StateId, assuming: &[GuardId]) -> bool {
    moves(w, s).iter().any(|m| {
        w.transitions[m.transition]
            .guards
            .iter()
            .all(|g| assuming.contains(g))
    })
}

fn has_timer(w: &Workflow, s: StateId) -> bool {
    moves(w, s).iter().any(|m| {
        w.transitions[m.transition]
            .timer
            .as_ref()
            .is_some_and(|x| x.automatic)
    })
}

/// Whether some enumerated run breaks the property.
fn brute_broken(w: &Workflow, claim: &Claim) -> bool {
    let n = w.states.len();
    let depth = n + 1;
    match claim {
        Claim::NeverPermits { capability, states } => states
            .iter()
            .any(|s| w.state(*s).permits.contains(capability)),
        Claim::AlwaysPermits { capability, states } => states
            .iter()
            .any(|s| !w.state(*s).permits.contains(capability)),
        Claim::Reachable { target, from } => !runs(w, *from, depth)
            .iter()
            .any(|r| !r.is_empty() && r.last().unwrap().to == *target),
        Claim::Unreachable { target, from } => runs(w, *from, depth)
            .iter()
            .any(|r| !r.is_empty() && r.last().unwrap().to == *target),
        Claim::NeverLeaves { states } => states
            .iter()
            .any(|s| moves(w, *s).iter().any(|m| !states.contains(&m.to))),
        Claim::CanLeave { states, by } => states.iter().any(|s| {
            !moves(w, *s).iter().any(|m| {
                let t = &w.transitions[m.transition];
                let auto = t.timer.as_ref().is_some_and(|x| x.automatic);
                m.to != *s
                    && (by.is_empty()
                        || (!auto && (t.by.is_empty() || t.by.iter().any(|r| by.contains(r)))))
            })
        }),
        Claim::LeftOnlyBy { states, by } => states.iter().any(|s| {
            moves(w, *s).iter().any(|m| {
                let t = &w.transitions[m.transition];
                let auto = t.timer.as_ref().is_some_and(|x| x.automatic);
                !states.contains(&m.to)
                    && (auto || t.by.is_empty() || t.by.iter().any(|r| !by.contains(r)))
            })
        }),
        Claim::OnlyAfter {
            states,
            events,
            from,
        } => {
            states.contains(from)
                || runs(w, *from, depth).iter().any(|r| {
                    r.last().is_some_and(|last| states.contains(&last.to))
                        && !r.iter().any(|m| {
                            events
                                .iter()
                                .any(|e| e == &w.transitions[m.transition].event)
                        })
                })
        }
        Claim::NeverTogether { .. } => {
            unreachable!("the generated workflows have no regions, so no such claim")
        }
        Claim::Reaches {
            from,
            goals,
            within,
            assuming,
        } => from.iter().filter(|f| !goals.contains(f)).any(|f| {
            runs(w, *f, depth).iter().any(|r| {
                // Runs that have not entered a goal (but may at their end).
                let before: Vec<StateId> =
                    std::iter::once(*f).chain(r.iter().map(|m| m.to)).collect();
                let (last, earlier) = before.split_last().unwrap();
                if earlier.iter().any(|s| goals.contains(s)) {
                    return false;
                }
                if goals.contains(last) {
                    let total: Duration = r.iter().map(|m| m.wait).sum();
                    return within.as_ref().is_some_and(|(d, _)| total > *d);
                }
                let loops = earlier.contains(last);
                let stays = match within {
                    Some(_) => !has_timer(w, *last),
                    None => !unguarded_way_out(w, *last, assuming),
                };
                loops || stays
            })
        }),
    }
}

/// The checker's run, checked step by step against the enumeration's
/// moves, and against the claim.
fn replays(w: &Workflow, claim: &Claim, run: &Run) {
    let mut here = run.start;
    let mut clock = Duration::ZERO;
    for step in &run.steps {
        assert_eq!(step.from, here);
        let wait = step.at - clock;
        assert!(
            moves(w, here)
                .iter()
                .any(|m| m.transition == step.transition.0 && m.to == step.to && m.wait == wait),
            "step {step:?} is not a move"
        );
        here = step.to;
        clock = step.at;
    }
    // Every run starts where an instance does, unless no run gets where
    // it starts (a state a timer always preempts the way into).
    assert!(
        run.start == w.initial
            || !runs(w, w.initial, w.states.len() + 1)
                .iter()
                .any(|r| r.last().is_some_and(|m| m.to == run.start)),
        "{run:?}"
    );
    let visited: Vec<StateId> = std::iter::once(run.start)
        .chain(run.steps.iter().map(|s| s.to))
        .skip(run.lead_in)
        .collect();
    // A bound counts from entering the claim's `from`: the lead-in's end.
    let entered = match run.lead_in {
        0 => Duration::ZERO,
        n => run.steps[n - 1].at,
    };
    match (claim, &run.end) {
        (Claim::Unreachable { target, .. }, _) => assert_eq!(here, *target),
        (Claim::OnlyAfter { states, .. }, _) => assert!(states.contains(&here)),
        (Claim::Reaches { goals, within, .. }, RunEnd::Here) => {
            assert!(goals.contains(&here));
            assert!(!visited[..visited.len() - 1]
                .iter()
                .any(|s| goals.contains(s)));
            assert!(clock - entered > within.as_ref().unwrap().0);
        }
        (
            Claim::Reaches {
                goals,
                within,
                assuming,
                ..
            },
            RunEnd::Stays { refusing },
        ) => {
            assert!(!goals.contains(&here));
            assert!(!refusing.iter().any(|g| assuming.contains(g)));
            match within {
                Some(_) => assert!(!has_timer(w, here)),
                None => assert!(!unguarded_way_out(w, here, assuming)),
            }
        }
        (Claim::Reaches { goals, .. }, RunEnd::Loops { from_step }) => {
            assert_eq!(run.steps[*from_step].from, here);
            assert!(!visited.iter().any(|s| goals.contains(s)));
        }
        _ => {}
    }
}

fn transition() -> impl Strategy<Value = T> {
    (
        0usize..6,
        prop::collection::vec(0usize..6, 1..3),
        0u8..7,
        any::<bool>(),
        prop::option::of(0usize..2),
    )
        .prop_map(|(from, mut to, timer, guarded, role)| {
            to.sort_unstable();
            to.dedup();
            T {
                from,
                to,
                timer,
                guarded,
                role,
            }
        })
}

fn property(n: usize) -> impl Strategy<Value = String> {
    let s = move || (0..n).prop_map(|i| format!("\"s{i}\""));
    let list = move || {
        prop::collection::vec(0..n, 1..3).prop_map(|v| {
            let mut v = v;
            v.sort_unstable();
            v.dedup();
            v.iter()
                .map(|i| format!("\"s{i}\""))
                .collect::<Vec<_>>()
                .join(", ")
        })
    };
    prop_oneof![
        (list()).prop_map(|l| format!("[properties.p]\nnever_permits = \"c\"\nin = [{l}]\n")),
        (list()).prop_map(|l| format!("[properties.p]\nalways_permits = \"c\"\nin = [{l}]\n")),
        (s(), s()).prop_map(|(a, b)| format!("[properties.p]\nreachable = {a}\nfrom = {b}\n")),
        (s(), s()).prop_map(|(a, b)| format!("[properties.p]\nunreachable = {a}\nfrom = {b}\n")),
        (list()).prop_map(|l| format!("[properties.p]\nnever_leaves = [{l}]\n")),
        (list(), list(), any::<bool>()).prop_map(|(g, f, assume)| {
            // `g` is declared whenever a transition is guarded.
            let assuming = if assume { "assuming = \"g\"\n" } else { "" };
            format!("[properties.p]\nreaches = [{g}]\nfrom = [{f}]\n{assuming}")
        }),
        (list(), list(), 1u8..8, any::<bool>()).prop_map(|(g, f, h, less)| {
            // A whole number of hours, or a millisecond less: a person's
            // step comes a millisecond before the timer.
            let within = if less {
                format!("{}m 59s 999ms", u32::from(h) * 60 - 1)
            } else {
                format!("{h}h")
            };
            format!("[properties.p]\nreaches = [{g}]\nfrom = [{f}]\nwithin = \"{within}\"\n")
        }),
        (list(), prop::option::of(0usize..2)).prop_map(|(l, r)| match r {
            Some(r) => format!("[properties.p]\ncan_leave = [{l}]\nby = \"r{r}\"\n"),
            None => format!("[properties.p]\ncan_leave = [{l}]\n"),
        }),
        (list(), 0usize..2)
            .prop_map(|(l, r)| format!("[properties.p]\nleft_only_by = [{l}]\nby = \"r{r}\"\n")),
        (list(), 0usize..3, s()).prop_map(|(l, e, f)| format!(
            "[properties.p]\nenters = [{l}]\nonly_after = \"e{e}\"\nfrom = {f}\n"
        )),
    ]
}

fn case() -> impl Strategy<Value = String> {
    (3usize..6, any::<bool>()).prop_flat_map(|(n, final_last)| {
        (
            prop::collection::vec(transition(), 0..6),
            prop::collection::vec(any::<u8>(), 6),
            property(n),
        )
            .prop_map(move |(ts, chain, p)| {
                let ts: Vec<T> = ts
                    .into_iter()
                    .map(|mut t| {
                        t.from %= n;
                        for to in &mut t.to {
                            *to %= n;
                        }
                        t.to.sort_unstable();
                        t.to.dedup();
                        t
                    })
                    .filter(|t| !(final_last && t.from == n - 1))
                    .collect();
                definition(n, final_last, &chain, &ts, &p)
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn the_checker_agrees_with_brute_force(text in case()) {
        let checked = check(&SourceFile::new("w.toml", text.clone()));
        // Only definitions the validator accepts are proved.
        let w = checked.proved_model();
        prop_assume!(w.is_some());
        let w = w.expect("a model").clone();
        prop_assume!(w.properties.len() == 1);
        let verdict = &prove(&w)[0];
        let claim = &w.properties[0].claim;
        let brute = brute_broken(&w, claim);
        prop_assert_eq!(brute, *verdict != Verdict::Holds, "{}\n{:?}", text, verdict);
        if let Verdict::Broken { run: Some(run), .. } = verdict {
            replays(&w, claim, run);
        }
    }
}
