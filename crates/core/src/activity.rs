//! The activity log entry: who did what, when, with the state before and after.
//!
//! Every mutation of a project produces one or more of these, and they are the only history
//! Finishline keeps: ball-in-court time (R7), slips (R8), loops and the scorecard (R12) and the
//! status-update draft (R10) are all computed from them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One entry of the activity log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Activity {
    /// When it happened (UTC).
    pub at: DateTime<Utc>,
    /// Who did it, as shown to people ("Dana Reyes (vendor)", "system").
    pub actor: String,
    /// A stable, dotted kind such as `task.completed` or `stage.changed`; reports match on it.
    pub kind: String,
    /// What it happened to, such as `task:12`, `change_request:3` or `project`.
    pub subject: String,
    /// One readable sentence.
    pub summary: String,
    /// The relevant state before the change, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<serde_json::Value>,
    /// The relevant state after the change, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<serde_json::Value>,
}
