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

#[cfg(test)]
mod tests {
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
