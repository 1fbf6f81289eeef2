//! Workflows with parallel regions at run time (docs/regions.md): the
//! stored form of a configuration, and the rule by which capabilities
//! combine across regions, which the typed machine and the by-name
//! `Current` both call.
//!
//! A configuration is stored as a [`Snapshot`]: one [`RegionState`] per
//! region, in the order of the generated `REGIONS`, with the fingerprint
//! of the definition and the data. With the `serde` feature it serializes
//! with these fields, in this order:
//!
//! | field | what |
//! |---|---|
//! | `format` | `"turnstile-regions/1"` |
//! | `workflow` | the workflow's name |
//! | `fingerprint` | the fingerprint of the definition it runs under |
//! | `regions` | per region: `region`, `state`, `entered_at` (RFC 3339 in UTC) |
//! | `data` | the workflow's data, as its own `Serialize` writes it |
//!
//! The generated `Current::snapshot` writes one and `Current::from_snapshot`
//! reads one back, refusing (with [`LoadError`](crate::LoadError)) another
//! format, workflow or fingerprint, and regions missing, repeated, out of
//! order or in a state not theirs.

use std::time::SystemTime;

/// The format tag of the configurations this version writes.
pub const FORMAT: &str = "turnstile-regions/1";

/// One region's part of a stored configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
pub struct RegionState {
    /// The region's name.
    pub region: String,
    /// The state it is in.
    pub state: String,
    /// When it entered that state: what its timers count from.
    #[cfg_attr(feature = "serde", serde(with = "crate::snapshot::instant"))]
    pub entered_at: SystemTime,
}

/// The stored form of a workflow with regions, with data of type `D`
/// (`&Data` when written, `Data` when read back).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
pub struct Snapshot<D> {
    /// [`FORMAT`].
    pub format: String,
    /// The workflow's name.
    pub workflow: String,
    /// The fingerprint of the definition the configuration runs under.
    pub fingerprint: String,
    /// Each region's state, in the order of the generated `REGIONS`.
    pub regions: Vec<RegionState>,
    /// The workflow's data.
    pub data: D,
}

/// Whether a configuration permits `capability`: every region that names
/// it in some state's `permits` is in a state that permits it; a region
/// that never names it does not restrict it; a capability no region names
/// is not permitted. `permits` is the workflow's `PERMITS` table (per
/// state), `leaves` each region's states and `states` each region's
/// current state, by position in the workflow's states.
pub fn permits(
    permits: &[&[&str]],
    leaves: &[&[usize]],
    states: &[usize],
    capability: &str,
) -> bool {
    let mut named = false;
    for (region, current) in leaves.iter().zip(states) {
        let speaks = region
            .iter()
            .any(|s| permits.get(*s).is_some_and(|p| p.contains(&capability)));
        if speaks {
            named = true;
            if !permits
                .get(*current)
                .is_some_and(|p| p.contains(&capability))
            {
                return false;
            }
        }
    }
    named
}

#[cfg(test)]
mod tests {
    use super::permits;

    #[test]
    fn a_capability_holds_where_no_region_that_names_it_forbids_it() {
        // Region 0: states 0 (buy, run), 1 (nothing). Region 1: states 2
        // (run), 3 (nothing). `fly` nowhere.
        let table: &[&[&str]] = &[&["buy", "run"], &[], &["run"], &[]];
        let leaves: &[&[usize]] = &[&[0, 1], &[2, 3]];
        assert!(permits(table, leaves, &[0, 2], "run"));
        assert!(
            !permits(table, leaves, &[0, 3], "run"),
            "region 1 forbids it"
        );
        assert!(
            permits(table, leaves, &[0, 3], "buy"),
            "region 1 never names it"
        );
        assert!(!permits(table, leaves, &[1, 2], "buy"));
        assert!(
            !permits(table, leaves, &[0, 2], "fly"),
            "no region names it"
        );
    }
}
