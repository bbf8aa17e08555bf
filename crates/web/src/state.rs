//! What every request can reach: the store, the clock and the configuration.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use finishline_store::Store;

use crate::clock::{Clock, SystemClock};

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
    pub notify: crate::notify::NotifyConfig,
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
            notify: crate::notify::NotifyConfig::default(),
            limits: crate::throttle::Limits::default(),
            import_limits: finishline_data::Limits::default(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    pub projects: Arc<crate::cache::ProjectCache>,
    /// Failure counters and the queues of bounded work, sized by `config.limits`.
    pub guard: Arc<crate::throttle::Guard>,
}

impl AppState {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            clock: Arc::new(SystemClock),
            config: Arc::new(Config::default()),
            projects: Arc::new(crate::cache::ProjectCache::default()),
            guard: Arc::new(crate::throttle::Guard::new(
                &crate::throttle::Limits::default(),
            )),
        }
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn with_config(mut self, config: Config) -> Self {
        self.guard = Arc::new(crate::throttle::Guard::new(&config.limits));
        self.config = Arc::new(config);
        self
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
