//! finishline-store: persistence on SQLite (embedded, the default) or PostgreSQL.
//!
//! A project is stored as one versioned JSON document plus the few columns lists need, and every
//! change writes the new document and its activity records in one transaction, guarded by the
//! version read (optimistic concurrency: two writers never silently overwrite each other).
//! Every row carries its workspace and every query filters on it.
//!
//! One SQL text serves both backends through sqlx's `Any` driver; only the migrations differ.

mod activities;
pub mod audit;
mod calendar_feeds;
mod codec;
pub mod copy;
pub mod credentials;
mod facts;
mod files;
mod hooks;
mod invitations;
mod outbox;
mod playbooks;
mod projects;
pub mod sso;
#[cfg(feature = "testing")]
pub mod testing;
mod time;
mod usage;
mod workspaces;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor};

pub use activities::{ProjectLog, ProjectLogs};
pub use audit::{AuditEvent, AuditFilter, By, NewAuditEvent};
pub use copy::TableSum;
pub use facts::{KeptFacts, NewFacts};
pub use files::StoredFile;
pub use hooks::{LoggedActivity, WebhookEndpoint};
pub use invitations::{invitation_mail_key, Invitation, InvitationMail, PortalSession};
pub use outbox::{
    Attachment, DigestItem, Effects, NewDigestItem, NewMessage, NotifyPrefs, OutboxMessage,
};
pub use playbooks::StoredPlaybook;
pub use projects::{Delivery, ProjectRow};
pub use sso::{NewSsoSettings, SsoAttempt, SsoOutcome, SsoSettings, SsoSettingsRefused};
pub use time::{Allocation, EntryFilter, EntryRefused, EntryValues, TimeEntry, TimeRevision};
pub use usage::{AdoptionGoalsRow, UsageEvent, UsageSummary};
pub use workspaces::{ApiToken, MemberChange, User, UserRole, Workspace};

/// What can go wrong in the store. Callers map these to answers; none of them is the user's
/// input being wrong except `Conflict` and `Duplicate`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    /// Somebody else changed the record since it was read.
    #[error("the record was changed by someone else; reload and try again")]
    Conflict,
    /// A unique value is taken (an email, a key).
    #[error("{0} already exists")]
    Duplicate(String),
    /// A whole-database operation refused because of what the database holds (a copy into a
    /// database in use, a table this version does not know).
    #[error("{0}")]
    Refused(String),
    #[error("unsupported database URL {0:?}: use sqlite://… or postgres://…")]
    BadUrl(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::BadUrl(url.to_string()))
        }
    }
}

/// The database: a pool for reads and one for writes. On SQLite the write pool has a single
/// connection, so writers queue in-process instead of failing with SQLITE_BUSY.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    read: AnyPool,
    write: AnyPool,
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Pragmas for every SQLite connection. `synchronous=FULL` in WAL mode makes an acknowledged
/// commit survive a power cut (see ARCHITECTURE.md).
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;";

impl Store {
    /// Connects; an SQLite file is created when missing. Does not migrate.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)?;
        let store = match backend {
            Backend::Sqlite => {
                let url = sqlite_url_creating(url);
                let read = sqlite_pool(&url, 8).await?;
                let write = sqlite_pool(&url, 1).await?;
                Store {
                    backend,
                    read,
                    write,
                }
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?;
                Store {
                    backend,
                    read: pool.clone(),
                    write: pool,
                }
            }
        };
        Ok(store)
    }

    /// Connects and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Store> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies the embedded migrations of this backend; safe to run on every start.
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATOR.run(&self.write).await?,
            Backend::Postgres => POSTGRES_MIGRATOR.run(&self.write).await?,
        }
        Ok(())
    }

    /// The connection pools' use, `(pool, open, idle)` for the read and the write pool (one
    /// pool serves both on PostgreSQL, and is named `shared`).
    pub fn pool_use(&self) -> Vec<(&'static str, u32, u32)> {
        let of = |p: &AnyPool| (p.size(), u32::try_from(p.num_idle()).unwrap_or(u32::MAX));
        match self.backend {
            Backend::Sqlite => {
                let (r, ri) = of(&self.read);
                let (w, wi) = of(&self.write);
                vec![("read", r, ri), ("write", w, wi)]
            }
            Backend::Postgres => {
                let (s, si) = of(&self.read);
                vec![("shared", s, si)]
            }
        }
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    /// A consistent copy of a live SQLite database (`VACUUM INTO`): readers and writers go on.
    /// PostgreSQL has its own tools (`pg_dump`).
    pub async fn backup(&self, to: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::BadUrl(
                "backup is for SQLite; use pg_dump for PostgreSQL".into(),
            ));
        }
        let target = to.to_string_lossy().to_string();
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

/// `mode=rwc` lets SQLite create the file on first start.
fn sqlite_url_creating(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

async fn sqlite_pool(url: &str, max: u32) -> Result<AnyPool> {
    // Validate early so a bad path is reported as such rather than as a pool timeout.
    sqlx::sqlite::SqliteConnectOptions::from_str(url)?;
    let pool = AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute(SQLITE_PRAGMAS).await?;
                Ok(())
            })
        })
        .connect(url)
        .await?;
    Ok(pool)
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

/// Maps a unique-constraint failure to `Duplicate(what)`.
fn unique_or(e: sqlx::Error, what: &str) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            return StoreError::Duplicate(what.to_string());
        }
    }
    StoreError::Database(e)
}

type Row = AnyRow;

impl Store {
    /// The journal mode and `synchronous` level in force, for checks and diagnostics.
    pub async fn sqlite_settings(&self) -> Result<(String, i64)> {
        use sqlx::Row as _;
        let mut conn = self.write.acquire().await?;
        let mode: String = sqlx::query("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        let sync: i64 = sqlx::query("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        Ok((mode, sync))
    }
}
