//! What an untrusted caller can make the server do: how often it may guess a credential and how
//! much memory and CPU its requests may hold at once.
//!
//! - **Sign-in throttling** ([`Throttle`]): failures are counted per account (the email typed,
//!   known or not, so an unknown email is answered exactly like a known one) and per client
//!   address; past a threshold in a window the key is locked, each lock of the same key twice as
//!   long as the one before, up to a ceiling. Password sign-ins (API and page) are counted per
//!   account and per address; invitation and signed-email links per address; bearer tokens and
//!   session cookies that match nothing per address, with a higher threshold of their own so a
//!   script with a revoked token does not lock its office out of the sign-in page.
//! - **Password hashing** ([`WorkQueue`]): argon2id takes ~19 MiB and tens of milliseconds per
//!   verification; only a few run at once, a bounded number wait, and beyond that (or after
//!   waiting too long) the request is answered 503 with `Retry-After` instead of piling up.
//! - **Imports** (the application's `App::imports`, a [`WorkQueue`] too): checking an upload
//!   holds the file and the engine's working memory; a few run at once and a bounded queue
//!   waits, each waiter knowing its position. Refused, they are answered here like the rest.
//!
//! The state lives in this server's memory, in a map of bounded size. Several servers on one
//! database each count on their own, so an attacker spreading guesses over N servers gets N
//! times the budget; the audit trail (`audit_events`) still records every attempt in one place.
//! Keeping the counters in memory keeps a refused guess from costing a database write per
//! attempt and keeps the check off the database entirely when it is overloaded.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

use axum::extract::{ConnectInfo, Request};
use axum::http::{header, Extensions, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

pub use finishline_app::queue::{Full, Turn, WorkQueue};

/// The numbers of the policy; every one has a default that suits a small team on one server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Failed password sign-ins for one email within `failure_window` that lock it (5).
    pub account_failures: u32,
    /// Failed sign-ins, invitation links and email links from one client address within
    /// `failure_window` that lock the address (20).
    pub address_failures: u32,
    /// Bearer tokens and session cookies matching nothing, from one address within
    /// `failure_window`, that lock the address for credentials (100).
    pub credential_failures: u32,
    /// How long failures are remembered toward a lock (15 minutes).
    pub failure_window: Duration,
    /// The first lock of a key (15 minutes); each further lock of the same key doubles it.
    pub lockout: Duration,
    /// The longest lock (4 hours).
    pub max_lockout: Duration,
    /// How many accounts and addresses are tracked at most (50 000, about 10 MB); past it
    /// the oldest unlocked ones are forgotten first.
    pub tracked_keys: usize,
    /// Take the client address from the last `X-Forwarded-For` entry instead of the socket
    /// peer. Only behind a reverse proxy that sets it: otherwise anyone can pick their address.
    pub trust_proxy_headers: bool,
    /// Password hashes and verifications running at once (2; each holds ~19 MiB).
    pub hash_concurrency: usize,
    /// Password verifications waiting for a turn before more are refused with 503 (16).
    pub hash_queue: usize,
    /// The longest a verification waits for a turn before it is refused with 503 (5 seconds).
    pub hash_wait: std::time::Duration,
    /// Imports and checks of uploads running at once (2).
    pub import_concurrency: usize,
    /// Imports and checks waiting for a turn before more are refused with 503 (16).
    pub import_queue: usize,
    /// The longest an import waits for a turn before it is refused with 503 (2 minutes).
    pub import_wait: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            account_failures: 5,
            address_failures: 20,
            credential_failures: 100,
            failure_window: Duration::minutes(15),
            lockout: Duration::minutes(15),
            max_lockout: Duration::hours(4),
            tracked_keys: 50_000,
            trust_proxy_headers: false,
            hash_concurrency: 2,
            hash_queue: 16,
            hash_wait: std::time::Duration::from_secs(5),
            import_concurrency: 2,
            import_queue: 16,
            import_wait: std::time::Duration::from_secs(120),
        }
    }
}

/// Passwords longer than this are wrong without being hashed (no member can have one:
/// `password_problem` refuses them).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// A throttled refusal is written to the audit trail at most once a minute per key, with how
/// many were refused since: a flood of refused requests must not become a flood of writes.
const REFUSAL_AUDIT_EVERY: i64 = 60;

// ---------------------------------------------------------------------------------------------
// The client's address

/// Who is asking, as far as the server can tell: the socket peer, or with
/// `trust_proxy_headers` the address the proxy appended to `X-Forwarded-For`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

impl ClientAddress {
    pub fn of(headers: &HeaderMap, extensions: &Extensions, limits: &Limits) -> Self {
        if limits.trust_proxy_headers {
            // The proxy appends the address it saw: the last entry is the one it vouches for,
            // earlier ones are whatever the client sent.
            let forwarded = headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .next_back()
                .and_then(|s| s.trim().parse::<IpAddr>().ok());
            if let Some(ip) = forwarded {
                return ClientAddress(Some(ip));
            }
        }
        ClientAddress(
            extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(a)| a.ip().to_canonical()),
        )
    }

    pub fn of_request(req: &Request, limits: &Limits) -> Self {
        Self::of(req.headers(), req.extensions(), limits)
    }

    /// The throttling key: an IPv6 client is counted by its /64, which one subscriber
    /// usually holds whole.
    pub fn key(&self) -> String {
        match self.0 {
            Some(IpAddr::V6(v6)) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
            Some(ip) => ip.to_string(),
            None => "unknown".into(),
        }
    }

    /// The address as the audit trail records it.
    pub fn audit(&self) -> Option<String> {
        self.0.map(|ip| ip.to_string())
    }
}

impl fmt::Display for ClientAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(ip) => write!(f, "{ip}"),
            None => f.write_str("unknown"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Counting failures

/// What failures are counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// One email typed at sign-in.
    Account,
    /// One client address, for password sign-ins and links.
    Address,
    /// One client address, for bearer tokens and session cookies.
    Credentials,
    /// One client address refused because the server was busy (only for the audit trail).
    Busy,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Account => "account",
            Scope::Address => "address",
            Scope::Credentials => "credentials",
            Scope::Busy => "busy",
        }
    }
}

/// A key that is locked, and until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locked {
    pub scope: Scope,
    pub until: DateTime<Utc>,
    /// How many times this key was locked (this one included).
    pub lockouts: u32,
}

#[derive(Debug, Clone)]
struct Entry {
    failures: u32,
    window_start: DateTime<Utc>,
    locked_until: Option<DateTime<Utc>>,
    lockouts: u32,
    last_seen: DateTime<Utc>,
    refused_since_audit: u32,
    last_refusal_audit: Option<DateTime<Utc>>,
}

impl Entry {
    fn new(now: DateTime<Utc>) -> Self {
        Entry {
            failures: 0,
            window_start: now,
            locked_until: None,
            lockouts: 0,
            last_seen: now,
            refused_since_audit: 0,
            last_refusal_audit: None,
        }
    }

    fn locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|u| u > now)
    }
}

/// Failure counts and locks per key, in memory, at most `tracked_keys` of them.
pub struct Throttle {
    limits: Limits,
    entries: Mutex<HashMap<(Scope, String), Entry>>,
}

/// A key with no lock and no failure for this long is forgotten (its backoff starts again).
fn forget_after(limits: &Limits) -> Duration {
    std::cmp::max(limits.max_lockout, Duration::hours(24))
}

impl Throttle {
    pub fn new(limits: Limits) -> Self {
        Throttle {
            limits,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn threshold(&self, scope: Scope) -> u32 {
        match scope {
            Scope::Account => self.limits.account_failures,
            Scope::Address => self.limits.address_failures,
            Scope::Credentials => self.limits.credential_failures,
            Scope::Busy => u32::MAX,
        }
        .max(1)
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<(Scope, String), Entry>) -> T) -> T {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut map)
    }

    /// `Err` while the key is locked.
    pub fn check(&self, scope: Scope, key: &str, now: DateTime<Utc>) -> Result<(), Locked> {
        self.with(|map| match map.get_mut(&(scope, key.to_string())) {
            Some(e) if e.locked(now) => Err(Locked {
                scope,
                until: e.locked_until.unwrap_or(now),
                lockouts: e.lockouts,
            }),
            _ => Ok(()),
        })
    }

    /// Counts a failure; `Some` when it starts a lock.
    pub fn fail(&self, scope: Scope, key: &str, now: DateTime<Utc>) -> Option<Locked> {
        let threshold = self.threshold(scope);
        let limits = &self.limits;
        self.with(|map| {
            let k = (scope, key.to_string());
            if !map.contains_key(&k) {
                self.make_room(map, now);
            }
            let e = map.entry(k).or_insert_with(|| Entry::new(now));
            e.last_seen = now;
            if e.locked(now) {
                return None;
            }
            let lock_over = e.locked_until.is_some_and(|u| u <= now);
            if lock_over || now - e.window_start >= limits.failure_window {
                e.failures = 0;
                e.window_start = now;
                e.locked_until = None;
            }
            e.failures += 1;
            if e.failures < threshold {
                return None;
            }
            e.lockouts = e.lockouts.saturating_add(1);
            let doubling = 2i32.saturating_pow(e.lockouts.saturating_sub(1).min(30));
            let lock = limits
                .lockout
                .checked_mul(doubling)
                .unwrap_or(limits.max_lockout)
                .min(limits.max_lockout)
                .max(Duration::seconds(1));
            let until = now + lock;
            e.locked_until = Some(until);
            Some(Locked {
                scope,
                until,
                lockouts: e.lockouts,
            })
        })
    }

    /// A success: the key's failures and its backoff are forgotten.
    pub fn succeed(&self, scope: Scope, key: &str) {
        self.with(|map| map.remove(&(scope, key.to_string())));
    }

    /// Counts a refusal for the audit trail; `Some(n)` when it is time to write one row for
    /// the `n` refusals since the last.
    pub fn note_refusal(&self, scope: Scope, key: &str, now: DateTime<Utc>) -> Option<u32> {
        self.with(|map| {
            let k = (scope, key.to_string());
            if !map.contains_key(&k) {
                self.make_room(map, now);
            }
            let e = map.entry(k).or_insert_with(|| Entry::new(now));
            e.last_seen = now;
            e.refused_since_audit = e.refused_since_audit.saturating_add(1);
            let due = e
                .last_refusal_audit
                .is_none_or(|t| now - t >= Duration::seconds(REFUSAL_AUDIT_EVERY));
            if due {
                let n = e.refused_since_audit;
                e.refused_since_audit = 0;
                e.last_refusal_audit = Some(now);
                Some(n)
            } else {
                None
            }
        })
    }

    /// How many keys are tracked.
    pub fn len(&self) -> usize {
        self.with(|map| map.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Before a new key goes in at the limit: forget what is stale, and if that is not enough,
    /// the oldest quarter, unlocked keys first. Amortised, each insertion costs O(log n).
    fn make_room(&self, map: &mut HashMap<(Scope, String), Entry>, now: DateTime<Utc>) {
        let cap = self.limits.tracked_keys.max(4);
        if map.len() < cap {
            return;
        }
        let stale = forget_after(&self.limits);
        map.retain(|_, e| e.locked(now) || now - e.last_seen < stale);
        if map.len() < cap {
            return;
        }
        let mut order: Vec<((Scope, String), bool, DateTime<Utc>)> = map
            .iter()
            .map(|(k, e)| (k.clone(), e.locked(now), e.last_seen))
            .collect();
        order.sort_by_key(|(_, locked, seen)| (*locked, *seen));
        let drop = map.len() - cap * 3 / 4;
        for (k, _, _) in order.into_iter().take(drop) {
            map.remove(&k);
        }
    }
}

/// What guards the server: the failure counters and the password-hashing queue. One per
/// `AppState`; the imports' queue is the application's (`App::imports`).
pub struct Guard {
    pub throttle: Throttle,
    pub hashing: WorkQueue,
}

impl Guard {
    pub fn new(limits: &Limits) -> Self {
        Guard {
            throttle: Throttle::new(limits.clone()),
            hashing: WorkQueue::new(limits.hash_concurrency, limits.hash_queue, limits.hash_wait),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Refusals

/// A refusal to do the work now: 429 (too many failures) or 503 (too busy), with
/// `Retry-After`. As problem+json for the API, as a page for the UI.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub status: StatusCode,
    /// The problem's type, `urn:finishline:problem:<slug>`.
    pub slug: &'static str,
    pub title: &'static str,
    pub detail: String,
    /// Seconds until it is worth trying again.
    pub retry_after: u64,
    /// The queue, when the refusal is about one.
    pub queue: Option<Full>,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

/// "14 minutes", "2 hours", "30 seconds": rounded up, so the caller is never early.
pub fn how_long(seconds: u64) -> String {
    let plural = |n: u64, unit: &str| {
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    };
    if seconds < 60 {
        plural(seconds.max(1), "second")
    } else if seconds <= 90 * 60 {
        plural(seconds.div_ceil(60), "minute")
    } else {
        plural(seconds.div_ceil(3600), "hour")
    }
}

impl Refusal {
    /// Too many failures for this key.
    pub fn locked(lock: &Locked, now: DateTime<Utc>) -> Self {
        let retry_after = u64::try_from((lock.until - now).num_seconds())
            .unwrap_or(0)
            .max(1);
        let wait = how_long(retry_after);
        let detail = match lock.scope {
            Scope::Account => format!(
                "Too many failed sign-ins for this account: it is locked; try again in {wait}."
            ),
            Scope::Address | Scope::Busy => format!(
                "Too many failed sign-ins or links from your network address: try again in {wait}."
            ),
            Scope::Credentials => format!(
                "Too many requests with a token or session that is not valid from your network address: try again in {wait}. Sign in again or use a current API token."
            ),
        };
        Refusal {
            status: StatusCode::TOO_MANY_REQUESTS,
            slug: "too-many-attempts",
            title: "Too many attempts",
            detail,
            retry_after,
            queue: None,
        }
    }

    /// The password queue was full or too slow.
    pub fn hashing_busy(full: Full) -> Self {
        Refusal {
            status: StatusCode::SERVICE_UNAVAILABLE,
            slug: "busy",
            title: "Server busy",
            detail: "The server is busy checking other sign-ins: try again in a few seconds."
                .into(),
            retry_after: 5,
            queue: Some(full),
        }
    }

    /// As many whole-workspace exports as the server runs at once are running.
    pub fn exports_busy(running: usize) -> Self {
        Refusal {
            status: StatusCode::SERVICE_UNAVAILABLE,
            slug: "busy",
            title: "Server busy",
            detail: format!(
                "The server is writing {running} other exports, the most it runs at once: try again in a minute."
            ),
            retry_after: 60,
            queue: None,
        }
    }

    /// The import queue was full or too slow.
    pub fn imports_busy(full: Full) -> Self {
        let detail = if full.timed_out {
            format!(
                "The server is busy checking other files ({} running, {} waiting) and yours waited too long: try again in a minute.",
                full.running, full.waiting
            )
        } else {
            format!(
                "The server is busy checking other files ({} running and {} waiting, the most it queues): try again in a minute.",
                full.running, full.waiting
            )
        };
        Refusal {
            status: StatusCode::SERVICE_UNAVAILABLE,
            slug: "busy",
            title: "Server busy",
            detail,
            retry_after: 60,
            queue: Some(full),
        }
    }

    fn retry_after_header(&self) -> (header::HeaderName, HeaderValue) {
        (header::RETRY_AFTER, HeaderValue::from(self.retry_after))
    }

    /// Adds `Retry-After` to a page that shows the refusal in its own way.
    pub fn with_retry_after(&self, mut res: Response) -> Response {
        let (k, v) = self.retry_after_header();
        res.headers_mut().insert(k, v);
        *res.status_mut() = self.status;
        res
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut body = json!({
            "type": format!("urn:finishline:problem:{}", self.slug),
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
            "retry_after": self.retry_after,
        });
        if let Some(q) = self.queue {
            body["queue"] = json!({
                "running": q.running,
                "waiting": q.waiting,
                "queue_limit": q.queue_limit,
                // Where this request would have stood: behind everyone waiting.
                "position": q.waiting + 1,
            });
        }
        let (k, v) = self.retry_after_header();
        (
            self.status,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/problem+json"),
                ),
                (k, v),
            ],
            axum::Json(body),
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
            .single()
            .unwrap_or_default()
            + Duration::minutes(min)
    }

    #[test]
    fn five_failures_lock_an_account_and_each_further_lock_doubles() {
        let t = Throttle::new(Limits::default());
        for _ in 0..4 {
            assert_eq!(t.fail(Scope::Account, "a@x.test", at(0)), None);
        }
        let lock = t.fail(Scope::Account, "a@x.test", at(0));
        assert_eq!(lock.map(|l| l.until), Some(at(15)));
        assert!(t.check(Scope::Account, "a@x.test", at(14)).is_err());
        assert!(t.check(Scope::Account, "b@x.test", at(14)).is_ok());
        assert!(t.check(Scope::Address, "a@x.test", at(14)).is_ok());
        assert!(t.check(Scope::Account, "a@x.test", at(15)).is_ok());
        for _ in 0..4 {
            assert_eq!(t.fail(Scope::Account, "a@x.test", at(16)), None);
        }
        let again = t.fail(Scope::Account, "a@x.test", at(16));
        assert_eq!(again.map(|l| (l.until, l.lockouts)), Some((at(46), 2)));
        t.succeed(Scope::Account, "a@x.test");
        assert!(t.check(Scope::Account, "a@x.test", at(17)).is_ok());
    }

    #[test]
    fn failures_older_than_the_window_do_not_count() {
        let t = Throttle::new(Limits::default());
        for _ in 0..4 {
            t.fail(Scope::Account, "a@x.test", at(0));
        }
        assert_eq!(t.fail(Scope::Account, "a@x.test", at(16)), None);
    }

    #[test]
    fn locks_never_exceed_the_ceiling() {
        let t = Throttle::new(Limits {
            account_failures: 1,
            ..Limits::default()
        });
        let mut now = at(0);
        let mut locks = 0;
        for _ in 0..40 {
            if let Some(l) = t.fail(Scope::Account, "a@x.test", now) {
                assert!(l.until - now <= Duration::hours(4));
                locks += 1;
                now = l.until;
            }
        }
        assert_eq!(locks, 40);
    }

    #[test]
    fn the_map_stays_bounded_and_keeps_locked_keys() {
        let t = Throttle::new(Limits {
            tracked_keys: 100,
            account_failures: 1,
            ..Limits::default()
        });
        t.fail(Scope::Account, "locked@x.test", at(0));
        for i in 0..1000 {
            t.fail(
                Scope::Address,
                &format!("10.0.{}.{}", i / 256, i % 256),
                at(1),
            );
        }
        assert!(t.len() <= 100, "{}", t.len());
        assert!(t.check(Scope::Account, "locked@x.test", at(2)).is_err());
    }

    #[test]
    fn refusals_are_audited_once_a_minute_with_their_count() {
        let t = Throttle::new(Limits::default());
        assert_eq!(t.note_refusal(Scope::Account, "k", at(0)), Some(1));
        assert_eq!(t.note_refusal(Scope::Account, "k", at(0)), None);
        assert_eq!(t.note_refusal(Scope::Account, "k", at(0)), None);
        assert_eq!(t.note_refusal(Scope::Account, "k", at(1)), Some(3));
    }

    #[test]
    fn waits_are_said_rounded_up() {
        assert_eq!(how_long(1), "1 second");
        assert_eq!(how_long(59), "59 seconds");
        assert_eq!(how_long(60), "1 minute");
        assert_eq!(how_long(14 * 60 + 1), "15 minutes");
        assert_eq!(how_long(4 * 3600), "4 hours");
    }

    #[test]
    fn a_forwarded_address_counts_only_when_trusted() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("1.2.3.4, 198.51.100.9"),
        );
        let mut ext = Extensions::new();
        ext.insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 9))));
        let off = ClientAddress::of(&headers, &ext, &Limits::default());
        assert_eq!(off.to_string(), "127.0.0.1");
        let trusted = Limits {
            trust_proxy_headers: true,
            ..Limits::default()
        };
        let on = ClientAddress::of(&headers, &ext, &trusted);
        assert_eq!(on.to_string(), "198.51.100.9");
        let v6: IpAddr = "2001:db8:1:2:3:4:5:6"
            .parse()
            .unwrap_or(IpAddr::from([0; 4]));
        assert_eq!(ClientAddress(Some(v6)).key(), "2001:db8:1:2::/64");
    }
}
