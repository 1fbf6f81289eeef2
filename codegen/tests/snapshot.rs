//! The generated code for small workflows, made readable with prettyplease
//! and snapshotted part by part (`parts`): the machine, the states, the
//! events, guards, outcomes, payloads, roles and capabilities, dispatch by
//! name and the `Workflow` impl each have a snapshot of their own, so a
//! change to one part of the generator changes one snapshot.

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
        include_path: Some("/definitions/door.toml"),
        ..Input::new(&workflow, &file, &data, &vis)
    });
    let syntax: syn::File = syn::parse2(tokens).expect("the expansion parses as Rust");
    prettyplease::unparse(&syntax)
}

/// The generated items of `code` (an expansion) by the part of the
/// generator they come from, in order; every item is in exactly one part.
fn parts(code: &str, events: &[String]) -> Vec<(&'static str, String)> {
    let file: syn::File = syn::parse_str(code).expect("the expansion parses");
    let mut parts: Vec<(&'static str, Vec<syn::Item>)> = Vec::new();
    let mut put =
        |part: &'static str, item: syn::Item| match parts.iter_mut().find(|(p, _)| *p == part) {
            Some((_, items)) => items.push(item),
            None => parts.push((part, vec![item])),
        };
    let mut total = 0;
    let mut placed = 0;
    for item in file.items {
        let syn::Item::Mod(module) = item else {
            total += 1;
            placed += 1;
            put("workflow", item);
            continue;
        };
        let (_, items) = module.content.expect("the generated module has a body");
        for item in items {
            total += 1;
            let part = match &item {
                syn::Item::Mod(m) => match m.ident.to_string().as_str() {
                    "state" => "states",
                    "event" => "events",
                    "choice" | "outcome" => "outcomes",
                    "role" | "can" => "access",
                    "__dispatch" | "by_name" => "dispatch",
                    "region" => "states",
                    other => panic!("a module the parts do not know: {other}"),
                },
                syn::Item::Trait(t) => match t.ident.to_string().as_str() {
                    "Guards" => "guards",
                    "Outcomes" => "outcomes",
                    "Payloads" => "payloads",
                    "Configuration" => "machine",
                    other => panic!("a trait the parts do not know: {other}"),
                },
                syn::Item::Type(_) => "dispatch",
                syn::Item::Const(_) => "workflow",
                syn::Item::Impl(i) => {
                    // The machine's inherent methods: the events' go with
                    // the events, the rest with the machine.
                    let (mine, theirs): (Vec<_>, Vec<_>) =
                        i.items.iter().cloned().partition(|m| match m {
                            syn::ImplItem::Fn(f) => !events.contains(&f.sig.ident.to_string()),
                            _ => true,
                        });
                    if i.trait_.is_none() && !theirs.is_empty() {
                        placed += 1;
                        put(
                            "events",
                            syn::Item::Impl(syn::ItemImpl {
                                items: theirs,
                                ..i.clone()
                            }),
                        );
                        if mine.is_empty() {
                            continue;
                        }
                        total += 1;
                        placed += 1;
                        put(
                            "machine",
                            syn::Item::Impl(syn::ItemImpl {
                                items: mine,
                                ..i.clone()
                            }),
                        );
                        continue;
                    }
                    "machine"
                }
                _ => "machine",
            };
            placed += 1;
            put(part, item);
        }
    }
    assert_eq!(placed, total, "every item in one part");
    parts
        .into_iter()
        .map(|(part, items)| {
            let text = prettyplease::unparse(&syn::File {
                shebang: None,
                attrs: Vec::new(),
                items,
            });
            (part, text)
        })
        .collect()
}

/// The event names of the definition at `path`.
fn events(path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    let workflow = load(&SourceFile::new(path, text)).expect("a valid definition");
    workflow
        .events()
        .iter()
        .map(|e| e.name.to_string())
        .collect()
}

/// `fixture`'s expansion (of the definition at `path`), one snapshot per
/// part (`<fixture>__<part>`).
fn snapshot_parts(fixture: &str, path: &str, code: &str) {
    let parts = parts(code, &events(path));
    for (part, text) in &parts {
        insta::assert_snapshot!(format!("{fixture}__{part}"), text);
    }
    // The module's own documentation (its states, transitions and the
    // diagram) is the `docs` part.
    let file: syn::File = syn::parse_str(code).unwrap();
    let docs: Vec<String> = file
        .items
        .iter()
        .filter_map(|i| match i {
            syn::Item::Mod(m) => Some(m),
            _ => None,
        })
        .flat_map(|m| m.attrs.iter())
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    insta::assert_snapshot!(format!("{fixture}__docs"), docs.join("\n"));
}

#[test]
fn door_expansion() {
    let path = "../tests/ui/workflows/door.toml";
    let code = expand(path, "workflows/door.toml", "Door");
    snapshot_parts("door", path, &code);
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
    snapshot_parts("steps", "../tests/ui/workflows/steps.toml", &code);
}

#[test]
fn timed_expansion() {
    let code = expand(
        "../tests/ui/workflows/ticket.toml",
        "workflows/ticket.toml",
        "Ticket",
    );
    // The machine records when it entered its state; events take the instant.
    assert!(code.contains("entered_at: ::std::time::SystemTime,"));
    assert!(code.contains("pub fn answer<Out>(self, now: ::std::time::SystemTime) -> Out"));
    // `answer` has no guard or timer, yet from `open` the escalation may
    // come first: it returns `Result` there, a machine from `escalated`,
    // and its docs say so.
    assert!(code.contains(
        "- `answer`: `Open`, `Escalated` → `Answered`; returns \
         `Result<Machine<Answered>, Rejected<Machine<From>>>` from `Open`, \
         `Machine<Answered>` from `Escalated`"
    ));
    // Only `answer` from `open` yields to the escalation.
    assert_eq!(code.matches("__private::preempted(").count(), 1);
    snapshot_parts("ticket", "../tests/ui/workflows/ticket.toml", &code);
}

/// The module's documentation carries the diagram itself, as SVG: no
/// script, nothing fetched, so it shows offline.
#[test]
fn module_docs_embed_the_svg_diagram() {
    let code = expand("../tests/ui/workflows/door.toml", "door.toml", "Door");
    let start = code.find("## Diagram").expect("a diagram section");
    let diagram = &code[start..];
    assert!(
        diagram.contains("<div class=\"turnstile-diagram\""),
        "{diagram:.300}"
    );
    assert!(diagram.contains("<svg"), "{diagram:.300}");
    assert!(!code.contains("<script"), "no script in the docs");
    assert!(!code.contains("https://"), "nothing fetched");

    // Names and summaries written to break out of the markup stay text.
    let hostile = expand(
        "../render/tests/fixtures/hostile.toml",
        "hostile.toml",
        "Data",
    );
    let diagram = &hostile[hostile.find("## Diagram").expect("a diagram section")..];
    let end = diagram.find("</div>").expect("the diagram's end");
    let inside = &diagram[..end];
    assert!(!inside.contains("<script"), "{inside:.400}");
    assert!(!inside.contains("</svg><"), "one svg element");
}

/// Above the size limit, the page says how to draw the diagram instead.
#[test]
fn a_diagram_too_large_to_embed_is_replaced_by_the_command() {
    // 90 states (under the 100 of the full module page) whose long
    // summaries, carried into the SVG, make it larger than 256 KB.
    let mut text = String::from("[workflow]\nname = \"wordy\"\ninitial = \"s0\"\n\n");
    let summary = "A long summary. ".repeat(200);
    for i in 0..90 {
        text.push_str(&format!("[states.s{i}]\nsummary = \"{summary}\"\n"));
        if i == 89 {
            text.push_str("final = true\n");
        }
    }
    for i in 0..89 {
        text.push_str(&format!(
            "\n[[transitions]]\nevent = \"next\"\nfrom = \"s{i}\"\nto = \"s{}\"\n",
            i + 1
        ));
    }
    let file = turnstile_spec::SourceFile::new("wordy.toml", text);
    let workflow = turnstile_spec::load(&file).expect("valid");
    let data = proc_macro2::Ident::new("Wordy", proc_macro2::Span::call_site());
    let vis: syn::Visibility = syn::parse_quote!(pub);
    let tokens = generate(&Input {
        dispatch: false,
        ..Input::new(&workflow, &file, &data, &vis)
    });
    let code = tokens.to_string();
    assert!(!code.contains("<svg"), "not embedded");
    assert!(
        code.contains(
            "is too large to embed here: draw it with `turnstile render wordy.toml --format svg"
        ),
        "says how to draw it"
    );
}

#[test]
fn roles_and_capabilities_expansion() {
    let code = expand(
        "../workflows/tests/fixtures/unbinding.toml",
        "workflows/unbinding.toml",
        "Unbinding",
    );
    // A role-restricted event takes evidence of a role, bounded by `May`
    // with the roles that may fire it from that state.
    assert!(code.contains("pub fn review<R>("));
    assert!(code.contains("by: &::turnstile::Acting<R>"));
    assert!(code.contains("R: role::May<event::review, state::Submitted, role::Staff, 64u32>"));
    // A set of roles is a tuple that holds each of its roles; no impl of
    // `May` names a role as its `Self` (rustc would show it to a wrong role
    // as if it were allowed).
    assert!(code.contains("impl Set_Holds<self::Customer> for (self::Customer, self::Master) {}"));
    assert!(!code.contains("for self::Customer {}"));
    // A capability is a trait of exactly the permitting states' machines.
    assert!(code.contains("impl ChangeContact for super::Machine<super::state::Draft> {}"));
    assert!(!code.contains("impl ChangeContact for super::Machine<super::state::Submitted>"));
    snapshot_parts(
        "unbinding",
        "../workflows/tests/fixtures/unbinding.toml",
        &code,
    );
}

#[test]
fn definitions_without_roles_or_capabilities_generate_neither() {
    let code = expand(
        "../tests/ui/workflows/door.toml",
        "workflows/door.toml",
        "Door",
    );
    assert!(!code.contains("pub mod role"));
    assert!(!code.contains("pub mod can"));
    assert!(!code.contains("Acting"));
    assert!(!code.contains("const BY"));
}

/// Timers of compound states: the machine keeps when it entered each
/// compound, each move says how many it stays inside, and a timer counts
/// from its own clock (snapshots show the whole of it).
#[test]
fn compound_timers_expansion() {
    let path = "../workflows/tests/fixtures/nested_timers.toml";
    let code = expand(path, "workflows/nested_timers.toml", "Account");
    assert!(code.contains("within: [::std::time::SystemTime; 2usize],"));
    // `request_restore` from `kept` stays inside `closed` only.
    assert!(code.contains("into_state::<_, _, 1usize>"));
    // `retention_ends` counts from entering `closed`, `review_lapses` from
    // entering `reviewing` (the snapshots show each beside its duration).
    assert!(code.contains("machine.within[0usize]"));
    assert!(code.contains("machine.within[1usize]"));
    // In `asked`, whether the lapse or the reminder comes first is decided
    // when fired: their clocks differ.
    assert!(code.contains("__private::preempted_before("));
    snapshot_parts("retention", path, &code);
}

/// Parallel regions: `Machine<(Services, Partner, Restriction)>`, an event
/// generic over every region's state, bounded per region it moves or asks,
/// the checks in each moved state's `check`, which `Current` calls too.
#[test]
fn regions_expansion() {
    let path = "../tests/ui/workflows/regions.toml";
    let code = expand(path, "workflows/regions.toml", "Account");
    assert!(code.contains("pub struct Machine<S: Configuration>"));
    assert!(code.contains("entered_at: [::std::time::SystemTime; 3usize],"));
    // `close` moves `services`, asks `partner` and `restriction`.
    assert!(code.contains("Services: event::close::CloseFromServices<ServicesTo>"));
    assert!(code.contains("Partner: event::close::CloseWhenPartner,"));
    assert!(code.contains("Restriction: event::close::CloseWhenRestriction"));
    // `over_budget` is a joint move: two moved regions, one method.
    assert!(code.contains("Partner: event::over_budget::OverBudgetFromPartner<PartnerTo>"));
    assert!(
        code.contains("Restriction: event::over_budget::OverBudgetFromRestriction<RestrictionTo>")
    );
    assert!(code.contains(
        "message = \"account: event `close` needs region `partner` to be in `no_partner`\""
    ));
    snapshot_parts("regions", path, &code);
}
