//! `turnstile`: check, render and explore workflow definitions without
//! compiling a crate. Diagnostics are the very text the compiler shows.
#![forbid(unsafe_code)]

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use turnstile_render::Format;
use turnstile_spec::diagnostic::{error_prefix, render_all};
use turnstile_spec::graph::Graph;
use turnstile_spec::{read, Diagnostic, SourceFile, Workflow};

#[derive(Parser)]
#[command(
    name = "turnstile",
    version,
    about = "Check, draw and explore turnstile workflow definitions (TOML)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate definitions; print every problem as the compiler shows it.
    ///
    /// Exits 1 if any definition has an error, 0 otherwise.
    #[command(
        after_help = "Examples:\n  turnstile check workflows\n  turnstile check workflows/sign_up.toml\n  turnstile check --json workflows/service_closing.toml   # the properties' verdicts and runs as data"
    )]
    Check {
        /// Definition files, or folders whose `.toml` files (but `Cargo.toml`) are definitions.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Print one JSON object per definition on standard output: its
        /// diagnostics, and each property with its verdict and the run that
        /// breaks it.
        #[arg(long)]
        json: bool,
        /// Draw the run that breaks each broken property on the diagram,
        /// into this folder: `<workflow>.<property>.svg` and `.dot`.
        #[arg(long, value_name = "DIR")]
        draw: Option<PathBuf>,
    },
    /// Render one diagram per definition into a folder.
    #[command(
        after_help = "Examples:\n  turnstile render workflows --format svg --out docs/diagrams\n  turnstile render workflows --format html --out docs/diagrams   # the explorer: open the .html in a browser\n  turnstile render workflows --format mermaid --out docs/diagrams --check"
    )]
    Render {
        /// Definition files, or folders whose `.toml` files (but `Cargo.toml`) are definitions.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The diagram format.
        #[arg(long, value_enum)]
        format: FormatArg,
        /// The folder to write `<file stem>.<dot|mmd|svg|html>` into.
        #[arg(long)]
        out: PathBuf,
        /// Write nothing; exit 1 if a file in `--out` is missing or differs.
        #[arg(long)]
        check: bool,
    },
    /// Write one Markdown page of who acts and what each state permits:
    /// per definition, each role with the events it fires, each capability
    /// with the states that permit it and those that do not.
    #[command(
        after_help = "Examples:\n  turnstile access workflows --out docs/access.md\n  turnstile access workflows --out docs/access.md --check\n  turnstile access workflows/sign_up.toml   # to standard output"
    )]
    Access {
        /// Definition files, or folders whose `.toml` files (but `Cargo.toml`) are definitions.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The file to write; standard output without it.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Write nothing; exit 1 if `--out` is missing or differs.
        #[arg(long, requires = "out")]
        check: bool,
    },
    /// Judge recorded histories against the definition's properties: each
    /// line of the file is an instance's snapshot (`Instance::to_envelope`
    /// as JSON, with an optional `"id"`); every promise a history broke is
    /// reported by instance and step.
    #[command(
        after_help = "Examples:\n  turnstile audit workflows/service_closing.toml histories.jsonl\n  turnstile audit workflows/service_closing.toml histories.jsonl --now 2027-03-01T00:00:00Z"
    )]
    Audit {
        /// The definition whose properties the histories are judged by.
        definition: PathBuf,
        /// A file of snapshots, one JSON object a line (`-`: standard input).
        histories: PathBuf,
        /// The instant to judge bounds at (RFC 3339): a `reaches … within`
        /// whose bound has passed with no goal entered is broken. Without
        /// it, only steps already recorded are judged.
        #[arg(long)]
        now: Option<String>,
    },
    /// Print the shortest event sequence to each state, and a test plan that
    /// takes every transition at least once.
    #[command(
        after_help = "Examples:\n  turnstile paths workflows/sign_up.toml\n  turnstile paths workflows/sign_up.toml --json"
    )]
    Paths {
        /// One definition file.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Compare two versions of a definition: every change, at its line in
    /// both files, and what it means for the instances stored under the
    /// old one.
    ///
    /// Each change is compatible (a stored instance loads and can take
    /// every run it could before), changes behaviour (it loads, but a step
    /// may now be refused or a state permits less), changes pending work
    /// (a timer moved: instances whose clock runs fall due at another
    /// instant), or needs a mapping (stored instances or trails name what
    /// the new version lacks, or a step they wait on changed hands).
    ///
    /// Exits with the worst class: 0 compatible (or no change), 3 changes
    /// behaviour, 4 changes pending work, 5 needs a mapping; 1 if a
    /// definition cannot be read or has errors, 2 on a usage error.
    #[command(after_help = "Examples:
  turnstile diff v1/service_closing.toml v2/service_closing.toml
  turnstile diff old.toml new.toml --rename closed=shut   # say a rename turnstile did not recognise
  turnstile diff old.toml new.toml --json")]
    Diff {
        /// The definition as stored instances were written under it.
        old: PathBuf,
        /// The definition about to be deployed.
        new: PathBuf,
        /// A state or event of the old version renamed in the new one,
        /// `OLD=NEW` (repeatable). Renames whose transitions are otherwise
        /// unchanged are recognised without it.
        #[arg(long, value_name = "OLD=NEW")]
        rename: Vec<turnstile_spec::diff::Rename>,
        /// Print one JSON object on standard output instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write the explorer page of a definition opened at one instance: its
    /// snapshot (`Instance::to_envelope`, or a regions snapshot, as JSON),
    /// which the page checks as the runtime does and shows on the diagram
    /// (where it is, the way it took, its timers, what may be fired now and
    /// by whom) and simulates on from.
    ///
    /// Exits 1 if the definition has errors or the snapshot is not JSON; a
    /// snapshot of another workflow or version opens refused, in the
    /// runtime's words, in the page itself.
    #[command(
        after_help = "Examples:\n  turnstile inspect workflows/service_closing.toml acme.json --out acme.html\n  turnstile inspect workflows/service_closing.toml acme.json --out acme.html --as-of 2027-03-01T00:00:00Z"
    )]
    Inspect {
        /// The definition the instance runs under.
        definition: PathBuf,
        /// The snapshot, as JSON (`-`: standard input).
        snapshot: PathBuf,
        /// The page to write.
        #[arg(long)]
        out: PathBuf,
        /// The instant the page's clock starts at (RFC 3339); without it,
        /// the last instant the snapshot records.
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Explain a diagnostic code: what it means, an example of what was
    /// found and what is expected, and what to do. Without a code, list
    /// every code.
    #[command(after_help = "Examples:\n  turnstile explain T008\n  turnstile explain")]
    Explain {
        /// The code, as every diagnostic's last line names it (`T008`; `8` works too).
        code: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Dot,
    Mermaid,
    Svg,
    /// The explorer: one self-contained HTML page per workflow.
    Html,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Dot => Format::Dot,
            FormatArg::Mermaid => Format::Mermaid,
            FormatArg::Svg => Format::Svg,
            FormatArg::Html => Format::Html,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let result = match cli.command {
        Command::Diff {
            old,
            new,
            rename,
            json,
        } => {
            return match diff(&old, &new, &rename, json, color) {
                Ok(code) => ExitCode::from(code),
                Err(message) => {
                    if !message.is_empty() {
                        eprintln!("{message}");
                    }
                    ExitCode::FAILURE
                }
            };
        }
        Command::Check { paths, json, draw } => {
            let drawn = match &draw {
                Some(dir) => draw_runs(&paths, dir),
                None => Ok(()),
            };
            drawn.and_then(|()| {
                if json {
                    check_json(&paths)
                } else {
                    check(&paths, color)
                }
            })
        }
        Command::Render {
            paths,
            format,
            out,
            check,
        } => render(&paths, format.into(), &out, check, color),
        Command::Paths { file, json } => paths(&file, json, color),
        Command::Access { paths, out, check } => access(&paths, out.as_deref(), check, color),
        Command::Explain { code } => explain(code.as_deref()),
        Command::Inspect {
            definition,
            snapshot,
            out,
            as_of,
        } => inspect(&definition, &snapshot, &out, as_of.as_deref(), color),
        Command::Audit {
            definition,
            histories,
            now,
        } => audit(&definition, &histories, now.as_deref(), color),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("{message}");
            }
            ExitCode::FAILURE
        }
    }
}

/// A definition for `diff`: its errors printed as `check` prints them, its
/// warnings (broken promises marked so) left to `check`.
fn load_quietly(path: &Path, color: bool) -> Result<(SourceFile, Workflow), String> {
    let display = path.display().to_string();
    let file = read::read(path, &display).map_err(|d: Diagnostic| {
        format!(
            "{}{}\n",
            error_prefix(color),
            d.render_without_source(color)
        )
    })?;
    let checked = turnstile_spec::check(&file);
    match checked.partial {
        Some(workflow) if checked.diagnostics.is_empty() => Ok((file, workflow)),
        _ => Err(format!(
            "{}\n{}",
            render_all(&checked.diagnostics, &file, color),
            "error: fix the definition first: `turnstile diff` compares valid definitions"
        )),
    }
}

/// `turnstile diff OLD NEW`: the changes, worst first, and the exit
/// status of the worst class.
fn diff(
    old: &Path,
    new: &Path,
    renames: &[turnstile_spec::diff::Rename],
    json: bool,
    color: bool,
) -> Result<u8, String> {
    use turnstile_spec::diff::{self, Class};
    let (old_src, old_w) = load_quietly(old, color)?;
    let (new_src, new_w) = load_quietly(new, color)?;
    let plan = diff::plan(&old_w, &old_src, &new_w, &new_src, renames)
        .map_err(|e| format!("error: {e}"))?;
    let changes = &plan.changes;
    let worst = diff::worst(changes);
    let at = |file: &SourceFile, line: Option<usize>| line.map(|l| format!("{}:{l}", file.path()));
    if json {
        let listed: Vec<serde_json::Value> = changes
            .iter()
            .map(|c| {
                serde_json::json!({
                    "class": c.class.key(),
                    "kind": c.kind,
                    "what": c.what,
                    "consequence": c.consequence,
                    "old_line": c.old_line,
                    "new_line": c.new_line,
                    "states": c.states,
                })
            })
            .collect();
        let out = serde_json::json!({
            "workflow": new_w.name.as_str(),
            "old": old_src.path(),
            "new": new_src.path(),
            "old_fingerprint": turnstile_spec::fingerprint::fingerprint(&old_w),
            "new_fingerprint": turnstile_spec::fingerprint::fingerprint(&new_w),
            "worst": worst.key(),
            "exit": worst.exit_code(),
            "changes": listed,
            "carried": plan.carried,
            "decide": plan.decide,
        });
        print_out(&format!("{out:#}\n"))?;
        return Ok(worst.exit_code());
    }
    let mut text = format!(
        "{}: {} -> {}\n(stored rows of the old version carry {}; the new one is {})\n",
        new_w.name.as_str(),
        old_src.path(),
        new_src.path(),
        turnstile_spec::fingerprint::fingerprint(&old_w),
        turnstile_spec::fingerprint::fingerprint(&new_w)
    );
    if old_w.name.as_str() != new_w.name.as_str() {
        text.push_str(&format!(
            "note: the workflow is named `{}` in the old version: a stored row names its workflow, so rows of `{}` are not this workflow's\n",
            old_w.name.as_str(),
            old_w.name.as_str()
        ));
    }
    if changes.is_empty() {
        text.push_str("no change: stored instances load and behave as before\n");
    }
    for class in [
        Class::NeedsMapping,
        Class::ChangesPendingWork,
        Class::ChangesBehaviour,
        Class::Compatible,
    ] {
        let of: Vec<_> = changes.iter().filter(|c| c.class == class).collect();
        if of.is_empty() {
            continue;
        }
        text.push_str(&format!("\n{} ({}):\n", class.words(), of.len()));
        for c in of {
            let lines: Vec<String> = [at(&old_src, c.old_line), at(&new_src, c.new_line)]
                .into_iter()
                .flatten()
                .collect();
            text.push_str(&format!(
                "  {} [{}]\n    {}\n",
                c.what,
                lines.join(", "),
                c.consequence
            ));
        }
    }
    if !plan.decide.is_empty() {
        let states: Vec<String> = plan.decide.keys().map(|s| format!("`{s}`")).collect();
        text.push_str(&format!(
            "\nto decide where their stored instances go: {} (with `previous = \"{}\"`, one method each of `previous::Migrate`; every other state carries on)\n",
            states.join(", "),
            old_src.path()
        ));
    }
    text.push_str(&format!(
        "\nworst: {} (exit {})\n",
        worst.words(),
        worst.exit_code()
    ));
    print_out(&text)?;
    Ok(worst.exit_code())
}

/// `turnstile inspect DEFINITION SNAPSHOT --out PAGE`: the explorer page
/// opened at the snapshot.
fn inspect(
    definition: &Path,
    snapshot: &Path,
    out: &Path,
    as_of: Option<&str>,
    color: bool,
) -> Result<(), String> {
    let (_, w) = load_quietly(definition, color)?;
    let text = if snapshot == Path::new("-") {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| format!("error: cannot read the snapshot from standard input: {e}"))?;
        text
    } else {
        std::fs::read_to_string(snapshot)
            .map_err(|e| format!("error: cannot read `{}`: {e}", snapshot.display()))?
    };
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "error: `{}` is not JSON: {e}; write the snapshot with `Instance::to_envelope` and serde_json",
            snapshot.display()
        )
    })?;
    if let Some(at) = as_of {
        humantime::parse_rfc3339(at)
            .map_err(|e| format!("error: --as-of `{at}` is not an RFC 3339 instant: {e}"))?;
    }
    let page = turnstile_render::inspector(&w, &value, as_of);
    std::fs::write(out, page)
        .map_err(|e| format!("error: cannot write `{}`: {e}", out.display()))?;
    eprintln!("wrote {}", out.display());
    Ok(())
}

/// `turnstile explain [CODE]`: the code's page, or the list of codes.
fn explain(code: Option<&str>) -> Result<(), String> {
    use turnstile_spec::Code;
    let text = match code {
        None => {
            let mut list =
                String::from("Every diagnostic turnstile reports has one of these codes:\n\n");
            for c in Code::ALL {
                list.push_str(&format!("  {c}  {}\n", c.summary()));
            }
            list.push_str("\nRun `turnstile explain T008` for one of them.\n");
            list
        }
        Some(text) => match Code::parse(text) {
            Some(c) => c.page().to_string(),
            None => {
                return Err(format!(
                    "error: `{text}` is not a diagnostic code: codes run from {} to {}; \
                     `turnstile explain` lists them",
                    Code::ALL[0],
                    Code::ALL[Code::ALL.len() - 1]
                ))
            }
        },
    };
    print_out(&text)
}

/// Writes `text` to standard output; a reader that stopped early (`| head`)
/// is not an error.
fn print_out(text: &str) -> Result<(), String> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("error: cannot write to standard output: {e}"))
        }
        _ => Ok(()),
    }
}

/// The definition files named by `paths`: files as given, folders' `.toml`
/// files in name order (a folder's `Cargo.toml` is a crate manifest, not a
/// definition: the reference workflows live beside their crate's manifest),
/// then those of each crate folder directly inside it (a folder with a
/// `Cargo.toml`, in name order: the account as one machine is a crate of its
/// own inside `workflows/`, since a derive reads only its own crate's files).
fn definitions(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    fn listed(path: &Path) -> Result<Vec<PathBuf>, String> {
        let entries = std::fs::read_dir(path)
            .map_err(|e| format!("error: cannot list `{}`: {e}", path.display()))?;
        let mut found: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        found.sort();
        Ok(found)
    }
    fn is_definition(p: &Path) -> bool {
        p.extension().is_some_and(|x| x == "toml")
            && p.file_name().is_some_and(|n| n != "Cargo.toml")
            && p.is_file()
    }
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = listed(path)?;
            let mut found: Vec<PathBuf> = entries
                .iter()
                .filter(|p| is_definition(p))
                .cloned()
                .collect();
            for crate_dir in entries
                .iter()
                .filter(|p| p.is_dir() && p.join("Cargo.toml").is_file())
            {
                found.extend(listed(crate_dir)?.into_iter().filter(|p| is_definition(p)));
            }
            if found.is_empty() {
                return Err(format!(
                    "error: `{}` holds no `.toml` definition",
                    path.display()
                ));
            }
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

/// Loads one definition, printing its diagnostics on failure.
fn load_file(path: &Path, color: bool) -> Result<(SourceFile, Workflow), ()> {
    let display = path.display().to_string();
    let file = read::read(path, &display).map_err(|d: Diagnostic| {
        eprintln!(
            "{}{}\n",
            error_prefix(color),
            d.render_without_source(color)
        );
    })?;
    let checked = turnstile_spec::check(&file);
    // A broken promise marked `severity = "warning"` is said, not fatal.
    for warning in &checked.warnings {
        eprintln!(
            "{}{}\n",
            if color {
                "\x1b[1m\x1b[93mwarning\x1b[0m\x1b[1m: \x1b[0m"
            } else {
                "warning: "
            },
            warning.render(&file, color)
        );
    }
    match checked.partial {
        Some(workflow) if checked.diagnostics.is_empty() => Ok((file, workflow)),
        _ => {
            eprintln!("{}\n", render_all(&checked.diagnostics, &file, color));
            Err(())
        }
    }
}

fn load_all(paths: &[PathBuf], color: bool) -> Result<Vec<(PathBuf, Workflow)>, String> {
    let mut loaded = Vec::new();
    let mut failed = 0;
    for path in definitions(paths)? {
        match load_file(&path, color) {
            Ok((_, workflow)) => loaded.push((path, workflow)),
            Err(()) => failed += 1,
        }
    }
    if failed > 0 {
        return Err(format!(
            "error: {failed} of {} definition(s) have errors",
            failed + loaded.len()
        ));
    }
    Ok(loaded)
}

/// `turnstile check --json`: each definition as one JSON object per line
/// (`file`, `ok`, `workflow`, `diagnostics`, `properties`); the exit code
/// is the same as without `--json`.
fn check_json(paths: &[PathBuf]) -> Result<(), String> {
    use serde_json::json;
    use turnstile_spec::prove::{prove, Verdict};
    let mut failed = 0;
    let files = definitions(paths)?;
    for path in &files {
        let display = path.display().to_string();
        let file = match read::read(path, &display) {
            Ok(file) => file,
            Err(d) => {
                failed += 1;
                println!(
                    "{}",
                    json!({"file": display, "ok": false, "diagnostics": [{
                        "code": d.code.as_str(), "message": d.message,
                        "rendered": d.render_without_source(false)}]})
                );
                continue;
            }
        };
        let checked = turnstile_spec::check(&file);
        let diagnostic = |d: &Diagnostic, severity: &str| {
            let (line, column) = d
                .primary
                .as_ref()
                .map(|(span, _)| file.line_col(span.start))
                .unwrap_or((1, 1));
            json!({
                "code": d.code.as_str(),
                "severity": severity,
                "message": d.message,
                "line": line,
                "column": column,
                "rendered": d.render(&file, false),
            })
        };
        let mut diagnostics: Vec<serde_json::Value> = checked
            .diagnostics
            .iter()
            .map(|d| diagnostic(d, "error"))
            .collect();
        diagnostics.extend(checked.warnings.iter().map(|d| diagnostic(d, "warning")));
        // Only a definition that validates is proved (its only errors, if
        // any, are broken properties).
        let mut properties = Vec::new();
        let mut name = serde_json::Value::Null;
        if let Some(w) = checked.proved_model() {
            name = json!(w.name.as_str());
            for (p, verdict) in w.properties.iter().zip(prove(w)) {
                let (line, column) = file.line_col(p.name.span().start);
                let mut entry = json!({
                    "name": p.name.as_str(),
                    "summary": p.summary,
                    "severity": if p.warning { "warning" } else { "error" },
                    "line": line,
                    "column": column,
                    "holds": verdict == Verdict::Holds,
                });
                if let Verdict::Broken { why, run } = verdict {
                    entry["why"] = json!(why);
                    entry["run"] = run.map_or(serde_json::Value::Null, |run| run_json(w, &run));
                }
                properties.push(entry);
            }
        }
        let ok = checked.diagnostics.is_empty();
        failed += usize::from(!ok);
        println!(
            "{}",
            json!({
                "file": display,
                "ok": ok,
                "workflow": name,
                "diagnostics": diagnostics,
                "properties": properties,
            })
        );
    }
    if failed > 0 {
        return Err(format!(
            "error: {failed} of {} definition(s) have errors",
            files.len()
        ));
    }
    Ok(())
}

/// `turnstile audit`: each snapshot's history against the properties.
fn audit(
    definition: &Path,
    histories: &Path,
    now: Option<&str>,
    color: bool,
) -> Result<(), String> {
    use std::time::SystemTime;
    use turnstile_spec::prove::{judge, Recorded};
    let (_, w) = load_file(definition, color).map_err(|()| String::new())?;
    let instant = |text: &str, what: &str| -> Result<SystemTime, String> {
        humantime::parse_rfc3339(text)
            .map_err(|e| format!("{what}: `{text}` is not an RFC 3339 instant in UTC: {e}"))
    };
    let now = now.map(|t| instant(t, "error: --now")).transpose()?;
    let text = if histories == Path::new("-") {
        std::io::read_to_string(std::io::stdin())
            .map_err(|e| format!("error: cannot read standard input: {e}"))?
    } else {
        std::fs::read_to_string(histories)
            .map_err(|e| format!("error: cannot read `{}`: {e}", histories.display()))?
    };
    let display = histories.display();
    let (mut judged, mut broken) = (0, 0);
    for (number, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let at = format!("{display}:{}", number + 1);
        let value: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| format!("error: {at}: not a JSON snapshot: {e}"))?;
        let field = |key: &str| value.get(key).and_then(|v| v.as_str());
        let workflow = field("workflow").unwrap_or_default();
        if workflow != w.name.as_str() {
            return Err(format!(
                "error: {at}: a snapshot of `{workflow}`, not of `{}`",
                w.name
            ));
        }
        let id = field("id").map_or_else(|| format!("line {}", number + 1), str::to_string);
        let trail = value
            .get("trail")
            .and_then(|t| t.as_array())
            .ok_or_else(|| format!("error: {at}: the snapshot has no `trail`"))?;
        let started = match field("started_at") {
            Some(t) => instant(t, &format!("error: {at}: `started_at`"))?,
            None => return Err(format!("error: {at}: the snapshot has no `started_at`")),
        };
        let mut history = Vec::new();
        for step in trail {
            let text = |key: &str| step.get(key).and_then(|v| v.as_str()).map(str::to_string);
            let when = instant(
                &text("at").unwrap_or_default(),
                &format!("error: {at}: a step's `at`"),
            )?;
            history.push(Recorded {
                from: text("from").unwrap_or_default(),
                event: text("event").unwrap_or_default(),
                to: text("to").unwrap_or_default(),
                at: when.duration_since(started).unwrap_or_default(),
                role: text("role"),
                actor: text("actor"),
            });
        }
        let start = history.first().map_or_else(
            || field("state").unwrap_or_default().to_string(),
            |s| s.from.clone(),
        );
        let since = now.map(|n| n.duration_since(started).unwrap_or_default());
        judged += 1;
        for breach in judge(&w, &start, &history, since) {
            broken += 1;
            let property = &w.properties[breach.property];
            let step = match breach.step {
                Some(i) => format!(
                    "step {} (`{}` at {})",
                    i + 1,
                    history[i].event,
                    trail[i]
                        .get("at")
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                ),
                None => "by now".to_string(),
            };
            println!(
                "{at}: `{}` instance `{id}`, {step}: property `{}` broken: {}",
                w.name, property.name, breach.why
            );
        }
    }
    if broken > 0 {
        return Err(format!(
            "error: {broken} broken promise(s) in {judged} history(ies)"
        ));
    }
    eprintln!(
        "ok: {judged} history(ies) of `{}` keep its {} properties",
        w.name,
        w.properties.len()
    );
    Ok(())
}

/// `turnstile check --draw DIR`: each broken property's run on the
/// diagram, as SVG and DOT.
fn draw_runs(paths: &[PathBuf], dir: &Path) -> Result<(), String> {
    use turnstile_spec::prove::{prove, Verdict};
    for path in definitions(paths)? {
        let display = path.display().to_string();
        let Ok(file) = read::read(&path, &display) else {
            continue;
        };
        let checked = turnstile_spec::check(&file);
        let Some(w) = checked.proved_model() else {
            continue;
        };
        for (p, verdict) in w.properties.iter().zip(prove(w)) {
            let Verdict::Broken { run: Some(run), .. } = verdict else {
                continue;
            };
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("error: cannot create `{}`: {e}", dir.display()))?;
            for (extension, text) in [
                ("svg", turnstile_render::run::svg_run(w, &run)),
                ("dot", turnstile_render::run::dot_run(w, &run)),
            ] {
                let out = dir.join(format!("{}.{}.{extension}", w.name, p.name));
                std::fs::write(&out, text)
                    .map_err(|e| format!("error: cannot write `{}`: {e}", out.display()))?;
                eprintln!("wrote {}", out.display());
            }
        }
    }
    Ok(())
}

/// A run of the checker as data: where it starts, each step (event,
/// states, instant in milliseconds from the start, who fires it, the
/// guards that hold) and how it ends.
fn run_json(w: &Workflow, run: &turnstile_spec::prove::Run) -> serde_json::Value {
    use serde_json::json;
    use turnstile_spec::prove::RunEnd;
    let guards = |ids: &[turnstile_spec::GuardId]| -> Vec<&str> {
        ids.iter().map(|g| w.guard(*g).name.as_str()).collect()
    };
    let steps: Vec<serde_json::Value> = run
        .steps
        .iter()
        .map(|step| {
            let t = w.transition(step.transition);
            let automatic = t.timer.as_ref().is_some_and(|x| x.automatic);
            json!({
                "event": t.event.as_str(),
                "from": w.state(step.from).name.as_str(),
                "to": w.state(step.to).name.as_str(),
                "at_ms": u64::try_from(step.at.as_millis()).unwrap_or(u64::MAX),
                "at": turnstile_spec::prove::instant_text(step.at),
                "automatic": automatic,
                "role": step.role.map(|r| w.role(r).name.as_str()),
                "guards_holding": guards(&step.guards),
            })
        })
        .collect();
    let end = match &run.end {
        RunEnd::Here => json!({"kind": "here"}),
        RunEnd::Stays { refusing } => json!({"kind": "stays", "refusing": guards(refusing)}),
        RunEnd::Loops { from_step } => json!({"kind": "loops", "from_step": from_step}),
    };
    json!({
        "start": w.state(run.start).name.as_str(),
        "steps": steps,
        "end": end,
        "text": turnstile_spec::prove::run_text(w, run),
    })
}

fn check(paths: &[PathBuf], color: bool) -> Result<(), String> {
    let loaded = load_all(paths, color)?;
    for (path, workflow) in &loaded {
        let timers = workflow
            .transitions
            .iter()
            .filter(|t| t.timer.is_some())
            .count();
        let count = |n: usize, one: &str, many: &str| match n {
            0 => String::new(),
            1 => format!(", 1 {one}"),
            n => format!(", {n} {many}"),
        };
        // Payloads by event (an event's transitions bring the same one).
        let mut with_payload: Vec<(&str, bool)> = Vec::new();
        for t in &workflow.transitions {
            if let Some(p) = &t.payload {
                if !with_payload.iter().any(|(e, _)| *e == t.event.as_str()) {
                    with_payload.push((t.event.as_str(), p.sensitive));
                }
            }
        }
        let sensitive = with_payload.iter().filter(|(_, s)| *s).count();
        let payloads = match (with_payload.len(), sensitive) {
            (0, _) => String::new(),
            (n, 0) => count(n, "payload", "payloads"),
            (n, s) => format!("{} ({s} sensitive)", count(n, "payload", "payloads")),
        };
        let timers = format!(
            "{}{}{}{payloads}",
            count(timers, "timer", "timers"),
            count(workflow.roles.len(), "role", "roles"),
            count(workflow.capabilities.len(), "capability", "capabilities")
        );
        let properties = count(
            workflow.properties.len(),
            "property checked",
            "properties checked",
        );
        // With regions: how many configurations the checker explored.
        let configurations = if workflow.regions.is_empty() {
            String::new()
        } else {
            match turnstile_spec::regions::explore(workflow, turnstile_spec::regions::EXPLORE_LIMIT)
            {
                Some(explored) => format!(
                    ", {} regions, {} reachable configurations",
                    workflow.regions.len(),
                    explored.configurations
                ),
                None => format!(
                    ", {} regions, more than {} possible configurations (not explored)",
                    workflow.regions.len(),
                    turnstile_spec::regions::EXPLORE_LIMIT
                ),
            }
        };
        let timers = format!("{timers}{properties}{configurations}");
        eprintln!(
            "ok: {} (`{}`: {} states, {} transitions{timers}; fingerprint {})",
            path.display(),
            workflow.name,
            workflow.states.len(),
            workflow.transitions.len(),
            turnstile_spec::fingerprint::fingerprint(workflow)
        );
    }
    Ok(())
}

fn render(
    paths: &[PathBuf],
    format: Format,
    out: &Path,
    check: bool,
    color: bool,
) -> Result<(), String> {
    let loaded = load_all(paths, color)?;
    if !check {
        std::fs::create_dir_all(out)
            .map_err(|e| format!("error: cannot create `{}`: {e}", out.display()))?;
    }
    let mut stale = Vec::new();
    for (path, workflow) in &loaded {
        let stem = path.file_stem().map_or_else(
            || workflow.name.to_string(),
            |s| s.to_string_lossy().into_owned(),
        );
        let target = out.join(format!("{stem}.{}", format.extension()));
        let text = format.render(workflow);
        if check {
            match std::fs::read_to_string(&target) {
                Ok(existing) if existing == text => {}
                Ok(_) => stale.push(format!(
                    "{} differs from {}",
                    target.display(),
                    path.display()
                )),
                Err(_) => stale.push(format!("{} is missing", target.display())),
            }
        } else {
            std::fs::write(&target, text)
                .map_err(|e| format!("error: cannot write `{}`: {e}", target.display()))?;
            eprintln!("wrote {}", target.display());
        }
    }
    if stale.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "error: the diagrams are not current:\n{}\nhelp: run the same command without `--check` and commit the result",
            stale.iter().map(|s| format!("  {s}")).collect::<Vec<_>>().join("\n")
        ))
    }
}

fn access(paths: &[PathBuf], out: Option<&Path>, check: bool, color: bool) -> Result<(), String> {
    let loaded = load_all(paths, color)?;
    let mut workflows: Vec<Workflow> = loaded.into_iter().map(|(_, w)| w).collect();
    // The page lists the workflows by name, wherever their files are.
    workflows.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()));
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let command = match out {
        Some(out) => format!(
            "turnstile access {} --out {}",
            shown.join(" "),
            out.display()
        ),
        None => format!("turnstile access {}", shown.join(" ")),
    };
    let page = turnstile_render::access::markdown(&workflows, &command);
    match (out, check) {
        (None, _) => {
            print!("{page}");
            Ok(())
        }
        (Some(out), true) => match std::fs::read_to_string(out) {
            Ok(existing) if existing == page => Ok(()),
            Ok(_) => Err(format!(
                "error: {} is not current\nhelp: run the same command without `--check` and commit the result",
                out.display()
            )),
            Err(_) => Err(format!(
                "error: {} is missing\nhelp: run the same command without `--check` and commit the result",
                out.display()
            )),
        },
        (Some(out), false) => {
            std::fs::write(out, page)
                .map_err(|e| format!("error: cannot write `{}`: {e}", out.display()))?;
            eprintln!("wrote {}", out.display());
            Ok(())
        }
    }
}

fn paths(file: &Path, json: bool, color: bool) -> Result<(), String> {
    let (_, w) = load_file(file, color).map_err(|()| String::new())?;
    if !w.regions.is_empty() {
        return region_paths(&w, json);
    }
    let graph = Graph::new(&w);
    let describe = |steps: &[turnstile_spec::graph::Step]| -> Vec<String> {
        steps
            .iter()
            .map(|s| w.transition(s.transition).event.to_string())
            .collect()
    };
    let roles_of = |s: &turnstile_spec::graph::Step| -> Vec<&str> {
        w.transition(s.transition)
            .by
            .iter()
            .map(|r| w.role(*r).name.as_str())
            .collect()
    };
    // An event as the text output shows it: with who may fire it and its
    // timer, if it has them.
    let label = |s: &turnstile_spec::graph::Step| -> String {
        let t = w.transition(s.transition);
        // Every field, by name: a new one does not compile here until the
        // test plan is told whether to show it (CONTRIBUTING.md).
        let turnstile_spec::Transition {
            event: _,
            // A step's ends are the plan's, not its label's.
            from: _,
            to: _,
            // A plan takes each transition once; guards and payloads are
            // what the tester brings, not part of the path.
            guards: _,
            by: _,
            summary: _,
            timer: _,
            payload: _,
            span: _,
            // A plan walks the leaves a compound stands for.
            from_compounds: _,
            to_compounds: _,
            // A condition on other regions the tester meets by the order
            // of the plan's sequences; shown after the event.
            when: _,
        } = t;
        let mut label = t.event.to_string();
        for c in &t.when {
            label.push_str(&format!(
                " (when {} is {})",
                w.region_name(c.region),
                c.written.join(" or ")
            ));
        }
        let roles = roles_of(s);
        if !roles.is_empty() {
            label.push_str(&format!(" by {}", roles.join(" or ")));
        }
        if let Some(timer) = &t.timer {
            label.push_str(&format!(" ({})", timer.label()));
        }
        label
    };
    // The least time a sequence takes: the sum of its timers' waits.
    let waits = |steps: &[turnstile_spec::graph::Step]| -> std::time::Duration {
        steps
            .iter()
            .filter_map(|s| w.transition(s.transition).timer.as_ref())
            .map(|timer| timer.after)
            .sum()
    };
    let timers: Vec<serde_json::Value> = w
        .transitions
        .iter()
        .filter_map(|t| {
            let timer = t.timer.as_ref()?;
            Some(serde_json::json!({
                "event": t.event.as_str(),
                "from": t.from.iter().map(|s| w.state(*s).name.as_str()).collect::<Vec<_>>(),
                "kind": timer.key(),
                "duration": timer.text,
                "seconds": timer.after.as_secs(),
            }))
        })
        .collect();
    let shortest = graph.shortest_paths();
    let plan = graph.covering_paths();
    if json {
        let value = serde_json::json!({
            "workflow": w.name.as_str(),
            "initial": w.state(w.initial).name.as_str(),
            "shortest": shortest.iter().map(|(s, steps)| serde_json::json!({
                "state": w.state(*s).name.as_str(),
                "events": describe(steps),
            })).collect::<Vec<_>>(),
            "test_plan": plan.iter().map(|steps| serde_json::json!({
                "events": describe(steps),
                "by": steps.iter().map(roles_of).collect::<Vec<_>>(),
                "ends_in": steps.last().map(|s| w.state(s.to).name.as_str()),
                "waits_seconds": waits(steps).as_secs(),
            })).collect::<Vec<_>>(),
            "timers": timers,
            "roles": w.roles.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            "permits": w.states.iter().map(|s| (
                s.name.to_string(),
                serde_json::json!(s.permits.iter().map(|c| w.capability(*c).name.as_str()).collect::<Vec<_>>()),
            )).collect::<serde_json::Map<_, _>>(),
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    println!(
        "workflow `{}`, starting in `{}`\n",
        w.name,
        w.state(w.initial).name
    );
    println!("shortest event sequence to each state:");
    for (s, steps) in &shortest {
        let events: Vec<String> = steps.iter().map(label).collect();
        let events = if events.is_empty() {
            "(initial)".to_string()
        } else {
            events.join(" → ")
        };
        println!("  {:<32} {events}", w.state(*s).name.as_str());
    }
    println!(
        "\ntest plan: {} sequence(s) that together take every transition:",
        plan.len()
    );
    for (i, steps) in plan.iter().enumerate() {
        let mut line = w.state(w.initial).name.to_string();
        for s in steps {
            line.push_str(&format!(" --{}--> {}", label(s), w.state(s.to).name));
        }
        let wait = waits(steps);
        if !wait.is_zero() {
            line.push_str(&format!(
                "   (waits at least {})",
                turnstile_spec::model::compact_duration(wait)
            ));
        }
        println!("  {:>3}. {line}", i + 1);
    }
    Ok(())
}

/// `turnstile paths` for a workflow with regions: the plan walks
/// configurations (one state per region), so that every sequence is one
/// a machine can follow, each `when` holding where it is asked.
fn region_paths(w: &turnstile_spec::Workflow, json: bool) -> Result<(), String> {
    use turnstile_spec::regions::{covering_runs, EXPLORE_LIMIT};
    let (start, plan) = covering_runs(w, EXPLORE_LIMIT).map_err(|too_many| {
        format!(
            "error: {}: no test plan over configurations: {too_many}; a plan per region would ignore the conditions between them",
            w.name
        )
    })?;
    let shown = |config: &[turnstile_spec::StateId]| -> String {
        let names: Vec<&str> = config.iter().map(|s| w.state(*s).name.as_str()).collect();
        format!("({})", names.join(", "))
    };
    let regions: Vec<&str> = (0..w.regions.len())
        .map(|r| w.region_name(r).as_str())
        .collect();
    if json {
        let value = serde_json::json!({
            "workflow": w.name.as_str(),
            "regions": regions,
            "initial": start.iter().map(|s| w.state(*s).name.as_str()).collect::<Vec<_>>(),
            "test_plan": plan.iter().map(|run| serde_json::json!({
                "events": run.iter().map(|(e, _)| e.as_str()).collect::<Vec<_>>(),
                "ends_in": run.last().map(|(_, c)| c.iter().map(|s| w.state(*s).name.as_str()).collect::<Vec<_>>()),
            })).collect::<Vec<_>>(),
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    println!(
        "workflow `{}`, regions {}, starting in {}\n",
        w.name,
        regions.join(", "),
        shown(&start)
    );
    println!(
        "test plan: {} sequence(s) over configurations that together take every transition:",
        plan.len()
    );
    for (i, run) in plan.iter().enumerate() {
        let mut line = shown(&start);
        for (event, config) in run {
            line.push_str(&format!(" --{event}--> {}", shown(config)));
        }
        println!("  {:>3}. {line}", i + 1);
    }
    Ok(())
}
