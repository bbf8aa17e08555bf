//! The live process map and the process-mining exports, on the demo workspace: the map shows
//! the demo's UAT and realign loops; the OCEL export passes the OCEL 2.0 JSON schema kept in
//! `fixtures/`, and both exports load in pm4py, whose directly-follows graph of the XES export
//! has the map's stage edges. Python's jsonschema and pm4py are checked through
//! `fixtures/process_mining_check.py`; without them the test says SKIP loudly and passes, unless
//! `FINISHLINE_REQUIRE_PM4PY=1` (set by `.ci/run`), where it fails.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use common::{spawn, Backend, MemberClient, TestApp};
use finishline::demo;
use finishline_store::UserRole;
use reqwest::{Method, StatusCode};
use serde_json::Value;

const SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/ocel20-schema-json.json"
);
const CHECK: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/process_mining_check.py"
);

/// The demo workspace with an admin and a plain member signed in by token.
async fn demo_app() -> (TestApp, MemberClient, MemberClient) {
    let app = spawn(Backend::Sqlite, "process_map").await.unwrap();
    let login = demo::seed(&app.store, app.clock_now()).await.unwrap();
    let ws = app
        .store
        .workspace(&login.workspace_id)
        .await
        .unwrap()
        .unwrap();
    let admin = app.member(&ws, "analyst@demo.test", UserRole::Admin).await;
    let member = app.member(&ws, "member@demo.test", UserRole::Member).await;
    (app, admin, member)
}

async fn text(client: &MemberClient, path: &str) -> (StatusCode, String) {
    let r = client.req(Method::GET, path).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

fn edges(map: &Value) -> Vec<&Value> {
    map["edges"].as_array().unwrap().iter().collect()
}

#[tokio::test]
async fn the_demo_map_shows_its_uat_and_realign_loops() {
    let (app, _, member) = demo_app().await;
    let (s, map) = member.get("/api/v1/analytics/process-map").await;
    assert_eq!(s, StatusCode::OK, "{map}");
    let projects = app.store.projects(&member.workspace.id).await.unwrap();
    assert_eq!(map["projects"].as_u64().unwrap() as usize, projects.len());

    let uat = edges(&map)
        .into_iter()
        .find(|e| e["from"] == "uat" && e["to"] == "configuration")
        .expect("the demo's failed UAT sends a project back to configuration");
    assert_eq!(uat["loop_kind"], "uat_rework");
    assert_eq!(uat["back"], true);
    let realign = edges(&map)
        .into_iter()
        .find(|e| e["loop_kind"] == "sales_realign")
        .expect("the demo's realign-with-sales loop");
    assert_eq!(realign["to"], "handoff");

    // Every open project is in exactly one node's "now" list, the one of its stage; complete
    // and cancelled are counted, not listed (their list would grow with the workspace).
    let mut now: BTreeMap<String, String> = BTreeMap::new();
    let mut counted: BTreeMap<String, u64> = BTreeMap::new();
    for n in map["nodes"].as_array().unwrap() {
        let here = n["now"].as_array().unwrap();
        let stage = n["stage"].as_str().unwrap().to_string();
        counted.insert(stage.clone(), n["in_stage_now"].as_u64().unwrap());
        if stage == "complete" || stage == "cancelled" {
            assert!(here.is_empty(), "{stage} lists nobody");
        } else {
            assert_eq!(here.len() as u64, counted[&stage], "{stage}");
        }
        for p in here {
            now.insert(p["project_id"].as_str().unwrap().into(), stage.clone());
        }
        let days: Vec<f64> = here
            .iter()
            .map(|p| p["days_here"].as_f64().unwrap())
            .collect();
        assert!(
            days.windows(2).all(|w| w[0] >= w[1]),
            "longest waiting first: {days:?}"
        );
    }
    let mut by_stage: BTreeMap<String, u64> = BTreeMap::new();
    for (p, _) in &projects {
        let stage = serde_json::to_value(p.stage).unwrap();
        *by_stage.entry(stage.as_str().unwrap().into()).or_default() += 1;
        if p.stage.is_closed() {
            assert!(!now.contains_key(&p.id), "{} is closed, not listed", p.name);
        } else {
            assert_eq!(
                now.get(&p.id).map(String::as_str),
                stage.as_str(),
                "{}",
                p.name
            );
        }
    }
    for (stage, n) in &by_stage {
        assert_eq!(counted.get(stage), Some(n), "projects in {stage} now");
    }
    assert!(
        by_stage.contains_key("complete"),
        "the demo has a complete project, so the closed count is checked"
    );

    // The page is for members: without a session it is the sign-in page's.
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/analytics/process", app.base))
        .send()
        .await
        .unwrap();
    assert_ne!(
        r.status(),
        StatusCode::OK,
        "signed out, the map is not shown"
    );
    assert!(!r.text().await.unwrap().contains("edge loop"));

    // The page draws both loops and names them.
    let (s, page) = page_as_demo_admin(&app, "/analytics/process").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("class=\"edge loop\""),
        "loops drawn as back-edges"
    );
    assert!(
        page.contains("UAT rework") && page.contains("realign with sales"),
        "{page}"
    );
}

/// Signs in through the login form as the demo's admin and reads `path`.
async fn page_as_demo_admin(app: &TestApp, path: &str) -> (StatusCode, String) {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = client
        .get(format!("{}/login", app.base))
        .send()
        .await
        .unwrap();
    let body = login.text().await.unwrap();
    let at = body.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = body[at..].split('"').next().unwrap().to_string();
    let r = client
        .post(format!("{}/login", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", demo::DEMO_EMAIL),
            ("password", demo::DEMO_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn a_bad_filter_is_a_400_naming_the_parameter() {
    let (_app, _, member) = demo_app().await;
    let (s, body) = member
        .get("/api/v1/analytics/process-map?from=yesterday")
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("from"), "{body}");
    let (s, map) = member
        .get("/api/v1/analytics/process-map?segment=enterprise&from=2000-01-01")
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        map["projects"].as_u64().unwrap() >= 1,
        "the demo has enterprise deals: {map}"
    );
}

#[tokio::test]
async fn exports_are_for_admins_of_the_workspace_only() {
    let (app, admin, member) = demo_app().await;
    let (s, _) = text(&member, "/api/v1/export/ocel").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = text(&member, "/api/v1/export/xes").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let r = app
        .anonymous()
        .get(format!("{}/api/v1/export/ocel", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // Another workspace's admin exports its own (empty) workspace, nothing of the demo's.
    let other = app.workspace("Other vendor", "admin@other.test").await;
    let (s, ocel) = text(&other, "/api/v1/export/ocel").await;
    assert_eq!(s, StatusCode::OK);
    let ocel: Value = serde_json::from_str(&ocel).unwrap();
    assert_eq!(ocel["events"].as_array().unwrap().len(), 0);
    assert_eq!(ocel["objects"].as_array().unwrap().len(), 0);
    let (_, map) = other.get("/api/v1/analytics/process-map").await;
    assert_eq!(map["projects"], 0);
    let (s, xes) = text(&admin, "/api/v1/export/xes").await;
    assert_eq!(s, StatusCode::OK);
    let (_, other_xes) = text(&other, "/api/v1/export/xes").await;
    assert!(xes.contains("<trace>") && !other_xes.contains("<trace>"));
}

/// Every relationship names an object of the export, every event's type is declared, and ids
/// are unique: what the schema cannot say about references.
fn check_references(ocel: &Value) {
    let objects = ocel["objects"].as_array().unwrap();
    let ids: BTreeSet<&str> = objects.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), objects.len(), "object ids are unique");
    let types: BTreeSet<&str> = ocel["eventTypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let events = ocel["events"].as_array().unwrap();
    let event_ids: BTreeSet<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(event_ids.len(), events.len(), "event ids are unique");
    let object_types: BTreeSet<&str> = ocel["objectTypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        object_types,
        BTreeSet::from(["project", "task", "person", "change request", "import run"])
    );
    for o in objects {
        assert!(object_types.contains(o["type"].as_str().unwrap()));
        for r in o["relationships"].as_array().into_iter().flatten() {
            let to = r["objectId"].as_str().unwrap();
            assert!(
                ids.contains(to),
                "object {} relates to unknown {to}",
                o["id"]
            );
        }
    }
    for e in events {
        assert!(types.contains(e["type"].as_str().unwrap()), "{e}");
        let rels = e["relationships"].as_array().unwrap();
        assert!(rels.iter().any(|r| r["qualifier"] == "project"), "{e}");
        for r in rels {
            let to = r["objectId"].as_str().unwrap();
            assert!(
                ids.contains(to),
                "event {} relates to unknown {to}",
                e["id"]
            );
        }
    }
}

/// Runs the Python check; `None` when a module is missing and that is allowed (said loudly).
fn python(args: &[&str]) -> Option<Value> {
    let required = std::env::var("FINISHLINE_REQUIRE_PM4PY").is_ok_and(|v| v == "1");
    let out = match Command::new("python3").arg(CHECK).args(args).output() {
        Ok(out) => out,
        Err(e) => {
            assert!(
                !required,
                "FINISHLINE_REQUIRE_PM4PY=1 but python3 cannot run: {e}"
            );
            eprintln!(
                "SKIP: python3 cannot run ({e}); the OCEL schema and pm4py checks did not run"
            );
            return None;
        }
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(3) {
        assert!(!required, "FINISHLINE_REQUIRE_PM4PY=1 but {stderr}");
        eprintln!("SKIP: {stderr}: install with `python3 -m pip install 'pm4py==2.*' jsonschema`");
        return None;
    }
    assert!(out.status.success(), "{args:?} failed: {stderr}");
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

#[tokio::test]
async fn the_exports_pass_the_ocel_schema_and_pm4py_finds_the_maps_stage_edges() {
    let (_app, admin, _) = demo_app().await;
    let (s, ocel_text) = text(&admin, "/api/v1/export/ocel").await;
    assert_eq!(s, StatusCode::OK);
    let ocel: Value = serde_json::from_str(&ocel_text).unwrap();
    check_references(&ocel);
    let (s, xes_text) = text(&admin, "/api/v1/export/xes").await;
    assert_eq!(s, StatusCode::OK);
    roxmltree::Document::parse(&xes_text).expect("the XES export is well-formed XML");
    let (_, map) = admin.get("/api/v1/analytics/process-map").await;

    let dir = tempfile::tempdir().unwrap();
    let ocel_path = dir.path().join("demo.ocel.json");
    let xes_path = dir.path().join("demo.xes");
    std::fs::write(&ocel_path, &ocel_text).unwrap();
    std::fs::write(&xes_path, &xes_text).unwrap();
    let path = |p: &Path| p.to_str().unwrap().to_string();

    if let Some(v) = python(&["schema", SCHEMA, &path(&ocel_path)]) {
        assert_eq!(v["errors"], 0);
    }
    let Some(pm) = python(&["pm4py", "", &path(&ocel_path), &path(&xes_path)]) else {
        return;
    };
    assert_eq!(
        pm["ocel_events"].as_u64().unwrap() as usize,
        ocel["events"].as_array().unwrap().len()
    );
    assert_eq!(
        pm["ocel_objects"].as_u64().unwrap() as usize,
        ocel["objects"].as_array().unwrap().len()
    );
    assert_eq!(pm["xes_traces"], map["projects"]);
    let mined: BTreeMap<(String, String), u64> = pm["dfg"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                (e[0].as_str().unwrap().into(), e[1].as_str().unwrap().into()),
                e[2].as_u64().unwrap(),
            )
        })
        .collect();
    let drawn: BTreeMap<(String, String), u64> = edges(&map)
        .into_iter()
        .map(|e| {
            let key = (
                e["from"].as_str().unwrap().into(),
                e["to"].as_str().unwrap().into(),
            );
            (key, e["count"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(
        mined, drawn,
        "pm4py's directly-follows graph is the process map's"
    );
}

#[tokio::test]
async fn a_change_to_a_project_shows_in_the_next_map_although_maps_are_kept() {
    let (_app, _, member) = demo_app().await;
    let (_, before) = member.get("/api/v1/analytics/process-map").await;
    assert!(
        before["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["stage"] != "paused"),
        "nobody is paused in the demo"
    );
    let project = before["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["stage"] == "build")
        .and_then(|n| n["now"][0]["project_id"].as_str())
        .expect("a demo project in build")
        .to_string();
    member
        .ok(
            &project,
            serde_json::json!({"action": "pause", "reason": "customer reorganising"}),
        )
        .await;
    let (_, after) = member.get("/api/v1/analytics/process-map").await;
    let paused = after["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["stage"] == "paused")
        .expect("the paused project's stage is on the map at once");
    assert_eq!(paused["now"][0]["project_id"], project.as_str());
}
