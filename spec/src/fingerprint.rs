//! The fingerprint of a definition: what a stored instance records to say
//! which version of its workflow it runs under.
//!
//! It is a hash of the definition's *meaning*: the workflow's name, its
//! initial state, its states, which are final and the capabilities each
//! permits, and every transition's event, sources, targets, guards (in
//! order: the first that fails is named), roles (in order: the first the
//! actor holds is recorded), timer and payload (its type, and whether it is
//! sensitive). Whitespace, comments, key order, the order of tables,
//! summaries and `refusal` (how a state is drawn) do not change it; any
//! change to states, events, targets, guards, roles, capabilities, timers
//! or payloads does ([`HASHED_KEYS`] lists the keys). A definition without
//! roles, capabilities or payloads hashes as it did before they existed.
//!
//! ```
//! use turnstile_spec::{fingerprint::fingerprint, load, SourceFile};
//!
//! let a = load(&SourceFile::new("a.toml", r#"
//! [workflow]
//! name = "door"
//! initial = "closed"
//! [states.closed]
//! [states.opened]
//! [[transitions]]
//! event = "open"
//! from = "closed"
//! to = "opened"
//! "#)).unwrap();
//! let b = load(&SourceFile::new("b.toml", r#"
//! ## the same door, reformatted and documented
//! [workflow]
//! initial = "closed"
//! name    = "door"
//! summary = "A door."
//! [states.opened]
//! [states.closed]
//! [[transitions]]
//! to = "opened"
//! from = ["closed"]
//! event = "open"
//! "#)).unwrap();
//! assert_eq!(fingerprint(&a), fingerprint(&b));
//! assert!(fingerprint(&a).starts_with("sha256:"));
//! ```

use sha2::{Digest, Sha256};

use crate::model::{Payload, State, Timer, Transition, Workflow};

/// The keys of the definition whose values the fingerprint hashes: a
/// change to any of them makes every stored instance refuse to load until
/// migrated (`Instance::migrate`). Every other key (`summary`, `refusal`)
/// and the layout of the file do not change it. Tested key by key below;
/// docs/long-running.md lists the same keys (`tests/doc_facts.rs`).
pub const HASHED_KEYS: &[&str] = &[
    "name",
    "initial",
    "final",
    "permits",
    "event",
    "from",
    "to",
    "guard",
    "by",
    "after",
    "not_before",
    "payload",
    "sensitive",
    "regions",
    "when",
];

/// The canonical text the fingerprint hashes: one line per fact, sorted
/// where order carries no meaning. Public so that a changed fingerprint
/// can be explained by diffing two canonical texts.
pub fn canonical(w: &Workflow) -> String {
    // Every field of the model, by name: a new one does not compile here
    // until it is decided whether it changes what may happen (hashed) or
    // not (`_`). CONTRIBUTING.md lists the other places the compiler names.
    let Workflow {
        name: workflow_name,
        summary: _,
        initial,
        states,
        // Declared guards, roles and capabilities mean something only
        // where transitions and states name them, which is hashed there.
        guards: _,
        roles: _,
        capabilities: _,
        // Nesting is notation over the leaves: what a compound allows and
        // permits is resolved onto its leaves, whose transitions and
        // permits are hashed below, so a definition nested or flattened by
        // hand by the same rules has the same fingerprint.
        compounds: _,
        transitions,
        // Properties say what must hold, not what may happen: proving
        // them changes no run, so stored rows stay loadable when a
        // promise is added or reworded.
        properties: _,
        // Which compounds run in parallel: hashed (a line of its own, so a
        // workflow without regions hashes as before).
        regions,
    } = w;
    let name = |id: crate::StateId| w.state(id).name.as_str();
    let mut states: Vec<String> = states
        .iter()
        .map(|s| {
            let State {
                name: state_name,
                summary: _,
                is_final,
                // How a state is drawn, not what may happen.
                refusal: _,
                permits,
                // Notation (see `compounds` above).
                parent: _,
            } = s;
            let mut permits: Vec<&str> = permits
                .iter()
                .map(|c| w.capability(*c).name.as_str())
                .collect();
            permits.sort_unstable();
            let permits = if permits.is_empty() {
                String::new()
            } else {
                format!(" permits {}", permits.join(","))
            };
            format!(
                "state {}{}{permits}",
                state_name,
                if *is_final { " final" } else { "" }
            )
        })
        .collect();
    states.sort();
    let mut transitions: Vec<String> = transitions.iter().map(|t| transition_line(w, t)).collect();
    transitions.sort();
    let mut text = format!(
        "turnstile-fingerprint 1\nworkflow {}\ninitial {}\n",
        workflow_name,
        name(*initial)
    );
    if !regions.is_empty() {
        let listed: Vec<String> = regions
            .iter()
            .map(|r| {
                format!(
                    "{}={}",
                    w.compound(r.compound).name,
                    w.state(r.initial).name
                )
            })
            .collect();
        text.push_str(&format!("regions {}\n", listed.join(",")));
    }
    for line in states.iter().chain(&transitions) {
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// A transition's line of [`canonical`]: every field, by name, hashed or
/// said not to be.
fn transition_line(w: &Workflow, t: &Transition) -> String {
    let name = |id: crate::StateId| w.state(id).name.as_str();
    let Transition {
        event,
        from,
        to,
        guards,
        by,
        summary: _,
        timer,
        payload,
        span: _,
        // Notation: `from` and `to` hold the leaves they stand for.
        from_compounds: _,
        to_compounds: _,
        when,
    } = t;
    let mut from: Vec<&str> = from.iter().map(|s| name(*s)).collect();
    from.sort_unstable();
    let mut to: Vec<&str> = to.iter().map(|s| name(*s)).collect();
    to.sort_unstable();
    let guards: Vec<&str> = guards.iter().map(|g| w.guard(*g).name.as_str()).collect();
    let timer = match timer {
        // `automatic` is hashed as the key it was written with
        // (`Timer::key`); the duration in milliseconds, not as written.
        Some(
            timer @ Timer {
                after,
                automatic: _,
                text: _,
                span: _,
            },
        ) => format!(" {} {}ms", timer.key(), after.as_millis()),
        None => String::new(),
    };
    let by = if by.is_empty() {
        String::new()
    } else {
        let roles: Vec<&str> = by.iter().map(|r| w.role(*r).name.as_str()).collect();
        format!(" by {}", roles.join(","))
    };
    let payload = match payload {
        Some(Payload {
            ty,
            sensitive,
            span: _,
        }) => format!(
            " payload {}{}",
            ty,
            if *sensitive { " sensitive" } else { "" }
        ),
        None => String::new(),
    };
    let when: String = when
        .iter()
        .map(|c| {
            let mut states: Vec<&str> = c.states.iter().map(|s| name(*s)).collect();
            states.sort_unstable();
            format!(" when {}", states.join(","))
        })
        .collect();
    format!(
        "transition {} from {} to {} guards {}{timer}{by}{payload}{when}",
        event,
        from.join(","),
        to.join(","),
        guards.join(",")
    )
}

/// `sha256:` and the first 32 hex digits (128 bits) of the SHA-256 of
/// [`canonical`].
pub fn fingerprint(w: &Workflow) -> String {
    let digest = Sha256::digest(canonical(w).as_bytes());
    let mut out = String::from("sha256:");
    for byte in &digest[..16] {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{canonical, fingerprint};
    use crate::{load, SourceFile};

    const DOOR: &str = r#"
[workflow]
name = "door"
initial = "closed"
[states.closed]
[states.opened]
[[transitions]]
event = "open"
from = "closed"
to = "opened"
"#;

    fn of(text: &str) -> crate::Workflow {
        load(&SourceFile::new("door.toml", text)).expect("valid")
    }

    /// Stored instances carry the fingerprint: a definition without roles,
    /// capabilities or payloads hashes the canonical text it always did.
    #[test]
    fn a_definition_without_roles_keeps_its_canonical_text() {
        assert_eq!(
            canonical(&of(DOOR)),
            "turnstile-fingerprint 1\nworkflow door\ninitial closed\n\
             state closed\nstate opened\n\
             transition open from closed to opened guards \n"
        );
    }

    /// Each key of [`super::HASHED_KEYS`] changes the fingerprint when its
    /// value changes, and the keys that are not hashed do not.
    #[test]
    fn every_hashed_key_changes_the_fingerprint_and_no_other_does() {
        let base = r#"
[workflow]
name = "desk"
initial = "open"
summary = "A desk."
[roles.agent]
[capabilities.view]
[guards.ready]
[guards.checked]
[states.open]
permits = "view"
summary = "Open."
[states.waiting]
permits = "view"
[states.closed]
final = true
[[transitions]]
event = "wait"
from = "open"
to = "waiting"
by = "agent"
guard = "ready"
payload = "Note"
summary = "Wait."
[[transitions]]
event = "close"
from = "waiting"
to = "closed"
after = "1h"
[[transitions]]
event = "reopen"
from = "waiting"
to = "open"
not_before = "1m"
guard = "checked"
"#;
        let changed: [(&str, &str, &str, &str); 13] = [
            ("name", r#"name = "desk""#, r#"name = "bench""#, ""),
            (
                "initial",
                "initial = \"open\"\nsummary",
                "initial = \"waiting\"\nsummary",
                "",
            ),
            (
                "final",
                "[states.closed]\nfinal = true",
                "[states.closed]\nfinal = true\n[states.gone]\nfinal = true",
                "[[transitions]]\nevent = \"drop\"\nfrom = \"open\"\nto = \"gone\"\n",
            ),
            (
                "permits",
                "permits = \"view\"\nsummary",
                "permits = [\"view\", \"edit\"]\nsummary",
                "[capabilities.edit]\n",
            ),
            ("event", r#"event = "wait""#, r#"event = "hold""#, ""),
            (
                "from",
                "event = \"reopen\"\nfrom = \"waiting\"",
                "event = \"reopen\"\nfrom = [\"waiting\", \"open\"]",
                "",
            ),
            (
                "to",
                "from = \"open\"\nto = \"waiting\"",
                "from = \"open\"\nto = [\"waiting\", \"closed\"]",
                "",
            ),
            (
                "guard",
                r#"guard = "ready""#,
                r#"guard = ["ready", "noted"]"#,
                "[guards.noted]\n",
            ),
            (
                "by",
                r#"by = "agent""#,
                r#"by = ["agent", "lead"]"#,
                "[roles.lead]\n",
            ),
            ("after", r#"after = "1h""#, r#"after = "2h""#, ""),
            (
                "not_before",
                r#"not_before = "1m""#,
                r#"not_before = "2m""#,
                "",
            ),
            ("payload", r#"payload = "Note""#, r#"payload = "Memo""#, ""),
            (
                "sensitive",
                r#"payload = "Note""#,
                "payload = \"Note\"\nsensitive = true",
                "",
            ),
        ];
        let plain = fingerprint(&of(base));
        let mut keys: Vec<&str> = changed.iter().map(|(k, ..)| *k).collect();
        // The keys of regions, changed on a definition that has them.
        keys.extend(["regions", "when"]);
        assert_eq!(keys, super::HASHED_KEYS, "one change per hashed key");
        regions_and_conditions_change_the_fingerprint();
        for (key, from, to, extra) in changed {
            assert!(base.contains(from), "{key}: {from}");
            let edited = base.replacen(from, to, 1) + extra;
            let w = load(&SourceFile::new("desk.toml", edited.as_str()))
                .unwrap_or_else(|d| panic!("{key}: {d:?}"));
            assert_ne!(
                fingerprint(&w),
                plain,
                "changing `{key}` changes the fingerprint"
            );
        }
        for (key, from, to) in [
            (
                "summary",
                r#"summary = "Open.""#,
                r#"summary = "Open for business.""#,
            ),
            (
                "refusal",
                "[states.waiting]",
                "[states.waiting]\nrefusal = true",
            ),
        ] {
            let edited = base.replacen(from, to, 1);
            assert_eq!(fingerprint(&of(&edited)), plain, "`{key}` is not hashed");
        }
        // A property says what must hold, not what may happen: adding one
        // (that holds) leaves every stored row loadable.
        let promised = format!("{base}[properties.closed_for_good]\nnever_leaves = \"closed\"\n");
        let w = load(&SourceFile::new("desk.toml", promised.as_str())).expect("it holds");
        assert_eq!(w.properties.len(), 1);
        assert_eq!(fingerprint(&w), plain, "properties are not hashed");
    }

    /// `regions` and `when` are hashed: a region more or less, another
    /// initial state of a region, a condition added or changed.
    #[test]
    fn regions_and_conditions_change_the_fingerprint() {
        let base = r#"
[workflow]
name = "account"
regions = ["services", "partner"]
[states.services]
initial = "active"
[states.active]
parent = "services"
[states.closed]
parent = "services"
[states.partner]
initial = "no_partner"
[states.no_partner]
parent = "partner"
[states.associated]
parent = "partner"
[[transitions]]
event = "close"
from = "active"
to = "closed"
when = "no_partner"
[[transitions]]
event = "associate"
from = "no_partner"
to = "associated"
[[transitions]]
event = "leave"
from = "associated"
to = "no_partner"
"#;
        let plain = fingerprint(&of(base));
        for (key, from, to) in [
            (
                "regions",
                "[states.partner]\ninitial = \"no_partner\"",
                "[states.partner]\ninitial = \"associated\"",
            ),
            ("when", "when = \"no_partner\"", "when = \"associated\""),
            ("when", "when = \"no_partner\"\n", ""),
        ] {
            assert!(base.contains(from), "{key}: {from}");
            let edited = base.replacen(from, to, 1);
            assert_ne!(
                fingerprint(&of(&edited)),
                plain,
                "changing `{key}` changes it"
            );
        }
        // Each region with the state it starts in, in the order listed.
        assert!(canonical(&of(base))
            .lines()
            .any(|l| l == "regions services=active,partner=no_partner"));
    }

    #[test]
    fn roles_capabilities_and_payloads_change_the_fingerprint() {
        let plain = fingerprint(&of(DOOR));
        let with_role = DOOR.replace("to = \"opened\"", "to = \"opened\"\nby = \"keeper\"")
            + "[roles.keeper]\n";
        let with_capability = DOOR
            .replace("[states.opened]", "[states.opened]\npermits = \"walk_in\"")
            + "[capabilities.walk_in]\n";
        let with_payload = DOOR.replace("to = \"opened\"", "to = \"opened\"\npayload = \"Key\"");
        let sensitive =
            with_payload.replace("payload = \"Key\"", "payload = \"Key\"\nsensitive = true");
        let all = [plain.clone()]
            .into_iter()
            .chain(
                [&with_role, &with_capability, &with_payload, &sensitive]
                    .map(|t| fingerprint(&of(t))),
            )
            .collect::<std::collections::HashSet<_>>();
        assert_eq!(all.len(), 5, "each changes the fingerprint");
        assert!(canonical(&of(&with_role))
            .contains("transition open from closed to opened guards  by keeper\n"));
        assert!(canonical(&of(&with_capability)).contains("state opened permits walk_in\n"));
    }
}
