//! Nothing of workspace A is readable or writable with B's token or session, by any route: the
//! test walks the OpenAPI document so a new route cannot be forgotten.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use common::{handoff, spawn, Backend};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn no_route_crosses_workspaces() {
    let app = spawn(Backend::Sqlite, "tenant_isolation").await.unwrap();
    let a = app.workspace("Vendor A", "alice@a.test").await;
    let b = app.workspace("Vendor B", "bob@b.test").await;

    // A's things: a project, a file, a playbook, a token.
    let (_, v) = a
        .post("/api/v1/projects", handoff("Secret Customer Inc"))
        .await;
    let project = v["project"]["id"].as_str().unwrap().to_string();
    let r = a
        .req(
            Method::POST,
            &format!("/api/v1/projects/{project}/files?name=a.csv"),
        )
        .header("content-type", "text/csv")
        .body("secret,data\n")
        .send()
        .await
        .unwrap();
    let file = common::parse(r).await.1["id"].as_str().unwrap().to_string();
    let (_, pb) = a.get("/api/v1/playbooks/standard").await;
    let mut pb = pb;
    pb["key"] = json!("alice-private");
    pb["name"] = json!("Alice private playbook");
    let (s, _) = a.post("/api/v1/playbooks", pb).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, tok) = a.post("/api/v1/tokens", json!({"name": "a-only"})).await;
    let token_id = tok["token"]["id"].as_str().unwrap().to_string();
    let a_version = a.project(&project).await["version"].clone();
    let (s, entry) = a
        .post(
            "/api/v1/time",
            json!({"project_id": project, "day": "2026-03-02", "hours": 1, "note": "alice-hours"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{entry}");
    let entry = entry["id"].as_str().unwrap().to_string();
    let a_user = a.user.id.clone();

    // B signs in by session too: both ways of authenticating are walked.
    let b_session = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let r = b_session
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"email": "bob@b.test", "password": "a long test password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let (s, doc) = a.get("/api/v1/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    let secrets = [
        project.as_str(),
        file.as_str(),
        "alice-private",
        token_id.as_str(),
        "Secret Customer Inc",
        a.workspace.id.as_str(),
        entry.as_str(),
        a_user.as_str(),
        "alice-hours",
    ];
    let mut walked = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            let url = path
                .replace(
                    "{id}",
                    if path.starts_with("/api/v1/tokens") {
                        &token_id
                    } else {
                        &project
                    },
                )
                .replace("{file_id}", &file)
                .replace("{entry_id}", &entry)
                .replace("{user_id}", &a_user)
                .replace("{key}", "alice-private")
                .replace("{workspace_id}", &a.workspace.id);
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = body_for(path);
            for (how, client) in [("token", &b.http), ("session", &b_session)] {
                let mut req = client.request(m.clone(), format!("{}{url}", app.base));
                if how == "token" {
                    req = req.bearer_auth(b.token.as_ref().unwrap());
                }
                let req = match &body {
                    Body::Json(v) => req.json(v),
                    Body::Bytes(bytes) => {
                        req.header("content-type", "text/csv").body(bytes.clone())
                    }
                };
                let r = req.send().await.unwrap();
                let status = r.status();
                let text = r.text().await.unwrap();
                // An id B put in the URL may be echoed back in "x was not found"; anything else of A's may not.
                for secret in secrets.iter().filter(|s| !url.contains(**s)) {
                    assert!(
                        !text.contains(secret),
                        "{method} {path} by B ({how}) leaked {secret:?}: {status} {text}"
                    );
                }
                if url.contains(&project)
                    || url.contains(&file)
                    || url.contains("alice-private")
                    || url.contains(&token_id)
                    || url.contains(&a.workspace.id)
                    || url.contains(&entry)
                    || url.contains(&a_user)
                {
                    // A body that does not fit is refused (400, or 422 for a bad value) before
                    // the handler runs, so before anything of A's is read.
                    let body_refused = status == StatusCode::UNPROCESSABLE_ENTITY
                        && text.contains("urn:finishline:problem:invalid-value");
                    assert!(
                        body_refused
                            || matches!(
                                status,
                                StatusCode::NOT_FOUND
                                    | StatusCode::FORBIDDEN
                                    | StatusCode::UNAUTHORIZED
                                    | StatusCode::BAD_REQUEST
                            ),
                        "{method} {path} by B ({how}) reached A's data: {status} {text}"
                    );
                }
            }
            walked.insert(format!("{method} {path}"));
        }
    }
    assert!(walked.len() >= 20, "walked only {walked:?}");
    // A is untouched.
    let after = a.project(&project).await;
    assert_eq!(after["version"], a_version);
    let (s, tokens) = a.get("/api/v1/tokens").await;
    assert_eq!(s, StatusCode::OK);
    assert!(tokens
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["revoked_at"].is_null()));
    let (_, entries) = a.get("/api/v1/time").await;
    assert_eq!(entries[0]["hours"], 1.0, "A's time is untouched: {entries}");
    let (_, pbs) = b.get("/api/v1/playbooks").await;
    assert!(!pbs.to_string().contains("alice-private"));
}

enum Body {
    Json(Value),
    Bytes(Vec<u8>),
}

/// A body that gets past parsing, so the route's own checks are what answer.
fn body_for(path: &str) -> Body {
    if path.ends_with("/commands") {
        Body::Json(
            json!({"action": "set_finish_line", "text": "B overwrites A's finish line with a precise, measurable sentence: 10 loads a day"}),
        )
    } else if path.ends_with("/files") {
        Body::Bytes(b"b,was,here\n".to_vec())
    } else if path.ends_with("/allocations") {
        Body::Json(json!({"user_id": "usr_b", "week": "2026-03-02", "hours": 1}))
    } else if path.ends_with("/capacity") || path.ends_with("/time/{entry_id}") {
        Body::Json(json!({"hours": 1}))
    } else if path.contains("/webhooks/crm/") {
        Body::Json(handoff("B's injected deal"))
    } else {
        Body::Json(json!({}))
    }
}
