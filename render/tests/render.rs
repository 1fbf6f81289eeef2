//! Renderers: deterministic, parseable, and no summary can inject syntax.

use std::path::{Path, PathBuf};
use std::process::Command;

use turnstile_render::svg::rows;
use turnstile_render::{dot, mermaid, svg, Format};
use turnstile_spec::{load, SourceFile, Workflow};

fn workflow(path: &str) -> Workflow {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read_to_string(&full).unwrap();
    load(&SourceFile::new(path, text)).expect("a valid definition")
}

fn references() -> Vec<Workflow> {
    [
        "sign_up",
        "account_upgrade",
        "phone_change",
        "partner_association",
        "service_closing",
        "account_restriction",
        "details_change",
        "account/account",
    ]
    .iter()
    .map(|n| workflow(&format!("../workflows/{n}.toml")))
    .collect()
}

#[test]
fn rendering_is_deterministic() {
    for w in references() {
        for format in [Format::Dot, Format::Mermaid, Format::Svg, Format::Html] {
            assert_eq!(
                format.render(&w),
                format.render(&w),
                "{} {format:?}",
                w.name
            );
        }
    }
}

#[test]
fn the_committed_diagrams_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/diagrams");
    for w in references() {
        for format in [Format::Dot, Format::Mermaid, Format::Svg, Format::Html] {
            let file = dir.join(format!("{}.{}", w.name, format.extension()));
            let committed = std::fs::read_to_string(&file).expect("diagram committed");
            assert!(
                committed == format.render(&w),
                "{} is stale: run `cargo run -p turnstile-cli -- render workflows --format {} --out docs/diagrams`",
                file.display(),
                match format { Format::Dot => "dot", Format::Mermaid => "mermaid", Format::Svg => "svg", Format::Html => "html" }
            );
        }
    }
}

/// The README shows a committed reference SVG (kept current by the test
/// above) and a screenshot of the explorer that exists.
#[test]
fn the_readme_shows_a_reference_svg_and_the_explorer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    for image in [
        "docs/diagrams/account_upgrade.svg",
        "docs/figures/explorer.png",
    ] {
        // Reference-style, as every image of the docs (tests/doc_links.rs).
        assert!(
            readme.contains(&format!("][{image}]"))
                && readme.contains(&format!("[{image}]: {image}")),
            "README.md shows {image}"
        );
        assert!(root.join(image).is_file(), "{image} is committed");
    }
    assert!(readme.contains("--format html"));
}

#[test]
fn dot_marks_initial_final_guards_and_branches() {
    let w = workflow("../tests/ui/workflows/door.toml");
    let out = dot(&w);
    assert!(out.contains("\"__start\" -> \"closed\";"), "{out}");
    assert!(
        out.contains("\"removed\" [label=\"removed\", peripheries=2"),
        "{out}"
    );
    assert!(
        out.contains("\"closed\" -> \"__branch_0\" [label=\"open [has_key]\""),
        "{out}"
    );
    assert!(
        out.contains("\"__branch_0\" -> \"jammed\" [style=dashed];"),
        "{out}"
    );
}

#[test]
fn mermaid_marks_initial_final_guards_and_branches() {
    let w = workflow("../tests/ui/workflows/door.toml");
    let out = mermaid(&w);
    assert!(out.starts_with("stateDiagram-v2\n"));
    assert!(out.contains("    [*] --> closed\n"), "{out}");
    assert!(out.contains("    removed --> [*]\n"), "{out}");
    assert!(
        out.contains("    state open_outcome_0 <<choice>>\n"),
        "{out}"
    );
    assert!(
        out.contains("    closed --> open_outcome_0 : open [has_key]\n"),
        "{out}"
    );
}

/// Roles on edges and capabilities in states, in every format.
#[test]
fn every_format_shows_who_may_fire_and_what_each_state_permits() {
    let w = workflow("../workflows/tests/fixtures/unbinding.toml");
    let out = dot(&w);
    assert!(
        out.contains("\"submitted\" -> \"__branch_1\" [label=\"review by staff\""),
        "{out}"
    );
    assert!(
        out.contains("[label=\"disassociate by staff (not before 24h)\""),
        "{out}"
    );
    assert!(
        out.contains("\"draft\" [label=\"draft\\npermits log_in, view_bills, change_contact\""),
        "{out}"
    );
    let out = mermaid(&w);
    assert!(
        out.contains(
            "    draft --> submitted : submit [materials_complete] by customer or master\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("    disassociated : disassociated<br>The phone number no longer belongs to the ID.<br>permits view_bills\n"),
        "{out}"
    );
    let out = svg(&w);
    let texts = svg_texts(&out);
    assert!(
        texts.iter().any(|t| t == "withdraw by customer or staff"),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.ends_with(". permits view_bills")),
        "{texts:?}"
    );
    // Without roles or capabilities nothing of the kind is drawn.
    let door = dot(&workflow("../tests/ui/workflows/door.toml"));
    assert!(
        !door.contains(" by ") && !door.contains("permits"),
        "{door}"
    );
}

/// What an event brings is on its edge, in every format.
#[test]
fn every_format_shows_what_an_event_brings() {
    let w = workflow("../workflows/account_restriction.toml");
    let label = "decide_freeze by staff, brings StaffDecision";
    assert!(dot(&w).contains(&format!("[label=\"{label}\"")));
    assert!(mermaid(&w).contains(&format!(
        "freeze_under_review --> decide_freeze_outcome_14 : {label}\n"
    )));
    let texts = svg_texts(&svg(&w));
    // (Drawn at the border of `limited`, it also says which state inside
    // it the edge leaves.)
    assert!(
        texts
            .iter()
            .any(|t| t == "decide_freeze by staff, brings StaffDecision from freeze_under_review"),
        "{texts:?}"
    );
}

#[test]
fn hostile_summaries_cannot_break_out_of_labels() {
    let w = workflow("tests/fixtures/hostile.toml");
    let out = dot(&w);
    // Every quote inside a summary is escaped: the only edges are ours.
    let edges = out
        .lines()
        .filter(|l| {
            let mut parts = l.trim_start().splitn(2, " -> ");
            let (Some(a), Some(_)) = (parts.next(), parts.next()) else {
                return false;
            };
            // An edge statement: a whole quoted name, then the arrow.
            a.starts_with('"')
                && a.ends_with('"')
                && a[1..a.len() - 1]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        .count();
    assert_eq!(edges, 2, "{out}");
    assert!(!out.contains("[color=red]\""), "{out}");
    assert!(out.contains("line one\\nline two "), "{out}");
    assert!(out.contains("\\\"]; x -> y [label=\\\"pwned\\\"]"), "{out}");
    // No control character reaches the file but the line breaks between
    // statements (a NUL makes Graphviz refuse it).
    assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");

    let out = mermaid(&w);
    for line in out.lines().skip(1) {
        assert!(!line.contains("%%{"), "{line}");
        assert!(!line.contains(":::"), "{line}");
    }
    assert_eq!(out.matches(" --> ").count(), 3, "{out}");

    let out = svg(&w);
    assert!(!out.contains("<script>"), "{out}");
}

#[test]
fn graphviz_accepts_the_dot() {
    if Command::new("dot").arg("-V").output().is_err() {
        return missing("graphviz");
    }
    let mut all = references();
    all.push(workflow("tests/fixtures/hostile.toml"));
    all.push(workflow("../workflows/tests/fixtures/unbinding.toml"));
    all.push(workflow("../tests/ui/workflows/nested.toml"));
    all.push(workflow("../workflows/tests/fixtures/nested_timers.toml"));
    for w in all {
        let dir = std::env::temp_dir().join(format!("turnstile-dot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("{}.dot", w.name));
        std::fs::write(&file, dot(&w)).unwrap();
        let run = Command::new("dot")
            .arg("-Tsvg")
            .arg("-o")
            .arg(dir.join("out.svg"))
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "graphviz rejected the DOT of {}",
            w.name
        );
        // Not even a warning (an `ltail` or `lhead` Graphviz cannot draw
        // would be one).
        assert!(
            run.stderr.is_empty(),
            "graphviz warned about the DOT of {}: {}",
            w.name,
            String::from_utf8_lossy(&run.stderr)
        );
        // Graphviz draws each summary as a tooltip (`xlink:title`): read back
        // through an XML parser, each is the summary exactly, not its escape.
        let drawn = std::fs::read_to_string(dir.join("out.svg")).unwrap();
        let options = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        let doc = roxmltree::Document::parse_with_options(&drawn, options)
            .expect("Graphviz's SVG is XML");
        // Runs of spaces come back as spaces and no-break spaces: compared
        // word by word, and line by line.
        let words = |text: &str| -> String {
            text.split('\n')
                .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let titles: Vec<String> = doc
            .descendants()
            .filter_map(|n| n.attribute(("http://www.w3.org/1999/xlink", "title")))
            .map(words)
            .collect();
        let summaries = w
            .states
            .iter()
            .filter_map(|s| s.summary.as_deref())
            .chain(w.transitions.iter().filter_map(|t| t.summary.as_deref()))
            .chain(w.summary.as_deref());
        for summary in summaries {
            // Line breaks kept; other control characters drawn as spaces.
            let summary: String = summary
                .chars()
                .filter(|c| *c != '\r')
                .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
                .collect();
            let summary = words(&summary);
            assert!(
                titles.contains(&summary),
                "{}: {summary:?} not among {titles:?}",
                w.name
            );
        }
    }
}

/// The texts of an SVG document: it must be well-formed XML to have any.
fn svg_texts(out: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(out).unwrap_or_else(|e| panic!("not XML: {e}\n{out}"));
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            let words: Vec<&str> = n
                .descendants()
                .filter(|d| d.is_text() && !d.parent().is_some_and(|p| p.has_tag_name("title")))
                .filter_map(|d| d.text())
                .flat_map(str::split_whitespace)
                .collect();
            words.join(" ")
        })
        .collect()
}

#[test]
fn every_svg_is_well_formed_xml_with_the_labels_as_text() {
    let mut all = references();
    all.push(workflow("tests/fixtures/hostile.toml"));
    all.push(workflow("../workflows/tests/fixtures/unbinding.toml"));
    for w in &all {
        for out in [svg(w), rows(w)] {
            let texts = svg_texts(&out);
            for s in &w.states {
                assert!(
                    texts.iter().any(|t| t == s.name.as_str()),
                    "{} in {}",
                    s.name,
                    w.name
                );
            }
        }
    }
    let hostile = workflow("tests/fixtures/hostile.toml");
    assert!(svg_texts(&rows(&hostile)).contains(&"go [ok]".to_string()));
}

#[test]
fn svg_states_carry_their_summaries_as_tooltips_verbatim() {
    let mut all = references();
    all.push(workflow("tests/fixtures/hostile.toml"));
    all.push(workflow("../workflows/tests/fixtures/unbinding.toml"));
    for w in &all {
        for out in [svg(w), rows(w)] {
            let doc = roxmltree::Document::parse(&out).expect("XML");
            let titles: Vec<&str> = doc
                .descendants()
                .filter(|n| n.has_tag_name("title"))
                .filter_map(|n| n.text())
                .collect();
            for s in &w.states {
                let Some(summary) = &s.summary else { continue };
                // XML 1.0 has no place for control characters: they are spaces.
                let shown: String = summary
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                assert!(
                    titles.contains(&shown.as_str()),
                    "{}: {shown:?} in {titles:?}",
                    w.name
                );
            }
        }
    }
}

/// The shape that took layout-rs, the layout first used, over a minute
/// (60 states, 118 edges) is drawn at once, with every state.
#[test]
fn the_workflow_that_hung_the_svg_layout_is_drawn() {
    let text = turnstile_spec::synthetic::definition(60, 2);
    let w = load(&SourceFile::new("sixty.toml", text)).expect("valid");
    let out = svg(&w);
    assert_ne!(out, rows(&w), "118 edges get the Sugiyama-style layout");
    assert_eq!(out.matches(" data-state=\"").count(), 60);
    assert_eq!(
        svg_texts(&out)
            .iter()
            .filter(|t| t.starts_with('s') && t[1..].parse::<u32>().is_ok())
            .count(),
        60
    );
}

#[test]
fn large_workflows_get_the_near_linear_layout() {
    let text = turnstile_spec::synthetic::definition(2_000, 5);
    let w = load(&SourceFile::new("big.toml", text)).expect("valid");
    let out = svg(&w);
    assert_eq!(
        out,
        rows(&w),
        "past LAYERED_MAX_EDGES, svg() is the near-linear layout"
    );
    let texts = svg_texts(&out);
    assert!(texts.contains(&"s1999".to_string()));
    assert_eq!(
        out.matches(" data-state=\"").count(),
        2_000,
        "one group per state"
    );
}

/// The hostile-labels workflow in every format, as reviewed snapshots (the
/// reference workflows' snapshots are the committed `docs/diagrams/`).
#[test]
fn hostile_labels_snapshots() {
    let w = workflow("tests/fixtures/hostile.toml");
    insta::assert_snapshot!("hostile_dot", dot(&w));
    insta::assert_snapshot!("hostile_mermaid", mermaid(&w));
    insta::assert_snapshot!("hostile_svg", svg(&w));
    insta::assert_snapshot!("hostile_svg_layered", rows(&w));
}

/// A test that needs an outside program skips without it, but not in CI:
/// `.ci/run` installs the programs and sets `TURNSTILE_REQUIRE_TOOLS`, so a
/// failed install cannot turn a check into a silent skip.
fn missing(what: &str) {
    assert!(
        std::env::var_os("TURNSTILE_REQUIRE_TOOLS").is_none(),
        "{what} is required (TURNSTILE_REQUIRE_TOOLS is set) but not installed"
    );
    eprintln!("{what} is not installed: skipped (.ci/run installs it)");
}

/// The first of these browsers found on the PATH.
fn browser() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// Serves `page` as `/` and the files of `dir` below `/mermaid/` on a local
/// port, for as long as the test runs: Mermaid's ES module, the build that
/// GitHub and rustdoc pages load, cannot be imported from `file://`.
fn serve(page: String, dir: PathBuf) -> u16 {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a local port");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = String::new();
            let mut reader = BufReader::new(&stream);
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            // Drain the headers.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
            let (status, kind, body) = match path.strip_prefix("/mermaid/") {
                None if path == "/" => ("200 OK", "text/html", page.clone().into_bytes()),
                Some(rest) if !rest.contains("..") => match std::fs::read(dir.join(rest)) {
                    Ok(bytes) => ("200 OK", "text/javascript", bytes),
                    Err(_) => ("404 Not Found", "text/plain", Vec::new()),
                },
                _ => ("404 Not Found", "text/plain", Vec::new()),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    port
}

/// `text` as a JavaScript string literal.
fn js_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == ' ' {
            out.push(c);
        } else {
            for unit in c.encode_utf16(&mut [0; 2]) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out.push('"');
    out
}

/// Mermaid itself (installed in `tools/mermaid` by `.ci/run`, loaded as the
/// ES module GitHub and rustdoc pages use) draws every reference workflow
/// and the hostile one in headless Chromium: one state diagram each, no
/// syntax error, and every state's summary shown verbatim (quotes, `<`,
/// `&lt;`, `%%`, `:::` and all; a newline shows as a space).
#[test]
fn mermaid_renders_the_diagrams() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dist = root.join("tools/mermaid/node_modules/mermaid/dist");
    let Some(browser) = browser().filter(|_| dist.join("mermaid.esm.min.mjs").exists()) else {
        return missing("chromium, or Mermaid in tools/mermaid");
    };
    let mut all = references();
    all.push(workflow("tests/fixtures/hostile.toml"));
    all.push(workflow("../workflows/tests/fixtures/unbinding.toml"));
    all.push(workflow("../tests/ui/workflows/nested.toml"));
    all.push(workflow("../tests/ui/workflows/regions.toml"));
    let mut page = String::from("<!DOCTYPE html><html><body>\n");
    let mut expected = Vec::new();
    for w in &all {
        let source = mermaid(w)
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        page.push_str(&format!("<pre class=\"mermaid\">{source}</pre>\n"));
        for s in &w.states {
            if let Some(summary) = &s.summary {
                let shown: String = summary
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                expected.push(js_string(
                    shown
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .as_str(),
                ));
            }
        }
    }
    page.push_str(&format!(
        "<script type=\"module\">\n\
         import mermaid from '/mermaid/mermaid.esm.min.mjs';\n\
         mermaid.initialize({{ startOnLoad: false }});\n\
         await mermaid.run({{ querySelector: '.mermaid', suppressErrors: true }});\n\
         const shown = [...document.querySelectorAll('pre.mermaid svg')]\n\
           .map(svg => svg.textContent.split(/\\s+/).join(' ')).join(' ');\n\
         const missing = [{}].filter(s => !shown.includes(s));\n\
         document.body.setAttribute('data-missing', String(missing.length));\n\
         document.body.setAttribute('data-first-missing', missing[0] || '');\n\
         </script></body></html>\n",
        expected.join(", ")
    ));
    let port = serve(page, dist);
    let dir = std::env::temp_dir().join(format!("turnstile-mermaid-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new("timeout")
        .arg("120")
        .arg(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=30000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("http://127.0.0.1:{port}/"))
        .output()
        .expect("the browser runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        !dom.contains("aria-roledescription=\"error\""),
        "a syntax error:\n{dom}"
    );
    assert_eq!(
        dom.matches("aria-roledescription=\"stateDiagram\"").count(),
        all.len(),
        "one state diagram per workflow:\n{dom}"
    );
    assert!(
        dom.contains("data-missing=\"0\""),
        "a summary is not shown verbatim: {}",
        dom.split("data-first-missing=")
            .nth(1)
            .unwrap_or(&dom)
            .chars()
            .take(300)
            .collect::<String>()
    );
}

/// `docs/access.md`, who acts and what each state permits in the reference
/// workflows, is generated from the definitions and kept current.
#[test]
fn the_committed_access_page_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut workflows = references();
    workflows.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()));
    let page = turnstile_render::access::markdown(
        &workflows,
        "turnstile access workflows --out docs/access.md",
    );
    let committed = std::fs::read_to_string(root.join("docs/access.md")).expect("committed");
    assert!(
        committed == page,
        "docs/access.md is stale: run `cargo run -p turnstile-cli -- access workflows --out docs/access.md`"
    );
}

/// Every role and capability of the reference workflows says where in the
/// documents it comes from: its summary cites a seed's section or step.
#[test]
fn every_reference_role_and_capability_cites_its_source() {
    let cites =
        |text: &str| text.contains('§') || text.contains("004") || text.contains("003 step");
    for w in references() {
        for role in &w.roles {
            let summary = role.summary.as_deref().unwrap_or("");
            assert!(
                cites(summary),
                "{}: role `{}`: {summary:?}",
                w.name,
                role.name
            );
        }
        for capability in &w.capabilities {
            let summary = capability.summary.as_deref().unwrap_or("");
            assert!(
                cites(summary),
                "{}: capability `{}`: {summary:?}",
                w.name,
                capability.name
            );
        }
    }
}

/// A nested definition's DOT draws each compound as a cluster around the
/// states inside it, clusters inside clusters.
#[test]
fn dot_draws_compounds_as_clusters() {
    let w = workflow("../tests/ui/workflows/nested.toml");
    let text = dot(&w);
    let limited = text
        .find("subgraph \"cluster_limited\" {")
        .expect("limited");
    let frozen = text.find("subgraph \"cluster_frozen\" {").expect("frozen");
    assert!(limited < frozen, "{text}");
    let inside_limited = &text[limited..];
    assert!(inside_limited.contains("    \"restricted\";"), "{text}");
    assert!(
        inside_limited[frozen - limited..].contains("      \"frozen_plain\";"),
        "{text}"
    );
    // `close`, written from `limited`, leaves the cluster's border once;
    // a transition into a compound ends at its border.
    assert_eq!(text.matches("[label=\"close\"").count(), 2, "{text}");
    assert!(
        text.contains("\"restricted\" -> \"closed\" [label=\"close\", ltail=\"cluster_limited\"];"),
        "{text}"
    );
    assert!(
        text.contains(
            "\"good\" -> \"restricted\" [label=\"restrict\", lhead=\"cluster_limited\"];"
        ),
        "{text}"
    );
    // A flat definition has none.
    for w in references().iter().filter(|w| w.compounds.is_empty()) {
        let text = dot(w);
        assert!(
            !text.contains("subgraph") && !text.contains("compound=true"),
            "{}",
            w.name
        );
    }
}

/// The `(x, y, width, height)` of the first `<rect` after `marker` in `svg`.
fn rect_after(svg: &str, marker: &str) -> (f64, f64, f64, f64) {
    let at = svg
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {svg}"));
    let rect = &svg[at + svg[at..].find("<rect").expect("a rect")..];
    let number = |name: &str| -> f64 {
        let start = rect.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
        rect[start..start + rect[start..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    (number("x"), number("y"), number("width"), number("height"))
}

fn inside(inner: (f64, f64, f64, f64), outer: (f64, f64, f64, f64)) -> bool {
    inner.0 >= outer.0
        && inner.1 >= outer.1
        && inner.0 + inner.2 <= outer.0 + outer.2
        && inner.1 + inner.3 <= outer.1 + outer.3
}

/// The SVG draws each compound as a box around the states inside it, at
/// any depth, and a transition written `from` a compound once, at its
/// border, listing the states it stands for; where a border stands for
/// some of the states inside only, the label says which.
#[test]
fn svg_draws_compounds_as_boxes_and_their_exits_once() {
    let w = workflow("../workflows/tests/fixtures/nested_timers.toml");
    let out = svg(&w);
    let closed = rect_after(&out, "data-compound=\"closed\"");
    let reviewing = rect_after(&out, "data-compound=\"reviewing\"");
    let kept = rect_after(&out, "data-state=\"kept\"");
    let asked = rect_after(&out, "data-state=\"asked\"");
    let active = rect_after(&out, "data-state=\"active\"");
    assert!(inside(reviewing, closed), "{out}");
    assert!(inside(kept, closed) && !inside(kept, reviewing), "{out}");
    assert!(inside(asked, reviewing), "{out}");
    assert!(!inside(active, closed), "{out}");
    // `retention_ends`, written from `closed`, is one edge from its
    // border standing for its four states.
    let edges: Vec<&str> = out
        .split("<g class=\"edge")
        .filter(|g| g.contains("data-event=\"retention_ends\""))
        .collect();
    assert_eq!(edges.len(), 1, "{out}");
    assert!(
        edges[0].contains("data-from=\"kept waiting asked\" data-to=\"deleted\""),
        "{}",
        edges[0]
    );
    // `restore` from `closed` holds in `kept` and `waiting` only (`asked`
    // handles it itself): the label says so.
    let texts = svg_texts(&out);
    assert!(
        texts
            .iter()
            .any(|t| t == "restore from kept, waiting not before 1d"),
        "{texts:?}"
    );
    // A flat definition draws no compound.
    for w in references().iter().filter(|w| w.compounds.is_empty()) {
        assert!(!svg(w).contains("class=\"compound"), "{}", w.name);
    }
}

/// Mermaid draws a compound as a composite state around its children
/// (Mermaid itself renders it: `mermaid_renders_the_diagrams`).
#[test]
fn mermaid_draws_compounds_as_composite_states() {
    let w = workflow("../tests/ui/workflows/nested.toml");
    let text = mermaid(&w);
    assert!(
        text.contains(
            "    state limited {\n        restricted : restricted<br>permits log_in\n        state frozen {\n            frozen_plain : frozen_plain<br>permits log_in\n"
        ),
        "{text}"
    );
    for w in references().iter().filter(|w| w.compounds.is_empty()) {
        assert!(!mermaid(w).contains(" {\n"), "{}", w.name);
    }
}

/// A 1,000-state workflow's explorer stays one light file: its test plan
/// is embedded as one step per path over the shortest-way tree, not as
/// every step of every path (23 MB before).
#[test]
fn a_thousand_state_page_stays_small() {
    let text = turnstile_spec::synthetic::definition(1_000, 3);
    let w = load(&SourceFile::new("thousand.toml", text)).expect("valid");
    let page = turnstile_render::html(&w);
    eprintln!("a 1,000-state page: {} bytes", page.len());
    assert!(page.len() < 3_000_000, "{} bytes", page.len());
}

/// With regions, the access page states the rule across regions and does
/// not list as forbidding a capability the states of a region that never
/// names it: the account's partner region says nothing of logging in, so
/// `no_partner` and `associated` are not among the states `log_in` is not
/// permitted in, and `partner` is among the regions that do not restrict it.
#[test]
fn the_access_page_of_regions_lists_only_the_regions_that_restrict() {
    let w = workflow("../workflows/account/account.toml");
    let page = turnstile_render::access::markdown(&[w], "turnstile access workflows/account");
    assert!(
        page.contains("a region that never names it does not restrict it"),
        "{page}"
    );
    assert!(
        page.contains(
            "| capability | permitted in | not in | not restricted by | from the documents |"
        ),
        "{page}"
    );
    let row = page
        .lines()
        .find(|l| l.starts_with("| `log_in` |"))
        .expect("a row for log_in");
    let cells: Vec<&str> = row.split(" | ").collect();
    assert_eq!(cells[2], "`deleted`, `disabled`", "{row}");
    assert_eq!(cells[3], "`partner`", "{row}");
    let buy = page
        .lines()
        .find(|l| l.starts_with("| `buy_resources` |"))
        .expect("a row for buy_resources");
    assert!(
        buy.contains("`frozen_until_budget`") && buy.contains("| none |"),
        "{buy}"
    );
}
