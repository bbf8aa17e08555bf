//! The audit trail through the API: every change to access is recorded with who, when and from
//! where; admins read it filtered or as CSV (a download that is itself recorded); members and
//! other workspaces read nothing of it; a refused change records nothing.
#![allow(clippy::unwrap_used)]

mod common;

use common::{spawn, Backend};
use finishline_store::UserRole;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn kinds(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn changes_to_access_are_recorded_and_only_admins_read_them() {
    let app = spawn(Backend::Sqlite, "audit_trail").await.unwrap();
    let admin = app.workspace("Vendor", "dana@vendor.test").await;
    let other = app.workspace("Other", "olga@other.test").await;

    let (s, _) = admin
        .post(
            "/api/v1/members",
            json!({"email": "sam@vendor.test", "name": "Sam", "password": "long enough password"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = admin
        .post(
            "/api/v1/members",
            json!({"email": "SAM@vendor.test", "name": "Sam again", "password": "long enough password"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a refused change…");
    let (s, made) = admin
        .post("/api/v1/tokens", json!({"name": "CRM sync"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let token_id = made["token"]["id"].as_str().unwrap().to_string();
    let r = admin
        .req(Method::DELETE, &format!("/api/v1/tokens/{token_id}"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());

    let (s, trail) = admin.get("/api/v1/audit").await;
    assert_eq!(s, StatusCode::OK, "{trail}");
    let all = kinds(&trail);
    assert_eq!(
        all.iter().filter(|k| *k == "member.added").count(),
        2,
        "…records nothing: the admin and Sam only: {all:?}"
    );
    let newest = &trail[0];
    assert_eq!(newest["kind"], "token.revoked");
    assert_eq!(newest["actor"], "dana@vendor.test");
    assert_eq!(newest["client_address"], "127.0.0.1");
    assert_eq!(newest["detail"]["token_id"], token_id.as_str());
    assert!(all.contains(&"token.created".to_string()));
    let created = trail
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "token.created")
        .unwrap();
    assert!(
        created["detail"].get("secret").is_none() && !created.to_string().contains("fl_tok_"),
        "no secret in the trail: {created}"
    );

    let (_, tokens) = admin.get("/api/v1/audit?kind=token").await;
    // The harness made the admin's own token first.
    assert_eq!(
        kinds(&tokens),
        ["token.revoked", "token.created", "token.created"]
    );
    let (_, none) = admin.get("/api/v1/audit?actor=nobody@vendor.test").await;
    assert_eq!(kinds(&none), Vec::<String>::new());
    let (_, one) = admin.get("/api/v1/audit?limit=1").await;
    assert_eq!(one.as_array().unwrap().len(), 1);
    let (_, later) = admin.get("/api/v1/audit?from=2099-01-01").await;
    assert_eq!(kinds(&later), Vec::<String>::new());
    let (s, inverted) = admin
        .get("/api/v1/audit?from=2026-03-02&to=2026-03-01")
        .await;
    assert_eq!(
        s,
        StatusCode::OK,
        "an inverted range selects nothing: {inverted}"
    );
    assert_eq!(kinds(&inverted), Vec::<String>::new());
    let (_, today) = admin
        .get("/api/v1/audit?from=2026-03-02&to=2026-03-02")
        .await;
    assert!(!kinds(&today).is_empty(), "to includes its own day");
    for (query, field) in [
        ("limit=0", "limit"),
        ("from=yesterday", "from"),
        ("kind=DROP%20TABLE", "kind"),
        ("format=xml", "format"),
    ] {
        let (s, p) = admin.get(&format!("/api/v1/audit?{query}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{query}: {p}");
        assert!(p.to_string().contains(field), "{query}: {p}");
    }

    let csv = admin
        .req(Method::GET, "/api/v1/audit?format=csv")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("id,at,actor,kind,client_address,detail\n"));
    assert!(text.contains("token.revoked") && text.contains("member.added"));
    let (_, after) = admin.get("/api/v1/audit?limit=1").await;
    assert_eq!(
        after[0]["kind"], "export.downloaded",
        "the download is recorded"
    );

    let (s, _) = other.get("/api/v1/audit").await;
    assert_eq!(s, StatusCode::OK);
    let (_, theirs) = other.get("/api/v1/audit").await;
    assert!(
        !theirs.to_string().contains("vendor.test"),
        "another workspace sees none of it: {theirs}"
    );
    let sam = app
        .member(&admin.workspace, "ria@vendor.test", UserRole::Member)
        .await;
    let (s, _) = sam.get("/api/v1/audit").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "members do not read the trail");
}
