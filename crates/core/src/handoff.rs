//! The sales handoff: what was sold, every promise and its class, and the realign-with-sales loop.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

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
