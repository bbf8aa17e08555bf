//! The pages behind links in emails (confirm an action, unsubscribe): templates in
//! `templates/`, every value HTML-escaped.

use axum::http::header;
use axum::response::{IntoResponse, Response};

const PAGE: &str = include_str!("templates/page.html");
pub const TASK: &str = include_str!("templates/task.html");
pub const FORM: &str = include_str!("templates/form.html");
pub const CONFIRM: &str = include_str!("templates/confirm.html");

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Fills `{{name}}` placeholders with escaped values.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (k, v) in values {
        out = out.replace(&format!("{{{{{k}}}}}"), &escape(v));
    }
    out
}

/// A whole page; `details` and `form` are fragments rendered with `fill`.
pub fn page(heading: &str, message: &str, details: &str, form: &str) -> Response {
    let html = fill(PAGE, &[("heading", heading), ("message", message)])
        .replace("{{details}}", details)
        .replace("{{form}}", form);
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}
