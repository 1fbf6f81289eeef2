//! The whole front end on arbitrary text: TOML → parse → validate →
//! diagnostics rendered against the source → every renderer → the analyses →
//! code generation to tokens, which must parse back as Rust.
#![no_main]

use libfuzzer_sys::fuzz_target;
use turnstile_render::Format;
use turnstile_spec::{check, diagnostic, graph::Graph, SourceFile};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = SourceFile::new("fuzz.toml", text);
    let checked = check(&file);
    // Diagnostics render against the text they point into: spans must be in bounds.
    let _ = diagnostic::render_all(&checked.diagnostics, &file, false);
    let _ = diagnostic::render_all(&checked.diagnostics, &file, true);
    let Some(workflow) = checked.partial else {
        return;
    };
    // The macro generates code from a partial model too, so do that always.
    let data = proc_macro2::Ident::new("Data", proc_macro2::Span::call_site());
    let vis: syn::Visibility = syn::parse_quote!(pub);
    let tokens = turnstile_codegen::generate(&turnstile_codegen::Input {
        valid: checked.diagnostics.is_empty(),
        ..turnstile_codegen::Input::new(&workflow, &file, &data, &vis)
    });
    // Names reach Rust only as validated identifiers: the output must parse.
    syn::parse2::<syn::File>(tokens).expect("generated code parses as Rust");
    if !checked.diagnostics.is_empty() {
        return;
    }
    // Valid models are rendered and analysed.
    for format in [Format::Dot, Format::Mermaid, Format::Svg] {
        let _ = format.render(&workflow);
    }
    // Both SVG layouts, whatever the size.
    let _ = turnstile_render::svg::rows(&workflow);
    let graph = Graph::new(&workflow);
    let _ = graph.shortest_paths();
    let _ = graph.covering_paths();
});
