//! The live process map of a workspace (issue 15): every project's log folded into the stages'
//! directly-follows graph by `core::process`, one project at a time through the store's
//! `ProjectLogs` cursor, so the map of 2,000 projects never holds 2,000 logs.
//!
//! Reading every log of a workspace takes a second or more at 2,000 projects, so a map is kept
//! (`MapCache`) per workspace, filter, projects revision and minute: every project insert and
//! save raises the workspace's `projects_revision` in its own transaction, so a kept map is
//! never older than the last change, and only the time-driven figures (days in the stage now)
//! can be up to a minute old, as elsewhere. Callers asking for the same missing map wait for
//! one of them to compute it rather than all reading every log.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use finishline_core::handoff::Segment;
use finishline_core::process::{ProcessMap, ProcessMapBuilder};
use finishline_core::Project;

use crate::{App, AppError};

/// Which projects the map is drawn over; every field narrows, none set means all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessFilter {
    /// Contract signed on or after this day.
    pub from: Option<NaiveDate>,
    /// Contract signed on or before this day.
    pub to: Option<NaiveDate>,
    pub segment: Option<Segment>,
    /// The playbook's key (`standard`, `light-touch`, a team's copy).
    pub playbook: Option<String>,
    /// The vendor owner, by the workspace member's user id or the person's name.
    pub owner: Option<String>,
}

impl ProcessFilter {
    pub fn admits(&self, p: &Project) -> bool {
        let contract = p.handoff.contract_date;
        let owner = p.vendor_owner();
        self.from.is_none_or(|d| contract >= d)
            && self.to.is_none_or(|d| contract <= d)
            && self.segment.is_none_or(|s| p.handoff.segment == s)
            && self.playbook.as_ref().is_none_or(|k| &p.playbook.key == k)
            && self.owner.as_ref().is_none_or(|o| {
                owner.is_some_and(|x| x.user_id.as_deref() == Some(o.as_str()) || &x.name == o)
            })
    }
}

/// The filter as a query string gives it, before parsing; empty values mean "any".
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct FilterText {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub segment: Option<String>,
    #[serde(default)]
    pub playbook: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn day(field: &str, v: &Option<String>) -> Result<Option<NaiveDate>, AppError> {
    given(v)
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| AppError::BadInput {
                field: field.into(),
                message: format!("{s:?} is not a date: use YYYY-MM-DD"),
            })
        })
        .transpose()
}

impl FilterText {
    /// The filter, or which field does not parse and why.
    pub fn parse(&self) -> Result<ProcessFilter, AppError> {
        let segment = given(&self.segment)
            .map(|s| {
                serde_json::from_value::<Segment>(serde_json::Value::String(s.to_string())).map_err(
                    |_| AppError::BadInput {
                        field: "segment".into(),
                        message: format!(
                            "{s:?} is not a segment: use smb, mid_market or enterprise"
                        ),
                    },
                )
            })
            .transpose()?;
        Ok(ProcessFilter {
            from: day("from", &self.from)?,
            to: day("to", &self.to)?,
            segment,
            playbook: given(&self.playbook).map(str::to_string),
            owner: given(&self.owner).map(str::to_string),
        })
    }
}

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
    filter: &ProcessFilter,
) -> Result<Arc<ProcessMap>, AppError> {
    Ok(kept_or_computed(app, workspace, filter).await?.0)
}

/// The same map as JSON (the API's answer), written once per kept map.
pub async fn process_map_json(
    app: &App,
    workspace: &str,
    filter: &ProcessFilter,
) -> Result<Arc<[u8]>, AppError> {
    Ok(kept_or_computed(app, workspace, filter).await?.1)
}

async fn kept_or_computed(
    app: &App,
    workspace: &str,
    filter: &ProcessFilter,
) -> Result<(Arc<ProcessMap>, Arc<[u8]>), AppError> {
    let Some(revision) = app.store.projects_revision(workspace).await? else {
        return Err(AppError::NotFound(format!("workspace {workspace}")));
    };
    let now = app.now();
    let minute = now.timestamp().div_euclid(60);
    let key = format!("{workspace}\u{0}{filter:?}");
    if let Some(kept) = app.process_maps.get(&key, revision, minute) {
        return Ok(kept);
    }
    let flight = app.process_maps.flight(&key);
    let _computing = flight.lock().await;
    if let Some(kept) = app.process_maps.get(&key, revision, minute) {
        return Ok(kept);
    }
    let started = std::time::Instant::now();
    let map = Arc::new(compute(app, workspace, filter, now).await?);
    let json: Arc<[u8]> = serde_json::to_vec(&*map)
        .map_err(|e| AppError::Internal(format!("writing the process map: {e}")))?
        .into();
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

async fn compute(
    app: &App,
    workspace: &str,
    filter: &ProcessFilter,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<ProcessMap, AppError> {
    let mut logs = app.store.project_logs(workspace).await?;
    let mut map = ProcessMapBuilder::new(now);
    while let Some((project, log)) = logs.next().await? {
        if filter.admits(&project) {
            map.add(&project, &log);
        }
    }
    Ok(map.finish())
}
