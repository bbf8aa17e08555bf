//! The pages keep what they computed (lists, summaries, rendered HTML), but never serve it after
//! a write, whichever way the write came: through this server, or straight into the database as
//! another server or the CLI would make it. The test clock stands still, so the per-minute expiry
//! cannot hide a stale entry.
#![allow(clippy::unwrap_used)]

mod common;

use common::web::Web;
use common::{handoff, spawn, Backend};
use finishline_core::command::Ctx;
use finishline_core::people::Side;
use finishline_core::{apply, Command};
use reqwest::StatusCode;

#[tokio::test]
async fn the_portfolio_and_project_page_see_writes_made_by_another_server() {
    let app = spawn(Backend::Sqlite, "page_caches").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let mut ids = Vec::new();
    for customer in ["Alder Freight", "Birch Clinics", "Cedar Schools"] {
        let (s, v) = m.post("/api/v1/projects", handoff(customer)).await;
        assert_eq!(s, StatusCode::CREATED, "{v:#}");
        ids.push(v["project"]["id"].as_str().unwrap().to_string());
    }
    let web = Web::new(&app);
    web.login("dana@vendor.test").await;
    for query in ["/", "/?sort=name"] {
        let (s, page) = web.get(query).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("3 of 3 projects"), "{page}");
        // A second request gets the same page as the first.
        assert_eq!(web.get(query).await.1, page);
    }
    let (_, project_page) = web.get(&format!("/projects/{}", ids[1])).await;
    assert!(project_page.contains("Birch Clinics"));

    // Another server renames one customer, straight in the database.
    let ws = &m.workspace.id;
    let (mut p, version) = app.store.project(ws, &ids[1]).await.unwrap().unwrap();
    let ctx = Ctx {
        actor: "Another server".into(),
        person: None,
        side: Side::Vendor,
        now: app.clock_now(),
    };
    let acts = apply(
        &mut p,
        Command::SetFinishLine {
            text: "Clinic schedulers book 100% of appointments in Finishline within 2 weeks".into(),
        },
        &ctx,
    )
    .unwrap();
    p.customer = "Birch Health Group".into();
    app.store
        .save_project(ws, &p, version, &acts, app.clock_now())
        .await
        .unwrap();
    // ... and the CLI creates a fourth project.
    let (mut q, _) = app.store.project(ws, &ids[0]).await.unwrap().unwrap();
    q.id = "prj_from_the_cli".into();
    q.customer = "Dogwood Logistics".into();
    app.store
        .insert_project(ws, &q, &[], app.clock_now())
        .await
        .unwrap();

    for query in ["/", "/?sort=name"] {
        let (_, page) = web.get(query).await;
        assert!(
            page.contains("4 of 4 projects")
                && page.contains("Birch Health Group")
                && !page.contains("<strong>Birch Clinics</strong>")
                && page.contains("Dogwood Logistics"),
            "{query}: {page}"
        );
    }
    let (_, project_page) = web.get(&format!("/projects/{}", ids[1])).await;
    assert!(
        project_page.contains("Birch Health Group")
            && project_page.contains("book 100% of appointments"),
        "{project_page}"
    );
}

/// The days waited per side shown on the portfolio, as the chart's label says them.
fn waited_on_customer(page: &str, customer: &str) -> String {
    let key = format!("{customer}: ");
    let at = page
        .find(&key)
        .unwrap_or_else(|| panic!("{customer} in {page}"))
        + key.len();
    page[at..]
        .split(" days waiting on the customer")
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn days_waited_carried_forward_match_a_replay_of_the_log() {
    let app = spawn(Backend::Sqlite, "page_waits").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let (s, v) = m.post("/api/v1/projects", handoff("Alder Freight")).await;
    assert_eq!(s, StatusCode::CREATED, "{v:#}");
    let id = v["project"]["id"].as_str().unwrap().to_string();
    let web = Web::new(&app);
    web.login("dana@vendor.test").await;
    let mut seen = Vec::new();
    for days in [0, 2, 5] {
        app.clock.advance(chrono::Duration::days(days));
        let (_, page) = web.get("/?sort=waiting").await;
        let shown = waited_on_customer(&page, "Alder Freight");
        // The API replays the whole log at the same instant.
        let replayed = m.project(&id).await["ball"]["project"]["customer_seconds"]
            .as_i64()
            .unwrap();
        assert_eq!(
            shown,
            format!("{:.1}", replayed as f64 / 86_400.0),
            "after {days} more days"
        );
        seen.push(shown);
    }
    assert_eq!(
        seen[2], "7.0",
        "the customer's tasks waited all along: {seen:?}"
    );
}
