//! Uploaded files (proof of completed tasks, data imports). Kept in the database so that a
//! backup is one file on SQLite and several servers share them on PostgreSQL.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row as _;

use crate::codec::{new_id, parse_ts, ts};
use crate::{Result, Row, Store};

#[derive(Debug, Clone, Serialize)]
pub struct StoredFile {
    pub id: String,
    pub project_id: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub created_at: DateTime<Utc>,
}

fn file_of(r: &Row) -> Result<StoredFile> {
    Ok(StoredFile {
        id: r.try_get("id")?,
        project_id: r.try_get("project_id")?,
        name: r.try_get("name")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        uploaded_by: r.try_get("uploaded_by")?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
    })
}

impl Store {
    #[allow(clippy::too_many_arguments)]
    pub async fn put_file(
        &self,
        workspace: &str,
        project: &str,
        name: &str,
        content_type: &str,
        body: &[u8],
        uploaded_by: &str,
        now: DateTime<Utc>,
    ) -> Result<StoredFile> {
        let file = StoredFile {
            id: new_id("file"),
            project_id: project.to_string(),
            name: name.to_string(),
            content_type: content_type.to_string(),
            size: i64::try_from(body.len()).unwrap_or(i64::MAX),
            sha256: hex::encode(Sha256::digest(body)),
            uploaded_by: uploaded_by.to_string(),
            created_at: now,
        };
        sqlx::query(
            "INSERT INTO files (id, workspace_id, project_id, name, content_type, size, sha256, \
             uploaded_by, created_at, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&file.id)
        .bind(workspace)
        .bind(project)
        .bind(&file.name)
        .bind(&file.content_type)
        .bind(file.size)
        .bind(&file.sha256)
        .bind(&file.uploaded_by)
        .bind(ts(now))
        .bind(body.to_vec())
        .execute(&self.write)
        .await?;
        Ok(file)
    }

    /// Deletes files of a project that were written for a change that was then refused, so a
    /// refusal leaves nothing behind. Only ever called with the ids the caller just wrote.
    pub async fn delete_files(
        &self,
        workspace: &str,
        project: &str,
        ids: &[String],
    ) -> Result<u64> {
        let mut deleted = 0;
        for id in ids {
            deleted += sqlx::query(
                "DELETE FROM files WHERE id = $1 AND workspace_id = $2 AND project_id = $3",
            )
            .bind(id)
            .bind(workspace)
            .bind(project)
            .execute(&self.write)
            .await?
            .rows_affected();
        }
        Ok(deleted)
    }

    /// A file of this workspace with its content.
    pub async fn file(&self, workspace: &str, id: &str) -> Result<Option<(StoredFile, Vec<u8>)>> {
        let row = sqlx::query(
            "SELECT id, project_id, name, content_type, size, sha256, uploaded_by, created_at, body \
             FROM files WHERE workspace_id = $1 AND id = $2",
        )
        .bind(workspace)
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some((file_of(&r)?, r.try_get("body")?))),
        }
    }

    pub async fn files(&self, workspace: &str, project: &str) -> Result<Vec<StoredFile>> {
        let rows = sqlx::query(
            "SELECT id, project_id, name, content_type, size, sha256, uploaded_by, created_at \
             FROM files WHERE workspace_id = $1 AND project_id = $2 ORDER BY created_at",
        )
        .bind(workspace)
        .bind(project)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(file_of).collect()
    }
}
