//! The finish line: what done looks like for the customer, in one line with a number (R2), and
//! the success criteria that measure it, with the early win and what was measured or accepted.

use finishline_core::finish_line::fmt_num;
use finishline_core::project::Project;
use maud::{html, Markup};

use super::occasional::{links, offered};
use super::parts::{action_form, flash_slot};
use crate::ui::form::FormState;
use crate::ui::layout::Fields;

/// The finish line's section: the line, its criteria and the forms that edit them (open while
/// either is missing, or when one of them was refused).
pub(super) fn finish_line(p: &Project, st: &FormState, csrf: &str) -> Markup {
    let f = |k: &str| Fields::new(Some(st), k);
    html! {
        div class="finish-line" id="finish-line" {
            h2 { "Finish line" }
            (flash_slot("finish-line"))
            @match &p.finish_line {
                Some(fl) => {
                    p class="line" { (fl.text) }
                    @if !fl.vague_reasons.is_empty() {
                        p class="refusal" { strong { "Too vague to measure (R2): " } (fl.vague_reasons.join("; ")) }
                    }
                },
                None => p class="muted" { "Not written yet." },
            }
            @if !p.criteria.is_empty() {
                ul { @for c in &p.criteria {
                    li { (c.describe()) " — measured by " (c.how_measured)
                        @if p.early_win == Some(c.id) { " " span class="badge ok" { "early win" } }
                        @if let Some(v) = c.measured {
                            " · measured " (fmt_num(v)) " "
                            @if c.is_met() { span class="badge ok" { "met" } } @else { span class="badge warn" { "not met" } }
                        }
                        @if let Some(a) = &c.accepted {
                            " " span class="badge ok" { "accepted by " (p.person_name(a.by)) } " " span class="small" { (a.reason) }
                        }
                    }
                } }
            }
            (links(p, &offered(p, "finish-line")))
            details open[matches!(st.form.as_str(), "set_finish_line" | "add_criterion") || p.finish_line.is_none() || p.criteria.is_empty()] {
                summary { "Edit the finish line or add a criterion" }
                @let ff = f("set_finish_line");
                (action_form(p, "set_finish_line", &ff, csrf, "Save finish line", false, html! {
                    (ff.textarea("text", "Finish line: the user, the task and what done looks like, with a number", p.finish_line.as_ref().map_or("", |x| x.text.as_str()), true))
                }))
                @let fc = f("add_criterion");
                (action_form(p, "add_criterion", &fc, csrf, "Add criterion", false, html! {
                    div class="row" {
                        (fc.input("metric", "Metric", "text", "", true))
                        (fc.input("baseline", "Baseline", "text", "", false))
                        (fc.select("direction", "Better when", &[("at_least".into(), "at least the target".into()), ("at_most".into(), "at most the target".into())], "at_least"))
                        (fc.input("target", "Target", "text", "", true))
                        (fc.input("unit", "Unit", "text", "", false))
                    }
                    (fc.input("how_measured", "How it is measured", "text", "", true))
                }))
            }
        }
    }
}
