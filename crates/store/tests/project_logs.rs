//! `Store::project_logs`: every project of one workspace with its own log, across batches, in id
//! order, on both backends — and nothing of another workspace.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use finishline_core::command::{create_project, Ctx, NewPerson, NewProject};
use finishline_core::handoff::{Handoff, Segment};
use finishline_core::people::Side;
use finishline_core::{playbook, Activity, Project};
use finishline_store::testing::{fresh_postgres, fresh_sqlite, start};
use finishline_store::Store;

fn new_project(id: &str, customer: &str) -> (Project, Vec<Activity>) {
    create_project(
        NewProject {
            id: id.into(),
            name: format!("Pilot {id}"),
            customer: customer.into(),
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
        &Ctx {
            actor: "Dana Reyes (vendor)".into(),
            person: None,
            side: Side::Vendor,
            now: start(),
        },
    )
    .unwrap()
}

async fn exercise(store: &Store) {
    let a = store.create_workspace("A", start()).await.unwrap();
    let b = store.create_workspace("B", start()).await.unwrap();
    // More than one batch (64), inserted out of id order.
    let mut ids: Vec<String> = (0..70).rev().map(|i| format!("prj_a_{i:03}")).collect();
    for id in &ids {
        let (p, log) = new_project(id, "Acme");
        store
            .insert_project(&a.id, &p, &log, start())
            .await
            .unwrap();
    }
    let (p, log) = new_project("prj_b_000", "Secret Corp");
    store
        .insert_project(&b.id, &p, &log, start())
        .await
        .unwrap();

    let mut logs = store.project_logs(&a.id).await.unwrap();
    assert_eq!(logs.len(), 70);
    let mut seen = Vec::new();
    while let Some(p) = logs.next().await.unwrap() {
        assert_eq!(p.project.customer, "Acme", "only workspace A's projects");
        assert_eq!(p.version, 1, "the version of the document read");
        let stored = store.activities(&a.id, &p.project.id).await.unwrap();
        assert!(!p.log.is_empty());
        assert_eq!(p.log, stored, "each project with its own log, in order");
        seen.push(p.project.id);
    }
    ids.sort();
    assert_eq!(seen, ids, "every project once, in id order");

    // The named projects only: another workspace's id and an unknown one are skipped.
    let named = vec![
        "prj_a_065".to_string(),
        "prj_b_000".to_string(),
        "prj_a_002".to_string(),
        "prj_nope".to_string(),
    ];
    let mut logs = store.project_logs_of(&a.id, named);
    let mut seen = Vec::new();
    while let Some(batch) = logs.next_batch_whole().await.unwrap() {
        seen.extend(batch.into_iter().map(|p| p.project.id));
    }
    assert_eq!(seen, ["prj_a_002", "prj_a_065"]);

    // All logs at once: the same logs, nothing of workspace B.
    let all = store.workspace_activities(&a.id).await.unwrap();
    assert_eq!(all.len(), 70);
    for id in &ids {
        assert_eq!(all[id], store.activities(&a.id, id).await.unwrap());
    }
}

#[tokio::test]
async fn sqlite_project_logs_visit_every_project_of_the_workspace_with_its_log() {
    let db = fresh_sqlite().await.unwrap();
    exercise(&db.store).await;
}

#[tokio::test]
async fn postgres_project_logs_visit_every_project_of_the_workspace_with_its_log() {
    let Some(db) =
        fresh_postgres("postgres_project_logs_visit_every_project_of_the_workspace_with_its_log")
            .await
    else {
        return;
    };
    exercise(&db.store).await;
}
