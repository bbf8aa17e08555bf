//! A workspace's notification settings: the R9 cadence (per workspace, and per playbook), and
//! the hosts its admins allow outbound webhooks to reach.

use std::collections::BTreeMap;

use finishline_core::nudge::Cadence;
use finishline_core::Project;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::AppError;
use crate::App;

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotifySettings {
    /// The workspace's cadence; the default is 1 day before, 1, 3 and 7 days after, escalating
    /// after 3 nudges or 10 days.
    #[serde(default)]
    pub cadence: Cadence,
    /// Cadences for projects following a given playbook (by playbook key).
    #[serde(default)]
    pub playbook_cadences: BTreeMap<String, Cadence>,
    /// Hosts outbound webhooks may reach although they resolve to loopback or private addresses.
    #[serde(default)]
    #[schema(inline, value_type = Vec<HostName>)]
    pub allow_hosts: Vec<String>,
    /// CRM field mappings: for `hubspot`, `salesforce` (JSON) and `salesforce_outbound` (SOAP
    /// Outbound Messages), handoff field → the CRM property it
    /// is read from (`customer`, `sold`, `contract_date`, `champion`, `expected_timeline`,
    /// `segment`, `account_executive`, `owner_name`, `owner_email`). Unset fields keep the
    /// defaults (see the README).
    #[serde(default)]
    pub crm_mappings: BTreeMap<String, BTreeMap<String, String>>,
    /// When set, Salesforce Outbound Messages are accepted only from this organisation (its
    /// 15- or 18-character id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^\\s*00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?\\s*$")]
    pub salesforce_org_id: Option<String>,
}

/// A host name or address: no scheme, no path, no spaces.
#[derive(ToSchema)]
#[schema(value_type = String, pattern = "^[^/ ]*[^/\\s][^/ ]*$")]
pub struct HostName(pub String);

impl NotifySettings {
    pub fn cadence_for(&self, p: &Project) -> &Cadence {
        self.playbook_cadences
            .get(&p.playbook.key)
            .unwrap_or(&self.cadence)
    }

    /// Checks what an admin sets: cadence days positive, escalation thresholds sensible.
    pub fn validate(&self) -> Result<(), AppError> {
        let all = std::iter::once(("cadence".to_string(), &self.cadence)).chain(
            self.playbook_cadences
                .iter()
                .map(|(k, c)| (format!("playbook_cadences.{k}"), c)),
        );
        for (path, c) in all {
            if c.before_days
                .iter()
                .chain(&c.after_days)
                .any(|d| *d <= 0 || *d > 365)
            {
                return Err(AppError::bad(
                    format!("{path}.before_days/after_days"),
                    "days are whole numbers from 1 to 365",
                ));
            }
            if c.escalate_after_nudges == 0 || c.escalate_after_days <= 0 {
                return Err(AppError::bad(
                    format!("{path}.escalate_after_nudges/escalate_after_days"),
                    "escalate after at least 1 nudge and 1 day",
                ));
            }
        }
        for (source, fields) in &self.crm_mappings {
            if !matches!(
                source.as_str(),
                "hubspot" | "salesforce" | "salesforce_outbound"
            ) {
                return Err(AppError::bad(
                    format!("crm_mappings.{source}"),
                    "map fields for hubspot, salesforce or salesforce_outbound",
                ));
            }
            for field in fields.keys() {
                if !crate::handoffs::HANDOFF_FIELDS.contains(&field.as_str()) {
                    return Err(AppError::bad(
                        format!("crm_mappings.{source}.{field}"),
                        format!(
                            "not a handoff field; use one of {}",
                            crate::handoffs::HANDOFF_FIELDS.join(", ")
                        ),
                    ));
                }
            }
        }
        if let Some(org) = &self.salesforce_org_id {
            let org = org.trim();
            if !(org.len() == 15 || org.len() == 18)
                || !org.starts_with("00D")
                || !org.chars().all(|c| c.is_ascii_alphanumeric())
            {
                return Err(AppError::bad(
                    "salesforce_org_id",
                    format!("{org:?} is not a Salesforce organisation id (15 or 18 letters and digits, starting 00D)"),
                ));
            }
        }
        for h in &self.allow_hosts {
            if h.trim().is_empty() || h.contains('/') || h.contains(' ') {
                return Err(AppError::bad(
                    "allow_hosts",
                    format!("{h:?} is not a host name or address (no scheme, no path)"),
                ));
            }
        }
        Ok(())
    }
}

pub async fn load(app: &App, workspace: &str) -> Result<NotifySettings, AppError> {
    match app.store.notify_settings(workspace).await? {
        None => Ok(NotifySettings::default()),
        Some(doc) => serde_json::from_str(&doc)
            .map_err(|e| AppError::Internal(format!("notify settings unreadable: {e}"))),
    }
}

pub async fn save(
    app: &App,
    workspace: &str,
    s: &NotifySettings,
    by: &finishline_store::By,
) -> Result<(), AppError> {
    let doc = serde_json::to_string(s).map_err(|e| AppError::Internal(e.to_string()))?;
    app.store.set_notify_settings(workspace, &doc, by).await?;
    Ok(())
}
