//! Shared or internal: what a customer may see of a project.
//!
//! Every task is `shared` (on the customer's plan, with its notes and proof) or `internal`
//! (vendor-only). What hangs off a task follows it: its proof note, proof file, blocker text and
//! due-date reasons are internal with an internal task. Files have no flag of their own: a file
//! is only ever reachable as the proof of a task or as part of a data import, so it is shared
//! exactly when what it belongs to is ([`customer_file_ids`]); a second flag could only
//! contradict the task's. Handoff promises, risks, the retrospective, the transition packet,
//! adoption readings, the activity log and the scorecard are always internal, and a status update
//! is shared when it is `for_customer`.
//!
//! Whatever a customer can reach (the portal, its data pages, portal emails, one-click email
//! pages) is rendered from [`for_customer`], a copy of the project with everything internal taken
//! out: an internal task keeps its place in the plan (its id, phase, owner, due date and state, so
//! dependencies still read) but its title is [`INTERNAL_WORK`] and it carries no notes or proof.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::people::Side;
use crate::plan::{Proof, Task, TaskLabel, TaskStatus};
use crate::project::Project;

/// Who may see a task (and its notes and proof).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Both sides: the customer sees it in the portal and in their emails.
    #[default]
    Shared,
    /// The vendor team only.
    Internal,
}

impl Visibility {
    pub fn label(self) -> &'static str {
        match self {
            Visibility::Shared => "shared with the customer",
            Visibility::Internal => "internal (vendor only)",
        }
    }

    pub fn is_internal(self) -> bool {
        self == Visibility::Internal
    }
}

/// What the customer sees in place of an internal task's title.
pub const INTERNAL_WORK: &str = "Vendor work in progress";

/// The keys of the built-in playbooks' internal steps.
static BUILTIN_INTERNAL_STEPS: LazyLock<BTreeSet<String>> = LazyLock::new(|| {
    crate::playbook::builtin()
        .iter()
        .flat_map(|p| p.steps().map(|(_, s)| s.clone()).collect::<Vec<_>>())
        .filter(|s| s.visibility.is_internal())
        .map(|s| s.key)
        .collect()
});

/// The visibility of a task or playbook step stored before visibility existed (it has none).
///
/// Old documents were built from the built-in playbooks or copies of them, so a step key the
/// built-in playbooks mark internal (the sales-handoff review, the internal kickoff and risk
/// list, the renewal handover) is internal; anything else was on the customer's plan already and
/// stays shared. Erring towards internal for those keys hides at most a vendor step of a custom
/// playbook that reused the key, never shows vendor work.
pub fn legacy_default(step_key: Option<&str>) -> Visibility {
    match step_key {
        Some(k) if BUILTIN_INTERNAL_STEPS.contains(k) => Visibility::Internal,
        _ => Visibility::Shared,
    }
}

/// Whether a customer may see this task with its title, notes and proof.
pub fn customer_sees(t: &Task) -> bool {
    t.visibility == Visibility::Shared
}

/// A customer task, or one a customer person owns: the customer has to see it to do it.
pub fn customer_does(p: &Project, t: &Task) -> bool {
    t.label == TaskLabel::CustomerTask || owner_side(p, t.owner) == Some(Side::Customer)
}

fn owner_side(p: &Project, owner: Option<u32>) -> Option<Side> {
    owner.and_then(|o| p.person(o)).map(|x| x.side)
}

/// A task the customer does cannot be internal. Checked when a task is added, its visibility
/// set, or it is assigned to someone.
pub fn check_task_visibility(
    p: &Project,
    label: TaskLabel,
    owner: Option<u32>,
    visibility: Visibility,
) -> Result<(), DomainError> {
    if !visibility.is_internal() {
        return Ok(());
    }
    if label == TaskLabel::CustomerTask {
        return Err(DomainError::invalid(
            "visibility",
            "a customer task cannot be internal: the customer must see it to do it (make it shared, or make it a vendor task)",
        ));
    }
    if owner_side(p, owner) == Some(Side::Customer) {
        return Err(DomainError::invalid(
            "visibility",
            format!(
                "{} is on the customer's side and could not see an internal task: make it shared, or give it to someone on the vendor team",
                owner.map(|o| p.person_name(o)).unwrap_or_default()
            ),
        ));
    }
    Ok(())
}

/// The ids of the project's files a customer may download: the proof of a shared task, and
/// every file of their data imports (maps, examples, uploads, reports, clean files).
pub fn customer_file_ids(p: &Project) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for t in p.tasks.iter().filter(|t| customer_sees(t)) {
        if let TaskStatus::Done {
            proof: Proof::File(f),
            ..
        } = &t.status
        {
            out.insert(f.clone());
        }
    }
    for m in &p.data_maps {
        out.insert(m.file.clone());
        out.extend(m.sample.iter().cloned());
        if let Some(d) = &m.draft {
            out.insert(d.upload.clone());
            out.insert(d.report.clone());
        }
    }
    for r in &p.imports {
        for f in [&r.upload_file, &r.clean_file, &r.report_file, &r.fixes_file]
            .into_iter()
            .flatten()
        {
            out.insert(f.clone());
        }
    }
    out
}

/// Whether a customer may download this file of the project.
pub fn customer_may_download(p: &Project, file_id: &str) -> bool {
    customer_file_ids(p).contains(file_id)
}

/// Whether a message about this task may go to someone on `side` (R9 reminders and escalations).
pub fn may_tell(t: &Task, side: Side) -> bool {
    side == Side::Vendor || customer_sees(t)
}

/// The project as a customer may see it: every internal part removed or emptied, internal tasks
/// reduced to [`INTERNAL_WORK`] with their owner, due date and state. Render anything a customer
/// can reach from this, never from the project itself.
pub fn for_customer(p: &Project) -> Project {
    let mut c = p.clone();
    for t in c.tasks.iter_mut().filter(|t| !customer_sees(t)) {
        redact_task(t);
    }
    // An approval keeps the plan as it was shown; a task made internal since then leaves it too,
    // or its old title would reach the customer through the approval and its difference.
    let internal: BTreeSet<u32> = p
        .tasks
        .iter()
        .filter(|t| !customer_sees(t))
        .map(|t| t.id)
        .collect();
    for a in &mut c.plan_approvals {
        a.plan.tasks.retain(|t| !internal.contains(&t.id));
    }
    c.handoff.promises.clear();
    c.handoff.sold.clear();
    c.handoff.expected_timeline.clear();
    c.handoff.account_executive.clear();
    c.risks.clear();
    c.no_known_risks = false;
    c.retro.clear();
    c.transition = None;
    c.adoption.clear();
    c.status_updates.retain(|u| u.for_customer);
    // A low rating's follow-up is the vendor's business: the task leaves the plan whole (no
    // "vendor work" placeholder appearing right after a low score), the rating keeps no link.
    let follow_ups = crate::survey::follow_up_tasks(p);
    c.tasks.retain(|t| !follow_ups.contains(&t.id));
    for r in &mut c.survey_responses {
        r.follow_up = None;
    }
    c
}

fn redact_task(t: &mut Task) {
    t.title = INTERNAL_WORK.to_string();
    t.step_key = None;
    for r in &mut t.rebaselines {
        r.reason.clear();
    }
    match &mut t.status {
        TaskStatus::Done { proof, .. } => *proof = Proof::Note(String::new()),
        TaskStatus::Blocked(b) => b.needed.clear(),
        TaskStatus::Pending | TaskStatus::Open => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playbook::{light_touch, standard};

    #[test]
    fn standard_playbook_marks_the_handoff_review_and_internal_kickoff_internal() {
        let pb = standard();
        let internal: Vec<&str> = pb
            .steps()
            .filter(|(_, s)| s.visibility.is_internal())
            .map(|(_, s)| s.key.as_str())
            .collect();
        assert_eq!(
            internal,
            ["review-handoff", "internal-kickoff", "transition"]
        );
    }

    #[test]
    fn vendor_work_the_customer_waits_on_stays_shared() {
        let pb = standard();
        for key in [
            "provision",
            "integrations",
            "data-import",
            "configure",
            "train-admins",
            "train-users",
        ] {
            let (_, s) = pb.steps().find(|(_, s)| s.key == key).expect(key);
            assert_eq!(s.visibility, Visibility::Shared, "{key}");
        }
        assert!(light_touch()
            .steps()
            .all(|(_, s)| s.visibility == Visibility::Shared));
    }

    #[test]
    fn legacy_default_makes_the_builtin_internal_steps_internal() {
        assert_eq!(legacy_default(Some("review-handoff")), Visibility::Internal);
        assert_eq!(
            legacy_default(Some("internal-kickoff")),
            Visibility::Internal
        );
        assert_eq!(legacy_default(Some("provision")), Visibility::Shared);
        assert_eq!(legacy_default(None), Visibility::Shared);
    }

    #[test]
    fn a_step_stored_without_visibility_loads_with_the_legacy_default() {
        let json = r#"{"key":"internal-kickoff","title":"t","label":"vendor_task","owner_role":"implementation_owner","due_offset_days":1}"#;
        let s: crate::playbook::Step = serde_json::from_str(json).expect("step");
        assert_eq!(s.visibility, Visibility::Internal);
        let json = json.replace("internal-kickoff", "configure");
        let s: crate::playbook::Step = serde_json::from_str(&json).expect("step");
        assert_eq!(s.visibility, Visibility::Shared);
    }
}
