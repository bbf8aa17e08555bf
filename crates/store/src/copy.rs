//! Moving a whole database into another (`finishline copy`, SQLite → PostgreSQL) and proving the
//! two hold the same rows.
//!
//! The copy is generic over the schema: columns and their kinds are read from the databases
//! themselves, so a new column needs nothing here. A new *table* must be added to [`TABLES`]: a
//! table the list does not name makes the copy refuse rather than leave data behind.
//!
//! The proof is a count and an order-independent checksum per table (the wrapping sum of each
//! row's SHA-256, columns taken in name order), computed on the source's snapshot while copying
//! and again on the target afterwards: equal sums mean the same multiset of rows, whatever order
//! or column layout each database keeps.

use std::collections::BTreeMap;

use futures_util::TryStreamExt as _;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{Any, Row as _, Transaction};

use crate::{Backend, Result, Store, StoreError};

/// Every table, parents before children (foreign keys hold at every insert).
pub const TABLES: &[&str] = &[
    "workspaces",
    "users",
    "sessions",
    "api_tokens",
    "projects",
    "activities",
    "project_facts",
    "playbooks",
    "webhook_deliveries",
    "files",
    "portal_invitations",
    "portal_sessions",
    "outbox",
    "notify_prefs",
    "digest_items",
    "notify_settings",
    "server_secrets",
    "action_uses",
    "webhook_endpoints",
    "webhook_cursors",
    "usage_events",
    "adoption_goals",
    "audit_events",
    "calendar_feeds",
    "time_entries",
    "member_capacity",
    "allocations",
    "log_cursors",
    "sso_settings",
    "sso_domains",
    "sso_attempts",
];

/// Columns filled by a sequence on PostgreSQL: after copying explicit values the sequence must
/// be moved past them, or the next insert would collide.
const SERIALS: &[(&str, &str)] = &[("activities", "seq"), ("audit_events", "id")];

/// Rows per INSERT, and the bytes after which a batch is sent early (file bodies are large).
const BATCH_ROWS: usize = 200;
const BATCH_BYTES: usize = 8 * 1024 * 1024;

/// One table's row count and checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSum {
    pub table: &'static str,
    pub rows: u64,
    pub checksum: u128,
}

impl TableSum {
    /// The checksum as 32 hex digits, for messages.
    pub fn checksum_hex(&self) -> String {
        format!("{:032x}", self.checksum)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Integer,
    Bytes,
}

#[derive(Debug, Clone)]
struct Column {
    name: String,
    kind: Kind,
}

/// The positions of `columns` in name order: the order every row is hashed in.
fn name_order(columns: &[Column]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..columns.len()).collect();
    order.sort_by(|&a, &b| columns[a].name.cmp(&columns[b].name));
    order
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Value {
    Null,
    Text(String),
    Integer(i64),
    Bytes(Vec<u8>),
}

impl Value {
    fn size(&self) -> usize {
        match self {
            Value::Null | Value::Integer(_) => 8,
            Value::Text(s) => s.len(),
            Value::Bytes(b) => b.len(),
        }
    }
}

impl Store {
    /// Each table's row count and checksum, read from one snapshot.
    pub async fn table_sums(&self) -> Result<Vec<TableSum>> {
        let mut tx = self.read.begin().await?;
        self.check_tables(&mut tx).await?;
        let sums = sums_in(self.backend, &mut tx).await?;
        tx.rollback().await?;
        Ok(sums)
    }

    /// SQLite's own check of every page and index; a copied file that fails it is not restored.
    pub async fn check_integrity(&self) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        let rows = sqlx::query("PRAGMA integrity_check")
            .fetch_all(&self.read)
            .await?;
        let said: Vec<String> = rows
            .iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<std::result::Result<_, _>>()?;
        if said == ["ok"] {
            Ok(())
        } else {
            Err(StoreError::Corrupt(format!(
                "the database fails SQLite's integrity check: {}",
                said.join("; ")
            )))
        }
    }

    /// The first table holding rows, with its count; `None` when the database is empty (a copy
    /// goes only into an empty one).
    pub async fn first_nonempty_table(&self) -> Result<Option<(&'static str, u64)>> {
        for &table in TABLES {
            let n: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&self.read)
                .await?
                .try_get(0)?;
            if n > 0 {
                return Ok(Some((table, u64::try_from(n).unwrap_or(0))));
            }
        }
        Ok(None)
    }

    /// Copies every row of every table into `target` (migrated to the same schema, and empty)
    /// in one transaction there: a failure leaves the target as empty as it was. Reads one
    /// snapshot of this database, so a server may go on writing meanwhile. `progress` hears each
    /// table's name and its rows copied so far. Returns the sums, the source's being equal to
    /// the target's, re-read inside the same transaction before it commits: a copy that does not
    /// match is rolled back, never left half-written.
    pub async fn copy_into(
        &self,
        target: &Store,
        progress: &mut dyn FnMut(&str, u64),
    ) -> Result<Vec<TableSum>> {
        if let Some((table, rows)) = target.first_nonempty_table().await? {
            return Err(StoreError::Refused(format!(
                "the target database is not empty (table {table} has {rows} rows); copy only into an empty database"
            )));
        }
        let mut from = self.read.begin().await?;
        self.check_tables(&mut from).await?;
        let mut to = target.write.begin().await?;
        let mut sums = Vec::with_capacity(TABLES.len());
        for &table in TABLES {
            let columns = columns_of(self.backend, &mut from, table).await?;
            let theirs = columns_of(target.backend, &mut to, table).await?;
            same_columns(table, &columns, &theirs)?;
            let order = name_order(&columns);
            let mut sum = Sum::new(table);
            let mut batch: Vec<Vec<Value>> = Vec::new();
            let mut batch_bytes = 0usize;
            let sql = select_sql(table, &columns);
            let mut rows = sqlx::query(&sql).fetch(&mut *from);
            while let Some(row) = rows.try_next().await? {
                let vals = values(&row, &columns)?;
                sum.add(&vals, &columns, &order);
                batch_bytes += vals.iter().map(Value::size).sum::<usize>();
                batch.push(vals);
                if batch.len() >= BATCH_ROWS || batch_bytes >= BATCH_BYTES {
                    insert(&mut to, table, &columns, std::mem::take(&mut batch)).await?;
                    progress(table, sum.rows);
                    batch_bytes = 0;
                }
            }
            drop(rows);
            if !batch.is_empty() {
                insert(&mut to, table, &columns, batch).await?;
            }
            progress(table, sum.rows);
            sums.push(sum.done());
        }
        if target.backend == Backend::Postgres {
            for (table, column) in SERIALS {
                sqlx::query(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), \
                     COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)"
                ))
                .fetch_one(&mut *to)
                .await?;
            }
        }
        let copied = sums_in(target.backend, &mut to).await?;
        if copied != sums {
            let differ: Vec<String> = sums
                .iter()
                .zip(&copied)
                .filter(|(a, b)| a != b)
                .map(|(a, b)| format!("{}: {} rows read, {} written", a.table, a.rows, b.rows))
                .collect();
            to.rollback().await?;
            return Err(StoreError::Refused(format!(
                "the copy does not match the source, nothing was kept ({})",
                differ.join("; ")
            )));
        }
        to.commit().await?;
        from.rollback().await?;
        Ok(sums)
    }

    /// Refuses a database with a table [`TABLES`] does not name: copying it would lose rows.
    async fn check_tables(&self, tx: &mut Transaction<'_, Any>) -> Result<()> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'"
            }
            Backend::Postgres => {
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                 AND table_name <> '_sqlx_migrations'"
            }
        };
        let rows = sqlx::query(sql).fetch_all(&mut **tx).await?;
        let mut unknown = Vec::new();
        for row in rows {
            let name: String = row.try_get(0)?;
            if !TABLES.contains(&name.as_str()) {
                unknown.push(name);
            }
        }
        if unknown.is_empty() {
            Ok(())
        } else {
            unknown.sort();
            Err(StoreError::Refused(format!(
                "the database has tables this version does not know ({}); use the Finishline version that made it",
                unknown.join(", ")
            )))
        }
    }
}

async fn sums_in(backend: Backend, tx: &mut Transaction<'_, Any>) -> Result<Vec<TableSum>> {
    let mut sums = Vec::with_capacity(TABLES.len());
    for &table in TABLES {
        let columns = columns_of(backend, tx, table).await?;
        let order = name_order(&columns);
        let mut sum = Sum::new(table);
        let sql = select_sql(table, &columns);
        let mut rows = sqlx::query(&sql).fetch(&mut **tx);
        while let Some(row) = rows.try_next().await? {
            sum.add(&values(&row, &columns)?, &columns, &order);
        }
        drop(rows);
        sums.push(sum.done());
    }
    Ok(sums)
}

/// A table's columns as this database declares them, in its own order.
async fn columns_of(
    backend: Backend,
    tx: &mut Transaction<'_, Any>,
    table: &str,
) -> Result<Vec<Column>> {
    let sql = match backend {
        Backend::Sqlite => "SELECT name, type FROM pragma_table_info($1) ORDER BY cid",
        Backend::Postgres => {
            "SELECT column_name::text, data_type::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
        }
    };
    let rows = sqlx::query(sql).bind(table).fetch_all(&mut **tx).await?;
    if rows.is_empty() {
        return Err(StoreError::Refused(format!(
            "table {table} is missing; is the database migrated?"
        )));
    }
    rows.iter()
        .map(|row| {
            let name: String = row.try_get(0)?;
            let declared: String = row.try_get(1)?;
            let kind = match declared.to_ascii_lowercase().as_str() {
                "text" => Kind::Text,
                "integer" | "bigint" => Kind::Integer,
                "blob" | "bytea" => Kind::Bytes,
                other => {
                    return Err(StoreError::Refused(format!(
                        "column {table}.{name} has a type the copy does not know: {other}"
                    )))
                }
            };
            Ok(Column { name, kind })
        })
        .collect()
}

fn same_columns(table: &str, ours: &[Column], theirs: &[Column]) -> Result<()> {
    let mine: BTreeMap<&str, Kind> = ours.iter().map(|c| (c.name.as_str(), c.kind)).collect();
    let other: BTreeMap<&str, Kind> = theirs.iter().map(|c| (c.name.as_str(), c.kind)).collect();
    if mine == other {
        Ok(())
    } else {
        Err(StoreError::Refused(format!(
            "table {table} differs between the databases ({:?} against {:?}); migrate both with the same Finishline version",
            mine.keys().collect::<Vec<_>>(),
            other.keys().collect::<Vec<_>>()
        )))
    }
}

fn select_sql(table: &str, columns: &[Column]) -> String {
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    format!("SELECT {} FROM {table}", names.join(", "))
}

fn values(row: &AnyRow, columns: &[Column]) -> Result<Vec<Value>> {
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            Ok(match c.kind {
                Kind::Text => row
                    .try_get::<Option<String>, _>(i)?
                    .map_or(Value::Null, Value::Text),
                Kind::Integer => row
                    .try_get::<Option<i64>, _>(i)?
                    .map_or(Value::Null, Value::Integer),
                Kind::Bytes => row
                    .try_get::<Option<Vec<u8>>, _>(i)?
                    .map_or(Value::Null, Value::Bytes),
            })
        })
        .collect()
}

async fn insert(
    tx: &mut Transaction<'_, Any>,
    table: &str,
    columns: &[Column],
    rows: Vec<Vec<Value>>,
) -> Result<()> {
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", names.join(", "));
    let mut n = 0usize;
    for r in 0..rows.len() {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..columns.len() {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            sql.push_str(&format!("${n}"));
        }
        sql.push(')');
    }
    let mut query = sqlx::query(&sql);
    for row in rows {
        for (value, column) in row.into_iter().zip(columns) {
            query = match (value, column.kind) {
                (Value::Null, Kind::Text) => query.bind(None::<String>),
                (Value::Null, Kind::Integer) => query.bind(None::<i64>),
                (Value::Null, Kind::Bytes) => query.bind(None::<Vec<u8>>),
                (Value::Text(s), _) => query.bind(s),
                (Value::Integer(i), _) => query.bind(i),
                (Value::Bytes(b), _) => query.bind(b),
            };
        }
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

/// A table's running count and checksum.
struct Sum {
    table: &'static str,
    rows: u64,
    checksum: u128,
}

impl Sum {
    fn new(table: &'static str) -> Sum {
        Sum {
            table,
            rows: 0,
            checksum: 0,
        }
    }

    /// Adds one row, its columns hashed in name order with a tag and a length for each value,
    /// so no two different rows hash the same bytes.
    fn add(&mut self, row: &[Value], columns: &[Column], order: &[usize]) {
        let mut h = Sha256::new();
        for &i in order {
            h.update(columns[i].name.as_bytes());
            h.update([0]);
            match &row[i] {
                Value::Null => h.update([0]),
                Value::Text(s) => {
                    h.update([1]);
                    h.update((s.len() as u64).to_le_bytes());
                    h.update(s.as_bytes());
                }
                Value::Integer(v) => {
                    h.update([2]);
                    h.update(v.to_le_bytes());
                }
                Value::Bytes(b) => {
                    h.update([3]);
                    h.update((b.len() as u64).to_le_bytes());
                    h.update(b);
                }
            }
        }
        let digest = h.finalize();
        let mut first = [0u8; 16];
        first.copy_from_slice(&digest[..16]);
        self.checksum = self.checksum.wrapping_add(u128::from_le_bytes(first));
        self.rows += 1;
    }

    fn done(self) -> TableSum {
        TableSum {
            table: self.table,
            rows: self.rows,
            checksum: self.checksum,
        }
    }
}
