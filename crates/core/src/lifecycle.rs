//! The lifecycle (PRODUCT.md, seed 004): the stages in order and the loops back that are recorded.

use serde::{Deserialize, Serialize};

/// A project's stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Handoff,
    Assign,
    Intake,
    Kickoff,
    Discovery,
    Build,
    Configuration,
    Training,
    Uat,
    GoNoGo,
    /// Live, in the hypercare window.
    Hypercare,
    Adoption,
    ValueReview,
    Transition,
    Complete,
    Paused,
    Cancelled,
}

/// The working stages in order; `Paused` and `Cancelled` sit outside it.
pub const STAGE_ORDER: [Stage; 15] = [
    Stage::Handoff,
    Stage::Assign,
    Stage::Intake,
    Stage::Kickoff,
    Stage::Discovery,
    Stage::Build,
    Stage::Configuration,
    Stage::Training,
    Stage::Uat,
    Stage::GoNoGo,
    Stage::Hypercare,
    Stage::Adoption,
    Stage::ValueReview,
    Stage::Transition,
    Stage::Complete,
];

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::Handoff => "handoff",
            Stage::Assign => "assign + internal kickoff",
            Stage::Intake => "pre-kickoff intake",
            Stage::Kickoff => "kickoff",
            Stage::Discovery => "discovery",
            Stage::Build => "build",
            Stage::Configuration => "configuration",
            Stage::Training => "training",
            Stage::Uat => "UAT",
            Stage::GoNoGo => "go / no-go",
            Stage::Hypercare => "live + hypercare",
            Stage::Adoption => "adoption",
            Stage::ValueReview => "value review",
            Stage::Transition => "transition",
            Stage::Complete => "complete",
            Stage::Paused => "paused",
            Stage::Cancelled => "cancelled",
        }
    }

    /// The stable snake_case name used in JSON and the database.
    pub fn key(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    pub fn position(self) -> Option<usize> {
        STAGE_ORDER.iter().position(|s| *s == self)
    }

    /// The next working stage, if any.
    pub fn next(self) -> Option<Stage> {
        self.position()
            .and_then(|i| STAGE_ORDER.get(i + 1))
            .copied()
    }

    /// Live or later: go-live has happened.
    pub fn is_live(self) -> bool {
        matches!(
            self,
            Stage::Hypercare
                | Stage::Adoption
                | Stage::ValueReview
                | Stage::Transition
                | Stage::Complete
        )
    }

    pub fn is_closed(self) -> bool {
        matches!(self, Stage::Complete | Stage::Cancelled)
    }
}

/// The loops back that the brief asks to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LoopKind {
    /// Handoff back to sales over an over-promise.
    SalesRealign,
    /// UAT failed: back to configuration or technical setup.
    UatRework,
    /// The go / no-go said no.
    NoGo,
    /// Adoption stalled: re-train, re-engage the champion, fix a workflow.
    AdoptionIntervention,
}

impl LoopKind {
    pub fn label(self) -> &'static str {
        match self {
            LoopKind::SalesRealign => "realign with sales",
            LoopKind::UatRework => "UAT rework",
            LoopKind::NoGo => "no-go",
            LoopKind::AdoptionIntervention => "adoption intervention",
        }
    }

    /// The activity kind that records the loop.
    pub fn activity_kind(self) -> &'static str {
        match self {
            LoopKind::SalesRealign => "loop.sales_realign",
            LoopKind::UatRework => "loop.uat_rework",
            LoopKind::NoGo => "loop.no_go",
            LoopKind::AdoptionIntervention => "loop.adoption_intervention",
        }
    }
}
