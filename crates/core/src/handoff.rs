//! The sales handoff: what was sold, every promise and its class, and the realign-with-sales loop.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::command::{person_exists, Log};
use crate::error::{required_text, DomainError};
use crate::lifecycle::{record_loop, LoopKind, Stage};
use crate::people::Side;
use crate::project::Project;
use crate::scope::{ScopeBucket, ScopeItem};

/// How a promise made by sales relates to what the product does today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PromiseClass {
    /// The product does this out of the box.
    Standard,
    /// Planned for a later phase.
    PhaseTwo,
    /// Needs custom work nobody scoped.
    NeedsCustomWork,
    /// The product does not do this.
    NotOffered,
    /// Not yet read by the implementation owner.
    Unclassified,
}

impl PromiseClass {
    /// Anything but standard is an over-promise to resolve before kickoff.
    pub fn is_over_promise(self) -> bool {
        !matches!(self, PromiseClass::Standard)
    }
}

/// How an over-promise was resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PromiseResolution {
    /// Brought into scope with a plan for it. `scope` is what phase one's scope says about it
    /// (the promise's own words when absent).
    IntoScope {
        plan: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scope: Option<String>,
    },
    /// Moved to later, acknowledged by the customer person named.
    Later { acknowledged_by: u32 },
    /// Declined, with the reason given to the customer.
    Declined { reason: String },
}

/// One promise made during the sale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Promise {
    pub id: u32,
    pub text: String,
    pub class: PromiseClass,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<PromiseResolution>,
}

impl Promise {
    /// Blocks kickoff: unclassified, or an over-promise with no resolution.
    pub fn is_unresolved(&self) -> bool {
        self.class == PromiseClass::Unclassified
            || (self.class.is_over_promise() && self.resolution.is_none())
    }
}

/// The customer segment, which picks the default playbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    /// SMB / self-serve: the light-touch 30-day playbook.
    Smb,
    #[default]
    MidMarket,
    /// Enterprise: white-glove with a dedicated implementation manager.
    Enterprise,
}

impl Segment {
    /// The built-in playbook that fits the segment.
    pub fn default_playbook(self) -> &'static str {
        match self {
            Segment::Smb => crate::playbook::LIGHT_TOUCH,
            Segment::MidMarket | Segment::Enterprise => crate::playbook::STANDARD,
        }
    }
}

/// The handoff record from sales.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Handoff {
    pub sold: String,
    pub promises: Vec<Promise>,
    pub champion: String,
    pub expected_timeline: String,
    pub segment: Segment,
    pub contract_date: NaiveDate,
    #[serde(default)]
    pub account_executive: String,
}

impl Handoff {
    pub fn unresolved_promises(&self) -> impl Iterator<Item = &Promise> {
        self.promises.iter().filter(|p| p.is_unresolved())
    }
}

pub(crate) fn classify_promise(
    p: &mut Project,
    log: &mut Log,
    promise: u32,
    class: PromiseClass,
) -> Result<(), DomainError> {
    let pr = p
        .handoff
        .promises
        .iter_mut()
        .find(|x| x.id == promise)
        .ok_or_else(|| DomainError::not_found(format!("promise {promise}")))?;
    let before = pr.class;
    pr.class = class;
    if !class.is_over_promise() {
        pr.resolution = None;
    }
    let text = pr.text.clone();
    log.push(
        "promise.classified",
        format!("promise:{promise}"),
        format!("Promise \"{text}\" classified as {class:?}"),
        Some(json!({ "class": before })),
        Some(json!({ "class": class })),
    );
    Ok(())
}

pub(crate) fn resolve_promise(
    p: &mut Project,
    log: &mut Log,
    promise: u32,
    resolution: PromiseResolution,
) -> Result<(), DomainError> {
    match &resolution {
        PromiseResolution::IntoScope { plan, scope } => {
            required_text("resolution.plan", plan)?;
            if let Some(scope) = scope {
                required_text("resolution.scope", scope)?;
            }
        }
        PromiseResolution::Later { acknowledged_by } => {
            person_exists(p, *acknowledged_by, "resolution.acknowledged_by")?;
            if p.person(*acknowledged_by).map(|x| x.side) != Some(Side::Customer) {
                return Err(DomainError::invalid("resolution.acknowledged_by", "moving a promise to later needs the customer's acknowledgement: name a customer person"));
            }
        }
        PromiseResolution::Declined { reason } => {
            required_text("resolution.reason", reason)?;
        }
    }
    let pr = p
        .handoff
        .promises
        .iter_mut()
        .find(|x| x.id == promise)
        .ok_or_else(|| DomainError::not_found(format!("promise {promise}")))?;
    if pr.class == PromiseClass::Unclassified {
        return Err(DomainError::invalid(
            "promise",
            "classify the promise before resolving it",
        ));
    }
    if !pr.class.is_over_promise() {
        return Err(DomainError::invalid(
            "promise",
            "a standard promise needs no resolution",
        ));
    }
    pr.resolution = Some(resolution.clone());
    let text = pr.text.clone();
    if let PromiseResolution::Later { .. } = resolution {
        let id = p.take_id();
        p.scope.push(ScopeItem {
            id,
            text: text.clone(),
            bucket: ScopeBucket::Later,
            from_change_request: None,
        });
    }
    if let PromiseResolution::IntoScope { scope, .. } = &resolution {
        let id = p.take_id();
        p.scope.push(ScopeItem {
            id,
            text: scope
                .as_deref()
                .map_or_else(|| text.clone(), |s| s.trim().to_string()),
            bucket: ScopeBucket::In,
            from_change_request: None,
        });
    }
    log.push(
        "promise.resolved",
        format!("promise:{promise}"),
        format!("Over-promise \"{text}\" resolved"),
        None,
        Some(json!({ "resolution": resolution })),
    );
    Ok(())
}

/// Whether a project at this stage may still loop back to sales over an over-promise: only up
/// to kickoff; after it, a new want is a change request (R4). The UI offers the action by it.
pub fn may_realign_at(stage: Stage) -> bool {
    stage <= Stage::Kickoff
}

pub(crate) fn realign_with_sales(
    p: &mut Project,
    log: &mut Log,
    reason: String,
) -> Result<(), DomainError> {
    let reason = required_text("reason", &reason)?;
    if !may_realign_at(p.stage) {
        return Err(DomainError::wrong_stage(
            "realigning with sales is a pre-kickoff loop; after kickoff, raise a change request",
        ));
    }
    record_loop(p, log, LoopKind::SalesRealign, Stage::Handoff, &reason);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn may_realign_at_is_open_until_kickoff_only() {
        assert!(may_realign_at(Stage::Handoff));
        assert!(may_realign_at(Stage::Kickoff));
        assert!(!may_realign_at(Stage::Discovery));
        assert!(!may_realign_at(Stage::Hypercare));
    }
}
