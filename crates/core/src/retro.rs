//! R13 — the retrospective after go-live: what needed manual help, who made the final scope call,
//! what took longer, what blocked and what only annoyed; rollout fixes can be promoted into a
//! playbook.

use serde::{Deserialize, Serialize};

use crate::command::Log;
use crate::error::{required_text, DomainError};
use crate::project::Project;
use crate::rule::Rule;

/// What a retrospective item is about (R13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RetroKind {
    NeededManualHelp,
    FinalScopeCall,
    TookLonger,
    Blocked,
    OnlyAnnoyed,
}

/// Whether a retrospective item is the rollout's to fix or the product's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RetroBucket {
    RolloutWork,
    ProductWork,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetroItem {
    pub id: u32,
    pub text: String,
    pub kind: RetroKind,
    pub bucket: RetroBucket,
    /// Set when a rollout fix was promoted into a playbook version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promoted_to: Option<String>,
}

/// R13: only rollout fixes are promoted into a playbook; product work goes to the product team.
pub fn r13_promotable(item: &RetroItem) -> Result<(), DomainError> {
    if item.bucket != RetroBucket::RolloutWork {
        return Err(DomainError::rule(Rule::R13, "only rollout fixes are promoted into a playbook; product work goes to the product team"));
    }
    Ok(())
}

pub(crate) fn add_retro_item(
    p: &mut Project,
    log: &mut Log,
    text: String,
    kind: RetroKind,
    bucket: RetroBucket,
) -> Result<(), DomainError> {
    let text = required_text("text", &text)?;
    if p.live_on.is_none() {
        return Err(DomainError::wrong_stage(
            "the retrospective comes after go-live",
        ));
    }
    let id = p.take_id();
    p.retro.push(RetroItem {
        id,
        text: text.clone(),
        kind,
        bucket,
        promoted_to: None,
    });
    log.push(
        "retro.added",
        format!("retro:{id}"),
        format!("Retrospective ({kind:?}, {bucket:?}): {text}"),
        None,
        None,
    );
    Ok(())
}

pub(crate) fn mark_retro_promoted(
    p: &mut Project,
    log: &mut Log,
    item: u32,
    playbook: String,
) -> Result<(), DomainError> {
    let r = p
        .retro
        .iter_mut()
        .find(|r| r.id == item)
        .ok_or_else(|| DomainError::not_found(format!("retrospective item {item}")))?;
    r13_promotable(r)?;
    r.promoted_to = Some(playbook.clone());
    log.push(
        "retro.promoted",
        format!("retro:{item}"),
        format!("Retrospective item promoted into playbook {playbook}"),
        None,
        None,
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(bucket: RetroBucket) -> RetroItem {
        RetroItem {
            id: 1,
            text: "The CSV export took a week to arrive".into(),
            kind: RetroKind::TookLonger,
            bucket,
            promoted_to: None,
        }
    }

    #[test]
    fn r13_promotable_only_for_rollout_work() {
        assert!(r13_promotable(&item(RetroBucket::RolloutWork)).is_ok());
        let err = r13_promotable(&item(RetroBucket::ProductWork)).expect_err("product work");
        assert!(err.to_string().starts_with("R13: "), "{err}");
    }
}
