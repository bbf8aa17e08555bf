//! What matters now, at the top of the project page: the stage track with the loops taken, the
//! next gate with its failing items, the customer's overdue tasks and the next meeting.

use chrono::NaiveDate;
use finishline_core::lifecycle::{Stage, STAGE_ORDER};
use finishline_core::people::Side;
use finishline_core::project::Project;
use finishline_core::scorecard::Scorecard;
use maud::{html, Markup};

use super::parts::{flash_slot, owner_name};
use crate::cache::Derived;
use crate::ui::layout;

/// The stages in order, the current one marked, and the loops the project has taken.
fn stage_track(p: &Project, sc: &Scorecard) -> Markup {
    let current = p
        .stage
        .position()
        .or(p.paused_from.and_then(Stage::position));
    let loops = [
        ("realign with sales", sc.loops.sales_realign),
        ("UAT rework", sc.loops.uat_rework),
        ("no-go", sc.loops.no_go),
        ("adoption intervention", sc.loops.adoption_intervention),
    ];
    html! {
        ol class="stages" aria-label="Stages" {
            @for (i, s) in STAGE_ORDER.iter().enumerate() {
                @let class = match current { Some(c) if i < c => "done", Some(c) if i == c => "current", _ => "" };
                li class=(class) aria-current=[(Some(i) == current).then_some("step")] { (s.label()) }
            }
        }
        @if matches!(p.stage, Stage::Paused | Stage::Cancelled) {
            p { span class="badge warn" { (p.stage.label()) } }
        }
        @if loops.iter().any(|(_, n)| *n > 0) {
            p class="loops" { "Loops taken: "
                @for (l, n) in loops.iter().filter(|(_, n)| *n > 0) {
                    span class="badge loop" { "↺ " (l) " ×" (n) } " "
                }
            }
        }
    }
}

/// The section of the project page where a gate's item is worked on.
fn gate_item_section(key: &str) -> &'static str {
    match key {
        "who" | "help" => "people",
        "data" | "risks" => "intake",
        "success" | "early_win" => "finish-line",
        "promises" => "handoff",
        "not_included" => "scope",
        "training" => "training",
        "uat" | "issues" => "uat",
        "build" => "plan",
        _ => "gates",
    }
}

/// What matters now: the stage, the next gate with its failing items, the customer's overdue
/// tasks and the next meeting — what a member opens the page for.
pub(super) fn now_panel(d: &Derived, today: NaiveDate) -> Markup {
    let p = &d.view.project;
    let gate = if p.stage <= Stage::Kickoff {
        Some(&d.view.gates.kickoff)
    } else if p.stage <= Stage::GoNoGo {
        Some(&d.view.gates.go_live)
    } else {
        None
    };
    let mut overdue: Vec<&finishline_core::plan::Task> = p
        .tasks
        .iter()
        .filter(|t| t.is_overdue(today) && p.ball_for(t) == Some(Side::Customer))
        .collect();
    overdue.sort_by_key(|t| (t.due, t.id));
    html! {
        section id="now" aria-labelledby="now-h" class="now-wrap" {
            h2 id="now-h" class="sr-only" { "Now" }
            (flash_slot("now"))
            (stage_track(p, &d.view.scorecard))
            div class="now" {
                div {
                    @match gate {
                        Some(g) => {
                            h2 { "Next gate: " (crate::ui::form::gate_title(g.gate)) }
                            @let failing: Vec<_> = g.failing().collect();
                            @if failing.is_empty() {
                                p { span class="badge ok" { "ready" } " every item passes." }
                            } @else {
                                p class="small muted" { (g.items.len() - failing.len()) " of " (g.items.len()) " items pass." }
                                ul { @for i in &failing {
                                    li { a href=(format!("#{}", gate_item_section(&i.key))) { (i.label) } div class="small muted" { (i.reason) } }
                                } }
                            }
                        },
                        None => { h2 { "Gates" } p { "Both gates are behind this project." } },
                    }
                }
                div {
                    h2 { "Customer's overdue tasks" }
                    @if overdue.is_empty() { p class="muted" { "None overdue." } }
                    ul { @for t in overdue.iter().take(5) {
                        li { a href=(format!("/projects/{}/tasks/{}", p.id, t.id)) { (t.title) } div class="small" { (owner_name(p, t.owner)) " · due " (t.due) " · " span class="late" { (layout::days((today - t.due).num_days())) " late" } } }
                    } }
                    @if overdue.len() > 5 { p class="small" { a href="#plan" { "and " (overdue.len() - 5) " more in the plan" } } }
                }
                div {
                    h2 { "Next meeting" }
                    @match p.next_meeting {
                        Some(m) => p { (m.format("%A %-d %B %Y")) @if m < today { " " span class="badge warn" { "past: set the next one" } } },
                        None => p class="muted" { "Not set." },
                    }
                    p class="small" { a href="#plan-forms" { "Set the next meeting or the launch date" } }
                }
            }
        }
    }
}
