//! The fingerprint of a definition: what a stored instance records to say
//! which version of its workflow it runs under.
//!
//! It is a hash of the definition's *meaning*: the workflow's name, its
//! initial state, its states, which are final and the capabilities each
//! permits, and every transition's event, sources, targets, guards (in
//! order: the first that fails is named), roles (in order: the first the
//! actor holds is recorded) and timer. Whitespace, comments, key order, the
//! order of tables and summaries do not change it; any change to states,
//! events, targets, guards, roles, capabilities or timers does. A
//! definition without roles or capabilities hashes as it did before they
//! existed.
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

use crate::model::Workflow;

/// The canonical text the fingerprint hashes: one line per fact, sorted
/// where order carries no meaning. Public so that a changed fingerprint
/// can be explained by diffing two canonical texts.
pub fn canonical(w: &Workflow) -> String {
    let name = |id: crate::StateId| w.state(id).name.as_str();
    let mut states: Vec<String> = w
        .states
        .iter()
        .map(|s| {
            let mut permits: Vec<&str> = s
                .permits
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
                s.name,
                if s.is_final { " final" } else { "" }
            )
        })
        .collect();
    states.sort();
    let mut transitions: Vec<String> = w
        .transitions
        .iter()
        .map(|t| {
            let mut from: Vec<&str> = t.from.iter().map(|s| name(*s)).collect();
            from.sort_unstable();
            let mut to: Vec<&str> = t.to.iter().map(|s| name(*s)).collect();
            to.sort_unstable();
            let guards: Vec<&str> = t.guards.iter().map(|g| w.guard(*g).name.as_str()).collect();
            let timer = match &t.timer {
                Some(timer) => format!(" {} {}ms", timer.key(), timer.after.as_millis()),
                None => String::new(),
            };
            let by = if t.by.is_empty() {
                String::new()
            } else {
                let roles: Vec<&str> = t.by.iter().map(|r| w.role(*r).name.as_str()).collect();
                format!(" by {}", roles.join(","))
            };
            let payload = match &t.payload {
                Some(p) => format!(
                    " payload {}{}",
                    p.ty,
                    if p.sensitive { " sensitive" } else { "" }
                ),
                None => String::new(),
            };
            format!(
                "transition {} from {} to {} guards {}{timer}{by}{payload}",
                t.event,
                from.join(","),
                to.join(","),
                guards.join(",")
            )
        })
        .collect();
    transitions.sort();
    let mut text = format!(
        "turnstile-fingerprint 1\nworkflow {}\ninitial {}\n",
        w.name,
        name(w.initial)
    );
    for line in states.iter().chain(&transitions) {
        text.push_str(line);
        text.push('\n');
    }
    text
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
