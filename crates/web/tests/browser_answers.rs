//! Answers where you look, in Debian's Chromium at 1280 and at 375 px: after a form on the
//! project page the confirmation is on screen (in the section the form is in, not at the top of a
//! long page), and a refused form's reason is on screen next to that form, with the address still
//! the project page.
//!
//! Without Chromium or chromedriver the test says SKIP loudly and passes, unless
//! `FINISHLINE_REQUIRE_BROWSER=1`, where it fails.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use std::time::{Duration, Instant};

use common::browser::{browser, css, driver, fill, login, wait_text};
use common::{handoff, spawn, Backend};
use fantoccini::Client;
use serde_json::{json, Value};

/// Where `selector` is on screen: its box and the viewport, and whether the element drawn at its
/// top left corner is itself (not the sticky menu over it).
async fn on_screen(c: &Client, selector: &str) -> Value {
    c.execute(
        "const e = document.querySelector(arguments[0]);
         if (!e) return null;
         const r = e.getBoundingClientRect();
         const hit = document.elementFromPoint(Math.max(r.left + 4, 0), Math.max(r.top + 4, 0));
         return {top: r.top, bottom: r.bottom, height: window.innerHeight,
                 width: window.innerWidth, scroll: window.scrollY,
                 uncovered: !!hit && (hit === e || e.contains(hit))};",
        vec![json!(selector)],
    )
    .await
    .unwrap()
}

/// Waits until `selector` is inside the viewport and not covered; panics with where it is.
async fn assert_in_view(c: &Client, selector: &str, what: &str) {
    let start = Instant::now();
    let mut last = Value::Null;
    while start.elapsed() < Duration::from_secs(10) {
        // The page moves to it once htmx has settled the new page.
        tokio::time::sleep(Duration::from_millis(150)).await;
        last = on_screen(c, selector).await;
        if last.is_null() {
            continue;
        }
        let top = last["top"].as_f64().unwrap();
        let bottom = last["bottom"].as_f64().unwrap();
        let height = last["height"].as_f64().unwrap();
        if top >= 0.0 && bottom <= height && last["uncovered"] == json!(true) {
            // Still there a moment later: nothing scrolls it away afterwards.
            tokio::time::sleep(Duration::from_millis(300)).await;
            let again = on_screen(c, selector).await;
            assert_eq!(again["top"], last["top"], "{what} moved: {again}");
            return;
        }
    }
    panic!("{what} ({selector}) is not in the viewport: {last}");
}

async fn project_page_answers_at(width: u32, height: u32) {
    let test = format!("browser_answers_{width}");
    let Some(d) = driver(&test).await else {
        return;
    };
    let app = spawn(Backend::Sqlite, &test).await.unwrap();
    let base = app.base.clone();
    let dana = app.workspace("Vendor A", "dana@vendor.test").await;
    let (s, v) = dana.post("/api/v1/projects", handoff("Haulers Ltd")).await;
    assert_eq!(s.as_u16(), 201, "{v:#}");
    let id = v["project"]["id"].as_str().unwrap().to_string();
    // A long page: a plan of a few dozen tasks, so the people section is well below the fold.
    let v = dana
        .ok(&id, json!({"action": "add_person", "name": "Casey", "email": "casey@haulers.test", "side": "customer", "role": "customer_owner"}))
        .await;
    let casey = common::person(&v, "Casey");
    for i in 0..30 {
        dana.ok(&id, json!({"action": "add_task", "title": format!("Configure depot {i}"), "phase": "Build", "label": "vendor_task", "owner": casey, "due": "2026-04-01"})).await;
    }

    let member = browser(&d, width, height).await;
    login(&member, &base, "dana@vendor.test", "a long test password").await;
    member.goto(&format!("{base}/projects/{id}")).await.unwrap();
    wait_text(&member, "People and roles").await;
    let full: f64 = member
        .execute("return document.documentElement.scrollHeight", vec![])
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(
        full > f64::from(height) * 2.0,
        "the page is long enough for the test to mean something: {full}px"
    );

    // The section menu reaches the people form in one step.
    css(&member, "nav.section-menu a[href='#people']")
        .await
        .click()
        .await
        .unwrap();
    assert_in_view(&member, "#people-h", "the people section after the menu").await;

    // A form that goes through: the confirmation is on screen, in the section of the form.
    let form = "form[action$='/actions/add_person']";
    fill(&member, &format!("{form} input[name=name]"), "Bo Lind").await;
    fill(
        &member,
        &format!("{form} input[name=email]"),
        "bo@haulers.test",
    )
    .await;
    css(&member, &format!("{form} select[name=role]"))
        .await
        .select_by_value("backup_contact")
        .await
        .unwrap();
    css(&member, &format!("{form} button[type=submit]"))
        .await
        .click()
        .await
        .unwrap();
    wait_text(&member, "Bo Lind is added to the people of this project.").await;
    assert_in_view(&member, "#people #flash", "the confirmation").await;
    let url = member.current_url().await.unwrap();
    assert_eq!(
        url.path(),
        format!("/projects/{id}"),
        "the address is the project page"
    );

    // A reload shows the page without the confirmation, and nothing is sent again.
    member.refresh().await.unwrap();
    wait_text(&member, "People and roles").await;
    assert!(
        on_screen(&member, "#flash").await.is_null(),
        "the confirmation is shown once"
    );

    // A refused form far down the page: its reason is on screen next to it, and summarised at
    // the top with a link to it.
    let gate = "form[action$='/actions/advance_stage']";
    css(&member, &format!("{gate} select[name=to]"))
        .await
        .select_by_value("kickoff")
        .await
        .unwrap();
    css(&member, &format!("{gate} button[type=submit]"))
        .await
        .click()
        .await
        .unwrap();
    wait_text(&member, "Go to the form").await;
    assert_in_view(&member, &format!("{gate} .refusal"), "the refusal").await;
    let summary = css(&member, ".refusal-summary a").await;
    let href = summary.attr("href").await.unwrap().unwrap();
    let target = css(&member, &format!("{gate} .refusal")).await;
    assert_eq!(
        href,
        format!("#{}", target.attr("id").await.unwrap().unwrap()),
        "the summary links to the refusal"
    );
    let url = member.current_url().await.unwrap();
    assert_eq!(url.path(), format!("/projects/{id}"));
    member.close().await.unwrap();
}

#[tokio::test]
async fn a_confirmation_and_a_refusal_are_in_view_at_1280_px() {
    project_page_answers_at(1280, 900).await;
}

#[tokio::test]
async fn a_confirmation_and_a_refusal_are_in_view_at_375_px() {
    project_page_answers_at(375, 740).await;
}
