//! `finishline export ocel|xes FILE` as a user runs it on the demo: the files are written and
//! read back, an existing file is kept unless `--force`, a bad path is said plainly.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_finishline"))
        .args(args)
        .env_remove("FINISHLINE_DATABASE_URL")
        .env("FINISHLINE_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn demo(dir: &Path) -> String {
    let d = dir.to_str().unwrap();
    let (ok, _, err) = run(&["demo", "--seed-only", "--data-dir", d]);
    assert!(ok, "{err}");
    format!("sqlite://{d}/demo.sqlite")
}

#[test]
fn export_writes_both_formats_and_keeps_an_existing_file_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let url = demo(dir.path());
    let ocel = dir.path().join("demo.ocel.json");
    let ocel_s = ocel.to_str().unwrap();

    let (ok, out, err) = run(&["export", "ocel", ocel_s, "--database-url", &url]);
    assert!(ok, "{err}");
    assert!(out.contains("5 projects"), "{out}");
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&ocel).unwrap()).unwrap();
    assert!(!written["events"].as_array().unwrap().is_empty());

    std::fs::write(&ocel, "keep me").unwrap();
    let (ok, _, err) = run(&["export", "ocel", ocel_s, "--database-url", &url]);
    assert!(!ok);
    assert!(
        err.contains("exists already") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&ocel).unwrap(), "keep me");
    let (ok, _, err) = run(&["export", "ocel", ocel_s, "--force", "--database-url", &url]);
    assert!(ok, "{err}");
    assert_ne!(std::fs::read_to_string(&ocel).unwrap(), "keep me");

    let xes = dir.path().join("demo.xes");
    let (ok, _, err) = run(&[
        "export",
        "xes",
        xes.to_str().unwrap(),
        "--database-url",
        &url,
    ]);
    assert!(ok, "{err}");
    let text = std::fs::read_to_string(&xes).unwrap();
    assert_eq!(text.matches("<trace>").count(), 5, "one trace per project");
}

#[test]
fn export_to_a_missing_folder_or_a_folder_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let url = demo(dir.path());
    let missing = dir.path().join("no-such-folder").join("x.xes");
    let (ok, _, err) = run(&[
        "export",
        "xes",
        missing.to_str().unwrap(),
        "--database-url",
        &url,
    ]);
    assert!(!ok);
    assert!(err.contains("does not exist"), "{err}");
    let folder = dir.path().to_str().unwrap();
    let (ok, _, err) = run(&["export", "xes", folder, "--database-url", &url]);
    assert!(!ok);
    assert!(err.contains("is a folder"), "{err}");
    let (ok, out, _) = run(&["export", "--help"]);
    assert!(
        ok && out.contains("Usage") && out.contains("--force"),
        "{out}"
    );
}
