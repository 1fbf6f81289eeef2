//! The explorer's simulator of parallel regions fires as the generated
//! `Current` does.
//!
//! Random sequences of what a person does on the page (fire an event with
//! some guards holding, an outcome chosen and a role held or none, move
//! the clock on, jump to the next timer, undo, reset, play a run of the
//! test plan) go through the page's own controls in headless Chromium and,
//! side by side, through the generated `Current` of the same definition
//! (`turnstile::regions::Parallel`, a runner calling `fire_due` whenever
//! the clock moves, as the reference service runs it). After every action
//! the two must be in the same configuration, with the same steps taken
//! (the same events, regions moved, instants, actors and roles, in the
//! same words), the same capabilities permitted, and the same kind of
//! refusal naming the same guard, in the runtime's words: a condition on
//! another region, a joint move with a region elsewhere, a role, a timer
//! not yet due. Played: the reference account
//! (`workflows/account/account.toml`: four regions, joint moves, branches,
//! roles, payloads) and `tests/fixtures/clocks.toml` (timers in three
//! regions, an automatic timer a condition on another region holds back).
//!
//! Skips with one line without Chromium; fails under
//! `TURNSTILE_REQUIRE_TOOLS`. `TURNSTILE_EXPLORER_SEED=n` plays other
//! sequences.

#[path = "../../../render/tests/browser/mod.rs"]
mod browser;
#[path = "../../tests/page/mod.rs"]
mod page;

use std::path::Path;
use std::time::{Duration, SystemTime};

use browser::{chromium, launch, open, out_dir, watched_tab};
use headless_chrome::Tab;
use page::{agree, fired_via, run_on_page, t0, when, Action, Expected, Rng, Said};
use turnstile::regions::{Parallel, Snapshot};
use turnstile::Actor;
use turnstile_spec::regions::{covering_runs, EXPLORE_LIMIT};
use turnstile_spec::{load, SourceFile, StateId, Workflow as Model};

/// The data of a workflow with regions derived again for the test: its
/// guards hold unless named in `failing`, each branching event takes the
/// outcome at `outcome` (modulo how many it has) in the order `to` lists
/// them, and an event that brings a payload is given one that reads.
trait Scripted: Parallel + Default {
    fn script(&mut self, failing: Vec<String>, outcome: usize);
    fn payload(event: &str) -> Option<&'static str>;
}

macro_rules! scripted {
    ($file:literal, $wf:ident,
     guards [$($g:ident $(: $gty:ty)?),*],
     payloads [$($pe:ident : $pty:ty = $text:literal),*],
     outcomes [$($ev:ident => $pascal:ident [$($to:ident),+]);*]) => {
        #[derive(turnstile::Workflow, Default)]
        #[workflow(file = $file)]
        pub struct Sim {
            failing: Vec<String>,
            outcome: usize,
        }

        impl $crate::Scripted for Sim {
            fn script(&mut self, failing: Vec<String>, outcome: usize) {
                self.failing = failing;
                self.outcome = outcome;
            }
            fn payload(event: &str) -> Option<&'static str> {
                match event {
                    $(stringify!($pe) => Some($text),)*
                    _ => None,
                }
            }
        }

        impl $wf::Guards for Sim {
            $(fn $g(&self $(, _payload: &$gty)?) -> bool {
                !self.failing.iter().any(|f| f == stringify!($g))
            })*
        }

        scripted!(@payloads $wf [$($pe : $pty),*]);

        impl $wf::Outcomes for Sim {
            $(fn $ev(&self) -> $wf::choice::$pascal {
                let all = [$($wf::choice::$pascal::$to),+];
                all[self.outcome % all.len()]
            })*
        }
    };
    (@payloads $wf:ident []) => {};
    (@payloads $wf:ident [$($pe:ident : $pty:ty),+]) => {
        impl $wf::Payloads for Sim {
            $(fn $pe(&mut self, _payload: $pty) {})+
        }
    };
}

/// The reference account.
mod reference {
    use turnstile_workflows::account_restriction::{
        FreezeReason, MemberBudget, RestorationMaterials, RestrictionReason, StaffDecision,
    };

    scripted!("account.toml", account,
        guards [id_not_frozen, no_frozen_resources, no_partner_ties, not_enterprise_account,
            no_site_binding, no_resources_in_use, no_funds, no_pending_finance,
            not_chinese_mainland_site, no_other_partner, no_special_contract,
            registered_within_seven_days_without_cash_expenditure, no_unpaid_bills,
            not_under_unified_accounting_master, reseller_no_professional_service_contract,
            reseller_no_valid_reserved_instances, reseller_not_enterprise_member,
            reseller_not_master_with_independent_members,
            verification_complete: RestorationMaterials, materials_match: RestorationMaterials,
            restriction_reason_of_its_own: RestrictionReason, frozen_for_non_renewal,
            freeze_reason_of_its_own: FreezeReason, note_materials_do_not_apply,
            restricted_for_member_budget: MemberBudget],
        payloads [restrict: RestrictionReason = "\"InsufficientBalance\"",
            freeze: FreezeReason = "\"NotRenewed\"",
            submit_restriction_ticket: RestorationMaterials = "{\"identity_document\":\"Passport\",\"card_front\":true,\"transaction_months\":0,\"matches_card_holder\":true}",
            submit_freeze_ticket: RestorationMaterials = "{\"identity_document\":\"Passport\",\"card_front\":true,\"transaction_months\":0,\"matches_card_holder\":true}",
            decide_restriction: StaffDecision = "{\"restore\":true,\"note\":\"paid\"}",
            decide_freeze: StaffDecision = "{\"restore\":true,\"note\":\"renewed\"}",
            decide_pay_per_use_ticket: StaffDecision = "{\"restore\":true,\"note\":\"verified\"}",
            allocate_member_budget: MemberBudget = "{\"amount\":100}"],
        outcomes [associate => Associate [Associated, FrozenUntilBudget];
            restrict => Restrict [Restricted, PayPerUseSuspended];
            decide_pay_per_use_ticket => DecidePayPerUseTicket [Unrestricted, PayPerUseSuspended];
            decide_restriction => DecideRestriction [Unrestricted, Restricted];
            decide_freeze => DecideFreeze [NotFrozen, Frozen]]);
}

/// Three regions with timers of their own (`tests/fixtures/clocks.toml`).
mod clocks {
    scripted!("tests/fixtures/clocks.toml", clocks,
        guards [reason_given, amount_matches],
        payloads [],
        outcomes [answer => Answer [Answered, Escalated]]);
}

/// The runtime's side: the generated `Current`, the clock, and what Undo
/// goes back to (a snapshot of the configuration with its trail).
struct Runtime<W: Scripted> {
    current: Option<W::Current>,
    /// The runtime's words for the last refusal of a fired event.
    words: Option<String>,
    clock: SystemTime,
    history: Vec<(Snapshot<W>, SystemTime)>,
}

/// The first transition by which `event` leaves `state` (what a region
/// in that state takes when the event fires).
fn move_of(model: &Model, event: &str, state: StateId) -> Option<usize> {
    model
        .transitions
        .iter()
        .position(|t| t.event.as_str() == event && t.from.contains(&state))
}

impl<W: Scripted> Runtime<W> {
    fn new() -> Self {
        Runtime {
            current: Some(W::start(W::default(), t0())),
            words: None,
            clock: t0(),
            history: Vec::new(),
        }
    }

    fn current(&self) -> &W::Current {
        self.current.as_ref().unwrap()
    }

    /// Each region's state, as the model numbers them.
    fn config(&self, model: &Model) -> Vec<StateId> {
        W::states(self.current())
            .iter()
            .map(|s| model.state_named(s).expect("a state of the model"))
            .collect()
    }

    fn saved(&self) -> (Snapshot<W>, SystemTime) {
        let s = W::snapshot(self.current());
        let snapshot = Snapshot {
            format: s.format,
            workflow: s.workflow,
            fingerprint: s.fingerprint,
            start: s.start,
            regions: s.regions,
            data: W::default(),
            trail: s.trail,
        };
        (snapshot, self.clock)
    }

    fn restore(&mut self, (snapshot, clock): (Snapshot<W>, SystemTime)) {
        self.current = Some(W::from_snapshot(snapshot).expect("a snapshot of its own"));
        self.clock = clock;
    }

    /// A runner: `fire_due` until nothing is due.
    fn run_due(&mut self) {
        let mut current = self.current.take().unwrap();
        loop {
            match W::fire_due(current, self.clock) {
                Ok((next, _)) => current = next,
                Err(refused) => {
                    current = refused.into_inner();
                    break;
                }
            }
        }
        self.current = Some(current);
    }

    fn fire(&mut self, event: &str, failing: Vec<String>, outcome: usize, roles: &[&str]) -> Said {
        let mut current = self.current.take().unwrap();
        W::data_mut(&mut current).script(failing, outcome);
        self.words = None;
        let actor = Actor::new("you").with_roles(roles);
        match W::fire_with(current, event, W::payload(event), &actor, self.clock) {
            Ok(next) => {
                self.current = Some(next);
                Said::default()
            }
            Err(refused) => {
                self.words = Some(refused.to_string());
                let said = Said::of(refused.why());
                self.current = Some(refused.into_inner());
                said
            }
        }
    }

    /// What the page does for `action`, with the page's rule for Undo:
    /// an action that changed the steps or the clock can be undone.
    fn act(&mut self, model: &Model, action: &Action) -> Said {
        let before = self.saved();
        let steps = W::trail(self.current()).len();
        let said = match action {
            Action::Fire {
                event,
                failing,
                outcome,
                role,
                ..
            } => {
                let roles: Vec<&str> = role.as_deref().into_iter().collect();
                self.fire(event, failing.clone(), *outcome, &roles)
            }
            Action::Advance { amount, unit_ms } => {
                self.clock += Duration::from_millis(amount * unit_ms);
                self.run_due();
                Said::default()
            }
            Action::NextTimer => {
                // The earliest instant a timer of some region's state
                // falls due, each counted from its own region's entry.
                let config = self.config(model);
                let entered = &W::entered_at(self.current());
                let next = config
                    .iter()
                    .enumerate()
                    .flat_map(|(r, state)| {
                        model
                            .transitions
                            .iter()
                            .filter(move |t| t.from.contains(state))
                            .filter_map(move |t| Some(entered[r] + t.timer.as_ref()?.after))
                    })
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
        if steps != W::trail(self.current()).len() || before.1 != self.clock {
            self.history.push(before);
        }
        said
    }

    /// A run of the test plan, as the page plays it: each guard holding,
    /// the clock moved on to the timers of each step's moves, fired by
    /// someone holding the first role of each move, each branch taking the
    /// outcome the run goes to; it stops at the first step that does not
    /// land where the run says.
    fn play(&mut self, model: &Model, k: usize) -> Said {
        *self = Runtime::new();
        let (_, runs) = covering_runs(model, EXPLORE_LIMIT).expect("few configurations");
        for (event, config) in &runs[k] {
            let here = self.config(model);
            let moved = model.regions_moved(
                &model
                    .events()
                    .into_iter()
                    .find(|e| e.name.as_str() == event)
                    .unwrap(),
            );
            let mut moves = Vec::new();
            for r in moved {
                match move_of(model, event, here[r]) {
                    Some(t) => moves.push((r, t)),
                    None => {
                        return Said {
                            why: "not_allowed".into(),
                            guard: String::new(),
                        }
                    }
                }
            }
            self.history.push(self.saved());
            let entered = W::entered_at(self.current());
            let mut automatic = false;
            let mut roles: Vec<&str> = Vec::new();
            let mut outcome = 0;
            for (r, t) in &moves {
                let t = &model.transitions[*t];
                if let Some(timer) = &t.timer {
                    self.clock = self.clock.max(entered[*r] + timer.after);
                    automatic |= timer.automatic;
                }
                if let Some(role) = t.by.first().map(|role| model.role(*role).name.as_str()) {
                    if !roles.contains(&role) {
                        roles.push(role);
                    }
                }
                if let Some(at) = t.to.iter().position(|s| *s == config[*r]) {
                    outcome = at;
                }
            }
            let mut current = self.current.take().unwrap();
            W::data_mut(&mut current).script(Vec::new(), outcome);
            self.current = Some(current);
            if automatic {
                if let Some((due_event, due)) = W::next_due(self.current()) {
                    if due_event == event {
                        self.clock = self.clock.max(due);
                    }
                }
                self.run_due();
            } else {
                self.run_due();
                let said = self.fire(event, Vec::new(), outcome, &roles);
                if said != Said::default() {
                    return said;
                }
            }
            if self.config(model) != *config {
                return Said::default();
            }
        }
        Said::default()
    }

    /// The steps as the page lists them.
    fn trail_text(&self) -> Vec<String> {
        W::trail(self.current())
            .iter()
            .map(|s| {
                let moved: Vec<String> = s
                    .moved
                    .iter()
                    .map(|m| format!("{} {} \u{2192} {}", m.region, m.from, m.to))
                    .collect();
                format!(
                    "{}: {} at {}{}{}",
                    s.event,
                    moved.join(", "),
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

    /// The capabilities the configuration permits, as the page lists them.
    fn permits(&self, model: &Model) -> String {
        model
            .capabilities
            .iter()
            .map(|c| c.name.as_str())
            .filter(|c| W::permits(self.current(), c))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A random action that a person could take now: fire an event that
/// leaves one of the regions' states (and does not happen by itself).
fn choose<W: Scripted>(rng: &mut Rng, model: &Model, runtime: &Runtime<W>, plan: usize) -> Action {
    let config = runtime.config(model);
    let events: Vec<String> = model
        .events()
        .iter()
        .filter(|e| {
            let moves: Vec<usize> = model
                .regions_moved(e)
                .into_iter()
                .filter_map(|r| move_of(model, e.name.as_str(), config[r]))
                .collect();
            !moves.is_empty()
                && !moves.iter().any(|t| {
                    model.transitions[*t]
                        .timer
                        .as_ref()
                        .is_some_and(|timer| timer.automatic)
                })
        })
        .map(|e| e.name.to_string())
        .collect();
    match rng.below(100) {
        0..=54 if !events.is_empty() => {
            let event = events[rng.below(events.len())].clone();
            // Mostly a role the event's move from here names, so that
            // more than the roles is tried.
            let named = model
                .transitions
                .iter()
                .find(|t| t.event.as_str() == event && config.iter().any(|s| t.from.contains(s)))
                .and_then(|t| t.by.first())
                .map(|r| model.role(*r).name.as_str().to_string());
            let role = match (named, rng.chance(65)) {
                (Some(named), true) => Some(named),
                _ => match rng.below(model.roles.len() + 1) {
                    0 => None,
                    i => Some(model.roles[i - 1].name.as_str().to_string()),
                },
            };
            Action::Fire {
                event,
                failing: model
                    .guards
                    .iter()
                    .filter(|_| rng.chance(15))
                    .map(|g| g.name.as_str().to_string())
                    .collect(),
                outcome: rng.below(6),
                role,
                via_edge: rng.chance(50),
            }
        }
        0..=69 => page::advance(rng),
        70..=79 => Action::NextTimer,
        80..=89 => Action::Undo,
        90..=93 => Action::Reset,
        _ => Action::Play(rng.below(plan)),
    }
}

/// What the actions met, so that a run that never refused or never moved
/// two regions at once cannot pass for one that agreed on them.
#[derive(Default, Debug)]
struct Met {
    actions: usize,
    refusals: std::collections::BTreeMap<String, usize>,
    joint_steps: usize,
    timer_steps: usize,
    /// Events fired from their edges in the diagram, and of those, the
    /// ones whose questions were asked beside the edge.
    from_edges: usize,
    asked_in_place: usize,
}

fn play_workflow<W: Scripted>(
    tab: &Tab,
    file: &str,
    first: &[Action],
    rng: &mut Rng,
    met: &mut Met,
) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let model = load(&SourceFile::new(file, text)).expect("valid");
    let page = out_dir().join(format!(
        "agrees-regions-{}.html",
        path.file_stem().unwrap().to_string_lossy()
    ));
    open(tab, &page, &turnstile_render::html(&model));
    let plan = covering_runs(&model, EXPLORE_LIMIT).expect("few").1.len();
    // The runtime decides the actions (what a person could do now) and
    // what must follow each; the page then takes them all.
    let mut runtime = Runtime::<W>::new();
    let mut actions = Vec::new();
    let mut expected = Vec::new();
    for n in 0..200 {
        let action = match first.get(n) {
            Some(action) => action.clone(),
            None => choose(rng, &model, &runtime, plan),
        };
        let steps = W::trail(runtime.current()).len();
        let said = runtime.act(&model, &action);
        for step in W::trail(runtime.current()).iter().skip(steps) {
            met.joint_steps += usize::from(step.moved.len() > 1);
            met.timer_steps += usize::from(step.actor.as_deref() == Some("timer"));
        }
        if !said.why.is_empty() {
            *met.refusals.entry(said.why.clone()).or_default() += 1;
        }
        expected.push(Expected {
            words: runtime.words.take(),
            said,
            state: W::states(runtime.current()).join(" "),
            trail: runtime.trail_text(),
            clock: runtime
                .clock
                .duration_since(t0())
                .unwrap()
                .as_millis()
                .to_string(),
            permits: runtime.permits(&model),
        });
        actions.push(action);
    }
    met.actions += actions.len();
    let views = run_on_page(tab, &actions);
    agree(model.name.as_str(), &actions, &views, expected);
    met.from_edges += fired_via(&views, "edge") + fired_via(&views, "edge-asked");
    met.asked_in_place += fired_via(&views, "edge-asked");
}

#[test]
fn the_simulator_of_regions_fires_as_the_generated_current_does() {
    let Some(chrome) = chromium() else { return };
    let browser = launch(chrome);
    let (tab, _watch) = watched_tab(&browser);
    let seed = page::seed(20_261_205);
    let mut rng = Rng(seed);
    let mut met = Met::default();
    // First, on `clocks`, what random actions seldom meet: an automatic
    // timer held back by a condition on another region, due long since,
    // comes first over its state's other events, and fires as of the
    // instant the condition came to hold; then a joint move with one of
    // its regions elsewhere.
    let day = 86_400_000;
    let fire = |event: &str, role: &str| Action::Fire {
        event: event.into(),
        failing: Vec::new(),
        outcome: 0,
        role: Some(role.into()),
        via_edge: false,
    };
    let held_back = [
        Action::Advance {
            amount: 1,
            unit_ms: day,
        },
        Action::Advance {
            amount: 3,
            unit_ms: day,
        },
        fire("pay", "customer"),
        Action::Advance {
            amount: 5,
            unit_ms: 3_600_000,
        },
        fire("answer", "staff"),
        Action::Advance {
            amount: 1,
            unit_ms: 60_000,
        },
        fire("pay", "customer"),
        // A joint move with one of its regions elsewhere (the bill paid).
        fire("lock", "staff"),
    ];
    for _ in 0..3 {
        play_workflow::<reference::Sim>(&tab, "account.toml", &[], &mut rng, &mut met);
        play_workflow::<clocks::Sim>(
            &tab,
            "tests/fixtures/clocks.toml",
            &held_back,
            &mut rng,
            &mut met,
        );
    }
    eprintln!("{} actions agreed (seed {seed}): {met:?}", met.actions);
    for kind in [
        "not_allowed",
        "condition",
        "forbidden",
        "guard",
        "not_yet",
        "overdue",
    ] {
        assert!(
            met.refusals.contains_key(kind),
            "no `{kind}` refusal was met: {met:?}"
        );
    }
    assert!(met.joint_steps > 0 && met.timer_steps > 0, "{met:?}");
    assert!(
        met.asked_in_place > 0 && met.from_edges > met.asked_in_place,
        "{met:?}"
    );
}
