//! Two versions of a definition in one store: a build derived with
//! `#[workflow(previous = "…")]` reads the instances the previous version
//! stored as its own (the change needed no mapping: the derive checks),
//! writes them back under its own fingerprint, and its timer runner takes
//! them; a build of the previous version then meets those rows as another
//! version's, and leaves them.

use std::time::{Duration, SystemTime};

use turnstile::{Actor, Dispatch, Instance};

// The store's test helpers: a fresh database of each backend (SQLite, and
// PostgreSQL when a server is given).
#[path = "../store/tests/common/mod.rs"]
mod common;
use turnstile_store::StoreError;

// Versions 1 to 4 of the test ticket, as separate builds would derive
// them (shared with the rolling-deploy test and its node).
include!("versions/tickets.rs");

const DAY: Duration = Duration::from_secs(86_400);

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_510_800)
}

#[test]
fn the_derive_knows_the_previous_fingerprint() {
    assert_eq!(
        <v2::Ticket as Dispatch>::PREVIOUS,
        [<v1::Ticket as Dispatch>::FINGERPRINT]
    );
    assert_ne!(
        <v2::Ticket as Dispatch>::FINGERPRINT,
        <v1::Ticket as Dispatch>::FINGERPRINT
    );
    assert!(<v1::Ticket as Dispatch>::PREVIOUS.is_empty());
}

/// A snapshot the previous version wrote loads as this version's instance,
/// and is written back under this version's fingerprint; the previous
/// version does not load this version's.
#[test]
fn a_snapshot_of_the_previous_version_loads() {
    let old = Instance::start(
        v1::Ticket {
            subject: "printer".into(),
        },
        t0(),
    );
    let envelope = old.to_envelope();
    let text = serde_json::to_string(&envelope).unwrap();
    let read: turnstile::snapshot::Envelope<v2::Ticket> = serde_json::from_str(&text).unwrap();
    let new = Instance::<v2::Ticket>::from_envelope(read).expect("the previous version's");
    assert_eq!(new.state(), "open");
    assert_eq!(
        new.to_envelope().fingerprint,
        <v2::Ticket as Dispatch>::FINGERPRINT
    );
    let back: turnstile::snapshot::Envelope<v1::Ticket> =
        serde_json::from_str(&serde_json::to_string(&new.to_envelope()).unwrap()).unwrap();
    assert!(Instance::<v1::Ticket>::from_envelope(back).is_err());
}

#[tokio::test]
async fn a_new_version_reads_the_previous_ones_rows_and_the_old_one_leaves_them() {
    for (store, _) in common::backends("versions_1").await {
        let customer = Actor::new("mia").with_roles(&["customer"]);
        // Version 1 stores three open tickets.
        for id in ["a", "b", "c"] {
            let ticket = v1::Ticket {
                subject: id.to_string(),
            };
            store
                .create(id, Instance::start(ticket, t0()))
                .await
                .unwrap();
        }
        // Version 2 reads them as its own, and fires its new event on one: the
        // row is written back under version 2's fingerprint.
        let a = store
            .load::<v2::Ticket>("a")
            .await
            .expect("read as version 2's");
        assert_eq!(a.instance.state(), "open");
        let fired = store
            .fire::<v2::Ticket>("a", "withdraw", customer, t0() + DAY)
            .await
            .expect("version 2's event");
        assert_eq!(fired.instance.state(), "withdrawn");
        let fingerprint: String =
            sqlx::query_scalar("SELECT fingerprint FROM turnstile_instances WHERE id = 'a'")
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(fingerprint, <v2::Ticket as Dispatch>::FINGERPRINT);
        // Version 1 meets that row as another version's, and leaves it.
        let refused = store.load::<v1::Ticket>("a").await.unwrap_err();
        assert!(
            matches!(&refused, StoreError::OtherVersion { stored, .. } if stored == <v2::Ticket as Dispatch>::FINGERPRINT),
            "{refused:?}"
        );
        // A row keeps the due instant its version stored (30 days for version
        // 1's) until it is written again or migrated: 25 days on, neither
        // runner finds one due. 31 days on, version 2's runner takes both
        // remaining rows, version 1's, and never the row version 1 cannot read.
        for runner in [
            store
                .run_due::<v1::Ticket>(t0() + 25 * DAY, 10)
                .await
                .unwrap(),
            store
                .run_due::<v2::Ticket>(t0() + 25 * DAY, 10)
                .await
                .unwrap(),
        ] {
            assert!(runner.0.is_empty() && runner.1.is_empty(), "{runner:?}");
        }
        let (fired, errors) = store
            .run_due::<v2::Ticket>(t0() + 31 * DAY, 10)
            .await
            .unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        let mut ids: Vec<&str> = fired.iter().map(|f| f.id.as_str()).collect();
        ids.sort();
        assert_eq!(ids, ["b", "c"]);
        for id in ["b", "c"] {
            let stored = store.load::<v2::Ticket>(id).await.unwrap();
            assert_eq!(stored.instance.state(), "expired");
        }
        store.close().await;
    }
}

/// Every old state of version 3 is carried (as itself or renamed) or
/// named for a decision: the trait's methods are exactly the states the
/// diff names (`withdrawn` removed; `open` lost `withdraw`).
#[test]
fn the_trait_asks_exactly_the_states_the_diff_names() {
    assert_eq!(v4::ticket::previous::DECIDED, ["open", "withdrawn"]);
    assert_eq!(
        v4::ticket::previous::FINGERPRINT,
        <v3::Ticket as Dispatch>::FINGERPRINT
    );
    assert_eq!(
        <v4::Ticket as Dispatch>::PREVIOUS,
        [<v3::Ticket as Dispatch>::FINGERPRINT]
    );
    assert_eq!(v4::ticket::previous::To::Closed.name(), "closed");
}

/// A renamed state carries on under its new name; the trail keeps the
/// step as it was taken (`expired`, under version 2), then the migration
/// step names both versions.
#[test]
fn a_renamed_state_carries_on_and_the_trail_keeps_its_names() {
    let old = Instance::start(
        v2::Ticket {
            subject: "printer".into(),
        },
        t0(),
    );
    let old = old
        .fire_due(t0() + 21 * DAY)
        .expect("expired after 20 days");
    assert_eq!(old.state(), "expired");
    let expired_at = old.entered_at();
    let text = serde_json::to_string(&old.to_envelope()).unwrap();
    let read: turnstile::snapshot::Envelope<v3::Ticket> = serde_json::from_str(&text).unwrap();
    let new = Instance::<v3::Ticket>::from_previous(read, Some("ops"), t0() + 30 * DAY)
        .expect("the rename is the mapping");
    assert_eq!(new.state(), "lapsed");
    let trail = new.trail();
    assert_eq!(trail.len(), 2);
    assert_eq!(
        (
            trail[0].from.as_str(),
            trail[0].event.as_str(),
            trail[0].to.as_str()
        ),
        ("open", "expire", "expired")
    );
    assert_eq!(trail[1].event, turnstile::MIGRATED);
    assert_eq!(
        (trail[1].from.as_str(), trail[1].to.as_str()),
        ("expired", "lapsed")
    );
    assert_eq!(trail[1].actor.as_deref(), Some("ops"));
    assert_eq!(
        trail[1].migrated,
        Some(turnstile::Versions {
            from: <v2::Ticket as Dispatch>::FINGERPRINT.into(),
            to: <v3::Ticket as Dispatch>::FINGERPRINT.into(),
            // A snapshot's migration keeps no digest of the data before.
            before: None,
        })
    );
    // The state keeps the instant it was entered.
    assert_eq!(new.entered_at(), expired_at);
    // The migrated snapshot loads again as this version's, as it is.
    let again: turnstile::snapshot::Envelope<v3::Ticket> =
        serde_json::from_str(&serde_json::to_string(&new.to_envelope()).unwrap()).unwrap();
    let again = Instance::<v3::Ticket>::from_envelope(again).expect("this version's now");
    assert_eq!(again.trail(), new.trail());
}

/// Where a state needs a decision, the user's `Migrate` decides, with the
/// data; a refusal names the state and the user's reason; a trail edited
/// to take a step version 3 never had is refused.
#[test]
fn the_users_decision_moves_a_removed_state_and_can_refuse() {
    let customer = Actor::new("mia").with_roles(&["customer"]);
    let start = |subject: &str| {
        Instance::start(
            v3::Ticket {
                subject: subject.into(),
            },
            t0(),
        )
    };
    let withdrawn = start("printer")
        .fire("withdraw", customer, t0() + DAY)
        .expect("version 3 lets the customer withdraw");
    let as_v4 = |instance: &Instance<v3::Ticket>| -> turnstile::snapshot::Envelope<v4::Ticket> {
        serde_json::from_str(&serde_json::to_string(&instance.to_envelope()).unwrap()).unwrap()
    };
    let moved = Instance::<v4::Ticket>::from_previous(as_v4(&withdrawn), None, t0() + 2 * DAY)
        .expect("the decision");
    assert_eq!(moved.state(), "closed");
    assert_eq!(
        moved.data().note,
        "withdrawn by the customer before version 4"
    );
    assert_eq!(moved.trail()[0].event, "withdraw");

    let refused = Instance::<v4::Ticket>::from_previous(as_v4(&start("refuse me")), None, t0())
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("refused the instance in `open`: the subject asks to be refused"),
        "{refused}"
    );

    let mut tampered = as_v4(&withdrawn);
    tampered.trail[0].event = "close".into();
    let refused = Instance::<v4::Ticket>::from_previous(tampered, None, t0() + 2 * DAY)
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains(
            "`open` --close--> `withdrawn` is not a transition of the version it was taken under"
        ),
        "{refused}"
    );
}

/// In the store: a version 4 node fires on version 3's rows. The fire
/// writes the migration step (by the actor, at the fire's instant) and
/// its own; the whole history replays, version 3's steps under version 3;
/// version 3's node meets the row as another version's.
#[tokio::test]
async fn a_fire_on_a_previous_row_records_the_migration() {
    for (store, _) in common::backends("versions_4").await {
        let customer = Actor::new("mia").with_roles(&["customer"]);
        let agent = Actor::new("ann").with_roles(&["agent"]);
        for id in ["a", "b"] {
            let ticket = v3::Ticket {
                subject: id.to_string(),
            };
            store
                .create(id, Instance::start(ticket, t0()))
                .await
                .unwrap();
        }
        store
            .fire::<v3::Ticket>("b", "withdraw", customer, t0() + DAY)
            .await
            .unwrap();

        // `a` is open: version 4's agent closes it.
        let fired = store
            .fire::<v4::Ticket>("a", "close", agent, t0() + 2 * DAY)
            .await
            .expect("version 4's event on version 3's row");
        assert_eq!(fired.instance.state(), "closed");
        assert_eq!(fired.version, 2, "the migration step and the close");
        let loaded = store.load::<v4::Ticket>("a").await.expect("replays");
        let steps: Vec<(&str, &str, &str)> = loaded
            .instance
            .trail()
            .iter()
            .map(|s| (s.from.as_str(), s.event.as_str(), s.to.as_str()))
            .collect();
        assert_eq!(
            steps,
            [
                ("open", turnstile::MIGRATED, "open"),
                ("open", "close", "closed")
            ]
        );
        let migration = &loaded.instance.trail()[0];
        assert_eq!(migration.actor.as_deref(), Some("ann"));
        assert_eq!(migration.at, t0() + 2 * DAY);
        assert!(matches!(
            store.load::<v3::Ticket>("a").await.unwrap_err(),
            StoreError::OtherVersion { .. }
        ));

        // `b` was withdrawn under version 3: read by version 4, it is closed,
        // its note set by the decision; its history keeps `withdraw`.
        let b = store
            .load::<v4::Ticket>("b")
            .await
            .expect("read as version 4's");
        assert_eq!(b.instance.state(), "closed");
        assert_eq!(
            b.instance.data().note,
            "withdrawn by the customer before version 4"
        );
        assert_eq!(b.instance.trail()[0].event, "withdraw");
        assert_eq!(b.instance.trail()[1].event, turnstile::MIGRATED);
        store.close().await;
    }
}

/// A migration keeps the instant the state was entered: a timer running
/// before it falls due when it would have, not a full period after the
/// migration.
#[test]
fn a_migrated_instance_keeps_its_timer() {
    let old = Instance::start(
        v3::Ticket {
            subject: "printer".into(),
        },
        t0(),
    );
    let read: turnstile::snapshot::Envelope<v4::Ticket> =
        serde_json::from_str(&serde_json::to_string(&old.to_envelope()).unwrap()).unwrap();
    let moved = Instance::<v4::Ticket>::from_previous(read, None, t0() + 10 * DAY).unwrap();
    assert_eq!(moved.state(), "open");
    assert_eq!(moved.entered_at(), t0());
    let due = moved
        .fire_due(t0() + 21 * DAY)
        .expect("due 20 days after opening");
    assert_eq!(due.state(), "lapsed");
    assert_eq!(due.entered_at(), t0() + 20 * DAY);
}

/// A migration step edited is refused in the runtime's words: one that
/// lands on a state the new version lacks, one that names another event,
/// and one dated before the step it follows.
#[test]
fn a_tampered_migration_step_is_refused() {
    let old = Instance::start(
        v3::Ticket {
            subject: "printer".into(),
        },
        t0(),
    );
    let read: turnstile::snapshot::Envelope<v4::Ticket> =
        serde_json::from_str(&serde_json::to_string(&old.to_envelope()).unwrap()).unwrap();
    let moved = Instance::<v4::Ticket>::from_previous(read, None, t0() + DAY).unwrap();
    let envelope = || -> turnstile::snapshot::Envelope<v4::Ticket> {
        serde_json::from_str(&serde_json::to_string(&moved.to_envelope()).unwrap()).unwrap()
    };
    let refused = |envelope: turnstile::snapshot::Envelope<v4::Ticket>| {
        Instance::<v4::Ticket>::from_envelope(envelope)
            .unwrap_err()
            .to_string()
    };
    let mut e = envelope();
    e.trail[0].to = "withdrawn".into();
    let why = refused(e);
    assert!(
        why.contains(
            "it migrates to `withdrawn`, a state the version it migrates to does not have"
        ),
        "{why}"
    );
    let mut e = envelope();
    e.trail[0].event = "close".into();
    let why = refused(e);
    assert!(
        why.contains("a migration step records the event `close`"),
        "{why}"
    );
    let mut e = envelope();
    e.trail[0].at = t0() - DAY;
    let why = refused(e);
    assert!(
        why.contains("it is earlier than the instance's start"),
        "{why}"
    );
    // And the untouched one loads.
    assert_eq!(
        Instance::<v4::Ticket>::from_envelope(envelope())
            .unwrap()
            .state(),
        "open"
    );
}

/// The operator's batch (`Store::upgrade_from`): a dry run counts by old
/// state and writes nothing; the run moves every row of version 3 typed,
/// each keeping its history and given a migration step by whom and when,
/// lists the one the decision refuses, and leaves it as it was.
#[tokio::test]
async fn the_batch_moves_a_previous_versions_rows_typed() {
    for (store, _) in common::backends("versions_5").await {
        let customer = Actor::new("mia").with_roles(&["customer"]);
        for id in ["a", "b", "refuse me"] {
            let ticket = v3::Ticket {
                subject: id.to_string(),
            };
            store
                .create(id, Instance::start(ticket, t0()))
                .await
                .unwrap();
        }
        store
            .fire::<v3::Ticket>("b", "withdraw", customer, t0() + DAY)
            .await
            .unwrap();
        let from = <v3::Ticket as Dispatch>::FINGERPRINT;
        let dry = turnstile_store::MigrateOptions {
            dry_run: true,
            batch: 2,
        };
        let at = t0() + 3 * DAY;
        let plan = store
            .upgrade_from::<v4::Ticket>(from, dry, Some("ops"), at, |_, _| {})
            .await
            .unwrap();
        assert_eq!(plan.migrated, ["a", "b"]);
        assert_eq!(plan.refused.len(), 1, "{:?}", plan.refused);
        assert_eq!(
            plan.by_state
                .iter()
                .map(|(s, n)| (s.as_str(), *n))
                .collect::<Vec<_>>(),
            [("open", 2), ("withdrawn", 1)]
        );
        assert!(
            store.load::<v3::Ticket>("a").await.is_ok(),
            "a dry run writes nothing"
        );

        let mut seen = Vec::new();
        let report = store
            .upgrade_from::<v4::Ticket>(
                from,
                turnstile_store::MigrateOptions {
                    dry_run: false,
                    batch: 2,
                },
                Some("ops"),
                at,
                |done, total| seen.push((done, total)),
            )
            .await
            .unwrap();
        assert_eq!(report.migrated, ["a", "b"]);
        assert_eq!(seen, [(2, 3), (3, 3)]);
        let refused = report.refused[0].to_string();
        assert!(
            refused.contains("the subject asks to be refused"),
            "{refused}"
        );
        let b = store.load::<v4::Ticket>("b").await.unwrap();
        assert_eq!(b.version, 2, "withdraw, then the migration step");
        let migration = &b.instance.trail()[1];
        assert_eq!(migration.event, turnstile::MIGRATED);
        assert_eq!(
            (migration.from.as_str(), migration.to.as_str()),
            ("withdrawn", "closed")
        );
        assert_eq!(
            (migration.actor.as_deref(), migration.at),
            (Some("ops"), at)
        );
        assert_eq!(
            b.instance.data().note,
            "withdrawn by the customer before version 4"
        );
        // Version 3 no longer reads them; the refused one is still its own.
        assert!(store.load::<v3::Ticket>("a").await.is_err());
        assert_eq!(
            store
                .load::<v3::Ticket>("refuse me")
                .await
                .unwrap()
                .instance
                .state(),
            "open"
        );
        store.close().await;
    }
}

/// A rollback's undo (`Store::undo_migrations`, run by the old version):
/// the instances version 4 migrated and nobody wrote since go back to
/// version 3, as they were (state, version, fingerprint, due instant);
/// one fired since is refused and stays version 4's.
#[tokio::test]
async fn a_migration_nobody_fired_since_can_be_undone() {
    for (store, _) in common::backends("versions_6").await {
        let customer = Actor::new("mia").with_roles(&["customer"]);
        for id in ["a", "b", "c"] {
            let ticket = v3::Ticket {
                subject: id.to_string(),
            };
            store
                .create(id, Instance::start(ticket, t0()))
                .await
                .unwrap();
        }
        store
            .fire::<v3::Ticket>("b", "withdraw", customer, t0() + DAY)
            .await
            .unwrap();
        let (v3_fp, v4_fp) = (
            <v3::Ticket as Dispatch>::FINGERPRINT,
            <v4::Ticket as Dispatch>::FINGERPRINT,
        );
        let before_a = store.head::<v3::Ticket>("a").await.unwrap();
        let all = turnstile_store::MigrateOptions::default();
        store
            .upgrade_from::<v4::Ticket>(v3_fp, all, Some("ops"), t0() + 2 * DAY, |_, _| {})
            .await
            .unwrap();
        // `c` is fired under version 4 after its migration.
        store
            .fire::<v4::Ticket>("c", "remind", customer, t0() + 3 * DAY)
            .await
            .unwrap();

        // Rolled back: version 3 takes back what nobody wrote since.
        let dry = turnstile_store::MigrateOptions {
            dry_run: true,
            ..all
        };
        let plan = store
            .undo_migrations::<v3::Ticket>(v4_fp, dry, |_, _| {})
            .await
            .unwrap();
        assert_eq!(plan.migrated, ["a", "b"]);
        assert!(
            store.load::<v3::Ticket>("a").await.is_err(),
            "a dry run writes nothing"
        );
        let undone = store
            .undo_migrations::<v3::Ticket>(v4_fp, all, |_, _| {})
            .await
            .unwrap();
        assert_eq!(undone.migrated, ["a", "b"]);
        assert_eq!(undone.refused.len(), 1);
        let why = undone.refused[0].to_string();
        assert!(
            why.contains("`remind` was taken since its migration"),
            "{why}"
        );
        let a = store
            .load::<v3::Ticket>("a")
            .await
            .expect("version 3's again");
        assert_eq!((a.instance.state(), a.version), ("open", 0));
        assert_eq!(a.instance.next_due(), before_a.instance.next_due());
        let b = store
            .load::<v3::Ticket>("b")
            .await
            .expect("version 3's again");
        assert_eq!((b.instance.state(), b.version), ("withdrawn", 1));
        assert!(store.load::<v4::Ticket>("c").await.is_ok());
        // The undo is itself safe to run again: nothing left to move back.
        let again = store
            .undo_migrations::<v3::Ticket>(v4_fp, all, |_, _| {})
            .await
            .unwrap();
        assert!(again.migrated.is_empty());
        store.close().await;
    }
}

/// A rename the diff cannot recognise (more changed at once) is stated in
/// the attribute (`renames = "closed=shut"`): version 4's closed tickets
/// carry on as shut, with nothing to decide; without it, `closed` would be
/// a state removed, to decide.
#[test]
fn a_stated_rename_carries_a_state_on() {
    let agent = Actor::new("ann").with_roles(&["agent"]);
    let closed = Instance::start(
        v4::Ticket {
            subject: "printer".into(),
            note: String::new(),
        },
        t0(),
    )
    .fire("close", agent, t0() + DAY)
    .unwrap();
    let read: turnstile::snapshot::Envelope<v5::Ticket> =
        serde_json::from_str(&serde_json::to_string(&closed.to_envelope()).unwrap()).unwrap();
    let shut = Instance::<v5::Ticket>::from_previous(read, None, t0() + 2 * DAY).unwrap();
    assert_eq!(shut.state(), "shut");
    assert_eq!(shut.trail()[0].to, "closed", "the step keeps its name");
    // Without the stated rename the diff does not see one.
    let old = turnstile_spec::SourceFile::new("v4.toml", include_str!("versions/ticket_v4.toml"));
    let new = turnstile_spec::SourceFile::new("v5.toml", include_str!("versions/ticket_v5.toml"));
    let (wo, wn) = (
        turnstile_spec::load(&old).unwrap(),
        turnstile_spec::load(&new).unwrap(),
    );
    let unstated = turnstile_spec::diff::plan(&wo, &old, &wn, &new, &[]).unwrap();
    assert!(unstated.decide.contains_key("closed"), "{unstated:?}");
    let stated =
        turnstile_spec::diff::plan(&wo, &old, &wn, &new, &["closed=shut".parse().unwrap()])
            .unwrap();
    assert_eq!(
        stated.carried.get("closed").map(String::as_str),
        Some("shut")
    );
    assert!(stated.decide.is_empty(), "{stated:?}");
}

/// A migration is a move no transition makes, so the checker's proofs do
/// not cover it: each migrated instance is checked against this version's
/// promises. A decision that would answer a ticket nobody answered breaks
/// `answered_only_by_an_answer` and is refused, in the property's words;
/// the same instance moved by the batch is listed among the refusals of a
/// dry run.
#[tokio::test]
async fn a_migration_that_breaks_a_promise_is_refused() {
    assert!(matches!(
        <v4::Ticket as Dispatch>::PROMISES,
        [turnstile::Promise::OnlyAfter {
            name: "answered_only_by_an_answer",
            ..
        }]
    ));
    let old = Instance::start(
        v3::Ticket {
            subject: "answer me".into(),
        },
        t0(),
    );
    let read: turnstile::snapshot::Envelope<v4::Ticket> =
        serde_json::from_str(&serde_json::to_string(&old.to_envelope()).unwrap()).unwrap();
    let why = Instance::<v4::Ticket>::from_previous(read, None, t0() + DAY)
        .unwrap_err()
        .to_string();
    assert!(
        why.contains("refused the instance in `open`: it would enter `answered` before any of `answer` happened, which the property `answered_only_by_an_answer` forbids"),
        "{why}"
    );
    for (store, _) in common::backends("versions_7").await {
        store
            .create(
                "x",
                Instance::start(
                    v3::Ticket {
                        subject: "answer me".into(),
                    },
                    t0(),
                ),
            )
            .await
            .unwrap();
        let dry = turnstile_store::MigrateOptions {
            dry_run: true,
            ..turnstile_store::MigrateOptions::default()
        };
        let plan = store
            .upgrade_from::<v4::Ticket>(
                <v3::Ticket as Dispatch>::FINGERPRINT,
                dry,
                None,
                t0() + DAY,
                |_, _| {},
            )
            .await
            .unwrap();
        assert!(plan.migrated.is_empty());
        assert!(
            plan.refused[0]
                .to_string()
                .contains("answered_only_by_an_answer"),
            "{:?}",
            plan.refused
        );
        // A fire on the row refuses the same way, and writes nothing.
        let agent = Actor::new("ann").with_roles(&["agent"]);
        let refused = store
            .fire::<v4::Ticket>("x", "close", agent, t0() + DAY)
            .await
            .unwrap_err()
            .to_string();
        assert!(refused.contains("answered_only_by_an_answer"), "{refused}");
        assert!(
            store.load::<v3::Ticket>("x").await.is_ok(),
            "left as it was"
        );
        store.close().await;
    }
}
