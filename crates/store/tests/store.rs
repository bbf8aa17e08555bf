//! The store on both backends: documents, versions, activity in the same transaction,
//! workspace scoping, exactly-once deliveries, credentials, playbooks, files, backup.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use finishline_core::command::{create_project, Ctx, NewPerson, NewProject};
use finishline_core::handoff::{Handoff, Segment};
use finishline_core::people::Side;
use finishline_core::{apply, playbook, Command, Project};
use finishline_store::testing::{fresh_postgres, fresh_sqlite};
use finishline_store::{credentials, Delivery, MemberChange, Store, StoreError, UserRole};

fn ctx() -> Ctx {
    Ctx {
        actor: "Dana (vendor)".into(),
        person: None,
        side: Side::Vendor,
        now: finishline_store::testing::start(),
    }
}

fn new_project(id: &str) -> (Project, Vec<finishline_core::Activity>) {
    create_project(
        NewProject {
            id: id.into(),
            name: "Pilot".into(),
            customer: "Acme Logistics".into(),
            handoff: Handoff {
                sold: "Dispatch module".into(),
                promises: vec![],
                champion: "Sam".into(),
                expected_timeline: "6 weeks".into(),
                segment: Segment::MidMarket,
                contract_date: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
                account_executive: String::new(),
            },
            playbook: playbook::light_touch(),
            owner: Some(NewPerson {
                name: "Dana Reyes".into(),
                email: "dana@vendor.test".into(),
                user_id: None,
            }),
            start_date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        },
        &ctx(),
    )
    .unwrap()
}

async fn exercise(store: &Store) {
    let now = ctx().now;
    let a = store.create_workspace("Vendor A", now).await.unwrap();
    let b = store.create_workspace("Vendor B", now).await.unwrap();

    // Projects: insert, read, save, conflict; every write raises the workspace's revision.
    let revision = |ws: String| async move { store.projects_revision(&ws).await.unwrap() };
    assert_eq!(revision(a.id.clone()).await, Some(0));
    assert_eq!(revision("ws_missing".into()).await, None);
    let (p, acts) = new_project("prj_1");
    store.insert_project(&a.id, &p, &acts, now).await.unwrap();
    assert_eq!(revision(a.id.clone()).await, Some(1));
    let (mut loaded, v) = store.project(&a.id, "prj_1").await.unwrap().unwrap();
    assert_eq!(loaded, p);
    assert_eq!(v, 1);
    assert!(
        store.project(&b.id, "prj_1").await.unwrap().is_none(),
        "other workspace sees nothing"
    );

    let more = apply(
        &mut loaded,
        Command::SetFinishLine {
            text: "Dispatchers plan 100% of routes in Finishline, cutting planning time from 3 h to 1 h a day".into(),
        },
        &ctx(),
    )
    .unwrap();
    assert_eq!(
        store
            .save_project(&a.id, &loaded, 1, &more, now)
            .await
            .unwrap(),
        2
    );
    let stale = store.save_project(&a.id, &loaded, 1, &more, now).await;
    assert!(matches!(stale, Err(StoreError::Conflict)), "{stale:?}");
    let wrong_ws = store.save_project(&b.id, &loaded, 2, &more, now).await;
    assert!(matches!(wrong_ws, Err(StoreError::Conflict)));
    assert_eq!(
        (revision(a.id.clone()).await, revision(b.id.clone()).await),
        (Some(2), Some(0)),
        "a refused save raises nothing, and only its own workspace's revision"
    );
    let since = |ws: String, r: i64| async move {
        let mut ids: Vec<String> = store
            .project_rows_since(&ws, r)
            .await
            .unwrap()
            .into_iter()
            .map(|row| format!("{}@{}", row.id, row.version))
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(since(a.id.clone(), 0).await, ["prj_1@2"]);
    assert_eq!(
        since(a.id.clone(), 1).await,
        ["prj_1@2"],
        "the save stamped it"
    );
    assert!(since(a.id.clone(), 2).await.is_empty());
    assert!(since(b.id.clone(), 0).await.is_empty());
    let log = store.activities(&a.id, "prj_1").await.unwrap();
    assert_eq!(
        log.len(),
        acts.len() + more.len(),
        "a failed save appends nothing"
    );
    assert!(store.activities(&b.id, "prj_1").await.unwrap().is_empty());
    let rows = store.project_rows(&a.id).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].owner_name, "Dana Reyes");
    assert_eq!(rows[0].version, 2);
    assert!(store.project_rows(&b.id).await.unwrap().is_empty());

    // Exactly-once deliveries.
    let (q, qa) = new_project("prj_2");
    assert_eq!(
        store
            .insert_project_once(&a.id, "dlv-1", &q, &qa, now)
            .await
            .unwrap(),
        Delivery::Created
    );
    let (q2, qa2) = new_project("prj_3");
    assert_eq!(
        store
            .insert_project_once(&a.id, "dlv-1", &q2, &qa2, now)
            .await
            .unwrap(),
        Delivery::AlreadyApplied {
            project_id: "prj_2".into()
        }
    );
    assert!(store.project(&a.id, "prj_3").await.unwrap().is_none());
    assert_eq!(
        since(a.id.clone(), 2).await,
        ["prj_2@1"],
        "a delivery applied once is stamped once"
    );
    assert_eq!(store.projects(&a.id).await.unwrap().len(), 2);

    // Users, sessions, tokens.
    let hash = credentials::hash_password("a long enough password").unwrap();
    let u = store
        .create_user(
            &a.id,
            " Dana@Vendor.test ",
            "Dana",
            &hash,
            UserRole::Admin,
            &finishline_store::By::new("tests", None, now),
        )
        .await
        .unwrap();
    let dup = store
        .create_user(
            &b.id,
            "dana@vendor.test",
            "Other",
            &hash,
            UserRole::Member,
            &finishline_store::By::new("tests", None, now),
        )
        .await;
    assert!(matches!(dup, Err(StoreError::Duplicate(_))), "{dup:?}");
    let found = store
        .user_by_email("DANA@vendor.test")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, u.id);
    let ses = store
        .create_session(&u, now, chrono::Duration::days(1))
        .await
        .unwrap();
    assert_eq!(
        store.session_user(&ses, now).await.unwrap().unwrap().id,
        u.id
    );
    assert!(
        store
            .session_user(&ses, now + chrono::Duration::days(2))
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    store.delete_session(&ses).await.unwrap();
    assert!(store.session_user(&ses, now).await.unwrap().is_none());
    let (tok, secret) = store
        .create_api_token(&u, "ci", &finishline_store::By::new("tests", None, now))
        .await
        .unwrap();
    assert_eq!(
        store
            .token_user(&secret)
            .await
            .unwrap()
            .unwrap()
            .workspace_id,
        a.id
    );
    assert!(
        !store
            .revoke_api_token(
                &b.id,
                &tok.id,
                &finishline_store::By::new("tests", None, now)
            )
            .await
            .unwrap(),
        "B cannot revoke A's token"
    );
    assert!(store
        .revoke_api_token(
            &a.id,
            &tok.id,
            &finishline_store::By::new("tests", None, now)
        )
        .await
        .unwrap());
    assert!(store.token_user(&secret).await.unwrap().is_none());

    // Members: a workspace keeps one admin; removing a member ends their session and tokens.
    let sam = store
        .create_user(
            &a.id,
            "sam@vendor.test",
            "Sam",
            &hash,
            UserRole::Member,
            &finishline_store::By::new("tests", None, now),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .set_user_role(
                &a.id,
                &u.id,
                UserRole::Member,
                &finishline_store::By::new("tests", None, finishline_store::testing::start())
            )
            .await
            .unwrap(),
        MemberChange::LastAdmin
    );
    assert_eq!(
        store
            .remove_user(
                &a.id,
                &u.id,
                &finishline_store::By::new("tests", None, finishline_store::testing::start())
            )
            .await
            .unwrap(),
        MemberChange::LastAdmin
    );
    assert_eq!(
        store
            .set_user_role(
                &b.id,
                &sam.id,
                UserRole::Admin,
                &finishline_store::By::new("tests", None, finishline_store::testing::start())
            )
            .await
            .unwrap(),
        MemberChange::NotFound,
        "B reaches no member of A"
    );
    assert_eq!(
        store
            .set_user_role(
                &a.id,
                &sam.id,
                UserRole::Admin,
                &finishline_store::By::new("tests", None, finishline_store::testing::start())
            )
            .await
            .unwrap(),
        MemberChange::Done
    );
    let (_, sam_token) = store
        .create_api_token(&sam, "ci", &finishline_store::By::new("tests", None, now))
        .await
        .unwrap();
    let sam_session = store
        .create_session(&sam, now, chrono::Duration::days(1))
        .await
        .unwrap();
    assert_eq!(
        store
            .set_user_role(
                &a.id,
                &u.id,
                UserRole::Member,
                &finishline_store::By::new("tests", None, finishline_store::testing::start())
            )
            .await
            .unwrap(),
        MemberChange::Done,
        "with Sam an admin, Dana may step down"
    );
    assert_eq!(
        store
            .remove_user(
                &a.id,
                &sam.id,
                &finishline_store::By::new("tests", None, finishline_store::testing::start())
            )
            .await
            .unwrap(),
        MemberChange::LastAdmin
    );
    store
        .set_user_role(
            &a.id,
            &u.id,
            UserRole::Admin,
            &finishline_store::By::new("tests", None, finishline_store::testing::start()),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .remove_user(
                &a.id,
                &sam.id,
                &finishline_store::By::new("tests", None, finishline_store::testing::start())
            )
            .await
            .unwrap(),
        MemberChange::Done
    );
    assert!(store.token_user(&sam_token).await.unwrap().is_none());
    assert!(store
        .session_user(&sam_session, now)
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        store
            .remove_user(
                &a.id,
                &sam.id,
                &finishline_store::By::new("tests", None, finishline_store::testing::start())
            )
            .await
            .unwrap(),
        MemberChange::NotFound
    );

    // Playbooks are versioned per workspace.
    let mut pb = playbook::standard();
    pb.key = "acme-standard".into();
    assert_eq!(
        store.save_playbook(&a.id, &pb, "Dana", now).await.unwrap(),
        1
    );
    pb.name = "Acme standard v2".into();
    assert_eq!(
        store.save_playbook(&a.id, &pb, "Dana", now).await.unwrap(),
        2
    );
    assert_eq!(
        store
            .playbook(&a.id, "acme-standard", None)
            .await
            .unwrap()
            .unwrap()
            .version,
        2
    );
    assert_eq!(
        store
            .playbook(&a.id, "acme-standard", Some(1))
            .await
            .unwrap()
            .unwrap()
            .playbook
            .name,
        playbook::standard().name
    );
    assert_eq!(store.playbooks(&a.id).await.unwrap().len(), 1);
    assert!(store.playbooks(&b.id).await.unwrap().is_empty());

    // Files.
    let f = store
        .put_file(
            &a.id,
            "prj_1",
            "export.csv",
            "text/csv",
            b"a,b\n1,2\n",
            "Dana",
            now,
        )
        .await
        .unwrap();
    assert_eq!(f.size, 8);
    let (meta, body) = store.file(&a.id, &f.id).await.unwrap().unwrap();
    assert_eq!(body, b"a,b\n1,2\n");
    assert_eq!(meta.sha256.len(), 64);
    assert!(store.file(&b.id, &f.id).await.unwrap().is_none());
}

#[tokio::test]
async fn sqlite_store_round_trips_and_scopes_by_workspace() {
    let db = fresh_sqlite().await.unwrap();
    exercise(&db.store).await;
}

#[tokio::test]
async fn postgres_store_round_trips_and_scopes_by_workspace() {
    let Some(db) = fresh_postgres("postgres_store_round_trips_and_scopes_by_workspace").await
    else {
        return;
    };
    exercise(&db.store).await;
}

#[tokio::test]
async fn sqlite_backup_is_a_readable_copy() {
    let db = fresh_sqlite().await.unwrap();
    let now = ctx().now;
    let ws = db.store.create_workspace("Vendor A", now).await.unwrap();
    let (p, acts) = new_project("prj_1");
    db.store
        .insert_project(&ws.id, &p, &acts, now)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.sqlite");
    db.store.backup(&copy).await.unwrap();
    let restored = Store::open(&format!("sqlite://{}", copy.display()))
        .await
        .unwrap();
    assert_eq!(
        restored.project(&ws.id, "prj_1").await.unwrap().unwrap().0,
        p
    );
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_full_sync() {
    let db = fresh_sqlite().await.unwrap();
    let (mode, sync) = db.store.sqlite_settings().await.unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(sync, 2, "synchronous=FULL");
}
