//! Members on the settings page: an admin changes roles and removes members; the workspace
//! always keeps an admin; a removed member is signed out everywhere (sessions and API tokens);
//! members who are not admins, other workspaces and forms without their token change nothing.
#![allow(clippy::unwrap_used)]

mod common;

use common::web::{csrf_of, Web};
use common::{spawn, Backend};
use finishline_store::UserRole;
use reqwest::header::LOCATION;
use reqwest::StatusCode;

fn id_of(page: &str, name: &str) -> String {
    // Each member's row holds their forms: /settings/members/{id}/role.
    let row = page
        .split("<tr>")
        .skip(1)
        .find(|r| r.contains(&format!(">{name}<")) || r.contains(&format!(">{name} <")))
        .unwrap_or_else(|| panic!("a row for {name}: {page}"));
    let at = row.find("/settings/members/").unwrap() + "/settings/members/".len();
    row[at..].split('/').next().unwrap().to_string()
}

#[tokio::test]
async fn admins_change_roles_and_remove_members_and_one_admin_always_stays() {
    let app = spawn(Backend::Sqlite, "ui_members").await.unwrap();
    let dana = app.workspace("Vendor A", "dana@vendor.test").await;
    let sam = app
        .member(&dana.workspace, "sam@vendor.test", UserRole::Member)
        .await;
    let web = Web::new(&app);
    web.login("dana@vendor.test").await;
    let sam_web = Web::new(&app);
    sam_web.login("sam@vendor.test").await;

    let (s, page) = web.get("/settings").await;
    assert_eq!(s, StatusCode::OK);
    let csrf = csrf_of(&page);
    let (dana_id, sam_id) = (id_of(&page, "dana"), id_of(&page, "sam"));
    assert_eq!(sam_id, sam.user.id);

    // The only admin can neither step down nor remove themself.
    let r = web
        .post(
            &format!("/settings/members/{dana_id}/role"),
            &[("csrf", &csrf), ("role", "member")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("only admin"), "{body}");
    let r = web
        .post(
            &format!("/settings/members/{dana_id}/remove"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("cannot remove yourself"));

    // A member who is not an admin changes nothing.
    let sam_csrf = sam_web.csrf("/settings").await;
    let r = sam_web
        .post(
            &format!("/settings/members/{sam_id}/role"),
            &[("csrf", &sam_csrf), ("role", "admin")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = sam_web
        .post(
            &format!("/settings/members/{dana_id}/remove"),
            &[("csrf", &sam_csrf)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Without the form's token, or with a role that does not exist, nothing changes.
    let r = web
        .post(
            &format!("/settings/members/{sam_id}/role"),
            &[("role", "admin")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = web
        .post(
            &format!("/settings/members/{sam_id}/role"),
            &[("csrf", &csrf), ("role", "owner")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("is not a role"));
    let users = app.store.users(&dana.workspace.id).await.unwrap();
    assert!(users
        .iter()
        .all(|u| u.id != sam_id || u.role == UserRole::Member));

    // Sam becomes an admin; then Dana can step down, and Sam is the one admin left.
    let r = web
        .post(
            &format!("/settings/members/{sam_id}/role"),
            &[("csrf", &csrf), ("role", "admin")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/settings#members");
    let r = web
        .post(
            &format!("/settings/members/{dana_id}/role"),
            &[("csrf", &csrf), ("role", "member")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = sam_web
        .post(
            &format!("/settings/members/{sam_id}/role"),
            &[("csrf", &sam_csrf), ("role", "member")],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "Sam is the last admin"
    );

    // Sam removes Dana: Dana's session and API token stop working at once.
    let (s, _) = dana.get("/api/v1/projects").await;
    assert_eq!(s, StatusCode::OK);
    let r = sam_web
        .post(
            &format!("/settings/members/{dana_id}/remove"),
            &[("csrf", &sam_csrf)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = web.get_raw("/settings").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "signed out");
    assert!(r.headers()[LOCATION]
        .to_str()
        .unwrap()
        .starts_with("/login"));
    let (s, _) = dana.get("/api/v1/projects").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (_, page) = sam_web.get("/settings").await;
    // Gone from the members; the audit trail below keeps what she did, as a trail must.
    let members = page.split("id=\"tokens\"").next().unwrap();
    assert!(!members.contains("dana@vendor.test"), "{page}");
    let trail = page.split("id=\"audit\"").nth(1).unwrap();
    assert!(
        trail.contains("Member removed") && trail.contains("dana@vendor.test"),
        "{page}"
    );
    let r = sam_web
        .post(
            &format!("/settings/members/{dana_id}/remove"),
            &[("csrf", &sam_csrf)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "already gone");
}

#[tokio::test]
async fn an_admin_reaches_no_member_of_another_workspace() {
    let app = spawn(Backend::Sqlite, "ui_members_tenants").await.unwrap();
    let _a = app.workspace("Vendor A", "dana@vendor.test").await;
    let b = app.workspace("Vendor B", "bo@other.test").await;
    let web = Web::new(&app);
    web.login("dana@vendor.test").await;
    let csrf = web.csrf("/settings").await;
    for path in [
        format!("/settings/members/{}/role", b.user.id),
        format!("/settings/members/{}/remove", b.user.id),
    ] {
        let r = web
            .post(&path, &[("csrf", csrf.as_str()), ("role", "member")])
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let bo = app.store.users(&b.workspace.id).await.unwrap();
    assert_eq!(bo.len(), 1);
    assert_eq!(bo[0].role, UserRole::Admin);
}
