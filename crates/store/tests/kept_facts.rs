//! `Store::kept_facts` and `keep_facts`: derived facts kept per project version are returned
//! only for the project's current version and the format asked for, a late writer never hides
//! facts kept for a newer version, and nothing crosses workspaces — on both backends.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use finishline_core::command::{create_project, Ctx, NewProject};
use finishline_core::handoff::{Handoff, Segment};
use finishline_core::people::Side;
use finishline_core::{playbook, Activity, Project};
use finishline_store::testing::{fresh_postgres, fresh_sqlite, start};
use finishline_store::{NewFacts, Store};

fn new_project(id: &str) -> (Project, Vec<Activity>) {
    create_project(
        NewProject {
            id: id.into(),
            name: format!("Pilot {id}"),
            customer: "Acme".into(),
            handoff: Handoff {
                sold: "Dispatch module".into(),
                promises: vec![],
                champion: "Sam".into(),
                expected_timeline: "6 weeks".into(),
                segment: Segment::Smb,
                contract_date: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
                account_executive: String::new(),
            },
            playbook: playbook::light_touch(),
            owner: None,
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

const FORMAT: i64 = 7;

async fn doc_of(store: &Store, ws: &str, project: &str, format: i64) -> Option<String> {
    store
        .kept_facts(ws, format)
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.project_id == project)
        .expect("every project is listed")
        .doc
}

fn facts<'a>(project_id: &'a str, version: i64, doc: &'a str) -> NewFacts<'a> {
    NewFacts {
        project_id,
        version,
        doc,
    }
}

async fn exercise(store: &Store) {
    let a = store.create_workspace("A", start()).await.unwrap();
    let b = store.create_workspace("B", start()).await.unwrap();
    let (p, log) = new_project("prj_kept");
    store
        .insert_project(&a.id, &p, &log, start())
        .await
        .unwrap();
    let (q, log_q) = new_project("prj_other");
    store
        .insert_project(&b.id, &q, &log_q, start())
        .await
        .unwrap();

    // Nothing kept yet: listed with its version and no document.
    let listed = store.kept_facts(&a.id, FORMAT).await.unwrap();
    assert_eq!(listed.len(), 1, "only workspace A's project");
    assert_eq!((listed[0].version, listed[0].doc.as_deref()), (1, None));

    store
        .keep_facts(&a.id, FORMAT, &[facts("prj_kept", 1, "v1")])
        .await
        .unwrap();
    assert_eq!(
        doc_of(store, &a.id, "prj_kept", FORMAT).await.as_deref(),
        Some("v1")
    );
    assert_eq!(
        doc_of(store, &a.id, "prj_kept", FORMAT + 1).await,
        None,
        "another build's format is not returned"
    );
    assert_eq!(doc_of(store, &b.id, "prj_other", FORMAT).await, None);

    // The project changes: facts kept for version 1 are no longer returned.
    store
        .save_project(&a.id, &p, 1, &[], start())
        .await
        .unwrap();
    assert_eq!(doc_of(store, &a.id, "prj_kept", FORMAT).await, None);
    store
        .keep_facts(&a.id, FORMAT, &[facts("prj_kept", 2, "v2")])
        .await
        .unwrap();
    assert_eq!(
        doc_of(store, &a.id, "prj_kept", FORMAT).await.as_deref(),
        Some("v2")
    );
    // A slow writer still holding version 1's facts does not replace version 2's.
    store
        .keep_facts(&a.id, FORMAT, &[facts("prj_kept", 1, "late v1")])
        .await
        .unwrap();
    assert_eq!(
        doc_of(store, &a.id, "prj_kept", FORMAT).await.as_deref(),
        Some("v2")
    );

    // Many at once (several statements in one transaction).
    let ids: Vec<String> = (0..250).map(|i| format!("prj_many_{i:03}")).collect();
    for id in &ids {
        let (p, log) = new_project(id);
        store
            .insert_project(&a.id, &p, &log, start())
            .await
            .unwrap();
    }
    let docs: Vec<String> = ids.iter().map(|id| format!("facts of {id}")).collect();
    let rows: Vec<NewFacts<'_>> = ids
        .iter()
        .zip(&docs)
        .map(|(id, doc)| facts(id, 1, doc))
        .collect();
    store.keep_facts(&a.id, FORMAT, &rows).await.unwrap();
    let listed = store.kept_facts(&a.id, FORMAT).await.unwrap();
    assert_eq!(listed.len(), 251);
    for k in listed
        .iter()
        .filter(|k| k.project_id.starts_with("prj_many_"))
    {
        assert_eq!(k.doc, Some(format!("facts of {}", k.project_id)));
    }
}

#[tokio::test]
async fn sqlite_kept_facts_are_returned_only_for_the_current_version_and_format() {
    let db = fresh_sqlite().await.unwrap();
    exercise(&db.store).await;
}

#[tokio::test]
async fn postgres_kept_facts_are_returned_only_for_the_current_version_and_format() {
    let Some(db) =
        fresh_postgres("postgres_kept_facts_are_returned_only_for_the_current_version").await
    else {
        return;
    };
    exercise(&db.store).await;
}
