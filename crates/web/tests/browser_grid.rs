//! The grid of flagged rows in a real browser (Debian's Chromium through chromedriver), on a
//! small file with every kind of problem, along the path the 100,000-row benchmark
//! (`bench/moonshot`) takes: upload, "Decide all", every duplicate group merged at once, every
//! suggested correction taken at once, the rest excluded for follow-up, submit from the bar —
//! then the same grid at 375 px without sideways scrolling.
//!
//! Without Chromium or chromedriver the test says SKIP loudly and passes, unless
//! `FINISHLINE_REQUIRE_BROWSER=1`, where it fails. With `FINISHLINE_SCREENSHOTS=DIR` it leaves
//! screenshots of the grid there (to look at, not compared).
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use common::browser::{click, css, driver, join_portal, wait_text};
use common::data_import::{data_project, invitation};
use common::{spawn, Backend};
use fantoccini::Client;

async fn choose(c: &Client, select: &str, value: &str) {
    css(c, select).await.select_by_value(value).await.unwrap();
}

async fn shot(c: &Client, name: &str) {
    if let Ok(dir) = std::env::var("FINISHLINE_SCREENSHOTS") {
        let png = c.screenshot().await.unwrap();
        std::fs::write(format!("{dir}/{name}.png"), png).unwrap();
    }
}

/// Account, email, country, plan: clean rows and one of each problem the demo's map flags.
fn small_file() -> String {
    let mut csv = String::from("Account Name,Contact Email,Country,Plan\n");
    for i in 0..30 {
        csv.push_str(&format!("Account {i} Ltd,ops{i}@example.com,US,Team\n"));
    }
    csv.push_str("Harbor Freight,ana@gmail,US,Team\n"); // a typo the product corrects
    csv.push_str("Pine Mills,bob@,US,Team\n"); // hopeless
    csv.push_str(",cat@example.com,US,Team\n"); // no name
    csv.push_str("Quay Foods,dan@example.com,Untied States,Team\n"); // misspelt country
    csv.push_str("Rill Farms,eve@example.com,US,Entreprise\n"); // misspelt plan
    csv.push_str("ACCOUNT 3 ltd,ops3b@example.com,US,Starter\n"); // duplicate of row 5
    csv
}

fn counter_text(page: &str) -> String {
    page.lines()
        .find(|l| l.contains("flagged items decided"))
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_customer_decides_every_flagged_item_in_the_grid_and_submits() {
    let Some(d) = driver("a_customer_decides_every_flagged_item_in_the_grid_and_submits").await
    else {
        return;
    };
    let app = spawn(Backend::Sqlite, "browser_grid").await.unwrap();
    let base = app.base.clone();
    let dana = app.workspace("Vendor A", "dana@vendor.test").await;
    let dp = data_project(&dana, "Haulers Ltd").await;
    let link = format!(
        "{base}/portal/join/{}",
        invitation(&app, &dana, &dp.id, dp.customer).await
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("accounts.csv");
    std::fs::write(&file, small_file()).unwrap();

    let c = join_portal(&d, &link, 1280, 1000).await;
    c.goto(&format!("{base}/portal/data")).await.unwrap();
    wait_text(&c, "1. Upload your file").await;
    css(&c, "form[data-upload] input[type=file]")
        .await
        .send_keys(&file.display().to_string())
        .await
        .unwrap();
    click(&c, "form[data-upload] button[type=submit]").await;
    wait_text(&c, "0 of 6 flagged items decided.").await;
    click(&c, "a.button[href$='/rows']").await;
    let page = wait_text(&c, "Flagged rows").await;
    assert!(page.contains("Use ana@gmail.com"), "{page}");
    shot(&c, "grid-1280").await;
    click(&c, "table.grid").await;
    shot(&c, "grid-table-1280").await;

    // Duplicates: shown side by side, merged keeping the first.
    choose(&c, "#grid-rule", "duplicate-key").await;
    click(&c, "form.grid-filter button[type=submit]").await;
    wait_text(&c, "Showing groups 1–1 of 1.").await;
    shot(&c, "grid-duplicates-1280").await;
    click(&c, "section.dup-group").await;
    shot(&c, "grid-duplicates-table-1280").await;
    choose(&c, "#decide-decision", "merge").await;
    click(&c, "form#decide button[type=submit]:not([name])").await;
    wait_text(&c, "1 of 6 flagged items decided.").await;

    // Every suggestion at once: the email typo, the plan, the country.
    choose(&c, "#grid-rule", "").await;
    click(&c, "form.grid-filter button[type=submit]").await;
    // The five rows still flagged (the old page said "0 row(s) match.": wait for the new one).
    wait_text(&c, "5 row(s) match.").await;
    choose(&c, "#decide-decision", "suggest").await;
    click(&c, "form#decide button[type=submit]:not([name])").await;
    wait_text(&c, "4 of 6 flagged items decided.").await;
    // The decision applied last is offered again.
    let chosen = css(&c, "#decide-decision")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(chosen.as_deref(), Some("suggest"));

    // What is left cannot be corrected from the file: excluded for follow-up.
    choose(&c, "#decide-decision", "exclude").await;
    click(&c, "form#decide button[type=submit]:not([name])").await;
    let page = wait_text(&c, "6 of 6 flagged items decided.").await;
    let bar = counter_text(&page);
    assert!(
        page.contains("Nothing flagged matches this filter."),
        "{page}"
    );
    assert!(page.contains("2 excluded"), "{bar}: {page}");
    assert!(page.contains("1 duplicate(s) merged into them"), "{page}");
    shot(&c, "grid-done-1280").await;

    // At 375 px the grid page does not scroll sideways (its table does, inside its frame).
    c.set_window_size(375, 900).await.unwrap();
    c.goto(&format!("{base}/portal/data/{}/rows?rule=pattern", dp.map))
        .await
        .unwrap();
    wait_text(&c, "Flagged rows").await;
    let w = c
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .unwrap();
    assert!(w.as_u64().unwrap_or(9999) <= 375, "{w} px wide at 375 px");
    shot(&c, "grid-375").await;
    c.set_window_size(1280, 1000).await.unwrap();

    // Submitted from the bar; the export has the corrections and not the excluded rows.
    c.goto(&format!("{base}/portal/data/{}/rows", dp.map))
        .await
        .unwrap();
    wait_text(&c, "Flagged rows").await;
    click(&c, ".grid-bar form[action$='/submit'] button").await;
    wait_text(&c, "Submitted imports").await;
    let v = dana.project(&dp.id).await;
    let run = &v["project"]["imports"][0];
    assert_eq!(run["errors"], 0, "{run}");
    let clean_id = run["clean_file"].as_str().unwrap().to_string();
    let clean = c
        .execute_async(
            "const [u, done] = arguments; fetch(u).then(r => r.text()).then(done)",
            vec![serde_json::json!(format!("/portal/files/{clean_id}"))],
        )
        .await
        .unwrap();
    let clean = clean.as_str().unwrap_or_default().to_string();
    assert!(clean.contains("ana@gmail.com"), "{clean}");
    assert!(clean.contains("Enterprise"), "{clean}");
    assert!(!clean.contains("bob@"), "{clean}");
    assert_eq!(clean.lines().count(), 1 + 30 + 3, "{clean}");
    c.close().await.unwrap();
}
