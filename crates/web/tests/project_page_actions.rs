//! The project's actions that are not about one task, from the project page or the pages it links
//! to: criteria measured and accepted (R11), the early win, scope moved, roles and help contacts,
//! intake answers and samples, the sales realignment loop, pause, resume and cancel, and the
//! retrospective (R13). Each is done through its form, and a refusal is shown next to the form
//! with what was typed.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use chrono::Duration;
use common::web::{csrf_of, Web};
use common::{handoff, person, spawn, Backend, MemberClient, TestApp};
use finishline_core::lifecycle::Stage;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A project with people on both sides, a criterion, a scope item and a data source.
async fn project(m: &MemberClient) -> (String, Value) {
    let (s, v) = m.post("/api/v1/projects", handoff("Haulers Ltd")).await;
    assert_eq!(s, StatusCode::CREATED, "{v:#}");
    let id = v["project"]["id"].as_str().unwrap().to_string();
    for (name, side, role) in [
        ("Casey", "customer", "customer_owner"),
        ("Dee", "customer", "decision_maker"),
        ("Vic", "vendor", "decision_maker"),
    ] {
        m.ok(&id, json!({"action": "add_person", "name": name, "email": format!("{}@{side}.test", name.to_lowercase()), "side": side, "role": role})).await;
    }
    m.ok(&id, json!({"action": "add_criterion", "metric": "loads logged by noon", "target": 95, "unit": "%", "how_measured": "manager view export"})).await;
    m.ok(
        &id,
        json!({"action": "add_scope_item", "text": "night shift roster", "bucket": "in"}),
    )
    .await;
    m.ok(&id, json!({"action": "add_data_source", "name": "Loads spreadsheet", "system": "Excel", "sample": "requested"})).await;
    let v = m.project(&id).await;
    (id, v)
}

async fn signed_in(app: &TestApp) -> Web {
    let web = Web::new(app);
    web.login("dana@vendor.test").await;
    web
}

fn form_of(page: &str, id: &str, action: &str) -> bool {
    page.contains(&format!("action=\"/projects/{id}/actions/{action}\""))
}

/// A link from the project page to an occasional action's own page.
fn link_to(page: &str, id: &str, action: &str) -> bool {
    page.contains(&format!("href=\"/projects/{id}/forms/{action}\""))
}

/// Opens an occasional action's page and checks it holds the action's form.
async fn form_page(web: &Web, id: &str, action: &str) -> String {
    let (s, page) = web.get(&format!("/projects/{id}/forms/{action}")).await;
    assert_eq!(s, StatusCode::OK, "{action}: {page}");
    assert!(form_of(&page, id, action), "{action}: {page}");
    page
}

#[tokio::test]
async fn criteria_scope_people_and_samples_are_changed_from_the_project_page() {
    let app = spawn(Backend::Sqlite, "ui_more_actions").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let (id, v) = project(&m).await;
    let web = signed_in(&app).await;
    let (s, page) = web.get(&format!("/projects/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    for action in [
        "measure_criterion",
        "accept_criterion",
        "move_scope_item",
        "change_role",
        "set_help_contact",
        "set_sample_state",
        "realign_with_sales",
        "pause",
        "cancel",
    ] {
        assert!(link_to(&page, &id, action), "a link to {action}");
        form_page(&web, &id, action).await;
    }
    assert!(
        !form_of(&page, &id, "add_retro_item") && !form_of(&page, &id, "record_adoption"),
        "the retrospective and adoption come after go-live"
    );
    let csrf = csrf_of(&page);
    let criterion = v["project"]["criteria"][0]["id"].to_string();
    let (casey, dee, vic) = (
        person(&v, "Casey").to_string(),
        person(&v, "Dee").to_string(),
        person(&v, "Vic").to_string(),
    );

    // A measurement that is not a number is refused next to its field, keeping the input.
    let (s, body) = web
        .act(
            &id,
            &csrf,
            "measure_criterion",
            &[("criterion", &criterion), ("value", "most of them")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("is not a number") && body.contains("value=\"most of them\""),
        "{body}"
    );
    assert_eq!(
        body.matches("Not done: ").count(),
        1,
        "said once, by its form"
    );
    assert!(
        body.contains("<h1>Record a measurement</h1>"),
        "on the action's own page"
    );
    let (s, _) = web
        .act(
            &id,
            &csrf,
            "measure_criterion",
            &[("criterion", &criterion), ("value", "91.5")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = web.get(&format!("/projects/{id}")).await;
    assert!(
        page.contains("measured 91.5") && page.contains("not met"),
        "{page}"
    );

    // R11: only the customer's decision maker accepts a criterion that was not met.
    let (s, body) = web
        .act(
            &id,
            &csrf,
            "accept_criterion",
            &[
                ("criterion", &criterion),
                ("by", &vic),
                ("reason", "close enough"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("only the customer&#x27;s decision maker")
            || body.contains("only the customer's decision maker"),
        "{body}"
    );
    assert!(body.contains("value=\"close enough\""), "{body}");
    let (s, _) = web
        .act(
            &id,
            &csrf,
            "accept_criterion",
            &[
                ("criterion", &criterion),
                ("by", &dee),
                (
                    "reason",
                    "the last 3.5% are weekend loads, logged on Monday",
                ),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = web.get(&format!("/projects/{id}")).await;
    assert!(page.contains("accepted by Dee"), "{page}");

    // Scope, roles, help contacts and samples, each read back through the API.
    let item = v["project"]["scope"][0]["id"].to_string();
    let source = v["project"]["data_sources"][0]["id"].to_string();
    for (action, fields) in [
        (
            "move_scope_item",
            vec![("item", item.as_str()), ("bucket", "later")],
        ),
        (
            "change_role",
            vec![("person", casey.as_str()), ("role", "backup_contact")],
        ),
        (
            "set_help_contact",
            vec![("person", casey.as_str()), ("help_contact", vic.as_str())],
        ),
        (
            "set_sample_state",
            vec![("source", source.as_str()), ("sample", "received")],
        ),
    ] {
        let (s, body) = web.act(&id, &csrf, action, &fields).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{action}: {body}");
    }
    let v = m.project(&id).await;
    assert_eq!(v["project"]["scope"][0]["bucket"], "later");
    let casey_now = v["project"]["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Casey")
        .unwrap()
        .clone();
    assert_eq!(casey_now["role"], "backup_contact");
    assert_eq!(casey_now["help_contact"].to_string(), vic);
    assert_eq!(v["project"]["data_sources"][0]["sample"], "received");

    // A choice that is not one of the form's is refused, not a 500.
    let (s, body) = web
        .act(
            &id,
            &csrf,
            "move_scope_item",
            &[("item", &item), ("bucket", "sideways")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn the_project_is_realigned_paused_resumed_and_cancelled_from_its_page() {
    let app = spawn(Backend::Sqlite, "ui_pause").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let (id, _) = project(&m).await;
    m.ok(&id, json!({"action": "advance_stage", "to": "assign"}))
        .await;
    let web = signed_in(&app).await;
    let csrf = web.csrf(&format!("/projects/{id}")).await;

    // The sales realignment loop needs a reason; it takes the project back to handoff.
    let (s, body) = web
        .act(&id, &csrf, "realign_with_sales", &[("reason", "")])
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("What needs realigning is required"), "{body}");
    let (s, _) = web
        .act(
            &id,
            &csrf,
            "realign_with_sales",
            &[("reason", "the SAP connector was sold as standard")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let v = m.project(&id).await;
    assert_eq!(v["project"]["stage"], "handoff");
    assert_eq!(
        v["scorecard"]["loops"]["sales_realign"], 1,
        "{:#}",
        v["scorecard"]
    );

    // Pause needs a reason; a paused project offers resume and cancel, and nothing else moves.
    let (s, body) = web.act(&id, &csrf, "pause", &[("reason", "")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Why it is paused is required"), "{body}");
    let (s, _) = web
        .act(
            &id,
            &csrf,
            "pause",
            &[("reason", "customer re-org until April")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = web.get(&format!("/projects/{id}")).await;
    assert!(form_of(&page, &id, "resume") && link_to(&page, &id, "cancel"));
    assert!(!link_to(&page, &id, "pause"), "{page}");
    let (s, body) = web.get(&format!("/projects/{id}/forms/pause")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a paused project offers no pause");
    assert!(
        body.contains("“Pause the project” is not offered for Haulers Ltd while it is paused"),
        "{body}"
    );
    let (s, body) = web
        .act(&id, &csrf, "set_next_meeting", &[("date", "2026-04-02")])
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("paused: resume it first"), "{body}");
    assert_eq!(
        body.matches("Not done: ").count(),
        1,
        "a form the page does not offer is answered at the top"
    );
    let (s, _) = web.act(&id, &csrf, "resume", &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(m.project(&id).await["project"]["stage"], "handoff");

    let (s, _) = web
        .act(
            &id,
            &csrf,
            "cancel",
            &[("reason", "the customer bought another tool")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = web.get(&format!("/projects/{id}")).await;
    assert!(!link_to(&page, &id, "pause") && !link_to(&page, &id, "cancel"));
    let (s, _) = web.get(&format!("/projects/{id}/forms/cancel")).await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "a cancelled project offers no cancel"
    );
    assert_eq!(m.project(&id).await["project"]["stage"], "cancelled");
}

/// Puts a project in hypercare, live since yesterday, straight in the store: the gates that lead
/// there are the lifecycle test's subject, not this one's.
async fn live(app: &TestApp, m: &MemberClient, id: &str) {
    let ws = &m.workspace.id;
    let (mut p, version) = app.store.project(ws, id).await.unwrap().unwrap();
    let now = app.clock_now();
    p.stage = Stage::Hypercare;
    p.live_on = Some((now - Duration::days(1)).date_naive());
    app.store
        .save_project(ws, &p, version, &[], now)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_retrospective_is_kept_after_go_live_and_rollout_fixes_promoted() {
    let app = spawn(Backend::Sqlite, "ui_retro").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let (id, _) = project(&m).await;
    let web = signed_in(&app).await;
    let csrf = web.csrf(&format!("/projects/{id}")).await;

    // Before go-live the core refuses, and the page says why.
    let (s, body) = web
        .act(
            &id,
            &csrf,
            "add_retro_item",
            &[
                ("text", "too early"),
                ("kind", "took_longer"),
                ("bucket", "rollout_work"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("the retrospective comes after go-live"),
        "{body}"
    );

    live(&app, &m, &id).await;
    let (_, page) = web.get(&format!("/projects/{id}")).await;
    assert!(page.contains("Retrospective") && form_of(&page, &id, "add_retro_item"));
    assert!(
        !link_to(&page, &id, "mark_retro_promoted"),
        "nothing to promote yet"
    );
    let (s, _) = web
        .get(&format!("/projects/{id}/forms/mark_retro_promoted"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "no form for what cannot be done");
    let (s, body) = web
        .act(
            &id,
            &csrf,
            "add_retro_item",
            &[
                ("text", "The CSV export request template was unclear"),
                ("kind", ""),
                ("bucket", "rollout_work"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("choose the kind")
            && body.contains("value=\"The CSV export request template was unclear\""),
        "{body}"
    );
    for (text, kind, bucket) in [
        (
            "The CSV export request template was unclear",
            "took_longer",
            "rollout_work",
        ),
        (
            "Recurring appointments cannot be moved in bulk",
            "only_annoyed",
            "product_work",
        ),
    ] {
        let (s, body) = web
            .act(
                &id,
                &csrf,
                "add_retro_item",
                &[("text", text), ("kind", kind), ("bucket", bucket)],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    }
    let v = m.project(&id).await;
    let items = v["project"]["retro"].as_array().unwrap();
    let (rollout, product) = (items[0]["id"].to_string(), items[1]["id"].to_string());
    let (_, page) = web.get(&format!("/projects/{id}")).await;
    assert!(
        page.contains("Rollout work")
            && page.contains("took longer than expected")
            && page.contains("Recurring appointments cannot be moved in bulk"),
        "{page}"
    );

    // R13: product work is not promoted into a playbook; a rollout fix is.
    let (s, body) = web
        .act(
            &id,
            &csrf,
            "mark_retro_promoted",
            &[("item", &product), ("playbook", "Light-touch 30 days v2")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("product work goes to the product team"),
        "{body}"
    );
    let (s, _) = web
        .act(
            &id,
            &csrf,
            "mark_retro_promoted",
            &[("item", &rollout), ("playbook", "Light-touch 30 days v2")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = web.get(&format!("/projects/{id}")).await;
    assert!(
        page.contains("in playbook Light-touch 30 days v2"),
        "{page}"
    );
    assert!(
        link_to(&page, &id, "pause") && form_of(&page, &id, "add_retro_item"),
        "{page}"
    );
}

#[tokio::test]
async fn the_kickoff_and_go_live_items_are_settled_from_the_project_page() {
    let app = spawn(Backend::Sqlite, "ui_gate_items").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let (id, v) = project(&m).await;
    let casey = person(&v, "Casey");
    m.ok(&id, json!({"action": "add_intake_request", "kind": "deadlines", "question": "Which date must the first dispatcher go live by?", "owner": casey, "due": "2026-03-06"})).await;
    let web = signed_in(&app).await;
    let (_, page) = web.get(&format!("/projects/{id}")).await;
    for action in [
        "set_next_meeting",
        "confirm_nothing_excluded",
        "confirm_no_known_risks",
    ] {
        assert!(form_of(&page, &id, action), "a form for {action}");
    }
    for action in ["set_early_win", "answer_intake"] {
        assert!(link_to(&page, &id, action), "a link to {action}");
        form_page(&web, &id, action).await;
    }
    let csrf = csrf_of(&page);
    let criterion = v["project"]["criteria"][0]["id"].to_string();

    let (s, body) = web
        .act(&id, &csrf, "set_next_meeting", &[("date", "next week")])
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("is not a date") && body.contains("value=\"next week\""),
        "{body}"
    );
    let (s, body) = web
        .act(
            &id,
            &csrf,
            "answer_intake",
            &[("request", "1"), ("answer", "")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Answer is required"), "{body}");

    let request = m.project(&id).await["project"]["intake"][0]["id"].to_string();
    for (action, fields) in [
        ("set_next_meeting", vec![("date", "2026-03-09")]),
        ("set_early_win", vec![("criterion", criterion.as_str())]),
        ("confirm_nothing_excluded", vec![]),
        ("confirm_no_known_risks", vec![]),
        (
            "answer_intake",
            vec![
                ("request", request.as_str()),
                ("answer", "1 April, before the spring peak"),
            ],
        ),
    ] {
        let (s, body) = web.act(&id, &csrf, action, &fields).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{action}: {body}");
    }
    let v = m.project(&id).await;
    let p = &v["project"];
    assert_eq!(p["next_meeting"], "2026-03-09");
    assert_eq!(p["early_win"].to_string(), criterion);
    assert_eq!(p["nothing_excluded_confirmed"], true);
    assert_eq!(p["no_known_risks"], true);
    assert_eq!(p["intake"][0]["answer"], "1 April, before the spring peak");
    let (_, page) = web.get(&format!("/projects/{id}")).await;
    assert!(
        page.contains("Nothing excluded (confirmed)")
            && page.contains("None known (stated)")
            && page.contains("answered: 1 April")
            && page.contains("2026-03-09"),
        "{page}"
    );
    assert!(
        !form_of(&page, &id, "confirm_nothing_excluded") && !link_to(&page, &id, "answer_intake"),
        "settled items offer nothing more"
    );
    // With every request answered the form's page is gone; a post for a request that does not
    // exist is refused at the top of the project page, and an unknown action has no page.
    let (s, _) = web
        .get(&format!("/projects/{id}/forms/answer_intake"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, body) = web
        .act(
            &id,
            &csrf,
            "answer_intake",
            &[("request", "999"), ("answer", "again")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("intake request 999 was not found")
            && body.contains("Nothing excluded (confirmed)"),
        "{body}"
    );
    for bad in ["drop_tables", "add_task", "..%2F..%2Fsettings"] {
        let (s, _) = web.get(&format!("/projects/{id}/forms/{bad}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{bad}");
    }
}
