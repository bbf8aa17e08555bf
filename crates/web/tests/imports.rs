//! Customer data in the project: an upload checked against the project's data map, the run
//! recorded, its report and clean export kept, the run used as proof (R5) and read by G2.
#![allow(clippy::unwrap_used)]

mod common;

use common::data_import::upload;
use common::{handoff, spawn, Backend, MemberClient};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const MAP: &str = r#"{
  "fields": [
    {"name": "account_name", "sourceNames": ["Account Name"], "type": "string",
     "constraints": {"required": true}, "normalize": "company"},
    {"name": "contact_email", "sourceNames": ["Contact Email"], "type": "string",
     "constraints": {"required": true, "pattern": "[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}"}, "normalize": "email"},
    {"name": "status", "sourceNames": ["Status"], "type": "string",
     "constraints": {"required": true, "enum": ["Active", "Trial"]}}
  ],
  "duplicateKeys": [["account_name"]]
}"#;

async fn import(m: &MemberClient, project: &str, query: &str, body: &[u8]) -> (StatusCode, Value) {
    let r = m
        .req(
            Method::POST,
            &format!("/api/v1/projects/{project}/imports?{query}"),
        )
        .header("content-type", "text/csv")
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    common::parse(r).await
}

#[tokio::test]
async fn an_upload_is_checked_recorded_and_used_as_proof() {
    let app = spawn(Backend::Sqlite, "imports").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let (_, v) = m.post("/api/v1/projects", handoff("Haulers Ltd")).await;
    let id = v["project"]["id"].as_str().unwrap().to_string();
    let (s, map) = upload(&m, &id, "accounts.map.json", MAP.as_bytes()).await;
    assert_eq!(s, StatusCode::CREATED);
    let map = map["id"].as_str().unwrap().to_string();

    // A messy export: a bad email, an unknown status, a near-duplicate company, a formula.
    let messy = "Account Name,Contact Email,Status\nAcme Inc.,ops@acme.test,Active\nACME,billing@acme,Actve\n=HYPERLINK(\"x\"),x@y.test,Trial\n";
    let (s, r) = import(
        &m,
        &id,
        &format!("name=accounts.csv&map={map}"),
        messy.as_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r:#}");
    assert_eq!(r["rows"], 3);
    assert!(r["errors"].as_u64().unwrap() >= 2, "{r:#}");
    let rules: Vec<&str> = r["by_rule"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["rule"].as_str().unwrap())
        .collect();
    assert!(rules.len() >= 2, "{rules:?}");
    // G2 reads the latest run: not clean yet.
    let view = m.project(&id).await;
    let data = view["gates"]["go_live"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "data")
        .unwrap()
        .clone();
    assert_eq!(data["ok"], false, "{data:#}");

    // The clean export neutralises formulas; the report is kept.
    let (s, clean) = m
        .get(&format!(
            "/api/v1/projects/{id}/files/{}",
            r["clean"]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(s, StatusCode::OK);
    let clean = clean.as_str().unwrap_or_default().to_string();
    assert!(!clean.lines().any(|l| l.starts_with('=')), "{clean}");
    let (s, report) = m
        .get(&format!(
            "/api/v1/projects/{id}/files/{}",
            r["report"]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(report["file"], "accounts.csv");

    // The corrected file is clean, and its run completes the import task (R5).
    let fixed = "Account Name,Contact Email,Status\nAcme Inc.,ops@acme.test,Active\nBeta Freight,billing@beta.test,Trial\n";
    let (s, r) = import(
        &m,
        &id,
        &format!("name=accounts-fixed.csv&map={map}"),
        fixed.as_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r:#}");
    assert_eq!(
        (r["errors"].as_u64(), r["reviews"].as_u64()),
        (Some(0), Some(0)),
        "{r:#}"
    );
    let run = r["run"]["id"].to_string();
    let view = m.project(&id).await;
    let data = view["gates"]["go_live"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "data")
        .unwrap()
        .clone();
    assert_eq!(data["ok"], true, "{data:#}");
    // Any open task will do to show the proof is accepted; the import task waits on others.
    let task = view["project"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["status"]["state"] == "open" || t["status"] == "open")
        .unwrap()["id"]
        .clone();
    let v = m.ok(&id, json!({"action": "complete_task", "task": task, "proof": {"kind": "import_run", "value": run}})).await;
    assert!(
        v["project"]["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == task && t["status"]["proof"]["kind"] == "import_run"),
        "{:#}",
        v["project"]["tasks"]
    );
    m.refused(&id, json!({"action": "complete_task", "task": task, "proof": {"kind": "import_run", "value": "999"}}), StatusCode::UNPROCESSABLE_ENTITY).await;
}

#[tokio::test]
async fn bad_maps_and_files_are_refused_clearly() {
    let app = spawn(Backend::Sqlite, "imports_bad").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let (_, v) = m.post("/api/v1/projects", handoff("Haulers Ltd")).await;
    let id = v["project"]["id"].as_str().unwrap().to_string();
    let (_, v) = m.post("/api/v1/projects", handoff("Other Co")).await;
    let other = v["project"]["id"].as_str().unwrap().to_string();
    let (_, bad_map) = upload(
        &m,
        &id,
        "bad.map.json",
        br#"{"fields": [{"name": "x", "type": "strnig"}]}"#,
    )
    .await;
    let (_, other_map) = upload(&m, &other, "map.json", MAP.as_bytes()).await;
    let csv = b"Account Name\nAcme\n";

    let (s, p) = import(
        &m,
        &id,
        &format!("name=a.csv&map={}", bad_map["id"].as_str().unwrap()),
        csv,
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a map that does not read is a bad value"
    );
    assert_eq!(p["errors"][0]["field"], "map");
    assert!(p["detail"].as_str().unwrap().contains("type"), "{p:#}");
    let (s, p) = import(
        &m,
        &id,
        &format!("name=a.csv&map={}", other_map["id"].as_str().unwrap()),
        csv,
    )
    .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "a map of another project is not this project's: {p:#}"
    );
    let (s, _) = import(&m, &id, "name=a.exe&map=x", csv).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = import(&m, &id, "name=a.csv", csv).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "the map is required");
    let (_, map) = upload(&m, &id, "map.json", MAP.as_bytes()).await;
    let map = map["id"].as_str().unwrap();
    let (s, p) = import(
        &m,
        &id,
        &format!("name=a.xlsx&map={map}"),
        b"not a zip file",
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{p:#}");
    assert!(
        !p["detail"].as_str().unwrap().contains("/tmp"),
        "no server paths: {p:#}"
    );
    let (s, _) = import(&m, &id, &format!("name=a.csv&map={map}"), b"").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // Nothing was recorded by any of these.
    assert!(m.project(&id).await["project"]["imports"]
        .as_array()
        .unwrap()
        .is_empty());
    // A file proof must name a file of this project.
    let v = m.project(&id).await;
    let task = v["project"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["status"] == "open" || t["status"]["state"] == "open")
        .unwrap()["id"]
        .clone();
    let p = m.refused(&id, json!({"action": "complete_task", "task": task, "proof": {"kind": "file", "value": other_map["id"]}}), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["field"], "proof.value");
}
