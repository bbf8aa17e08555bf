//! Drives Debian's Chromium (headless, through chromedriver and the WebDriver protocol) against
//! the real server: a member and a customer each in their own browser session.
//!
//! Without Chromium or chromedriver the test says SKIP loudly and passes, unless
//! `FINISHLINE_REQUIRE_BROWSER=1` (set by `.ci/run`), where it fails.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use std::time::{Duration, Instant};

use common::browser::{
    browser, css, driver, fill, invite, join_portal, login, page_text, wait_text,
};
use common::{person, spawn, task, Backend, MemberClient};
use fantoccini::Client;
use serde_json::json;

async fn api(m: &MemberClient, id: &str, cmd: serde_json::Value) -> serde_json::Value {
    m.ok(id, cmd).await
}

#[tokio::test]
async fn member_and_customer_work_a_project_in_a_real_browser() {
    let Some(d) = driver("member_and_customer_work_a_project_in_a_real_browser").await else {
        return;
    };
    let app = spawn(Backend::Sqlite, "browser").await.unwrap();
    let base = app.base.clone();
    let dana = app.workspace("Vendor A", "dana@vendor.test").await;
    let member = browser(&d, 1280, 1000).await;

    // A member signs in and creates a project from a playbook with the handoff form.
    login(&member, &base, "dana@vendor.test", "a long test password").await;
    member.goto(&format!("{base}/handoff")).await.unwrap();
    fill(&member, "input[name=customer]", "Haulers Ltd").await;
    fill(&member, "textarea[name=sold]", "Dispatch module, 5 seats").await;
    fill(&member, "input[name=promise_0]", "Weekly export of loads").await;
    css(&member, "select[name=class_0]")
        .await
        .select_by_value("standard")
        .await
        .unwrap();
    css(&member, "select[name=playbook]")
        .await
        .select_by_value("light-touch-30")
        .await
        .unwrap();
    css(&member, "form[action='/handoff'] button:not([name])")
        .await
        .click()
        .await
        .unwrap();
    wait_text(&member, "Haulers Ltd").await;
    wait_text(&member, "Light-touch 30 days").await;
    let htmx = member.execute("return typeof htmx", vec![]).await.unwrap();
    assert_eq!(htmx, json!("object"), "htmx loads under the CSP");
    let url = member.current_url().await.unwrap();
    let id = url
        .path()
        .strip_prefix("/projects/")
        .unwrap_or_else(|| panic!("not on a project page: {url}"))
        .to_string();

    // What is not the story is set up through the API, as another member would.
    for (name, side, role) in [
        ("Casey", "customer", "customer_owner"),
        ("Bo", "customer", "backup_contact"),
        ("Dee", "customer", "decision_maker"),
        ("Vic", "vendor", "decision_maker"),
    ] {
        api(&dana, &id, json!({"action": "add_person", "name": name, "email": format!("{}@{side}.test", name.to_lowercase()), "side": side, "role": role})).await;
    }
    api(&dana, &id, json!({"action": "set_finish_line", "text": "Dispatchers log incoming loads every morning and confirm status by noon, every day for two weeks."})).await;
    api(&dana, &id, json!({"action": "add_criterion", "metric": "days with all loads logged by noon", "baseline": 0, "target": 10, "unit": "days", "how_measured": "manager view export"})).await;
    api(&dana, &id, json!({"action": "add_data_source", "name": "Loads spreadsheet", "system": "Excel", "sample": "requested"})).await;
    api(&dana, &id, json!({"action": "confirm_no_known_risks"})).await;
    api(
        &dana,
        &id,
        json!({"action": "add_scope_item", "text": "custom roles", "bucket": "out"}),
    )
    .await;
    for s in ["assign", "intake", "kickoff"] {
        api(&dana, &id, json!({"action": "advance_stage", "to": s})).await;
    }
    let v = api(
        &dana,
        &id,
        json!({"action": "set_launch_date", "date": "2026-04-01"}),
    )
    .await;
    let casey = person(&v, "Casey");
    let dee = person(&v, "Dee");
    api(&dana, &id, json!({"action": "request_change", "title": "Add the night shift team", "requested_by": casey, "adds_new_team": true})).await;

    // Before: the sample is waiting on the customer.
    member.goto(&format!("{base}/")).await.unwrap();
    let before = wait_text(&member, "Haulers Ltd").await;
    assert!(before.contains("1 on customer"), "{before}");

    // The member creates an invitation for the customer's decision maker.
    let link = invite(
        &member,
        &format!("{base}/projects/{id}"),
        Some(&dee.to_string()),
    )
    .await;
    assert!(link.contains("/portal/join/fl_inv_"), "{link}");

    // The customer opens the link in their own browser.
    let customer = join_portal(&d, &link, 1280, 1000).await;
    let portal = wait_text(&customer, "What we need from you").await;
    assert!(portal.contains("Welcome, Dee"), "{portal}");
    assert!(
        portal.contains("Send a real sample of the data"),
        "{portal}"
    );
    assert!(
        !portal.contains("Activity"),
        "the portal shows no internal activity log"
    );

    // They complete their task with a file.
    let sample = task(&dana.project(&id).await, "sample-data");
    let file = std::env::temp_dir().join(format!("finishline-browser-{}.csv", std::process::id()));
    std::fs::write(&file, "load,status\n1,ok\n2,late\n").unwrap();
    css(&customer, &format!("#task-{sample} details summary"))
        .await
        .click()
        .await
        .unwrap();
    css(
        &customer,
        &format!("#task-{sample} form[action='/portal/actions/complete_task'] input[type=file]"),
    )
    .await
    .send_keys(file.to_str().unwrap())
    .await
    .unwrap();
    css(
        &customer,
        &format!("#task-{sample} form[action='/portal/actions/complete_task'] button"),
    )
    .await
    .click()
    .await
    .unwrap();
    let start = Instant::now();
    loop {
        let text = page_text(&customer).await;
        // The section "what we need from you" (the plan to approve above it lists done tasks too).
        let yours = text
            .split("What we need from you, by when")
            .nth(1)
            .map(|rest| rest.split("The shared plan").next().unwrap_or_default());
        if yours.is_some_and(|y| !y.contains("Send a real sample of the data")) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the task stayed in 'what we need from you':\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // They decline the change request.
    css(
        &customer,
        "form[action='/portal/actions/answer_change'] select[name=approved]",
    )
    .await
    .select_by_value("no")
    .await
    .unwrap();
    fill(
        &customer,
        "form[action='/portal/actions/answer_change'] input[name=note]",
        "not this phase",
    )
    .await;
    css(
        &customer,
        "form[action='/portal/actions/answer_change'] button",
    )
    .await
    .click()
    .await
    .unwrap();
    wait_text(&customer, "You declined this.").await;

    // The member sees what the customer did and that the ball moved to the vendor.
    member.goto(&format!("{base}/projects/{id}")).await.unwrap();
    let page = wait_text(&member, "Dee (customer)").await;
    assert!(page.contains("done by Dee"), "{page}");
    assert!(page.contains("Dee declined"), "{page}");
    member.goto(&format!("{base}/")).await.unwrap();
    let after = wait_text(&member, "Haulers Ltd").await;
    assert!(after.contains("0 on customer"), "{after}");

    // Through to the go / no-go stage with the gate not yet met.
    api(
        &dana,
        &id,
        json!({"action": "set_next_meeting", "date": "2026-03-09"}),
    )
    .await;
    for s in ["discovery", "build", "configuration", "training", "uat"] {
        api(&dana, &id, json!({"action": "advance_stage", "to": s})).await;
    }
    let v = dana.project(&id).await;
    let criterion = v["project"]["criteria"][0]["id"].clone();
    let v = api(&dana, &id, json!({"action": "add_uat_case", "title": "Log a load and confirm by noon", "criterion": criterion})).await;
    let case = v["project"]["uat"][0]["id"].clone();
    api(
        &dana,
        &id,
        json!({"action": "record_uat_result", "case": case, "passed": true}),
    )
    .await;
    api(
        &dana,
        &id,
        json!({"action": "advance_stage", "to": "go_no_go"}),
    )
    .await;

    // Go-live is refused in the page, with every failing item and its reason.
    let decide = |reason: &'static str| {
        let member = member.clone();
        let base = base.clone();
        let id = id.clone();
        async move {
            member.goto(&format!("{base}/projects/{id}")).await.unwrap();
            fill(
                &member,
                "form[action$='/actions/decide_go_live'] input[name=reason]",
                reason,
            )
            .await;
            css(&member, "form[action$='/actions/decide_go_live'] button")
                .await
                .click()
                .await
                .unwrap();
        }
    };
    decide("looks ready").await;
    let refused = wait_text(&member, "Go-live readiness (G2) is not ready").await;
    assert!(refused.contains("early-win"), "{refused}");
    let reason_kept = css(
        &member,
        "form[action$='/actions/decide_go_live'] input[name=reason]",
    )
    .await
    .prop("value")
    .await
    .unwrap();
    assert_eq!(reason_kept.as_deref(), Some("looks ready"));

    // Fix every item, then go-live passes.
    let v = dana.project(&id).await;
    for key in [
        "finish-line",
        "owners",
        "setup",
        "import",
        "full-path",
        "train",
    ] {
        let t = task(&v, key);
        api(&dana, &id, json!({"action": "complete_task", "task": t, "proof": {"kind": "note", "value": format!("{key} done")}})).await;
    }
    api(&dana, &id, json!({"action": "record_import_run", "file_sha256": "ab".repeat(32), "rows": 120, "errors": 0, "reviews": 0})).await;
    api(&dana, &id, json!({"action": "add_person", "name": "Uma", "email": "uma@customer.test", "side": "customer", "role": "end_user"})).await;
    let v = api(&dana, &id, json!({"action": "add_person", "name": "Al", "email": "al@customer.test", "side": "customer", "role": "customer_admin"})).await;
    let (uma, al) = (person(&v, "Uma"), person(&v, "Al"));
    for who in [uma, al] {
        api(
            &dana,
            &id,
            json!({"action": "set_help_contact", "person": who, "help_contact": casey}),
        )
        .await;
    }
    let now = app.clock_now().to_rfc3339();
    for (audience, who) in [("admins", al), ("daily_users", uma)] {
        let v = api(&dana, &id, json!({"action": "schedule_training", "audience": audience, "title": format!("{audience} basics"), "scheduled_at": now, "minutes": 40})).await;
        let s = v["project"]["training"].as_array().unwrap().last().unwrap()["id"].clone();
        api(&dana, &id, json!({"action": "record_attendance", "session": s, "person": who, "practice_task": "log one load", "completed": true})).await;
        api(
            &dana,
            &id,
            json!({"action": "mark_training_held", "session": s}),
        )
        .await;
        api(
            &dana,
            &id,
            json!({"action": "send_training_recap", "session": s}),
        )
        .await;
    }
    api(
        &dana,
        &id,
        json!({"action": "set_early_win", "criterion": criterion}),
    )
    .await;
    decide("all green").await;
    wait_text(&member, "GO decided by").await;
    let live = wait_text(&member, "live + hypercare").await;
    assert!(!live.contains("Not done:"), "{live}");

    member.close().await.unwrap();
    customer.close().await.unwrap();
    let _ = std::fs::remove_file(&file);
}

/// Saves PNGs of each main page at 1280 and 375 px wide; run by `scripts/screenshots.sh`
/// against the demo (`FINISHLINE_SCREENSHOT_URL`, `FINISHLINE_SCREENSHOT_DIR`).
#[tokio::test]
#[ignore = "run by scripts/screenshots.sh against a running demo"]
async fn screenshots() {
    let (Ok(base), Ok(dir)) = (
        std::env::var("FINISHLINE_SCREENSHOT_URL"),
        std::env::var("FINISHLINE_SCREENSHOT_DIR"),
    ) else {
        panic!("set FINISHLINE_SCREENSHOT_URL and FINISHLINE_SCREENSHOT_DIR");
    };
    // No test server is spawned here (the demo is already running), so nothing else picked the
    // TLS provider the WebDriver client needs.
    finishline_app::notify::install_tls_provider();
    let Some(d) = driver("screenshots").await else {
        return;
    };
    std::fs::create_dir_all(&dir).unwrap();
    let member = browser(&d, 1280, 900).await;
    shoot(&member, &base, "/login", &dir, "login").await;
    login(&member, &base, "demo@finishline.local", "finishline-demo").await;
    member.goto(&format!("{base}/")).await.unwrap();
    let first = css(&member, "table.portfolio a")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    for (path, name) in [
        ("/".to_string(), "portfolio"),
        (first.clone(), "project"),
        (format!("{first}/preview"), "preview"),
        ("/handoff".to_string(), "handoff"),
        ("/playbooks".to_string(), "playbooks"),
        ("/playbooks/standard".to_string(), "playbook"),
        ("/calendar".to_string(), "calendar"),
        ("/time".to_string(), "timesheet"),
        ("/team".to_string(), "team"),
        ("/settings".to_string(), "settings"),
    ] {
        shoot(&member, &base, &path, &dir, name).await;
    }
    // A task's page, where the plan's tasks are acted on (the first task of the plan).
    member.goto(&format!("{base}{first}")).await.unwrap();
    let task = css(&member, "table.plan tbody a")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    shoot(&member, &base, &format!("{first}{task}"), &dir, "task").await;
    // An occasional action's own page, linked from its section.
    shoot(
        &member,
        &base,
        &format!("{first}/forms/change_role"),
        &dir,
        "project-form",
    )
    .await;
    // Viewport-sized views of the long project page, section by section.
    for (anchor, width) in [
        ("", 1280u32),
        ("plan", 1280),
        ("scope", 1280),
        ("people", 1280),
        ("gates", 1280),
        ("gantt", 1280),
        ("gantt", 375),
        ("", 375),
        ("plan", 375),
    ] {
        member.set_window_size(width, 1000).await.unwrap();
        member.goto(&format!("{base}{first}")).await.unwrap();
        if !anchor.is_empty() {
            member
                .execute(
                    &format!("document.getElementById('{anchor}').scrollIntoView()"),
                    vec![],
                )
                .await
                .unwrap();
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
        let png = member.screenshot().await.unwrap();
        let name = if anchor.is_empty() { "top" } else { anchor };
        std::fs::write(format!("{dir}/project-view-{name}-{width}.png"), png).unwrap();
    }
    // Customer ratings (issue 17): the analytics' table, the clinic's ratings on its project page
    // and the portal of a clinic person with a rating to give, at both widths.
    member.set_window_size(1280, 900).await.unwrap();
    member.goto(&format!("{base}/")).await.unwrap();
    let clinic = css(&member, "table.portfolio a[href*='lindenwood']")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let to_ratings = "document.getElementById('ratings').scrollIntoView()";
    for (path, name) in [("/analytics", "analytics"), (clinic.as_str(), "project")] {
        for width in [1280u32, 375] {
            let png = format!("{dir}/{name}-ratings-{width}.png");
            shoot_view(&member, &format!("{base}{path}"), width, to_ratings, &png).await;
        }
    }
    member.set_window_size(1280, 900).await.unwrap();
    member
        .goto(&format!("{base}{clinic}#portal"))
        .await
        .unwrap();
    let joel = member
        .find(fantoccini::Locator::XPath(
            "//form[contains(@action,'/invitations')]//option[contains(., 'Joel')]",
        ))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap()
        .unwrap();
    let link = invite(&member, &format!("{base}{clinic}"), Some(&joel)).await;
    let customer = join_portal(&d, &link, 375, 1000).await;
    wait_text(&customer, "How are we doing?").await;
    for width in [1280u32, 375] {
        let png = format!("{dir}/portal-ratings-{width}.png");
        shoot_view(
            &customer,
            &format!("{base}/portal"),
            width,
            to_ratings,
            &png,
        )
        .await;
    }
    customer.close().await.unwrap();
    // A real portal session through an invitation link.
    member.set_window_size(1280, 900).await.unwrap();
    let link = invite(&member, &format!("{base}{first}"), None).await;
    let customer = join_portal(&d, &link, 1280, 900).await;
    wait_text(&customer, "Welcome").await;
    shoot(&customer, &base, "/portal", &dir, "portal").await;
    for width in [1280u32, 375] {
        customer.set_window_size(width, 1000).await.unwrap();
        customer.goto(&format!("{base}/portal")).await.unwrap();
        tokio::time::sleep(Duration::from_millis(150)).await;
        let png = customer.screenshot().await.unwrap();
        std::fs::write(format!("{dir}/portal-view-{width}.png"), png).unwrap();
    }
    // The data import page of the demo's Harbor & Pine, after its example file is uploaded: as
    // the vendor sees it, and in a portal session of its customer.
    member.set_window_size(1280, 900).await.unwrap();
    member.goto(&format!("{base}/")).await.unwrap();
    let harbor = css(&member, "table.portfolio a[href*='harbor_pine']")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let sample = std::env::temp_dir().join("finishline-screenshot-policyholders.csv");
    std::fs::write(&sample, include_str!("../../cli/demo/policyholders.csv")).unwrap();
    member.goto(&format!("{base}{harbor}/data")).await.unwrap();
    css(&member, "form[data-upload] input[type=file]")
        .await
        .send_keys(&sample.display().to_string())
        .await
        .unwrap();
    css(&member, "form[data-upload] button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    wait_text(&member, "2. Fix what is flagged").await;
    shoot(&member, &base, &format!("{harbor}/data"), &dir, "data").await;
    member.set_window_size(1280, 900).await.unwrap();
    let link = invite(&member, &format!("{base}{harbor}"), None).await;
    let harbor_customer = join_portal(&d, &link, 1280, 900).await;
    wait_text(&harbor_customer, "Your data").await;
    shoot(&harbor_customer, &base, "/portal", &dir, "portal-harbor").await;
    shoot(&harbor_customer, &base, "/portal/data", &dir, "portal-data").await;
    // With every fix form open, then after submitting (the runs list).
    for width in [1280u32, 375] {
        shoot_view(
            &harbor_customer,
            &format!("{base}/portal/data"),
            width,
            "document.querySelectorAll('details').forEach(d => d.open = true); \
             document.querySelector('table.issues').scrollIntoView()",
            &format!("{dir}/portal-data-fixes-{width}.png"),
        )
        .await;
    }
    harbor_customer.set_window_size(1280, 900).await.unwrap();
    harbor_customer
        .goto(&format!("{base}/portal/data"))
        .await
        .unwrap();
    css(&harbor_customer, "form[action$='/submit'] button")
        .await
        .click()
        .await
        .unwrap();
    wait_text(&harbor_customer, "Submitted imports").await;
    shoot(
        &harbor_customer,
        &base,
        "/portal/data",
        &dir,
        "portal-data-submitted",
    )
    .await;
    let _ = std::fs::remove_file(&sample);
    harbor_customer.close().await.unwrap();
    member.close().await.unwrap();
    customer.close().await.unwrap();
}

/// One viewport-sized screenshot of `url` at `width`, after `script` (scroll to a part, open
/// folded parts), saved as `png`.
async fn shoot_view(c: &Client, url: &str, width: u32, script: &str, png: &str) {
    c.set_window_size(width, 1000).await.unwrap();
    c.goto(url).await.unwrap();
    if !script.is_empty() {
        c.execute(script, vec![]).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(150)).await;
    std::fs::write(png, c.screenshot().await.unwrap()).unwrap();
}

async fn shoot(c: &Client, base: &str, path: &str, dir: &str, name: &str) {
    for width in [1280u32, 375] {
        c.set_window_size(width, 900).await.unwrap();
        c.goto(&format!("{base}{path}")).await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        let h = c
            .execute("return document.documentElement.scrollHeight", vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap_or(900);
        let h = u32::try_from(h).unwrap_or(900).clamp(600, 9000);
        let w = c
            .execute("return document.documentElement.scrollWidth", vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap_or(0);
        if w > u64::from(width) {
            eprintln!("WARNING: {path} is {w} px wide at {width} px (horizontal scroll)");
        }
        c.set_window_size(width, h).await.unwrap();
        tokio::time::sleep(Duration::from_millis(150)).await;
        let png = c.screenshot().await.unwrap();
        std::fs::write(format!("{dir}/{name}-{width}.png"), png).unwrap();
    }
}
