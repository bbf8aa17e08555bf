//! A workspace's portfolio analytics and R12 portfolio scorecard, from every project's document
//! and activity log.
//!
//! Reading 2,000 documents and their logs and replaying them takes about a second, so the work
//! is kept at two levels, both checked against the workspace's `projects_revision` (one row,
//! raised in the transaction of every project insert and save, by any server or the CLI):
//!
//! - each project's [`ProjectFacts`], by project version. When the revision moves, only the
//!   projects stamped since are read (their documents and logs, one query each per 200 ids) and
//!   replayed; a cold start reads the workspace's documents and logs in one query each.
//! - each finished report, by revision, minute and filter: a warm request is one row read and a
//!   map lookup. Facts carry their time-driven values forward (`ProjectFacts::stages_at`,
//!   `scorecard_at`), so a new minute recomputes the aggregate, never the replays.
//!
//! Callers that arrive while a workspace is being refreshed wait for that one refresh.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use finishline_core::analytics::{analytics, project_facts, Analytics, Filter, ProjectFacts};
use finishline_core::scorecard::{r12_portfolio, PortfolioScorecard};
use finishline_store::Store;

use crate::AppError;

/// Reports kept per workspace (filters × minutes) before they are dropped and recomputed.
const MAX_REPORTS: usize = 64;
/// Workspaces kept before the cache starts over.
const MAX_WORKSPACES: usize = 256;

/// A report computed for one filter and minute, with its JSON.
pub struct Report {
    pub analytics: Analytics,
    pub json: Arc<[u8]>,
    /// What a caller renders from the report alone (the page's HTML), made once and kept with
    /// it: the report never changes, so neither does its rendering.
    pub rendered: std::sync::OnceLock<Arc<str>>,
}

/// One workspace's facts at one projects revision, and the reports made from them.
struct Kept {
    revision: i64,
    /// By project id: (version, facts).
    facts: Arc<HashMap<String, (i64, Arc<ProjectFacts>)>>,
    reports: HashMap<(i64, String), Arc<Report>>,
    scorecards: HashMap<i64, Arc<[u8]>>,
}

#[derive(Default)]
pub struct AnalyticsCache {
    kept: Mutex<HashMap<String, Kept>>,
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

fn minute_of(now: DateTime<Utc>) -> i64 {
    now.timestamp().div_euclid(60)
}

impl AnalyticsCache {
    /// The analytics of the workspace's projects that match `filter`, at `now`.
    pub async fn report(
        &self,
        store: &Store,
        workspace: &str,
        filter: &Filter,
        now: DateTime<Utc>,
    ) -> Result<Arc<Report>, AppError> {
        let key = (minute_of(now), filter.query());
        let revision = store.projects_revision(workspace).await?.unwrap_or(0);
        if let Some(r) = self.kept_report(workspace, revision, &key) {
            return Ok(r);
        }
        let facts = self.facts(store, workspace, revision, now).await?;
        if let Some(r) = self.kept_report(workspace, revision, &key) {
            return Ok(r);
        }
        let filter = filter.clone();
        let report = tokio::task::spawn_blocking(move || {
            let analytics = analytics(facts.values().map(|(_, f)| f.as_ref()), &filter, now);
            let json = serde_json::to_vec(&analytics).map(Arc::from);
            json.map(|json| Report {
                analytics,
                json,
                rendered: std::sync::OnceLock::new(),
            })
        })
        .await
        .map_err(|e| AppError::Internal(format!("analytics: {e}")))?
        .map_err(|e| AppError::Internal(format!("analytics as JSON: {e}")))?;
        let report = Arc::new(report);
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = kept.get_mut(workspace).filter(|k| k.revision == revision) {
            if k.reports.len() >= MAX_REPORTS {
                k.reports.clear();
            }
            k.reports.insert(key, report.clone());
        }
        Ok(report)
    }

    /// The R12 portfolio scorecard of the workspace at `now`, as JSON, from the same facts.
    pub async fn scorecard_json(
        &self,
        store: &Store,
        workspace: &str,
        now: DateTime<Utc>,
    ) -> Result<Arc<[u8]>, AppError> {
        let minute = minute_of(now);
        let revision = store.projects_revision(workspace).await?.unwrap_or(0);
        let cached = || {
            let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            kept.get(workspace)
                .filter(|k| k.revision == revision)
                .and_then(|k| k.scorecards.get(&minute).cloned())
        };
        if let Some(json) = cached() {
            return Ok(json);
        }
        let facts = self.facts(store, workspace, revision, now).await?;
        let json = tokio::task::spawn_blocking(move || {
            let cards: Vec<_> = facts.values().map(|(_, f)| f.scorecard_at(now)).collect();
            let portfolio: PortfolioScorecard = r12_portfolio(&cards);
            serde_json::to_vec(&portfolio).map(Arc::<[u8]>::from)
        })
        .await
        .map_err(|e| AppError::Internal(format!("scorecard: {e}")))?
        .map_err(|e| AppError::Internal(format!("scorecard as JSON: {e}")))?;
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = kept.get_mut(workspace).filter(|k| k.revision == revision) {
            k.scorecards.retain(|m, _| *m == minute);
            k.scorecards.insert(minute, json.clone());
        }
        Ok(json)
    }

    fn kept_report(
        &self,
        workspace: &str,
        revision: i64,
        key: &(i64, String),
    ) -> Option<Arc<Report>> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.get(workspace)
            .filter(|k| k.revision == revision)
            .and_then(|k| k.reports.get(key).cloned())
    }

    fn flight(&self, workspace: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
        if flights.len() >= MAX_WORKSPACES {
            flights.retain(|_, f| Arc::strong_count(f) > 1);
        }
        flights.entry(workspace.to_string()).or_default().clone()
    }

    /// Every project's facts at `revision` (or later), refreshing only what changed.
    async fn facts(
        &self,
        store: &Store,
        workspace: &str,
        revision: i64,
        now: DateTime<Utc>,
    ) -> Result<Arc<HashMap<String, (i64, Arc<ProjectFacts>)>>, AppError> {
        let current = |at_least: i64| {
            let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            kept.get(workspace)
                .filter(|k| k.revision >= at_least)
                .map(|k| (k.revision, k.facts.clone()))
        };
        if let Some((_, facts)) = current(revision) {
            return Ok(facts);
        }
        let flight = self.flight(workspace);
        let _turn = flight.lock().await;
        if let Some((_, facts)) = current(revision) {
            return Ok(facts);
        }
        let previous = {
            let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            kept.get(workspace).map(|k| (k.revision, k.facts.clone()))
        };
        // Read the revision again under the flight: everything stamped up to it is committed.
        let revision = store
            .projects_revision(workspace)
            .await?
            .unwrap_or(0)
            .max(revision);
        let facts = match previous {
            Some((from, facts)) => refresh(store, workspace, from, &facts, now).await?,
            None => load_all(store, workspace, now).await?,
        };
        let facts = Arc::new(facts);
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= MAX_WORKSPACES {
            kept.clear();
        }
        kept.insert(
            workspace.to_string(),
            Kept {
                revision,
                facts: facts.clone(),
                reports: HashMap::new(),
                scorecards: HashMap::new(),
            },
        );
        Ok(facts)
    }
}

type FactsById = HashMap<String, (i64, Arc<ProjectFacts>)>;

/// Cold: every document and every log of the workspace, one query each.
async fn load_all(
    store: &Store,
    workspace: &str,
    now: DateTime<Utc>,
) -> Result<FactsById, AppError> {
    let projects = store.projects(workspace).await?;
    let logs = store.workspace_activities(workspace).await?;
    replay(projects, logs, now).await
}

/// Warm: only the projects stamped after `from` are read and replayed again.
async fn refresh(
    store: &Store,
    workspace: &str,
    from: i64,
    kept: &FactsById,
    now: DateTime<Utc>,
) -> Result<FactsById, AppError> {
    let changed: Vec<String> = store
        .project_rows_since(workspace, from)
        .await?
        .into_iter()
        .filter(|r| kept.get(&r.id).is_none_or(|(v, _)| *v != r.version))
        .map(|r| r.id)
        .collect();
    let mut facts = kept.clone();
    if changed.is_empty() {
        return Ok(facts);
    }
    let projects = store.projects_by_id(workspace, &changed).await?;
    let logs = store.activities_of_projects(workspace, &changed).await?;
    facts.extend(replay(projects, logs, now).await?);
    Ok(facts)
}

/// The replays are CPU work: off the async threads.
async fn replay(
    projects: Vec<(finishline_core::Project, i64)>,
    mut logs: HashMap<String, Vec<finishline_core::Activity>>,
    now: DateTime<Utc>,
) -> Result<FactsById, AppError> {
    tokio::task::spawn_blocking(move || {
        projects
            .into_iter()
            .map(|(p, version)| {
                let log = logs.remove(&p.id).unwrap_or_default();
                let facts = project_facts(&p, &log, now);
                (p.id, (version, Arc::new(facts)))
            })
            .collect()
    })
    .await
    .map_err(|e| AppError::Internal(format!("analytics replay: {e}")))
}
