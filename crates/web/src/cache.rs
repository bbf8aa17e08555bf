//! What is derived from a project, kept by version (and minute, for what depends on the time).
//!
//! A read asks the database for the project's version first and uses what was computed for that
//! version. Keyed by version, an entry can never be stale: a change elsewhere (another server, the
//! CLI) bumps the version and the next read computes again. Tenant scoping stays in the store: the
//! cache is only consulted for ids the store just listed or checked for the workspace.
//!
//! - parsed documents, by version;
//! - portfolio summaries (structured, with their JSON line), and
//!   project views with the replayed activity log (R7 ball in court, R10 draft, R12 scorecard),
//!   by version and minute: health's day counts and waiting times move with the clock, so they
//!   are at most a minute late;
//! - each project's R7 replay by version, carried forward to any later time without reading
//!   the log again;
//! - each workspace's list rows, behind the workspace's projects revision read from the
//!   database, and its portfolio gathered from them per minute, with the pages rendered from it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, NaiveDate, Utc};
use finishline_core::ball::{project_time_at, r7_ball_in_court, BallReport};
use finishline_core::status_update::r10_status_draft;
use finishline_core::{Activity, Project};
use finishline_store::{ProjectRow, Store};

use crate::error::ApiError;
use crate::views::{summary, view, ProjectSummary, ProjectView};

/// Past this many entries the cache starts over: simple, and a list refills it in one query.
const MAX_ENTRIES: usize = 20_000;

/// A workspace's list rows and the projects revision they were read at.
type ListAt = (i64, Arc<Vec<ProjectRow>>);

/// A project page's data computed for (version, minute).
type DerivedAt = (i64, i64, Arc<Derived>);

/// JSON rendered for (version, minute).
type Rendered = (i64, i64, Arc<[u8]>);

/// The minute a time falls in: the unit time-driven values are kept for.
fn minute_of(now: DateTime<Utc>) -> i64 {
    now.timestamp().div_euclid(60)
}

/// A project's portfolio summary at one version and minute, with what the lists add to it.
#[derive(Clone)]
pub struct Summarised {
    pub version: i64,
    minute: i64,
    pub summary: Arc<ProjectSummary>,
    /// The project's name in lower case, the portfolio's sort key, computed once.
    pub name_key: Arc<str>,
    pub live_on: Option<NaiveDate>,
    /// The summary as the API's list line, serialised on first use.
    json: Option<Arc<[u8]>>,
}

/// A project's R7 replay at one version (without the per-task times), and when it was made.
struct Waited {
    version: i64,
    computed: DateTime<Utc>,
    report: BallReport,
}

/// Everything the project page shows that depends only on the project's version and the minute:
/// the computed view and what the activity log replays to.
pub struct Derived {
    pub view: ProjectView,
    /// The whole activity log, oldest first (the task page shows a task's history from it).
    pub activities: Vec<Activity>,
    /// The status update drafted from the activities since the last one (R10).
    pub draft: String,
    /// The page's HTML that depends on nothing else, rendered once by the page (see `ui::project`).
    pub html: OnceLock<Arc<PageHtml>>,
}

/// The parts of the project page shared by every member who opens it, rendered with a
/// placeholder where each member's CSRF token goes.
pub struct PageHtml {
    /// Up to the per-request sections (portal invitations and files).
    pub before: String,
    /// After them.
    pub after: String,
}

#[derive(Default)]
pub struct ProjectCache {
    entries: Mutex<HashMap<String, (i64, Arc<Project>)>>,
    /// Portfolio summaries by project, for a version and minute.
    summaries: Mutex<HashMap<String, Summarised>>,
    /// R7 replays by project, for a version.
    waits: Mutex<HashMap<String, Waited>>,
    /// A project's whole computed view as JSON, by version and minute (views are large: fewer kept).
    views: Mutex<HashMap<String, Rendered>>,
    /// A project's page data, by version and minute.
    pages: Mutex<HashMap<String, DerivedAt>>,
    /// Each workspace's list rows with the projects revision they were read at.
    rows: Mutex<HashMap<String, ListAt>>,
    /// Each workspace's complete portfolio (every project's summary) for one list of rows and
    /// one minute: a request pages it instead of gathering thousands of summaries, and a page
    /// asked for again is served as it was rendered.
    portfolios: Mutex<Portfolios>,
    /// One computation at a time per key (a workspace's list, a project's page): when a save
    /// makes an entry stale, the requests that arrive together wait for one of them to compute
    /// it instead of each reading and rendering the same thing.
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// Every workspace's kept portfolio, and the bytes of the page bodies kept across all of them.
#[derive(Default)]
struct Portfolios {
    by_workspace: HashMap<String, PortfolioAt>,
    body_bytes: usize,
}

impl Portfolios {
    fn current(
        &self,
        workspace: &str,
        rows: &Arc<Vec<ProjectRow>>,
        minute: i64,
    ) -> Option<&PortfolioAt> {
        self.by_workspace
            .get(workspace)
            .filter(|p| Arc::ptr_eq(&p.rows, rows) && p.minute == minute)
    }

    /// Forgets every kept page body (the summaries stay).
    fn drop_bodies(&mut self) {
        for p in self.by_workspace.values_mut() {
            p.bodies.clear();
        }
        self.body_bytes = 0;
    }
}

/// A workspace's portfolio for one list of rows and one minute.
struct PortfolioAt {
    /// The list rows it was gathered for: held, so the comparison by pointer is sound.
    rows: Arc<Vec<ProjectRow>>,
    minute: i64,
    all: Arc<Vec<Summarised>>,
    /// Page bodies rendered from it, by the page's filter, sort and number.
    bodies: HashMap<String, Arc<str>>,
}

/// Rendered portfolio pages kept per workspace: the filters people actually use, and not a
/// growing heap for someone who walks every combination.
const MAX_BODIES: usize = 64;

/// All kept portfolio pages together (about 60 KB each): many workspaces' pages fit, and
/// thousands of active tenants cannot grow it without bound.
const MAX_BODY_BYTES: usize = 64 << 20;

fn bytes_of(bodies: &HashMap<String, Arc<str>>) -> usize {
    bodies.values().map(|b| b.len()).sum()
}

/// Views are about 25 KB for 60 tasks: this keeps the busiest ones within tens of megabytes.
const MAX_VIEWS: usize = 2_000;

/// A project page's data and HTML are about 0.5 MB for 200 tasks: a few hundred busy projects.
const MAX_PAGES: usize = 300;

impl ProjectCache {
    /// The lock that lets one request at a time compute what `key` names.
    pub fn flight(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.flights.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENTRIES {
            // A lock dropped here is only a lost chance to share one computation.
            map.clear();
        }
        map.entry(key.to_string()).or_default().clone()
    }

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
        let minute = minute_of(now);
        let views = self.views.lock().unwrap_or_else(|e| e.into_inner());
        views
            .get(id)
            .filter(|(v, m, _)| *v == version && *m == minute)
            .map(|(_, _, json)| json.clone())
    }

    pub fn keep_view(&self, id: &str, version: i64, now: DateTime<Utc>, json: Arc<[u8]>) {
        let minute = minute_of(now);
        let mut views = self.views.lock().unwrap_or_else(|e| e.into_inner());
        if views.len() >= MAX_VIEWS {
            views.clear();
        }
        views.insert(id.to_string(), (version, minute, json));
    }

    /// The portfolio summary of a project at this version and minute, if it was computed.
    pub fn cached_summary(&self, id: &str, version: i64, now: DateTime<Utc>) -> Option<Summarised> {
        let minute = minute_of(now);
        let map = self.summaries.lock().unwrap_or_else(|e| e.into_inner());
        map.get(id)
            .filter(|s| s.version == version && s.minute == minute)
            .cloned()
    }

    /// The cached summaries of many projects at once, under one lock (the portfolio asks for
    /// thousands per request): `None` where a project changed or the minute turned.
    pub fn cached_summaries<'a>(
        &self,
        wanted: impl Iterator<Item = (&'a str, i64)>,
        now: DateTime<Utc>,
    ) -> Vec<Option<Summarised>> {
        let minute = minute_of(now);
        let map = self.summaries.lock().unwrap_or_else(|e| e.into_inner());
        wanted
            .map(|(id, version)| {
                map.get(id)
                    .filter(|s| s.version == version && s.minute == minute)
                    .cloned()
            })
            .collect()
    }

    /// The portfolio summary of a project at `now`, computed once per version and minute.
    pub fn summary(&self, p: &Project, version: i64, now: DateTime<Utc>) -> Summarised {
        if let Some(s) = self.cached_summary(&p.id, version, now) {
            return s;
        }
        let sum = summary(p, now);
        let fresh = Summarised {
            version,
            minute: minute_of(now),
            name_key: sum.name.to_lowercase().into(),
            summary: Arc::new(sum),
            live_on: p.live_on,
            json: None,
        };
        let mut map = self.summaries.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(p.id.clone(), fresh.clone());
        fresh
    }

    /// Days waited on the customer and on the vendor (R7) at `now`, for each project whose
    /// activity log was replayed at this version: carried forward from that replay, so the clock
    /// moving on costs no reading.
    pub fn waits<'a>(
        &self,
        wanted: impl Iterator<Item = (&'a str, i64)>,
        now: DateTime<Utc>,
    ) -> Vec<Option<(f64, f64)>> {
        let map = self.waits.lock().unwrap_or_else(|e| e.into_inner());
        wanted
            .map(|(id, version)| {
                map.get(id).filter(|w| w.version == version).map(|w| {
                    let t = project_time_at(&w.report, w.computed, now);
                    (t.customer_days(), t.vendor_days())
                })
            })
            .collect()
    }

    /// Replays a project's activity log (R7) at `now`, keeps what later times need, and returns
    /// the days waited on the customer and on the vendor.
    pub fn replay_waits(
        &self,
        id: &str,
        version: i64,
        activities: &[Activity],
        now: DateTime<Utc>,
    ) -> (f64, f64) {
        let mut report = r7_ball_in_court(activities, now);
        let days = (report.project.customer_days(), report.project.vendor_days());
        // Carrying forward is exact only from a replay after the last activity.
        if activities.iter().all(|a| a.at <= now) {
            report.tasks.clear();
            let mut map = self.waits.lock().unwrap_or_else(|e| e.into_inner());
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
            map.insert(
                id.to_string(),
                Waited {
                    version,
                    computed: now,
                    report,
                },
            );
        }
        days
    }

    /// The portfolio line of a project at `now`, as JSON.
    pub fn line_json(
        &self,
        p: &Project,
        version: i64,
        now: DateTime<Utc>,
    ) -> Result<Arc<[u8]>, ApiError> {
        let s = self.summary(p, version, now);
        if let Some(json) = s.json {
            return Ok(json);
        }
        let json: Arc<[u8]> = serde_json::to_vec(&*s.summary)
            .map_err(|e| ApiError::Internal(e.to_string()))?
            .into();
        let minute = minute_of(now);
        let mut map = self.summaries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = map
            .get_mut(&p.id)
            .filter(|s| s.version == version && s.minute == minute)
        {
            s.json = Some(json.clone());
        }
        Ok(json)
    }

    /// The API list's lines for a page of projects at `now`. When some are not computed yet for
    /// this version and minute, one request per workspace computes them while the others wait
    /// and then find them done.
    pub async fn lines_json(
        &self,
        workspace: &str,
        page: &[(Arc<Project>, i64)],
        now: DateTime<Utc>,
    ) -> Result<Vec<Arc<[u8]>>, ApiError> {
        let cached = self.cached_summaries(page.iter().map(|(p, v)| (p.id.as_str(), *v)), now);
        let cold = cached
            .iter()
            .any(|s| s.as_ref().is_none_or(|s| s.json.is_none()));
        let flight = cold.then(|| self.flight(&format!("list-lines:{workspace}")));
        let _turn = match &flight {
            Some(f) => Some(f.lock().await),
            None => None,
        };
        page.iter()
            .map(|(p, version)| self.line_json(p, *version, now))
            .collect()
    }

    /// The project page's data for a project of the workspace: `None` when there is no such
    /// project. Computed once per version and minute; the activity log is read only then.
    pub async fn project_page(
        &self,
        store: &Store,
        workspace: &str,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Arc<Derived>>, finishline_store::StoreError> {
        let Some(version) = store.project_version(workspace, id).await? else {
            return Ok(None);
        };
        let minute = minute_of(now);
        let cached = || {
            let pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
            pages
                .get(id)
                .filter(|(v, m, _)| *v == version && *m == minute)
                .map(|(_, _, d)| d.clone())
        };
        if let Some(d) = cached() {
            return Ok(Some(d));
        }
        let flight = self.flight(&format!("page:{id}"));
        let _computing = flight.lock().await;
        if let Some(d) = cached() {
            return Ok(Some(d));
        }
        let Some((p, version)) = store.project(workspace, id).await? else {
            return Ok(None);
        };
        let activities = store.activities(workspace, id).await?;
        let draft = r10_status_draft(&p, &activities, now).to_text();
        let derived = Arc::new(Derived {
            view: view(p, version, &activities, now),
            activities,
            draft,
            html: OnceLock::new(),
        });
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        if pages.len() >= MAX_PAGES {
            pages.clear();
        }
        pages.insert(id.to_string(), (version, minute, derived.clone()));
        Ok(Some(derived))
    }

    /// The workspace's portfolio gathered for these list rows in this minute, if any.
    pub fn portfolio(
        &self,
        workspace: &str,
        rows: &Arc<Vec<ProjectRow>>,
        now: DateTime<Utc>,
    ) -> Option<Arc<Vec<Summarised>>> {
        let kept = self.portfolios.lock().unwrap_or_else(|e| e.into_inner());
        kept.current(workspace, rows, minute_of(now))
            .map(|p| p.all.clone())
    }

    pub fn keep_portfolio(
        &self,
        workspace: &str,
        rows: &Arc<Vec<ProjectRow>>,
        now: DateTime<Utc>,
        all: Arc<Vec<Summarised>>,
    ) {
        let mut kept = self.portfolios.lock().unwrap_or_else(|e| e.into_inner());
        if kept.by_workspace.len() >= MAX_ENTRIES {
            kept.by_workspace.clear();
            kept.body_bytes = 0;
        }
        let at = PortfolioAt {
            rows: rows.clone(),
            minute: minute_of(now),
            all,
            bodies: HashMap::new(),
        };
        if let Some(old) = kept.by_workspace.insert(workspace.to_string(), at) {
            kept.body_bytes = kept.body_bytes.saturating_sub(bytes_of(&old.bodies));
        }
    }

    /// A portfolio page rendered for these list rows, this minute and this query, if any.
    pub fn portfolio_body(
        &self,
        workspace: &str,
        rows: &Arc<Vec<ProjectRow>>,
        now: DateTime<Utc>,
        query: &str,
    ) -> Option<Arc<str>> {
        let kept = self.portfolios.lock().unwrap_or_else(|e| e.into_inner());
        kept.current(workspace, rows, minute_of(now))
            .and_then(|p| p.bodies.get(query).cloned())
    }

    /// Keeps a page rendered from the portfolio kept for these rows and this minute (and
    /// nothing when that portfolio has since been replaced).
    pub fn keep_portfolio_body(
        &self,
        workspace: &str,
        rows: &Arc<Vec<ProjectRow>>,
        now: DateTime<Utc>,
        query: String,
        body: Arc<str>,
    ) {
        let minute = minute_of(now);
        let mut kept = self.portfolios.lock().unwrap_or_else(|e| e.into_inner());
        if kept.current(workspace, rows, minute).is_none() {
            return;
        }
        if kept.body_bytes + body.len() > MAX_BODY_BYTES {
            kept.drop_bodies();
        }
        let Some(p) = kept.by_workspace.get_mut(workspace) else {
            return;
        };
        let mut freed = 0;
        if p.bodies.len() >= MAX_BODIES {
            freed = bytes_of(&p.bodies);
            p.bodies.clear();
        }
        let added = body.len();
        if let Some(old) = p.bodies.insert(query, body) {
            freed += old.len();
        }
        kept.body_bytes = (kept.body_bytes + added).saturating_sub(freed);
    }

    /// The list rows of every project of the workspace. When the workspace's projects revision
    /// moved on (a project created or saved, by any server or the CLI), only the projects stamped
    /// since the cached list are read and merged into it.
    pub async fn rows(
        &self,
        store: &Store,
        workspace: &str,
    ) -> Result<Arc<Vec<ProjectRow>>, finishline_store::StoreError> {
        let Some(revision) = store.projects_revision(workspace).await? else {
            return Ok(Arc::default());
        };
        let cached = || {
            let rows = self.rows.lock().unwrap_or_else(|e| e.into_inner());
            rows.get(workspace).cloned()
        };
        match cached() {
            Some((r, list)) if r == revision => return Ok(list),
            _ => {}
        }
        let flight = self.flight(&format!("rows:{workspace}"));
        let _reading = flight.lock().await;
        let fresh = match cached() {
            Some((r, list)) if r == revision => return Ok(list),
            Some((r, list)) if r < revision => {
                let changed = store.project_rows_since(workspace, r).await?;
                Arc::new(merge_rows(&list, changed))
            }
            _ => Arc::new(store.project_rows(workspace).await?),
        };
        let mut rows = self.rows.lock().unwrap_or_else(|e| e.into_inner());
        if rows.len() >= MAX_ENTRIES {
            rows.clear();
        }
        rows.insert(workspace.to_string(), (revision, fresh.clone()));
        Ok(fresh)
    }

    /// The documents of these projects of the workspace at these versions: cached ones as they
    /// are, the rest read in one go.
    pub async fn documents(
        &self,
        store: &Store,
        workspace: &str,
        wanted: &[(String, i64)],
    ) -> Result<Vec<(Arc<Project>, i64)>, finishline_store::StoreError> {
        let mut out = Vec::with_capacity(wanted.len());
        let mut missing = Vec::new();
        for (id, v) in wanted {
            match self.get(id, *v) {
                Some(p) => out.push((p, *v)),
                None => missing.push(id.clone()),
            }
        }
        if !missing.is_empty() {
            // Cold: the requests that arrive together wait for one of them to read the
            // documents, then find them here, instead of each reading the same thousand.
            let flight = self.flight(&format!("documents:{workspace}"));
            let _turn = flight.lock().await;
            let versions: HashMap<&str, i64> =
                wanted.iter().map(|(id, v)| (id.as_str(), *v)).collect();
            missing.retain(|id| {
                let version = versions.get(id.as_str()).copied();
                match version.and_then(|v| self.get(id, v).map(|p| (p, v))) {
                    Some(found) => {
                        out.push(found);
                        false
                    }
                    None => true,
                }
            });
            for (p, v) in store.projects_by_id(workspace, &missing).await? {
                out.push((self.put(p, v), v));
            }
        }
        Ok(out)
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
        let mut found: HashMap<String, (Arc<Project>, i64)> = self
            .documents(store, workspace, &versions)
            .await?
            .into_iter()
            .map(|(p, v)| (p.id.clone(), (p, v)))
            .collect();
        // Keep the store's order; a project deleted in between is simply absent.
        let page = versions
            .iter()
            .filter_map(|(id, _)| found.remove(id))
            .collect();
        Ok((page, total))
    }
}

/// A list with the rows read since it was cached put in place of their old selves (or added),
/// in the order of `Store::project_rows`: most recently changed first, then by id.
fn merge_rows(list: &[ProjectRow], changed: Vec<ProjectRow>) -> Vec<ProjectRow> {
    let changed_ids: std::collections::HashSet<&str> =
        changed.iter().map(|r| r.id.as_str()).collect();
    let mut merged: Vec<ProjectRow> = list
        .iter()
        .filter(|r| !changed_ids.contains(r.id.as_str()))
        .cloned()
        .collect();
    merged.extend(changed);
    merged.sort_by(|a, b| {
        b.updated_at
            .cmp(&a.updated_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn row(id: &str, version: i64, minute: u32) -> ProjectRow {
        ProjectRow {
            id: id.into(),
            name: format!("{id} project"),
            customer: id.to_uppercase(),
            stage: "kickoff".into(),
            owner_name: "Dana".into(),
            launch_date: None,
            version,
            updated_at: Utc.with_ymd_and_hms(2026, 3, 2, 9, minute, 0).unwrap(),
        }
    }

    fn body_bytes(cache: &ProjectCache) -> usize {
        cache
            .portfolios
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .body_bytes
    }

    #[test]
    fn kept_portfolio_pages_are_counted_and_bounded() {
        let cache = ProjectCache::default();
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        let rows = Arc::new(vec![row("a", 1, 0)]);
        let page = |s: &str, n: usize| -> Arc<str> { Arc::from(s.repeat(n)) };
        cache.keep_portfolio("ws", &rows, now, Arc::new(vec![]));
        cache.keep_portfolio_body("ws", &rows, now, "q1".into(), page("x", 10));
        cache.keep_portfolio_body("ws", &rows, now, "q1".into(), page("y", 4));
        cache.keep_portfolio_body("ws", &rows, now, "q2".into(), page("z", 6));
        assert_eq!(
            body_bytes(&cache),
            10,
            "a page asked again replaces its bytes"
        );
        assert_eq!(
            cache.portfolio_body("ws", &rows, now, "q1").as_deref(),
            Some("yyyy")
        );
        // Pages of another list are not kept; a new list drops the old list's pages.
        let newer = Arc::new(vec![row("a", 2, 1)]);
        cache.keep_portfolio_body("ws", &newer, now, "q3".into(), page("w", 1));
        assert_eq!(body_bytes(&cache), 10);
        cache.keep_portfolio("ws", &newer, now, Arc::new(vec![]));
        assert_eq!(body_bytes(&cache), 0);
        assert!(cache.portfolio_body("ws", &rows, now, "q1").is_none());
        // Past the budget across workspaces, every kept page goes and the new one is kept.
        cache.keep_portfolio("ws2", &rows, now, Arc::new(vec![]));
        cache.keep_portfolio_body(
            "ws2",
            &rows,
            now,
            "big".into(),
            page("b", MAX_BODY_BYTES - 5),
        );
        cache.keep_portfolio_body("ws", &newer, now, "q".into(), page("s", 10));
        assert_eq!(body_bytes(&cache), 10);
        assert!(cache.portfolio_body("ws2", &rows, now, "big").is_none());
        assert!(cache.portfolio_body("ws", &newer, now, "q").is_some());
    }

    #[test]
    fn merged_rows_replace_their_old_selves_and_keep_the_store_order() {
        let list = vec![row("c", 1, 30), row("a", 3, 20), row("b", 1, 20)];
        let merged = merge_rows(&list, vec![row("b", 2, 40), row("d", 1, 35)]);
        let got: Vec<(&str, i64)> = merged.iter().map(|r| (r.id.as_str(), r.version)).collect();
        assert_eq!(got, [("b", 2), ("d", 1), ("c", 1), ("a", 3)]);
        assert_eq!(merge_rows(&list, vec![]).len(), 3);
    }
}
