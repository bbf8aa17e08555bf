//! The CRM webhook: signed deliveries become projects exactly once; unsigned, forged, stale and
//! replayed ones are refused.
#![allow(clippy::unwrap_used)]

mod common;

use common::{handoff, spawn, Backend};
use finishline_web::api::webhooks::{sign, DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use reqwest::StatusCode;

#[tokio::test]
async fn crm_deliveries_are_signed_fresh_and_applied_once() {
    let app = spawn(Backend::Sqlite, "webhook").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let (s, settings) = m.get("/api/v1/settings/webhook").await;
    assert_eq!(s, StatusCode::OK);
    let url = format!("{}{}", app.base, settings["path"].as_str().unwrap());
    let secret = settings["secret"].as_str().unwrap().to_string();
    let body = serde_json::to_vec(&handoff("Clinic Group")).unwrap();
    let now = app.clock_now().timestamp();
    let http = reqwest::Client::new();
    let post = |sig: String, ts: i64, delivery: &str, body: Vec<u8>| {
        http.post(&url)
            .header("content-type", "application/json")
            .header(SIGNATURE_HEADER, sig)
            .header(TIMESTAMP_HEADER, ts.to_string())
            .header(DELIVERY_HEADER, delivery)
            .body(body)
            .send()
    };

    let (s, v) = common::parse(
        post(sign(&secret, now, &body), now, "deal-42", body.clone())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v:#}");
    assert_eq!(v["created"], true);
    let project = v["project_id"].as_str().unwrap().to_string();
    // A retry of the same delivery creates nothing new.
    let (s, v) = common::parse(
        post(sign(&secret, now, &body), now, "deal-42", body.clone())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (v["created"].as_bool(), v["project_id"].as_str()),
        (Some(false), Some(project.as_str()))
    );
    // Forged, stale, unsigned, tampered.
    let (s, _) = common::parse(
        post(
            sign("whsec_wrong", now, &body),
            now,
            "deal-43",
            body.clone(),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let old = now - 3600;
    let (s, p) = common::parse(
        post(sign(&secret, old, &body), old, "deal-44", body.clone())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(p["detail"].as_str().unwrap().contains("stale"));
    let (s, p) = common::parse(
        http.post(&url)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(p["errors"][0]["field"], SIGNATURE_HEADER);
    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    let (s, _) = common::parse(
        post(sign(&secret, now, &body), now, "deal-45", tampered)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A signed deal holding a bad value says what is wrong and where.
    let bad = br#"{"customer": "X", "sold": "Y", "contract_date": "someday"}"#.to_vec();
    let (s, p) = common::parse(
        post(sign(&secret, now, &bad), now, "deal-46", bad)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a bad value: {p:#}");
    assert_eq!(p["errors"][0]["field"], "contract_date");
    // Exactly one project came of it all.
    let (_, list) = m.get("/api/v1/projects").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    // After rotation, the old secret is refused.
    let (s, _) = m
        .post("/api/v1/settings/webhook/rotate", serde_json::json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = common::parse(
        post(sign(&secret, now, &body), now, "deal-47", body.clone())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
