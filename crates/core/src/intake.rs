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
    /// Who submitted it (the activity log's actor).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub by: String,
    /// The project's data map it was checked against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map: Option<u32>,
    /// Issues left per rule after the fixes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_rule: Vec<RuleCount>,
    /// How many fixes were layered over the upload.
    #[serde(default)]
    pub fixes: u64,
    /// Project files of the run: the upload, the clean export, the full report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clean_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_file: Option<String>,
    /// The fixes layered over the upload (the data engine's fixes file, usable with the API's
    /// `fixes=` to run the same import again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixes_file: Option<String>,
}

/// How many issues of one rule a run left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleCount {
    pub rule: String,
    pub count: u64,
}

/// A data map of the project: the map file (checked by the data engine), and the plan task and
/// data source its imports serve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataMapRef {
    pub id: u32,
    pub name: String,
    /// The project file holding the map (JSON).
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<u32>,
    /// An example file (a project file) people can download to see what is expected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<String>,
    /// The upload being worked on, with its fixes, until it is submitted as an import run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<ImportDraft>,
}

/// An upload being fixed. The upload file is never changed: fixes are a layer over it, kept
/// here as the data engine's JSON (the core does not interpret them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportDraft {
    pub upload: String,
    pub name: String,
    pub sha256: String,
    /// The latest check report (a project file).
    pub report: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub fixes: Vec<serde_json::Value>,
    /// How many of `fixes` the latest report was checked with; fewer means "re-check".
    #[serde(default)]
    pub checked_fixes: usize,
    pub by: String,
    pub at: DateTime<Utc>,
}

impl ImportDraft {
    pub fn needs_recheck(&self) -> bool {
        self.checked_fixes != self.fixes.len()
    }
}

impl ImportRun {
    pub fn is_clean(&self) -> bool {
        self.errors == 0
    }
}
