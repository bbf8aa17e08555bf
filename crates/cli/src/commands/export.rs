//! `finishline export ocel|xes FILE`: the workspace's process-mining export written to a file,
//! a project at a time (the same writer as `GET /api/v1/export/{ocel,xes}`).

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, ErrorKind};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, ValueEnum};
use finishline_app::export::{write_workspace, Format};
use finishline_app::{App, AppConfig, SystemClock};

use super::db::{pick_workspace, DbArgs};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// OCEL 2.0 JSON: every activity as an event, related to its project, task, person, change
    /// request or import run.
    Ocel,
    /// IEEE XES: one trace per project, its stage visits as start and complete events.
    Xes,
}

#[derive(Debug, Args)]
#[command(
    about = "Write the workspace's process-mining export (OCEL 2.0 JSON or IEEE XES) to a file",
    long_about = "Write the workspace's process-mining export to a file, for pm4py, Celonis, \
        ProM or any tool that reads OCEL 2.0 JSON or IEEE XES.\n\n\
        ocel: every activity of every project as an event, related to the project, task, person, \
        change request or import run it touched.\n\
        xes: one trace per project, its stage visits as start and complete events with who \
        moved it (the log the process map is drawn from).\n\n\
        Projects are written one at a time, so memory stays flat for any workspace size. \
        An existing FILE is kept unless --force is given.\n\n\
        Example: finishline export ocel projects.ocel.json --data-dir data"
)]
pub struct ExportArgs {
    /// ocel (OCEL 2.0 JSON) or xes (IEEE XES).
    #[arg(value_enum)]
    pub format: ExportFormat,
    /// The file to write.
    pub file: PathBuf,
    /// Replace FILE if it exists.
    #[arg(long)]
    pub force: bool,
    /// The workspace to export; needed only when there are several.
    #[arg(long)]
    pub workspace: Option<String>,
    #[command(flatten)]
    pub db: DbArgs,
}

/// Opens `path` for the export: refuses an existing file without `force`, and says plainly
/// when the folder is missing or the path is a folder.
fn open_output(path: &Path, force: bool) -> Result<File> {
    if path.is_dir() {
        bail!(
            "{} is a folder; give a file name, such as {}/export.ocel.json",
            path.display(),
            path.display()
        );
    }
    let mut options = OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        // create_new: no window between checking and creating.
        options.create_new(true);
    }
    options.open(path).map_err(|e| match e.kind() {
        ErrorKind::AlreadyExists => anyhow!(
            "{} exists already; choose a new file or add --force to replace it",
            path.display()
        ),
        ErrorKind::NotFound => anyhow!(
            "cannot create {}: the folder {} does not exist",
            path.display(),
            path.parent()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        ),
        _ => anyhow!("cannot create {}: {e}", path.display()),
    })
}

pub async fn export(args: ExportArgs) -> Result<()> {
    let format = match args.format {
        ExportFormat::Ocel => Format::Ocel,
        ExportFormat::Xes => Format::Xes,
    };
    let store = args.db.open().await?;
    let ws = pick_workspace(&store, args.workspace.as_deref()).await?;
    let file = open_output(&args.file, args.force)?;
    let app = App::new(store.clone(), Arc::new(SystemClock), AppConfig::default());
    let workspace = ws.id.clone();
    let written = tokio::task::spawn_blocking(move || {
        write_workspace(&app, &workspace, format, BufWriter::new(file))
    })
    .await
    .context("the export stopped unexpectedly")?;
    if written.is_ok() {
        store
            .record_export(
                &ws.id,
                &finishline_store::By::command_line(chrono::Utc::now()),
                serde_json::json!({"what": args.file.display().to_string()}),
            )
            .await
            .context("recording the export in the audit trail")?;
    }
    store.close().await;
    match written {
        Ok(w) => {
            println!(
                "{} projects, {} events written to {}",
                w.projects,
                w.events,
                args.file.display()
            );
            Ok(())
        }
        Err(e) => {
            // A half-written file is no export; leave nothing that looks like one.
            let _ = std::fs::remove_file(&args.file);
            Err(e).with_context(|| format!("exporting to {}", args.file.display()))
        }
    }
}
