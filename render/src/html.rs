//! The explorer: one self-contained HTML page per workflow.
//!
//! The page holds the diagram ([`crate::svg()`]), the model as JSON, and its
//! own script and style, all inline: it fetches nothing and works from
//! `file://`. Its Content-Security-Policy allows no network access at all
//! and runs no script but the page's own (by its SHA-256), so even a
//! summary that slipped past escaping could neither load nor run anything.
//!
//! Click a state for its summary, the events allowed from it (guards,
//! outcomes, timers) and the shortest event sequence that reaches it,
//! highlighted on the diagram; simulate the workflow with a clock (fire
//! events, choose whether each guard holds and which outcome a branch
//! takes, move the clock on and watch automatic timers happen, undo,
//! reset), by the runtime's rules in the runtime's order (the model
//! carries each transition's checks as `Workflow::checks` gives them);
//! play the test plan of `turnstile paths`; see the definition's promises
//! and play the run that breaks one; search states and events by name. A
//! workflow with parallel regions is simulated one state per region, as
//! the generated `Current` fires (its conditions, joint moves and each
//! region's clock), with the checker's runs over configurations as its
//! test plan and shortest ways.

use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use turnstile_spec::graph::Graph;
use turnstile_spec::model::compact_duration;
use turnstile_spec::prove::{self, Verdict};
use turnstile_spec::{Check, Clock, State, Transition, Workflow};

const SCRIPT: &str = include_str!("explorer/explorer.js");
const STYLE: &str = include_str!("explorer/explorer.css");

/// The model the page's script reads: states, guards, transitions (by
/// index) and the test plan, as [`Graph::covering_paths`] gives it.
pub fn model(w: &Workflow) -> Value {
    // Every field of the workflow, by name: a new one does not compile
    // here until the page is told whether it shows it (CONTRIBUTING.md).
    let Workflow {
        name: _,
        summary: _,
        initial: _,
        states,
        guards,
        roles,
        capabilities,
        transitions,
        properties,
        // The page draws and simulates the leaves a machine can be in,
        // each with what its compounds allow and permit resolved onto it.
        compounds: _,
        // The page simulates one state per region (`region_model`).
        regions: _,
    } = w;
    let states: Vec<Value> = states
        .iter()
        .enumerate()
        .map(|(i, s)| {
            // Every field, by name: a new one does not compile here until
            // the page is told whether it shows it (CONTRIBUTING.md).
            let State {
                name,
                summary,
                is_final,
                refusal,
                permits,
                parent: _,
            } = s;
            // The compounds it is inside, outermost first.
            let within: Vec<&str> = w
                .ancestors(turnstile_spec::StateId(i))
                .iter()
                .rev()
                .map(|c| w.compound(*c).name.as_str())
                .collect();
            json!({
                "name": name.as_str(),
                "summary": summary,
                "final": is_final,
                "refusal": refusal,
                "permits": permits.iter().map(|c| c.0).collect::<Vec<_>>(),
                "within": within,
            })
        })
        .collect();
    let guards: Vec<Value> = guards
        .iter()
        .map(|g| json!({ "name": g.name.as_str(), "summary": g.summary }))
        .collect();
    let outgoing = w.outgoing();
    let compound_timers = w.has_compound_timers();
    let transitions: Vec<Value> = transitions
        .iter()
        .map(|t| {
            // What firing it checks from each of its sources, in the order
            // the generated code checks (`Workflow::checks`): the page's
            // simulator reads the order here instead of having its own.
            let checks: Vec<Value> = t
                .from
                .iter()
                .map(|from| {
                    w.checks(t, *from, &outgoing[from.0])
                        .into_iter()
                        .map(|check| match check {
                            Check::Preempted { by, unless, .. } => match unless {
                                None => json!({ "preempted_by": by.0 }),
                                Some(_) => json!({ "preempted_by": by.0, "unless": true }),
                            },
                            Check::Timer { .. } => json!({ "timer": true }),
                            Check::Guard(g) => json!({ "guard": g.0 }),
                        })
                        .collect()
                })
                .collect();
            // Every field, by name (see the states above). The page shows
            // a payload's type; whether the trail keeps its digest
            // (`sensitive`) is the runtime's business, not the simulator's.
            let Transition {
                event,
                from,
                to,
                guards,
                by,
                summary,
                timer,
                payload,
                span: _,
                from_compounds: _,
                to_compounds: _,
                // Drawn in the edge's label (`edge_label`); the simulator
                // reads the event's conditions (`region_model`).
                when: _,
            } = t;
            let mut value = json!({
                "event": event.as_str(),
                "from": from.iter().map(|s| s.0).collect::<Vec<_>>(),
                "to": to.iter().map(|s| s.0).collect::<Vec<_>>(),
                "guards": guards.iter().map(|g| g.0).collect::<Vec<_>>(),
                "by": by.iter().map(|r| w.role(*r).name.as_str()).collect::<Vec<_>>(),
                "payload": payload.as_ref().map(|p| p.ty.as_str()),
                "summary": summary,
                "timer": timer.as_ref().map(|timer| json!({
                    "automatic": timer.automatic,
                    "after": compact_duration(timer.after),
                    "text": timer.text,
                    "after_ms": u64::try_from(timer.after.as_millis()).unwrap_or(u64::MAX),
                })),
                "checks": checks,
            });
            // Where a timer counts from entering a compound: what each
            // timer counts from (per source), and how many compounds each
            // move stays inside (per source, per target), from the model.
            if compound_timers {
                value["clocks"] = json!(from
                    .iter()
                    .map(|f| match w.clock(t, *f) {
                        Clock::State => Value::Null,
                        Clock::Compound(c) => json!(w.depth(c)),
                    })
                    .collect::<Vec<_>>());
                value["kept"] = json!(from
                    .iter()
                    .map(|f| to.iter().map(|d| w.kept(t, *f, *d)).collect::<Vec<_>>())
                    .collect::<Vec<_>>());
            }
            value
        })
        .collect();
    // The test plan, compact: each path is the shortest way to a state
    // (`tree`: each state's last step on it, `[transition, from]`, `null`
    // for the initial state and the unreached) and one step more
    // (`[transition, from, to]`), as `Graph::covering_paths` builds it; the
    // page rebuilds a path when it shows or plays it. Embedding every
    // step of every path made a 1,000-state page 23 MB.
    let graph = Graph::new(w);
    let mut tree: Vec<Value> = vec![Value::Null; w.states.len()];
    for (state, steps) in graph.shortest_paths() {
        if let Some(last) = steps.last() {
            let from = steps
                .len()
                .checked_sub(2)
                .map_or(w.initial, |i| steps[i].to);
            tree[state.0] = json!([last.transition.0, from.0]);
        }
    }
    let plan: Vec<Value> = graph
        .covering_paths()
        .iter()
        .map(|path| match path.last() {
            Some(last) => {
                let from = path.len().checked_sub(2).map_or(w.initial, |i| path[i].to);
                json!([last.transition.0, from.0, last.to.0])
            }
            None => Value::Null,
        })
        .collect();
    // The promises and their verdicts, each broken one with the run that
    // breaks it, as `turnstile check` proves them: the page plays the run.
    let promises: Vec<Value> = properties
        .iter()
        .zip(prove::prove(w))
        .map(|(p, verdict)| match verdict {
            Verdict::Holds => json!({
                "name": p.name.as_str(), "summary": p.summary, "holds": true,
            }),
            Verdict::Broken { why, run } => json!({
                "name": p.name.as_str(),
                "summary": p.summary,
                "holds": false,
                "why": why,
                "run": run.map(|run| json!({
                    "start": run.start.0,
                    "steps": run.steps.iter().map(|step| json!({
                        "transition": step.transition.0,
                        "to": step.to.0,
                        "at_ms": u64::try_from(step.at.as_millis()).unwrap_or(u64::MAX),
                        "role": step.role.map(|r| w.role(r).name.as_str()),
                    })).collect::<Vec<_>>(),
                    "text": prove::run_text(w, &run),
                })),
            }),
        })
        .collect();
    json!({
        "name": w.name.as_str(),
        // What a snapshot must match to be opened (as the runtime's check).
        "fingerprint": turnstile_spec::fingerprint::fingerprint(w),
        "summary": w.summary,
        "initial": w.initial.0,
        "states": states,
        "guards": guards,
        "roles": roles.iter().map(|r| json!({ "name": r.name.as_str(), "summary": r.summary })).collect::<Vec<_>>(),
        "capabilities": capabilities.iter().map(|c| json!({ "name": c.name.as_str(), "summary": c.summary })).collect::<Vec<_>>(),
        "transitions": transitions,
        "plan": plan,
        "tree": tree,
        "promises": promises,
        "regions": region_model(w),
    })
}

/// How many steps of runs over configurations the page embeds at most (the
/// test plan and each state's shortest run): past it, the page says the
/// plan is not given rather than grow by megabytes.
const RUN_STEPS: usize = 20_000;

/// What the simulator of a workflow with regions reads, `null` without
/// regions: each region (its initial state and states), each event's
/// moved regions and conditions (`Workflow::conditions`, what the
/// runtime checks), and the runs over configurations the checker finds:
/// the test plan (`regions::covering_runs`) and each state's shortest run
/// (`regions::shortest_runs`), each one a machine can follow; `null` when
/// there are too many configurations to explore or too many steps to embed.
fn region_model(w: &Workflow) -> Value {
    use turnstile_spec::regions;
    if w.regions.is_empty() {
        return Value::Null;
    }
    let list: Vec<Value> = w
        .regions
        .iter()
        .enumerate()
        .map(|(r, region)| {
            json!({
                "name": w.region_name(r).as_str(),
                "initial": region.initial.0,
                "leaves": region.leaves.iter().map(|s| s.0).collect::<Vec<_>>(),
            })
        })
        .collect();
    let events: Vec<Value> = w
        .events()
        .iter()
        .map(|e| {
            json!({
                "name": e.name.as_str(),
                "moved": w.regions_moved(e),
                "conditions": w.conditions(e).iter().map(|c| json!({
                    "region": c.region,
                    "states": c.states.iter().map(|s| s.0).collect::<Vec<_>>(),
                    "written": c.written,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let run = |run: &regions::Run| -> Value {
        json!(run
            .iter()
            .map(|(event, config)| json!([event, config.iter().map(|s| s.0).collect::<Vec<_>>()]))
            .collect::<Vec<_>>())
    };
    let steps = |runs: &mut dyn Iterator<Item = &regions::Run>| runs.map(Vec::len).sum::<usize>();
    let plan = regions::covering_runs(w, regions::EXPLORE_LIMIT)
        .ok()
        .filter(|(_, runs)| steps(&mut runs.iter()) <= RUN_STEPS)
        .map(|(_, runs)| json!(runs.iter().map(run).collect::<Vec<_>>()));
    let shortest = regions::shortest_runs(w, regions::EXPLORE_LIMIT)
        .ok()
        .filter(|runs| steps(&mut runs.iter().flatten()) <= RUN_STEPS)
        .map(|runs| json!(runs.iter().map(|r| r.as_ref().map(run)).collect::<Vec<_>>()));
    json!({
        "regions": list,
        "events": events,
        "plan": plan,
        "shortest": shortest,
    })
}

/// JSON that is safe inside `<script type="application/json">`: no `<`,
/// `>` or `&` (so no `</script>` or `<!--`), and no line separators.
fn script_json(value: &Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// The explorer page of `w`: deterministic, self-contained, every text
/// escaped for where it stands.
pub fn html(w: &Workflow) -> String {
    page(w, None)
}

/// The explorer page of `w` opened at one instance: `snapshot` is the
/// runtime's envelope as JSON (`turnstile::snapshot::Envelope`, or for a
/// workflow with regions `turnstile::regions::Snapshot`), embedded in the
/// page, which checks it as the runtime does when it opens and shows it on
/// the diagram (where it is, the way it took, its timers, what may be
/// fired now and by whom), with the clock at `as_of` (RFC 3339; none: the
/// last instant the snapshot records). A snapshot the page refuses (of
/// another workflow or definition, a trail that does not replay) is said
/// in the runtime's words and the page opens at the start.
pub fn inspector(w: &Workflow, snapshot: &Value, as_of: Option<&str>) -> String {
    page(w, Some(json!({ "snapshot": snapshot, "as_of": as_of })))
}

fn page(w: &Workflow, instance: Option<Value>) -> String {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(SCRIPT));
    let name = crate::xml::escaped(w.name.as_str());
    let summary = w
        .summary
        .as_deref()
        .map(crate::xml::escaped)
        .unwrap_or_default();
    let diagram = crate::svg(w);
    // Each compound state folded, for the page to swap in (`<template>`:
    // parsed, not shown).
    let folds: String = (0..w.compounds.len())
        .filter_map(|i| {
            let c = turnstile_spec::CompoundId(i);
            let drawing = crate::svg::svg_folded(w, c)?;
            Some(format!(
                "<template class=\"folded\" data-compound=\"{}\">{drawing}</template>\n",
                crate::xml::escaped(w.compound(c).name.as_str())
            ))
        })
        .collect();
    let model = script_json(&model(w));
    // Data, never run: the page reads it with `JSON.parse`.
    let instance = instance
        .map(|i| {
            format!(
                "<script type=\"application/json\" id=\"instance\">{}</script>\n",
                script_json(&i)
            )
        })
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html>
<html lang=\"en\">
<head>
<meta charset=\"utf-8\">
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'sha256-{hash}'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'\">
<meta name=\"generator\" content=\"turnstile\">
<title>{name}: workflow explorer</title>
<style>
{STYLE}</style>
</head>
<body data-playing=\"false\">
<nav class=\"skip\" aria-label=\"Skip links\"><a href=\"#simulate-label\">Skip to the simulator</a><a href=\"#search\">Skip to search</a></nav>
<header>
<h1>{name}</h1>
<p>{summary}</p>
</header>
<main>
<section id=\"diagram\" aria-label=\"Diagram of {name}: select a state with the mouse, or Tab and Enter\">
<div class=\"toolbar\"><button type=\"button\" id=\"zoom-out\" aria-label=\"Zoom out\">\u{2212}</button><button type=\"button\" id=\"zoom-level\" aria-label=\"Zoom: back to the drawn size\">100%</button><button type=\"button\" id=\"zoom-in\" aria-label=\"Zoom in\">+</button><button type=\"button\" id=\"fit\" aria-pressed=\"false\">Fit to width</button><span class=\"key\"><span class=\"swatch current\"></span>current state and steps taken <span class=\"swatch path\"></span>shortest way to the selected state</span></div>
{diagram}{folds}<div id=\"minimap\" hidden aria-hidden=\"true\" title=\"The whole diagram: click or drag to go there\"><svg focusable=\"false\" preserveAspectRatio=\"none\"><use href=\"#ts-drawing\"></use></svg><div class=\"frame\"></div></div></section>
<aside>
<section role=\"search\" aria-labelledby=\"search-label\">
<h2 id=\"search-label\"><label for=\"search\">Find a state or event</label></h2>
<input type=\"search\" id=\"search\" autocomplete=\"off\" placeholder=\"name or part of it\" aria-describedby=\"search-status\">
<p id=\"search-status\" class=\"muted\" aria-live=\"polite\"></p>
<ul id=\"results\" class=\"results\" aria-label=\"Search results\"></ul>
</section>
<section id=\"details\" aria-label=\"Selected state\"></section>
<section aria-labelledby=\"simulate-label\">
<h2 id=\"simulate-label\">Simulate</h2>
<p>Current state: <strong id=\"current\"></strong>, entered at <span id=\"entered\"></span></p>
<p>Clock: <strong id=\"clock\"></strong> <span class=\"muted\" id=\"t-note\">(T is when the workflow started)</span></p>
<div class=\"row\"><label for=\"advance-amount\">Move the clock on by</label><input type=\"number\" id=\"advance-amount\" min=\"0\" step=\"any\" value=\"1\"><select id=\"advance-unit\" aria-label=\"Unit\"><option value=\"60000\">minutes</option><option value=\"3600000\" selected>hours</option><option value=\"86400000\">days</option></select><button type=\"button\" id=\"advance\">Move on</button><button type=\"button\" id=\"next-timer\">To the next timer</button></div>
<div class=\"row\" id=\"acting\" hidden><label for=\"acting-as\">Acting as</label><select id=\"acting-as\"><option value=\"\">no role</option></select></div>
<p id=\"message\" class=\"message\" role=\"status\"></p>
<div id=\"events\"></div>
<div class=\"row\"><button type=\"button\" id=\"undo\">Undo</button><button type=\"button\" id=\"reset\">Reset</button></div>
<h3>Steps taken</h3>
<ol id=\"trail\" class=\"trail\" aria-label=\"Steps taken\"></ol>
<h3 id=\"refused-heading\" hidden>Refused attempts</h3>
<ol id=\"refused\" class=\"trail\" aria-labelledby=\"refused-heading\"></ol>
</section>
<section aria-labelledby=\"instance-label\">
<h2 id=\"instance-label\">Instance</h2>
<p class=\"muted\">Open a snapshot the runtime wrote (<code>turnstile::snapshot</code>, as JSON): it is checked as the runtime checks it, shown on the diagram with the way it took and its timers, and simulated on from there. Export writes the simulation as one.</p>
<div class=\"row\"><label for=\"snapshot-file\">Snapshot file</label><input type=\"file\" id=\"snapshot-file\" accept=\".json,application/json\"></div>
<label for=\"snapshot-text\">Snapshot (JSON)</label>
<textarea id=\"snapshot-text\" rows=\"4\" spellcheck=\"false\" autocomplete=\"off\"></textarea>
<div class=\"row\"><button type=\"button\" id=\"snapshot-load\">Open</button><button type=\"button\" id=\"snapshot-export\">Export the simulation</button></div>
</section>
<section aria-labelledby=\"plan-label\">
<h2 id=\"plan-label\">Test plan</h2>
<p class=\"muted\">Event sequences that together take every transition (<code>turnstile paths</code>). Choose one to play it.</p>
<ol id=\"plan\" class=\"plan\"></ol>
</section>
<section id=\"promises-section\" aria-labelledby=\"promises-label\" hidden>
<h2 id=\"promises-label\">Promises</h2>
<p class=\"muted\">The definition's properties, proved over every run (<code>turnstile check</code>). A broken one can be played.</p>
<ul id=\"promises\" class=\"plan\"></ul>
</section>
</aside>
</main>
<dialog id=\"in-place\" aria-labelledby=\"in-place-label\"><h2 id=\"in-place-label\"></h2><div id=\"in-place-form\"></div><div class=\"row\"><button type=\"button\" id=\"in-place-cancel\">Cancel</button></div></dialog>
<script type=\"application/json\" id=\"model\">{model}</script>
{instance}<script>{SCRIPT}</script>
</body>
</html>
"
    )
}
