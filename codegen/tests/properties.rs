//! Properties over arbitrary definitions, run by `cargo test` so CI keeps
//! guarding what the fuzzer explored: nothing panics, generated code always
//! parses as Rust, and every renderer's output stays well-formed.

use proptest::prelude::*;
use turnstile_render::{dot, mermaid, svg};
use turnstile_spec::diagnostic::render_all;
use turnstile_spec::{check, SourceFile};

/// Valid names: drawn most of the time, so many definitions get far.
const GOOD: &[&str] = &["closed", "opened", "a", "b_c", "x1", "open_door"];

/// Names a user might write, good and bad: keywords, generated-item names,
/// non-ASCII, look-alikes, case and punctuation.
const NAMES: &[&str] = &[
    "closed",
    "opened",
    "a",
    "b_c",
    "x1",
    "open_door",
    "type",
    "self",
    "Self",
    "new",
    "data",
    "into_state",
    "état",
    "оpen",
    "Open",
    "r#y",
    "_",
    "a__b",
    "1st",
    "wide-open",
    "",
    "machine",
    "state",
    "choice",
    "outcome",
    "event",
    "guards",
];

/// Summaries meant to break out of every output format.
const SUMMARIES: &[&str] = &[
    "plain",
    "quotes \" and backslash \\ and */ and /*",
    "</script><script>alert(1)</script>",
    "\"]; a -> b [label=\"x",
    "%%{init: {}}%% ::: danger",
    "&amp; &lt; <b> </pre> ``` fn main() {} ```",
    "line\nbreak\r\nand\ttab",
    "# ; | { } < > &",
    "\u{1}\u{1f}\u{7f}",
];

/// A TOML basic string with `text` in it.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn name() -> impl Strategy<Value = &'static str> {
    prop_oneof![4 => prop::sample::select(GOOD), 1 => prop::sample::select(NAMES)]
}

fn summary() -> impl Strategy<Value = Option<&'static str>> {
    prop::option::of(prop::sample::select(SUMMARIES))
}

fn names(max: usize) -> impl Strategy<Value = Vec<&'static str>> {
    prop::collection::vec(name(), 1..=max)
}

/// An arbitrary definition, as text: well-formed TOML, arbitrary content.
fn definition() -> impl Strategy<Value = String> {
    (
        name(),
        name(),
        summary(),
        prop::collection::vec((name(), summary(), any::<bool>()), 0..6),
        prop::collection::vec((name(), summary()), 0..3),
        prop::collection::vec(
            (
                name(),
                names(2),
                names(3),
                prop::collection::vec(name(), 0..2),
                summary(),
            ),
            0..8,
        ),
    )
        .prop_map(
            |(workflow, initial, summary, states, guards, transitions)| {
                let mut t = format!(
                    "[workflow]\nname = {}\ninitial = {}\n",
                    quoted(workflow),
                    quoted(initial)
                );
                if let Some(s) = summary {
                    t.push_str(&format!("summary = {}\n", quoted(s)));
                }
                let mut states = states;
                if !states.iter().any(|(s, _, _)| *s == initial) {
                    states.insert(0, (initial, Some(SUMMARIES[2]), false));
                }
                let mut seen = std::collections::HashSet::new();
                states.retain(|(s, _, _)| seen.insert(*s)); // TOML refuses a table twice
                for (state, summary, is_final) in states {
                    t.push_str(&format!("\n[states.{}]\n", quoted(state)));
                    if let Some(s) = summary {
                        t.push_str(&format!("summary = {}\n", quoted(s)));
                    }
                    if is_final {
                        t.push_str("final = true\n");
                    }
                }
                let mut seen = std::collections::HashSet::new();
                for (guard, summary) in guards.into_iter().filter(|(g, _)| seen.insert(*g)) {
                    t.push_str(&format!("\n[guards.{}]\n", quoted(guard)));
                    if let Some(s) = summary {
                        t.push_str(&format!("summary = {}\n", quoted(s)));
                    }
                }
                let list = |v: &[&str]| {
                    format!(
                        "[{}]",
                        v.iter().map(|n| quoted(n)).collect::<Vec<_>>().join(", ")
                    )
                };
                for (event, from, to, guards, summary) in transitions {
                    t.push_str(&format!(
                        "\n[[transitions]]\nevent = {}\nfrom = {}\nto = {}\n",
                        quoted(event),
                        list(&from),
                        list(&to)
                    ));
                    if !guards.is_empty() {
                        t.push_str(&format!("guard = {}\n", list(&guards)));
                    }
                    if let Some(s) = summary {
                        t.push_str(&format!("summary = {}\n", quoted(s)));
                    }
                }
                t
            },
        )
}

/// Every `#[doc = "…"]` of the generated code.
struct Docs(Vec<String>);

impl<'ast> syn::visit::Visit<'ast> for Docs {
    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        if let syn::Meta::NameValue(nv) = &attr.meta {
            if nv.path.is_ident("doc") {
                if let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = &nv.value
                {
                    self.0.push(s.value());
                }
            }
        }
    }
}

/// The whole front end on `text`, asserting what must always hold.
fn front_end(text: &str) {
    let file = SourceFile::new("arbitrary.toml", text);
    let checked = check(&file);
    // Every span lies in the text: rendering cannot panic.
    let _ = render_all(&checked.diagnostics, &file, false);
    let Some(workflow) = checked.partial else {
        return;
    };
    let data = proc_macro2::Ident::new("Data", proc_macro2::Span::call_site());
    let vis: syn::Visibility = syn::parse_quote!(pub);
    let tokens = turnstile_codegen::generate(&turnstile_codegen::Input {
        valid: checked.diagnostics.is_empty(),
        ..turnstile_codegen::Input::new(&workflow, &file, &data, &vis)
    });
    let generated: syn::File = syn::parse2(tokens).expect("generated code parses");
    // Summaries reach rustdoc escaped: no raw HTML element but our diagram's,
    // no code fence.
    let mut docs = Docs(Vec::new());
    syn::visit::Visit::visit_file(&mut docs, &generated);
    for doc in docs.0 {
        // The diagram section (HTML of ours) ends the module's page.
        let without_diagram = doc.split("\n## Diagram\n").next().unwrap_or_default();
        for tag in ["<script", "</script", "<b>", "</pre"] {
            assert!(!without_diagram.contains(tag), "raw HTML in docs: {doc}");
        }
        assert!(!doc.contains("```"), "a code fence in docs: {doc}");
    }
    if !checked.diagnostics.is_empty() {
        return;
    }
    roxmltree::Document::parse(&svg(&workflow)).expect("the SVG is XML");
    roxmltree::Document::parse(&turnstile_render::svg::rows(&workflow)).expect("the SVG is XML");
    let out = dot(&workflow);
    for line in out.lines() {
        // Outside quoted strings, a line holds no stray quote: count the
        // unescaped ones.
        let quotes = line
            .replace("\\\\", "")
            .replace("\\\"", "")
            .matches('"')
            .count();
        assert!(quotes % 2 == 0, "unbalanced quotes in DOT: {line}");
    }
    for line in mermaid(&workflow).lines().skip(1) {
        assert!(
            !line.trim_start().starts_with("%%{"),
            "a Mermaid directive: {line}"
        );
        assert!(!line.contains(":::"), "a Mermaid class: {line}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_definitions_never_break_the_front_end(text in definition()) {
        front_end(&text);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "(\\PC|\n|\r|\t|\"|\\[|\\]|=|#){0,400}") {
        front_end(&text);
    }

    #[test]
    fn cut_definitions_never_panic(text in definition(), cut in any::<prop::sample::Index>()) {
        let mut end = cut.index(text.len() + 1);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        front_end(&text[..end]);
    }
}
