//! The project's occasional actions: each has its own page (`ui::project_forms`), and the
//! section of the project page it belongs to links there while the project offers it. Both the
//! project page and those pages read this table.

use finishline_core::lifecycle::Stage;
use finishline_core::project::{Project, RetroBucket, RetroItem};
use maud::{html, Markup};

use crate::ui::actions::anchor;

/// The occasional actions and the title of each one's page (and of the link to it, shown in
/// the section `actions::anchor` names).
const ACTIONS: &[(&str, &str)] = &[
    ("set_early_win", "Choose the early win"),
    ("measure_criterion", "Record a measurement"),
    ("accept_criterion", "Accept a criterion not met"),
    ("move_scope_item", "Move a scope item"),
    ("realign_with_sales", "Realign with sales"),
    ("change_role", "Change a role"),
    ("set_help_contact", "Set a help contact"),
    ("answer_intake", "Record an intake answer"),
    ("set_sample_state", "Record a sample's state"),
    ("pause", "Pause the project"),
    ("cancel", "Cancel the project"),
    (
        "mark_retro_promoted",
        "Record a fix promoted into a playbook",
    ),
];

/// Whether an action's form lives on its own page.
pub fn is_occasional(action: &str) -> bool {
    ACTIONS.iter().any(|(a, _)| *a == action)
}

pub(crate) fn title(action: &str) -> &'static str {
    ACTIONS
        .iter()
        .find(|(a, _)| *a == action)
        .map_or("", |(_, t)| t)
}

pub(crate) fn unpromoted(r: &RetroItem) -> bool {
    r.bucket == RetroBucket::RolloutWork && r.promoted_to.is_none()
}

/// Whether the project offers an occasional action now: something to do it on (criteria to
/// measure, an open intake request, a fix left to promote) and a stage that allows it. The
/// section's link and the action's page both follow it.
pub(crate) fn available(p: &Project, action: &str) -> bool {
    match action {
        "set_early_win" | "measure_criterion" | "accept_criterion" => !p.criteria.is_empty(),
        "move_scope_item" => !p.scope.is_empty(),
        "realign_with_sales" => finishline_core::handoff::may_realign_at(p.stage),
        "change_role" | "set_help_contact" => !p.people.is_empty(),
        "answer_intake" => p.intake.iter().any(|r| r.answer.is_none()),
        "set_sample_state" => !p.data_sources.is_empty(),
        "pause" => !p.stage.is_closed() && p.stage != Stage::Paused,
        "cancel" => !p.stage.is_closed(),
        "mark_retro_promoted" => p.retro.iter().any(unpromoted),
        _ => false,
    }
}

/// The occasional actions a section of the project page offers in the project's current state.
pub fn offered(p: &Project, section: &str) -> Vec<&'static str> {
    ACTIONS
        .iter()
        .filter(|(a, _)| anchor(a) == section && available(p, a))
        .map(|(a, _)| *a)
        .collect()
}

/// Links to the pages of these actions, for a section of the project page.
pub fn links(p: &Project, actions: &[&str]) -> Markup {
    html! {
        @if !actions.is_empty() {
            p class="more small" {
                @for (i, a) in actions.iter().enumerate() {
                    @if i > 0 { " · " }
                    a href=(format!("/projects/{}/forms/{a}", p.id)) { (title(a)) }
                }
            }
        }
    }
}
