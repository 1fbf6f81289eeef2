//! Two versions of a definition in one store: a build derived with
//! `#[workflow(previous = "…")]` reads the instances the previous version
//! stored as its own (the change needed no mapping: the derive checks),
//! writes them back under its own fingerprint, and its timer runner takes
//! them; a build of the previous version then meets those rows as another
//! version's, and leaves them.

use std::time::{Duration, SystemTime};

use turnstile::{Actor, Dispatch, Instance};
use turnstile_store::StoreError;

/// Version 1, as the nodes not yet upgraded have it.
mod v1 {
    use turnstile::Workflow;
    #[derive(Workflow, Debug, Default, serde::Serialize, serde::Deserialize)]
    #[workflow(file = "tests/versions/ticket_v1.toml")]
    pub struct Ticket {
        pub subject: String,
    }
}

/// Version 2, which reads version 1's instances as its own.
mod v2 {
    use turnstile::Workflow;
    #[derive(Workflow, Debug, Default, serde::Serialize, serde::Deserialize)]
    #[workflow(
        file = "tests/versions/ticket_v2.toml",
        previous = "tests/versions/ticket_v1.toml"
    )]
    pub struct Ticket {
        pub subject: String,
    }
}

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
    let dir = std::env::temp_dir().join(format!("turnstile-versions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("store.db").display());
    let store = turnstile_store::Store::open(&url)
        .await
        .expect("the store opens");
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
    let _ = std::fs::remove_dir_all(&dir);
}
