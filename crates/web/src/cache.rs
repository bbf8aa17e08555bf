//! Parsed project documents, kept by version.
//!
//! A list reads only ids and versions from the database and parses the documents it has not
//! seen at that version. Keyed by version, an entry can never be stale: a change elsewhere (another
//! server, the CLI) bumps the version and the next read fetches the new document. Tenant scoping
//! stays in the store: the cache is only consulted for ids the store just listed for the workspace.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use finishline_core::Project;
use finishline_store::Store;

use crate::error::ApiError;

/// Past this many entries the cache starts over: simple, and a list refills it in one query.
const MAX_ENTRIES: usize = 20_000;

#[derive(Default)]
pub struct ProjectCache {
    entries: Mutex<HashMap<String, (i64, Arc<Project>)>>,
}

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

    /// A page of the workspace's projects, most recently changed first, and the total count.
    pub async fn page(
        &self,
        store: &Store,
        workspace: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Arc<Project>>, i64), ApiError> {
        let (versions, total) = store.project_versions(workspace, limit, offset).await?;
        let mut found: HashMap<String, Arc<Project>> = HashMap::with_capacity(versions.len());
        let mut missing = Vec::new();
        for (id, v) in &versions {
            match self.get(id, *v) {
                Some(p) => {
                    found.insert(id.clone(), p);
                }
                None => missing.push(id.clone()),
            }
        }
        if !missing.is_empty() {
            for (p, v) in store.projects_by_id(workspace, &missing).await? {
                let id = p.id.clone();
                found.insert(id, self.put(p, v));
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
