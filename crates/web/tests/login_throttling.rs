//! Untrusted input never hurts the server: sign-ins are throttled per account and per client
//! address (an unknown email exactly like a known one), links and credentials per address,
//! every outcome is in the audit trail, and imports take turns in a bounded queue.
//!
//! The lock's expiry is reached by moving the server's clock, never by sleeping.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use chrono::Duration;
use common::data_import::{data_project, invitation, MESSY_CSV};
use common::web::{csrf_of, Web};
use common::{spawn, spawn_with, Backend, TestApp};
use finishline_store::AuditEvent;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "a long test password";

async fn api_login(app: &TestApp, email: &str, password: &str) -> (StatusCode, Option<u64>, Value) {
    let r = app
        .anonymous()
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap();
    let retry = r
        .headers()
        .get(RETRY_AFTER)
        .map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
    let (s, v) = common::parse(r).await;
    (s, retry, v)
}

async fn events(app: &TestApp, ws: Option<&str>) -> Vec<AuditEvent> {
    match ws {
        Some(ws) => app.store.audit_events(ws, 500).await.unwrap(),
        None => app.store.audit_events_without_workspace(500).await.unwrap(),
    }
}

fn count(events: &[AuditEvent], kind: &str) -> usize {
    events.iter().filter(|e| e.kind == kind).count()
}

async fn a_locked_account_refuses_even_the_right_password_until_the_lock_expires(
    backend: Backend,
    test: &str,
) {
    let Some(app) = spawn(backend, test).await else {
        return;
    };
    let dana = app.workspace("Vendor A", "dana@vendor.test").await;
    let lee = app
        .member(
            &dana.workspace,
            "lee@vendor.test",
            finishline_store::UserRole::Member,
        )
        .await;
    let ws = dana.workspace.id.clone();

    // A right password first: signed in, and audited.
    let (s, _, v) = api_login(&app, "dana@vendor.test", PASSWORD).await;
    assert_eq!(s, StatusCode::OK, "{v:#}");

    // Four wrong passwords are wrong; the fifth locks the account.
    for _ in 0..5 {
        let (s, retry, v) = api_login(&app, "dana@vendor.test", "not the password").await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v:#}");
        assert_eq!(retry, None);
    }
    let (s, retry, v) = api_login(&app, "dana@vendor.test", PASSWORD).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{v:#}");
    assert_eq!(retry, Some(15 * 60));
    assert_eq!(v["type"], "urn:finishline:problem:too-many-attempts");
    assert_eq!(v["retry_after"], 15 * 60);
    let detail = v["detail"].as_str().unwrap();
    assert!(detail.contains("try again in 15 minutes"), "{detail}");

    // Another account is unaffected, from the same address.
    let (s, _, v) = api_login(&app, &lee.user.email, PASSWORD).await;
    assert_eq!(s, StatusCode::OK, "{v:#}");

    // The lock says how long is left as the clock moves.
    app.clock.advance(Duration::seconds(60));
    let (s, retry, v) = api_login(&app, "DANA@vendor.test ", PASSWORD).await;
    assert_eq!(
        s,
        StatusCode::TOO_MANY_REQUESTS,
        "the email is one account in any case: {v:#}"
    );
    assert_eq!(retry, Some(14 * 60));
    assert!(
        v["detail"]
            .as_str()
            .unwrap()
            .contains("try again in 14 minutes"),
        "{v:#}"
    );

    // Once the lock is over, the right password works again.
    app.clock.advance(Duration::minutes(14));
    let (s, _, v) = api_login(&app, "dana@vendor.test", PASSWORD).await;
    assert_eq!(s, StatusCode::OK, "{v:#}");

    // The audit trail of the workspace has each outcome.
    let trail = events(&app, Some(&ws)).await;
    assert_eq!(count(&trail, "sign_in.succeeded"), 3, "{trail:#?}");
    assert_eq!(count(&trail, "sign_in.failed"), 5, "{trail:#?}");
    assert_eq!(count(&trail, "lockout.started"), 1, "{trail:#?}");
    let lock = trail.iter().find(|e| e.kind == "lockout.started").unwrap();
    assert_eq!(lock.detail["scope"], "account");
    assert_eq!(lock.detail["seconds"], 15 * 60);
    assert_eq!(lock.actor, "dana@vendor.test");
    assert_eq!(lock.client_address.as_deref(), Some("127.0.0.1"));
    let failed = trail.iter().find(|e| e.kind == "sign_in.failed").unwrap();
    assert!(
        !failed.detail.to_string().contains("not the password"),
        "no password in the trail"
    );
    // The throttled requests have no workspace (nothing is looked up while locked).
    let anonymous = events(&app, None).await;
    let throttled: Vec<_> = anonymous
        .iter()
        .filter(|e| e.kind == "request.throttled")
        .collect();
    // One row per key and minute: the two refusals were a minute apart.
    assert_eq!(throttled.len(), 2, "{anonymous:#?}");
    assert!(throttled
        .iter()
        .all(|e| e.detail["scope"] == "account" && e.detail["refused"] == 1));
}

#[tokio::test]
async fn sqlite_a_locked_account_refuses_even_the_right_password_until_the_lock_expires() {
    a_locked_account_refuses_even_the_right_password_until_the_lock_expires(
        Backend::Sqlite,
        "lockout_sqlite",
    )
    .await;
}

#[tokio::test]
async fn postgres_a_locked_account_refuses_even_the_right_password_until_the_lock_expires() {
    a_locked_account_refuses_even_the_right_password_until_the_lock_expires(
        Backend::Postgres,
        "postgres_a_locked_account_refuses_even_the_right_password",
    )
    .await;
}

#[tokio::test]
async fn an_unknown_email_is_answered_exactly_like_a_known_one() {
    let app = spawn(Backend::Sqlite, "unknown_email").await.unwrap();
    app.workspace("Vendor A", "dana@vendor.test").await;
    let mut answers = Vec::new();
    for email in ["dana@vendor.test", "nobody@vendor.test"] {
        let mut seen = Vec::new();
        for _ in 0..6 {
            let (s, retry, v) = api_login(&app, email, "not the password").await;
            seen.push((s, retry, v["detail"].clone(), v["type"].clone()));
        }
        answers.push(seen);
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0][4].0, StatusCode::FORBIDDEN);
    assert_eq!(answers[0][5].0, StatusCode::TOO_MANY_REQUESTS);

    let anonymous = events(&app, None).await;
    assert_eq!(count(&anonymous, "sign_in.failed"), 5, "{anonymous:#?}");
    let lock = anonymous
        .iter()
        .find(|e| e.kind == "lockout.started")
        .unwrap();
    assert_eq!(lock.actor, "nobody@vendor.test");
    assert_eq!(lock.workspace_id, None);
}

#[tokio::test]
async fn the_sign_in_page_says_how_long_an_account_is_locked() {
    let app = spawn(Backend::Sqlite, "login_page_lockout").await.unwrap();
    app.workspace("Vendor A", "dana@vendor.test").await;
    let web = Web::new(&app);
    let csrf = web.csrf("/login").await;
    let post = |password: &'static str| {
        let csrf = csrf.clone();
        let web = &web;
        async move {
            web.post(
                "/login",
                &[
                    ("csrf", csrf.as_str()),
                    ("email", "dana@vendor.test"),
                    ("password", password),
                    ("next", "/"),
                ],
            )
            .await
        }
    };
    for _ in 0..5 {
        let r = post("not the password").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = post(PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()[RETRY_AFTER], "900");
    assert!(r.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let page = r.text().await.unwrap();
    assert!(page.contains("try again in 15 minutes"), "{page}");
    assert!(
        page.contains("name=\"password\""),
        "the form is shown again: {page}"
    );

    app.clock.advance(Duration::minutes(15));
    let r = post(PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn one_address_guessing_many_accounts_is_locked_out() {
    let app = spawn_with(Backend::Sqlite, "address_lockout", |c| {
        c.limits.address_failures = 6;
    })
    .await
    .unwrap();
    let dana = app.workspace("Vendor A", "dana@vendor.test").await;
    for i in 0..6 {
        let (s, _, v) = api_login(&app, &format!("guess{i}@vendor.test"), "x").await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v:#}");
    }
    // Now even a right password from this address waits.
    let (s, retry, v) = api_login(&app, &dana.user.email, PASSWORD).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{v:#}");
    assert_eq!(retry, Some(15 * 60));
    assert!(
        v["detail"].as_str().unwrap().contains("network address"),
        "{v:#}"
    );
    let anonymous = events(&app, None).await;
    assert!(
        anonymous
            .iter()
            .any(|e| e.kind == "lockout.started" && e.detail["scope"] == "address"),
        "{anonymous:#?}"
    );
}

#[tokio::test]
async fn bearer_tokens_and_session_cookies_that_match_nothing_are_throttled_per_address() {
    let app = spawn_with(Backend::Sqlite, "credential_lockout", |c| {
        c.limits.credential_failures = 3;
    })
    .await
    .unwrap();
    let dana = app.workspace("Vendor A", "dana@vendor.test").await;
    let http = app.anonymous();
    let me = format!("{}/api/v1/me", app.base);
    for _ in 0..3 {
        let r = http
            .get(&me)
            .bearer_auth("fl_tok_guess")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = http
        .get(&me)
        .bearer_auth("fl_tok_guess")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key(RETRY_AFTER));
    let (_, v) = common::parse(r).await;
    assert!(
        v["detail"].as_str().unwrap().contains("try again in"),
        "{v:#}"
    );
    // A session cookie from the address is refused too, on a page as a page.
    let r = http
        .get(format!("{}/", app.base))
        .header("cookie", "fl_session=fl_ses_guess")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    // Without credentials nothing is guessed: the answer stays 401.
    let r = http.get(&me).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // Password sign-in is counted apart: a script with a dead token does not lock the office
    // out of the sign-in page.
    let (s, _, v) = api_login(&app, &dana.user.email, PASSWORD).await;
    assert_eq!(s, StatusCode::OK, "{v:#}");

    app.clock.advance(Duration::minutes(15));
    let (s, v) = dana.get("/api/v1/me").await;
    assert_eq!(s, StatusCode::OK, "{v:#}");
    let anonymous = events(&app, None).await;
    assert!(
        anonymous
            .iter()
            .any(|e| e.kind == "lockout.started" && e.detail["scope"] == "credentials"),
        "{anonymous:#?}"
    );
}

#[tokio::test]
async fn invitation_and_email_links_that_do_not_work_are_throttled_per_address() {
    let app = spawn_with(Backend::Sqlite, "link_lockout", |c| {
        c.limits.address_failures = 3;
    })
    .await
    .unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let p = data_project(&m, "Haulers Ltd").await;
    let secret = invitation(&app, &m, &p.id, p.customer).await;
    let guesser = Web::new(&app);
    let (s, _) = guesser.get("/portal/join/not-a-real-link").await;
    assert_eq!(s, StatusCode::GONE);
    let (s, _) = guesser.get("/api/v1/act/forged.token").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = guesser.get("/api/v1/unsubscribe/forged.token").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Locked now: even the real link waits, with a page that says so.
    let r = guesser.get_raw(&format!("/portal/join/{secret}")).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()[RETRY_AFTER], "900");
    let page = r.text().await.unwrap();
    assert!(page.contains("try again in 15 minutes"), "{page}");
    let r = guesser.get_raw("/api/v1/act/forged.token").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let (_, v) = common::parse(r).await;
    assert_eq!(v["type"], "urn:finishline:problem:too-many-attempts");

    // After the lock, the real link opens the portal, and the sign-in is audited.
    app.clock.advance(Duration::minutes(15));
    let (s, page) = guesser.get(&format!("/portal/join/{secret}")).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let r = guesser
        .post(
            "/portal/join",
            &[("csrf", &csrf_of(&page)), ("token", &secret)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let trail = events(&app, Some(&m.workspace.id)).await;
    assert_eq!(count(&trail, "portal.joined"), 1, "{trail:#?}");
    let anonymous = events(&app, None).await;
    assert_eq!(count(&anonymous, "link.refused"), 3, "{anonymous:#?}");
    assert_eq!(count(&anonymous, "lockout.started"), 1, "{anonymous:#?}");
}

/// Checks an upload through the API: the status, `Retry-After` and the answer.
async fn api_import(
    m: &common::MemberClient,
    project: &str,
    map_file: &str,
) -> (StatusCode, Option<String>, Value) {
    let r = m
        .req(
            reqwest::Method::POST,
            &format!("/api/v1/projects/{project}/imports?name=people.csv&map={map_file}"),
        )
        .header("content-type", "application/octet-stream")
        .body(MESSY_CSV.as_bytes().to_vec())
        .send()
        .await
        .unwrap();
    let retry = r
        .headers()
        .get(RETRY_AFTER)
        .map(|v| v.to_str().unwrap().to_string());
    let (s, v) = common::parse(r).await;
    (s, retry, v)
}

#[tokio::test]
async fn imports_beyond_the_running_and_queued_limit_are_refused_with_their_position() {
    let app = spawn_with(Backend::Sqlite, "import_queue", |c| {
        c.limits.import_concurrency = 1;
        c.limits.import_queue = 1;
    })
    .await
    .unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let p = data_project(&m, "Haulers Ltd").await;
    let map_file = m.project(&p.id).await["project"]["data_maps"][0]["file"]
        .as_str()
        .unwrap()
        .to_string();

    // Another check holds the only slot.
    let held = app.state.app.imports.enter(|_| {}).await.unwrap();
    assert_eq!(app.state.app.imports.running(), 1);

    // The next one waits in the queue…
    let waiting = {
        let m = common::MemberClient {
            http: reqwest::Client::new(),
            base: m.base.clone(),
            token: m.token.clone(),
            user: m.user.clone(),
            workspace: m.workspace.clone(),
        };
        let (id, map_file) = (p.id.clone(), map_file.clone());
        tokio::spawn(async move { api_import(&m, &id, &map_file).await })
    };
    while app.state.app.imports.waiting() < 1 {
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }

    // …and one more is refused: 503, Retry-After, where it stood and the limit.
    let (s, retry, v) = api_import(&m, &p.id, &map_file).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{v:#}");
    assert_eq!(retry.as_deref(), Some("60"));
    assert_eq!(v["type"], "urn:finishline:problem:busy");
    assert_eq!(v["queue"]["running"], 1, "{v:#}");
    assert_eq!(v["queue"]["waiting"], 1, "{v:#}");
    assert_eq!(v["queue"]["queue_limit"], 1, "{v:#}");
    assert_eq!(v["queue"]["position"], 2, "{v:#}");
    assert!(
        v["detail"]
            .as_str()
            .unwrap()
            .contains("try again in a minute"),
        "{v:#}"
    );

    // The data page says the same on its own form, and keeps nothing.
    let web = Web::new(&app);
    web.login(&m.user.email).await;
    let path = format!("/projects/{}/data", p.id);
    let csrf = web.csrf(&path).await;
    let r = web
        .upload(
            &format!("{path}/{}/upload", p.map),
            &csrf,
            "people.csv",
            MESSY_CSV.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers()[RETRY_AFTER], "60");
    let page = r.text().await.unwrap();
    assert!(page.contains("busy checking other files"), "{page}");
    assert!(page.contains("try again in a minute"), "{page}");
    let v = m.project(&p.id).await;
    assert!(v["project"]["data_maps"][0]["draft"].is_null(), "{v:#}");

    // When the slot is free, the queued import runs.
    drop(held);
    let (s, _, v) = waiting.await.unwrap();
    assert_eq!(s, StatusCode::CREATED, "{v:#}");
    let (s, _, v) = api_import(&m, &p.id, &map_file).await;
    assert_eq!(s, StatusCode::CREATED, "{v:#}");
    assert_eq!(app.state.app.imports.running(), 0);
}

#[tokio::test]
async fn sign_ins_beyond_the_hashing_queue_are_refused_as_busy() {
    let app = spawn_with(Backend::Sqlite, "hash_queue", |c| {
        c.limits.hash_concurrency = 1;
        c.limits.hash_queue = 0;
    })
    .await
    .unwrap();
    app.workspace("Vendor A", "dana@vendor.test").await;
    let held = app.state.guard.hashing.enter(|_| {}).await.unwrap();
    let (s, retry, v) = api_login(&app, "dana@vendor.test", PASSWORD).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{v:#}");
    assert_eq!(retry, Some(5));
    assert_eq!(v["type"], "urn:finishline:problem:busy");
    drop(held);
    let (s, _, v) = api_login(&app, "dana@vendor.test", PASSWORD).await;
    assert_eq!(s, StatusCode::OK, "{v:#}");
    let anonymous = events(&app, None).await;
    assert!(
        anonymous
            .iter()
            .any(|e| e.kind == "request.throttled" && e.detail["reason"] == "busy"),
        "{anonymous:#?}"
    );
}
