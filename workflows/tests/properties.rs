//! The checker's counterexamples, replayed through the real machines.
//!
//! For each reference workflow, promises that cannot all hold are added to
//! its definition (every state unreachable; every state entered only after
//! each event; the final states reached within 1 ms; every state left only
//! by a role it does not name), the checker (`turnstile_spec::prove`) is
//! asked for the run that breaks each, and that run is played through
//! `turnstile::Instance` on the workflow's generated machine: each step's
//! event fired by name, at its instant, by an actor holding its role, with
//! the guards it names holding and the outcome it names taken. The machine
//! must go exactly where the run says, and the end of the run must break
//! the promise (the state forbidden is entered, the bound passed, the loop
//! closed, nothing left to move it on).

mod scripted;

use std::time::{Duration, SystemTime};

use scripted::{
    account_upgrade_sim, partner_association_sim, phone_change_sim, service_closing_sim,
    sign_up_sim, Scripted,
};
use turnstile::{Actor, Instance};
use turnstile_spec::prove::{prove, Run, RunEnd, Verdict};
use turnstile_spec::{check, Claim, SourceFile, Workflow as Model};

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_510_800)
}

/// The definition of `file` with `extra` properties appended, checked:
/// the model (valid but for broken properties).
fn model_with(file: &str, extra: &str) -> Model {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/");
    let text = std::fs::read_to_string(format!("{path}{file}")).unwrap() + extra;
    let checked = check(&SourceFile::new(file, text));
    checked
        .proved_model()
        .unwrap_or_else(|| panic!("{file}: {:?}", checked.diagnostics))
        .clone()
}

/// Plays `steps` of `run` on `instance`, each `shift` later than the run
/// says; checks every step lands where the run says.
fn play<W: Scripted>(
    model: &Model,
    mut instance: Instance<W>,
    run: &Run,
    steps: std::ops::Range<usize>,
    shift: Duration,
    what: &str,
) -> Instance<W> {
    for step in &run.steps[steps] {
        let t = model.transition(step.transition);
        let outcome = t.to.iter().position(|s| *s == step.to).unwrap();
        instance.data_mut().script(Vec::new(), outcome);
        let role = step.role.map(|r| model.role(r).name.as_str());
        let roles: Vec<&str> = role.into_iter().collect();
        let before = instance.trail().len();
        let at = t0() + step.at + shift;
        instance = match instance.fire_with(
            t.event.as_str(),
            W::payload(t.event.as_str()),
            Actor::new("replay").with_roles(&roles),
            at,
        ) {
            Ok(next) => next,
            Err(refused) => panic!("{what}: `{}` at {:?} refused: {refused}", t.event, step.at),
        };
        assert_eq!(
            instance.trail().len(),
            before + 1,
            "{what}: a timer fell due before `{}`",
            t.event
        );
        let last = instance.trail().last().unwrap();
        assert_eq!(last.event, t.event.as_str(), "{what}");
        assert_eq!(last.at, at, "{what}: `{}`", t.event);
        assert_eq!(
            instance.state(),
            model.state(step.to).name.as_str(),
            "{what}"
        );
    }
    instance
}

/// Replays the run that breaks `property` and checks that it breaks it;
/// the number of steps played.
fn replay<W: Scripted>(model: &Model, index: usize, run: &Run) -> usize {
    let property = &model.properties[index];
    let what = format!("{}: {}", model.name, property.name);
    // Every run starts where a new instance does.
    assert_eq!(run.start, model.initial, "{what}");
    let instance = Instance::<W>::start(W::default(), t0());
    let instance = play(
        model,
        instance,
        run,
        0..run.steps.len(),
        Duration::ZERO,
        &what,
    );
    let here = model.state_named(instance.state()).unwrap();
    let entered: Vec<_> = std::iter::once(run.start)
        .chain(run.steps.iter().map(|s| s.to))
        .collect();
    match &property.claim {
        Claim::Unreachable { target, .. } => assert_eq!(here, *target, "{what}"),
        Claim::OnlyAfter { states, events, .. } => {
            assert!(states.contains(&here), "{what}");
            assert!(
                !instance
                    .trail()
                    .iter()
                    .any(|s| events.iter().any(|e| e.as_str() == s.event)),
                "{what}: one of the events came first"
            );
        }
        Claim::LeftOnlyBy { states, by } => {
            let last = instance.trail().last().expect("a step out");
            assert!(!states.contains(&here), "{what}");
            let role = last.role.as_deref();
            assert!(
                role.is_none_or(|r| !by.iter().any(|b| model.role(*b).name.as_str() == r)),
                "{what}: {role:?} is one of the roles"
            );
        }
        Claim::Reaches { goals, within, .. } => {
            // The claim's own run: from where the lead-in left it.
            let own = &entered[run.lead_in..];
            assert!(
                !own.iter().take(own.len() - 1).any(|s| goals.contains(s)),
                "{what}: a goal came earlier"
            );
            let entered_at = match run.lead_in {
                0 => t0(),
                n => t0() + run.steps[n - 1].at,
            };
            match &run.end {
                RunEnd::Here => {
                    let (bound, _) = within.as_ref().expect("a bound");
                    assert!(goals.contains(&here), "{what}");
                    assert!(
                        instance.trail().last().unwrap().at > entered_at + *bound,
                        "{what}: arrived in time"
                    );
                }
                RunEnd::Stays { refusing } if refusing.is_empty() => {
                    assert!(!goals.contains(&here), "{what}");
                    if within.is_some() {
                        assert!(instance.next_due().is_none(), "{what}: a timer moves it");
                    } else {
                        assert!(instance.allowed().is_empty(), "{what}: it can be moved");
                    }
                }
                RunEnd::Stays { refusing } => {
                    // Every way out is refused with those guards failing.
                    let mut instance = instance;
                    for event in instance.allowed().to_vec() {
                        instance.data_mut().script(
                            refusing
                                .iter()
                                .map(|g| model.guard(*g).name.to_string())
                                .collect(),
                            0,
                        );
                        let roles: Vec<&str> = model
                            .transitions
                            .iter()
                            .filter(|t| t.event.as_str() == event)
                            .flat_map(|t| t.by.iter().map(|r| model.role(*r).name.as_str()))
                            .collect();
                        let at = instance.entered_at() + Duration::from_secs(400 * 86_400);
                        match instance.fire_with(
                            event,
                            W::payload(event),
                            Actor::new("replay").with_roles(&roles),
                            at,
                        ) {
                            Ok(_) => panic!("{what}: `{event}` leaves"),
                            Err(refused) => instance = refused.into_inner(),
                        }
                    }
                }
                RunEnd::Loops { from_step } => {
                    // Round the loop once more: back where it closed.
                    let loop_start = run.steps[*from_step].from;
                    assert_eq!(here, loop_start, "{what}: the loop does not close");
                    let before = if *from_step == 0 {
                        Duration::ZERO
                    } else {
                        run.steps[from_step - 1].at
                    };
                    let shift = run.steps.last().unwrap().at - before;
                    let again = play(
                        model,
                        instance,
                        run,
                        *from_step..run.steps.len(),
                        shift,
                        &what,
                    );
                    assert_eq!(again.state(), model.state(loop_start).name.as_str());
                }
            }
        }
        other => panic!("{what}: no replay check for {other:?}"),
    }
    run.steps.len()
}

/// Properties for `model` that break wherever the definition allows: one
/// per state and claim.
fn promises_to_break(model: &Model) -> String {
    let mut out = String::new();
    let finals: Vec<String> = model
        .states
        .iter()
        .filter(|s| s.is_final)
        .map(|s| format!("\"{}\"", s.name))
        .collect();
    let first_event = model.transitions[0].event.as_str();
    let first_role = model.roles.first().map(|r| r.name.as_str());
    for (i, s) in model.states.iter().enumerate() {
        let name = s.name.as_str();
        out.push_str(&format!(
            "\n[properties.zz_unreachable_{i}]\nunreachable = \"{name}\"\n"
        ));
        out.push_str(&format!(
            "\n[properties.zz_after_{i}]\nenters = \"{name}\"\nonly_after = \"{first_event}\"\n"
        ));
        if !s.is_final {
            if let Some(role) = first_role {
                out.push_str(&format!(
                    "\n[properties.zz_left_{i}]\nleft_only_by = \"{name}\"\nby = \"{role}\"\n"
                ));
            }
            let goals = if finals.is_empty() {
                format!("\"{}\"", model.state(model.initial).name)
            } else {
                finals.join(", ")
            };
            if !finals.iter().any(|f| f == &format!("\"{name}\"")) {
                out.push_str(&format!(
                    "\n[properties.zz_eventually_{i}]\nreaches = [{goals}]\nfrom = \"{name}\"\n"
                ));
                out.push_str(&format!(
                    "\n[properties.zz_within_{i}]\nreaches = [{goals}]\nfrom = \"{name}\"\nwithin = \"1ms\"\n"
                ));
            }
        }
    }
    out
}

/// Every counterexample of `file` replays on `W`; how many were played,
/// and how many steps.
fn every_counterexample_replays<W: Scripted>(file: &str) -> (usize, usize) {
    let bare = model_with(file, "");
    let model = model_with(file, &promises_to_break(&bare));
    let mut runs = 0;
    let mut steps = 0;
    for (index, verdict) in prove(&model).into_iter().enumerate() {
        let name = model.properties[index].name.as_str();
        match verdict {
            Verdict::Holds => {}
            Verdict::Broken { run: Some(run), .. } => {
                steps += replay::<W>(&model, index, &run);
                runs += 1;
            }
            Verdict::Broken { run: None, why } => panic!("{name}: no run: {why}"),
        }
    }
    (runs, steps)
}

#[test]
fn the_reference_workflows_keep_their_promises() {
    for file in [
        "sign_up.toml",
        "account_upgrade.toml",
        "phone_change.toml",
        "partner_association.toml",
        "service_closing.toml",
        "account_restriction.toml",
        "details_change.toml",
    ] {
        let model = model_with(file, "");
        assert!(model.properties.len() >= 4, "{file}");
        for (p, verdict) in model.properties.iter().zip(prove(&model)) {
            // A promise marked a warning is one the definition is known to
            // break (account_restriction's freeze over a restriction): once
            // it holds, it should be an error again.
            assert_eq!(verdict == Verdict::Holds, !p.warning, "{file}: {}", p.name);
        }
    }
}

#[test]
fn every_counterexample_replays_through_the_generated_machines() {
    let played = [
        every_counterexample_replays::<sign_up_sim::Sim>("sign_up.toml"),
        every_counterexample_replays::<account_upgrade_sim::Sim>("account_upgrade.toml"),
        every_counterexample_replays::<phone_change_sim::Sim>("phone_change.toml"),
        every_counterexample_replays::<partner_association_sim::Sim>("partner_association.toml"),
        every_counterexample_replays::<service_closing_sim::Sim>("service_closing.toml"),
    ];
    for (runs, steps) in played {
        assert!(runs >= 5 && steps >= runs, "{played:?}");
    }
    // docs/properties.md says "more than 150 runs".
    let total: usize = played.iter().map(|(runs, _)| runs).sum();
    assert!(total > 150, "{played:?}");
}
