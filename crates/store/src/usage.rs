//! Product usage reported by the vendor's product, and the adoption goals set at kickoff.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row as _;

use crate::codec::ts;
use crate::{Result, Store};

/// One usage event as received.
#[derive(Debug, Clone)]
pub struct UsageEvent {
    pub event_id: String,
    pub account: String,
    pub user: String,
    pub event: String,
    pub at: DateTime<Utc>,
}

/// Usage of one account in a window.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UsageSummary {
    /// Distinct users with any event.
    pub active_users: u32,
    /// Distinct users who logged in (`login` events).
    pub users_logged_in: u32,
    /// Event names seen, each with its count.
    pub events: Vec<(String, u32)>,
}

/// A project's goals and its account in the usage feed.
#[derive(Debug, Clone)]
pub struct AdoptionGoalsRow {
    pub project_id: String,
    pub account: String,
    pub doc: String,
}

impl Store {
    /// Stores events, each once per workspace however often it is sent; returns how many were new.
    pub async fn record_usage(
        &self,
        workspace: &str,
        events: &[UsageEvent],
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let mut tx = self.write.begin().await?;
        let mut new = 0;
        for e in events {
            let done = sqlx::query(
                "INSERT INTO usage_events (workspace_id, event_id, account, user_id, event, at, \
                 received_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            )
            .bind(workspace)
            .bind(&e.event_id)
            .bind(&e.account)
            .bind(&e.user)
            .bind(&e.event)
            .bind(ts(e.at))
            .bind(ts(now))
            .execute(&mut *tx)
            .await?;
            new += usize::try_from(done.rows_affected()).unwrap_or(0);
        }
        tx.commit().await?;
        Ok(new)
    }

    /// What an account did between `from` and `to`.
    pub async fn usage_summary(
        &self,
        workspace: &str,
        account: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<UsageSummary> {
        let rows = sqlx::query(
            "SELECT user_id, event FROM usage_events WHERE workspace_id = $1 AND account = $2 \
             AND at >= $3 AND at < $4",
        )
        .bind(workspace)
        .bind(account)
        .bind(ts(from))
        .bind(ts(to))
        .fetch_all(&self.read)
        .await?;
        let mut users = std::collections::BTreeSet::new();
        let mut logins = std::collections::BTreeSet::new();
        let mut events = std::collections::BTreeMap::<String, u32>::new();
        for r in rows {
            let user: String = r.try_get("user_id")?;
            let event: String = r.try_get("event")?;
            if event == "login" {
                logins.insert(user.clone());
            }
            users.insert(user);
            *events.entry(event).or_default() += 1;
        }
        Ok(UsageSummary {
            active_users: u32::try_from(users.len()).unwrap_or(u32::MAX),
            users_logged_in: u32::try_from(logins.len()).unwrap_or(u32::MAX),
            events: events.into_iter().collect(),
        })
    }

    pub async fn set_adoption_goals(
        &self,
        workspace: &str,
        project: &str,
        account: &str,
        doc: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO adoption_goals (workspace_id, project_id, account, doc) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (workspace_id, project_id) DO UPDATE SET account = $3, doc = $4",
        )
        .bind(workspace)
        .bind(project)
        .bind(account)
        .bind(doc)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    pub async fn adoption_goals(&self, workspace: &str) -> Result<Vec<AdoptionGoalsRow>> {
        let rows = sqlx::query(
            "SELECT project_id, account, doc FROM adoption_goals WHERE workspace_id = $1 ORDER BY project_id",
        )
        .bind(workspace)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AdoptionGoalsRow {
                    project_id: r.try_get("project_id")?,
                    account: r.try_get("account")?,
                    doc: r.try_get("doc")?,
                })
            })
            .collect()
    }
}
