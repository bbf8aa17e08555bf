//! R14 — training by role in short sessions, one practice task per attendee, a recap sent.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::command::{person_exists, Log};
use crate::error::{required_text, DomainError};
use crate::project::Project;
use crate::rule::Rule;

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

/// R14: a session lasts 30 to 45 minutes; longer training is split into short sessions by role.
pub fn r14_short_session(minutes: u32) -> Result<(), DomainError> {
    if !TRAINING_MINUTES.contains(&minutes) {
        return Err(DomainError::rule(Rule::R14, format!("a training session lasts 30 to 45 minutes, not {minutes}: split it into short sessions by role")));
    }
    Ok(())
}

/// R14: a session is held with its attendees and their practice tasks recorded.
pub fn r14_attendance_before_held(s: &TrainingSession) -> Result<(), DomainError> {
    if s.attendees.is_empty() {
        return Err(DomainError::rule(
            Rule::R14,
            "record the attendees and their practice tasks before marking the session held",
        ));
    }
    Ok(())
}

/// R14: the recap follows the session.
pub fn r14_recap_after_held(s: &TrainingSession) -> Result<(), DomainError> {
    if !s.held {
        return Err(DomainError::rule(
            Rule::R14,
            "the recap follows the session: mark it held first",
        ));
    }
    Ok(())
}

pub(crate) fn schedule_training(
    p: &mut Project,
    log: &mut Log,
    audience: TrainingAudience,
    title: String,
    scheduled_at: DateTime<Utc>,
    minutes: u32,
) -> Result<(), DomainError> {
    let title = required_text("title", &title)?;
    r14_short_session(minutes)?;
    let id = p.take_id();
    log.push(
        "training.scheduled",
        format!("training:{id}"),
        format!(
            "Training for {} scheduled {scheduled_at}: {title} ({minutes} min)",
            audience.label()
        ),
        None,
        Some(json!({ "audience": audience, "minutes": minutes })),
    );
    p.training.push(TrainingSession {
        id,
        audience,
        title,
        scheduled_at,
        minutes,
        attendees: Vec::new(),
        held: false,
        recap_sent_at: None,
    });
    Ok(())
}

pub(crate) fn record_attendance(
    p: &mut Project,
    log: &mut Log,
    session: u32,
    person: u32,
    practice_task: String,
    completed: bool,
) -> Result<(), DomainError> {
    let practice_task = required_text("practice_task", &practice_task)?;
    person_exists(p, person, "person")?;
    let name = p.person_name(person);
    let s = p
        .training
        .iter_mut()
        .find(|s| s.id == session)
        .ok_or_else(|| DomainError::not_found(format!("training session {session}")))?;
    s.attendees.retain(|a| a.person != person);
    s.attendees.push(Attendance {
        person,
        practice_task: practice_task.clone(),
        completed,
    });
    log.push(
        "training.attendance",
        format!("training:{session}"),
        format!(
            "{name} attended \"{}\"; practice task \"{practice_task}\" {}",
            s.title,
            if completed {
                "completed"
            } else {
                "not completed"
            }
        ),
        None,
        Some(json!({ "person": person, "completed": completed })),
    );
    Ok(())
}

pub(crate) fn mark_training_held(
    p: &mut Project,
    log: &mut Log,
    session: u32,
) -> Result<(), DomainError> {
    let s = p
        .training
        .iter_mut()
        .find(|s| s.id == session)
        .ok_or_else(|| DomainError::not_found(format!("training session {session}")))?;
    r14_attendance_before_held(s)?;
    s.held = true;
    log.push(
        "training.held",
        format!("training:{session}"),
        format!("Training held: {}", s.title),
        None,
        None,
    );
    Ok(())
}

pub(crate) fn send_training_recap(
    p: &mut Project,
    log: &mut Log,
    session: u32,
) -> Result<(), DomainError> {
    let now = log.ctx.now;
    let s = p
        .training
        .iter_mut()
        .find(|s| s.id == session)
        .ok_or_else(|| DomainError::not_found(format!("training session {session}")))?;
    r14_recap_after_held(s)?;
    s.recap_sent_at = Some(now);
    log.push(
        "training.recap_sent",
        format!("training:{session}"),
        format!("Recap sent for \"{}\"", s.title),
        None,
        None,
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn session(held: bool, attendees: Vec<Attendance>) -> TrainingSession {
        TrainingSession {
            id: 1,
            audience: TrainingAudience::Admins,
            title: "Admins: set up the board".into(),
            scheduled_at: Utc
                .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
                .single()
                .expect("valid time"),
            minutes: 30,
            attendees,
            held,
            recap_sent_at: None,
        }
    }

    #[test]
    fn r14_short_session_takes_30_to_45_minutes() {
        assert!(r14_short_session(30).is_ok());
        assert!(r14_short_session(45).is_ok());
        assert!(r14_short_session(29).is_err());
        assert!(r14_short_session(90).is_err());
    }

    #[test]
    fn r14_attendance_before_held_needs_an_attendee() {
        assert!(r14_attendance_before_held(&session(false, Vec::new())).is_err());
        let lee = Attendance {
            person: 2,
            practice_task: "Assign one load".into(),
            completed: true,
        };
        assert!(r14_attendance_before_held(&session(false, vec![lee])).is_ok());
    }

    #[test]
    fn r14_recap_after_held_waits_for_the_session() {
        assert!(r14_recap_after_held(&session(false, Vec::new())).is_err());
        assert!(r14_recap_after_held(&session(true, Vec::new())).is_ok());
    }
}
