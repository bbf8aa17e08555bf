//! A workspace's portfolio analytics and R12 portfolio scorecard, from every project's document
//! and activity log.
//!
//! Reading 2,000 documents and their half a million activities and replaying them takes several
//! CPU seconds, so the work is kept at two levels, both checked against the workspace's `projects_revision` (one row,
//! raised in the transaction of every project insert and save, by any server or the CLI):
//!
//! - each project's [`ProjectFacts`], by project version, in memory and in the database
//!   (`store::kept_facts`, keyed by project version and `FACTS_FORMAT`). When the revision
//!   moves, only the projects stamped since are read (documents and logs through the store's
//!   batched cursor) and replayed, and their facts kept. A server that starts reads the kept
//!   facts and replays only the projects without facts for their current version, so the
//!   first report after a start costs a read of 2,000 small documents, not of every log.
//! - each finished report, by revision, minute and filter: a warm request is one row read and a
//!   map lookup. Facts carry their time-driven values forward (`ProjectFacts::stages_at`,
//!   `scorecard_at`), so a new minute recomputes the aggregate, never the replays.
//!
//! Callers that arrive while a workspace is being refreshed wait for that one refresh.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use finishline_core::analytics::facts::FACTS_FORMAT;
use finishline_core::analytics::{analytics, project_facts, Analytics, Filter, ProjectFacts};
use finishline_core::scorecard::{r12_portfolio, PortfolioScorecard};
use finishline_store::{KeptFacts, NewFacts, Store};

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
    facts: Arc<FactsById>,
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

    /// Every project's facts at `revision` (or later), refreshing only what changed: the
    /// analytics' and the process map's one source.
    pub async fn facts(
        &self,
        store: &Store,
        workspace: &str,
        revision: i64,
        now: DateTime<Utc>,
    ) -> Result<Arc<FactsById>, AppError> {
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
        let started = std::time::Instant::now();
        let (facts, replayed) = match previous {
            Some((from, facts)) => refresh(store, workspace, from, &facts, now).await?,
            None => load(store, workspace, now).await?,
        };
        tracing::info!(
            workspace.id = %workspace,
            revision,
            projects = facts.len(),
            replayed,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "project facts brought up to date"
        );
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

/// By project id: the version the facts were derived from, and the facts.
pub type FactsById = HashMap<String, (i64, Arc<ProjectFacts>)>;

/// The first time a workspace is asked for since the server started: the facts kept in the
/// database for each project's current version, and a replay of the projects that have none
/// (new, changed while no server was looking, or kept by a build that derived them
/// differently), whose facts are then kept for the next start. Returns the facts and how many
/// projects were replayed.
async fn load(
    store: &Store,
    workspace: &str,
    now: DateTime<Utc>,
) -> Result<(FactsById, usize), AppError> {
    let kept = store.kept_facts(workspace, FACTS_FORMAT).await?;
    let (mut facts, missing) = tokio::task::spawn_blocking(move || read_kept(kept))
        .await
        .map_err(|e| AppError::Internal(format!("reading kept facts: {e}")))?;
    let fresh = replay(store, workspace, missing, now).await?;
    let replayed = fresh.len();
    keep(store, workspace, &fresh).await;
    facts.extend(fresh);
    Ok((facts, replayed))
}

/// Kept facts parsed (on a blocking thread: 2,000 of them are megabytes of JSON), and the ids
/// of the projects without usable ones. A kept document that no longer parses is not an error:
/// it is recomputed from the log, which is the truth.
fn read_kept(kept: Vec<KeptFacts>) -> (FactsById, Vec<String>) {
    let mut facts = FactsById::with_capacity(kept.len());
    let mut missing = Vec::new();
    for k in kept {
        match k.doc.as_deref().map(serde_json::from_str::<ProjectFacts>) {
            Some(Ok(f)) if f.id == k.project_id => {
                facts.insert(k.project_id, (k.version, Arc::new(f)));
            }
            Some(Err(e)) => {
                tracing::warn!(project.id = %k.project_id, error = %e, "kept facts unreadable; replaying the log");
                missing.push(k.project_id);
            }
            _ => missing.push(k.project_id),
        }
    }
    (facts, missing)
}

/// Warm: only the projects stamped after `from` are read and replayed again.
async fn refresh(
    store: &Store,
    workspace: &str,
    from: i64,
    kept: &FactsById,
    now: DateTime<Utc>,
) -> Result<(FactsById, usize), AppError> {
    let changed: Vec<String> = store
        .project_rows_since(workspace, from)
        .await?
        .into_iter()
        .filter(|r| kept.get(&r.id).is_none_or(|(v, _)| *v != r.version))
        .map(|r| r.id)
        .collect();
    let mut facts = kept.clone();
    if changed.is_empty() {
        return Ok((facts, 0));
    }
    let fresh = replay(store, workspace, changed, now).await?;
    let replayed = fresh.len();
    keep(store, workspace, &fresh).await;
    facts.extend(fresh);
    Ok((facts, replayed))
}

/// Replays at most this many batches at once while the next are read: reading (the database
/// and JSON) and replaying then share the machine's cores, and memory holds a few batches.
const REPLAYS_IN_FLIGHT: usize = 2;

/// The facts of the named projects, from their documents and logs, read a batch at a time by
/// the store's cursor and replayed on blocking threads while the next batch is read.
async fn replay(
    store: &Store,
    workspace: &str,
    ids: Vec<String>,
    now: DateTime<Utc>,
) -> Result<FactsById, AppError> {
    let mut facts = FactsById::with_capacity(ids.len());
    if ids.is_empty() {
        return Ok(facts);
    }
    let mut logs = store.project_logs_of(workspace, ids);
    let mut running = std::collections::VecDeque::new();
    while let Some(batch) = logs.next_batch_whole().await? {
        running.push_back(tokio::task::spawn_blocking(move || {
            batch
                .into_iter()
                .map(|p| {
                    let f = project_facts(&p.project, &p.log, now);
                    (p.project.id, (p.version, Arc::new(f)))
                })
                .collect::<Vec<_>>()
        }));
        if running.len() >= REPLAYS_IN_FLIGHT {
            if let Some(oldest) = running.pop_front() {
                facts.extend(oldest.await.map_err(replay_failed)?);
            }
        }
    }
    for r in running {
        facts.extend(r.await.map_err(replay_failed)?);
    }
    Ok(facts)
}

fn replay_failed(e: tokio::task::JoinError) -> AppError {
    AppError::Internal(format!("analytics replay: {e}"))
}

/// Keeps freshly replayed facts for the next server start. Best effort: the facts in memory
/// are right whether or not they could be written, so a failure is logged, not returned.
async fn keep(store: &Store, workspace: &str, fresh: &FactsById) {
    if fresh.is_empty() {
        return;
    }
    let facts: Vec<(String, i64, Arc<ProjectFacts>)> = fresh
        .iter()
        .map(|(id, (version, f))| (id.clone(), *version, f.clone()))
        .collect();
    // Megabytes of JSON on a cold start: off the async threads.
    let docs = tokio::task::spawn_blocking(move || {
        facts
            .into_iter()
            .filter_map(|(id, version, f)| match serde_json::to_string(f.as_ref()) {
                Ok(doc) => Some((id, version, doc)),
                Err(e) => {
                    tracing::warn!(project.id = %id, error = %e, "facts not kept: not writable as JSON");
                    None
                }
            })
            .collect::<Vec<_>>()
    })
    .await;
    let docs = match docs {
        Ok(docs) => docs,
        Err(e) => {
            tracing::warn!(workspace.id = %workspace, error = %e, "facts not kept for the next start");
            return;
        }
    };
    let rows: Vec<NewFacts<'_>> = docs
        .iter()
        .map(|(id, version, doc)| NewFacts {
            project_id: id,
            version: *version,
            doc,
        })
        .collect();
    if let Err(e) = store.keep_facts(workspace, FACTS_FORMAT, &rows).await {
        tracing::warn!(workspace.id = %workspace, error = %e, "facts not kept for the next start");
    }
}
