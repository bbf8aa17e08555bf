//! Process-mining exports of a whole workspace: OCEL 2.0 JSON (`ocel`, every activity as an
//! event related to the objects it touched) and IEEE XES (`xes`, one trace per project, its
//! stage visits as events).
//!
//! Both are written to any `std::io::Write` one project at a time, so memory stays flat however
//! large the workspace: the store's `ProjectLogs` cursor reads projects in small batches and
//! each is written and dropped before the next. The writers are synchronous (they are plain
//! `Write` users); `write_workspace` runs on a blocking thread and waits on the store through the
//! runtime's handle, and a caller that needs a stream (the web server) gives it a `Write` that
//! sends chunks through a bounded channel, so a slow reader slows the export instead of growing
//! a buffer.

pub mod ocel;
pub mod xes;

/// The one XML escaper (text or attribute), also used by the Salesforce Outbound answers.
pub use xes::escape as xml_escape;

use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::{App, AppError};

/// Which export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ocel,
    Xes,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "ocel" => Some(Format::Ocel),
            "xes" => Some(Format::Xes),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Ocel => "application/json",
            Format::Xes => "application/xml",
        }
    }

    /// The file name a download suggests.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Ocel => "finishline.ocel.json",
            Format::Xes => "finishline.xes",
        }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    pub projects: usize,
    pub events: usize,
}

/// Why an export stopped: reading the store, or writing the output (a full disk, a client that
/// hung up).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Read(#[from] AppError),
    #[error("writing the export failed: {0}")]
    Write(#[from] std::io::Error),
}

/// Writes the workspace's export to `out`, one project at a time, and flushes it.
///
/// Blocks: call it on a blocking thread of the runtime (`tokio::task::spawn_blocking`), which
/// it needs for reading the store.
pub fn write_workspace<W: Write>(
    app: &App,
    workspace: &str,
    format: Format,
    out: W,
) -> Result<Written, ExportError> {
    let rt = tokio::runtime::Handle::try_current()
        .map_err(|e| AppError::Internal(format!("the export needs the runtime: {e}")))?;
    let now = app.now();
    let mut logs = rt
        .block_on(app.store.project_logs(workspace))
        .map_err(AppError::from)?;
    let mut written = Written::default();
    match format {
        Format::Ocel => {
            let mut w = ocel::OcelWriter::new(out, now)?;
            while let Some(p) = rt.block_on(logs.next()).map_err(AppError::from)? {
                written.events += w.project(&p.project, &p.log)?;
                written.projects += 1;
            }
            w.finish()?.flush()?;
        }
        Format::Xes => {
            let mut w = xes::XesWriter::new(out)?;
            while let Some(p) = rt.block_on(logs.next()).map_err(AppError::from)? {
                written.events += w.project(&p.project, &p.log, now)?;
                written.projects += 1;
            }
            w.finish()?.flush()?;
        }
    }
    Ok(written)
}

/// RFC 3339 with milliseconds and `Z`, as both formats read it.
pub(crate) fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The snake_case name serde gives an enum value (`mid_market`, `vendor_task`).
pub(crate) fn key_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}
