//! R2 — the finish line: one plain sentence naming the user, the task and what done looks like,
//! with something measurable; and the success criteria measured at the value review.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::command::{person_exists, Log};
use crate::error::{required_text, DomainError};
use crate::people::{Role, Side};
use crate::project::Project;
use crate::rule::Rule;

/// Phrases that name no outcome anyone could check.
const VAGUE_PHRASES: &[&str] = &[
    "improve operations",
    "improve efficiency",
    "streamline",
    "users are happy",
    "customers are happy",
    "happy",
    "better experience",
    "optimize",
    "optimise",
    "best in class",
    "world class",
    "seamless",
    "digital transformation",
    "more efficient",
    "increase productivity",
    "modernize",
    "modernise",
    "leverage",
    "synergy",
];

/// Words that name a user: a role or a person doing the task.
const USER_WORDS: &[&str] = &[
    "user",
    "users",
    "manager",
    "managers",
    "team",
    "admin",
    "admins",
    "staff",
    "agent",
    "agents",
    "dispatcher",
    "dispatchers",
    "nurse",
    "nurses",
    "desk",
    "operator",
    "operators",
    "clerk",
    "clerks",
    "rep",
    "reps",
    "lead",
    "leads",
    "analyst",
    "analysts",
    "engineer",
    "engineers",
    "coordinator",
    "coordinators",
    "accountant",
    "accountants",
    "driver",
    "drivers",
    "doctor",
    "doctors",
    "owner",
    "owners",
    "customer",
    "customers",
    "employee",
    "employees",
    "member",
    "members",
    "planner",
    "planners",
    "supervisor",
    "supervisors",
    "technician",
    "technicians",
    "buyer",
    "buyers",
    "seller",
    "sellers",
    "student",
    "students",
    "teacher",
    "teachers",
    "patient",
    "patients",
    "officer",
    "officers",
    "director",
    "directors",
    "worker",
    "workers",
    "person",
    "people",
    "everyone",
    "each",
];

/// Words that make a line measurable without a digit.
const MEASURE_WORDS: &[&str] = &[
    "every day",
    "each day",
    "daily",
    "weekly",
    "every week",
    "every morning",
    "by noon",
    "without support",
    "without help",
    "by monday",
    "by tuesday",
    "by wednesday",
    "by thursday",
    "by friday",
    "one ",
    "two ",
    "three ",
    "four ",
    "five ",
    "six ",
    "seven ",
    "eight ",
    "nine ",
    "ten ",
    "all ",
    "under ",
    "within ",
    "before ",
    "export",
    "report",
    "list",
    "file",
];

/// Why a finish line is too vague to approve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Vagueness {
    pub reasons: Vec<String>,
}

/// R2: checks a finish line. Returns the reasons it is vague; an empty list means it passes.
pub fn r2_finish_line_vagueness(text: &str) -> Vec<String> {
    let mut reasons = Vec::new();
    let lower = format!(" {} ", text.trim().to_lowercase());
    if text.trim().is_empty() {
        return vec!["the finish line is empty: write one sentence naming the user, the task and what done looks like".into()];
    }
    for phrase in VAGUE_PHRASES {
        if lower.contains(phrase) {
            reasons.push(format!(
                "\"{phrase}\" names no outcome anyone could check: say what the user does and how you will know"
            ));
        }
    }
    let words: Vec<String> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    if !words.iter().any(|w| USER_WORDS.contains(&w.as_str())) {
        reasons.push(
            "no user is named: say who does the task (\"the ops manager\", \"dispatchers\")".into(),
        );
    }
    let has_digit = text.chars().any(|c| c.is_ascii_digit());
    if !has_digit && !MEASURE_WORDS.iter().any(|m| lower.contains(m)) {
        reasons.push(
            "nothing is measurable: add a count, a duration, a deadline or a named output (\"in under 15 minutes\", \"every day for two weeks\")"
                .into(),
        );
    }
    if words.len() < 6 {
        reasons.push(
            "too short to say what done looks like: name the user, the task and the result".into(),
        );
    }
    reasons
}

/// The finish line as written, with the reasons it is vague (empty when it passes R2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FinishLine {
    pub text: String,
    pub vague_reasons: Vec<String>,
}

/// Whether higher or lower is better for a success criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    #[default]
    AtLeast,
    AtMost,
}

/// A measurable success criterion: metric, baseline, target, how it is measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SuccessCriterion {
    pub id: u32,
    pub metric: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<f64>,
    pub target: f64,
    #[serde(default)]
    pub direction: Direction,
    #[serde(default)]
    pub unit: String,
    pub how_measured: String,
    /// The value measured at the value review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measured: Option<f64>,
    /// Explicit acceptance of a criterion not met, with who and why (R11).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<Acceptance>,
}

/// A recorded acceptance of a criterion that was not met.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Acceptance {
    pub by: u32,
    pub reason: String,
}

impl SuccessCriterion {
    /// Met when measured on the right side of the target.
    pub fn is_met(&self) -> bool {
        match (self.measured, self.direction) {
            (Some(v), Direction::AtLeast) => v >= self.target,
            (Some(v), Direction::AtMost) => v <= self.target,
            (None, _) => false,
        }
    }

    /// Met, or explicitly accepted (R11).
    pub fn is_settled(&self) -> bool {
        self.is_met() || self.accepted.is_some()
    }

    pub fn describe(&self) -> String {
        let op = match self.direction {
            Direction::AtLeast => "≥",
            Direction::AtMost => "≤",
        };
        let unit = if self.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", self.unit)
        };
        format!("{} {op} {}{unit}", self.metric, fmt_num(self.target))
    }
}

/// Formats a number without a trailing `.0`.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// R11: a success criterion that was not met counts as settled only when the customer's
/// decision maker accepts it; nobody else can lower the bar for them.
pub fn r11_accepted_by_the_decision_maker(p: &Project, by: u32) -> Result<(), DomainError> {
    if p.person(by).map(|x| x.role) != Some(Role::DecisionMaker)
        || p.person(by).map(|x| x.side) != Some(Side::Customer)
    {
        return Err(DomainError::rule(
            Rule::R11,
            "only the customer's decision maker can accept a criterion that was not met",
        ));
    }
    Ok(())
}

pub(crate) fn set_finish_line(
    p: &mut Project,
    log: &mut Log,
    text: String,
) -> Result<(), DomainError> {
    let text = required_text("text", &text)?;
    let reasons = r2_finish_line_vagueness(&text);
    let before = p.finish_line.as_ref().map(|f| f.text.clone());
    let summary = if reasons.is_empty() {
        format!("Finish line set: \"{text}\"")
    } else {
        format!(
            "Finish line set but flagged vague (R2): {}",
            reasons.join("; ")
        )
    };
    p.finish_line = Some(FinishLine {
        text: text.clone(),
        vague_reasons: reasons.clone(),
    });
    log.push(
        "finish_line.set",
        "finish_line",
        summary,
        before.map(|b| json!({ "text": b })),
        Some(json!({ "text": text, "vague_reasons": reasons })),
    );
    Ok(())
}

#[expect(
    clippy::too_many_arguments,
    reason = "one argument per field of the command"
)]
pub(crate) fn add_criterion(
    p: &mut Project,
    log: &mut Log,
    metric: String,
    baseline: Option<f64>,
    target: f64,
    direction: Direction,
    unit: String,
    how_measured: String,
) -> Result<(), DomainError> {
    let metric = required_text("metric", &metric)?;
    let how_measured = required_text("how_measured", &how_measured)?;
    if !target.is_finite() || baseline.is_some_and(|b| !b.is_finite()) {
        return Err(DomainError::invalid("target", "must be a finite number"));
    }
    let id = p.take_id();
    let c = SuccessCriterion {
        id,
        metric,
        baseline,
        target,
        direction,
        unit,
        how_measured,
        measured: None,
        accepted: None,
    };
    log.push(
        "criterion.added",
        format!("criterion:{id}"),
        format!("Success criterion added: {}", c.describe()),
        None,
        Some(json!(c)),
    );
    p.criteria.push(c);
    Ok(())
}

pub(crate) fn measure_criterion(
    p: &mut Project,
    log: &mut Log,
    criterion: u32,
    value: f64,
) -> Result<(), DomainError> {
    if !value.is_finite() {
        return Err(DomainError::invalid("value", "must be a finite number"));
    }
    let c = p
        .criteria
        .iter_mut()
        .find(|c| c.id == criterion)
        .ok_or_else(|| DomainError::not_found(format!("success criterion {criterion}")))?;
    let before = c.measured;
    c.measured = Some(value);
    let met = if c.is_met() { "met" } else { "not met" };
    log.push(
        "criterion.measured",
        format!("criterion:{criterion}"),
        format!(
            "{} measured at {} — {met}",
            c.describe(),
            crate::finish_line::fmt_num(value)
        ),
        Some(json!({ "measured": before })),
        Some(json!({ "measured": value, "met": c.is_met() })),
    );
    Ok(())
}

pub(crate) fn accept_criterion(
    p: &mut Project,
    log: &mut Log,
    criterion: u32,
    by: u32,
    reason: String,
) -> Result<(), DomainError> {
    let reason = required_text("reason", &reason)?;
    person_exists(p, by, "by")?;
    r11_accepted_by_the_decision_maker(p, by)?;
    let by_name = p.person_name(by);
    let c = p
        .criteria
        .iter_mut()
        .find(|c| c.id == criterion)
        .ok_or_else(|| DomainError::not_found(format!("success criterion {criterion}")))?;
    c.accepted = Some(Acceptance {
        by,
        reason: reason.clone(),
    });
    log.push(
        "criterion.accepted",
        format!("criterion:{criterion}"),
        format!("{} accepted by {by_name}: {reason}", c.describe()),
        None,
        Some(json!({ "by": by, "reason": reason })),
    );
    Ok(())
}

pub(crate) fn set_early_win(
    p: &mut Project,
    log: &mut Log,
    criterion: u32,
) -> Result<(), DomainError> {
    let c = p
        .criteria
        .iter()
        .find(|c| c.id == criterion)
        .ok_or_else(|| DomainError::not_found(format!("success criterion {criterion}")))?;
    let d = c.describe();
    p.early_win = Some(criterion);
    log.push(
        "criterion.early_win",
        format!("criterion:{criterion}"),
        format!("Early-win metric: {d}"),
        None,
        Some(json!({ "criterion": criterion })),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r2_finish_line_vagueness_passes_the_seeds_line() {
        let line = "The customer's ops manager can import this week's orders, fix any flagged items, and export the final list in under 15 minutes without support.";
        assert_eq!(r2_finish_line_vagueness(line), Vec::<String>::new());
    }

    #[test]
    fn r2_finish_line_vagueness_passes_a_logistics_line_without_digits() {
        let line = "Dispatchers log incoming loads every morning and confirm status by noon, every day for two weeks.";
        assert!(
            r2_finish_line_vagueness(line).is_empty(),
            "{:?}",
            r2_finish_line_vagueness(line)
        );
    }

    #[test]
    fn r2_finish_line_vagueness_flags_a_vague_line_with_reasons() {
        let reasons = r2_finish_line_vagueness("Streamline and improve operations");
        assert!(reasons.iter().any(|r| r.contains("streamline")));
        assert!(reasons.iter().any(|r| r.contains("improve operations")));
        assert!(reasons.iter().any(|r| r.contains("no user is named")));
        assert!(reasons.iter().any(|r| r.contains("nothing is measurable")));
    }

    #[test]
    fn r2_finish_line_vagueness_finds_users_are_happy_vague() {
        let reasons =
            r2_finish_line_vagueness("Make sure the users are happy with the new system overall");
        assert!(
            reasons.iter().any(|r| r.contains("users are happy")),
            "{reasons:?}"
        );
    }

    #[test]
    fn r2_criterion_met_respects_direction() {
        let mut c = SuccessCriterion {
            id: 1,
            metric: "minutes to export".into(),
            baseline: Some(60.0),
            target: 15.0,
            direction: Direction::AtMost,
            unit: "min".into(),
            how_measured: "timed by the ops manager".into(),
            measured: Some(12.0),
            accepted: None,
        };
        assert!(c.is_met());
        c.measured = Some(20.0);
        assert!(!c.is_met());
        assert!(!c.is_settled());
        c.accepted = Some(Acceptance {
            by: 1,
            reason: "good enough for phase one".into(),
        });
        assert!(c.is_settled());
    }
}
