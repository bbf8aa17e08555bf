//! The audit trail on both backends: appended in order, read per workspace, events without a
//! workspace kept apart.
#![allow(clippy::unwrap_used)]

use chrono::Duration;
use finishline_store::audit::kind;
use finishline_store::testing::{fresh_postgres, fresh_sqlite};
use finishline_store::{AuditFilter, NewAuditEvent, Store};
use serde_json::json;

fn event(ws: Option<&str>, actor: &str, kind: &str, n: u32) -> NewAuditEvent {
    NewAuditEvent {
        workspace_id: ws.map(str::to_string),
        actor: actor.into(),
        kind: kind.into(),
        detail: json!({ "n": n, "scope": "account" }),
        client_address: Some("203.0.113.7".into()),
    }
}

async fn exercise(store: &Store) {
    let now = finishline_store::testing::start();
    let a = store.create_workspace("Vendor A", now).await.unwrap();
    let b = store.create_workspace("Vendor B", now).await.unwrap();

    for n in 0..3 {
        let at = now + Duration::seconds(i64::from(n));
        store
            .record_audit(
                &event(Some(&a.id), "dana@a.test", kind::SIGN_IN_FAILED, n),
                at,
            )
            .await
            .unwrap();
    }
    store
        .record_audit(
            &event(Some(&b.id), "lee@b.test", kind::SIGN_IN_SUCCEEDED, 9),
            now,
        )
        .await
        .unwrap();
    let mut unknown = event(None, "nobody@x.test", kind::LOCKOUT_STARTED, 7);
    unknown.client_address = None;
    store.record_audit(&unknown, now).await.unwrap();

    let of_a = store.audit_events(&a.id, 10).await.unwrap();
    assert_eq!(of_a.len(), 3, "{of_a:#?}");
    assert!(of_a.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    let newest = &of_a[0];
    assert_eq!(newest.workspace_id.as_deref(), Some(a.id.as_str()));
    assert_eq!(newest.actor, "dana@a.test");
    assert_eq!(newest.kind, "sign_in.failed");
    assert_eq!(newest.detail, json!({ "n": 2, "scope": "account" }));
    assert_eq!(newest.client_address.as_deref(), Some("203.0.113.7"));
    assert_eq!(newest.at, now + Duration::seconds(2));
    assert_eq!(store.audit_events(&a.id, 1).await.unwrap().len(), 1);

    let of_b = store.audit_events(&b.id, 10).await.unwrap();
    assert_eq!(of_b.len(), 1, "another workspace's events are not shown");
    assert_eq!(of_b[0].kind, "sign_in.succeeded");

    let none = store.audit_events_without_workspace(10).await.unwrap();
    assert_eq!(none.len(), 1);
    assert_eq!(none[0].workspace_id, None);
    assert_eq!(none[0].client_address, None);
    assert_eq!(none[0].kind, "lockout.started");
    // A family matches its own kinds only: `_` in `sign_in` is no wildcard, and a kind that
    // merely starts with the family's letters (`sign_inx.`) is another family.
    for look_alike in ["signXin.failed", "sign_inx.failed"] {
        store
            .record_audit(&event(Some(&a.id), "dana@a.test", look_alike, 5), now)
            .await
            .unwrap();
    }
    let family = |kind: &str| AuditFilter {
        actor: None,
        kind: Some(kind.into()),
        from: None,
        to: None,
        limit: 50,
    };
    let sign_ins = store.audit_trail(&a.id, &family("sign_in")).await.unwrap();
    assert_eq!(sign_ins.len(), 3, "{sign_ins:#?}");
    assert!(sign_ins.iter().all(|e| e.kind == "sign_in.failed"));
    let exact = store
        .audit_trail(&a.id, &family("signXin.failed"))
        .await
        .unwrap();
    assert_eq!(exact.len(), 1, "an exact kind still matches: {exact:#?}");

    assert!(store
        .audit_events("ws_missing", 10)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn sqlite_audit_events_append_and_scope_by_workspace() {
    let db = fresh_sqlite().await.unwrap();
    exercise(&db.store).await;
}

#[tokio::test]
async fn postgres_audit_events_append_and_scope_by_workspace() {
    let Some(db) = fresh_postgres("postgres_audit_events_append_and_scope_by_workspace").await
    else {
        return;
    };
    exercise(&db.store).await;
}
