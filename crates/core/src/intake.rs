//! Pre-kickoff intake: requests to the customer, access both ways, data sources and risks. The
//! import runs that prove the data is clean are in `data`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::command::{person_exists, Log};
use crate::error::{required_text, DomainError};
use crate::project::Project;

/// The data import types live with the data area; this path keeps working.
pub use crate::data::{DataMapRef, ImportDraft, ImportRun, RuleCount};

/// What an intake request asks for (stage 3 of the lifecycle).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IntakeKind {
    FirstOutcome,
    NamesAndRoles,
    SampleFiles,
    Access,
    Deadlines,
    Risks,
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntakeRequest {
    pub id: u32,
    pub kind: IntakeKind,
    pub question: String,
    pub owner: u32,
    pub due: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<DateTime<Utc>>,
}

/// Which way access is granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccessDirection {
    /// The customer grants the vendor access (their SSO, their API, their export).
    CustomerToVendor,
    /// The vendor grants the customer access (tenant, admin accounts).
    VendorToCustomer,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessItem {
    pub id: u32,
    pub what: String,
    pub direction: AccessDirection,
    /// The person who grants it.
    pub grantor: u32,
    pub due: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granted_at: Option<DateTime<Utc>>,
}

/// Where a data source's sample stands (G1 needs one requested or received).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SampleState {
    #[default]
    NotRequested,
    Requested,
    Received,
}

/// A system the customer's data comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataSource {
    pub id: u32,
    pub name: String,
    #[serde(default)]
    pub system: String,
    pub sample: SampleState,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Risk {
    pub id: u32,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<u32>,
}

pub(crate) fn add_intake_request(
    p: &mut Project,
    log: &mut Log,
    kind: IntakeKind,
    question: String,
    owner: u32,
    due: NaiveDate,
) -> Result<(), DomainError> {
    let question = required_text("question", &question)?;
    person_exists(p, owner, "owner")?;
    let id = p.take_id();
    log.push(
        "intake.requested",
        format!("intake:{id}"),
        format!(
            "Intake request to {}: {question} (due {due})",
            p.person_name(owner)
        ),
        None,
        Some(json!({ "kind": kind, "owner": owner, "due": due })),
    );
    p.intake.push(IntakeRequest {
        id,
        kind,
        question,
        owner,
        due,
        answer: None,
        answered_at: None,
    });
    Ok(())
}

pub(crate) fn answer_intake(
    p: &mut Project,
    log: &mut Log,
    request: u32,
    answer: String,
) -> Result<(), DomainError> {
    let now = log.ctx.now;
    let answer = required_text("answer", &answer)?;
    let r = p
        .intake
        .iter_mut()
        .find(|r| r.id == request)
        .ok_or_else(|| DomainError::not_found(format!("intake request {request}")))?;
    r.answer = Some(answer.clone());
    r.answered_at = Some(now);
    log.push(
        "intake.answered",
        format!("intake:{request}"),
        format!("Intake answered: {}", r.question),
        None,
        Some(json!({ "answer": answer })),
    );
    Ok(())
}

pub(crate) fn add_access_item(
    p: &mut Project,
    log: &mut Log,
    what: String,
    direction: AccessDirection,
    grantor: u32,
    due: NaiveDate,
) -> Result<(), DomainError> {
    let what = required_text("what", &what)?;
    person_exists(p, grantor, "grantor")?;
    let id = p.take_id();
    log.push(
        "access.requested",
        format!("access:{id}"),
        format!(
            "Access needed: {what}, granted by {} by {due}",
            p.person_name(grantor)
        ),
        None,
        Some(json!({ "direction": direction, "grantor": grantor, "due": due })),
    );
    p.access.push(AccessItem {
        id,
        what,
        direction,
        grantor,
        due,
        granted_at: None,
    });
    Ok(())
}

pub(crate) fn grant_access(p: &mut Project, log: &mut Log, item: u32) -> Result<(), DomainError> {
    let now = log.ctx.now;
    let a = p
        .access
        .iter_mut()
        .find(|a| a.id == item)
        .ok_or_else(|| DomainError::not_found(format!("access item {item}")))?;
    a.granted_at = Some(now);
    log.push(
        "access.granted",
        format!("access:{item}"),
        format!("Access granted: {}", a.what),
        None,
        None,
    );
    Ok(())
}

pub(crate) fn add_data_source(
    p: &mut Project,
    log: &mut Log,
    name: String,
    system: String,
    sample: SampleState,
) -> Result<(), DomainError> {
    let name = required_text("name", &name)?;
    let id = p.take_id();
    log.push(
        "data_source.added",
        format!("data_source:{id}"),
        format!("Data source: {name} (sample {sample:?})"),
        None,
        Some(json!({ "name": name, "sample": sample })),
    );
    p.data_sources.push(DataSource {
        id,
        name,
        system,
        sample,
    });
    Ok(())
}

pub(crate) fn set_sample_state(
    p: &mut Project,
    log: &mut Log,
    source: u32,
    sample: SampleState,
) -> Result<(), DomainError> {
    let d = p
        .data_sources
        .iter_mut()
        .find(|d| d.id == source)
        .ok_or_else(|| DomainError::not_found(format!("data source {source}")))?;
    let before = d.sample;
    d.sample = sample;
    log.push(
        "data_source.sample",
        format!("data_source:{source}"),
        format!("Sample of {}: {before:?} → {sample:?}", d.name),
        Some(json!({ "sample": before })),
        Some(json!({ "sample": sample })),
    );
    Ok(())
}

pub(crate) fn add_risk(
    p: &mut Project,
    log: &mut Log,
    text: String,
    owner: Option<u32>,
) -> Result<(), DomainError> {
    let text = required_text("text", &text)?;
    if let Some(o) = owner {
        person_exists(p, o, "owner")?;
    }
    let id = p.take_id();
    p.risks.push(Risk {
        id,
        text: text.clone(),
        owner,
    });
    p.no_known_risks = false;
    log.push(
        "risk.added",
        format!("risk:{id}"),
        format!("Risk: {text}"),
        None,
        Some(json!({ "text": text })),
    );
    Ok(())
}

pub(crate) fn confirm_no_known_risks(p: &mut Project, log: &mut Log) -> Result<(), DomainError> {
    if !p.risks.is_empty() {
        return Err(DomainError::invalid("risks", "risks are already listed"));
    }
    p.no_known_risks = true;
    log.push(
        "risk.none_known",
        "risks",
        "Stated: no known risks to launch",
        None,
        None,
    );
    Ok(())
}
