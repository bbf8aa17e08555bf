//! The usage feed: batches idempotent by event id, and adoption measured against the goals —
//! a stall opens an intervention through the core and shows in health.
#![allow(clippy::unwrap_used)]

mod notify_support;

use finishline_core::lifecycle::Stage;
use notify_support::{spawn, Db};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn usage_is_counted_once_and_a_stall_opens_an_intervention_shown_in_health() {
    let app = spawn(Db::Sqlite, "usage", false, vec![]).await.unwrap();
    let m = app.admin("Vendor A", "dana@vendor.test").await;
    let (project, _) = m.project_with_customer_tasks("Brightwater", &[]).await;
    // Arrange: the project went live today (the lifecycle test walks there through the gates).
    let store = &app.state.app.store;
    let (mut p, version) = store
        .project(&m.workspace.id, &project)
        .await
        .unwrap()
        .unwrap();
    p.stage = Stage::Hypercare;
    p.live_on = Some(app.now().date_naive());
    store
        .save_project(&m.workspace.id, &p, version, &[], app.now())
        .await
        .unwrap();

    let (s, v) = m
        .put(
            &format!("/api/v1/projects/{project}/adoption-goals"),
            json!({"account": "brightwater-prod", "trained_users": 6, "key_features": ["dispatch.create", "report.export"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v:#}");

    let live = app.now();
    // A week passes; the product reports what happened in it.
    app.clock
        .advance(chrono::Duration::days(7) + chrono::Duration::hours(2));
    let day = |d: i64, h: u32| {
        (live + chrono::Duration::days(d) + chrono::Duration::hours(i64::from(h))).to_rfc3339()
    };
    let batch = json!({"events": [
        {"event_id": "e1", "account": "brightwater-prod", "user": "u1", "event": "login", "timestamp": day(0, 1)},
        {"event_id": "e2", "account": "brightwater-prod", "user": "u2", "event": "login", "timestamp": day(1, 1)},
        {"event_id": "e3", "account": "brightwater-prod", "user": "u1", "event": "dispatch.create", "timestamp": day(5, 1)},
        {"event_id": "e4", "account": "brightwater-prod", "user": "u2", "event": "login", "timestamp": day(6, 1)},
        {"event_id": "e5", "account": "brightwater-prod", "user": "u2", "event": "support_question", "timestamp": day(6, 2)},
    ]});
    let (s, v) = m.post("/api/v1/usage", batch.clone()).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v:#}");
    assert_eq!(v["accepted"], 5);
    // A resent batch counts nothing twice.
    let (s, v) = m.post("/api/v1/usage", batch).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    assert_eq!(
        (v["accepted"].as_u64(), v["duplicates"].as_u64()),
        (Some(0), Some(5))
    );

    // A week after go-live, the sweep measures: 2 of 6 trained users active, report.export unused.
    let report = app.sweep().await;
    assert_eq!(report.interventions, 1, "{report:?}");
    let (_, v) = m.get(&format!("/api/v1/projects/{project}")).await;
    let reading = v["project"]["adoption"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(reading["active_users"], 2, "{reading:#}");
    assert_eq!(reading["logins_first_week"], 2, "{reading:#}");
    assert_eq!(reading["support_questions"], 1, "{reading:#}");
    assert_eq!(reading["key_features_unused"], json!(["report.export"]));
    let intervention = v["project"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["phase"] == "Adoption intervention")
        .unwrap();
    assert!(
        intervention["title"].as_str().unwrap().contains("Re-train"),
        "{intervention:#}"
    );
    let reasons = v["health"]["reasons"].to_string();
    assert!(reasons.contains("adoption stalled"), "{reasons}");
    // Measured once a week, not at every sweep.
    assert_eq!(app.sweep().await.interventions, 0);

    let (s, a) = m.get(&format!("/api/v1/projects/{project}/adoption")).await;
    assert_eq!(s, StatusCode::OK, "{a:#}");
    assert_eq!(a["report"]["trained_users"], 6);

    // A bad value is a 422 naming the field; no token is a 401.
    let (s, v) = m
        .post("/api/v1/usage", json!([{"event_id": "x", "account": "a", "user": "u", "event": "login", "timestamp": "yesterday"}]))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v:#}");
    // An untagged batch (bare or wrapped) only tells which event did not fit.
    assert_eq!(v["errors"][0]["field"], "[0]", "{v:#}");
    let (s, v) = m.post("/api/v1/usage", json!({"events": []})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "an empty batch: {v:#}");
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/usage", app.base))
        .json(&json!({"events": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}
