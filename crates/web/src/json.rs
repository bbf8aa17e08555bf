//! A JSON body extractor whose errors say where: the JSON path of the bad value, and why.
//!
//! Every JSON body (the API's and the CRM webhooks') goes through [`parse`]:
//! - nesting deeper than [`MAX_DEPTH`] is refused before anything is parsed (400, `body`);
//! - malformed JSON (a syntax error, a body cut short) is a 400 naming the line and column;
//! - well-formed JSON holding a bad value (a wrong type, an unknown field or variant, a missing
//!   field) is a 422 naming the path of the value (`handoff.contract_date`, `task`).
//!
//! serde loses the path inside internally tagged enums (a command tagged by `action` is buffered
//! before its variant is read), so when the error comes back without a path the body is probed:
//! each member is taken out in turn and the body deserialised again, and the member whose
//! removal makes the error go away is the one that holds the bad value (see [`locate`]).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ApiError;

/// How deeply a JSON body may nest arrays and objects. Our bodies nest a handful of levels;
/// serde_json's own limit (128) would answer with a bare recursion error.
pub const MAX_DEPTH: usize = 64;

/// Bodies up to this size are probed for the path of a bad value when serde cannot say it;
/// larger ones are answered with the top-level member only (probing re-reads the body).
const PROBE_MAX_BYTES: usize = 64 * 1024;
/// At most this many re-reads are spent looking for a path.
const PROBE_BUDGET: usize = 100;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                let ct = ct.trim().to_ascii_lowercase();
                ct.starts_with("application/json") || ct.contains("+json")
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType(
                "send the body as JSON with Content-Type: application/json".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge(format!("the body is too large: {e}"))
            } else {
                ApiError::bad("body", e.body_text())
            }
        })?;
        parse(&bytes).map(ApiJson)
    }
}

/// How deeply a JSON text nests arrays and objects, read in one pass without parsing it (strings
/// are skipped, escapes included).
pub fn depth(bytes: &[u8]) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in bytes {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Parses JSON, naming the path of the first bad value: 400 for JSON that is not well-formed or
/// nests too deeply, 422 for a well-formed body holding a bad value.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let found = depth(bytes);
    if found > MAX_DEPTH {
        return Err(ApiError::bad(
            "body",
            format!(
                "nests arrays and objects {found} levels deep; at most {MAX_DEPTH} are accepted"
            ),
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let e = match serde_path_to_error::deserialize(de) {
        Ok(v) => return Ok(v),
        Err(e) => e,
    };
    let path = e.path().to_string();
    let inner = e.into_inner();
    if inner.classify() != serde_json::error::Category::Data {
        return Err(ApiError::bad("body", inner.to_string()));
    }
    // serde stops at the first error: a bad value can come before a syntax error later on (a
    // command's unknown action before a trailing comma). Malformed JSON is a 400 either way.
    if let Err(syntax) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
        return Err(ApiError::bad("body", syntax.to_string()));
    }
    let message = inner.to_string();
    // JSON (and JSON Schema) says 7.0 is the integer 7; serde refuses it for an integer field.
    // Only a body refused for a float pays for the second reading.
    if message.contains("invalid type: floating point") {
        if let Ok(mut v) = serde_json::from_slice::<Value>(bytes) {
            if integral_floats_as_integers(&mut v) {
                if let Ok(t) = T::deserialize(v) {
                    return Ok(t);
                }
            }
        }
    }
    let field = if path == "." || path.is_empty() {
        located::<T>(bytes)
            .or_else(|| missing_field(&message))
            .unwrap_or_else(|| "body".into())
    } else {
        path
    };
    Err(ApiError::invalid(field, message))
}

/// Rewrites every float with no fraction (within the integer range) as an integer; true when
/// any was. The depth was checked before, so the recursion is bounded.
fn integral_floats_as_integers(v: &mut Value) -> bool {
    match v {
        Value::Number(n) if n.is_f64() => {
            let Some(f) = n.as_f64() else { return false };
            if f.fract() != 0.0 || !f.is_finite() {
                return false;
            }
            let whole = if f >= 0.0 && f < u64::MAX as f64 {
                serde_json::Number::from(f as u64)
            } else if f < 0.0 && f >= i64::MIN as f64 {
                serde_json::Number::from(f as i64)
            } else {
                return false;
            };
            *n = whole;
            true
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |any, i| integral_floats_as_integers(i) | any),
        Value::Object(map) => map
            .values_mut()
            .fold(false, |any, i| integral_floats_as_integers(i) | any),
        _ => false,
    }
}

/// `missing field `x`` names `x`.
fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split_once('`').map(|(f, _)| f.to_string())
}

/// The path of the bad value of a body whose error came back without one.
fn located<T: DeserializeOwned>(bytes: &[u8]) -> Option<String> {
    if bytes.len() > PROBE_MAX_BYTES {
        return None;
    }
    let root: Value = serde_json::from_slice(bytes).ok()?;
    let mut budget = PROBE_BUDGET;
    let path = locate(&root, &mut budget, |v| {
        T::deserialize(v).map(|_| ()).map_err(|e| e.to_string())
    })?;
    Some(render(&path))
}

/// One step of a JSON path.
#[derive(Debug, Clone, PartialEq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

fn render(path: &[Seg]) -> String {
    let mut out = String::new();
    for s in path {
        match s {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn at_mut<'v>(v: &'v mut Value, path: &[Seg]) -> Option<&'v mut Value> {
    path.iter().try_fold(v, |v, s| match s {
        Seg::Key(k) => v.get_mut(k.as_str()),
        Seg::Index(i) => v.get_mut(*i),
    })
}

fn at<'v>(v: &'v Value, path: &[Seg]) -> Option<&'v Value> {
    path.iter().try_fold(v, |v, s| match s {
        Seg::Key(k) => v.get(k.as_str()),
        Seg::Index(i) => v.get(*i),
    })
}

/// Whether serde's message quotes this value (`string "ten"`, `integer `5``, `unknown variant
/// `boss``).
fn quotes(message: &str, v: &Value) -> bool {
    match v {
        Value::String(s) => {
            message.contains(&format!("{s:?}")) || message.contains(&format!("`{s}`"))
        }
        Value::Number(n) => message.contains(&format!("`{n}`")),
        Value::Bool(b) => message.contains(&format!("`{b}`")),
        _ => false,
    }
}

/// Finds the member holding the bad value that makes `check` fail, going down as far as the
/// budget allows. A member is the culprit when taking it out makes the error go away or become
/// another one; when only "missing field" errors tell members apart (the enum's tag and a required
/// field both become missing), the one whose value the error quotes wins, then the one that is not
/// a tag (a tag answers an unknown value with "unknown variant").
pub fn locate(
    root: &Value,
    budget: &mut usize,
    check: impl Fn(&Value) -> Result<(), String>,
) -> Option<Vec<Seg>> {
    let Err(original) = check(root) else {
        return None;
    };
    let mut path: Vec<Seg> = Vec::new();
    loop {
        let here = at(root, &path)?;
        let children: Vec<Seg> = match here {
            Value::Object(m) => m.keys().map(|k| Seg::Key(k.clone())).collect(),
            Value::Array(a) => (0..a.len()).map(Seg::Index).collect(),
            _ => break,
        };
        let mut strong = None;
        let mut weak: Vec<Seg> = Vec::new();
        for child in children {
            if *budget == 0 {
                break;
            }
            *budget -= 1;
            let mut probe = root.clone();
            let removed = match (at_mut(&mut probe, &path), &child) {
                (Some(Value::Object(m)), Seg::Key(k)) => m.remove(k.as_str()).is_some(),
                (Some(Value::Array(a)), Seg::Index(i)) if *i < a.len() => {
                    a.remove(*i);
                    true
                }
                _ => false,
            };
            if !removed {
                continue;
            }
            match check(&probe) {
                Ok(()) => {
                    strong = Some(child);
                    break;
                }
                Err(m) if m == original => {}
                Err(m) => {
                    let missing_itself = matches!(&child, Seg::Key(k) if missing_field(&m).as_deref() == Some(k.as_str()));
                    if missing_itself {
                        weak.push(child);
                    } else {
                        strong = Some(child);
                        break;
                    }
                }
            }
        }
        let found = strong.or_else(|| pick_weak(root, &path, weak, &original, budget, &check));
        match found {
            Some(seg) => path.push(seg),
            None => break,
        }
    }
    (!path.is_empty()).then_some(path)
}

fn pick_weak(
    root: &Value,
    path: &[Seg],
    weak: Vec<Seg>,
    original: &str,
    budget: &mut usize,
    check: &impl Fn(&Value) -> Result<(), String>,
) -> Option<Seg> {
    // A missing field is not found by taking others out: every removal only adds to it.
    if missing_field(original).is_some() {
        return None;
    }
    if weak.len() <= 1 {
        return weak.into_iter().next();
    }
    let value_of = |s: &Seg| {
        let mut p = path.to_vec();
        p.push(s.clone());
        at(root, &p).cloned()
    };
    let quoted: Vec<&Seg> = weak
        .iter()
        .filter(|s| value_of(s).is_some_and(|v| quotes(original, &v)))
        .collect();
    if quoted.len() == 1 {
        return quoted.into_iter().next().cloned();
    }
    const SENTINEL: &str = "\u{1}not-a-value";
    let not_tags: Vec<&Seg> = weak
        .iter()
        .filter(|s| {
            if *budget == 0 {
                return true;
            }
            *budget -= 1;
            let mut probe = root.clone();
            let mut p = path.to_vec();
            p.push((*s).clone());
            if let Some(v) = at_mut(&mut probe, &p) {
                *v = Value::String(SENTINEL.into());
            }
            !check(&probe).is_err_and(|m| m.contains(&format!("unknown variant `{SENTINEL}`")))
        })
        .collect();
    if not_tags.len() == 1 {
        return not_tags.into_iter().next().cloned();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use finishline_core::Command;

    fn field_of(body: &str) -> (u16, String) {
        match parse::<Command>(body.as_bytes()) {
            Ok(c) => panic!("{body} was accepted as {c:?}"),
            Err(ApiError::BadRequest { errors, .. }) => (400, errors[0].field.clone()),
            Err(ApiError::Invalid { errors, .. }) => (422, errors[0].field.clone()),
            Err(other) => panic!("{body}: {other:?}"),
        }
    }

    #[test]
    fn an_integral_float_is_an_integer_and_a_fraction_is_refused_by_path() {
        let ok = parse::<Command>(br#"{"action":"reopen_task","task":7.0,"reason":"x"}"#);
        assert!(
            matches!(ok, Ok(Command::ReopenTask { task: 7, .. })),
            "{ok:?}"
        );
        assert_eq!(
            field_of(r#"{"action":"reopen_task","task":7.5,"reason":"x"}"#),
            (422, "task".into())
        );
    }

    #[test]
    fn a_bad_value_inside_a_command_names_its_field() {
        let cases = [
            (r#"{"action":"complete_task","task":"ten"}"#, "task"),
            (r#"{"action":"complete_task","task":-1}"#, "task"),
            (
                r#"{"action":"complete_task","task":1,"completed_by":"x"}"#,
                "completed_by",
            ),
            (
                r#"{"action":"set_next_meeting","date":"2026-02-30"}"#,
                "date",
            ),
            (
                r#"{"action":"add_person","name":"A","email":"a@b.c","side":"vendor","role":"boss"}"#,
                "role",
            ),
            (
                r#"{"action":"complete_task","task":1,"proof":{"kind":"file","value":5}}"#,
                "proof.value",
            ),
            (
                r#"{"action":"complete_task","task":1,"proof":{"kind":"fax","value":"x"}}"#,
                "proof.kind",
            ),
            (
                r#"{"action":"complete_task","task":1,"colour":"red"}"#,
                "colour",
            ),
            (r#"{"action":"complete_task"}"#, "task"),
            (r#"{"action":"launch_rockets"}"#, "action"),
            (r#"{"task":1}"#, "action"),
            (
                r#"{"action":"add_task","title":"t","phase":"p","label":"vendor_task","owner":1,"due":"2026-01-01","depends_on":[1,"x",3]}"#,
                "depends_on[1]",
            ),
        ];
        for (body, field) in cases {
            assert_eq!(field_of(body), (422, field.to_string()), "{body}");
        }
    }

    #[test]
    fn malformed_json_is_a_400_and_deep_nesting_is_refused_before_parsing() {
        assert_eq!(field_of(r#"{"action": "#).0, 400);
        assert_eq!(field_of(r#"{"action": "x",}"#).0, 400);
        let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        match parse::<Value>(deep.as_bytes()) {
            Err(ApiError::BadRequest { detail, .. }) => {
                assert!(detail.contains("at most 64"), "{detail}")
            }
            other => panic!("{other:?}"),
        }
        let ok = format!("{}{}", "[".repeat(64), "]".repeat(64));
        assert!(parse::<Value>(ok.as_bytes()).is_ok());
        // Brackets inside strings do not count.
        let quoted = format!("{{\"a\": \"{}\\\"{}\"}}", "[".repeat(100), "{".repeat(100));
        assert!(parse::<Value>(quoted.as_bytes()).is_ok());
    }
}
