//! Training: the sessions scheduled per audience, who attended and did their practice task, and
//! the recap sent after each.

use finishline_core::project::Project;
use maud::{html, Markup};

use super::options::audiences;
use super::parts::{action_form, people_opts, row_action, section, with_blank};
use crate::ui::form::FormState;
use crate::ui::layout::Fields;

/// The training section: the sessions and the forms that schedule one and record attendance.
pub(super) fn training(p: &Project, st: &FormState, csrf: &str) -> Markup {
    let f = |k: &str| Fields::new(Some(st), k);
    let everyone = people_opts(p, |_| true);
    let sessions: Vec<(String, String)> = p
        .training
        .iter()
        .map(|s| {
            (
                s.id.to_string(),
                format!("{} ({})", s.title, s.scheduled_at.date_naive()),
            )
        })
        .collect();
    section(
        "training",
        "Training",
        html! {
            @if p.training.is_empty() { p class="muted" { "No sessions scheduled." } }
            (f("mark_training_held").message())
            (f("send_training_recap").message())
            ul { @for s in &p.training { li {
                (s.title) " — " (s.audience.label()) ", " (s.scheduled_at.format("%Y-%m-%d %H:%M UTC")) ", " (s.minutes) " min"
                @if s.held { " " span class="badge ok" { "held" } }
                " · " (s.attendees.iter().filter(|a| a.completed).count()) "/" (s.attendees.len()) " practice tasks completed"
                @if !s.held { " " (row_action(p, "mark_training_held", csrf, &[("session", s.id.to_string())], "Mark held")) }
                @else if s.recap_sent_at.is_none() { " " (row_action(p, "send_training_recap", csrf, &[("session", s.id.to_string())], "Send recap")) }
                @else { " · recap sent" }
                @if !s.attendees.is_empty() {
                    ul class="small" { @for at in &s.attendees { li {
                        (p.person_name(at.person)) ": " (at.practice_task) (if at.completed { " — done" } else { " — not done yet" })
                    } } }
                }
            } } }
            div class="forms" {
                @let fs = f("schedule_training");
                (action_form(p, "schedule_training", &fs, csrf, "Schedule", false, html! {
                    h3 { "Schedule a session" }
                    (fs.input("title", "Title", "text", "", true))
                    (fs.select("audience", "Audience", &audiences(), "daily_users"))
                    div class="row" {
                        (fs.input("scheduled_at", "When (UTC)", "datetime-local", "", true))
                        (fs.input("minutes", "Minutes (30 to 45)", "number", "45", true))
                    }
                }))
                @if !sessions.is_empty() {
                    @let fa = f("record_attendance");
                    (action_form(p, "record_attendance", &fa, csrf, "Record attendance", false, html! {
                        h3 { "Attendance" }
                        (fa.select("session", "Session", &sessions, ""))
                        (fa.select("person", "Person", &with_blank("choose a person", everyone.clone()), ""))
                        (fa.input("practice_task", "Practice task they did", "text", "", true))
                        (fa.checkbox("completed", "completed the practice task", true))
                    }))
                }
            }
        },
    )
}
