//! Untrusted input never hurts the server: what an attacker sent, each answered with a 4xx that
//! says what is wrong and where, the server still answering afterwards, and nothing written.
#![allow(clippy::unwrap_used)]

mod common;

use common::web::{csrf_of, Web};
use common::{handoff, spawn, Backend, MemberClient, TestApp};
use finishline_web::api::webhooks::{
    hubspot_sign, sign, DELIVERY_HEADER, HUBSPOT_SIGNATURE_HEADER, HUBSPOT_TIMESTAMP_HEADER,
    SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn healthy(app: &TestApp) {
    let r = reqwest::get(format!("{}/healthz", app.base)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the server still answers");
}

/// The workspace's projects, as ids.
async fn projects(m: &MemberClient) -> Vec<String> {
    let (s, v) = m.get("/api/v1/projects?limit=1000").await;
    assert_eq!(s, StatusCode::OK);
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect()
}

async fn new_project(m: &MemberClient, customer: &str) -> String {
    let (s, v) = m.post("/api/v1/projects", handoff(customer)).await;
    assert_eq!(s, StatusCode::CREATED, "{v:#}");
    v["project"]["id"].as_str().unwrap().to_string()
}

fn envelope(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"#
    )
}

#[tokio::test]
async fn nested_or_huge_xml_to_the_outbound_endpoint_is_refused_before_parsing() {
    let app = spawn(Backend::Sqlite, "hostile_xml").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let (_, settings) = m.get("/api/v1/settings/webhook").await;
    let url = format!(
        "{}{}",
        app.base,
        settings["salesforce_outbound_path"].as_str().unwrap()
    );
    let http = reqwest::Client::new();
    let send = |xml: String| {
        http.post(&url)
            .header("content-type", "text/xml; charset=utf-8")
            .body(xml)
            .send()
    };

    // 5,000 nested elements (~35 KB): this used to overflow the stack and abort the process.
    let nested = envelope(&format!("{}{}", "<a>".repeat(5000), "</a>".repeat(5000)));
    assert!(nested.len() < 40_000);
    let r = send(nested).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/xml"));
    let fault = r.text().await.unwrap();
    assert!(
        fault.contains("soapenv:Client")
            && fault.contains("5002 levels deep")
            && fault.contains("at most 32"),
        "the fault names the limit and the depth found: {fault}"
    );
    healthy(&app).await;

    // Many flat elements: the count, not the depth, is over.
    let flat = envelope(&"<a/>".repeat(25_000));
    let r = send(flat).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let fault = r.text().await.unwrap();
    assert!(
        fault.contains("25002 elements") && fault.contains("at most 20000"),
        "{fault}"
    );

    // Markup that hides tags in comments, CDATA and attribute values is not miscounted, and a
    // DTD is still refused.
    let tricky = envelope(&format!(
        "<!-- {} --><![CDATA[{}]]><x a=\"{}\"/>",
        "<a>".repeat(100),
        "<a>".repeat(100),
        "&lt;a>".repeat(10)
    ));
    let r = send(tricky).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let fault = r.text().await.unwrap();
    assert!(
        fault.contains("notifications"),
        "read, then refused: {fault}"
    );
    let dtd = format!(
        r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "{}">]>{}"#,
        "a".repeat(10),
        envelope("&a;")
    );
    let r = send(dtd).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("DTD"));

    healthy(&app).await;
    assert!(projects(&m).await.is_empty(), "nothing was created");
}

/// `{"a": [[[…]]]}` nested `levels` deep.
fn deep_json(levels: usize) -> Vec<u8> {
    format!(
        "{{\"customer\": {}{}}}",
        "[".repeat(levels),
        "]".repeat(levels)
    )
    .into_bytes()
}

fn assert_too_deep(s: StatusCode, p: &Value, what: &str) {
    assert_eq!(s, StatusCode::BAD_REQUEST, "{what}: {p:#}");
    assert_eq!(p["errors"][0]["field"], "body", "{what}: {p:#}");
    let detail = p["detail"].as_str().unwrap();
    assert!(detail.contains("at most 64"), "{what}: {detail}");
}

#[tokio::test]
async fn deeply_nested_json_is_refused_on_every_webhook_and_on_commands() {
    let app = spawn(Backend::Sqlite, "hostile_json").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let id = new_project(&m, "Haulers Ltd").await;
    let before = m.project(&id).await;
    let (_, settings) = m.get("/api/v1/settings/webhook").await;
    let secret = settings["secret"].as_str().unwrap().to_string();
    let ws = &m.workspace.id;
    let now = app.clock_now().timestamp();
    let http = reqwest::Client::new();
    let body = deep_json(5000);

    // Our own webhook and the Salesforce JSON one share the signature scheme.
    for path in [
        format!("/api/v1/webhooks/crm/{ws}"),
        format!("/api/v1/webhooks/crm/{ws}/salesforce"),
    ] {
        let r = http
            .post(format!("{}{path}", app.base))
            .header("content-type", "application/json")
            .header(SIGNATURE_HEADER, sign(&secret, now, &body))
            .header(TIMESTAMP_HEADER, now.to_string())
            .header(DELIVERY_HEADER, "deep-1")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let (s, p) = common::parse(r).await;
        assert_too_deep(s, &p, &path);
    }
    let hubspot = format!("{}/api/v1/webhooks/crm/{ws}/hubspot", app.base);
    let ms = app.clock_now().timestamp_millis();
    let r = http
        .post(&hubspot)
        .header("content-type", "application/json")
        .header(
            HUBSPOT_SIGNATURE_HEADER,
            hubspot_sign(&secret, "POST", &hubspot, &body, ms),
        )
        .header(HUBSPOT_TIMESTAMP_HEADER, ms.to_string())
        .body(body.clone())
        .send()
        .await
        .unwrap();
    let (s, p) = common::parse(r).await;
    assert_too_deep(s, &p, "hubspot");

    // Every JSON endpoint reads its body the same way: commands, handoffs, tokens.
    for path in [
        format!("/api/v1/projects/{id}/commands"),
        "/api/v1/projects".to_string(),
        "/api/v1/tokens".to_string(),
    ] {
        let r = m
            .req(Method::POST, &path)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let (s, p) = common::parse(r).await;
        assert_too_deep(s, &p, &path);
    }
    // Just under the limit is parsed (and refused for what it holds, not for its depth).
    let (s, p) = common::parse(
        m.req(Method::POST, &format!("/api/v1/projects/{id}/commands"))
            .header("content-type", "application/json")
            .body(deep_json(63))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p:#}");

    healthy(&app).await;
    assert_eq!(
        projects(&m).await,
        vec![id.clone()],
        "no project was created"
    );
    let after = m.project(&id).await;
    assert_eq!(before["version"], after["version"]);
}

#[tokio::test]
async fn a_bad_value_is_422_naming_its_path_and_malformed_json_is_400() {
    let app = spawn(Backend::Sqlite, "hostile_values").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let id = new_project(&m, "Haulers Ltd").await;
    let before = m.project(&id).await;
    let cmds = format!("/api/v1/projects/{id}/commands");

    let cases = [
        (json!({"action": "complete_task", "task": "ten"}), "task"),
        (
            json!({"action": "complete_task", "task": 1, "completed_by": -3}),
            "completed_by",
        ),
        (
            json!({"action": "complete_task", "task": 1, "proof": {"kind": "file", "value": 7}}),
            "proof.value",
        ),
        (
            json!({"action": "complete_task", "task": 1, "proof": {"kind": "fax", "value": "x"}}),
            "proof.kind",
        ),
        (
            json!({"action": "set_next_meeting", "date": "2026-02-30"}),
            "date",
        ),
        (
            json!({"action": "add_person", "name": "A", "email": "a@b.test", "side": "vendor", "role": "boss"}),
            "role",
        ),
        (
            json!({"action": "set_finish_line", "text": "x", "colour": "red"}),
            "colour",
        ),
        (json!({"action": "complete_task"}), "task"),
        (json!({"action": "launch_rockets"}), "action"),
        (json!({"task": 3}), "action"),
    ];
    for (cmd, field) in cases {
        let (s, p) = m.post(&cmds, cmd.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{cmd}: {p:#}");
        assert_eq!(p["errors"][0]["field"], field, "{cmd}: {p:#}");
        assert_eq!(p["type"], "urn:finishline:problem:invalid-value");
    }
    // The same extractor everywhere: handoffs, tokens.
    let (s, p) = m
        .post(
            "/api/v1/projects",
            json!({"customer": "X", "sold": "Y", "contract_date": "yesterday"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["errors"][0]["field"], "contract_date", "{p:#}");
    let mut h = handoff("X");
    h["promises"] = json!([{"text": "a"}, {"text": "b", "class": "maybe"}]);
    let (s, p) = m.post("/api/v1/projects", h).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["errors"][0]["field"], "promises[1].class", "{p:#}");
    let (s, p) = m.post("/api/v1/tokens", json!({"name": 5})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["errors"][0]["field"], "name", "{p:#}");

    // Malformed JSON stays a 400 that says where.
    for bad in [&b"{\"action\": "[..], b"{\"action\": \"x\",}", b"[1, 2"] {
        let (s, p) = common::parse(
            m.req(Method::POST, &cmds)
                .header("content-type", "application/json")
                .body(bad.to_vec())
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{p:#}");
        assert!(p["detail"].as_str().unwrap().contains("line 1 column"));
    }

    healthy(&app).await;
    let after = m.project(&id).await;
    assert_eq!(before["version"], after["version"]);
    assert_eq!(before["project"], after["project"]);
}

#[tokio::test]
async fn file_names_with_control_characters_are_refused_and_stored_ones_still_download() {
    let app = spawn(Backend::Sqlite, "hostile_names").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let id = new_project(&m, "Haulers Ltd").await;
    let upload = |name: String| {
        let r = m
            .req(Method::POST, &format!("/api/v1/projects/{id}/files"))
            .query(&[("name", name)])
            .header("content-type", "text/plain")
            .body(b"proof".to_vec());
        async move { common::parse(r.send().await.unwrap()).await }
    };
    for name in [
        "bad\u{1}name.txt".to_string(),
        "line\r\nbreak.txt".to_string(),
        "nel\u{85}.txt".to_string(),
        format!("{}.txt", "a".repeat(300)),
    ] {
        let (s, p) = upload(name.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name:?}: {p:#}");
        assert_eq!(p["errors"][0]["field"], "name", "{p:#}");
    }
    let files = app.store.files(&m.workspace.id, &id).await.unwrap();
    assert!(files.is_empty(), "no refused upload was kept");
    let (s, ok) = upload("Überweisung 2026.txt".into()).await;
    assert_eq!(s, StatusCode::CREATED, "{ok:#}");

    // A name stored before names were checked still downloads, on the API and on the page.
    let stored = app
        .store
        .put_file(
            &m.workspace.id,
            &id,
            "old\u{1}\"name\"\r\né.txt",
            "text/plain",
            b"kept",
            "dana",
            app.clock_now(),
        )
        .await
        .unwrap();
    let r = m
        .req(
            Method::GET,
            &format!("/api/v1/projects/{id}/files/{}", stored.id),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cd = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(
        cd,
        "attachment; filename=\"old__name____.txt\"; filename*=UTF-8''old%01%22name%22%0D%0A%C3%A9.txt"
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"kept");
    let web = Web::new(&app);
    web.login("dana@vendor.test").await;
    let r = web
        .get_raw(&format!("/projects/{id}/files/{}", stored.id))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-disposition"].to_str().unwrap(), cd);

    // The pages' upload forms refuse such names too, saying which field, and keep nothing.
    let (_, page) = web.get(&format!("/projects/{id}")).await;
    let csrf = csrf_of(&page);
    let view = m.project(&id).await;
    let task = view["project"]["tasks"][0]["id"]
        .as_u64()
        .unwrap()
        .to_string();
    let long = format!("{}.pdf", "p".repeat(300));
    let form = Form::new()
        .text("csrf", csrf.clone())
        .text("_form", "complete_task")
        .text("task", task)
        .part(
            "proof_file",
            Part::bytes(b"proof".to_vec()).file_name(long.clone()),
        );
    let r = web
        .http
        .post(format!("{}/projects/{id}/actions/complete_task", app.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("at most 255"), "the page says why");
    let form = Form::new()
        .text("csrf", csrf.clone())
        .text("_form", "add_map")
        .text("name", "Orders")
        .part(
            "map_file",
            Part::bytes(b"{}".to_vec()).file_name(long.clone()),
        );
    let r = web
        .http
        .post(format!("{}/projects/{id}/data/maps", app.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("at most 255"));
    let files = app.store.files(&m.workspace.id, &id).await.unwrap();
    assert_eq!(files.len(), 2, "only the two accepted files are kept");
    healthy(&app).await;
}

#[tokio::test]
async fn dangling_or_foreign_file_ids_in_commands_are_refused_naming_the_field() {
    let app = spawn(Backend::Sqlite, "hostile_file_ids").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let other = app.workspace("Vendor B", "eve@other.test").await;
    let id = new_project(&m, "Haulers Ltd").await;
    let sibling = new_project(&m, "Clinic Group").await;
    let foreign = new_project(&other, "Elsewhere").await;
    let put = |client: &MemberClient, project: &str| {
        let r = client
            .req(
                Method::POST,
                &format!("/api/v1/projects/{project}/files?name=map.json"),
            )
            .header("content-type", "application/json")
            .body(b"{}".to_vec());
        async move {
            let (s, v) = common::parse(r.send().await.unwrap()).await;
            assert_eq!(s, StatusCode::CREATED, "{v:#}");
            v["id"].as_str().unwrap().to_string()
        }
    };
    let sibling_file = put(&m, &sibling).await;
    let foreign_file = put(&other, &foreign).await;
    let before = m.project(&id).await;
    let task = before["project"]["tasks"][0]["id"].as_u64().unwrap();

    for file in ["file_nope", sibling_file.as_str(), foreign_file.as_str()] {
        let p = m
            .refused(
                &id,
                json!({"action": "add_data_map", "name": "Orders", "file": file}),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        assert_eq!(p["errors"][0]["field"], "file", "{p:#}");
        assert!(p["detail"].as_str().unwrap().contains(file), "{p:#}");
        let p = m
            .refused(
                &id,
                json!({"action": "complete_task", "task": task, "proof": {"kind": "file", "value": file}}),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        assert_eq!(p["errors"][0]["field"], "proof.value", "{p:#}");
    }
    let own = put(&m, &id).await;
    let p = m
        .refused(
            &id,
            json!({"action": "add_data_map", "name": "Orders", "file": own, "sample": "file_gone"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(p["errors"][0]["field"], "sample", "{p:#}");
    let p = m
        .refused(
            &id,
            json!({"action": "submit_import_draft", "map": 1, "rows": 1, "errors": 0, "reviews": 0,
                   "clean_file": own, "report_file": foreign_file}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(p["errors"][0]["field"], "report_file", "{p:#}");

    let after = m.project(&id).await;
    assert_eq!(before["version"], after["version"]);
    assert_eq!(before["project"], after["project"]);
    // The project's own file is accepted.
    let view = m
        .ok(
            &id,
            json!({"action": "add_data_map", "name": "Orders", "file": own}),
        )
        .await;
    assert_eq!(view["project"]["data_maps"][0]["file"], own.as_str());
    healthy(&app).await;
}
