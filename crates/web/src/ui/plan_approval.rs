//! The project page's view of the customer's plan approval: whether the customer's decision maker
//! approved the plan, when, and every change since, with the ones that ask the customer to
//! approve again. It depends on the project only, so it is part of the page's shared HTML.

use finishline_core::approval::{approval_state, ApprovalState};
use finishline_core::people::Side;
use finishline_core::Project;
use maud::{html, Markup};

use crate::ui::portal_approval::value;

/// The approval state and the difference from the approved plan.
pub fn panel(p: &Project) -> Markup {
    let dm = p.decision_maker(Side::Customer);
    let state = approval_state(p);
    html! {
        section id="plan-approval" aria-labelledby="plan-approval-h" {
            h2 id="plan-approval-h" { "Customer approval of the plan" }
            @match &state {
                ApprovalState::NotApproved => {
                    div class="flash" {
                        p {
                            strong { "Not approved yet. " }
                            @match dm {
                                Some(d) => { (d.name) ", the customer's decision maker, approves the plan (tasks, owners, dates, scope, finish line, launch date) in the portal. Invite them from the customer portal section if they have no link yet." },
                                None => "Name the customer's decision maker: they approve the plan (tasks, owners, dates, scope, finish line, launch date) in the portal.",
                            }
                        }
                    }
                },
                ApprovalState::Approved { approval } => {
                    div class="check-result clean" {
                        p { strong { "Approved" } " by " (approval.by_name) " on " (value(&approval.at.date_naive().to_string())) "; unchanged since." }
                    }
                },
                ApprovalState::ChangedSinceApproval { approval, changes, needs_reapproval } => {
                    @let asked = changes.iter().filter(|c| c.needs_reapproval).count();
                    div class=(if *needs_reapproval { "flash" } else { "check-result clean" }) {
                        p {
                            strong { (if *needs_reapproval { "Waiting for the customer's approval again. " } else { "Approved, with changes that need no new approval. " }) }
                            "Approved by " (approval.by_name) " on " (value(&approval.at.date_naive().to_string())) "; "
                            (changes.len()) (if changes.len() == 1 { " change" } else { " changes" }) " since"
                            @if asked > 0 { ", " (asked) " of them moving the customer's dates or scope" }
                            ". The customer sees the same list in the portal."
                        }
                    }
                    div class="table-wrap" {
                        table class="plan-diff" {
                            thead { tr {
                                th scope="col" { "What" }
                                th scope="col" { "Change" }
                                th scope="col" { "Approved" }
                                th scope="col" { "Now" }
                                th scope="col" { "Customer approval" }
                            } }
                            tbody {
                                @for c in changes {
                                    tr {
                                        td data-label="What" { (c.subject) }
                                        td data-label="Change" { (c.kind.label()) }
                                        td data-label="Approved" { @if let Some(b) = &c.before { del { (value(b)) } } @else { span class="muted" { "—" } } }
                                        td data-label="Now" { @if let Some(a) = &c.after { ins { (value(a)) } } @else { span class="muted" { "—" } } }
                                        td data-label="Customer approval" {
                                            @if c.needs_reapproval { span class="badge warn" { "asked again" } }
                                            @else { span class="muted" { "not needed" } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                },
            }
            @if p.plan_approvals.len() > 1 {
                details {
                    summary { "Every approval (" (p.plan_approvals.len()) ")" }
                    ol { @for a in &p.plan_approvals {
                        li { (a.by_name) " on " (a.at.date_naive()) " — " (a.plan.tasks.len()) " tasks, " (a.plan.scope.len()) " scope items, launch date " (a.plan.launch_date.map_or("not set".into(), |d| d.to_string())) }
                    } }
                }
            }
        }
    }
}
