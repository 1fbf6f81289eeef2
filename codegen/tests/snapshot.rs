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
        workflow: &workflow,
        file: &file,
        data: &data,
        vis: &vis,
        include_path: Some("/definitions/door.toml"),
        dispatch: true,
        lexer: None,
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
