//! Rating requests by email (issue 17): when a project reaches a milestone its playbook asks
//! about (after kickoff, go-live, the value review), each customer person with an email gets one
//! message with the question and one signed link per score (`tokens::rating_link`).
//!
//! The log is read from a cursor (`log_cursors`, reader `survey_asks`), as the meeting
//! invitations read theirs: a `stage.changed` committed with its change becomes mail at the next
//! sweep. The dedupe key names the project, milestone and person, so a person is asked once per
//! milestone whatever happens: several servers sweeping, a restart between enqueue and cursor,
//! or a loop back and forward through the same stage. A workspace's cursor starts at the end of
//! its log, so the first sweep asks nobody about last year's kickoff.

use chrono::{DateTime, Utc};
use finishline_core::lifecycle::Stage;
use finishline_core::people::{Person, Side};
use finishline_core::survey::{response_of, Milestone, SurveyAsk};
use finishline_core::Project;
use finishline_store::{LoggedActivity, NewMessage};

use super::tokens::{rating_link, unsubscribe_link};
use super::SweepReport;
use crate::error::AppError;
use crate::App;

const READER: &str = "survey_asks";

/// Enqueues the rating requests for the milestones reached since the last sweep.
pub async fn enqueue(app: &App, workspace: &str, report: &mut SweepReport) -> Result<(), AppError> {
    let Some((acts, last)) = super::unread(app, workspace, READER).await? else {
        return Ok(());
    };
    let now = app.now();
    let mut projects = super::ProjectsSeen::default();
    let mut messages = Vec::new();
    for a in &acts {
        let crossed = crossed(a);
        if crossed.is_empty() {
            continue;
        }
        let Some(p) = projects.get(app, workspace, &a.project_id).await? else {
            continue;
        };
        for ask in p.surveys.iter().filter(|x| crossed.contains(&x.milestone)) {
            // Asked only while it can be answered.
            if !ask.milestone.reached(p) || p.stage.is_closed() {
                continue;
            }
            for person in p.people.iter().filter(|x| {
                x.side == Side::Customer
                    && !x.email.trim().is_empty()
                    && response_of(p, x.id, ask.milestone).is_none()
            }) {
                let prefs = app.store.notify_prefs(workspace, &person.email).await?;
                if prefs.is_some_and(|x| x.unsubscribed_at.is_some()) {
                    continue;
                }
                messages.push(message(app, workspace, p, person, *ask, now).await?);
            }
        }
    }
    report.rating_requests += app.store.enqueue(workspace, &messages, now).await?;
    app.store
        .advance_log_cursor(workspace, READER, last)
        .await?;
    Ok(())
}

/// The milestones a stage change crossed going forward (none for a loop back).
fn crossed(a: &LoggedActivity) -> Vec<Milestone> {
    if a.activity.kind != "stage.changed" {
        return Vec::new();
    }
    let stage = |v: &Option<serde_json::Value>| {
        v.as_ref()
            .and_then(|v| v.get("stage"))
            .and_then(|s| serde_json::from_value::<Stage>(s.clone()).ok())
            .and_then(Stage::position)
    };
    let (Some(from), Some(to)) = (stage(&a.activity.before), stage(&a.activity.after)) else {
        return Vec::new();
    };
    Milestone::ALL
        .into_iter()
        .filter(|m| m.stage().position().is_some_and(|at| from < at && at <= to))
        .collect()
}

/// The dedupe key of one person's request for one milestone of one project.
pub fn dedupe_key(project: &str, milestone: Milestone, person: u32) -> String {
    format!("survey:{project}:{}:{person}", milestone.key())
}

async fn message(
    app: &App,
    workspace: &str,
    p: &Project,
    person: &Person,
    ask: SurveyAsk,
    now: DateTime<Utc>,
) -> Result<NewMessage, AppError> {
    let q = ask.question;
    let (low, high) = q.ends();
    let mut links = String::new();
    for score in 1..=q.max() {
        let link = rating_link(
            app,
            workspace,
            &person.email,
            &p.id,
            person.id,
            ask.milestone,
            score,
            now,
        )
        .await?;
        let end = match score {
            1 => format!(" ({low})"),
            s if s == q.max() => format!(" ({high})"),
            _ => String::new(),
        };
        links.push_str(&format!("  {score}{end}: {link}\n"));
    }
    let unsubscribe = unsubscribe_link(app, workspace, &person.email, now).await?;
    let portal = format!("{}/portal", super::tokens::base(app));
    Ok(NewMessage {
        channel: "email".into(),
        kind: "rating_request".into(),
        dedupe_key: dedupe_key(&p.id, ask.milestone, person.id),
        recipient: person.email.clone(),
        subject: format!("{}: one question {}", p.name, ask.milestone.label()),
        body: format!(
            "Hello {name},\n\n{project} is {milestone}. One question, one click:\n\n\
             {prompt}\n{links}\n\
             The page that opens lets you add a comment before you send. You rate once, \
             and your rating cannot be changed afterwards; you can also answer in the portal: \
             {portal}\n\n\
             Stop these emails: {unsubscribe}\n",
            name = person.name,
            project = p.name,
            milestone = ask.milestone.label(),
            prompt = q.prompt(ask.milestone),
        ),
        due_at: now,
        attachment: None,
    })
}
