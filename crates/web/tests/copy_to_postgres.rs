//! `finishline copy`'s promise, end to end: the demo workspace on SQLite, copied into an empty
//! PostgreSQL database, answers every API read the same, with the same credentials.
#![allow(clippy::unwrap_used)]

mod common;

use common::{spawn, spawn_on, Backend};
use finishline::demo;
use finishline_store::testing::fresh_postgres;
use reqwest::StatusCode;
use serde_json::Value;

async fn get(app: &common::TestApp, token: &str, path: &str) -> Value {
    let r = app
        .anonymous()
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.json().await.unwrap()
}

#[tokio::test]
async fn the_demo_copied_to_postgres_answers_every_read_the_same() {
    let Some(pg) = fresh_postgres("copy_to_postgres").await else {
        return;
    };
    let sqlite = spawn(Backend::Sqlite, "copy_to_postgres").await.unwrap();
    let now = sqlite.clock_now();
    let login = demo::seed(&sqlite.store, now).await.unwrap();
    let admin = sqlite
        .store
        .user_by_email(demo::DEMO_EMAIL)
        .await
        .unwrap()
        .unwrap();
    let (_, token) = sqlite
        .store
        .create_api_token(
            &admin,
            "copy test",
            &finishline_store::By::new("tests", None, now),
        )
        .await
        .unwrap();

    let mut tables = Vec::new();
    let sums = sqlite
        .store
        .copy_into(&pg.store, &mut |table, _| tables.push(table.to_string()))
        .await
        .unwrap();
    assert_eq!(sums, pg.store.table_sums().await.unwrap());
    let rows = |t: &str| sums.iter().find(|s| s.table == t).unwrap().rows;
    assert!(rows("projects") >= 5 && rows("activities") > 50 && rows("api_tokens") >= 1);
    assert!(
        tables.iter().any(|t| t == "audit_events"),
        "progress names every table"
    );

    let copied = spawn_on(pg, |_| {}).await;
    copied.clock.set(now);
    let list = get(&sqlite, &token, "/api/v1/projects").await;
    assert_eq!(
        list,
        get(&copied, &token, "/api/v1/projects").await,
        "the token made on SQLite signs in on PostgreSQL, and the list is the same"
    );
    let ids: Vec<String> = list["projects"]
        .as_array()
        .or(list.as_array())
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.len() >= 5, "{list}");
    for id in &ids {
        for path in [
            format!("/api/v1/projects/{id}"),
            format!("/api/v1/projects/{id}/activity"),
        ] {
            assert_eq!(
                get(&sqlite, &token, &path).await,
                get(&copied, &token, &path).await,
                "{path}"
            );
        }
    }
    for path in ["/api/v1/scorecard", "/api/v1/members", "/api/v1/playbooks"] {
        assert_eq!(
            get(&sqlite, &token, path).await,
            get(&copied, &token, path).await,
            "{path}"
        );
    }
    assert_eq!(login.workspace_id, admin.workspace_id);

    // Writes go on after the copy: the sequences moved past the copied rows.
    let first = &ids[0];
    let before = get(
        &copied,
        &token,
        &format!("/api/v1/projects/{first}/activity"),
    )
    .await;
    let r = copied
        .anonymous()
        .post(format!("{}/api/v1/projects/{first}/commands", copied.base))
        .bearer_auth(&token)
        .json(&serde_json::json!({"action": "add_person", "name": "Robin After", "email": "robin.after@customer.test", "side": "customer", "role": "end_user"}))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let body = r.text().await.unwrap();
    assert!(status.is_success(), "{status} {body}");
    let after = get(
        &copied,
        &token,
        &format!("/api/v1/projects/{first}/activity"),
    )
    .await;
    assert_ne!(before, after);
}
