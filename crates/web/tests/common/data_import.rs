//! A project set up for the data import pages: a light-touch plan whose "import" task is open,
//! a customer decision maker, and the demo's data map serving that task.

use reqwest::StatusCode;
use serde_json::json;

use super::web::{csrf_of, Web};
use super::{handoff, person, spawn, task, Backend, MemberClient, TestApp};

/// The demo's messy example: a bad email (row 3), an unknown country twice (rows 4 and 7), and a
/// near-duplicate company (row 6).
pub const MESSY_CSV: &str = include_str!("../../../cli/demo/policyholders.csv");
pub const MAP: &str = include_str!("../../../cli/demo/policyholders.map.json");

pub struct DataProject {
    pub id: String,
    pub map: u64,
    pub customer: u64,
    pub import_task: u64,
}

/// Uploads a file to the project through the API: its status and answer.
pub async fn upload(
    m: &MemberClient,
    project: &str,
    name: &str,
    body: &[u8],
) -> (StatusCode, serde_json::Value) {
    let r = m
        .req(
            reqwest::Method::POST,
            &format!("/api/v1/projects/{project}/files?name={name}"),
        )
        .header("content-type", "application/octet-stream")
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    super::parse(r).await
}

/// Uploads a file that must be accepted: its id.
pub async fn upload_file(m: &MemberClient, project: &str, name: &str, body: &[u8]) -> String {
    let (s, v) = upload(m, project, name, body).await;
    assert_eq!(s, StatusCode::CREATED, "{v:#}");
    v["id"].as_str().unwrap().to_string()
}

pub async fn data_project(m: &MemberClient, customer: &str) -> DataProject {
    let mut h = handoff(customer);
    h["playbook"] = json!("light-touch-30");
    let (s, v) = m.post("/api/v1/projects", h).await;
    assert_eq!(s, StatusCode::CREATED, "{v:#}");
    let id = v["project"]["id"].as_str().unwrap().to_string();
    let v = m
        .ok(&id, json!({"action": "add_person", "name": "Dee", "email": "dee@customer.test", "side": "customer", "role": "decision_maker"}))
        .await;
    let customer = person(&v, "Dee");
    // The import task opens once the sample and the setup are done.
    for step in ["sample-data", "setup"] {
        let t = task(&v, step);
        m.ok(&id, json!({"action": "complete_task", "task": t, "proof": {"kind": "note", "value": "done in the test"}}))
            .await;
    }
    let import_task = task(&v, "import");
    let file = upload_file(m, &id, "policyholders.map.json", MAP.as_bytes()).await;
    let v = m
        .ok(&id, json!({"action": "add_data_map", "name": "Policyholder accounts", "file": file, "task": import_task}))
        .await;
    let map = v["project"]["data_maps"][0]["id"].as_u64().unwrap();
    DataProject {
        id,
        map,
        customer,
        import_task,
    }
}

/// An invitation link's secret for a customer person (made in the store, as the page would).
pub async fn invitation(app: &TestApp, m: &MemberClient, project: &str, person: u64) -> String {
    let (_, secret) = app
        .store
        .create_invitation(
            &m.workspace.id,
            project,
            u32::try_from(person).unwrap(),
            "test",
            &finishline_store::By::new("tests", None, app.clock_now()),
            chrono::Duration::days(14),
        )
        .await
        .unwrap();
    secret
}

pub async fn join(app: &TestApp, secret: &str) -> Web {
    let customer = Web::new(app);
    let (s, page) = customer.get(&format!("/portal/join/{secret}")).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let r = customer
        .post(
            "/portal/join",
            &[("csrf", &csrf_of(&page)), ("token", secret)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    customer
}

/// A customer signed in to the portal of a new project with a data map (the demo's
/// policyholders map), with the page's CSRF token and the map's form base path.
pub struct PortalData {
    pub app: TestApp,
    pub m: MemberClient,
    pub dp: DataProject,
    pub customer: Web,
    pub csrf: String,
    pub base: String,
}

pub async fn portal_data(test: &str) -> PortalData {
    let app = spawn(Backend::Sqlite, test).await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let dp = data_project(&m, "Haulers Ltd").await;
    let customer = join(&app, &invitation(&app, &m, &dp.id, dp.customer).await).await;
    let csrf = customer.csrf("/portal/data").await;
    let base = format!("/portal/data/{}", dp.map);
    PortalData {
        app,
        m,
        dp,
        customer,
        csrf,
        base,
    }
}

/// Uploads a CSV file on the portal's data page; it is accepted and checked.
pub async fn portal_upload(customer: &Web, csrf: &str, base: &str, name: &str, csv: String) {
    let r = customer
        .upload(&format!("{base}/upload"), csrf, name, csv.into_bytes())
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}
