//! Pass: the `[properties.<name>]` tables → [`Property`] claims, each
//! resolved against the finished model (its states, events, roles and
//! capabilities). What is wrong with a property's form is T026; a name it
//! gives that the definition does not declare is T008 (a state) or T021 (a
//! role or capability), as anywhere else. Proving them is [`crate::prove`].

use std::collections::HashSet;

use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::model::{CapabilityId, Claim, GuardId, Name, Property, RoleId, StateId, Workflow};
use crate::parse::{Located, RawProperty};
use crate::source::Span;

/// The keys that state a claim, one per form; each property has exactly one.
pub const CLAIMS: [&str; 10] = [
    "never_permits",
    "always_permits",
    "reachable",
    "unreachable",
    "never_leaves",
    "reaches",
    "can_leave",
    "left_only_by",
    "enters",
    "never_together",
];

/// For each claim key, the qualifiers it takes and which of them it needs.
fn qualifiers(claim: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match claim {
        "never_permits" | "always_permits" => (&["in"], &["in"]),
        "reachable" | "unreachable" => (&["from"], &[]),
        "reaches" => (&["from", "within", "assuming"], &["from"]),
        "can_leave" => (&["by"], &[]),
        "left_only_by" => (&["by"], &["by"]),
        "enters" => (&["only_after", "from"], &["only_after"]),
        _ => (&[], &[]),
    }
}

/// One property table being resolved: its name and what it says.
struct Reader<'a> {
    workflow: &'a Workflow,
    raw: &'a RawProperty,
    diags: &'a mut Vec<Diagnostic>,
    ok: bool,
}

impl Reader<'_> {
    fn form(&mut self, message: String, span: Span, label: &str, help: String) {
        self.diags.push(
            Diagnostic::new(
                Code::PropertyForm,
                format!("property `{}`: {message}", self.raw.name.text),
            )
            .at(span, label)
            .with_help(help),
        );
        self.ok = false;
    }

    fn key(&self, key: &str) -> Option<&(String, Vec<Located>, Span)> {
        self.raw.keys.iter().find(|(k, _, _)| k == key)
    }

    /// The key's single name (T026 for a list).
    fn one<'k>(&mut self, key: &'k (String, Vec<Located>, Span)) -> Option<&'k Located> {
        match key.1.as_slice() {
            [one] => Some(one),
            _ => {
                self.form(
                    format!("`{}` takes one name, not a list", key.0),
                    key.2.clone(),
                    "a list",
                    format!("give `{}` one name, or write one property per name", key.0),
                );
                None
            }
        }
    }

    /// The compound state named `located`, if it is one.
    fn compound(&self, located: &Located) -> Option<crate::model::CompoundId> {
        self.workflow
            .compounds
            .iter()
            .position(|c| c.name.as_str() == located.text)
            .map(crate::model::CompoundId)
    }

    fn state(&mut self, located: &Located) -> Option<StateId> {
        if let Some(id) = self.workflow.state_named(&located.text) {
            return Some(id);
        }
        if let Some(c) = self.compound(located) {
            let leaves: Vec<String> = self
                .workflow
                .leaves_of(c)
                .iter()
                .map(|s| format!("`{}`", self.workflow.state(*s).name))
                .collect();
            self.form(
                format!(
                    "`{}` is a compound state, where this claim takes one state",
                    located.text
                ),
                located.span.clone(),
                "a compound stands for several states",
                format!("name one of the states inside it: {}", leaves.join(", ")),
            );
            return None;
        }
        let names = self.workflow.states.iter().map(|s| s.name.as_str());
        let help = match did_you_mean(&located.text, names) {
            Some(best) => format!("did you mean `{best}`?"),
            None => "name one of the declared states".to_string(),
        };
        self.diags.push(
            Diagnostic::new(
                Code::UndeclaredState,
                format!(
                    "property `{}`: `{}` is not a declared state",
                    self.raw.name.text, located.text
                ),
            )
            .at(located.span.clone(), "no `[states.…]` table declares this")
            .with_help(help),
        );
        self.ok = false;
        None
    }

    fn states(&mut self, key: &(String, Vec<Located>, Span)) -> Vec<StateId> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for located in &key.1 {
            if !seen.insert(located.text.as_str()) {
                self.diags.push(
                    Diagnostic::new(
                        Code::DuplicateName,
                        format!("`{}` lists the state `{}` twice", key.0, located.text),
                    )
                    .at(located.span.clone(), "listed again")
                    .with_help("remove the repeat"),
                );
                self.ok = false;
                continue;
            }
            // In a list, a compound state stands for the states inside it.
            if let Some(c) = self.compound(located) {
                for leaf in self.workflow.leaves_of(c) {
                    if !out.contains(&leaf) {
                        out.push(leaf);
                    }
                }
                continue;
            }
            out.extend(self.state(located));
        }
        out
    }

    /// A role or capability by name (T021 if the definition lacks it).
    fn declared(&mut self, located: &Located, what: &str, names: &[&Name]) -> Option<usize> {
        if let Some(i) = names.iter().position(|n| n.as_str() == located.text) {
            return Some(i);
        }
        let help = match did_you_mean(&located.text, names.iter().map(|n| n.as_str())) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!("declare it with `[{what}.{}]`", located.text),
        };
        self.diags.push(
            Diagnostic::new(
                Code::UndeclaredRoleOrCapability,
                format!(
                    "property `{}`: `{}` is not a declared {}",
                    self.raw.name.text,
                    located.text,
                    if what == "roles" {
                        "role"
                    } else {
                        "capability"
                    }
                ),
            )
            .at(
                located.span.clone(),
                format!("no `[{what}.…]` table declares this"),
            )
            .with_help(help),
        );
        self.ok = false;
        None
    }

    fn guard(&mut self, located: &Located) -> Option<GuardId> {
        if let Some(i) = self
            .workflow
            .guards
            .iter()
            .position(|g| g.name.as_str() == located.text)
        {
            return Some(GuardId(i));
        }
        let names = self.workflow.guards.iter().map(|g| g.name.as_str());
        let help = match did_you_mean(&located.text, names) {
            Some(best) => format!("did you mean `{best}`?"),
            None => "name a guard of the definition's transitions".to_string(),
        };
        let span = located.span.clone();
        self.form(
            format!("`{}` is not a guard of the definition", located.text),
            span,
            "no transition has this guard",
            help,
        );
        None
    }

    fn event(&mut self, located: &Located) -> Option<Name> {
        if let Some(t) = self
            .workflow
            .transitions
            .iter()
            .find(|t| t.event.as_str() == located.text)
        {
            return Some(t.event.clone());
        }
        let events = self.workflow.events();
        let help = match did_you_mean(&located.text, events.iter().map(|e| e.name.as_str())) {
            Some(best) => format!("did you mean `{best}`?"),
            None => "name an event of the definition's `[[transitions]]`".to_string(),
        };
        let span = located.span.clone();
        self.form(
            format!("`{}` is not an event of the definition", located.text),
            span,
            "no transition has this event",
            help,
        );
        None
    }

    fn duration(&mut self, located: &Located) -> Option<(std::time::Duration, String)> {
        let text = located.text.trim();
        match humantime::parse_duration(text) {
            Ok(d) if !d.is_zero() && !text.starts_with('-') => Some((d, text.to_string())),
            Ok(_) => {
                self.diags.push(
                    Diagnostic::new(
                        Code::DurationNotPositive,
                        format!(
                            "`within` of property `{}` is not positive: `{}`",
                            self.raw.name.text, located.text
                        ),
                    )
                    .at(located.span.clone(), "not a positive duration")
                    .with_help("give a positive duration, e.g. `within = \"90d\"`"),
                );
                self.ok = false;
                None
            }
            Err(error) => {
                self.diags.push(
                    Diagnostic::new(
                        Code::InvalidDuration,
                        format!(
                            "`within` of property `{}` is not a duration: `{}`",
                            self.raw.name.text, located.text
                        ),
                    )
                    .at(located.span.clone(), error.to_string())
                    .with_help("write a duration, e.g. `within = \"90d\"` or `\"24h\"`"),
                );
                self.ok = false;
                None
            }
        }
    }
}

/// The properties of `raw`, resolved against `workflow`; a property with
/// anything wrong is reported and left out.
pub(crate) fn resolve(
    raw: &[RawProperty],
    workflow: &Workflow,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Property> {
    let mut out = Vec::new();
    for property in raw {
        let name_ok = crate::validate::is_snake_case(&property.name.text);
        if !name_ok {
            diags.push(
                Diagnostic::new(
                    Code::InvalidName,
                    format!(
                        "property name `{}` is not a snake_case identifier",
                        property.name.text
                    ),
                )
                .at(
                    property.name.span.clone(),
                    "it names the promise in messages",
                )
                .with_help(format!(
                    "write it in snake_case: `{}`",
                    heck::ToSnakeCase::to_snake_case(property.name.text.as_str())
                )),
            );
        }
        let mut reader = Reader {
            workflow,
            raw: property,
            diags,
            ok: name_ok,
        };
        if let Some(p) = read(&mut reader) {
            if reader.ok {
                out.push(p);
            }
        }
    }
    out
}

fn read(r: &mut Reader<'_>) -> Option<Property> {
    let raw = r.raw;
    let claims: Vec<&(String, Vec<Located>, Span)> = raw
        .keys
        .iter()
        .filter(|(k, _, _)| CLAIMS.contains(&k.as_str()))
        .collect();
    let listed = CLAIMS.map(|c| format!("`{c}`")).join(", ");
    let claim = match claims.as_slice() {
        [] => {
            r.form(
                "no claim".to_string(),
                raw.name.span.clone(),
                "this property says nothing yet",
                format!("give it one of {listed} (docs/properties.md)"),
            );
            return None;
        }
        [one] => *one,
        [first, second, ..] => {
            let (a, b) = (first.0.clone(), second.0.clone());
            r.form(
                format!("`{a}` and `{b}` are two claims"),
                second.2.clone(),
                "a second claim",
                format!("write one property per claim: move `{b}` to a `[properties.…]` table of its own"),
            );
            return None;
        }
    };
    let (allowed, required) = qualifiers(&claim.0);
    for (key, _, span) in &raw.keys {
        if key == &claim.0 || CLAIMS.contains(&key.as_str()) || allowed.contains(&key.as_str()) {
            continue;
        }
        let takes = if allowed.is_empty() {
            "nothing else".to_string()
        } else {
            allowed
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        r.form(
            format!("`{key}` does not go with `{}`", claim.0),
            span.clone(),
            "not for this claim",
            format!("remove it; `{}` takes {takes}", claim.0),
        );
    }
    for key in required {
        if r.key(key).is_none() {
            r.form(
                format!("`{}` needs `{key}`", claim.0),
                claim.2.clone(),
                "this claim",
                format!("add `{key} = …` to the property"),
            );
        }
    }
    let warning = match &raw.severity {
        None => false,
        Some(s) if s.text == "error" => false,
        Some(s) if s.text == "warning" => true,
        Some(s) => {
            r.form(
                format!("`severity` is `\"{}\"`", s.text),
                s.span.clone(),
                "not a severity",
                "write `severity = \"error\"` (the default) or `severity = \"warning\"`".into(),
            );
            false
        }
    };
    let claim_value = read_claim(r, claim)?;
    Some(Property {
        name: Name::new(raw.name.text.clone(), raw.name.span.clone()),
        summary: raw.summary.clone(),
        claim: claim_value,
        warning,
        span: claim.2.clone(),
    })
}

fn read_claim(r: &mut Reader<'_>, claim: &(String, Vec<Located>, Span)) -> Option<Claim> {
    let w = r.workflow;
    let from_one = |r: &mut Reader<'_>| -> Option<StateId> {
        match r.key("from").cloned() {
            None => Some(w.initial),
            Some(key) => {
                let one = r.one(&key)?.clone();
                r.state(&one)
            }
        }
    };
    Some(match claim.0.as_str() {
        "never_permits" | "always_permits" => {
            let capability = r.one(claim)?.clone();
            let names: Vec<&Name> = w.capabilities.iter().map(|c| &c.name).collect();
            let capability = CapabilityId(r.declared(&capability, "capabilities", &names)?);
            let states = r.key("in").cloned().map(|k| r.states(&k))?;
            if claim.0 == "never_permits" {
                Claim::NeverPermits { capability, states }
            } else {
                Claim::AlwaysPermits { capability, states }
            }
        }
        "reachable" | "unreachable" => {
            let target = r.one(claim)?.clone();
            let target = r.state(&target);
            let from = from_one(r)?;
            let target = target?;
            if claim.0 == "reachable" {
                Claim::Reachable { target, from }
            } else {
                Claim::Unreachable { target, from }
            }
        }
        "never_leaves" => Claim::NeverLeaves {
            states: r.states(claim),
        },
        "reaches" => {
            let goals = r.states(claim);
            let from = r.key("from").cloned().map(|k| r.states(&k))?;
            let within = match r.key("within").cloned() {
                None => None,
                Some(key) => Some(r.duration(&key.1[0])?),
            };
            let mut assuming = Vec::new();
            if let Some(key) = r.key("assuming").cloned() {
                for located in &key.1 {
                    assuming.extend(r.guard(located));
                }
            }
            Claim::Reaches {
                from,
                goals,
                within,
                assuming,
            }
        }
        "can_leave" | "left_only_by" => {
            let states = if claim.1.len() == 1 && claim.1[0].text == "*" {
                (0..w.states.len())
                    .map(StateId)
                    .filter(|s| !w.state(*s).is_final)
                    .collect()
            } else {
                r.states(claim)
            };
            let mut by = Vec::new();
            if let Some(key) = r.key("by").cloned() {
                let names: Vec<&Name> = w.roles.iter().map(|role| &role.name).collect();
                for located in &key.1 {
                    by.extend(r.declared(located, "roles", &names).map(RoleId));
                }
            }
            if claim.0 == "can_leave" {
                Claim::CanLeave { states, by }
            } else {
                Claim::LeftOnlyBy { states, by }
            }
        }
        "enters" => {
            let states = r.states(claim);
            let from = from_one(r)?;
            let key = r.key("only_after").cloned()?;
            let mut events = Vec::new();
            for located in &key.1 {
                events.extend(r.event(located));
            }
            Claim::OnlyAfter {
                states,
                events,
                from,
            }
        }
        "never_together" => {
            let states = r.states(claim);
            let mut regions: Vec<usize> = states.iter().filter_map(|s| w.region_of(*s)).collect();
            regions.sort_unstable();
            regions.dedup();
            if regions.len() < 2 {
                let why = if w.regions.is_empty() {
                    "the workflow has no regions: a machine is in one state at a time"
                } else {
                    "they are all in one region, which is in one state at a time"
                };
                r.form(
                    "`never_together` names states of fewer than two regions".to_string(),
                    claim.2.clone(),
                    why,
                    "list states of two regions or more (`never_together = [\"associated\", \"closed\"]`); for one machine, `unreachable` says that a state is never entered".to_string(),
                );
                return None;
            }
            Claim::NeverTogether { states }
        }
        _ => return None,
    })
}
