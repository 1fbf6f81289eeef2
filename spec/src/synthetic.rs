//! Synthetic definitions of any size, for benchmarks and scale tests.

use std::fmt::Write;

/// A valid definition with `states` states and about `per_state`
/// transitions leaving each: `s0 → s1 → … → s{n-1}` (final) keeps every state
/// reachable and able to finish, and the other transitions jump to states
/// spread over the whole workflow, forward and back. Events are named
/// `e0`, `e1`, … per source state, so no event is nondeterministic.
///
/// The same arguments always give the same text.
pub fn definition(states: usize, per_state: usize) -> String {
    let states = states.max(1);
    let mut out = String::with_capacity(states * (per_state + 1) * 64);
    let _ = writeln!(out, "[workflow]\nname = \"synthetic\"\ninitial = \"s0\"\n");
    for i in 0..states {
        let _ = writeln!(out, "[states.s{i}]\nsummary = \"State number {i}.\"");
        if i == states - 1 {
            out.push_str("final = true\n");
        }
    }
    for i in 0..states.saturating_sub(1) {
        let _ = writeln!(
            out,
            "\n[[transitions]]\nevent = \"e0\"\nfrom = \"s{i}\"\nto = \"s{}\"",
            i + 1
        );
        for k in 1..per_state {
            // A multiplicative hash: spread targets without a random generator.
            let to = (i.wrapping_mul(2_654_435_761).wrapping_add(k * 40_503)) % states;
            let _ = writeln!(
                out,
                "\n[[transitions]]\nevent = \"e{k}\"\nfrom = \"s{i}\"\nto = \"s{to}\"\nsummary = \"Jump {k} from {i}.\""
            );
        }
    }
    out
}

/// A chain of `states` states (at least 3), each with events of its own:
/// `next_i` to the next state, `skip_i` past it and `back_i` to the one
/// before; the last state is final. Every event name is different, so
/// every edge has a label of its own: the shape whose labels run together
/// where a layout does not place them with care.
pub fn chain(states: usize) -> String {
    let n = states.max(3);
    let mut out = String::with_capacity(n * 200);
    let _ = writeln!(out, "[workflow]\nname = \"chain\"\ninitial = \"s0\"\n");
    for i in 0..n {
        let _ = writeln!(out, "[states.s{i}]");
        if i == n - 1 {
            out.push_str("final = true\n");
        }
    }
    for i in 0..n - 1 {
        let _ = writeln!(
            out,
            "[[transitions]]\nevent = \"next_{i}\"\nfrom = \"s{i}\"\nto = \"s{}\"\n",
            i + 1
        );
        let _ = writeln!(
            out,
            "[[transitions]]\nevent = \"skip_{i}\"\nfrom = \"s{i}\"\nto = \"s{}\"\n",
            (i + 2).min(n - 1)
        );
        if i > 0 {
            let _ = writeln!(
                out,
                "[[transitions]]\nevent = \"back_{i}\"\nfrom = \"s{i}\"\nto = \"s{}\"\n",
                i - 1
            );
        }
    }
    out
}

/// A valid definition of `states` states that uses every part the
/// checker of properties reads, with one property of each form: a chain
/// `s0 → … → s{n-1}` (final) that an automatic timer (`after = "1h"`)
/// moves along, a person's `skip` forward and `back` (roles `clerk` and
/// `staff`, guarded every third state), a `not_before` on every fifth,
/// capabilities on alternate states, and properties that hold and that
/// break. For the checker's benchmark and scale tests.
pub fn with_properties(states: usize) -> String {
    let n = states.max(4);
    let mut out = String::with_capacity(n * 300);
    let _ = writeln!(
        out,
        "[workflow]\nname = \"promises\"\ninitial = \"s0\"\n\n[roles.clerk]\n[roles.staff]\n[capabilities.even]\n[capabilities.odd]\n[guards.ready]\n"
    );
    for i in 0..n {
        let permits = if i % 2 == 0 { "even" } else { "odd" };
        let _ = writeln!(out, "[states.s{i}]\npermits = \"{permits}\"");
        if i == n - 1 {
            out.push_str("final = true\n");
        }
    }
    for i in 0..n - 1 {
        let _ = writeln!(
            out,
            "\n[[transitions]]\nevent = \"tick\"\nfrom = \"s{i}\"\nto = \"s{}\"\nafter = \"1h\"",
            i + 1
        );
        let guard = if i % 3 == 0 {
            "guard = \"ready\"\n"
        } else {
            ""
        };
        let wait = if i % 5 == 0 {
            "not_before = \"10m\"\n"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "\n[[transitions]]\nevent = \"skip\"\nby = \"clerk\"\nfrom = \"s{i}\"\nto = \"s{}\"\n{guard}{wait}",
            (i + 2).min(n - 1)
        );
        if i > 0 && i % 7 == 0 {
            let _ = writeln!(
                out,
                "\n[[transitions]]\nevent = \"back\"\nby = \"staff\"\nfrom = \"s{i}\"\nto = \"s{}\"",
                i - 1
            );
        }
    }
    let last = n - 1;
    let _ = writeln!(
        out,
        "
[properties.odd_never_even]
never_permits = \"even\"
in = [\"s1\", \"s3\"]

[properties.even_always_even]
always_permits = \"even\"
in = [\"s0\", \"s2\"]

[properties.the_end_is_reachable]
reachable = \"s{last}\"

[properties.the_start_is_not_reached_again]
unreachable = \"s0\"
from = \"s1\"

[properties.the_end_is_final]
never_leaves = \"s{last}\"

[properties.the_end_comes]
reaches = \"s{last}\"
from = \"s0\"

[properties.the_end_comes_in_time]
reaches = \"s{last}\"
from = \"s{}\"
within = \"10h\"

[properties.everyone_moves]
can_leave = \"*\"

[properties.clerks_move]
left_only_by = \"*\"
by = \"clerk\"

[properties.the_end_after_a_tick]
enters = \"s{last}\"
only_after = \"tick\"
",
        last.saturating_sub(8)
    );
    out
}

#[cfg(test)]
mod tests {
    /// The checker on a large definition with one property of each form:
    /// the ones that must hold hold and the others break, each with a run.
    #[test]
    fn every_form_is_proved_or_broken_at_scale() {
        use crate::prove::{prove, Verdict};
        let text = super::with_properties(2_000);
        let w = crate::load(&crate::SourceFile::new("p.toml", text));
        // Broken properties are errors: the model comes from `check`.
        let w = match w {
            Ok(w) => w,
            Err(_) => crate::check(&crate::SourceFile::new(
                "p.toml",
                super::with_properties(2_000),
            ))
            .partial
            .expect("a model"),
        };
        let verdicts: Vec<(&str, bool)> = prove(&w)
            .iter()
            .zip(&w.properties)
            .map(|(v, p)| (p.name.as_str(), *v == Verdict::Holds))
            .collect();
        assert_eq!(
            verdicts,
            [
                ("odd_never_even", true),
                ("even_always_even", true),
                ("the_end_is_reachable", true),
                // `back` only goes from s7k to s7k − 1, never to s0.
                ("the_start_is_not_reached_again", true),
                ("the_end_is_final", true),
                // `back` makes loops: s7 → s6 → s7 → …
                ("the_end_comes", false),
                // From s1991 the ticks take 8h, within 10h, but s1995 has
                // a `back`: s1995 → s1994 → s1995 → … forever.
                ("the_end_comes_in_time", false),
                ("everyone_moves", true),
                // The timer's `tick` leaves every state.
                ("clerks_move", false),
                // Skips alone go s0 → s2 → … → s1998 → s1999.
                ("the_end_after_a_tick", false),
            ]
        );
    }

    #[test]
    fn synthetic_definitions_are_valid_at_any_size() {
        for (states, per_state) in [(1, 5), (2, 1), (50, 5), (300, 3)] {
            let text = super::definition(states, per_state);
            let file = crate::SourceFile::new("synthetic.toml", text);
            let w = crate::load(&file).unwrap_or_else(|d| panic!("{states}/{per_state}: {d:?}"));
            assert_eq!(w.states.len(), states);
            assert_eq!(w.transitions.len(), (states - 1) * per_state);
        }
    }
}
