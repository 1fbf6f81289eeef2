//! The explorer's simulator fires as the runtime does.
//!
//! Random sequences of what a person does on the page (fire an event with
//! some guards holding and an outcome chosen, move the clock on, jump to
//! the next timer, undo, reset, play a test-plan path) go through the page's
//! own controls in headless Chromium and, side by side, through
//! `turnstile::Instance` on the same definition (a runner calling
//! `fire_due` whenever the clock moves, as a service runs it). After every
//! action the two must be in the same state, with the same steps taken (the
//! same events, instants and actors, in the same words) and the same kind
//! of refusal naming the same guard. Every reference workflow is played,
//! `tests/fixtures/clockwork.toml`, whose timers compete, and
//! `tests/fixtures/nested_timers.toml`, whose timers count from entering
//! compound states at two levels and from entering a state, and
//! `tests/fixtures/unbinding.toml`, whose events are restricted to roles:
//! the page acts as a role chosen at random (or none), as an `Actor`
//! holding it does, and is refused with the runtime's words.
//!
//! Skips with one line without Chromium; fails under
//! `TURNSTILE_REQUIRE_TOOLS`. `TURNSTILE_EXPLORER_SEED=n` plays other
//! sequences.

#[path = "../../render/tests/browser/mod.rs"]
mod browser;
mod page;
mod scripted;

use std::path::Path;
use std::time::{Duration, SystemTime};

use browser::{chromium, launch, open, out_dir, watched_tab};
use headless_chrome::Tab;
use page::{agree, fired_via, run_on_page, t0, when, Action, Expected, Rng, Said};
use scripted::{
    account_upgrade_sim, clockwork_sim, partner_association_sim, phone_change_sim, retention_sim,
    service_closing_sim, sign_up_sim, unbinding_sim, Scripted,
};
use turnstile::{Actor, Instance, Step};
use turnstile_spec::graph::Graph;
use turnstile_spec::{load, SourceFile, Workflow as Model};

/// The runtime's side: an instance, the clock, and what Undo goes back to.
struct Runtime<W: Scripted> {
    instance: Option<Instance<W>>,
    /// The runtime's words for the last refusal of a fired event.
    words: Option<String>,
    clock: SystemTime,
    history: Vec<(String, SystemTime, Vec<Step>, SystemTime)>,
}

impl<W: Scripted> Runtime<W> {
    fn new() -> Self {
        Runtime {
            instance: Some(Instance::start(W::default(), t0())),
            words: None,
            clock: t0(),
            history: Vec::new(),
        }
    }

    fn instance(&self) -> &Instance<W> {
        self.instance.as_ref().unwrap()
    }

    fn snapshot(&self) -> (String, SystemTime, Vec<Step>, SystemTime) {
        let i = self.instance();
        (
            i.state().to_string(),
            i.entered_at(),
            i.trail().to_vec(),
            self.clock,
        )
    }

    fn restore(
        &mut self,
        (state, entered, trail, clock): (String, SystemTime, Vec<Step>, SystemTime),
    ) {
        self.instance =
            Some(Instance::resume(Some(t0()), &state, W::default(), entered, trail).unwrap());
        self.clock = clock;
    }

    /// A runner: `fire_due` until nothing is due.
    fn run_due(&mut self) {
        let mut instance = self.instance.take().unwrap();
        loop {
            match instance.fire_due(self.clock) {
                Ok(next) => instance = next,
                Err(refused) => {
                    instance = refused.into_inner();
                    break;
                }
            }
        }
        self.instance = Some(instance);
    }

    fn fire(
        &mut self,
        event: &str,
        failing: Vec<String>,
        outcome: usize,
        role: Option<&str>,
    ) -> Said {
        let mut instance = self.instance.take().unwrap();
        instance.data_mut().script(failing, outcome);
        self.words = None;
        let roles: Vec<&str> = role.into_iter().collect();
        let actor = Actor::new("you").with_roles(&roles);
        match instance.fire_with(event, W::payload(event), actor, self.clock) {
            Ok(next) => {
                self.instance = Some(next);
                Said::default()
            }
            Err(refused) => {
                self.words = Some(refused.to_string());
                let said = Said::of(refused.why());
                self.instance = Some(refused.into_inner());
                said
            }
        }
    }

    /// What the page does for `action`, with the page's rule for Undo:
    /// an action that changed the steps or the clock can be undone.
    fn act(&mut self, model: &Model, action: &Action) -> Said {
        let before = self.snapshot();
        let said = match action {
            Action::Fire {
                event,
                failing,
                outcome,
                role,
                ..
            } => self.fire(event, failing.clone(), *outcome, role.as_deref()),
            Action::Advance { amount, unit_ms } => {
                self.clock += Duration::from_millis(amount * unit_ms);
                self.run_due();
                Said::default()
            }
            Action::NextTimer => {
                let next = self
                    .instance()
                    .timers()
                    .iter()
                    .filter_map(|t| t.due)
                    .filter(|due| *due > self.clock)
                    .min();
                if let Some(next) = next {
                    self.clock = next;
                    self.run_due();
                }
                Said::default()
            }
            Action::Undo => {
                if let Some(last) = self.history.pop() {
                    self.restore(last);
                }
                return Said::default();
            }
            Action::Reset => {
                *self = Runtime::new();
                return Said::default();
            }
            Action::Play(k) => return self.play(model, *k),
        };
        if before.2.len() != self.instance().trail().len() || before.3 != self.clock {
            self.history.push(before);
        }
        said
    }

    /// A test-plan path, as the page plays it: each guard holding, the
    /// clock moved on to each timer, stopping at the first step that does
    /// not land where the path says.
    fn play(&mut self, model: &Model, k: usize) -> Said {
        *self = Runtime::new();
        let plan = Graph::new(model).covering_paths();
        for step in &plan[k] {
            let t = model.transition(step.transition);
            let from = model
                .state_named(self.instance().state())
                .expect("a state of the model");
            if !t.from.contains(&from) {
                return Said {
                    why: "not_allowed".into(),
                    guard: String::new(),
                };
            }
            self.history.push(self.snapshot());
            if let Some(timer) = &t.timer {
                self.clock = self.clock.max(self.instance().entered_at() + timer.after);
            }
            let outcome = t.to.iter().position(|s| *s == step.to).unwrap();
            if t.timer.as_ref().is_some_and(|timer| timer.automatic) {
                // The runner takes it; its outcome is the step's.
                let mut instance = self.instance.take().unwrap();
                instance.data_mut().script(Vec::new(), outcome);
                self.instance = Some(instance);
                self.run_due();
            } else {
                self.run_due();
                // Played by someone who holds the role the step needs.
                let role = t.by.first().map(|r| model.role(*r).name.as_str());
                let said = self.fire(t.event.as_str(), Vec::new(), outcome, role);
                if said != Said::default() {
                    return said;
                }
            }
            if self.instance().state() != model.state(step.to).name.as_str() {
                return Said::default();
            }
        }
        Said::default()
    }

    /// The steps as the page lists them.
    fn trail_text(&self) -> Vec<String> {
        self.instance()
            .trail()
            .iter()
            .map(|s| {
                format!(
                    "{}: {} → {} at {}{}{}",
                    s.event,
                    s.from,
                    s.to,
                    when(s.at),
                    if s.actor.as_deref() == Some("timer") {
                        " (by itself)"
                    } else {
                        ""
                    },
                    s.role
                        .as_deref()
                        .map(|role| format!(" as {role}"))
                        .unwrap_or_default()
                )
            })
            .collect()
    }
}

/// A random action that a person could take now.
fn choose<W: Scripted>(rng: &mut Rng, model: &Model, runtime: &Runtime<W>) -> Action {
    let state = runtime.instance().state();
    let automatic: Vec<&str> = W::TIMERS
        .iter()
        .filter(|t| t.automatic && t.state == state)
        .map(|t| t.event)
        .collect();
    let events: Vec<&str> = runtime
        .instance()
        .allowed()
        .iter()
        .copied()
        .filter(|e| !automatic.contains(e))
        .collect();
    let plan = Graph::new(model).covering_paths().len();
    match rng.below(100) {
        0..=54 if !events.is_empty() => Action::Fire {
            event: events[rng.below(events.len())].to_string(),
            failing: model
                .guards
                .iter()
                .filter(|_| rng.chance(20))
                .map(|g| g.name.as_str().to_string())
                .collect(),
            outcome: rng.below(6),
            // One of the workflow's roles, or none.
            role: match rng.below(model.roles.len() + 1) {
                0 => None,
                i => Some(model.roles[i - 1].name.as_str().to_string()),
            },
            via_edge: rng.chance(50),
        },
        0..=69 => page::advance(rng),
        70..=79 => Action::NextTimer,
        80..=89 => Action::Undo,
        90..=93 => Action::Reset,
        _ => Action::Play(rng.below(plan)),
    }
}

fn play_workflow<W: Scripted>(tab: &Tab, file: &str, rng: &mut Rng) -> Played {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let model = load(&SourceFile::new(file, text)).expect("valid");
    let page = out_dir().join(format!("agrees-{}.html", model.name));
    open(tab, &page, &turnstile_render::html(&model));
    // The runtime decides the actions (what a person could do now) and
    // what must follow each; the page then takes them all.
    let mut runtime = Runtime::<W>::new();
    let mut actions = Vec::new();
    let mut expected = Vec::new();
    for _ in 0..160 {
        let action = choose(rng, &model, &runtime);
        let said = runtime.act(&model, &action);
        expected.push(Expected {
            words: runtime.words.take(),
            said,
            state: runtime.instance().state().to_string(),
            trail: runtime.trail_text(),
            clock: runtime
                .clock
                .duration_since(t0())
                .unwrap()
                .as_millis()
                .to_string(),
            // A machine without regions: the page shows no configuration.
            permits: String::new(),
        });
        actions.push(action);
    }
    let views = run_on_page(tab, &actions);
    agree(model.name.as_str(), &actions, &views, expected);
    Played {
        actions: actions.len(),
        from_edges: fired_via(&views, "edge") + fired_via(&views, "edge-asked"),
        asked_in_place: fired_via(&views, "edge-asked"),
    }
}

/// What a run took: its actions, how many events it fired from their
/// edges, and how many of those asked their questions in place.
#[derive(Default, Debug)]
struct Played {
    actions: usize,
    from_edges: usize,
    asked_in_place: usize,
}

impl std::ops::AddAssign for Played {
    fn add_assign(&mut self, other: Played) {
        self.actions += other.actions;
        self.from_edges += other.from_edges;
        self.asked_in_place += other.asked_in_place;
    }
}

#[test]
fn the_simulator_fires_as_the_runtime_does() {
    let Some(chrome) = chromium() else { return };
    let browser = launch(chrome);
    let (tab, _watch) = watched_tab(&browser);
    let seed = page::seed(20_261_130);
    let mut rng = Rng(seed);
    let mut actions = Played::default();
    for _ in 0..2 {
        actions += play_workflow::<sign_up_sim::Sim>(&tab, "sign_up.toml", &mut rng);
        actions +=
            play_workflow::<account_upgrade_sim::Sim>(&tab, "account_upgrade.toml", &mut rng);
        actions += play_workflow::<phone_change_sim::Sim>(&tab, "phone_change.toml", &mut rng);
        actions += play_workflow::<partner_association_sim::Sim>(
            &tab,
            "partner_association.toml",
            &mut rng,
        );
        actions +=
            play_workflow::<service_closing_sim::Sim>(&tab, "service_closing.toml", &mut rng);
        actions +=
            play_workflow::<clockwork_sim::Sim>(&tab, "tests/fixtures/clockwork.toml", &mut rng);
        actions +=
            play_workflow::<unbinding_sim::Sim>(&tab, "tests/fixtures/unbinding.toml", &mut rng);
        actions += play_workflow::<retention_sim::Sim>(
            &tab,
            "tests/fixtures/nested_timers.toml",
            &mut rng,
        );
    }
    eprintln!("{actions:?} agreed (seed {seed})");
    // Firing from the diagram was taken both ways: at once, and with the
    // questions asked beside the edge.
    assert!(
        actions.asked_in_place > 0 && actions.from_edges > actions.asked_in_place,
        "{actions:?}"
    );
}
