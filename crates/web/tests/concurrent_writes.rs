//! Many writers on one project: every command is applied exactly once and none is answered 409
//! (`service::run_command` retries a conflicting save with growing, jittered waits).
#![allow(clippy::unwrap_used)]

mod common;

use common::{handoff, spawn, Backend};
use reqwest::StatusCode;
use serde_json::json;

const WRITERS: usize = 8;
const COMMANDS_EACH: usize = 12;

async fn eight_writers_on_one_project(backend: Backend, name: &str) {
    let Some(app) = spawn(backend, name).await else {
        eprintln!("SKIP {name}: no PostgreSQL (set FINISHLINE_TEST_POSTGRES_URL)");
        return;
    };
    let m = std::sync::Arc::new(app.workspace("Vendor A", "dana@vendor.test").await);
    let (s, v) = m.post("/api/v1/projects", handoff("Haulers Ltd")).await;
    assert_eq!(s, StatusCode::CREATED);
    let id = v["project"]["id"].as_str().unwrap().to_string();
    let before = v["version"].as_i64().unwrap();

    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (m, id) = (m.clone(), id.clone());
        writers.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for c in 0..COMMANDS_EACH {
                let (s, v) = m
                    .post(
                        &format!("/api/v1/projects/{id}/commands"),
                        json!({"action": "add_risk", "text": format!("risk {w}-{c}")}),
                    )
                    .await;
                statuses.push((s, v["detail"].clone()));
            }
            statuses
        }));
    }
    let mut refused = Vec::new();
    for w in writers {
        for (s, detail) in w.await.unwrap() {
            if s != StatusCode::OK {
                refused.push((s, detail));
            }
        }
    }
    assert!(
        refused.is_empty(),
        "every command went through: {refused:?}"
    );

    // Each command applied once: one risk and one activity each, and one version each.
    let view = m.project(&id).await;
    let mut texts: Vec<String> = view["project"]["risks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap().to_string())
        .collect();
    texts.sort();
    let mut expected: Vec<String> = (0..WRITERS)
        .flat_map(|w| (0..COMMANDS_EACH).map(move |c| format!("risk {w}-{c}")))
        .collect();
    expected.sort();
    assert_eq!(texts, expected);
    let (_, log) = m.get(&format!("/api/v1/projects/{id}/activity")).await;
    let added = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "risk.added")
        .count();
    assert_eq!(added, WRITERS * COMMANDS_EACH, "one activity per command");
    assert_eq!(
        view["version"].as_i64().unwrap() - before,
        i64::try_from(WRITERS * COMMANDS_EACH).unwrap(),
        "one save per command"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_writers_on_one_project_sqlite() {
    eight_writers_on_one_project(Backend::Sqlite, "concurrent_sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_writers_on_one_project_postgres() {
    eight_writers_on_one_project(Backend::Postgres, "concurrent_postgres").await;
}
