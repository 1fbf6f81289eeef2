//! How long the explorer takes to become ready in headless Chromium.
//!
//! `cargo bench -p turnstile-render --bench ready` writes the pages of
//! synthetic workflows (`turnstile_spec::synthetic`, 3 transitions leaving
//! each state) of 100 and 1,000 states, opens each ten times in a fresh
//! tab, and prints the page's size and the median and slowest time from
//! the start of navigation to the page being ready to use (its
//! `data-ready-ms`: parsed, diagram bound, simulator drawn, test plan's
//! first page listed), as the page itself measures it with
//! `performance.now()`. The figure in `docs/diagrams.md` comes from this
//! command. Without Chromium it says so in one line and measures nothing.

#[path = "../tests/browser/mod.rs"]
mod browser;

use turnstile_spec::{load, synthetic, SourceFile};

fn main() {
    let Some(chrome) = browser::chromium() else {
        return;
    };
    let browser = browser::launch(chrome);
    println!("| states | page | ready, median | ready, slowest |");
    println!("|---:|---:|---:|---:|");
    for states in [100, 1_000] {
        let text = synthetic::definition(states, 3);
        let w = load(&SourceFile::new("synthetic.toml", text)).expect("a valid definition");
        let page = turnstile_render::html(&w);
        let file = browser::out_dir().join(format!("ready-{states}.html"));
        let mut times: Vec<u64> = (0..10)
            .map(|_| {
                let tab = browser.new_tab().expect("a tab");
                browser::open(&tab, &file, &page);
                let ms = browser::eval_str(&tab, "document.body.getAttribute('data-ready-ms')");
                let _ = tab.close(false);
                ms.parse().expect("a number of ms")
            })
            .collect();
        times.sort_unstable();
        println!(
            "| {states} | {:.1} MB | {} ms | {} ms |",
            page.len() as f64 / 1e6,
            times[times.len() / 2],
            times[times.len() - 1]
        );
    }
}
