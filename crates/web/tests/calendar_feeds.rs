//! Calendar feeds (RFC 5545) end to end: a member's feed from `GET /api/v1/me/calendar`, read
//! back by a strict iCalendar parser (PyPI `ical`); a moved task at its new date with a higher
//! SEQUENCE and the same UID; a cancelled project's entries as STATUS:CANCELLED; a new link that
//! kills the old one (and is in the audit trail); a forged link refused; one project's feed; and
//! a customer's feed from the portal holding shared items only.
//!
//! Without the parser the parse checks print a loud SKIP, unless FINISHLINE_REQUIRE_ICAL=1.
#![allow(clippy::unwrap_used)]

mod common;
mod notify_support;

use std::io::Write as _;
use std::process::{Command, Stdio};

use common::{handoff, spawn, Backend};
use finishline_web::ui::session::PORTAL_COOKIE;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The events of a feed as the strict parser reads them (uid, start, sequence, status,
/// summary), or `None` when the parser is not installed and not required.
fn parse(ics: &str) -> Option<Vec<Value>> {
    read_with_python(ics, "cal = IcsCalendarStream.calendar_from_ics(text)")
}

/// The events of the `text/calendar` part of a whole email as received, with the method the
/// part's type names.
fn parse_invitation(raw_email: &str) -> Option<Vec<Value>> {
    read_with_python(
        raw_email,
        r#"
import email
msg = email.message_from_string(text)
parts = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
assert len(parts) == 1, "one calendar part"
assert parts[0].get_param("method") == "REQUEST", parts[0]["content-type"]
ics = parts[0].get_payload(decode=True).decode("utf-8")
assert "METHOD:REQUEST" in ics and "ORGANIZER:mailto:" in ics and "ATTENDEE" in ics, ics
cal = IcsCalendarStream.calendar_from_ics(ics)"#,
    )
}

/// Runs `load` (which makes `cal` from `text`, the input) and prints `cal`'s events as JSON.
fn read_with_python(input: &str, load: &str) -> Option<Vec<Value>> {
    let script = format!(
        r#"
import json, sys
from ical.calendar_stream import IcsCalendarStream
text = sys.stdin.read()
{load}
print(json.dumps([{{"uid": e.uid, "start": str(e.dtstart), "sequence": e.sequence,
    "status": e.status.value if e.status else None, "summary": e.summary}} for e in cal.events]))
"#
    );
    let ics = input;
    let required = std::env::var("FINISHLINE_REQUIRE_ICAL").is_ok_and(|v| v == "1");
    let child = Command::new("python3")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        assert!(
            !required,
            "python3 is missing and FINISHLINE_REQUIRE_ICAL=1"
        );
        eprintln!("\n**************** SKIP: python3 missing; feeds NOT parsed ****************\n");
        return None;
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(ics.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("No module named 'ical'") {
        assert!(
            !required,
            "ical is not installed and FINISHLINE_REQUIRE_ICAL=1 (pip install ical)"
        );
        eprintln!("\n**************** SKIP: ical not installed; feeds NOT parsed (pip install ical) ****************\n");
        return None;
    }
    assert!(
        out.status.success(),
        "the strict parser refused the feed: {stderr}\n{ics}"
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

fn event<'a>(events: &'a [Value], uid_start: &str) -> Option<&'a Value> {
    events
        .iter()
        .find(|e| e["uid"].as_str().unwrap().starts_with(uid_start))
}

/// An address the server gave (at its configured public URL) on the test server.
fn local(base: &str, url: &str) -> String {
    let at = url.find("/calendar/").expect("a calendar address");
    format!("{base}{}", &url[at..])
}

/// The feed at an absolute URL the server gave, fetched by a client with no session.
async fn fetch(url: &str) -> (StatusCode, String, Option<String>) {
    let r = reqwest::get(url).await.unwrap();
    let status = r.status();
    let kind = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string());
    (status, r.text().await.unwrap(), kind)
}

#[tokio::test]
async fn a_members_feed_follows_moves_cancellations_and_new_links() {
    let app = spawn(Backend::Sqlite, "calendar_member").await.unwrap();
    let dana = app.workspace("Vendor", "dana@vendor.test").await;
    let (s, made) = dana.post("/api/v1/projects", handoff("Harbor")).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let id = made["project"]["id"].as_str().unwrap().to_string();
    // The handoff names Dana as the owner by email: that is enough to make the project hers.
    let view = dana.project(&id).await;
    let me = common::person(&view, "Dana Reyes");
    let task = view["project"]["tasks"][0]["id"].as_u64().unwrap();
    dana.ok(
        &id,
        json!({"action": "assign_task", "task": task, "owner": me}),
    )
    .await;
    dana.ok(
        &id,
        json!({"action": "set_launch_date", "date": "2026-05-01"}),
    )
    .await;

    let (s, links) = dana.get("/api/v1/me/calendar").await;
    assert_eq!(s, StatusCode::OK, "{links}");
    let url = local(&app.base, links["url"].as_str().unwrap());
    assert!(links["webcal"].as_str().unwrap().starts_with("webcal://"));
    let (s2, again) = dana.get("/api/v1/me/calendar").await;
    assert_eq!(s2, StatusCode::OK);
    assert_eq!(
        again["url"], links["url"],
        "the same address until a new one is made"
    );

    let (s, ics, kind) = fetch(&url).await;
    assert_eq!(s, StatusCode::OK, "{ics}");
    assert!(kind.unwrap().starts_with("text/calendar"));
    assert!(ics.contains("SEQUENCE:0"));
    let Some(events) = parse(&ics) else { return };
    let uid_start = format!("task-{task}.{id}@");
    let first = event(&events, &uid_start)
        .expect("my task is in my feed")
        .clone();
    assert_eq!(first["sequence"], 0);
    assert!(event(&events, "go-live.").is_some(), "{events:?}");
    // Exactly my tasks: the ones the playbook gave the owner, and the one assigned to me.
    let view = dana.project(&id).await;
    let mut mine: Vec<String> = view["project"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["owner"].as_u64() == Some(me))
        .map(|t| format!("task-{}.{id}@finishline", t["id"]))
        .collect();
    let mut listed: Vec<String> = events
        .iter()
        .map(|e| e["uid"].as_str().unwrap().to_string())
        .filter(|u| u.starts_with("task-"))
        .collect();
    mine.sort();
    listed.sort();
    assert_eq!(listed, mine);
    assert!(
        mine.len() < view["project"]["tasks"].as_array().unwrap().len(),
        "someone else owns some tasks, and they are not in my feed"
    );

    // The task moves: same UID, new date, higher SEQUENCE.
    dana.ok(
        &id,
        json!({"action": "rebaseline_task", "task": task, "due": "2026-06-15", "reason": "their IT moved the window"}),
    )
    .await;
    let (_, ics, _) = fetch(&url).await;
    let events = parse(&ics).unwrap();
    let moved = event(&events, &uid_start).unwrap();
    assert_eq!(moved["uid"], first["uid"]);
    assert_eq!(moved["start"], "2026-06-15");
    assert!(moved["sequence"].as_u64() > first["sequence"].as_u64());

    // One project's feed has every task of it.
    let project_url = url.replace(".ics", &format!("/{id}.ics"));
    let (s, ics, _) = fetch(&project_url).await;
    assert_eq!(s, StatusCode::OK);
    let all = parse(&ics).unwrap();
    assert_eq!(
        all.iter()
            .filter(|e| e["uid"].as_str().unwrap().starts_with("task-"))
            .count(),
        view["project"]["tasks"].as_array().unwrap().len()
    );

    // Cancelled: everything struck through, nothing dropped.
    dana.ok(
        &id,
        json!({"action": "cancel", "reason": "chose another vendor"}),
    )
    .await;
    let (_, ics, _) = fetch(&url).await;
    let events = parse(&ics).unwrap();
    assert!(!events.is_empty());
    assert!(
        events.iter().all(|e| e["status"] == "CANCELLED"),
        "{events:?}"
    );

    // A forged or cut token answers 404, and says nothing more.
    let forged = url.replace(".ics", "x.ics");
    let (s, body, _) = fetch(&forged).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
    let (s, _, _) = fetch(&format!("{}/calendar/nothing-here.ics", app.base)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A new address: the old one stops working, the new one works, the trail says who.
    let (s, new) = dana.post("/api/v1/me/calendar", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{new}");
    assert_ne!(new["url"], links["url"]);
    let (s, _, _) = fetch(&url).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "the old address is dead");
    let (s, _, _) = fetch(&local(&app.base, new["url"].as_str().unwrap())).await;
    assert_eq!(s, StatusCode::OK);
    let (_, trail) = dana.get("/api/v1/audit?kind=calendar").await;
    let replaced = trail.as_array().unwrap();
    assert_eq!(replaced.len(), 1, "{trail}");
    assert_eq!(replaced[0]["actor"], "dana@vendor.test");

    // Another workspace's member gets their own (empty) feed, never Dana's projects.
    let olga = app.workspace("Other", "olga@other.test").await;
    let (_, theirs) = olga.get("/api/v1/me/calendar").await;
    let theirs = local(&app.base, theirs["url"].as_str().unwrap());
    let (s, ics, _) = fetch(&theirs).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!ics.contains(&id));
    let (s, _, _) = fetch(&theirs.replace(".ics", &format!("/{id}.ics"))).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "no project of another workspace");
}

#[tokio::test]
async fn a_customers_feed_holds_shared_items_only_and_ends_with_the_invitation() {
    let app = spawn(Backend::Sqlite, "calendar_customer").await.unwrap();
    let dana = app.workspace("Vendor", "dana@vendor.test").await;
    let (_, made) = dana.post("/api/v1/projects", handoff("Harbor")).await;
    let id = made["project"]["id"].as_str().unwrap().to_string();
    dana.ok(
        &id,
        json!({"action": "add_person", "name": "Casey", "email": "casey@harbor.test",
               "side": "customer", "role": "customer_owner"}),
    )
    .await;
    let view = dana.project(&id).await;
    let casey = common::person(&view, "Casey");
    let internal = view["project"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["label"] == "vendor_task")
        .expect("the playbook has vendor tasks")
        .clone();
    dana.ok(
        &id,
        json!({"action": "set_task_visibility", "task": internal["id"], "visibility": "internal"}),
    )
    .await;
    dana.ok(
        &id,
        json!({"action": "set_next_meeting", "date": "2026-03-10"}),
    )
    .await;
    dana.ok(
        &id,
        json!({"action": "record_status_update", "meeting_date": "2026-03-03", "text": "vendor-only sync", "for_customer": false}),
    )
    .await;

    let store = &app.store;
    let now = app.clock_now();
    let by = finishline_store::By::new("tests", None, now);
    let (invitation, secret) = store
        .create_invitation(
            &dana.workspace.id,
            &id,
            u32::try_from(casey).unwrap(),
            "test",
            &by,
            chrono::Duration::days(7),
        )
        .await
        .unwrap();
    let (_, session) = store
        .redeem_invitation(&secret, now, chrono::Duration::days(7))
        .await
        .unwrap()
        .unwrap();
    let portal = reqwest::Client::new()
        .get(format!("{}/portal", app.base))
        .header("cookie", format!("{PORTAL_COOKIE}={session}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        portal.contains("Add these dates to your calendar"),
        "{portal}"
    );
    let at = portal
        .find("id=\"feed-url\"")
        .expect("a feed address in the portal");
    let start = at + portal[at..].find("value=\"").unwrap() + 7;
    let end = start + portal[start..].find('"').unwrap();
    let url = local(&app.base, &portal[start..end]);

    let (s, ics, _) = fetch(&url).await;
    assert_eq!(s, StatusCode::OK, "{ics}");
    let title = internal["title"].as_str().unwrap();
    assert!(
        !ics.contains(title),
        "an internal task's title in the customer's feed"
    );
    assert!(!ics.contains(&format!("task-{}.", internal["id"])));
    assert!(!ics.contains("meeting-2026-03-03"), "an unshared meeting");
    assert!(ics.contains("meeting-2026-03-10"), "the next meeting");
    if let Some(events) = parse(&ics) {
        assert!(event(&events, "meeting-2026-03-10.").is_some());
    }
    // Narrowed to another project: nothing.
    let (s, _, _) = fetch(&url.replace(".ics", "/some-other-project.ics")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The vendor revokes the invitation: the feed stops too.
    store
        .revoke_invitation(&dana.workspace.id, &id, &invitation.id, &by)
        .await
        .unwrap();
    let (s, _, _) = fetch(&url).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_scheduled_meeting_or_training_is_emailed_as_an_invitation() {
    invitations(notify_support::Db::Sqlite).await;
}

#[tokio::test]
async fn a_scheduled_meeting_or_training_is_emailed_as_an_invitation_on_postgres() {
    invitations(notify_support::Db::Postgres).await;
}

async fn invitations(db: notify_support::Db) {
    let Some(app) = notify_support::spawn(db, "meeting_invitations", true, vec![]).await else {
        return;
    };
    let dana = app.admin("Vendor", "dana@vendor.test").await;
    let (id, _) = dana.project_with_customer_tasks("Harbor", &[]).await;
    // The history before the first sweep invites nobody.
    dana.ok(
        &id,
        json!({"action": "set_next_meeting", "date": "2026-03-05"}),
    )
    .await;
    let report = app.sweep().await;
    assert_eq!(report.invitations, 0, "{report:?}");

    // Sam unsubscribed from this workspace's mail.
    let store = &app.state.app.store;
    store
        .set_notify_prefs(
            &dana.workspace.id,
            &finishline_store::NotifyPrefs {
                email: "sam@harbor.test".into(),
                frequency: "daily".into(),
                time_zone: "UTC".into(),
                quiet_start: None,
                quiet_end: None,
                unsubscribed_at: Some(app.now()),
                last_digest_at: None,
            },
        )
        .await
        .unwrap();
    dana.ok(
        &id,
        json!({"action": "set_next_meeting", "date": "2026-03-12"}),
    )
    .await;
    dana.ok(
        &id,
        json!({"action": "schedule_training", "audience": "daily_users", "title": "Dispatch basics",
               "scheduled_at": "2026-03-10T14:00:00Z", "minutes": 45}),
    )
    .await;
    let report = app.sweep().await;
    // Dana and Casey, for the meeting and the training; Sam unsubscribed.
    assert_eq!(report.invitations, 4, "{report:?}");
    assert!(app.smtp().to("sam@harbor.test").is_empty());
    let casey = app.smtp().to("casey@harbor.test");
    assert_eq!(casey.len(), 2, "{casey:?}");
    let meeting = casey
        .iter()
        .find(|m| m.subject().contains("Meeting"))
        .expect("the meeting's invitation");
    assert!(meeting.data.contains("text/calendar"), "{}", meeting.data);
    let training = casey
        .iter()
        .find(|m| m.subject().contains("Training: Dispatch basics"))
        .expect("the training's invitation");
    // The same UID as in the feeds, so a calendar with both keeps one entry.
    if let Some(events) = parse_invitation(&meeting.data) {
        assert_eq!(events.len(), 1);
        assert!(events[0]["uid"]
            .as_str()
            .unwrap()
            .starts_with("meeting-2026-03-12."));
        assert_eq!(events[0]["start"], "2026-03-12");
        let events = parse_invitation(&training.data).unwrap();
        assert!(events[0]["uid"].as_str().unwrap().starts_with("training-"));
        assert_eq!(events[0]["start"], "2026-03-10 14:00:00+00:00");
    }
    // A second sweep sends nothing again, and a meeting set on a day already past is not an
    // invitation.
    assert_eq!(app.sweep().await.invitations, 0);
    dana.ok(
        &id,
        json!({"action": "set_next_meeting", "date": "2026-03-01"}),
    )
    .await;
    assert_eq!(app.sweep().await.invitations, 0);
}
