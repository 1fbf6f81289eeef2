//! The generated namespace and the checker agree: the names validation
//! refuses (`turnstile_spec::namespace::TAKEN`) are exactly what the
//! expansion holds where a definition's names land. A new generated
//! method of `Machine`, item of `event`, attribute tool or crate path
//! fails this test until the table (and so T006) knows it.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Span};
use syn::visit::Visit;
use turnstile_codegen::{generate, Input};
use turnstile_spec::namespace::{names, Place, When};
use turnstile_spec::{load, SourceFile, Workflow};

/// Events from one state and from several, guards, a branch; with a timer
/// or without.
fn definition(timed: bool) -> String {
    let timer = if timed { "not_before = \"1h\"" } else { "" };
    format!(
        r#"
[workflow]
name = "flow"
initial = "a"
[states.a]
[states.b]
[states.c]
final = true
[guards.g]
[[transitions]]
event = "one"
from = "a"
to = "b"
guard = "g"
{timer}
[[transitions]]
event = "several"
from = ["a", "b"]
to = ["b", "c"]
[[transitions]]
event = "plain"
from = "b"
to = "c"
"#
    )
}

fn expand(source: &str) -> (Workflow, syn::File) {
    let file = SourceFile::new("flow.toml", source);
    let workflow = load(&file).expect("valid");
    let data = Ident::new("Data", Span::call_site());
    let vis: syn::Visibility = syn::parse_quote!(pub);
    let tokens = generate(&Input::new(&workflow, &file, &data, &vis));
    (workflow, syn::parse2(tokens).expect("the expansion parses"))
}

fn module<'a>(items: &'a [syn::Item], name: &str) -> &'a [syn::Item] {
    items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == name => m.content.as_ref().map(|c| &c.1[..]),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no module `{name}`"))
}

fn event_names(workflow: &Workflow) -> BTreeSet<String> {
    workflow
        .events()
        .iter()
        .flat_map(|e| [e.name.as_str().to_string(), e.name.pascal().to_string()])
        .collect()
}

/// The inherent methods of `Machine<S>` that no event named.
fn machine_methods(items: &[syn::Item], events: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for item in items {
        let syn::Item::Impl(imp) = item else { continue };
        let syn::Type::Path(ty) = &*imp.self_ty else {
            continue;
        };
        if imp.trait_.is_some() || ty.path.segments.last().unwrap().ident != "Machine" {
            continue;
        }
        for item in &imp.items {
            if let syn::ImplItem::Fn(f) = item {
                out.insert(f.sig.ident.to_string());
            }
        }
    }
    out.retain(|m| !events.contains(m));
    out
}

/// The items of `event` that no event named, in snake_case.
fn event_items(items: &[syn::Item], events: &BTreeSet<String>) -> BTreeSet<String> {
    items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Trait(t) => Some(t.ident.to_string()),
            syn::Item::Enum(e) => Some(e.ident.to_string()),
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Type(t) => Some(t.ident.to_string()),
            syn::Item::Fn(f) => Some(f.sig.ident.to_string()),
            syn::Item::Mod(m) => Some(m.ident.to_string()),
            _ => None,
        })
        .filter(|name| !events.contains(name))
        .map(|name| heck::ToSnakeCase::to_snake_case(name.as_str()))
        .collect()
}

/// The first segments of the attribute paths used in `items` that are
/// paths of a tool (`diagnostic::on_unimplemented`).
#[derive(Default)]
struct Tools(BTreeSet<String>);

impl Visit<'_> for Tools {
    fn visit_attribute(&mut self, attr: &syn::Attribute) {
        let segments = &attr.path().segments;
        if segments.len() > 1 {
            self.0.insert(segments[0].ident.to_string());
        }
    }
}

/// The crates the expansion names by absolute path (`::core::…`).
#[derive(Default)]
struct Crates(BTreeSet<String>);

impl Visit<'_> for Crates {
    fn visit_path(&mut self, path: &syn::Path) {
        if path.leading_colon.is_some() {
            self.0.insert(path.segments[0].ident.to_string());
        }
        syn::visit::visit_path(self, path);
    }
}

const PRIMITIVES: &[&str] = &[
    "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64",
    "i128", "isize", "f32", "f64",
];

fn set(names: impl IntoIterator<Item = &'static str>) -> BTreeSet<String> {
    names.into_iter().map(str::to_string).collect()
}

#[test]
fn the_machine_methods_are_the_taken_event_names() {
    for timed in [false, true] {
        let (workflow, file) = expand(&definition(timed));
        assert_eq!(workflow.has_timers(), timed);
        let items = module(&file.items, "flow");
        let mut expected = set(names(Place::Event, When::Always));
        if timed {
            expected.extend(set(names(Place::Event, When::Timed)));
        }
        assert_eq!(
            machine_methods(items, &event_names(&workflow)),
            expected,
            "timed: {timed}"
        );
    }
}

#[test]
fn the_items_of_event_are_the_taken_names_of_events_from_several_states() {
    let (workflow, file) = expand(&definition(false));
    let event = module(module(&file.items, "flow"), "event");
    assert_eq!(
        event_items(event, &event_names(&workflow)),
        set(names(Place::Event, When::SeveralSources))
    );
}

#[test]
fn the_attribute_tools_of_event_are_the_taken_names_of_events_from_one_state() {
    let (_, file) = expand(&definition(false));
    let event = module(module(&file.items, "flow"), "event");
    let mut tools = Tools::default();
    for item in event {
        tools.visit_item(item);
    }
    assert_eq!(tools.0, set(names(Place::Event, When::Marker)));
}

#[test]
fn the_crates_and_primitives_are_the_taken_workflow_names() {
    let mut crates = Crates::default();
    for timed in [false, true] {
        crates.visit_file(&expand(&definition(timed)).1);
    }
    let mut expected = crates.0;
    expected.extend(set(PRIMITIVES.iter().copied()));
    assert_eq!(set(names(Place::Workflow, When::Always)), expected);
    // No workflow name is taken only sometimes.
    for when in [When::Timed, When::Marker, When::SeveralSources] {
        assert_eq!(names(Place::Workflow, when).count(), 0);
    }
}

#[test]
fn the_checker_refuses_each_taken_name_where_it_is_taken_and_accepts_it_elsewhere() {
    let refused = |source: &str| {
        load(&SourceFile::new("flow.toml", source))
            .err()
            .map(|d| d.iter().map(|d| d.code.as_str()).collect::<Vec<_>>())
    };
    for name in names(Place::Event, When::Always) {
        let source = definition(false).replace("\"plain\"", &format!("\"{name}\""));
        assert_eq!(refused(&source), Some(vec!["T006"]), "{name}");
    }
    for name in names(Place::Event, When::Timed) {
        let source = definition(false).replace("\"plain\"", &format!("\"{name}\""));
        assert_eq!(refused(&source), None, "{name} untimed");
        let source = definition(true).replace("\"plain\"", &format!("\"{name}\""));
        assert_eq!(refused(&source), Some(vec!["T006"]), "{name} timed");
    }
    for name in names(Place::Event, When::Marker) {
        let one = definition(false).replace("\"plain\"", &format!("\"{name}\""));
        assert_eq!(refused(&one), Some(vec!["T006"]), "{name} from one state");
        let several = definition(false).replace("\"several\"", &format!("\"{name}\""));
        assert_eq!(refused(&several), None, "{name} from several states");
        let restricted = restricted_definition().replace("\"several\"", &format!("\"{name}\""));
        assert_eq!(
            refused(&restricted),
            Some(vec!["T006"]),
            "{name} from several states, restricted to roles"
        );
    }
    for name in names(Place::Role, When::Always) {
        let source = restricted_definition().replace("staff", name);
        assert_eq!(refused(&source), Some(vec!["T006"]), "role {name}");
    }
    for name in names(Place::Event, When::SeveralSources) {
        let one = definition(false).replace("\"plain\"", &format!("\"{name}\""));
        assert_eq!(refused(&one), None, "{name} from one state");
        let several = definition(false).replace("\"several\"", &format!("\"{name}\""));
        assert_eq!(
            refused(&several),
            Some(vec!["T006"]),
            "{name} from several states"
        );
    }
    for name in names(Place::Workflow, When::Always) {
        let source = definition(false).replace("\"flow\"", &format!("\"{name}\""));
        assert_eq!(refused(&source), Some(vec!["T006"]), "{name}");
    }
}

/// The definition with roles: `several` restricted to them (so it gets a
/// marker type too), and a set of two roles.
fn restricted_definition() -> String {
    definition(false)
        .replace("[guards.g]", "[roles.staff]\n[roles.customer]\n[guards.g]")
        .replace(
            "event = \"several\"\nfrom = [\"a\", \"b\"]",
            "event = \"several\"\nby = [\"staff\", \"customer\"]\nfrom = [\"a\", \"b\"]",
        )
}

#[test]
fn the_items_of_role_beside_the_roles_are_the_taken_role_names() {
    let (workflow, file) = expand(&restricted_definition());
    assert_eq!(workflow.roles.len(), 2, "the definition has its roles");
    let role = module(module(&file.items, "flow"), "role");
    let roles: BTreeSet<String> = workflow
        .roles
        .iter()
        .map(|r| r.name.pascal().to_string())
        .collect();
    let mut others = BTreeSet::new();
    for item in role {
        let name = match item {
            syn::Item::Enum(e) => e.ident.to_string(),
            syn::Item::Trait(t) => t.ident.to_string(),
            _ => continue,
        };
        // A name with an underscore (`Set_Holds`) is no role's PascalCase
        // name, so it can take none.
        if !roles.contains(&name) && !name.contains('_') {
            others.insert(heck::ToSnakeCase::to_snake_case(name.as_str()));
        }
    }
    assert_eq!(others, set(names(Place::Role, When::Always)));
    // Beside `event`'s marker of a restricted event from several states.
    let event = module(module(&file.items, "flow"), "event");
    assert!(event
        .iter()
        .any(|item| matches!(item, syn::Item::Enum(e) if e.ident == "several")));
}

/// With regions, the machine's own methods are taken names too (`states`,
/// `permits`), and every event has a module in `event`: the checker
/// refuses those names there and accepts them in a workflow without
/// regions.
#[test]
fn the_region_machines_methods_are_taken_event_names() {
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/ui/workflows/regions.toml"
    ))
    .expect("the fixture");
    let (workflow, file) = expand(&source);
    let items = module(&file.items, "account");
    let methods = machine_methods(items, &event_names(&workflow));
    let taken: BTreeSet<String> = set(names(Place::Event, When::Always)
        .chain(names(Place::Event, When::Timed))
        .chain(names(Place::Event, When::Regions)));
    assert!(
        methods.is_subset(&taken),
        "not taken: {:?}",
        methods.difference(&taken).collect::<Vec<_>>()
    );
    for name in names(Place::Event, When::Regions) {
        assert!(methods.contains(name), "{name}");
        let renamed = source.replace("event = \"pay\"", &format!("event = \"{name}\""));
        let refused = load(&SourceFile::new("regions.toml", renamed.as_str()))
            .err()
            .map(|d| d.iter().map(|d| d.code.as_str()).collect::<Vec<_>>());
        assert_eq!(refused, Some(vec!["T006"]), "{name} with regions");
        let flat = definition(false).replace("\"plain\"", &format!("\"{name}\""));
        assert!(
            load(&SourceFile::new("flow.toml", flat.as_str())).is_ok(),
            "{name} without"
        );
    }
}
