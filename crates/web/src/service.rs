//! What the API, the CRM webhook and the CLI share: creating a project from a handoff, applying a
//! command with retries on concurrent changes, and the computed view of a project.

use chrono::{DateTime, NaiveDate, Utc};
use finishline_core::ball::{r7_ball_in_court, BallReport};
use finishline_core::command::{create_project, Ctx, NewPerson, NewProject};
use finishline_core::gates::{g1_kickoff_readiness, g2_go_live_readiness, GateReport};
use finishline_core::handoff::{Handoff, Promise, PromiseClass, Segment};
use finishline_core::health::{health, Health};
use finishline_core::people::Side;
use finishline_core::playbook::{builtin_by_key, Playbook};
use finishline_core::scorecard::{r12_scorecard, Scorecard};
use finishline_core::{apply, Activity, Command, Project};
use finishline_store::{Delivery, Store, StoreError, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;

/// A deal handed over from sales: what the API, `finishline handoff import` and the CRM webhook
/// accept.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewHandoff {
    /// The project name; defaults to "<customer> implementation".
    #[serde(default)]
    pub name: Option<String>,
    pub customer: String,
    /// What was sold, in the contract's words.
    pub sold: String,
    /// Every promise made during the sale, each classified.
    #[serde(default)]
    pub promises: Vec<NewPromise>,
    /// The customer's champion.
    #[serde(default)]
    pub champion: String,
    /// The timeline the customer expects, as they were told it.
    #[serde(default)]
    pub expected_timeline: String,
    #[serde(default)]
    pub segment: Segment,
    pub contract_date: NaiveDate,
    #[serde(default)]
    pub account_executive: String,
    /// The playbook to follow: a built-in (`standard`, `light-touch-30`) or a workspace
    /// playbook's key. Defaults to the segment's playbook.
    #[serde(default)]
    pub playbook: Option<String>,
    /// A workspace playbook's version; the latest when absent.
    #[serde(default)]
    pub playbook_version: Option<i64>,
    /// The vendor implementation owner, if known at handoff.
    #[serde(default)]
    pub owner: Option<NewOwner>,
    /// When the plan starts; defaults to today.
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPromise {
    pub text: String,
    /// standard, phase_two, custom, not_offered — or unclassified, which blocks kickoff.
    #[serde(default = "unclassified")]
    pub class: PromiseClass,
}

fn unclassified() -> PromiseClass {
    PromiseClass::Unclassified
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOwner {
    pub name: String,
    pub email: String,
}

/// Finds a playbook by key: the workspace's own first, then the built-ins.
pub async fn find_playbook(
    store: &Store,
    workspace: &str,
    key: &str,
    version: Option<i64>,
) -> Result<Playbook, ApiError> {
    if let Some(stored) = store.playbook(workspace, key, version).await? {
        let mut pb = stored.playbook;
        pb.version = u32::try_from(stored.version).unwrap_or(u32::MAX);
        return Ok(pb);
    }
    match (builtin_by_key(key), version) {
        (Some(pb), None) => Ok(pb),
        (Some(pb), Some(v)) if i64::from(pb.version) == v => Ok(pb),
        _ => Err(ApiError::invalid(
            "playbook",
            format!("no playbook {key:?}{} in this workspace or among the built-ins (standard, light-touch-30)", version.map(|v| format!(" version {v}")).unwrap_or_default()),
        )),
    }
}

/// Builds the project of a handoff (not yet stored).
pub async fn project_from_handoff(
    store: &Store,
    workspace: &str,
    h: NewHandoff,
    ctx: &Ctx,
) -> Result<(Project, Vec<Activity>), ApiError> {
    let key = h
        .playbook
        .clone()
        .unwrap_or_else(|| h.segment.default_playbook().to_string());
    let playbook = find_playbook(store, workspace, &key, h.playbook_version).await?;
    if let Some(owner) = &h.owner {
        if !finishline_core::people::valid_email(&owner.email) {
            return Err(ApiError::bad(
                "owner.email",
                format!("{:?} is not an email address", owner.email),
            ));
        }
    }
    let name = h
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| format!("{} implementation", h.customer.trim()));
    let new = NewProject {
        id: format!("prj_{}", uuid::Uuid::new_v4().simple()),
        name,
        customer: h.customer,
        handoff: Handoff {
            sold: h.sold,
            promises: h
                .promises
                .into_iter()
                .map(|p| Promise {
                    id: 0,
                    text: p.text,
                    class: p.class,
                    resolution: None,
                })
                .collect(),
            champion: h.champion,
            expected_timeline: h.expected_timeline,
            segment: h.segment,
            contract_date: h.contract_date,
            account_executive: h.account_executive,
        },
        playbook,
        owner: h.owner.map(|o| NewPerson {
            name: o.name,
            email: o.email,
            user_id: None,
        }),
        start_date: h.start_date.unwrap_or_else(|| ctx.today()),
    };
    Ok(create_project(new, ctx)?)
}

/// Creates and stores the project of a handoff.
pub async fn import_handoff(
    store: &Store,
    workspace: &str,
    h: NewHandoff,
    ctx: &Ctx,
) -> Result<Project, ApiError> {
    let (p, acts) = project_from_handoff(store, workspace, h, ctx).await?;
    store.insert_project(workspace, &p, &acts, ctx.now).await?;
    Ok(p)
}

/// Creates the project of a CRM delivery once, however often the delivery is retried.
pub async fn import_handoff_once(
    store: &Store,
    workspace: &str,
    delivery_id: &str,
    h: NewHandoff,
    ctx: &Ctx,
) -> Result<(Delivery, String), ApiError> {
    let (p, acts) = project_from_handoff(store, workspace, h, ctx).await?;
    let outcome = store
        .insert_project_once(workspace, delivery_id, &p, &acts, ctx.now)
        .await?;
    let id = match &outcome {
        Delivery::Created => p.id,
        Delivery::AlreadyApplied { project_id } => project_id.clone(),
    };
    Ok((outcome, id))
}

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
) -> Result<(), ApiError> {
    let refs = file_refs(command);
    if refs.is_empty() {
        return Ok(());
    }
    let files = store.files(workspace, project_id).await?;
    for (field, id) in refs {
        if !files.iter().any(|f| f.id == id) {
            return Err(ApiError::invalid(
                field,
                format!(
                    "no file {id:?} was uploaded to this project: upload it first (POST /api/v1/projects/{project_id}/files) and send the id it answers"
                ),
            ));
        }
    }
    Ok(())
}

/// Applies a command and stores the result with its activities; on a concurrent change, reloads
/// and applies again (after a jittered, growing wait, for up to [`RETRY_FOR`]), so the rules are
/// always checked against what is stored. File ids the command names must be this project's.
pub async fn run_command(
    store: &Store,
    workspace: &str,
    project_id: &str,
    command: &Command,
    ctx_for: impl Fn(&Project) -> Ctx,
) -> Result<(Project, i64, Vec<Activity>), ApiError> {
    let deadline = std::time::Instant::now() + RETRY_FOR;
    let mut attempt = 0u32;
    loop {
        let (mut p, version) = store
            .project(workspace, project_id)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("project {project_id}")))?;
        if attempt == 0 {
            check_file_refs(store, workspace, project_id, command).await?;
        }
        let ctx = ctx_for(&p);
        let acts = apply(&mut p, command.clone(), &ctx)?;
        match store
            .save_project(workspace, &p, version, &acts, ctx.now)
            .await
        {
            Ok(v) => return Ok((p, v, acts)),
            Err(StoreError::Conflict) => {
                let wait = backoff(attempt);
                if std::time::Instant::now() + wait >= deadline {
                    tracing::warn!(
                        project.id = project_id,
                        attempts = attempt + 1,
                        "a command gave up after conflicting writes for {} s",
                        RETRY_FOR.as_secs()
                    );
                    return Err(ApiError::Conflict(format!(
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

#[derive(Debug, Serialize, ToSchema)]
pub struct Gates {
    pub kickoff: GateReport,
    pub go_live: GateReport,
}

/// A project with everything computed about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectView {
    pub project: Project,
    /// Bumped by every change; commands need not send it (the server retries on conflicts).
    pub version: i64,
    pub health: Health,
    pub gates: Gates,
    pub ball: BallReport,
    pub scorecard: Scorecard,
}

pub fn view(
    project: Project,
    version: i64,
    activities: &[Activity],
    now: DateTime<Utc>,
) -> ProjectView {
    let today = now.date_naive();
    ProjectView {
        health: health(&project, now),
        gates: Gates {
            kickoff: g1_kickoff_readiness(&project),
            go_live: g2_go_live_readiness(&project, today),
        },
        ball: r7_ball_in_court(activities, now),
        scorecard: r12_scorecard(&project, activities, now),
        project,
        version,
    }
}

/// One line of the portfolio.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectSummary {
    pub id: String,
    pub name: String,
    pub customer: String,
    pub stage: finishline_core::lifecycle::Stage,
    pub owner: Option<String>,
    pub launch_date: Option<NaiveDate>,
    pub days_to_launch: Option<i64>,
    pub days_since_contract: i64,
    pub health: Health,
    /// Open tasks waiting on the customer right now.
    pub waiting_on_customer: usize,
    /// Open tasks waiting on the vendor right now.
    pub waiting_on_vendor: usize,
}

pub fn summary(p: &Project, now: DateTime<Utc>) -> ProjectSummary {
    let today = now.date_naive();
    let (mut customer, mut vendor) = (0, 0);
    for t in &p.tasks {
        match p.ball_for(t) {
            Some(Side::Customer) => customer += 1,
            Some(Side::Vendor) => vendor += 1,
            None => {}
        }
    }
    ProjectSummary {
        id: p.id.clone(),
        name: p.name.clone(),
        customer: p.customer.clone(),
        stage: p.stage,
        owner: p.vendor_owner().map(|o| o.name.clone()),
        launch_date: p.launch_date,
        days_to_launch: p.days_to_launch(today),
        days_since_contract: (today - p.handoff.contract_date).num_days(),
        health: health(p, now),
        waiting_on_customer: customer,
        waiting_on_vendor: vendor,
    }
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
