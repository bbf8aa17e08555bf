//! Every main page, for a member and for a customer in the portal, at 1280 and 375 px, checked in
//! Chromium by axe-core against WCAG 2 A and AA: labels, names, contrast, landmarks, focusable
//! scrolling regions, valid ARIA.
//!
//! axe-core is a test tool, not part of the product: `.ci/run` installs it with npm under
//! `target/a11y`, or point `FINISHLINE_AXE_JS` at an `axe.min.js`. Without it (or without
//! Chromium) the test says SKIP loudly, and fails instead under `FINISHLINE_REQUIRE_BROWSER=1`.
#![allow(clippy::unwrap_used)]

mod common;

use common::browser::{browser, driver, join_portal, login, wait_text};
use common::data_import::{data_project, invitation, MESSY_CSV};
use common::{spawn, Backend};
use fantoccini::Client;
use serde_json::json;

fn axe_source(test: &str) -> Option<String> {
    let path = std::env::var("FINISHLINE_AXE_JS").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../target/a11y/node_modules/axe-core/axe.min.js"
        )
        .to_string()
    });
    match std::fs::read_to_string(&path) {
        Ok(js) => Some(js),
        Err(e) => {
            let required = std::env::var("FINISHLINE_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "axe-core is missing at {path} ({e}): npm install --prefix target/a11y axe-core@4"
            );
            eprintln!("\n*** SKIP {test}: axe-core is missing at {path} ***\n");
            None
        }
    }
}

/// axe-core's WCAG 2 A/AA violations on the page shown, one line each.
async fn violations(c: &Client, axe: &str) -> Vec<String> {
    c.execute(axe, vec![]).await.unwrap();
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})
                .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — ' +
                    v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
                .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

#[tokio::test]
async fn every_main_page_passes_axe_wcag_a_and_aa_at_both_widths() {
    let Some(axe) = axe_source("accessibility") else {
        return;
    };
    let app = spawn(Backend::Sqlite, "a11y").await.unwrap();
    let Some(d) = driver("accessibility").await else {
        return;
    };
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let dp = data_project(&m, "Harbor & Pine").await;
    let id = dp.id.clone();
    // Something in every section: a change request, a blocked task, an issue.
    let v = m.project(&id).await;
    let dee = dp.customer;
    m.ok(&id, json!({"action": "request_change", "title": "Add the night shift", "requested_by": dee, "adds_new_team": true}))
        .await;
    let task = common::task(&v, "full-path");
    m.ok(&id, json!({"action": "block_task", "task": task, "needed": "a test user", "from": dee, "by": "2026-03-20"}))
        .await;
    m.ok(
        &id,
        json!({"action": "open_issue", "title": "Labels print blank", "due": "2026-03-12"}),
    )
    .await;
    let secret = invitation(&app, &m, &id, dee).await;
    // A checked upload, so the grid of flagged rows has rows, suggestions and a duplicate group.
    let web = common::web::Web::new(&app);
    web.login("dana@vendor.test").await;
    let csrf = web.csrf(&format!("/projects/{id}/data")).await;
    let map = dp.map;
    let r = web
        .upload(
            &format!("/projects/{id}/data/{map}/upload"),
            &csrf,
            "policyholders.csv",
            MESSY_CSV.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER);

    let mut failures = Vec::new();
    for width in [1280u32, 375] {
        let member = browser(&d, width, 900).await;
        member.goto(&format!("{}/login", app.base)).await.unwrap();
        for v in violations(&member, &axe).await {
            failures.push(format!("{width}px /login: {v}"));
        }
        member
            .goto(&format!("{}/login/sso", app.base))
            .await
            .unwrap();
        for v in violations(&member, &axe).await {
            failures.push(format!("{width}px /login/sso: {v}"));
        }
        login(
            &member,
            &app.base,
            "dana@vendor.test",
            "a long test password",
        )
        .await;
        for path in [
            "/".to_string(),
            format!("/projects/{id}"),
            format!("/projects/{id}/tasks/{task}"),
            format!("/projects/{id}/forms/change_role"),
            format!("/projects/{id}/data"),
            format!("/projects/{id}/data/{map}/rows"),
            format!("/projects/{id}/data/{map}/rows?rule=duplicate-key"),
            format!("/projects/{id}/preview"),
            "/analytics".to_string(),
            "/handoff".to_string(),
            "/playbooks".to_string(),
            "/playbooks/standard".to_string(),
            "/calendar".to_string(),
            "/time".to_string(),
            "/team".to_string(),
            "/settings".to_string(),
            "/outbox".to_string(),
        ] {
            member.goto(&format!("{}{path}", app.base)).await.unwrap();
            for v in violations(&member, &axe).await {
                failures.push(format!("{width}px {path}: {v}"));
            }
        }
        member.close().await.unwrap();
    }
    let link = format!("{}/portal/join/{secret}", app.base);
    let customer = join_portal(&d, &link, 375, 900).await;
    wait_text(&customer, "What we need from you").await;
    for path in [
        "/portal".to_string(),
        "/portal/data".to_string(),
        format!("/portal/data/{map}/rows"),
    ] {
        customer.goto(&format!("{}{path}", app.base)).await.unwrap();
        for v in violations(&customer, &axe).await {
            failures.push(format!("375px customer {path}: {v}"));
        }
    }
    customer.close().await.unwrap();
    ratings_pages(&app, &d, &axe, &mut failures).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Customer ratings (issue 17) on the demo workspace: the analytics' ratings table, the project
/// page's section, a portal with a rating asked, and the page of a rating link, at both widths.
async fn ratings_pages(
    app: &common::TestApp,
    d: &common::browser::Driver,
    axe: &str,
    failures: &mut Vec<String>,
) {
    use finishline_core::people::Side;
    use finishline_core::survey::pending_asks;
    let now = app.clock_now();
    let demo = finishline::demo::seed(&app.store, now).await.unwrap();
    let ws = demo.workspace_id.clone();
    let projects = app.store.projects(&ws).await.unwrap();
    let (clinic, _) = projects
        .iter()
        .find(|(p, _)| !p.survey_responses.is_empty())
        .expect("a demo project with ratings");
    let asked = clinic
        .people
        .iter()
        .find(|x| x.side == Side::Customer && !pending_asks(clinic, x.id).is_empty())
        .expect("a customer person with a rating to give");
    let milestone = pending_asks(clinic, asked.id)[0].milestone;
    let link = finishline_app::notify::tokens::rating_link(
        &app.state.app,
        &ws,
        &asked.email,
        &clinic.id,
        asked.id,
        milestone,
        4,
        now,
    )
    .await
    .unwrap();
    let rate = &link[link.find("/rate/").unwrap()..];
    for width in [1280u32, 375] {
        let member = browser(d, width, 900).await;
        login(&member, &app.base, &demo.email, &demo.password).await;
        for path in [
            "/analytics#ratings".to_string(),
            format!("/projects/{}#ratings", clinic.id),
        ] {
            member.goto(&format!("{}{path}", app.base)).await.unwrap();
            for v in violations(&member, axe).await {
                failures.push(format!("{width}px {path}: {v}"));
            }
        }
        member.close().await.unwrap();
        let stranger = browser(d, width, 900).await;
        stranger.goto(&format!("{}{rate}", app.base)).await.unwrap();
        wait_text(&stranger, "Send my rating").await;
        for v in violations(&stranger, axe).await {
            failures.push(format!("{width}px rating link page: {v}"));
        }
        stranger.close().await.unwrap();
    }
    let (_, invite) = app
        .store
        .create_invitation(
            &ws,
            &clinic.id,
            asked.id,
            "test",
            &finishline_store::By::new("tests", None, now),
            chrono::Duration::days(14),
        )
        .await
        .unwrap();
    let customer = join_portal(d, &format!("{}/portal/join/{invite}", app.base), 375, 900).await;
    wait_text(&customer, "How are we doing?").await;
    for v in violations(&customer, axe).await {
        failures.push(format!("375px customer /portal with a rating asked: {v}"));
    }
    customer.close().await.unwrap();
}
