//! The explorer as an inspector of a stored configuration: a snapshot of
//! the account as one machine (`turnstile::regions::Snapshot`, as the
//! store keeps it) opens in the page with each region's state and clock,
//! the regions each step moved, who took it and what it brought; the page
//! simulates on from there and what it exports `Current::from_snapshot`
//! loads. A tampered snapshot is refused in the runtime's own words.
//!
//! Skips with one line without Chromium; fails under
//! `TURNSTILE_REQUIRE_TOOLS`.

#[path = "../../../render/tests/browser/mod.rs"]
mod browser;
#[path = "../../tests/page/mod.rs"]
mod page;

use std::time::{Duration, SystemTime};

use browser::{chromium, click, current, eval, eval_str, launch, open, out_dir, watched_tab};
use headless_chrome::Tab;
use page::{open_text, trail};
use serde_json::{json, Value};
use turnstile::regions::Snapshot;
use turnstile::{Actor, Workflow as _};
use turnstile_account::{Account, Current, PartnerModel};
use turnstile_spec::{load, SourceFile, Workflow as Model};

fn at(hours: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_510_800 + hours * 3600)
}

fn model() -> Model {
    load(&SourceFile::new(
        "account.toml",
        Account::DEFINITION.to_string(),
    ))
    .expect("valid")
}

/// A referral customer associated with its partner, restricted by the
/// platform for its balance, and frozen for not renewing: three regions
/// moved, each at its own instant.
fn account() -> Current {
    let customer = Actor::new("holder").with_roles(&["customer"]);
    let system = Actor::new("platform").with_roles(&["system"]);
    Current::start(Account::new("acme", PartnerModel::Referral), at(0))
        .fire_with("associate", None, &customer, at(1))
        .unwrap()
        .fire_with("restrict", Some("\"InsufficientBalance\""), &system, at(5))
        .unwrap()
        .fire_with("freeze", Some("\"NotRenewed\""), &system, at(30))
        .unwrap()
}

/// A change to a good snapshot.
type Tamper = Box<dyn Fn(&mut Value)>;

/// What the page exports, with the account's own data.
fn exported(tab: &Tab, data: Account) -> Snapshot<Account> {
    click(tab, "#snapshot-export");
    let s: Snapshot<Value> = serde_json::from_str(&eval_str(
        tab,
        "document.getElementById('snapshot-text').value",
    ))
    .expect("the runtime's snapshot");
    Snapshot {
        format: s.format,
        workflow: s.workflow,
        fingerprint: s.fingerprint,
        start: s.start,
        regions: s.regions,
        data,
        trail: s.trail,
    }
}

#[test]
fn a_stored_configuration_opens_in_the_page_and_exports_back() {
    let Some(chrome) = chromium() else { return };
    let browser = launch(chrome);
    let (tab, _watch) = watched_tab(&browser);
    let w = model();
    let c = account();
    let snapshot = serde_json::to_value(c.snapshot()).unwrap();
    let file = out_dir().join("inspector-account.html");
    open(
        &tab,
        &file,
        &turnstile_render::inspector(&w, &snapshot, None),
    );
    assert_eq!(current(&tab), c.states().join(" "));
    assert_eq!(
        trail(&tab),
        [
            "associate: partner no_partner → associated at T + 1h by holder as customer",
            "restrict: restriction unrestricted → restricted at T + 5h by platform as system with \"InsufficientBalance\"",
            "freeze: freeze not_frozen → frozen at T + 1d 6h by platform as system with \"NotRenewed\"",
        ]
    );
    let regions = eval_str(
        &tab,
        "Array.from(document.querySelectorAll('#configuration li'), li => li.textContent).join(' | ')",
    );
    assert_eq!(
        regions,
        "services: active, entered at T | partner: associated, entered at T + 1h | restriction: restricted, entered at T + 5h | freeze: frozen, entered at T + 1d 6h"
    );
    assert_eq!(
        eval_str(&tab, "document.getElementById('permits-now').textContent"),
        "log_in, view_bills",
        "what the configuration permits, by the rule across regions"
    );
    let back = Current::from_snapshot(exported(&tab, c.data().clone())).expect("loads");
    assert_eq!(back.states(), c.states());
    assert_eq!(back.trail(), c.trail());
    // Simulated on: the customer renews, which lifts the freeze only.
    eval(
        &tab,
        "document.getElementById('acting-as').value = 'customer'",
    );
    click(&tab, "fieldset[data-event-form='renew'] input[data-guard]");
    click(&tab, "button[data-fire='renew']");
    assert_eq!(current(&tab), "active associated restricted not_frozen");
    let back = Current::from_snapshot(exported(&tab, c.data().clone())).expect("loads");
    assert_eq!(
        back.states(),
        ["active", "associated", "restricted", "not_frozen"]
    );
    assert_eq!(back.trail().len(), 4);
}

#[test]
fn a_tampered_configuration_is_refused_in_the_runtimes_words() {
    let Some(chrome) = chromium() else { return };
    let browser = launch(chrome);
    let (tab, _watch) = watched_tab(&browser);
    let w = model();
    let file = out_dir().join("inspector-account-tampered.html");
    open(&tab, &file, &turnstile_render::html(&w));
    let good = serde_json::to_value(account().snapshot()).unwrap();
    let tampered: Vec<(&str, Tamper)> = vec![
        (
            "format",
            Box::new(|s| s["format"] = json!("turnstile-instance/2")),
        ),
        (
            "workflow",
            Box::new(|s| s["workflow"] = json!("service_closing")),
        ),
        (
            "fingerprint",
            Box::new(|s| s["fingerprint"] = json!("sha256:00")),
        ),
        (
            "a region missing",
            Box::new(|s| {
                s["regions"].as_array_mut().unwrap().pop();
            }),
        ),
        (
            "a state of another region",
            Box::new(|s| s["regions"][0]["state"] = json!("frozen")),
        ),
        (
            "no such state",
            Box::new(|s| s["regions"][1]["state"] = json!("vanished")),
        ),
        (
            "a step that moves nothing",
            Box::new(|s| s["trail"][0]["moved"] = json!([])),
        ),
        (
            "no such region",
            Box::new(|s| s["trail"][0]["moved"][0]["region"] = json!("billing")),
        ),
        (
            "a step from elsewhere",
            Box::new(|s| s["trail"][1]["moved"][0]["from"] = json!("restricted")),
        ),
        (
            "a move the definition lacks",
            Box::new(|s| s["trail"][0]["moved"][0]["to"] = json!("budget_active")),
        ),
        (
            "a move before its region entered",
            Box::new(|s| s["trail"][0]["at"] = json!("2026-11-24T08:00:00Z")),
        ),
        (
            "another end",
            Box::new(|s| s["regions"][3]["state"] = json!("not_frozen")),
        ),
        (
            "another instant",
            Box::new(|s| s["regions"][2]["entered_at"] = json!("2026-11-30T00:00:00Z")),
        ),
    ];
    for (case, change) in tampered {
        let mut snapshot = good.clone();
        change(&mut snapshot);
        let text = snapshot.to_string();
        let runtime = serde_json::from_str::<Snapshot<Account>>(&text)
            .map_err(|e| e.to_string())
            .and_then(|s| Current::from_snapshot(s).map_err(|e| e.to_string()))
            .map(|_| ())
            .expect_err(case);
        assert_eq!(open_text(&tab, &text), runtime, "{case}");
        assert_eq!(
            current(&tab),
            "active no_partner unrestricted not_frozen",
            "{case}: nothing opened"
        );
    }
}
