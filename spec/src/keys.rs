//! Every key of the definition format, once: its table, its name, the type
//! of its value, whether it is required (or its default) and what it means.
//!
//! The parser accepts exactly these keys (and suggests among them for an
//! unknown one: T002), and the key tables of `docs/reference/definition.md`
//! are rendered from them ([`markdown`]; `tests/readme.rs` keeps the page
//! current). A new key is one entry here; see CONTRIBUTING.md for the other
//! places the compiler then names.

/// A table of the format, where keys live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    /// The top level of the file: the tables themselves.
    Top,
    /// `[workflow]`.
    Workflow,
    /// `[states.<name>]`.
    States,
    /// `[guards.<name>]`.
    Guards,
    /// `[roles.<name>]`.
    Roles,
    /// `[capabilities.<name>]`.
    Capabilities,
    /// `[[transitions]]`.
    Transitions,
    /// `[properties.<name>]`.
    Properties,
}

impl Table {
    /// Every table, in the order the reference lists them.
    pub const ALL: [Table; 8] = [
        Table::Top,
        Table::Workflow,
        Table::States,
        Table::Guards,
        Table::Roles,
        Table::Capabilities,
        Table::Transitions,
        Table::Properties,
    ];

    /// How the reference and its markers name the table (`transitions`).
    pub fn id(self) -> &'static str {
        match self {
            Table::Top => "top",
            Table::Workflow => "workflow",
            Table::States => "states",
            Table::Guards => "guards",
            Table::Roles => "roles",
            Table::Capabilities => "capabilities",
            Table::Transitions => "transitions",
            Table::Properties => "properties",
        }
    }
}

/// Whether a key must be given, and what it is when it is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Presence {
    /// The key must be given (T004 otherwise).
    Required,
    /// The key may be left out; it then means what the text says
    /// (`"false"`, `"none"`).
    Optional(&'static str),
}

/// One key of the format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    /// The table it belongs to.
    pub table: Table,
    /// Its name, as written in the file.
    pub name: &'static str,
    /// The type of its value, in words (`"state name or list"`).
    pub value: &'static str,
    /// Required, or its default.
    pub presence: Presence,
    /// What it means, with the diagnostics it can meet.
    pub meaning: &'static str,
}

/// Every key, table by table, in the order the parser lists them when it
/// says what a table takes.
pub const KEYS: &[Key] = &[
    // The top level.
    Key {
        table: Table::Top,
        name: "workflow",
        value: "table",
        presence: Presence::Required,
        meaning: "the workflow's name, initial state and summary",
    },
    Key {
        table: Table::Top,
        name: "states",
        value: "tables",
        presence: Presence::Required,
        meaning: "one `[states.<name>]` table per state, at least one",
    },
    Key {
        table: Table::Top,
        name: "guards",
        value: "tables",
        presence: Presence::Optional("none"),
        meaning: "one `[guards.<name>]` table per guard that has a summary",
    },
    Key {
        table: Table::Top,
        name: "roles",
        value: "tables",
        presence: Presence::Optional("none"),
        meaning: "one `[roles.<name>]` table per role",
    },
    Key {
        table: Table::Top,
        name: "capabilities",
        value: "tables",
        presence: Presence::Optional("none"),
        meaning: "one `[capabilities.<name>]` table per capability",
    },
    Key {
        table: Table::Top,
        name: "transitions",
        value: "array of tables",
        presence: Presence::Optional("none"),
        meaning: "one `[[transitions]]` table per transition",
    },
    Key {
        table: Table::Top,
        name: "properties",
        value: "tables",
        presence: Presence::Optional("none"),
        meaning: "one `[properties.<name>]` table per promise the process makes, proved when the definition is checked ([properties.md][docs/properties.md])",
    },
    // [workflow]
    Key {
        table: Table::Workflow,
        name: "name",
        value: "name",
        presence: Presence::Required,
        meaning: "the workflow's name: the generated module (`door::Machine`), the name in messages and stored rows",
    },
    Key {
        table: Table::Workflow,
        name: "initial",
        value: "state name",
        presence: Presence::Optional("required unless `regions` is given"),
        meaning: "the state `Machine::new` starts in; must be declared (T008). With `regions`, each region's `initial` says where it starts and this key must not be given (T032)",
    },
    Key {
        table: Table::Workflow,
        name: "regions",
        value: "state name or list",
        presence: Presence::Optional("none: one machine"),
        meaning: "the top-level compound states that run in parallel, each a region with its own `initial` and one current state ([regions.md][docs/regions.md]); every top-level state must be one of them (T032)",
    },
    Key {
        table: Table::Workflow,
        name: "summary",
        value: "string",
        presence: Presence::Optional("none"),
        meaning: "what the process is",
    },
    // [states.<name>]
    Key {
        table: Table::States,
        name: "summary",
        value: "string",
        presence: Presence::Optional("none"),
        meaning: "what being in this state means",
    },
    Key {
        table: Table::States,
        name: "final",
        value: "bool",
        presence: Presence::Optional("`false`"),
        meaning: "the workflow ends here: no transition may leave it (T012, T019). Every state must reach a final state (T011) unless the workflow has none",
    },
    Key {
        table: Table::States,
        name: "refusal",
        value: "bool",
        presence: Presence::Optional("`false`"),
        meaning: "the state records a refusal (drawn in red)",
    },
    Key {
        table: Table::States,
        name: "permits",
        value: "capability name or list",
        presence: Presence::Optional("none"),
        meaning: "the capabilities that hold in this state: `can::<Capability>` is implemented for its machines ([roles.md][docs/roles.md]); each must be declared (T021). On a compound state, they hold in every state inside it",
    },
    Key {
        table: Table::States,
        name: "parent",
        value: "state name",
        presence: Presence::Optional("none: a top-level state"),
        meaning: "the compound state this one is inside ([nested-states.md][docs/nested-states.md]); a state named as a parent is a compound. T028 for a cycle of parents",
    },
    Key {
        table: Table::States,
        name: "initial",
        value: "state name",
        presence: Presence::Optional("none; required on a compound"),
        meaning: "on a compound state: the child entered when a transition enters the compound (T029 if missing or not a child)",
    },
    // [guards.<name>]
    Key {
        table: Table::Guards,
        name: "summary",
        value: "string",
        presence: Presence::Optional("none"),
        meaning: "the rule in your words, quoted when the guard refuses",
    },
    // [roles.<name>]
    Key {
        table: Table::Roles,
        name: "summary",
        value: "string",
        presence: Presence::Optional("none"),
        meaning: "who holds the role",
    },
    // [capabilities.<name>]
    Key {
        table: Table::Capabilities,
        name: "summary",
        value: "string",
        presence: Presence::Optional("none"),
        meaning: "what the capability lets the account do",
    },
    // [[transitions]]
    Key {
        table: Table::Transitions,
        name: "event",
        value: "name",
        presence: Presence::Required,
        meaning: "the event, and the generated method's name. One event may appear in several tables (different `from` states)",
    },
    Key {
        table: Table::Transitions,
        name: "from",
        value: "state name or list",
        presence: Presence::Required,
        meaning: "the states it is allowed from",
    },
    Key {
        table: Table::Transitions,
        name: "to",
        value: "state name or list",
        presence: Presence::Required,
        meaning: "the target; a list is a branch whose outcome your `Outcomes` impl decides when the event fires (T014 if an outcome list differs within an event)",
    },
    Key {
        table: Table::Transitions,
        name: "guard",
        value: "guard name or list",
        presence: Presence::Optional("none"),
        meaning: "guards that must all hold, checked in order; a refusal hands the machine back",
    },
    Key {
        table: Table::Transitions,
        name: "by",
        value: "role name or list",
        presence: Presence::Optional("anyone"),
        meaning: "only these roles may fire it (typed: `&Acting<role::R>`; by name: `Why::Forbidden`). T023 on an automatic transition; T024 if only some tables of an event have it",
    },
    Key {
        table: Table::Transitions,
        name: "payload",
        value: "a Rust type path of your crate",
        presence: Presence::Optional("none"),
        meaning: "what the event brings (`door::Payloads`, `fire_with`); T025 if it differs within an event, is on an automatic transition or is not a type",
    },
    Key {
        table: Table::Transitions,
        name: "sensitive",
        value: "bool",
        presence: Presence::Optional("`false`"),
        meaning: "with `payload`: the trail records the payload's SHA-256 digest, not its text",
    },
    Key {
        table: Table::Transitions,
        name: "when",
        value: "state name or list",
        presence: Presence::Optional("no condition"),
        meaning: "with `regions`: states of other regions the transition requires, any one per region named and every region named (`when = [\"no_partner\", \"in_good_standing\"]`); a compound stands for its states ([regions.md][docs/regions.md]). T033 if it names the transition's own region, or the event's transitions disagree on a region",
    },
    Key {
        table: Table::Transitions,
        name: "after",
        value: "duration",
        presence: Presence::Optional("none"),
        meaning: "an automatic transition: it happens by itself this long after entering `from` (a runner calls `Instance::fire_due`; the store's `run_due`). No guard on it",
    },
    Key {
        table: Table::Transitions,
        name: "not_before",
        value: "duration",
        presence: Presence::Optional("none"),
        meaning: "the event is refused until this long after entering `from` (`Refusal::NotYet`)",
    },
    Key {
        table: Table::Transitions,
        name: "summary",
        value: "string",
        presence: Presence::Optional("none"),
        meaning: "what the step means",
    },
    // [properties.<name>]: exactly one of the claim keys, with its qualifiers.
    Key {
        table: Table::Properties,
        name: "summary",
        value: "string",
        presence: Presence::Optional("none"),
        meaning: "the promise in your words, with its source; quoted when it is broken",
    },
    Key {
        table: Table::Properties,
        name: "never_permits",
        value: "capability name",
        presence: Presence::Optional("none"),
        meaning: "claim: no state of `in` permits the capability",
    },
    Key {
        table: Table::Properties,
        name: "always_permits",
        value: "capability name",
        presence: Presence::Optional("none"),
        meaning: "claim: every state of `in` permits the capability",
    },
    Key {
        table: Table::Properties,
        name: "reachable",
        value: "state name",
        presence: Presence::Optional("none"),
        meaning: "claim: some run from `from` enters the state (guards allowing)",
    },
    Key {
        table: Table::Properties,
        name: "unreachable",
        value: "state name",
        presence: Presence::Optional("none"),
        meaning: "claim: no run from `from` enters the state, whatever the guards answer",
    },
    Key {
        table: Table::Properties,
        name: "never_leaves",
        value: "state name or list",
        presence: Presence::Optional("none"),
        meaning: "claim: a machine in one of the states stays there",
    },
    Key {
        table: Table::Properties,
        name: "never_together",
        value: "state name or list",
        presence: Presence::Optional("none"),
        meaning: "claim, with regions: no reachable configuration is, in every region the states belong to, in one of them ([regions.md][docs/regions.md])",
    },
    Key {
        table: Table::Properties,
        name: "reaches",
        value: "state name or list",
        presence: Presence::Optional("none"),
        meaning: "claim: every run that enters a state of `from` enters one of these, within `within` if given",
    },
    Key {
        table: Table::Properties,
        name: "can_leave",
        value: "state name or list, or `\"*\"`",
        presence: Presence::Optional("none"),
        meaning: "claim: in each state (`\"*\"`: each non-final one) a transition elsewhere can be fired by one of `by` (without `by`: by anyone or a timer)",
    },
    Key {
        table: Table::Properties,
        name: "left_only_by",
        value: "state name or list, or `\"*\"`",
        presence: Presence::Optional("none"),
        meaning: "claim: every transition out of the states is one that only the roles of `by` may fire (none open to anyone, none automatic)",
    },
    Key {
        table: Table::Properties,
        name: "enters",
        value: "state name or list",
        presence: Presence::Optional("none"),
        meaning: "claim: a run from `from` enters the states only after one of the events of `only_after`",
    },
    Key {
        table: Table::Properties,
        name: "in",
        value: "state name or list",
        presence: Presence::Optional("none"),
        meaning: "with `never_permits` and `always_permits` (required): the states",
    },
    Key {
        table: Table::Properties,
        name: "from",
        value: "state name (or list, with `reaches`)",
        presence: Presence::Optional("the initial state"),
        meaning: "with `reachable`, `unreachable` and `enters`: where runs start; with `reaches` (required): the states whose runs must reach",
    },
    Key {
        table: Table::Properties,
        name: "within",
        value: "duration",
        presence: Presence::Optional("no bound"),
        meaning: "with `reaches`: the bound, counted from entering `from`; only automatic timers are sure to move time on",
    },
    Key {
        table: Table::Properties,
        name: "assuming",
        value: "guard name or list",
        presence: Presence::Optional("none: every guard is free"),
        meaning: "with `reaches`: guards taken to hold whenever asked, so that a way out they guard is sure",
    },
    Key {
        table: Table::Properties,
        name: "by",
        value: "role name or list",
        presence: Presence::Optional("anyone or a timer"),
        meaning: "with `can_leave`: the roles, one of which must be able to move the machine on; with `left_only_by` (required): the only roles that may",
    },
    Key {
        table: Table::Properties,
        name: "only_after",
        value: "event name or list",
        presence: Presence::Optional("none"),
        meaning: "with `enters` (required): the events, one of which must have happened first",
    },
    Key {
        table: Table::Properties,
        name: "severity",
        value: "`\"error\"` or `\"warning\"`",
        presence: Presence::Optional("`\"error\"`"),
        meaning: "`\"warning\"`: a broken promise is reported but fails neither `turnstile check` nor the build",
    },
];

/// The names of the keys of `table`, in order.
pub fn names(table: Table) -> Vec<&'static str> {
    KEYS.iter()
        .filter(|k| k.table == table)
        .map(|k| k.name)
        .collect()
}

/// The Markdown table of `table`'s keys, as docs/reference/definition.md
/// shows it: key, type, required or default, meaning.
pub fn markdown(table: Table) -> String {
    let mut out = String::from("| key | type | required | meaning |\n|---|---|---|---|\n");
    for key in KEYS.iter().filter(|k| k.table == table) {
        let presence = match key.presence {
            Presence::Required => "yes".to_string(),
            Presence::Optional(default) => format!("no ({default})"),
        };
        out.push_str(&format!(
            "| `{}` | {} | {presence} | {} |\n",
            key.name, key.value, key.meaning
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{check, Code, SourceFile};

    /// A definition with a table of every kind, each key of `table` named
    /// `key` given the integer 7 (which no key takes).
    fn with_seven(table: Table, key: &str) -> String {
        let mut lines: Vec<(Table, String)> = vec![
            (Table::Workflow, "[workflow]\nname = \"w\"\ninitial = \"a\"".into()),
            (Table::States, "[states.a]\npermits = \"c\"\n[states.b]\nfinal = true".into()),
            (Table::Guards, "[guards.g]".into()),
            (Table::Roles, "[roles.r]".into()),
            (Table::Capabilities, "[capabilities.c]".into()),
            (
                Table::Transitions,
                "[[transitions]]\nevent = \"go\"\nfrom = \"a\"\nto = \"b\"\nguard = \"g\"\nby = \"r\"".into(),
            ),
            (Table::Properties, "[properties.p]\nreachable = \"b\"".into()),
        ];
        if table == Table::Top {
            return lines
                .into_iter()
                .filter(|(t, _)| t.id() != key)
                .map(|(_, text)| text)
                .collect::<Vec<_>>()
                .join("\n")
                + "\n";
        }
        for (t, text) in &mut lines {
            if *t == table {
                let kept: Vec<&str> = text
                    .lines()
                    .filter(|l| !l.starts_with(&format!("{key} =")))
                    .collect();
                let (header, rest) = kept.split_first().unwrap();
                *text = format!("{header}\n{key} = 7\n{}", rest.join("\n"));
            }
        }
        lines
            .into_iter()
            .map(|(_, text)| text)
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    }

    /// Every key the registry lists is one the parser reads: given a value
    /// of the wrong type, it says so (T003) rather than ignore it or call it
    /// unknown. With the parser's refusal of every other key (T002), the
    /// registry is exactly the format.
    #[test]
    fn the_parser_reads_every_key_and_only_those() {
        for key in KEYS {
            let text = if key.table == Table::Top {
                format!("{} = 7\n{}", key.name, with_seven(Table::Top, key.name))
            } else {
                with_seven(key.table, key.name)
            };
            let checked = check(&SourceFile::new("w.toml", text.as_str()));
            let said: Vec<(Code, &str)> = checked
                .diagnostics
                .iter()
                .map(|d| (d.code, d.message.as_str()))
                .collect();
            assert!(
                said.iter().any(|(code, message)| *code == Code::WrongType
                    && message.starts_with(&format!("`{}` must be", key.name))),
                "{:?} `{}` is not read: {said:?}\n{text}",
                key.table,
                key.name
            );
            assert!(
                !said.iter().any(|(code, _)| *code == Code::UnknownKey),
                "{said:?}"
            );
        }
    }

    #[test]
    fn no_table_names_a_key_twice() {
        for table in Table::ALL {
            let mut names = names(table);
            let count = names.len();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), count, "{table:?}");
        }
    }
}
