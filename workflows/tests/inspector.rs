//! The explorer as an inspector of real instances: a snapshot the runtime
//! wrote opens in the page (embedded by `turnstile_render::inspector`, or
//! pasted into its box) and shows where the instance is, the way it took
//! (who, in which role, what each step brought) and its timers; the page
//! simulates on from there, and what it exports the runtime loads. A
//! tampered or foreign snapshot is refused with the runtime's own words
//! (`turnstile::LoadError`), each case checked against the runtime.
//!
//! Skips with one line without Chromium; fails under
//! `TURNSTILE_REQUIRE_TOOLS`.

#[path = "../../render/tests/browser/mod.rs"]
mod browser;
mod page;

use std::time::{Duration, SystemTime};

use browser::{chromium, click, current, eval, eval_str, launch, open, out_dir, watched_tab};
use headless_chrome::Tab;
use page::{open_text, trail};
use serde_json::{json, Value};
use turnstile::snapshot::Envelope;
use turnstile::{Actor, Instance, Workflow as _};
use turnstile_spec::{load, SourceFile, Workflow as Model};
use turnstile_workflows::account_restriction::{IdentityDocument, RestorationMaterials};
use turnstile_workflows::{AccountRestriction, ServiceClosing};

fn model(file: &str, text: &str) -> Model {
    load(&SourceFile::new(file, text.to_string())).expect("valid")
}

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_515_200)
}

fn hours(n: u64) -> Duration {
    Duration::from_secs(n * 3600)
}

/// A change to a good snapshot.
type Tamper = Box<dyn Fn(&mut Value)>;

/// The envelope the page wrote, with the instance's own data (the page
/// keeps the data it opened as JSON).
fn with_data<D>(e: Envelope<Value>, data: D) -> Envelope<D> {
    Envelope {
        format: e.format,
        workflow: e.workflow,
        fingerprint: e.fingerprint,
        state: e.state,
        started_at: e.started_at,
        entered_at: e.entered_at,
        data,
        trail: e.trail,
    }
}

/// What the page exports, read as an envelope of JSON data.
fn exported(tab: &Tab) -> Envelope<Value> {
    click(tab, "#snapshot-export");
    serde_json::from_str(&eval_str(
        tab,
        "document.getElementById('snapshot-text').value",
    ))
    .expect("the runtime's envelope")
}

/// An account restricted by the platform, its ticket submitted with
/// materials (a sensitive payload) and decided by staff: roles, payloads
/// and actors in its trail.
fn restored_account() -> Instance<AccountRestriction> {
    let platform = Actor::new("risk-engine").with_roles(&["system"]);
    let holder = Actor::new("acme-admin").with_roles(&["customer"]);
    let agent = Actor::new("agent-7").with_roles(&["staff"]);
    let materials = serde_json::to_string(&RestorationMaterials {
        identity_document: Some(IdentityDocument::Passport),
        card_front: true,
        transaction_months: 0,
        matches_card_holder: true,
        transactions_match_certificate: true,
    })
    .unwrap();
    Instance::start(AccountRestriction::new("acme", true), t0())
        .fire_with(
            "restrict",
            Some("\"InsufficientBalance\""),
            platform,
            t0() + hours(1),
        )
        .unwrap()
        .fire_with(
            "submit_restriction_ticket",
            Some(&materials),
            holder,
            t0() + hours(30),
        )
        .unwrap()
        .fire_with(
            "decide_restriction",
            Some("{\"restore\": false, \"note\": \"unclear\"}"),
            agent,
            t0() + hours(50),
        )
        .unwrap()
}

/// A stored instance opens on the diagram as it is, the page simulates on
/// from it, and what the page exports loads in the runtime with the same
/// history plus the page's step.
#[test]
fn a_stored_instance_opens_in_the_page_and_exports_back() {
    let Some(chrome) = chromium() else { return };
    let browser = launch(chrome);
    let (tab, _watch) = watched_tab(&browser);
    let w = model("account_restriction.toml", AccountRestriction::DEFINITION);
    let instance = restored_account();
    let snapshot = serde_json::to_value(&instance).unwrap();
    let file = out_dir().join("inspector-account_restriction.html");
    open(
        &tab,
        &file,
        &turnstile_render::inspector(&w, &snapshot, Some("2026-12-08T06:00:00Z")),
    );
    assert_eq!(current(&tab), instance.state());
    let digest = instance.trail()[1].payload.clone().unwrap();
    assert!(digest.starts_with("sha256:"), "{digest}");
    assert_eq!(
        trail(&tab),
        [
            "restrict: in_good_standing → restricted at T + 1h by risk-engine as system with \"InsufficientBalance\"".to_string(),
            format!("submit_restriction_ticket: restricted → restriction_under_review at T + 1d 6h by acme-admin as customer with {digest}"),
            "decide_restriction: restriction_under_review → restricted at T + 2d 2h by agent-7 as staff with {\"restore\":false,\"note\":\"unclear\"}".to_string(),
        ]
    );
    // T is the instance's start; the clock is where the page was written.
    assert_eq!(
        eval(&tab, "Number(document.body.getAttribute('data-t0-ms'))"),
        json!(1_796_515_200_000_u64)
    );
    assert_eq!(
        eval_str(&tab, "document.body.getAttribute('data-clock-ms')"),
        "194400000"
    );
    // Exported as it is, it loads in the runtime with the same history.
    let envelope = exported(&tab);
    let back = Instance::<AccountRestriction>::from_envelope(with_data(
        envelope.clone(),
        instance.data().clone(),
    ))
    .expect("the runtime loads what the page exports");
    assert_eq!(back.state(), instance.state());
    assert_eq!(back.trail(), instance.trail());
    assert_eq!(envelope.data, snapshot["data"], "the data is written back");
    // Simulated on: the customer submits a new ticket in the page.
    eval(
        &tab,
        "document.getElementById('acting-as').value = 'customer'",
    );
    click(&tab, "button[data-all-hold='submit_restriction_ticket']");
    click(&tab, "button[data-fire='submit_restriction_ticket']");
    assert_eq!(current(&tab), "restriction_under_review");
    let envelope = exported(&tab);
    let back =
        Instance::<AccountRestriction>::from_envelope(with_data(envelope, instance.data().clone()))
            .expect("the runtime loads the page's step");
    assert_eq!(back.state(), "restriction_under_review");
    assert_eq!(back.trail().len(), 4);
    assert_eq!(back.trail()[3].role.as_deref(), Some("customer"));
}

/// An instance with its timers running opens with them: the closed
/// account's Restore is due 24 hours after closing, its retention period
/// ends by itself 90 days after, and moving the clock there disables it.
#[test]
fn an_opened_instance_shows_its_timers_and_runs_them() {
    let Some(chrome) = chromium() else { return };
    let browser = launch(chrome);
    let (tab, _watch) = watched_tab(&browser);
    let w = model("service_closing.toml", ServiceClosing::DEFINITION);
    let customer = Actor::new("acme-admin").with_roles(&["customer"]);
    let instance = Instance::start(ServiceClosing::new("acme-ops"), t0())
        .fire("close", customer, t0() + hours(2))
        .unwrap();
    let file = out_dir().join("inspector-service_closing.html");
    open(
        &tab,
        &file,
        &turnstile_render::inspector(&w, &serde_json::to_value(&instance).unwrap(), None),
    );
    assert_eq!(current(&tab), "closed");
    let timers = eval_str(&tab, "document.getElementById('events').textContent");
    assert!(timers.contains("due at T + 1d 2h"), "{timers}");
    assert!(timers.contains("at T + 90d 2h"), "{timers}");
    eval(
        &tab,
        "document.getElementById('advance-amount').value = '91'; \
         document.getElementById('advance-unit').value = '86400000'; \
         document.getElementById('advance').click()",
    );
    assert_eq!(current(&tab), "disabled");
    let envelope = exported(&tab);
    let back =
        Instance::<ServiceClosing>::from_envelope(with_data(envelope, instance.data().clone()))
            .expect("loads");
    assert_eq!(back.state(), "disabled");
    assert_eq!(back.trail()[1].actor.as_deref(), Some("timer"));
    assert_eq!(back.trail()[1].at, t0() + hours(2) + hours(90 * 24));
}

/// A snapshot of another format, workflow or definition, in a state the
/// workflow lacks, or whose trail does not replay, is refused in the
/// runtime's words, and the page stays where it was.
#[test]
fn a_tampered_snapshot_is_refused_in_the_runtimes_words() {
    let Some(chrome) = chromium() else { return };
    let browser = launch(chrome);
    let (tab, _watch) = watched_tab(&browser);
    let w = model("account_restriction.toml", AccountRestriction::DEFINITION);
    let file = out_dir().join("inspector-tampered.html");
    open(&tab, &file, &turnstile_render::html(&w));
    let good = serde_json::to_value(restored_account()).unwrap();
    let tampered: Vec<(&str, Tamper)> = vec![
        (
            "format",
            Box::new(|s| s["format"] = json!("turnstile-instance/9")),
        ),
        ("workflow", Box::new(|s| s["workflow"] = json!("sign_up"))),
        (
            "fingerprint",
            Box::new(|s| s["fingerprint"] = json!("sha256:00")),
        ),
        ("state", Box::new(|s| s["state"] = json!("vanished"))),
        (
            "a step from elsewhere",
            Box::new(|s| s["trail"][1]["from"] = json!("frozen")),
        ),
        (
            "a step the definition lacks",
            Box::new(|s| s["trail"][0]["to"] = json!("frozen")),
        ),
        (
            "a step before the one before it",
            Box::new(|s| s["trail"][2]["at"] = json!("2026-12-06T00:30:00Z")),
        ),
        (
            "a step before the start",
            Box::new(|s| s["trail"][0]["at"] = json!("2026-12-05T00:00:00Z")),
        ),
        ("another end", Box::new(|s| s["state"] = json!("frozen"))),
        (
            "another instant",
            Box::new(|s| s["entered_at"] = json!("2026-12-09T00:00:00Z")),
        ),
        (
            "no step, a later entry",
            Box::new(|s| {
                s["trail"] = json!([]);
                s["state"] = json!("in_good_standing");
                s["entered_at"] = json!("2026-12-09T00:00:00Z");
            }),
        ),
    ];
    for (case, change) in tampered {
        let mut snapshot = good.clone();
        change(&mut snapshot);
        let text = snapshot.to_string();
        let runtime = serde_json::from_str::<Envelope<AccountRestriction>>(&text)
            .map_err(|e| e.to_string())
            .and_then(|env| Instance::from_envelope(env).map_err(|e| e.to_string()))
            .map(|_| ())
            .expect_err(case);
        assert_eq!(open_text(&tab, &text), runtime, "{case}");
        assert_eq!(current(&tab), "in_good_standing", "{case}: nothing opened");
        assert!(trail(&tab).is_empty(), "{case}");
    }
    // A trail that crosses versions (a migration step, which the runtime
    // loads): the page says it replays one version's steps only, and opens
    // nothing.
    let mut migrated = good.clone();
    let last = migrated["trail"].as_array().unwrap().len() - 1;
    let mut step = migrated["trail"][last].clone();
    step["from"] = step["to"].clone();
    step["event"] = json!("(migrated)");
    step["actor"] = json!(null);
    step["at"] = json!("2026-12-20T00:00:00Z");
    step["migrated"] = json!({"from": "sha256:older", "to": good["fingerprint"]});
    migrated["trail"].as_array_mut().unwrap().push(step);
    let text = migrated.to_string();
    let envelope: Envelope<AccountRestriction> = serde_json::from_str(&text).unwrap();
    assert!(
        Instance::from_envelope(envelope).is_ok(),
        "the runtime loads it"
    );
    let said = open_text(&tab, &text);
    assert!(
        said.contains(&format!("the trail crosses versions of the definition at step {} (a migration from sha256:older)", last + 1)),
        "{said}"
    );
    assert_eq!(current(&tab), "in_good_standing", "nothing opened");
    // Not JSON at all: said, nothing opened.
    let said = open_text(&tab, "{\"format\": ");
    assert!(
        said.starts_with("account_restriction: malformed snapshot: "),
        "{said}"
    );
}
