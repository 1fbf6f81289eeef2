//! How code generation (what `#[derive(Workflow)]` does after checking)
//! grows with the size of a workflow: `cargo bench -p turnstile-codegen
//! --bench generate`. Two shapes: few events shared by every state (the
//! synthetic workflows of `turnstile_spec::synthetic`), and one event per
//! transition (every name distinct). Figures in `docs/performance.md`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use turnstile_spec::{load, synthetic, SourceFile};

/// Renames each transition's event so that every event is distinct.
fn distinct_events(text: &str) -> String {
    let mut n = 0;
    text.lines()
        .map(|line| {
            if line.starts_with("event = ") {
                n += 1;
                format!("event = \"t{n}\"")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn time(text: String) -> (usize, usize, Duration) {
    let file = SourceFile::new("synthetic.toml", text);
    let workflow = load(&file).expect("valid");
    let data = proc_macro2::Ident::new("Data", proc_macro2::Span::call_site());
    let vis: syn::Visibility = syn::parse_quote!(pub);
    let input = turnstile_codegen::Input::new(&workflow, &file, &data, &vis);
    let mut runs: Vec<Duration> = (0..3)
        .map(|_| {
            let start = Instant::now();
            black_box(turnstile_codegen::generate(black_box(&input)));
            start.elapsed()
        })
        .collect();
    runs.sort();
    (workflow.states.len(), workflow.transitions.len(), runs[1])
}

fn main() {
    println!("| shape | states | transitions | generate |");
    println!("|---|---:|---:|---:|");
    for states in [1_000, 2_000, 5_000, 10_000] {
        let text = synthetic::definition(states, 5);
        for (shape, text) in [
            ("5 shared events", text.clone()),
            ("distinct events", distinct_events(&text)),
        ] {
            let (s, t, d) = time(text);
            println!(
                "| {shape} | {s} | {t} | {:.1} ms |",
                d.as_secs_f64() * 1000.0
            );
        }
    }
}
