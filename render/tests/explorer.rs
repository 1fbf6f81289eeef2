//! The explorer (`render --format html`) and the SVG, in a real browser:
//! headless Chromium driven over the DevTools protocol.
//!
//! Each test skips with one line where Chromium is not installed, and fails
//! instead when `TURNSTILE_REQUIRE_TOOLS` is set (as `.ci/run` does).
//! Screenshots go to `target/tmp/explorer/`, which CI keeps.

mod browser;

use std::path::Path;
use std::time::Duration;

use browser::*;
use headless_chrome::protocol::cdp::Page;
use turnstile_render::{html, svg};
use turnstile_spec::graph::{Graph, Step};
use turnstile_spec::{load, SourceFile, Workflow};

fn workflow(path: &str) -> Workflow {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read_to_string(&full).unwrap();
    load(&SourceFile::new(path, text)).expect("a valid definition")
}

const REFERENCES: [&str; 7] = [
    "sign_up",
    "account_upgrade",
    "phone_change",
    "partner_association",
    "service_closing",
    "account_restriction",
    "details_change",
];

fn references() -> Vec<Workflow> {
    REFERENCES
        .iter()
        .map(|n| workflow(&format!("../workflows/{n}.toml")))
        .collect()
}

/// The request watch sees what a page fetches: a page without our
/// Content-Security-Policy that loads an image is caught, so the "nothing
/// requested" assertions below can fail.
#[test]
fn the_request_watch_sees_requests() {
    let Some(path) = chromium() else { return };
    let browser = launch(path);
    let (tab, watch) = watched_tab(&browser);
    let file = out_dir().join("control.html");
    open(
        &tab,
        &file,
        "<!DOCTYPE html><body data-ready=\"true\"><img src=\"http://127.0.0.1:9/pixel.png\"></body>",
    );
    std::thread::sleep(Duration::from_millis(500));
    let requests = watch.lock().unwrap().requests.clone();
    assert!(
        requests.iter().any(|u| u.contains("127.0.0.1:9")),
        "{requests:?}"
    );
}

/// `steps` as the page's script takes them: `[event, outcome, role]`, the
/// outcome (a state index) only where the event branches, the role (the
/// transition's first) only where it names roles.
fn steps_js(w: &Workflow, steps: &[Step]) -> serde_json::Value {
    steps
        .iter()
        .map(|step| {
            let t = w.transition(step.transition);
            let role = t.by.first().map_or("", |r| w.role(*r).name.as_str());
            serde_json::json!([t.event.as_str(), t.is_branch().then_some(step.to.0), role])
        })
        .collect()
}

/// A script function that takes such steps and, for each, works the
/// event's form as a person would: chooses the outcome where the event
/// branches, acts in the role the step needs, ticks every guard, presses
/// "Wait" where the event has a timer
/// not yet due (for an automatic event that is all: it then happens by
/// itself), then "Fire"; it notes the current state after each step.
const FIRE_STEPS: &str = "(steps => steps.map(([event, outcome, role]) => { \
    document.getElementById('acting-as').value = role; \
    const form = () => document.querySelector('fieldset[data-event-form=' + JSON.stringify(event) + ']'); \
    if (!form()) return 'no form for ' + event; \
    const choose = () => { if (outcome !== null) form().querySelector('select[data-outcome]').value = String(outcome); }; \
    choose(); \
    const automatic = form().getAttribute('data-automatic') === 'true'; \
    const wait = form().querySelector('button[data-wait]'); \
    if (wait) wait.click(); \
    if (!automatic) { \
      choose(); \
      form().querySelectorAll('input[data-guard]').forEach(b => { b.checked = true; }); \
      form().querySelector('button[data-fire]').click(); \
    } \
    return document.body.getAttribute('data-current'); }))";

/// Every path of every reference workflow's test plan, clicked through
/// step by step in the simulator (choosing the step's outcome where the
/// event branches), with the current state checked after each step; then
/// the same path played from the plan list. A screenshot of each workflow
/// is kept, and no page requests anything.
#[test]
fn the_test_plans_click_through_in_the_simulator() {
    let Some(path) = chromium() else { return };
    let browser = launch(path);
    let dir = out_dir();
    for w in references() {
        let (tab, watch) = watched_tab(&browser);
        let file = dir.join(format!("{}.html", w.name));
        open(&tab, &file, &html(&w));
        // The screenshot: the whole diagram (fit to width), the state
        // farthest from the start selected (its shortest path lit), and
        // the simulator two steps along that path.
        let (far, way) = Graph::new(&w)
            .shortest_paths()
            .into_iter()
            .max_by_key(|(s, p)| (p.len(), std::cmp::Reverse(s.0)))
            .unwrap();
        eval(
            &tab,
            &format!(
                "{FIRE_STEPS}({}); \
                 document.querySelector('g.state[data-state={}]').dispatchEvent(new MouseEvent('click', {{ bubbles: true }})); \
                 document.getElementById('fit').click(); document.getElementById('diagram').scrollTo(0, 0)",
                steps_js(&w, &way[..way.len().min(2)]),
                js(w.state(far).name.as_str())
            ),
        );
        let png = tab
            .capture_screenshot(Page::CaptureScreenshotFormatOption::Png, None, None, true)
            .unwrap();
        std::fs::write(dir.join(format!("{}.png", w.name)), png).unwrap();
        eval(&tab, "document.body.setAttribute('data-step-ms', '0')");
        let plan = Graph::new(&w).covering_paths();
        assert!(!plan.is_empty());
        for (k, steps) in plan.iter().enumerate() {
            // One round trip per path: reset, fire the steps, count the
            // trail, then play the path from the plan list and wait for it
            // to end.
            let walked = tab
                .evaluate(
                    &format!(
                        "(async () => {{ \
                           document.getElementById('reset').click(); \
                           const start = document.body.getAttribute('data-current'); \
                           const seen = {FIRE_STEPS}({}); \
                           const trail = document.querySelectorAll('#trail li').length; \
                           document.querySelector('button[data-path=\"{k}\"]').click(); \
                           while (document.body.getAttribute('data-playing') !== 'false') \
                             await new Promise(r => setTimeout(r, 5)); \
                           return JSON.stringify({{ start, seen, trail, played: document.body.getAttribute('data-current') }}); \
                         }})()",
                        steps_js(&w, steps)
                    ),
                    true,
                )
                .unwrap()
                .value;
            let walked: serde_json::Value =
                serde_json::from_str(walked.as_ref().and_then(|v| v.as_str()).unwrap()).unwrap();
            assert_eq!(walked["start"], w.state(w.initial).name.as_str());
            let seen = walked["seen"].as_array().unwrap();
            assert_eq!(seen.len(), steps.len());
            for (n, (step, state)) in steps.iter().zip(seen).enumerate() {
                assert_eq!(
                    state,
                    w.state(step.to).name.as_str(),
                    "{}: path {}, step {} ({})",
                    w.name,
                    k + 1,
                    n + 1,
                    w.transition(step.transition).event
                );
            }
            assert_eq!(walked["trail"], serde_json::json!(steps.len()));
            // Played from the list, it ends in the same state.
            let last = steps.last().map_or(w.initial, |s| s.to);
            assert_eq!(walked["played"], w.state(last).name.as_str());
        }
        assert_no_requests(&watch, &file);
    }
}

/// A guard that does not hold refuses the event, says which guard and
/// why, and leaves the state as it was; a `not_before` timer that has not
/// passed refuses too; undo and reset go back.
#[test]
fn refusals_keep_the_state_and_undo_and_reset_go_back() {
    let Some(path) = chromium() else { return };
    let browser = launch(path);
    let (tab, watch) = watched_tab(&browser);
    let w = workflow("../workflows/sign_up.toml");
    let file = out_dir().join("refusal.html");
    open(&tab, &file, &html(&w));
    assert_eq!(current(&tab), "visitor");
    // Every guard box starts unticked: firing now is refused by the first
    // guard the runtime checks, and every guard that does not hold is named.
    click(&tab, "button[data-fire='register_id']");
    assert_eq!(current(&tab), "visitor", "a refused guard keeps the state");
    let register = w
        .transitions
        .iter()
        .find(|t| t.event.as_str() == "register_id")
        .unwrap();
    let first = w.guard(register.guards[0]).name.as_str();
    assert_eq!(
        eval_str(
            &tab,
            "document.getElementById('message').getAttribute('data-guard')"
        ),
        first
    );
    let message = eval_str(&tab, "document.getElementById('message').textContent");
    for g in &register.guards {
        assert!(message.contains(w.guard(*g).name.as_str()), "{message}");
    }
    // Every guard but `email_unused` holds: refused by that one, in the
    // runtime's words.
    eval(
        &tab,
        "document.querySelectorAll(\"fieldset[data-event-form='register_id'] input[data-guard]\") \
           .forEach(b => { b.checked = b.getAttribute('data-guard') !== 'email_unused'; })",
    );
    click(&tab, "button[data-fire='register_id']");
    assert_eq!(current(&tab), "visitor", "a refused guard keeps the state");
    let message = eval_str(&tab, "document.getElementById('message').textContent");
    assert!(
        message.starts_with("sign_up: event `register_id` refused in state `visitor`: guard `email_unused` does not hold"),
        "{message}"
    );
    let summary = w.guards.iter().find(|g| g.name.as_str() == "email_unused");
    let summary = summary.and_then(|g| g.summary.clone()).unwrap();
    assert!(message.contains(&summary), "{message}");
    assert_eq!(
        eval(&tab, "document.querySelectorAll('#trail li').length"),
        0
    );
    // With the guard holding too, the event goes through; undo and reset.
    click(
        &tab,
        "fieldset[data-event-form='register_id'] input[data-guard='email_unused']",
    );
    click(&tab, "button[data-fire='register_id']");
    assert_eq!(current(&tab), "id_registered");
    click(&tab, "button[data-fire='skip_security_phone']");
    assert_eq!(current(&tab), "reading_agreements");
    click(&tab, "#undo");
    assert_eq!(current(&tab), "id_registered");
    click(&tab, "#reset");
    assert_eq!(current(&tab), "visitor");
    assert_no_requests(&watch, &file);

    // A timer not yet passed.
    let w = workflow("../workflows/service_closing.toml");
    let (tab, watch) = watched_tab(&browser);
    let file = out_dir().join("timer.html");
    open(&tab, &file, &html(&w));
    let timed = w
        .transitions
        .iter()
        .find(|t| t.timer.as_ref().is_some_and(|t| !t.automatic))
        .expect("a not_before timer");
    let from = w.state(timed.from[0]).name.as_str().to_string();
    let path = Graph::new(&w)
        .shortest_paths()
        .into_iter()
        .find(|(s, _)| *s == timed.from[0])
        .map(|(_, p)| p)
        .unwrap();
    eval(&tab, &format!("{FIRE_STEPS}({})", steps_js(&w, &path)));
    assert_eq!(current(&tab), from);
    let form = format!("fieldset[data-event-form=\"{}\"]", timed.event);
    click(&tab, &format!("{form} button[data-fire]"));
    assert_eq!(current(&tab), from, "a timer not passed keeps the state");
    let message = eval_str(&tab, "document.getElementById('message').textContent");
    assert!(message.contains("not due until"), "{message}");
    assert_eq!(
        eval_str(
            &tab,
            "document.getElementById('message').getAttribute('data-why')"
        ),
        "not_yet"
    );
    // Waited for, it goes through.
    click(&tab, &format!("{form} button[data-wait]"));
    eval(
        &tab,
        &format!("document.querySelectorAll('{form} input[data-guard]').forEach(b => {{ b.checked = true; }})"),
    );
    click(&tab, &format!("{form} button[data-fire]"));
    assert_ne!(current(&tab), from, "due, it fires");
    assert_no_requests(&watch, &file);
}

/// Clicking a state (or pressing Enter on it) shows its summary and the
/// shortest event sequence to it, highlighted on the diagram; controls
/// carry names a screen reader reads.
#[test]
fn a_selected_state_shows_its_details_and_its_shortest_path() {
    let Some(path) = chromium() else { return };
    let browser = launch(path);
    let (tab, watch) = watched_tab(&browser);
    let w = workflow("../workflows/account_upgrade.toml");
    let file = out_dir().join("select.html");
    open(&tab, &file, &html(&w));
    let shortest = Graph::new(&w).shortest_paths();
    for (state, steps) in &shortest {
        let s = w.state(*state);
        click(&tab, &format!("g.state[data-state=\"{}\"]", s.name));
        let seen: (String, String, usize, usize) = serde_json::from_str(&eval_str(
            &tab,
            "JSON.stringify([document.querySelector('#details h2').firstChild.textContent, \
               document.getElementById('details').textContent, \
               document.querySelectorAll('#details ol.trail li').length, \
               document.querySelectorAll('g.edge.on-path').length])",
        ))
        .unwrap();
        let (title, text, listed, lit) = seen;
        assert_eq!(title, s.name.as_str());
        assert!(text.contains(s.summary.as_deref().unwrap_or("")), "{text}");
        assert_eq!(listed, steps.len(), "{}", s.name);
        assert!(lit >= steps.len(), "{}: {lit} edges lit", s.name);
    }
    // The keyboard: focus a state and press Enter.
    eval(
        &tab,
        "document.querySelector('g.state[data-state=\"postponed\"]').focus()",
    );
    tab.press_key("Enter").unwrap();
    let title = eval_str(
        &tab,
        "document.querySelector('#details h2').firstChild.textContent",
    );
    assert_eq!(title, "postponed");
    // Every control has a name; every state is a labelled button.
    let unnamed = eval(
        &tab,
        "[...document.querySelectorAll('button, input, select')].filter(e => \
           !(e.getAttribute('aria-label') || e.textContent.trim() || (e.id && document.querySelector('label[for=\"' + e.id + '\"]')))).length",
    );
    assert_eq!(unnamed, 0);
    let states = eval(
        &tab,
        "[...document.querySelectorAll('g.state')].filter(g => g.getAttribute('role') === 'button' && g.getAttribute('tabindex') === '0' && g.getAttribute('aria-label')).length",
    );
    assert_eq!(states, serde_json::json!(w.states.len()));
    assert_no_requests(&watch, &file);
}

/// Roles and capabilities on the page: a state's details list what it
/// permits and who may fire each event; the simulator acts as a role the
/// user picks, refuses a role that may not fire the event in the runtime's
/// words, and fires it for one that may.
#[test]
fn the_explorer_shows_roles_and_what_each_state_permits() {
    let Some(path) = chromium() else { return };
    let browser = launch(path);
    let (tab, watch) = watched_tab(&browser);
    let w = workflow("../workflows/tests/fixtures/unbinding.toml");
    let file = out_dir().join("roles.html");
    open(&tab, &file, &html(&w));
    click(&tab, "g.state[data-state=\"disassociated\"]");
    let permits = eval_str(
        &tab,
        "JSON.stringify([...document.querySelectorAll('#details li.capability')].map(li => li.textContent))",
    );
    assert_eq!(
        permits,
        r#"["view_bills: View the account and its expenditure details."]"#
    );
    click(&tab, "g.state[data-state=\"draft\"]");
    let details = eval_str(&tab, "document.getElementById('details').textContent");
    assert!(
        details.contains("Fired by customer or master only"),
        "{details}"
    );
    // Acting as staff, `submit` is refused in the runtime's words.
    let said = eval_str(
        &tab,
        "document.getElementById('acting-as').value = 'staff'; \
         document.querySelector('fieldset[data-event-form=\"submit\"] input[data-guard]').checked = true; \
         document.querySelector('button[data-fire=\"submit\"]').click(); \
         JSON.stringify([document.getElementById('message').textContent, document.body.getAttribute('data-current')])",
    );
    assert_eq!(
        said,
        serde_json::json!([
            "unbinding: event `submit` refused in state `draft`: it may be fired by `customer`, `master` only; the actor `you` holds `staff`",
            "draft"
        ])
        .to_string()
    );
    // As the master account, it is fired.
    let state = eval_str(
        &tab,
        "document.getElementById('acting-as').value = 'master'; \
         document.querySelector('fieldset[data-event-form=\"submit\"] input[data-guard]').checked = true; \
         document.querySelector('button[data-fire=\"submit\"]').click(); \
         document.body.getAttribute('data-current')",
    );
    assert_eq!(state, "submitted");
    assert_no_requests(&watch, &file);
}

/// Search on a workflow of 1,000 states: the page gets ready, results come
/// a bounded number at a time, and a search takes milliseconds.
#[test]
fn search_stays_responsive_at_a_thousand_states() {
    let Some(path) = chromium() else { return };
    let browser = launch(path);
    let (tab, watch) = watched_tab(&browser);
    let text = turnstile_spec::synthetic::definition(1_000, 3);
    let w = load(&SourceFile::new("thousand.toml", text)).expect("valid");
    let file = out_dir().join("thousand.html");
    open(&tab, &file, &html(&w));
    // The test plan: a hundred paths at a time, more when asked for.
    let paths = "document.querySelectorAll('#plan button[data-path]').length";
    assert_eq!(eval(&tab, paths), 100);
    eval(
        &tab,
        "document.querySelector('#plan button[data-more]').click()",
    );
    assert_eq!(eval(&tab, paths), 200);
    click(&tab, "#search");
    tab.type_str("s99").unwrap();
    tab.wait_for_element("#results button").unwrap();
    let shown = eval(&tab, "document.querySelectorAll('#results button').length");
    let status = eval_str(&tab, "document.getElementById('search-status').textContent");
    assert!(status.contains("match"), "{status}");
    assert!(shown.as_u64().unwrap() <= 50, "{shown}");
    // The search itself, timed in the page: a few milliseconds.
    let ms = eval(
        &tab,
        "(() => { const box = document.getElementById('search'); const t = performance.now(); \
           for (let i = 0; i < 20; i++) { box.value = 's' + i; box.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'})); } \
           return (performance.now() - t) / 20; })()",
    )
    .as_f64()
    .unwrap();
    eprintln!("one search over 1,000 states and their events: {ms:.2} ms");
    assert!(ms < 200.0, "one search took {ms} ms");
    click(&tab, "#search");
    eval(&tab, "document.getElementById('search').value = ''");
    tab.type_str("s999").unwrap();
    // The search runs 120 ms after the last keystroke: wait for the one
    // result of `s999` (no other query gives exactly that) before the
    // click, or a search for `s99` could redraw the list under the mouse.
    let settled = "(() => { const b = document.querySelectorAll('#results button'); \
                   return b.length === 1 && b[0].dataset.resultState === 's999'; })()";
    let since = std::time::Instant::now();
    while eval(&tab, settled) != serde_json::Value::Bool(true) {
        assert!(
            since.elapsed() < std::time::Duration::from_secs(10),
            "the search for s999 did not settle"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    click(&tab, "#results button[data-result-state='s999']");
    let title = eval_str(
        &tab,
        "document.querySelector('#details h2').firstChild.textContent",
    );
    assert_eq!(title, "s999");
    assert_no_requests(&watch, &file);
}

/// The hostile fixture's summaries (`</script>`, `<b>`, quotes) stay text:
/// no dialog, no extra element or script, and the text shown verbatim.
#[test]
fn hostile_text_cannot_inject_markup_or_script() {
    let Some(path) = chromium() else { return };
    let browser = launch(path);
    let (tab, watch) = watched_tab(&browser);
    let w = workflow("tests/fixtures/hostile.toml");
    let file = out_dir().join("hostile.html");
    open(&tab, &file, &html(&w));
    assert_eq!(eval(&tab, "document.scripts.length"), 2);
    assert_eq!(
        eval(&tab, "document.querySelectorAll('b, main script').length"),
        0
    );
    let header = eval_str(&tab, "document.querySelector('header p').textContent");
    // Written into the page's markup, control characters are spaces.
    let summary: Option<String> = w.summary.as_deref().map(|s| {
        s.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    });
    assert_eq!(Some(header), summary);
    click(&tab, "g.state[data-state='start']");
    let details = eval_str(&tab, "document.getElementById('details').textContent");
    let summary = w.state(w.initial).summary.clone().unwrap();
    assert!(details.contains(&summary), "{details}");
    let guard = w.guards[0].summary.clone().unwrap();
    assert!(details.contains(&guard), "{details}");
    // Its guard box starts unticked: firing is refused, in its words.
    click(&tab, "button[data-fire='go']");
    assert_eq!(current(&tab), "start");
    let message = eval_str(&tab, "document.getElementById('message').textContent");
    assert!(message.contains(&guard), "{message}");
    assert_no_requests(&watch, &file);
}

/// The reference diagrams, measured by Chromium: no two labels overlap,
/// no label overlaps a state, no edge runs through a label, every text
/// fits its box, nothing lies outside the canvas, and no character is
/// drawn as a missing glyph.
#[test]
fn svg_labels_do_not_overlap_or_cross_edges() {
    let Some(path) = chromium() else { return };
    let browser = launch(path);
    let dir = out_dir();
    for w in references() {
        let (tab, watch) = watched_tab(&browser);
        let file = dir.join(format!("{}-diagram.html", w.name));
        let page = format!(
            "<!DOCTYPE html><html><body style=\"margin:0\" data-ready=\"true\">{}</body></html>",
            svg(&w)
        );
        open(&tab, &file, &page);
        let problems: serde_json::Value =
            serde_json::from_str(&eval_str(&tab, &format!("JSON.stringify({CHECK_LAYOUT})")))
                .unwrap();
        assert_eq!(
            problems,
            serde_json::json!([]),
            "{}: layout problems",
            w.name
        );
        let labels = eval(&tab, "document.querySelectorAll('text.label').length");
        assert!(labels.as_u64().unwrap() > 0);
        assert_no_requests(&watch, &file);
    }
}

/// The rows layout of 1,000 states, measured by Chromium: no two edge
/// labels overlap and no label lies on a state (each edge of the chain has
/// a label of its own; they used to run together).
#[test]
fn labels_of_a_thousand_states_do_not_overlap() {
    let Some(path) = chromium() else { return };
    let browser = launch(path);
    for (name, text) in [
        ("chain", turnstile_spec::synthetic::chain(1_000)),
        ("jumps", turnstile_spec::synthetic::definition(1_000, 3)),
    ] {
        let w = load(&SourceFile::new("synthetic.toml", text)).expect("valid");
        let (tab, watch) = watched_tab(&browser);
        let file = out_dir().join(format!("rows-{name}.html"));
        let page = format!(
            "<!DOCTYPE html><html><body style=\"margin:0\" data-ready=\"true\">{}</body></html>",
            svg(&w)
        );
        open(&tab, &file, &page);
        let found = eval_str(
            &tab,
            r#"(() => {
  const svg = document.querySelector('svg');
  const box = e => { const b = e.getBBox(); return { x: b.x, y: b.y, r: b.x + b.width, b: b.y + b.height }; };
  const overlap = (a, b) => a.x < b.r - 0.5 && b.x < a.r - 0.5 && a.y < b.b - 0.5 && b.y < a.b - 0.5;
  const labels = [...svg.querySelectorAll('text.label')].map(t => ({ t, b: box(t) }));
  const states = [...svg.querySelectorAll('g.state rect:first-of-type')].map(box);
  let crowded = 0, onStates = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels.some((l, j) => j !== i && overlap(labels[i].b, l.b))) crowded++;
    if (states.some(s => overlap(labels[i].b, s))) onStates++;
  }
  return JSON.stringify([labels.length, crowded, onStates]);
})()"#,
        );
        let [labels, crowded, on_states]: [usize; 3] = serde_json::from_str(&found).unwrap();
        assert!(labels > 1_500, "{name}: {labels} labels");
        assert_eq!(
            (crowded, on_states),
            (0, 0),
            "{name}: of {labels} labels, overlapping another, lying on a state"
        );
        assert_no_requests(&watch, &file);
    }
}

/// The layout check, run in the page: a list of problems, empty if none.
const CHECK_LAYOUT: &str = r#"(() => {
  const svg = document.querySelector('svg');
  const box = e => { const b = e.getBBox(); return { x: b.x, y: b.y, r: b.x + b.width, b: b.y + b.height }; };
  const overlap = (a, b) => a.x < b.r - 0.5 && b.x < a.r - 0.5 && a.y < b.b - 0.5 && b.y < a.b - 0.5;
  const inside = (p, a) => p.x > a.x + 0.5 && p.x < a.r - 0.5 && p.y > a.y + 0.5 && p.y < a.b - 0.5;
  const within = (a, b) => a.x >= b.x - 0.5 && a.r <= b.r + 0.5 && a.y >= b.y - 0.5 && a.b <= b.b + 0.5;
  const name = e => e.textContent.slice(0, 40);
  const problems = [];
  const labels = [...svg.querySelectorAll('text.label')].map(t => ({ t, b: box(t) }));
  const states = [...svg.querySelectorAll('g.state')].map(g => ({ g, b: box(g.querySelector('rect')) }));
  for (let i = 0; i < labels.length; i++)
    for (let j = i + 1; j < labels.length; j++)
      if (overlap(labels[i].b, labels[j].b)) problems.push('labels overlap: ' + name(labels[i].t) + ' / ' + name(labels[j].t));
  for (const l of labels) for (const s of states)
    if (overlap(l.b, s.b)) problems.push('label on a state: ' + name(l.t) + ' / ' + s.g.getAttribute('data-state'));
  for (const p of svg.querySelectorAll('g.edge path')) {
    const length = p.getTotalLength();
    for (let d = 0; d <= length; d += 1.5) {
      const pt = p.getPointAtLength(d);
      for (const l of labels) if (inside(pt, l.b)) { problems.push('edge through label: ' + name(l.t)); d = length + 1; break; }
    }
  }
  for (const s of states) for (const t of s.g.querySelectorAll('text'))
    if (!within(box(t), s.b)) problems.push('text outside its state: ' + name(t));
  const view = svg.viewBox.baseVal;
  const frame = svg.getBoundingClientRect();
  for (const e of svg.querySelectorAll('g.edges > g, g.states > g, g.legend')) {
    const c = e.getBoundingClientRect();
    const b = { x: c.left - frame.left, y: c.top - frame.top, r: c.right - frame.left, b: c.bottom - frame.top };
    if (b.x < 0 || b.y < 0 || b.r > view.width + 0.5 || b.b > view.height + 0.5) problems.push('outside the canvas: ' + name(e) + ' ' + JSON.stringify(b) + ' in ' + view.width + 'x' + view.height);
  }
  // No character falls back to a missing glyph: drawn in the SVG's own
  // fonts, each character that is not ASCII must not measure as the box
  // a character no font has (a private-use one) measures.
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = '13px ' + svg.getAttribute('font-family');
  const missing = ctx.measureText('\u{10FFFD}\u{10FFFD}').width;
  const chars = new Set([...svg.querySelectorAll('text')].flatMap(t => [...t.textContent]));
  for (const c of chars)
    if (c.codePointAt(0) > 126 && !/\s/.test(c) && Math.abs(ctx.measureText(c + c).width - missing) < 0.01)
      problems.push('no font has ' + c + ' (U+' + c.codePointAt(0).toString(16).toUpperCase() + ')');
  return [...new Set(problems)];
})()"#;

/// The simulator as a first-time user meets it (each bug found that way
/// has its check here): guards start unticked; an automatic timer is no
/// button and happens by itself when the clock reaches it; timers are
/// worded plainly; Undo or firing while a path plays stops the playing
/// and never makes a step the definition does not have; the test plan
/// tells paths apart by the states they reach; the details and the
/// diagram follow the current state.
#[test]
fn the_simulator_as_a_person_uses_it() {
    let Some(path) = chromium() else { return };
    let browser = launch(path);
    let (tab, watch) = watched_tab(&browser);
    let w = workflow("../workflows/service_closing.toml");
    let file = out_dir().join("person.html");
    open(&tab, &file, &html(&w));

    // Guards start unticked.
    assert_eq!(
        eval(
            &tab,
            "document.querySelectorAll('input[data-guard]:checked').length"
        ),
        0
    );
    assert!(
        eval(
            &tab,
            "document.querySelectorAll('input[data-guard]').length"
        )
        .as_u64()
            > Some(0)
    );

    // Closed: `retention_period_ends` has no Fire button, says when it
    // happens, and happens by itself after 90 days.
    eval(
        &tab,
        &format!("{FIRE_STEPS}([['close', null, 'customer']])"),
    );
    assert_eq!(current(&tab), "closed");
    let auto = "fieldset[data-event-form='retention_period_ends']";
    assert_eq!(
        eval(
            &tab,
            &format!("document.querySelectorAll(\"{auto} button[data-fire]\").length")
        ),
        0
    );
    let said = eval_str(
        &tab,
        &format!("document.querySelector(\"{auto} .timer\").textContent"),
    );
    assert!(
        said.starts_with("Happens by itself 90d after entering closed: at T + 90d"),
        "{said}"
    );
    let restore = eval_str(
        &tab,
        "document.querySelector(\"fieldset[data-event-form='restore'] .timer\").textContent",
    );
    assert!(
        restore.starts_with("Not before 24h after entering closed: due at T + 1d"),
        "{restore}"
    );
    eval(
        &tab,
        "document.getElementById('advance-amount').value = '89'; \
         document.getElementById('advance-unit').value = '86400000'; \
         document.getElementById('advance').click()",
    );
    assert_eq!(current(&tab), "closed", "day 89: not yet");
    click(&tab, "#advance");
    assert_eq!(current(&tab), "disabled", "day 90: by itself");
    let trail: Vec<String> = serde_json::from_str(&eval_str(
        &tab,
        "JSON.stringify(Array.from(document.querySelectorAll('#trail li'), li => li.textContent))",
    ))
    .unwrap();
    assert_eq!(
        trail,
        [
            "close: active → closed at T as customer",
            "retention_period_ends: closed → disabled at T + 90d (by itself)"
        ]
    );
    // The details follow the current state.
    assert_eq!(
        eval_str(
            &tab,
            "document.querySelector('#details h2').firstChild.textContent"
        ),
        "disabled"
    );
    // Undo puts the clock back with the step.
    click(&tab, "#undo");
    assert_eq!(current(&tab), "closed");
    assert_eq!(
        eval_str(&tab, "document.getElementById('clock').textContent"),
        "T + 89d"
    );

    // Undo while a path plays: the playing stops, and every step listed
    // is a transition of the definition, from where the one before ended.
    let transitions: std::collections::HashSet<(String, String, String)> = w
        .transitions
        .iter()
        .flat_map(|t| {
            t.from.iter().flat_map(|f| {
                t.to.iter().map(|to| {
                    (
                        t.event.as_str().to_string(),
                        w.state(*f).name.as_str().to_string(),
                        w.state(*to).name.as_str().to_string(),
                    )
                })
            })
        })
        .collect();
    let plan = Graph::new(&w).covering_paths();
    let longest = (0..plan.len()).max_by_key(|k| plan[*k].len()).unwrap();
    for interrupt in ["#undo", "button[data-fire]", "#advance", "#reset"] {
        let script = format!(
                "(async () => {{ document.body.setAttribute('data-step-ms', '40'); \
                   document.querySelector('button[data-path=\"{longest}\"]').click(); \
                   await new Promise(r => setTimeout(r, 60)); \
                   const b = document.querySelector({}); if (b && !b.disabled) b.click(); \
                   await new Promise(r => setTimeout(r, 300)); \
                   return JSON.stringify([document.body.getAttribute('data-playing'), \
                     Array.from(document.querySelectorAll('#trail li'), li => li.textContent)]); }})()",
                js(interrupt)
            );
        let steps = tab.evaluate(&script, true).unwrap().value.unwrap();
        let steps = steps.as_str().unwrap();
        let (playing, listed): (String, Vec<String>) = serde_json::from_str(steps).unwrap();
        assert_eq!(playing, "false", "{interrupt} stops the playing");
        let mut at = w.state(w.initial).name.as_str().to_string();
        for line in &listed {
            let (event, rest) = line.split_once(": ").unwrap();
            let (from, rest) = rest.split_once(" → ").unwrap();
            let to = rest.split(" at ").next().unwrap();
            assert_eq!(from, at, "{interrupt}: {listed:?}");
            assert!(
                transitions.contains(&(event.into(), from.into(), to.into())),
                "{interrupt}: {line} is not a transition"
            );
            at = to.to_string();
        }
    }
    assert_no_requests(&watch, &file);

    // The test plan names the state each step reaches, so paths that
    // differ only by an outcome read differently.
    let w = workflow("../workflows/phone_change.toml");
    let (tab, watch) = watched_tab(&browser);
    let file = out_dir().join("person-phone.html");
    open(&tab, &file, &html(&w));
    let texts: Vec<String> = serde_json::from_str(&eval_str(
        &tab,
        "JSON.stringify(Array.from(document.querySelectorAll('#plan button'), b => b.textContent))",
    ))
    .unwrap();
    let distinct: std::collections::HashSet<&String> = texts.iter().collect();
    assert_eq!(distinct.len(), texts.len(), "{texts:#?}");
    // Deep into the workflow, the current state is on screen in the
    // diagram, and the details show it.
    let (far, way) = Graph::new(&w)
        .shortest_paths()
        .into_iter()
        .max_by_key(|(_, p)| p.len())
        .unwrap();
    eval(&tab, &format!("{FIRE_STEPS}({})", steps_js(&w, &way)));
    let far = w.state(far).name.as_str();
    assert_eq!(current(&tab), far);
    let visible = eval(
        &tab,
        &format!(
            "(() => {{ const d = document.getElementById('diagram').getBoundingClientRect(); \
               const s = document.querySelector('g.state[data-state={}]').getBoundingClientRect(); \
               return s.bottom > d.top && s.top < d.bottom && s.right > d.left && s.left < d.right; }})()",
            js(far)
        ),
    );
    assert_eq!(visible, true, "{far} is scrolled into view");
    assert_eq!(
        eval_str(
            &tab,
            "document.querySelector('#details h2').firstChild.textContent"
        ),
        far
    );
    assert_no_requests(&watch, &file);
}

/// On a 420-pixel-wide screen, a tapped state's details come into view,
/// and Fit keeps the text readable.
#[test]
fn the_explorer_on_a_narrow_screen() {
    let Some(path) = chromium() else { return };
    let browser = launch_sized(path, (420, 800));
    let (tab, watch) = sized_tab(&browser, (420, 800));
    let w = workflow("../workflows/sign_up.toml");
    let file = out_dir().join("narrow.html");
    open(&tab, &file, &html(&w));
    let state = w.state(w.initial).name.as_str();
    click(&tab, &format!("g.state[data-state={}]", js(state)));
    let shown = eval(
        &tab,
        "(() => { const r = document.getElementById('details').getBoundingClientRect(); \
           return r.top < window.innerHeight && r.bottom > 0; })()",
    );
    assert_eq!(shown, true, "the details are on screen after a tap");
    click(&tab, "#fit");
    // The smallest text as drawn: its font size times the diagram's scale.
    const SMALLEST: &str = "(() => { const svg = document.querySelector('#diagram svg'); \
        const scale = svg.getBoundingClientRect().width / svg.width.baseVal.value; \
        const sizes = [...svg.querySelectorAll('[font-size]')].map(e => Number(e.getAttribute('font-size'))); \
        return JSON.stringify([scale, scale * Math.min(...sizes)]); })()";
    let fitted: serde_json::Value = serde_json::from_str(&eval_str(&tab, SMALLEST)).unwrap();
    let smallest = fitted[1].as_f64().unwrap();
    assert!(smallest >= 9.99, "fitted text is {smallest} px high");
    assert!(
        fitted[0].as_f64().unwrap() < 1.0,
        "Fit shrinks a wide diagram"
    );
    // A small diagram is not enlarged.
    let door = workflow("../tests/ui/workflows/door.toml");
    let browser = launch_sized(chromium().unwrap(), (1366, 900));
    let (tab, _door_watch) = sized_tab(&browser, (1366, 900));
    open(&tab, &out_dir().join("narrow-door.html"), &html(&door));
    click(&tab, "#fit");
    let scale: serde_json::Value = serde_json::from_str(&eval_str(&tab, SMALLEST)).unwrap();
    let scale = scale[0].as_f64().unwrap();
    assert!(scale <= 1.0 + 1e-9, "Fit enlarged the diagram {scale}×");
    assert_no_requests(&watch, &file);
}

/// The promises section: every reference workflow's promises show as
/// kept; a broken one (marked a warning, so the page renders) plays the
/// run that breaks it, step by step at the run's own instants, and ends
/// where the run says.
#[test]
fn the_promises_are_listed_and_a_broken_one_plays_its_run() {
    let Some(path) = chromium() else { return };
    let browser = launch(path);
    let dir = out_dir();
    for w in references() {
        let (tab, _) = watched_tab(&browser);
        let file = dir.join(format!("promises-{}.html", w.name));
        open(&tab, &file, &html(&w));
        let shown = eval_str(
            &tab,
            "JSON.stringify([...document.querySelectorAll('#promises li')].map(li => [li.getAttribute('data-promise'), li.getAttribute('data-holds')]))",
        );
        // Kept, but for the one promise marked a warning: the flat
        // restriction process forgets a restriction under a freeze.
        let expected: Vec<(String, String)> = w
            .properties
            .iter()
            .map(|p| (p.name.to_string(), (!p.warning).to_string()))
            .collect();
        assert_eq!(
            shown,
            serde_json::to_string(&expected).unwrap(),
            "{}",
            w.name
        );
        // A state inside a compound says so in its details.
        if let Some(c) = w.compounds.first() {
            let leaf = w.state(c.entry).name.as_str();
            click(&tab, &format!("g.state[data-state=\"{leaf}\"]"));
            let within = eval_str(
                &tab,
                "(document.querySelector('#details p.within') || {}).textContent || ''",
            );
            assert!(
                within.starts_with(&format!("Inside {}", c.name)),
                "{}: {within}",
                w.name
            );
        }
    }
    let w = workflow("../tests/ui/workflows/promise_warned.toml");
    let (tab, watch) = watched_tab(&browser);
    let file = dir.join("promise_warned.html");
    open(&tab, &file, &html(&w));
    let played = tab
        .evaluate(
            "(async () => { \
               document.body.setAttribute('data-step-ms', '0'); \
               const item = document.querySelector('#promises li[data-promise=\"retention\"]'); \
               const holds = item.getAttribute('data-holds'); \
               item.querySelector('button[data-play-promise]').click(); \
               while (document.body.getAttribute('data-playing') !== 'false') \
                 await new Promise(r => setTimeout(r, 5)); \
               return JSON.stringify({ holds, state: document.body.getAttribute('data-current'), \
                 clock: document.getElementById('clock').textContent, \
                 trail: [...document.querySelectorAll('#trail li')].map(li => li.textContent), \
                 said: document.getElementById('message').textContent }); \
             })()",
            true,
        )
        .unwrap()
        .value;
    let played: serde_json::Value =
        serde_json::from_str(played.as_ref().and_then(|v| v.as_str()).unwrap()).unwrap();
    assert_eq!(played["holds"], "false");
    assert_eq!(played["state"], "disabled", "{played:#}");
    // Led in from the initial state: `close`, then the timer at 90 days.
    let trail = played["trail"].as_array().unwrap();
    assert_eq!(trail.len(), 2, "{played:#}");
    assert!(trail[0].as_str().unwrap().contains("close"), "{played:#}");
    assert!(
        trail[1].as_str().unwrap().contains("retention_ends"),
        "{played:#}"
    );
    assert!(
        played["said"]
            .as_str()
            .unwrap()
            .starts_with("Played the run that breaks retention"),
        "{played:#}"
    );
    assert_no_requests(&watch, &file);
}

/// A compound state folds and unfolds: its box alone, the state the
/// simulator is in shown by the folded box, and back.
#[test]
fn a_compound_folds_and_unfolds() {
    let Some(path) = chromium() else { return };
    let browser = launch(path);
    let (tab, watch) = watched_tab(&browser);
    let w = workflow("../workflows/tests/fixtures/nested_timers.toml");
    let file = out_dir().join("fold.html");
    open(&tab, &file, &html(&w));
    click(&tab, "button[data-fire='close']");
    click(&tab, "button[data-fire='request_restore']");
    assert_eq!(current(&tab), "waiting");
    let count = |selector: &str| {
        eval(
            &tab,
            &format!(
                "document.querySelectorAll('#diagram svg {}').length",
                selector.replace('\'', "\\\"")
            ),
        )
    };
    assert_eq!(count("g.state[data-state='waiting']"), serde_json::json!(1));
    // Fold `reviewing`: its states are gone, its box shows the current
    // state, the edge of `review_lapses` leaves its border.
    click(&tab, "g.compound[data-compound='reviewing']");
    assert_eq!(count("g.state[data-state='waiting']"), serde_json::json!(0));
    assert_eq!(
        count("g.compound[data-compound='reviewing'][data-folded='true'].current"),
        serde_json::json!(1)
    );
    assert_eq!(
        count("g.edge[data-event='review_lapses'][data-from='waiting asked']"),
        serde_json::json!(1)
    );
    assert_eq!(count("g.state[data-state='kept']"), serde_json::json!(1));
    // The simulator goes on while folded; the keyboard unfolds.
    click(&tab, "button[data-fire='ask']");
    assert_eq!(current(&tab), "asked");
    eval(
        &tab,
        "document.querySelector(\"g.compound[data-compound='reviewing']\").focus()",
    );
    tab.press_key("Enter").unwrap();
    assert_eq!(count("g.compound[data-folded]"), serde_json::json!(0));
    assert_eq!(
        count("g.state[data-state='asked'].current"),
        serde_json::json!(1)
    );
    assert_no_requests(&watch, &file);
}

/// The page as people hold it (issue 34): on a phone the sidebar does not
/// scroll sideways however long a role's summary is; firing from the
/// keyboard keeps the page where it is and the focus in the events; the
/// details follow the way the simulator took, not the shortest; an event's
/// details say who fires it and what it brings; the clock moves by a
/// fraction and on Enter; one button ticks every guard of an event; a
/// workflow without timers offers no "next timer".
#[test]
fn the_explorer_as_people_hold_it() {
    let Some(path) = chromium() else { return };
    let browser = launch_sized(path, (390, 844));
    let (tab, watch) = sized_tab(&browser, (390, 844));
    let w = workflow("../workflows/account_restriction.toml");
    let file = out_dir().join("held.html");
    open(&tab, &file, &html(&w));
    let sideways = eval(
        &tab,
        "(() => { const a = document.querySelector('aside'); \
           return a.scrollWidth - a.clientWidth; })()",
    );
    assert!(
        sideways.as_f64().unwrap() <= 1.0,
        "the sidebar scrolls sideways by {sideways}"
    );
    let picker = eval(
        &tab,
        "document.getElementById('acting-as').getBoundingClientRect().right <= \
           document.querySelector('aside').getBoundingClientRect().right",
    );
    assert_eq!(picker, true, "the role picker fits the sidebar");
    // The details are rebuilt on every action: not a live region (the
    // result is announced once, by the message's `role="status"`).
    assert_eq!(
        eval(
            &tab,
            "document.getElementById('details').hasAttribute('aria-live')"
        ),
        false
    );

    // Keyboard: focus Fire, press Enter; the page does not jump.
    eval(
        &tab,
        "document.getElementById('acting-as').value = 'system'",
    );
    eval(
        &tab,
        "document.querySelector(\"button[data-fire='restrict']\").scrollIntoView({block: 'center'})",
    );
    let before = eval(&tab, "window.scrollY").as_f64().unwrap();
    eval(
        &tab,
        "document.querySelector(\"button[data-fire='restrict']\").focus()",
    );
    tab.press_key("Enter").unwrap();
    assert_eq!(current(&tab), "restricted");
    let after = eval(&tab, "window.scrollY").as_f64().unwrap();
    assert!(
        (after - before).abs() < 2.0,
        "the page moved from {before} to {after}"
    );
    let focus = eval_str(
        &tab,
        "document.activeElement.closest('#events') ? 'events' : document.activeElement.outerHTML.slice(0, 80)",
    );
    assert_eq!(focus, "events", "the focus stays in the events");
    // The details follow the way taken.
    let details = eval_str(&tab, "document.getElementById('details').textContent");
    assert!(details.contains("The way taken here"), "{details}");
    assert!(details.contains("restrict → restricted at T"), "{details}");

    // An event's details: roles and payload.
    eval(
        &tab,
        "document.querySelector(\"g.edge[data-event='decide_freeze']\").dispatchEvent(new MouseEvent('click', {bubbles: true}))",
    );
    let details = eval_str(&tab, "document.getElementById('details').textContent");
    assert!(details.contains("Fired by staff only"), "{details}");
    assert!(details.contains("Brings a StaffDecision"), "{details}");

    // The steps say who acted in which role.
    let trail = eval_str(&tab, "document.getElementById('trail').textContent");
    assert_eq!(
        trail,
        "restrict: in_good_standing → restricted at T as system"
    );
    // A refused attempt is listed in the runtime's words.
    eval(
        &tab,
        "document.getElementById('acting-as').value = 'customer'",
    );
    click(&tab, "button[data-fire='submit_restriction_ticket']");
    assert_eq!(current(&tab), "restricted");
    let refused = eval_str(&tab, "document.getElementById('refused').textContent");
    let message = eval_str(&tab, "document.getElementById('message').textContent");
    assert!(
        refused.starts_with("submit_restriction_ticket at T: "),
        "{refused}"
    );
    assert!(refused.ends_with(&message), "{refused} / {message}");
    assert!(
        message.contains("guard `verification_complete` does not hold"),
        "{message}"
    );
    // Every guard at once, then Fire.
    click(&tab, "button[data-all-hold='submit_restriction_ticket']");
    click(&tab, "button[data-fire='submit_restriction_ticket']");
    assert_eq!(current(&tab), "restriction_under_review");

    // 1.5 days is 36 hours, and Enter moves the clock.
    eval(
        &tab,
        "document.getElementById('advance-unit').value = '86400000'",
    );
    eval(
        &tab,
        "document.getElementById('advance-amount').value = '1.5'",
    );
    eval(&tab, "document.getElementById('advance-amount').focus()");
    tab.press_key("Enter").unwrap();
    let clock = eval(&tab, "Number(document.body.getAttribute('data-clock-ms'))");
    assert_eq!(clock.as_f64().unwrap(), 36.0 * 3600.0 * 1000.0);
    assert_no_requests(&watch, &file);

    // Skip links lead to the simulator and to search; an edge is reached
    // by keyboard and shows its event.
    assert_eq!(
        eval(&tab, "[...document.querySelectorAll('nav.skip a')].map(a => a.getAttribute('href')).join(' ')"),
        "#simulate-label #search"
    );
    eval(
        &tab,
        "document.querySelector(\"g.edge[data-event='partner_freeze']\").focus()",
    );
    tab.press_key("Enter").unwrap();
    let title = eval_str(&tab, "document.querySelector('#details h2').textContent");
    assert_eq!(title, "Event partner_freeze");
    assert_eq!(
        eval(
            &tab,
            "document.querySelector('#diagram svg').getAttribute('role')"
        ),
        "group"
    );

    // No timers: no "next timer".
    let door = workflow("../tests/ui/workflows/door.toml");
    let (tab, watch) = watched_tab(&browser);
    let file = out_dir().join("held-door.html");
    open(&tab, &file, &html(&door));
    assert_eq!(
        eval(&tab, "document.getElementById('next-timer').hidden"),
        true
    );
    assert_no_requests(&watch, &file);
}

/// A link holds the simulation and the selected state: opened again (or
/// reloaded), the page shows what its sender saw; a link that does not
/// fit the workflow is said and left out.
#[test]
fn a_link_reproduces_the_simulation() {
    let Some(path) = chromium() else { return };
    let browser = launch(path);
    let (tab, watch) = watched_tab(&browser);
    let w = workflow("../workflows/service_closing.toml");
    let file = out_dir().join("link.html");
    open(&tab, &file, &html(&w));
    click(&tab, "button[data-all-hold='close']");
    click(&tab, "button[data-fire='close']");
    eval(
        &tab,
        "document.getElementById('advance-amount').value = '3'; \
         document.getElementById('advance-unit').value = '86400000'; \
         document.getElementById('advance').click()",
    );
    click(&tab, "g.state[data-state='active']");
    let seen = |tab: &headless_chrome::Tab| {
        eval_str(
            tab,
            "JSON.stringify([document.body.getAttribute('data-current'), \
               document.body.getAttribute('data-clock-ms'), \
               document.getElementById('trail').textContent, \
               document.querySelector('#details h2').firstChild.textContent])",
        )
    };
    let before = seen(&tab);
    let link = eval_str(&tab, "location.href");
    assert!(link.contains("#sim="), "{link}");
    // Reloaded: nothing lost.
    tab.reload(false, None).unwrap();
    tab.wait_for_element("body[data-ready='true']").unwrap();
    assert_eq!(seen(&tab), before);
    // Opened elsewhere.
    let (other, other_watch) = watched_tab(&browser);
    other
        .navigate_to(&link)
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    other.wait_for_element("body[data-ready='true']").unwrap();
    assert_eq!(seen(&other), before);
    assert_eq!(
        eval(&other, "document.getElementById('undo').disabled"),
        false
    );
    // A link this workflow cannot take.
    let bad = format!(
        "file://{}#sim={}",
        file.display(),
        "%7B%22state%22%3Anull%2C%22clock%22%3A0%2C%22steps%22%3A%5B%5B%22fly%22%2C%22active%22%2C%22closed%22%2C0%2C%22you%22%2C%22%22%5D%5D%7D"
    );
    let (third, third_watch) = watched_tab(&browser);
    third
        .navigate_to(&bad)
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    third.wait_for_element("body[data-ready='true']").unwrap();
    assert_eq!(current(&third), w.state(w.initial).name.as_str());
    let message = eval_str(&third, "document.getElementById('message').textContent");
    assert!(message.contains("cannot take"), "{message}");
    assert_no_requests(&watch, &file);
    assert_no_requests(&other_watch, &file);
    assert_no_requests(&third_watch, &file);
}

/// Firing from the diagram: an event's edge out of the current state asks
/// its form's questions (guards, outcome) in place, beside the edge, and
/// fires with the answers (mouse and keyboard); Cancel and Escape fire
/// nothing and put the form back; another edge shows its event.
#[test]
fn an_edge_out_of_the_current_state_fires_its_event() {
    let Some(path) = chromium() else { return };
    let browser = launch(path);
    let (tab, watch) = watched_tab(&browser);
    let w = workflow("../workflows/service_closing.toml");
    let file = out_dir().join("fire-edge.html");
    open(&tab, &file, &html(&w));
    let asking = |tab: &headless_chrome::Tab| {
        eval_str(
            tab,
            "String(document.getElementById('in-place').open) + ' ' + \
             (document.querySelector('#in-place fieldset[data-event-form]') || {getAttribute: () => '-'}).getAttribute('data-event-form')",
        )
    };
    // Not out of the current state: its details.
    click(&tab, "g.edge[data-event='restore'] text.label");
    assert_eq!(current(&tab), "active");
    assert_eq!(asking(&tab), "false -");
    assert_eq!(
        eval_str(&tab, "document.querySelector('#details h2').textContent"),
        "Event restore"
    );
    // Out of it: its guards are asked beside the edge, and nothing fires yet.
    click(&tab, "g.edge[data-event='close'].fireable text.label");
    assert_eq!(asking(&tab), "true close");
    assert_eq!(current(&tab), "active");
    let (edge_x, dialog_x, inside) = {
        let v = eval_str(
            &tab,
            "(() => { const e = document.querySelector(\"g.edge[data-event='close'] text.label\").getBoundingClientRect(); \
               const d = document.getElementById('in-place').getBoundingClientRect(); \
               return JSON.stringify([Math.round(e.left), Math.round(d.left), d.left >= 0 && d.right <= innerWidth && d.top >= 0 && d.bottom <= innerHeight]); })()",
        );
        let v: serde_json::Value = serde_json::from_str(&v).unwrap();
        (
            v[0].as_i64().unwrap(),
            v[1].as_i64().unwrap(),
            v[2].as_bool().unwrap(),
        )
    };
    assert!(inside, "the questions are drawn inside the window");
    assert!(
        (dialog_x - edge_x).abs() < 400,
        "asked beside the edge: label at x = {edge_x}, questions at x = {dialog_x}"
    );
    assert_eq!(
        eval_str(
            &tab,
            "document.activeElement.getAttribute('data-guard') || document.activeElement.tagName"
        ),
        eval_str(
            &tab,
            "document.querySelector('#in-place input[data-guard]').getAttribute('data-guard')"
        ),
        "the first question has the focus"
    );
    // Cancel: nothing fired, the form back in the events panel.
    click(&tab, "#in-place-cancel");
    assert_eq!(asking(&tab), "false -");
    assert_eq!(current(&tab), "active");
    assert_eq!(
        eval(
            &tab,
            "document.querySelectorAll('#events fieldset[data-event-form=\"close\"]').length"
        ),
        1
    );
    // Fired from the questions with a guard unticked: refused in the
    // runtime's words, the questions gone.
    click(&tab, "g.edge[data-event='close'].fireable text.label");
    click(&tab, "#in-place button[data-fire='close']");
    assert_eq!(asking(&tab), "false -");
    assert_eq!(current(&tab), "active");
    assert_eq!(
        eval_str(
            &tab,
            "document.getElementById('message').getAttribute('data-why')"
        ),
        "guard"
    );
    // By keyboard: Enter on the edge asks, Escape cancels, Enter asks
    // again, and every guard holding fires it.
    eval(
        &tab,
        "document.querySelector(\"g.edge[data-event='close']\").focus()",
    );
    tab.press_key("Enter").unwrap();
    assert_eq!(asking(&tab), "true close");
    tab.press_key("Escape").unwrap();
    assert_eq!(asking(&tab), "false -");
    assert_eq!(current(&tab), "active");
    assert_eq!(
        eval_str(
            &tab,
            "document.activeElement.getAttribute('data-event') || ''"
        ),
        "close",
        "Escape gives the focus back to the edge"
    );
    tab.press_key("Enter").unwrap();
    click(&tab, "#in-place button[data-all-hold='close']");
    eval(
        &tab,
        "document.querySelector('#in-place button[data-fire]').focus()",
    );
    tab.press_key("Enter").unwrap();
    assert_eq!(current(&tab), "closed");
    assert_eq!(asking(&tab), "false -");
    assert_eq!(
        eval(
            &tab,
            "document.querySelectorAll('g.edge.fireable[data-event=\"close\"]').length"
        ),
        0
    );
    // An edge with nothing to ask fires at once.
    let no_questions = eval_str(
        &tab,
        "Array.from(document.querySelectorAll('g.edge.fireable')).map(g => g.getAttribute('data-event')) \
           .filter(e => !document.querySelector('fieldset[data-event-form=\"' + e + '\"] input[data-guard], fieldset[data-event-form=\"' + e + '\"] select[data-outcome]'))[0] || ''",
    );
    assert!(
        !no_questions.is_empty(),
        "closed has an event that asks nothing"
    );
    click(
        &tab,
        &format!("g.edge.fireable[data-event='{no_questions}'] text.label"),
    );
    assert_eq!(asking(&tab), "false -");
    let said = eval_str(&tab, "document.getElementById('message').textContent");
    assert!(
        said.contains(&no_questions) && !said.contains("Clock"),
        "{no_questions} fired at once: {said}"
    );

    assert_no_requests(&watch, &file);

    // A branching event asks its outcome in place and goes where chosen.
    let (tab, watch) = watched_tab(&browser);
    let w = workflow("../workflows/account_restriction.toml");
    let file = out_dir().join("fire-edge-outcome.html");
    open(&tab, &file, &html(&w));
    eval(
        &tab,
        "document.getElementById('acting-as').value = 'system'",
    );
    click(&tab, "g.edge[data-event='restrict'].fireable text.label");
    assert_eq!(asking(&tab), "true restrict");
    eval(
        &tab,
        "{ const s = document.querySelector('#in-place select[data-outcome]'); \
         s.value = Array.from(s.options).find(o => o.textContent === 'pay_per_use_suspended').value; \
         s.dispatchEvent(new Event('change')); }",
    );
    click(&tab, "#in-place button[data-fire='restrict']");
    assert_eq!(current(&tab), "pay_per_use_suspended");
    assert_no_requests(&watch, &file);
}

/// Playing a path starts the simulation again but keeps what the user
/// answered for each guard, and each played step says who took it.
#[test]
fn playing_a_path_keeps_the_users_answers() {
    let Some(path) = chromium() else { return };
    let browser = launch(path);
    let (tab, watch) = watched_tab(&browser);
    let w = workflow("../workflows/service_closing.toml");
    let file = out_dir().join("play-keeps.html");
    open(&tab, &file, &html(&w));
    let first_box =
        "document.querySelector(\"fieldset[data-event-form='close'] input[data-guard]\")";
    eval(&tab, &format!("{first_box}.click()"));
    assert_eq!(eval(&tab, &format!("{first_box}.checked")), true);
    let played = tab
        .evaluate(
            "(async () => { document.body.setAttribute('data-step-ms', '0'); \
               document.querySelector('button[data-path=\"0\"]').click(); \
               while (document.body.getAttribute('data-playing') !== 'false') \
                 await new Promise(r => setTimeout(r, 2)); \
               while (!document.getElementById('undo').disabled) document.getElementById('undo').click(); \
               return document.body.getAttribute('data-current'); })()",
            true,
        )
        .unwrap()
        .value;
    assert_eq!(
        played,
        Some(serde_json::json!(w.state(w.initial).name.as_str()))
    );
    assert_eq!(eval(&tab, &format!("{first_box}.checked")), true);
    assert_no_requests(&watch, &file);
}

/// A workflow with parallel regions is simulated one state per region:
/// the page lists each region's state and what the configuration permits,
/// offers the events that leave any of them with their conditions, moves
/// only the regions an event is written in, refuses a condition in the
/// runtime's words, plays the checker's runs over configurations, shows a
/// state's shortest run (one a machine can follow) and keeps the
/// simulation in its link. (That it fires as the generated `Current` does
/// is `workflows/account/tests/explorer_agrees.rs`.)
#[test]
fn a_workflow_with_regions_is_simulated_region_by_region() {
    let Some(path) = chromium() else { return };
    let browser = launch(path);
    let (tab, watch) = watched_tab(&browser);
    let w = workflow("../tests/ui/workflows/regions.toml");
    let file = out_dir().join("regions.html");
    open(&tab, &file, &html(&w));
    let text = |js: &str| eval(&tab, js);
    assert_eq!(
        text("document.querySelectorAll('#diagram svg g.compound').length"),
        serde_json::json!(3),
        "each region is drawn as a box"
    );
    let note = text("document.getElementById('regions-note').textContent");
    assert!(
        note.as_str()
            .unwrap()
            .contains("3 regions side by side (services, partner, restriction)"),
        "{note}"
    );
    let configuration = "Array.from(document.querySelectorAll('#configuration li'), li => li.textContent).join(' | ')";
    assert_eq!(
        text(configuration),
        serde_json::json!("services: active, entered at T | partner: no_partner, entered at T | restriction: in_good_standing, entered at T")
    );
    assert_eq!(current(&tab), "active no_partner in_good_standing");
    assert_eq!(
        text("document.getElementById('permits-now').textContent"),
        serde_json::json!("use_services, buy")
    );
    // `close` says what it asks of the other regions.
    let close = eval_str(
        &tab,
        "document.querySelector('fieldset[data-event-form=close]').textContent",
    );
    assert!(
        close.contains("Only while partner is in no_partner"),
        "{close}"
    );
    // Taking on a partner moves the partner region alone; then closing is
    // refused in the runtime's words, and nothing moves.
    eval(
        &tab,
        "document.getElementById('acting-as').value = 'customer'",
    );
    click(&tab, "button[data-fire='become_reseller_customer']");
    assert_eq!(current(&tab), "active associated in_good_standing");
    assert_eq!(
        text("document.querySelector('#trail li').textContent"),
        serde_json::json!(
            "become_reseller_customer: partner no_partner \u{2192} associated at T as customer"
        )
    );
    assert_eq!(
        text("document.getElementById('permits-now').textContent"),
        serde_json::json!("use_services"),
        "the partner region permits no buying"
    );
    click(&tab, "fieldset[data-event-form=close] input[data-guard]");
    click(&tab, "button[data-fire='close']");
    assert_eq!(current(&tab), "active associated in_good_standing");
    let message = eval_str(&tab, "document.getElementById('message').textContent");
    assert_eq!(
        message,
        "account: event `close` needs region `partner` to be in `no_partner`; it is in `associated`"
    );
    // A joint move: both regions in one step.
    click(&tab, "button[data-fire='over_budget']");
    assert_eq!(current(&tab), "active frozen_until_budget restricted");
    // Reloaded, the link keeps the simulation.
    let trail = text("document.getElementById('trail').textContent");
    tab.reload(false, None).unwrap();
    tab.wait_for_element("body[data-ready='true']").unwrap();
    assert_eq!(current(&tab), "active frozen_until_budget restricted");
    assert_eq!(text("document.getElementById('trail').textContent"), trail);
    // The shortest way to `closed` is the run the checker finds.
    click(&tab, "g.state[data-state='disabled']");
    let way = eval_str(
        &tab,
        "document.querySelector('#details ol.trail').textContent",
    );
    assert!(
        way.contains("close: services active \u{2192} closed"),
        "{way}"
    );
    // Every path of the test plan plays to its end.
    let paths = text("document.querySelectorAll('button[data-path]').length");
    let paths = paths.as_u64().unwrap();
    assert!(paths > 3, "{paths}");
    eval(&tab, "document.body.setAttribute('data-step-ms', '0')");
    for k in 0..paths {
        let said = tab
            .evaluate(
                &format!(
                    "(async () => {{ document.querySelector('button[data-path=\"{k}\"]').click(); \
                       while (document.body.getAttribute('data-playing') !== 'false') await new Promise(r => setTimeout(r, 1)); \
                       return document.getElementById('message').textContent; }})()"
                ),
                true,
            )
            .unwrap()
            .value;
        let said = said.unwrap();
        assert!(
            said.as_str().unwrap().contains("played"),
            "path {k}: {said}"
        );
    }
    // The edge labels carry the conditions on other regions.
    let label = text("document.querySelector(\"#diagram g.edge[data-event='close']\").textContent");
    assert!(
        label.as_str().unwrap().contains("when no_partner and"),
        "{label}"
    );
    assert_no_requests(&watch, &file);
}

/// Zoom and pan: the toolbar's buttons, + / - / 0 on the diagram, Ctrl and
/// the wheel (a trackpad's pinch) about the pointer, two fingers, dragging
/// the background, and a minimap once the diagram is larger than its panel
/// that frames the part in sight and brings another into sight.
#[test]
fn the_diagram_zooms_pans_and_has_a_minimap() {
    let Some(path) = chromium() else { return };
    let browser = launch(path);
    let (tab, watch) = watched_tab(&browser);
    let w = workflow("../workflows/sign_up.toml");
    let file = out_dir().join("zoom.html");
    open(&tab, &file, &html(&w));
    let num = |js: &str| eval(&tab, js).as_f64().unwrap();
    let natural = num("document.querySelector('#diagram svg').width.baseVal.value");
    let drawn = "document.querySelector('#diagram svg').getBoundingClientRect().width";
    let level = || eval_str(&tab, "document.getElementById('zoom-level').textContent");
    click(&tab, "#zoom-in");
    assert_eq!(level(), "125%");
    assert!(
        (num(drawn) - natural * 1.25).abs() < 1.0,
        "{} vs {natural}",
        num(drawn)
    );
    // The keyboard, on the diagram.
    let key = |k: &str| {
        eval(
            &tab,
            &format!(
                "document.querySelector('g.state').focus(); \
                 document.activeElement.dispatchEvent(new KeyboardEvent('keydown', {{ key: {}, bubbles: true, cancelable: true }}))",
                js(k)
            ),
        )
    };
    key("-");
    assert_eq!(level(), "100%");
    key("-");
    assert_eq!(level(), "80%");
    key("0");
    assert_eq!(level(), "100%");
    // Ctrl and the wheel zoom about the pointer: the state under it stays.
    // A state in sight, away from the toolbar, by its place in the page.
    let chosen = eval(
        &tab,
        "(() => { const d = document.getElementById('diagram').getBoundingClientRect(); \
           const all = Array.from(document.querySelectorAll('#diagram g.state')); \
           return all.findIndex(g => { const s = g.getBoundingClientRect(); const x = s.left + s.width / 2, y = s.top + s.height / 2; \
             return x > d.left + 40 && x < d.right - 40 && y > d.top + 80 && y < d.bottom - 160; }); })()",
    );
    let under = format!(
        "(() => {{ const s = document.querySelectorAll('#diagram g.state')[{chosen}].getBoundingClientRect(); \
           return [s.left + s.width / 2, s.top + s.height / 2]; }})()"
    );
    let under = under.as_str();
    let pair = |js: &str| -> (f64, f64) {
        serde_json::from_str(&eval_str(&tab, &format!("JSON.stringify({js})"))).unwrap()
    };
    let (x, y) = pair(under);
    eval(
        &tab,
        &format!(
            "document.elementFromPoint({x}, {y}).dispatchEvent(new WheelEvent('wheel', \
             {{ deltaY: -200, ctrlKey: true, clientX: {x}, clientY: {y}, bubbles: true, cancelable: true }}))"
        ),
    );
    assert_eq!(level(), "149%");
    let after = pair(under);
    assert!(
        (after.0 - x).abs() < 2.0 && (after.1 - y).abs() < 2.0,
        "the state under the pointer moved: {:?} → {after:?}",
        (x, y)
    );
    // Two fingers spread twice as far apart: twice the zoom.
    click(&tab, "#zoom-level");
    eval(
        &tab,
        "const d = document.getElementById('diagram'); \
         const touch = (type, id, x) => d.dispatchEvent(new PointerEvent(type, { pointerId: id, pointerType: 'touch', clientX: x, clientY: 300, bubbles: true })); \
         touch('pointerdown', 11, 300); touch('pointerdown', 12, 400); \
         window.dispatchEvent(new PointerEvent('pointermove', { pointerId: 12, pointerType: 'touch', clientX: 500, clientY: 300 })); \
         window.dispatchEvent(new PointerEvent('pointerup', { pointerId: 11, pointerType: 'touch' })); \
         window.dispatchEvent(new PointerEvent('pointerup', { pointerId: 12, pointerType: 'touch' }));",
    );
    assert_eq!(level(), "200%");
    // Dragging the background pans.
    let scroll = "[document.getElementById('diagram').scrollLeft, document.getElementById('diagram').scrollTop]";
    let start = pair(scroll);
    eval(
        &tab,
        "const bg = document.querySelector('#diagram svg rect.background'); const r = bg.getBoundingClientRect(); \
         const x = Math.min(r.right, innerWidth) - 450, y = 500; \
         document.elementFromPoint(x, y).dispatchEvent(new PointerEvent('pointerdown', { pointerId: 1, pointerType: 'mouse', button: 0, clientX: x, clientY: y, bubbles: true })); \
         window.dispatchEvent(new PointerEvent('pointermove', { pointerId: 1, pointerType: 'mouse', clientX: x - 120, clientY: y - 80 })); \
         window.dispatchEvent(new PointerEvent('pointerup', { pointerId: 1, pointerType: 'mouse' }));",
    );
    let moved = pair(scroll);
    assert_eq!(
        ((moved.0 - start.0).round(), (moved.1 - start.1).round()),
        (120.0, 80.0),
        "{start:?} → {moved:?}"
    );
    // The minimap: shown, framing what is in sight; a click on its far
    // corner brings that corner into sight.
    assert_eq!(
        eval(&tab, "document.getElementById('minimap').hidden"),
        false
    );
    let frame = num("document.querySelector('#minimap .frame').getBoundingClientRect().width");
    let map = num("document.getElementById('minimap').getBoundingClientRect().width");
    assert!(
        frame > 5.0 && frame < map,
        "the frame is {frame} px of {map}"
    );
    eval(
        &tab,
        "const m = document.getElementById('minimap').getBoundingClientRect(); \
         document.getElementById('minimap').dispatchEvent(new PointerEvent('pointerdown', { clientX: m.right - 2, clientY: m.bottom - 2, bubbles: true, cancelable: true })); \
         window.dispatchEvent(new PointerEvent('pointerup', {}));",
    );
    let far = eval(
        &tab,
        "(() => { const d = document.getElementById('diagram').getBoundingClientRect(); \
           const r = document.querySelector('#diagram svg').getBoundingClientRect(); \
           return r.right <= d.right + 2 && r.right > d.left && r.bottom <= d.bottom + 2 && r.bottom > d.top; })()",
    );
    assert_eq!(far, true, "the far corner is in sight");
    assert_no_requests(&watch, &file);
    // No minimap where the drawing fits.
    let (tab, watch) = watched_tab(&browser);
    let small = workflow("../tests/ui/workflows/door.toml");
    let file = out_dir().join("zoom-small.html");
    open(&tab, &file, &html(&small));
    assert_eq!(
        eval(&tab, "document.getElementById('minimap').hidden"),
        true
    );
    assert_no_requests(&watch, &file);
}

/// What a screen reader walks, read from Chromium's accessibility tree:
/// the diagram is a group (not an image) whose states and events are
/// buttons named by their state and summary, or their event and states;
/// the page has two live regions only, the result of an action (a
/// status) and the search's count, so that one action is announced once,
/// in one sentence.
#[test]
fn a_screen_reader_walks_the_diagram_and_hears_each_action_once() {
    use std::collections::HashMap;
    let Some(path) = chromium() else { return };
    let browser = launch(path);
    let (tab, watch) = watched_tab(&browser);
    let w = workflow("../workflows/service_closing.toml");
    let file = out_dir().join("a11y.html");
    open(&tab, &file, &html(&w));
    /// `Accessibility.getFullAXTree`, read as JSON.
    #[derive(Debug, serde::Serialize)]
    struct FullTree {}
    impl headless_chrome::protocol::cdp::types::Method for FullTree {
        const NAME: &'static str = "Accessibility.getFullAXTree";
        type ReturnObject = serde_json::Value;
    }
    let tree = || -> Vec<serde_json::Value> {
        let got = tab.call_method(FullTree {}).unwrap();
        got["nodes"].as_array().unwrap().clone()
    };
    let nodes = tree();
    let text = |n: &serde_json::Value, key: &str| -> String {
        n[key]["value"].as_str().unwrap_or_default().to_string()
    };
    let by_id: HashMap<String, &serde_json::Value> = nodes
        .iter()
        .map(|n| (n["nodeId"].as_str().unwrap().to_string(), n))
        .collect();
    let diagram = nodes
        .iter()
        .find(|n| text(n, "name") == format!("The {} workflow", w.name))
        .expect("the diagram in the tree");
    assert_eq!(text(diagram, "role"), "group");
    // Its buttons, walked from the diagram down.
    let mut buttons = Vec::new();
    let mut stack = vec![diagram];
    while let Some(n) = stack.pop() {
        if text(n, "role") == "button" && n["ignored"] != true {
            buttons.push(text(n, "name"));
        }
        for child in n["childIds"].as_array().into_iter().flatten() {
            if let Some(c) = by_id.get(child.as_str().unwrap()) {
                stack.push(c);
            }
        }
    }
    for state in &w.states {
        assert!(
            buttons.iter().any(|b| b == &format!("State {}", state.name)
                || b.starts_with(&format!("State {}: ", state.name))),
            "no button for state {}: {buttons:?}",
            state.name
        );
    }
    for t in &w.transitions {
        assert!(
            buttons
                .iter()
                .any(|b| b.starts_with(&format!("Event {} ", t.event))
                    || b.starts_with(&format!("Fire {} ", t.event))),
            "no button for event {}: {buttons:?}",
            t.event
        );
    }
    // The live regions: the nodes that say `live`, with their role.
    let live = |nodes: &[serde_json::Value]| -> Vec<String> {
        nodes
            .iter()
            .filter(|n| n["ignored"] != true)
            .filter(|n| {
                n["properties"].as_array().is_some_and(|props| {
                    props
                        .iter()
                        .any(|p| p["name"] == "live" && p["value"]["value"] != "off")
                })
            })
            .map(|n| text(n, "role"))
            .collect()
    };
    assert_eq!(
        live(&nodes),
        ["paragraph", "status"],
        "the search's count and the message, both in the tree before they speak"
    );
    click(&tab, "button[data-all-hold='close']");
    eval(
        &tab,
        "document.getElementById('acting-as').value = 'customer'",
    );
    click(&tab, "button[data-fire='close']");
    let after = tree();
    assert_eq!(
        live(&after),
        ["paragraph", "status"],
        "no live region added by Fire"
    );
    let announced: Vec<String> = after
        .iter()
        .filter(|n| n["role"]["value"] == "status" && n["ignored"] != true)
        .map(|n| text(n, "name"))
        .collect();
    assert_eq!(announced.len(), 1, "{announced:?}");
    assert_eq!(
        eval_str(&tab, "document.getElementById('message').textContent"),
        "close: active → closed at T"
    );
    assert_no_requests(&watch, &file);
}

/// The account as one machine in the explorer, as people hold it: at
/// 1366 × 900 and on a 390 × 844 phone, a few steps into a simulation of
/// its regions. Nothing is wider than the window, the configuration and
/// the result of the last action are on screen after it, and a
/// screenshot of each is kept (`docs/figures/explorer-regions-*.png`
/// come from here).
#[test]
fn the_account_at_desktop_and_phone_size() {
    let Some(path) = chromium() else { return };
    let w = workflow("../workflows/account/account.toml");
    for (name, size) in [("desktop", (1366, 900)), ("phone", (390, 844))] {
        let browser = launch_sized(path.clone(), size);
        let (tab, watch) = sized_tab(&browser, size);
        let file = out_dir().join(format!("regions-{name}.html"));
        open(&tab, &file, &html(&w));
        eval(
            &tab,
            "document.getElementById('acting-as').value = 'customer'; \
             document.querySelector('select[data-outcome=associate]').selectedIndex = 1",
        );
        click(&tab, "button[data-all-hold='associate']");
        click(&tab, "button[data-fire='associate']");
        eval(
            &tab,
            "document.getElementById('acting-as').value = 'partner'",
        );
        click(&tab, "button[data-fire='set_budget']");
        eval(
            &tab,
            "document.getElementById('acting-as').value = 'customer'",
        );
        click(&tab, "button[data-all-hold='close']");
        click(&tab, "button[data-fire='close']");
        let message = eval_str(&tab, "document.getElementById('message').textContent");
        assert!(
            message
                .starts_with("account: event `close` needs region `partner` to be in `no_partner`"),
            "{message}"
        );
        let seen = eval(
            &tab,
            "(() => { const r = document.getElementById('message').getBoundingClientRect(); \
               return r.top >= -1 && r.bottom <= window.innerHeight + 1; })()",
        );
        assert_eq!(seen, true, "{name}: the refusal is on screen");
        let wide = eval(
            &tab,
            "document.documentElement.scrollWidth <= window.innerWidth",
        );
        assert_eq!(wide, true, "{name}: nothing is wider than the window");
        // The picture: the simulator's configuration in sight.
        eval(
            &tab,
            "document.getElementById('configuration-box').scrollIntoView({ block: 'start' })",
        );
        let png = tab
            .capture_screenshot(Page::CaptureScreenshotFormatOption::Png, None, None, true)
            .unwrap();
        std::fs::write(out_dir().join(format!("regions-{name}.png")), png).unwrap();
        assert_no_requests(&watch, &file);
    }
}

/// A single machine in the explorer on a 390 × 844 phone, a 768 × 1024
/// tablet and at 1366 × 900, firing from the diagram: service closing's `close` edge asks its
/// guards in place, then fires. The questions are inside the
/// window and nothing is wider than it; a screenshot of each is kept
/// (`docs/figures/explorer-{phone,desktop}.png` come from here). The
/// viewport is emulated to the exact size: headless Chromium's window is
/// never narrower than 500 pixels.
#[test]
fn a_single_machine_at_phone_and_desktop_size() {
    let Some(path) = chromium() else { return };
    let w = workflow("../workflows/service_closing.toml");
    for (name, size) in [
        ("phone", (390, 844)),
        ("tablet", (768, 1024)),
        ("desktop", (1366, 900)),
    ] {
        let browser = launch_sized(path.clone(), size);
        let (tab, watch) = sized_tab(&browser, size);
        let file = out_dir().join(format!("single-{name}.html"));
        open(&tab, &file, &html(&w));
        assert_eq!(eval(&tab, "innerWidth"), size.0, "{name}: the viewport");
        eval(
            &tab,
            "document.getElementById('acting-as').value = 'customer'",
        );
        click(&tab, "g.edge[data-event='close'].fireable text.label");
        let asked = eval(
            &tab,
            "(() => { const d = document.getElementById('in-place'); const r = d.getBoundingClientRect(); \
               return d.open && r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight; })()",
        );
        assert_eq!(asked, true, "{name}: the questions are inside the window");
        click(&tab, "#in-place button[data-all-hold='close']");
        let wide = eval(
            &tab,
            "document.documentElement.scrollWidth <= window.innerWidth",
        );
        assert_eq!(wide, true, "{name}: nothing is wider than the window");
        let png = tab
            .capture_screenshot(Page::CaptureScreenshotFormatOption::Png, None, None, true)
            .unwrap();
        click(&tab, "#in-place button[data-fire='close']");
        assert_eq!(current(&tab), "closed", "{name}");
        std::fs::write(out_dir().join(format!("single-{name}.png")), png).unwrap();
        assert_no_requests(&watch, &file);
    }
}

/// The link keeps what the user said of each guard and the outcome chosen
/// for a branching event, so a reload (or the link sent to someone) shows
/// the same answers; a link naming a guard or target the event lacks
/// keeps none of it.
#[test]
fn a_link_keeps_the_answers_and_outcomes() {
    let Some(path) = chromium() else { return };
    let browser = launch(path);
    let (tab, watch) = watched_tab(&browser);
    let w = workflow("../workflows/account_restriction.toml");
    let file = out_dir().join("link-answers.html");
    open(&tab, &file, &html(&w));
    click(
        &tab,
        "fieldset[data-event-form=partner_freeze] input[data-guard=reseller_customer]",
    );
    eval(
        &tab,
        "const s = document.querySelector('select[data-outcome=restrict]'); s.selectedIndex = 1; \
         s.dispatchEvent(new Event('change'));",
    );
    let seen = |tab: &headless_chrome::Tab| {
        eval_str(
            tab,
            "JSON.stringify([document.querySelector('fieldset[data-event-form=partner_freeze] input[data-guard=reseller_customer]').checked, \
               document.querySelector('select[data-outcome=restrict]').selectedOptions[0].textContent])",
        )
    };
    assert_eq!(seen(&tab), "[true,\"pay_per_use_suspended\"]");
    assert!(eval_str(&tab, "location.hash").starts_with("#sim="));
    tab.reload(false, None).unwrap();
    tab.wait_for_element("body[data-ready='true']").unwrap();
    assert_eq!(seen(&tab), "[true,\"pay_per_use_suspended\"]");
    // Answers about guards the workflow lacks are left out.
    let bad = format!(
        "file://{}#sim={}",
        file.display(),
        "%7B%22state%22%3Anull%2C%22clock%22%3A0%2C%22steps%22%3A%5B%5D%2C%22answers%22%3A%5B%22999%2F1%22%5D%2C%22outcomes%22%3A%7B%220%22%3A999%7D%7D"
    );
    let (other, other_watch) = watched_tab(&browser);
    other
        .navigate_to(&bad)
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    other.wait_for_element("body[data-ready='true']").unwrap();
    assert_eq!(seen(&other), "[false,\"restricted\"]");
    assert_no_requests(&watch, &file);
    assert_no_requests(&other_watch, &file);
}
