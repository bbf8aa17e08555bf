//! Fresh databases for tests: each test gets its own, so tests run in parallel and start clean.

use chrono::{DateTime, TimeZone, Utc};

use crate::{Result, Store};

/// The instant every test harness's clock starts at (a Monday, 09:00 UTC), so fixtures written
/// as "day 3" mean the same day in every crate's tests.
pub fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .unwrap_or_default()
}

/// A migrated database that lives as long as this value (the SQLite folder is removed on drop;
/// PostgreSQL test databases are named `finishline_test_…` and dropped by `cleanup`).
pub struct TestDb {
    pub store: Store,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    /// The PostgreSQL database to drop when done.
    pg_name: Option<String>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be blocked on: use a thread with its own.
        let admin_url = postgres_admin_url();
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(admin) = Store::connect(&admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&admin.write)
                        .await;
                    admin.close().await;
                }
            });
        })
        .join();
    }
}

pub async fn fresh_sqlite() -> Result<TestDb> {
    let dir = tempfile::tempdir().map_err(|e| crate::corrupt("temporary folder", e))?;
    let url = format!("sqlite://{}/test.sqlite", dir.path().display());
    let store = Store::open(&url).await?;
    Ok(TestDb {
        store,
        url,
        _dir: Some(dir),
        pg_name: None,
    })
}

/// The PostgreSQL server tests use, `FINISHLINE_TEST_POSTGRES_URL` or the local one.
pub fn postgres_admin_url() -> String {
    std::env::var("FINISHLINE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// True when a missing PostgreSQL must fail the tests instead of skipping them (CI sets it).
pub fn postgres_required() -> bool {
    std::env::var("FINISHLINE_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

/// A new, migrated PostgreSQL database; `None` (after a loud notice) when the server is not
/// reachable and `FINISHLINE_REQUIRE_POSTGRES` is not set.
///
/// # Panics
/// When PostgreSQL is unreachable and required: the test must fail, not pass vacuously.
pub async fn fresh_postgres(test: &str) -> Option<TestDb> {
    let admin_url = postgres_admin_url();
    let admin = match Store::connect(&admin_url).await {
        Ok(s) => s,
        Err(e) => {
            if postgres_required() {
                panic!("PostgreSQL at {admin_url} is required (FINISHLINE_REQUIRE_POSTGRES=1) but unreachable: {e}");
            }
            eprintln!("SKIP {test}: PostgreSQL at {admin_url} is unreachable ({e}); set FINISHLINE_REQUIRE_POSTGRES=1 to fail instead");
            return None;
        }
    };
    let name = format!("finishline_test_{}", uuid::Uuid::new_v4().simple());
    if let Err(e) = sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin.write)
        .await
    {
        panic!("creating test database {name}: {e}");
    }
    admin.close().await;
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b.to_string())
        .unwrap_or(admin_url.clone());
    let url = format!("{base}/{name}");
    match Store::open(&url).await {
        Ok(store) => Some(TestDb {
            store,
            url,
            _dir: None,
            pg_name: Some(name),
        }),
        Err(e) => panic!("opening test database {url}: {e}"),
    }
}
