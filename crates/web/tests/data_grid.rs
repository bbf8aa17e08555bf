//! The grid of flagged rows over HTTP: every flagged row reachable (paged, filtered, searched),
//! one decision over a whole filter (exclude, accept, set, take suggestions, transform, merge
//! duplicates), a cell edited in place, the counter of decided items, a transform's preview
//! that changes nothing, refusals that say which field is wrong, a page bounded whatever the
//! file, and no way in for anyone but the project's customer and its workspace.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use common::data_import::{portal_data, portal_upload, PortalData};
use common::web::Web;
use reqwest::header::LOCATION;
use reqwest::StatusCode;

/// Every other email without a domain ending (one in fifty a gmail address missing its ".com"), a fifth of the
/// countries unknown or blank, a third of the plans unknown, a near-duplicate every 7 rows.
fn messy(rows: usize) -> String {
    let mut csv = String::from("Account Name,Contact Email,Country,Plan\n");
    for i in 0..rows {
        let name = if i % 7 == 0 && i > 0 {
            format!("ACCOUNT {} ltd", i - 1)
        } else {
            format!("Account {i} Ltd")
        };
        let email = match i % 50 {
            1 => format!("p{i}@gmail"),
            _ if i % 2 == 0 => format!("p{i}@nowhere"),
            _ => format!("p{i}@example.com"),
        };
        let country = match i % 5 {
            0 => "Atlantis".to_string(),
            1 => String::new(),
            _ => "US".into(),
        };
        let plan = if i % 3 == 0 { "Entreprise" } else { "Team" };
        csv.push_str(&format!("{name},{email},{country},{plan}\n"));
    }
    csv
}

/// Posts a decision from the grid; it is applied and the grid comes back where it was.
async fn decide(customer: &Web, csrf: &str, base: &str, query: &str, form: &[(&str, &str)]) {
    let mut all = vec![("csrf", csrf)];
    all.extend_from_slice(form);
    let r = customer.post(&format!("{base}/decide{query}"), &all).await;
    let status = r.status();
    let to = r
        .headers()
        .get(LOCATION)
        .map(|l| l.to_str().unwrap().to_string());
    let body = r.text().await.unwrap();
    assert_eq!(status, StatusCode::SEE_OTHER, "{form:?}: {body}");
    let to = to.unwrap();
    assert!(to.starts_with(&format!("{base}/rows{query}")), "{to}");
    assert!(
        to.contains("decision="),
        "the decision is offered again: {to}"
    );
}

fn counter(page: &str) -> (u64, u64) {
    let at = page.find(" flagged items decided.").expect("a counter");
    let head = &page[..at];
    let words: Vec<&str> = head.rsplit(['>', ' ']).take(3).collect();
    (words[2].parse().unwrap(), words[0].parse().unwrap())
}

#[tokio::test]
async fn every_flagged_item_is_decided_from_the_grid_in_a_few_decisions_then_submitted() {
    let PortalData {
        app,
        m,
        dp,
        customer,
        csrf,
        base,
    } = portal_data("data_grid_flow").await;
    portal_upload(&customer, &csrf, &base, "big.csv", messy(2000)).await;
    let (_, data_page) = customer.get("/portal/data").await;
    let (decided, total) = counter(&data_page);
    assert_eq!(decided, 0);
    assert!(total > 2000, "{total} flagged items");
    assert!(
        data_page.contains(&format!("href=\"{base}/rows\"")),
        "{data_page}"
    );

    // Every flagged row is there, fifty a page.
    let (s, grid) = customer.get(&format!("{base}/rows")).await;
    assert_eq!(s, StatusCode::OK, "{grid}");
    assert!(grid.contains("Showing rows 1–50 of "), "{grid}");
    assert!(grid.contains("rel=\"next\""), "{grid}");
    let (_, page3) = customer.get(&format!("{base}/rows?page=3")).await;
    assert!(page3.contains("Showing rows 101–150 of "), "{page3}");
    // A search finds one row among thousands.
    let (_, found) = customer
        .get(&format!("{base}/rows?q=p1000%40nowhere"))
        .await;
    assert!(found.contains("1 row(s) match."), "{found}");

    // Duplicates, as groups: all merged at once keeping the first of each
    // (first: an exclusion would take one row of each pair away).
    let (_, groups) = customer
        .get(&format!("{base}/rows?rule=duplicate-key"))
        .await;
    assert!(groups.contains("Showing groups 1–20 of "), "{groups}");
    assert!(
        groups.contains("class=\"diff\""),
        "cells that differ are marked: {groups}"
    );
    decide(
        &customer,
        &csrf,
        &base,
        "?rule=duplicate-key",
        &[
            ("decision", "merge"),
            ("scope", "filter"),
            ("keep", "first"),
        ],
    )
    .await;

    // Typos of a known provider: the suggestions are taken for the whole filter at once.
    decide(
        &customer,
        &csrf,
        &base,
        "?rule=pattern&q=gmail",
        &[("decision", "suggest"), ("scope", "filter")],
    )
    .await;
    let (_, grid) = customer
        .get(&format!("{base}/rows?rule=pattern&q=gmail"))
        .await;
    assert!(
        grid.contains("Nothing flagged matches this filter."),
        "{grid}"
    );
    // The rest of the bad emails are excluded, for the customer to follow up.
    decide(
        &customer,
        &csrf,
        &base,
        "?rule=pattern",
        &[("decision", "exclude"), ("scope", "filter")],
    )
    .await;
    // Unknown plans: the allowed value each is closest to is offered.
    let (_, plans) = customer.get(&format!("{base}/rows?rule=enum")).await;
    assert!(plans.contains("Use Enterprise"), "{plans}");
    // One value set for every row that has one.
    decide(
        &customer,
        &csrf,
        &base,
        "?rule=enum",
        &[
            ("decision", "set"),
            ("scope", "filter"),
            ("set_field", "plan"),
            ("value", "Enterprise"),
        ],
    )
    .await;
    // Unknown and missing countries are fixed by a transform and a value.
    decide(
        &customer,
        &csrf,
        &base,
        "?field=country&q=atlantis",
        &[
            ("decision", "transform"),
            ("scope", "filter"),
            ("set_field", "country"),
            ("op", "replace"),
            ("find", "Atlantis"),
            ("replace", "GB"),
        ],
    )
    .await;
    decide(
        &customer,
        &csrf,
        &base,
        "?field=country",
        &[
            ("decision", "set"),
            ("scope", "filter"),
            ("set_field", "country"),
            ("value", "US"),
        ],
    )
    .await;
    let (_, grid) = customer.get(&format!("{base}/rows")).await;
    assert!(
        grid.contains("Nothing flagged matches this filter."),
        "{grid}"
    );
    let (decided, all) = counter(&grid);
    assert_eq!(decided, all, "{grid}");
    assert_eq!(all, total);
    assert!(grid.contains("excluded"), "{grid}");
    assert!(grid.contains("duplicate(s) merged into them"), "{grid}");

    // Submitted from the grid's bar: the import run keeps every clean row.
    let r = customer
        .post(
            &format!("{base}/submit"),
            &[("csrf", &csrf), ("_form", "submit")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let v = m.project(&dp.id).await;
    let run = &v["project"]["imports"][0];
    assert_eq!(run["errors"], 0, "{run}");
    assert_eq!(run["rows"], 2000, "{run}");
    let _ = app;
}

#[tokio::test]
async fn a_cell_is_fixed_in_place_and_a_suggestion_taken_in_one_click() {
    let PortalData {
        app: _app,
        customer,
        csrf,
        base,
        ..
    } = portal_data("data_grid_cell").await;
    let csv =
        "Account Name,Contact Email,Country,Plan\nAcme,ann@gmail,US,Team\nBeta,bob@,US,Team\n";
    portal_upload(&customer, &csrf, &base, "a.csv", csv.into()).await;
    let (_, grid) = customer.get(&format!("{base}/rows")).await;
    assert!(grid.contains("Use ann@gmail.com"), "{grid}");
    assert!(
        !grid.contains("Use bob@"),
        "no suggestion for a hopeless address: {grid}"
    );
    assert!(
        grid.contains(&format!("action=\"{base}/decide?cell=3:contact_email\"")),
        "{grid}"
    );
    let r = customer
        .post(
            &format!("{base}/decide?cell=2:contact_email"),
            &[("csrf", &csrf), ("value", "ann@gmail.com")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = customer
        .post(
            &format!("{base}/decide?cell=3:contact_email"),
            &[("csrf", &csrf), ("value", "bob@beta.example")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, grid) = customer.get(&format!("{base}/rows")).await;
    assert_eq!(counter(&grid), (2, 2), "{grid}");
    // Both are kept with their reason by default.
    let (_, page) = customer.get("/portal/data").await;
    assert!(page.contains("Fixes so far (2)"), "{page}");
    assert!(page.contains(": corrected"), "{page}");
}

#[tokio::test]
async fn a_preview_changes_nothing_and_bad_decisions_are_refused_field_by_field() {
    let PortalData {
        app: _app,
        customer,
        csrf,
        base,
        ..
    } = portal_data("data_grid_refusals").await;
    portal_upload(&customer, &csrf, &base, "big.csv", messy(200)).await;
    let (_, before) = customer.get(&format!("{base}/rows")).await;
    // A preview: how many cells change, examples, and nothing recorded.
    let r = customer
        .post(
            &format!("{base}/decide?rule=enum"),
            &[
                ("csrf", csrf.as_str()),
                ("decision", "transform"),
                ("scope", "filter"),
                ("set_field", "plan"),
                ("op", "replace"),
                ("find", "Entre"),
                ("replace", "Enter"),
                ("preview", "1"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Preview: </strong>67 of 67 cell(s) would change."),
        "{page}"
    );
    assert!(page.contains("<code>Enterprise</code>"), "{page}");
    let (_, after) = customer.get(&format!("{base}/rows")).await;
    assert_eq!(counter(&before), counter(&after));

    // A transform of every row of the file: previewed over the whole upload, then applied.
    let r = customer
        .post(
            &format!("{base}/decide"),
            &[
                ("csrf", csrf.as_str()),
                ("decision", "transform"),
                ("scope", "all"),
                ("set_field", "account_name"),
                ("op", "upper"),
                ("preview", "1"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Preview: </strong>200 of 200 cell(s) would change."),
        "{page}"
    );
    decide(
        &customer,
        &csrf,
        &base,
        "",
        &[
            ("decision", "transform"),
            ("scope", "all"),
            ("set_field", "account_name"),
            ("op", "upper"),
        ],
    )
    .await;
    let (_, page) = customer.get("/portal/data").await;
    assert!(
        page.contains("<strong>account_name</strong>: upper case<span class=\"muted\"> — Dee (customer): transformed"),
        "{page}"
    );
    let (_, before) = customer.get(&format!("{base}/rows")).await;

    let long = "x".repeat(4_097);
    for (form, says) in [
        (
            vec![
                ("decision", "transform"),
                ("set_field", "plan"),
                ("op", "replace"),
                ("find", "("),
                ("regex", "on"),
            ],
            "not a valid regular expression",
        ),
        (
            vec![("decision", "accept"), ("scope", "filter")],
            "cannot be accepted as they are",
        ),
        (
            vec![("decision", "exclude"), ("scope", "ticked")],
            "choose at least one row",
        ),
        (vec![("decision", "nonsense")], "choose a decision"),
        (
            vec![("decision", "exclude"), ("scope", "all")],
            "every row of the file is for a transform",
        ),
        (
            vec![
                ("decision", "set"),
                ("scope", "filter"),
                ("set_field", "plan"),
                ("value", long.as_str()),
            ],
            "is longer than 4,096 characters",
        ),
        (
            vec![
                ("decision", "transform"),
                ("set_field", "plan"),
                ("op", "replace"),
                ("find", "x*"),
                ("regex", "on"),
            ],
            "matches an empty text",
        ),
        (
            vec![
                ("decision", "split"),
                ("scope", "all"),
                ("set_field", "account_name"),
                ("pattern", "(.+)"),
                ("parts", "nope"),
            ],
            "&quot;nope&quot; is not a column of the data map",
        ),
        (
            vec![
                ("decision", "split"),
                ("scope", "all"),
                ("set_field", "account_name"),
                ("pattern", "(.+)"),
                ("parts", "plan, country"),
            ],
            "1 group(s) in brackets for 2 column(s)",
        ),
        (
            vec![("decision", "set"), ("set_field", "nope")],
            "choose a column of the data map",
        ),
    ] {
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend(form);
        let r = customer
            .post(&format!("{base}/decide?rule=enum"), &all)
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{says}");
        let page = r.text().await.unwrap();
        assert!(page.contains(says), "{says}: {page}");
    }
    // Without the form's token, nothing happens.
    let r = customer
        .post(
            &format!("{base}/decide?rule=enum"),
            &[("decision", "exclude")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (_, after) = customer.get(&format!("{base}/rows")).await;
    assert_eq!(counter(&before), counter(&after));
}

#[tokio::test]
async fn the_grid_is_light_whatever_the_file_and_speaks_plainly_to_customers() {
    let PortalData {
        app,
        m: _m,
        dp,
        customer,
        csrf,
        base,
    } = portal_data("data_grid_weight").await;
    portal_upload(&customer, &csrf, &base, "big.csv", messy(3000)).await;
    for q in [
        "",
        "?rule=duplicate-key",
        "?severity=error&sort=value",
        "?page=40",
    ] {
        let (s, page) = customer.get(&format!("{base}/rows{q}")).await;
        assert_eq!(s, StatusCode::OK);
        let elements = page.matches('<').count() - page.matches("</").count();
        eprintln!("grid{q}: {} bytes, {elements} elements", page.len());
        assert!(page.len() < 100 * 1024, "{q}: {} bytes", page.len());
        assert!(elements < 1500, "{q}: {elements} elements");
        assert!(
            !page.contains("<code class=\"muted\">"),
            "no rule codes for customers: {q}"
        );
    }
    // The vendor sees the engine's rule beside the words; another workspace sees nothing.
    let member = Web::new(&app);
    member.login("dana@vendor.test").await;
    let (s, page) = member
        .get(&format!(
            "/projects/{}/data/{}/rows?rule=enum",
            dp.id, dp.map
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("<code class=\"muted\">enum</code>"), "{page}");
    let _other = app.workspace("Vendor B", "eve@other.test").await;
    let eve = Web::new(&app);
    eve.login("eve@other.test").await;
    let (s, _) = eve
        .get(&format!("/projects/{}/data/{}/rows", dp.id, dp.map))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A page that does not exist, and a map of another project, are not found.
    let (s, _) = customer.get(&format!("{base}/nope")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = customer
        .get(&format!("/portal/data/{}/rows", dp.map + 100))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// Sends a corrected spreadsheet back from the grid; the grid comes back saying what it did.
async fn send_back(
    customer: &Web,
    csrf: &str,
    base: &str,
    name: &str,
    body: Vec<u8>,
    status: StatusCode,
) -> String {
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.to_string())
        .text("_form", "sendback")
        .part(
            "file",
            reqwest::multipart::Part::bytes(body).file_name(name.to_string()),
        );
    let r = customer
        .http
        .post(format!("{}{base}/sendback", customer.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), status);
    r.text().await.unwrap()
}

#[tokio::test]
async fn flagged_rows_go_to_a_spreadsheet_and_come_back_as_fixes_without_overwriting_newer_ones() {
    let PortalData {
        app: _app,
        customer,
        csrf,
        base,
        ..
    } = portal_data("data_grid_roundtrip").await;
    let csv = "Account Name,Contact Email,Country,Plan\nAcme,ann@,US,Team\nBeta,bob@,US,Team\nGamma,cat@,US,=Team\n";
    portal_upload(&customer, &csrf, &base, "a.csv", csv.into()).await;
    let r = customer
        .get_raw(&format!("{base}/flagged.csv?rule=pattern"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("a.flagged.csv"));
    let sheet = r.text().await.unwrap();
    let mut lines: Vec<String> = sheet.lines().map(str::to_string).collect();
    assert!(
        lines[0].starts_with("row#0,account_name,contact_email,country,plan,issues"),
        "{sheet}"
    );
    assert_eq!(lines.len(), 4, "{sheet}");
    assert!(
        lines[3].contains(",'=Team,"),
        "formulas are neutralised: {sheet}"
    );
    let xlsx = customer
        .get_raw(&format!("{base}/flagged.xlsx"))
        .await
        .bytes()
        .await
        .unwrap();
    assert!(xlsx.starts_with(b"PK"), "an xlsx workbook");

    // Meanwhile row 3 is corrected in the grid.
    let r = customer
        .post(
            &format!("{base}/decide?cell=3:contact_email"),
            &[("csrf", &csrf), ("value", "bob@beta.example")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The spreadsheet corrects rows 2 and 3: row 2 is applied, row 3 is a conflict.
    lines[1] = lines[1].replace("ann@,", "ann@acme.example,");
    lines[2] = lines[2].replace("bob@,", "bob@elsewhere.example,");
    let page = send_back(
        &customer,
        &csrf,
        &base,
        "a.flagged.csv",
        lines.join("\n").into_bytes(),
        StatusCode::OK,
    )
    .await;
    assert!(
        page.contains("1 cell(s) corrected from your spreadsheet"),
        "{page}"
    );
    assert!(
        page.contains("1 cell(s) were also changed here since your download"),
        "{page}"
    );
    assert!(
        page.contains("<code>Beta, bob@elsewhere.example, US, Team</code>"),
        "row 3 is no longer flagged: the whole row is shown, not applied: {page}"
    );
    let (_, data_page) = customer.get("/portal/data").await;
    assert!(
        data_page.contains("corrected in the spreadsheet a.flagged.csv"),
        "{data_page}"
    );
    assert!(!data_page.contains("bob@elsewhere"), "the newer fix stands");
    // The formula cell came back as it went and is not a change.
    assert!(!page.contains("=Team</code>"), "{page}");

    // A file that is not a downloaded list is refused with the reason.
    let page = send_back(
        &customer,
        &csrf,
        &base,
        "x.csv",
        b"name,email\nA,b\n".to_vec(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        page.contains("the first column must be the row number"),
        "{page}"
    );
}
