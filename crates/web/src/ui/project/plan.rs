//! The plan: the table of tasks by phase (each title linking to its task's page), the Gantt
//! chart, and the forms that add a task and set the launch date and the next meeting. The state
//! of a task and who has the ball are also shown on the task's page and in the portal.

use chrono::NaiveDate;
use finishline_core::people::Side;
use finishline_core::plan::{TaskLabel, TaskStatus};
use finishline_core::project::Project;
use maud::{html, Markup};

use super::options::{task_labels, visibilities};
use super::parts::{action_form, flash_slot, owner_name, people_opts, section, with_blank};
use crate::ui::form::FormState;
use crate::ui::layout::Fields;
use crate::ui::svg;

/// The state of a task in words, with its blocker or proof.
pub fn task_state(
    p: &Project,
    t: &finishline_core::plan::Task,
    today: NaiveDate,
    file_base: &str,
) -> Markup {
    html! {
        @match &t.status {
            TaskStatus::Done { proof, by, at } => {
                span class="badge ok" { "done" }
                div class="small" {
                    "by " (p.person_name(*by)) " on " (at.date_naive()) " — "
                    @match proof {
                        finishline_core::plan::Proof::File(f) => a href=(format!("{file_base}{f}")) hx-boost="false" download { "file" },
                        finishline_core::plan::Proof::Link(l) => a href=(l) rel="noopener noreferrer" { "link" },
                        other => (other.describe()),
                    }
                }
            }
            TaskStatus::Blocked(b) => {
                span class="badge bad" { "blocked" }
                div class="small" { "needs " (b.needed) " from " (p.person_name(b.from)) " by " (b.by) }
            }
            TaskStatus::Pending => span class="badge" { "waiting on earlier tasks" },
            TaskStatus::Open => {
                // The usual state goes without a badge: the exceptions stand out, and a plan of
                // hundreds of open tasks stays light.
                @if t.is_overdue(today) { span class="badge warn" { "overdue" } } @else { "open" }
            }
        }
        // The plan follows the data: a run was submitted for this task's data (open, blocked or
        // still waiting on earlier tasks, the run is there to review).
        @if let Some(run) = finishline_core::data::awaiting_review(p, t) {
            " "
            span class="badge" { "awaiting vendor review" }
            div class="small" {
                "import run " (run.id) " submitted"
                @if !run.by.is_empty() { " by " (run.by) }
                " on " (run.at.date_naive()) ": " (run.rows) " rows, "
                (run.errors) " blocking issue(s) left"
            }
        }
        // R9: the chasing done for this task, as people ask about it ("did we remind them?").
        @if t.nudges > 0 || t.escalated_at.is_some() {
            div class="small muted" {
                @if t.nudges > 0 { "nudged " (t.nudges) "×" }
                @if let Some(at) = t.escalated_at {
                    @if t.nudges > 0 { ", " }
                    "escalated on " (at.format("%-d %b"))
                }
            }
        }
    }
}

pub(super) fn ball(p: &Project, t: &finishline_core::plan::Task) -> Markup {
    let (class, text) = ball_cell(p, t);
    html! { span class=(class) { (text) } }
}

/// Who the ball is with, as a class and a word: the plan table puts the class on the cell itself.
fn ball_cell(p: &Project, t: &finishline_core::plan::Task) -> (&'static str, &'static str) {
    match p.ball_for(t) {
        Some(Side::Customer) => ("side customer", "customer"),
        Some(Side::Vendor) => ("side vendor", "vendor"),
        None => ("muted", "—"),
    }
}

/// The plan as a table; `file_base` is where proof files are downloaded.
pub fn plan_table(
    p: &Project,
    today: NaiveDate,
    tasks: &[&finishline_core::plan::Task],
    file_base: &str,
) -> Markup {
    plan_rows(p, today, tasks, file_base, false)
}

/// The plan as a table, a heading row where the phase changes. With `links`, each title links to
/// its task's page (where the task is completed, blocked, moved or reassigned), so the project
/// page does not repeat every task in the pickers of its forms. Rows are kept lean because plans
/// run to hundreds of tasks: the side is said only for customer and shared tasks, proof only when
/// it is *not* needed (most tasks need it).
fn plan_rows(
    p: &Project,
    today: NaiveDate,
    tasks: &[&finishline_core::plan::Task],
    file_base: &str,
    links: bool,
) -> Markup {
    html! {
        div class="table-wrap" {
            table class="plan" {
                thead { tr {
                    th scope="col" { "#" }
                    th scope="col" { "Task" }
                    th scope="col" { "Owner" }
                    th scope="col" { "Due" }
                    th scope="col" { "State" }
                    th scope="col" { "Ball" }
                } }
                tbody {
                    @for (i, t) in tasks.iter().enumerate() {
                        @if i == 0 || tasks[i - 1].phase != t.phase {
                            tr class="phase" { th colspan="6" scope="colgroup" { (t.phase) } }
                        }
                        tr id=(format!("task-{}", t.id)) {
                            td { (t.id) }
                            td {
                                // `?task=` answers with a redirect to the task's page: a short
                                // link, as it is repeated for every task.
                                @if links { a href=(format!("?task={}", t.id)) { (t.title) } (flash_slot(&format!("task-{}", t.id))) } @else { (t.title) }
                                @if t.label != TaskLabel::VendorTask || !t.needs_proof {
                                    div class="muted small" {
                                        @if t.label != TaskLabel::VendorTask { (t.label.label()) }
                                        @if t.label != TaskLabel::VendorTask && !t.needs_proof { " · " }
                                        @if !t.needs_proof { "no proof needed" }
                                    }
                                }
                                // The data page of the import this task waits on, for both sides
                                // (the portal's file base is /portal/files/, the workspace's
                                // /projects/{id}/files/: the data page sits beside it).
                                @if let (Some(m), Some(base)) = (p.data_maps.iter().find(|m| m.task == Some(t.id)), file_base.strip_suffix("files/")) {
                                    div class="small" { a href=(format!("{base}data#map-{}", m.id)) { "Data import: " (m.name) } }
                                }
                            }
                            td { (owner_name(p, t.owner)) }
                            td {
                                (t.due)
                                @if t.due != t.baseline_due {
                                    div class="small muted" { "baseline " (t.baseline_due) ", moved " (t.slips()) "×" }
                                }
                            }
                            td { (task_state(p, t, today, file_base)) }
                            @let (class, who) = ball_cell(p, t);
                            td class=(class) { (who) }
                        }
                    }
                }
            }
        }
    }
}

/// The plan section: the table, the Gantt chart and the plan's forms.
pub(super) fn plan(p: &Project, st: &FormState, csrf: &str, today: NaiveDate) -> Markup {
    let fb = format!("/projects/{}/files/", p.id);
    let f = |k: &str| Fields::new(Some(st), k);
    let everyone = people_opts(p, |_| true);
    let tasks: Vec<&finishline_core::plan::Task> = p.tasks.iter().collect();
    section(
        "plan",
        "Plan",
        html! {
            p class="muted small" { "Open a task to complete it with proof, block it, move its due date or reassign it." }
            (plan_rows(p, today, &tasks, &fb, true))
            h3 id="gantt" { "Gantt" }
            // Scrolls sideways on a phone: focusable, so the keyboard can scroll it too.
            div class="gantt-wrap" tabindex="0" role="region" aria-labelledby="gantt" { (svg::gantt(p, today)) }
            (svg::gantt_legend())
            div class="forms" id="plan-forms" {
                @let ft = f("add_task");
                (action_form(p, "add_task", &ft, csrf, "Add task", false, html! {
                    h3 { "Add a task" }
                    (ft.input("title", "Title", "text", "", true))
                    div class="row" {
                        (ft.input("phase", "Phase", "text", "", true))
                        (ft.select("label", "Side", &task_labels(), "vendor_task"))
                    }
                    div class="row" {
                        (ft.select("owner", "Owner", &with_blank("choose a person", everyone.clone()), ""))
                        (ft.input("due", "Due", "date", "", true))
                    }
                    (ft.select("visibility", "Who sees it", &with_blank("choose: shared or internal", visibilities()), ""))
                }))
                @let fl = f("set_launch_date");
                (action_form(p, "set_launch_date", &fl, csrf, "Set launch date", false, html! {
                    h3 { "Launch date" }
                    (fl.input("date", "Launch date", "date", &p.launch_date.map(|d| d.to_string()).unwrap_or_default(), true))
                    (fl.input("reason", "Reason (when moving it)", "text", "", false))
                }))
                @let fnm = f("set_next_meeting");
                (action_form(p, "set_next_meeting", &fnm, csrf, "Set next meeting", false, html! {
                    h3 { "Next meeting" }
                    (fnm.input("date", "Next meeting", "date", &p.next_meeting.map(|d| d.to_string()).unwrap_or_default(), true))
                }))
            }
        },
    )
}
