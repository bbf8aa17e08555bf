//! `/metrics` on its own listener: the request histogram by route template (never an id), the
//! server's own gauges, and a body Prometheus's own text parser (PyPI `prometheus-client`) reads.
//! Without the parser the parse check prints a loud SKIP, unless FINISHLINE_REQUIRE_PROMETHEUS=1.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write as _;
use std::process::{Command, Stdio};

use common::{handoff, spawn, Backend};
use reqwest::StatusCode;

#[tokio::test]
async fn metrics_name_routes_not_ids_and_parse_as_prometheus_text() {
    finishline_web::metrics::install().unwrap();
    let app = spawn(Backend::Sqlite, "metrics").await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let metrics_at = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(finishline_web::metrics::serve(
        listener,
        app.state.clone(),
        async {
            let _ = stopped.await;
        },
    ));

    let m = app.workspace("Vendor", "dana@vendor.test").await;
    let (s, created) = m.post("/api/v1/projects", handoff("Metrics Clinic")).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let id = created["project"]["id"].as_str().unwrap().to_string();
    let (s, _) = m.get(&format!("/api/v1/projects/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = m.get("/api/v1/projects/prj_not_a_real_one_4242").await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let scrape = reqwest::get(format!("http://{metrics_at}/metrics"))
        .await
        .unwrap();
    assert_eq!(scrape.status(), StatusCode::OK);
    assert!(scrape
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let body = scrape.text().await.unwrap();
    for wanted in [
        r#"http_server_request_duration_seconds_bucket{http_request_method="GET",http_route="/api/v1/projects/{id}",http_response_status_code="200",le="0.005"}"#,
        r#"http_route="/api/v1/projects/{id}",http_response_status_code="404""#,
        r#"http_route="/api/v1/projects",http_response_status_code="201""#,
        "# HELP http_server_request_duration_seconds",
        "http_server_active_requests",
        "finishline_outbox_messages",
        "finishline_outbox_oldest_age_seconds",
        "finishline_imports_queued",
        "finishline_imports_running",
        r#"finishline_db_connections{pool="write",state="open"}"#,
    ] {
        assert!(body.contains(wanted), "missing {wanted} in:\n{body}");
    }
    assert!(
        !body.contains(&id) && !body.contains("prj_not_a_real_one_4242"),
        "no id may reach a label:\n{body}"
    );
    let (s, _) = m.get("/metrics").await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "metrics are not on the public listener"
    );

    prometheus_parses(&body);
    let _ = stop.send(());
}

/// Prometheus's reference text parser reads every family, and the histogram has its buckets.
fn prometheus_parses(body: &str) {
    let script = "import sys\n\
        from prometheus_client.parser import text_string_to_metric_families\n\
        fams = {f.name: f for f in text_string_to_metric_families(sys.stdin.read())}\n\
        h = fams['http_server_request_duration_seconds']\n\
        assert h.type == 'histogram', h.type\n\
        assert any(s.name.endswith('_bucket') for s in h.samples)\n\
        print(len(fams))\n";
    let child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let required = std::env::var("FINISHLINE_REQUIRE_PROMETHEUS").is_ok_and(|v| v == "1");
    let Ok(mut child) = child else {
        assert!(
            !required,
            "python3 is missing and FINISHLINE_REQUIRE_PROMETHEUS=1"
        );
        eprintln!(
            "\n**************** SKIP: python3 missing; /metrics NOT parsed ****************\n"
        );
        return;
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("No module named 'prometheus_client'") {
        assert!(
            !required,
            "prometheus-client is not installed and FINISHLINE_REQUIRE_PROMETHEUS=1 (pip install prometheus-client)"
        );
        eprintln!("\n**************** SKIP: prometheus-client not installed; /metrics NOT parsed (pip install prometheus-client) ****************\n");
        return;
    }
    assert!(
        out.status.success(),
        "the Prometheus parser refused /metrics: {stderr}"
    );
    let families: usize = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    assert!(families >= 7, "{families} families");
}
