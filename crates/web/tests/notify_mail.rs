//! R9 over real SMTP: reminders on the cadence as digests, escalation to the executive sponsor
//! and the vendor owner, quiet hours, unsubscribe, one-click links — with the clock moved by the
//! test, so three weeks run in milliseconds.
#![allow(clippy::unwrap_used)]

mod notify_support;

use std::collections::BTreeMap;

use notify_support::{spawn, Db};
use reqwest::StatusCode;
use serde_json::json;

const CASEY: &str = "casey@brightwater.test";
const SAM: &str = "sam@brightwater.test";
const DANA: &str = "dana@vendor.test";

#[tokio::test]
async fn r9_cadence_sends_one_digest_a_day_and_escalates_to_the_sponsor() {
    r9_cadence(Db::Sqlite).await;
}

#[tokio::test]
async fn r9_cadence_on_postgres() {
    r9_cadence(Db::Postgres).await;
}

async fn r9_cadence(db: Db) {
    let Some(app) = spawn(db, "r9_cadence", true, vec![]).await else {
        return;
    };
    let m = app.admin("Vendor A", "dana@vendor.test").await;
    // Two customer tasks due the same day: one email covers both (digest grouping).
    let (project, tasks) = m
        .project_with_customer_tasks(
            "Brightwater",
            &[
                ("Send the user export", "2026-03-05"),
                ("Grant SSO access", "2026-03-05"),
            ],
        )
        .await;

    // Day by day for three weeks, the sweep twice a day (a second pass sends nothing more).
    let mut per_day: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for day in 0..21 {
        let before = app.smtp().messages().len();
        app.at(day, 9);
        app.sweep().await;
        app.at(day, 15);
        app.sweep().await;
        for msg in &app.smtp().messages()[before..] {
            per_day.entry(day).or_default().push(format!(
                "{} | {}",
                msg.to.join(","),
                msg.subject()
            ));
        }
    }
    // Casey also owns a task of the playbook; the two tasks of this test are reminded 1 day
    // before (03-04 = day 2), 1 and 3 days after (days 4 and 6), in one email a day.
    for (day, mails) in &per_day {
        let to_casey = mails.iter().filter(|s| s.starts_with(CASEY)).count();
        assert!(
            to_casey <= 1,
            "one digest a day, not one email per task: day {day} {mails:#?}"
        );
    }
    let casey: Vec<_> = app
        .smtp()
        .to(CASEY)
        .into_iter()
        .filter(|m| m.body().contains("Send the user export"))
        .collect();
    assert_eq!(casey.len(), 3, "{per_day:#?}");
    for msg in &casey {
        let body = msg.body();
        assert!(
            body.contains("Send the user export") && body.contains("Grant SSO access"),
            "{body}"
        );
        assert!(msg
            .header("List-Unsubscribe")
            .is_some_and(|h| h.contains("/api/v1/unsubscribe/")));
    }
    assert!(
        casey[0].body().contains("due in 1 day(s)"),
        "{}",
        casey[0].body()
    );
    assert!(
        casey[2].body().contains("overdue by 3 day(s)"),
        "{}",
        casey[2].body()
    );

    // After three nudges, on day 7 (4 days overdue), escalation to the sponsor and the owner.
    let sam: Vec<_> = app
        .smtp()
        .to(SAM)
        .into_iter()
        .filter(|m| m.body().contains("Send the user export"))
        .collect();
    assert_eq!(sam.len(), 1, "{per_day:#?}");
    assert!(
        sam[0].subject().starts_with("Escalation"),
        "{}",
        sam[0].subject()
    );
    assert!(
        sam[0].body().contains("Send the user export")
            && sam[0].body().contains("Grant SSO access")
    );
    assert!(
        per_day[&7].iter().any(|s| s.starts_with(SAM)),
        "{per_day:#?}"
    );
    let dana: Vec<_> = app
        .smtp()
        .to(DANA)
        .into_iter()
        .filter(|m| m.body().contains("Send the user export"))
        .collect();
    assert_eq!(dana.len(), 1, "{per_day:#?}");
    assert!(dana[0].subject().starts_with("Escalation"));

    // Recorded through the core: the task shows its nudges and the escalation, the log says so.
    let t = m.task(&project, tasks[0]).await;
    assert_eq!(t["nudges"], 4, "{t:#}");
    assert!(
        t["escalated_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-03-09"),
        "{t:#}"
    );
    let (_, log) = m.get(&format!("/api/v1/projects/{project}/activity")).await;
    let kinds: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["subject"] == format!("task:{}", tasks[0]))
        .filter_map(|a| a["kind"].as_str())
        .filter(|k| k.starts_with("task.nudged") || k.starts_with("task.escalated"))
        .collect();
    assert_eq!(
        kinds,
        [
            "task.nudged",
            "task.nudged",
            "task.nudged",
            "task.escalated"
        ]
    );

    // The outbox lists every email, all sent.
    let (s, outbox) = m.get("/api/v1/outbox?channel=email").await;
    assert_eq!(s, StatusCode::OK);
    let outbox = outbox.as_array().unwrap();
    assert_eq!(outbox.len(), app.smtp().messages().len());
    assert!(outbox.iter().all(|o| o["state"] == "sent"), "{outbox:#?}");
}

#[tokio::test]
async fn quiet_hours_hold_mail_until_morning_in_the_recipients_time_zone() {
    let app = spawn(Db::Sqlite, "quiet_hours", true, vec![])
        .await
        .unwrap();
    let m = app.admin("Vendor A", "dana@vendor.test").await;
    m.project_with_customer_tasks("Brightwater", &[("Send the user export", "2026-03-05")])
        .await;
    // Casey is in New York and wants no mail before 8 local (13:00 UTC in March, before DST).
    let (s, v) = m
        .put(
            "/api/v1/notify/preferences",
            json!({"email": CASEY, "frequency": "daily", "time_zone": "America/New_York", "quiet_start": 20, "quiet_end": 8}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v:#}");
    app.at(2, 9); // 04:00 in New York
    app.sweep().await;
    assert!(
        app.smtp().to(CASEY).is_empty(),
        "no mail at 4 in the morning"
    );
    app.at(2, 12); // 07:00
    app.sweep().await;
    assert!(app.smtp().to(CASEY).is_empty());
    app.at(2, 13); // 08:00
    app.sweep().await;
    assert_eq!(app.smtp().to(CASEY).len(), 1);

    // Bad preferences are refused with the field named.
    let (s, v) = m
        .put(
            "/api/v1/notify/preferences",
            json!({"email": CASEY, "frequency": "hourly"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v:#}");
    let (s, _) = m
        .put(
            "/api/v1/notify/preferences",
            json!({"email": CASEY, "frequency": "daily", "time_zone": "Mars/Olympus"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn unsubscribe_works_without_login_and_stops_the_mail() {
    let app = spawn(Db::Sqlite, "unsubscribe", true, vec![])
        .await
        .unwrap();
    let m = app.admin("Vendor A", "dana@vendor.test").await;
    m.project_with_customer_tasks("Brightwater", &[("Send the user export", "2026-03-05")])
        .await;
    app.at(2, 9);
    app.sweep().await;
    let mail = app.smtp().to(CASEY);
    assert_eq!(mail.len(), 1);
    let link = mail[0]
        .links(&format!("{}/api/v1/unsubscribe/", app.base))
        .pop()
        .unwrap();
    let http = reqwest::Client::new();
    // A GET (a mail scanner) changes nothing.
    let page = http.get(&link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("<form method=\"post\""));
    let (_, prefs) = m.get("/api/v1/notify/preferences").await;
    assert!(
        prefs
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["unsubscribed_at"].is_null()),
        "{prefs:#}"
    );
    // The POST unsubscribes, without any login.
    let done = http
        .post(&link)
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    let (_, prefs) = m.get("/api/v1/notify/preferences").await;
    let casey = prefs
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["email"] == CASEY)
        .unwrap();
    assert!(casey["unsubscribed_at"].is_string(), "{casey:#}");
    // The next reminders (days 4 and 6) are not sent; the nudges are still recorded.
    for day in 3..7 {
        app.at(day, 9);
        app.sweep().await;
    }
    assert_eq!(app.smtp().to(CASEY).len(), 1);
    // A forged token is refused.
    let forged = format!("{}/api/v1/unsubscribe/eyJmb28iOiJiYXIifQ.AAAA", app.base);
    let r = http.post(&forged).form(&[("x", "y")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn one_click_links_need_a_post_work_once_and_act_as_the_customer() {
    let app = spawn(Db::Sqlite, "one_click", true, vec![]).await.unwrap();
    let m = app.admin("Vendor A", "dana@vendor.test").await;
    let (project, tasks) = m
        .project_with_customer_tasks(
            "Brightwater",
            &[
                ("Send the user export", "2026-03-05"),
                ("Grant SSO access", "2026-03-05"),
            ],
        )
        .await;
    app.at(2, 9);
    app.sweep().await;
    let mail = &app.smtp().to(CASEY)[0];
    let acts = mail.links(&format!("{}/api/v1/act/", app.base));
    assert_eq!(
        acts.len(),
        6,
        "open, done and stuck for each task: {}",
        mail.body()
    );
    let body = mail.body();
    // The link labelled `label` in the block of the task titled `title`.
    let link_after = |label: &str, title: &str| {
        let mut in_task = false;
        for l in body.lines() {
            if l.starts_with("* ") {
                in_task = l.contains(title);
            } else if in_task && l.contains(label) {
                return l.split_whitespace().last().unwrap().to_string();
            }
        }
        panic!("no {label} link for {title} in {body}");
    };
    let done = link_after("Mark done", "Send the user export");
    let stuck = link_after("I'm stuck", "Grant SSO access");
    let http = reqwest::Client::new();

    // GET shows the task and a form; nothing changes.
    let page = http.get(&done).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Send the user export") && html.contains("name=\"note\""),
        "{html}"
    );
    assert_eq!(m.task(&project, tasks[0]).await["status"]["state"], "open");

    // POST without a note is refused and burns nothing; with a note the task is done by Casey.
    let r = http
        .post(&done)
        .form(&[("note", " ")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = http
        .post(&done)
        .form(&[("note", "export uploaded to the shared folder")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let t = m.task(&project, tasks[0]).await;
    assert_eq!(t["status"]["state"], "done", "{t:#}");
    let (_, v) = m.get(&format!("/api/v1/projects/{project}")).await;
    let casey = v["project"]["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Casey")
        .unwrap()["id"]
        .clone();
    assert_eq!(t["status"]["by"], casey);
    // Single use.
    let r = http
        .post(&done)
        .form(&[("note", "again")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);

    // Stuck with a reason blocks the other task, waiting on the vendor.
    let r = http
        .post(&stuck)
        .form(&[("reason", "the SSO metadata XML from your IT team")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let t = m.task(&project, tasks[1]).await;
    assert_eq!(t["status"]["state"], "blocked", "{t:#}");

    // A tampered link is refused; an expired one too.
    let tampered = format!("{}x", &done[..done.len() - 1]);
    let r = http
        .post(&tampered)
        .form(&[("note", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    app.at(30, 9);
    let open = link_after("Open the task", "Send the user export");
    let r = http.get(&open).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "links expire after 14 days"
    );
}

#[tokio::test]
async fn hypercare_sends_the_owner_a_daily_summary_of_open_issues() {
    let app = spawn(Db::Sqlite, "hypercare", true, vec![]).await.unwrap();
    let m = app.admin("Vendor A", "dana@vendor.test").await;
    let (project, _) = m.project_with_customer_tasks("Brightwater", &[]).await;
    // Arrange: live today, in hypercare for 14 days (the lifecycle test walks there).
    let store = &app.state.app.store;
    let (mut p, version) = store
        .project(&m.workspace.id, &project)
        .await
        .unwrap()
        .unwrap();
    let today = app.now().date_naive();
    p.stage = finishline_core::lifecycle::Stage::Hypercare;
    p.live_on = Some(today);
    p.hypercare_until = Some(today + chrono::Duration::days(14));
    store
        .save_project(&m.workspace.id, &p, version, &[], app.now())
        .await
        .unwrap();
    m.ok(
        &project,
        json!({"action": "open_issue", "title": "Dispatch board slow on Mondays"}),
    )
    .await;
    for day in 0..3 {
        app.at(day, 9);
        app.sweep().await;
    }
    let summaries: Vec<_> = app
        .smtp()
        .to(DANA)
        .into_iter()
        .filter(|m| m.body().contains("Hypercare until"))
        .collect();
    assert_eq!(summaries.len(), 3, "one a day");
    assert!(summaries[0]
        .body()
        .contains("1 open issue(s) (Dispatch board slow on Mondays)"));
}

#[tokio::test]
async fn an_smtp_outage_delays_mail_and_retries_with_backoff_never_losing_it() {
    let app = spawn(Db::Sqlite, "smtp_outage", true, vec![])
        .await
        .unwrap();
    let m = app.admin("Vendor A", "dana@vendor.test").await;
    m.project_with_customer_tasks("Brightwater", &[("Send the user export", "2026-03-05")])
        .await;
    app.smtp()
        .refuse
        .store(true, std::sync::atomic::Ordering::SeqCst);
    app.at(2, 9);
    app.sweep().await;
    assert!(app.smtp().messages().is_empty());
    let (_, outbox) = m.get("/api/v1/outbox?channel=email").await;
    let msg = outbox
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["recipient"] == CASEY)
        .unwrap()
        .clone();
    assert_eq!(msg["state"], "pending", "{msg:#}");
    assert_eq!(msg["attempts"], 1);
    assert!(
        msg["last_error"].as_str().unwrap().contains("451"),
        "{msg:#}"
    );
    // Not retried before the backoff; retried after it, once the server is back.
    app.smtp()
        .refuse
        .store(false, std::sync::atomic::Ordering::SeqCst);
    app.sweep().await;
    assert!(app.smtp().to(CASEY).is_empty(), "backoff holds the retry");
    app.clock.advance(chrono::Duration::seconds(31));
    app.sweep().await;
    app.sweep().await;
    assert_eq!(app.smtp().to(CASEY).len(), 1, "sent once after the outage");
    let (_, outbox) = m.get("/api/v1/outbox?channel=email").await;
    let msg = outbox
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["recipient"] == CASEY)
        .unwrap()
        .clone();
    assert_eq!(
        (msg["state"].as_str(), msg["attempts"].as_i64()),
        (Some("sent"), Some(2))
    );
}

#[tokio::test]
async fn weekly_digests_gather_a_week_and_off_sends_nothing() {
    let app = spawn(Db::Sqlite, "frequencies", true, vec![])
        .await
        .unwrap();
    let m = app.admin("Vendor A", "dana@vendor.test").await;
    m.project_with_customer_tasks("Brightwater", &[("Send the user export", "2026-03-05")])
        .await;
    m.project_with_customer_tasks("Clearwater", &[("Sign the data agreement", "2026-03-04")])
        .await;
    m.put(
        "/api/v1/notify/preferences",
        json!({"email": CASEY, "frequency": "weekly"}),
    )
    .await;
    m.put(
        "/api/v1/notify/preferences",
        json!({"email": "casey@clearwater.test", "frequency": "off"}),
    )
    .await;
    for day in 0..12 {
        app.at(day, 9);
        app.sweep().await;
    }
    // Weekly: the first reminder goes out at once (no digest sent yet), the next ones a week
    // later, in one email.
    let casey = app.smtp().to(CASEY);
    let with_task: Vec<_> = casey
        .iter()
        .filter(|m| m.body().contains("Send the user export"))
        .collect();
    assert_eq!(
        with_task.len(),
        2,
        "{:#?}",
        casey.iter().map(|m| m.subject()).collect::<Vec<_>>()
    );
    assert!(
        with_task[1].body().matches("Send the user export").count() >= 2,
        "{}",
        with_task[1].body()
    );
    assert!(
        app.smtp().to("casey@clearwater.test").is_empty(),
        "off means off"
    );
}

#[tokio::test]
async fn two_servers_sweeping_one_postgresql_nudge_and_mail_once() {
    let Some(app) = spawn(Db::Postgres, "two_sweepers", true, vec![]).await else {
        return;
    };
    let m = app.admin("Vendor A", "dana@vendor.test").await;
    let (project, tasks) = m
        .project_with_customer_tasks("Brightwater", &[("Send the user export", "2026-03-05")])
        .await;
    // A second server on the same database: its own worker id, the same clock.
    let mut config = (*app.state.config).clone();
    config.notify.worker_id = "second-server".into();
    let second = app.state.clone().with_config(config);
    for day in 0..12 {
        app.at(day, 9);
        let (a, b, c, d) = tokio::join!(
            finishline_app::notify::sweep_once(&app.state.app, None),
            finishline_app::notify::sweep_once(&second.app, None),
            finishline_app::notify::sweep_once(&app.state.app, None),
            finishline_app::notify::sweep_once(&second.app, None),
        );
        for r in [a, b, c, d] {
            r.unwrap();
        }
    }
    let t = m.task(&project, tasks[0]).await;
    assert_eq!(
        t["nudges"], 4,
        "3 reminders and 1 escalation, each once: {t:#}"
    );
    let mut ids: Vec<String> = app
        .smtp()
        .messages()
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "no message sent twice");
    let casey: Vec<_> = app
        .smtp()
        .to(CASEY)
        .into_iter()
        .filter(|m| m.body().contains("Send the user export"))
        .collect();
    assert_eq!(casey.len(), 3);
}

#[tokio::test]
async fn a_playbook_cadence_overrides_the_workspace_cadence() {
    let app = spawn(Db::Sqlite, "playbook_cadence", true, vec![])
        .await
        .unwrap();
    let m = app.admin("Vendor A", "dana@vendor.test").await;
    // SMB handoffs follow light-touch-30: remind only 2 days after, escalate after 5 days.
    let (s, v) = m
        .put(
            "/api/v1/notify/settings",
            json!({"playbook_cadences": {"light-touch-30": {"before_days": [], "after_days": [2], "escalate_after_nudges": 3, "escalate_after_days": 5}}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v:#}");
    m.project_with_customer_tasks("Brightwater", &[("Send the user export", "2026-03-05")])
        .await;
    let mut days = Vec::new();
    for day in 0..10 {
        let before = app.smtp().messages().len();
        app.at(day, 9);
        app.sweep().await;
        if app.smtp().messages()[before..]
            .iter()
            .any(|m| m.body().contains("Send the user export"))
        {
            days.push(day);
        }
    }
    // Reminded on 03-07 (day 5) only; escalated once 5 days overdue (03-10, day 8).
    assert_eq!(days.first(), Some(&5), "{days:?}");
    let sam: Vec<_> = app
        .smtp()
        .to(SAM)
        .into_iter()
        .filter(|m| m.body().contains("Send the user export"))
        .collect();
    assert_eq!(sam.len(), 1);
    // A cadence with a zero day is refused, naming where.
    let (s, v) = m
        .put(
            "/api/v1/notify/settings",
            json!({"cadence": {"before_days": [0], "after_days": [1], "escalate_after_nudges": 3, "escalate_after_days": 10}}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v:#}");
}
