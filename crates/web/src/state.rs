//! What every request can reach: the application (store, clock, imports, notifications), the
//! server's configuration, the page caches and the guards.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use finishline_app::queue::QueueLimits;
use finishline_app::{App, AppConfig, Clock, SystemClock};
use finishline_store::Store;

#[derive(Debug, Clone)]
pub struct Config {
    /// Marks cookies `Secure`; on when the public URL is https.
    pub secure_cookies: bool,
    /// How long a login lasts.
    pub session_ttl: chrono::Duration,
    /// Largest JSON body accepted.
    pub max_json_bytes: usize,
    /// Largest uploaded file accepted.
    pub max_upload_bytes: usize,
    /// How far a signed webhook's timestamp may be from now before it counts as stale.
    pub webhook_tolerance: chrono::Duration,
    /// Mail, links, leases and the sweep (see `notify`).
    pub notify: finishline_app::notify::NotifyConfig,
    /// Sign-in throttling and lockout, the client address, and how much work of the password
    /// hash and of imports may run or wait at once (see `throttle`).
    pub limits: crate::throttle::Limits,
    /// Budgets of the data engine for customers' files (rows, columns, cells, bytes inflated…).
    pub import_limits: finishline_data::Limits,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            session_ttl: chrono::Duration::days(14),
            max_json_bytes: 1024 * 1024,
            max_upload_bytes: 25 * 1024 * 1024,
            webhook_tolerance: chrono::Duration::minutes(5),
            notify: finishline_app::notify::NotifyConfig::default(),
            limits: crate::throttle::Limits::default(),
            import_limits: finishline_data::Limits::default(),
        }
    }
}

impl Config {
    /// What of it the application layer needs.
    fn app_config(&self) -> AppConfig {
        AppConfig {
            notify: self.notify.clone(),
            import_limits: self.import_limits.clone(),
            import_queue: QueueLimits {
                slots: self.limits.import_concurrency,
                queue: self.limits.import_queue,
                wait: self.limits.import_wait,
            },
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    /// The store, the clock, the imports' queue and the notification settings; built from
    /// `config`, so the two always agree.
    pub app: App,
    pub config: Arc<Config>,
    pub projects: Arc<crate::cache::ProjectCache>,
    /// Sign-in failure counters and the password-hashing queue, sized by `config.limits`.
    pub guard: Arc<crate::throttle::Guard>,
    /// Whole-workspace exports running at once (each holds a thread and reads every project):
    /// the rest are refused with 503 until one ends.
    pub exports: Arc<tokio::sync::Semaphore>,
}

/// How many whole-workspace exports (OCEL, XES) run at once.
pub const EXPORTS_AT_ONCE: usize = 2;

impl AppState {
    pub fn new(store: Store) -> Self {
        let config = Config::default();
        Self {
            app: App::new(store, Arc::new(SystemClock), config.app_config()),
            guard: Arc::new(crate::throttle::Guard::new(&config.limits)),
            config: Arc::new(config),
            projects: Arc::new(crate::cache::ProjectCache::default()),
            exports: Arc::new(tokio::sync::Semaphore::new(EXPORTS_AT_ONCE)),
        }
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.app.clock = clock;
        self
    }

    pub fn with_config(mut self, config: Config) -> Self {
        self.app = App::new(
            self.app.store.clone(),
            self.app.clock.clone(),
            config.app_config(),
        );
        self.guard = Arc::new(crate::throttle::Guard::new(&config.limits));
        self.config = Arc::new(config);
        self
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.app.now()
    }
}
