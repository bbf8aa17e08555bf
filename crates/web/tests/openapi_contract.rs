//! The OpenAPI document tells the truth about the server: every route is in it, every error is
//! documented as problem+json, maps have string keys, integers have the range the server takes,
//! and what the server answers to a few plain requests on every operation is documented.
//! (`scripts/schemathesis.sh` fuzzes the same document much harder; this is the fast guard.)
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use common::{handoff, spawn, Backend};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];
const PROBLEM: &str = "application/problem+json";

async fn document() -> Value {
    let app = spawn(Backend::Sqlite, "openapi_contract").await.unwrap();
    let r = app
        .anonymous()
        .get(format!("{}/api/v1/openapi.json", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// Every (method, path, operation) of the document.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                out.push((method.to_string(), path.clone(), op.clone()));
            }
        }
    }
    out
}

/// The routes of `api::router`, read from its source: `.route("/x", get(a).post(b))`.
fn routes_in_source() -> BTreeSet<String> {
    let src = include_str!("../src/api/mod.rs");
    let mut out = BTreeSet::new();
    for chunk in src.split(".route(").skip(1) {
        let Some(rest) = chunk.trim_start().strip_prefix('"') else {
            continue;
        };
        let Some((path, calls)) = rest.split_once('"') else {
            continue;
        };
        // The handlers end where the next builder call starts.
        let calls = calls
            .split(".merge(")
            .next()
            .unwrap()
            .split(".layer(DefaultBodyLimit::max(json_limit))")
            .next()
            .unwrap();
        for method in METHODS {
            let needle = format!("{method}(");
            let found = calls.match_indices(&needle).any(|(i, _)| {
                i == 0 || !calls[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
            });
            if found {
                out.insert(format!("{} /api/v1{path}", method.to_uppercase()));
            }
        }
    }
    out
}

#[tokio::test]
async fn every_route_of_the_api_is_in_the_document() {
    let doc = document().await;
    let documented: BTreeSet<String> = operations(&doc)
        .into_iter()
        .map(|(m, p, _)| format!("{} {p}", m.to_uppercase()))
        .collect();
    let routed = routes_in_source();
    assert!(routed.len() >= 40, "read only {routed:?}");
    let missing: Vec<_> = routed.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "routes missing from the document: {missing:?}"
    );
    let phantom: Vec<_> = documented.difference(&routed).collect();
    assert!(phantom.is_empty(), "documented but not routed: {phantom:?}");
}

#[tokio::test]
async fn every_error_answer_is_documented_as_problem_json() {
    let doc = document().await;
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    for (method, path, op) in operations(&doc) {
        let responses = op["responses"].as_object().unwrap();
        assert!(responses.contains_key("500"), "{method} {path}: no 500");
        for (status, response) in responses {
            if !(status.starts_with('4') || status.starts_with('5')) {
                continue;
            }
            let content = &response["content"];
            assert!(
                content[PROBLEM]["schema"]["$ref"] == "#/components/schemas/Problem",
                "{method} {path} {status}: not problem+json: {response}"
            );
            assert!(
                content.get("application/json").is_none(),
                "{method} {path} {status}: an error documented as application/json"
            );
        }
    }
}

#[tokio::test]
async fn every_operation_documents_the_errors_its_kind_answers() {
    let doc = document().await;
    for (method, path, op) in operations(&doc) {
        let has = |s: &str| op["responses"].get(s).is_some();
        let open = op["security"].as_array().is_some_and(|s| {
            s.iter()
                .any(|r| r.as_object().is_some_and(|o| o.is_empty()))
        });
        if !open {
            assert!(has("401") && has("400"), "{method} {path}: 401/400");
        }
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        if params.iter().any(|p| p["in"] == "path") {
            assert!(has("404"), "{method} {path}: 404 for an unknown id");
        }
        if let Some(content) = op["requestBody"]["content"].as_object() {
            assert!(has("413"), "{method} {path}: 413 over the body limit");
            if content.contains_key("application/json") {
                assert!(has("415") && has("422"), "{method} {path}: 415/422");
            }
        }
    }
}

#[tokio::test]
async fn the_problem_schema_is_rfc_9457_with_field_errors() {
    let doc = document().await;
    let p = &doc["components"]["schemas"]["Problem"];
    let required: BTreeSet<&str> = p["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for field in ["type", "title", "status", "detail"] {
        assert!(required.contains(field), "Problem.{field} required: {p}");
    }
    assert!(
        !required.contains("errors"),
        "errors is left out when empty"
    );
    assert_eq!(p["properties"]["type"]["format"], "uri");
    let field_error = &doc["components"]["schemas"]["FieldError"];
    assert!(
        field_error["properties"]["field"].is_object(),
        "{field_error}"
    );
}

/// Walks every schema object of the document.
fn walk<'a>(
    v: &'a Value,
    at: String,
    f: &mut impl FnMut(&str, &'a serde_json::Map<String, Value>),
) {
    match v {
        Value::Object(o) => {
            f(&at, o);
            for (k, child) in o {
                walk(child, format!("{at}/{k}"), f);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                walk(child, format!("{at}/{i}"), f);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn maps_have_string_keys_and_integers_the_range_the_server_takes() {
    let doc = document().await;
    let mut bad = Vec::new();
    walk(&doc, String::new(), &mut |at, o| {
        if let Some(names) = o.get("propertyNames") {
            if names["type"] != "string" {
                bad.push(format!("{at}: map keys are JSON strings, not {names}"));
            }
        }
        let is_int = o.get("type").is_some_and(|t| {
            t == "integer"
                || t.as_array()
                    .is_some_and(|a| a.iter().any(|x| x == "integer"))
        });
        if is_int && o.get("format").and_then(Value::as_str) == Some("int32") {
            // An int32 the server reads as u32 would accept 2^31: it needs a real maximum.
            let max = o.get("maximum").and_then(Value::as_f64);
            if !max.is_some_and(|m| m <= f64::from(i32::MAX)) {
                bad.push(format!("{at}: int32 without a maximum within int32"));
            }
        }
    });
    assert!(bad.is_empty(), "{bad:#?}");
    let ball = &doc["components"]["schemas"]["BallReport"]["properties"];
    for map in ["tasks", "current"] {
        assert_eq!(ball[map]["type"], "object", "{ball}");
        assert_eq!(ball[map]["propertyNames"]["type"], "string", "{ball}");
        assert_eq!(ball[map]["propertyNames"]["pattern"], "^[0-9]+$", "{ball}");
    }
}

/// A path of the document with its parameters filled in.
fn url_of(path: &str, project: &str, ws: &str) -> String {
    path.replace("{id}", project)
        .replace("{workspace_id}", ws)
        .replace("{file_id}", "nope")
        .replace("{hook_id}", "nope")
        .replace("{key}", "nope")
        .replace("{token}", "nope")
}

#[tokio::test]
async fn plain_requests_to_every_operation_get_documented_answers() {
    let app = spawn(Backend::Sqlite, "openapi_contract_answers")
        .await
        .unwrap();
    let a = app.workspace("Vendor A", "alice@a.test").await;
    let (s, v) = a.post("/api/v1/projects", handoff("Contract Co")).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let project = v["project"]["id"].as_str().unwrap().to_string();
    let (_, doc) = a.get("/api/v1/openapi.json").await;
    let mut undocumented = Vec::new();
    for (method, path, op) in operations(&doc) {
        if path == "/api/v1/tokens/{id}" && method == "delete" {
            continue; // would revoke the token the rest of the test uses
        }
        let url = url_of(&path, &project, &a.workspace.id);
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        // With credentials and an empty JSON object, without credentials, and with a body in a
        // content type no operation reads.
        let tries = [
            ("member, {}", a.req(m.clone(), &url).json(&json!({}))),
            (
                "anonymous",
                app.anonymous()
                    .request(m.clone(), format!("{}{url}", app.base)),
            ),
            (
                "member, text/x-nonsense",
                a.req(m.clone(), &url)
                    .header("content-type", "text/x-nonsense")
                    .body("\u{1}\u{2}"),
            ),
        ];
        for (how, req) in tries {
            let r = req.send().await.unwrap();
            let status = r.status();
            let ct = r
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let documented = &op["responses"][status.as_str()];
            let media = ct.split(';').next().unwrap_or("").trim().to_string();
            if documented.is_null() {
                undocumented.push(format!("{method} {path} ({how}): {status} undocumented"));
            } else if !documented["content"].is_null()
                && documented["content"].get(&media).is_none()
            {
                undocumented.push(format!(
                    "{method} {path} ({how}): {status} as {media}, documented {}",
                    documented["content"]
                ));
            }
            assert!(
                !status.is_server_error(),
                "{method} {path} ({how}): {status}"
            );
        }
    }
    assert!(undocumented.is_empty(), "{undocumented:#?}");
}

/// The whole document as a golden: moving code between crates must not change what the API
/// promises. A deliberate change of the API updates `snapshots/` in the same commit.
#[tokio::test]
async fn the_document_is_the_golden() {
    let doc = document().await;
    let pretty = serde_json::to_string_pretty(&doc).unwrap();
    insta::assert_snapshot!("openapi", pretty);
}
