//! Who acts and what each state permits, as a Markdown page: per workflow,
//! each role with the events it fires and each capability with the states
//! that permit it and those that do not, each with the summary that cites
//! where it comes from.
//!
//! The page is generated from the models, so it cannot say anything the
//! definitions do not; `turnstile access` writes it, and a test keeps the
//! committed `docs/access.md` current.

use std::fmt::Write as _;

use turnstile_spec::{CapabilityId, RoleId, StateId, Workflow};

/// The page for `workflows`, in the order given. `command` is the command
/// that regenerates it, quoted in the page's header.
pub fn markdown(workflows: &[Workflow], command: &str) -> String {
    let mut out = String::new();
    out.push_str("# Who acts, and what each state permits\n\n");
    let _ = writeln!(
        out,
        "Generated from the definitions by `{command}`; do not edit by hand. \
         Each role names the events it may fire (`by`), each capability the \
         states that permit it (`permits`) and those that do not; the last \
         column is the definition's own summary, which cites the section of \
         the document it comes from.\n"
    );
    for w in workflows {
        section(&mut out, w);
    }
    out
}

/// The fields of the model the page reads, by name: a new one does not
/// compile here until it is decided whether the page shows it. Never
/// called: it is for the compiler and the reader (CONTRIBUTING.md).
#[allow(dead_code)]
fn placed(s: &turnstile_spec::State, t: &turnstile_spec::Transition) {
    let turnstile_spec::State {
        name: _,
        summary: _,
        is_final: _,
        refusal: _,
        permits: _, // the capabilities' tables (a leaf's include its compounds')
        parent: _,  // the page lists the states a machine can be in: the leaves
    } = s;
    let turnstile_spec::Transition {
        event: _,
        from: _, // the state a `not_before` waits in
        to: _,
        guards: _,
        by: _, // the roles' table
        summary: _,
        timer: _, // the waits, and what fires by itself
        payload: _,
        span: _,
        // `from` and `to` hold the leaves a compound stands for.
        from_compounds: _,
        to_compounds: _,
        // A condition on other regions: the access page lists per state.
        when: _,
    } = t;
}

/// When a transition's timer runs from: `after entering `closed``.
fn entering(w: &Workflow, t: &turnstile_spec::Transition) -> String {
    let from: Vec<String> = t
        .from
        .iter()
        .map(|s| format!("`{}`", w.state(*s).name.as_str()))
        .collect();
    format!("after entering {}", from.join(" or "))
}

fn section(out: &mut String, w: &Workflow) {
    let _ = writeln!(out, "## `{}`\n", w.name.as_str());
    if let Some(summary) = &w.summary {
        let _ = writeln!(out, "{}\n", cell(summary));
    }

    out.push_str("### Roles\n\n");
    if w.roles.is_empty() {
        out.push_str("None: anyone holding the machine may fire every event.\n\n");
    } else {
        out.push_str("| role | fires | from the documents |\n|---|---|---|\n");
        for (i, role) in w.roles.iter().enumerate() {
            let fires = events_by(w, RoleId(i));
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                role.name.as_str(),
                list(&fires),
                role.summary.as_deref().map(cell).unwrap_or_default()
            );
        }
        let open: Vec<String> = w
            .events()
            .iter()
            .filter(|e| e.transitions.iter().all(|t| w.transition(*t).by.is_empty()))
            .map(|e| {
                let automatic = e.transitions.iter().any(|t| {
                    w.transition(*t)
                        .timer
                        .as_ref()
                        .is_some_and(|timer| timer.automatic)
                });
                let after = e.transitions.iter().find_map(|t| {
                    let t = w.transition(*t);
                    let timer = t.timer.as_ref().filter(|timer| timer.automatic)?;
                    Some(format!("{} {}", timer.text, entering(w, t)))
                });
                if automatic {
                    format!(
                        "`{}` (automatic: its timer fires it, {})",
                        e.name.as_str(),
                        after.unwrap_or_default()
                    )
                } else {
                    format!("`{}`", e.name.as_str())
                }
            })
            .collect();
        if !open.is_empty() {
            let _ = writeln!(out, "\nNo role restricts: {}.", open.join(", "));
        }
        out.push('\n');
    }

    out.push_str("### Capabilities\n\n");
    if w.capabilities.is_empty() {
        out.push_str("None: the definition states no capability of the account per state.\n\n");
        return;
    }
    if !w.regions.is_empty() {
        out.push_str(
            "The workflow runs regions side by side: a capability holds when every region that \
             names it in some state is in a state that permits it; a region that never names it \
             does not restrict it (docs/regions.md). So \"not in\" lists the states of the regions \
             that name it, and the last but one column the regions that do not.\n\n",
        );
        out.push_str(
            "| capability | permitted in | not in | not restricted by | from the documents |\n|---|---|---|---|---|\n",
        );
    } else {
        out.push_str(
            "| capability | permitted in | not in | from the documents |\n|---|---|---|---|\n",
        );
    }
    for (i, capability) in w.capabilities.iter().enumerate() {
        let permitting = w.states_permitting(CapabilityId(i));
        let names = |states: &mut dyn Iterator<Item = StateId>| {
            states
                .map(|s| format!("`{}`", w.state(s).name.as_str()))
                .collect::<Vec<_>>()
        };
        // A compound that permits it is said once, with the states inside
        // it that inherit it (the outermost such compound).
        let mut yes = Vec::new();
        let mut grouped: Vec<StateId> = Vec::new();
        for s in &permitting {
            if grouped.contains(s) {
                continue;
            }
            let outermost = w
                .ancestors(*s)
                .into_iter()
                .rev()
                .find(|c| w.compound(*c).permits.contains(&CapabilityId(i)));
            match outermost {
                Some(c) => {
                    let inside = w.leaves_of(c);
                    yes.push(format!(
                        "any state within `{}` ({})",
                        w.compound(c).name,
                        names(&mut inside.iter().copied()).join(", ")
                    ));
                    grouped.extend(inside);
                }
                None => yes.extend(names(&mut std::iter::once(*s))),
            }
        }
        // With regions, the states of a region that never names the
        // capability do not forbid it: they are not listed, and the region
        // is named in a column of its own.
        let names_it = |r: usize| turnstile_spec::regions::names(w, r, CapabilityId(i));
        let no = names(
            &mut (0..w.states.len())
                .map(StateId)
                .filter(|s| !permitting.contains(s) && w.region_of(*s).is_none_or(names_it)),
        );
        let mut cells = vec![
            format!("`{}`", capability.name.as_str()),
            list(&yes),
            list(&no),
        ];
        if !w.regions.is_empty() {
            let free: Vec<String> = (0..w.regions.len())
                .filter(|r| !names_it(*r))
                .map(|r| format!("`{}`", w.region_name(r)))
                .collect();
            cells.push(list(&free));
        }
        cells.push(capability.summary.as_deref().map(cell).unwrap_or_default());
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

/// The events some transition of which names `role`, in declaration order,
/// each with the wait its transitions impose (`not_before`): an event the
/// role may fire only so long after entering a state says so here, since
/// it is refused until then.
fn events_by(w: &Workflow, role: RoleId) -> Vec<String> {
    w.events()
        .iter()
        .filter(|e| {
            e.transitions
                .iter()
                .any(|t| w.transition(*t).by.contains(&role))
        })
        .map(|e| {
            let waits: Vec<String> = e
                .transitions
                .iter()
                .map(|t| w.transition(*t))
                .filter(|t| t.by.contains(&role))
                .filter_map(|t| {
                    let timer = t.timer.as_ref().filter(|timer| !timer.automatic)?;
                    Some(format!("not until {} {}", timer.text, entering(w, t)))
                })
                .collect();
            if waits.is_empty() {
                format!("`{}`", e.name.as_str())
            } else {
                format!("`{}` ({})", e.name.as_str(), waits.join("; "))
            }
        })
        .collect()
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

/// A summary as one table cell: no line break, no column separator.
fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use turnstile_spec::{load, SourceFile};

    fn workflow(text: &str) -> Workflow {
        load(&SourceFile::new("t.toml", text)).expect("valid")
    }

    #[test]
    fn roles_list_their_events_and_capabilities_both_directions() {
        let w = workflow(
            r#"
            [workflow]
            name = "t"
            initial = "a"
            [roles.staff]
            summary = "reviews | decides"
            [capabilities.view]
            summary = "view (001 §2)"
            [states.a]
            permits = ["view"]
            [states.b]
            final = true
            [[transitions]]
            event = "review"
            from = "a"
            to = "b"
            by = "staff"
            [[transitions]]
            event = "give_up"
            from = "a"
            to = "b"
            "#,
        );
        let page = markdown(&[w], "turnstile access t.toml");
        assert!(
            page.contains("| `staff` | `review` | reviews \\| decides |"),
            "{page}"
        );
        assert!(page.contains("No role restricts: `give_up`."), "{page}");
        assert!(
            page.contains("| `view` | `a` | `b` | view (001 §2) |"),
            "{page}"
        );
        assert!(page.contains("`turnstile access t.toml`"), "{page}");
    }

    #[test]
    fn a_workflow_without_roles_or_capabilities_says_so() {
        let w = workflow(
            r#"
            [workflow]
            name = "t"
            initial = "a"
            [states.a]
            [states.b]
            final = true
            [[transitions]]
            event = "go"
            from = "a"
            to = "b"
            "#,
        );
        let page = markdown(&[w], "x");
        assert!(page.contains("None: anyone holding the machine may fire every event."));
        assert!(page.contains("None: the definition states no capability"));
    }

    /// A compound's capability is listed once, with the states inside it
    /// that inherit it.
    #[test]
    fn a_compounds_capability_is_listed_once_with_its_states() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/ui/workflows/nested.toml"
        ))
        .unwrap();
        let page = markdown(&[workflow(&text)], "turnstile access");
        assert!(
            page.contains(
                "| `log_in` | `good`, any state within `limited` (`restricted`, `frozen_plain`, `frozen_review`) | `closed` |"
            ),
            "{page}"
        );
        assert!(
            page.contains(
                "| `buy` | `good` | `restricted`, `frozen_plain`, `frozen_review`, `closed` |"
            ),
            "{page}"
        );
    }
}
