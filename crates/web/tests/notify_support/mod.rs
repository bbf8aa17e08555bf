//! The server with notifications wired to a real SMTP server on loopback, and the state the
//! tests drive the sweep with (the same `AppState` the server serves, with a `ManualClock`).
#![allow(dead_code, clippy::unwrap_used)]

pub mod smtp;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use finishline_app::notify::{NotifyConfig, SmtpUrl};
use finishline_store::testing::{fresh_postgres, fresh_sqlite, TestDb};
use finishline_store::{credentials, UserRole, Workspace};
use finishline_web::{AppState, Clock, Config, ManualClock};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

pub use smtp::SmtpSink;

pub struct NotifyApp {
    pub base: String,
    pub state: AppState,
    pub clock: ManualClock,
    pub db: TestDb,
    pub smtp: Option<SmtpSink>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for NotifyApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub enum Db {
    Sqlite,
    Postgres,
}

pub use finishline_store::testing::start;

/// The server over a fresh database; with `smtp`, mail goes to a sink on loopback.
pub async fn spawn(
    db: Db,
    test: &str,
    with_smtp: bool,
    allow_hosts: Vec<String>,
) -> Option<NotifyApp> {
    let db = match db {
        Db::Sqlite => fresh_sqlite().await.unwrap(),
        Db::Postgres => fresh_postgres(test).await?,
    };
    let smtp = if with_smtp {
        Some(SmtpSink::start().await)
    } else {
        None
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let clock = ManualClock::new(start());
    let config = Config {
        notify: NotifyConfig {
            smtp_url: smtp.as_ref().map(|s| SmtpUrl(s.url.clone())),
            public_url: format!("http://{addr}"),
            allow_hosts,
            ..NotifyConfig::default()
        },
        ..Config::default()
    };
    let state = AppState::new(db.store.clone())
        .with_clock(Arc::new(clock.clone()))
        .with_config(config);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(finishline_web::serve(listener, state.clone(), async {
        let _ = rx.await;
    }));
    Some(NotifyApp {
        base: format!("http://{addr}"),
        state,
        clock,
        db,
        smtp,
        shutdown: Some(tx),
    })
}

pub struct Member {
    pub http: Client,
    pub base: String,
    pub token: String,
    pub workspace: Workspace,
}

impl NotifyApp {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn smtp(&self) -> &SmtpSink {
        self.smtp.as_ref().unwrap()
    }

    /// One pass of the sweep, as the server runs it every minute.
    pub async fn sweep(&self) -> finishline_app::notify::SweepReport {
        finishline_app::notify::sweep_once(&self.state.app, None)
            .await
            .unwrap()
    }

    /// Sets the clock to `day` days after the start, at `hour` UTC.
    pub fn at(&self, day: i64, hour: u32) {
        let t = start().date_naive() + chrono::Duration::days(day);
        self.clock.set(t.and_hms_opt(hour, 0, 0).unwrap().and_utc());
    }

    /// The `Cookie` header of a portal session for a customer person of a project, started as
    /// redeeming their invitation starts it.
    pub async fn portal_cookie(&self, workspace: &str, project: &str, person: u32) -> String {
        let store = &self.state.app.store;
        let now = self.now();
        let (_, invite) = store
            .create_invitation(
                workspace,
                project,
                person,
                "test",
                &finishline_store::By::new("tests", None, now),
                chrono::Duration::days(7),
            )
            .await
            .unwrap();
        let (_, secret) = store
            .redeem_invitation(&invite, now, chrono::Duration::days(7))
            .await
            .unwrap()
            .unwrap();
        format!("{}={secret}", finishline_web::ui::session::PORTAL_COOKIE)
    }

    pub async fn admin(&self, name: &str, email: &str) -> Member {
        let store = &self.state.app.store;
        let ws = store.create_workspace(name, self.now()).await.unwrap();
        let hash = credentials::hash_password("a long test password").unwrap();
        let user = store
            .create_user(
                &ws.id,
                email,
                "Dana Reyes",
                &hash,
                UserRole::Admin,
                &finishline_store::By::new("tests", None, self.now()),
            )
            .await
            .unwrap();
        let (_, token) = store
            .create_api_token(
                &user,
                "tests",
                &finishline_store::By::new("tests", None, self.now()),
            )
            .await
            .unwrap();
        Member {
            http: Client::new(),
            base: self.base.clone(),
            token,
            workspace: ws,
        }
    }
}

impl Member {
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let r = r.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{text}");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::PUT, path, Some(body)).await
    }

    pub async fn ok(&self, project: &str, cmd: Value) -> Value {
        let (s, v) = self
            .post(&format!("/api/v1/projects/{project}/commands"), cmd.clone())
            .await;
        assert_eq!(s, StatusCode::OK, "{cmd}\n-> {v:#}");
        v["view"].clone()
    }

    /// A project with a customer owner (Casey), an executive sponsor (Sam) and `tasks` customer
    /// tasks owned by Casey, each due on the given date. Returns (project id, task ids).
    pub async fn project_with_customer_tasks(
        &self,
        customer: &str,
        tasks: &[(&str, &str)],
    ) -> (String, Vec<u64>) {
        let (s, v) = self
            .post(
                "/api/v1/projects",
                json!({
                    "customer": customer,
                    "sold": "Dispatch module, 5 seats",
                    "contract_date": "2026-03-01",
                    "segment": "smb",
                    "owner": {"name": "Dana Reyes", "email": "dana@vendor.test"}
                }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v:#}");
        let id = v["project"]["id"].as_str().unwrap().to_string();
        let slug = customer.to_lowercase().replace(' ', "");
        self.ok(&id, json!({"action": "add_person", "name": "Casey", "email": format!("casey@{slug}.test"), "side": "customer", "role": "customer_owner"})).await;
        let v = self.ok(&id, json!({"action": "add_person", "name": "Sam", "email": format!("sam@{slug}.test"), "side": "customer", "role": "executive_sponsor"})).await;
        let casey = v["project"]["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "Casey")
            .unwrap()["id"]
            .as_u64()
            .unwrap();
        let mut ids = Vec::new();
        for (title, due) in tasks {
            let v = self
                .ok(&id, json!({"action": "add_task", "title": title, "phase": "Data", "label": "customer_task", "owner": casey, "due": due, "needs_proof": true}))
                .await;
            let t = v["project"]["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["title"] == *title)
                .unwrap();
            assert_eq!(t["ball"], "customer", "{t:#}");
            ids.push(t["id"].as_u64().unwrap());
        }
        (id, ids)
    }

    pub async fn task(&self, project: &str, task: u64) -> Value {
        let (_, v) = self.get(&format!("/api/v1/projects/{project}")).await;
        v["project"]["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == task)
            .unwrap()
            .clone()
    }
}
