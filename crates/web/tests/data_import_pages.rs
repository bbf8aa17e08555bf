//! The data import pages over HTTP: who reaches them (a customer only their own project, never
//! the vendor URL), CSRF on every form, bad uploads answered with an HTML page that says what is
//! wrong and leaves nothing behind, fixes refused field by field, and the whole path to a clean
//! import run.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use common::data_import::{
    data_project, invitation, join, portal_data, portal_upload, PortalData, MESSY_CSV,
};
use common::web::{csrf_of, Web};
use common::{spawn, Backend};
use reqwest::header::{CONTENT_TYPE, LOCATION};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;

/// Fixes one contact email in place, with a reason; the fix is kept.
async fn fix_email(customer: &Web, csrf: &str, base: &str, row: u64, value: &str, why: &str) {
    let r = customer
        .post(
            &format!("{base}/fix"),
            &[
                ("csrf", csrf),
                ("_form", "cell"),
                ("row", &row.to_string()),
                ("field", "contact_email"),
                ("value", value),
                ("why", why),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

fn is_html(r: &reqwest::Response) -> bool {
    r.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html")
}

#[tokio::test]
async fn a_customer_reaches_only_their_own_projects_data_and_never_the_vendor_page() {
    let app = spawn(Backend::Sqlite, "data_authz").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let ours = data_project(&m, "Haulers Ltd").await;
    let theirs = data_project(&m, "Other Co").await;
    let secret = invitation(&app, &m, &ours.id, ours.customer).await;
    let customer = join(&app, &secret).await;

    // Their own project's data page, with its map and the task it serves.
    let (s, page) = customer.get("/portal/data").await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("Policyholder accounts"), "{page}");
    assert!(
        page.contains("Import the data, fix the flagged rows"),
        "{page}"
    );
    assert!(!page.contains("Other Co"), "{page}");
    // The portal home links to it.
    let (_, home) = customer.get("/portal").await;
    assert!(home.contains("href=\"/portal/data#map-"), "{home}");
    // So does the import task in the shared plan.
    assert!(
        home.contains(&format!(
            "href=\"/portal/data#map-{}\">Data import: Policyholder accounts",
            ours.map
        )),
        "{home}"
    );

    // The vendor URLs of either project send the customer to the member sign-in.
    for id in [&ours.id, &theirs.id] {
        let (s, _) = customer.get(&format!("/projects/{id}/data")).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "GET /projects/{id}/data");
        let csrf = customer.csrf("/portal/data").await;
        let r = customer
            .upload(
                &format!("/projects/{id}/data/{}/upload", theirs.map),
                &csrf,
                "a.csv",
                MESSY_CSV.as_bytes().to_vec(),
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(r.headers()[LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/login"));
    }
    let v = m.project(&theirs.id).await;
    assert!(
        v["project"]["data_maps"][0]["draft"].is_null(),
        "nothing reached the other project"
    );

    // Without a portal session there is no data page.
    let anon = Web::new(&app);
    let (s, page) = anon.get("/portal/data").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{page}");

    // A member of another workspace does not find the project.
    let other_ws = app.workspace("Vendor B", "eve@other.test").await;
    let eve = Web::new(&app);
    eve.login(&other_ws.user.email).await;
    let (s, _) = eve.get(&format!("/projects/{}/data", ours.id)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_data_form_is_refused_without_its_token() {
    let app = spawn(Backend::Sqlite, "data_csrf").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let dp = data_project(&m, "Haulers Ltd").await;
    let customer = join(&app, &invitation(&app, &m, &dp.id, dp.customer).await).await;
    let member = Web::new(&app);
    member.login("dana@vendor.test").await;
    // A token of another session is as bad as none.
    let wrong = member.csrf(&format!("/projects/{}/data", dp.id)).await;
    for action in ["upload", "fix", "bulk", "recheck", "submit"] {
        for token in ["", wrong.as_str()] {
            let r = customer
                .upload(
                    &format!("/portal/data/{}/{action}", dp.map),
                    token,
                    "a.csv",
                    MESSY_CSV.as_bytes().to_vec(),
                )
                .await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "portal {action}");
            assert!(is_html(&r));
        }
        let r = member
            .post(
                &format!("/projects/{}/data/{}/{action}", dp.id, dp.map),
                &[("csrf", "nope")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "vendor {action}");
    }
    let r = member
        .post(&format!("/projects/{}/data/maps", dp.id), &[("name", "x")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let v = m.project(&dp.id).await;
    assert!(v["project"]["data_maps"][0]["draft"].is_null());
    assert_eq!(v["project"]["data_maps"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn bad_uploads_get_an_html_page_that_says_why_and_leave_nothing_behind() {
    let app = spawn(Backend::Sqlite, "data_bad").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let dp = data_project(&m, "Haulers Ltd").await;
    let customer = join(&app, &invitation(&app, &m, &dp.id, dp.customer).await).await;
    let csrf = customer.csrf("/portal/data").await;
    let path = format!("/portal/data/{}/upload", dp.map);
    let cases: [(&str, Vec<u8>, StatusCode, &str); 4] = [
        (
            "orders.exe",
            b"MZ\x90\x00".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "is not a file we can read",
        ),
        (
            "orders.csv",
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "this file is empty",
        ),
        (
            "orders.xlsx",
            b"not a workbook at all".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "orders.xlsx",
        ),
        // The test server takes uploads of 64 KiB at most.
        (
            "orders.csv",
            vec![b'a'; 200 * 1024],
            StatusCode::PAYLOAD_TOO_LARGE,
            "upload limit: a file may be at most <strong>64 KB</strong>",
        ),
    ];
    for (name, body, status, says) in cases {
        let r = customer.upload(&path, &csrf, name, body).await;
        assert_eq!(r.status(), status, "{name}");
        assert!(is_html(&r), "{name}: an HTML page");
        let page = r.text().await.unwrap();
        assert!(page.contains(says), "{name}: {page}");
        assert!(!page.contains("problem+json"));
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            // Back to the data page the file was sent from, not the portal's front page.
            assert!(page.contains("href=\"/portal/data\""), "{page}");
        }
    }
    // No file chosen at all.
    let form = Form::new()
        .text("csrf", csrf.clone())
        .text("_form", format!("upload-{}", dp.map))
        .part("file", Part::bytes(Vec::new()).file_name(""));
    let r = customer
        .http
        .post(format!("{}{path}", customer.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("choose the file to upload"), "{page}");
    assert!(page.contains("aria-invalid=\"true\""), "{page}");

    let v = m.project(&dp.id).await;
    assert!(
        v["project"]["data_maps"][0]["draft"].is_null(),
        "a refused upload starts no draft"
    );
    assert!(v["project"]["imports"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_customer_fixes_rechecks_and_submits_and_the_vendor_completes_the_task_with_the_run() {
    let PortalData {
        app,
        m,
        dp,
        customer,
        csrf,
        base,
    } = portal_data("data_flow").await;
    let r = customer
        .upload(
            &format!("{base}/upload"),
            &csrf,
            "policyholders.csv",
            MESSY_CSV.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = customer.get("/portal/data").await;
    for says in [
        "Not in the expected format",
        "Unknown country",
        "Possible duplicate",
        "ops@contoso",
    ] {
        assert!(page.contains(says), "{says}: {page}");
    }

    // A fix with a bad row and no reason is refused field by field, keeping what was typed.
    let key = format!("cell-{}-any", dp.map);
    let r = customer
        .post(
            &format!("{base}/fix"),
            &[
                ("csrf", &csrf),
                ("_form", &key),
                ("row", "1"),
                ("field", "contact_email"),
                ("value", "typed@value.example"),
                ("why", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("row 1 is the header"), "{page}");
    assert!(page.contains("say why"), "{page}");
    assert!(page.contains("value=\"typed@value.example\""), "{page}");

    // One in place, one in bulk; submitting before re-checking is refused.
    let ok = |r: reqwest::Response| {
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    };
    ok(customer
        .post(
            &format!("{base}/fix"),
            &[
                ("csrf", &csrf),
                ("_form", "cell"),
                ("row", "3"),
                ("field", "contact_email"),
                ("value", "ops@contoso.example"),
                ("why", "typo in the domain"),
            ],
        )
        .await);
    ok(customer
        .post(
            &format!("{base}/bulk"),
            &[
                ("csrf", &csrf),
                ("_form", "bulk"),
                ("kind", "map_value"),
                ("field", "country"),
                ("from", "Atlantis"),
                ("to", "GB"),
                ("why", "our test office"),
            ],
        )
        .await);
    let r = customer
        .post(
            &format!("{base}/submit"),
            &[("csrf", &csrf), ("_form", "submit")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Re-check"));
    ok(customer
        .post(
            &format!("{base}/recheck"),
            &[("csrf", &csrf), ("_form", "recheck")],
        )
        .await);
    let (_, page) = customer.get("/portal/data").await;
    assert!(page.contains("no blocking issues"), "{page}");
    assert!(!page.contains("Unknown country"), "{page}");
    ok(customer
        .post(
            &format!("{base}/submit"),
            &[("csrf", &csrf), ("_form", "submit")],
        )
        .await);

    // The run: who, the file's hash, counts per rule, the fixes; the upload is untouched.
    let v = m.project(&dp.id).await;
    let run = &v["project"]["imports"][0];
    assert_eq!(run["errors"], 0, "{run:#}");
    assert_eq!(run["fixes"], 2);
    assert_eq!(run["by"], "Dee (customer)");
    assert_eq!(run["by_rule"][0]["rule"], "duplicate-key");
    let (s, upload) = customer
        .get(&format!(
            "/portal/files/{}",
            run["upload_file"].as_str().unwrap()
        ))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(upload, MESSY_CSV, "the upload is never modified");
    let (s, clean) = customer
        .get(&format!(
            "/portal/files/{}",
            run["clean_file"].as_str().unwrap()
        ))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(clean.contains("ops@contoso.example"), "{clean}");
    assert!(!clean.contains("Atlantis"), "{clean}");
    let (s, fixes) = customer
        .get(&format!(
            "/portal/files/{}",
            run["fixes_file"].as_str().unwrap()
        ))
        .await;
    assert_eq!(s, StatusCode::OK);
    let fixes: serde_json::Value = serde_json::from_str(&fixes).unwrap();
    assert_eq!(fixes["fixes"][0]["who"], "Dee (customer)", "{fixes:#}");
    assert_eq!(fixes["fixes"][1]["kind"], "map-value", "{fixes:#}");
    assert_eq!(fixes["sourceSha256"], run["file_sha256"], "{fixes:#}");

    // The plan follows the data: the vendor's import task waits on its review, on both sides.
    let (_, portal) = customer.get("/portal").await;
    assert!(portal.contains("awaiting vendor review"), "{portal}");
    let member = Web::new(&app);
    member.login("dana@vendor.test").await;
    let (_, page) = member.get(&format!("/projects/{}", dp.id)).await;
    assert!(page.contains("awaiting vendor review"), "{page}");

    // The vendor sees the run and completes the import task with it (R5).
    let (s, page) = member.get(&format!("/projects/{}/data", dp.id)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Dee (customer)"), "{page}");
    let csrf = csrf_of(&page);
    let run_id = run["id"].as_u64().unwrap().to_string();
    let r = member
        .post(
            &format!("/projects/{}/actions/complete_task", dp.id),
            &[
                ("csrf", &csrf),
                ("task", &dp.import_task.to_string()),
                ("proof_import", &run_id),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let v = m.project(&dp.id).await;
    let t = common::task_json(&v, dp.import_task);
    assert_eq!(t["status"]["state"], "done", "{t:#}");
    assert_eq!(t["status"]["proof"]["value"], run_id, "{t:#}");
    let (_, page) = member.get(&format!("/projects/{}", dp.id)).await;
    assert!(!page.contains("awaiting vendor review"), "{page}");
}

#[tokio::test]
async fn a_member_adds_a_data_map_only_when_its_file_is_a_data_map() {
    let app = spawn(Backend::Sqlite, "data_add_map").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let dp = data_project(&m, "Haulers Ltd").await;
    let member = Web::new(&app);
    member.login("dana@vendor.test").await;
    let path = format!("/projects/{}/data", dp.id);
    let csrf = member.csrf(&path).await;
    let send = |body: &'static str, name: &'static str| {
        let form = Form::new()
            .text("csrf", csrf.clone())
            .text("_form", "add_map")
            .text("name", name)
            .text("task", dp.import_task.to_string())
            .part(
                "map_file",
                Part::bytes(body.as_bytes().to_vec()).file_name("orders.map.json"),
            );
        member
            .http
            .post(format!("{}{path}/maps", member.base))
            .multipart(form)
            .send()
    };
    let r = send(r#"{"fields": [{"name": "x", "type": "strnig"}]}"#, "Orders")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("the data map is wrong at"), "{page}");
    assert!(
        page.contains("value=\"Orders\""),
        "the name typed is kept: {page}"
    );
    let v = m.project(&dp.id).await;
    assert_eq!(v["project"]["data_maps"].as_array().unwrap().len(), 1);

    let r = send(common::data_import::MAP, "Orders").await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let v = m.project(&dp.id).await;
    assert_eq!(v["project"]["data_maps"][1]["name"], "Orders");
    assert_eq!(v["project"]["data_maps"][1]["task"], dp.import_task);
}

/// With many flagged rows and many fixes, the page stays short and says what helps: a bulk fix
/// only where one applies, the latest fixes listed, Submit in a bar that stays in view.
#[tokio::test]
async fn a_long_report_says_what_helps_and_keeps_submit_in_reach() {
    let PortalData {
        app,
        m: _m,
        dp,
        customer,
        csrf,
        base,
    } = portal_data("data_long_report").await;
    // Eight different bad emails and eight rows of an unknown plan.
    let mut csv = String::from("Account Name,Contact Email,Country,Plan\n");
    for i in 0..8 {
        csv.push_str(&format!("Account {i},person{i}@nowhere,US,Gold\n"));
    }
    portal_upload(&customer, &csrf, &base, "accounts.csv", csv).await;
    let (_, page) = customer.get("/portal/data").await;
    // The bad emails differ row by row: the way to them all is the grid of flagged rows.
    assert!(
        page.contains("rows?rule=pattern\">See and decide all 8</a>"),
        "{page}"
    );
    assert!(page.contains("0 of 16 flagged items decided."), "{page}");
    assert_eq!(
        page.matches("A bulk fix below changes them all at once")
            .count(),
        1,
        "one unknown plan, mapped once: {page}"
    );
    assert!(page.contains("submit-bar"), "{page}");
    // Customers read the words; the vendor also sees the engine's rule name.
    assert!(!page.contains(">pattern</code>"), "{page}");
    let member = Web::new(&app);
    member.login("dana@vendor.test").await;
    let (_, vendor_page) = member.get(&format!("/projects/{}/data", dp.id)).await;
    assert!(
        vendor_page.contains("<code class=\"small muted\">pattern</code>"),
        "{vendor_page}"
    );
    for i in 0..25 {
        let value = format!("person{i}@fixed.example");
        fix_email(
            &customer,
            &csrf,
            &base,
            2 + i % 8,
            &value,
            &format!("fix number {i}"),
        )
        .await;
    }
    let (_, page) = customer.get("/portal/data").await;
    assert!(page.contains("Fixes so far (25)"), "{page}");
    assert!(page.contains("fix number 24"), "the latest is listed");
    assert!(!page.contains("fix number 4<"), "the earliest is not");
    assert!(
        page.contains("The latest 20 are listed; all 25 are kept"),
        "{page}"
    );
}

/// The issues page is bounded whatever the file and the number of fixes: a few examples per
/// rule, the latest fixes, so a 2,000-row file with every kind of issue and a hundred fixes
/// stays under 100 KB and 1,500 elements.
#[tokio::test]
async fn the_issues_page_stays_light_with_a_big_messy_file_and_many_fixes() {
    let PortalData {
        app: _app,
        m: _m,
        dp: _dp,
        customer,
        csrf,
        base,
    } = portal_data("data_page_weight").await;
    let mut csv = String::from("Account Name,Contact Email,Country,Plan\n");
    for i in 0..2000 {
        // Bad emails, unknown countries, unknown plans, blanks and near-duplicates, all distinct.
        let name = if i % 7 == 0 {
            format!("Account {} Ltd", i - i % 14)
        } else {
            format!("Account {i}")
        };
        let email = if i % 2 == 0 {
            format!("p{i}@nowhere")
        } else {
            format!("p{i}@example.com")
        };
        let country = match i % 5 {
            0 => format!("Land {i}"),
            1 => String::new(),
            _ => "US".into(),
        };
        let plan = if i % 3 == 0 {
            format!("Plan {i}")
        } else {
            "Team".into()
        };
        csv.push_str(&format!("{name},{email},{country},{plan}\n"));
    }
    portal_upload(&customer, &csrf, &base, "big.csv", csv).await;
    for i in 0..100 {
        let value = format!("p{}@fixed.example", 2 * i);
        fix_email(&customer, &csrf, &base, 2 + 2 * i, &value, "typo").await;
    }
    let (s, page) = customer.get("/portal/data").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Fixes so far (100)"), "{page}");
    // The whole file was checked and every kind of issue is on the page.
    assert!(page.contains(": 2000 rows."), "{page}");
    for kind in [
        "Not in the expected format",
        "Unknown country",
        "Missing value",
        "Not one of the allowed values",
        "Possible duplicate",
    ] {
        assert!(page.contains(kind), "{kind}: {page}");
    }
    let elements = page.matches('<').count() - page.matches("</").count();
    eprintln!("issues page: {} bytes, {elements} elements", page.len());
    assert!(page.len() < 100 * 1024, "{} bytes", page.len());
    assert!(elements < 1500, "{elements} elements");
}
