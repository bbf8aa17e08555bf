//! Why the domain refuses a command: each refusal names the rule, the item and what would fix it.

use serde::Serialize;

use crate::gates::GateReport;
use crate::rule::Rule;

/// A refusal by the domain. Every variant explains itself in its `Display` text.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DomainError {
    /// The command names something the project does not have.
    #[error("{what} was not found in this project")]
    NotFound { what: String },
    /// A field of the command is unusable.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// A rule of the product brief forbids the command as it stands.
    #[error("{rule}: {message}")]
    Rule { rule: Rule, message: String },
    /// A gate (G1 kickoff readiness, G2 go-live readiness) has failing items.
    #[error("{} is not ready: {}", .report.gate.title(), .report.failing_summary())]
    GateNotReady { report: GateReport },
    /// The command does not fit the project's current stage.
    #[error("{message}")]
    WrongStage { message: String },
}

impl DomainError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn rule(rule: Rule, message: impl Into<String>) -> Self {
        Self::Rule {
            rule,
            message: message.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound { what: what.into() }
    }

    pub fn wrong_stage(message: impl Into<String>) -> Self {
        Self::WrongStage {
            message: message.into(),
        }
    }
}

/// Checks that a free-text field holds something, trimming it.
pub fn required_text(field: &str, value: &str) -> Result<String, DomainError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    if value.chars().count() > 2000 {
        return Err(DomainError::invalid(
            field,
            "must be at most 2000 characters",
        ));
    }
    Ok(value.to_string())
}
