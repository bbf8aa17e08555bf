//! Single sign-on against a real OpenID provider: PyPI's `oidc-provider-mock`, started here on a
//! free port (a real authorization server: discovery, JWKS, RS256-signed ID tokens, PKCE, nonce).
//! Without it every test prints a loud SKIP, unless FINISHLINE_REQUIRE_OIDC=1 (CI), which makes
//! a missing provider a failure.
//!
//! How each refusal is produced, for real:
//! - wrong audience and expired token: the provider merges a user's own claims into the ID token
//!   after its standard ones (authlib's `generate_id_token`), so a user whose claims hold
//!   `"aud": "another-app"` or an `"exp"` in 2001 gets a token signed by the provider saying so;
//! - bad signature: a proxy in front of the provider (which then names itself by the proxy's
//!   address) changes the email inside the ID token on its way back from the token endpoint;
//!   the provider's signature no longer matches, as with any token altered in transit;
//! - replayed state: the same callback URL opened a second time;
//! - a domain not allowed: the provider vouches for an email of another domain.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use base64::Engine as _;
use common::web::Web;
use finishline_store::testing::{fresh_postgres, fresh_sqlite, TestDb};
use finishline_store::{By, Store, UserRole};
use finishline_web::{AppState, Config, ManualClock};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// The provider

const PROVIDER: &str = r#"
import os, sys
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
import oidc_provider_mock
with oidc_provider_mock.run_server_in_thread(port=0, require_nonce=True) as server:
    print(server.server_port, flush=True)
    sys.stdin.read()
"#;

/// The provider process; stopped (stdin closed, then killed) when dropped.
struct Provider {
    child: Child,
    base: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn required() -> bool {
    std::env::var("FINISHLINE_REQUIRE_OIDC").is_ok_and(|v| v == "1")
}

/// Starts the provider, or says loudly why not (a failure when it is required).
fn provider(test: &str) -> Option<Provider> {
    let spawned = Command::new("python3")
        .args(["-c", PROVIDER])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => return skip(test, &format!("python3 did not start: {e}")),
    };
    let mut line = String::new();
    let read = BufReader::new(child.stdout.take().unwrap()).read_line(&mut line);
    match (read, line.trim().parse::<u16>()) {
        (Ok(_), Ok(port)) => Some(Provider {
            child,
            base: format!("http://localhost:{port}"),
        }),
        _ => {
            let _ = child.kill();
            let _ = child.wait();
            skip(
                test,
                "oidc-provider-mock is not installed (python3 -m pip install 'oidc-provider-mock==0.*')",
            )
        }
    }
}

fn skip<T>(test: &str, why: &str) -> Option<T> {
    assert!(!required(), "{test}: {why}, and FINISHLINE_REQUIRE_OIDC=1");
    eprintln!("SKIP {test}: {why}");
    None
}

impl Provider {
    /// The claims the provider will put in this user's ID token.
    async fn user(&self, sub: &str, claims: Value) {
        let r = reqwest::Client::new()
            .put(format!("{}/users/{sub}", self.base))
            .json(&claims)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT, "{sub}");
    }
}

// ---------------------------------------------------------------------------------------------
// The server, its public URL its own address (the redirect URI the provider sends back to)

struct SsoApp {
    base: String,
    store: Store,
    _db: TestDb,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for SsoApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

async fn serve(db: TestDb) -> SsoApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut config = Config::default();
    config.notify.public_url = base.clone();
    let clock = ManualClock::new(finishline_store::testing::start());
    let state = AppState::new(db.store.clone())
        .with_clock(Arc::new(clock))
        .with_config(config);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(finishline_web::serve(listener, state, async {
        let _ = rx.await;
    }));
    SsoApp {
        base,
        store: db.store.clone(),
        _db: db,
        shutdown: Some(tx),
    }
}

const PASSWORD: &str = "a long test password";
const SECRET: &str = "the-client-secret-0123456789";

/// A workspace with an admin (password and API token) and SSO pointing at `issuer`.
struct Workspace {
    id: String,
    admin_token: String,
}

async fn workspace(app: &SsoApp, name: &str, admin: &str) -> Workspace {
    let now = finishline_store::testing::start();
    let by = By::new("tests", None, now);
    let ws = app.store.create_workspace(name, now).await.unwrap();
    let hash = finishline_store::credentials::hash_password(PASSWORD).unwrap();
    let user = app
        .store
        .create_user(&ws.id, admin, "Admin", &hash, UserRole::Admin, &by)
        .await
        .unwrap();
    let (_, token) = app
        .store
        .create_api_token(&user, "tests", &by)
        .await
        .unwrap();
    Workspace {
        id: ws.id,
        admin_token: token,
    }
}

async fn api(
    app: &SsoApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut r = reqwest::Client::new()
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await.unwrap();
    let s = r.status();
    let text = r.text().await.unwrap();
    (
        s,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn settings(issuer: &str) -> Value {
    json!({
        "enabled": true,
        "issuer": issuer,
        "client_id": "finishline-tests",
        "client_secret": SECRET,
        "allowed_domains": ["example.com"],
        "new_member_role": "member",
        "require_sso": false,
    })
}

async fn set_up(app: &SsoApp, ws: &Workspace, body: Value) {
    let (s, v) = api(
        app,
        &ws.admin_token,
        Method::PUT,
        "/api/v1/settings/sso",
        Some(body),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v:#}");
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// "Sign in with SSO" with `typed` as the email, and `sub` chosen at the provider. Returns the
/// callback URL the provider sent the browser to, and the server's answer to it.
async fn sign_in(
    web: &Web,
    provider_base: &str,
    typed: &str,
    sub: &str,
) -> (String, reqwest::Response) {
    let csrf = web.csrf("/login/sso").await;
    let r = web
        .post(
            "/login/sso",
            &[("csrf", &csrf), ("email", typed), ("next", "/projects")],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let authorize = location(&r);
    assert!(authorize.starts_with(provider_base), "{authorize}");
    for part in [
        "code_challenge_method=S256",
        "nonce=",
        "state=",
        "scope=openid",
    ] {
        assert!(authorize.contains(part), "{part} missing in {authorize}");
    }
    // At the provider: its form posts the subject back to the same address.
    let r = web
        .http
        .post(&authorize)
        .form(&[("sub", sub)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND, "{}", r.text().await.unwrap());
    let callback = location(&r);
    assert!(
        callback.starts_with(&format!("{}/login/sso/callback?", web.base)),
        "{callback}"
    );
    let answer = web.http.get(&callback).send().await.unwrap();
    (callback, answer)
}

async fn me(web: &Web) -> (StatusCode, Value) {
    let r = web.get_raw("/api/v1/me").await;
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn refused(answer: reqwest::Response, words: &str) {
    assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    let page = answer.text().await.unwrap();
    assert!(page.contains(words), "expected {words:?} in {page}");
}

async fn trail(app: &SsoApp, ws: &Workspace, kind: &str) -> Vec<Value> {
    let (s, v) = api(
        app,
        &ws.admin_token,
        Method::GET,
        &format!("/api/v1/audit?kind={kind}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v:#}");
    v.as_array().cloned().unwrap_or_default()
}

fn web_for(app: &SsoApp) -> Web {
    Web {
        http: reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        base: app.base.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// The whole flow

async fn first_sign_in_creates_the_member_and_a_replayed_state_is_refused(db: TestDb, test: &str) {
    let Some(idp) = provider(test) else { return };
    let app = serve(db).await;
    let ws = workspace(&app, "Acme", "admin@example.com").await;
    set_up(&app, &ws, settings(&idp.base)).await;
    idp.user(
        "ana@example.com",
        json!({"email": "ana@example.com", "email_verified": true, "name": "Ana Diaz"}),
    )
    .await;

    let web = web_for(&app);
    let (callback, answer) = sign_in(&web, &idp.base, "ana@example.com", "ana@example.com").await;
    assert_eq!(
        answer.status(),
        StatusCode::SEE_OTHER,
        "{}",
        answer.text().await.unwrap()
    );
    assert_eq!(location(&answer), "/projects");
    let (s, who) = me(&web).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(who["email"], "ana@example.com");
    assert_eq!(who["name"], "Ana Diaz");
    assert_eq!(who["role"], "member");
    assert_eq!(who["workspace_id"], ws.id.as_str());

    // The same callback again from the same browser: its state cookie was cleared on the way
    // in, so the callback is no longer this browser's.
    let again_here = web.http.get(&callback).send().await.unwrap();
    refused(again_here, "started in another browser").await;
    // The request replayed as it was first sent, state cookie and all: the state works once.
    let state = url::Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(&callback)
        .header("cookie", format!("fl_sso={state}"))
        .send()
        .await
        .unwrap();
    refused(replay, "already used").await;

    // Signing in again finds the member; nobody is created twice.
    let again = web_for(&app);
    let (_, answer) = sign_in(&again, &idp.base, "ana@example.com", "ana@example.com").await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let members = app.store.users(&ws.id).await.unwrap();
    assert_eq!(
        members
            .iter()
            .filter(|u| u.email == "ana@example.com")
            .count(),
        1
    );

    let added = trail(&app, &ws, "member.added").await;
    assert!(
        added
            .iter()
            .any(|e| e["detail"]["email"] == "ana@example.com" && e["detail"]["via"] == "sso"),
        "{added:#?}"
    );
    let signed_in = trail(&app, &ws, "sign_in.succeeded").await;
    let sso: Vec<_> = signed_in
        .iter()
        .filter(|e| e["detail"]["method"] == "sso")
        .collect();
    assert_eq!(sso.len(), 2, "{signed_in:#?}");
    assert_eq!(sso[1]["detail"]["joined"], true);
    assert_eq!(sso[0]["detail"]["joined"], false);
    // The replay is recorded (no workspace is known from a used state: the operator's trail).
    let unowned = app.store.audit_events_without_workspace(10).await.unwrap();
    assert!(
        unowned
            .iter()
            .any(|e| e.detail["reason"] == "state unknown or used"),
        "{unowned:#?}"
    );
}

#[tokio::test]
async fn first_sign_in_creates_the_member_and_a_replayed_state_is_refused_on_sqlite() {
    first_sign_in_creates_the_member_and_a_replayed_state_is_refused(
        fresh_sqlite().await.unwrap(),
        "sso_sqlite",
    )
    .await;
}

#[tokio::test]
async fn first_sign_in_creates_the_member_and_a_replayed_state_is_refused_on_postgres() {
    let Some(db) = fresh_postgres("sso_flow").await else {
        return;
    };
    first_sign_in_creates_the_member_and_a_replayed_state_is_refused(db, "sso_postgres").await;
}

/// Signs in as `sub` (with `claims` at the provider) and expects a refusal saying `words`,
/// recorded with `reason`, and no session.
async fn refusal(test: &str, sub: &str, claims: Value, words: &str, reason: &str) {
    let Some(idp) = provider(test) else { return };
    let app = serve(fresh_sqlite().await.unwrap()).await;
    let ws = workspace(&app, "Acme", "admin@example.com").await;
    set_up(&app, &ws, settings(&idp.base)).await;
    idp.user(sub, claims).await;
    let web = web_for(&app);
    let (_, answer) = sign_in(&web, &idp.base, "someone@example.com", sub).await;
    refused(answer, words).await;
    assert_eq!(me(&web).await.0, StatusCode::UNAUTHORIZED);
    let failed = trail(&app, &ws, "sign_in.failed").await;
    assert!(
        failed
            .iter()
            .any(|e| e["detail"]["method"] == "sso" && e["detail"]["reason"] == reason),
        "{failed:#?}"
    );
}

#[tokio::test]
async fn an_id_token_for_another_application_is_refused() {
    let claims = json!({"email": "aud@example.com", "aud": "another-app"});
    refusal(
        "sso_wrong_audience",
        "aud@example.com",
        claims,
        "issued for another application",
        "wrong audience",
    )
    .await;
}

#[tokio::test]
async fn an_expired_id_token_is_refused() {
    let claims = json!({"email": "old@example.com", "exp": 1_000_000_000, "iat": 999_999_000});
    refusal(
        "sso_expired",
        "old@example.com",
        claims,
        "has expired",
        "expired token",
    )
    .await;
}

#[tokio::test]
async fn a_person_whose_domain_is_not_allowed_is_refused() {
    // The email typed finds the workspace; the provider vouches for another domain's account.
    let claims = json!({"email": "eve@elsewhere.org", "email_verified": true});
    refusal(
        "sso_domain",
        "eve@elsewhere.org",
        claims,
        "people from elsewhere.org do not join",
        "domain not allowed",
    )
    .await;
}

#[tokio::test]
async fn an_email_of_no_sso_workspace_is_told_so_before_any_provider() {
    let Some(idp) = provider("sso_no_workspace") else {
        return;
    };
    let app = serve(fresh_sqlite().await.unwrap()).await;
    let ws = workspace(&app, "Acme", "admin@example.com").await;
    set_up(&app, &ws, settings(&idp.base)).await;
    let web = web_for(&app);
    let csrf = web.csrf("/login/sso").await;
    let r = web
        .post(
            "/login/sso",
            &[
                ("csrf", &csrf),
                ("email", "eve@elsewhere.org"),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("No single sign-on is set up for eve@elsewhere.org"));
}

// ---------------------------------------------------------------------------------------------
// Bad signature: a token changed on its way back

/// Forwards everything to the provider with the Host it was asked for (so the provider names
/// itself by the proxy's address), but rewrites the email inside every ID token it passes.
async fn tampering_proxy(provider: String) -> String {
    use axum::body::Body;
    use axum::extract::Request;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let app = axum::Router::new().fallback(move |req: Request| {
        let client = client.clone();
        let provider = provider.clone();
        async move {
            let (parts, body) = req.into_parts();
            let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
            let path = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default();
            let mut headers = parts.headers.clone();
            headers.remove("content-length");
            let r = client
                .request(parts.method.clone(), format!("{provider}{path}"))
                .headers(headers)
                .body(body.to_vec())
                .send()
                .await
                .unwrap();
            let status = r.status();
            let headers = r.headers().clone();
            let mut bytes = r.bytes().await.unwrap().to_vec();
            if parts.uri.path() == "/oauth2/token" && status.is_success() {
                let mut answer: Value = serde_json::from_slice(&bytes).unwrap();
                let token = answer["id_token"].as_str().unwrap().to_string();
                answer["id_token"] = Value::String(rewrite_email(&token, "mallory@example.com"));
                bytes = serde_json::to_vec(&answer).unwrap();
            }
            let mut res = axum::response::Response::new(Body::from(bytes));
            *res.status_mut() = status;
            for (k, v) in &headers {
                if k != "content-length" && k != "transfer-encoding" {
                    res.headers_mut().append(k, v.clone());
                }
            }
            res
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

fn rewrite_email(jwt: &str, email: &str) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut claims: Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
    claims["email"] = Value::String(email.into());
    let payload = b64.encode(serde_json::to_vec(&claims).unwrap());
    format!("{}.{payload}.{}", parts[0], parts[2])
}

#[tokio::test]
async fn an_id_token_changed_in_transit_fails_its_signature() {
    let Some(idp) = provider("sso_bad_signature") else {
        return;
    };
    let proxy = tampering_proxy(idp.base.clone()).await;
    let app = serve(fresh_sqlite().await.unwrap()).await;
    let ws = workspace(&app, "Acme", "admin@example.com").await;
    set_up(&app, &ws, settings(&proxy)).await;
    idp.user("bob@example.com", json!({"email": "bob@example.com"}))
        .await;
    let web = web_for(&app);
    let (_, answer) = sign_in(&web, &proxy, "bob@example.com", "bob@example.com").await;
    refused(answer, "signature does not match").await;
    assert_eq!(me(&web).await.0, StatusCode::UNAUTHORIZED);
    assert!(app
        .store
        .user_by_email("mallory@example.com")
        .await
        .unwrap()
        .is_none());
    let failed = trail(&app, &ws, "sign_in.failed").await;
    assert!(
        failed
            .iter()
            .any(|e| e["detail"]["reason"] == "bad signature"),
        "{failed:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Require SSO, the settings API, a provider that is down

#[tokio::test]
async fn require_sso_refuses_passwords_but_the_break_glass_admins_and_keeps_api_tokens() {
    let Some(idp) = provider("sso_require") else {
        return;
    };
    let app = serve(fresh_sqlite().await.unwrap()).await;
    let ws = workspace(&app, "Acme", "admin@example.com").await;
    let now = finishline_store::testing::start();
    let hash = finishline_store::credentials::hash_password(PASSWORD).unwrap();
    let by = By::new("tests", None, now);
    let member = app
        .store
        .create_user(
            &ws.id,
            "kim@example.com",
            "Kim",
            &hash,
            UserRole::Member,
            &by,
        )
        .await
        .unwrap();
    let (_, kim_token) = app
        .store
        .create_api_token(&member, "sync", &by)
        .await
        .unwrap();
    let kim = web_for(&app);
    kim.login("kim@example.com").await;

    let mut body = settings(&idp.base);
    body["require_sso"] = json!(true);
    let (s, v) = api(
        &app,
        &ws.admin_token,
        Method::PUT,
        "/api/v1/settings/sso",
        Some(body.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v:#}");
    assert_eq!(v["errors"][0]["field"], "break_glass_email");
    body["break_glass_email"] = json!("kim@example.com");
    let (s, v) = api(
        &app,
        &ws.admin_token,
        Method::PUT,
        "/api/v1/settings/sso",
        Some(body.clone()),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a member is no break-glass admin: {v:#}"
    );
    body["break_glass_email"] = json!("Admin@Example.com");
    set_up(&app, &ws, body).await;

    // Kim's password session ended when SSO became required; the password no longer works.
    assert_eq!(me(&kim).await.0, StatusCode::UNAUTHORIZED);
    let login = |email: &str| {
        reqwest::Client::new()
            .post(format!("{}/api/v1/auth/login", app.base))
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
    };
    let r = login("kim@example.com").await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("single sign-on"));
    let r = login("admin@example.com").await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "the break-glass admin keeps the password"
    );
    // API tokens are for machines, created and revoked by admins: they keep working.
    let (s, _) = api(&app, &kim_token, Method::GET, "/api/v1/me", None).await;
    assert_eq!(s, StatusCode::OK);

    let failed = trail(&app, &ws, "sign_in.failed").await;
    assert!(
        failed
            .iter()
            .any(|e| e["detail"]["reason"] == "sso required"),
        "{failed:#?}"
    );
    let changed = trail(&app, &ws, "settings.sso_changed").await;
    assert_eq!(changed[0]["detail"]["require_sso"], true);
    assert_eq!(changed[0]["detail"]["sessions_ended"], 1);
}

#[tokio::test]
async fn the_secret_is_write_only_and_a_domain_belongs_to_one_workspace() {
    let app = serve(fresh_sqlite().await.unwrap()).await;
    let ws = workspace(&app, "Acme", "admin@example.com").await;
    let (s, _) = api(
        &app,
        &ws.admin_token,
        Method::GET,
        "/api/v1/settings/sso",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let mut body = settings("https://accounts.google.com");
    body["client_secret"] = Value::Null;
    let (s, v) = api(
        &app,
        &ws.admin_token,
        Method::PUT,
        "/api/v1/settings/sso",
        Some(body.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v:#}");
    assert_eq!(v["errors"][0]["field"], "client_secret");
    set_up(&app, &ws, settings("https://accounts.google.com")).await;
    // A change without the secret keeps it.
    set_up(&app, &ws, body).await;
    let (s, v) = api(
        &app,
        &ws.admin_token,
        Method::GET,
        "/api/v1/settings/sso",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["client_secret_set"], true);
    assert_eq!(
        v["redirect_uri"],
        format!("{}/login/sso/callback", app.base)
    );
    let stored = app.store.sso_settings(&ws.id).await.unwrap().unwrap();
    assert_eq!(stored.client_secret, SECRET);
    let (_, everything) = api(&app, &ws.admin_token, Method::GET, "/api/v1/audit", None).await;
    assert!(
        !everything.to_string().contains(SECRET),
        "the secret is never in the trail"
    );
    assert!(!v.to_string().contains(SECRET));

    let other = workspace(&app, "Rival", "admin@rival.example").await;
    let (s, v) = api(
        &app,
        &other.admin_token,
        Method::PUT,
        "/api/v1/settings/sso",
        Some(settings("https://rival.okta.com")),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v:#}");
    assert!(v["detail"]
        .as_str()
        .unwrap()
        .contains("example.com belongs to another workspace"));

    let mut plain = settings("http://idp.example.com");
    plain["allowed_domains"] = json!(["not a domain"]);
    let (s, v) = api(
        &app,
        &ws.admin_token,
        Method::PUT,
        "/api/v1/settings/sso",
        Some(plain),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<_> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].clone())
        .collect();
    assert_eq!(fields, [json!("issuer"), json!("allowed_domains")]);

    let now = finishline_store::testing::start();
    let hash = finishline_store::credentials::hash_password(PASSWORD).unwrap();
    let by = By::new("tests", None, now);
    let member = app
        .store
        .create_user(
            &ws.id,
            "kim@example.com",
            "Kim",
            &hash,
            UserRole::Member,
            &by,
        )
        .await
        .unwrap();
    let (_, kim) = app.store.create_api_token(&member, "t", &by).await.unwrap();
    let (s, _) = api(&app, &kim, Method::GET, "/api/v1/settings/sso", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_provider_that_is_down_gets_a_clear_page_not_a_500() {
    let app = serve(fresh_sqlite().await.unwrap()).await;
    let ws = workspace(&app, "Acme", "admin@example.com").await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let issuer = format!("http://127.0.0.1:{}", closed.local_addr().unwrap().port());
    drop(closed);
    set_up(&app, &ws, settings(&issuer)).await;
    let web = web_for(&app);
    let csrf = web.csrf("/login/sso").await;
    let r = web
        .post(
            "/login/sso",
            &[("csrf", &csrf), ("email", "ana@example.com"), ("next", "/")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
    let page = r.text().await.unwrap();
    assert!(page.contains("is not answering"), "{page}");
    assert!(page.contains(&issuer), "{page}");
}

#[tokio::test]
async fn a_provider_that_redirects_its_discovery_is_not_followed() {
    // A local server whose every answer is a redirect elsewhere.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let redirecting = axum::Router::new().fallback(|| async {
        axum::response::Redirect::temporary("http://169.254.169.254/latest/meta-data")
    });
    tokio::spawn(async move { axum::serve(listener, redirecting).await });
    let app = serve(fresh_sqlite().await.unwrap()).await;
    let ws = workspace(&app, "Acme", "admin@example.com").await;
    set_up(&app, &ws, settings(&issuer)).await;
    let web = web_for(&app);
    let csrf = web.csrf("/login/sso").await;
    let r = web
        .post(
            "/login/sso",
            &[("csrf", &csrf), ("email", "ana@example.com"), ("next", "/")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
    assert!(r.text().await.unwrap().contains("which is not followed"));
}

#[tokio::test]
async fn the_settings_page_sets_up_sso_and_the_login_page_offers_it() {
    let app = serve(fresh_sqlite().await.unwrap()).await;
    let _ws = workspace(&app, "Acme", "admin@example.com").await;
    let web = web_for(&app);
    let (s, login) = web.get("/login").await;
    assert_eq!(s, StatusCode::OK);
    assert!(login.contains("href=\"/login/sso\""), "{login}");
    web.login("admin@example.com").await;
    let csrf = web.csrf("/settings").await;
    let r = web
        .post(
            "/settings/sso",
            &[
                ("csrf", &csrf),
                ("_form", "sso"),
                ("enabled", "on"),
                ("issuer", "https://example.okta.com"),
                ("client_id", "0oa1"),
                ("client_secret", SECRET),
                ("allowed_domains", "example.com, example.org"),
                ("new_member_role", "member"),
                ("break_glass_email", ""),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let (_, page) = web.get("/settings").await;
    assert!(page.contains("https://example.okta.com"));
    assert!(page.contains("example.com, example.org"));
    assert!(!page.contains(SECRET), "the secret is never shown");
    let r = web
        .post(
            "/settings/sso",
            &[
                ("csrf", &csrf),
                ("_form", "sso"),
                ("issuer", "ftp://x"),
                ("client_id", ""),
                ("new_member_role", "member"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("must start with https://"));
}
