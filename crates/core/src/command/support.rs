//! What every command's code shares: the activity records it collects, and the check that a
//! person it names belongs to the project.

use crate::activity::Activity;
use crate::error::DomainError;
use crate::project::Project;

use super::Ctx;

/// Collects the activity records of one command.
pub(crate) struct Log<'a> {
    pub(crate) ctx: &'a Ctx,
    pub(crate) out: Vec<Activity>,
}

impl<'a> Log<'a> {
    pub(crate) fn new(ctx: &'a Ctx) -> Self {
        Self {
            ctx,
            out: Vec::new(),
        }
    }

    pub(crate) fn push(
        &mut self,
        kind: &str,
        subject: impl Into<String>,
        summary: impl Into<String>,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) {
        self.out.push(Activity {
            at: self.ctx.now,
            actor: self.ctx.actor.clone(),
            kind: kind.into(),
            subject: subject.into(),
            summary: summary.into(),
            before,
            after,
        });
    }
}

/// The command names a person of this project.
pub(crate) fn person_exists(p: &Project, id: u32, field: &str) -> Result<(), DomainError> {
    if p.person(id).is_none() {
        return Err(DomainError::invalid(
            field,
            format!("person {id} is not part of this project"),
        ));
    }
    Ok(())
}
