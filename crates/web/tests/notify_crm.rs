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

/// An Outbound Message envelope as Salesforce sends it, with one `Notification` per
/// Opportunity given as (Id, Name, Account_Name__c, SystemModstamp).
fn outbound(org: &str, opps: &[(&str, &str, &str, &str)]) -> String {
    let notifications: String = opps
        .iter()
        .enumerate()
        .map(|(i, (id, name, account, modstamp))| {
            format!(
                r#"<Notification><Id>04l5g0000000{i:03}AAA</Id>
<sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
<sf:Id>{id}</sf:Id><sf:Account_Name__c>{account}</sf:Account_Name__c>
<sf:CloseDate>2026-02-27</sf:CloseDate><sf:Name>{name}</sf:Name>
<sf:Owner_Name__c>Ava Sales</sf:Owner_Name__c><sf:Champion__c xsi:nil="true"/>
<sf:SystemModstamp>{modstamp}</sf:SystemModstamp></sObject></Notification>"#
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound">
<OrganizationId>{org}</OrganizationId><ActionId>04k5g000000xyzAAA</ActionId>
<SessionId xsi:nil="true"/><EnterpriseUrl>https://example.my.salesforce.com/services/Soap/c/60.0/00D5g000004abcd</EnterpriseUrl>
{notifications}</notifications></soapenv:Body></soapenv:Envelope>"#
    )
}

#[tokio::test]
async fn salesforce_outbound_messages_become_projects_once() {
    let app = spawn(Db::Sqlite, "crm_outbound", false, vec![])
        .await
        .unwrap();
    let m = app.admin("Vendor A", "dana@vendor.test").await;
    let (_, settings) = m.get("/api/v1/settings/webhook").await;
    let path = settings["salesforce_outbound_path"].as_str().unwrap();
    assert!(path.starts_with(&format!(
        "/api/v1/webhooks/crm/{}/salesforce/outbound/",
        m.workspace.id
    )));
    let url = format!("{}{path}", app.base);
    let http = reqwest::Client::new();
    let post = |url: String, body: String| {
        http.post(url)
            .header("content-type", "text/xml; charset=utf-8")
            .header("SOAPAction", "\"\"")
            .body(body)
            .send()
    };
    let project_count = || async {
        let (_, v) = m.get("/api/v1/projects?limit=1000").await;
        v.as_array().unwrap().len()
    };
    let org = "00D5g000004abcdEAA";
    let fresh = (app.now() - chrono::Duration::minutes(5)).to_rfc3339();
    let one = outbound(
        org,
        &[(
            "0065g00000AAA01",
            "Routing, 10 seats",
            "Clearwater Clinics",
            &fresh,
        )],
    );

    // Acknowledged with the SOAP Ack Salesforce waits for, and the project exists.
    let r = post(url.clone(), one.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/xml"));
    let text = r.text().await.unwrap();
    assert!(text.contains("<Ack>true</Ack>"), "{text}");
    assert_eq!(project_count().await, 1);
    let (_, list) = m.get("/api/v1/projects").await;
    let id = list[0]["id"].as_str().unwrap();
    let (_, p) = m.get(&format!("/api/v1/projects/{id}")).await;
    assert_eq!(p["project"]["customer"], "Clearwater Clinics");
    assert_eq!(p["project"]["handoff"]["sold"], "Routing, 10 seats");
    assert_eq!(p["project"]["handoff"]["account_executive"], "Ava Sales");

    // Salesforce resends until acknowledged: a resend is acknowledged and creates nothing.
    let r = post(url.clone(), one.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(project_count().await, 1);

    // A wrong key is a SOAP fault with 403, as is another workspace's key.
    let wrong = format!(
        "{}{}",
        url.trim_end_matches(|c: char| c != '/'),
        "0".repeat(32)
    );
    let r = post(wrong, one.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("<faultcode>soapenv:Client</faultcode>"),
        "{text}"
    );

    // Once the workspace names its Salesforce organisation, other organisations are refused;
    // the 15-character form of the id matches the 18-character one.
    let (s, v) = m
        .put(
            "/api/v1/notify/settings",
            json!({"salesforce_org_id": "00D5g000004abcd"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v:#}");
    let other_org = outbound(
        "00D5g000009zzzzEAA",
        &[("0065g00000AAA02", "Other", "Other Co", &fresh)],
    );
    let r = post(url.clone(), other_org).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("00D5g000009zzzzEAA"));
    let (s, _) = m
        .put(
            "/api/v1/notify/settings",
            json!({"salesforce_org_id": "not an id"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // A record last modified beyond Salesforce's 24-hour retry window is stale.
    let old = (app.now() - chrono::Duration::hours(30)).to_rfc3339();
    let stale = outbound(org, &[("0065g00000AAA03", "Old", "Old Co", &old)]);
    assert_eq!(
        post(url.clone(), stale).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );

    // Malformed XML, another shape, and an entity-expanding DTD are SOAP faults with 400.
    for body in [
        "<soapenv:Envelope".to_string(),
        r#"{"sobject": {"Id": "x"}}"#.to_string(),
        r#"<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "bbbbbbbb"><!ENTITY c "&b;&b;&b;&b;">]><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>&c;</soapenv:Body></soapenv:Envelope>"#.to_string(),
    ] {
        let r = post(url.clone(), body.clone()).await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{body}");
        let text = r.text().await.unwrap();
        assert!(text.contains("<soapenv:Fault>"), "{text}");
    }

    // A batch with one bad Opportunity (no account name) applies none of it.
    let batch = outbound(
        org,
        &[
            ("0065g00000AAA04", "Good one", "Good Co", &fresh),
            ("0065g00000AAA05", "Bad one", "", &fresh),
        ],
    );
    let r = post(url.clone(), batch).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let text = r.text().await.unwrap();
    assert!(text.contains("0065g00000AAA05"), "{text}");
    assert_eq!(project_count().await, 1);

    // A good batch of two makes two projects.
    let batch = outbound(
        org,
        &[
            ("0065g00000AAA04", "Good one", "Good Co", &fresh),
            ("0065g00000AAA06", "Good two", "Second Co", &fresh),
        ],
    );
    let r = post(url.clone(), batch).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(project_count().await, 3);

    // Rotating the secret moves the endpoint: the old path stops working.
    let (s, rotated) = m.post("/api/v1/settings/webhook/rotate", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{rotated:#}");
    assert_ne!(rotated["salesforce_outbound_path"].as_str(), Some(path));
    assert_eq!(
        post(url.clone(), one).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
}
