//! How turnstile words what it tells people, in one place: the runtime's
//! refusals (`turnstile-runtime`, which re-exports this as its `words`)
//! and the checker's diagnostics (`turnstile-spec`) say durations the same
//! way and suggest the same names.
//!
//! A crate of its own so that the checker, which every `#[derive(Workflow)]`
//! build compiles for the host, does not compile the runtime for the host
//! too: the two share these functions and nothing else.

#![forbid(unsafe_code)]

use std::time::Duration;

/// A duration in whole days, hours, minutes and seconds, largest first:
/// `90d`, `1d 12h`, `23h 59m`, `500ms` below a second.
///
/// ```
/// # use std::time::Duration;
/// use turnstile_words::compact_duration;
/// assert_eq!(compact_duration(Duration::from_secs(36 * 3600)), "1d 12h");
/// assert_eq!(compact_duration(Duration::from_millis(500)), "500ms");
/// ```
pub fn compact_duration(d: Duration) -> String {
    let mut secs = d.as_secs();
    if secs == 0 {
        return format!("{}ms", d.as_millis());
    }
    let mut parts = Vec::new();
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if secs >= size {
            parts.push(format!("{}{unit}", secs / size));
            secs %= size;
        }
    }
    parts.join(" ")
}

/// The closest candidate to `name`, if any is close enough to be a likely
/// typo: one edit away (a letter added, dropped, changed, or two
/// neighbours swapped: `aks` for `ask`) for a name of three letters or
/// more, or with a Jaro-Winkler similarity above 0.8 (which finds the
/// longer slips, but scores a swap in a short name low).
///
/// ```
/// use turnstile_words::did_you_mean;
/// assert_eq!(did_you_mean("clsoe", ["open", "close"]), Some("close"));
/// assert_eq!(did_you_mean("aks", ["ask", "solve"]), Some("ask"));
/// assert_eq!(did_you_mean("solv", ["ask", "solve"]), Some("solve"));
/// assert_eq!(did_you_mean("zzz", ["open", "close"]), None);
/// ```
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .collect();
    let best = |pool: &mut dyn Iterator<Item = &(f64, &'a str)>| {
        pool.max_by(|a, b| a.0.total_cmp(&b.0)).map(|(_, c)| *c)
    };
    if name.chars().count() >= 3 {
        let one_edit = best(
            &mut scored
                .iter()
                .filter(|(_, c)| strsim::osa_distance(name, c) == 1),
        );
        if one_edit.is_some() {
            return one_edit;
        }
    }
    best(&mut scored.iter().filter(|(score, _)| *score > 0.8))
}

/// How a condition on another parallel region is worded, the same in the
/// compile error of a typed call (the generated bound's message) and in a
/// refusal by name (the runtime's `Why::Condition`): one owner, so the two
/// cannot drift.
///
/// ```
/// use turnstile_words::condition_words;
/// assert_eq!(
///     condition_words("account", "close", "partner", &["no_partner"]),
///     "account: event `close` needs region `partner` to be in `no_partner`"
/// );
/// assert_eq!(
///     condition_words("account", "buy", "restriction", &["good", "watched", "warned"]),
///     "account: event `buy` needs region `restriction` to be in `good`, `watched` or `warned`"
/// );
/// ```
pub fn condition_words(workflow: &str, event: &str, region: &str, needs: &[&str]) -> String {
    let list: Vec<String> = needs.iter().map(|s| format!("`{s}`")).collect();
    let list = match list.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => list.concat(),
    };
    format!("{workflow}: event `{event}` needs region `{region}` to be in {list}")
}
