//! The end of the project page, the same for every member: the scorecard (R12) and the latest
//! of the activity log.

use maud::{html, Markup};

use super::parts::section;
use crate::cache::Derived;
use crate::ui::layout;

/// How many of the latest activities the project page lists.
const ACTIVITY_SHOWN: usize = 30;

/// The scorecard and the activity log: the end of the page, the same for every member.
pub(super) fn after(d: &Derived) -> Markup {
    let sc = &d.view.scorecard;
    html! {
        (section("scorecard", "Scorecard", html! {
            dl class="facts" {
                div { dt { "Days to launch" } dd { (sc.days_to_launch) (if sc.live { " (live)" } else { " so far" }) } }
                div { dt { "Waiting on customer" } dd { (layout::days_f(sc.days_waiting_on_customer)) } }
                div { dt { "Waiting on vendor" } dd { (layout::days_f(sc.days_waiting_on_vendor)) } }
                div { dt { "Re-baselines" } dd { (sc.rebaselines) } }
                div { dt { "Loops" } dd { "UAT " (sc.loops.uat_rework) " · realign " (sc.loops.sales_realign) " · no-go " (sc.loops.no_go) } }
                div { dt { "First-week logins" } dd { (sc.first_week_logins.map(|n| n.to_string()).unwrap_or_else(|| "—".into())) } }
            }
        }))

        (section("activity", "Activity", html! {
            ol class="activity" {
                @for a in d.activities.iter().rev().take(ACTIVITY_SHOWN) {
                    li { time datetime=(a.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)) { (a.at.format("%Y-%m-%d %H:%M")) } " " span class="actor" { (a.actor) } " — " (a.summary) }
                }
            }
            @if d.activities.len() > ACTIVITY_SHOWN { p class="muted small" { "Showing the latest " (ACTIVITY_SHOWN) " of " (d.activities.len()) "; each task's page shows its whole history." } }
        }))
    }
}
