//! The customer sees only what is shared: for every project of the demo workspace (built exactly
//! as `finishline demo` builds it) and every customer person, every portal page, every file the
//! portal links, the vendor's "view as customer" preview, and every email the notification sweep
//! sends a customer over three weeks (with the pages of its one-click links) are searched for
//! internal text: the titles of internal tasks and their notes, proof and blockers, handoff
//! promises, risks, internal status updates, the retrospective and the activity log.
#![allow(clippy::unwrap_used)]

mod notify_support;

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use finishline::demo;
use finishline_core::people::Side;
use finishline_core::plan::{Proof, TaskStatus};
use finishline_core::visibility::{customer_file_ids, Visibility};
use finishline_core::{Activity, Command, Ctx, Project};
use notify_support::{spawn, Db, NotifyApp};
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

/// Shorter texts ("done", a name) would match by accident.
const MIN_LEN: usize = 12;

/// Every internal text of a project, with where it comes from.
fn internal_texts(p: &Project, acts: &[Activity]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut add = |what: String, text: &str| {
        let t = text.trim();
        if t.chars().count() >= MIN_LEN {
            out.entry(t.to_string()).or_insert(what);
        }
    };
    for t in p
        .tasks
        .iter()
        .filter(|t| t.visibility == Visibility::Internal)
    {
        add(format!("title of internal task {}", t.id), &t.title);
        match &t.status {
            TaskStatus::Done {
                proof: Proof::Note(n) | Proof::Link(n),
                ..
            } => add(format!("proof of internal task {}", t.id), n),
            TaskStatus::Blocked(b) => add(format!("blocker of internal task {}", t.id), &b.needed),
            _ => {}
        }
        for r in &t.rebaselines {
            add(
                format!("due-date reason of internal task {}", t.id),
                &r.reason,
            );
        }
    }
    for pr in &p.handoff.promises {
        add(format!("handoff promise {}", pr.id), &pr.text);
    }
    for r in &p.risks {
        add(format!("risk {}", r.id), &r.text);
    }
    for r in &p.retro {
        add(format!("retrospective item {}", r.id), &r.text);
    }
    for u in p.status_updates.iter().filter(|u| !u.for_customer) {
        add(format!("internal status update {}", u.id), &u.text);
    }
    if let Some(t) = &p.transition {
        add("transition notes".into(), &t.notes);
    }
    for a in acts {
        add(format!("activity {} at {}", a.kind, a.at), &a.summary);
    }
    // A promise resolved into scope, to later or out becomes a scope item with its words, and
    // scope (what phase one includes, what comes later, what is not included) is what the
    // customer agrees to: those words are shared through the scope item, not leaked.
    for item in &p.scope {
        out.remove(item.text.trim());
    }
    out
}

fn unescape_html(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Decodes `=XX` escapes and soft line breaks of a quoted-printable body.
fn decode_qp(s: &str) -> String {
    let s = s.replace("=\r\n", "").replace("=\n", "");
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The whole text of an email as a reader sees it: subject (RFC 2047 words decoded) and body.
fn email_text(m: &notify_support::smtp::Received) -> String {
    let subject = m.subject();
    let subject = match subject
        .strip_prefix("=?utf-8?b?")
        .or_else(|| subject.strip_prefix("=?UTF-8?B?"))
        .and_then(|s| s.strip_suffix("?="))
    {
        Some(b64) => String::from_utf8_lossy(
            &base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap_or_default(),
        )
        .into_owned(),
        None => subject,
    };
    let raw = m.data.split_once("\r\n\r\n").map_or("", |x| x.1);
    let body = match m.header("Content-Transfer-Encoding").as_deref() {
        Some(e) if e.eq_ignore_ascii_case("quoted-printable") => decode_qp(raw),
        Some(e) if e.eq_ignore_ascii_case("base64") => String::from_utf8_lossy(
            &base64::engine::general_purpose::STANDARD
                .decode(raw.replace(['\r', '\n'], ""))
                .unwrap_or_default(),
        )
        .into_owned(),
        _ => raw.to_string(),
    };
    format!("{subject}\n{body}")
}

/// Every `href="…"` of a page.
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(unescape_html)
        .collect()
}

fn leaks(text: &str, secrets: &BTreeMap<String, String>) -> Vec<String> {
    let text = unescape_html(text);
    secrets
        .iter()
        .filter(|(s, _)| text.contains(s.as_str()))
        .map(|(s, what)| format!("{what}: {s:?}"))
        .collect()
}

struct Walk<'a> {
    app: &'a NotifyApp,
    ws: String,
    http: Client,
    failures: Vec<String>,
}

impl Walk<'_> {
    async fn get(&self, path: &str, cookie: Option<&str>) -> (StatusCode, String) {
        let mut req = self.http.get(format!("{}{path}", self.app.base));
        if let Some(c) = cookie {
            req = req.header("Cookie", c);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let bytes = r.bytes().await.unwrap();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The calendar feed the portal page offers, fetched without a session as a calendar
    /// program would.
    async fn calendar_feed(&mut self, page: &str, place: &str, secrets: &BTreeMap<String, String>) {
        let Some(at) = page.find("id=\"feed-url\"") else {
            self.failures
                .push(format!("{place} offers no calendar feed"));
            return;
        };
        let value = at + page[at..].find("value=\"").unwrap() + 7;
        let url = &page[value..value + page[value..].find('"').unwrap()];
        let path = &url[url.find("/calendar/").unwrap()..];
        let (status, feed) = self.get(path, None).await;
        if status == StatusCode::OK {
            self.check(&format!("{place} calendar feed"), &feed, secrets);
        } else {
            self.failures
                .push(format!("{place} calendar feed answered {status}"));
        }
    }

    fn check(&mut self, place: &str, text: &str, secrets: &BTreeMap<String, String>) {
        for l in leaks(text, secrets) {
            self.failures.push(format!("{place} shows {l}"));
        }
    }

    /// The portal of one customer person: home, data page and every portal link from them.
    async fn portal(&mut self, p: &Project, person: u32, secrets: &BTreeMap<String, String>) {
        let store = &self.app.state.app.store;
        let cookie = self.app.portal_cookie(&self.ws, &p.id, person).await;
        let name = p.person_name(person);
        let mut todo: Vec<String> = vec!["/portal".into(), "/portal/data".into()];
        let mut seen = BTreeSet::new();
        while let Some(path) = todo.pop() {
            let path = path.split('#').next().unwrap_or("").to_string();
            if !seen.insert(path.clone()) {
                continue;
            }
            let (status, body) = self.get(&path, Some(&cookie)).await;
            let place = format!("{} portal of {name}: {path}", p.customer);
            // The demo's proofs name stand-in file ids with no stored file: those answer 404.
            if let Some(id) = path.strip_prefix("/portal/files/") {
                if status == StatusCode::NOT_FOUND
                    && store.file(&self.ws, id).await.unwrap().is_none()
                {
                    continue;
                }
            }
            if status != StatusCode::OK {
                self.failures.push(format!("{place} answered {status}"));
                continue;
            }
            self.check(&place, &body, secrets);
            for h in hrefs(&body) {
                if h.starts_with("/portal") && h != "/portal/logout" {
                    todo.push(h);
                }
            }
            if path == "/portal" {
                self.calendar_feed(&body, &place, secrets).await;
            }
        }
        assert!(
            seen.iter().any(|s| s == "/portal"),
            "the portal of {name} was walked"
        );
    }
}

fn open_internal(t: &finishline_core::plan::Task) -> bool {
    t.visibility == Visibility::Internal && matches!(t.status, TaskStatus::Open)
}

#[tokio::test]
async fn no_portal_page_or_customer_email_of_the_demo_shows_internal_text() {
    let app = spawn(Db::Sqlite, "portal_visibility", true, vec![])
        .await
        .unwrap();
    let login = demo::seed(&app.state.app.store, app.now()).await.unwrap();
    let ws = login.workspace_id.clone();
    let store = app.state.app.store.clone();

    // An internal task's proof file: the portal must not serve it, even by its id.
    let harbor = store
        .projects(&ws)
        .await
        .unwrap()
        .into_iter()
        .map(|(p, _)| p)
        .find(|p| p.tasks.iter().any(open_internal))
        .expect("a demo project with an open internal task");
    let internal_task = harbor.tasks.iter().find(|t| open_internal(t)).unwrap().id;
    let owner = harbor.vendor_owner().unwrap().id;
    let file = store
        .put_file(
            &ws,
            &harbor.id,
            "internal-risk-review.txt",
            "text/plain",
            b"internal risk review: the sync was never scoped",
            "Alex Morgan (vendor)",
            app.now(),
        )
        .await
        .unwrap();
    let now = app.now();
    finishline_app::commands::run_command(
        &store,
        &ws,
        &harbor.id,
        &Command::CompleteTask {
            task: internal_task,
            proof: Some(Proof::File(file.id.clone())),
            completed_by: Some(owner),
        },
        |_| Ctx {
            actor: "Alex Morgan".into(),
            person: Some(owner),
            side: Side::Vendor,
            now,
        },
    )
    .await
    .unwrap();

    let mut walk = Walk {
        app: &app,
        ws: ws.clone(),
        http: Client::builder().redirect(Policy::none()).build().unwrap(),
        failures: Vec::new(),
    };

    // The vendor's preview shows what the customer sees: signed in as the demo admin.
    let vendor = Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap();
    let page = vendor
        .get(format!("{}/login", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = page[at..].split('"').next().unwrap().to_string();
    let r = vendor
        .post(format!("{}/login", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", demo::DEMO_EMAIL),
            ("password", demo::DEMO_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let projects: Vec<Project> = store
        .projects(&ws)
        .await
        .unwrap()
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert!(projects.len() >= 5);
    // A low customer rating opens an internal follow-up (issue 17): the demo has one, so its
    // title is among the internal texts every portal page and email below is searched for.
    let follow_ups: Vec<_> = projects
        .iter()
        .flat_map(|p| {
            p.survey_responses
                .iter()
                .filter_map(|r| r.follow_up)
                .filter_map(|t| p.task(t))
        })
        .collect();
    assert!(
        !follow_ups.is_empty(),
        "the demo has a low rating's follow-up"
    );
    assert!(follow_ups
        .iter()
        .all(|t| t.visibility == Visibility::Internal && t.title.starts_with("Follow up")));
    let mut secrets_by_email: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut all_secrets = BTreeMap::new();
    let mut internal_tasks = 0;
    // Time logged is vendor-internal: its notes must show nowhere a customer looks.
    let owner_user = store.users(&ws).await.unwrap()[0].id.clone();
    store
        .insert_time_entry(
            &ws,
            &finishline_store::EntryValues {
                user_id: owner_user,
                project_id: harbor.id.clone(),
                task_id: Some(internal_task),
                stage: harbor.stage,
                day: now.date_naive(),
                minutes: 90,
                billable: false,
                note: "Internal hours: untangling the unscoped SAP sync".into(),
            },
            now,
        )
        .await
        .unwrap()
        .unwrap();
    let mut time_notes = 0;
    for p in &projects {
        let acts = store.activities(&ws, &p.id).await.unwrap();
        let mut secrets = internal_texts(p, &acts);
        let filter = finishline_store::EntryFilter {
            project_id: Some(p.id.clone()),
            ..Default::default()
        };
        for e in store.time_entries(&ws, &filter, 10_000).await.unwrap() {
            if e.note.chars().count() >= MIN_LEN {
                secrets.insert(e.note.clone(), format!("note of time entry {}", e.id));
                time_notes += 1;
            }
        }
        internal_tasks += p
            .tasks
            .iter()
            .filter(|t| t.visibility == Visibility::Internal)
            .count();
        all_secrets.extend(secrets.clone());
        let customers: Vec<_> = p
            .people
            .iter()
            .filter(|x| x.side == Side::Customer)
            .collect();
        assert!(!customers.is_empty(), "{} has customer people", p.name);
        for person in customers {
            walk.portal(p, person.id, &secrets).await;
            let (status, body) = walk
                .get_vendor(
                    &vendor,
                    &format!("/projects/{}/preview?person={}", p.id, person.id),
                )
                .await;
            assert_eq!(status, StatusCode::OK);
            walk.check(
                &format!("{} preview as {}", p.customer, person.name),
                &body,
                &secrets,
            );
            secrets_by_email
                .entry(person.email.to_lowercase())
                .or_default()
                .extend(secrets.clone());
        }
        // Every file of the project the customer may not see answers 404 in the portal.
        let allowed = customer_file_ids(p);
        let person = p.people.iter().find(|x| x.side == Side::Customer).unwrap();
        let cookie = app.portal_cookie(&ws, &p.id, person.id).await;
        for f in store.files(&ws, &p.id).await.unwrap() {
            let (status, _) = walk
                .get(&format!("/portal/files/{}", f.id), Some(&cookie))
                .await;
            let want = if allowed.contains(&f.id) {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            if status != want {
                walk.failures.push(format!(
                    "{}: /portal/files/{} ({}) answered {status}, not {want}",
                    p.customer, f.id, f.name
                ));
            }
        }
    }
    assert!(internal_tasks >= 5, "the demo has internal tasks");
    assert!(time_notes >= 1, "time entries were checked");
    assert!(
        all_secrets
            .keys()
            .any(|s| s.contains("custom work nobody scoped")),
        "the demo's internal note is among the texts looked for"
    );

    // Three weeks of notification sweeps: what reaches a customer person.
    for day in 0..21 {
        app.at(day, 9);
        app.sweep().await;
        app.at(day, 15);
        app.sweep().await;
    }
    let mut customer_mails = 0;
    for m in app.smtp().messages() {
        for to in &m.to {
            let Some(secrets) = secrets_by_email.get(&to.to_lowercase()) else {
                continue;
            };
            customer_mails += 1;
            let text = email_text(&m);
            let place = format!("email to {to} \"{}\"", m.subject());
            walk.check(&place, &text, secrets);
            for link in text
                .split_whitespace()
                .filter(|w| w.starts_with(&app.base) && w.contains("/api/v1/act/"))
            {
                let path = link.trim_start_matches(&app.base).to_string();
                let (status, body) = walk.get(&path, None).await;
                if status == StatusCode::OK {
                    walk.check(&format!("{place} link {path}"), &body, secrets);
                }
            }
        }
    }
    assert!(customer_mails > 0, "customers were emailed");
    assert!(
        walk.failures.is_empty(),
        "internal text reached a customer:\n{}",
        walk.failures.join("\n")
    );
}

impl Walk<'_> {
    async fn get_vendor(&self, vendor: &Client, path: &str) -> (StatusCode, String) {
        let r = vendor
            .get(format!("{}{path}", self.app.base))
            .send()
            .await
            .unwrap();
        let s = r.status();
        (s, r.text().await.unwrap())
    }
}
