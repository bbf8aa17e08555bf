//! The HTML workspace and the customer portal over HTTP: sign-in, pages, forms and their errors,
//! CSRF, security headers, assets, invitation links, and what a portal session can reach.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use chrono::Duration;
use common::web::{csrf_of, Web};
use common::{handoff, person, spawn, task, Backend, MemberClient, TestApp};
use finishline_store::UserRole;
use reqwest::header::{CONTENT_SECURITY_POLICY, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::json;

fn assert_no_500(s: StatusCode, body: &str) {
    assert!(!s.is_server_error(), "{s}: {body}");
}

/// A project with people on both sides, a change request and a customer task open.
async fn project(app: &TestApp, m: &MemberClient, customer: &str) -> (String, serde_json::Value) {
    let _ = app;
    let (s, v) = m.post("/api/v1/projects", handoff(customer)).await;
    assert_eq!(s, StatusCode::CREATED, "{v:#}");
    let id = v["project"]["id"].as_str().unwrap().to_string();
    for (name, side, role) in [
        ("Casey", "customer", "customer_owner"),
        ("Dee", "customer", "decision_maker"),
        ("Vic", "vendor", "decision_maker"),
    ] {
        m.ok(&id, json!({"action": "add_person", "name": name, "email": format!("{}@{side}.test", name.to_lowercase()), "side": side, "role": role})).await;
    }
    m.ok(
        &id,
        json!({"action": "add_risk", "text": "Internal: champion may leave in May"}),
    )
    .await;
    let v = m.project(&id).await;
    let casey = person(&v, "Casey");
    let v = m.ok(&id, json!({"action": "request_change", "title": "Add night shift", "requested_by": casey, "adds_new_team": true})).await;
    (id, v)
}

/// Invites `person` from the project page: the answer is a redirect to the page's portal
/// section, where the link is shown once to copy. Returns the link's secret.
async fn invite_token(member: &Web, id: &str, csrf: &str, person: &str) -> String {
    let r = member
        .post(
            &format!("/projects/{id}/invitations"),
            &[("csrf", csrf), ("_form", "invite"), ("person", person)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], format!("/projects/{id}#portal"));
    let (s, body) = member.get(&format!("/projects/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    let at = body.find("/portal/join/").expect("the link is shown");
    let token: String = body[at + 13..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let (_, again) = member.get(&format!("/projects/{id}")).await;
    assert!(!again.contains(&token), "the link is shown once");
    token
}

/// Opens an invitation link for `person` in a fresh client; returns the client in the portal.
async fn portal_for(app: &TestApp, member: &Web, id: &str, person: u64) -> Web {
    let csrf = member.csrf(&format!("/projects/{id}")).await;
    let token = invite_token(member, id, &csrf, &person.to_string()).await;
    let customer = Web::new(app);
    let (s, page) = customer.get(&format!("/portal/join/{token}")).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let r = customer
        .post(
            "/portal/join",
            &[("csrf", &csrf_of(&page)), ("token", &token)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/portal");
    customer
}

#[tokio::test]
async fn signing_in_needs_the_form_token_and_the_right_password() {
    let app = spawn(Backend::Sqlite, "ui_login").await.unwrap();
    let _m = app.workspace("Vendor A", "dana@vendor.test").await;
    let web = Web::new(&app);

    let r = web.get_raw("/").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "pages need a session");
    assert!(r.headers()[LOCATION]
        .to_str()
        .unwrap()
        .starts_with("/login"));
    let r = web.get_raw("/projects/x?y=1").await;
    assert_eq!(r.headers()[LOCATION], "/login?next=%2Fprojects%2Fx%3Fy%3D1");

    // Without the token: refused.
    let r = web
        .post(
            "/login",
            &[
                ("email", "dana@vendor.test"),
                ("password", "a long test password"),
            ],
        )
        .await;
    assert!(
        matches!(r.status(), StatusCode::FORBIDDEN | StatusCode::SEE_OTHER),
        "{}",
        r.status()
    );

    // A wrong password: the form again, with the email kept and the reason.
    let csrf = web.csrf("/login").await;
    let r = web
        .post(
            "/login",
            &[
                ("csrf", &csrf),
                ("email", "dana@vendor.test"),
                ("password", "wrong password!"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("The email or the password is wrong"),
        "{body}"
    );
    assert!(
        body.contains("value=\"dana@vendor.test\""),
        "the email is kept: {body}"
    );
    assert!(
        !body.contains("wrong password!"),
        "a password is never echoed"
    );

    // Empty fields: an error under each.
    let r = web
        .post(
            "/login",
            &[("csrf", &csrf), ("email", ""), ("password", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("enter your email address") && body.contains("enter your password"));

    // The right password: the same database session cookie as the API, HttpOnly and SameSite=Lax.
    let r = web
        .post(
            "/login",
            &[
                ("csrf", &csrf),
                ("email", "dana@vendor.test"),
                ("password", "a long test password"),
                ("next", "//evil.test/"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()[LOCATION],
        "/",
        "only local paths are followed after sign-in"
    );
    let cookie = r.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(
        cookie.starts_with("fl_session=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let (s, me) = web.get("/api/v1/me").await;
    assert_eq!(s, StatusCode::OK, "the API accepts the page session: {me}");

    // Sign out needs the token too, then ends the session.
    let (s, page) = web.get("/").await;
    assert_eq!(s, StatusCode::OK);
    let r = web.post("/logout", &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = web.post("/logout", &[("csrf", &csrf_of(&page))]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(web.get_raw("/").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn pages_render_with_security_headers_and_no_inline_script() {
    let app = spawn(Backend::Sqlite, "ui_pages").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let (id, _) = project(&app, &m, "Haulers Ltd").await;
    let web = Web::new(&app);
    web.login("dana@vendor.test").await;
    for path in [
        "/".to_string(),
        "/?stage=handoff&health=on_track&sort=launch".to_string(),
        "/?stage=nonsense&sort=%ZZ".to_string(),
        format!("/projects/{id}"),
        format!("/projects/{id}/preview"),
        "/analytics".to_string(),
        "/handoff".to_string(),
        "/playbooks".to_string(),
        "/playbooks/standard".to_string(),
        "/playbooks/light-touch-30".to_string(),
        "/calendar".to_string(),
        "/time".to_string(),
        "/time?week=2026-03-09".to_string(),
        "/time?week=nonsense".to_string(),
        "/team".to_string(),
        "/settings".to_string(),
        "/outbox".to_string(),
    ] {
        let r = web.get_raw(&path).await;
        let s = r.status();
        let h = r.headers().clone();
        let body = r.text().await.unwrap();
        assert_eq!(s, StatusCode::OK, "{path}: {body}");
        let csp = h[CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("default-src 'self'")
                && csp.contains("frame-ancestors 'none'")
                && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(h.contains_key("referrer-policy"));
        assert!(
            !body.contains("<script>")
                && !body.contains(" style=\"")
                && !body.contains(" onclick="),
            "{path}: inline script or style"
        );
        assert!(
            body.len() < 100 * 1024,
            "{path} weighs {} bytes",
            body.len()
        );
        for field in body.match_indices("<form method=\"post\"") {
            let rest = &body[field.0..];
            let end = rest.find("</form>").unwrap();
            assert!(
                rest[..end].contains("name=\"csrf\""),
                "{path}: a form without a CSRF token: {}",
                &rest[..end.min(300)]
            );
        }
    }
    assert!(web.get("/").await.1.contains("Haulers Ltd"));
    let (s, body) = web.get("/?health=off_track").await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains("0 of 1 projects"), "filters apply");
    let (s, _) = web.get("/projects/prj_nope").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn assets_are_served_under_their_hash_with_a_long_cache() {
    let app = spawn(Backend::Sqlite, "ui_assets").await.unwrap();
    let web = Web::new(&app);
    let (_, login) = web.get("/login").await;
    for marker in ["/assets/app.", "/assets/htmx."] {
        let at = login.find(marker).unwrap();
        let path: String = login[at..].split('"').next().unwrap().to_string();
        let r = web.get_raw(&path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(
            r.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert!(r.bytes().await.unwrap().len() > 1000);
    }
    assert_eq!(
        web.get_raw("/assets/app.000000000000.css").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn every_state_changing_form_is_refused_without_its_token() {
    let app = spawn(Backend::Sqlite, "ui_csrf").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let (id, v) = project(&app, &m, "Haulers Ltd").await;
    let web = Web::new(&app);
    web.login("dana@vendor.test").await;
    let before = m.project(&id).await["version"].clone();
    let dee = person(&v, "Dee").to_string();
    for path in [
        format!("/projects/{id}/actions/add_person"),
        format!("/projects/{id}/actions/complete_task"),
        format!("/projects/{id}/actions/advance_stage"),
        format!("/projects/{id}/invitations"),
        format!("/projects/{id}/invitations/inv_x/revoke"),
        "/handoff".to_string(),
        "/playbooks/standard/copy".to_string(),
        "/settings/members".to_string(),
        format!("/settings/members/{}/role", m.user.id),
        format!("/settings/members/{}/remove", m.user.id),
        "/playbooks/standard/edit".to_string(),
        "/settings/tokens".to_string(),
        "/settings/tokens/tok_x/revoke".to_string(),
        "/settings/webhook/rotate".to_string(),
        "/time".to_string(),
        "/time/time_x/delete".to_string(),
        "/team/capacity".to_string(),
        format!("/projects/{id}/tasks/1/time"),
        "/logout".to_string(),
    ] {
        for token in ["", "forged0123456789abcdef0123456789"] {
            let r = web
                .post(
                    &path,
                    &[
                        ("csrf", token),
                        ("name", "Eve"),
                        ("email", "eve@x.test"),
                        ("side", "customer"),
                        ("role", "end_user"),
                        ("person", &dee),
                        ("to", "assign"),
                        ("customer", "X"),
                        ("sold", "y"),
                        ("contract_date", "2026-03-01"),
                        ("key", "k"),
                        ("password", "long enough password"),
                    ],
                )
                .await;
            assert_eq!(
                r.status(),
                StatusCode::FORBIDDEN,
                "{path} with token {token:?}"
            );
        }
    }
    assert_eq!(m.project(&id).await["version"], before, "nothing changed");
    assert_eq!(app.store.users(&m.workspace.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn refused_forms_show_the_rule_next_to_the_form_and_keep_the_input() {
    let app = spawn(Backend::Sqlite, "ui_forms").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let (id, v) = project(&app, &m, "Haulers Ltd").await;
    let web = Web::new(&app);
    web.login("dana@vendor.test").await;
    let csrf = web.csrf(&format!("/projects/{id}")).await;
    let casey = person(&v, "Casey").to_string();
    let t = task(&v, "sample-data").to_string();

    // R6: a vague blocker is refused with the rule's words; what was typed stays.
    let r = web
        .post(
            &format!("/projects/{id}/actions/block_task"),
            &[
                ("csrf", &csrf),
                ("_form", "block_task"),
                ("task", &t),
                ("needed", "stuck"),
                ("from", &casey),
                ("by", "2026-03-09"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("R6") && body.contains("does not say what is needed"),
        "{body}"
    );
    assert!(body.contains("value=\"stuck\""), "the input is kept");
    assert!(body.contains("value=\"2026-03-09\""));

    // Field errors: a missing date and an unparsable one, each under its field.
    let r = web
        .post(
            &format!("/projects/{id}/actions/block_task"),
            &[
                ("csrf", &csrf),
                ("_form", "block_task"),
                ("task", &t),
                ("needed", "CSV export with the status column"),
                ("from", &casey),
                ("by", "next week"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("is not a date (use YYYY-MM-DD)") && body.contains("aria-invalid=\"true\""),
        "{body}"
    );

    // R5: done without proof is refused.
    let r = web
        .post(
            &format!("/projects/{id}/actions/complete_task"),
            &[("csrf", &csrf), ("_form", "complete_task"), ("task", &t)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("R5"));

    // G1: the gate's failing items are shown with their reasons.
    for to in ["assign", "intake"] {
        let r = web
            .post(
                &format!("/projects/{id}/actions/advance_stage"),
                &[("csrf", &csrf), ("_form", "advance_stage"), ("to", to)],
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "{}",
            r.text().await.unwrap()
        );
    }
    let r = web
        .post(
            &format!("/projects/{id}/actions/advance_stage"),
            &[
                ("csrf", &csrf),
                ("_form", "advance_stage"),
                ("to", "kickoff"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("Kickoff readiness (G1) is not ready")
            && body.contains("Custom SAP connector"),
        "{body}"
    );

    // Unknown actions, bad ids and garbage never answer 500.
    for (action, form) in [
        ("nope", vec![("csrf", csrf.as_str())]),
        (
            "complete_task",
            vec![
                ("csrf", csrf.as_str()),
                ("task", "99999"),
                ("proof_note", "x"),
            ],
        ),
        (
            "complete_task",
            vec![("csrf", csrf.as_str()), ("task", "-1")],
        ),
        (
            "advance_stage",
            vec![("csrf", csrf.as_str()), ("to", "moon")],
        ),
        (
            "add_criterion",
            vec![
                ("csrf", csrf.as_str()),
                ("metric", "m"),
                ("target", "NaN"),
                ("how_measured", "x"),
            ],
        ),
    ] {
        let r = web
            .post(&format!("/projects/{id}/actions/{action}"), &form)
            .await;
        let s = r.status();
        assert!(s.is_client_error(), "{action}: {s}");
        assert_no_500(s, &r.text().await.unwrap());
    }

    // A good action redirects back to the page, and the page shows it.
    let r = web
        .post(
            &format!("/projects/{id}/actions/block_task"),
            &[
                ("csrf", &csrf),
                ("_form", "block_task"),
                ("task", &t),
                ("needed", "CSV export with the status column"),
                ("from", &casey),
                ("by", "2026-03-09"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = web.get(&format!("/projects/{id}")).await;
    assert!(
        page.contains("needs CSV export with the status column from Casey by 2026-03-09"),
        "{page}"
    );
}

#[tokio::test]
async fn a_member_completes_a_task_with_an_uploaded_file() {
    let app = spawn(Backend::Sqlite, "ui_upload").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let (id, v) = project(&app, &m, "Haulers Ltd").await;
    let web = Web::new(&app);
    web.login("dana@vendor.test").await;
    let csrf = web.csrf(&format!("/projects/{id}")).await;
    let t = task(&v, "sample-data").to_string();
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("_form", "complete_task")
        .text("task", t.clone())
        .part(
            "proof_file",
            reqwest::multipart::Part::bytes(b"load,status\n1,ok\n".to_vec())
                .file_name("loads.csv")
                .mime_str("text/csv")
                .unwrap(),
        );
    let r = web
        .http
        .post(format!("{}/projects/{id}/actions/complete_task", web.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let (_, page) = web.get(&format!("/projects/{id}")).await;
    let at = page
        .find(&format!("/projects/{id}/files/file_"))
        .expect("a link to the proof file");
    let link: String = page[at..].split('"').next().unwrap().to_string();
    let r = web.get_raw(&link).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(r.text().await.unwrap(), "load,status\n1,ok\n");

    // Too large: refused, never a 500.
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("task", t)
        .part(
            "proof_file",
            reqwest::multipart::Part::bytes(vec![b'x'; 300 * 1024]).file_name("big.bin"),
        );
    let r = web
        .http
        .post(format!("{}/projects/{id}/actions/complete_task", web.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
}

#[tokio::test]
async fn handoff_form_reviews_promises_and_creates_the_project() {
    let app = spawn(Backend::Sqlite, "ui_handoff").await.unwrap();
    let _m = app.workspace("Vendor A", "dana@vendor.test").await;
    let web = Web::new(&app);
    web.login("dana@vendor.test").await;
    let csrf = web.csrf("/handoff").await;
    let base = [
        ("csrf", csrf.as_str()),
        ("customer", "Clinic One"),
        ("sold", "Scheduling, 12 seats"),
        ("promise_0", "SSO with their Azure AD"),
        ("class_0", "needs_custom_work"),
        ("promise_1", "Calendar sync"),
        ("class_1", "standard"),
        ("segment", "mid_market"),
        ("playbook", "light-touch-30"),
        ("contract_date", "2026-03-01"),
        ("owner_name", "Dana"),
        ("owner_email", "dana@vendor.test"),
    ];
    let mut review = base.to_vec();
    review.push(("review", "1"));
    let r = web.post("/handoff", &review).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("Over-promise review") && body.contains("must be resolved before kickoff"),
        "{body}"
    );
    assert!(
        body.contains("value=\"SSO with their Azure AD\""),
        "the form keeps its values"
    );
    assert!(
        app.store
            .projects(&_m.workspace.id)
            .await
            .unwrap()
            .is_empty(),
        "a review creates nothing"
    );

    let mut bad = base.to_vec();
    bad.retain(|(k, _)| *k != "customer");
    bad.push(("contract_date", "yesterday"));
    let r = web.post("/handoff", &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("Customer is required"), "{body}");

    let r = web.post("/handoff", &base).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let to = r.headers()[LOCATION].to_str().unwrap().to_string();
    let (s, page) = web.get(&to).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("Clinic One")
            && page.contains("unresolved")
            && page.contains("Light-touch 30 days"),
        "{page}"
    );

    // Copy a playbook under a new key.
    let csrf = web.csrf("/playbooks/standard").await;
    let r = web
        .post(
            "/playbooks/standard/copy",
            &[
                ("csrf", &csrf),
                ("_form", "copy"),
                ("key", "standard"),
                ("name", "Mine"),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a taken key is refused"
    );
    let r = web
        .post(
            "/playbooks/standard/copy",
            &[
                ("csrf", &csrf),
                ("_form", "copy"),
                ("key", "clinic-standard"),
                ("name", "Clinic standard"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, list) = web.get("/playbooks").await;
    assert!(list.contains("Clinic standard"));

    // Edit it: change a step and add one; each save is a new version.
    let csrf = web.csrf("/playbooks/clinic-standard").await;
    let r = web
        .post(
            "/playbooks/clinic-standard/edit",
            &[
                ("csrf", &csrf),
                ("_form", "edit_step"),
                ("phase", "0"),
                ("step", ""),
                ("key", ""),
                ("title", ""),
                ("label", "vendor_task"),
                ("owner_role", "implementation_owner"),
                ("due_offset_days", "-3"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("Title is required") && body.contains("a whole number of days"),
        "{body}"
    );
    let r = web
        .post(
            "/playbooks/clinic-standard/edit",
            &[
                ("csrf", &csrf),
                ("_form", "edit_step"),
                ("phase", "0"),
                ("step", ""),
                ("key", "clinic-tour"),
                ("title", "Tour the clinic's front desk"),
                ("label", "shared_task"),
                ("owner_role", "implementation_owner"),
                ("due_offset_days", "3"),
                ("needs_proof", "on"),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let stored = app
        .store
        .playbook(&_m.workspace.id, "clinic-standard", None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.version, 2);
    assert!(stored.playbook.steps().any(|(_, s)| s.key == "clinic-tour"));
    let csrf = web.csrf("/playbooks/standard").await;
    let r = web
        .post(
            "/playbooks/standard/edit",
            &[("csrf", &csrf), ("phase", "0"), ("title", "x")],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "built-ins are copied, not edited"
    );
}

#[tokio::test]
async fn settings_show_a_new_token_once_and_admins_add_members() {
    let app = spawn(Backend::Sqlite, "ui_settings").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let web = Web::new(&app);
    web.login("dana@vendor.test").await;
    let csrf = web.csrf("/settings").await;
    let r = web
        .post(
            "/settings/tokens",
            &[("csrf", &csrf), ("_form", "token"), ("name", "CRM sync")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    assert!(body.contains("fl_tok_") && body.contains("shown only once"));
    let (_, again) = web.get("/settings").await;
    assert!(
        !again.contains("fl_tok_") && again.contains("CRM sync"),
        "the secret is not shown again"
    );

    let r = web
        .post(
            "/settings/members",
            &[
                ("csrf", &csrf),
                ("_form", "member"),
                ("name", "Sam"),
                ("email", "not-an-email"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("is not an email address") && body.contains("at least 10 characters"),
        "{body}"
    );
    let r = web
        .post(
            "/settings/members",
            &[
                ("csrf", &csrf),
                ("_form", "member"),
                ("name", "Sam"),
                ("email", "sam@vendor.test"),
                ("password", "a long test password"),
                ("role", "member"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // A plain member cannot add members or rotate the webhook secret.
    let sam = Web::new(&app);
    sam.login("sam@vendor.test").await;
    let csrf = sam.csrf("/settings").await;
    let r = sam
        .post(
            "/settings/members",
            &[
                ("csrf", &csrf),
                ("name", "X"),
                ("email", "x@vendor.test"),
                ("password", "a long test password"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = sam
        .post("/settings/webhook/rotate", &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.store.users(&m.workspace.id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn invitation_links_are_single_use_expiring_and_revocable_on_sqlite() {
    let app = spawn(Backend::Sqlite, "ui_invitations").await.unwrap();
    invitation_links_are_single_use_expiring_and_revocable(&app).await;
}

#[tokio::test]
async fn invitation_links_are_single_use_expiring_and_revocable_on_postgres() {
    let Some(app) = spawn(Backend::Postgres, "ui_invitations_pg").await else {
        return;
    };
    invitation_links_are_single_use_expiring_and_revocable(&app).await;
}

async fn invitation_links_are_single_use_expiring_and_revocable(app: &TestApp) {
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let (id, v) = project(app, &m, "Haulers Ltd").await;
    let member = Web::new(app);
    member.login("dana@vendor.test").await;
    let csrf = member.csrf(&format!("/projects/{id}")).await;

    // Only a customer person of the project.
    let vic = person(&v, "Vic").to_string();
    let r = member
        .post(
            &format!("/projects/{id}/invitations"),
            &[("csrf", &csrf), ("_form", "invite"), ("person", &vic)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let casey = person(&v, "Casey");
    let token = invite_token(&member, &id, &csrf, &casey.to_string()).await;
    let invs = app.store.invitations(&m.workspace.id, &id).await.unwrap();
    assert_eq!(invs.len(), 1);

    // First use starts a session; the second is refused.
    let c1 = Web::new(app);
    let (_, page) = c1.get(&format!("/portal/join/{token}")).await;
    let r = c1
        .post(
            "/portal/join",
            &[("csrf", &csrf_of(&page)), ("token", &token)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie = r.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(
        cookie.starts_with("fl_portal=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
    );
    let (s, portal) = c1.get("/portal").await;
    assert_eq!(s, StatusCode::OK);
    assert!(portal.contains("Welcome, Casey"));
    let c2 = Web::new(app);
    let (s, body) = c2.get(&format!("/portal/join/{token}")).await;
    assert_eq!(s, StatusCode::GONE);
    assert!(body.contains("already used"));
    let r = c2
        .post("/portal/join", &[("csrf", "x"), ("token", &token)])
        .await;
    assert!(r.status().is_client_error());
    assert_eq!(c2.get("/portal").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        c1.get("/portal/join/fl_inv_nonsense").await.0,
        StatusCode::GONE
    );

    // Revoking ends the session it started.
    let r = member
        .post(
            &format!("/projects/{id}/invitations/{}/revoke", invs[0].id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(c1.get("/portal").await.0, StatusCode::UNAUTHORIZED);

    // An unused link expires after 14 days.
    let token = invite_token(&member, &id, &csrf, &casey.to_string()).await;
    app.clock.advance(Duration::days(15));
    let (s, body) = Web::new(app).get(&format!("/portal/join/{token}")).await;
    assert_eq!(s, StatusCode::GONE);
    assert!(body.contains("expired"));
}

#[tokio::test]
async fn a_portal_session_reaches_only_its_own_project_by_any_url_on_sqlite() {
    let app = spawn(Backend::Sqlite, "ui_portal_authz").await.unwrap();
    a_portal_session_reaches_only_its_own_project_by_any_url(&app).await;
}

#[tokio::test]
async fn a_portal_session_reaches_only_its_own_project_by_any_url_on_postgres() {
    let Some(app) = spawn(Backend::Postgres, "ui_portal_authz_pg").await else {
        return;
    };
    a_portal_session_reaches_only_its_own_project_by_any_url(&app).await;
}

async fn a_portal_session_reaches_only_its_own_project_by_any_url(app: &TestApp) {
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let (id, v) = project(app, &m, "Haulers Ltd").await;
    let (other, _) = project(app, &m, "Other Customer").await;
    let member = Web::new(app);
    member.login("dana@vendor.test").await;
    let casey = person(&v, "Casey");
    let customer = portal_for(app, &member, &id, casey).await;

    // Its own portal, without internal notes or other projects.
    let (s, portal) = customer.get("/portal").await;
    assert_eq!(s, StatusCode::OK);
    assert!(portal.contains("What we need from you"));
    assert!(!portal.contains("champion may leave"), "no internal risks");
    assert!(
        !portal.contains("Custom SAP connector"),
        "no sales promises"
    );
    assert!(!portal.contains("Activity") && !portal.contains("Other Customer"));

    // Every vendor page, by any URL, sends it to the vendor sign-in.
    let vendor_gets = [
        "/".to_string(),
        format!("/projects/{id}"),
        format!("/projects/{other}"),
        format!("/projects/{id}/preview"),
        format!("/projects/{other}/preview"),
        format!("/projects/{id}/files/file_x"),
        format!("/projects/{id}/tasks/1"),
        format!("/projects/{id}/forms/pause"),
        format!("/projects/{other}/forms/change_role"),
        format!("/projects/{id}/data"),
        "/analytics".to_string(),
        "/analytics/loops.csv".to_string(),
        "/handoff".to_string(),
        "/playbooks".to_string(),
        "/playbooks/standard".to_string(),
        "/calendar".to_string(),
        "/time".to_string(),
        "/team".to_string(),
        "/settings".to_string(),
        "/outbox".to_string(),
    ];
    for path in &vendor_gets {
        let r = customer.get_raw(path).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(
            r.headers()[LOCATION]
                .to_str()
                .unwrap()
                .starts_with("/login"),
            "{path}"
        );
    }
    for path in [
        format!("/api/v1/projects/{id}"),
        "/api/v1/projects".to_string(),
        "/api/v1/me".to_string(),
    ] {
        assert_eq!(
            customer.get_raw(&path).await.status(),
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    let csrf = csrf_of(&portal);
    for path in [
        format!("/projects/{id}/actions/add_person"),
        format!("/projects/{other}/actions/complete_task"),
        format!("/projects/{id}/invitations"),
        "/handoff".to_string(),
        "/settings/tokens".to_string(),
        "/settings/members".to_string(),
        format!("/settings/members/{}/remove", m.user.id),
        "/time".to_string(),
        "/team/capacity".to_string(),
        format!("/projects/{id}/tasks/1/time"),
        format!("/projects/{id}/actions/pause"),
        "/playbooks/standard/copy".to_string(),
    ] {
        let r = customer
            .post(
                &path,
                &[
                    ("csrf", &csrf),
                    ("name", "Eve"),
                    ("email", "eve@x.test"),
                    ("side", "customer"),
                    ("role", "end_user"),
                    ("person", "1"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(
            r.headers()[LOCATION]
                .to_str()
                .unwrap()
                .starts_with("/login"),
            "{path}"
        );
    }

    // In the portal it cannot act on vendor tasks, for others, or on unknown actions.
    let setup = task(&v, "setup").to_string();
    let r = customer
        .post(
            "/portal/actions/complete_task",
            &[("csrf", &csrf), ("task", &setup), ("proof_note", "done")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("not one of your side's tasks"));
    let r = customer
        .post(
            "/portal/actions/add_person",
            &[("csrf", &csrf), ("name", "Eve")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = customer
        .post(
            "/portal/actions/answer_change",
            &[("csrf", &csrf), ("request", "1"), ("approved", "yes")],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "Casey is not the decision maker"
    );
    let r = customer
        .post("/portal/actions/complete_task", &[("task", &setup)])
        .await;
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "portal forms need the token too"
    );

    // A file of another project is not found through the portal.
    let f = app
        .store
        .put_file(
            &m.workspace.id,
            &other,
            "x.csv",
            "text/csv",
            b"a",
            "t",
            app.clock_now(),
        )
        .await
        .unwrap();
    assert_eq!(
        customer
            .get_raw(&format!("/portal/files/{}", f.id))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // Its own task, with proof: done as the customer, and the ball moves.
    let sample = task(&v, "sample-data").to_string();
    let r = customer
        .post(
            "/portal/actions/complete_task",
            &[
                ("csrf", &csrf),
                ("task", &sample),
                ("proof_link", "https://files.example/loads.csv"),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let acts = app.store.activities(&m.workspace.id, &id).await.unwrap();
    assert!(acts
        .iter()
        .any(|a| a.actor == "Casey (customer)" && a.kind == "task.completed"));

    // A stuck task names the vendor person it needs something from.
    let v = m.project(&id).await;
    let vic = person(&v, "Vic").to_string();
    let full = task(&v, "full-path").to_string();
    let _ = full;
    let r = customer
        .post(
            "/portal/actions/block_task",
            &[
                ("csrf", &csrf),
                ("task", &sample),
                ("needed", "x"),
                ("from", &vic),
                ("by", "2026-03-10"),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a done task cannot be blocked"
    );

    // The vendor's session cannot use the portal either.
    assert_eq!(member.get("/portal").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_member_of_another_workspace_reaches_nothing_of_this_one() {
    let app = spawn(Backend::Sqlite, "ui_tenants").await.unwrap();
    let a = app.workspace("Vendor A", "dana@vendor.test").await;
    let (id, v) = project(&app, &a, "Haulers Ltd").await;
    let _b = app.workspace("Vendor B", "bea@other.test").await;
    let f = app
        .store
        .put_file(
            &a.workspace.id,
            &id,
            "x.csv",
            "text/csv",
            b"a",
            "t",
            app.clock_now(),
        )
        .await
        .unwrap();
    let owner = Web::new(&app);
    owner.login("dana@vendor.test").await;
    let csrf = owner.csrf(&format!("/projects/{id}")).await;
    let casey = person(&v, "Casey").to_string();
    let r = owner
        .post(
            &format!("/projects/{id}/invitations"),
            &[("csrf", &csrf), ("person", &casey)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let inv = app.store.invitations(&a.workspace.id, &id).await.unwrap()[0]
        .id
        .clone();

    let bea = Web::new(&app);
    bea.login("bea@other.test").await;
    for path in [
        format!("/projects/{id}"),
        format!("/projects/{id}/preview"),
        format!("/projects/{id}/files/{}", f.id),
        format!("/projects/{id}/tasks/1"),
        format!("/projects/{id}/forms/change_role"),
        format!("/projects/{id}/data"),
    ] {
        assert_eq!(bea.get(&path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    let (_, home) = bea.get("/").await;
    assert!(!home.contains("Haulers"));
    let csrf = bea.csrf("/").await;
    for path in [
        format!("/projects/{id}/actions/add_risk"),
        format!("/projects/{id}/actions/pause"),
        format!("/projects/{id}/invitations"),
        format!("/projects/{id}/invitations/{inv}/revoke"),
    ] {
        let r = bea
            .post(&path, &[("csrf", &csrf), ("text", "x"), ("person", &casey)])
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    assert!(
        app.store.invitations(&a.workspace.id, &id).await.unwrap()[0]
            .revoked_at
            .is_none()
    );
}

#[tokio::test]
async fn the_portfolio_pages_a_large_workspace() {
    let app = spawn(Backend::Sqlite, "ui_paging").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    for i in 0..55 {
        let (s, v) = m
            .post("/api/v1/projects", handoff(&format!("Customer {i:02}")))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v:#}");
    }
    let web = Web::new(&app);
    web.login("dana@vendor.test").await;
    let (s, first) = web.get("/?sort=name").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        first.contains("55 of 55 projects") && first.contains("page 1 of 2"),
        "{first}"
    );
    assert!(first.contains("Customer 00") && !first.contains("Customer 54"));
    let (_, second) = web.get("/?sort=name&page=2").await;
    assert!(second.contains("Customer 54") && !second.contains("Customer 00 implementation"));
    for page in ["0", "99", "x", "-1"] {
        assert_eq!(
            web.get(&format!("/?page={page}")).await.0,
            StatusCode::OK,
            "page {page}"
        );
    }
}

#[tokio::test]
async fn tasks_are_acted_on_from_their_own_page_not_from_pickers() {
    let app = spawn(Backend::Sqlite, "ui_task_page").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let (id, v) = project(&app, &m, "Haulers Ltd").await;
    let web = Web::new(&app);
    web.login("dana@vendor.test").await;
    let t = task(&v, "sample-data").to_string();
    let casey = person(&v, "Casey").to_string();

    // The plan links each task to its page; the project page has no task pickers.
    let (s, page) = web.get(&format!("/projects/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains(&format!("href=\"?task={t}\"")), "{page}");
    let r = web.get_raw(&format!("/projects/{id}?task={t}")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], format!("/projects/{id}/tasks/{t}"));
    assert!(!page.contains("choose a task"), "no task pickers");
    let (s, tp) = web.get(&format!("/projects/{id}/tasks/{t}")).await;
    assert_eq!(s, StatusCode::OK, "{tp}");
    assert!(
        tp.contains("Complete with proof") && tp.contains("Back to the plan"),
        "{tp}"
    );
    let csrf = csrf_of(&tp);

    // A refusal is shown on the task's page with the input kept.
    let (s, body) = web
        .act(
            &id,
            &csrf,
            "block_task",
            &[
                ("task", &t),
                ("needed", "CSV export"),
                ("from", &casey),
                ("by", "soon"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("is not a date")
            && body.contains("value=\"CSV export\"")
            && body.contains("Complete with proof"),
        "{body}"
    );

    // Success goes back to the task's row in the plan.
    let (s, _) = web
        .act(
            &id,
            &csrf,
            "assign_task",
            &[("task", &t), ("owner", &casey)],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _) = web
        .act(
            &id,
            &csrf,
            "complete_task",
            &[("task", &t), ("proof_note", "sample received, 40 rows")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, tp) = web.get(&format!("/projects/{id}/tasks/{t}")).await;
    assert!(
        tp.contains("Reopen") && tp.contains("sample received, 40 rows"),
        "{tp}"
    );

    // Unknown or malformed tasks are a 404 page, never a 500.
    for bad in ["99999", "x", "-1"] {
        let (s, _) = web.get(&format!("/projects/{id}/tasks/{bad}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{bad}");
    }
}

#[tokio::test]
async fn training_is_scheduled_and_attendance_recorded_on_the_project_page() {
    let app = spawn(Backend::Sqlite, "ui_training").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let (id, v) = project(&app, &m, "Haulers Ltd").await;
    let web = Web::new(&app);
    web.login("dana@vendor.test").await;
    let csrf = web.csrf(&format!("/projects/{id}")).await;
    let casey = person(&v, "Casey").to_string();

    // Field errors: a count that is not a whole number, a time that is not a time; input kept.
    let (s, body) = web
        .act(
            &id,
            &csrf,
            "schedule_training",
            &[
                ("title", "Dispatch basics"),
                ("audience", "daily_users"),
                ("scheduled_at", "tomorrow"),
                ("minutes", "forty"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("is not a whole number") && body.contains("is not a date and time"),
        "{body}"
    );
    assert!(
        body.contains("value=\"Dispatch basics\""),
        "the input is kept"
    );
    // R14: sessions are short.
    let (s, body) = web
        .act(
            &id,
            &csrf,
            "schedule_training",
            &[
                ("title", "Everything"),
                ("audience", "daily_users"),
                ("scheduled_at", "2026-03-10T10:00"),
                ("minutes", "120"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("R14"), "{body}");

    let (s, _) = web
        .act(
            &id,
            &csrf,
            "schedule_training",
            &[
                ("title", "Dispatch basics"),
                ("audience", "daily_users"),
                ("scheduled_at", "2026-03-10T10:00"),
                ("minutes", "45"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let session = m.project(&id).await["project"]["training"][0]["id"].to_string();

    let (s, body) = web
        .act(
            &id,
            &csrf,
            "record_attendance",
            &[
                ("session", &session),
                ("person", &casey),
                ("practice_task", ""),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Practice task is required"), "{body}");
    let (s, _) = web
        .act(
            &id,
            &csrf,
            "record_attendance",
            &[
                ("session", &session),
                ("person", &casey),
                ("practice_task", "Log a load"),
                ("completed", "on"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _) = web
        .act(&id, &csrf, "mark_training_held", &[("session", &session)])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _) = web
        .act(&id, &csrf, "send_training_recap", &[("session", &session)])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = web.get(&format!("/projects/{id}")).await;
    assert!(
        page.contains("Dispatch basics")
            && page.contains("2026-03-10 10:00 UTC")
            && page.contains("Casey: Log a load — done")
            && page.contains("recap sent"),
        "{page}"
    );
}

#[tokio::test]
async fn issues_and_access_are_handled_on_the_project_page() {
    let app = spawn(Backend::Sqlite, "ui_issues").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let (id, v) = project(&app, &m, "Haulers Ltd").await;
    let web = Web::new(&app);
    web.login("dana@vendor.test").await;
    let csrf = web.csrf(&format!("/projects/{id}")).await;
    let casey = person(&v, "Casey").to_string();

    // Hypercare issues: open (a bad date is a field error), assign, close.
    let (s, body) = web
        .act(
            &id,
            &csrf,
            "open_issue",
            &[("title", "Labels print blank"), ("due", "friday")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("is not a date") && body.contains("value=\"Labels print blank\""),
        "{body}"
    );
    let (s, _) = web
        .act(
            &id,
            &csrf,
            "open_issue",
            &[("title", "Labels print blank"), ("due", "2026-03-12")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let issue = m.project(&id).await["project"]["issues"][0]["id"].to_string();
    let (s, body) = web
        .act(
            &id,
            &csrf,
            "update_issue",
            &[("issue", "none"), ("owner", &casey)],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("is not a valid issue"), "{body}");
    let (s, _) = web
        .act(
            &id,
            &csrf,
            "update_issue",
            &[("issue", &issue), ("owner", &casey)],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = web.get(&format!("/projects/{id}")).await;
    assert!(
        page.contains("Labels print blank — Casey, due 2026-03-12"),
        "{page}"
    );
    let (s, _) = web
        .act(&id, &csrf, "close_issue", &[("issue", &issue)])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(m.project(&id).await["project"]["issues"][0]["closed_at"].is_string());

    // Access: asked for (the grantor is required), then granted from its row.
    let (s, body) = web
        .act(
            &id,
            &csrf,
            "add_access_item",
            &[
                ("what", "SSO test tenant"),
                ("direction", "customer_to_vendor"),
                ("grantor", ""),
                ("due", "2026-03-11"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("choose the person who grants it")
            && body.contains("value=\"SSO test tenant\""),
        "{body}"
    );
    let (s, _) = web
        .act(
            &id,
            &csrf,
            "add_access_item",
            &[
                ("what", "SSO test tenant"),
                ("direction", "customer_to_vendor"),
                ("grantor", &casey),
                ("due", "2026-03-11"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let item = m.project(&id).await["project"]["access"][0]["id"].to_string();
    let (s, _) = web
        .act(&id, &csrf, "grant_access", &[("item", &item)])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = web.get(&format!("/projects/{id}")).await;
    assert!(page.contains("SSO test tenant — granted by Casey, due 2026-03-11 <span class=\"badge ok\">granted</span>"), "{page}");
}

#[tokio::test]
async fn adoption_and_the_transition_are_recorded_on_the_project_page() {
    let app = spawn(Backend::Sqlite, "ui_adoption").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let (id, _) = project(&app, &m, "Haulers Ltd").await;
    let v = m.ok(&id, json!({"action": "add_person", "name": "Rae", "email": "rae@vendor.test", "side": "vendor", "role": "renewal_csm"})).await;
    let rae = person(&v, "Rae").to_string();
    let web = Web::new(&app);
    web.login("dana@vendor.test").await;
    let csrf = web.csrf(&format!("/projects/{id}")).await;

    // Before go-live, adoption is refused with the reason; a count must be a whole number.
    let (s, body) = web
        .act(
            &id,
            &csrf,
            "record_adoption",
            &[("active_users", "8"), ("trained_users", "10")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("adoption is measured after go-live"),
        "{body}"
    );
    let (s, body) = web
        .act(
            &id,
            &csrf,
            "record_adoption",
            &[("active_users", "lots"), ("trained_users", "10")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("Active users: &quot;lots&quot; is not a whole number")
            && body.contains("value=\"10\""),
        "{body}"
    );

    // Live (set up in the store: the way there is covered by the lifecycle tests).
    let ws = m.workspace.id.clone();
    let (mut p, version) = app.store.project(&ws, &id).await.unwrap().unwrap();
    p.stage = finishline_core::lifecycle::Stage::Hypercare;
    p.live_on = Some(app.clock_now().date_naive());
    app.store
        .save_project(&ws, &p, version, &[], app.clock_now())
        .await
        .unwrap();
    let (s, _) = web
        .act(
            &id,
            &csrf,
            "record_adoption",
            &[
                ("active_users", "8"),
                ("trained_users", "10"),
                ("logins_first_week", "31"),
                ("key_features_unused", ""),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    // A stall needs an intervention (R12), chosen in the same form.
    let (s, body) = web
        .act(
            &id,
            &csrf,
            "record_adoption",
            &[
                ("active_users", "2"),
                ("trained_users", "10"),
                ("key_features_unused", "reports, alerts"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("adoption stall"), "{body}");
    let (s, _) = web
        .act(
            &id,
            &csrf,
            "record_adoption",
            &[
                ("active_users", "2"),
                ("trained_users", "10"),
                ("key_features_unused", "reports, alerts"),
                ("intervention", "retrain"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);

    // Transition to customer success: notes are required; then prepared and accepted.
    let (s, body) = web
        .act(
            &id,
            &csrf,
            "prepare_transition",
            &[("renewal_csm", &rae), ("notes", "")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Notes is required"), "{body}");
    let (s, _) = web
        .act(
            &id,
            &csrf,
            "prepare_transition",
            &[
                ("renewal_csm", &rae),
                (
                    "notes",
                    "Goal: all loads logged by noon; watch the night shift",
                ),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    // R11: only the renewal CSM named in the packet accepts it, signed in as themself.
    let (s, body) = web.act(&id, &csrf, "accept_transition", &[]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("R11"), "{body}");
    app.member(&m.workspace, "rae@vendor.test", UserRole::Member)
        .await;
    let rae_web = Web::new(&app);
    rae_web.login("rae@vendor.test").await;
    let rae_csrf = rae_web.csrf(&format!("/projects/{id}")).await;
    let (s, _) = rae_web.act(&id, &rae_csrf, "accept_transition", &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = web.get(&format!("/projects/{id}")).await;
    assert!(
        page.contains("8 of 10 trained users active") && page.contains("31 first-week logins"),
        "{page}"
    );
    assert!(
        page.contains("stalled: only 2 of 10")
            && page.contains("Packet for Rae")
            && page.contains("accepted "),
        "{page}"
    );
}

#[tokio::test]
async fn an_oversized_upload_is_explained_on_a_page_with_a_way_back() {
    let app = spawn(Backend::Sqlite, "ui_too_large").await.unwrap();
    let m = app.workspace("Vendor A", "dana@vendor.test").await;
    let (id, v) = project(&app, &m, "Haulers Ltd").await;
    let web = Web::new(&app);
    web.login("dana@vendor.test").await;
    let csrf = web.csrf(&format!("/projects/{id}")).await;
    let t = task(&v, "sample-data").to_string();
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("_form", "complete_task")
        .text("task", t)
        .part(
            "proof_file",
            reqwest::multipart::Part::bytes(vec![b'x'; 300 * 1024]).file_name("big.bin"),
        );
    let r = web
        .http
        .post(format!("{}/projects/{id}/actions/complete_task", web.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let body = r.text().await.unwrap();
    assert!(
        body.contains("64 KB") && body.contains(&format!("href=\"/projects/{id}\"")),
        "{body}"
    );

    // A long form without a file is answered the same way.
    let big = "x".repeat(300 * 1024);
    let r = web
        .post(
            &format!("/projects/{id}/actions/add_risk"),
            &[("csrf", &csrf), ("text", &big)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));

    // The API keeps answering problem+json.
    let r = m
        .req(
            reqwest::Method::POST,
            &format!("/api/v1/projects/{id}/commands"),
        )
        .header("content-type", "application/json")
        .body(format!(
            "{{\"action\":\"add_risk\",\"text\":\"{}\"}}",
            "x".repeat(2 * 1024 * 1024)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/problem+json"));
}
