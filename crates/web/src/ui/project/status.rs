//! The status update: drafted from what happened since the last one (R10), edited and sent,
//! with the ones sent before.

use chrono::NaiveDate;
use maud::{html, Markup};

use super::parts::{action_form, section};
use crate::cache::Derived;
use crate::ui::form::FormState;
use crate::ui::layout::Fields;

/// The status section: the drafted update's form and the updates sent.
pub(super) fn status(d: &Derived, st: &FormState, csrf: &str, today: NaiveDate) -> Markup {
    let p = &d.view.project;
    let f = |k: &str| Fields::new(Some(st), k);
    section(
        "status",
        "Status update",
        html! {
            @let fs = f("record_status_update");
            (action_form(p, "record_status_update", &fs, csrf, "Send status update", false, html! {
                p class="muted small" { "Drafted from what happened since the last update (status update after every meeting, R10). Edit, then send." }
                (fs.input("meeting_date", "Meeting date", "date", &today.to_string(), true))
                (fs.textarea("text", "Text", &d.draft, true))
                (fs.checkbox("for_customer", "show it to the customer in the portal", true))
            }))
            @if !p.status_updates.is_empty() {
                h3 { "Sent" }
                @for u in p.status_updates.iter().rev() {
                    details { summary { (u.meeting_date) @if u.for_customer { " · shared with the customer" } } pre { (u.text) } }
                }
            }
        },
    )
}
