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
