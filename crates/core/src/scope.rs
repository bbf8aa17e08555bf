//! Scope: what is in, later and out (R3), and change requests with their approvals (R4).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

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
