//! The seeds' ops-manager finish line in a real browser (Debian's Chromium through
//! chromedriver): a customer with an invitation link uploads a messy CSV file, sees the issues
//! grouped by rule, fixes one in place and one in bulk, re-checks to clean, submits and gets the
//! clean export; the vendor then sees the run and completes the import task with it.
//!
//! Without Chromium or chromedriver the test says SKIP loudly and passes, unless
//! `FINISHLINE_REQUIRE_BROWSER=1`, where it fails. The driver helpers are in `common/browser.rs`.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use common::browser::{browser, click, css, driver, fill, join_portal, login, wait_text};
use common::data_import::{data_project, invitation, MESSY_CSV};
use common::{spawn, Backend};
use serde_json::json;

#[tokio::test]
async fn a_new_customer_imports_fixes_and_exports_their_data_in_the_portal() {
    let Some(d) = driver("a_new_customer_imports_fixes_and_exports_their_data_in_the_portal").await
    else {
        return;
    };
    let app = spawn(Backend::Sqlite, "browser_import").await.unwrap();
    let base = app.base.clone();
    let dana = app.workspace("Vendor A", "dana@vendor.test").await;
    let dp = data_project(&dana, "Haulers Ltd").await;
    let map = dp.map;
    let link = format!(
        "{base}/portal/join/{}",
        invitation(&app, &dana, &dp.id, dp.customer).await
    );
    // A real file on disk, chosen in the file input as a person would.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policyholders.csv");
    std::fs::write(&file, MESSY_CSV).unwrap();

    // The customer opens the link and finds the data import from the portal's home.
    let customer = join_portal(&d, &link, 1280, 1000).await;
    wait_text(&customer, "Your data").await;
    click(&customer, "#data a.button").await;
    wait_text(&customer, "1. Upload your file").await;

    // Upload: the file goes up with a progress bar (upload.js), then the check is shown.
    css(&customer, "form[data-upload] input[type=file]")
        .await
        .send_keys(&file.display().to_string())
        .await
        .unwrap();
    click(&customer, "form[data-upload] button[type=submit]").await;
    let page = wait_text(&customer, "2. Fix what is flagged").await;
    for says in [
        "Not in the expected format",
        "Unknown country",
        "Possible duplicate",
        "ops@contoso",
    ] {
        assert!(page.contains(says), "{says}: {page}");
    }
    let shown = customer
        .execute(
            "return document.querySelector('form[data-upload] progress') !== null",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(shown, json!(true));

    // In place: the bad email of row 3.
    let cell = format!("details[data-fix='cell-{map}-3-contact_email']");
    click(&customer, &format!("{cell} > summary")).await;
    fill(
        &customer,
        &format!("{cell} input[name=value]"),
        "ops@contoso.example",
    )
    .await;
    fill(
        &customer,
        &format!("{cell} input[name=why]"),
        "typo in the domain",
    )
    .await;
    click(&customer, &format!("{cell} button[type=submit]")).await;
    wait_text(&customer, "Fixes so far (1)").await;

    // In bulk: every "Atlantis" in the country column becomes GB.
    click(&customer, "details.bulk > summary").await;
    let bulk = format!("form[data-fix='bulk-{map}-map_value']");
    css(&customer, &format!("{bulk} select[name=field]"))
        .await
        .select_by_value("country")
        .await
        .unwrap();
    fill(&customer, &format!("{bulk} input[name=from]"), "Atlantis").await;
    fill(&customer, &format!("{bulk} input[name=to]"), "GB").await;
    fill(
        &customer,
        &format!("{bulk} input[name=why]"),
        "our UK office",
    )
    .await;
    click(&customer, &format!("{bulk} button[type=submit]")).await;
    wait_text(&customer, "Fixes so far (2)").await;
    wait_text(&customer, "2 fix(es) not checked yet").await;

    // Re-check: nothing blocks any more; submit the clean export.
    click(
        &customer,
        &format!("form[action='/portal/data/{map}/recheck'] button"),
    )
    .await;
    let page = wait_text(&customer, "no blocking issues").await;
    assert!(!page.contains("Unknown country"), "{page}");
    click(
        &customer,
        &format!("form[action='/portal/data/{map}/submit'] button"),
    )
    .await;
    wait_text(&customer, "Submitted imports").await;
    let href = css(&customer, "table.runs a[download]")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let clean = customer
        .execute_async(
            "const [u, done] = arguments; fetch(u).then(r => r.text()).then(done)",
            vec![json!(href)],
        )
        .await
        .unwrap();
    let clean = clean.as_str().unwrap_or_default().to_string();
    assert!(clean.contains("ops@contoso.example"), "{clean}");
    assert!(!clean.contains("Atlantis"), "{clean}");

    // The page works at 375 px without sideways scrolling.
    customer.set_window_size(375, 900).await.unwrap();
    customer.goto(&format!("{base}/portal/data")).await.unwrap();
    wait_text(&customer, "Submitted imports").await;
    let w = customer
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .unwrap();
    assert!(w.as_u64().unwrap_or(9999) <= 375, "{w} px wide at 375 px");

    // The vendor sees the run and completes the import task with it.
    let member = browser(&d, 1280, 1000).await;
    login(&member, &base, "dana@vendor.test", "a long test password").await;
    member
        .goto(&format!("{base}/projects/{}/data", dp.id))
        .await
        .unwrap();
    let page = wait_text(&member, "Submitted imports").await;
    assert!(page.contains("Dee (customer)"), "{page}");
    click(&member, "form.proof button").await;
    wait_text(&member, "Haulers Ltd").await;
    let v = dana.project(&dp.id).await;
    let t = common::task_json(&v, dp.import_task);
    assert_eq!(t["status"]["state"], "done", "{t:#}");
    assert_eq!(t["status"]["proof"]["kind"], "import_run", "{t:#}");

    customer.close().await.unwrap();
    member.close().await.unwrap();
}
