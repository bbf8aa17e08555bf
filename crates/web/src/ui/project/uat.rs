//! UAT and issues: the test cases that prove the success criteria with their results, and the
//! issues found, each with an owner and a due date.

use finishline_core::project::Project;
use maud::{html, Markup};

use super::parts::{action_form, owner_name, people_opts, row_action, section, with_blank};
use crate::ui::form::FormState;
use crate::ui::layout::Fields;

/// The UAT section: the cases, the issues and their forms.
pub(super) fn uat(p: &Project, st: &FormState, csrf: &str) -> Markup {
    let f = |k: &str| Fields::new(Some(st), k);
    let everyone = people_opts(p, |_| true);
    let open_issues: Vec<(String, String)> = p
        .issues
        .iter()
        .filter(|i| i.is_open())
        .map(|i| (i.id.to_string(), format!("#{} {}", i.id, i.title)))
        .collect();
    section(
        "uat",
        "UAT and issues",
        html! {
            @if p.uat.is_empty() { p class="muted" { "No UAT cases." } }
            ul { @for c in &p.uat { li {
                (c.title)
                // The result is a tagged value (with when, and notes on failure), not a plain word.
                @match &c.result {
                    finishline_core::uat::UatResult::Passed { .. } => { " " span class="badge ok" { "passed" } },
                    finishline_core::uat::UatResult::Failed { notes, .. } => {
                        " " span class="badge bad" { "failed" }
                        @if !notes.is_empty() { " " span class="small" { (notes) } }
                    },
                    finishline_core::uat::UatResult::NotRun => { " " span class="badge" { "not run" } },
                }
                @if c.failures > 0 { " · failed " (c.failures) "×" }
            } } }
            @if !p.criteria.is_empty() {
                div class="forms" {
                    @let fa = f("add_uat_case");
                    (action_form(p, "add_uat_case", &fa, csrf, "Add case", false, html! {
                        h3 { "UAT case" }
                        (fa.input("title", "Test case", "text", "", true))
                        (fa.select("criterion", "Success criterion it proves", &p.criteria.iter().map(|c| (c.id.to_string(), c.describe())).collect::<Vec<_>>(), ""))
                    }))
                    @if !p.uat.is_empty() {
                        @let fr = f("record_uat_result");
                        (action_form(p, "record_uat_result", &fr, csrf, "Record result", false, html! {
                            h3 { "UAT result" }
                            (fr.select("case", "Case", &p.uat.iter().map(|c| (c.id.to_string(), c.title.clone())).collect::<Vec<_>>(), ""))
                            (fr.select("passed", "Result", &[("yes".into(), "passed".into()), ("no".into(), "failed".into())], "yes"))
                            (fr.input("notes", "Notes", "text", "", false))
                            (fr.select("loop_to", "On failure, loop back to", &[("".into(), "—".into()), ("build".into(), "build".into()), ("configuration".into(), "configuration".into()), ("training".into(), "training".into())], ""))
                        }))
                    }
                }
            }
            h3 id="issues" { "Issues" }
            (f("close_issue").message())
            ul { @for i in &p.issues { li {
                "#" (i.id) " " (i.title) " — " (owner_name(p, i.owner)) @if let Some(d) = i.due { ", due " (d) }
                @if i.is_open() {
                    " " span class="badge warn" { "open" } " "
                    (row_action(p, "close_issue", csrf, &[("issue", i.id.to_string())], "Close"))
                } @else { " " span class="badge ok" { "closed" } }
            } } }
            @if p.issues.is_empty() { p class="muted" { "No issues." } }
            div class="forms" {
                @let fo = f("open_issue");
                (action_form(p, "open_issue", &fo, csrf, "Open issue", false, html! {
                    h3 { "Open an issue" }
                    (fo.input("title", "What is wrong", "text", "", true))
                    (fo.select("owner", "Owner", &with_blank("nobody yet", everyone.clone()), ""))
                    (fo.input("due", "Due", "date", "", false))
                }))
                @if !open_issues.is_empty() {
                    @let fu = f("update_issue");
                    (action_form(p, "update_issue", &fu, csrf, "Update issue", false, html! {
                        h3 { "Assign or reschedule an issue" }
                        (fu.select("issue", "Issue", &open_issues, ""))
                        (fu.select("owner", "Owner", &with_blank("keep the owner", everyone.clone()), ""))
                        (fu.input("due", "Due", "date", "", false))
                    }))
                }
            }
        },
    )
}
