//! The gates (G1 kickoff readiness, G2 go-live readiness) and the rule checks they are built from
//! (R1 one owner, R3 not-included note). Each item says what is missing and how to fix it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use crate::people::r1_one_owner;
use crate::people::{Role, Side};
use crate::plan::TaskStatus;
use crate::playbook::StepKind;
use crate::project::Project;
pub use crate::scope::r3_not_included_note;
use crate::training::TrainingAudience;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Gate {
    /// G1.
    KickoffReadiness,
    /// G2.
    GoLiveReadiness,
}

impl Gate {
    pub fn title(self) -> &'static str {
        match self {
            Gate::KickoffReadiness => "G1 kickoff readiness",
            Gate::GoLiveReadiness => "G2 go-live readiness",
        }
    }
}

/// One checklist item of a gate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GateItem {
    pub key: String,
    pub label: String,
    pub ok: bool,
    /// Why it fails and what would make it pass; empty when it passes.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GateReport {
    pub gate: Gate,
    pub ready: bool,
    pub items: Vec<GateItem>,
}

impl GateReport {
    fn new(gate: Gate, items: Vec<GateItem>) -> Self {
        let ready = items.iter().all(|i| i.ok);
        Self { gate, ready, items }
    }

    pub fn failing(&self) -> impl Iterator<Item = &GateItem> {
        self.items.iter().filter(|i| !i.ok)
    }

    pub fn failing_summary(&self) -> String {
        self.failing()
            .map(|i| format!("{} — {}", i.label, i.reason))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn item(key: &str, label: &str, failures: Vec<String>) -> GateItem {
    GateItem {
        key: key.into(),
        label: label.into(),
        ok: failures.is_empty(),
        reason: failures.join("; "),
    }
}

/// G1: who is involved, what data is moving, what success looks like, what could block launch —
/// plus the over-promises from the handoff and the not-included note, which kickoff also needs.
pub fn g1_kickoff_readiness(project: &Project) -> GateReport {
    let mut who = Vec::new();
    if project.customer_owner().is_none() {
        who.push("name the customer owner".to_string());
    }
    if project.first_with_role(Role::BackupContact).is_none() {
        who.push("name a backup contact on the customer side".to_string());
    }
    if project.decision_maker(Side::Customer).is_none() {
        who.push("name the customer's decision maker".to_string());
    }
    if project.vendor_owner().is_none() {
        who.push("assign the vendor implementation owner".to_string());
    }

    let mut data = Vec::new();
    if project.data_sources.is_empty() {
        data.push("list at least one data source".to_string());
    } else if !project
        .data_sources
        .iter()
        .any(|d| d.sample != crate::intake::SampleState::NotRequested)
    {
        data.push("request a sample from at least one data source".to_string());
    }

    let mut success = Vec::new();
    match &project.finish_line {
        None => success.push("write the finish line".to_string()),
        Some(f) if !f.vague_reasons.is_empty() => {
            success.push(format!(
                "the finish line is vague: {}",
                f.vague_reasons.join("; ")
            ));
        }
        Some(_) => {}
    }
    if project.criteria.is_empty() {
        success.push("add at least one measurable success criterion (metric, baseline, target, how measured)".to_string());
    }

    let mut risks = Vec::new();
    if project.risks.is_empty() && !project.no_known_risks {
        risks.push("list the risks to launch, or state \"none known\"".to_string());
    }

    let promises: Vec<String> = project
        .handoff
        .unresolved_promises()
        .map(|p| format!("promise {} \"{}\" is {} and unresolved: bring it into scope with a plan, move it to later with the customer's acknowledgement, or decline it", p.id, p.text, promise_class_label(p.class)))
        .collect();

    GateReport::new(
        Gate::KickoffReadiness,
        vec![
            item(
                "who",
                "Who is involved: customer owner, backup, decision maker",
                who,
            ),
            item(
                "data",
                "What data is moving: a source with a sample requested or received",
                data,
            ),
            item(
                "success",
                "What success looks like: finish line (R2) and a measurable criterion",
                success,
            ),
            item(
                "risks",
                "What could block launch: risks listed or \"none known\"",
                risks,
            ),
            item(
                "promises",
                "Sales promises resolved (realign with sales)",
                promises,
            ),
            item(
                "not_included",
                "Not-included note (R3)",
                r3_not_included_note(project),
            ),
        ],
    )
}

fn promise_class_label(c: crate::handoff::PromiseClass) -> &'static str {
    use crate::handoff::PromiseClass::*;
    match c {
        Standard => "standard",
        PhaseTwo => "phase two",
        NeedsCustomWork => "needs custom work",
        NotOffered => "not offered",
        Unclassified => "unclassified",
    }
}

/// G2: build done with proof, data clean, everyone trained, UAT passed, issues owned and dated,
/// help contacts named, an early-win metric picked.
pub fn g2_go_live_readiness(project: &Project, today: NaiveDate) -> GateReport {
    let build: Vec<String> = project
        .tasks
        .iter()
        .filter(|t| t.kind == StepKind::Build)
        .filter_map(|t| match &t.status {
            TaskStatus::Done { .. } => None,
            _ => Some(format!(
                "task {} \"{}\" is {}",
                t.id,
                t.title,
                t.state_label()
            )),
        })
        .collect();

    let data = match project.latest_import() {
        None if project.data_sources.is_empty() => Vec::new(),
        None => vec!["no data import has run: import the customer's real data and fix the flagged rows".to_string()],
        Some(run) if !run.is_clean() => vec![format!(
            "the latest import (run {}, {} rows) still has {} blocking issue(s): fix them and re-run",
            run.id, run.rows, run.errors
        )],
        Some(_) => Vec::new(),
    };

    let trained = g2_training(project);

    let uat: Vec<String> = if project.uat.is_empty() {
        vec!["no UAT case: add cases tied to the success criteria and run them".to_string()]
    } else {
        project
            .uat
            .iter()
            .filter(|c| !c.passed())
            .map(|c| format!("UAT case {} \"{}\" has not passed", c.id, c.title))
            .collect()
    };

    let mut issues = Vec::new();
    for i in project.issues.iter().filter(|i| i.is_open()) {
        if i.owner.is_none() {
            issues.push(format!("issue {} \"{}\" has no owner", i.id, i.title));
        }
        match i.due {
            None => issues.push(format!("issue {} \"{}\" has no due date", i.id, i.title)),
            Some(d) if d < today => issues.push(format!(
                "issue {} \"{}\" is overdue since {d}",
                i.id, i.title
            )),
            Some(_) => {}
        }
    }

    let help: Vec<String> = project
        .people
        .iter()
        .filter(|p| matches!(p.role, Role::EndUser | Role::CustomerAdmin))
        .filter(|p| p.help_contact.and_then(|h| project.person(h)).is_none())
        .map(|p| format!("{} has no named help contact", p.name))
        .collect();

    let early_win = if project
        .early_win
        .is_some_and(|id| project.criteria.iter().any(|c| c.id == id))
    {
        Vec::new()
    } else {
        vec!["pick the early-win metric among the success criteria".to_string()]
    };

    GateReport::new(
        Gate::GoLiveReadiness,
        vec![
            item("build", "Build tasks done with proof", build),
            item("data", "Latest data import clean", data),
            item(
                "training",
                "Every role trained and practice tasks completed",
                trained,
            ),
            item("uat", "UAT passed", uat),
            item(
                "issues",
                "Every open issue has one owner and one due date",
                issues,
            ),
            item("help", "Every user has a named help contact", help),
            item("early_win", "An early-win metric is picked", early_win),
        ],
    )
}

/// G2's training item: a held session for the admins and the daily users, and every attendee's
/// practice task completed (R14).
fn g2_training(project: &Project) -> Vec<String> {
    let mut trained = Vec::new();
    let audiences_needed: Vec<TrainingAudience> = {
        let mut v = vec![TrainingAudience::Admins, TrainingAudience::DailyUsers];
        v.sort();
        v
    };
    for audience in audiences_needed {
        let sessions: Vec<_> = project
            .training
            .iter()
            .filter(|s| s.audience == audience)
            .collect();
        if sessions.is_empty() {
            trained.push(format!("no training session for {}", audience.label()));
        } else if !sessions.iter().any(|s| s.held) {
            trained.push(format!(
                "the {} session has not been held",
                audience.label()
            ));
        }
    }
    for s in project.training.iter().filter(|s| s.held) {
        let missing: Vec<String> = s
            .attendees
            .iter()
            .filter(|a| !a.completed)
            .map(|a| project.person_name(a.person))
            .collect();
        if !missing.is_empty() {
            trained.push(format!(
                "practice task not completed in \"{}\" by {}",
                s.title,
                missing.join(", ")
            ));
        }
    }
    trained
}
