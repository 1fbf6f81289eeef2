//! Instances of a workflow with parallel regions in the store (the
//! account as one machine, `workflows/account/account.toml`), on SQLite and
//! on PostgreSQL when a server is given: the configuration, each region's
//! clock, the data and the trail round-trip; a refusal writes nothing; a
//! joint move is one step naming both regions; the timer runner fires each
//! region's timer; the outbox delivers region moves; a row that does not
//! replay does not load.

mod common;

use std::time::{Duration, SystemTime};

use sqlx::AnyConnection;
use turnstile_account::{Account, Current, PartnerModel};
use turnstile_runtime::regions::Parallel;
use turnstile_runtime::{Actor, Why};
use turnstile_store::{Delivery, FireRequest, KeyedRegions, Recorded, StoreError};

const HOUR: Duration = Duration::from_secs(60 * 60);
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

fn at(hours: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_510_800) + HOUR * hours as u32
}

fn customer() -> Actor<'static> {
    Actor::new("holder").with_roles(&["customer"])
}
fn partner() -> Actor<'static> {
    Actor::new("reseller-7").with_roles(&["partner"])
}
fn system() -> Actor<'static> {
    Actor::new("platform").with_roles(&["system"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_configuration_its_clocks_data_and_trail_round_trip() {
    for (store, _) in common::backends("regions_round_trip").await {
        let start = Current::start(Account::new("acme", PartnerModel::Reseller), at(0));
        let created = store
            .create_regions::<Account>("acme", start)
            .await
            .unwrap();
        assert_eq!(created.version, 0);

        let fire = |event, actor, hours| FireRequest::new(event, actor, at(hours));
        let s = store
            .fire_regions::<Account>("acme", &fire("associate", customer(), 1))
            .await
            .unwrap();
        assert_eq!(s.version, 1);
        store
            .fire_regions::<Account>("acme", &fire("set_budget", partner(), 2))
            .await
            .unwrap();
        // A payload, and a joint move: one step, two regions.
        let restrict = fire("restrict", system(), 3).payload(Some(r#""InsufficientBalance""#));
        store
            .fire_regions::<Account>("acme", &restrict)
            .await
            .unwrap();

        let loaded = store.load_regions::<Account>("acme").await.unwrap();
        assert_eq!(loaded.version, 3);
        let c = &loaded.current;
        assert_eq!(
            c.states(),
            ["active", "budget_active", "restricted", "not_frozen"]
        );
        assert_eq!(c.entered_at(), [at(0), at(2), at(3), at(0)]);
        assert!(c.data().restriction.restriction.is_some());
        let trail = c.trail();
        assert_eq!(trail.len(), 3);
        assert_eq!(
            trail[2].payload.as_deref(),
            Some(r#""InsufficientBalance""#)
        );
        assert_eq!(trail[2].role.as_deref(), Some("system"));
        assert_eq!(trail[1].moved[0].region, "partner");
        assert_eq!(
            (
                trail[1].moved[0].from.as_str(),
                trail[1].moved[0].to.as_str()
            ),
            ("frozen_until_budget", "budget_active")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refusal_writes_nothing_and_says_why_in_the_runtimes_words() {
    for (store, _) in common::backends("regions_refusal").await {
        let start = Current::start(Account::new("acme", PartnerModel::Referral), at(0));
        store
            .create_regions::<Account>("acme", start)
            .await
            .unwrap();
        store
            .fire_regions::<Account>("acme", &FireRequest::new("associate", customer(), at(1)))
            .await
            .unwrap();
        let refused = store
            .fire_regions::<Account>("acme", &FireRequest::new("close", customer(), at(2)))
            .await
            .expect_err("associated with a partner");
        let StoreError::Refused { why, .. } = &refused else {
            panic!("{refused:?}")
        };
        assert!(matches!(
            **why,
            Why::Condition {
                region: "partner",
                state: "associated",
                ..
            }
        ));
        let loaded = store.load_regions::<Account>("acme").await.unwrap();
        assert_eq!(loaded.version, 1);
        assert_eq!(loaded.current.states()[0], "active");

        // A version the caller read that is no longer the stored one.
        let stale = FireRequest::new("partner_freeze", partner(), at(3)).version(0);
        assert!(matches!(
            store.fire_regions::<Account>("acme", &stale).await,
            Err(StoreError::Conflict {
                expected: 0,
                found: 1,
                ..
            })
        ));
        // What regions do not keep yet is refused, not ignored.
        let keyed = FireRequest::new("partner_freeze", partner(), at(3)).key("k-1");
        assert!(matches!(
            store.fire_regions::<Account>("acme", &keyed).await,
            Err(StoreError::BadText {
                field: "the idempotency key",
                ..
            })
        ));
        // The id is taken; a configuration that already moved is not a start.
        let again = Current::start(Account::new("acme", PartnerModel::Referral), at(0));
        assert!(matches!(
            store.create_regions::<Account>("acme", again).await,
            Err(StoreError::Exists { .. })
        ));
        let moved = loaded.current;
        assert!(matches!(
            store.create_regions::<Account>("other", moved).await,
            Err(StoreError::Unstorable { .. })
        ));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_timer_runner_fires_each_regions_timer_when_it_falls_due() {
    for (store, _) in common::backends("regions_timers").await {
        let start = Current::start(Account::new("acme", PartnerModel::Referral), at(0));
        store
            .create_regions::<Account>("acme", start)
            .await
            .unwrap();
        store
            .fire_regions::<Account>("acme", &FireRequest::new("close", customer(), at(1)))
            .await
            .unwrap();
        // Another region moves on day 30; the retention period still ends
        // 90 days after closing.
        let restrict = FireRequest::new("restrict", system(), at(30 * 24))
            .payload(Some(r#""InsufficientBalance""#));
        store
            .fire_regions::<Account>("acme", &restrict)
            .await
            .unwrap();
        let due_at = at(1) + 90 * DAY;
        assert!(store
            .due::<Account>(due_at - Duration::from_secs(1), 10)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(store.due::<Account>(due_at, 10).await.unwrap(), ["acme"]);
        // Another instance, due as well, whose row no longer replays: it
        // is reported, and does not keep the runner from the first.
        let other = Current::start(Account::new("broken", PartnerModel::Referral), at(0));
        store
            .create_regions::<Account>("broken", other)
            .await
            .unwrap();
        store
            .fire_regions::<Account>("broken", &FireRequest::new("close", customer(), at(1)))
            .await
            .unwrap();
        sqlx::query("UPDATE turnstile_instances SET state = 'active,no_partner,unrestricted,not_frozen' WHERE id = 'broken'")
            .execute(store.pool())
            .await
            .unwrap();
        let (fired, errors) = store
            .run_due_regions::<Account>(at(100 * 24), 10)
            .await
            .unwrap();
        assert_eq!(fired, 1);
        assert!(
            matches!(errors.as_slice(), [StoreError::BadRow { id, .. }] if id == "broken"),
            "{errors:?}"
        );
        let (fired, _) = store
            .run_due_regions::<Account>(at(100 * 24), 10)
            .await
            .unwrap();
        assert_eq!(fired, 0);
        let loaded = store.load_regions::<Account>("acme").await.unwrap();
        assert_eq!(
            loaded.current.states(),
            ["disabled", "no_partner", "restricted", "not_frozen"]
        );
        let last = loaded.current.trail().last().unwrap();
        assert_eq!(
            (last.event.as_str(), last.at),
            ("retention_period_ends", due_at)
        );
        assert_eq!(last.actor.as_deref(), Some("timer"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_outbox_delivers_region_moves_a_joint_move_as_one_step() {
    for (store, _) in common::backends("regions_outbox").await {
        let start = Current::start(Account::new("acme", PartnerModel::Referral), at(0));
        store
            .create_regions::<Account>("acme", start)
            .await
            .unwrap();
        store
            .fire_regions::<Account>("acme", &FireRequest::new("become_partner", system(), at(1)))
            .await
            .unwrap();
        common::settled(&store).await;
        let seen = std::sync::Mutex::new(Vec::new());
        let handler = async |_: &mut AnyConnection, batch: &[Delivery]| {
            seen.lock().unwrap().extend(batch.iter().map(|d| {
                (
                    d.workflow.clone(),
                    d.seq,
                    d.step.from.clone(),
                    d.step.event.clone(),
                    d.step.to.clone(),
                )
            }));
            Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
        };
        assert_eq!(store.consume("audit", 10, handler).await.unwrap(), 1);
        assert_eq!(
            seen.into_inner().unwrap(),
            [(
                "account".to_string(),
                1,
                "restriction=unrestricted;freeze=not_frozen".to_string(),
                "become_partner".to_string(),
                "restriction=restricted;freeze=frozen".to_string()
            )]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_row_that_does_not_replay_or_another_fingerprint_does_not_load() {
    for (store, _) in common::backends("regions_bad_rows").await {
        let start = Current::start(Account::new("acme", PartnerModel::Referral), at(0));
        store
            .create_regions::<Account>("acme", start)
            .await
            .unwrap();
        store
            .fire_regions::<Account>("acme", &FireRequest::new("close", customer(), at(1)))
            .await
            .unwrap();
        // The row says the services are active, the trail that they closed.
        sqlx::query("UPDATE turnstile_instances SET state = 'active,no_partner,unrestricted,not_frozen' WHERE id = 'acme'")
            .execute(store.pool())
            .await
            .unwrap();
        let bad = store
            .load_regions::<Account>("acme")
            .await
            .expect_err("does not replay");
        assert!(matches!(bad, StoreError::BadRow { .. }), "{bad:?}");
        // A fire reads the row and its last step only, and checks them
        // against each other: the last step left `services` in `closed`.
        let fire = FireRequest::new("associate", customer(), at(2));
        let bad = store
            .fire_regions::<Account>("acme", &fire)
            .await
            .expect_err("the head disagrees");
        assert!(matches!(bad, StoreError::BadRow { .. }), "{bad:?}");
        sqlx::query("UPDATE turnstile_instances SET state = 'closed,no_partner,unrestricted,not_frozen', fingerprint = 'sha256:0' WHERE id = 'acme'")
            .execute(store.pool())
            .await
            .unwrap();
        let other = store
            .load_regions::<Account>("acme")
            .await
            .expect_err("another build");
        assert!(other.to_string().contains("sha256:0"), "{other}");
        // Put back, it loads.
        sqlx::query("UPDATE turnstile_instances SET fingerprint = $1 WHERE id = 'acme'")
            .bind(<Account as Parallel>::FINGERPRINT)
            .execute(store.pool())
            .await
            .unwrap();
        assert_eq!(
            store.load_regions::<Account>("acme").await.unwrap().version,
            1
        );
    }
}

/// `migrate_regions_from`: the configurations stored under an older
/// version move to this one by a closure over the snapshot, each checked
/// by replaying it; a dry run counts them by configuration and writes
/// nothing; the closure's refusal is listed and leaves the row; a newer
/// version's row is never touched.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn configurations_of_an_older_version_migrate() {
    for (store, _) in common::backends("regions_migrate").await {
        for id in ["acme", "beta", "gamma"] {
            let start = Current::start(Account::new(id, PartnerModel::Referral), at(0));
            store.create_regions::<Account>(id, start).await.unwrap();
        }
        store
            .fire_regions::<Account>("acme", &FireRequest::new("close", customer(), at(1)))
            .await
            .unwrap();
        for (id, version) in [("acme", "older"), ("beta", "older"), ("gamma", "newer")] {
            sqlx::query("UPDATE turnstile_instances SET fingerprint = $1 WHERE id = $2")
                .bind(format!("sha256:{version}"))
                .bind(id)
                .execute(store.pool())
                .await
                .unwrap();
        }
        let identity_but_beta = |old: turnstile_runtime::regions::Snapshot<Account>| {
            if old.data.closing.account == "beta" {
                return Err("beta is kept for review".to_string());
            }
            Ok(old)
        };
        let dry = turnstile_store::MigrateOptions {
            dry_run: true,
            batch: 1,
        };
        let plan = store
            .migrate_regions_from::<Account, Account>(
                "sha256:older",
                dry,
                identity_but_beta,
                |_, _| {},
            )
            .await
            .unwrap();
        assert_eq!(plan.migrated, ["acme"]);
        assert_eq!(
            plan.by_state.keys().map(String::as_str).collect::<Vec<_>>(),
            [
                "active,no_partner,unrestricted,not_frozen",
                "closed,no_partner,unrestricted,not_frozen"
            ]
        );
        assert!(
            store.load_regions::<Account>("acme").await.is_err(),
            "a dry run writes nothing"
        );
        let mut seen = Vec::new();
        let report = store
            .migrate_regions_from::<Account, Account>(
                "sha256:older",
                turnstile_store::MigrateOptions::default(),
                identity_but_beta,
                |done, total| seen.push((done, total)),
            )
            .await
            .unwrap();
        assert_eq!(report.migrated, ["acme"]);
        assert_eq!(seen, [(2, 2)]);
        let why = report.refused[0].to_string();
        assert!(why.contains("beta is kept for review"), "{why}");
        let acme = store
            .load_regions::<Account>("acme")
            .await
            .expect("this version's now");
        assert_eq!(acme.version, 1);
        assert_eq!(Account::states(&acme.current)[0], "closed");
        for (id, version) in [("beta", "sha256:older"), ("gamma", "sha256:newer")] {
            let kept: String =
                sqlx::query_scalar("SELECT fingerprint FROM turnstile_instances WHERE id = $1")
                    .bind(id)
                    .fetch_one(store.pool())
                    .await
                    .unwrap();
            assert_eq!(kept, version, "{id} left as it was");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn owners_and_idempotency_keys_as_for_every_instance() {
    for (store, _) in common::backends("regions_keys").await {
        let start = || Current::start(Account::new("acme", PartnerModel::Referral), at(0));
        // Created under a key: the same key again answers what it did.
        let created = store
            .create_regions_keyed::<Account>("acme", start(), Some("holder"), "c-1")
            .await
            .unwrap();
        assert!(matches!(created, KeyedRegions::Fired(_)));
        let again = store
            .create_regions_keyed::<Account>("acme", start(), Some("holder"), "c-1")
            .await
            .unwrap();
        assert!(matches!(
            again,
            KeyedRegions::Replayed(Recorded::Fired { version: 0, .. })
        ));
        assert_eq!(
            store.owner::<Account>("acme").await.unwrap().as_deref(),
            Some("holder")
        );

        // Someone else's: as if it did not exist.
        let theirs = FireRequest::new("associate", customer(), at(1)).owner("mallory");
        assert!(matches!(
            store.submit_regions::<Account>("acme", &theirs).await,
            Err(StoreError::NotFound { .. })
        ));
        // The owner's, under a key: fired once, then replayed with the
        // state written (each region's, joined) and its step readable.
        let mine = FireRequest::new("associate", customer(), at(1))
            .owner("holder")
            .key("f-1");
        assert!(matches!(
            store
                .submit_regions::<Account>("acme", &mine)
                .await
                .unwrap(),
            KeyedRegions::Fired(_)
        ));
        let KeyedRegions::Replayed(Recorded::Fired { version, state }) = store
            .submit_regions::<Account>("acme", &mine)
            .await
            .unwrap()
        else {
            panic!("a repeat is replayed")
        };
        assert_eq!(
            (version, state.as_str()),
            (1, "active,associated,unrestricted,not_frozen")
        );
        let step = store.step::<Account>("acme", 1).await.unwrap().unwrap();
        assert_eq!(
            (step.from.as_str(), step.to.as_str()),
            ("partner=no_partner", "partner=associated")
        );
        assert_eq!(
            store.load_regions::<Account>("acme").await.unwrap().version,
            1
        );

        // A refusal under a key is recorded too, and replayed with its code.
        let close = FireRequest::new("close", customer(), at(2))
            .owner("holder")
            .key("f-2");
        assert!(matches!(
            store.submit_regions::<Account>("acme", &close).await,
            Err(StoreError::Refused { .. })
        ));
        let KeyedRegions::Replayed(Recorded::Refused { code, .. }) = store
            .submit_regions::<Account>("acme", &close)
            .await
            .unwrap()
        else {
            panic!("the refusal is replayed")
        };
        assert_eq!(code, "condition_unmet");
        // The listing shows the configuration as its row holds it.
        let listed = store
            .list_owned::<Account>("holder", None, None, 10)
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].state, "active,associated,unrestricted,not_frozen");
    }
}

/// A fire reads the row and its last step only, so its cost does not grow
/// with the history: a history damaged before its last step does not stop
/// a fire, and is found by a load, which replays it whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_fire_reads_the_head_and_a_load_the_whole_history() {
    for (store, _) in common::backends("regions_head").await {
        let start = Current::start(Account::new("acme", PartnerModel::Referral), at(0));
        store
            .create_regions::<Account>("acme", start)
            .await
            .unwrap();
        store
            .fire_regions::<Account>("acme", &FireRequest::new("associate", customer(), at(1)))
            .await
            .unwrap();
        let restrict =
            FireRequest::new("restrict", system(), at(2)).payload(Some(r#""InsufficientBalance""#));
        store
            .fire_regions::<Account>("acme", &restrict)
            .await
            .unwrap();
        // Step 1 now says the partner region went elsewhere.
        sqlx::query("UPDATE turnstile_steps SET to_state = 'partner=budget_active' WHERE id = 'acme' AND seq = 1")
            .execute(store.pool())
            .await
            .unwrap();
        let freeze = FireRequest::new("freeze", system(), at(3)).payload(Some(r#""Violation""#));
        let fired = store
            .fire_regions::<Account>("acme", &freeze)
            .await
            .unwrap();
        assert_eq!(fired.version, 3);
        assert_eq!(fired.current.trail().len(), 1, "this request's step only");
        let bad = store
            .load_regions::<Account>("acme")
            .await
            .expect_err("the history does not replay");
        assert!(matches!(bad, StoreError::BadRow { .. }), "{bad:?}");
    }
}
