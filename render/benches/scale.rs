//! How check and render grow with the size of a workflow.
//!
//! `cargo bench -p turnstile-render --bench scale` prints, for synthetic
//! workflows of 1,000 to 20,000 states with 5 transitions leaving each state
//! (`turnstile_spec::synthetic`), the median of several runs of each step in
//! release mode, and the time per transition so growth is easy to read.
//! Then the explorer's layout at small sizes, and proving properties at
//! 1,000 to 20,000 states. The figures in `docs/performance.md` come from
//! this command.

use std::hint::black_box;
use std::time::{Duration, Instant};

use turnstile_render::Format;
use turnstile_spec::graph::Graph;
use turnstile_spec::{check, prove, synthetic, SourceFile};

/// The median of `runs` timed runs of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn main() {
    // `cargo bench` passes `--bench`; a name filter is not supported.
    const PER_STATE: usize = 5;
    println!(
        "| states | transitions | file | check | dot | mermaid | svg | paths | check+render (dot, mermaid, svg) per transition |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for states in [1_000, 2_000, 5_000, 10_000, 20_000] {
        let text = synthetic::definition(states, PER_STATE);
        let transitions = (states - 1) * PER_STATE;
        let file = SourceFile::new("synthetic.toml", text.clone());
        let runs = if states >= 10_000 { 3 } else { 5 };
        let checked = check(&file);
        assert!(
            checked.diagnostics.is_empty(),
            "the synthetic workflow is valid"
        );
        let workflow = checked.partial.expect("a model");
        let t_check = median(runs, || {
            black_box(check(black_box(&file)));
        });
        let render = |format: Format| {
            median(runs, || {
                black_box(format.render(black_box(&workflow)));
            })
        };
        let t_dot = render(Format::Dot);
        let t_mermaid = render(Format::Mermaid);
        let t_svg = render(Format::Svg);
        let t_paths = median(runs, || {
            let graph = Graph::new(&workflow);
            black_box(graph.shortest_paths());
            black_box(graph.covering_paths());
        });
        let all = t_check + t_dot + t_mermaid + t_svg;
        println!(
            "| {states} | {transitions} | {:.1} MB | {} ms | {} ms | {} ms | {} ms | {} ms | {:.2} µs |",
            text.len() as f64 / 1e6,
            ms(t_check),
            ms(t_dot),
            ms(t_mermaid),
            ms(t_svg),
            ms(t_paths),
            all.as_secs_f64() * 1e6 / transitions as f64,
        );
    }

    // The Sugiyama-style layout, for the workflows it draws (up to
    // LAYERED_MAX_EDGES edges), and the explorer page that embeds it.
    println!();
    println!("| states | edges | svg | svg size | html |");
    println!("|---:|---:|---:|---:|---:|");
    for (states, per_state) in [(20, 2), (60, 2), (100, 3), (130, 3)] {
        let text = synthetic::definition(states, per_state);
        let workflow = check(&SourceFile::new("synthetic.toml", text))
            .partial
            .expect("a model");
        let edges: usize = workflow.transitions.iter().map(|t| t.from.len()).sum();
        assert!(edges < turnstile_render::svg::LAYERED_MAX_EDGES);
        let t_svg = median(5, || {
            black_box(Format::Svg.render(black_box(&workflow)));
        });
        let size = Format::Svg.render(&workflow).len();
        let t_html = median(5, || {
            black_box(Format::Html.render(black_box(&workflow)));
        });
        println!(
            "| {states} | {edges} | {} ms | {:.0} KB | {} ms |",
            ms(t_svg),
            size as f64 / 1e3,
            ms(t_html)
        );
    }

    // Proving properties (`turnstile_spec::prove`): one property of each
    // form over a chain with timers, roles, guards and capabilities
    // (`synthetic::with_properties`), against the same check without them.
    println!();
    println!("| states | transitions | properties | prove | check with them | check without |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for states in [1_000, 10_000, 20_000] {
        let text = synthetic::with_properties(states);
        let without = text[..text.find("[properties.").expect("properties")].to_string();
        let file = SourceFile::new("promises.toml", text);
        let bare = SourceFile::new("promises.toml", without);
        let workflow = check(&file).partial.expect("a model");
        let runs = if states >= 10_000 { 5 } else { 9 };
        let t_prove = median(runs, || {
            black_box(prove::prove(black_box(&workflow)));
        });
        let t_check = median(runs, || {
            black_box(check(black_box(&file)));
        });
        let t_bare = median(runs, || {
            black_box(check(black_box(&bare)));
        });
        println!(
            "| {states} | {} | {} | {} ms | {} ms | {} ms |",
            workflow.transitions.len(),
            workflow.properties.len(),
            ms(t_prove),
            ms(t_check),
            ms(t_bare)
        );
    }
}
