//! The live process map of a workspace (issue 15): every project's stage visits folded into the
//! stages' directly-follows graph by `core::process`.
//!
//! The visits are part of each project's facts (`ProjectFacts::visits`), which
//! `app::analytics` keeps per project version and brings up to date by replaying only the
//! projects changed since (and keeps in the database across restarts). So a map after a change
//! replays one project and folds 2,000 projects' visits, carried forward to now
//! (`ProjectFacts::visits_at`), which takes milliseconds, not a read of every log. A finished
//! map and its JSON are kept (`MapCache`) per workspace, filter, projects revision and minute:
//! every project insert and save raises the workspace's `projects_revision` in its own
//! transaction, so a kept map is never older than the last change, and only the time-driven
//! figures (days in the stage now) can be up to a minute old, as elsewhere. Callers asking for
//! the same missing map wait for one of them to fold it.
//!
//! The filter is the analytics' (`core::analytics::Filter`), with the same meaning.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use finishline_core::analytics::Filter;
use finishline_core::process::{ProcessMap, ProcessMapBuilder};

use crate::analytics::FactsById;

use crate::{App, AppError};

/// Maps kept: at most this many (workspace, filter) pairs, the oldest dropped first.
const KEPT_MAPS: usize = 64;

struct Kept {
    revision: i64,
    minute: i64,
    map: Arc<ProcessMap>,
    /// The map as JSON, written once: at 2,000 projects it is some 400 KB, and writing it for
    /// every request of the API was most of a warm request's time.
    json: Arc<[u8]>,
    used: u64,
}

/// Process maps kept per workspace and filter, valid for one projects revision and minute.
#[derive(Default)]
pub struct MapCache {
    kept: Mutex<(u64, HashMap<String, Kept>)>,
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl MapCache {
    fn get(&self, key: &str, revision: i64, minute: i64) -> Option<(Arc<ProcessMap>, Arc<[u8]>)> {
        let mut guard = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let (clock, kept) = &mut *guard;
        *clock += 1;
        let k = kept.get_mut(key)?;
        if k.revision != revision || k.minute != minute {
            return None;
        }
        k.used = *clock;
        Some((k.map.clone(), k.json.clone()))
    }

    fn keep(&self, key: String, revision: i64, minute: i64, map: Arc<ProcessMap>, json: Arc<[u8]>) {
        let mut guard = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let (clock, kept) = &mut *guard;
        *clock += 1;
        if kept.len() >= KEPT_MAPS && !kept.contains_key(&key) {
            if let Some(oldest) = kept
                .iter()
                .min_by_key(|(_, k)| k.used)
                .map(|(k, _)| k.clone())
            {
                kept.remove(&oldest);
            }
        }
        let used = *clock;
        kept.insert(
            key,
            Kept {
                revision,
                minute,
                map,
                json,
                used,
            },
        );
    }

    fn flight(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
        // Bounded like the maps: a flight nobody waits on is only a lock.
        if flights.len() > 4 * KEPT_MAPS {
            flights.retain(|_, f| Arc::strong_count(f) > 1);
        }
        flights.entry(key.to_string()).or_default().clone()
    }
}

/// The process map of the workspace's projects that `filter` admits, measured up to now (to
/// the minute: see the module doc).
pub async fn process_map(
    app: &App,
    workspace: &str,
    filter: &Filter,
) -> Result<Arc<ProcessMap>, AppError> {
    Ok(kept_or_computed(app, workspace, filter).await?.0)
}

/// The same map as JSON (the API's answer), written once per kept map.
pub async fn process_map_json(
    app: &App,
    workspace: &str,
    filter: &Filter,
) -> Result<Arc<[u8]>, AppError> {
    Ok(kept_or_computed(app, workspace, filter).await?.1)
}

async fn kept_or_computed(
    app: &App,
    workspace: &str,
    filter: &Filter,
) -> Result<(Arc<ProcessMap>, Arc<[u8]>), AppError> {
    let Some(revision) = app.store.projects_revision(workspace).await? else {
        return Err(AppError::NotFound(format!("workspace {workspace}")));
    };
    let now = app.now();
    let minute = now.timestamp().div_euclid(60);
    let key = format!("{workspace}\u{0}{}", filter.query());
    if let Some(kept) = app.process_maps.get(&key, revision, minute) {
        return Ok(kept);
    }
    let flight = app.process_maps.flight(&key);
    let _computing = flight.lock().await;
    if let Some(kept) = app.process_maps.get(&key, revision, minute) {
        return Ok(kept);
    }
    let started = std::time::Instant::now();
    let facts = app
        .analytics
        .facts(&app.store, workspace, revision, now)
        .await?;
    let folded = filter.clone();
    let (map, json) = tokio::task::spawn_blocking(move || {
        let map = Arc::new(fold(&facts, &folded, now));
        serde_json::to_vec(&*map).map(|json| (map, Arc::<[u8]>::from(json)))
    })
    .await
    .map_err(|e| AppError::Internal(format!("the process map: {e}")))?
    .map_err(|e| AppError::Internal(format!("writing the process map: {e}")))?;
    tracing::info!(
        workspace.id = %workspace,
        projects = map.projects,
        revision,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "process map computed"
    );
    app.process_maps
        .keep(key, revision, minute, map.clone(), json.clone());
    Ok((map, json))
}

/// The map of the projects `filter` admits, their visits carried forward to `now`; in project
/// id order, so the same facts give the same map.
fn fold(facts: &FactsById, filter: &Filter, now: DateTime<Utc>) -> ProcessMap {
    let mut admitted: Vec<_> = facts
        .values()
        .map(|(_, f)| f.as_ref())
        .filter(|f| filter.matches(f))
        .collect();
    admitted.sort_by(|a, b| a.id.cmp(&b.id));
    let mut map = ProcessMapBuilder::new(now);
    for f in admitted {
        map.add_visits(&f.passer(), &f.visits_at(now));
    }
    map.finish()
}
