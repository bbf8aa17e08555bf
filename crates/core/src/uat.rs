//! User acceptance testing tied to success criteria, and the open issues G2 reads.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum UatResult {
    NotRun,
    Passed { at: DateTime<Utc> },
    Failed { at: DateTime<Utc>, notes: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UatCase {
    pub id: u32,
    pub title: String,
    /// The success criterion it tests.
    pub criterion: u32,
    pub result: UatResult,
    /// Times it failed (each one a rework loop).
    #[serde(default)]
    pub failures: u32,
}

impl UatCase {
    pub fn passed(&self) -> bool {
        matches!(self.result, UatResult::Passed { .. })
    }
}

/// An open issue found along the way (G2: each has one owner and one due date).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Issue {
    pub id: u32,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<DateTime<Utc>>,
}

impl Issue {
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }
}
