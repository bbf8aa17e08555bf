//! Time entries, weekly capacities and allocations (migration 0012, issue 17).
//!
//! Entries are rows by workspace, member and day; the Team page reads sums over ranges of days
//! and weeks through the indexes the migration makes. Allocations derived from a project's plan
//! (`core::capacity::plan_allocations`) are rewritten in the transaction of every save of the
//! project ([`replace_plan_allocations_in`]), so they never disagree with the plan; a week a
//! person edited stays as they set it. Every change to entries, capacities or edited allocations
//! raises `workspaces.time_revision` in its transaction: a reader keeps what it computed until
//! that or `projects_revision` moves.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use finishline_core::capacity::{plan_allocations, DEFAULT_WEEKLY_MINUTES, MINUTES_PER_DAY};
use finishline_core::lifecycle::Stage;
use finishline_core::Project;
use serde::Serialize;
use sqlx::{Any, Row as _, Transaction};

use crate::codec::{new_id, parse_date, parse_ts, ts};
use crate::{corrupt, Result, Row, Store};

/// One entry of time logged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeEntry {
    pub id: String,
    pub user_id: String,
    pub project_id: String,
    pub task_id: Option<u32>,
    /// The lifecycle stage the work counts for.
    pub stage: Stage,
    pub day: NaiveDate,
    pub minutes: u32,
    pub billable: bool,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An entry to write (new, or the new values of an existing one).
#[derive(Debug, Clone)]
pub struct EntryValues {
    pub user_id: String,
    pub project_id: String,
    pub task_id: Option<u32>,
    pub stage: Stage,
    pub day: NaiveDate,
    pub minutes: u32,
    pub billable: bool,
    pub note: String,
}

/// A write of an entry refused because of what is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryRefused {
    /// The member's day would hold more than 24 hours: `already` minutes are logged that day
    /// besides this entry.
    DayFull { day: NaiveDate, already: u32 },
    /// No such entry in the workspace.
    NotFound,
}

/// Which entries to read: all filters are optional; days inclusive.
#[derive(Debug, Clone, Default)]
pub struct EntryFilter {
    pub user_id: Option<String>,
    pub project_id: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// One row of allocations, summed over stages when listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Allocation {
    pub project_id: String,
    pub user_id: String,
    pub week: NaiveDate,
    pub minutes: u32,
    /// `playbook` (from the plan) or `edited`.
    pub source: String,
}

/// The two revisions the Team page's kept figures depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeRevision {
    pub projects: i64,
    pub time: i64,
}

fn stage_text(s: Stage) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn stage_of(s: &str) -> Result<Stage> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|e| corrupt("stage", e))
}

fn minutes_of(r: &Row, col: &str) -> Result<u32> {
    let m: i64 = r.try_get(col)?;
    u32::try_from(m).map_err(|e| corrupt(col, e))
}

fn entry_of(r: &Row) -> Result<TimeEntry> {
    let task: Option<i64> = r.try_get("task_id")?;
    let billable: i64 = r.try_get("billable")?;
    Ok(TimeEntry {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        project_id: r.try_get("project_id")?,
        task_id: task
            .map(u32::try_from)
            .transpose()
            .map_err(|e| corrupt("task_id", e))?,
        stage: stage_of(&r.try_get::<String, _>("stage")?)?,
        day: parse_date(&r.try_get::<String, _>("day")?)?,
        minutes: minutes_of(r, "minutes")?,
        billable: billable != 0,
        note: r.try_get("note")?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&r.try_get::<String, _>("updated_at")?)?,
    })
}

/// Sums read as (first column, second column parsed by `key`, the minutes in `m`).
fn sums<K>(
    rows: &[Row],
    first: &str,
    second: &str,
    key: impl Fn(&str) -> Result<K>,
) -> Result<Vec<(String, K, u32)>> {
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get(first)?,
                key(&r.try_get::<String, _>(second)?)?,
                minutes_of(r, "m")?,
            ))
        })
        .collect()
}

const ENTRY_COLUMNS: &str =
    "id, user_id, project_id, task_id, stage, day, minutes, billable, note, created_at, updated_at";

/// Raises the workspace's time revision. The workspace row stays locked until the transaction
/// ends, so two entries for one member's day are checked one after the other (PostgreSQL); on
/// SQLite writers are one at a time anyway.
async fn bump_time_revision(tx: &mut Transaction<'static, Any>, workspace: &str) -> Result<()> {
    sqlx::query("UPDATE workspaces SET time_revision = time_revision + 1 WHERE id = $1")
        .bind(workspace)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Minutes `user` has logged on `day`, leaving out the entry `except`.
async fn day_total(
    tx: &mut Transaction<'static, Any>,
    workspace: &str,
    user: &str,
    day: NaiveDate,
    except: &str,
) -> Result<u32> {
    let row = sqlx::query(
        "SELECT CAST(COALESCE(SUM(minutes), 0) AS BIGINT) AS m FROM time_entries \
         WHERE workspace_id = $1 AND user_id = $2 AND day = $3 AND id <> $4",
    )
    .bind(workspace)
    .bind(user)
    .bind(day.to_string())
    .bind(except)
    .fetch_one(&mut **tx)
    .await?;
    minutes_of(&row, "m")
}

/// Rewrites the allocations the project's plan implies, inside the transaction that saves it:
/// the plan's rows are replaced, weeks someone edited are left as they are. Each vendor person
/// is found among the workspace's members by their member id, else by email; work of a person
/// who is not a member is not allocated to anyone. Most saves change nothing the plan reads
/// (a status update, a note), so the rows are compared first and written only when they differ.
pub(crate) async fn replace_plan_allocations_in(
    tx: &mut Transaction<'static, Any>,
    workspace: &str,
    p: &Project,
) -> Result<()> {
    let mut stored = BTreeMap::new();
    let mut edited = HashSet::new();
    let rows = sqlx::query(
        "SELECT user_id, week, stage, minutes, source FROM allocations \
         WHERE workspace_id = $1 AND project_id = $2",
    )
    .bind(workspace)
    .bind(&p.id)
    .fetch_all(&mut **tx)
    .await?;
    for r in &rows {
        let user: String = r.try_get("user_id")?;
        let week: String = r.try_get("week")?;
        let source: String = r.try_get("source")?;
        if source == "edited" {
            edited.insert((user, week));
        } else {
            let stage: String = r.try_get("stage")?;
            stored.insert((user, week, stage), i64::from(minutes_of(r, "minutes")?));
        }
    }
    let wanted: BTreeMap<_, _> = planned_rows(tx, workspace, p)
        .await?
        .into_iter()
        .filter(|((user, week, _), _)| !edited.contains(&(user.clone(), week.clone())))
        .collect();
    if wanted == stored {
        return Ok(());
    }
    sqlx::query(
        "DELETE FROM allocations WHERE workspace_id = $1 AND project_id = $2 AND source = 'playbook'",
    )
    .bind(workspace)
    .bind(&p.id)
    .execute(&mut **tx)
    .await?;
    for ((user, week, stage), minutes) in wanted {
        sqlx::query(
            "INSERT INTO allocations (workspace_id, project_id, user_id, week, stage, minutes, source) \
             VALUES ($1, $2, $3, $4, $5, $6, 'playbook')",
        )
        .bind(workspace)
        .bind(&p.id)
        .bind(&user)
        .bind(week)
        .bind(stage)
        .bind(minutes)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The plan's allocation rows, keyed as stored (member, week, stage), minutes summed: two
/// people of the project who are the same member add up.
async fn planned_rows(
    tx: &mut Transaction<'static, Any>,
    workspace: &str,
    p: &Project,
) -> Result<BTreeMap<(String, String, String), i64>> {
    let mut out = BTreeMap::new();
    let planned = plan_allocations(p);
    if planned.is_empty() {
        return Ok(out);
    }
    let rows = sqlx::query("SELECT id, email FROM users WHERE workspace_id = $1")
        .bind(workspace)
        .fetch_all(&mut **tx)
        .await?;
    let mut by_email = HashMap::new();
    let mut ids = HashSet::new();
    for r in &rows {
        let id: String = r.try_get("id")?;
        let email: String = r.try_get("email")?;
        by_email.insert(crate::workspaces::normalise_email(&email), id.clone());
        ids.insert(id);
    }
    let member_of = |person: u32| -> Option<String> {
        let person = p.person(person)?;
        person
            .user_id
            .clone()
            .filter(|id| ids.contains(id))
            .or_else(|| {
                by_email
                    .get(&crate::workspaces::normalise_email(&person.email))
                    .cloned()
            })
    };
    for work in planned {
        let Some(user) = member_of(work.person) else {
            continue;
        };
        *out.entry((user, work.week.to_string(), stage_text(work.stage)))
            .or_default() += i64::from(work.minutes);
    }
    Ok(out)
}

/// The conditions and values of the filters given (only those: a condition that passes on a
/// blank value would keep the planner from the indexes), numbered from `$2`.
fn entry_conditions(filter: &EntryFilter) -> (String, Vec<String>) {
    let mut sql = String::new();
    let mut values = Vec::new();
    let mut add = |cond: &str, v: String| {
        values.push(v);
        sql.push_str(&format!(" AND {cond} ${}", values.len() + 1));
    };
    if let Some(u) = &filter.user_id {
        add("user_id =", u.clone());
    }
    if let Some(p) = &filter.project_id {
        add("project_id =", p.clone());
    }
    if let Some(d) = filter.from {
        add("day >=", d.to_string());
    }
    if let Some(d) = filter.to {
        add("day <=", d.to_string());
    }
    (sql, values)
}

impl Store {
    /// Logs time; refused (nothing written) when the member's day would hold more than 24 hours.
    pub async fn insert_time_entry(
        &self,
        workspace: &str,
        v: &EntryValues,
        now: DateTime<Utc>,
    ) -> Result<Result<TimeEntry, EntryRefused>> {
        let mut tx = self.write.begin().await?;
        bump_time_revision(&mut tx, workspace).await?;
        let already = day_total(&mut tx, workspace, &v.user_id, v.day, "").await?;
        if already.saturating_add(v.minutes) > MINUTES_PER_DAY {
            return Ok(Err(EntryRefused::DayFull {
                day: v.day,
                already,
            }));
        }
        let id = new_id("time");
        sqlx::query(
            "INSERT INTO time_entries (id, workspace_id, user_id, project_id, task_id, stage, day, \
             minutes, billable, note, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
        )
        .bind(&id)
        .bind(workspace)
        .bind(&v.user_id)
        .bind(&v.project_id)
        .bind(v.task_id.map(i64::from))
        .bind(stage_text(v.stage))
        .bind(v.day.to_string())
        .bind(i64::from(v.minutes))
        .bind(i64::from(v.billable))
        .bind(&v.note)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(TimeEntry {
            id,
            user_id: v.user_id.clone(),
            project_id: v.project_id.clone(),
            task_id: v.task_id,
            stage: v.stage,
            day: v.day,
            minutes: v.minutes,
            billable: v.billable,
            note: v.note.clone(),
            created_at: now,
            updated_at: now,
        }))
    }

    /// Changes an entry to `v`, with the same 24-hour check over the member's day.
    pub async fn update_time_entry(
        &self,
        workspace: &str,
        id: &str,
        v: &EntryValues,
        now: DateTime<Utc>,
    ) -> Result<Result<TimeEntry, EntryRefused>> {
        let mut tx = self.write.begin().await?;
        bump_time_revision(&mut tx, workspace).await?;
        let already = day_total(&mut tx, workspace, &v.user_id, v.day, id).await?;
        if already.saturating_add(v.minutes) > MINUTES_PER_DAY {
            return Ok(Err(EntryRefused::DayFull {
                day: v.day,
                already,
            }));
        }
        let done = sqlx::query(
            "UPDATE time_entries SET user_id = $1, project_id = $2, task_id = $3, stage = $4, \
             day = $5, minutes = $6, billable = $7, note = $8, updated_at = $9 \
             WHERE workspace_id = $10 AND id = $11",
        )
        .bind(&v.user_id)
        .bind(&v.project_id)
        .bind(v.task_id.map(i64::from))
        .bind(stage_text(v.stage))
        .bind(v.day.to_string())
        .bind(i64::from(v.minutes))
        .bind(i64::from(v.billable))
        .bind(&v.note)
        .bind(ts(now))
        .bind(workspace)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(Err(EntryRefused::NotFound));
        }
        let row = sqlx::query(&format!(
            "SELECT {ENTRY_COLUMNS} FROM time_entries WHERE workspace_id = $1 AND id = $2"
        ))
        .bind(workspace)
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let entry = entry_of(&row)?;
        tx.commit().await?;
        Ok(Ok(entry))
    }

    /// Removes an entry; `false` when there was none.
    pub async fn delete_time_entry(&self, workspace: &str, id: &str) -> Result<bool> {
        let mut tx = self.write.begin().await?;
        bump_time_revision(&mut tx, workspace).await?;
        let done = sqlx::query("DELETE FROM time_entries WHERE workspace_id = $1 AND id = $2")
            .bind(workspace)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn time_entry(&self, workspace: &str, id: &str) -> Result<Option<TimeEntry>> {
        let row = sqlx::query(&format!(
            "SELECT {ENTRY_COLUMNS} FROM time_entries WHERE workspace_id = $1 AND id = $2"
        ))
        .bind(workspace)
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(entry_of).transpose()
    }

    /// Entries matching `filter`, by day then creation, at most `limit`.
    pub async fn time_entries(
        &self,
        workspace: &str,
        filter: &EntryFilter,
        limit: u32,
    ) -> Result<Vec<TimeEntry>> {
        let (conditions, values) = entry_conditions(filter);
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM time_entries WHERE workspace_id = $1{conditions} \
             ORDER BY day, created_at, id LIMIT ${}",
            values.len() + 2
        );
        let mut query = sqlx::query(&sql).bind(workspace);
        for v in values {
            query = query.bind(v);
        }
        let rows = query.bind(i64::from(limit)).fetch_all(&self.read).await?;
        rows.iter().map(entry_of).collect()
    }

    /// Minutes logged per member and day from `from` to `to` inclusive.
    pub async fn logged_by_member_day(
        &self,
        workspace: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(String, NaiveDate, u32)>> {
        self.member_sums("time_entries", "day", workspace, from, to)
            .await
    }

    /// Minutes per member and `column` (a day or a week) of `table`, from `from` to `to`.
    async fn member_sums(
        &self,
        table: &str,
        column: &str,
        workspace: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(String, NaiveDate, u32)>> {
        let rows = sqlx::query(&format!(
            "SELECT user_id, {column}, CAST(SUM(minutes) AS BIGINT) AS m FROM {table} \
             WHERE workspace_id = $1 AND {column} >= $2 AND {column} <= $3 GROUP BY user_id, {column}"
        ))
        .bind(workspace)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.read)
        .await?;
        sums(&rows, "user_id", column, parse_date)
    }

    /// Minutes logged per stage on each project (or on one).
    pub async fn logged_by_stage(
        &self,
        workspace: &str,
        project: Option<&str>,
    ) -> Result<Vec<(String, Stage, u32)>> {
        let rows = sqlx::query(
            "SELECT project_id, stage, CAST(SUM(minutes) AS BIGINT) AS m FROM time_entries \
             WHERE workspace_id = $1 AND ($2 = '' OR project_id = $2) GROUP BY project_id, stage",
        )
        .bind(workspace)
        .bind(project.unwrap_or_default().to_string())
        .fetch_all(&self.read)
        .await?;
        sums(&rows, "project_id", "stage", stage_of)
    }

    /// Minutes allocated per member and week (Mondays from `from` to `to`), all projects.
    pub async fn allocated_by_member_week(
        &self,
        workspace: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(String, NaiveDate, u32)>> {
        self.member_sums("allocations", "week", workspace, from, to)
            .await
    }

    /// Planned minutes per stage of each project that has allocations in the weeks from `from`
    /// to `to` (or of one project), over all its weeks.
    pub async fn planned_by_stage(
        &self,
        workspace: &str,
        project: Option<&str>,
        weeks: Option<(NaiveDate, NaiveDate)>,
    ) -> Result<Vec<(String, Stage, u32)>> {
        let (from, to) = weeks.map_or((String::new(), String::new()), |(f, t)| {
            (f.to_string(), t.to_string())
        });
        let rows = sqlx::query(
            "SELECT a.project_id, a.stage, CAST(SUM(a.minutes) AS BIGINT) AS m FROM allocations a \
             WHERE a.workspace_id = $1 AND ($2 = '' OR a.project_id = $2) \
             AND ($3 = '' OR a.project_id IN (SELECT DISTINCT w.project_id FROM allocations w \
               WHERE w.workspace_id = $1 AND w.week >= $3 AND w.week <= $4)) \
             GROUP BY a.project_id, a.stage",
        )
        .bind(workspace)
        .bind(project.unwrap_or_default().to_string())
        .bind(from)
        .bind(to)
        .fetch_all(&self.read)
        .await?;
        sums(&rows, "project_id", "stage", stage_of)
    }

    /// A project's allocations by member and week (stages summed), weeks from `from` on.
    pub async fn project_allocations(
        &self,
        workspace: &str,
        project: &str,
    ) -> Result<Vec<Allocation>> {
        let rows = sqlx::query(
            "SELECT project_id, user_id, week, CAST(SUM(minutes) AS BIGINT) AS m, MAX(source) AS source \
             FROM allocations WHERE workspace_id = $1 AND project_id = $2 \
             GROUP BY project_id, user_id, week ORDER BY week, user_id",
        )
        .bind(workspace)
        .bind(project)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Allocation {
                    project_id: r.try_get("project_id")?,
                    user_id: r.try_get("user_id")?,
                    week: parse_date(&r.try_get::<String, _>("week")?)?,
                    minutes: minutes_of(r, "m")?,
                    source: r.try_get("source")?,
                })
            })
            .collect()
    }

    /// The projects `user` is allocated to in the weeks from `from` to `to`.
    pub async fn member_allocations(
        &self,
        workspace: &str,
        user: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT DISTINCT project_id FROM allocations \
             WHERE workspace_id = $1 AND week >= $2 AND week <= $3 AND user_id = $4",
        )
        .bind(workspace)
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(user)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("project_id")?)).collect()
    }

    /// Sets a project's allocation of `user` in `week` (a Monday) by hand: the plan leaves that
    /// week alone from now on. It keeps the stage the plan gave the most of that week, else the
    /// project's current stage.
    pub async fn set_allocation(
        &self,
        workspace: &str,
        project: &str,
        user: &str,
        week: NaiveDate,
        minutes: u32,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        bump_time_revision(&mut tx, workspace).await?;
        let week_text = week.to_string();
        let stage = sqlx::query(
            "SELECT stage FROM allocations WHERE workspace_id = $1 AND project_id = $2 \
             AND user_id = $3 AND week = $4 ORDER BY minutes DESC LIMIT 1",
        )
        .bind(workspace)
        .bind(project)
        .bind(user)
        .bind(&week_text)
        .fetch_optional(&mut *tx)
        .await?;
        let stage: String = match stage {
            Some(r) => r.try_get("stage")?,
            None => sqlx::query("SELECT stage FROM projects WHERE workspace_id = $1 AND id = $2")
                .bind(workspace)
                .bind(project)
                .fetch_one(&mut *tx)
                .await?
                .try_get("stage")?,
        };
        sqlx::query(
            "DELETE FROM allocations WHERE workspace_id = $1 AND project_id = $2 AND user_id = $3 AND week = $4",
        )
        .bind(workspace)
        .bind(project)
        .bind(user)
        .bind(&week_text)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO allocations (workspace_id, project_id, user_id, week, stage, minutes, source) \
             VALUES ($1, $2, $3, $4, $5, $6, 'edited')",
        )
        .bind(workspace)
        .bind(project)
        .bind(user)
        .bind(&week_text)
        .bind(stage)
        .bind(i64::from(minutes))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Each member's weekly capacity in minutes (members without one set have the default).
    pub async fn member_capacities(&self, workspace: &str) -> Result<HashMap<String, u32>> {
        let rows = sqlx::query(
            "SELECT u.id, c.minutes_per_week FROM users u LEFT JOIN member_capacity c \
             ON c.workspace_id = u.workspace_id AND c.user_id = u.id WHERE u.workspace_id = $1",
        )
        .bind(workspace)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let m: Option<i64> = r.try_get("minutes_per_week")?;
                let m = match m {
                    Some(m) => u32::try_from(m).map_err(|e| corrupt("capacity", e))?,
                    None => DEFAULT_WEEKLY_MINUTES,
                };
                Ok((r.try_get("id")?, m))
            })
            .collect()
    }

    /// Sets a member's weekly capacity; `false` when the member is not of this workspace.
    pub async fn set_member_capacity(
        &self,
        workspace: &str,
        user: &str,
        minutes: u32,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.write.begin().await?;
        let member = sqlx::query("SELECT id FROM users WHERE workspace_id = $1 AND id = $2")
            .bind(workspace)
            .bind(user)
            .fetch_optional(&mut *tx)
            .await?;
        if member.is_none() {
            return Ok(false);
        }
        bump_time_revision(&mut tx, workspace).await?;
        sqlx::query(
            "INSERT INTO member_capacity (workspace_id, user_id, minutes_per_week, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (workspace_id, user_id) \
             DO UPDATE SET minutes_per_week = excluded.minutes_per_week, updated_at = excluded.updated_at",
        )
        .bind(workspace)
        .bind(user)
        .bind(i64::from(minutes))
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The revisions the Team page's figures depend on (`None`: no such workspace).
    pub async fn time_revision(&self, workspace: &str) -> Result<Option<TimeRevision>> {
        let row =
            sqlx::query("SELECT projects_revision, time_revision FROM workspaces WHERE id = $1")
                .bind(workspace)
                .fetch_optional(&self.read)
                .await?;
        row.map(|r| {
            Ok(TimeRevision {
                projects: r.try_get("projects_revision")?,
                time: r.try_get("time_revision")?,
            })
        })
        .transpose()
    }
}
