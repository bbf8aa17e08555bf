//! The outbox across processes, with the real `finishline serve` binary and a real SMTP server
//! on loopback: a server killed between the outbox write and delivery loses nothing and sends
//! nothing twice once restarted; two servers on one PostgreSQL never send one message twice.
#![allow(clippy::unwrap_used)]

#[path = "../../web/tests/notify_support/smtp.rs"]
mod smtp;

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use chrono::Utc;
use finishline_store::{NewMessage, Store};
use smtp::SmtpSink;

fn serve(url: &str, smtp: &SmtpSink) -> Child {
    Command::new(env!("CARGO_BIN_EXE_finishline"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", url])
        .args([
            "--smtp-url",
            &smtp.url,
            "--sweep-seconds",
            "1",
            "--outbox-lease-seconds",
            "3",
        ])
        .env_remove("FINISHLINE_DATABASE_URL")
        .env_remove("FINISHLINE_LISTEN")
        .env("FINISHLINE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn enqueue(store: &Store, n: usize) -> String {
    let now = Utc::now();
    let ws = store.create_workspace("Vendor A", now).await.unwrap();
    let messages: Vec<NewMessage> = (0..n)
        .map(|i| NewMessage {
            channel: "email".into(),
            kind: "digest".into(),
            dedupe_key: format!("test:{i}"),
            recipient: format!("person{i}@customer.test"),
            subject: format!("message {i}"),
            body: format!("body {i}"),
            due_at: now,
            attachment: None,
        })
        .collect();
    assert_eq!(store.enqueue(&ws.id, &messages, now).await.unwrap(), n);
    // The same cause again enqueues nothing.
    assert_eq!(store.enqueue(&ws.id, &messages, now).await.unwrap(), 0);
    ws.id
}

async fn wait_for(what: &str, timeout: Duration, mut check: impl AsyncFnMut() -> bool) {
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Message-ID → how many times the SMTP server received it.
fn deliveries(smtp: &SmtpSink) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for m in smtp.messages() {
        *out.entry(m.header("Message-ID").unwrap()).or_default() += 1;
    }
    out
}

#[tokio::test]
async fn a_server_killed_mid_send_loses_nothing_and_sends_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/fl.sqlite", dir.path().display());
    let store = Store::open(&url).await.unwrap();
    let ws = enqueue(&store, 5).await;
    // The SMTP server takes connections but does not answer: the server claims the messages and
    // is killed while it waits to send them.
    let smtp = SmtpSink::start().await;
    smtp.hold.store(true, Ordering::SeqCst);
    let mut first = serve(&url, &smtp);
    wait_for(
        "the messages to be claimed",
        Duration::from_secs(30),
        async || {
            let rows = store.outbox(&ws, Some("email"), None, 100).await.unwrap();
            rows.iter().any(|m| m.attempts > 0)
        },
    )
    .await;
    first.kill().unwrap();
    first.wait().unwrap();
    let rows = store.outbox(&ws, Some("email"), None, 100).await.unwrap();
    assert!(
        rows.iter().all(|m| m.sent_at.is_none()),
        "killed before anything was sent"
    );
    assert!(smtp.messages().is_empty());

    // Restarted with the SMTP server answering: once the lease of the dead server runs out,
    // every message goes out, once.
    smtp.hold.store(false, Ordering::SeqCst);
    let mut second = serve(&url, &smtp);
    wait_for(
        "every message to be sent",
        Duration::from_secs(60),
        async || {
            let rows = store.outbox(&ws, Some("email"), None, 100).await.unwrap();
            rows.iter().all(|m| m.sent_at.is_some())
        },
    )
    .await;
    // A few more sweeps (and a restart) change nothing.
    second.kill().unwrap();
    second.wait().unwrap();
    let mut third = serve(&url, &smtp);
    tokio::time::sleep(Duration::from_secs(3)).await;
    third.kill().unwrap();
    third.wait().unwrap();
    let sent = deliveries(&smtp);
    assert_eq!(sent.len(), 5, "{sent:#?}");
    assert!(
        sent.values().all(|n| *n == 1),
        "each message once: {sent:#?}"
    );
}

#[tokio::test]
async fn two_servers_on_one_postgresql_never_send_a_message_twice() {
    let Some(db) = finishline_store::testing::fresh_postgres("two_servers_one_outbox").await else {
        return;
    };
    let ws = enqueue(&db.store, 40).await;
    let smtp = SmtpSink::start().await;
    let mut a = serve(&db.url, &smtp);
    let mut b = serve(&db.url, &smtp);
    wait_for(
        "every message to be sent",
        Duration::from_secs(60),
        async || {
            let rows = db
                .store
                .outbox(&ws, Some("email"), None, 100)
                .await
                .unwrap();
            rows.iter().all(|m| m.sent_at.is_some())
        },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    a.kill().unwrap();
    b.kill().unwrap();
    a.wait().unwrap();
    b.wait().unwrap();
    let sent = deliveries(&smtp);
    assert_eq!(sent.len(), 40, "{sent:#?}");
    assert!(
        sent.values().all(|n| *n == 1),
        "each message once: {sent:#?}"
    );
}
