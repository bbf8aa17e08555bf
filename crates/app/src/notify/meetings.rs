//! Meeting invitations by email: when the next meeting is set or a training session scheduled,
//! everyone on the project who may see it gets an email with the entry as an `.ics` invitation
//! (`METHOD:REQUEST`), with the same UID and sequence as in their calendar feed.
//!
//! The log is read from a cursor (`log_cursors`, reader `meeting_invitations`), as the webhooks
//! read theirs: an activity committed with its change becomes mail at the next sweep, so none is
//! lost, and the dedupe key (activity and address) keeps two servers from sending one twice. A
//! workspace's cursor starts at the end of its log, so the first sweep does not invite anyone to
//! last year's meetings.

use chrono::{DateTime, Utc};
use finishline_core::calendar::{project_items, Audience, CalendarItem, When};
use finishline_core::people::Side;
use finishline_core::Project;
use finishline_store::{Attachment, LoggedActivity, NewMessage};

use super::SweepReport;
use crate::error::AppError;
use crate::App;

const READER: &str = "meeting_invitations";

/// Enqueues the invitations for what was scheduled since the last sweep.
pub async fn enqueue(app: &App, workspace: &str, report: &mut SweepReport) -> Result<(), AppError> {
    let Some((acts, last)) = super::unread(app, workspace, READER).await? else {
        return Ok(());
    };
    let now = app.now();
    let mut projects = super::ProjectsSeen::default();
    let mut messages = Vec::new();
    for a in &acts {
        let Some(uid_start) = scheduled(a) else {
            continue;
        };
        let Some(p) = projects.get(app, workspace, &a.project_id).await? else {
            continue;
        };
        for person in p.people.iter().filter(|x| !x.email.trim().is_empty()) {
            let audience = match person.side {
                Side::Vendor => Audience::Vendor,
                Side::Customer => Audience::Customer,
            };
            // Only what this person's feed shows, and only what has not happened yet.
            let items = project_items(p, audience);
            let Some(item) = items.iter().find(|i| i.uid.starts_with(&uid_start)) else {
                continue;
            };
            if starts(item) < now {
                continue;
            }
            let prefs = app.store.notify_prefs(workspace, &person.email).await?;
            if prefs.is_some_and(|x| x.unsubscribed_at.is_some()) {
                continue;
            }
            let link = match person.side {
                Side::Vendor => format!("{}/projects/{}", super::tokens::base(app), p.id),
                Side::Customer => format!("{}/portal", super::tokens::base(app)),
            };
            messages.push(message(
                app,
                a,
                p,
                &person.name,
                &person.email,
                item,
                &link,
                now,
            ));
        }
    }
    report.invitations += app.store.enqueue(workspace, &messages, now).await?;
    app.store
        .advance_log_cursor(workspace, READER, last)
        .await?;
    Ok(())
}

/// The start of the UID of the entry an activity scheduled, if it scheduled one.
fn scheduled(a: &LoggedActivity) -> Option<String> {
    match a.activity.kind.as_str() {
        "meeting.next" => {
            let date = a.activity.after.as_ref()?.get("date")?.as_str()?;
            Some(format!("meeting-{date}."))
        }
        "training.scheduled" => {
            let id = a.activity.subject.strip_prefix("training:")?;
            Some(format!("training-{id}."))
        }
        _ => None,
    }
}

fn starts(item: &CalendarItem) -> DateTime<Utc> {
    match item.when {
        // A whole day counts until its end.
        When::Day(d) => d
            .succ_opt()
            .unwrap_or(d)
            .and_hms_opt(0, 0, 0)
            .map_or(DateTime::<Utc>::MIN_UTC, |t| t.and_utc()),
        When::At { start, .. } => start,
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "each part of the email is one argument"
)]
fn message(
    app: &App,
    a: &LoggedActivity,
    p: &Project,
    name: &str,
    email: &str,
    item: &CalendarItem,
    link: &str,
    now: DateTime<Utc>,
) -> NewMessage {
    let when = match item.when {
        When::Day(d) => d.format("%A %-d %B %Y").to_string(),
        When::At { start, minutes } => {
            format!(
                "{} UTC, {minutes} minutes",
                start.format("%A %-d %B %Y, %H:%M")
            )
        }
    };
    // ORGANIZER is a bare address; the configured sender may carry a display name.
    let from = &app.config.notify.mail_from;
    let organizer = from
        .parse::<lettre::message::Mailbox>()
        .map_or_else(|_| from.clone(), |m| m.email.to_string());
    let ics = crate::calendar::invitation(item, link, &organizer, email, now);
    NewMessage {
        channel: "email".into(),
        kind: "meeting_invitation".into(),
        dedupe_key: format!("meeting:{}:{}", a.seq, email.to_lowercase()),
        recipient: email.to_owned(),
        subject: format!("Invitation: {}", item.summary),
        body: format!(
            "Hello {name},\n\n{summary}\nWhen: {when}\nProject: {project}\n\n\
             The invitation is attached: open it to add it to your calendar. \
             The project: {link}\n",
            summary = item.summary,
            project = p.name,
        ),
        due_at: now,
        attachment: Some(Attachment {
            name: "invitation.ics".into(),
            content_type: "text/calendar; method=REQUEST; charset=utf-8".into(),
            text: ics,
        }),
    }
}
