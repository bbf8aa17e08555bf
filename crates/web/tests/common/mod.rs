//! Starts the real server on port 0 over a fresh database, with a clock the test controls.
#![allow(dead_code, clippy::unwrap_used)]

pub mod browser;
pub mod data_import;
pub mod web;

use std::sync::Arc;

use chrono::Utc;
use finishline_store::testing::{fresh_postgres, fresh_sqlite, TestDb};
use finishline_store::{credentials, Store, User, UserRole, Workspace};
use finishline_web::{AppState, Config, ManualClock};
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{json, Value};

pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub clock: ManualClock,
    /// The server's state, to look at its queues and counters.
    pub state: AppState,
    pub db: TestDb,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub enum Backend {
    Sqlite,
    Postgres,
}

/// The server, or `None` when PostgreSQL is wanted but absent and not required.
pub async fn spawn(backend: Backend, test: &str) -> Option<TestApp> {
    spawn_with(backend, test, |_| {}).await
}

/// The server with its configuration changed by `configure` (over the tests' defaults).
pub async fn spawn_with(
    backend: Backend,
    test: &str,
    configure: impl FnOnce(&mut Config),
) -> Option<TestApp> {
    let db = match backend {
        Backend::Sqlite => fresh_sqlite().await.unwrap(),
        Backend::Postgres => fresh_postgres(test).await?,
    };
    Some(spawn_on(db, configure).await)
}

/// The server over a database the test has prepared (filled, copied) before it starts.
pub async fn spawn_on(db: TestDb, configure: impl FnOnce(&mut Config)) -> TestApp {
    let clock = ManualClock::new(finishline_store::testing::start());
    let mut config = Config {
        max_upload_bytes: 64 * 1024,
        ..Config::default()
    };
    configure(&mut config);
    let state = AppState::new(db.store.clone())
        .with_clock(Arc::new(clock.clone()))
        .with_config(config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(finishline_web::serve(listener, state.clone(), async {
        let _ = rx.await;
    }));
    TestApp {
        base: format!("http://{addr}"),
        store: db.store.clone(),
        clock,
        state,
        db,
        shutdown: Some(tx),
    }
}

/// A member of a workspace, talking to the server with a bearer token.
pub struct MemberClient {
    pub http: Client,
    pub base: String,
    pub token: Option<String>,
    pub user: User,
    pub workspace: Workspace,
}

impl TestApp {
    /// A new workspace with an admin member signed in by token.
    pub async fn workspace(&self, name: &str, email: &str) -> MemberClient {
        let now = self.clock_now();
        let ws = self.store.create_workspace(name, now).await.unwrap();
        self.member(&ws, email, UserRole::Admin).await
    }

    pub async fn member(&self, ws: &Workspace, email: &str, role: UserRole) -> MemberClient {
        let now = self.clock_now();
        let hash = credentials::hash_password("a long test password").unwrap();
        let user = self
            .store
            .create_user(
                &ws.id,
                email,
                email.split('@').next().unwrap(),
                &hash,
                role,
                &finishline_store::By::new("tests", None, now),
            )
            .await
            .unwrap();
        let (_, secret) = self
            .store
            .create_api_token(
                &user,
                "tests",
                &finishline_store::By::new("tests", None, now),
            )
            .await
            .unwrap();
        MemberClient {
            http: Client::builder().cookie_store(true).build().unwrap(),
            base: self.base.clone(),
            token: Some(secret),
            user,
            workspace: ws.clone(),
        }
    }

    pub fn clock_now(&self) -> chrono::DateTime<Utc> {
        use finishline_web::Clock;
        self.clock.now()
    }

    pub fn anonymous(&self) -> reqwest::Client {
        Client::new()
    }
}

impl MemberClient {
    pub fn req(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let r = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        parse(self.req(Method::GET, path).send().await.unwrap()).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        parse(
            self.req(Method::POST, path)
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Runs a command that must succeed; returns the project view.
    pub async fn ok(&self, project: &str, cmd: Value) -> Value {
        let (s, v) = self
            .post(&format!("/api/v1/projects/{project}/commands"), cmd.clone())
            .await;
        assert_eq!(s, StatusCode::OK, "{cmd}\n→ {v:#}");
        v["view"].clone()
    }

    /// Runs a command that must be refused with `status`; returns the problem.
    pub async fn refused(&self, project: &str, cmd: Value, status: StatusCode) -> Value {
        let (s, v) = self
            .post(&format!("/api/v1/projects/{project}/commands"), cmd.clone())
            .await;
        assert_eq!(s, status, "{cmd}\n→ {v:#}");
        assert!(v["detail"].as_str().is_some_and(|d| !d.is_empty()), "{v:#}");
        v
    }

    pub async fn project(&self, id: &str) -> Value {
        let (s, v) = self.get(&format!("/api/v1/projects/{id}")).await;
        assert_eq!(s, StatusCode::OK, "{v:#}");
        v
    }
}

pub async fn parse(r: Response) -> (StatusCode, Value) {
    let status = r.status();
    let is_problem = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/problem+json"));
    let text = r.text().await.unwrap();
    if !status.is_success() {
        assert!(
            is_problem || status == StatusCode::SERVICE_UNAVAILABLE,
            "errors are problem+json: {status} {text}"
        );
        assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "no 500s: {text}");
    }
    let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, v)
}

/// The id of the task made from a playbook step.
pub fn task(view: &Value, step: &str) -> u64 {
    view["project"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["step_key"] == step)
        .unwrap_or_else(|| panic!("no task for step {step}"))["id"]
        .as_u64()
        .unwrap()
}

/// A task of a project view, whole, by its id.
pub fn task_json(view: &Value, id: u64) -> Value {
    view["project"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no task {id}"))
        .clone()
}

pub fn person(view: &Value, name: &str) -> u64 {
    view["project"]["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no person {name}"))["id"]
        .as_u64()
        .unwrap()
}

pub fn handoff(customer: &str) -> Value {
    json!({
        "customer": customer,
        "sold": "Dispatch module, 5 seats",
        "promises": [{"text": "Custom SAP connector", "class": "needs_custom_work"}],
        "champion": "Lee",
        "expected_timeline": "30 days",
        "segment": "smb",
        "contract_date": "2026-03-01",
        "owner": {"name": "Dana Reyes", "email": "dana@vendor.test"}
    })
}
