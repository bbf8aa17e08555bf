//! The choices of the project page's selects (and of the occasional actions' pages), in words.

use finishline_core::people::Role;
use finishline_core::plan::TaskLabel;
use finishline_core::project::RetroKind;

use super::parts::key;

/// The choices of visibility, in words.
pub(crate) fn visibilities() -> Vec<(String, String)> {
    use finishline_core::visibility::Visibility;
    [Visibility::Shared, Visibility::Internal]
        .iter()
        .map(|v| (key(v), v.label().to_string()))
        .collect()
}

pub(super) fn retro_kind_label(k: RetroKind) -> &'static str {
    match k {
        RetroKind::NeededManualHelp => "needed manual help",
        RetroKind::FinalScopeCall => "final call on scope",
        RetroKind::TookLonger => "took longer than expected",
        RetroKind::Blocked => "blocked",
        RetroKind::OnlyAnnoyed => "only annoyed",
    }
}

pub(super) fn retro_kinds() -> Vec<(String, String)> {
    [
        RetroKind::NeededManualHelp,
        RetroKind::FinalScopeCall,
        RetroKind::TookLonger,
        RetroKind::Blocked,
        RetroKind::OnlyAnnoyed,
    ]
    .iter()
    .map(|k| (key(k), retro_kind_label(*k).to_string()))
    .collect()
}

pub(crate) fn scope_buckets() -> Vec<(String, String)> {
    vec![
        ("in".into(), "in phase one".into()),
        ("later".into(), "later".into()),
        ("out".into(), "not included".into()),
    ]
}

pub(crate) fn sample_states() -> Vec<(String, String)> {
    vec![
        ("not_requested".into(), "not requested".into()),
        ("requested".into(), "requested".into()),
        ("received".into(), "received".into()),
    ]
}

pub(super) fn task_labels() -> Vec<(String, String)> {
    [
        TaskLabel::VendorTask,
        TaskLabel::CustomerTask,
        TaskLabel::SharedTask,
    ]
    .iter()
    .map(|l| (key(l), l.label().to_string()))
    .collect()
}

pub(super) fn audiences() -> Vec<(String, String)> {
    use finishline_core::training::TrainingAudience::*;
    [Admins, Managers, DailyUsers, SupportOps]
        .iter()
        .map(|a| (key(a), a.label().to_string()))
        .collect()
}

pub(super) fn interventions() -> Vec<(String, String)> {
    [
        ("", "none (not stalled)"),
        ("retrain", "re-train the inactive users"),
        ("reengage_champion", "re-engage the champion"),
        ("fix_workflow", "fix the workflow behind the stall"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
    .collect()
}

pub(super) fn promise_classes() -> Vec<(String, String)> {
    [
        ("standard", "standard"),
        ("phase_two", "phase two"),
        ("needs_custom_work", "needs custom work"),
        ("not_offered", "not offered"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
    .collect()
}

pub(crate) fn roles() -> Vec<(String, String)> {
    [
        Role::CustomerOwner,
        Role::BackupContact,
        Role::DecisionMaker,
        Role::ExecutiveSponsor,
        Role::CustomerAdmin,
        Role::EndUser,
        Role::ImplementationOwner,
        Role::VendorTeammate,
        Role::AccountExecutive,
        Role::RenewalCsm,
    ]
    .iter()
    .map(|r| (key(r), r.label().to_string()))
    .collect()
}

pub(super) fn intake_kinds() -> Vec<(String, String)> {
    use finishline_core::intake::IntakeKind::*;
    [
        FirstOutcome,
        NamesAndRoles,
        SampleFiles,
        Access,
        Deadlines,
        Risks,
        Other,
    ]
    .iter()
    .map(|k| (key(k), key(k).replace('_', " ")))
    .collect()
}

pub fn label_is_customer(l: TaskLabel) -> bool {
    l == TaskLabel::CustomerTask
}
