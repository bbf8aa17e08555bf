//! Scope and change requests: what phase one includes, what comes later and what is not
//! included, and the change requests with their answers and decisions (R4).

use finishline_core::people::Role;
use finishline_core::project::Project;
use maud::{html, Markup};

use super::occasional::{links, offered};
use super::options::scope_buckets;
use super::parts::{action_form, people_opts, row_action, section, with_blank};
use crate::ui::form::FormState;
use crate::ui::layout::Fields;

/// The scope section: the three buckets, the change requests and their forms.
pub(super) fn scope(p: &Project, st: &FormState, csrf: &str) -> Markup {
    let f = |k: &str| Fields::new(Some(st), k);
    let everyone = people_opts(p, |_| true);
    let open_crs: Vec<(String, String)> = p
        .change_requests
        .iter()
        .filter(|c| c.is_open())
        .map(|c| (c.id.to_string(), format!("#{} {}", c.id, c.title)))
        .collect();
    let dms = people_opts(p, |x| x.role == Role::DecisionMaker);
    section(
        "scope",
        "Scope and change requests",
        html! {
            div class="cols" {
                @for (bucket, title) in [(finishline_core::scope::ScopeBucket::In, "In phase one"), (finishline_core::scope::ScopeBucket::Later, "Later"), (finishline_core::scope::ScopeBucket::Out, "Not included")] {
                    div { h3 { (title) } ul { @for s in p.scope.iter().filter(|s| s.bucket == bucket) { li { (s.text) } } } }
                }
            }
            (links(p, &offered(p, "scope")))
            @if p.nothing_excluded_confirmed { p class="muted" { "Nothing excluded (confirmed)." } }
            @else if !p.scope.iter().any(|s| s.bucket == finishline_core::scope::ScopeBucket::Out) {
                (f("confirm_nothing_excluded").message())
                p class="muted small" { "Nothing is listed as not included. "
                    (row_action(p, "confirm_nothing_excluded", csrf, &[], "Confirm phase one excludes nothing")) }
            }
            h3 { "Change requests" }
            @if p.change_requests.is_empty() { p class="muted" { "None." } }
            ul class="crs" {
                @for c in &p.change_requests {
                    li {
                        strong { "#" (c.id) " " (c.title) }
                        " — requested by " (p.person_name(c.requested_by)) " on " (c.requested_at.date_naive())
                        @if c.is_material() { " " span class="badge warn" { "material change (R4)" } }
                        @if !c.description.is_empty() { div class="small" { (c.description) } }
                        @for a in &c.approvals {
                            div class="small" { (p.person_name(a.person)) (if a.approved { " approved" } else { " declined" }) @if !a.note.is_empty() { ": " (a.note) } }
                        }
                        @match &c.decision {
                            Some(dc) => div { span class="badge ok" { "decided: " (dc.decision.label()) } @if !dc.note.is_empty() { " — " (dc.note) } },
                            None => div { span class="badge" { "open" } },
                        }
                    }
                }
            }
            div class="forms" {
                @let fs = f("add_scope_item");
                (action_form(p, "add_scope_item", &fs, csrf, "Add to scope", false, html! {
                    h3 { "Scope item" }
                    (fs.input("text", "Item", "text", "", true))
                    (fs.select("bucket", "Bucket", &scope_buckets(), "in"))
                }))
                @let fq = f("request_change");
                (action_form(p, "request_change", &fq, csrf, "Record request", false, html! {
                    h3 { "New change request" }
                    (fq.input("title", "Title", "text", "", true))
                    (fq.input("description", "Description", "text", "", false))
                    (fq.select("requested_by", "Requested by", &with_blank("choose a person", everyone.clone()), ""))
                    (fq.checkbox("adds_new_data", "adds new data", false))
                    (fq.checkbox("adds_new_workflow", "adds a new workflow", false))
                    (fq.checkbox("adds_new_team", "adds a new team", false))
                    (fq.input("proposed_launch_date", "Proposed launch date", "date", "", false))
                }))
                @if !open_crs.is_empty() {
                    @let fa = f("answer_change");
                    (action_form(p, "answer_change", &fa, csrf, "Record answer", false, html! {
                        h3 { "A decision maker's answer" }
                        (fa.select("request", "Change request", &open_crs, ""))
                        (fa.select("person", "Decision maker", &with_blank("choose", dms.clone()), ""))
                        (fa.select("approved", "Answer", &[("yes".into(), "approve".into()), ("no".into(), "decline".into())], "yes"))
                        (fa.input("note", "Note", "text", "", false))
                    }))
                    @let fd = f("decide_change");
                    (action_form(p, "decide_change", &fd, csrf, "Record decision", false, html! {
                        h3 { "Decide a change request" }
                        (fd.select("request", "Change request", &open_crs, ""))
                        (fd.select("decision", "Decision", &[("add_now".into(), "add now".into()), ("phase_two".into(), "phase two".into()), ("decline".into(), "decline".into())], ""))
                        (fd.input("note", "Note", "text", "", false))
                    }))
                }
            }
        },
    )
}
