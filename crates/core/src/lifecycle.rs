//! The lifecycle (PRODUCT.md, seed 004): the stages in order and the loops back that are recorded.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::command::{person_exists, Log};
use crate::error::{required_text, DomainError};
use crate::gates::{g1_kickoff_readiness, g2_go_live_readiness, GateReport};
use crate::people::Role;
use crate::project::Project;
use crate::rule::Rule;

/// A project's stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Handoff,
    Assign,
    Intake,
    Kickoff,
    Discovery,
    Build,
    Configuration,
    Training,
    Uat,
    GoNoGo,
    /// Live, in the hypercare window.
    Hypercare,
    Adoption,
    ValueReview,
    Transition,
    Complete,
    Paused,
    Cancelled,
}

/// The working stages in order; `Paused` and `Cancelled` sit outside it.
pub const STAGE_ORDER: [Stage; 15] = [
    Stage::Handoff,
    Stage::Assign,
    Stage::Intake,
    Stage::Kickoff,
    Stage::Discovery,
    Stage::Build,
    Stage::Configuration,
    Stage::Training,
    Stage::Uat,
    Stage::GoNoGo,
    Stage::Hypercare,
    Stage::Adoption,
    Stage::ValueReview,
    Stage::Transition,
    Stage::Complete,
];

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::Handoff => "handoff",
            Stage::Assign => "assign + internal kickoff",
            Stage::Intake => "pre-kickoff intake",
            Stage::Kickoff => "kickoff",
            Stage::Discovery => "discovery",
            Stage::Build => "build",
            Stage::Configuration => "configuration",
            Stage::Training => "training",
            Stage::Uat => "UAT",
            Stage::GoNoGo => "go / no-go",
            Stage::Hypercare => "live + hypercare",
            Stage::Adoption => "adoption",
            Stage::ValueReview => "value review",
            Stage::Transition => "transition",
            Stage::Complete => "complete",
            Stage::Paused => "paused",
            Stage::Cancelled => "cancelled",
        }
    }

    /// The stable snake_case name used in JSON and the database.
    pub fn key(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    pub fn position(self) -> Option<usize> {
        STAGE_ORDER.iter().position(|s| *s == self)
    }

    /// The next working stage, if any.
    pub fn next(self) -> Option<Stage> {
        self.position()
            .and_then(|i| STAGE_ORDER.get(i + 1))
            .copied()
    }

    /// Live or later: go-live has happened.
    pub fn is_live(self) -> bool {
        matches!(
            self,
            Stage::Hypercare
                | Stage::Adoption
                | Stage::ValueReview
                | Stage::Transition
                | Stage::Complete
        )
    }

    pub fn is_closed(self) -> bool {
        matches!(self, Stage::Complete | Stage::Cancelled)
    }
}

/// The loops back that the brief asks to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LoopKind {
    /// Handoff back to sales over an over-promise.
    SalesRealign,
    /// UAT failed: back to configuration or technical setup.
    UatRework,
    /// The go / no-go said no.
    NoGo,
    /// Adoption stalled: re-train, re-engage the champion, fix a workflow.
    AdoptionIntervention,
}

impl LoopKind {
    pub fn label(self) -> &'static str {
        match self {
            LoopKind::SalesRealign => "realign with sales",
            LoopKind::UatRework => "UAT rework",
            LoopKind::NoGo => "no-go",
            LoopKind::AdoptionIntervention => "adoption intervention",
        }
    }

    /// The activity kind that records the loop.
    pub fn activity_kind(self) -> &'static str {
        match self {
            LoopKind::SalesRealign => "loop.sales_realign",
            LoopKind::UatRework => "loop.uat_rework",
            LoopKind::NoGo => "loop.no_go",
            LoopKind::AdoptionIntervention => "loop.adoption_intervention",
        }
    }
}

/// A recorded go / no-go decision (G2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoDecision {
    pub go: bool,
    pub decided_by: String,
    pub at: DateTime<Utc>,
    pub reason: String,
    /// Set when the owner went ahead despite failing items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_reason: Option<String>,
    /// The gate items failing at the time of the decision.
    #[serde(default)]
    pub failing: Vec<String>,
}

/// The packet handed to the renewal CSM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransitionPacket {
    pub renewal_csm: u32,
    pub notes: String,
    pub prepared_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<DateTime<Utc>>,
}

/// Where a failed UAT case or a no-go sends the project back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReworkStage {
    /// Technical setup: SSO, integrations, data migration.
    Build,
    Configuration,
    Training,
}

impl ReworkStage {
    /// The stage the project loops back to.
    pub fn stage(self) -> Stage {
        match self {
            ReworkStage::Build => Stage::Build,
            ReworkStage::Configuration => Stage::Configuration,
            ReworkStage::Training => Stage::Training,
        }
    }
}

pub(crate) fn set_stage(p: &mut Project, log: &mut Log, to: Stage, why: &str) {
    let from = p.stage;
    p.stage = to;
    log.push(
        "stage.changed",
        "project",
        format!(
            "Stage {} → {}{}",
            from.label(),
            to.label(),
            if why.is_empty() {
                String::new()
            } else {
                format!(": {why}")
            }
        ),
        Some(json!({ "stage": from })),
        Some(json!({ "stage": to })),
    );
}

pub(crate) fn record_loop(p: &mut Project, log: &mut Log, kind: LoopKind, to: Stage, reason: &str) {
    let from = p.stage;
    log.push(
        kind.activity_kind(),
        "project",
        format!(
            "Loop taken: {} — back from {} to {}: {reason}",
            kind.label(),
            from.label(),
            to.label()
        ),
        Some(json!({ "stage": from })),
        Some(json!({ "stage": to, "reason": reason })),
    );
    set_stage(p, log, to, reason);
}

/// Moves the project one stage forward, checking what the next stage needs.
pub(crate) fn advance_stage(p: &mut Project, log: &mut Log, to: Stage) -> Result<(), DomainError> {
    let expected = p.stage.next().ok_or_else(|| {
        DomainError::wrong_stage(format!(
            "the project is {}: it has no next stage",
            p.stage.label()
        ))
    })?;
    if to != expected {
        return Err(DomainError::wrong_stage(format!(
            "the project is at {}; the next stage is {}, not {}",
            p.stage.label(),
            expected.label(),
            to.label()
        )));
    }
    let today = log.ctx.today();
    match to {
        Stage::Assign => {}
        Stage::Intake if p.vendor_owner().is_none() => {
            return Err(DomainError::rule(
                Rule::R1,
                "assign the vendor implementation owner before intake",
            ));
        }
        Stage::Kickoff => {
            let report = g1_kickoff_readiness(p);
            if !report.ready {
                return Err(DomainError::GateNotReady { report });
            }
        }
        Stage::Discovery => {
            let mut missing = Vec::new();
            if p.launch_date.is_none() {
                missing.push("a real launch date");
            }
            if p.next_meeting.is_none() {
                missing.push("the next meeting date");
            }
            if !missing.is_empty() {
                return Err(DomainError::wrong_stage(format!(
                    "kickoff is not finished: agree {}",
                    missing.join(" and ")
                )));
            }
            let r1 = crate::people::r1_one_owner(p);
            if !r1.is_empty() {
                return Err(DomainError::rule(Rule::R1, r1.join("; ")));
            }
        }
        Stage::GoNoGo if (p.uat.is_empty() || p.uat.iter().any(|c| !c.passed())) => {
            return Err(DomainError::wrong_stage(
                "UAT has not passed: every UAT case must pass before go / no-go",
            ));
        }
        Stage::Hypercare => {
            return Err(DomainError::wrong_stage(
                "going live is a recorded go / no-go decision (decide_go_live), not a stage change",
            ));
        }
        Stage::Adoption => {
            if let Some(until) = p.hypercare_until {
                if today < until {
                    return Err(DomainError::wrong_stage(format!(
                        "hypercare runs until {until}"
                    )));
                }
            }
        }
        Stage::ValueReview => {}
        Stage::Transition => {
            let unmeasured: Vec<String> = p
                .criteria
                .iter()
                .filter(|c| c.measured.is_none() && c.accepted.is_none())
                .map(|c| c.describe())
                .collect();
            if !unmeasured.is_empty() {
                return Err(DomainError::wrong_stage(format!(
                    "the value review measures every success criterion; not yet measured: {}",
                    unmeasured.join("; ")
                )));
            }
        }
        Stage::Complete => {
            let failing = r11_done_is_value(p);
            if !failing.is_empty() {
                return Err(DomainError::rule(Rule::R11, failing.join("; ")));
            }
            p.completed_at = Some(log.ctx.now);
        }
        _ => {}
    }
    set_stage(p, log, to, "");
    Ok(())
}

/// R11: complete only when every success criterion is met or explicitly accepted and the
/// transition is accepted. Returns what is still missing.
pub fn r11_done_is_value(p: &Project) -> Vec<String> {
    let mut failing = Vec::new();
    if p.criteria.is_empty() {
        failing.push("there are no success criteria to meet".to_string());
    }
    for c in p.criteria.iter().filter(|c| !c.is_settled()) {
        failing.push(match c.measured {
            None => format!("\"{}\" has not been measured", c.describe()),
            Some(v) => format!(
                "\"{}\" is not met (measured {}) and not accepted by the customer's decision maker",
                c.describe(),
                crate::finish_line::fmt_num(v)
            ),
        });
    }
    match &p.transition {
        None => failing.push("the transition packet to the renewal CSM is not prepared".into()),
        Some(t) if t.accepted_at.is_none() => {
            failing.push("the renewal CSM has not accepted the transition".into())
        }
        Some(_) => {}
    }
    failing
}

/// G2: going live while the gate has failing items needs an override: a reason, recorded, given
/// by the vendor implementation owner (`acting`). Returns the override reason to record, `None`
/// when the gate passes.
pub fn g2_override(
    p: &Project,
    report: GateReport,
    override_reason: Option<String>,
    acting: Option<u32>,
) -> Result<Option<String>, DomainError> {
    match (report.ready, override_reason) {
        (true, _) => Ok(None),
        (false, Some(r)) if !r.trim().is_empty() => {
            let is_owner = acting.is_some_and(|id| p.vendor_owner().is_some_and(|o| o.id == id));
            if !is_owner {
                return Err(DomainError::rule(
                    Rule::G2,
                    "only the vendor implementation owner can override the go-live gate",
                ));
            }
            Ok(Some(r.trim().to_string()))
        }
        (false, _) => Err(DomainError::GateNotReady { report }),
    }
}

pub(crate) fn decide_go_live(
    p: &mut Project,
    log: &mut Log,
    go: bool,
    reason: String,
    override_reason: Option<String>,
    back_to: Option<ReworkStage>,
) -> Result<(), DomainError> {
    let ctx = log.ctx;
    let now = log.ctx.now;
    let reason = required_text("reason", &reason)?;
    if p.stage != Stage::GoNoGo {
        return Err(DomainError::wrong_stage(format!(
            "the go / no-go decision is taken at the go / no-go stage; the project is at {}",
            p.stage.label()
        )));
    }
    let report = g2_go_live_readiness(p, ctx.today());
    let failing: Vec<String> = report
        .failing()
        .map(|i| format!("{}: {}", i.label, i.reason))
        .collect();
    let decided_by = ctx.actor.clone();
    if go {
        let override_reason = g2_override(p, report, override_reason, ctx.person)?;
        p.go_decisions.push(GoDecision {
            go: true,
            decided_by: decided_by.clone(),
            at: now,
            reason: reason.clone(),
            override_reason: override_reason.clone(),
            failing: failing.clone(),
        });
        log.push(
            "go_live.decided",
            "go_live",
            format!(
                "GO decided by {decided_by}: {reason}{}",
                override_reason
                    .as_ref()
                    .map(|r| format!(" — gate overridden: {r}"))
                    .unwrap_or_default()
            ),
            None,
            Some(json!({ "go": true, "override_reason": override_reason, "failing": failing })),
        );
        let today = ctx.today();
        p.live_on = Some(today);
        p.hypercare_until = Some(today + Duration::days(i64::from(p.hypercare_days)));
        set_stage(p, log, Stage::Hypercare, "go-live");
    } else {
        let to = back_to.ok_or_else(|| {
            DomainError::invalid(
                "back_to",
                "a no-go loops back: say where to (build, configuration or training)",
            )
        })?;
        p.go_decisions.push(GoDecision {
            go: false,
            decided_by: decided_by.clone(),
            at: now,
            reason: reason.clone(),
            override_reason: None,
            failing: failing.clone(),
        });
        log.push(
            "go_live.decided",
            "go_live",
            format!("NO-GO decided by {decided_by}: {reason}"),
            None,
            Some(json!({ "go": false, "failing": failing })),
        );
        record_loop(p, log, LoopKind::NoGo, to.stage(), &reason);
    }
    Ok(())
}

pub(crate) fn prepare_transition(
    p: &mut Project,
    log: &mut Log,
    renewal_csm: u32,
    notes: String,
) -> Result<(), DomainError> {
    let now = log.ctx.now;
    let notes = required_text("notes", &notes)?;
    person_exists(p, renewal_csm, "renewal_csm")?;
    if p.person(renewal_csm).map(|x| x.role) != Some(Role::RenewalCsm) {
        return Err(DomainError::invalid(
            "renewal_csm",
            "name a person with the renewal CSM role",
        ));
    }
    p.transition = Some(TransitionPacket {
        renewal_csm,
        notes,
        prepared_at: now,
        accepted_at: None,
    });
    log.push(
        "transition.prepared",
        "transition",
        format!(
            "Transition packet prepared for {}",
            p.person_name(renewal_csm)
        ),
        None,
        None,
    );
    Ok(())
}

/// R11: the transition counts as accepted only from the renewal CSM named in the packet (when
/// the acting person is known).
pub fn r11_accepted_by_the_renewal_csm(
    t: &TransitionPacket,
    acting: Option<u32>,
) -> Result<(), DomainError> {
    if let Some(acting) = acting {
        if acting != t.renewal_csm {
            return Err(DomainError::rule(
                Rule::R11,
                "only the renewal CSM named in the packet accepts the transition",
            ));
        }
    }
    Ok(())
}

pub(crate) fn accept_transition(p: &mut Project, log: &mut Log) -> Result<(), DomainError> {
    let ctx = log.ctx;
    let now = log.ctx.now;
    let t = p
        .transition
        .as_mut()
        .ok_or_else(|| DomainError::invalid("transition", "prepare the transition packet first"))?;
    r11_accepted_by_the_renewal_csm(t, ctx.person)?;
    t.accepted_at = Some(now);
    log.push(
        "transition.accepted",
        "transition",
        "Transition accepted by the renewal CSM",
        None,
        None,
    );
    Ok(())
}

pub(crate) fn pause(p: &mut Project, log: &mut Log, reason: String) -> Result<(), DomainError> {
    let reason = required_text("reason", &reason)?;
    p.paused_from = Some(p.stage);
    set_stage(p, log, Stage::Paused, &reason);
    Ok(())
}

pub(crate) fn resume(p: &mut Project, log: &mut Log) -> Result<(), DomainError> {
    let to = p
        .paused_from
        .take()
        .ok_or_else(|| DomainError::wrong_stage("the project is not paused"))?;
    set_stage(p, log, to, "resumed");
    Ok(())
}

pub(crate) fn cancel(p: &mut Project, log: &mut Log, reason: String) -> Result<(), DomainError> {
    let reason = required_text("reason", &reason)?;
    set_stage(p, log, Stage::Cancelled, &reason);
    Ok(())
}
