//! Copying a whole database: every row arrives, the proof holds, and what could lose data is
//! refused (a target in use, a table this version does not know).
#![allow(clippy::unwrap_used)]

use finishline_store::testing::{fresh_sqlite, start};
use finishline_store::StoreError;

#[tokio::test]
async fn a_copy_carries_every_row_and_refuses_a_used_target() {
    let source = fresh_sqlite().await.unwrap();
    let ws = source
        .store
        .create_workspace("Vendor", start())
        .await
        .unwrap();
    source
        .store
        .create_workspace("Other", start())
        .await
        .unwrap();
    let target = fresh_sqlite().await.unwrap();
    let mut seen = Vec::new();
    let sums = source
        .store
        .copy_into(&target.store, &mut |t, n| seen.push((t.to_string(), n)))
        .await
        .unwrap();
    let workspaces = sums.iter().find(|s| s.table == "workspaces").unwrap();
    assert_eq!(workspaces.rows, 2);
    assert_eq!(sums, target.store.table_sums().await.unwrap());
    assert_eq!(sums, source.store.table_sums().await.unwrap());
    assert!(seen.contains(&("workspaces".to_string(), 2)));
    assert!(target.store.workspace(&ws.id).await.unwrap().is_some());

    let again = source.store.copy_into(&target.store, &mut |_, _| {}).await;
    match again {
        Err(StoreError::Refused(m)) => assert!(m.contains("not empty"), "{m}"),
        other => panic!("a used target must be refused: {other:?}"),
    }
}

#[tokio::test]
async fn a_table_the_copy_does_not_know_is_refused_not_skipped() {
    let source = fresh_sqlite().await.unwrap();
    source
        .store
        .create_workspace("Vendor", start())
        .await
        .unwrap();
    let raw = sqlx::SqlitePool::connect(&source.url).await.unwrap();
    sqlx::query("CREATE TABLE later_feature (id TEXT PRIMARY KEY)")
        .execute(&raw)
        .await
        .unwrap();
    raw.close().await;
    let target = fresh_sqlite().await.unwrap();
    match source.store.copy_into(&target.store, &mut |_, _| {}).await {
        Err(StoreError::Refused(m)) => assert!(m.contains("later_feature"), "{m}"),
        other => panic!("an unknown table must stop the copy: {other:?}"),
    }
    assert_eq!(target.store.first_nonempty_table().await.unwrap(), None);
}
