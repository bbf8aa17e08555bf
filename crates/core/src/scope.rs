//! Scope: what is in, later and out (R3), and change requests with their approvals (R4).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::command::{person_exists, Ctx, Log};
use crate::error::{required_text, DomainError};
use crate::people::{Person, Role, Side};
use crate::plan::rebaseline_launch;
use crate::project::Project;
use crate::rule::Rule;

/// Where a scope item sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ScopeBucket {
    /// In phase one.
    In,
    /// Phase two or later: kept, never lost.
    Later,
    /// Not included (the not-included note, R3).
    Out,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScopeItem {
    pub id: u32,
    pub text: String,
    pub bucket: ScopeBucket,
    /// The change request it came from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_change_request: Option<u32>,
}

/// The decision that closes a change request (R4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeDecision {
    AddNow,
    PhaseTwo,
    Decline,
}

impl ChangeDecision {
    pub fn label(self) -> &'static str {
        match self {
            ChangeDecision::AddNow => "add now",
            ChangeDecision::PhaseTwo => "phase two",
            ChangeDecision::Decline => "decline",
        }
    }
}

/// An approval or a refusal by a decision maker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Approval {
    pub person: u32,
    pub approved: bool,
    pub at: DateTime<Utc>,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordedChangeDecision {
    pub decision: ChangeDecision,
    /// Who approved it (both decision makers for a material add-now).
    pub approved_by: Vec<u32>,
    pub note: String,
    pub at: DateTime<Utc>,
}

/// A request to change scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeRequest {
    pub id: u32,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub requested_by: u32,
    pub adds_new_data: bool,
    pub adds_new_workflow: bool,
    pub adds_new_team: bool,
    #[serde(default)]
    pub approvals: Vec<Approval>,
    /// The launch date the change would need (R4: required before work starts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed_launch_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<RecordedChangeDecision>,
    pub requested_at: DateTime<Utc>,
}

impl ChangeRequest {
    /// R4: adds new data, a new workflow or a new team.
    pub fn is_material(&self) -> bool {
        self.adds_new_data || self.adds_new_workflow || self.adds_new_team
    }

    pub fn is_open(&self) -> bool {
        self.decision.is_none()
    }

    /// The latest word of each person who answered.
    pub fn latest_answer(&self, person: u32) -> Option<&Approval> {
        self.approvals.iter().rev().find(|a| a.person == person)
    }
}
/// R3: the not-included note is written, or confirmed empty on purpose.
pub fn r3_not_included_note(project: &Project) -> Vec<String> {
    let has_out = project.scope.iter().any(|s| s.bucket == ScopeBucket::Out);
    if has_out || project.nothing_excluded_confirmed {
        Vec::new()
    } else {
        vec!["the not-included note is empty: list what phase one will not include, or confirm that nothing is excluded".into()]
    }
}

/// R3: confirming that phase one excludes nothing is only for an empty not-included note.
pub fn r3_nothing_to_exclude(p: &Project) -> Result<(), DomainError> {
    if p.scope.iter().any(|s| s.bucket == ScopeBucket::Out) {
        return Err(DomainError::rule(
            Rule::R3,
            "the not-included note already lists items: nothing to confirm",
        ));
    }
    Ok(())
}

/// R4: only decision makers answer a change request, and a customer answers only for
/// themselves.
pub fn r4_answered_by_a_decision_maker(who: &Person, ctx: &Ctx) -> Result<(), DomainError> {
    if who.role != Role::DecisionMaker {
        return Err(DomainError::rule(Rule::R4, format!("{} is not a decision maker: only the decision makers of both sides approve change requests", who.name)));
    }
    if let (Some(acting), Side::Customer) = (ctx.person, ctx.side) {
        if acting != who.id {
            return Err(DomainError::rule(
                Rule::R4,
                "a customer can only answer for themselves",
            ));
        }
    }
    Ok(())
}

/// R4: a material change is added now only with both decision makers' approval and a new
/// launch date no earlier than the current one. Returns the launch date to move to, if any.
pub fn r4_may_add_now(
    cr: &ChangeRequest,
    vendor_dm: Option<u32>,
    customer_dm: Option<u32>,
    launch: Option<NaiveDate>,
) -> Result<Option<NaiveDate>, DomainError> {
    let (missing, new_date) = r4_add_now_requirements(cr, vendor_dm, customer_dm, launch);
    if !missing.is_empty() {
        return Err(DomainError::rule(
            Rule::R4,
            format!(
                "\"{}\" adds {} and cannot be added now until: {}",
                cr.title,
                material_what(cr),
                missing.join("; ")
            ),
        ));
    }
    Ok(new_date)
}

pub(crate) fn material_what(cr: &ChangeRequest) -> String {
    let mut v = Vec::new();
    if cr.adds_new_data {
        v.push("new data");
    }
    if cr.adds_new_workflow {
        v.push("a new workflow");
    }
    if cr.adds_new_team {
        v.push("a new team");
    }
    if v.is_empty() {
        "nothing material".into()
    } else {
        v.join(", ")
    }
}

/// R4: what a change request still lacks before it can be added now; and the launch date to use.
pub fn r4_add_now_requirements(
    cr: &ChangeRequest,
    vendor_dm: Option<u32>,
    customer_dm: Option<u32>,
    launch: Option<NaiveDate>,
) -> (Vec<String>, Option<NaiveDate>) {
    let mut missing = Vec::new();
    if !cr.is_material() {
        return (missing, None);
    }
    for (side, dm) in [("vendor", vendor_dm), ("customer", customer_dm)] {
        match dm {
            None => missing.push(format!("name the {side} decision maker")),
            Some(id) if !cr.latest_answer(id).is_some_and(|a| a.approved) => {
                missing.push(format!("the {side} decision maker approves it"))
            }
            Some(_) => {}
        }
    }
    match cr.proposed_launch_date {
        None => missing.push("agree a new launch date".into()),
        Some(d) if launch.is_some_and(|l| d < l) => missing.push(format!("the new launch date {d} is earlier than the current one: more scope needs more time, not less")),
        Some(_) => {}
    }
    (missing, cr.proposed_launch_date)
}

pub(crate) fn add_scope_item(
    p: &mut Project,
    log: &mut Log,
    text: String,
    bucket: ScopeBucket,
) -> Result<(), DomainError> {
    let text = required_text("text", &text)?;
    let id = p.take_id();
    p.scope.push(ScopeItem {
        id,
        text: text.clone(),
        bucket,
        from_change_request: None,
    });
    if bucket == ScopeBucket::Out {
        p.nothing_excluded_confirmed = false;
    }
    log.push(
        "scope.added",
        format!("scope:{id}"),
        format!("Scope ({bucket:?}): {text}"),
        None,
        Some(json!({ "text": text, "bucket": bucket })),
    );
    Ok(())
}

pub(crate) fn move_scope_item(
    p: &mut Project,
    log: &mut Log,
    item: u32,
    bucket: ScopeBucket,
) -> Result<(), DomainError> {
    let s = p
        .scope
        .iter_mut()
        .find(|s| s.id == item)
        .ok_or_else(|| DomainError::not_found(format!("scope item {item}")))?;
    let before = s.bucket;
    s.bucket = bucket;
    let text = s.text.clone();
    log.push(
        "scope.moved",
        format!("scope:{item}"),
        format!("\"{text}\" moved {before:?} → {bucket:?}"),
        Some(json!({ "bucket": before })),
        Some(json!({ "bucket": bucket })),
    );
    Ok(())
}

pub(crate) fn confirm_nothing_excluded(p: &mut Project, log: &mut Log) -> Result<(), DomainError> {
    r3_nothing_to_exclude(p)?;
    p.nothing_excluded_confirmed = true;
    log.push(
        "scope.nothing_excluded",
        "scope",
        "Confirmed: phase one excludes nothing",
        None,
        None,
    );
    Ok(())
}

#[expect(
    clippy::too_many_arguments,
    reason = "one argument per field of the command"
)]
pub(crate) fn request_change(
    p: &mut Project,
    log: &mut Log,
    title: String,
    description: String,
    requested_by: u32,
    adds_new_data: bool,
    adds_new_workflow: bool,
    adds_new_team: bool,
    proposed_launch_date: Option<NaiveDate>,
) -> Result<(), DomainError> {
    let now = log.ctx.now;
    let title = required_text("title", &title)?;
    person_exists(p, requested_by, "requested_by")?;
    let id = p.take_id();
    let cr = ChangeRequest {
        id,
        title: title.clone(),
        description,
        requested_by,
        adds_new_data,
        adds_new_workflow,
        adds_new_team,
        approvals: Vec::new(),
        proposed_launch_date,
        decision: None,
        requested_at: now,
    };
    let material = if cr.is_material() {
        " (material: needs both decision makers and a new launch date)"
    } else {
        ""
    };
    log.push(
        "change_request.opened",
        format!("change_request:{id}"),
        format!(
            "Change request \"{title}\" raised by {}{material}",
            p.person_name(requested_by)
        ),
        None,
        Some(json!(cr)),
    );
    p.change_requests.push(cr);
    Ok(())
}

pub(crate) fn answer_change(
    p: &mut Project,
    log: &mut Log,
    request: u32,
    person: u32,
    approved: bool,
    note: String,
    proposed_launch_date: Option<NaiveDate>,
) -> Result<(), DomainError> {
    let ctx = log.ctx;
    let now = log.ctx.now;
    person_exists(p, person, "person")?;
    let who = p
        .person(person)
        .cloned()
        .ok_or_else(|| DomainError::not_found(format!("person {person}")))?;
    r4_answered_by_a_decision_maker(&who, ctx)?;
    let cr = p
        .change_requests
        .iter_mut()
        .find(|c| c.id == request)
        .ok_or_else(|| DomainError::not_found(format!("change request {request}")))?;
    if !cr.is_open() {
        return Err(DomainError::invalid(
            "request",
            "this change request is already decided",
        ));
    }
    if proposed_launch_date.is_some() {
        cr.proposed_launch_date = proposed_launch_date;
    }
    cr.approvals.push(Approval {
        person,
        approved,
        at: now,
        note: note.clone(),
    });
    let title = cr.title.clone();
    log.push(
        if approved {
            "change_request.approved"
        } else {
            "change_request.declined_by"
        },
        format!("change_request:{request}"),
        format!(
            "{} {} \"{title}\"{}",
            who.name,
            if approved { "approved" } else { "declined" },
            if note.is_empty() {
                String::new()
            } else {
                format!(": {note}")
            }
        ),
        None,
        Some(json!({ "person": person, "approved": approved, "side": who.side })),
    );
    Ok(())
}

pub(crate) fn decide_change(
    p: &mut Project,
    log: &mut Log,
    request: u32,
    decision: ChangeDecision,
    note: String,
) -> Result<(), DomainError> {
    let now = log.ctx.now;
    let vendor_dm = p.decision_maker(Side::Vendor).map(|x| x.id);
    let customer_dm = p.decision_maker(Side::Customer).map(|x| x.id);
    let launch = p.launch_date;
    let cr = p
        .change_requests
        .iter()
        .find(|c| c.id == request)
        .ok_or_else(|| DomainError::not_found(format!("change request {request}")))?
        .clone();
    if !cr.is_open() {
        return Err(DomainError::invalid(
            "request",
            "this change request is already decided",
        ));
    }
    let approved_by: Vec<u32> = cr
        .approvals
        .iter()
        .filter(|a| a.approved)
        .map(|a| a.person)
        .filter(|pid| cr.latest_answer(*pid).is_some_and(|a| a.approved))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if decision == ChangeDecision::AddNow {
        if let Some(d) = r4_may_add_now(&cr, vendor_dm, customer_dm, launch)? {
            if Some(d) != p.launch_date {
                rebaseline_launch(
                    p,
                    log,
                    d,
                    &format!("change request \"{}\" added to scope", cr.title),
                );
            }
        }
    }
    let c = p
        .change_requests
        .iter_mut()
        .find(|c| c.id == request)
        .ok_or_else(|| DomainError::not_found(format!("change request {request}")))?;
    c.decision = Some(RecordedChangeDecision {
        decision,
        approved_by: approved_by.clone(),
        note: note.clone(),
        at: now,
    });
    let bucket = match decision {
        ChangeDecision::AddNow => ScopeBucket::In,
        ChangeDecision::PhaseTwo => ScopeBucket::Later,
        ChangeDecision::Decline => ScopeBucket::Out,
    };
    let id = p.take_id();
    p.scope.push(ScopeItem {
        id,
        text: cr.title.clone(),
        bucket,
        from_change_request: Some(request),
    });
    let names: Vec<String> = approved_by.iter().map(|x| p.person_name(*x)).collect();
    log.push(
        "change_request.decided",
        format!("change_request:{request}"),
        format!(
            "Change request \"{}\" decided: {}{}",
            cr.title,
            decision.label(),
            if names.is_empty() {
                String::new()
            } else {
                format!(", approved by {}", names.join(" and "))
            }
        ),
        None,
        Some(json!({ "decision": decision, "approved_by": approved_by, "note": note })),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn material(proposed: Option<NaiveDate>, approvals: Vec<Approval>) -> ChangeRequest {
        ChangeRequest {
            id: 9,
            title: "Import invoices too".into(),
            description: String::new(),
            requested_by: 2,
            adds_new_data: true,
            adds_new_workflow: false,
            adds_new_team: false,
            approvals,
            proposed_launch_date: proposed,
            decision: None,
            requested_at: Utc
                .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
                .single()
                .expect("valid time"),
        }
    }

    fn yes(person: u32) -> Approval {
        Approval {
            person,
            approved: true,
            at: Utc
                .with_ymd_and_hms(2026, 3, 3, 9, 0, 0)
                .single()
                .expect("valid time"),
            note: String::new(),
        }
    }

    #[test]
    fn r4_may_add_now_lists_what_is_missing() {
        let launch = NaiveDate::from_ymd_opt(2026, 4, 1);
        let err = r4_may_add_now(&material(None, Vec::new()), Some(1), Some(2), launch)
            .expect_err("nothing agreed yet");
        let text = err.to_string();
        assert!(
            text.starts_with("R4: \"Import invoices too\" adds new data"),
            "{text}"
        );
        assert!(
            text.contains("the vendor decision maker approves it"),
            "{text}"
        );
        assert!(text.contains("agree a new launch date"), "{text}");
        let later = NaiveDate::from_ymd_opt(2026, 4, 15);
        let agreed = material(later, vec![yes(1), yes(2)]);
        assert_eq!(
            r4_may_add_now(&agreed, Some(1), Some(2), launch).ok(),
            Some(later)
        );
    }
}
