//! What the explorer's differential tests share: the clock the page
//! starts at, a seeded generator, the actions a person takes on the page,
//! and taking them through the page's own controls in one round trip.
//! Included by path from `workflows/tests/explorer_agrees.rs` (one
//! machine against `turnstile::Instance`) and
//! `workflows/account/tests/explorer_agrees.rs` (parallel regions against
//! the generated `Current`), and by the inspector's tests
//! (`workflows/tests/inspector.rs`, `workflows/account/tests/inspector.rs`).

#![allow(dead_code)] // each test uses some of it

use std::time::{Duration, SystemTime};

use headless_chrome::Tab;
use turnstile::words::compact_duration;

/// When the simulated workflow starts (the page's `T`).
pub fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_510_800)
}

/// An instant as the page writes it: `T`, or `T + 1d 2h`.
pub fn when(at: SystemTime) -> String {
    let since = at.duration_since(t0()).unwrap();
    if since.is_zero() {
        "T".to_string()
    } else {
        format!("T + {}", compact_duration(since))
    }
}

/// A small, seeded generator (SplitMix64): the same seed plays the same
/// sequences.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// The seed of the random actions: `TURNSTILE_EXPLORER_SEED`, or `default`.
pub fn seed(default: u64) -> u64 {
    std::env::var("TURNSTILE_EXPLORER_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// What a person does on the page.
#[derive(Debug, Clone)]
pub enum Action {
    Fire {
        event: String,
        failing: Vec<String>,
        outcome: usize,
        /// The role the actor holds (`None`: no role).
        role: Option<String>,
        /// Fired from its edge in the diagram (where the edge may be
        /// fired: out of the current state, not automatic), answering the
        /// questions it asks in place; otherwise from its form.
        via_edge: bool,
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

/// A random amount to move the clock on by: minutes, hours or days, near
/// the timers of the reference workflows.
pub fn advance(rng: &mut Rng) -> Action {
    let (amounts, unit_ms): (&[u64], u64) = match rng.below(3) {
        0 => (&[1, 59, 119, 120], 60_000),
        1 => (&[1, 2, 23, 24, 25, 47], 3_600_000),
        _ => (&[1, 2, 3, 14, 15, 29, 30, 89, 90, 91], 86_400_000),
    };
    Action::Advance {
        amount: amounts[rng.below(amounts.len())],
        unit_ms,
    }
}

/// How an action ended: the refusal's kind and first guard, if refused.
#[derive(Debug, PartialEq, Eq, Default)]
pub struct Said {
    pub why: String,
    pub guard: String,
}

impl Said {
    /// A refusal of `why`'s kind, as the page names it.
    pub fn of(why: &turnstile::Why) -> Said {
        use turnstile::Why;
        let (kind, guard) = match why {
            Why::Guard(r) => ("guard", r.guard().unwrap_or_default()),
            Why::NotYet(_) => ("not_yet", ""),
            Why::Overdue(_) => ("overdue", ""),
            Why::NotAllowed { .. } => ("not_allowed", ""),
            Why::Forbidden { .. } => ("forbidden", ""),
            Why::Condition { .. } => ("condition", ""),
            other => panic!("the simulator cannot meet {other}"),
        };
        Said {
            why: kind.into(),
            guard: guard.into(),
        }
    }
}

/// What the page shows after an action.
pub struct View {
    /// The message, in words.
    pub message: String,
    pub done: String,
    pub why: String,
    pub guard: String,
    /// The current state (with regions, each region's, in order, by spaces).
    pub state: String,
    pub trail: Vec<String>,
    pub clock: String,
    /// With regions, the capabilities the configuration permits, by spaces.
    pub permits: String,
    /// How a fired event was fired: `form`, `edge` (at once) or
    /// `edge-asked` (its questions answered beside the edge).
    pub via: String,
}

/// How many of `views` fired an event `via` (see [`View::via`]).
pub fn fired_via(views: &[View], via: &str) -> usize {
    views.iter().filter(|v| v.via == via).count()
}

/// The page's side of an action, through its controls, as a script.
fn action_js(action: &Action) -> String {
    match action {
        Action::Fire {
            event,
            failing,
            outcome,
            role,
            via_edge,
        } => format!(
            "document.getElementById('acting-as').value = {role}; \
             let via = 'form'; \
             const edge = {via_edge} && document.querySelector('g.edge.fireable[data-event=\"' + {event} + '\"]'); \
             if (edge) {{ \
               edge.dispatchEvent(new MouseEvent('click', {{bubbles: true}})); \
               if (!document.getElementById('in-place').open) return view('ok', 'edge'); \
               via = 'edge-asked'; \
             }} \
             const form = document.querySelector('fieldset[data-event-form=' + {event} + ']'); \
             if (!form) return view('no form for ' + {event}); \
             if (via === 'edge-asked' && !form.closest('#in-place')) return view('asked elsewhere'); \
             const failing = {failing}; \
             form.querySelectorAll('input[data-guard]').forEach(b => {{ b.checked = !failing.includes(b.getAttribute('data-guard')); }}); \
             const select = form.querySelector('select[data-outcome]'); \
             if (select) select.selectedIndex = {outcome} % select.options.length; \
             form.querySelector('button[data-fire]').click(); \
             if (document.getElementById('in-place').open) return view('still asking'); \
             return view('ok', via);",
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
pub fn run_on_page(tab: &Tab, actions: &[Action]) -> Vec<View> {
    let steps: Vec<String> = actions
        .iter()
        .map(|a| format!("async () => {{ {} return view('ok'); }}", action_js(a)))
        .collect();
    let script = format!(
        "(async () => {{ \
           const view = (done, via) => {{ const m = document.getElementById('message'); \
             const permits = document.getElementById('permits-now'); return {{ done, message: m.textContent, \
             why: m.getAttribute('data-why') || '', guard: m.getAttribute('data-guard') || '', \
             state: document.body.getAttribute('data-current'), \
             trail: Array.from(document.querySelectorAll('#trail li'), li => li.textContent), \
             clock: document.body.getAttribute('data-clock-ms'), \
             permits: permits ? permits.getAttribute('data-permits') : '', via: via || '' }}; }}; \
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
                permits: text("permits"),
                via: text("via"),
            }
        })
        .collect()
}

/// What the runtime says must follow an action.
pub struct Expected {
    /// The runtime's words for a refused event.
    pub words: Option<String>,
    pub said: Said,
    pub state: String,
    pub trail: Vec<String>,
    /// Milliseconds since `t0`.
    pub clock: String,
    pub permits: String,
}

/// Checks what the page showed after each action against what the
/// runtime says: the state, the steps, the clock, what is permitted, and
/// for a fired event the refusal's kind, first guard and words (up to the
/// instant, which the page writes relative to the start, `T + 1d`; the
/// page may add the other guards that do not hold).
pub fn agree(workflow: &str, actions: &[Action], views: &[View], expected: Vec<Expected>) {
    assert_eq!(views.len(), actions.len());
    for (n, (view, expected)) in views.iter().zip(expected).enumerate() {
        let context = || {
            format!(
                "{workflow}: action {n}, {:?}\n(the actions up to it: {:#?})",
                actions[n],
                &actions[..=n]
            )
        };
        assert_eq!(view.done, "ok", "{}", context());
        assert_eq!(view.state, expected.state, "state; {}", context());
        assert_eq!(view.trail, expected.trail, "steps; {}", context());
        if let (Action::Fire { .. }, Some(words)) = (&actions[n], &expected.words) {
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
                why: view.why.clone(),
                guard: view.guard.clone(),
            };
            assert_eq!(page, expected.said, "refusal; {}", context());
        }
        assert_eq!(view.clock, expected.clock, "clock; {}", context());
        assert_eq!(view.permits, expected.permits, "permits; {}", context());
    }
}

/// The steps the page lists, in its words.
pub fn trail(tab: &Tab) -> Vec<String> {
    let value = tab
        .evaluate(
            "JSON.stringify(Array.from(document.querySelectorAll('#trail li'), li => li.textContent))",
            false,
        )
        .unwrap()
        .value;
    serde_json::from_str(value.as_ref().and_then(|v| v.as_str()).unwrap()).unwrap()
}

/// Pastes `snapshot` into the page's Instance box and opens it: the
/// page's message after it.
pub fn open_text(tab: &Tab, snapshot: &str) -> String {
    let script = format!(
        "document.getElementById('snapshot-text').value = {}; document.getElementById('snapshot-load').click(); \
         document.getElementById('message').textContent",
        serde_json::to_string(snapshot).unwrap()
    );
    let value = tab.evaluate(&script, false).unwrap().value;
    value.and_then(|v| v.as_str().map(str::to_string)).unwrap()
}
