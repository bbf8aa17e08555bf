//! The small pieces every section of the project page is made of (and the pages beside it: a
//! task's page, an occasional action's page, the portal): a section with its confirmation slot,
//! a form posting to an action, the choices of people.

use finishline_core::project::Project;
use maud::{html, Markup, PreEscaped};
use serde::Serialize;

use crate::ui::layout::Fields;

/// The serde name of an enum value (`customer_task`, `go_no_go`).
pub fn key<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub fn people_opts(
    p: &Project,
    keep: impl Fn(&finishline_core::people::Person) -> bool,
) -> Vec<(String, String)> {
    p.people
        .iter()
        .filter(|x| keep(x))
        .map(|x| (x.id.to_string(), x.display()))
        .collect()
}

pub(crate) fn with_blank(label: &str, mut v: Vec<(String, String)>) -> Vec<(String, String)> {
    v.insert(0, (String::new(), label.to_string()));
    v
}

pub fn owner_name(p: &Project, id: Option<u32>) -> String {
    id.map_or_else(|| "unowned".to_string(), |i| p.person_name(i))
}

pub(super) fn section(id: &str, title: &str, body: Markup) -> Markup {
    html! {
        section id=(id) aria-labelledby=(format!("{id}-h")) {
            h2 id=(format!("{id}-h")) { (title) }
            (flash_slot(id))
            (body)
        }
    }
}

/// Where a confirmation for the section (or task row) `id` goes: a comment the page swaps for it
/// when it is served (the shared HTML is rendered once, the confirmation is per request).
pub(super) fn flash_slot(id: &str) -> Markup {
    PreEscaped(format!("<!--flash:{id}-->"))
}

/// A form posting to an action of this project.
pub(crate) fn action_form(
    p: &Project,
    action: &str,
    f: &Fields,
    csrf: &str,
    submit: &str,
    multipart: bool,
    body: Markup,
) -> Markup {
    html! {
        form method="post" action=(format!("/projects/{}/actions/{action}", p.id))
            enctype=[multipart.then_some("multipart/form-data")] class="action" {
            (f.hidden(csrf))
            (f.message())
            (body)
            button type="submit" { (submit) }
        }
    }
}

/// A one-button form acting on one item of a list (grant this access, close this issue).
pub(super) fn row_action(
    p: &Project,
    action: &str,
    csrf: &str,
    fields: &[(&str, String)],
    label: &str,
) -> Markup {
    html! {
        form method="post" action=(format!("/projects/{}/actions/{action}", p.id)) class="inline" {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="_form" value=(action);
            @for (k, v) in fields { input type="hidden" name=(k) value=(v); }
            button type="submit" class="link" { (label) }
        }
    }
}
