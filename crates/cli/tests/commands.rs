//! The `finishline` binary as a new user runs it: the demo, the admin commands, bad files.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_finishline"));
    c.env_remove("FINISHLINE_DATABASE_URL")
        .env_remove("FINISHLINE_LISTEN")
        .env("FINISHLINE_LOG", "warn");
    c
}

fn run(dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = bin()
        .args(args)
        .env("FINISHLINE_DATA_DIR", dir)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn demo_serves_the_seeded_workspace_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = bin()
        .args(["demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let (mut url, mut login) = (String::new(), String::new());
    while let Some(Ok(line)) = lines.next() {
        if let Some(u) = line.trim().strip_prefix("open:") {
            url = u.trim().trim_end_matches('/').to_string();
        }
        if let Some(l) = line.trim().strip_prefix("login:") {
            login = l.trim().to_string();
            break;
        }
    }
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let (email, password) = login.split_once(" / ").unwrap();
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let health = http.get(format!("{url}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let r = http
        .post(format!("{url}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let list: serde_json::Value = http
        .get(format!("{url}/api/v1/projects"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = list.as_array().unwrap();
    assert!(list.len() >= 5, "{list:?}");
    let stages: std::collections::BTreeSet<_> =
        list.iter().map(|p| p["stage"].to_string()).collect();
    assert!(stages.len() >= 4, "{stages:?}");
    // The seed's 21-day rollout shows its 8 days waiting on the customer.
    let clinic = list
        .iter()
        .find(|p| p["name"].as_str().unwrap().contains("Clinic"))
        .unwrap();
    let view: serde_json::Value = http
        .get(format!(
            "{url}/api/v1/projects/{}",
            clinic["id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        view["ball"]["project"]["customer_seconds"],
        8 * 86_400,
        "{:#}",
        view["ball"]["project"]
    );
    assert_eq!(view["scorecard"]["days_to_launch"], 21);
    // The blocked SSO task shows the chasing done for it (R9) on the project page.
    let calder = list
        .iter()
        .find(|p| p["name"].as_str().unwrap().contains("Calder"))
        .unwrap();
    let page = http
        .get(format!("{url}/projects/{}", calder["id"].as_str().unwrap()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("nudged ") && page.contains("×, escalated on "),
        "the project page shows nudges and the escalation"
    );

    // SIGTERM: the server finishes and exits cleanly.
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            assert!(s.success(), "exit status {s}");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn admin_commands_work_from_an_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (ok, out, err) = run(d, &["migrate"]);
    assert!(ok, "{err}");
    assert!(out.contains("up to date"));
    let (ok, _, err) = run(d, &["project", "list"]);
    assert!(!ok);
    assert!(err.contains("no workspace yet"), "{err}");

    let (ok, _, err) = run(
        d,
        &[
            "user",
            "create",
            "--email",
            "a@b.test",
            "--name",
            "A",
            "--workspace-name",
            "W",
            "--password",
            "short",
        ],
    );
    assert!(!ok && err.contains("at least 10"), "{err}");
    let (ok, _, err) = run(
        d,
        &[
            "user",
            "create",
            "--email",
            "not-an-email",
            "--name",
            "A",
            "--workspace-name",
            "W",
            "--password",
            "long enough password",
        ],
    );
    assert!(!ok && err.contains("--email"), "{err}");
    let (ok, out, err) = run(
        d,
        &[
            "user",
            "create",
            "--email",
            "dana@vendor.test",
            "--name",
            "Dana Reyes",
            "--workspace-name",
            "Vendor",
            "--admin",
            "--password",
            "long enough password",
        ],
    );
    assert!(ok, "{err}");
    assert!(out.contains("created admin Dana Reyes"), "{out}");
    let (ok, out, _) = run(
        d,
        &[
            "token",
            "create",
            "--email",
            "dana@vendor.test",
            "--name",
            "ci",
        ],
    );
    assert!(ok && out.trim().starts_with("fl_tok_"), "{out}");
    let (ok, _, err) = run(
        d,
        &[
            "token",
            "create",
            "--email",
            "nobody@vendor.test",
            "--name",
            "ci",
        ],
    );
    assert!(!ok && err.contains("no member"), "{err}");

    let good = d.join("deal.json");
    std::fs::write(
        &good,
        r#"{"customer": "Lindenwood Family Clinic", "sold": "Scheduling, 12 seats", "segment": "smb",
            "contract_date": "2026-03-01", "promises": [{"text": "SMS reminders"}],
            "owner": {"name": "Dana Reyes", "email": "dana@vendor.test"}}"#,
    )
    .unwrap();
    let (ok, out, err) = run(d, &["handoff", "import", good.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(
        out.contains("created project") && out.contains("must be classified or resolved"),
        "{out}"
    );
    let id = out.split_whitespace().nth(2).unwrap().to_string();
    let bad = d.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"customer": "X", "sold": "Y", "contract_date": "31/02/2026"}"#,
    )
    .unwrap();
    let (ok, _, err) = run(d, &["handoff", "import", bad.to_str().unwrap()]);
    assert!(
        !ok && err.contains("contract_date") && err.contains("bad.json"),
        "{err}"
    );
    let (ok, _, err) = run(d, &["handoff", "import", "/nonexistent.json"]);
    assert!(!ok && err.contains("/nonexistent.json"), "{err}");

    let (ok, out, _) = run(d, &["project", "list"]);
    assert!(
        ok && out.contains(&id) && out.contains("1 project(s)"),
        "{out}"
    );
    let (ok, out, _) = run(d, &["project", "show", &id]);
    assert!(ok && out.contains("kickoff readiness"), "{out}");
    let (ok, out, _) = run(d, &["project", "show", &id, "--json"]);
    assert!(ok && serde_json::from_str::<serde_json::Value>(&out).is_ok());
    let (ok, out, _) = run(d, &["project", "status", &id]);
    assert!(ok && !out.trim().is_empty());
    let (ok, _, err) = run(d, &["project", "show", "prj_nope"]);
    assert!(!ok && err.contains("prj_nope"));

    let copy = d.join("copy.sqlite");
    let (ok, out, err) = run(d, &["backup", copy.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("backup written") && copy.exists());
    let (ok, _, err) = run(d, &["backup", copy.to_str().unwrap()]);
    assert!(!ok && err.contains("exists already"));
    let url = format!("sqlite://{}", copy.display());
    let (ok, out, _) = run(d, &["project", "list", "--database-url", &url]);
    assert!(
        ok && out.contains(&id),
        "the backup holds the project: {out}"
    );
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["demo", "--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["user", "create", "--help"],
        vec!["token", "create", "--help"],
        vec!["project", "list", "--help"],
        vec!["project", "show", "--help"],
        vec!["project", "status", "--help"],
        vec!["handoff", "import", "--help"],
        vec!["backup", "--help"],
        vec!["restore", "--help"],
        vec!["copy", "--help"],
        vec!["data", "--help"],
    ] {
        let out = bin().args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}

/// A folder with one workspace, one member and one project; returns the project's id.
fn seeded(d: &std::path::Path) -> String {
    let (ok, _, err) = run(
        d,
        &[
            "user",
            "create",
            "--email",
            "dana@vendor.test",
            "--name",
            "Dana Reyes",
            "--workspace-name",
            "Vendor",
            "--admin",
            "--password",
            "long enough password",
        ],
    );
    assert!(ok, "{err}");
    let deal = d.join("deal.json");
    std::fs::write(
        &deal,
        r#"{"customer": "Lindenwood Family Clinic", "sold": "Scheduling, 12 seats", "segment": "smb",
            "contract_date": "2026-03-01", "promises": [{"text": "SMS reminders"}],
            "owner": {"name": "Dana Reyes", "email": "dana@vendor.test"}}"#,
    )
    .unwrap();
    let (ok, out, err) = run(d, &["handoff", "import", deal.to_str().unwrap()]);
    assert!(ok, "{err}");
    out.split_whitespace().nth(2).unwrap().to_string()
}

#[test]
fn restore_brings_a_backup_back_and_refuses_what_is_not_one() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    std::fs::create_dir_all(&a).unwrap();
    let id = seeded(&a);
    let backup = dir.path().join("backup.sqlite");
    let (ok, _, err) = run(&a, &["backup", backup.to_str().unwrap()]);
    assert!(ok, "{err}");

    let b = dir.path().join("b");
    let (ok, out, err) = run(&b, &["restore", backup.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(
        out.contains("restored") && out.contains("projects") && out.contains("finishline serve"),
        "{out}"
    );
    let (ok, out, _) = run(&b, &["project", "list"]);
    assert!(
        ok && out.contains(&id),
        "the restored folder holds the project: {out}"
    );
    assert!(!b.join("finishline.sqlite.restoring").exists());

    let (ok, _, err) = run(&b, &["restore", backup.to_str().unwrap()]);
    assert!(
        !ok && err.contains("exists"),
        "a database is never overwritten: {err}"
    );

    let c = dir.path().join("c");
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "these are not the rows you are looking for").unwrap();
    let (ok, _, err) = run(&c, &["restore", text.to_str().unwrap()]);
    assert!(!ok && err.contains("not a backup"), "{err}");
    let damaged = dir.path().join("damaged.sqlite");
    let mut bytes = std::fs::read(&backup).unwrap();
    for b in bytes.iter_mut().skip(4096).take(4096) {
        *b = 0xA5;
    }
    std::fs::write(&damaged, bytes).unwrap();
    let (ok, _, err) = run(&c, &["restore", damaged.to_str().unwrap()]);
    assert!(!ok, "a damaged backup is refused");
    assert!(
        err.contains("damaged") || err.contains("not a Finishline"),
        "{err}"
    );
    assert!(
        !c.join("finishline.sqlite").exists() && !c.join("finishline.sqlite.restoring").exists(),
        "a refused restore leaves no database behind"
    );
    let (ok, _, err) = run(&c, &["restore", "/nonexistent.sqlite"]);
    assert!(!ok && err.contains("/nonexistent.sqlite"), "{err}");
}

#[tokio::test]
async fn copy_carries_everything_to_an_empty_postgres_and_refuses_a_used_one() {
    let Some(pg) = finishline_store::testing::fresh_postgres("cli copy").await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    let id = seeded(&d);
    let url = pg.url.clone();
    let (ok, out, err) = tokio::task::spawn_blocking({
        let d = d.clone();
        let url = url.clone();
        move || run(&d, &["copy", "--to", &url])
    })
    .await
    .unwrap();
    assert!(ok, "{err}");
    assert!(
        out.contains("checksum match") && out.contains("finishline serve --database-url"),
        "{out}"
    );
    let (ok, out, err) = tokio::task::spawn_blocking({
        let d = d.clone();
        let url = url.clone();
        move || run(&d, &["project", "list", "--database-url", &url])
    })
    .await
    .unwrap();
    assert!(
        ok && out.contains(&id),
        "PostgreSQL holds the project: {out} {err}"
    );

    let (ok, _, err) = tokio::task::spawn_blocking({
        let d = d.clone();
        let url = url.clone();
        move || run(&d, &["copy", "--to", &url])
    })
    .await
    .unwrap();
    assert!(!ok && err.contains("not empty"), "{err}");
    let (ok, _, err) = run(&d, &["copy", "--to", "sqlite:///tmp/x.sqlite"]);
    assert!(!ok && err.contains("postgres://"), "{err}");
    let empty = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(empty.path(), &["copy", "--to", &url]);
    assert!(!ok && err.contains("no database"), "{err}");
}
