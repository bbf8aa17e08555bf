//! Projects as versioned documents, and their activity log.

use chrono::{DateTime, NaiveDate, Utc};
use finishline_core::{Activity, Project};
use serde::Serialize;
use sqlx::{Any, Row as _, Transaction};

use crate::codec::{from_json, parse_date, parse_ts, to_json, ts};
use crate::{Result, Row, Store, StoreError};

/// What a list of projects shows without reading the documents.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectRow {
    pub id: String,
    pub name: String,
    pub customer: String,
    pub stage: String,
    pub owner_name: String,
    pub launch_date: Option<NaiveDate>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

/// The outcome of applying a CRM delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Created,
    /// This delivery id was applied before; nothing was written.
    AlreadyApplied {
        project_id: String,
    },
}

fn stage_text(p: &Project) -> String {
    serde_json::to_value(p.stage)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn owner_text(p: &Project) -> String {
    p.vendor_owner().map(|o| o.name.clone()).unwrap_or_default()
}

fn row_of(r: &Row) -> Result<ProjectRow> {
    let launch: Option<String> = r.try_get("launch_date")?;
    Ok(ProjectRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        customer: r.try_get("customer")?,
        stage: r.try_get("stage")?,
        owner_name: r.try_get("owner_name")?,
        launch_date: launch.as_deref().map(parse_date).transpose()?,
        version: r.try_get("version")?,
        updated_at: parse_ts(&r.try_get::<String, _>("updated_at")?)?,
    })
}

async fn append_activities(
    tx: &mut Transaction<'static, Any>,
    workspace: &str,
    project: &str,
    activities: &[Activity],
) -> Result<()> {
    for a in activities {
        sqlx::query(
            "INSERT INTO activities (workspace_id, project_id, at, kind, doc) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(workspace)
        .bind(project)
        .bind(ts(a.at))
        .bind(&a.kind)
        .bind(to_json(a)?)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Raises the workspace's projects revision, inside the transaction that writes a project, and
/// returns it for the project's `list_revision`. A list cache compares the revision (one row)
/// and reads only the projects stamped after its own. The workspace row is locked until the
/// transaction ends, so revisions become visible in order: once a revision is seen, every
/// project stamped with it or an earlier one is committed.
async fn bump_projects_revision(
    tx: &mut Transaction<'static, Any>,
    workspace: &str,
) -> Result<i64> {
    let row = sqlx::query(
        "UPDATE workspaces SET projects_revision = projects_revision + 1 WHERE id = $1 \
         RETURNING projects_revision",
    )
    .bind(workspace)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("projects_revision")?)
}

async fn insert_in(
    tx: &mut Transaction<'static, Any>,
    workspace: &str,
    p: &Project,
    activities: &[Activity],
    now: DateTime<Utc>,
) -> Result<()> {
    let revision = bump_projects_revision(tx, workspace).await?;
    sqlx::query(
        "INSERT INTO projects (id, workspace_id, name, customer, stage, owner_name, launch_date, \
         version, doc, created_at, updated_at, list_revision) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $9, $10)",
    )
    .bind(&p.id)
    .bind(workspace)
    .bind(&p.name)
    .bind(&p.customer)
    .bind(stage_text(p))
    .bind(owner_text(p))
    .bind(p.launch_date.map(|d| d.to_string()))
    .bind(to_json(p)?)
    .bind(ts(now))
    .bind(revision)
    .execute(&mut **tx)
    .await
    .map_err(|e| crate::unique_or(e, &format!("project {}", p.id)))?;
    append_activities(tx, workspace, &p.id, activities).await?;
    crate::time::replace_plan_allocations_in(tx, workspace, p).await
}

/// The optimistic update of a project and its activities, inside the caller's transaction, which
/// must be dropped (rolled back) on `Conflict`.
pub(crate) async fn save_in(
    tx: &mut Transaction<'static, Any>,
    workspace: &str,
    p: &Project,
    read_version: i64,
    activities: &[Activity],
    now: DateTime<Utc>,
) -> Result<i64> {
    let revision = bump_projects_revision(tx, workspace).await?;
    let done = sqlx::query(
        "UPDATE projects SET name = $1, customer = $2, stage = $3, owner_name = $4, \
         launch_date = $5, version = version + 1, doc = $6, updated_at = $7, list_revision = $8 \
         WHERE workspace_id = $9 AND id = $10 AND version = $11",
    )
    .bind(&p.name)
    .bind(&p.customer)
    .bind(stage_text(p))
    .bind(owner_text(p))
    .bind(p.launch_date.map(|d| d.to_string()))
    .bind(to_json(p)?)
    .bind(ts(now))
    .bind(revision)
    .bind(workspace)
    .bind(&p.id)
    .bind(read_version)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict);
    }
    append_activities(tx, workspace, &p.id, activities).await?;
    crate::time::replace_plan_allocations_in(tx, workspace, p).await?;
    Ok(read_version + 1)
}

impl Store {
    /// Stores a new project (version 1) with the activities that created it.
    pub async fn insert_project(
        &self,
        workspace: &str,
        p: &Project,
        activities: &[Activity],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        insert_in(&mut tx, workspace, p, activities, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates the project of a CRM delivery unless that delivery id was applied already:
    /// retries and replays of one deal never make two projects.
    pub async fn insert_project_once(
        &self,
        workspace: &str,
        delivery_id: &str,
        p: &Project,
        activities: &[Activity],
        now: DateTime<Utc>,
    ) -> Result<Delivery> {
        let mut tx = self.write.begin().await?;
        let seen = sqlx::query(
            "SELECT project_id FROM webhook_deliveries WHERE workspace_id = $1 AND delivery_id = $2",
        )
        .bind(workspace)
        .bind(delivery_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = seen {
            return Ok(Delivery::AlreadyApplied {
                project_id: row.try_get("project_id")?,
            });
        }
        insert_in(&mut tx, workspace, p, activities, now).await?;
        sqlx::query(
            "INSERT INTO webhook_deliveries (workspace_id, delivery_id, project_id, received_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(workspace)
        .bind(delivery_id)
        .bind(&p.id)
        .bind(ts(now))
        .execute(&mut *tx)
        .await
        .map_err(|e| crate::unique_or(e, &format!("delivery {delivery_id}")))?;
        tx.commit().await?;
        Ok(Delivery::Created)
    }

    /// A project of this workspace and the version it was read at.
    pub async fn project(&self, workspace: &str, id: &str) -> Result<Option<(Project, i64)>> {
        let row =
            sqlx::query("SELECT doc, version FROM projects WHERE workspace_id = $1 AND id = $2")
                .bind(workspace)
                .bind(id)
                .fetch_optional(&self.read)
                .await?;
        match row {
            None => Ok(None),
            Some(r) => {
                let doc: String = r.try_get("doc")?;
                Ok(Some((
                    from_json("project document", &doc)?,
                    r.try_get("version")?,
                )))
            }
        }
    }

    /// The current version of a project of this workspace, without reading its document.
    pub async fn project_version(&self, workspace: &str, id: &str) -> Result<Option<i64>> {
        let row = sqlx::query("SELECT version FROM projects WHERE workspace_id = $1 AND id = $2")
            .bind(workspace)
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| r.try_get("version").map_err(StoreError::from))
            .transpose()
    }

    /// Writes a changed project and its activities if nobody changed it since `read_version`;
    /// returns the new version, or `Conflict`.
    pub async fn save_project(
        &self,
        workspace: &str,
        p: &Project,
        read_version: i64,
        activities: &[Activity],
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let mut tx = self.write.begin().await?;
        let version = save_in(&mut tx, workspace, p, read_version, activities, now).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// The workspace's projects, most recently changed first.
    pub async fn project_rows(&self, workspace: &str) -> Result<Vec<ProjectRow>> {
        let rows = sqlx::query(
            "SELECT id, name, customer, stage, owner_name, launch_date, version, updated_at \
             FROM projects WHERE workspace_id = $1 ORDER BY updated_at DESC, id",
        )
        .bind(workspace)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(row_of).collect()
    }

    /// The workspace's projects stamped after `revision` (created or saved since), in no order.
    pub async fn project_rows_since(
        &self,
        workspace: &str,
        revision: i64,
    ) -> Result<Vec<ProjectRow>> {
        let rows = sqlx::query(
            "SELECT id, name, customer, stage, owner_name, launch_date, version, updated_at \
             FROM projects WHERE workspace_id = $1 AND list_revision > $2",
        )
        .bind(workspace)
        .bind(revision)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(row_of).collect()
    }

    /// Raised by every project insert and save of the workspace, in the same transaction (by any
    /// server or the CLI): a cached list read at the same revision is still right. `None` when
    /// there is no such workspace.
    pub async fn projects_revision(&self, workspace: &str) -> Result<Option<i64>> {
        let row = sqlx::query("SELECT projects_revision FROM workspaces WHERE id = $1")
            .bind(workspace)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| r.try_get("projects_revision"))
            .transpose()
            .map_err(Into::into)
    }

    /// The ids and versions of a page of the workspace's projects, most recently changed first,
    /// and how many there are in all: enough to serve a list from a cache of documents.
    pub async fn project_versions(
        &self,
        workspace: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<(String, i64)>, i64)> {
        let rows = sqlx::query(
            "SELECT id, version FROM projects WHERE workspace_id = $1 \
             ORDER BY updated_at DESC, id LIMIT $2 OFFSET $3",
        )
        .bind(workspace)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.read)
        .await?;
        let total: i64 = sqlx::query("SELECT COUNT(*) AS n FROM projects WHERE workspace_id = $1")
            .bind(workspace)
            .fetch_one(&self.read)
            .await?
            .try_get("n")?;
        let page = rows
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("version")?)))
            .collect::<Result<Vec<_>>>()?;
        Ok((page, total))
    }

    /// The documents of the named projects of this workspace (ids of other workspaces are
    /// silently absent).
    pub async fn projects_by_id(
        &self,
        workspace: &str,
        ids: &[String],
    ) -> Result<Vec<(Project, i64)>> {
        let mut out = Vec::with_capacity(ids.len());
        // Bounded IN lists keep statements small on both backends.
        for chunk in ids.chunks(200) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT doc, version FROM projects WHERE workspace_id = $1 AND id IN ({})",
                marks.join(", ")
            );
            let mut q = sqlx::query(&sql).bind(workspace);
            for id in chunk {
                q = q.bind(id);
            }
            for r in q.fetch_all(&self.read).await? {
                let doc: String = r.try_get("doc")?;
                out.push((from_json("project document", &doc)?, r.try_get("version")?));
            }
        }
        Ok(out)
    }

    /// Every project document of the workspace with its version.
    pub async fn projects(&self, workspace: &str) -> Result<Vec<(Project, i64)>> {
        let rows = sqlx::query(
            "SELECT doc, version FROM projects WHERE workspace_id = $1 ORDER BY updated_at DESC, id",
        )
        .bind(workspace)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let doc: String = r.try_get("doc")?;
                Ok((from_json("project document", &doc)?, r.try_get("version")?))
            })
            .collect()
    }

    /// A project's activity log, oldest first.
    pub async fn activities(&self, workspace: &str, project: &str) -> Result<Vec<Activity>> {
        let rows = sqlx::query(
            "SELECT doc FROM activities WHERE workspace_id = $1 AND project_id = $2 ORDER BY seq",
        )
        .bind(workspace)
        .bind(project)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| from_json("activity", &r.try_get::<String, _>("doc")?))
            .collect()
    }
}
