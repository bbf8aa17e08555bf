//! Gates and stage: the kickoff and go-live checklists, advancing the stage, the go / no-go
//! decision, and resuming a paused project.

use finishline_core::lifecycle::{Stage, STAGE_ORDER};
use maud::{html, Markup};

use super::occasional::{links, offered};
use super::parts::{action_form, row_action, section};
use crate::cache::Derived;
use crate::ui::form::FormState;
use crate::ui::layout::{self, Fields};

/// The gates section: both checklists, the stage's forms and the decisions taken.
pub(super) fn gates(d: &Derived, st: &FormState, csrf: &str) -> Markup {
    let p = &d.view.project;
    let f = |k: &str| Fields::new(Some(st), k);
    section(
        "gates",
        "Gates and stage",
        html! {
            div class="cols" {
                (layout::gate_checklist(&d.view.gates.kickoff))
                (layout::gate_checklist(&d.view.gates.go_live))
            }
            (links(p, &offered(p, "gates")))
            div class="forms" {
                @let fa = f("advance_stage");
                (action_form(p, "advance_stage", &fa, csrf, "Advance", false, html! {
                    h3 { "Advance the stage" }
                    (fa.select("to", "To stage", &STAGE_ORDER.iter().map(|s| (s.key(), s.label().to_string())).collect::<Vec<_>>(), &p.stage.next().map(Stage::key).unwrap_or_default()))
                }))
                @if p.stage == Stage::GoNoGo {
                    @let fg = f("decide_go_live");
                    (action_form(p, "decide_go_live", &fg, csrf, "Record decision", false, html! {
                        h3 { "Go / no-go decision" }
                        (fg.select("go", "Decision", &[("go".into(), "go".into()), ("no".into(), "no-go".into())], "go"))
                        (fg.input("reason", "Reason", "text", "", true))
                        (fg.input("override_reason", "Override the gate (owner only): why", "text", "", false))
                        (fg.select("back_to", "On no-go, loop back to", &[("".into(), "—".into()), ("build".into(), "build".into()), ("configuration".into(), "configuration".into()), ("training".into(), "training".into())], ""))
                    }))
                }
            }
            @if p.stage == Stage::Paused {
                (f("resume").message())
                p { span class="badge warn" { "paused" } " " (row_action(p, "resume", csrf, &[], "Resume where it stopped")) }
            }
            @if !p.go_decisions.is_empty() {
                h3 { "Decisions" }
                ul { @for g in &p.go_decisions { li { (if g.go { "GO" } else { "NO-GO" }) " by " (g.decided_by) " on " (g.at.date_naive()) ": " (g.reason) } } }
            }
        },
    )
}
