//! finishline-core: the domain of Finishline — projects, playbooks, the lifecycle, every rule
//! (R1…R14) and gate (G1, G2) of the product brief, and the maths of time and health.
//!
//! Pure: no I/O, no async, no SQL. Callers pass the current time in.
#![forbid(unsafe_code)]
#![warn(clippy::too_many_lines)]

pub mod activity;
pub mod adoption;
pub mod analytics;
pub mod approval;
pub mod ball;
pub mod calendar;
pub mod capacity;
pub mod command;
pub mod data;
pub mod error;
pub mod finish_line;
pub mod gates;
pub mod handoff;
pub mod health;
pub mod intake;
pub mod lifecycle;
pub mod nudge;
pub mod people;
pub mod plan;
pub mod playbook;
pub mod process;
pub mod project;
pub mod retro;
pub mod rule;
pub mod scope;
pub mod scorecard;
pub mod status_update;
pub mod survey;
pub mod training;
pub mod uat;
pub mod visibility;

pub use activity::Activity;
pub use command::{apply, create_project, Command, Ctx};
pub use error::DomainError;
pub use project::Project;
pub use rule::Rule;
