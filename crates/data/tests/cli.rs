//! CLI tests: run the built `finishline` binary and check exit codes 0/1/2 and outputs.
//! (The binary lives in crates/cli; this test builds it with the same profile first.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/cli-xxxx -> target/<profile>/finishline
    let profile_dir = exe.parent().and_then(Path::parent).unwrap().to_path_buf();
    let release = profile_dir.ends_with("release");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .args(["build", "-q", "-p", "finishline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if release {
        build.arg("--release");
    }
    assert!(
        build.status().unwrap().success(),
        "building the finishline binary"
    );
    profile_dir.join("finishline")
}

const MAP: &str = r#"{"fields":[
  {"name":"account_name","sourceNames":["Account Name"],"constraints":{"required":true},"normalize":"company"},
  {"name":"status","sourceNames":["Status"],"constraints":{"enum":["Active","Trial"]}}],
  "duplicateKeys":[["account_name"]]}"#;

#[test]
fn check_infer_fix_export_and_exit_codes() {
    let bin = binary();
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n);
    std::fs::write(p("map.json"), MAP).unwrap();
    std::fs::write(
        p("good.csv"),
        "Account Name,Status\nAcme,Active\nBeta,Trial\n",
    )
    .unwrap();
    std::fs::write(
        p("bad.csv"),
        "Account Name,Status\nAcme,Actve\nACME Inc.,Active\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        Command::new(&bin)
            .args(args)
            .current_dir(d.path())
            .output()
            .unwrap()
    };

    let ok = run(&["data", "check", "good.csv", "--map", "map.json"]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );

    let bad = run(&["data", "check", "bad.csv", "--map", "map.json", "--json"]);
    assert_eq!(bad.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&bad.stdout).unwrap();
    let rules: Vec<&str> = v["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, vec!["enum", "duplicate-key"]);
    assert_eq!(v["issues"][0]["row"], 2);
    assert_eq!(v["report"]["summary"][0]["rule"], "enum");

    let unusable = run(&["data", "check", "nope.csv", "--map", "map.json"]);
    assert_eq!(unusable.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unusable.stderr).contains("nope.csv"));
    std::fs::write(
        p("broken.json"),
        r#"{"fields":[{"name":"x","type":"texte"}]}"#,
    )
    .unwrap();
    let broken = run(&["data", "check", "good.csv", "--map", "broken.json"]);
    assert_eq!(broken.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&broken.stderr).contains("fields[0].type"));

    let fix = run(&[
        "data",
        "fix",
        "--fixes",
        "fixes.json",
        "--who",
        "ana",
        "--why",
        "typo",
        "--source",
        "bad.csv",
        "map-value",
        "--field",
        "status",
        "--from",
        "Actve",
        "--to",
        "Active",
    ]);
    assert_eq!(
        fix.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&fix.stderr)
    );
    let fixed = run(&[
        "data",
        "check",
        "bad.csv",
        "--map",
        "map.json",
        "--fixes",
        "fixes.json",
        "--fail-on",
        "error",
    ]);
    assert_eq!(
        fixed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&fixed.stdout)
    );

    let exp = run(&[
        "data",
        "export",
        "bad.csv",
        "--map",
        "map.json",
        "--fixes",
        "fixes.json",
        "--out",
        "clean.csv",
    ]);
    assert_eq!(
        exp.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&exp.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(p("clean.csv")).unwrap(),
        "account_name,status\nAcme,Active\nACME Inc.,Active\n"
    );
    assert!(p("clean.lineage.jsonl").exists() && p("clean.rejected.csv").exists());

    let inf = run(&["data", "infer", "good.csv"]);
    assert_eq!(inf.status.code(), Some(0));
    let m: serde_json::Value = serde_json::from_slice(&inf.stdout).unwrap();
    assert_eq!(m["fields"][0]["name"], "account_name");
    assert_eq!(m["fields"][0]["normalize"], "company");
}
