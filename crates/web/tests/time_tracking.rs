//! Time tracking and capacity (issue 17) end to end, on SQLite and PostgreSQL: time logged from
//! the API, every limit refused with the field named, members acting on their own entries only,
//! the timesheet CSV, another workspace seeing nothing; allocations from the plan (kept when
//! edited), capacities and the Team page's over-allocation; the timesheet page and the task
//! page's "Log time" form.
#![allow(clippy::unwrap_used)]

mod common;

use common::web::{csrf_of, Web};
use common::{handoff, parse, spawn, Backend, MemberClient, TestApp};
use finishline_store::UserRole;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn patch(c: &MemberClient, path: &str, body: Value) -> (StatusCode, Value) {
    parse(c.req(Method::PATCH, path).json(&body).send().await.unwrap()).await
}

async fn put(c: &MemberClient, path: &str, body: Value) -> (StatusCode, Value) {
    parse(c.req(Method::PUT, path).json(&body).send().await.unwrap()).await
}

async fn delete(c: &MemberClient, path: &str) -> StatusCode {
    c.req(Method::DELETE, path).send().await.unwrap().status()
}

/// Refused with `status`, naming `field`.
fn names_field(s: StatusCode, v: &Value, status: StatusCode, field: &str) {
    assert_eq!(s, status, "{v:#}");
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .map(|e| e.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default();
    assert!(fields.contains(&field), "expected {field} in {v:#}");
}

/// Dana's workspace (Dana admin, Bo a member) and a light-touch project Dana owns, starting
/// today (Monday 2 March 2026).
async fn setup(app: &TestApp) -> (MemberClient, MemberClient, String, Value) {
    let dana = app.workspace("Vendor", "dana@vendor.test").await;
    let bo = app
        .member(&dana.workspace, "bo@vendor.test", UserRole::Member)
        .await;
    let (s, made) = dana.post("/api/v1/projects", handoff("Harbor")).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let id = made["project"]["id"].as_str().unwrap().to_string();
    let view = dana.project(&id).await;
    (dana, bo, id, view)
}

async fn logging_time_checks_every_limit(backend: Backend, name: &str) {
    let Some(app) = spawn(backend, name).await else {
        return;
    };
    let (dana, bo, id, view) = setup(&app).await;
    let setup_task = common::task(&view, "setup");
    let (s, e) = dana
        .post(
            "/api/v1/time",
            json!({"project_id": id, "task_id": setup_task, "day": "2026-03-02", "hours": 2.5, "note": "tenant set up"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e:#}");
    assert_eq!(e["minutes"], 150);
    assert_eq!(e["stage"], "build", "the task's phase's stage");
    assert_eq!(e["billable"], true);
    assert_eq!(e["user_id"], dana.user.id.as_str());
    let entry = e["id"].as_str().unwrap().to_string();

    // Each limit, refused with the field named; nothing written.
    let base = json!({"project_id": id, "day": "2026-03-02", "hours": 1});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    for (body, field) in [
        (with("hours", json!(0)), "hours"),
        (with("hours", json!(-1)), "hours"),
        (with("hours", json!(24.5)), "hours"),
        (with("day", json!("2026-03-10")), "day"),
        (with("task_id", json!(9999)), "task_id"),
        (with("project_id", json!("nope")), "project_id"),
        (with("note", json!("x".repeat(2001))), "note"),
    ] {
        let (s, v) = dana.post("/api/v1/time", body.clone()).await;
        names_field(s, &v, StatusCode::UNPROCESSABLE_ENTITY, field);
    }
    let (s, v) = dana.post("/api/v1/time", with("hours", json!("two"))).await;
    assert!(s.is_client_error(), "{v:#}");
    let (s, v) = dana.post("/api/v1/time", with("minutes", json!(3))).await;
    assert!(s.is_client_error(), "an unknown field is refused: {v:#}");
    // A week ahead is allowed.
    let (s, v) = dana
        .post("/api/v1/time", with("day", json!("2026-03-09")))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v:#}");

    // A day holds 24 hours in all: 2.5 logged, 21.5 more fits, then not a minute more.
    let (s, v) = dana.post("/api/v1/time", with("hours", json!(21.5))).await;
    assert_eq!(s, StatusCode::CREATED, "{v:#}");
    let (s, v) = dana.post("/api/v1/time", with("hours", json!(0.25))).await;
    names_field(s, &v, StatusCode::UNPROCESSABLE_ENTITY, "hours");
    assert!(v["detail"].as_str().unwrap().contains("24"), "{v:#}");
    // So does a change that would make it more.
    let (s, v) = patch(&dana, &format!("/api/v1/time/{entry}"), json!({"hours": 3})).await;
    names_field(s, &v, StatusCode::UNPROCESSABLE_ENTITY, "hours");

    // A member logs their own time only, and changes their own entries; an admin anyone's.
    let (s, v) = bo
        .post(
            "/api/v1/time",
            json!({"user_id": dana.user.id, "project_id": id, "day": "2026-03-03", "hours": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v:#}");
    let (s, v) = patch(&bo, &format!("/api/v1/time/{entry}"), json!({"hours": 1})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v:#}");
    assert_eq!(
        delete(&bo, &format!("/api/v1/time/{entry}")).await,
        StatusCode::FORBIDDEN
    );
    let (s, mine) = bo
        .post(
            "/api/v1/time",
            json!({"project_id": id, "day": "2026-03-03", "hours": 1, "billable": false, "note": "=HYPERLINK(\"http://x\")"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{mine:#}");
    assert_eq!(
        mine["stage"], "handoff",
        "time on the project counts for its stage"
    );
    let bos = mine["id"].as_str().unwrap().to_string();
    let (s, v) = patch(&bo, &format!("/api/v1/time/{bos}"), json!({"hours": 1.75})).await;
    assert_eq!(s, StatusCode::OK, "{v:#}");
    assert_eq!(v["minutes"], 105);
    let (s, v) = patch(
        &dana,
        &format!("/api/v1/time/{bos}"),
        json!({"note": "call with IT"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "an admin changes anyone's: {v:#}");
    let (s, v) = dana
        .post(
            "/api/v1/time",
            json!({"user_id": bo.user.id, "project_id": id, "day": "2026-03-04", "hours": 2, "note": "=SUM(A1)"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "an admin logs for a member: {v:#}");
    let for_bo = v["id"].as_str().unwrap().to_string();

    // Filters.
    let (s, list) = dana.get(&format!("/api/v1/time?user={}", bo.user.id)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 2, "{list:#}");
    let (_, list) = dana.get("/api/v1/time?from=2026-03-03&to=2026-03-03").await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list:#}");
    let (_, list) = dana.get("/api/v1/time?from=2026-03-05&to=2026-03-01").await;
    assert!(list.as_array().unwrap().is_empty());
    let (s, v) = dana.get("/api/v1/time?from=March").await;
    names_field(s, &v, StatusCode::BAD_REQUEST, "from");

    // The timesheet as CSV: names, hours, and what people typed made harmless.
    let r = dana
        .req(Method::GET, "/api/v1/time?format=csv&user=")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "day,member,email,project,customer,task,stage,hours,billable,note,entry"
    );
    assert_eq!(lines.len(), 1 + 5, "{csv}");
    assert!(
        csv.contains("2026-03-02,dana,dana@vendor.test,Harbor implementation,Harbor,"),
        "{csv}"
    );
    assert!(csv.contains(",2.50,yes,tenant set up,"), "{csv}");
    assert!(csv.contains(",1.75,no,call with IT,"), "{csv}");
    assert!(
        csv.contains(",2.00,yes,'=SUM(A1),"),
        "a formula is defused: {csv}"
    );
    let (_, trail) = dana.get("/api/v1/audit?kind=export").await;
    assert!(trail.to_string().contains("timesheet"), "{trail:#}");

    // Another workspace sees none of it and reaches none of it.
    let eve = app.workspace("Other", "eve@other.test").await;
    let (_, list) = eve.get("/api/v1/time").await;
    assert!(list.as_array().unwrap().is_empty(), "{list:#}");
    let (s, _) = patch(&eve, &format!("/api/v1/time/{entry}"), json!({"hours": 1})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(
        delete(&eve, &format!("/api/v1/time/{entry}")).await,
        StatusCode::NOT_FOUND
    );
    let (s, v) = eve
        .post(
            "/api/v1/time",
            json!({"project_id": id, "day": "2026-03-02", "hours": 1}),
        )
        .await;
    names_field(s, &v, StatusCode::UNPROCESSABLE_ENTITY, "project_id");
    let (s, v) = eve
        .post(
            "/api/v1/time",
            json!({"user_id": dana.user.id, "project_id": id, "day": "2026-03-02", "hours": 1}),
        )
        .await;
    names_field(s, &v, StatusCode::UNPROCESSABLE_ENTITY, "user_id");
    let (s, _) = put(
        &eve,
        &format!("/api/v1/members/{}/capacity", dana.user.id),
        json!({"hours": 1}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = eve.get(&format!("/api/v1/projects/{id}/allocations")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Removing: the member's own, then gone.
    assert_eq!(
        delete(&bo, &format!("/api/v1/time/{for_bo}")).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        delete(&bo, &format!("/api/v1/time/{for_bo}")).await,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn logging_time_checks_every_limit_on_sqlite() {
    logging_time_checks_every_limit(Backend::Sqlite, "time_limits").await;
}

#[tokio::test]
async fn logging_time_checks_every_limit_on_postgres() {
    logging_time_checks_every_limit(Backend::Postgres, "time_limits").await;
}

fn week<'a>(member: &'a Value, monday: &str) -> &'a Value {
    member["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["week"] == monday)
        .unwrap_or_else(|| panic!("no week {monday} in {member:#}"))
}

fn member<'a>(team: &'a Value, id: &str) -> &'a Value {
    team["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == id)
        .unwrap()
}

async fn allocations_capacity_and_the_team(backend: Backend, name: &str) {
    let Some(app) = spawn(backend, name).await else {
        return;
    };
    let (dana, bo, id, view) = setup(&app).await;

    // The plan's vendor effort is allocated to its owner, Dana, week by week.
    let (s, plan) = dana
        .get(&format!("/api/v1/projects/{id}/allocations"))
        .await;
    assert_eq!(s, StatusCode::OK, "{plan:#}");
    let allocations = plan["allocations"].as_array().unwrap();
    assert!(!allocations.is_empty());
    assert!(allocations
        .iter()
        .all(|a| a["user_id"] == dana.user.id.as_str() && a["source"] == "playbook"));
    let planned: f64 = allocations
        .iter()
        .map(|a| a["hours"].as_f64().unwrap())
        .sum();
    assert!(
        (planned - 27.0).abs() < 0.01,
        "light-touch plans 27 h of vendor work: {planned}"
    );

    // Within a 40-hour week nobody is over; at 3 hours Dana is (4 planned this week), and the
    // Team page says so.
    let (_, team) = dana.get("/api/v1/team").await;
    let d = member(&team, &dana.user.id);
    assert!(d["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|w| w["over_allocated"] == false));
    let (s, v) = put(
        &bo,
        &format!("/api/v1/members/{}/capacity", dana.user.id),
        json!({"hours": 4}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "admins only: {v:#}");
    for bad in [json!({"hours": -1}), json!({"hours": 169})] {
        let (s, v) = put(
            &dana,
            &format!("/api/v1/members/{}/capacity", dana.user.id),
            bad,
        )
        .await;
        names_field(s, &v, StatusCode::UNPROCESSABLE_ENTITY, "capacity_hours");
    }
    let (s, v) = put(
        &dana,
        &format!("/api/v1/members/{}/capacity", dana.user.id),
        json!({"hours": 3}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v:#}");
    let (_, team) = dana.get("/api/v1/team").await;
    assert_eq!(team["this_week"], "2026-03-02");
    let d = member(&team, &dana.user.id);
    let this = week(d, "2026-03-02");
    assert_eq!(this["capacity_hours"], 3.0);
    assert_eq!(this["allocated_hours"], 4.0, "{d:#}");
    assert_eq!(this["over_allocated"], true, "{d:#}");
    let b = member(&team, &bo.user.id);
    assert!(b["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|w| w["allocated_hours"] == 0.0));
    // Four weeks back, twelve ahead; weeks to come have no logged time.
    assert_eq!(d["weeks"].as_array().unwrap().len(), 16);
    assert!(week(d, "2026-03-09")["logged_hours"].is_null());
    assert_eq!(week(d, "2026-02-23")["logged_hours"], 0.0);

    // An edited week stays as set when the plan changes; the plan's other weeks follow it.
    let (s, v) = put(
        &dana,
        &format!("/api/v1/projects/{id}/allocations"),
        json!({"user_id": dana.user.id, "week": "2026-03-04", "hours": 1}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v:#}");
    let edited = v["allocations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["week"] == "2026-03-02")
        .unwrap()
        .clone();
    assert_eq!(edited["hours"], 1.0);
    assert_eq!(edited["source"], "edited");
    let setup_task = common::task(&view, "setup");
    let mo = app
        .member(&dana.workspace, "mo@vendor.test", UserRole::Member)
        .await;
    dana.ok(&id, json!({"action": "add_person", "name": "mo", "email": "mo@vendor.test", "side": "vendor", "role": "vendor_teammate"}))
        .await;
    let mo_person = common::person(&dana.project(&id).await, "mo");
    dana.ok(
        &id,
        json!({"action": "assign_task", "task": setup_task, "owner": mo_person}),
    )
    .await;
    let (_, plan) = dana
        .get(&format!("/api/v1/projects/{id}/allocations"))
        .await;
    let rows = plan["allocations"].as_array().unwrap();
    let mos: f64 = rows
        .iter()
        .filter(|a| a["user_id"] == mo.user.id.as_str())
        .map(|a| a["hours"].as_f64().unwrap())
        .sum();
    assert!(
        (mos - 6.0).abs() < 0.01,
        "the reassigned task's 6 h follow it to Mo: {plan:#}"
    );
    let still = rows
        .iter()
        .find(|a| a["week"] == "2026-03-02" && a["user_id"] == dana.user.id.as_str())
        .unwrap();
    assert_eq!(still["hours"], 1.0, "the edited week is kept: {plan:#}");
    for bad in [
        json!({"user_id": "nobody", "week": "2026-03-02", "hours": 1}),
        json!({"user_id": dana.user.id, "week": "2026-03-02", "hours": -2}),
    ] {
        let (s, v) = put(&dana, &format!("/api/v1/projects/{id}/allocations"), bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v:#}");
    }

    // Logged hours feed the hours by stage, and last week's logged time shows on the Team page.
    let (s, v) = dana
        .post(
            "/api/v1/time",
            json!({"project_id": id, "task_id": setup_task, "day": "2026-02-27", "hours": 3}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v:#}");
    let (_, plan) = dana
        .get(&format!("/api/v1/projects/{id}/allocations"))
        .await;
    let build = plan["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "build")
        .unwrap();
    assert_eq!(build["logged_hours"], 3.0);
    assert_eq!(build["planned_hours"], 16.0);
    let (_, team) = dana.get("/api/v1/team").await;
    assert_eq!(
        week(member(&team, &dana.user.id), "2026-02-23")["logged_hours"],
        3.0
    );
    let p = &team["projects"][0];
    assert_eq!(p["id"], id.as_str());
    assert_eq!(p["logged_hours"], 3.0);

    // And the analytics' hours by stage, for a filter that selects the project and one that
    // does not.
    let (s, hours) = dana.get("/api/v1/analytics/hours").await;
    assert_eq!(s, StatusCode::OK, "{hours:#}");
    let build = hours
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "build")
        .unwrap();
    assert_eq!(build["logged_hours"], 3.0);
    let (_, none) = dana.get("/api/v1/analytics/hours?segment=enterprise").await;
    assert!(none.as_array().unwrap().is_empty(), "{none:#}");
    let web_analytics = Web::new(&app);
    web_analytics.login("dana@vendor.test").await;
    let (s, html) = web_analytics.get("/analytics").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Hours by stage"), "{html}");

    // The page: the over-allocated member named in words and marked, not only coloured.
    let web = Web::new(&app);
    web.login("dana@vendor.test").await;
    let (s, html) = web.get("/team").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("Over-allocated in the coming weeks: dana"),
        "{html}"
    );
    assert!(html.contains("class=\"over\""), "{html}");
    assert!(html.contains("over by"), "{html}");
    assert!(html.contains("Harbor implementation"), "{html}");
    // The admin's capacity form, with CSRF and a refusal that names the field.
    let csrf = csrf_of(&html);
    let r = web
        .post(
            "/team/capacity",
            &[("csrf", "wrong"), ("user_id", &bo.user.id), ("hours", "10")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = web
        .post(
            "/team/capacity",
            &[("csrf", &csrf), ("user_id", &bo.user.id), ("hours", "lots")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("is not a number of hours"));
    let r = web
        .post(
            "/team/capacity",
            &[("csrf", &csrf), ("user_id", &bo.user.id), ("hours", "10")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, team) = dana.get("/api/v1/team").await;
    assert_eq!(
        week(member(&team, &bo.user.id), "2026-03-02")["capacity_hours"],
        10.0
    );
}

#[tokio::test]
async fn allocations_capacity_and_the_team_on_sqlite() {
    allocations_capacity_and_the_team(Backend::Sqlite, "time_team").await;
}

#[tokio::test]
async fn allocations_capacity_and_the_team_on_postgres() {
    allocations_capacity_and_the_team(Backend::Postgres, "time_team").await;
}

async fn the_pages_log_time(backend: Backend, name: &str) {
    let Some(app) = spawn(backend, name).await else {
        return;
    };
    let (dana, _bo, id, view) = setup(&app).await;
    let setup_task = common::task(&view, "setup");
    let web = Web::new(&app);
    web.login("dana@vendor.test").await;

    // The task page's "Log time": refused input is named and kept, then logged.
    let task_path = format!("/projects/{id}/tasks/{setup_task}");
    let (s, html) = web.get(&task_path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Log time"), "{html}");
    let csrf = csrf_of(&html);
    let log = format!("{task_path}/time");
    let r = web
        .post(
            &log,
            &[
                ("csrf", &csrf),
                ("_form", "log_time"),
                ("day", "2026-03-02"),
                ("hours", "30"),
                ("note", "kept note"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("more than the 24"), "{body}");
    assert!(body.contains("value=\"kept note\""), "{body}");
    let r = web
        .post(
            &log,
            &[
                ("csrf", &csrf),
                ("_form", "log_time"),
                ("day", "2026-03-20"),
                ("hours", "1"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("days ahead"));
    let r = web
        .post(
            &log,
            &[
                ("csrf", &csrf),
                ("_form", "log_time"),
                ("day", "2026-03-02"),
                ("hours", "1,5"),
                ("billable", "on"),
                ("note", "tenant"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = web.get(&task_path).await;
    assert!(html.contains("1.5 h logged in all"), "{html}");

    // The timesheet: the row is there; change a cell, add a row, clear a cell.
    let (s, html) = web.get("/time?week=2026-03-04").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Week of Mon 2 Mar 2026"), "{html}");
    let cell = format!("h:{id}:{setup_task}:2026-03-02");
    assert!(
        html.contains(&format!("name=\"{cell}\" value=\"1.5\"")),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "<option value=\"{id}\">Harbor implementation</option>"
        )),
        "the allocated project is offered: {html}"
    );
    let csrf = csrf_of(&html);
    let r = web
        .post(
            "/time",
            &[
                ("csrf", &csrf),
                ("_form", "timesheet"),
                ("week", "2026-03-02"),
                (&cell, "2"),
                ("new_project", &id),
                ("new_task", ""),
                ("new:2026-03-03", "0.5"),
                ("new:2026-03-04", "lots"),
                ("new_billable", "on"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("new row, 2026-03-04"),
        "the refused cell is named: {body}"
    );
    let (_, list) = dana.get("/api/v1/time").await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2, "the good cells were saved: {list:#?}");
    assert!(list
        .iter()
        .any(|e| e["minutes"] == 120 && e["task_id"] == setup_task));
    assert!(list
        .iter()
        .any(|e| e["minutes"] == 30 && e["task_id"].is_null()));
    let r = web
        .post(
            "/time",
            &[
                ("csrf", &csrf),
                ("_form", "timesheet"),
                ("week", "2026-03-02"),
                (&cell, ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, list) = dana.get("/api/v1/time").await;
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "the cleared cell's entry is gone"
    );
    let r = web
        .post("/time", &[("csrf", "wrong"), ("week", "2026-03-02")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_pages_log_time_on_sqlite() {
    the_pages_log_time(Backend::Sqlite, "time_pages").await;
}

#[tokio::test]
async fn the_pages_log_time_on_postgres() {
    the_pages_log_time(Backend::Postgres, "time_pages").await;
}
