//! The live process map of a workspace (issue 15): every project's log folded into the stages'
//! directly-follows graph by `core::process`, one project at a time through the store's
//! `ProjectLogs` cursor, so the map of 2,000 projects never holds 2,000 logs.

use chrono::NaiveDate;
use finishline_core::handoff::Segment;
use finishline_core::process::{ProcessMap, ProcessMapBuilder};
use finishline_core::Project;

use crate::{App, AppError};

/// Which projects the map is drawn over; every field narrows, none set means all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessFilter {
    /// Contract signed on or after this day.
    pub from: Option<NaiveDate>,
    /// Contract signed on or before this day.
    pub to: Option<NaiveDate>,
    pub segment: Option<Segment>,
    /// The playbook's key (`standard`, `light-touch`, a team's copy).
    pub playbook: Option<String>,
    /// The vendor owner, by the workspace member's user id or the person's name.
    pub owner: Option<String>,
}

impl ProcessFilter {
    pub fn admits(&self, p: &Project) -> bool {
        let contract = p.handoff.contract_date;
        let owner = p.vendor_owner();
        self.from.is_none_or(|d| contract >= d)
            && self.to.is_none_or(|d| contract <= d)
            && self.segment.is_none_or(|s| p.handoff.segment == s)
            && self.playbook.as_ref().is_none_or(|k| &p.playbook.key == k)
            && self.owner.as_ref().is_none_or(|o| {
                owner.is_some_and(|x| x.user_id.as_deref() == Some(o.as_str()) || &x.name == o)
            })
    }
}

/// The filter as a query string gives it, before parsing; empty values mean "any".
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct FilterText {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub segment: Option<String>,
    #[serde(default)]
    pub playbook: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn day(field: &str, v: &Option<String>) -> Result<Option<NaiveDate>, AppError> {
    given(v)
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| AppError::BadInput {
                field: field.into(),
                message: format!("{s:?} is not a date: use YYYY-MM-DD"),
            })
        })
        .transpose()
}

impl FilterText {
    /// The filter, or which field does not parse and why.
    pub fn parse(&self) -> Result<ProcessFilter, AppError> {
        let segment = given(&self.segment)
            .map(|s| {
                serde_json::from_value::<Segment>(serde_json::Value::String(s.to_string())).map_err(
                    |_| AppError::BadInput {
                        field: "segment".into(),
                        message: format!(
                            "{s:?} is not a segment: use smb, mid_market or enterprise"
                        ),
                    },
                )
            })
            .transpose()?;
        Ok(ProcessFilter {
            from: day("from", &self.from)?,
            to: day("to", &self.to)?,
            segment,
            playbook: given(&self.playbook).map(str::to_string),
            owner: given(&self.owner).map(str::to_string),
        })
    }
}

/// The process map of the workspace's projects that `filter` admits, measured up to now.
pub async fn process_map(
    app: &App,
    workspace: &str,
    filter: &ProcessFilter,
) -> Result<ProcessMap, AppError> {
    let mut logs = app.store.project_logs(workspace).await?;
    let mut map = ProcessMapBuilder::new(app.now());
    while let Some((project, log)) = logs.next().await? {
        if filter.admits(&project) {
            map.add(&project, &log);
        }
    }
    Ok(map.finish())
}
