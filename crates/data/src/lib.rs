//! finishline-data: the customer data onboarding engine.
//!
//! Read a customer's CSV/TSV/XLSX upload, match its columns to a **data map** (a Frictionless
//! Table Schema plus Finishline's extensions), check every cell, normalise values, find
//! near-duplicates, record fixes as a layer over the untouched upload, and export a clean file
//! with rejected rows and cell-level lineage. No HTTP, no SQL: a server calls the same functions.
//!
//! ```no_run
//! use finishline_data::{check, CheckOptions, DataMap, Fixes};
//! let map = DataMap::from_path("accounts.map.json".as_ref())?;
//! let report = check("accounts.csv".as_ref(), &map, &Fixes::default(), &CheckOptions::default())?;
//! println!("{} errors in {} rows", report.errors, report.rows);
//! # Ok::<(), finishline_data::DataError>(())
//! ```
#![forbid(unsafe_code)]

pub mod engine;
pub mod fixes;
pub mod formats;
pub mod fuzzing;
pub mod infer;
pub mod input;
mod keymap;
pub mod limits;
pub mod map;
pub mod normalize;
pub mod parse;
mod pattern;
#[cfg(test)]
mod random;
pub mod report;
pub mod rows;
pub mod transform;
pub mod types;
pub mod typos;

pub use engine::{
    check, check_with, check_with_refs, export, neutralise, neutralise_formula, CheckOptions,
    ExportPaths, ExportSummary,
};
pub use fixes::{rows_label, CellValue, Fix, FixAction, Fixes, MergeGroup};
pub use infer::infer;
pub use input::{InputInfo, OpenOptions};
pub use limits::{check_zip_limits, Limits};
pub use map::{DataMap, Field, FieldType};
pub use report::{Issue, IssueRef, Report, RuleSummary, Severity};
pub use transform::{Preview, TransformOp};

/// Everything that can stop the engine. Issues in the data are not errors: they are in the
/// [`Report`]. These are about the inputs being unusable.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the data map is wrong at {path}: {message}")]
    Map { path: String, message: String },
    #[error("the fixes file is wrong at {path}: {message}")]
    Fixes { path: String, message: String },
    #[error("{path} cannot be used: {message}")]
    Unusable { path: String, message: String },
}
