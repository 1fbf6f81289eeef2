//! How the checker of properties grows with the size of a workflow.
//!
//! `cargo bench -p turnstile-spec --bench prove` prints, for synthetic
//! workflows of 1,000 to 20,000 states with timers, roles, guards,
//! capabilities and one property of each form
//! (`turnstile_spec::synthetic::with_properties`), the median of several
//! runs of proving every property, of the whole check (parse, validate,
//! prove) and of the check without the properties, in release mode. The
//! figures in `docs/performance.md` come from this command.

use std::hint::black_box;
use std::time::{Duration, Instant};

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
            "| {} | {} | {} | {} ms | {} ms | {} ms |",
            states,
            workflow.transitions.len(),
            workflow.properties.len(),
            ms(t_prove),
            ms(t_check),
            ms(t_bare)
        );
    }
}
