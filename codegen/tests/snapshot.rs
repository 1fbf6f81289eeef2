//! The generated code for a small workflow, made readable with prettyplease.

use std::path::Path;

use turnstile_codegen::{generate, Input};
use turnstile_spec::{load, SourceFile};

fn expand(path: &str, display: &str, data: &str) -> String {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    let file = SourceFile::new(display, text);
    let workflow = load(&file).expect("a valid definition");
    let data = proc_macro2::Ident::new(data, proc_macro2::Span::call_site());
    let vis: syn::Visibility = syn::parse_quote!(pub);
    let tokens = generate(&Input {
        include_path: Some("/definitions/door.toml"),
        ..Input::new(&workflow, &file, &data, &vis)
    });
    let syntax: syn::File = syn::parse2(tokens).expect("the expansion parses as Rust");
    prettyplease::unparse(&syntax)
}

#[test]
fn door_expansion() {
    insta::assert_snapshot!(expand(
        "../tests/ui/workflows/door.toml",
        "workflows/door.toml",
        "Door"
    ));
}

#[test]
fn linear_expansion_without_guards_or_outcomes() {
    let code = expand(
        "../tests/ui/workflows/steps.toml",
        "workflows/steps.toml",
        "Article",
    );
    assert!(!code.contains("trait Guards"));
    assert!(!code.contains("trait Outcomes"));
    insta::assert_snapshot!(code);
}

#[test]
fn timed_expansion() {
    let code = expand(
        "../tests/ui/workflows/ticket.toml",
        "workflows/ticket.toml",
        "Ticket",
    );
    // The machine records when it entered its state; events take the instant.
    assert!(code.contains("entered_at: ::std::time::SystemTime,"));
    assert!(code.contains("pub fn answer<Out>(self, now: ::std::time::SystemTime) -> Out"));
    // `answer` has no guard or timer, yet from `open` the escalation may
    // come first: it returns `Result` there, a machine from `escalated`,
    // and its docs say so.
    assert!(code.contains(
        "- `answer`: `Open`, `Escalated` → `Answered`; returns \
         `Result<Machine<Answered>, Rejected<Machine<From>>>` from `Open`, \
         `Machine<Answered>` from `Escalated`"
    ));
    // Only `answer` from `open` yields to the escalation.
    assert_eq!(code.matches("__private::preempted(").count(), 1);
    insta::assert_snapshot!(code);
}

/// The module's documentation carries the diagram itself, as SVG: no
/// script, nothing fetched, so it shows offline.
#[test]
fn module_docs_embed_the_svg_diagram() {
    let code = expand("../tests/ui/workflows/door.toml", "door.toml", "Door");
    let start = code.find("## Diagram").expect("a diagram section");
    let diagram = &code[start..];
    assert!(
        diagram.contains("<div class=\"turnstile-diagram\""),
        "{diagram:.300}"
    );
    assert!(diagram.contains("<svg"), "{diagram:.300}");
    assert!(!code.contains("<script"), "no script in the docs");
    assert!(!code.contains("https://"), "nothing fetched");

    // Names and summaries written to break out of the markup stay text.
    let hostile = expand(
        "../render/tests/fixtures/hostile.toml",
        "hostile.toml",
        "Data",
    );
    let diagram = &hostile[hostile.find("## Diagram").expect("a diagram section")..];
    let end = diagram.find("</div>").expect("the diagram's end");
    let inside = &diagram[..end];
    assert!(!inside.contains("<script"), "{inside:.400}");
    assert!(!inside.contains("</svg><"), "one svg element");
}

/// Above the size limit, the page says how to draw the diagram instead.
#[test]
fn a_diagram_too_large_to_embed_is_replaced_by_the_command() {
    // 90 states (under the 100 of the full module page) whose long
    // summaries, carried into the SVG, make it larger than 256 KB.
    let mut text = String::from("[workflow]\nname = \"wordy\"\ninitial = \"s0\"\n\n");
    let summary = "A long summary. ".repeat(200);
    for i in 0..90 {
        text.push_str(&format!("[states.s{i}]\nsummary = \"{summary}\"\n"));
        if i == 89 {
            text.push_str("final = true\n");
        }
    }
    for i in 0..89 {
        text.push_str(&format!(
            "\n[[transitions]]\nevent = \"next\"\nfrom = \"s{i}\"\nto = \"s{}\"\n",
            i + 1
        ));
    }
    let file = turnstile_spec::SourceFile::new("wordy.toml", text);
    let workflow = turnstile_spec::load(&file).expect("valid");
    let data = proc_macro2::Ident::new("Wordy", proc_macro2::Span::call_site());
    let vis: syn::Visibility = syn::parse_quote!(pub);
    let tokens = generate(&Input {
        dispatch: false,
        ..Input::new(&workflow, &file, &data, &vis)
    });
    let code = tokens.to_string();
    assert!(!code.contains("<svg"), "not embedded");
    assert!(
        code.contains(
            "is too large to embed here: draw it with `turnstile render wordy.toml --format svg"
        ),
        "says how to draw it"
    );
}

#[test]
fn roles_and_capabilities_expansion() {
    let code = expand(
        "../workflows/tests/fixtures/unbinding.toml",
        "workflows/unbinding.toml",
        "Unbinding",
    );
    // A role-restricted event takes evidence of a role, bounded by `May`
    // with the roles that may fire it from that state.
    assert!(code.contains("pub fn review<R>("));
    assert!(code.contains("by: &::turnstile::Acting<R>"));
    assert!(code.contains("R: role::May<event::review, state::Submitted, role::Staff, 64u32>"));
    // A set of roles is a tuple that holds each of its roles; no impl of
    // `May` names a role as its `Self` (rustc would show it to a wrong role
    // as if it were allowed).
    assert!(code.contains("impl Set_Holds<self::Customer> for (self::Customer, self::Master) {}"));
    assert!(!code.contains("for self::Customer {}"));
    // A capability is a trait of exactly the permitting states' machines.
    assert!(code.contains("impl ChangeContact for super::Machine<super::state::Draft> {}"));
    assert!(!code.contains("impl ChangeContact for super::Machine<super::state::Submitted>"));
    insta::assert_snapshot!(code);
}

#[test]
fn definitions_without_roles_or_capabilities_generate_neither() {
    let code = expand(
        "../tests/ui/workflows/door.toml",
        "workflows/door.toml",
        "Door",
    );
    assert!(!code.contains("pub mod role"));
    assert!(!code.contains("pub mod can"));
    assert!(!code.contains("Acting"));
    assert!(!code.contains("const BY"));
}
