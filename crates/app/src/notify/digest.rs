//! Digests: one email per person with everything waiting for them, at the frequency they chose
//! (immediate, daily — the default —, weekly, off) and never in their quiet hours. Escalations
//! do not wait for the next daily or weekly digest, but do wait out quiet hours.

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use chrono_tz::Tz;
use finishline_store::{NewMessage, NotifyPrefs};

use super::cadence::Line;
use super::tokens::{action_link, unsubscribe_link, LinkAction};
use super::SweepReport;
use crate::error::AppError;
use crate::App;

pub const FREQUENCIES: [&str; 4] = ["immediate", "daily", "weekly", "off"];

/// The preferences of someone who never set any.
pub fn default_prefs(email: &str) -> NotifyPrefs {
    NotifyPrefs {
        email: email.to_string(),
        frequency: "daily".into(),
        time_zone: "UTC".into(),
        quiet_start: Some(20),
        quiet_end: Some(8),
        unsubscribed_at: None,
        last_digest_at: None,
    }
}

fn tz(p: &NotifyPrefs) -> Tz {
    p.time_zone.parse().unwrap_or(Tz::UTC)
}

/// Whether `now` falls in the person's quiet hours, in their time zone.
pub fn in_quiet_hours(p: &NotifyPrefs, now: DateTime<Utc>) -> bool {
    let (Some(start), Some(end)) = (p.quiet_start, p.quiet_end) else {
        return false;
    };
    if start == end {
        return false;
    }
    let hour = i64::from(now.with_timezone(&tz(p)).hour());
    if start < end {
        start <= hour && hour < end
    } else {
        hour >= start || hour < end
    }
}

/// Whether a digest is due for this person now.
fn digest_due(p: &NotifyPrefs, now: DateTime<Utc>, urgent: bool) -> bool {
    if urgent || p.frequency == "immediate" {
        return true;
    }
    let Some(last) = p.last_digest_at else {
        return true;
    };
    match p.frequency.as_str() {
        "weekly" => now - last >= Duration::days(7),
        _ => {
            let z = tz(p);
            let (l, n) = (last.with_timezone(&z), now.with_timezone(&z));
            (l.year(), l.ordinal()) != (n.year(), n.ordinal())
        }
    }
}

async fn compose(
    app: &App,
    workspace: &str,
    email: &str,
    lines: &[Line],
    now: DateTime<Utc>,
) -> Result<(String, String, String), AppError> {
    let escalations = lines.iter().filter(|l| l.kind == "escalation").count();
    let kind = if escalations > 0 {
        "escalation"
    } else {
        "digest"
    };
    let subject = if escalations > 0 {
        format!(
            "Escalation: {} task(s) waiting on {} are overdue",
            escalations,
            lines
                .iter()
                .find(|l| l.kind == "escalation")
                .map(|l| l.customer.as_str())
                .unwrap_or("the customer")
        )
    } else {
        let tasks = lines.iter().filter(|l| l.kind != "hypercare").count();
        if tasks == 0 {
            "Your daily hypercare summary".to_string()
        } else {
            format!("{tasks} task(s) due or overdue for you")
        }
    };
    let mut body = String::from("Hello,\n\n");
    if escalations > 0 {
        body.push_str(
            "These customer tasks have been reminded several times and are still open. \
             They hold the project back; please help unblock them.\n\n",
        );
    } else {
        body.push_str("Here is what is waiting for you:\n\n");
    }
    let mut projects: Vec<&str> = lines.iter().map(|l| l.project.as_str()).collect();
    projects.dedup();
    for l in lines.iter().filter(|l| l.kind == "hypercare") {
        body.push_str(&format!("* [{}] {}\n\n", l.project, l.title));
    }
    for l in lines.iter().filter(|l| l.kind != "hypercare") {
        let when = match l.days_overdue {
            d if d < 0 => format!("due in {} day(s), on {}", -d, l.due),
            0 => format!("due today, {}", l.due),
            d => format!("overdue by {d} day(s) (due {})", l.due),
        };
        let who = if l.owner.is_empty() {
            String::new()
        } else {
            format!(", owner {}", l.owner)
        };
        body.push_str(&format!(
            "* [{}] {} - {}{} (reminder {})\n",
            l.project, l.title, when, who, l.nudges
        ));
        let open = action_link(
            app,
            workspace,
            email,
            LinkAction::Open,
            &l.project_id,
            l.task,
            l.act_as,
            now,
        )
        .await?;
        body.push_str(&format!("    Open the task: {open}\n"));
        if l.kind == "reminder" && l.act_as.is_some() {
            let done = action_link(
                app,
                workspace,
                email,
                LinkAction::Done,
                &l.project_id,
                l.task,
                l.act_as,
                now,
            )
            .await?;
            let stuck = action_link(
                app,
                workspace,
                email,
                LinkAction::Stuck,
                &l.project_id,
                l.task,
                l.act_as,
                now,
            )
            .await?;
            body.push_str(&format!("    Mark done (with a note): {done}\n"));
            body.push_str(&format!("    I'm stuck (say why): {stuck}\n"));
        }
        body.push('\n');
    }
    let unsub = unsubscribe_link(app, workspace, email, now).await?;
    body.push_str(&format!(
        "--\nSent by Finishline for {}. Change how often you hear from us or stop these emails: {unsub}\n",
        projects.join(", ")
    ));
    Ok((kind.into(), subject, body))
}

/// Turns waiting digest lines into emails for one workspace.
pub async fn flush(app: &App, workspace: &str, report: &mut SweepReport) -> Result<(), AppError> {
    let now = app.now();
    for email in app.store.digest_recipients(workspace).await? {
        let prefs = match app.store.notify_prefs(workspace, &email).await? {
            Some(p) => p,
            None => {
                let p = default_prefs(&email);
                app.store.set_notify_prefs(workspace, &p).await?;
                p
            }
        };
        let items = app.store.pending_digest_items(workspace, &email).await?;
        if items.is_empty() {
            continue;
        }
        let ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
        if prefs.unsubscribed_at.is_some() || prefs.frequency == "off" {
            app.store
                .flush_digest(workspace, &email, &ids, None, now)
                .await?;
            continue;
        }
        if in_quiet_hours(&prefs, now) {
            continue;
        }
        let urgent = items.iter().any(|i| i.urgent);
        if !digest_due(&prefs, now, urgent) {
            continue;
        }
        let lines: Vec<Line> = items
            .iter()
            .filter_map(|i| serde_json::from_str(&i.doc).ok())
            .collect();
        let (kind, subject, body) = compose(app, workspace, &email, &lines, now).await?;
        let message = NewMessage {
            channel: "email".into(),
            kind,
            dedupe_key: format!("digest:{}", ids.first().map_or("", String::as_str)),
            recipient: email.clone(),
            subject,
            body,
            due_at: now,
            attachment: None,
        };
        if app
            .store
            .flush_digest(workspace, &email, &ids, Some(&message), now)
            .await?
        {
            report.digests += 1;
        }
    }
    Ok(())
}
