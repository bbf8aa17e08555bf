//! Pre-kickoff intake: requests to the customer, access both ways, data sources, risks, and the
//! data import runs that prove the data is clean.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

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

/// The summary of one data import run (the data engine records the details).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportRun {
    pub id: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<u32>,
    pub file_sha256: String,
    pub rows: u64,
    /// Issues that block (severity error) left after fixes.
    pub errors: u64,
    /// Issues flagged for review left after fixes.
    pub reviews: u64,
    pub at: DateTime<Utc>,
}

impl ImportRun {
    pub fn is_clean(&self) -> bool {
        self.errors == 0
    }
}
