//! The outbox of messages to deliver (mail and outbound webhooks), the lines waiting for a
//! person's digest, notification preferences and settings, and the server's own secrets.
//!
//! Messages are written in the same transaction as the change that caused them
//! (`save_project_with`), and delivered by a sweep that claims each row with a lease
//! (`claim_message`): a crash delays a message, never loses it; two servers on one database never
//! both hold the same row.

use chrono::{DateTime, Utc};
use finishline_core::{Activity, Project};
use serde::Serialize;
use sqlx::{Any, Row as _, Transaction};

use crate::audit::{kind, record_in, By};
use crate::codec::{new_id, parse_ts, ts};
use crate::{unique_or, Result, Row, Store};
use serde_json::json;

/// A message to put in the outbox.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// `email` or `webhook`.
    pub channel: String,
    /// What caused it: `digest`, `escalation`, `hypercare`, or a webhook event type.
    pub kind: String,
    /// One cause enqueues one message: a second message with the same key is not written.
    pub dedupe_key: String,
    /// An email address, or a webhook endpoint id.
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// Not delivered before this time (quiet hours).
    pub due_at: DateTime<Utc>,
    /// A file sent with an email.
    pub attachment: Option<Attachment>,
}

/// A file sent with an email, such as a meeting invitation's `.ics`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Attachment {
    /// The file name the mail program shows.
    pub name: String,
    /// Its MIME type, with parameters (`text/calendar; method=REQUEST; charset=utf-8`).
    pub content_type: String,
    pub text: String,
}

/// A message as stored, with its delivery state.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxMessage {
    pub id: String,
    pub workspace_id: String,
    pub channel: String,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub due_at: DateTime<Utc>,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    /// Set when delivery was given up after too many attempts.
    pub failed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Sent with the email; not part of the outbox listing.
    #[serde(skip)]
    pub attachment: Option<Attachment>,
}

/// A line for a person's next digest.
#[derive(Debug, Clone)]
pub struct NewDigestItem {
    pub email: String,
    /// One cause adds one line: a duplicate key aborts the whole transaction.
    pub item_key: String,
    /// Sent at the next sweep outside quiet hours, whatever the person's digest frequency.
    pub urgent: bool,
    /// What the line says, as JSON the server understands.
    pub doc: String,
}

#[derive(Debug, Clone)]
pub struct DigestItem {
    pub id: String,
    pub email: String,
    pub urgent: bool,
    pub doc: String,
    pub created_at: DateTime<Utc>,
}

/// How one person wants to hear from a workspace.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NotifyPrefs {
    pub email: String,
    /// `immediate`, `daily`, `weekly` or `off`.
    pub frequency: String,
    /// An IANA time zone such as `Europe/Berlin`.
    pub time_zone: String,
    /// Quiet hours, local: no mail from `quiet_start` o'clock to `quiet_end` o'clock.
    pub quiet_start: Option<i64>,
    pub quiet_end: Option<i64>,
    pub unsubscribed_at: Option<DateTime<Utc>>,
    pub last_digest_at: Option<DateTime<Utc>>,
}

/// What is written with a project change, in the same transaction.
#[derive(Debug, Default, Clone, Copy)]
pub struct Effects<'a> {
    pub messages: &'a [NewMessage],
    pub digest_items: &'a [NewDigestItem],
    /// A single-use link's id: the change is written only if the link was not used before.
    pub action_use: Option<&'a str>,
}

fn opt_ts(r: &Row, col: &str) -> Result<Option<DateTime<Utc>>> {
    let v: Option<String> = r.try_get(col)?;
    v.as_deref().map(parse_ts).transpose()
}

fn message_of(r: &Row) -> Result<OutboxMessage> {
    Ok(OutboxMessage {
        id: r.try_get("id")?,
        workspace_id: r.try_get("workspace_id")?,
        channel: r.try_get("channel")?,
        kind: r.try_get("kind")?,
        recipient: r.try_get("recipient")?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        due_at: parse_ts(&r.try_get::<String, _>("due_at")?)?,
        attempts: r.try_get("attempts")?,
        next_attempt_at: parse_ts(&r.try_get::<String, _>("next_attempt_at")?)?,
        last_error: r.try_get("last_error")?,
        sent_at: opt_ts(r, "sent_at")?,
        failed_at: opt_ts(r, "failed_at")?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
        attachment: r
            .try_get::<Option<String>, _>("attachment")?
            .map(|a| crate::codec::from_json("attachment", &a))
            .transpose()?,
    })
}

fn prefs_of(r: &Row) -> Result<NotifyPrefs> {
    Ok(NotifyPrefs {
        email: r.try_get("email")?,
        frequency: r.try_get("frequency")?,
        time_zone: r.try_get("time_zone")?,
        quiet_start: r.try_get("quiet_start")?,
        quiet_end: r.try_get("quiet_end")?,
        unsubscribed_at: opt_ts(r, "unsubscribed_at")?,
        last_digest_at: opt_ts(r, "last_digest_at")?,
    })
}

const MESSAGE_COLUMNS: &str = "id, workspace_id, channel, kind, recipient, subject, body, due_at, \
     attempts, next_attempt_at, last_error, sent_at, failed_at, created_at, attachment";

/// Inserts messages; one whose dedupe key is taken is skipped. Returns how many were written.
pub(crate) async fn enqueue_in(
    tx: &mut Transaction<'static, Any>,
    workspace: &str,
    messages: &[NewMessage],
    now: DateTime<Utc>,
) -> Result<usize> {
    let mut written = 0;
    for m in messages {
        let done = sqlx::query(
            "INSERT INTO outbox (id, workspace_id, channel, kind, dedupe_key, recipient, subject, \
             body, due_at, attempts, next_attempt_at, created_at, attachment) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $9, $10, $11) ON CONFLICT DO NOTHING",
        )
        .bind(new_id("msg"))
        .bind(workspace)
        .bind(&m.channel)
        .bind(&m.kind)
        .bind(&m.dedupe_key)
        .bind(&m.recipient)
        .bind(&m.subject)
        .bind(&m.body)
        .bind(ts(m.due_at))
        .bind(ts(now))
        .bind(
            m.attachment
                .as_ref()
                .map(crate::codec::to_json)
                .transpose()?,
        )
        .execute(&mut **tx)
        .await?;
        written += usize::try_from(done.rows_affected()).unwrap_or(0);
    }
    Ok(written)
}

async fn digest_items_in(
    tx: &mut Transaction<'static, Any>,
    workspace: &str,
    items: &[NewDigestItem],
    now: DateTime<Utc>,
) -> Result<()> {
    for i in items {
        sqlx::query(
            "INSERT INTO digest_items (id, workspace_id, email, item_key, urgent, doc, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_id("dgi"))
        .bind(workspace)
        .bind(&i.email)
        .bind(&i.item_key)
        .bind(i64::from(i.urgent))
        .bind(&i.doc)
        .bind(ts(now))
        .execute(&mut **tx)
        .await
        .map_err(|e| unique_or(e, &format!("digest item {}", i.item_key)))?;
    }
    Ok(())
}

impl Store {
    /// `save_project`, plus what the change causes — messages, digest lines, the use of a
    /// one-click link — in the same transaction: all of it is written, or none.
    /// A used link or a digest line written before gives `Duplicate`, and nothing is written.
    pub async fn save_project_with(
        &self,
        workspace: &str,
        p: &Project,
        read_version: i64,
        activities: &[Activity],
        now: DateTime<Utc>,
        effects: Effects<'_>,
    ) -> Result<i64> {
        let mut tx = self.write.begin().await?;
        let version =
            crate::projects::save_in(&mut tx, workspace, p, read_version, activities, now).await?;
        if let Some(token) = effects.action_use {
            sqlx::query(
                "INSERT INTO action_uses (token_id, workspace_id, used_at) VALUES ($1, $2, $3)",
            )
            .bind(token)
            .bind(workspace)
            .bind(ts(now))
            .execute(&mut *tx)
            .await
            .map_err(|e| unique_or(e, "this link was used before; a use"))?;
        }
        digest_items_in(&mut tx, workspace, effects.digest_items, now).await?;
        enqueue_in(&mut tx, workspace, effects.messages, now).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Puts messages in the outbox (skipping those whose dedupe key is taken).
    pub async fn enqueue(
        &self,
        workspace: &str,
        messages: &[NewMessage],
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let mut tx = self.write.begin().await?;
        let n = enqueue_in(&mut tx, workspace, messages, now).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Messages of every workspace neither sent nor given up, and when the oldest was written:
    /// what an operator watches to see delivery falling behind.
    pub async fn outbox_backlog(&self) -> Result<(u64, Option<DateTime<Utc>>)> {
        let row = sqlx::query(
            "SELECT COUNT(*), MIN(created_at) FROM outbox \
             WHERE sent_at IS NULL AND failed_at IS NULL",
        )
        .fetch_one(&self.read)
        .await?;
        let n: i64 = row.try_get(0)?;
        let oldest: Option<String> = row.try_get(1)?;
        Ok((
            u64::try_from(n).unwrap_or(0),
            oldest.as_deref().map(parse_ts).transpose()?,
        ))
    }

    /// The workspace's outbox, newest first; `channel` filters on `email` or `webhook`.
    pub async fn outbox(
        &self,
        workspace: &str,
        channel: Option<&str>,
        recipient: Option<&str>,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>> {
        let rows = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM outbox WHERE workspace_id = $1 \
             AND ($2 = '' OR channel = $2) AND ($3 = '' OR recipient = $3) \
             ORDER BY created_at DESC, id LIMIT $4"
        ))
        .bind(workspace)
        .bind(channel.unwrap_or(""))
        .bind(recipient.unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(message_of).collect()
    }

    /// Ids of messages ready to deliver now, not held by a live lease, oldest first.
    pub async fn deliverable(
        &self,
        channels: &[&str],
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for channel in channels {
            let rows = sqlx::query(
                "SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL \
                 AND channel = $1 AND next_attempt_at <= $2 AND due_at <= $2 \
                 AND (claimed_until IS NULL OR claimed_until < $2) \
                 ORDER BY next_attempt_at, id LIMIT $3",
            )
            .bind(*channel)
            .bind(ts(now))
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
            for r in rows {
                out.push(r.try_get("id")?);
            }
        }
        Ok(out)
    }

    /// Takes a message for `worker` until `until`, if nobody holds it and it is unsent; counts
    /// the attempt. `None` when another worker has it or it was sent meanwhile.
    pub async fn claim_message(
        &self,
        id: &str,
        worker: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Option<OutboxMessage>> {
        let done = sqlx::query(
            "UPDATE outbox SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1 \
             WHERE id = $3 AND sent_at IS NULL AND failed_at IS NULL \
             AND (claimed_until IS NULL OR claimed_until < $4)",
        )
        .bind(worker)
        .bind(ts(until))
        .bind(id)
        .bind(ts(now))
        .execute(&self.write)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(None);
        }
        let row = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM outbox WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.write)
        .await?;
        row.as_ref().map(message_of).transpose()
    }

    /// Records a delivery by the worker holding the lease.
    pub async fn mark_sent(&self, id: &str, worker: &str, now: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET sent_at = $1, claimed_until = NULL, last_error = NULL \
             WHERE id = $2 AND claimed_by = $3 AND sent_at IS NULL",
        )
        .bind(ts(now))
        .bind(id)
        .bind(worker)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a failed attempt: retried at `retry_at`, or given up when `None`.
    pub async fn mark_attempt_failed(
        &self,
        id: &str,
        worker: &str,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let failed = if retry_at.is_none() {
            Some(ts(now))
        } else {
            None
        };
        sqlx::query(
            "UPDATE outbox SET last_error = $1, next_attempt_at = $2, failed_at = $3, \
             claimed_until = NULL WHERE id = $4 AND claimed_by = $5 AND sent_at IS NULL",
        )
        .bind(error.chars().take(500).collect::<String>())
        .bind(ts(retry_at.unwrap_or(now)))
        .bind(failed)
        .bind(id)
        .bind(worker)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Adds a digest line that no project change goes with (a summary); false when its key was
    /// taken already.
    pub async fn add_digest_item(
        &self,
        workspace: &str,
        item: &NewDigestItem,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO digest_items (id, workspace_id, email, item_key, urgent, doc, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        )
        .bind(new_id("dgi"))
        .bind(workspace)
        .bind(&item.email)
        .bind(&item.item_key)
        .bind(i64::from(item.urgent))
        .bind(&item.doc)
        .bind(ts(now))
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Whether a digest line with this key was written (sent or not).
    pub async fn digest_item_exists(&self, workspace: &str, item_key: &str) -> Result<bool> {
        let row =
            sqlx::query("SELECT id FROM digest_items WHERE workspace_id = $1 AND item_key = $2")
                .bind(workspace)
                .bind(item_key)
                .fetch_optional(&self.write)
                .await?;
        Ok(row.is_some())
    }

    /// Emails with digest lines not yet sent.
    pub async fn digest_recipients(&self, workspace: &str) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT DISTINCT email FROM digest_items WHERE workspace_id = $1 AND message_id IS NULL \
             ORDER BY email",
        )
        .bind(workspace)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<String, _>("email")?))
            .collect()
    }

    pub async fn pending_digest_items(
        &self,
        workspace: &str,
        email: &str,
    ) -> Result<Vec<DigestItem>> {
        let rows = sqlx::query(
            "SELECT id, email, urgent, doc, created_at FROM digest_items \
             WHERE workspace_id = $1 AND email = $2 AND message_id IS NULL ORDER BY created_at, id",
        )
        .bind(workspace)
        .bind(email)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DigestItem {
                    id: r.try_get("id")?,
                    email: r.try_get("email")?,
                    urgent: r.try_get::<i64, _>("urgent")? != 0,
                    doc: r.try_get("doc")?,
                    created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                })
            })
            .collect()
    }

    /// Turns digest lines into one message (or, with `None`, drops them: the person opted out),
    /// in one transaction. False when another server took some of the lines first.
    pub async fn flush_digest(
        &self,
        workspace: &str,
        email: &str,
        item_ids: &[String],
        message: Option<&NewMessage>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.write.begin().await?;
        let marker = message
            .map(|m| m.dedupe_key.clone())
            .unwrap_or_else(|| "dropped".to_string());
        for id in item_ids {
            let done = sqlx::query(
                "UPDATE digest_items SET message_id = $1 WHERE workspace_id = $2 AND id = $3 \
                 AND message_id IS NULL",
            )
            .bind(&marker)
            .bind(workspace)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                tx.rollback().await?;
                return Ok(false);
            }
        }
        if let Some(m) = message {
            enqueue_in(&mut tx, workspace, std::slice::from_ref(m), now).await?;
            sqlx::query(
                "UPDATE notify_prefs SET last_digest_at = $1 WHERE workspace_id = $2 AND email = $3",
            )
            .bind(ts(now))
            .bind(workspace)
            .bind(email)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    pub async fn notify_prefs(&self, workspace: &str, email: &str) -> Result<Option<NotifyPrefs>> {
        let row = sqlx::query(
            "SELECT email, frequency, time_zone, quiet_start, quiet_end, unsubscribed_at, \
             last_digest_at FROM notify_prefs WHERE workspace_id = $1 AND email = $2",
        )
        .bind(workspace)
        .bind(email)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(prefs_of).transpose()
    }

    pub async fn all_notify_prefs(&self, workspace: &str) -> Result<Vec<NotifyPrefs>> {
        let rows = sqlx::query(
            "SELECT email, frequency, time_zone, quiet_start, quiet_end, unsubscribed_at, \
             last_digest_at FROM notify_prefs WHERE workspace_id = $1 ORDER BY email",
        )
        .bind(workspace)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(prefs_of).collect()
    }

    /// Creates or replaces one person's preferences (the digest bookkeeping is kept).
    pub async fn set_notify_prefs(&self, workspace: &str, p: &NotifyPrefs) -> Result<()> {
        sqlx::query(
            "INSERT INTO notify_prefs (workspace_id, email, frequency, time_zone, quiet_start, \
             quiet_end, unsubscribed_at, last_digest_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (workspace_id, email) DO UPDATE SET frequency = $3, time_zone = $4, \
             quiet_start = $5, quiet_end = $6, unsubscribed_at = $7",
        )
        .bind(workspace)
        .bind(&p.email)
        .bind(&p.frequency)
        .bind(&p.time_zone)
        .bind(p.quiet_start)
        .bind(p.quiet_end)
        .bind(p.unsubscribed_at.map(ts))
        .bind(p.last_digest_at.map(ts))
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// The workspace's notification settings document, if set.
    pub async fn notify_settings(&self, workspace: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT doc FROM notify_settings WHERE workspace_id = $1")
            .bind(workspace)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| Ok(r.try_get::<String, _>("doc")?)).transpose()
    }

    pub async fn set_notify_settings(&self, workspace: &str, doc: &str, by: &By) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO notify_settings (workspace_id, doc) VALUES ($1, $2) \
             ON CONFLICT (workspace_id) DO UPDATE SET doc = $2",
        )
        .bind(workspace)
        .bind(doc)
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::from_str(doc).unwrap_or(serde_json::Value::Null);
        record_in(
            &mut tx,
            Some(workspace),
            by,
            kind::NOTIFY_SETTINGS_CHANGED,
            json!({"settings": detail}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A secret of the server's, made with `fresh` the first time it is asked for; every server
    /// on one database gets the same one.
    pub async fn server_secret(
        &self,
        name: &str,
        fresh: impl FnOnce() -> String,
    ) -> Result<String> {
        // Read first: every signed link, portal view and feed poll asks, and only the first ask
        // of a key's life needs the write lock.
        let known = sqlx::query("SELECT value FROM server_secrets WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.read)
            .await?;
        if let Some(row) = known {
            return Ok(row.try_get("value")?);
        }
        sqlx::query(
            "INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(name)
        .bind(fresh())
        .execute(&self.write)
        .await?;
        let row = sqlx::query("SELECT value FROM server_secrets WHERE name = $1")
            .bind(name)
            .fetch_one(&self.write)
            .await?;
        Ok(row.try_get("value")?)
    }

    /// Whether a one-click link was used.
    pub async fn action_used(&self, workspace: &str, token_id: &str) -> Result<bool> {
        let row = sqlx::query(
            "SELECT token_id FROM action_uses WHERE workspace_id = $1 AND token_id = $2",
        )
        .bind(workspace)
        .bind(token_id)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.is_some())
    }
}
