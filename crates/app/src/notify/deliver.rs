//! Delivery of the outbox: each due message is claimed with a lease (so two servers on one
//! database never both send it), sent, and marked sent only once the SMTP server or the webhook
//! receiver accepted it; a failure is retried with exponential backoff, and given up after
//! `MAX_ATTEMPTS`. With no SMTP server configured, mail stays in the outbox.

use std::time::Duration;

use chrono::{DateTime, Utc};
use finishline_store::OutboxMessage;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::SweepReport;
use crate::error::AppError;
use crate::App;

/// Attempts before a message is given up.
pub const MAX_ATTEMPTS: i64 = 10;

/// When to try again after `attempts` failed attempts: 30 s, 1 min, 2 min… at most 6 hours.
pub fn retry_at(attempts: i64, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    let secs = 30i64.saturating_mul(2i64.saturating_pow(exp)).min(6 * 3600);
    Some(now + chrono::Duration::seconds(secs))
}

/// Why a delivery failed, and whether trying again could help.
pub struct Failure {
    pub message: String,
    pub permanent: bool,
}

impl Failure {
    pub fn temporary(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            permanent: false,
        }
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            permanent: true,
        }
    }
}

#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.to_string()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

#[derive(Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".into())
    }
}

type Mailer = AsyncSmtpTransport<Tokio1Executor>;

fn mailer(url: &str) -> Result<Mailer, String> {
    Ok(Mailer::from_url(url)
        .map_err(|e| format!("the SMTP URL is not usable: {e}"))?
        .timeout(Some(Duration::from_secs(20)))
        .build())
}

async fn send_mail(app: &App, mailer: &Mailer, m: &OutboxMessage) -> Result<(), Failure> {
    let from = app
        .config
        .notify
        .mail_from
        .parse()
        .map_err(|e| Failure::temporary(format!("the From address is not valid: {e}")))?;
    let to = m.recipient.parse().map_err(|e| {
        Failure::permanent(format!("{:?} is not an email address: {e}", m.recipient))
    })?;
    let unsub = super::tokens::unsubscribe_link(app, &m.workspace_id, &m.recipient, app.now())
        .await
        .map_err(|e| Failure::temporary(e.to_string()))?;
    let email = Message::builder()
        .from(from)
        .to(to)
        .subject(m.subject.clone())
        .message_id(Some(format!("<{}@finishline>", m.id)))
        .header(ListUnsubscribe(format!("<{unsub}>")))
        .header(ListUnsubscribePost);
    let email = match &m.attachment {
        None => email.body(m.body.clone()),
        Some(a) => {
            let kind = ContentType::parse(&a.content_type).map_err(|e| {
                Failure::permanent(format!("the attachment's type {:?}: {e}", a.content_type))
            })?;
            email.multipart(
                MultiPart::mixed()
                    .singlepart(SinglePart::plain(m.body.clone()))
                    .singlepart(
                        lettre::message::Attachment::new(a.name.clone()).body(a.text.clone(), kind),
                    ),
            )
        }
    }
    .map_err(|e| Failure::permanent(format!("the message cannot be built: {e}")))?;
    match mailer.send(email).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() => Err(Failure::permanent(format!(
            "the SMTP server refused it: {e}"
        ))),
        Err(e) => Err(Failure::temporary(format!("SMTP: {e}"))),
    }
}

/// Delivers every due message (all workspaces).
pub async fn run(app: &App, report: &mut SweepReport) -> Result<(), AppError> {
    let cfg = &app.config.notify;
    let mut channels = vec!["webhook"];
    let mail = match &cfg.smtp_url {
        Some(url) => match mailer(&url.0) {
            Ok(m) => {
                channels.push("email");
                Some(m)
            }
            Err(e) => {
                tracing::warn!(error = %e, "mail is not sent");
                None
            }
        },
        None => None,
    };
    let now = app.now();
    let ids = app.store.deliverable(&channels, now, 200).await?;
    for id in ids {
        // The lease starts now, not when the batch started: a long batch never sends under an
        // expired lease that another server could take.
        let now = app.now();
        let Some(m) = app
            .store
            .claim_message(&id, &cfg.worker_id, now, now + cfg.lease)
            .await?
        else {
            continue;
        };
        let outcome = match (m.channel.as_str(), &mail) {
            ("email", Some(mailer)) => send_mail(app, mailer, &m).await,
            ("webhook", _) => super::hooks::deliver(app, &m).await,
            _ => Err(Failure::temporary("no transport for this channel")),
        };
        let at = app.now();
        match outcome {
            Ok(()) => {
                app.store.mark_sent(&m.id, &cfg.worker_id, at).await?;
                tracing::info!(message.id = %m.id, workspace.id = %m.workspace_id, channel = %m.channel, "delivered");
                report.delivered += 1;
            }
            Err(f) => {
                let retry = if f.permanent {
                    None
                } else {
                    retry_at(m.attempts, at)
                };
                tracing::warn!(message.id = %m.id, attempts = m.attempts, error = %f.message, gave_up = retry.is_none(), "delivery failed");
                app.store
                    .mark_attempt_failed(&m.id, &cfg.worker_id, &f.message, retry, at)
                    .await?;
                report.failed_attempts += 1;
            }
        }
    }
    Ok(())
}
