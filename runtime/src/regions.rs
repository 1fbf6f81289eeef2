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
//! | `start` | where the trail starts: per region `region`, `state`, `entered_at` (the initial configuration for a machine started with `Current::start`; the configuration it was resumed in for one made with `Current::resume`) |
//! | `regions` | per region: `region`, `state`, `entered_at` (RFC 3339 in UTC) |
//! | `data` | the workflow's data, as its own `Serialize` writes it |
//! | `trail` | per step: `event`, `at`, `actor` (if said) and `moved`, each region it moved with `region`, `from`, `to` |
//!
//! The generated `Current::snapshot` writes one and `Current::from_snapshot`
//! reads one back, refusing (with [`LoadError`](crate::LoadError)) another
//! format, workflow or fingerprint, regions missing, repeated, out of
//! order or in a state not theirs, and a trail that does not replay along
//! the definition's transitions from `start` to the stored configuration
//! (each region's `entered_at` the instant of the last step that moved
//! it, or its instant in `start`).

use std::time::SystemTime;

/// A workflow with parallel regions by name, as a store or a runner
/// holds it: implemented by `#[derive(Workflow)]` on the data type of a
/// workflow with regions (unless `dispatch = false`), each method the
/// generated `Current`'s of the same name.
pub trait Parallel: crate::Workflow + Sized {
    /// The generated `Current`: the configuration as values.
    type Current;
    /// The fingerprint of the definition compiled in.
    const FINGERPRINT: &'static str;
    /// The regions' names, in order.
    const REGIONS: &'static [&'static str];
    /// The events that happen by themselves once due (`after`): a timer
    /// runner fires them, no caller does.
    const AUTOMATIC: &'static [&'static str];
    /// Each region in its initial state, entered at `now`.
    fn start(data: Self, now: SystemTime) -> Self::Current;
    /// The configuration of `states` (one per region, in order), each
    /// entered at its instant in `entered_at`, with no trail: the data is
    /// handed back for a name that is not a state of its region or lists
    /// that are not one per region.
    fn resume(
        states: &[&str],
        data: Self,
        entered_at: &[SystemTime],
    ) -> Result<Self::Current, Self>;
    /// The events allowed now (every region each moves in a source state,
    /// every condition holding), in declaration order.
    fn allowed(current: &Self::Current) -> Vec<&'static str>;
    /// What `actor` may fire now: the events [`Parallel::allowed`] gives
    /// that do not happen by themselves, and whose roles (`by`, in each
    /// region's state) the actor holds, if they name any.
    fn allowed_for(current: &Self::Current, actor: &crate::Actor<'_>) -> Vec<&'static str> {
        let states: Vec<usize> = Self::states(current)
            .iter()
            .filter_map(|s| Self::STATES.iter().position(|x| x == s))
            .collect();
        Self::allowed(current)
            .into_iter()
            .filter(|event| !Self::AUTOMATIC.contains(event))
            .filter(|event| {
                states
                    .iter()
                    .all(|s| crate::roles::role_for::<Self>(*s, event, actor).is_ok())
            })
            .collect()
    }
    /// Each region's state, in the order of [`Parallel::REGIONS`].
    fn states(current: &Self::Current) -> Vec<&'static str>;
    /// When each region entered its state.
    fn entered_at(current: &Self::Current) -> Vec<SystemTime>;
    /// The data.
    fn data(current: &Self::Current) -> &Self;
    /// The data, to change (a change of it is not recorded in the trail).
    fn data_mut(current: &mut Self::Current) -> &mut Self;
    /// Whether the configuration permits `capability`: every region that
    /// names it in some state's `permits` is in a state that permits it
    /// ([`permits`]).
    fn permits(current: &Self::Current, capability: &str) -> bool;
    /// The audit trail, oldest first.
    fn trail(current: &Self::Current) -> &[RegionStep];
    /// The earliest automatic timer that can fire, and when it falls due.
    fn next_due(current: &Self::Current) -> Option<(&'static str, SystemTime)>;
    /// Fires `event` with `payload` as `actor` at `now`.
    fn fire_with(
        current: Self::Current,
        event: &str,
        payload: Option<&str>,
        actor: &crate::Actor<'_>,
        now: SystemTime,
    ) -> Result<Self::Current, crate::Refused<Self::Current>>;
    /// Fires the automatic timer that fell due first by `now`.
    fn fire_due(
        current: Self::Current,
        now: SystemTime,
    ) -> Result<(Self::Current, &'static str), crate::Refused<Self::Current>>;
    /// The stored form, with the data by reference.
    fn snapshot(current: &Self::Current) -> Snapshot<&Self>;
    /// The configuration a snapshot stored, checked.
    fn from_snapshot(snapshot: Snapshot<Self>) -> Result<Self::Current, crate::LoadError>;
}

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

/// One region moved by a step: its name, the state it left and the state
/// it entered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
pub struct Moved {
    /// The region.
    pub region: String,
    /// The state it left.
    pub from: String,
    /// The state it entered.
    pub to: String,
}

/// One step of a workflow with regions, as its audit trail records it:
/// the event, when, by whom, and every region it moved (several for a
/// joint move, in the order of the generated `REGIONS`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
pub struct RegionStep {
    /// The event fired.
    pub event: String,
    /// When, on the caller's clock.
    #[cfg_attr(feature = "serde", serde(with = "crate::snapshot::instant"))]
    pub at: SystemTime,
    /// Who fired it (`"timer"` for an automatic transition), if the caller
    /// said.
    pub actor: Option<String>,
    /// The role the actor fired it in, when its transitions name roles in
    /// `by`: the first of them the actor holds.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub role: Option<String>,
    /// What the event brought, when its definition says `payload`: the
    /// payload's text, or `sha256:…`, its digest, for a sensitive one.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub payload: Option<String>,
    /// The regions it moved.
    pub moved: Vec<Moved>,
}

/// Why a stored trail does not replay to its configuration, or `None`
/// when it does: the steps, from `start` (one per region, in the order of
/// `regions`), move each region along `transitions` (`(event, region,
/// from, to)`, every move the definition has), none before the region it
/// moves entered the state it leaves (each region's clock is its own, so
/// steps of different regions may be recorded out of time order), and end
/// in `end`, each region entered at its instant there.
pub fn replay(
    regions: &[&str],
    transitions: &[(&str, usize, &str, &str)],
    start: &[RegionState],
    trail: &[RegionStep],
    end: &[RegionState],
) -> Option<(usize, String)> {
    let mut at: Vec<String> = start.iter().map(|s| s.state.clone()).collect();
    let mut since: Vec<SystemTime> = start.iter().map(|s| s.entered_at).collect();
    for (i, step) in trail.iter().enumerate() {
        let fail = |problem: String| Some((i, problem));
        if step.moved.is_empty() {
            return fail(format!("`{}` moves no region", step.event));
        }
        for m in &step.moved {
            let Some(r) = regions.iter().position(|name| *name == m.region) else {
                return fail(format!("there is no region `{}`", m.region));
            };
            // Each region's clock is its own: a runner may record a timer
            // of one region after a later step of another, but no step
            // moves a region before it entered the state it leaves.
            if step.at < since[r] {
                return fail(format!(
                    "`{}` moves region `{}` before it entered `{}`",
                    step.event, m.region, m.from
                ));
            }
            if at[r] != m.from {
                return fail(format!(
                    "`{}` leaves `{}` of region `{}`, which is in `{}`",
                    step.event, m.from, m.region, at[r]
                ));
            }
            let declared = transitions.iter().any(|(e, region, from, to)| {
                *e == step.event && *region == r && *from == m.from && *to == m.to
            });
            if !declared {
                return fail(format!(
                    "`{}` takes region `{}` from `{}` to `{}`, which the definition does not",
                    step.event, m.region, m.from, m.to
                ));
            }
            at[r] = m.to.clone();
            since[r] = step.at;
        }
    }
    let states: Vec<&str> = end.iter().map(|s| s.state.as_str()).collect();
    if at.iter().map(String::as_str).ne(states.iter().copied()) {
        return Some((
            trail.len(),
            format!("the trail ends in {at:?}, not in {states:?}"),
        ));
    }
    if end.iter().map(|s| s.entered_at).ne(since.iter().copied()) {
        return Some((
            trail.len(),
            "the instants the regions entered their states are not the trail's".to_string(),
        ));
    }
    None
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
    /// Where the trail starts: each region's state and when it entered it.
    pub start: Vec<RegionState>,
    /// Each region's state, in the order of the generated `REGIONS`.
    pub regions: Vec<RegionState>,
    /// The workflow's data.
    pub data: D,
    /// The audit trail, oldest first.
    pub trail: Vec<RegionStep>,
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

/// What an event of a workflow with regions moves and asks, as a table:
/// the generated `Current` answers `allowed` and `moves` from these, and
/// fires an event that only moves (no guard, timer, role, payload or
/// branch) with [`fire_plain`] rather than with code of its own, which
/// keeps a large definition's build small.
#[derive(Debug, Clone, Copy)]
pub struct EventShape {
    /// The event's name.
    pub name: &'static str,
    /// The names of the regions it moves, in region order.
    pub moved: &'static [&'static str],
    /// Per moved region, in region order: the region, and each
    /// `(from, to)` of its states (by position in the workflow's states).
    pub moves: &'static [(usize, &'static [(usize, usize)])],
    /// Per condition, in region order: the region, the states it accepts,
    /// and the names as written.
    pub conditions: &'static [(usize, &'static [usize], &'static [&'static str])],
}

/// The tables of a workflow with regions that [`fire_plain`] reads.
#[derive(Debug, Clone, Copy)]
pub struct Tables {
    /// The workflow's name.
    pub workflow: &'static str,
    /// The regions' names, in order.
    pub regions: &'static [&'static str],
    /// Every state's name (the workflow's `STATES`).
    pub states: &'static [&'static str],
    /// The events each state allows (the workflow's `ALLOWED`).
    pub allowed: &'static [&'static [&'static str]],
    /// Whether the machine keeps when each region entered its state.
    pub timed: bool,
}

/// Fires a plain event on a configuration (`states`, `entered_at`, by
/// position in the workflow's states), with the checks the generated code
/// makes of every event, in the same order: each moved region in a
/// source state (`Why::NotAllowed`), each condition (`Why::Condition`),
/// no payload given (`Why::BadPayload`), the clock not behind
/// (`Why::ClockBehind`). On success the regions move, each entered at
/// `now`, and `trail` gets the step; on a refusal nothing changes.
#[allow(clippy::too_many_arguments)]
pub fn fire_plain(
    tables: &Tables,
    event: &EventShape,
    payload: Option<&str>,
    states: &mut [usize],
    entered_at: &mut [SystemTime],
    trail: &mut Vec<RegionStep>,
    actor: &crate::Actor<'_>,
    now: SystemTime,
) -> Result<(), crate::Why> {
    let mut targets = Vec::with_capacity(event.moves.len());
    for (region, moves) in event.moves {
        let here = states[*region];
        match moves.iter().find(|(from, _)| *from == here) {
            Some((_, to)) => targets.push((*region, *to)),
            None => {
                return Err(crate::Why::NotAllowed {
                    workflow: tables.workflow,
                    event: event.name,
                    state: tables.states[here],
                    allowed: tables.allowed[here],
                })
            }
        }
    }
    for (region, accepted, needs) in event.conditions {
        let here = states[*region];
        if !accepted.contains(&here) {
            return Err(crate::Why::Condition {
                workflow: tables.workflow,
                event: event.name,
                region: tables.regions[*region],
                needs,
                state: tables.states[here],
            });
        }
    }
    let first = event.moves.first().map_or(0, |(r, _)| *r);
    if payload.is_some() {
        return Err(crate::Why::BadPayload {
            workflow: tables.workflow,
            event: event.name,
            state: tables.states[states[first]],
            expected: None,
            problem: "one was given".to_string(),
        });
    }
    if tables.timed {
        for (region, _) in event.moves {
            if now < entered_at[*region] {
                return Err(crate::Why::ClockBehind {
                    workflow: tables.workflow,
                    event: event.name.to_string(),
                    state: tables.states[states[*region]],
                    entered_at: entered_at[*region],
                    now,
                });
            }
        }
    }
    let mut moved = Vec::with_capacity(targets.len());
    for (region, to) in targets {
        moved.push(Moved {
            region: tables.regions[region].to_string(),
            from: tables.states[states[region]].to_string(),
            to: tables.states[to].to_string(),
        });
        states[region] = to;
        if tables.timed {
            entered_at[region] = now;
        }
    }
    trail.push(RegionStep {
        event: event.name.to_string(),
        at: now,
        actor: actor.id().map(str::to_string),
        role: None,
        payload: None,
        moved,
    });
    Ok(())
}

/// Whether `event` is allowed in the configuration `states`: every region
/// it moves in one of its source states, every condition met.
pub fn allows(event: &EventShape, states: &[usize]) -> bool {
    event
        .moves
        .iter()
        .all(|(region, moves)| moves.iter().any(|(from, _)| *from == states[*region]))
        && event
            .conditions
            .iter()
            .all(|(region, accepted, _)| accepted.contains(&states[*region]))
}
