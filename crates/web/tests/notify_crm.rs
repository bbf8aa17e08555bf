//! The CRM webhook in HubSpot's and Salesforce's shapes: signed, fresh, mapped to the handoff
//! with the workspace's field mapping, and applied once per deal.
#![allow(clippy::unwrap_used)]

mod notify_support;

use finishline_web::api::webhooks::{
    hubspot_sign, sign, HUBSPOT_SIGNATURE_HEADER, HUBSPOT_TIMESTAMP_HEADER, SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
};
use notify_support::{spawn, Db};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn hubspot_and_salesforce_deals_become_projects_once() {
    let app = spawn(Db::Sqlite, "crm_shapes", false, vec![])
        .await
        .unwrap();
    let m = app.admin("Vendor A", "dana@vendor.test").await;
    let (_, settings) = m.get("/api/v1/settings/webhook").await;
    let secret = settings["secret"].as_str().unwrap().to_string();
    let http = reqwest::Client::new();

    // HubSpot: the deal record from a workflow webhook; the company name is in a custom
    // property this workspace maps.
    let (s, v) = m
        .put(
            "/api/v1/notify/settings",
            json!({"crm_mappings": {"hubspot": {"customer": "company"}}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v:#}");
    let path = format!("/api/v1/webhooks/crm/{}/hubspot", m.workspace.id);
    let url = format!("{}{path}", app.base);
    let deal = json!({
        "objectId": 9001,
        "properties": {
            "dealname": {"value": "Dispatch module, 25 seats"},
            "company": {"value": "Harbor Freight Lines"},
            "closedate": {"value": "1772323200000"},
            "segment": {"value": "Enterprise"},
            "implementation_owner_name": "Dana Reyes",
            "implementation_owner_email": "dana@vendor.test"
        }
    })
    .to_string();
    let hs = |body: &str, ts: i64, secret: &str| {
        http.post(&url)
            .header("content-type", "application/json")
            .header(
                HUBSPOT_SIGNATURE_HEADER,
                hubspot_sign(secret, "POST", &url, body.as_bytes(), ts),
            )
            .header(HUBSPOT_TIMESTAMP_HEADER, ts.to_string())
            .body(body.to_string())
            .send()
    };
    let now_ms = app.now().timestamp_millis();
    let r = hs(&deal, now_ms, &secret).await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    let project = v["project_id"].as_str().unwrap().to_string();
    let (_, p) = m.get(&format!("/api/v1/projects/{project}")).await;
    assert_eq!(p["project"]["customer"], "Harbor Freight Lines");
    assert_eq!(p["project"]["handoff"]["sold"], "Dispatch module, 25 seats");
    assert_eq!(p["project"]["handoff"]["contract_date"], "2026-03-01");
    assert_eq!(p["project"]["handoff"]["segment"], "enterprise");
    // HubSpot retries the same deal: nothing new.
    let r = hs(&deal, now_ms + 1000, &secret).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["created"].as_bool(), v["project_id"].as_str()),
        (Some(false), Some(project.as_str()))
    );
    // Forged, stale and unsigned deliveries are refused.
    assert_eq!(
        hs(&deal, now_ms, "wrong").await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        hs(&deal, now_ms - 3_600_000, &secret)
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    let r = http
        .post(&url)
        .header("content-type", "application/json")
        .body(deal.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // A deal without the mapped fields is a 400 naming the handoff field.
    let bare = json!({"objectId": 9002, "properties": {"dealname": "x"}}).to_string();
    let r = hs(&bare, now_ms, &secret).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["errors"][0]["field"], "customer", "{v:#}");

    // Salesforce: the Opportunity as JSON, signed with our scheme.
    let url = format!(
        "{}/api/v1/webhooks/crm/{}/salesforce",
        app.base, m.workspace.id
    );
    let opp = json!({"sobject": {
        "Id": "0065g00000XyZ",
        "Name": "Dispatch module, 10 seats",
        "CloseDate": "2026-02-27",
        "Account": {"Name": "Clearwater Clinics"},
        "Owner": {"Name": "Ava Sales"},
        "Champion__c": "Lee"
    }})
    .to_string();
    let ts = app.now().timestamp();
    let sf = |ts: i64| {
        http.post(&url)
            .header("content-type", "application/json")
            .header(SIGNATURE_HEADER, sign(&secret, ts, opp.as_bytes()))
            .header(TIMESTAMP_HEADER, ts.to_string())
            .body(opp.clone())
            .send()
    };
    let r = sf(ts).await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    let (_, p) = m
        .get(&format!(
            "/api/v1/projects/{}",
            v["project_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(p["project"]["customer"], "Clearwater Clinics");
    assert_eq!(p["project"]["handoff"]["account_executive"], "Ava Sales");
    assert_eq!(p["project"]["handoff"]["champion"], "Lee");
    assert_eq!(
        sf(ts).await.unwrap().status(),
        StatusCode::OK,
        "replayed: applied once"
    );
    assert_eq!(
        sf(ts - 3600).await.unwrap().status(),
        StatusCode::FORBIDDEN,
        "stale"
    );

    // Mappings name handoff fields only.
    let (s, _) = m
        .put(
            "/api/v1/notify/settings",
            json!({"crm_mappings": {"hubspot": {"price": "amount"}}}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
