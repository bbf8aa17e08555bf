//! The customer's ratings at milestones (issue 17): which milestones this project asks about and
//! with which question, who rated what (with their comments), and the follow-up a low score
//! opened with where it stands.

use finishline_core::people::Side;
use finishline_core::project::Project;
use finishline_core::survey::{response_of, Question};
use maud::{html, Markup};

use super::parts::section;

/// The section: the asks, then every rating, newest first.
pub(super) fn ratings(p: &Project) -> Markup {
    let customers: Vec<_> = p
        .people
        .iter()
        .filter(|x| x.side == Side::Customer)
        .collect();
    section(
        "ratings",
        "Customer ratings",
        html! {
            @if p.surveys.is_empty() {
                p class="muted" { "This project's playbook asks for no ratings." }
            } @else {
                p class="small muted" { "Asked of every customer person once, by email and in the portal. A low score (CSAT 1–2, CES 1–3) opens a follow-up task for the vendor owner." }
                div class="table-wrap" { table {
                    thead { tr { th scope="col" { "Milestone" } th scope="col" { "Question" } th scope="col" { "Rated" } th scope="col" { "Average" } } }
                    tbody { @for a in &p.surveys {
                        @let scores: Vec<u8> = p.survey_responses.iter().filter(|r| r.milestone == a.milestone).map(|r| r.score).collect();
                        tr {
                            td data-label="Milestone" { (a.milestone.label()) @if !a.milestone.reached(p) { " " span class="muted small" { "(not reached)" } } }
                            td data-label="Question" { (a.question.label()) " 1–" (a.question.max()) }
                            td data-label="Rated" { (customers.iter().filter(|c| response_of(p, c.id, a.milestone).is_some()).count()) " of " (customers.len()) }
                            td data-label="Average" { (average(&scores, a.question)) }
                        }
                    } }
                } }
            }
            @if p.survey_responses.is_empty() {
                p class="muted" { "No rating yet." }
            } @else {
                ul class="ratings" {
                    @for r in p.survey_responses.iter().rev() {
                        li {
                            strong { (r.score) " of " (r.question.max()) } " " (r.question.label()) " "
                            (r.milestone.label()) " — " (p.person_name(r.person)) ", " (r.at.date_naive())
                            @if r.is_low() { " " span class="badge warn" { "low" } }
                            @if !r.comment.is_empty() { blockquote class="small" { (r.comment) } }
                            @if let Some(t) = r.follow_up.and_then(|t| p.task(t)) {
                                div class="small" {
                                    "Follow-up: " a href=(format!("/projects/{}/tasks/{}", p.id, t.id)) { (t.title) }
                                    @if t.is_done() { " " span class="badge ok" { "done" } }
                                    @else { " · due " (t.due) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

fn average(scores: &[u8], q: Question) -> String {
    if scores.is_empty() {
        return "—".into();
    }
    let sum: u32 = scores.iter().map(|s| u32::from(*s)).sum();
    format!("{:.1} of {}", f64::from(sum) / scores.len() as f64, q.max())
}
