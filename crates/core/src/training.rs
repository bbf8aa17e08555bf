//! R14 — training by role in short sessions, one practice task per attendee, a recap sent.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The audiences training is given to, admins first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TrainingAudience {
    Admins,
    Managers,
    DailyUsers,
    SupportOps,
}

impl TrainingAudience {
    pub fn label(self) -> &'static str {
        match self {
            TrainingAudience::Admins => "admins",
            TrainingAudience::Managers => "managers",
            TrainingAudience::DailyUsers => "daily users",
            TrainingAudience::SupportOps => "support / ops",
        }
    }
}

/// R14: sessions last 30 to 45 minutes.
pub const TRAINING_MINUTES: std::ops::RangeInclusive<u32> = 30..=45;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attendance {
    pub person: u32,
    pub practice_task: String,
    pub completed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrainingSession {
    pub id: u32,
    pub audience: TrainingAudience,
    pub title: String,
    pub scheduled_at: DateTime<Utc>,
    pub minutes: u32,
    #[serde(default)]
    pub attendees: Vec<Attendance>,
    #[serde(default)]
    pub held: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recap_sent_at: Option<DateTime<Utc>>,
}

impl TrainingSession {
    /// Held, every attendee completed the practice task, recap sent.
    pub fn is_complete(&self) -> bool {
        self.held
            && !self.attendees.is_empty()
            && self.attendees.iter().all(|a| a.completed)
            && self.recap_sent_at.is_some()
    }
}
