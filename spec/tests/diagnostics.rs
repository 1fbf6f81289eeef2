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

macro_rules! snapshot_tests {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), rendered(stringify!($name)));
        }
    )*};
}

snapshot_tests!(
    toml_syntax,
    unknown_key,
    wrong_type,
    missing_workflow_table,
    missing_initial,
    undeclared_state,
    invalid_name,
    keyword_name,
    event_named_new,
    pascal_collision,
    duplicate_in_list,
    unreachable_state,
    dead_end_state,
    nondeterministic,
    outcome_mismatch,
    transition_from_final,
    unused_guard,
    many_errors_at_once,
);

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
