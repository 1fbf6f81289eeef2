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
mod scripted;

use std::path::Path;
use std::time::{Duration, SystemTime};

use browser::{chromium, launch, open, out_dir, watched_tab};
use headless_chrome::Tab;
use scripted::{
    account_upgrade_sim, clockwork_sim, partner_association_sim, phone_change_sim, retention_sim,
    service_closing_sim, sign_up_sim, unbinding_sim, Scripted,
};
use turnstile::words::compact_duration;
use turnstile::{Actor, Instance, Step, Why};
use turnstile_spec::graph::Graph;
use turnstile_spec::{load, SourceFile, Workflow as Model};

/// When the simulated workflow starts (the page's `T`).
fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_510_800)
}

/// An instant as the page writes it: `T`, or `T + 1d 2h`.
fn when(at: SystemTime) -> String {
    let since = at.duration_since(t0()).unwrap();
    if since.is_zero() {
        "T".to_string()
    } else {
        format!("T + {}", compact_duration(since))
    }
}

/// A small, seeded generator (SplitMix64): the same seed plays the same
/// sequences.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// What a person does on the page.
#[derive(Debug, Clone)]
enum Action {
    Fire {
        event: String,
        failing: Vec<String>,
        outcome: usize,
        /// The role the actor holds (`None`: no role).
        role: Option<String>,
    },
    Advance {
        amount: u64,
        unit_ms: u64,
    },
    NextTimer,
    Undo,
    Reset,
    Play(usize),
}

/// The runtime's side: an instance, the clock, and what Undo goes back to.
struct Runtime<W: Scripted> {
    instance: Option<Instance<W>>,
    /// The runtime's words for the last refusal of a fired event.
    words: Option<String>,
    clock: SystemTime,
    history: Vec<(String, SystemTime, Vec<Step>, SystemTime)>,
}

/// How an action ended: the refusal's kind and first guard, if refused.
#[derive(Debug, PartialEq, Eq, Default)]
struct Said {
    why: String,
    guard: String,
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
        match instance.fire(event, Actor::new("you").with_roles(&roles), self.clock) {
            Ok(next) => {
                self.instance = Some(next);
                Said::default()
            }
            Err(refused) => {
                self.words = Some(refused.to_string());
                let said = match refused.why() {
                    Why::Guard(r) => Said {
                        why: "guard".into(),
                        guard: r.guard().unwrap_or_default().into(),
                    },
                    Why::NotYet(_) => Said {
                        why: "not_yet".into(),
                        guard: String::new(),
                    },
                    Why::Overdue(_) => Said {
                        why: "overdue".into(),
                        guard: String::new(),
                    },
                    Why::NotAllowed { .. } => Said {
                        why: "not_allowed".into(),
                        guard: String::new(),
                    },
                    Why::Forbidden { .. } => Said {
                        why: "forbidden".into(),
                        guard: String::new(),
                    },
                    other => panic!("the simulator cannot meet {other}"),
                };
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

/// What the page shows after an action.
struct View {
    /// The message, in words.
    message: String,
    done: String,
    why: String,
    guard: String,
    state: String,
    trail: Vec<String>,
    clock: String,
}

/// The page's side of an action, through its controls, as a script.
fn action_js(action: &Action) -> String {
    match action {
        Action::Fire {
            event,
            failing,
            outcome,
            role,
        } => format!(
            "const form = document.querySelector('fieldset[data-event-form=' + {event} + ']'); \
             if (!form) return view('no form for ' + {event}); \
             document.getElementById('acting-as').value = {role}; \
             const failing = {failing}; \
             form.querySelectorAll('input[data-guard]').forEach(b => {{ b.checked = !failing.includes(b.getAttribute('data-guard')); }}); \
             const select = form.querySelector('select[data-outcome]'); \
             if (select) select.selectedIndex = {outcome} % select.options.length; \
             form.querySelector('button[data-fire]').click();",
            event = serde_json::json!(event),
            failing = serde_json::json!(failing),
            role = serde_json::json!(role.as_deref().unwrap_or("")),
        ),
        Action::Advance { amount, unit_ms } => format!(
            "document.getElementById('advance-amount').value = '{amount}'; \
             document.getElementById('advance-unit').value = '{unit_ms}'; \
             document.getElementById('advance').click();"
        ),
        Action::NextTimer => "document.getElementById('next-timer').click();".into(),
        Action::Undo => {
            "const u = document.getElementById('undo'); if (!u.disabled) u.click();".into()
        }
        Action::Reset => "document.getElementById('reset').click();".into(),
        Action::Play(k) => format!(
            "document.body.setAttribute('data-step-ms', '0'); \
             document.querySelector('button[data-path=\"{k}\"]').click(); \
             while (document.body.getAttribute('data-playing') !== 'false') \
               await new Promise(r => setTimeout(r, 1));"
        ),
    }
}

/// Takes `actions` on the page, one after the other, in one round trip
/// (each costs the DevTools client a tenth of a second): what the page
/// shows after each.
fn run_on_page(tab: &Tab, actions: &[Action]) -> Vec<View> {
    let steps: Vec<String> = actions
        .iter()
        .map(|a| format!("async () => {{ {} return view('ok'); }}", action_js(a)))
        .collect();
    let script = format!(
        "(async () => {{ \
           const view = done => {{ const m = document.getElementById('message'); return {{ done, message: m.textContent, \
             why: m.getAttribute('data-why') || '', guard: m.getAttribute('data-guard') || '', \
             state: document.body.getAttribute('data-current'), \
             trail: Array.from(document.querySelectorAll('#trail li'), li => li.textContent), \
             clock: document.body.getAttribute('data-clock-ms') }}; }}; \
           const views = []; \
           for (const step of [{}]) views.push(await step()); \
           return JSON.stringify(views); }})()",
        steps.join(", ")
    );
    let value = tab
        .evaluate(&script, true)
        .unwrap_or_else(|e| panic!("the page's script: {e}"))
        .value;
    let shown: Vec<serde_json::Value> =
        serde_json::from_str(value.as_ref().and_then(|v| v.as_str()).unwrap()).unwrap();
    shown
        .iter()
        .map(|shown| {
            let text = |key: &str| shown[key].as_str().unwrap_or_default().to_string();
            View {
                message: text("message"),
                done: text("done"),
                why: text("why"),
                guard: text("guard"),
                state: text("state"),
                trail: shown["trail"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|li| li.as_str().unwrap().to_string())
                    .collect(),
                clock: text("clock"),
            }
        })
        .collect()
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
        },
        0..=69 => {
            let (amounts, unit_ms): (&[u64], u64) = match rng.below(3) {
                0 => (&[1, 59, 119, 120], 60_000),
                1 => (&[1, 2, 23, 24, 25, 47], 3_600_000),
                _ => (&[1, 2, 3, 89, 90, 91], 86_400_000),
            };
            Action::Advance {
                amount: amounts[rng.below(amounts.len())],
                unit_ms,
            }
        }
        70..=79 => Action::NextTimer,
        80..=89 => Action::Undo,
        90..=93 => Action::Reset,
        _ => Action::Play(rng.below(plan)),
    }
}

fn play_workflow<W: Scripted>(tab: &Tab, file: &str, rng: &mut Rng) -> usize {
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
        expected.push((
            runtime.words.take(),
            said,
            runtime.instance().state().to_string(),
            runtime.trail_text(),
            runtime
                .clock
                .duration_since(t0())
                .unwrap()
                .as_millis()
                .to_string(),
        ));
        actions.push(action);
    }
    let views = run_on_page(tab, &actions);
    assert_eq!(views.len(), actions.len());
    for (n, (view, (words, said, state, trail, clock))) in
        views.into_iter().zip(expected).enumerate()
    {
        let context = || {
            format!(
                "{}: action {n}, {:?}\n(the actions up to it: {:#?})",
                model.name,
                actions[n],
                &actions[..=n]
            )
        };
        assert_eq!(view.done, "ok", "{}", context());
        assert_eq!(view.state, state, "state; {}", context());
        assert_eq!(view.trail, trail, "steps; {}", context());
        if let (Action::Fire { .. }, Some(words)) = (&actions[n], &words) {
            // The runtime's words, up to the instant, which the page
            // writes relative to the start (`T + 1d`); the page may add
            // the other guards that do not hold.
            let words = words.split(" (20").next().unwrap_or(words);
            assert!(
                view.message.starts_with(words),
                "words: the page said {:?}, the runtime {words:?}; {}",
                view.message,
                context()
            );
        }
        if matches!(actions[n], Action::Fire { .. }) {
            let page = Said {
                why: view.why,
                guard: view.guard,
            };
            assert_eq!(page, said, "refusal; {}", context());
        }
        assert_eq!(view.clock, clock, "clock; {}", context());
    }
    actions.len()
}

#[test]
fn the_simulator_fires_as_the_runtime_does() {
    let Some(chrome) = chromium() else { return };
    let browser = launch(chrome);
    let (tab, _watch) = watched_tab(&browser);
    let seed = std::env::var("TURNSTILE_EXPLORER_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_130_u64);
    let mut rng = Rng(seed);
    let mut actions = 0;
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
    eprintln!("{actions} actions agreed (seed {seed})");
}
