//! The `turnstile` command: output and exit codes of each subcommand.

use assert_cmd::Command;

fn stderr(out: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&out.get_output().stderr).into_owned()
}

fn turnstile() -> Command {
    let mut cmd = Command::cargo_bin("turnstile").unwrap();
    cmd.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    cmd
}

#[test]
fn check_accepts_the_reference_workflows() {
    let out = turnstile().args(["check", "workflows"]).assert().success();
    let stderr = stderr(&out);
    assert!(
        stderr.contains("ok: workflows/sign_up.toml (`sign_up`: 18 states"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "ok: workflows/service_closing.toml (`service_closing`: 4 states, 5 transitions, 3 timers, 1 role, 3 capabilities, 8 properties checked; fingerprint sha256:"
        ),
        "{stderr}"
    );
    assert_eq!(stderr.matches("ok: ").count(), 8, "{stderr}");
    // The seventh process, changing account details with materials.
    assert!(
        stderr.contains(
            "ok: workflows/details_change.toml (`details_change`: 7 states, 6 transitions, 3 roles, 1 capability, 4 payloads (3 sensitive), 4 properties checked; fingerprint sha256:"
        ),
        "{stderr}"
    );
    // The account as one machine, a crate folder inside `workflows/`.
    assert!(
        stderr.contains(
            "ok: workflows/account/account.toml (`account`: 16 states, 24 transitions, 3 timers, 6 roles, 5 capabilities, 8 payloads (2 sensitive), 9 properties checked, 4 regions, 105 reachable configurations; fingerprint sha256:"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "ok: workflows/account_restriction.toml (`account_restriction`: 8 states, 15 transitions, 6 roles, 6 capabilities, 8 payloads (2 sensitive), 11 properties checked; fingerprint sha256:"
        ),
        "{stderr}"
    );
}

#[test]
fn paths_label_timers_and_sum_the_waits() {
    let out = turnstile()
        .args(["paths", "workflows/service_closing.toml"])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.contains(
            "active --close by customer--> closed --retention_period_ends (after 90d)--> disabled   (waits at least 90d)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "disabled                         close by customer → disable by customer (not before 24h)"
        ),
        "{stdout}"
    );
    let out = turnstile()
        .args(["paths", "workflows/service_closing.toml", "--json"])
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(
        json["timers"],
        serde_json::json!([
            {"event": "restore", "from": ["closed"], "kind": "not_before", "duration": "24h", "seconds": 86400},
            {"event": "disable", "from": ["closed"], "kind": "not_before", "duration": "24h", "seconds": 86400},
            {"event": "retention_period_ends", "from": ["closed"], "kind": "after", "duration": "90d", "seconds": 7776000},
        ])
    );
}

#[test]
fn check_and_paths_say_who_acts_and_what_each_state_permits() {
    let file = "workflows/tests/fixtures/unbinding.toml";
    let out = turnstile().args(["check", file]).assert().success();
    let stderr = stderr(&out);
    assert!(
        stderr.contains("6 states, 6 transitions, 2 timers, 3 roles, 3 capabilities;"),
        "{stderr}"
    );
    let out = turnstile().args(["paths", file]).assert().success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.contains(
            "draft --submit by customer or master--> submitted --review by staff--> approved \
             --disassociate by staff (not before 24h)--> disassociated   (waits at least 1d)"
        ),
        "{stdout}"
    );
    let out = turnstile()
        .args(["paths", file, "--json"])
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(
        json["roles"],
        serde_json::json!(["customer", "master", "staff"])
    );
    assert_eq!(
        json["permits"]["disassociated"],
        serde_json::json!(["view_bills"])
    );
    assert_eq!(json["permits"]["withdrawn"], serde_json::json!([]));
    assert_eq!(
        json["test_plan"][3]["by"],
        serde_json::json!([["customer", "master"], ["staff"], ["staff"]])
    );
}

#[test]
fn check_prints_the_compilers_text_and_exits_1() {
    let out = turnstile()
        .args(["check", "tests/ui/workflows/bad/undeclared_state.toml"])
        .assert()
        .code(1);
    let stderr = stderr(&out);
    let expected = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/ui/compile_fail/definition_undeclared_state.stderr"
    ))
    .unwrap();
    // The compiler's text, with rustc's indentation of continuation lines
    // and its pointer at the attribute removed, is the command's text.
    let compiler: Vec<String> = expected
        .lines()
        .take_while(|l| !l.starts_with(" --> tests/ui/compile_fail"))
        .map(|l| l.strip_prefix("       ").unwrap_or(l).to_string())
        .collect();
    for line in compiler {
        assert!(
            stderr.contains(line.trim_end()),
            "missing `{line}` in:\n{stderr}"
        );
    }
}

#[test]
fn check_of_a_missing_file_names_it() {
    let out = turnstile().args(["check", "no/such.toml"]).assert().code(1);
    let stderr = stderr(&out);
    assert!(stderr.contains("cannot read `no/such.toml`"), "{stderr}");
}

#[test]
fn render_check_detects_drift() {
    let dir = std::env::temp_dir().join(format!("turnstile-cli-{}", std::process::id()));
    let out = dir.to_str().unwrap();
    let render = |check: bool| {
        let mut cmd = turnstile();
        cmd.args(["render", "workflows", "--format", "mermaid", "--out", out]);
        if check {
            cmd.arg("--check");
        }
        cmd.assert()
    };
    render(true).code(1); // nothing rendered yet
    render(false).success();
    render(true).success();
    std::fs::write(dir.join("sign_up.mmd"), "stale").unwrap();
    let failed = render(true).code(1);
    let stderr = stderr(&failed);
    assert!(stderr.contains("sign_up.mmd differs"), "{stderr}");
}

/// `render --format html` writes one self-contained explorer per
/// workflow: the SVG inline, a policy that forbids the network, and no
/// reference to anything outside the file.
#[test]
fn render_html_writes_self_contained_explorers() {
    let dir = std::env::temp_dir().join(format!("turnstile-cli-html-{}", std::process::id()));
    let out = dir.to_str().unwrap();
    turnstile()
        .args(["render", "workflows", "--format", "html", "--out", out])
        .assert()
        .success();
    let page = std::fs::read_to_string(dir.join("sign_up.html")).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("default-src 'none'"), "a CSP");
    assert!(page.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(page.contains("<script type=\"application/json\" id=\"model\">"));
    // Links within the page (`href="#…"`, the skip links) stay in it.
    let page = page.replace("href=\"#", "");
    for outside in [
        "src=",
        "href=",
        "http://cdn",
        "https://",
        "@import",
        "url(http",
    ] {
        assert!(
            !page.contains(outside),
            "the page refers outside: {outside}"
        );
    }
    turnstile()
        .args([
            "render",
            "workflows",
            "--format",
            "html",
            "--out",
            out,
            "--check",
        ])
        .assert()
        .success();
}

#[test]
fn paths_gives_shortest_sequences_and_a_covering_plan() {
    let out = turnstile()
        .args(["paths", "workflows/phone_change.toml", "--json"])
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let shortest = json["shortest"].as_array().unwrap();
    let to_upgrade = shortest
        .iter()
        .find(|s| s["state"] == "ready_to_upgrade")
        .unwrap();
    let events: Vec<&str> = to_upgrade["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "submit_ticket",
            "review_ticket",
            "disassociate",
            "reset_cloud_password",
            "log_in_with_cloud_account",
            "change_mobile",
            "log_out_of_cloud_account",
            "log_in_with_id",
            "log_out_of_id",
            "log_in_to_upgrade"
        ]
    );
    let plan = json["test_plan"].as_array().unwrap();
    let taken: std::collections::HashSet<&str> = plan
        .iter()
        .flat_map(|p| {
            p["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e.as_str().unwrap())
        })
        .collect();
    assert_eq!(
        taken.len(),
        13,
        "every event of phone_change is in the plan: {taken:?}"
    );
}

#[test]
fn help_shows_examples() {
    let out = turnstile().args(["render", "--help"]).assert().success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        stdout.contains("turnstile render workflows --format svg --out docs/diagrams"),
        "{stdout}"
    );
    // `--out` names every format's file, the explorer's `.html` too.
    assert!(
        stdout.contains("<file stem>.<dot|mmd|svg|html>"),
        "{stdout}"
    );
}

/// `turnstile explain CODE` prints the code's page, exactly the file in
/// docs/diagnostics/, for every code; without a code it lists them all;
/// a code it does not have exits 1, saying so.
#[test]
fn explain_prints_each_codes_page_and_lists_them() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut pages = 0;
    for entry in std::fs::read_dir(format!("{root}/docs/diagnostics")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(code) = name.split('-').next().filter(|c| c.starts_with('T')) else {
            continue;
        };
        let out = turnstile().args(["explain", code]).assert().success();
        let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        assert_eq!(stdout, std::fs::read_to_string(&path).unwrap(), "{name}");
        pages += 1;
    }
    assert_eq!(pages, turnstile_spec::Code::ALL.len(), "a page per code");
    let out = turnstile().args(["explain", "8"]).assert().success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(stdout.starts_with("# T008: A reference to a state that is not declared"));

    let out = turnstile().arg("explain").assert().success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for code in turnstile_spec::Code::ALL {
        assert!(
            stdout.contains(&format!("  {code}  {}\n", code.summary())),
            "{code}: {stdout}"
        );
    }
    assert!(stdout.contains("  T008  A reference to a state that is not declared\n"));

    let out = turnstile().args(["explain", "T999"]).assert().code(1);
    assert_eq!(
        stderr(&out),
        "error: `T999` is not a diagnostic code: codes run from T001 to T035; \
         `turnstile explain` lists them\n"
    );
}

/// Every diagnostic ends with the command that explains it, not a path
/// of turnstile's repository (which a user's crate does not have).
#[test]
fn every_diagnostic_says_how_to_explain_it() {
    let out = turnstile()
        .args(["check", "tests/ui/workflows/bad/undeclared_state.toml"])
        .assert()
        .code(1);
    let stderr = stderr(&out);
    assert!(
        stderr.contains("= note: run `turnstile explain T008` for what this means and what to do"),
        "{stderr}"
    );
    assert!(!stderr.contains("docs/diagnostics"), "{stderr}");
}

/// Every file of the malformed-definition corpus: `turnstile check` prints
/// exactly the validator's diagnostics (the derive's unit test shows the
/// macro reports the same ones) and exits 1, without panicking.
#[test]
fn check_prints_every_corpus_diagnostic_and_exits_1() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut names: Vec<String> = std::fs::read_dir(format!("{root}/tests/ui/workflows/bad"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 40);
    for name in names {
        let relative = format!("tests/ui/workflows/bad/{name}");
        let text = std::fs::read_to_string(format!("{root}/{relative}")).unwrap();
        let file = turnstile_spec::SourceFile::new(relative.clone(), text);
        let diagnostics = turnstile_spec::check(&file).diagnostics;
        let expected = turnstile_spec::diagnostic::render_all(&diagnostics, &file, false);
        let out = turnstile().args(["check", &relative]).assert().code(1);
        let stderr = stderr(&out);
        assert!(stderr.starts_with(&expected), "{relative}:\n{stderr}");
        assert!(!stderr.contains("panicked"), "{relative}:\n{stderr}");
    }
}

#[test]
fn access_writes_the_page_and_checks_it() {
    let out = turnstile()
        .args(["access", "workflows/service_closing.toml"])
        .assert()
        .success();
    let page = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(page.contains("## `service_closing`"), "{page}");
    assert!(
        page.contains(
            "| `customer` | `close`, `delete_account`, `restore` (not until 24h after entering `closed`), \
             `disable` (not until 24h after entering `closed`) |"
        ),
        "{page}"
    );
    assert!(
        page.contains(
            "No role restricts: `retention_period_ends` (automatic: its timer fires it, \
             90d after entering `closed`)."
        ),
        "{page}"
    );
    assert!(
        page.contains("| `buy_resources` | `active` | `closed`, `deleted`, `disabled` |"),
        "{page}"
    );
    turnstile()
        .args(["access", "workflows", "--out", "docs/access.md", "--check"])
        .assert()
        .success();
    let stale = std::env::temp_dir().join(format!("turnstile-access-{}.md", std::process::id()));
    std::fs::write(&stale, "old").unwrap();
    let out = turnstile()
        .args(["access", "workflows", "--out"])
        .arg(&stale)
        .arg("--check")
        .assert()
        .failure();
    assert!(stderr(&out).contains("is not current"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&stale).unwrap(),
        "old",
        "--check writes nothing"
    );
    std::fs::remove_file(&stale).unwrap();
}

/// `workflows/service_closing.toml` with `edit` applied, written to a
/// fresh file; its path.
fn service_closing_with(name: &str, edit: impl Fn(String) -> String) -> std::path::PathBuf {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let text = std::fs::read_to_string(format!("{root}/workflows/service_closing.toml")).unwrap();
    let path = std::env::temp_dir().join(format!(
        "turnstile-properties-{name}-{}.toml",
        std::process::id()
    ));
    std::fs::write(&path, edit(text)).unwrap();
    path
}

/// A promise the definition breaks (the retention period made longer than
/// the 90 days promised) fails the check at the property's line, with the
/// run that breaks it.
#[test]
fn check_refuses_a_broken_promise_with_the_run_that_breaks_it() {
    let path = service_closing_with("longer", |t| {
        t.replace("after = \"90d\"", "after = \"120d\"")
    });
    let out = turnstile()
        .args(["check", path.to_str().unwrap()])
        .assert()
        .failure();
    let stderr = stderr(&out);
    assert!(
        stderr.contains(
            "error: property `retention_period_ends_the_wait` does not hold: a run enters `active` or `disabled` only 120d after entering `closed`, later than 90d [T027]"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("2. `retention_period_ends` by the timer at T+120d → `disabled`"),
        "{stderr}"
    );
    let _ = std::fs::remove_file(path);
}

/// `severity = "warning"` reports a broken promise and exits 0.
#[test]
fn a_promise_marked_as_a_warning_is_reported_without_failing() {
    let path = service_closing_with("warning", |t| {
        t.replace("after = \"90d\"", "after = \"120d\"").replace(
            "within = \"90d\"",
            "within = \"90d\"\nseverity = \"warning\"",
        )
    });
    let out = turnstile()
        .args(["check", path.to_str().unwrap()])
        .assert()
        .success();
    let stderr = stderr(&out);
    assert!(
        stderr.contains("warning: property `retention_period_ends_the_wait` does not hold"),
        "{stderr}"
    );
    assert!(stderr.contains("8 properties checked"), "{stderr}");
    let _ = std::fs::remove_file(path);
}

/// `check --json` gives every property's verdict, and a broken one's run
/// as data: each step's event, states, instant and actor.
#[test]
fn check_json_gives_each_verdict_and_the_run_as_data() {
    // A `permits` widened: a closed account may buy again.
    let path = service_closing_with("json", |t| {
        t.replace(
            "permits = [\"log_in\", \"view_bills\"]",
            "permits = [\"log_in\", \"view_bills\", \"buy_resources\"]",
        )
    });
    let out = turnstile()
        .args(["check", "--json", path.to_str().unwrap()])
        .assert()
        .failure();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let value: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON object");
    assert_eq!(value["ok"], false);
    assert_eq!(value["diagnostics"][0]["code"], "T027");
    let properties = value["properties"].as_array().unwrap();
    assert_eq!(properties.len(), 8);
    let broken: Vec<&str> = properties
        .iter()
        .filter(|p| p["holds"] == false)
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(broken, ["no_buying_while_closed"], "{value:#}");
    let broken = &properties[2];
    assert_eq!(broken["why"], "state `closed` permits `buy_resources`");
    let run = &broken["run"];
    assert_eq!(run["start"], "active");
    let steps: Vec<(&str, &str, u64, &str)> = run["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["event"].as_str().unwrap(),
                s["to"].as_str().unwrap(),
                s["at_ms"].as_u64().unwrap(),
                s["role"].as_str().unwrap_or("timer"),
            )
        })
        .collect();
    assert_eq!(steps, [("close", "closed", 0, "customer")]);
    let guards = run["steps"][0]["guards_holding"].as_array().unwrap();
    assert_eq!(guards.len(), 8, "every guard of `close` must hold");
    let _ = std::fs::remove_file(path);
}

/// `turnstile audit` judges stored histories against the promises: a
/// retention period that ran 100 days, and (with `--now`) one still
/// running past its 90, are reported by instance and step; a history that
/// kept them is not.
#[test]
fn audit_reports_each_history_that_broke_a_promise() {
    let histories = r#"{"id":"acme","format":"turnstile/1","workflow":"service_closing","fingerprint":"x","state":"disabled","started_at":"2026-01-01T00:00:00Z","entered_at":"2026-04-11T00:00:00Z","data":{},"trail":[{"from":"active","event":"close","to":"closed","at":"2026-01-01T00:00:00Z","actor":"alice","role":"customer"},{"from":"closed","event":"retention_period_ends","to":"disabled","at":"2026-04-11T00:00:00Z","actor":"timer"}]}
{"id":"globex","format":"turnstile/1","workflow":"service_closing","fingerprint":"x","state":"closed","started_at":"2026-01-01T00:00:00Z","entered_at":"2026-01-02T00:00:00Z","data":{},"trail":[{"from":"active","event":"close","to":"closed","at":"2026-01-02T00:00:00Z","actor":"bob","role":"customer"}]}
{"id":"initech","format":"turnstile/1","workflow":"service_closing","fingerprint":"x","state":"active","started_at":"2026-01-01T00:00:00Z","entered_at":"2026-01-03T00:00:00Z","data":{},"trail":[{"from":"active","event":"close","to":"closed","at":"2026-01-02T00:00:00Z","actor":"carol","role":"customer"},{"from":"closed","event":"restore","to":"active","at":"2026-01-03T00:00:00Z","actor":"carol","role":"customer"}]}
"#;
    let path = std::env::temp_dir().join(format!("turnstile-audit-{}.jsonl", std::process::id()));
    std::fs::write(&path, histories).unwrap();
    let out = turnstile()
        .args([
            "audit",
            "workflows/service_closing.toml",
            path.to_str().unwrap(),
        ])
        .args(["--now", "2026-06-01T00:00:00Z"])
        .assert()
        .failure();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].ends_with(
            "`service_closing` instance `acme`, step 2 (`retention_period_ends` at 2026-04-11T00:00:00Z): property `retention_period_ends_the_wait` broken: it entered `disabled` 100d after entering `closed`, later than 90d"
        ),
        "{stdout}"
    );
    assert!(
        lines[1].ends_with(
            "`service_closing` instance `globex`, by now: property `retention_period_ends_the_wait` broken: it entered `closed` more than 90d ago and none of the goals since"
        ),
        "{stdout}"
    );
    assert!(stderr(&out).contains("error: 2 broken promise(s) in 3 history(ies)"));
    // Judged at the last step recorded, globex is not yet overdue.
    let out = turnstile()
        .args([
            "audit",
            "workflows/service_closing.toml",
            path.to_str().unwrap(),
        ])
        .assert()
        .failure();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let _ = std::fs::remove_file(path);
}

/// `check --draw DIR` draws each broken property's run on the diagram:
/// the SVG colours the run's edges and states, the DOT adds one numbered
/// red edge per step.
#[test]
fn check_draws_the_run_that_breaks_a_promise() {
    let dir = std::env::temp_dir().join(format!("turnstile-draw-{}", std::process::id()));
    let out = turnstile()
        .args([
            "check",
            "tests/ui/workflows/bad/property_broken_loop.toml",
            "--draw",
        ])
        .arg(&dir)
        .assert()
        .failure();
    assert!(stderr(&out).contains("[T027]"));
    let dot = std::fs::read_to_string(dir.join("closing.ends.dot")).unwrap();
    assert!(
        dot.contains("\"active\" -> \"closed\" [color=\"#b91c1c\", fontcolor=\"#b91c1c\", penwidth=2, constraint=false, label=\"1. close by customer at T\"];"),
        "{dot}"
    );
    assert!(
        dot.contains("label=\"2. restore by customer at T+1d\""),
        "{dot}"
    );
    assert!(
        dot.contains("label=\"then again from step 1, forever\""),
        "{dot}"
    );
    let svg = std::fs::read_to_string(dir.join("closing.ends.svg")).unwrap();
    assert!(
        svg.contains("g[data-state=\"closed\"] > rect { stroke: #b91c1c"),
        "{svg}"
    );
    assert!(
        svg.contains("g.edge[data-transition=\"1\"][data-from=\"closed\"] path"),
        "{svg}"
    );
    assert!(svg.contains("<desc>The run that breaks the promise: start in active; 1. close by customer at T; 2. restore by customer at T+1d; then again from step 1, forever</desc>"), "{svg}");
    let _ = std::fs::remove_dir_all(dir);
}

/// With regions, `check` says how many configurations are reachable and
/// `paths` walks configurations: every sequence keeps the conditions
/// between regions (becoming a reseller customer only while active,
/// the freeze over budget moving two regions at once).
#[test]
fn paths_and_check_walk_the_configurations_of_regions() {
    let file = "tests/ui/workflows/regions.toml";
    let out = turnstile().args(["check", file]).assert().success();
    let stderr = stderr(&out);
    assert!(
        stderr.contains("3 regions, 10 reachable configurations; fingerprint"),
        "{stderr}"
    );
    let out = turnstile().args(["paths", file]).assert().success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.contains("regions services, partner, restriction, starting in (active, no_partner, in_good_standing)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "(active, no_partner, in_good_standing) --become_reseller_customer--> (active, associated, in_good_standing) --over_budget--> (active, frozen_until_budget, restricted)"
        ),
        "{stdout}"
    );
    let out = turnstile()
        .args(["paths", file, "--json"])
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("JSON");
    let plan = json["test_plan"].as_array().unwrap();
    // Every event is taken (12 transitions: `over_budget` and
    // `budget_set` move two regions each).
    let events: std::collections::BTreeSet<&str> = plan
        .iter()
        .flat_map(|run| run["events"].as_array().unwrap())
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(events.len(), 10, "{events:?}");
}

/// `turnstile diff`: a renamed state and a shortened timer in service
/// closing, each at its line in both files, and the exit status of the
/// worst class; `--json` says the same as data; an unchanged definition
/// exits 0, a compatible change 0, a rename stated that does not apply 1.
#[test]
fn diff_classifies_each_change_at_its_lines() {
    let dir = std::env::temp_dir().join(format!("turnstile-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let v1 = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../workflows/service_closing.toml"
    ))
    .unwrap();
    let v2 = v1
        .replace("after = \"90d\"", "after = \"60d\"")
        .replace("\"disabled\"", "\"switched_off\"")
        .replace("[states.disabled]", "[states.switched_off]");
    let (old, new) = (dir.join("v1.toml"), dir.join("v2.toml"));
    std::fs::write(&old, &v1).unwrap();
    std::fs::write(&new, &v2).unwrap();
    let line = |text: &str, what: &str| text[..text.find(what).unwrap()].lines().count() + 1;

    let out = turnstile()
        .args(["diff", old.to_str().unwrap(), new.to_str().unwrap()])
        .assert()
        .code(5);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.contains(&format!(
            "needs a mapping (1):\n  state `disabled` renamed to `switched_off` (recognised: the rest is unchanged) [{}:{}, {}:{}]",
            old.display(),
            line(&v1, "[states.disabled]"),
            new.display(),
            line(&v2, "[states.switched_off]")
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "changes pending work (1):\n  `retention_period_ends` from `closed`: after shortened from 90d to 60d [{}:{}, {}:{}]\n    instances in `closed` since more than 60d become due at once",
            old.display(),
            line(&v1, "after = \"90d\""),
            new.display(),
            line(&v2, "after = \"60d\"")
        )),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("worst: needs a mapping (exit 5)\n"),
        "{stdout}"
    );

    let out = turnstile()
        .args([
            "diff",
            "--json",
            old.to_str().unwrap(),
            new.to_str().unwrap(),
        ])
        .assert()
        .code(5);
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["worst"], "needs_mapping");
    let fingerprint = json["old_fingerprint"].as_str().unwrap();
    assert!(fingerprint.starts_with("sha256:"), "{json}");
    assert_ne!(json["old_fingerprint"], json["new_fingerprint"]);
    assert_eq!(json["exit"], 5);
    let kinds: Vec<&str> = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["state_renamed", "timer_shortened"]);
    assert_eq!(json["changes"][1]["class"], "changes_pending_work");
    assert_eq!(json["changes"][1]["new_line"], line(&v2, "after = \"60d\""));

    // The timer alone: pending work, 4. Nothing: 0.
    std::fs::write(&new, v1.replace("after = \"90d\"", "after = \"60d\"")).unwrap();
    turnstile()
        .args(["diff", old.to_str().unwrap(), new.to_str().unwrap()])
        .assert()
        .code(4);
    let out = turnstile()
        .args(["diff", old.to_str().unwrap(), old.to_str().unwrap()])
        .assert()
        .code(0);
    assert!(String::from_utf8_lossy(&out.get_output().stdout)
        .contains("no change: stored instances load and behave as before"));
    // A rename of a state neither version has: an error, 1.
    let out = turnstile()
        .args([
            "diff",
            old.to_str().unwrap(),
            new.to_str().unwrap(),
            "--rename",
            "archived=gone",
        ])
        .assert()
        .code(1);
    assert!(stderr(&out).contains("the old version has no state or event `archived`"));
    // Renamed and shortened: every state carries on, nothing to decide.
    assert_eq!(json["decide"], serde_json::json!({}));
    assert_eq!(json["carried"]["disabled"], "switched_off");
    // A way out of `closed` removed (disabling at once): the state to
    // decide, as a method of `previous::Migrate`, in words and in JSON.
    let start = v1.find("[[transitions]]\nevent = \"disable\"").unwrap();
    let end = start + v1[start..].find("\n\n").unwrap() + 2;
    let v3 = format!("{}{}", &v1[..start], &v1[end..]);
    std::fs::write(&new, &v3).unwrap();
    let out = turnstile()
        .args([
            "diff",
            "--json",
            old.to_str().unwrap(),
            new.to_str().unwrap(),
        ])
        .assert()
        .code(5);
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let decide: Vec<&String> = json["decide"].as_object().unwrap().keys().collect();
    assert_eq!(decide, ["closed"], "{json}");
    let out = turnstile()
        .args(["diff", old.to_str().unwrap(), new.to_str().unwrap()])
        .assert()
        .code(5);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.contains("to decide where their stored instances go: ")
            && stdout.contains("`closed` (with `previous = ")
            && stdout.contains("one method each of `previous::Migrate`"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `turnstile inspect`: the explorer page opened at a snapshot file, which
/// the page embeds as data (the page checks it as the runtime does: its own
/// tests); not JSON, or a bad `--as-of`: exit 1, nothing written.
#[test]
fn inspect_writes_the_page_opened_at_a_snapshot() {
    let dir = std::env::temp_dir().join(format!("turnstile-inspect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let snapshot = dir.join("acme.json");
    let envelope =
        r#"{"format": "turnstile-instance/2", "workflow": "service_closing", "state": "active"}"#;
    std::fs::write(&snapshot, envelope).unwrap();
    let page = dir.join("acme.html");
    turnstile()
        .args([
            "inspect",
            "workflows/service_closing.toml",
            snapshot.to_str().unwrap(),
            "--out",
            page.to_str().unwrap(),
            "--as-of",
            "2027-03-01T00:00:00Z",
        ])
        .assert()
        .success();
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("<script type=\"application/json\" id=\"instance\">"),
        "the snapshot is embedded"
    );
    assert!(html.contains("\"workflow\":\"service_closing\""), "as data");
    assert!(html.contains("2027-03-01T00:00:00Z"), "the clock's start");
    std::fs::write(&snapshot, "not json").unwrap();
    std::fs::remove_file(&page).unwrap();
    let out = turnstile()
        .args([
            "inspect",
            "workflows/service_closing.toml",
            snapshot.to_str().unwrap(),
            "--out",
            page.to_str().unwrap(),
        ])
        .assert()
        .code(1);
    assert!(stderr(&out).contains("is not JSON"), "{}", stderr(&out));
    assert!(!page.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
