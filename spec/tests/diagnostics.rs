//! The validator against whole rendered messages: every bad definition of the
//! compile-fail suite, rendered as the command prints it.

use std::path::Path;

use turnstile_spec::{check, diagnostic::render_all, load, Code, SourceFile};

fn bad(name: &str) -> SourceFile {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/ui/workflows/bad")
        .join(format!("{name}.toml"));
    let text = std::fs::read_to_string(&path).expect("the bad definition exists");
    SourceFile::new(format!("bad/{name}.toml"), text)
}

fn rendered(name: &str) -> String {
    let file = bad(name);
    let checked = check(&file);
    assert!(!checked.diagnostics.is_empty(), "{name} has no diagnostic");
    render_all(&checked.diagnostics, &file, false)
}

/// Every file of the malformed-definition corpus, by name.
fn corpus() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/ui/workflows/bad");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("the corpus folder")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Each bad definition against its exact expected message (a snapshot named
/// after the file); a new file fails until its snapshot is reviewed.
#[test]
fn every_malformed_definition_gets_its_exact_diagnostics() {
    let names = corpus();
    assert!(names.len() >= 40, "the corpus has {} files", names.len());
    for name in names {
        insta::assert_snapshot!(name.clone(), rendered(&name));
    }
}

#[test]
fn every_problem_of_a_file_is_reported_at_once() {
    let codes: Vec<Code> = check(&bad("many_errors_at_once"))
        .diagnostics
        .iter()
        .map(|d| d.code)
        .collect();
    assert_eq!(
        codes,
        [Code::UnknownKey, Code::InvalidName, Code::UndeclaredState]
    );
}

#[test]
fn a_valid_definition_loads_into_the_model() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/ui/workflows/door.toml"),
    )
    .unwrap();
    let w = load(&SourceFile::new("door.toml", text)).expect("door.toml is valid");
    assert_eq!(w.name.as_str(), "door");
    assert_eq!(w.state(w.initial).name.as_str(), "closed");
    let names: Vec<&str> = w.states.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["closed", "opened", "jammed", "removed"]);
    let events: Vec<String> = w.events().iter().map(|e| e.name.to_string()).collect();
    assert_eq!(events, ["open", "close", "remove"]);
    let allowing: Vec<&str> = w
        .states_allowing("remove")
        .into_iter()
        .map(|s| w.state(s).name.as_str())
        .collect();
    assert_eq!(allowing, ["closed", "jammed"]);
    assert!(w.transitions[0].is_branch());
    assert_eq!(
        w.guards[0].summary.as_deref(),
        Some("the visitor holds the key")
    );
}

/// `refusal = true` marks a state for the diagrams; it is a bool like
/// `final`, and it leaves the fingerprint alone (it changes nothing about
/// what may happen).
#[test]
fn refusal_marks_a_state_and_must_be_a_bool() {
    let text = |refusal: &str| {
        format!(
            "[workflow]\nname = \"w\"\ninitial = \"a\"\n[states.a]\n[states.no]\n{refusal}final = true\n\
             [[transitions]]\nevent = \"go\"\nfrom = \"a\"\nto = \"no\"\n"
        )
    };
    let plain = load(&SourceFile::new("w.toml", text(""))).expect("valid");
    let marked = load(&SourceFile::new("w.toml", text("refusal = true\n"))).expect("valid");
    assert!(!plain.states[1].refusal);
    assert!(marked.states[1].refusal && marked.states[1].is_final);
    assert_eq!(
        turnstile_spec::fingerprint::fingerprint(&plain),
        turnstile_spec::fingerprint::fingerprint(&marked)
    );
    let wrong = check(&SourceFile::new("w.toml", text("refusal = \"yes\"\n")));
    assert_eq!(wrong.diagnostics.len(), 1, "{:?}", wrong.diagnostics);
    assert_eq!(wrong.diagnostics[0].code, Code::WrongType);
}

#[test]
fn line_and_column_survive_crlf_and_a_byte_order_mark() {
    let text =
        "\u{feff}[workflow]\r\nname = \"door\"\r\ninitial = \"shut\"\r\n\r\n[states.closed]\r\n";
    let diags = load(&SourceFile::new("crlf.toml", text)).unwrap_err();
    let out = render_all(&diags, &SourceFile::new("crlf.toml", text), false);
    assert!(out.contains("--> crlf.toml:3:11"), "{out}");
}

#[test]
fn every_code_has_a_doc_page() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/diagnostics");
    for code in Code::ALL {
        let page = docs.join(format!("{}-{}.md", code, code.slug()));
        let text = std::fs::read_to_string(&page)
            .unwrap_or_else(|_| panic!("missing doc page {}", page.display()));
        assert!(
            text.starts_with(&format!("# {code}")),
            "{} must start with its code",
            page.display()
        );
    }
}

/// A 20,000-state definition (9 MB) is checked whole; its time is in
/// docs/performance.md (`cargo bench -p turnstile-render --bench scale`).
#[test]
fn a_20000_state_definition_is_valid() {
    let text = turnstile_spec::synthetic::definition(20_000, 5);
    assert!(text.len() > 5_000_000, "{} bytes", text.len());
    let w = load(&SourceFile::new("big.toml", text)).expect("valid");
    assert_eq!(w.states.len(), 20_000);
    assert_eq!(w.transitions.len(), 99_995);
}

/// In a 5 MB file, a mistake on the last line is reported at its line and
/// column, once, with the usual help.
#[test]
fn a_mistake_at_the_end_of_a_5_mb_file_is_found_where_it_is() {
    let mut text = turnstile_spec::synthetic::definition(11_000, 5);
    let lines = text.lines().count();
    text.push_str("\n[[transitions]]\nevent = \"late\"\nfrom = \"s17\"\nto = \"s1O\"\n");
    assert!(text.len() > 5_000_000);
    let file = SourceFile::new("big.toml", text);
    let diagnostics = check(&file).diagnostics;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let out = render_all(&diagnostics, &file, false);
    assert!(
        out.contains(&format!("--> big.toml:{}:6", lines + 5)),
        "{out}"
    );
    assert!(out.contains("did you mean `s1"), "{out}");
}
