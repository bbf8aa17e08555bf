//! Workspace playbooks, versioned: a project records the version it was made from, and editing
//! a playbook never changes running projects.

use chrono::{DateTime, Utc};
use finishline_core::playbook::Playbook;
use serde::Serialize;
use sqlx::Row as _;

use crate::codec::{from_json, parse_ts, to_json, ts};
use crate::{Result, Row, Store};

#[derive(Debug, Clone, Serialize)]
pub struct StoredPlaybook {
    pub key: String,
    pub version: i64,
    pub playbook: Playbook,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

fn stored_of(r: &Row) -> Result<StoredPlaybook> {
    Ok(StoredPlaybook {
        key: r.try_get("key")?,
        version: r.try_get("version")?,
        playbook: from_json("playbook", &r.try_get::<String, _>("doc")?)?,
        created_by: r.try_get("created_by")?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
    })
}

impl Store {
    /// Saves a new version of the playbook under its key; returns the version number.
    pub async fn save_playbook(
        &self,
        workspace: &str,
        playbook: &Playbook,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let mut tx = self.write.begin().await?;
        let row = sqlx::query(
            "SELECT COALESCE(MAX(version), 0) AS v FROM playbooks WHERE workspace_id = $1 AND key = $2",
        )
        .bind(workspace)
        .bind(&playbook.key)
        .fetch_one(&mut *tx)
        .await?;
        let version: i64 = row.try_get::<i64, _>("v")? + 1;
        sqlx::query(
            "INSERT INTO playbooks (workspace_id, key, version, doc, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(workspace)
        .bind(&playbook.key)
        .bind(version)
        .bind(to_json(playbook)?)
        .bind(by)
        .bind(ts(now))
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            crate::unique_or(e, &format!("playbook {} version {version}", playbook.key))
        })?;
        tx.commit().await?;
        Ok(version)
    }

    /// A version of a workspace playbook, the latest when `version` is `None`.
    pub async fn playbook(
        &self,
        workspace: &str,
        key: &str,
        version: Option<i64>,
    ) -> Result<Option<StoredPlaybook>> {
        let row = sqlx::query(
            "SELECT key, version, doc, created_by, created_at FROM playbooks \
             WHERE workspace_id = $1 AND key = $2 AND ($3 < 0 OR version = $3) \
             ORDER BY version DESC LIMIT 1",
        )
        .bind(workspace)
        .bind(key)
        .bind(version.unwrap_or(-1))
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(stored_of).transpose()
    }

    /// The latest version of each workspace playbook.
    pub async fn playbooks(&self, workspace: &str) -> Result<Vec<StoredPlaybook>> {
        let rows = sqlx::query(
            "SELECT p.key, p.version, p.doc, p.created_by, p.created_at FROM playbooks p \
             WHERE p.workspace_id = $1 AND p.version = \
             (SELECT MAX(q.version) FROM playbooks q WHERE q.workspace_id = p.workspace_id AND q.key = p.key) \
             ORDER BY p.key",
        )
        .bind(workspace)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(stored_of).collect()
    }
}
