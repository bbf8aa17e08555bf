//! Crash safety, measured: writers in flight, `kill -9` at a random moment, restart, and every
//! write the server acknowledged is there, nothing is half-written, and the database is intact.
//!
//! Each cycle starts the real `finishline serve` on the same database, runs concurrent writers
//! (commands on shared projects, and new projects) and kills the process with SIGKILL after a
//! random delay. After the last cycle the server starts once more and every acknowledged write
//! is looked for. A project's risks live in its document and each has a `risk.added` activity
//! written in the same transaction: the two counts differ only if a save was half-written.
//!
//! `FINISHLINE_CRASH_CYCLES` sets the number of cycles (CI runs a few; `bench/crash.sh` runs
//! 200 on SQLite and 30 on PostgreSQL and records the figures in `bench/RESULTS.md`).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use finishline_store::testing::{fresh_postgres, fresh_sqlite, TestDb};
use serde_json::{json, Value};

/// Writers on the shared projects at once, plus one creating projects.
const WRITERS: usize = 4;
const SHARED_PROJECTS: usize = 2;

fn cycles() -> usize {
    std::env::var("FINISHLINE_CRASH_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4)
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_finishline"));
    c.env_remove("FINISHLINE_DATABASE_URL")
        .env_remove("FINISHLINE_LISTEN")
        .env("FINISHLINE_LOG", "error");
    c
}

fn run_ok(url: &str, args: &[&str]) -> String {
    let out = bin()
        .args(args)
        .args(["--database-url", url])
        .env("FINISHLINE_PASSWORD", "crash-test-password")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "finishline {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A small deterministic generator: the seed is printed so a failing run can be replayed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Child,
    base: String,
}

#[expect(
    clippy::zombie_processes,
    reason = "the child moves into the Server, and kill_9 waits for it"
)]
async fn start(url: &str, http: &reqwest::Client) -> Server {
    let port = free_port();
    let mut child = bin()
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--database-url", url, "--sweep-seconds", "3600"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    loop {
        if let Ok(r) = http.get(format!("{base}/healthz")).send().await {
            if r.status().is_success() {
                return Server { child, base };
            }
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server did not come back up on {url} within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn kill_9(server: &mut Server) {
    // Child::kill is SIGKILL on Unix: no shutdown hook, no flush, no drain.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

fn handoff(customer: &str) -> Value {
    json!({
        "customer": customer,
        "sold": "Dispatch module, 5 seats",
        "segment": "smb",
        "contract_date": "2026-03-01",
        "owner": {"name": "Casey Crash", "email": "casey@vendor.test"}
    })
}

#[derive(Default)]
struct Acked {
    /// (project, risk text) the server answered 2xx for.
    risks: Vec<(String, String)>,
    /// Projects the server answered 201 for.
    projects: Vec<String>,
    /// Requests cut off by the kill: they may or may not have landed.
    unknown: usize,
}

async fn crash_cycles(db: TestDb, backend: &str) {
    let url = db.url.clone();
    run_ok(
        &url,
        &[
            "user",
            "create",
            "--email",
            "casey@vendor.test",
            "--name",
            "Casey Crash",
            "--workspace-name",
            "Crash test",
            "--admin",
        ],
    );
    let token = run_ok(
        &url,
        &[
            "token",
            "create",
            "--email",
            "casey@vendor.test",
            "--name",
            "crash",
        ],
    )
    .trim()
    .to_string();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse().unwrap(),
    );
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();

    let mut server = start(&url, &http).await;
    let mut shared = Vec::new();
    for i in 0..SHARED_PROJECTS {
        let r = http
            .post(format!("{}/api/v1/projects", server.base))
            .json(&handoff(&format!("Shared customer {i}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let v: Value = r.json().await.unwrap();
        shared.push(v["project"]["id"].as_str().unwrap().to_string());
    }

    let seed = std::env::var("FINISHLINE_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("crash test ({backend}): seed {seed}");
    let mut rng = Rng(seed);
    let acked = Arc::new(Mutex::new(Acked::default()));
    let cycles = cycles();
    for cycle in 0..cycles {
        if cycle > 0 {
            server = start(&url, &http).await;
        }
        let mut writers = Vec::new();
        for w in 0..=WRITERS {
            let http = http.clone();
            let base = server.base.clone();
            let acked = acked.clone();
            let project = shared[w % SHARED_PROJECTS].clone();
            writers.push(tokio::spawn(async move {
                for n in 0.. {
                    let (req, label) = if w == WRITERS {
                        let name = format!("Crash c{cycle} n{n}");
                        (
                            http.post(format!("{base}/api/v1/projects"))
                                .json(&handoff(&name)),
                            name,
                        )
                    } else {
                        let text = format!("risk c{cycle} w{w} n{n}");
                        (
                            http.post(format!("{base}/api/v1/projects/{project}/commands"))
                                .json(&json!({"action": "add_risk", "text": text})),
                            text,
                        )
                    };
                    match req.send().await {
                        Ok(r) if r.status().is_success() => {
                            let created = w == WRITERS;
                            // The answer is an acknowledgement only once it has been read whole.
                            match r.json::<Value>().await {
                                Ok(v) => {
                                    let mut a = acked.lock().unwrap();
                                    if created {
                                        a.projects
                                            .push(v["project"]["id"].as_str().unwrap().to_string());
                                    } else {
                                        a.risks.push((project.clone(), label));
                                    }
                                }
                                Err(_) => {
                                    acked.lock().unwrap().unknown += 1;
                                    return;
                                }
                            }
                        }
                        Ok(r) => panic!(
                            "writer {w}: {label} answered {} before the kill: {}",
                            r.status(),
                            r.text().await.unwrap_or_default()
                        ),
                        Err(_) => {
                            acked.lock().unwrap().unknown += 1;
                            return;
                        }
                    }
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(rng.between(150, 900))).await;
        kill_9(&mut server);
        for w in writers {
            w.await.unwrap();
        }
    }

    // Restart once more and look for every acknowledged write.
    let server = start(&url, &http).await;
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    let mut lost = Vec::new();
    let mut half_written = Vec::new();
    let mut every_project: BTreeSet<String> = shared.iter().cloned().collect();
    for id in &acked.projects {
        every_project.insert(id.clone());
    }
    let mut risks_found = 0usize;
    for id in &every_project {
        let r = http
            .get(format!("{}/api/v1/projects/{id}", server.base))
            .send()
            .await
            .unwrap();
        if r.status() == 404 {
            lost.push(format!("project {id}"));
            continue;
        }
        assert_eq!(r.status(), 200, "project {id} after restart");
        let view: Value = r.json().await.unwrap();
        let texts: BTreeSet<String> = view["project"]["risks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["text"].as_str().unwrap().to_string())
            .collect();
        for (_, text) in acked.risks.iter().filter(|(p, _)| p == id) {
            if !texts.contains(text) {
                lost.push(format!("{id}: {text}"));
            }
        }
        risks_found += texts.len();
        let log: Value = http
            .get(format!("{}/api/v1/projects/{id}/activity", server.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let logged = log
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["kind"] == "risk.added")
            .count();
        if logged != texts.len() {
            half_written.push(format!(
                "{id}: {} risks in the document, {logged} risk.added activities",
                texts.len()
            ));
        }
    }
    let mut server = server;
    server.child.kill().unwrap();
    server.child.wait().unwrap();

    let integrity = if backend == "sqlite" {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let rows = sqlx::query("PRAGMA integrity_check")
            .fetch_all(&pool)
            .await
            .unwrap();
        pool.close().await;
        use sqlx::Row;
        let verdict: Vec<String> = rows.iter().map(|r| r.get::<String, _>(0)).collect();
        assert_eq!(verdict, ["ok"], "PRAGMA integrity_check");
        "integrity_check ok"
    } else {
        "n/a"
    };
    eprintln!(
        "crash test ({backend}): {cycles} cycles, {} acknowledged writes ({} commands, {} new projects), {} cut off by the kill, {} lost, {} half-written, {risks_found} risks stored, {integrity}",
        acked.risks.len() + acked.projects.len(),
        acked.risks.len(),
        acked.projects.len(),
        acked.unknown,
        lost.len(),
        half_written.len(),
    );
    assert!(lost.is_empty(), "acknowledged writes lost: {lost:#?}");
    assert!(half_written.is_empty(), "half-written: {half_written:#?}");
    assert!(
        !acked.risks.is_empty(),
        "no write was acknowledged: the test measured nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_keeps_every_acknowledged_write_through_kill_9() {
    let db = fresh_sqlite().await.unwrap();
    crash_cycles(db, "sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_keeps_every_acknowledged_write_through_kill_9() {
    let Some(db) = fresh_postgres("postgres_keeps_every_acknowledged_write_through_kill_9").await
    else {
        return;
    };
    crash_cycles(db, "postgres").await;
}
