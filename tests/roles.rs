//! Roles by name against the definition: random events fired by random
//! actors (each holding a random set of the workflow's roles, or none) at
//! a workflow with roles on guarded, branching, timed and several-source
//! transitions. Each result must be what the definition says, in the
//! order the runtime checks: no such event, not allowed here, a role the
//! actor does not hold (`Forbidden`), an automatic timer that comes first,
//! the event's own timer, the guard; a refusal changes nothing. Dispatch
//! by name calls the typed methods with the evidence of a role it has
//! checked, so this also checks that the typed and by-name paths agree.
//! And an `Instance` records the role each step was fired in.

use std::hash::{Hash, Hasher};
use std::time::{Duration, SystemTime};

use proptest::prelude::*;
use turnstile::{Actor, Dispatch, Instance, Why, Workflow};
use turnstile_spec::{StateId, Workflow as Model};

/// The ticket of `unbinding.toml`, its guard and outcome answered from `seed`.
#[derive(Workflow, Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[workflow(file = "workflows/tests/fixtures/unbinding.toml")]
pub struct Unbinding {
    seed: u64,
}

fn hash(seed: u64, name: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (seed, name).hash(&mut h);
    h.finish()
}

impl unbinding::Guards for Unbinding {
    fn materials_complete(&self) -> bool {
        !hash(self.seed, "materials_complete").is_multiple_of(4)
    }
}

impl unbinding::Outcomes for Unbinding {
    fn review(&self) -> unbinding::choice::Review {
        if hash(self.seed, "review").is_multiple_of(2) {
            unbinding::choice::Review::Approved
        } else {
            unbinding::choice::Review::Rejected
        }
    }
}

/// What the definition says firing `event` by an actor holding `held` in
/// `state` (entered at `entered`) at `now` does: the target, or why not.
fn expected(
    w: &Model,
    state: StateId,
    entered: SystemTime,
    (event, held): (&str, &[&str]),
    seed: u64,
    now: SystemTime,
) -> Result<StateId, String> {
    if !w.transitions.iter().any(|t| t.event.as_str() == event) {
        return Err(format!("unknown {event}"));
    }
    let outgoing: Vec<_> = w.transitions_from(state).map(|(_, t)| t).collect();
    let Some(t) = outgoing.iter().find(|t| t.event.as_str() == event) else {
        return Err(format!("not allowed {event}"));
    };
    let roles: Vec<&str> = t.by.iter().map(|r| w.role(*r).name.as_str()).collect();
    if !roles.is_empty() && !roles.iter().any(|r| held.contains(r)) {
        return Err(format!("forbidden {event} for {held:?}, allowed {roles:?}"));
    }
    let due = |after: Duration| now >= entered + after;
    for other in &outgoing {
        if let Some(timer) = other.timer.as_ref().filter(|t| t.automatic) {
            if other.event != t.event && due(timer.after) {
                return Err(format!("overdue {}", other.event));
            }
        }
    }
    if let Some(timer) = &t.timer {
        if !due(timer.after) {
            return Err(format!("not yet {event}"));
        }
    }
    for g in &t.guards {
        let guard = w.guard(*g).name.as_str();
        if hash(seed, guard).is_multiple_of(4) {
            return Err(format!("guard {guard}"));
        }
    }
    if t.is_branch() {
        let approved = hash(seed, event).is_multiple_of(2);
        return Ok(t.to[usize::from(!approved)]);
    }
    Ok(t.to[0])
}

fn observed(why: &Why) -> String {
    match why {
        Why::UnknownEvent { event, .. } => format!("unknown {event}"),
        Why::NotAllowed { event, .. } => format!("not allowed {event}"),
        Why::Forbidden {
            event,
            allowed,
            held,
            ..
        } => format!("forbidden {event} for {held:?}, allowed {allowed:?}"),
        Why::Overdue(r) => format!("overdue {}", r.preempted_by().unwrap_or("?")),
        Why::NotYet(r) => format!("not yet {}", r.event()),
        Why::Guard(r) => format!("guard {}", r.guard().unwrap_or("?")),
        other => format!("unexpected {other}"),
    }
}

fn model() -> Model {
    let file = turnstile_spec::SourceFile::new("unbinding.toml", Unbinding::DEFINITION);
    turnstile_spec::load(&file).expect("a valid definition")
}

const WAITS: [Duration; 5] = [
    Duration::ZERO,
    Duration::from_secs(3600),
    Duration::from_secs(24 * 3600),
    Duration::from_secs(29 * 24 * 3600),
    Duration::from_secs(30 * 24 * 3600),
];

/// The roles of an actor: a subset of the workflow's, from `mask`.
fn held(mask: u8) -> Vec<&'static str> {
    Unbinding::ROLES
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, r)| *r)
        .collect()
}

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_510_800)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn roles_by_name_follow_the_definition(
        steps in prop::collection::vec((0usize..8, 0u8..8, any::<u64>(), 0usize..5), 1..40)
    ) {
        let w = model();
        let mut names: Vec<&str> = Unbinding::EVENTS.to_vec();
        names.push("no_such_event");
        let mut now = t0();
        let mut current = <Unbinding as Dispatch>::start(Unbinding::default(), now);
        let mut state = w.initial;
        let mut entered = now;
        for (event, mask, seed, wait) in steps {
            let event = names[event % names.len()];
            let roles = held(mask);
            let actor = Actor::new("someone").with_roles(&roles);
            now += WAITS[wait];
            Unbinding::data_mut(&mut current).seed = seed;
            let want = expected(&w, state, entered, (event, &roles), seed, now);
            current = match (Unbinding::fire_as(current, event, &actor, now), want) {
                (Ok(next), Ok(target)) => {
                    prop_assert_eq!(Unbinding::state(&next), w.state(target).name.as_str());
                    state = target;
                    entered = now;
                    next
                }
                (Err(refused), Err(reason)) => {
                    prop_assert_eq!(observed(refused.why()), reason);
                    let back = refused.into_inner();
                    prop_assert_eq!(Unbinding::state(&back), w.state(state).name.as_str());
                    back
                }
                (got, want) => {
                    return Err(TestCaseError::fail(format!(
                        "`{event}` by {roles:?} in `{}`: got {:?}, the definition says {:?}",
                        w.state(state).name,
                        got.map(|c| Unbinding::state(&c)).map_err(|r| r.why().to_string()),
                        want.map(|t| w.state(t).name.to_string()),
                    )));
                }
            };
        }
    }
}

/// A seed whose answers are: materials complete, and approved.
fn agreeable() -> u64 {
    (0..)
        .find(|s| {
            !hash(*s, "materials_complete").is_multiple_of(4)
                && hash(*s, "review").is_multiple_of(2)
        })
        .unwrap()
}

#[test]
fn the_trail_records_the_role_each_step_was_fired_in() {
    let seed = agreeable();
    let start = Instance::<Unbinding>::start(Unbinding { seed }, t0());
    let member = Actor::new("member-1").with_roles(&["customer", "master"]);
    let submitted = start.fire("submit", member, t0()).expect("submitted");
    let agent = Actor::new("agent-7").with_roles(&["staff"]);
    // The customer may not review; a refusal leaves the trail as it was.
    let refused = submitted
        .fire("review", member, t0())
        .expect_err("only staff reviews");
    assert!(matches!(
        refused.why(),
        Why::Forbidden {
            allowed: ["staff"],
            ..
        }
    ));
    let submitted = refused.into_inner();
    assert_eq!(submitted.trail().len(), 1);
    let reviewed = submitted.fire("review", agent, t0()).expect("reviewed");
    // Anonymous actors (`None`) fire what anyone may: here, nothing.
    let reviewed = reviewed
        .fire("withdraw", None, t0())
        .expect_err("withdrawing needs a role")
        .into_inner();
    let roles: Vec<(Option<&str>, Option<&str>)> = reviewed
        .trail()
        .iter()
        .map(|s| (s.actor.as_deref(), s.role.as_deref()))
        .collect();
    assert_eq!(
        roles,
        [
            (Some("member-1"), Some("customer")),
            (Some("agent-7"), Some("staff")),
        ]
    );
    // After 30 days the automatic `expire` would come first, but only from
    // `submitted`; the timer's own steps carry no role.
    let late = Instance::<Unbinding>::start(Unbinding { seed }, t0())
        .fire("submit", member, t0())
        .unwrap()
        .fire("review", agent, t0() + Duration::from_secs(31 * 24 * 3600))
        .expect_err("expired first");
    let last = late.inner().trail().last().unwrap();
    assert_eq!(
        (
            last.event.as_str(),
            last.actor.as_deref(),
            last.role.as_deref()
        ),
        ("expire", Some("timer"), None)
    );
}

/// The store: a role the actor lacks is refused and nothing is written;
/// the role of each step is stored and loads again.
#[tokio::test]
async fn the_store_refuses_a_missing_role_and_keeps_the_role_of_each_step() {
    use turnstile_store::{Store, StoreError};
    let store = Store::in_memory().await.expect("an in-memory store");
    let seed = agreeable();
    store
        .create("t-1", Instance::start(Unbinding { seed }, t0()))
        .await
        .expect("created");
    let agent = Actor::new("agent-7").with_roles(&["staff"]);
    match store.fire::<Unbinding>("t-1", "submit", agent, t0()).await {
        Err(StoreError::Refused { why, .. }) => assert!(
            matches!(
                *why,
                Why::Forbidden {
                    allowed: ["customer", "master"],
                    ..
                }
            ),
            "{why}"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let member = Actor::new("member-1").with_roles(&["master"]);
    let stored = store
        .fire::<Unbinding>("t-1", "submit", member, t0())
        .await
        .expect("submitted by the master account");
    assert_eq!(stored.version, 1);
    store
        .fire::<Unbinding>("t-1", "review", agent, t0())
        .await
        .expect("reviewed by staff");
    let loaded = store.load::<Unbinding>("t-1").await.expect("loads");
    let roles: Vec<(&str, Option<&str>)> = loaded
        .instance
        .trail()
        .iter()
        .map(|s| (s.event.as_str(), s.role.as_deref()))
        .collect();
    assert_eq!(
        roles,
        [("submit", Some("master")), ("review", Some("staff"))]
    );
}
