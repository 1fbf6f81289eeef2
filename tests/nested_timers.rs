//! Timers of nested states (docs/nested-states.md, "Timers"): a compound
//! state's timer counts from entering the compound and moves between the
//! states inside it do not start it again; a state's own timer counts from
//! entering the state; a transition that names a compound as its target
//! enters it afresh; an automatic timer of any level that falls due first
//! comes first. Typed, by name, through an `Instance`, and after a
//! snapshot.

use std::time::{Duration, SystemTime};

use turnstile::{Dispatch, Instance, Refusal, Why, Workflow};

/// The data of the retention workflow.
#[derive(Workflow, Debug, Default, serde::Serialize, serde::Deserialize)]
#[workflow(file = "workflows/tests/fixtures/nested_timers.toml")]
pub struct Account {
    note: String,
}

use retention::{can, state, Machine};

const DAY: Duration = Duration::from_secs(24 * 3600);

fn day(n: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_510_800) + DAY * n as u32
}

/// Any state within `closed` may view, typed.
fn views<S: turnstile::State + state::In<state::Closed>>(m: &Machine<S>) -> bool
where
    Machine<S>: can::View,
{
    !m.entered_within().is_empty()
}

#[test]
fn a_compounds_timer_is_not_restarted_by_moves_inside_it() {
    let active = Machine::new(Account::default(), day(0));
    let kept: Machine<state::Kept> = active.close(day(0));
    assert_eq!(kept.entered_within(), [day(0)]);
    assert!(views(&kept));
    // Into `reviewing` (inside `closed`): `closed` keeps its instant.
    let waiting: Machine<state::Waiting> = kept.request_restore(day(10)).expect("nothing due");
    assert_eq!(waiting.entered_within(), [day(0), day(10)]);
    // Moves inside `reviewing` keep both instants.
    let asked = waiting.ask(day(20)).expect("nothing due");
    let waiting = asked.provide(day(25)).expect("nothing due");
    assert_eq!(waiting.entered_within(), [day(0), day(10)]);
    assert_eq!(waiting.entered_at(), day(25));
    // `review_lapses` counts 30d from entering `reviewing` (day 10), not
    // from entering `waiting` (day 25).
    let refused = waiting
        .review_lapses(day(40) - Duration::from_secs(1))
        .expect_err("not yet due");
    let wait = match refused.refusal() {
        Refusal::NotYet { wait, .. } => *wait,
        other => panic!("{other}"),
    };
    assert_eq!(wait.due(), Some(day(40)));
    assert_eq!(wait.entered_at, day(10));
    let waiting = refused.into_machine();
    let kept: Machine<state::Kept> = waiting.review_lapses(day(40)).expect("due");
    // `closed` was never left: its 90 days still count from day 0.
    assert_eq!(kept.entered_within(), [day(0)]);
    let kept = kept
        .retention_ends(day(89))
        .expect_err("day 89")
        .into_machine();
    let deleted = kept.retention_ends(day(90)).expect("day 90");
    assert_eq!(deleted.state(), "deleted");
}

#[test]
fn naming_a_compound_as_the_target_enters_it_afresh() {
    let kept = Machine::new(Account::default(), day(0)).close(day(0));
    let waiting = kept.request_restore(day(1)).expect("nothing due");
    let asked = waiting.ask(day(2)).expect("nothing due");
    // `restart_review` goes to `reviewing`: entered again at day 8, its
    // initial state with it; `closed` stays entered at day 0.
    let waiting: Machine<state::Waiting> = asked.restart_review(day(8)).expect("nothing due");
    assert_eq!(waiting.entered_within(), [day(0), day(8)]);
    let waiting = waiting
        .review_lapses(day(37))
        .expect_err("30d from day 8")
        .into_machine();
    assert_eq!(waiting.review_lapses(day(38)).expect("due").state(), "kept");
}

#[test]
fn an_event_at_two_levels_is_the_innermost_ones_and_timers_of_every_level_come_first() {
    let kept = Machine::new(Account::default(), day(0)).close(day(0));
    let asked = kept
        .request_restore(day(1))
        .expect("nothing due")
        .ask(day(1))
        .expect("nothing due");
    // `restore` from `asked` is its own: back to `waiting`, no timer.
    let waiting: Machine<state::Waiting> = asked.restore(day(1)).expect("nothing due");
    // From `waiting`, `restore` is `closed`'s: to `active`, after 1d.
    let active = waiting.restore(day(2)).expect("1d after day 0");
    assert_eq!(active.state(), "active");

    // In `asked` the leaf's 7d reminder and `reviewing`'s 30d lapse race:
    // entered `reviewing` at day 1, `asked` at day 28, the lapse (day 31)
    // falls due before the reminder (day 35) and comes first.
    let asked = Machine::new(Account::default(), day(0))
        .close(day(0))
        .request_restore(day(1))
        .expect("nothing due")
        .ask(day(28))
        .expect("nothing due");
    let refused = asked.remind(day(35)).expect_err("the lapse came first");
    assert!(
        matches!(
            refused.refusal(),
            Refusal::Preempted {
                by: "review_lapses",
                ..
            }
        ),
        "{}",
        refused.refusal()
    );
    // The other way round, the reminder comes first when it is due first.
    let asked = refused.into_machine();
    let asked = asked
        .provide(day(29))
        .expect("nothing due yet")
        .ask(day(29))
        .expect("nothing due yet");
    let again: Machine<state::Asked> = asked
        .remind(day(30))
        .expect_err("7d from day 29")
        .into_machine();
    let refused = again
        .remind(day(36))
        .expect_err("the lapse fell due on day 31");
    assert!(matches!(
        refused.refusal(),
        Refusal::Preempted {
            by: "review_lapses",
            ..
        }
    ));
}

#[test]
fn an_instance_answers_every_levels_timers_and_a_snapshot_round_trips() {
    let mut instance = Instance::start(Account::default(), day(0));
    for (event, at) in [
        ("close", 0),
        ("request_restore", 5),
        ("ask", 20),
        ("provide", 21),
    ] {
        instance = instance.fire(event, "staff", day(at)).expect(event);
    }
    assert_eq!(instance.state(), "waiting");
    assert_eq!(instance.entered_within(), [day(0), day(5)]);
    let timers = instance.timers();
    let due = |event: &str| timers.iter().find(|t| t.event == event).and_then(|t| t.due);
    assert_eq!(due("retention_ends"), Some(day(90)));
    assert_eq!(due("review_lapses"), Some(day(35)));
    assert_eq!(due("restore"), Some(day(1)));
    assert_eq!(instance.next_due(), Some(("review_lapses", day(35))));

    // Saved and loaded: the trail replays the compounds' instants.
    let json = serde_json::to_string(&instance).expect("serializes");
    let loaded: Instance<Account> = serde_json::from_str(&json).expect("loads");
    assert_eq!(loaded.entered_within(), instance.entered_within());
    assert_eq!(loaded.timers(), instance.timers());

    // A runner fires the lapse at day 35, then the retention at day 90.
    let loaded = loaded.fire_due(day(100)).expect("the lapse");
    assert_eq!(loaded.trail().last().map(|s| s.at), Some(day(35)));
    let loaded = loaded.fire_due(day(100)).expect("the retention");
    assert_eq!(loaded.state(), "deleted");
    assert_eq!(loaded.trail().last().map(|s| s.at), Some(day(90)));

    // By name, the same as typed.
    let current = <Account as Dispatch>::resume_within(
        "asked",
        Account::default(),
        day(28),
        &[day(0), day(1)],
    )
    .unwrap_or_else(|_| panic!("a state"));
    let refused = current
        .fire("remind", day(35))
        .expect_err("the lapse first");
    assert!(matches!(refused.why(), Why::Overdue(r) if r.preempted_by() == Some("review_lapses")));
}

#[test]
fn a_trail_that_takes_a_compounds_timer_early_does_not_load() {
    let mut instance = Instance::start(Account::default(), day(0));
    for (event, at) in [("close", 0), ("request_restore", 80), ("ask", 85)] {
        instance = instance.fire(event, "staff", day(at)).expect(event);
    }
    let mut json: serde_json::Value = serde_json::to_value(&instance).expect("serializes");
    // Claim `retention_ends` fired at day 89 from `asked`: 89 days after
    // entering `closed`, before its 90 days.
    json["trail"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "from": "asked", "event": "retention_ends", "to": "deleted",
            "at": "2026-11-24T17:00:00Z", "actor": "timer"
        }));
    // Day 89 of these tests.
    let at = "2027-02-21T09:00:00Z".to_string();
    json["trail"][3]["at"] = serde_json::Value::String(at.clone());
    json["state"] = "deleted".into();
    json["entered_at"] = at.into();
    let error = serde_json::from_value::<Instance<Account>>(json)
        .expect_err("too early")
        .to_string();
    assert!(
        error.contains(
            "`retention_ends` was taken before its timer (90d after entering `closed`) was due"
        ),
        "{error}"
    );
}

#[test]
fn stored_instants_that_cannot_be_are_refused() {
    let load = |within: &[SystemTime]| {
        Instance::<Account>::resume_head_within(
            Some(day(0)),
            "waiting",
            Account::default(),
            day(10),
            within,
            3,
        )
        .map(|i| i.entered_within().to_vec())
    };
    assert_eq!(load(&[day(0), day(5)]), Ok(vec![day(0), day(5)]));
    // Missing ones count as entered with the state.
    assert_eq!(load(&[day(0)]), Ok(vec![day(0), day(10)]));
    for bad in [
        &[day(5), day(1)][..],
        &[day(0), day(11)],
        &[day(0), day(1), day(2)],
    ] {
        let error = load(bad).expect_err("refused");
        assert!(
            matches!(error, turnstile::LoadError::Within { .. }),
            "{error}"
        );
    }
}

/// The store keeps the compounds' instants with the row: firing reads the
/// head (not the history) and a compound's timer still counts from
/// entering the compound; the due index and `verify` agree.
#[tokio::test]
async fn the_store_keeps_when_each_compound_was_entered() {
    let dir = std::env::temp_dir().join(format!("turnstile-nested-timers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let url = format!("sqlite://{}?mode=rwc", dir.join("store.db").display());
    let store = turnstile_store::Store::open(&url)
        .await
        .expect("SQLite opens");
    store
        .create("acme", Instance::start(Account::default(), day(0)))
        .await
        .expect("created");
    for (event, at) in [
        ("close", 0),
        ("request_restore", 5),
        ("ask", 20),
        ("provide", 21),
    ] {
        store
            .fire::<Account>("acme", event, "staff", day(at))
            .await
            .expect(event);
    }
    let stored: String =
        sqlx::query_scalar("SELECT entered_within FROM turnstile_instances WHERE id = 'acme'")
            .fetch_one(store.pool())
            .await
            .expect("the column");
    assert_eq!(stored.split(',').count(), 2, "{stored}");
    // `review_lapses` is due 30d after entering `reviewing` (day 5).
    assert!(store
        .due::<Account>(day(35) - Duration::from_secs(1), 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.due::<Account>(day(35), 10).await.unwrap(), ["acme"]);
    let (fired, errors) = store.run_due::<Account>(day(36), 10).await.expect("runs");
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        fired[0].steps.last().map(|s| (s.event.as_str(), s.at)),
        Some(("review_lapses", day(35)))
    );
    let loaded = store.load::<Account>("acme").await.expect("loads");
    assert_eq!(loaded.instance.state(), "kept");
    assert_eq!(loaded.instance.entered_within(), [day(0)]);
    let report = store
        .verify::<Account>(100, |_, _| {})
        .await
        .expect("verifies");
    assert!(report.refused.is_empty(), "{:?}", report.refused);

    // A row whose instants disagree with its history is refused.
    sqlx::query("UPDATE turnstile_instances SET entered_within = '1' WHERE id = 'acme'")
        .execute(store.pool())
        .await
        .expect("tampered");
    let refused = store.load::<Account>("acme").await.expect_err("refused");
    assert!(
        refused.to_string().contains("history replays to"),
        "{refused}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
