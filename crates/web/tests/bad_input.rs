//! Bad input gets a clear problem+json naming what and where — never a panic, a 500 or a
//! half-written record.
#![allow(clippy::unwrap_used)]

mod common;

use common::{handoff, spawn, Backend};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn bad_input_is_refused_clearly_and_changes_nothing() {
    let app = spawn(Backend::Sqlite, "bad_input").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let (s, v) = m.post("/api/v1/projects", handoff("Haulers Ltd")).await;
    assert_eq!(s, StatusCode::CREATED);
    let id = v["project"]["id"].as_str().unwrap().to_string();
    let cmds = format!("/api/v1/projects/{id}/commands");
    let before = m.project(&id).await;
    let log_before = m
        .get(&format!("/api/v1/projects/{id}/activity"))
        .await
        .1
        .as_array()
        .unwrap()
        .len();

    let send = |method: Method, path: String, ct: &'static str, body: Vec<u8>| {
        let r = m.req(method, &path).header("content-type", ct).body(body);
        async move { common::parse(r.send().await.unwrap()).await }
    };

    // Malformed JSON.
    let (s, p) = send(
        Method::POST,
        cmds.clone(),
        "application/json",
        b"{\"action\": ".to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        p["detail"].as_str().unwrap().contains("line 1 column"),
        "says where: {p:#}"
    );
    // Wrong content type.
    let (s, _) = send(Method::POST, cmds.clone(), "text/plain", b"{}".to_vec()).await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Unknown action, wrong types, unknown fields: well-formed JSON with a bad value is a 422
    // naming where the value is.
    let (s, p) = m.post(&cmds, json!({"action": "launch_rockets"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["errors"][0]["field"], "action", "{p:#}");
    assert!(
        p["detail"].as_str().unwrap().contains("launch_rockets"),
        "{p:#}"
    );
    let (s, p) = m
        .post(
            &cmds,
            json!({"action": "complete_task", "task": "seven", "proof": null}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p:#}");
    assert_eq!(p["errors"][0]["field"], "task", "{p:#}");
    let (s, p) = m
        .post(
            &cmds,
            json!({"action": "set_next_meeting", "date": "2026-02-30"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "bad dates: {p:#}");
    assert_eq!(p["errors"][0]["field"], "date", "{p:#}");
    let (s, p) = m
        .post(
            "/api/v1/projects",
            json!({"customer": "X", "sold": "Y", "contract_date": "yesterday"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["errors"][0]["field"], "contract_date", "{p:#}");
    let (s, p) = m
        .post(
            "/api/v1/projects",
            json!({"customer": "X", "sold": "Y", "contract_date": "2026-01-01", "segmnet": "smb"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p["detail"].as_str().unwrap().contains("segmnet"), "{p:#}");
    let (s, p) = m
        .post(
            "/api/v1/projects",
            json!({"customer": "  ", "sold": "Y", "contract_date": "2026-01-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p:#}");
    assert_eq!(p["errors"][0]["field"], "customer");
    let (s, p) = m.post("/api/v1/projects", json!({"customer": "X", "sold": "Y", "contract_date": "2026-01-01", "playbook": "nope"})).await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an unknown playbook is a bad value: {p:#}"
    );
    assert_eq!(p["errors"][0]["field"], "playbook");
    // Unknown ids: the project, a task inside it, a file.
    let (s, _) = m.get("/api/v1/projects/prj_unknown").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, p) = m.post(&cmds, json!({"action": "complete_task", "task": 9999, "proof": {"kind": "note", "value": "x"}})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{p:#}");
    assert!(p["detail"].as_str().unwrap().contains("9999"));
    let (s, _) = m
        .get(&format!("/api/v1/projects/{id}/files/file_nope"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = m
        .get(&format!("/api/v1/projects/{id}/status-draft?format=pdf"))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // Paging out of range.
    for q in ["limit=0", "limit=1001", "offset=-1", "limit=abc"] {
        let (s, p) = m.get(&format!("/api/v1/projects?{q}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{q}: {p:#}");
    }
    let r = m
        .req(Method::GET, "/api/v1/projects?limit=1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-total-count"], "1");
    // Oversize bodies: JSON over 1 MiB, uploads over the limit.
    let big = format!(
        "{{\"action\":\"set_finish_line\",\"text\":\"{}\"}}",
        "x".repeat(2 * 1024 * 1024)
    );
    let (s, p) = send(
        Method::POST,
        cmds.clone(),
        "application/json",
        big.into_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{p:#}");
    let (s, _) = send(
        Method::POST,
        format!("/api/v1/projects/{id}/files?name=big.bin"),
        "application/octet-stream",
        vec![0u8; 65 * 1024],
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    let (s, p) = send(
        Method::POST,
        format!("/api/v1/projects/{id}/files?name=../etc/passwd"),
        "text/plain",
        b"x".to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["errors"][0]["field"], "name", "{p:#}");
    let (s, _) = send(
        Method::POST,
        format!("/api/v1/projects/{id}/files"),
        "text/plain",
        b"x".to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "the name is required");
    // Authentication.
    let anon = app.anonymous();
    let (s, _) = common::parse(
        anon.get(format!("{}/api/v1/projects", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = common::parse(
        anon.get(format!("{}/api/v1/projects", app.base))
            .bearer_auth("fl_tok_forged")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = common::parse(
        anon.get(format!("{}/api/v1/projects", app.base))
            .header("authorization", "Basic abc")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = common::parse(
        anon.post(format!("{}/api/v1/auth/login", app.base))
            .json(&json!({"email": "dana@vendor.test", "password": "wrong password"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Nothing above changed the project or its log.
    let after = m.project(&id).await;
    assert_eq!(before["version"], after["version"]);
    assert_eq!(before["project"], after["project"]);
    let log_after = m
        .get(&format!("/api/v1/projects/{id}/activity"))
        .await
        .1
        .as_array()
        .unwrap()
        .len();
    assert_eq!(log_before, log_after);
}

#[tokio::test]
async fn a_refused_command_writes_nothing() {
    let app = spawn(Backend::Sqlite, "refused").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let (_, v) = m.post("/api/v1/projects", handoff("Haulers Ltd")).await;
    let id = v["project"]["id"].as_str().unwrap().to_string();
    // R1 fails on the second customer owner, after the first was accepted: all or nothing.
    m.ok(&id, json!({"action": "add_person", "name": "Casey", "email": "casey@c.test", "side": "customer", "role": "customer_owner"})).await;
    let before = m.project(&id).await;
    m.refused(&id, json!({"action": "add_person", "name": "Eve", "email": "eve@c.test", "side": "customer", "role": "customer_owner"}), StatusCode::UNPROCESSABLE_ENTITY).await;
    let after = m.project(&id).await;
    assert_eq!(before["version"], after["version"]);
    assert_eq!(before["project"]["people"], after["project"]["people"]);
}

#[tokio::test]
async fn login_sessions_work_and_end() {
    let app = spawn(Backend::Sqlite, "sessions").await.unwrap();
    let _m = app.workspace("Vendor A", "dana@vendor.test").await;
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let r = http
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"email": "DANA@vendor.test", "password": "a long test password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let r = http
        .get(format!("{}/api/v1/me", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = http
        .post(format!("{}/api/v1/auth/logout", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = http
        .get(format!("{}/api/v1/me", app.base))
        .header("cookie", cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "the session is gone from the database"
    );
}
