//! Projects from sales handoffs: what the API, `finishline handoff import` and the CRM webhooks
//! share — the playbook chosen, the handoff read, the project created and stored once.

use chrono::NaiveDate;
use finishline_core::command::{create_project, Ctx, NewPerson, NewProject};
use finishline_core::handoff::{Handoff, Promise, PromiseClass, Segment};
use finishline_core::playbook::{builtin_by_key, Playbook};
use finishline_core::{Activity, Project};
use finishline_store::{Delivery, Store};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::AppError;

/// The handoff fields a CRM mapping can fill.
pub const HANDOFF_FIELDS: [&str; 9] = [
    "customer",
    "sold",
    "contract_date",
    "champion",
    "expected_timeline",
    "segment",
    "account_executive",
    "owner_name",
    "owner_email",
];

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
) -> Result<Playbook, AppError> {
    if let Some(stored) = store.playbook(workspace, key, version).await? {
        let mut pb = stored.playbook;
        pb.version = u32::try_from(stored.version).unwrap_or(u32::MAX);
        return Ok(pb);
    }
    match (builtin_by_key(key), version) {
        (Some(pb), None) => Ok(pb),
        (Some(pb), Some(v)) if i64::from(pb.version) == v => Ok(pb),
        _ => Err(AppError::invalid(
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
) -> Result<(Project, Vec<Activity>), AppError> {
    let key = h
        .playbook
        .clone()
        .unwrap_or_else(|| h.segment.default_playbook().to_string());
    let playbook = find_playbook(store, workspace, &key, h.playbook_version).await?;
    if let Some(owner) = &h.owner {
        if !finishline_core::people::valid_email(&owner.email) {
            return Err(AppError::invalid(
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
) -> Result<Project, AppError> {
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
) -> Result<(Delivery, String), AppError> {
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
