//! What the store's tests share: a fresh database of each backend.

use std::sync::atomic::{AtomicUsize, Ordering};

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use turnstile_store::Store;
use turnstile_workflows::rules::Region;
use turnstile_workflows::{AccountUpgrade, CloudAccount};

static DATABASES: AtomicUsize = AtomicUsize::new(0);

/// A new, empty database of each backend there is: a SQLite file in a
/// fresh folder, and a fresh PostgreSQL database if a server is given.
/// Each comes with the URL that opens it again (a second node).
pub async fn backends(test: &str) -> Vec<(Store, String)> {
    let dir = std::env::temp_dir().join(format!(
        "turnstile-store-{}-{test}-{}",
        std::process::id(),
        DATABASES.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let sqlite = format!("sqlite://{}?mode=rwc", dir.join("store.db").display());
    let mut out = vec![(Store::open(&sqlite).await.expect("SQLite opens"), sqlite)];
    if let Some(url) = postgres(test).await {
        out.push((Store::open(&url).await.expect("PostgreSQL opens"), url));
    }
    out
}

/// A fresh PostgreSQL database for `test`, if `TURNSTILE_POSTGRES_URL`
/// names a server.
pub async fn postgres(test: &str) -> Option<String> {
    let Ok(server) = std::env::var("TURNSTILE_POSTGRES_URL") else {
        assert!(
            std::env::var_os("TURNSTILE_REQUIRE_TOOLS").is_none(),
            "PostgreSQL is required (TURNSTILE_REQUIRE_TOOLS is set) but TURNSTILE_POSTGRES_URL is not set"
        );
        eprintln!("TURNSTILE_POSTGRES_URL is not set: the PostgreSQL half of {test} is skipped (.ci/run starts a server)");
        return None;
    };
    let name = format!(
        "turnstile_{test}_{}_{}",
        std::process::id(),
        DATABASES.fetch_add(1, Ordering::Relaxed)
    );
    let admin = Store::open(&server).await.expect("the PostgreSQL server");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(admin.pool())
        .await
        .expect("CREATE DATABASE");
    let (base, _) = server.rsplit_once('/').expect("a URL with a database");
    Some(format!("{base}/{name}"))
}

/// Waits until every step written is behind PostgreSQL's horizon: until
/// no transaction that started before the last one that wrote a step is
/// still running anywhere on the server (the other tests' run at the same
/// time), so that a consumer is given every step now. Returns at once on
/// SQLite, where nothing is held back.
#[allow(dead_code)] // not every test file consumes
pub async fn settled(store: &Store) {
    if store.backend() != turnstile_store::Backend::Postgres {
        return;
    }
    let started = std::time::Instant::now();
    loop {
        let passed: bool = sqlx::query_scalar(
            "SELECT COALESCE(MAX(txid), 0) < pg_snapshot_xmin(pg_current_snapshot())::text::bigint \
             FROM turnstile_steps",
        )
        .fetch_one(store.pool())
        .await
        .expect("the horizon");
        if passed {
            return;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "a transaction on the server has run for a minute"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// The tests' fixed instant.
#[allow(dead_code)] // not every test file fires at it
pub fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_790_000_000)
}

/// A fresh account upgrade, prompted: its events go round `prompted` and
/// `postponed` for as long as a test likes.
#[allow(dead_code)] // not every test file upgrades accounts
pub fn upgrade() -> AccountUpgrade {
    AccountUpgrade::new(CloudAccount {
        name: "acme-ops".into(),
        region: Region::Germany,
        mobile: None,
        email: "ops@acme.example".into(),
    })
}
