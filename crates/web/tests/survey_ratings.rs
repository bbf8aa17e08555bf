//! Customer ratings at milestones (issue 17) over real SMTP: the project leaves kickoff, the
//! sweep asks every customer person once, a customer rates from the email's link without
//! signing in, a second rating is refused, a low score opens the vendor owner's internal
//! follow-up and shows in health, and the results reach the API and the portfolio analytics.
#![allow(clippy::unwrap_used)]

mod notify_support;

use notify_support::{spawn, Db, Member};
use reqwest::redirect::Policy;
use reqwest::StatusCode;
use serde_json::{json, Value};

const CASEY: &str = "casey@brightwater.test";

#[tokio::test]
async fn a_customer_rates_a_milestone_from_the_email_link_once() {
    rating_from_email(Db::Sqlite).await;
}

#[tokio::test]
async fn a_customer_rates_a_milestone_from_the_email_link_once_on_postgres() {
    rating_from_email(Db::Postgres).await;
}

/// A browser without a session: keeps cookies, does not follow redirects.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

async fn page(c: &reqwest::Client, url: &str) -> (StatusCode, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn post(c: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
    let r = c.post(url).form(form).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    html[at..].split('"').next().unwrap().to_string()
}

/// The rating links of an email, by score.
fn links(body: &str) -> Vec<(u8, String)> {
    body.lines()
        .filter_map(|l| {
            let (score, rest) = l.trim().split_once(": ")?;
            let score: u8 = score.split(' ').next()?.parse().ok()?;
            rest.contains("/rate/")
                .then(|| (score, rest.trim().to_string()))
        })
        .collect()
}

/// A light-touch project with Casey (customer owner), Sam (executive sponsor), Bo and Dee, ready
/// for kickoff; walked past it to discovery.
async fn past_kickoff(m: &Member) -> String {
    let (id, _) = m.project_with_customer_tasks("Brightwater", &[]).await;
    for (name, side, role) in [
        ("Bo", "customer", "backup_contact"),
        ("Dee", "customer", "decision_maker"),
        ("Vic", "vendor", "decision_maker"),
    ] {
        m.ok(&id, json!({"action": "add_person", "name": name, "email": format!("{}@{side}.test", name.to_lowercase()), "side": side, "role": role})).await;
    }
    m.ok(&id, json!({"action": "set_finish_line", "text": "Dispatchers log incoming loads every morning and confirm status by noon, every day for two weeks."})).await;
    m.ok(&id, json!({"action": "add_criterion", "metric": "days with all loads logged by noon", "baseline": 0, "target": 10, "unit": "days", "how_measured": "manager view export"})).await;
    m.ok(&id, json!({"action": "add_data_source", "name": "Loads spreadsheet", "system": "Excel", "sample": "requested"})).await;
    m.ok(&id, json!({"action": "confirm_no_known_risks"})).await;
    m.ok(
        &id,
        json!({"action": "add_scope_item", "text": "custom roles", "bucket": "out"}),
    )
    .await;
    for to in ["assign", "intake", "kickoff"] {
        m.ok(&id, json!({"action": "advance_stage", "to": to}))
            .await;
    }
    m.ok(
        &id,
        json!({"action": "set_launch_date", "date": "2026-04-01"}),
    )
    .await;
    m.ok(
        &id,
        json!({"action": "set_next_meeting", "date": "2026-03-09"}),
    )
    .await;
    m.ok(&id, json!({"action": "advance_stage", "to": "discovery"}))
        .await;
    id
}

async fn rating_from_email(db: Db) {
    let Some(app) = spawn(db, "survey_ratings", true, vec![]).await else {
        return;
    };
    let m = app.admin("Vendor A", "dana@vendor.test").await;
    // The first sweep starts the log readers at the end of the log.
    app.sweep().await;
    let id = past_kickoff(&m).await;
    app.at(1, 9);
    let report = app.sweep().await;
    // Casey, Sam, Bo and Dee: each customer person with an email is asked once.
    assert_eq!(report.rating_requests, 4, "{report:?}");
    let again = app.sweep().await;
    assert_eq!(again.rating_requests, 0, "asked once: {again:?}");
    let mails = app.smtp().to(CASEY);
    let asks: Vec<_> = mails
        .iter()
        .filter(|m| m.subject().contains("one question after kickoff"))
        .collect();
    assert_eq!(
        asks.len(),
        1,
        "{:?}",
        mails.iter().map(|m| m.subject()).collect::<Vec<_>>()
    );
    let body = asks[0].body();
    assert!(body.contains("How satisfied are you"), "{body}");
    let links = links(&body);
    assert_eq!(
        links.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5],
        "{body}"
    );
    let two = links[1].1.clone();
    let five = links[4].1.clone();

    // Opening the link (a mail scanner, or the customer) records nothing.
    let casey = browser();
    let (s, html) = page(&casey, &two).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("2 of 5"), "{html}");
    let (_, v) = m.get(&format!("/api/v1/projects/{id}")).await;
    assert!(v["project"]["survey_responses"]
        .as_array()
        .is_none_or(Vec::is_empty));

    // A changed link is refused.
    let forged = format!("{}x", two);
    assert_eq!(page(&browser(), &forged).await.0, StatusCode::FORBIDDEN);

    // Sent with a comment, without signing in: the rating is recorded.
    let comment = "Kickoff ran long and nobody told us what to prepare.";
    let csrf = csrf_of(&html);
    let (s, html) = post(&casey, &two, &[("csrf", &csrf), ("comment", comment)]).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("Thank you"), "{html}");

    // A second rating, from any link of the email, is refused with the one that stands.
    let (s, html) = page(&casey, &five).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("You already rated this") && html.contains("2 of 5"),
        "{html}"
    );
    // Sent anyway (a page opened before the first rating went through): refused, 409.
    let (s, html) = post(
        &casey,
        &five,
        &[("csrf", &csrf), ("comment", "Actually fine")],
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{html}");
    assert!(
        html.contains("You already rated this") && html.contains("2 of 5"),
        "{html}"
    );

    // The low score opened the vendor owner's internal follow-up, due in two days.
    let (_, v) = m.get(&format!("/api/v1/projects/{id}")).await;
    let p = &v["project"];
    let responses = p["survey_responses"].as_array().unwrap();
    assert_eq!(responses.len(), 1, "{responses:#?}");
    assert_eq!(responses[0]["score"], 2);
    assert_eq!(responses[0]["comment"], comment);
    let task_id = responses[0]["follow_up"].clone();
    let task = p["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == task_id)
        .unwrap();
    let dana = p["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "Dana Reyes")
        .unwrap();
    assert_eq!(task["owner"], dana["id"]);
    assert_eq!(task["visibility"], "internal");
    assert_eq!(task["due"], "2026-03-05", "{task:#}");
    let reasons: Vec<&str> = v["health"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("low customer rating")),
        "{reasons:?}"
    );

    // The API lists it, with its filters.
    let (s, v) = m.get("/api/v1/surveys").await;
    assert_eq!(s, StatusCode::OK, "{v:#}");
    let rows = v["ratings"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{v:#}");
    assert_eq!(rows[0]["project_id"], id.as_str());
    assert_eq!(rows[0]["person"], "Casey");
    assert_eq!(rows[0]["milestone"], "after_kickoff");
    assert_eq!(rows[0]["question"], "csat");
    assert_eq!(
        (rows[0]["low"].clone(), rows[0]["unresolved"].clone()),
        (json!(true), json!(true))
    );
    for (q, n) in [
        ("question=ces", 0),
        ("question=csat", 1),
        ("milestone=go_live", 0),
        (&format!("project={id}") as &str, 1),
        ("project=prj_nope", 0),
        ("since=2026-03-03", 1),
        ("since=2026-03-04", 0),
    ] {
        let (s, v) = m.get(&format!("/api/v1/surveys?{q}")).await;
        assert_eq!(s, StatusCode::OK, "{q}: {v:#}");
        assert_eq!(v["ratings"].as_array().unwrap().len(), n, "{q}: {v:#}");
    }
    for bad in [
        "milestone=launch",
        "question=nps",
        "since=yesterday",
        "colour=red",
    ] {
        let (s, v) = m.get(&format!("/api/v1/surveys?{bad}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {v:#}");
    }

    // The portfolio analytics count it per owner, playbook and segment.
    let (s, v) = m.get("/api/v1/analytics").await;
    assert_eq!(s, StatusCode::OK);
    let r = &v["ratings"];
    assert_eq!(r["overall"][0]["count"], 1, "{r:#}");
    assert_eq!(r["overall"][0]["lows"], 1, "{r:#}");
    assert_eq!(r["by_owner"][0]["group"], "Dana Reyes", "{r:#}");
    assert_eq!(r["by_segment"][0]["group"], "smb", "{r:#}");
    assert_eq!(r["by_playbook"][0]["group"], "Light-touch 30 days", "{r:#}");

    // Done, the follow-up leaves health.
    m.ok(&id, json!({"action": "complete_task", "task": task_id, "proof": {"kind": "note", "value": "Called Casey: a prep list goes out before every session"}})).await;
    let (_, v) = m.get(&format!("/api/v1/projects/{id}")).await;
    assert!(!v["health"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r.as_str().unwrap().contains("low customer rating")));
    let (_, v) = m.get("/api/v1/surveys").await;
    assert_eq!(v["ratings"][0]["unresolved"], false);

    // A member cannot rate for the customer; a score off the scale names its field.
    let (s, p) = m
        .post(
            &format!("/api/v1/projects/{id}/commands"),
            json!({"action": "rate_milestone", "milestone": "after_kickoff", "score": 5}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p:#}");
    assert_eq!(p["rule"], "ratings", "{p:#}");
    let (s, p) = m
        .post(
            &format!("/api/v1/projects/{id}/commands"),
            json!({"action": "rate_milestone", "milestone": "after_kickoff", "score": 300}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p:#}");
    assert!(p.to_string().contains("score"), "{p:#}");

    // Past its 14 days, a link no longer opens.
    app.at(16, 9);
    let (s, html) = page(&browser(), &links[2].1).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{html}");
    assert!(html.contains("expired"), "{html}");
}

#[tokio::test]
async fn a_customer_rates_in_the_portal_and_never_sees_the_follow_up() {
    let app = spawn(Db::Sqlite, "survey_portal", false, vec![])
        .await
        .unwrap();
    let m = app.admin("Vendor A", "dana@vendor.test").await;
    let id = past_kickoff(&m).await;
    let (_, v) = m.get(&format!("/api/v1/projects/{id}")).await;
    let casey = v["project"]["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "Casey")
        .unwrap()["id"]
        .as_u64()
        .unwrap();
    let cookie = app
        .portal_cookie(&m.workspace.id, &id, u32::try_from(casey).unwrap())
        .await;
    let c = browser();
    let get = |path: &'static str| {
        let req = c
            .get(format!("{}{path}", app.base))
            .header("cookie", &cookie);
        async move {
            let r = req.send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (s, home) = get("/portal").await;
    assert_eq!(s, StatusCode::OK);
    assert!(home.contains("How are we doing?") && home.contains("How satisfied are you"));
    let csrf = csrf_of(&home);
    let rate = |score: &'static str| {
        c.post(format!("{}/portal/actions/rate_milestone", app.base))
            .header("cookie", &cookie)
            .form(&[
                ("csrf", csrf.as_str()),
                ("_form", "rate_milestone-after_kickoff"),
                ("milestone", "after_kickoff"),
                ("score", score),
                ("comment", "Too many meetings"),
            ])
            .send()
    };
    let r = rate("1").await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, home) = get("/portal").await;
    assert!(
        home.contains("Your ratings") && home.contains("1 of 5"),
        "{home}"
    );
    assert!(!home.contains("How satisfied are you"), "asked once");
    assert!(
        !home.contains("Follow up a low rating"),
        "the follow-up is internal"
    );
    // A second rating is refused, the first stands.
    let r = rate("5").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("cannot be changed"), "{body}");
    let (_, v) = m.get(&format!("/api/v1/projects/{id}")).await;
    let responses = v["project"]["survey_responses"].as_array().unwrap();
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0]["score"], 1);
    assert!(responses[0]["follow_up"].is_u64(), "{responses:#?}");
}
