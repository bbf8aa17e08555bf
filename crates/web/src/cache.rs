//! Parsed project documents, kept by version.
//!
//! A list reads only ids and versions from the database and parses the documents it has not
//! seen at that version. Keyed by version, an entry can never be stale: a change elsewhere (another
//! server, the CLI) bumps the version and the next read fetches the new document. Tenant scoping
//! stays in the store: the cache is only consulted for ids the store just listed for the workspace.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use finishline_core::Project;
use finishline_store::Store;

use crate::error::ApiError;

/// Past this many entries the cache starts over: simple, and a list refills it in one query.
const MAX_ENTRIES: usize = 20_000;

/// JSON rendered for (version, minute).
type Rendered = (i64, i64, Arc<[u8]>);

#[derive(Default)]
pub struct ProjectCache {
    entries: Mutex<HashMap<String, (i64, Arc<Project>)>>,
    /// A project's portfolio line as JSON, by version and minute: health and days-to-launch
    /// depend on the time, at day granularity, so a line is at most a minute late.
    lines: Mutex<HashMap<String, Rendered>>,
    /// A project's whole computed view as JSON, by version and minute (views are large: fewer kept).
    views: Mutex<HashMap<String, Rendered>>,
}

/// Views are about 25 KB for 60 tasks: this keeps the busiest ones within tens of megabytes.
const MAX_VIEWS: usize = 2_000;

impl ProjectCache {
    fn get(&self, id: &str, version: i64) -> Option<Arc<Project>> {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.get(id)
            .filter(|(v, _)| *v == version)
            .map(|(_, p)| p.clone())
    }

    fn put(&self, project: Project, version: i64) -> Arc<Project> {
        let p = Arc::new(project);
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(p.id.clone(), (version, p.clone()));
        p
    }

    /// A cached view of a project at this version and minute, if any.
    pub fn view_json(&self, id: &str, version: i64, now: DateTime<Utc>) -> Option<Arc<[u8]>> {
        let minute = now.timestamp().div_euclid(60);
        let views = self.views.lock().unwrap_or_else(|e| e.into_inner());
        views
            .get(id)
            .filter(|(v, m, _)| *v == version && *m == minute)
            .map(|(_, _, json)| json.clone())
    }

    pub fn keep_view(&self, id: &str, version: i64, now: DateTime<Utc>, json: Arc<[u8]>) {
        let minute = now.timestamp().div_euclid(60);
        let mut views = self.views.lock().unwrap_or_else(|e| e.into_inner());
        if views.len() >= MAX_VIEWS {
            views.clear();
        }
        views.insert(id.to_string(), (version, minute, json));
    }

    /// The portfolio line of a project at `now`, as JSON.
    pub fn line_json(
        &self,
        p: &Project,
        version: i64,
        now: DateTime<Utc>,
    ) -> Result<Arc<[u8]>, ApiError> {
        let minute = now.timestamp().div_euclid(60);
        {
            let lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((v, m, json)) = lines.get(&p.id) {
                if *v == version && *m == minute {
                    return Ok(json.clone());
                }
            }
        }
        let json: Arc<[u8]> = serde_json::to_vec(&crate::service::summary(p, now))
            .map_err(|e| ApiError::Internal(e.to_string()))?
            .into();
        let mut lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        if lines.len() >= MAX_ENTRIES {
            lines.clear();
        }
        lines.insert(p.id.clone(), (version, minute, json.clone()));
        Ok(json)
    }

    /// A page of the workspace's projects, most recently changed first, and the total count.
    pub async fn page(
        &self,
        store: &Store,
        workspace: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<(Arc<Project>, i64)>, i64), ApiError> {
        let (versions, total) = store.project_versions(workspace, limit, offset).await?;
        let mut found: HashMap<String, (Arc<Project>, i64)> =
            HashMap::with_capacity(versions.len());
        let mut missing = Vec::new();
        for (id, v) in &versions {
            match self.get(id, *v) {
                Some(p) => {
                    found.insert(id.clone(), (p, *v));
                }
                None => missing.push(id.clone()),
            }
        }
        if !missing.is_empty() {
            for (p, v) in store.projects_by_id(workspace, &missing).await? {
                let id = p.id.clone();
                found.insert(id, (self.put(p, v), v));
            }
        }
        // Keep the store's order; a project deleted in between is simply absent.
        let page = versions
            .iter()
            .filter_map(|(id, _)| found.remove(id))
            .collect();
        Ok((page, total))
    }
}
