//! What reports derive from each project (`core::analytics::ProjectFacts`), kept by project
//! version so a server that starts does not replay every log before its first report. The store
//! keeps the derived document as text and knows nothing of what is in it; a row is returned
//! only while it was written for the project's current version and the caller's format, so a
//! change to the project, or a build that derives facts differently, makes it invisible until
//! it is written again.

use sqlx::Row as _;

use crate::{Result, Store};

/// Rows per INSERT when facts are written back: a cold start writes a whole workspace.
const ROWS_PER_INSERT: usize = 100;

/// One project of the workspace: its version, and the facts kept for that version, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptFacts {
    pub project_id: String,
    pub version: i64,
    /// The kept document, only if written for `version` in the format asked for.
    pub doc: Option<String>,
}

/// Facts to keep for one project version.
#[derive(Debug, Clone, Copy)]
pub struct NewFacts<'a> {
    pub project_id: &'a str,
    pub version: i64,
    pub doc: &'a str,
}

impl Store {
    /// Every project of the workspace with its version, and its facts where they were kept for
    /// that version in `format`.
    pub async fn kept_facts(&self, workspace: &str, format: i64) -> Result<Vec<KeptFacts>> {
        let rows = sqlx::query(
            "SELECT p.id, p.version, f.doc FROM projects p LEFT JOIN project_facts f \
             ON f.workspace_id = p.workspace_id AND f.project_id = p.id \
             AND f.version = p.version AND f.format = $2 \
             WHERE p.workspace_id = $1",
        )
        .bind(workspace)
        .bind(format)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(KeptFacts {
                    project_id: r.try_get("id")?,
                    version: r.try_get("version")?,
                    doc: r.try_get("doc")?,
                })
            })
            .collect()
    }

    /// Keeps facts in `format` for the given project versions, in one transaction, replacing
    /// what was kept for an older version of the same project (never a newer one: a slow writer
    /// must not hide the facts a faster one kept for a later version).
    pub async fn keep_facts(
        &self,
        workspace: &str,
        format: i64,
        facts: &[NewFacts<'_>],
    ) -> Result<()> {
        if facts.is_empty() {
            return Ok(());
        }
        let mut tx = self.write.begin().await?;
        for chunk in facts.chunks(ROWS_PER_INSERT) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let at = 3 + i * 3;
                    format!("($1, ${at}, ${}, $2, ${})", at + 1, at + 2)
                })
                .collect();
            let sql = format!(
                "INSERT INTO project_facts (workspace_id, project_id, version, format, doc) \
                 VALUES {} ON CONFLICT (workspace_id, project_id) DO UPDATE \
                 SET version = excluded.version, format = excluded.format, doc = excluded.doc \
                 WHERE project_facts.version <= excluded.version",
                rows.join(", ")
            );
            let mut q = sqlx::query(&sql).bind(workspace).bind(format);
            for f in chunk {
                q = q.bind(f.project_id).bind(f.version).bind(f.doc);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
