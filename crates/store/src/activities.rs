//! Every project of a workspace with its activity log, one project at a time: for reports and
//! exports over the whole workspace (the process map, OCEL and XES) whose memory must not grow
//! with the workspace. Projects are read in batches of `BATCH` — two queries per batch, one for
//! the documents and one for their logs — so 2,000 projects cost 64 statements, not 4,000, and
//! at most one batch is held at once.

use std::collections::{HashMap, VecDeque};

use finishline_core::{Activity, Project};
use sqlx::Row as _;

use crate::codec::from_json;
use crate::{Result, Store};

/// Projects per batch: enough to make statements few, few enough that a batch of large
/// documents and long logs stays a few megabytes.
const BATCH: usize = 64;

/// A cursor over a workspace's projects and their logs, in project id order.
///
/// The list of ids is read when the cursor is made; a project created afterwards is not
/// included, and one deleted afterwards is skipped. Each project's document and log are read
/// together in one batch, so a log is never older than the document it is paired with by more
/// than the batch's two statements.
pub struct ProjectLogs {
    store: Store,
    workspace: String,
    ids: Vec<String>,
    next: usize,
    ready: VecDeque<(Project, Vec<Activity>)>,
}

impl Store {
    /// Opens a cursor over the workspace's projects with their activity logs.
    pub async fn project_logs(&self, workspace: &str) -> Result<ProjectLogs> {
        let rows = sqlx::query("SELECT id FROM projects WHERE workspace_id = $1")
            .bind(workspace)
            .fetch_all(&self.read)
            .await?;
        let mut ids: Vec<String> = rows
            .iter()
            .map(|r| r.try_get::<String, _>("id"))
            .collect::<std::result::Result<_, _>>()?;
        // Sorted here, not by SQL: PostgreSQL's collation and SQLite's byte order differ.
        ids.sort();
        Ok(ProjectLogs {
            store: self.clone(),
            workspace: workspace.to_string(),
            ids,
            next: 0,
            ready: VecDeque::new(),
        })
    }
}

impl ProjectLogs {
    /// How many projects the cursor will visit at most.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The next project and its log (oldest first), or `None` after the last.
    pub async fn next(&mut self) -> Result<Option<(Project, Vec<Activity>)>> {
        while self.ready.is_empty() && self.next < self.ids.len() {
            let end = (self.next + BATCH).min(self.ids.len());
            let batch = self.ids[self.next..end].to_vec();
            self.next = end;
            self.ready = self.read_batch(&batch).await?;
        }
        Ok(self.ready.pop_front())
    }

    async fn read_batch(&self, ids: &[String]) -> Result<VecDeque<(Project, Vec<Activity>)>> {
        let marks: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
        let marks = marks.join(", ");
        let docs_sql =
            format!("SELECT id, doc FROM projects WHERE workspace_id = $1 AND id IN ({marks})");
        let logs_sql = format!(
            "SELECT project_id, doc FROM activities WHERE workspace_id = $1 \
             AND project_id IN ({marks}) ORDER BY project_id, seq"
        );
        let mut docs_q = sqlx::query(&docs_sql).bind(&self.workspace);
        let mut logs_q = sqlx::query(&logs_sql).bind(&self.workspace);
        for id in ids {
            docs_q = docs_q.bind(id);
            logs_q = logs_q.bind(id);
        }
        let mut docs: HashMap<String, Project> = HashMap::with_capacity(ids.len());
        for r in docs_q.fetch_all(&self.store.read).await? {
            let id: String = r.try_get("id")?;
            let doc: String = r.try_get("doc")?;
            docs.insert(id, from_json("project document", &doc)?);
        }
        let mut logs: HashMap<String, Vec<Activity>> = HashMap::with_capacity(ids.len());
        // Within one project the rows come in `seq` order, whatever order projects come in.
        for r in logs_q.fetch_all(&self.store.read).await? {
            let id: String = r.try_get("project_id")?;
            let doc: String = r.try_get("doc")?;
            logs.entry(id)
                .or_default()
                .push(from_json("activity", &doc)?);
        }
        Ok(ids
            .iter()
            .filter_map(|id| {
                let project = docs.remove(id)?;
                Some((project, logs.remove(id).unwrap_or_default()))
            })
            .collect())
    }
}
