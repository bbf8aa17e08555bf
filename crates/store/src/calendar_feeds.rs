//! Calendar feed links (`calendar_feeds`, migration 0009): one number per person, raised when
//! they ask for a new link. The link itself is signed by the application with the number in it,
//! so nothing secret is stored here, and raising the number is what revokes the old link.

use serde_json::json;
use sqlx::Row as _;

use crate::audit::{kind, record_in, By};
use crate::{Result, Store};

impl Store {
    /// The current generation of `subject`'s feed link (0 before any new link was asked for).
    pub async fn calendar_feed_generation(&self, workspace: &str, subject: &str) -> Result<i64> {
        let row = sqlx::query(
            "SELECT generation FROM calendar_feeds WHERE workspace_id = $1 AND subject = $2",
        )
        .bind(workspace)
        .bind(subject)
        .fetch_optional(&self.read)
        .await?;
        Ok(match row {
            Some(r) => r.try_get("generation")?,
            None => 0,
        })
    }

    /// Revokes `subject`'s feed link and returns the new generation; recorded in the trail in
    /// the same transaction.
    pub async fn new_calendar_feed(&self, workspace: &str, subject: &str, by: &By) -> Result<i64> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO calendar_feeds (workspace_id, subject, generation) VALUES ($1, $2, 1) \
             ON CONFLICT (workspace_id, subject) DO UPDATE SET generation = calendar_feeds.generation + 1",
        )
        .bind(workspace)
        .bind(subject)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(
            "SELECT generation FROM calendar_feeds WHERE workspace_id = $1 AND subject = $2",
        )
        .bind(workspace)
        .bind(subject)
        .fetch_one(&mut *tx)
        .await?;
        let generation: i64 = row.try_get("generation")?;
        let detail = json!({"subject": subject, "generation": generation});
        record_in(
            &mut tx,
            Some(workspace),
            by,
            kind::CALENDAR_LINK_REPLACED,
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(generation)
    }
}
