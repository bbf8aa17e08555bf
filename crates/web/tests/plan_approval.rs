//! The customer approves the plan in the portal, over HTTP against the real server: the decision
//! maker approves, the activity log records it, a moved customer date shows as a difference on
//! both sides and asks again, and approving again clears it. Nobody else may approve: not another
//! customer person in the portal, not a vendor member through the API.
#![allow(clippy::unwrap_used)]

mod common;

use common::data_import::invitation;
use common::data_import::join;
use common::web::{csrf_of, Web};
use common::{handoff, person, spawn, task, task_json, Backend, MemberClient};
use reqwest::header::LOCATION;
use reqwest::StatusCode;
use serde_json::{json, Value};

struct Setup {
    id: String,
    dee: u64,
    casey: u64,
    sample: u64,
}

/// A light-touch project with a customer owner, a customer decision maker, a finish line, scope
/// and a launch date.
async fn project(m: &MemberClient) -> Setup {
    let mut h = handoff("Haulers Ltd");
    h["playbook"] = json!("light-touch-30");
    h["promises"] = json!([]);
    let (s, v) = m.post("/api/v1/projects", h).await;
    assert_eq!(s, StatusCode::CREATED, "{v:#}");
    let id = v["project"]["id"].as_str().unwrap().to_string();
    m.ok(&id, json!({"action": "add_person", "name": "Casey", "email": "casey@customer.test", "side": "customer", "role": "customer_owner"})).await;
    m.ok(&id, json!({"action": "add_person", "name": "Dee", "email": "dee@customer.test", "side": "customer", "role": "decision_maker"})).await;
    m.ok(&id, json!({"action": "set_finish_line", "text": "Dispatchers log incoming loads every morning and confirm status by noon, every day for two weeks."})).await;
    m.ok(&id, json!({"action": "add_scope_item", "text": "Dispatch board for two depots", "bucket": "in"})).await;
    m.ok(
        &id,
        json!({"action": "add_scope_item", "text": "Custom roles", "bucket": "out"}),
    )
    .await;
    let v = m
        .ok(
            &id,
            json!({"action": "set_launch_date", "date": "2026-04-01"}),
        )
        .await;
    assert_eq!(
        v["project"]["plan_approvals"],
        json!([]),
        "the project JSON shows no approval yet"
    );
    Setup {
        sample: task(&v, "sample-data"),
        dee: person(&v, "Dee"),
        casey: person(&v, "Casey"),
        id,
    }
}

/// Posts the approval form as the portal page shows it (its CSRF token and plan version).
async fn approve_from_page(customer: &Web, page: &str) -> reqwest::Response {
    let version = hidden(page, "plan_version");
    customer
        .post(
            "/portal/actions/approve_plan",
            &[
                ("csrf", &csrf_of(page)),
                ("_form", "approve_plan"),
                ("plan_version", &version),
            ],
        )
        .await
}

fn hidden(html: &str, name: &str) -> String {
    let needle = format!("name=\"{name}\" value=\"");
    let at = html
        .find(&needle)
        .unwrap_or_else(|| panic!("no {name} field in {html}"))
        + needle.len();
    html[at..].split('"').next().unwrap().to_string()
}

/// The portal's approval section only.
fn section(page: &str) -> &str {
    let start = page
        .find("id=\"plan-approval\"")
        .expect("the approval section");
    let end = page[start..]
        .find("</section>")
        .map_or(page.len(), |e| start + e);
    &page[start..end]
}

/// A date as the approval sections show it.
fn t(date: &str) -> String {
    format!("<time datetime=\"{date}\">{date}</time>")
}

fn approvals(view: &Value) -> Vec<Value> {
    view["project"]["plan_approvals"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn the_decision_maker_approves_the_plan_in_the_portal_and_again_after_a_customer_date_moves()
{
    let app = spawn(Backend::Sqlite, "plan_approval").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let s = project(&m).await;
    let dee = join(&app, &invitation(&app, &m, &s.id, s.dee).await).await;

    // Before: the decision maker is asked, with the plan in front of them.
    let (status, page) = dee.get("/portal").await;
    assert_eq!(status, StatusCode::OK);
    let sec = section(&page);
    assert!(sec.contains("The plan has not been approved yet"), "{sec}");
    assert!(
        sec.contains("Send a real sample of the data"),
        "their task: {sec}"
    );
    assert!(
        sec.contains("Set up the account with the real sample"),
        "a vendor milestone: {sec}"
    );
    assert!(
        sec.contains("Custom roles") && sec.contains("Not included"),
        "{sec}"
    );
    assert!(sec.contains("2026-04-01"), "the launch date: {sec}");
    assert!(sec.contains("Approve this plan"), "{sec}");
    let approved_version = hidden(&page, "plan_version");

    // Approve.
    app.clock.advance(chrono::Duration::days(1));
    let r = approve_from_page(&dee, &page).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/portal");
    let (_, page) = dee.get("/portal").await;
    let sec = section(&page);
    assert!(
        sec.contains(&format!(
            "You approved this plan on <strong>{}</strong>. Nothing has changed since.",
            t("2026-03-03")
        )),
        "{sec}"
    );
    assert!(!sec.contains("Approve this plan"), "{sec}");

    // Recorded: the approval with the version approved, and the activity.
    let v = m.project(&s.id).await;
    let a = approvals(&v);
    assert_eq!(a.len(), 1, "{:#}", v["project"]["plan_approvals"]);
    assert_eq!(a[0]["by"], s.dee);
    assert_eq!(a[0]["by_name"], "Dee");
    assert_eq!(a[0]["plan"]["launch_date"], "2026-04-01");
    let sample_due = task_json(&v, s.sample)["due"].as_str().unwrap().to_string();
    assert!(a[0]["plan"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == s.sample && t["due"] == sample_due.as_str() && t["customer"] == true));
    let (status, log) = m.get(&format!("/api/v1/projects/{}/activity", s.id)).await;
    assert_eq!(status, StatusCode::OK);
    let approved: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["kind"] == "plan.approved")
        .collect();
    assert_eq!(approved.len(), 1, "{log:#}");
    assert_eq!(approved[0]["actor"], "Dee (customer)");
    assert!(approved[0]["summary"]
        .as_str()
        .unwrap()
        .starts_with("Plan approved by Dee"));

    // The vendor moves the customer's task on its page.
    let vendor = Web::new(&app);
    vendor.login("dana@vendor.test").await;
    let csrf = vendor.csrf(&format!("/projects/{}", s.id)).await;
    let (status, body) = vendor
        .act(
            &s.id,
            &csrf,
            "rebaseline_task",
            &[
                ("task", &s.sample.to_string()),
                ("due", "2026-03-14"),
                ("reason", "the customer's IT team is away that week"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

    // Both sides see the difference; the decision maker is asked again.
    let (_, project_page) = vendor.get(&format!("/projects/{}", s.id)).await;
    let panel = section(&project_page);
    assert!(
        panel.contains("Waiting for the customer&#39;s approval again")
            || panel.contains("Waiting for the customer's approval again"),
        "{panel}"
    );
    assert!(
        panel.contains(&format!("<del>{}</del>", t(&sample_due)))
            && panel.contains(&format!("<ins>{}</ins>", t("2026-03-14"))),
        "{panel}"
    );
    assert!(panel.contains("asked again"), "{panel}");
    let (_, page) = dee.get("/portal").await;
    let sec = section(&page);
    assert!(sec.contains("Since then, 1 thing has changed"), "{sec}");
    assert!(sec.contains("Send a real sample of the data"), "{sec}");
    assert!(
        sec.contains(&format!(
            "<del>{}</del> → <ins>{}</ins>",
            t(&sample_due),
            t("2026-03-14")
        )),
        "{sec}"
    );
    assert!(sec.contains("needs your approval"), "{sec}");
    assert!(sec.contains("Approve the changes"), "{sec}");

    // Another customer person sees the same difference and who approves, without the form.
    let casey = join(&app, &invitation(&app, &m, &s.id, s.casey).await).await;
    let (_, casey_page) = casey.get("/portal").await;
    let sec = section(&casey_page);
    assert!(
        sec.contains("<del>") && sec.contains("needs approval"),
        "{sec}"
    );
    assert!(
        sec.contains("<strong>Dee</strong>, your decision maker, approves it here."),
        "{sec}"
    );
    assert!(!sec.contains("Approve the changes"), "{sec}");

    // A form showing the plan before the change (kept open in another tab) does not approve
    // what it did not show: its plan version is the one approved before.
    assert_ne!(approved_version, hidden(&page, "plan_version"));
    let r = dee
        .post(
            "/portal/actions/approve_plan",
            &[
                ("csrf", &csrf_of(&page)),
                ("_form", "approve_plan"),
                ("plan_version", &approved_version),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("the plan changed while you were reading it"),
        "{body}"
    );
    assert_eq!(approvals(&m.project(&s.id).await).len(), 1);

    // Approve the changes.
    app.clock.advance(chrono::Duration::days(1));
    let r = approve_from_page(&dee, &page).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = dee.get("/portal").await;
    let sec = section(&page);
    assert!(
        sec.contains(&format!(
            "You approved this plan on <strong>{}</strong>. Nothing has changed since.",
            t("2026-03-04")
        )),
        "{sec}"
    );
    let v = m.project(&s.id).await;
    assert_eq!(approvals(&v).len(), 2);
    let (_, project_page) = vendor.get(&format!("/projects/{}", s.id)).await;
    let panel = section(&project_page);
    assert!(
        panel.contains(&format!(
            "Approved</strong> by Dee on {}; unchanged since.",
            t("2026-03-04")
        )),
        "{panel}"
    );
    let (_, log) = m.get(&format!("/api/v1/projects/{}/activity", s.id)).await;
    let last = log
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|x| x["kind"] == "plan.approved")
        .unwrap();
    assert!(
        last["summary"]
            .as_str()
            .unwrap()
            .contains("approved again by Dee"),
        "{last:#}"
    );
}

#[tokio::test]
async fn only_the_customer_decision_maker_approves_the_plan() {
    let app = spawn(Backend::Sqlite, "plan_approval_refusals")
        .await
        .unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let s = project(&m).await;

    // The customer owner, in the portal: no form, and a forged post is refused.
    let casey = join(&app, &invitation(&app, &m, &s.id, s.casey).await).await;
    let (_, page) = casey.get("/portal").await;
    let sec = section(&page);
    assert!(
        sec.contains("<strong>Dee</strong>, your decision maker, approves it here."),
        "{sec}"
    );
    assert!(!sec.contains("Approve this plan"), "{sec}");
    let r = casey
        .post(
            "/portal/actions/approve_plan",
            &[("csrf", &csrf_of(&page)), ("_form", "approve_plan")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("only your decision maker can answer this"),
        "{body}"
    );
    // Without a CSRF token, not even considered.
    let r = casey
        .post("/portal/actions/approve_plan", &[("_form", "approve_plan")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // A vendor member through the API: a 422 problem naming why.
    let problem = m
        .refused(
            &s.id,
            json!({"action": "approve_plan"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(problem["rule"], "plan approval", "{problem:#}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("the vendor cannot approve on the customer's behalf"),
        "{detail}"
    );
    // A vendor member on the project page's action route: refused the same way.
    let vendor = Web::new(&app);
    vendor.login("dana@vendor.test").await;
    let csrf = vendor.csrf(&format!("/projects/{}", s.id)).await;
    let (status, body) = vendor.act(&s.id, &csrf, "approve_plan", &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("only the customer&#39;s decision maker approves the plan")
            || body.contains("only the customer's decision maker approves the plan"),
        "{body}"
    );
    // The vendor's panel says who approves.
    let (_, project_page) = vendor.get(&format!("/projects/{}", s.id)).await;
    let panel = section(&project_page);
    assert!(
        panel.contains("Not approved yet.") && panel.contains("Dee, the customer"),
        "{panel}"
    );

    // Nothing was recorded.
    let v = m.project(&s.id).await;
    assert!(approvals(&v).is_empty());
    let (_, log) = m.get(&format!("/api/v1/projects/{}/activity", s.id)).await;
    assert!(log
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["kind"] != "plan.approved"));
}
