//! The OpenAPI document as served: what `ApiDoc` derives, made to say what the server does.
//!
//! The `#[utoipa::path]` attributes name each operation's own answers (a 403 for admins only, a
//! 409 for a wrong stage, a 422 for a refused command…). What every operation shares is added
//! here, in one place, from what the operation declares:
//!
//! - every error answer is `application/problem+json` with the `Problem` schema;
//! - an operation that needs a member answers 401 without credentials and 400 for an
//!   `Authorization` header that is not `Bearer <token>`;
//! - an operation with parameters answers 400 when one does not parse, and 404 for an unknown id
//!   in its path;
//! - an operation with a body answers 400 and 413 (over the body limit); a JSON or form body also
//!   415 (another content type) and 422 (a value that does not fit, named by its path);
//! - any operation can answer 500, a bare problem that reveals nothing.
//!
//! utoipa writes Rust's `u32` as `format: int32` with `minimum: 0`, which is not what the server
//! accepts (serde takes any value up to 4294967295): such integers become `int64` with that
//! maximum, so a client and a fuzzer see the real range.

use std::sync::OnceLock;

use serde_json::{json, Map, Value};
use utoipa::OpenApi;

use super::ApiDoc;

/// Raw bytes: an upload's body or a download's answer.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct Binary(pub Vec<u8>);

/// The content type of every error answer (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The largest value a `u32` field takes.
const U32_MAX: u64 = u32::MAX as u64;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The document served at `/api/v1/openapi.json`.
pub fn document() -> Value {
    let mut doc = match serde_json::to_value(ApiDoc::openapi()) {
        Ok(doc) => doc,
        // utoipa's types always serialise; an empty document would fail every contract test.
        Err(_) => return json!({}),
    };
    widen_unsigned(&mut doc);
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        state_what_utoipa_cannot(schemas);
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for method in METHODS {
                if let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) {
                    add_common_responses(op);
                }
            }
        }
    }
    doc
}

/// The served document's bytes, built once.
pub fn document_bytes() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| serde_json::to_vec(&document()).unwrap_or_default())
}

/// `u32` as utoipa writes it (`integer`, `int32`, minimum 0, no maximum) becomes the range serde
/// accepts.
fn widen_unsigned(v: &mut Value) {
    match v {
        Value::Object(o) => {
            let is_integer = match o.get("type") {
                Some(Value::String(t)) => t == "integer",
                Some(Value::Array(ts)) => ts.iter().any(|t| t == "integer"),
                _ => false,
            };
            if is_integer
                && o.get("format").and_then(Value::as_str) == Some("int32")
                && o.get("minimum")
                    .and_then(Value::as_f64)
                    .is_some_and(|m| m >= 0.0)
                && !o.contains_key("maximum")
            {
                o.insert("format".into(), json!("int64"));
                o.insert("maximum".into(), json!(U32_MAX));
            }
            for child in o.values_mut() {
                widen_unsigned(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(widen_unsigned),
        _ => {}
    }
}

/// Constraints the server checks that utoipa's attributes cannot place.
fn state_what_utoipa_cannot(schemas: &mut Map<String, Value>) {
    // A bare array of usage events holds 1 to 1000, like the wrapped one.
    if let Some(variants) = schemas
        .get_mut("UsageBatch")
        .and_then(|s| s.get_mut("oneOf"))
        .and_then(Value::as_array_mut)
    {
        for v in variants.iter_mut().filter(|v| v["type"] == "array") {
            v["minItems"] = json!(1);
            v["maxItems"] = json!(1000);
        }
    }
    // An empty upload is refused.
    if let Some(binary) = schemas.get_mut("Binary").and_then(Value::as_object_mut) {
        binary.insert("minLength".into(), json!(1));
    }
    // Webhook events are the ones the server sends.
    if let Some(items) = schemas
        .get_mut("NewEndpoint")
        .and_then(|s| s.pointer_mut("/properties/events/items"))
        .and_then(Value::as_object_mut)
    {
        items.insert(
            "enum".into(),
            json!(finishline_app::notify::hooks::EVENT_TYPES),
        );
    }
    // Reminder days are 1 to 365.
    if let Some(props) = schemas
        .get_mut("Cadence")
        .and_then(|s| s.get_mut("properties"))
        .and_then(Value::as_object_mut)
    {
        for days in ["before_days", "after_days"] {
            if let Some(items) = props.get_mut(days).and_then(|d| d.get_mut("items")) {
                items["minimum"] = json!(1);
                items["maximum"] = json!(365);
            }
        }
    }
    // CRM mappings: per source, handoff field → CRM property.
    if let Some(m) = schemas
        .get_mut("NotifySettings")
        .and_then(|s| s.pointer_mut("/properties/crm_mappings"))
        .and_then(Value::as_object_mut)
    {
        m.insert(
            "propertyNames".into(),
            json!({"type": "string", "enum": ["hubspot", "salesforce", "salesforce_outbound"]}),
        );
        if let Some(inner) = m
            .get_mut("additionalProperties")
            .and_then(Value::as_object_mut)
        {
            inner.insert(
                "propertyNames".into(),
                json!({"type": "string", "enum": finishline_app::handoffs::HANDOFF_FIELDS}),
            );
        }
    }
    // Task ids as JSON object keys: decimal strings.
    if let Some(props) = schemas
        .get_mut("BallReport")
        .and_then(|s| s.get_mut("properties"))
        .and_then(Value::as_object_mut)
    {
        for map in ["tasks", "current"] {
            if let Some(m) = props.get_mut(map).and_then(Value::as_object_mut) {
                m.insert(
                    "propertyNames".into(),
                    json!({"type": "string", "pattern": "^[0-9]+$"}),
                );
            }
        }
    }
    // A time zone is one of the IANA names the server knows.
    if let Some(tz) = schemas
        .get_mut("Preferences")
        .and_then(|s| s.pointer_mut("/properties/time_zone"))
        .and_then(Value::as_object_mut)
    {
        let names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
        tz.insert("enum".into(), json!(names));
    }
}

/// What an error status means when the operation's attribute does not say more.
fn describe(status: &str) -> &'static str {
    match status {
        "400" => "Invalid input: a parameter, header or body that does not parse; `errors[].field` names it",
        "401" => "Not signed in: send `Authorization: Bearer <token>` or the session cookie",
        "403" => "Not allowed",
        "404" => "Not found: an id in the path names nothing in this workspace",
        "409" => "Conflict with the current state",
        "413" => "The body is over the limit (1 MiB for JSON, 25 MiB for uploads)",
        "415" => "The body's Content-Type is not the one this operation reads",
        "422" => "A value that does not fit or a refused change; `errors[].field` holds its path",
        "429" => "Too many attempts: wait and try again",
        "503" => "Busy: try again shortly",
        "500" => "Internal error: logged, and answered without details",
        _ => "Error",
    }
}

fn problem_content() -> Value {
    json!({ PROBLEM_JSON: { "schema": { "$ref": "#/components/schemas/Problem" } } })
}

/// Adds the statuses every operation of its kind answers, and makes every error answer
/// problem+json (keeping another content type an operation declares, such as SOAP's text/xml).
fn add_common_responses(op: &mut Map<String, Value>) {
    let secured = match op.get("security") {
        // `security(())`: no credentials needed.
        Some(Value::Array(reqs)) => !reqs
            .iter()
            .any(|r| r.as_object().is_some_and(Map::is_empty)),
        _ => true,
    };
    let params: Vec<&Value> = op
        .get("parameters")
        .and_then(Value::as_array)
        .map(|ps| ps.iter().collect())
        .unwrap_or_default();
    let has_params = !params.is_empty();
    let has_path_params = params
        .iter()
        .any(|p| p.get("in").and_then(Value::as_str) == Some("path"));
    let body_types: Vec<String> = op
        .get("requestBody")
        .and_then(|b| b.get("content"))
        .and_then(Value::as_object)
        .map(|c| c.keys().cloned().collect())
        .unwrap_or_default();
    let structured_body = body_types.iter().any(|t| {
        t == "application/json" || t.ends_with("+json") || t == "application/x-www-form-urlencoded"
    });

    let mut add = vec!["500"];
    if secured {
        add.extend(["400", "401"]);
    }
    if has_params {
        add.push("400");
    }
    if has_path_params {
        add.push("404");
    }
    if !body_types.is_empty() {
        add.extend(["400", "413"]);
    }
    if structured_body {
        add.extend(["415", "422"]);
    }

    let responses = op
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    let Some(responses) = responses else {
        return;
    };
    for status in add {
        responses
            .entry(status)
            .or_insert_with(|| json!({ "description": describe(status) }));
    }
    for (status, response) in responses.iter_mut() {
        let is_error = status.starts_with('4') || status.starts_with('5');
        let Some(response) = response.as_object_mut().filter(|_| is_error) else {
            continue;
        };
        let content = response
            .entry("content")
            .or_insert_with(|| json!({}))
            .as_object_mut();
        let Some(content) = content else {
            continue;
        };
        content.remove("application/json");
        if let Some(Value::Object(problem)) = problem_content().get(PROBLEM_JSON) {
            content.insert(PROBLEM_JSON.into(), Value::Object(problem.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_u32_gets_the_range_serde_accepts() {
        let mut v = json!({"type": "integer", "format": "int32", "minimum": 0});
        widen_unsigned(&mut v);
        assert_eq!(
            v,
            json!({"type": "integer", "format": "int64", "minimum": 0, "maximum": 4294967295u64})
        );
    }

    #[test]
    fn a_bounded_integer_is_left_alone() {
        let mut v = json!({"type": "integer", "format": "int32", "minimum": 100, "maximum": 599});
        let before = v.clone();
        widen_unsigned(&mut v);
        assert_eq!(v, before);
    }

    #[test]
    fn an_error_answer_becomes_problem_json() {
        let mut op = json!({
            "parameters": [{"name": "id", "in": "path"}],
            "responses": {"200": {"description": "ok"}, "404": {"description": "x",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}}
        });
        let op = op.as_object_mut().map(|op| {
            add_common_responses(op);
            op.clone()
        });
        let op = Value::Object(op.unwrap_or_default());
        assert!(op["responses"]["404"]["content"]["application/json"].is_null());
        assert!(op["responses"]["404"]["content"][PROBLEM_JSON].is_object());
        assert!(op["responses"]["401"]["content"][PROBLEM_JSON].is_object());
        assert!(op["responses"]["500"].is_object());
        assert!(op["responses"]["413"].is_null(), "no body, no 413");
    }
}
