//! Every definition the checker accepts generates code that compiles.
//!
//! `properties.rs` proves that the expansion parses; this test hands it to
//! the compiler. Names are drawn from the identifiers the generator itself
//! emits (collected from real expansions, so a new generated item joins the
//! pool by itself), Rust's keywords and the standard prelude. Each name is
//! tried in every role (an event allowed from one state or from several,
//! branching, timed or not; a state; a guard; the workflow), then random
//! definitions over the same names, small and past the 64 states where
//! dispatch changes shape. What the checker refuses must be refused as a
//! name (T005 or T006); what it accepts is written into one scratch crate
//! under `target/` and `cargo check`ed. A failure prints the smallest
//! definition that does not compile and the compiler's words.
//!
//! `TURNSTILE_COMPILE_SEED=n` draws other random definitions.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use proc_macro2::{TokenStream, TokenTree};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use turnstile_codegen::{generate, Input};
use turnstile_spec::{check, load, Code, SourceFile, Workflow};

/// Names of the standard prelude and of crates every generated module
/// refers to, in snake_case: a name the user may well pick.
const PRELUDE: &[&str] = &[
    "option",
    "some",
    "none",
    "result",
    "ok",
    "err",
    "vec",
    "string",
    "box",
    "sized",
    "send",
    "sync",
    "unpin",
    "copy",
    "clone",
    "drop",
    "fn_once",
    "fn_mut",
    "into",
    "from",
    "try_from",
    "try_into",
    "default",
    "iterator",
    "into_iterator",
    "extend",
    "eq",
    "partial_eq",
    "ord",
    "partial_ord",
    "as_ref",
    "as_mut",
    "to_owned",
    "to_string",
    "debug",
    "display",
    "hash",
    "core",
    "std",
    "alloc",
    "turnstile",
    "union",
    "macro_rules",
    "raw",
    "safe",
    "main",
    "test",
    "fmt",
    "formatter",
];

/// Definitions whose expansions hold every kind of generated item: timed
/// and not, guards, branches, events from one state and from several, and
/// a workflow large enough for the table-driven dispatch.
fn pool_sources() -> Vec<String> {
    let small = r#"
[workflow]
name = "zz_pool"
initial = "zz_a"
[states.zz_a]
[states.zz_b]
[states.zz_c]
final = true
[guards.zz_g]
[[transitions]]
event = "zz_one"
from = "zz_a"
to = "zz_b"
guard = "zz_g"
[[transitions]]
event = "zz_two"
from = ["zz_a", "zz_b"]
to = ["zz_b", "zz_c"]
[[transitions]]
event = "zz_wait"
from = "zz_b"
to = "zz_c"
not_before = "1h"
[[transitions]]
event = "zz_late"
from = "zz_a"
to = "zz_c"
after = "1d"
"#;
    let mut large = String::from("[workflow]\nname = \"zz_large\"\ninitial = \"zz_s0\"\n");
    for i in 0..70 {
        let _ = writeln!(large, "[states.zz_s{i}]");
    }
    let _ = writeln!(large, "[states.zz_s70]\nfinal = true");
    for i in 0..70 {
        let _ = writeln!(
            large,
            "[[transitions]]\nevent = \"zz_e{i}\"\nfrom = \"zz_s{i}\"\nto = \"zz_s{}\"",
            i + 1
        );
    }
    let _ = writeln!(
        large,
        "[[transitions]]\nevent = \"zz_guarded\"\nfrom = [\"zz_s0\", \"zz_s1\"]\nto = \"zz_s70\"\nguard = \"zz_g\"\nnot_before = \"1h\""
    );
    let access = r#"
[workflow]
name = "zz_access"
initial = "zz_a"
[roles.zz_staff]
[roles.zz_customer]
[capabilities.zz_view]
[states.zz_a]
permits = "zz_view"
[states.zz_b]
[states.zz_c]
final = true
[[transitions]]
event = "zz_one"
from = "zz_a"
to = "zz_b"
by = "zz_staff"
[[transitions]]
event = "zz_two"
from = ["zz_a", "zz_b"]
to = "zz_c"
by = ["zz_staff", "zz_customer"]
not_before = "1h"
"#;
    vec![small.to_string(), large, access.to_string()]
}

fn collect_idents(tokens: TokenStream, out: &mut BTreeSet<String>) {
    for tree in tokens {
        match tree {
            TokenTree::Ident(ident) => {
                out.insert(ident.to_string());
            }
            TokenTree::Group(group) => collect_idents(group.stream(), out),
            _ => {}
        }
    }
}

/// Every identifier the generator emits, in snake_case, with the keywords
/// and the prelude: the names this test tries.
fn name_pool() -> Vec<String> {
    let mut idents = BTreeSet::new();
    for source in pool_sources() {
        let file = SourceFile::new("pool.toml", &source);
        let workflow = load(&file).expect("the pool definitions are valid");
        let data = proc_macro2::Ident::new("Data", proc_macro2::Span::call_site());
        let vis: syn::Visibility = syn::parse_quote!(pub);
        collect_idents(
            generate(&Input::new(&workflow, &file, &data, &vis)),
            &mut idents,
        );
    }
    let mut pool: BTreeSet<String> = idents
        .iter()
        .filter(|i| !i.starts_with("zz_") && !i.starts_with("Zz"))
        .map(|i| heck::ToSnakeCase::to_snake_case(i.trim_start_matches("r#")))
        .filter(|i| !i.is_empty())
        .collect();
    pool.extend(
        turnstile_spec::validate::RUST_KEYWORDS
            .iter()
            .map(|k| k.to_string()),
    );
    pool.extend(PRELUDE.iter().map(|p| p.to_string()));
    pool.into_iter().collect()
}

/// A definition with `name` in one role.
#[derive(Clone, Copy, Debug)]
enum Role {
    /// An event allowed from one state.
    Event {
        timed: bool,
    },
    /// An event allowed from two states.
    SharedEvent {
        timed: bool,
    },
    /// A branching, guarded event.
    Branch {
        timed: bool,
    },
    State {
        timed: bool,
    },
    Guard,
    Workflow,
    /// A role that may fire an event from one state alone, and one from
    /// several states with another role.
    Actor,
    /// A capability that two states permit.
    Capability,
    /// An event restricted to roles, from one state or from several.
    RestrictedEvent {
        timed: bool,
    },
}

const ROLES: &[Role] = &[
    Role::Actor,
    Role::Capability,
    Role::RestrictedEvent { timed: false },
    Role::RestrictedEvent { timed: true },
    Role::Event { timed: false },
    Role::Event { timed: true },
    Role::SharedEvent { timed: false },
    Role::SharedEvent { timed: true },
    Role::Branch { timed: false },
    Role::Branch { timed: true },
    Role::State { timed: false },
    Role::State { timed: true },
    Role::Guard,
    Role::Workflow,
];

fn transition(out: &mut String, event: &str, from: &[&str], to: &[&str], extra: &str) {
    let list = |names: &[&str]| {
        let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
        format!("[{}]", quoted.join(", "))
    };
    let _ = writeln!(
        out,
        "[[transitions]]\nevent = \"{event}\"\nfrom = {}\nto = {}\n{extra}",
        list(from),
        list(to)
    );
}

/// The definition that puts each of `names` in `role` (one name, or many
/// at once where the role allows it).
fn role_definition(role: Role, names: &[&str]) -> String {
    let workflow = match role {
        Role::Workflow => names[0],
        _ => "zq_flow",
    };
    let mut out = format!("[workflow]\nname = \"{workflow}\"\ninitial = \"zq_a\"\n");
    let states: Vec<&str> = match role {
        Role::State { .. } => names.to_vec(),
        _ => vec![],
    };
    let _ = writeln!(
        out,
        "[states.zq_a]\n[states.zq_b]\n[states.zq_end]\nfinal = true"
    );
    for s in &states {
        let _ = writeln!(out, "[states.{s}]");
    }
    let timer = |timed: bool| if timed { "not_before = \"1h\"" } else { "" };
    match role {
        Role::Event { timed } => {
            // A chain through the events: zq_a -> zq_b -> … -> zq_end.
            transition(&mut out, "zq_go", &["zq_a"], &["zq_b"], timer(timed));
            for n in names {
                transition(&mut out, n, &["zq_b"], &["zq_end"], "");
            }
        }
        Role::SharedEvent { timed } => {
            transition(&mut out, "zq_go", &["zq_a"], &["zq_b"], timer(timed));
            for n in names {
                transition(&mut out, n, &["zq_a", "zq_b"], &["zq_end"], "");
            }
        }
        Role::Branch { timed } => {
            let _ = writeln!(out, "[guards.zq_g]");
            transition(&mut out, "zq_go", &["zq_b"], &["zq_end"], timer(timed));
            for n in names {
                transition(
                    &mut out,
                    n,
                    &["zq_a"],
                    &["zq_b", "zq_end"],
                    "guard = \"zq_g\"",
                );
            }
        }
        Role::State { timed } => {
            transition(&mut out, "zq_go", &["zq_a"], &["zq_b"], "");
            transition(&mut out, "zq_done", &["zq_b"], &["zq_end"], "");
            for (i, s) in states.iter().enumerate() {
                transition(&mut out, &format!("zq_to_{i}"), &["zq_a"], &[s], "");
                let extra = if timed && i == 0 {
                    "after = \"1d\""
                } else {
                    ""
                };
                transition(
                    &mut out,
                    &format!("zq_from_{i}"),
                    &[s],
                    &["zq_b", "zq_end"],
                    extra,
                );
            }
        }
        Role::Guard => {
            transition(&mut out, "zq_go", &["zq_a"], &["zq_b"], "");
            for (i, g) in names.iter().enumerate() {
                let _ = writeln!(out, "[guards.{g}]");
                let event = format!("zq_check_{i}");
                transition(
                    &mut out,
                    &event,
                    &["zq_b"],
                    &["zq_end"],
                    &format!("guard = \"{g}\""),
                );
            }
        }
        Role::Workflow => {
            transition(&mut out, "zq_go", &["zq_a"], &["zq_b"], "after = \"1h\"");
            transition(&mut out, "zq_done", &["zq_b"], &["zq_end"], "");
        }
        Role::Actor => {
            let _ = writeln!(out, "[roles.zq_staff]");
            for n in names {
                let _ = writeln!(out, "[roles.{n}]");
            }
            transition(&mut out, "zq_go", &["zq_a"], &["zq_b"], "");
            for (i, n) in names.iter().enumerate() {
                let alone = format!("by = \"{n}\"");
                transition(
                    &mut out,
                    &format!("zq_one_{i}"),
                    &["zq_b"],
                    &["zq_end"],
                    &alone,
                );
                let with = format!("by = [\"zq_staff\", \"{n}\"]\nnot_before = \"1h\"");
                transition(
                    &mut out,
                    &format!("zq_two_{i}"),
                    &["zq_a", "zq_b"],
                    &["zq_end"],
                    &with,
                );
            }
        }
        Role::Capability => {
            for n in names {
                let _ = writeln!(out, "[capabilities.{n}]");
            }
            let permits: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
            out = out.replace(
                "[states.zq_b]\n",
                &format!("[states.zq_b]\npermits = [{}]\n", permits.join(", ")),
            );
            out = out.replace(
                "[states.zq_end]\n",
                &format!("[states.zq_end]\npermits = [{}]\n", permits.join(", ")),
            );
            transition(&mut out, "zq_go", &["zq_a"], &["zq_b"], "");
            transition(&mut out, "zq_done", &["zq_b"], &["zq_end"], "");
        }
        Role::RestrictedEvent { timed } => {
            let _ = writeln!(out, "[roles.zq_staff]\n[roles.zq_customer]");
            transition(&mut out, "zq_go", &["zq_a"], &["zq_b"], timer(timed));
            transition(
                &mut out,
                "zq_back",
                &["zq_b"],
                &["zq_a"],
                "by = \"zq_customer\"",
            );
            for (i, n) in names.iter().enumerate() {
                // Alternately from one state and from two.
                let (from, by): (&[&str], _) = if i % 2 == 0 {
                    (&["zq_b"], "by = \"zq_staff\"")
                } else {
                    (&["zq_a", "zq_b"], "by = [\"zq_staff\", \"zq_customer\"]")
                };
                transition(&mut out, n, from, &["zq_end"], by);
            }
        }
    }
    out
}

/// Whether several names of `role` can share one definition (a workflow
/// has one name).
fn can_share(role: Role) -> bool {
    !matches!(role, Role::Workflow)
}

/// A random definition: a chain from the initial state to a final one
/// through states named from the pool, with extra transitions that may be
/// guarded, timed, branching or allowed from several states.
fn random_definition(pool: Vec<String>) -> impl Strategy<Value = String> {
    let name = prop::sample::select(pool);
    (
        name.clone(),
        prop::collection::vec(name.clone(), 2..8),
        prop::collection::vec(
            (
                name.clone(),
                prop::collection::vec(any::<prop::sample::Index>(), 1..3),
                prop::collection::vec(any::<prop::sample::Index>(), 1..3),
                prop::option::of(name.clone()),
                0..4u8,
            ),
            0..8,
        ),
        prop::bool::weighted(0.15),
    )
        .prop_map(|(workflow, states, extras, large)| {
            let mut states: Vec<String> = states;
            states.sort();
            states.dedup();
            if large {
                states.extend((0..70).map(|i| format!("zr_{i}")));
            }
            let mut out = format!("[workflow]\nname = \"{workflow}\"\ninitial = \"zr_start\"\n");
            let _ = writeln!(out, "[states.zr_start]\n[states.zr_end]\nfinal = true");
            for s in &states {
                let _ = writeln!(out, "[states.{s}]");
            }
            let mut chain = vec!["zr_start".to_string()];
            chain.extend(states.iter().cloned());
            chain.push("zr_end".to_string());
            for (i, pair) in chain.windows(2).enumerate() {
                transition(
                    &mut out,
                    &format!("zr_step_{i}"),
                    &[&pair[0]],
                    &[&pair[1]],
                    "",
                );
            }
            let mut guards = BTreeSet::new();
            for (event, from, to, guard, kind) in extras {
                let pick = |ix: &[prop::sample::Index]| {
                    let mut v: Vec<&str> = ix
                        .iter()
                        .map(|i| chain[i.index(chain.len() - 1)].as_str())
                        .collect();
                    v.sort();
                    v.dedup();
                    v
                };
                let (from, to) = (pick(&from), pick(&to));
                let extra = match (kind, &guard) {
                    (1, _) => "not_before = \"2h\"".to_string(),
                    (2, _) => "after = \"3d\"".to_string(),
                    (_, Some(g)) => {
                        guards.insert(g.clone());
                        format!("guard = \"{g}\"")
                    }
                    (_, None) => String::new(),
                };
                transition(&mut out, &event, &from, &to, &extra);
            }
            for g in guards {
                let _ = writeln!(out, "[guards.{g}]");
            }
            out
        })
}

/// One derive in the scratch crate: its module, and the definition.
#[derive(Clone)]
struct Case {
    label: String,
    source: String,
    /// For a definition of many names in one role: the role and the names,
    /// to try one by one when it fails.
    names: Option<(Role, Vec<String>)>,
}

impl Case {
    fn new(label: String, source: String) -> Self {
        Case {
            label,
            source,
            names: None,
        }
    }
}

/// The Rust of one case: the data type, the derive, the guards and the
/// outcomes (each guard holds; each branch takes its first target), and a
/// machine started in the initial state.
fn case_module(index: usize, workflow: &Workflow) -> String {
    let module = workflow.name.as_str();
    let timed = workflow.has_timers();
    // Written as a user would: the crates brought in by `use`.
    let mut out = format!(
        "pub mod case_{index} {{\n\
         use turnstile::Workflow;\n\
         use std::time::SystemTime;\n\
         use core::marker::PhantomData;\n\
         #[derive(Workflow)]\n\
         #[workflow(file = \"defs/case_{index}.toml\")]\n\
         pub struct Data;\n"
    );
    if !workflow.guards.is_empty() {
        let _ = writeln!(out, "impl {module}::Guards for Data {{");
        for g in &workflow.guards {
            let _ = writeln!(out, "fn {}(&self) -> bool {{ true }}", g.name);
        }
        out.push_str("}\n");
    }
    let mut seen = BTreeSet::new();
    let branches: Vec<_> = workflow
        .transitions
        .iter()
        .filter(|t| t.is_branch() && seen.insert(t.event.as_str()))
        .collect();
    if !branches.is_empty() {
        let _ = writeln!(out, "impl {module}::Outcomes for Data {{");
        for t in branches {
            let e = t.event.pascal();
            let to = workflow.state(t.to[0]).name.pascal();
            let _ = writeln!(
                out,
                "fn {}(&self) -> {module}::choice::{e} {{ {module}::choice::{e}::{to} }}",
                t.event
            );
        }
        out.push_str("}\n");
    }
    let now = if timed {
        ", SystemTime::UNIX_EPOCH"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "pub fn start() -> {module}::Current {{ {module}::Current::from({module}::Machine::new(Data{now})) }}\n}}"
    );
    out
}

/// Where the scratch crate lives: under the workspace's target directory.
fn scratch_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("tests").join("compiles")
}

/// Writes `cases` as one crate and checks it: the indices of the cases
/// the compiler refused, and what it said.
fn compile(cases: &[(Case, Workflow)]) -> Result<(), (BTreeSet<usize>, String)> {
    let dir = scratch_dir();
    let _ = std::fs::remove_dir_all(dir.join("defs"));
    std::fs::create_dir_all(dir.join("defs")).unwrap();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let root = root.canonicalize().unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"turnstile-compiles\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\nturnstile = {{ path = {:?} }}\n\n[workspace]\n",
            root.display().to_string()
        ),
    )
    .unwrap();
    // The workspace's versions of every dependency, already built.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let mut lib = String::from("#![allow(dead_code, unused)]\n");
    let mut lines = Vec::new();
    for (i, (case, workflow)) in cases.iter().enumerate() {
        std::fs::write(dir.join(format!("defs/case_{i}.toml")), &case.source).unwrap();
        let start = lib.lines().count() + 1;
        lib.push_str(&case_module(i, workflow));
        lines.push((start, lib.lines().count(), i));
    }
    std::fs::write(dir.join("src/lib.rs"), lib).unwrap();
    let output = Command::new(env!("CARGO"))
        .args(["check", "--quiet", "--message-format=short"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    // `src/lib.rs:LINE:COL: error…`: the case whose lines hold LINE.
    let mut failed = BTreeSet::new();
    for line in stderr.lines() {
        let Some(rest) = line.strip_prefix("src/lib.rs:") else {
            continue;
        };
        if !line.contains("error") {
            continue;
        }
        let Some(n) = rest.split(':').next().and_then(|n| n.parse::<usize>().ok()) else {
            continue;
        };
        if let Some((_, _, i)) = lines.iter().find(|(a, b, _)| (*a..=*b).contains(&n)) {
            failed.insert(*i);
        }
    }
    if failed.is_empty() {
        // Not attributable to one case: all of them are suspects.
        failed.extend(0..cases.len());
    }
    Err((failed, stderr))
}

/// A name the checker refuses must be refused for being a name.
fn assert_refused_as_a_name(label: &str, source: &str) {
    let checked = check(&SourceFile::new("probe.toml", source));
    assert!(
        checked
            .diagnostics
            .iter()
            .all(|d| matches!(d.code, Code::InvalidName | Code::ReservedName)),
        "{label} is refused for something other than its name:\n{source}\n{:?}",
        checked
            .diagnostics
            .iter()
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
    );
}

#[test]
fn every_accepted_definition_compiles() {
    let pool = name_pool();
    let mut cases: Vec<(Case, Workflow)> = Vec::new();
    let mut accepted_per_role: HashMap<String, usize> = HashMap::new();
    for &role in ROLES {
        let mut together: Vec<&str> = Vec::new();
        for name in &pool {
            let source = role_definition(role, &[name]);
            let file = SourceFile::new("probe.toml", &source);
            match load(&file) {
                Ok(workflow) => {
                    *accepted_per_role.entry(format!("{role:?}")).or_default() += 1;
                    if !can_share(role) {
                        let label = format!("{role:?} `{name}`");
                        cases.push((Case::new(label, source), workflow));
                        continue;
                    }
                    // Joined with the others of its role while the whole
                    // still checks (two names can clash with each other).
                    let mut with = together.clone();
                    with.push(name);
                    if load(&SourceFile::new("probe.toml", role_definition(role, &with))).is_ok() {
                        together = with;
                    } else {
                        let label = format!("{role:?} `{name}`");
                        cases.push((Case::new(label, source), workflow));
                    }
                }
                Err(_) => assert_refused_as_a_name(&format!("{role:?} `{name}`"), &source),
            }
        }
        if !together.is_empty() {
            let source = role_definition(role, &together);
            let workflow = load(&SourceFile::new("probe.toml", &source)).unwrap();
            let label = format!("{role:?} with {} names", together.len());
            let names = Some((role, together.iter().map(|n| n.to_string()).collect()));
            cases.push((
                Case {
                    label,
                    source,
                    names,
                },
                workflow,
            ));
        }
    }
    eprintln!(
        "{} names; accepted per role: {accepted_per_role:?}",
        pool.len()
    );

    // Random definitions over the same names.
    let seed: u64 = std::env::var("TURNSTILE_COMPILE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_130);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let strategy = random_definition(pool.clone());
    let mut random = 0;
    for _ in 0..4_000 {
        if random == 40 {
            break;
        }
        let source = strategy.new_tree(&mut runner).unwrap().current();
        if let Ok(workflow) = load(&SourceFile::new("random.toml", &source)) {
            random += 1;
            let label = format!("random definition {random} (seed {seed})");
            cases.push((Case::new(label, source), workflow));
        }
    }
    assert!(random >= 20, "only {random} random definitions were valid");
    eprintln!("{} definitions, {random} of them random", cases.len());

    let Err((failed, stderr)) = compile(&cases) else {
        return;
    };
    // The cases the compiler refused; one holding many names is split into
    // one name each, checked again. The smallest is reported.
    let mut suspects: Vec<(Case, Workflow)> = Vec::new();
    let mut words = stderr;
    for i in failed {
        let (case, workflow) = &cases[i];
        match &case.names {
            Some((role, names)) => {
                let alone: Vec<(Case, Workflow)> = names
                    .iter()
                    .map(|name| {
                        let source = role_definition(*role, &[name]);
                        let workflow = load(&SourceFile::new("probe.toml", &source)).unwrap();
                        (Case::new(format!("{role:?} `{name}`"), source), workflow)
                    })
                    .collect();
                if let Err((failed_alone, said)) = compile(&alone) {
                    words = said;
                    suspects.extend(failed_alone.into_iter().map(|j| alone[j].clone()));
                } else {
                    suspects.push((case.clone(), workflow.clone()));
                }
            }
            None => suspects.push((case.clone(), workflow.clone())),
        }
    }
    suspects.sort_by_key(|(case, _)| case.source.len());
    let (case, workflow) = suspects.swap_remove(0);
    if let Err((_, said)) = compile(&[(case.clone(), workflow)]) {
        words = said;
    }
    let others: Vec<&str> = suspects.iter().map(|(c, _)| c.label.as_str()).collect();
    panic!(
        "{} does not compile:\n\n{}\n\nthe compiler said:\n{words}\n\nnor do: {}",
        case.label,
        case.source,
        others.join("; ")
    );
}
