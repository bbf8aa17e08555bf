//! A change that is refused leaves no file behind: files are written before the command that
//! refers to them (a proof, an import's upload, report and exports, a data page's upload), and
//! removed again when the command does not go through.
#![allow(clippy::unwrap_used)]

mod common;

use common::data_import::{data_project, MESSY_CSV};
use common::web::{csrf_of, Web};
use common::{spawn, Backend, MemberClient, TestApp};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn file_count(app: &TestApp, m: &MemberClient, project: &str) -> usize {
    app.store
        .files(&m.workspace.id, project)
        .await
        .unwrap()
        .len()
}

async fn import(m: &MemberClient, project: &str, query: &str) -> (StatusCode, serde_json::Value) {
    let r = m
        .req(
            Method::POST,
            &format!("/api/v1/projects/{project}/imports?{query}"),
        )
        .header("content-type", "application/octet-stream")
        .body(MESSY_CSV.as_bytes().to_vec())
        .send()
        .await
        .unwrap();
    common::parse(r).await
}

#[tokio::test]
async fn refused_proofs_imports_and_uploads_leave_no_file() {
    let app = spawn(Backend::Sqlite, "no_orphan_files").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let dp = data_project(&m, "Haulers Ltd").await;
    let id = dp.id.clone();
    let map_file = m.project(&id).await["project"]["data_maps"][0]["file"]
        .as_str()
        .unwrap()
        .to_string();
    let before = file_count(&app, &m, &id).await;

    // A proof file for a task that does not exist: refused, and the file is gone again.
    let web = Web::new(&app);
    web.login("dana@vendor.test").await;
    let (_, page) = web.get(&format!("/projects/{id}")).await;
    let form = Form::new()
        .text("csrf", csrf_of(&page))
        .text("_form", "complete_task")
        .text("task", "999")
        .part(
            "proof_file",
            Part::bytes(b"signed off".to_vec()).file_name("signoff.txt"),
        );
    let r = web
        .http
        .post(format!("{}/projects/{id}/actions/complete_task", web.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    assert_eq!(file_count(&app, &m, &id).await, before, "the proof file");

    // An import for a data source the project does not have: refused after its five files
    // (upload, report, clean, rejected, lineage) were written; none remain.
    let (s, v) = import(
        &m,
        &id,
        &format!("name=accounts.csv&map={map_file}&source=99"),
    )
    .await;
    assert!(s.is_client_error(), "{s}: {v:#}");
    assert_eq!(
        file_count(&app, &m, &id).await,
        before,
        "the import's files"
    );
    let (s, v) = import(&m, &id, &format!("name=accounts.csv&map={map_file}")).await;
    assert_eq!(s, StatusCode::CREATED, "{v:#}");
    assert_eq!(
        file_count(&app, &m, &id).await,
        before + 5,
        "an accepted import keeps its five files"
    );

    // On a cancelled project the data page's upload is refused; its upload and report go too.
    m.ok(
        &id,
        json!({"action": "cancel", "reason": "the customer bought another tool"}),
    )
    .await;
    let before = file_count(&app, &m, &id).await;
    let csrf = web.csrf(&format!("/projects/{id}/data")).await;
    let r = web
        .upload(
            &format!("/projects/{id}/data/{}/upload", dp.map),
            &csrf,
            "accounts.csv",
            MESSY_CSV.as_bytes().to_vec(),
        )
        .await;
    assert!(r.status().is_client_error(), "{}", r.status());
    assert_eq!(file_count(&app, &m, &id).await, before, "the page's upload");
}
