//! Running a command against a stored project: the one optimistic save-and-retry loop every
//! caller uses (the API, the pages, the CLI, the R9 sweep, one-click email links).
//!
//! A command is applied to the project as stored and saved with the version it was read at; if
//! another writer saved first, the project is read again and the command applied again, so the
//! rules are always checked against what is stored. A save writes the project, its activities
//! and any side effects (outbox messages, digest lines, a link's use) in one transaction.

use chrono::{DateTime, Utc};
use finishline_core::people::Side;
use finishline_core::{apply, Activity, Command, Ctx, Project};
use finishline_store::{Effects, NewDigestItem, NewMessage, Store, StoreError, User};

use crate::error::AppError;

/// The acting context of a vendor member: linked to the project person with their user id.
pub fn member_ctx(user: &User, project: &Project, now: DateTime<Utc>) -> Ctx {
    let person = project
        .people
        .iter()
        .find(|p| {
            p.user_id.as_deref() == Some(user.id.as_str())
                || p.email.eq_ignore_ascii_case(&user.email)
        })
        .map(|p| p.id);
    Ctx {
        actor: format!("{} (vendor)", user.name),
        person,
        side: Side::Vendor,
        now,
    }
}

/// How long a command keeps being retried while other writers change the same project. A
/// conflict is only answered (409) when one project is contended for this long.
const RETRY_FOR: std::time::Duration = std::time::Duration::from_secs(5);
/// The first wait after a conflict, doubled after each one up to [`BACKOFF_CAP`].
const BACKOFF_BASE: std::time::Duration = std::time::Duration::from_millis(2);
const BACKOFF_CAP: std::time::Duration = std::time::Duration::from_millis(200);

/// The wait before retry `attempt` (0-based): "full jitter", a uniform time between zero and the
/// exponential bound, so writers that collided once do not collide again in step.
fn backoff(attempt: u32) -> std::time::Duration {
    use rand::Rng as _;
    let bound = BACKOFF_BASE
        .saturating_mul(1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX))
        .min(BACKOFF_CAP);
    let micros = u64::try_from(bound.as_micros()).unwrap_or(u64::MAX);
    std::time::Duration::from_micros(rand::thread_rng().gen_range(0..=micros))
}

/// What a save writes besides the project and its activities, owned so that every attempt can
/// build its own from the project it read.
#[derive(Debug, Default)]
pub struct SideEffects {
    pub messages: Vec<NewMessage>,
    pub digest_items: Vec<NewDigestItem>,
    /// A single-use link's id: the change is written only if the link was not used before
    /// (otherwise the save fails with `StoreError::Duplicate`).
    pub action_use: Option<String>,
}

/// What to do with the project as it was just read: apply this command as `ctx`, and write
/// `effects` with it.
pub struct Attempt {
    pub command: Command,
    pub ctx: Ctx,
    pub effects: SideEffects,
}

/// A command applied and stored.
#[derive(Debug)]
pub struct Applied {
    pub project: Project,
    /// The version the save wrote.
    pub version: i64,
    pub activities: Vec<Activity>,
}

/// Reads the project, asks `decide` what to do with it, applies and saves; on a concurrent
/// change, waits (jittered, growing) and does it all again from a fresh read, for up to
/// [`RETRY_FOR`]. `Ok(None)` when `decide` found nothing to do (`Ok(None)` from it: another
/// writer did it, the project moved on). A project that is not there is
/// `NotFound`; a store refusal other than a conflict (such as `Duplicate` for a used link) is
/// returned as it is, for the caller to say what it means. File ids the first command names
/// must be this project's.
pub async fn run_decided(
    store: &Store,
    workspace: &str,
    project_id: &str,
    mut decide: impl FnMut(&Project) -> Result<Option<Attempt>, AppError>,
) -> Result<Option<Applied>, AppError> {
    let deadline = std::time::Instant::now() + RETRY_FOR;
    let mut attempt = 0u32;
    loop {
        let (mut p, read_version) = store
            .project(workspace, project_id)
            .await?
            .ok_or_else(|| AppError::not_found(format!("project {project_id}")))?;
        let Some(Attempt {
            command,
            ctx,
            effects,
        }) = decide(&p)?
        else {
            return Ok(None);
        };
        if attempt == 0 {
            check_file_refs(store, workspace, project_id, &command).await?;
        }
        let activities = apply(&mut p, command, &ctx)?;
        let writes = Effects {
            messages: &effects.messages,
            digest_items: &effects.digest_items,
            action_use: effects.action_use.as_deref(),
        };
        match store
            .save_project_with(workspace, &p, read_version, &activities, ctx.now, writes)
            .await
        {
            Ok(version) => {
                return Ok(Some(Applied {
                    project: p,
                    version,
                    activities,
                }))
            }
            Err(StoreError::Conflict) => {
                let wait = backoff(attempt);
                if std::time::Instant::now() + wait >= deadline {
                    tracing::warn!(
                        project.id = project_id,
                        attempts = attempt + 1,
                        "a command gave up after conflicting writes for {} s",
                        RETRY_FOR.as_secs()
                    );
                    return Err(AppError::Conflict(format!(
                        "the project is being changed by others right now (tried {} times over {} s); try again",
                        attempt + 1,
                        RETRY_FOR.as_secs()
                    )));
                }
                tokio::time::sleep(wait).await;
                attempt = attempt.saturating_add(1);
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Applies one command as whoever `ctx_for` says, with [`run_decided`]'s retries.
pub async fn run_command(
    store: &Store,
    workspace: &str,
    project_id: &str,
    command: &Command,
    ctx_for: impl Fn(&Project) -> Ctx,
) -> Result<(Project, i64, Vec<Activity>), AppError> {
    let applied = run_decided(store, workspace, project_id, |p| {
        Ok(Some(Attempt {
            command: command.clone(),
            ctx: ctx_for(p),
            effects: SideEffects::default(),
        }))
    })
    .await?
    .ok_or_else(|| AppError::Internal("a command to apply decided nothing".into()))?;
    Ok((applied.project, applied.version, applied.activities))
}

/// The file ids a command refers to, each with the field that holds it.
pub fn file_refs(command: &Command) -> Vec<(&'static str, &str)> {
    use finishline_core::plan::Proof;
    let mut out = Vec::new();
    match command {
        Command::CompleteTask {
            proof: Some(Proof::File(f)),
            ..
        } => out.push(("proof.value", f.as_str())),
        Command::AddDataMap { file, sample, .. } => {
            out.push(("file", file.as_str()));
            if let Some(s) = sample {
                out.push(("sample", s.as_str()));
            }
        }
        Command::StartImportDraft { upload, report, .. } => {
            out.push(("upload", upload.as_str()));
            out.push(("report", report.as_str()));
        }
        Command::RecheckImportDraft { report, .. } => out.push(("report", report.as_str())),
        Command::SubmitImportDraft {
            clean_file,
            report_file,
            fixes_file,
            ..
        } => {
            out.push(("clean_file", clean_file.as_str()));
            out.push(("report_file", report_file.as_str()));
            if let Some(f) = fixes_file {
                out.push(("fixes_file", f.as_str()));
            }
        }
        _ => {}
    }
    out
}

/// Refuses a command that refers to a file this project does not have (never uploaded, removed,
/// or another project's or workspace's), naming the field, like any other unknown id. The core
/// does no I/O, so this is checked here, once for every caller of [`run_command`].
pub async fn check_file_refs(
    store: &Store,
    workspace: &str,
    project_id: &str,
    command: &Command,
) -> Result<(), AppError> {
    let refs = file_refs(command);
    if refs.is_empty() {
        return Ok(());
    }
    let files = store.files(workspace, project_id).await?;
    for (field, id) in refs {
        if !files.iter().any(|f| f.id == id) {
            return Err(AppError::invalid(
                field,
                format!(
                    "no file {id:?} was uploaded to this project: upload it first (POST /api/v1/projects/{project_id}/files) and send the id it answers"
                ),
            ));
        }
    }
    Ok(())
}

/// Removes the files a request wrote for a change that was then refused (or failed), so that a
/// refusal leaves no unreferenced file behind. A failure here is logged, not answered: the user's
/// refusal is what they need to see, and the file is only clutter.
pub async fn discard_files(store: &Store, workspace: &str, project: &str, ids: &[String]) {
    if ids.is_empty() {
        return;
    }
    if let Err(e) = store.delete_files(workspace, project, ids).await {
        tracing::warn!(error = %e, files = ?ids, "files of a refused change were not removed");
    }
}
