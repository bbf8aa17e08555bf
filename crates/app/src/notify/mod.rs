//! Notifications: R9 nudges and escalations, digests, mail over SMTP, outbound webhooks and
//! Slack, one-click action links, product usage and adoption.
//!
//! Everything runs in one sweep (`sweep_once`), called every minute by the server
//! (`spawn_sweeper`) and directly by tests with the injected clock:
//!
//! 1. `cadence`: customer tasks due for a reminder or an escalation get a `RecordNudge` through
//!    the core and, in the same transaction, a line in each recipient's next digest.
//! 2. `adoption`: live projects with goals are measured against the usage feed; a stall opens an
//!    intervention through the core's `RecordAdoption`.
//! 3. `hooks`: new activities become webhook messages in the outbox.
//! 4. `meetings` and `surveys`: meeting invitations and requests to rate a milestone, read from
//!    the log (each from its own cursor).
//! 5. `digest`: each person's waiting lines become one email, at the frequency they chose and
//!    outside their quiet hours.
//! 6. `deliver`: due outbox rows are claimed with a lease and sent (SMTP, HTTP), with retries and
//!    exponential backoff.

pub mod adoption;
pub mod cadence;
pub mod deliver;
pub mod digest;
pub mod hooks;
pub mod meetings;
pub mod settings;
pub mod ssrf;
pub mod surveys;
pub mod tokens;

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use crate::error::AppError;
use crate::App;

/// An SMTP URL (`smtp://user:pass@host:port`, `smtps://…`); never printed, it may hold a password.
#[derive(Clone)]
pub struct SmtpUrl(pub String);

impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SmtpUrl(<redacted>)")
    }
}

/// How the server sends what it sends.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// Where mail goes; with none, mail stays in the outbox (`GET /api/v1/outbox`).
    pub smtp_url: Option<SmtpUrl>,
    /// The `From:` of every email.
    pub mail_from: String,
    /// The address people reach the server at, for links in emails.
    pub public_url: String,
    /// How long a sender holds a claimed message before another may take it.
    pub lease: chrono::Duration,
    /// How often the background sweep runs.
    pub sweep_every: Duration,
    /// How long one-click links work.
    pub link_ttl: chrono::Duration,
    /// Names this server in leases.
    pub worker_id: String,
    /// Hosts outbound webhooks may reach even when they resolve to private addresses, for every
    /// workspace (set by the operator; workspace admins add their own).
    pub allow_hosts: Vec<String>,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            mail_from: "Finishline <finishline@localhost>".into(),
            public_url: "http://127.0.0.1:7878".into(),
            lease: chrono::Duration::minutes(2),
            sweep_every: Duration::from_secs(60),
            link_ttl: chrono::Duration::days(14),
            worker_id: format!("srv_{}", uuid::Uuid::new_v4().simple()),
            allow_hosts: Vec::new(),
        }
    }
}

/// Picks ring as the process's TLS provider. Several crates enable both of rustls's providers
/// (ring for mail and webhooks, aws-lc-rs elsewhere), and rustls then refuses to guess; the
/// first call wins, later ones change nothing.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// What one sweep did.
#[derive(Debug, Default, Clone, Serialize, utoipa::ToSchema)]
pub struct SweepReport {
    pub nudges: usize,
    pub escalations: usize,
    pub interventions: usize,
    pub webhook_messages: usize,
    pub digests: usize,
    /// Meeting and training invitations put in the outbox.
    pub invitations: usize,
    /// Requests to rate a milestone put in the outbox (`surveys`).
    pub rating_requests: usize,
    pub delivered: usize,
    pub failed_attempts: usize,
}

/// The projects a log reader met, each read once per pass (`None`: deleted since).
#[derive(Default)]
pub(crate) struct ProjectsSeen(std::collections::HashMap<String, Option<finishline_core::Project>>);

impl ProjectsSeen {
    pub(crate) async fn get(
        &mut self,
        app: &App,
        workspace: &str,
        id: &str,
    ) -> Result<Option<&finishline_core::Project>, AppError> {
        if !self.0.contains_key(id) {
            let p = app.store.project(workspace, id).await?.map(|(p, _)| p);
            self.0.insert(id.to_owned(), p);
        }
        Ok(self.0.get(id).and_then(Option::as_ref))
    }
}

/// What the log reader `reader` has not read yet in a workspace: the activities after its cursor
/// (at most 500 a pass) and the seq to advance the cursor to once they are handled, or `None`
/// when there are none. A reader's cursor starts at the end of the log.
pub(crate) async fn unread(
    app: &App,
    workspace: &str,
    reader: &str,
) -> Result<Option<(Vec<finishline_store::LoggedActivity>, i64)>, AppError> {
    let cursor = app.store.log_cursor(workspace, reader).await?;
    let acts = app.store.activities_after(workspace, cursor, 500).await?;
    Ok(acts.last().map(|a| a.seq).map(|last| (acts, last)))
}

/// One pass over every workspace (or just `only`), then delivery of whatever is due.
pub async fn sweep_once(app: &App, only: Option<&str>) -> Result<SweepReport, AppError> {
    let mut report = SweepReport::default();
    let workspaces = match only {
        Some(id) => app.store.workspace(id).await?.into_iter().collect(),
        None => app.store.workspaces().await?,
    };
    for ws in &workspaces {
        cadence::run(app, &ws.id, &mut report).await?;
        adoption::run(app, &ws.id, &mut report).await?;
        hooks::enqueue_events(app, &ws.id, &mut report).await?;
        meetings::enqueue(app, &ws.id, &mut report).await?;
        surveys::enqueue(app, &ws.id, &mut report).await?;
        digest::flush(app, &ws.id, &mut report).await?;
    }
    deliver::run(app, &mut report).await?;
    Ok(report)
}

/// When the last sweep ended, for the lag an operator watches (`finishline_sweep_lag_seconds`):
/// a sweep that hangs or a sweeper that died shows as a lag growing past `sweep_every`.
#[derive(Debug, Default)]
pub struct SweepWatch {
    last_end: std::sync::Mutex<Option<std::time::Instant>>,
}

impl SweepWatch {
    fn ended(&self) {
        *self.last_end.lock().unwrap_or_else(|e| e.into_inner()) = Some(std::time::Instant::now());
    }

    /// Seconds since the last sweep ended; `None` before the first has.
    pub fn lag_seconds(&self) -> Option<f64> {
        self.last_end
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .map(|at| at.elapsed().as_secs_f64())
    }
}

/// Runs the sweep every `sweep_every` until the server stops. Errors are logged and the next
/// pass tries again: nothing is lost, the outbox keeps what was not sent.
pub fn spawn_sweeper(app: App) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let every = app.config.notify.sweep_every;
        loop {
            let started = std::time::Instant::now();
            let outcome = sweep_once(&app, None).await;
            metrics::histogram!("finishline_sweep_duration_seconds")
                .record(started.elapsed().as_secs_f64());
            app.sweeps.ended();
            match outcome {
                Ok(r) => tracing::debug!(report = ?r, "notification sweep"),
                Err(e) => {
                    metrics::counter!("finishline_sweep_failures_total").increment(1);
                    tracing::warn!(error = %e, "notification sweep failed; retrying next pass")
                }
            }
            tokio::time::sleep(every).await;
        }
    })
}
