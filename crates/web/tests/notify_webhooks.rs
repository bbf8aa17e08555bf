//! Outbound webhooks to a real HTTP receiver on loopback: Standard Webhooks signatures, Slack
//! text, retries, the delivery log, no redirects followed, and the SSRF guard.
#![allow(clippy::unwrap_used)]

mod notify_support;

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode as AxStatus};
use axum::response::IntoResponse;
use axum::routing::post;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use notify_support::{spawn, Db};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;

#[derive(Clone, Default)]
struct Receiver {
    hits: Arc<Mutex<Vec<(String, HeaderMap, String)>>>,
    fail_first: Arc<Mutex<usize>>,
}

async fn start_receiver(r: Receiver) -> String {
    let r1 = r.clone();
    let r2 = r.clone();
    let r3 = r.clone();
    let app = axum::Router::new()
        .route(
            "/hook",
            post(move |headers: HeaderMap, body: Bytes| {
                let r = r1.clone();
                async move {
                    let mut fail = r.fail_first.lock().unwrap();
                    r.hits.lock().unwrap().push((
                        "/hook".into(),
                        headers,
                        String::from_utf8_lossy(&body).into_owned(),
                    ));
                    if *fail > 0 {
                        *fail -= 1;
                        return AxStatus::SERVICE_UNAVAILABLE.into_response();
                    }
                    AxStatus::NO_CONTENT.into_response()
                }
            }),
        )
        .route(
            "/slack",
            post(move |headers: HeaderMap, body: Bytes| {
                let r = r2.clone();
                async move {
                    r.hits.lock().unwrap().push((
                        "/slack".into(),
                        headers,
                        String::from_utf8_lossy(&body).into_owned(),
                    ));
                    "ok"
                }
            }),
        )
        .route(
            "/moved",
            post(|| async { (AxStatus::FOUND, [("location", "/elsewhere")]).into_response() }),
        )
        .route(
            "/elsewhere",
            post(move || {
                let r = r3.clone();
                async move {
                    r.hits.lock().unwrap().push((
                        "/elsewhere".into(),
                        HeaderMap::new(),
                        String::new(),
                    ));
                    "followed"
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://127.0.0.1:{}", addr.port())
}

fn verify(secret: &str, headers: &HeaderMap, body: &str) -> bool {
    let h = |n: &str| headers.get(n).unwrap().to_str().unwrap().to_string();
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.{body}", h("webhook-id"), h("webhook-timestamp")).as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    h("webhook-signature").split(' ').any(|s| s == expected)
}

#[tokio::test]
async fn events_are_signed_retried_logged_and_sent_to_slack_as_text() {
    signed_events(Db::Sqlite).await;
}

#[tokio::test]
async fn events_on_postgres() {
    signed_events(Db::Postgres).await;
}

async fn signed_events(db: Db) {
    let Some(app) = spawn(db, "webhooks", false, vec![]).await else {
        return;
    };
    let m = app.admin("Vendor A", "dana@vendor.test").await;
    let receiver = Receiver::default();
    *receiver.fail_first.lock().unwrap() = 1;
    let base = start_receiver(receiver.clone()).await;
    // Loopback is allowed here by an admin, explicitly.
    let (s, v) = m
        .put(
            "/api/v1/notify/settings",
            json!({"allow_hosts": ["127.0.0.1"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v:#}");
    let (s, hook) = m
        .post(
            "/api/v1/notify/webhooks",
            json!({"url": format!("{base}/hook"), "events": ["project.created", "task.done", "task.blocked"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{hook:#}");
    let secret = hook["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    let (s, slack) = m
        .post(
            "/api/v1/notify/webhooks",
            json!({"url": format!("{base}/slack"), "target": "slack"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{slack:#}");

    let (project, tasks) = m
        .project_with_customer_tasks("Brightwater", &[("Send the user export", "2026-03-05")])
        .await;
    let (_, v) = m.get(&format!("/api/v1/projects/{project}")).await;
    let casey = v["project"]["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Casey")
        .unwrap()["id"]
        .clone();
    m.ok(&project, json!({"action": "complete_task", "task": tasks[0], "proof": {"kind": "note", "value": "sent"}, "completed_by": casey}))
        .await;
    app.sweep().await;
    // The first delivery to /hook failed (503): retried with backoff, not before.
    let hook_hits = |r: &Receiver| {
        r.hits
            .lock()
            .unwrap()
            .iter()
            .filter(|h| h.0 == "/hook")
            .cloned()
            .collect::<Vec<_>>()
    };
    let first = hook_hits(&receiver).len();
    assert!(first >= 1);
    app.sweep().await;
    assert_eq!(
        hook_hits(&receiver).len(),
        first,
        "no retry before the backoff"
    );
    app.clock.advance(chrono::Duration::minutes(5));
    app.sweep().await;
    let hits = hook_hits(&receiver);
    let types: Vec<String> = hits
        .iter()
        .filter(|h| verify(&secret, &h.1, &h.2))
        .map(|h| {
            serde_json::from_str::<Value>(&h.2).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        hits.len(),
        types.len(),
        "every delivery carries a valid signature"
    );
    assert!(types.contains(&"project.created".to_string()), "{types:?}");
    assert!(types.contains(&"task.done".to_string()), "{types:?}");
    // Retries carry the same webhook-id, so receivers can deduplicate.
    let ids: std::collections::BTreeSet<String> = hits
        .iter()
        .map(|h| h.1["webhook-id"].to_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), hits.len() - 1, "one retry of one message");

    // Slack gets readable text.
    let slack_hits: Vec<_> = receiver
        .hits
        .lock()
        .unwrap()
        .iter()
        .filter(|h| h.0 == "/slack")
        .cloned()
        .collect();
    assert!(!slack_hits.is_empty());
    let text = serde_json::from_str::<Value>(&slack_hits[0].2).unwrap()["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.contains("Brightwater"), "{text}");

    // The delivery log shows attempts and the error of the failed one.
    let (s, log) = m
        .get(&format!(
            "/api/v1/notify/webhooks/{}/deliveries",
            hook["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(s, StatusCode::OK);
    let log = log.as_array().unwrap();
    assert!(log.iter().all(|d| d["state"] == "sent"), "{log:#?}");
    assert!(log.iter().any(|d| d["attempts"] == 2), "{log:#?}");

    // Unknown event types are refused with the field named.
    let (s, v) = m
        .post(
            "/api/v1/notify/webhooks",
            json!({"url": format!("{base}/hook"), "events": ["task.exploded"]}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["field"], "events[0]", "{v:#}");
}

#[tokio::test]
async fn webhooks_never_reach_private_addresses_unless_allowed_and_never_follow_redirects() {
    let app = spawn(Db::Sqlite, "ssrf", false, vec![]).await.unwrap();
    let m = app.admin("Vendor A", "dana@vendor.test").await;
    let receiver = Receiver::default();
    let base = start_receiver(receiver.clone()).await;
    let port = base.rsplit(':').next().unwrap().to_string();
    let mut hooks = Vec::new();
    for url in [
        format!("{base}/hook"),
        format!("http://localhost:{port}/hook"),
        "http://10.0.0.7/hook".to_string(),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://[::1]/hook".to_string(),
    ] {
        let (s, v) = m.post("/api/v1/notify/webhooks", json!({"url": url})).await;
        assert_eq!(s, StatusCode::CREATED, "{v:#}");
        hooks.push(v["id"].as_str().unwrap().to_string());
    }
    m.project_with_customer_tasks("Brightwater", &[]).await;
    app.sweep().await;
    assert!(
        receiver.hits.lock().unwrap().is_empty(),
        "nothing reached loopback"
    );
    for id in &hooks {
        let (_, log) = m
            .get(&format!("/api/v1/notify/webhooks/{id}/deliveries"))
            .await;
        let log = log.as_array().unwrap();
        assert!(!log.is_empty());
        for d in log {
            assert_eq!(d["state"], "failed", "{d:#}");
            assert!(
                d["last_error"].as_str().unwrap().contains("refused"),
                "{d:#}"
            );
        }
    }

    // An admin allows 127.0.0.1: a redirect from there is not followed.
    m.put(
        "/api/v1/notify/settings",
        json!({"allow_hosts": ["127.0.0.1"]}),
    )
    .await;
    let (_, moved) = m
        .post(
            "/api/v1/notify/webhooks",
            json!({"url": format!("{base}/moved")}),
        )
        .await;
    m.project_with_customer_tasks("Clearwater", &[]).await;
    app.sweep().await;
    let (_, log) = m
        .get(&format!(
            "/api/v1/notify/webhooks/{}/deliveries",
            moved["id"].as_str().unwrap()
        ))
        .await;
    let d = &log.as_array().unwrap()[0];
    assert_eq!(d["state"], "pending", "{d:#}");
    assert!(
        d["last_error"]
            .as_str()
            .unwrap()
            .contains("redirects are not followed"),
        "{d:#}"
    );
    assert!(
        receiver
            .hits
            .lock()
            .unwrap()
            .iter()
            .all(|h| h.0 != "/elsewhere"),
        "the redirect was not followed"
    );
    // Settings with a URL instead of a host are refused.
    let (s, _) = m
        .put(
            "/api/v1/notify/settings",
            json!({"allow_hosts": ["http://127.0.0.1/"]}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
