//! Bulk reads of activity logs, for reports and exports over many projects, through one batched
//! reader (`read_logs`: the logs of up to `BATCH` projects in one statement, each in order):
//!
//! - `ProjectLogs`, a cursor over a workspace's projects (all, or the ones named) with their
//!   logs, one project at a time, for work whose memory must not grow with the workspace (the
//!   process map's and analytics' replays, OCEL and XES). Two statements per batch, one for the
//!   documents and one for their logs, so 2,000 projects cost 64 statements, not 4,000, and at
//!   most one batch is held at once.
//! - `workspace_activities`, every log of a workspace at once, for a caller that keeps them.

use std::collections::{HashMap, VecDeque};

use finishline_core::{Activity, Project};
use sqlx::Row as _;

use crate::codec::from_json;
use crate::{Result, Store};

/// Projects per batch: enough to make statements few, few enough that a batch of large
/// documents and long logs stays a few megabytes.
const BATCH: usize = 64;

/// One project as the cursor gives it: its document, the version that document is, and its log
/// (oldest first).
#[derive(Debug, Clone)]
pub struct ProjectLog {
    pub project: Project,
    pub version: i64,
    pub log: Vec<Activity>,
}

/// A cursor over a workspace's projects and their logs, in project id order.
///
/// The list of ids is read when the cursor is made; a project created afterwards is not
/// included, and one deleted afterwards (or named but not the workspace's) is skipped. Each
/// project's document and log are read together in one batch, so a log is never older than the
/// document it is paired with by more than the batch's two statements.
pub struct ProjectLogs {
    store: Store,
    workspace: String,
    ids: Vec<String>,
    next: usize,
    ready: VecDeque<ProjectLog>,
}

impl Store {
    /// Opens a cursor over the workspace's projects with their activity logs.
    pub async fn project_logs(&self, workspace: &str) -> Result<ProjectLogs> {
        let rows = sqlx::query("SELECT id FROM projects WHERE workspace_id = $1")
            .bind(workspace)
            .fetch_all(&self.read)
            .await?;
        let ids: Vec<String> = rows
            .iter()
            .map(|r| r.try_get::<String, _>("id"))
            .collect::<std::result::Result<_, _>>()?;
        Ok(self.project_logs_of(workspace, ids))
    }

    /// A cursor over the named projects of the workspace with their activity logs (ids of
    /// another workspace or of no project are skipped).
    pub fn project_logs_of(&self, workspace: &str, mut ids: Vec<String>) -> ProjectLogs {
        // Sorted here, not by SQL: PostgreSQL's collation and SQLite's byte order differ.
        ids.sort();
        ids.dedup();
        ProjectLogs {
            store: self.clone(),
            workspace: workspace.to_string(),
            ids,
            next: 0,
            ready: VecDeque::new(),
        }
    }

    /// Every project's activity log in a workspace, each log in order (for portfolio-wide
    /// reports that keep them all), read a batch of projects per statement.
    pub async fn workspace_activities(
        &self,
        workspace: &str,
    ) -> Result<HashMap<String, Vec<Activity>>> {
        let rows = sqlx::query("SELECT id FROM projects WHERE workspace_id = $1")
            .bind(workspace)
            .fetch_all(&self.read)
            .await?;
        let ids: Vec<String> = rows
            .iter()
            .map(|r| r.try_get::<String, _>("id"))
            .collect::<std::result::Result<_, _>>()?;
        let mut logs = HashMap::with_capacity(ids.len());
        for batch in ids.chunks(BATCH) {
            logs.extend(read_logs(self, workspace, batch).await?);
        }
        Ok(logs)
    }
}

/// `$2, $3, …` for `n` ids after the workspace's `$1`.
fn marks(n: usize) -> String {
    (0..n)
        .map(|i| format!("${}", i + 2))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The logs of a batch of projects of the workspace, in one statement, each in `seq` order.
async fn read_logs(
    store: &Store,
    workspace: &str,
    ids: &[String],
) -> Result<HashMap<String, Vec<Activity>>> {
    let sql = format!(
        "SELECT project_id, doc FROM activities WHERE workspace_id = $1 \
         AND project_id IN ({}) ORDER BY project_id, seq",
        marks(ids.len())
    );
    let mut q = sqlx::query(&sql).bind(workspace);
    for id in ids {
        q = q.bind(id);
    }
    let mut logs: HashMap<String, Vec<Activity>> = HashMap::with_capacity(ids.len());
    // Within one project the rows come in `seq` order, whatever order projects come in.
    for r in q.fetch_all(&store.read).await? {
        let id: String = r.try_get("project_id")?;
        let doc: String = r.try_get("doc")?;
        logs.entry(id)
            .or_default()
            .push(from_json("activity", &doc)?);
    }
    Ok(logs)
}

impl ProjectLogs {
    /// How many projects the cursor will visit at most.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The next project with its log, or `None` after the last.
    pub async fn next(&mut self) -> Result<Option<ProjectLog>> {
        while self.ready.is_empty() && self.next < self.ids.len() {
            self.ready = self.next_batch().await?;
        }
        Ok(self.ready.pop_front())
    }

    /// The next batch whole (possibly empty when its projects are gone), or `None` after the
    /// last: for a caller that hands batches to other threads.
    pub async fn next_batch_whole(&mut self) -> Result<Option<Vec<ProjectLog>>> {
        if !self.ready.is_empty() {
            return Ok(Some(std::mem::take(&mut self.ready).into()));
        }
        if self.next >= self.ids.len() {
            return Ok(None);
        }
        Ok(Some(self.next_batch().await?.into()))
    }

    async fn next_batch(&mut self) -> Result<VecDeque<ProjectLog>> {
        let end = (self.next + BATCH).min(self.ids.len());
        let batch = self.ids[self.next..end].to_vec();
        self.next = end;
        self.read_batch(&batch).await
    }

    async fn read_batch(&self, ids: &[String]) -> Result<VecDeque<ProjectLog>> {
        let docs_sql = format!(
            "SELECT id, doc, version FROM projects WHERE workspace_id = $1 AND id IN ({})",
            marks(ids.len())
        );
        let mut docs_q = sqlx::query(&docs_sql).bind(&self.workspace);
        for id in ids {
            docs_q = docs_q.bind(id);
        }
        let mut docs: HashMap<String, (Project, i64)> = HashMap::with_capacity(ids.len());
        for r in docs_q.fetch_all(&self.store.read).await? {
            let id: String = r.try_get("id")?;
            let doc: String = r.try_get("doc")?;
            let project = from_json("project document", &doc)?;
            docs.insert(id, (project, r.try_get("version")?));
        }
        let mut logs = read_logs(&self.store, &self.workspace, ids).await?;
        Ok(ids
            .iter()
            .filter_map(|id| {
                let (project, version) = docs.remove(id)?;
                let log = logs.remove(id).unwrap_or_default();
                Some(ProjectLog {
                    project,
                    version,
                    log,
                })
            })
            .collect())
    }
}
