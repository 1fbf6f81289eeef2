//! TOML text → raw definition: every key checked, every problem collected.
//!
//! The walk is by hand over `toml::de::DeTable` rather than through serde so
//! that one pass reports *all* unknown keys, wrong types and missing keys of a
//! file, each with its own span (serde stops at the first).

use toml::de::{DeArray, DeTable, DeValue};
use toml::Spanned;

use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::keys::{self, Table};
use crate::source::Span;

/// A string with the span it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The text.
    pub text: String,
    /// Where it stands in the file.
    pub span: Span,
}

#[derive(Debug, Default)]
pub(crate) struct RawDefinition {
    pub header: Option<RawHeader>,
    pub states: Vec<RawState>,
    pub states_span: Option<Span>,
    pub guards: Vec<RawDeclared>,
    pub roles: Vec<RawDeclared>,
    pub capabilities: Vec<RawDeclared>,
    pub transitions: Vec<RawTransition>,
    /// The `[properties.<name>]` tables, in order.
    pub properties: Vec<RawProperty>,
    /// A `by` (`.0`) or `permits` (`.1`) that could not be read: the
    /// declarations it may have named are not reported unused.
    pub unreadable: (bool, bool),
}

#[derive(Debug)]
pub(crate) struct RawHeader {
    pub name: Option<Located>,
    pub initial: Option<Located>,
    pub summary: Option<String>,
    /// `regions`: the compound states that run in parallel, as written,
    /// and the key's span.
    pub regions: Option<(Vec<Located>, Span)>,
}

#[derive(Debug)]
pub(crate) struct RawState {
    pub name: Located,
    pub summary: Option<String>,
    pub is_final: bool,
    pub refusal: bool,
    /// `permits`: the capabilities the state grants, as written.
    pub permits: Vec<Located>,
    /// `parent`: the compound state it is inside, as written.
    pub parent: Option<Located>,
    /// `initial`: a compound's child entered first, as written.
    pub initial: Option<Located>,
    /// Where `final = true` and `refusal = true` stand, if written (a
    /// compound may have neither).
    pub leaf_keys: Vec<(&'static str, Span)>,
}

/// A declared guard, role or capability: a name and its summary.
#[derive(Debug)]
pub(crate) struct RawDeclared {
    pub name: Located,
    pub summary: Option<String>,
}

/// A `[properties.<name>]` table: its name, summary and severity, and
/// every other key as the names it lists (validation decides which form
/// they make).
#[derive(Debug)]
pub(crate) struct RawProperty {
    pub name: Located,
    pub summary: Option<String>,
    /// `severity`, as written.
    pub severity: Option<Located>,
    /// Each other key, with the names it gives and the value's span, in
    /// the order written.
    pub keys: Vec<(String, Vec<Located>, Span)>,
}

#[derive(Debug)]
pub(crate) struct RawTransition {
    pub span: Span,
    pub event: Option<Located>,
    pub from: Option<Vec<Located>>,
    pub to: Option<Vec<Located>>,
    pub guards: Vec<Located>,
    pub summary: Option<String>,
    /// `after` (automatic, `true`) and `not_before` (`false`), as written;
    /// validation parses the durations and refuses both at once.
    pub timers: Vec<(bool, Located)>,
    /// `by`: the roles that may fire it, as written, and the key's span.
    pub by: Option<(Vec<Located>, Span)>,
    /// `payload`: the type of what the event brings, as written.
    pub payload: Option<Located>,
    /// `sensitive = true`: the trail records a digest of the payload.
    pub sensitive: Option<(bool, Span)>,
    /// `when`: states of other regions the transition requires, as
    /// written, and the key's span.
    pub when: Option<(Vec<Located>, Span)>,
}

pub(crate) fn parse(text: &str, diags: &mut Vec<Diagnostic>) -> Option<RawDefinition> {
    let (doc, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for error in errors {
            let span = error.span().unwrap_or(0..0);
            let message = error.message().trim().to_string();
            let first = message.lines().next().unwrap_or("invalid TOML").to_string();
            diags.push(
                Diagnostic::new(Code::TomlSyntax, format!("invalid TOML: {first}"))
                    .at(span, first)
                    .with_help("fix the TOML syntax; the definition is read only once it parses"),
            );
        }
        return None;
    }
    let doc = doc.into_inner();
    let mut def = RawDefinition::default();
    check_keys(&doc, Table::Top, "the top level", diags);

    match doc.get("workflow") {
        None => diags.push(
            Diagnostic::new(Code::MissingKey, "missing `[workflow]` table")
                .at(0..0, "expected `[workflow]` with `name` and `initial`")
                .with_help("add `[workflow]` with `name = \"…\"` and `initial = \"…\"`"),
        ),
        Some(value) => {
            if let Some(table) = as_table(value, "workflow", diags) {
                let span = value.span();
                // With regions, each region's own `initial` says where it
                // starts: the workflow's is then not required.
                let regions = table.get("regions").and_then(|value| {
                    string_or_list("regions", value, diags).map(|names| (names, value.span()))
                });
                let initial = if table.contains_key("regions") {
                    table
                        .get("initial")
                        .and_then(|v| located_string("initial", v, diags))
                } else {
                    required_string(table, "initial", &span, "[workflow]", diags)
                };
                def.header = Some(RawHeader {
                    name: required_string(table, "name", &span, "[workflow]", diags),
                    initial,
                    summary: optional_string(table, "summary", diags),
                    regions,
                });
                check_keys(table, Table::Workflow, "`[workflow]`", diags);
            }
        }
    }

    parse_states(&doc, &mut def, diags);

    def.guards = declared(&doc, Table::Guards, "guard", diags);
    def.roles = declared(&doc, Table::Roles, "role", diags);
    def.capabilities = declared(&doc, Table::Capabilities, "capability", diags);

    if let Some(value) = doc.get("transitions") {
        match value.get_ref() {
            DeValue::Array(items) => {
                for item in items {
                    let Some(table) = as_table(item, "transitions", diags) else {
                        continue;
                    };
                    let t = parse_transition(table, item.span(), diags);
                    def.unreadable.0 |= t.by.is_none() && table.contains_key("by");
                    def.transitions.push(t);
                }
            }
            other => diags.push(wrong_type(
                "transitions",
                "an array of tables (`[[transitions]]`)",
                other,
                value.span(),
            )),
        }
    }
    def.properties = parse_properties(&doc, diags);
    Some(def)
}

/// The `[properties.<name>]` tables: each key read as a name or a list
/// of names (`within` and `severity` as one string).
fn parse_properties(doc: &DeTable<'_>, diags: &mut Vec<Diagnostic>) -> Vec<RawProperty> {
    let mut out = Vec::new();
    let Some(value) = doc.get("properties") else {
        return out;
    };
    let Some(table) = as_table(value, "properties", diags) else {
        return out;
    };
    for (name, value) in table {
        let name = located_key(name);
        let Some(item) = as_table(value, &format!("properties.{}", name.text), diags) else {
            continue;
        };
        check_keys(
            item,
            Table::Properties,
            &format!("property `{}`", name.text),
            diags,
        );
        let mut keys = Vec::new();
        for (key, value) in item {
            let key = key.get_ref().as_ref();
            if matches!(key, "summary" | "severity")
                || !keys::names(Table::Properties).contains(&key)
            {
                continue;
            }
            let names = if key == "within" {
                located_string(key, value, diags).map(|l| vec![l])
            } else {
                string_or_list(key, value, diags)
            };
            if let Some(names) = names {
                keys.push((key.to_string(), names, value.span()));
            }
        }
        out.push(RawProperty {
            summary: optional_string(item, "summary", diags),
            severity: item
                .get("severity")
                .and_then(|value| located_string("severity", value, diags)),
            keys,
            name,
        });
    }
    out
}

/// The `[states.<name>]` tables, each with its keys read and what it
/// permits.
fn parse_states(doc: &DeTable<'_>, def: &mut RawDefinition, diags: &mut Vec<Diagnostic>) {
    match doc.get("states") {
        None => diags.push(
            Diagnostic::new(Code::MissingKey, "no states are declared")
                .at(0..0, "expected `[states.<name>]` tables")
                .with_help("declare each state as a table, e.g. `[states.closed]`"),
        ),
        Some(value) => {
            def.states_span = Some(value.span());
            if let Some(table) = as_table(value, "states", diags) {
                for (key, value) in table {
                    let name = located_key(key);
                    let Some(state) = as_table(value, &format!("states.{}", name.text), diags)
                    else {
                        continue;
                    };
                    check_keys(
                        state,
                        Table::States,
                        &format!("state `{}`", name.text),
                        diags,
                    );
                    let permits = match state.get("permits") {
                        None => Vec::new(),
                        Some(value) => {
                            string_or_list("permits", value, diags).unwrap_or_else(|| {
                                def.unreadable.1 = true;
                                Vec::new()
                            })
                        }
                    };
                    let leaf_keys = ["final", "refusal"]
                        .into_iter()
                        .filter_map(|key| state.get(key).map(|v| (key, v.span())))
                        .collect();
                    def.states.push(RawState {
                        summary: optional_string(state, "summary", diags),
                        is_final: optional_bool(state, "final", diags).unwrap_or(false),
                        refusal: optional_bool(state, "refusal", diags).unwrap_or(false),
                        permits,
                        parent: state
                            .get("parent")
                            .and_then(|v| located_string("parent", v, diags)),
                        initial: state
                            .get("initial")
                            .and_then(|v| located_string("initial", v, diags)),
                        leaf_keys,
                        name,
                    });
                }
            }
        }
    }
}

/// The `[<key>.<name>]` tables of a kind of declared name (guards, roles,
/// capabilities): each a name and an optional summary.
fn declared(
    doc: &DeTable<'_>,
    kind: Table,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<RawDeclared> {
    let key = kind.id();
    let mut out = Vec::new();
    let Some(value) = doc.get(key) else {
        return out;
    };
    let Some(table) = as_table(value, key, diags) else {
        return out;
    };
    for (name, value) in table {
        let name = located_key(name);
        let Some(item) = as_table(value, &format!("{key}.{}", name.text), diags) else {
            continue;
        };
        check_keys(item, kind, &format!("{what} `{}`", name.text), diags);
        out.push(RawDeclared {
            summary: optional_string(item, "summary", diags),
            name,
        });
    }
    out
}

fn parse_transition(table: &DeTable<'_>, span: Span, diags: &mut Vec<Diagnostic>) -> RawTransition {
    check_keys(table, Table::Transitions, "`[[transitions]]`", diags);
    let event = required_string(table, "event", &span, "[[transitions]]", diags);
    let mut names = |key: &str| -> Option<Vec<Located>> {
        let value = table.get(key)?;
        string_or_list(key, value, diags)
    };
    let from = names("from");
    let to = names("to");
    let guards = names("guard").unwrap_or_default();
    let by = names("by").zip(table.get("by").map(|v| v.span()));
    let when = names("when").zip(table.get("when").map(|v| v.span()));
    for (key, value) in [("from", &from), ("to", &to)] {
        if value.is_none() && !table.contains_key(key) {
            diags.push(missing_key(key, &span, "[[transitions]]"));
        }
    }
    let mut timers = Vec::new();
    for (key, automatic) in [("after", true), ("not_before", false)] {
        let Some(value) = table.get(key) else {
            continue;
        };
        match value.get_ref() {
            DeValue::String(_) => {
                timers.extend(located_string(key, value, diags).map(|located| (automatic, located)))
            }
            other => diags.push(
                wrong_type(key, "a duration string", other, value.span()).with_help(format!(
                    "write `{key}` as a duration string, e.g. `{key} = \"24h\"` or `\"90d\"`"
                )),
            ),
        }
    }
    RawTransition {
        span,
        event,
        from,
        to,
        guards,
        summary: optional_string(table, "summary", diags),
        timers,
        by,
        payload: table
            .get("payload")
            .and_then(|value| located_string("payload", value, diags)),
        sensitive: table
            .get("sensitive")
            .and_then(|value| optional_bool(table, "sensitive", diags).map(|b| (b, value.span()))),
        when,
    }
}

fn located_key(key: &Spanned<std::borrow::Cow<'_, str>>) -> Located {
    Located {
        text: key.get_ref().to_string(),
        span: key.span(),
    }
}

/// Refuses every key of `table` that [`keys::KEYS`] does not give `kind`
/// (T002), suggesting the closest one.
fn check_keys(table: &DeTable<'_>, kind: Table, place: &str, diags: &mut Vec<Diagnostic>) {
    let allowed = keys::names(kind);
    for key in table.keys() {
        let name = key.get_ref().as_ref();
        if allowed.contains(&name) {
            continue;
        }
        let expected = allowed
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let help = match did_you_mean(name, allowed.iter().copied()) {
            Some(best) => format!("did you mean `{best}`? {place} takes {expected}"),
            None => format!("remove it; {place} takes {expected}"),
        };
        diags.push(
            Diagnostic::new(Code::UnknownKey, format!("unknown key `{name}` in {place}"))
                .at(key.span(), "unknown key")
                .with_help(help),
        );
    }
}

fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

fn wrong_type(key: &str, expected: &str, found: &DeValue<'_>, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::WrongType,
        format!("`{key}` must be {expected}, found {}", type_name(found)),
    )
    .at(span, format!("expected {expected}"))
    .with_help(format!("write `{key}` as {expected}"))
}

fn missing_key(key: &str, span: &Span, place: &str) -> Diagnostic {
    Diagnostic::new(Code::MissingKey, format!("`{place}` is missing `{key}`"))
        .at(span.clone(), format!("this table needs `{key}`"))
        .with_help(format!("add `{key} = \"…\"` to this table"))
}

fn as_table<'a, 'i>(
    value: &'a Spanned<DeValue<'i>>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'a DeTable<'i>> {
    match value.get_ref() {
        DeValue::Table(table) => Some(table),
        other => {
            diags.push(wrong_type(key, "a table", other, value.span()));
            None
        }
    }
}

fn required_string(
    table: &DeTable<'_>,
    key: &str,
    table_span: &Span,
    place: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Located> {
    match table.get(key) {
        None => {
            diags.push(missing_key(key, table_span, place));
            None
        }
        Some(value) => located_string(key, value, diags),
    }
}

fn located_string(
    key: &str,
    value: &Spanned<DeValue<'_>>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Located> {
    match value.get_ref() {
        DeValue::String(s) => Some(Located {
            text: s.to_string(),
            span: value.span(),
        }),
        other => {
            diags.push(wrong_type(key, "a string", other, value.span()));
            None
        }
    }
}

fn optional_string(table: &DeTable<'_>, key: &str, diags: &mut Vec<Diagnostic>) -> Option<String> {
    table
        .get(key)
        .and_then(|value| located_string(key, value, diags))
        .map(|l| l.text)
}

fn optional_bool(table: &DeTable<'_>, key: &str, diags: &mut Vec<Diagnostic>) -> Option<bool> {
    let value = table.get(key)?;
    match value.get_ref() {
        DeValue::Boolean(b) => Some(*b),
        other => {
            diags.push(wrong_type(key, "a boolean", other, value.span()));
            None
        }
    }
}

fn string_or_list(
    key: &str,
    value: &Spanned<DeValue<'_>>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<Located>> {
    match value.get_ref() {
        DeValue::String(_) => located_string(key, value, diags).map(|l| vec![l]),
        DeValue::Array(items) => list_of_strings(key, items, value.span(), diags),
        other => {
            diags.push(wrong_type(
                key,
                "a string or an array of strings",
                other,
                value.span(),
            ));
            None
        }
    }
}

fn list_of_strings(
    key: &str,
    items: &DeArray<'_>,
    span: Span,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<Located>> {
    if items.is_empty() {
        diags.push(
            Diagnostic::new(Code::MissingKey, format!("`{key}` is an empty list"))
                .at(span, "empty list")
                .with_help(format!("give `{key}` at least one name, or remove the key")),
        );
        return None;
    }
    let mut out = Vec::new();
    let mut ok = true;
    for item in items {
        match located_string(key, item, diags) {
            Some(l) => out.push(l),
            None => ok = false,
        }
    }
    ok.then_some(out)
}
