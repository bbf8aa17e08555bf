//! finishline-app: the application layer between the HTTP server (`web`) and the store.
//!
//! What a request, the CLI or the background sweep asks for, without HTTP: running a command
//! against the stored project (one optimistic retry loop for every caller), creating projects
//! from handoffs, customer data imports, and the notification engine (R9 cadence, adoption,
//! digests, delivery by SMTP and webhooks, signed one-click links).
//!
//! It knows the store and the domain; it knows nothing of routes, status codes or pages:
//! failures are [`AppError`]s, which `web` maps to HTTP.
#![forbid(unsafe_code)]

pub mod analytics;
pub mod calendar;
pub mod clock;
pub mod commands;
pub mod error;
pub mod export;
pub mod flagged;
pub mod handoffs;
pub mod imports;
pub mod notify;
pub mod process;
pub mod queue;
pub mod roundtrip;
pub mod time;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use finishline_store::Store;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::AppError;

/// What the application layer is configured with.
#[derive(Debug, Clone, Default)]
pub struct AppConfig {
    /// Mail, links, leases and the sweep (see `notify`).
    pub notify: notify::NotifyConfig,
    /// Budgets of the data engine for customers' files (rows, columns, cells, bytes inflated…).
    pub import_limits: finishline_data::Limits,
    /// How many imports run at once, how many may wait and for how long.
    pub import_queue: queue::QueueLimits,
}

/// The application: the store, the clock, the configuration and the bounded work queues. Cheap
/// to clone; one per server.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<AppConfig>,
    /// Imports take turns here (see `imports`).
    pub imports: Arc<queue::WorkQueue>,
    /// The flagged rows of recent checks, read once for paging.
    pub flagged: Arc<flagged::Cache>,
    /// When the notification sweep last ended.
    pub sweeps: Arc<notify::SweepWatch>,
    /// Process maps kept per workspace, filter, projects revision and minute.
    pub process_maps: Arc<process::MapCache>,
    /// Each workspace's analytics facts and reports, by projects revision (see `analytics`).
    pub analytics: Arc<analytics::AnalyticsCache>,
    /// Each workspace's Team page sums, by its projects and time revisions (see `time`).
    pub team: Arc<time::TeamCache>,
}

impl App {
    pub fn new(store: Store, clock: Arc<dyn Clock>, config: AppConfig) -> Self {
        let imports = Arc::new(queue::WorkQueue::from_limits(&config.import_queue));
        App {
            store,
            clock,
            config: Arc::new(config),
            imports,
            flagged: Arc::default(),
            sweeps: Arc::default(),
            process_maps: Arc::default(),
            analytics: Arc::default(),
            team: Arc::default(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
