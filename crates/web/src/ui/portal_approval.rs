//! The portal's plan approval: the customer's decision maker approves the mutual action plan
//! (their side's tasks, the vendor's milestones, scope, the finish line and the launch date) and,
//! once it changes, sees the difference from what they approved and approves it again where their
//! dates or scope moved. Everyone else on the customer's side sees where the approval stands and
//! who gives it. The rules live in `finishline_core::approval`; this only renders them.

use chrono::NaiveDate;
use finishline_core::approval::{
    approval_state, in_plan, is_customer_task, ApprovalState, PlanApproval, PlanChange, PlanVersion,
};
use finishline_core::people::{Person, Role, Side};
use finishline_core::plan::Task;
use finishline_core::scope::ScopeBucket;
use finishline_core::Project;
use maud::{html, Markup};

use crate::ui::form::FormState;
use crate::ui::layout::Fields;

/// The portal action that approves the plan.
pub const ACTION: &str = "approve_plan";

fn is_customer_dm(person: &Person) -> bool {
    person.role == Role::DecisionMaker && person.side == Side::Customer
}

/// A value of a change: a date is a `time` (kept on one line), anything else its text.
pub fn value(v: &str) -> Markup {
    html! {
        @if v.parse::<NaiveDate>().is_ok() { time datetime=(v) { (v) } } @else { (v) }
    }
}

/// The differences from the approved plan, plainly: what, how, old → new, and whether it asks
/// for approval again. Shared with the vendor's panel.
pub fn changes_list(changes: &[PlanChange], asks: &str) -> Markup {
    html! {
        ul class="plan-changes" {
            @for c in changes {
                li {
                    strong { (c.subject) } " — " (c.kind.label())
                    @match (&c.before, &c.after) {
                        (Some(b), Some(a)) => { ": " del { (value(b)) } " → " ins { (value(a)) } },
                        (None, Some(a)) => { ": " ins { (value(a)) } },
                        (Some(b), None) => { " (was " del { (value(b)) } ")" },
                        (None, None) => {},
                    }
                    @if c.needs_reapproval { " " span class="badge warn" { (asks) } }
                }
            }
        }
    }
}

fn task_rows(p: &Project, tasks: &[&Task], today: NaiveDate) -> Markup {
    html! {
        div class="table-wrap" {
            table class="approval-plan" {
                thead { tr { th scope="col" { "Task" } th scope="col" { "Owner" } th scope="col" { "Due" } } }
                tbody {
                    @for t in tasks {
                        tr {
                            td data-label="Task" { (t.title)
                                @if t.is_done() { " " span class="badge ok" { "done" } }
                                @else if t.is_overdue(today) { " " span class="badge warn" { "overdue" } }
                            }
                            td data-label="Owner" { (t.owner.map_or_else(|| "no owner yet".to_string(), |o| p.person_name(o))) }
                            td data-label="Due" { (t.due) }
                        }
                    }
                }
            }
        }
    }
}

/// The plan as the decision maker approves it.
fn plan_shown(p: &Project, today: NaiveDate) -> Markup {
    let (ours, theirs): (Vec<&Task>, Vec<&Task>) = p
        .tasks
        .iter()
        .filter(|t| in_plan(p, t))
        .partition(|t| is_customer_task(p, t));
    html! {
        dl class="facts" {
            div class="wide" { dt { "Finish line" } dd { (p.finish_line.as_ref().map_or("not written yet".into(), |x| x.text.clone())) } }
            div { dt { "Launch date" } dd { (p.launch_date.map_or("not set yet".into(), |d| d.to_string())) } }
        }
        h3 { "Your side's tasks (" (ours.len()) ")" }
        @if ours.is_empty() { p class="muted" { "None." } } @else { (task_rows(p, &ours, today)) }
        h3 { "The vendor's milestones (" (theirs.len()) ")" }
        @if theirs.is_empty() { p class="muted" { "None." } } @else { (task_rows(p, &theirs, today)) }
        h3 { "Scope" }
        div class="cols" {
            @for (bucket, title) in [(ScopeBucket::In, "In phase one"), (ScopeBucket::Later, "Later"), (ScopeBucket::Out, "Not included")] {
                div {
                    h4 { (title) }
                    @let items: Vec<_> = p.scope.iter().filter(|s| s.bucket == bucket).collect();
                    @if items.is_empty() { p class="muted small" { "nothing" } }
                    @else { ul { @for s in items { li { (s.text) } } } }
                }
            }
        }
    }
}

/// The approval section of the portal for `person`. `csrf` is `None` in the vendor's preview:
/// the form is shown disabled.
pub fn section(
    p: &Project,
    person: &Person,
    csrf: Option<&str>,
    st: &FormState,
    today: NaiveDate,
) -> Markup {
    let dm = is_customer_dm(person);
    let approver = p.decision_maker(Side::Customer);
    let state = approval_state(p);
    let who_approves = html! {
        @match approver {
            Some(a) => { strong { (a.name) } ", your decision maker, approves it here." },
            None => "Your decision maker approves it here, once the team names them.",
        }
    };
    let approved_line = |a: &PlanApproval| {
        let on = a.at.date_naive();
        if a.by == person.id {
            html! { "You approved this plan on " strong { (value(&on.to_string())) } "." }
        } else {
            html! { (a.by_name) " approved this plan on " strong { (value(&on.to_string())) } "." }
        }
    };
    let fields = Fields::new(Some(st), ACTION);
    let form = |submit: &str| {
        html! {
            form method="post" action=(format!("/portal/actions/{ACTION}")) class="action" {
                (fields.hidden(csrf.unwrap_or("")))
                (fields.message())
                input type="hidden" name="plan_version" value=(PlanVersion::of(p).fingerprint());
                fieldset disabled[csrf.is_none()] {
                    p class="small" { "By approving, you agree to your side's tasks and dates, the scope and the finish line as shown. Changes to your dates or scope will ask you again." }
                    button type="submit" { (submit) }
                }
            }
        }
    };
    let refused_here = st.form == ACTION && st.message.is_some();
    html! {
        section id="plan-approval" aria-labelledby="plan-approval-h" {
            h2 id="plan-approval-h" { (if dm { "The plan you agree to" } else { "Approval of the plan" }) }
            @match &state {
                ApprovalState::NotApproved => {
                    div class="flash" {
                        @if dm {
                            p { "The plan has not been approved yet. Please look it over and approve it: your team's tasks and dates, the scope and the finish line." }
                        } @else {
                            p { "The plan has not been approved yet. " (who_approves) }
                        }
                    }
                    @if dm {
                        details open { summary { "The plan to approve" } (plan_shown(p, today)) }
                        (form("Approve this plan"))
                    }
                },
                ApprovalState::Approved { approval } => {
                    div class="check-result clean" {
                        p { (approved_line(approval)) " Nothing has changed since." }
                    }
                    @if dm {
                        details open[refused_here] { summary { "The plan you approved" } (plan_shown(p, today)) }
                    }
                },
                ApprovalState::ChangedSinceApproval { approval, changes, needs_reapproval } => {
                    div class=(if *needs_reapproval { "flash" } else { "check-result clean" }) {
                        p {
                            (approved_line(approval))
                            " Since then, " (changes.len()) (if changes.len() == 1 { " thing has" } else { " things have" }) " changed:"
                        }
                        (changes_list(changes, if dm { "needs your approval" } else { "needs approval" }))
                        @if !*needs_reapproval {
                            p class="small" { "None of this moves your dates or scope: no new approval is needed." }
                        } @else if !dm {
                            p class="small" { "These changes need approval again. " (who_approves) }
                        }
                    }
                    @if dm {
                        // The form right after the changes it approves; the whole plan below it.
                        @if *needs_reapproval { (form("Approve the changes")) }
                        details open[refused_here && !*needs_reapproval] { summary { "The plan as it is now" } (plan_shown(p, today)) }
                    }
                },
            }
        }
    }
}
