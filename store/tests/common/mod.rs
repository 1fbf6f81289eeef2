//! What the store's tests share: a fresh database of each backend.

use std::sync::atomic::{AtomicUsize, Ordering};

use turnstile_store::Store;

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
