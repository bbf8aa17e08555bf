//! finishline-core: the domain of Finishline — projects, playbooks, the lifecycle, every rule
//! (R1…R14) and gate (G1, G2) of the product brief, and the maths of time and health.
//!
//! Pure: no I/O, no async, no SQL. Callers pass the current time in.
#![forbid(unsafe_code)]

pub mod activity;

pub use activity::Activity;
