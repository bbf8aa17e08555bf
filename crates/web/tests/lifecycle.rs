//! The whole lifecycle over HTTP, every loop included, on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::Duration;
use common::{handoff, person, spawn, task, Backend, MemberClient};
use finishline_store::UserRole;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn lifecycle_on_sqlite() {
    let app = spawn(Backend::Sqlite, "lifecycle_on_sqlite").await.unwrap();
    lifecycle(&app).await;
}

#[tokio::test]
async fn lifecycle_on_postgres() {
    let Some(app) = spawn(Backend::Postgres, "lifecycle_on_postgres").await else {
        return;
    };
    lifecycle(&app).await;
}

async fn advance(m: &MemberClient, id: &str, stages: &[&str]) -> Value {
    let mut v = Value::Null;
    for s in stages {
        v = m.ok(id, json!({"action": "advance_stage", "to": s})).await;
    }
    v
}

async fn lifecycle(app: &common::TestApp) {
    let dana = app.workspace("Vendor A", "dana@vendor.test").await;

    // Handoff: an over-promise is recorded and blocks kickoff.
    let (s, v) = dana.post("/api/v1/projects", handoff("Haulers Ltd")).await;
    assert_eq!(s, StatusCode::CREATED, "{v:#}");
    let id = v["project"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        v["project"]["playbook"]["key"], "light-touch-30",
        "the SMB segment picks light-touch"
    );
    assert_eq!(v["project"]["stage"], "handoff");
    assert!(!v["gates"]["kickoff"]["ready"].as_bool().unwrap());

    // People on both sides (R1), the finish line (R2), criteria, data, risks, scope (R3).
    for (name, side, role) in [
        ("Casey", "customer", "customer_owner"),
        ("Bo", "customer", "backup_contact"),
        ("Dee", "customer", "decision_maker"),
        ("Vic", "vendor", "decision_maker"),
    ] {
        dana.ok(&id, json!({"action": "add_person", "name": name, "email": format!("{}@{side}.test", name.to_lowercase()), "side": side, "role": role})).await;
    }
    let p = dana.refused(&id, json!({"action": "add_person", "name": "Eve", "email": "eve@c.test", "side": "customer", "role": "customer_owner"}), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["rule"], "R1", "{p:#}");
    // R2: a vague finish line is kept as a draft but fails kickoff readiness, saying why.
    let v = dana
        .ok(
            &id,
            json!({"action": "set_finish_line", "text": "Streamline operations"}),
        )
        .await;
    let success = v["gates"]["kickoff"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "success")
        .unwrap()
        .clone();
    assert!(
        success["ok"] == false && success["reason"].as_str().unwrap().contains("vague"),
        "{success:#}"
    );
    dana.ok(&id, json!({"action": "set_finish_line", "text": "Dispatchers log incoming loads every morning and confirm status by noon, every day for two weeks."})).await;
    dana.ok(&id, json!({"action": "add_criterion", "metric": "days with all loads logged by noon", "baseline": 0, "target": 10, "unit": "days", "how_measured": "manager view export"})).await;
    dana.ok(&id, json!({"action": "add_data_source", "name": "Loads spreadsheet", "system": "Excel", "sample": "requested"})).await;
    dana.ok(&id, json!({"action": "confirm_no_known_risks"}))
        .await;
    dana.ok(
        &id,
        json!({"action": "add_scope_item", "text": "custom roles", "bucket": "out"}),
    )
    .await;
    advance(&dana, &id, &["assign", "intake"]).await;

    // G1 refuses kickoff while the over-promise is unresolved: realign with sales (loop).
    let p = dana
        .refused(
            &id,
            json!({"action": "advance_stage", "to": "kickoff"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    let failing: Vec<&str> = p["gate"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["ok"] == false)
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(failing, ["promises"], "{p:#}");
    assert!(p["detail"]
        .as_str()
        .unwrap()
        .contains("Custom SAP connector"));
    let v = dana.ok(&id, json!({"action": "realign_with_sales", "reason": "SAP connector was promised but is custom work"})).await;
    assert_eq!(v["project"]["stage"], "handoff");
    let promise = v["project"]["handoff"]["promises"][0]["id"].clone();
    dana.ok(&id, json!({"action": "resolve_promise", "promise": promise, "resolution": {"outcome": "declined", "reason": "not on the roadmap; CSV export instead"}})).await;
    advance(&dana, &id, &["assign", "intake", "kickoff"]).await;
    dana.ok(
        &id,
        json!({"action": "set_launch_date", "date": "2026-04-01"}),
    )
    .await;
    dana.ok(
        &id,
        json!({"action": "set_next_meeting", "date": "2026-03-09"}),
    )
    .await;

    // R5, R6, R8 on the plan.
    let v = dana.project(&id).await;
    let sample = task(&v, "sample-data");
    let casey = person(&v, "Casey");
    let p = dana
        .refused(
            &id,
            json!({"action": "complete_task", "task": sample, "proof": null}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(p["rule"], "R5");
    let p = dana.refused(&id, json!({"action": "block_task", "task": sample, "needed": "stuff", "from": casey, "by": "2026-03-05"}), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["rule"], "R6");
    dana.ok(&id, json!({"action": "block_task", "task": sample, "needed": "CSV export of last month's loads with the status column", "from": casey, "by": "2026-03-05"})).await;
    app.clock.advance(Duration::days(3));
    dana.ok(&id, json!({"action": "unblock_task", "task": sample}))
        .await;
    dana.ok(&id, json!({"action": "rebaseline_task", "task": sample, "due": "2026-03-12", "reason": "export arrived late"})).await;
    // Proof by an uploaded file.
    let r = dana
        .req(
            Method::POST,
            &format!("/api/v1/projects/{id}/files?name=loads.csv"),
        )
        .header("content-type", "text/csv")
        .body("load,status\n1,ok\n")
        .send()
        .await
        .unwrap();
    let (s, file) = common::parse(r).await;
    assert_eq!(s, StatusCode::CREATED, "{file:#}");
    let v = dana.ok(&id, json!({"action": "complete_task", "task": sample, "proof": {"kind": "file", "value": file["id"]}})).await;
    let t = common::task_json(&v, sample);
    assert_eq!(t["due"], "2026-03-12");
    assert_eq!(
        t["rebaselines"].as_array().unwrap().len(),
        1,
        "R8 keeps the history: {t:#}"
    );
    assert_ne!(t["baseline_due"], t["due"], "R8 keeps the original date");
    assert!(
        v["ball"]["tasks"][sample.to_string()]["customer_seconds"]
            .as_i64()
            .unwrap()
            >= 3 * 86_400,
        "{:#}",
        v["ball"]
    );

    // Through build to UAT; a failed case loops back to configuration.
    advance(
        &dana,
        &id,
        &["discovery", "build", "configuration", "training", "uat"],
    )
    .await;
    let v = dana.project(&id).await;
    let criterion = v["project"]["criteria"][0]["id"].clone();
    let v = dana.ok(&id, json!({"action": "add_uat_case", "title": "Log a load and confirm by noon", "criterion": criterion})).await;
    let case = v["project"]["uat"][0]["id"].clone();
    let v = dana.ok(&id, json!({"action": "record_uat_result", "case": case, "passed": false, "notes": "status not saved", "loop_to": "configuration"})).await;
    assert_eq!(v["project"]["stage"], "configuration");
    advance(&dana, &id, &["training", "uat"]).await;
    dana.ok(
        &id,
        json!({"action": "record_uat_result", "case": case, "passed": true}),
    )
    .await;
    advance(&dana, &id, &["go_no_go"]).await;

    // G2 refuses go-live and says why; a no-go loops back to training.
    let p = dana
        .refused(
            &id,
            json!({"action": "decide_go_live", "go": true, "reason": "ready"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    let failing: Vec<&str> = p["gate"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["ok"] == false)
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert!(
        failing.contains(&"training") && failing.contains(&"early_win"),
        "{failing:?}"
    );
    assert!(p["gate"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["ok"] == true || !i["reason"].as_str().unwrap().is_empty()));
    let v = dana.ok(&id, json!({"action": "decide_go_live", "go": false, "reason": "nobody trained yet", "back_to": "training"})).await;
    assert_eq!(v["project"]["stage"], "training");

    // Fix every item.
    let v = dana.project(&id).await;
    for key in [
        "finish-line",
        "owners",
        "setup",
        "import",
        "full-path",
        "train",
    ] {
        let t = task(&v, key);
        dana.ok(&id, json!({"action": "complete_task", "task": t, "proof": {"kind": "note", "value": format!("{key} done")}})).await;
    }
    dana.ok(&id, json!({"action": "record_import_run", "file_sha256": file["sha256"], "rows": 120, "errors": 0, "reviews": 2})).await;
    dana.ok(&id, json!({"action": "add_person", "name": "Uma", "email": "uma@customer.test", "side": "customer", "role": "end_user"})).await;
    let v = dana.ok(&id, json!({"action": "add_person", "name": "Al", "email": "al@customer.test", "side": "customer", "role": "customer_admin"})).await;
    let (uma, al) = (person(&v, "Uma"), person(&v, "Al"));
    for who in [uma, al] {
        dana.ok(
            &id,
            json!({"action": "set_help_contact", "person": who, "help_contact": casey}),
        )
        .await;
    }
    let now = app.clock_now().to_rfc3339();
    let p = dana.refused(&id, json!({"action": "schedule_training", "audience": "admins", "title": "everything", "scheduled_at": now, "minutes": 90}), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["rule"], "R14");
    for (audience, who) in [("admins", al), ("daily_users", uma)] {
        let v = dana.ok(&id, json!({"action": "schedule_training", "audience": audience, "title": format!("{audience} basics"), "scheduled_at": now, "minutes": 40})).await;
        let s = v["project"]["training"].as_array().unwrap().last().unwrap()["id"].clone();
        dana.ok(&id, json!({"action": "record_attendance", "session": s, "person": who, "practice_task": "log one load", "completed": true})).await;
        dana.ok(&id, json!({"action": "mark_training_held", "session": s}))
            .await;
        dana.ok(&id, json!({"action": "send_training_recap", "session": s}))
            .await;
    }
    dana.ok(
        &id,
        json!({"action": "set_early_win", "criterion": criterion}),
    )
    .await;
    advance(&dana, &id, &["uat", "go_no_go"]).await;
    let v = dana
        .ok(
            &id,
            json!({"action": "decide_go_live", "go": true, "reason": "all green"}),
        )
        .await;
    assert_eq!(v["project"]["stage"], "hypercare");
    assert!(
        v["gates"]["go_live"]["ready"].as_bool().unwrap(),
        "{:#}",
        v["gates"]["go_live"]
    );

    // Adoption stalls: the intervention loop.
    app.clock.advance(Duration::days(15));
    advance(&dana, &id, &["adoption"]).await;
    let p = dana
        .refused(
            &id,
            json!({"action": "record_adoption", "active_users": 1, "trained_users": 5}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert!(
        p["detail"].as_str().unwrap().contains("intervention"),
        "{p:#}"
    );
    let v = dana.ok(&id, json!({"action": "record_adoption", "active_users": 1, "trained_users": 5, "logins_first_week": 3, "support_questions": 4, "intervention": "retrain"})).await;
    assert_eq!(v["project"]["stage"], "training");
    app.clock.advance(Duration::days(5));
    advance(&dana, &id, &["uat", "go_no_go"]).await;
    dana.ok(&id, json!({"action": "decide_go_live", "go": true, "reason": "re-trained", "override_reason": "intervention task in progress"})).await;
    app.clock.advance(Duration::days(20));
    advance(&dana, &id, &["adoption", "value_review"]).await;
    dana.refused(
        &id,
        json!({"action": "advance_stage", "to": "transition"}),
        StatusCode::CONFLICT,
    )
    .await;
    dana.ok(
        &id,
        json!({"action": "measure_criterion", "criterion": criterion, "value": 10}),
    )
    .await;
    advance(&dana, &id, &["transition"]).await;

    // Transition to the renewal CSM, who accepts it themselves (R11).
    let ws = app
        .store
        .workspace(&dana.workspace.id)
        .await
        .unwrap()
        .unwrap();
    let rene = app.member(&ws, "rene@vendor.test", UserRole::Member).await;
    let v = dana.ok(&id, json!({"action": "add_person", "name": "Rene", "email": "rene@vendor.test", "side": "vendor", "role": "renewal_csm"})).await;
    let csm = person(&v, "Rene");
    dana.ok(
        &id,
        json!({"action": "prepare_transition", "renewal_csm": csm, "notes": "usage steady"}),
    )
    .await;
    let p = dana
        .refused(
            &id,
            json!({"action": "accept_transition"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(p["rule"], "R11");
    rene.ok(&id, json!({"action": "accept_transition"})).await;
    let v = dana
        .ok(&id, json!({"action": "advance_stage", "to": "complete"}))
        .await;
    assert_eq!(v["project"]["stage"], "complete");

    // The scorecard counts every loop; the log says who, when, what, before and after.
    let loops = &v["scorecard"]["loops"];
    assert_eq!(
        (
            loops["sales_realign"].as_u64(),
            loops["uat_rework"].as_u64(),
            loops["no_go"].as_u64(),
            loops["adoption_intervention"].as_u64()
        ),
        (Some(1), Some(1), Some(1), Some(1)),
        "{loops:#}"
    );
    let (s, log) = dana.get(&format!("/api/v1/projects/{id}/activity")).await;
    assert_eq!(s, StatusCode::OK);
    let log = log.as_array().unwrap();
    assert!(
        log.iter().any(|a| a["kind"] == "stage.changed"
            && a["before"].is_object()
            && a["after"].is_object()),
        "stage changes carry before and after"
    );
    assert!(log
        .iter()
        .all(|a| a["actor"].as_str().is_some_and(|x| !x.is_empty()) && a["at"].is_string()));
    assert!(
        log.iter().any(|a| a["actor"] == "rene (vendor)"),
        "the CSM's acceptance is theirs"
    );

    // The status draft, as JSON and text.
    let (s, draft) = dana
        .get(&format!("/api/v1/projects/{id}/status-draft"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(draft["summary"].as_array().unwrap().len(), 5);
    let r = dana
        .req(
            Method::GET,
            &format!("/api/v1/projects/{id}/status-draft?format=text"),
        )
        .send()
        .await
        .unwrap();
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert!(!r.text().await.unwrap().is_empty());

    // The portfolio and its scorecard.
    let (s, list) = dana.get("/api/v1/projects").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list[0]["id"], id.as_str());
    let (s, card) = dana.get("/api/v1/scorecard").await;
    assert_eq!(s, StatusCode::OK, "{card:#}");
    // Read from the activity log: the project went live, so its days to go-live count.
    assert_eq!(
        (card["projects"].as_u64(), card["live"].as_u64()),
        (Some(1), Some(1)),
        "{card:#}"
    );
    assert!(card["median_days_to_go_live"].is_number(), "{card:#}");
}
