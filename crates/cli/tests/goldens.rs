//! Goldens of the demo: every story's project and activity log as JSON under a fixed clock.
//!
//! The stories replay real commands through `core`, so these files pin what every command does
//! to a project and what it writes to the log. A change that moves code must leave them
//! byte-identical; a change of behaviour updates them in its own commit (`INSTA_UPDATE=always
//! cargo test -p finishline --test goldens`, then read the diff).

use chrono::{DateTime, TimeZone, Utc};
use finishline::demo::{stories, Team};
use finishline_core::command::NewPerson;

fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 10, 30, 0)
        .single()
        .expect("a valid instant")
}

fn team() -> Team {
    Team {
        alex: NewPerson {
            name: "Alex Morgan".into(),
            email: "demo@finishline.local".into(),
            user_id: Some("usr_golden_alex".into()),
        },
        sam: NewPerson {
            name: "Sam Rivera".into(),
            email: "sam@finishline.local".into(),
            user_id: Some("usr_golden_sam".into()),
        },
    }
}

/// A file-name-safe key for a project: its customer's first word, lower-cased.
fn key(customer: &str) -> String {
    customer
        .split_whitespace()
        .next()
        .unwrap_or("project")
        .to_lowercase()
        .replace(|c: char| !c.is_ascii_alphanumeric(), "")
}

#[test]
fn demo_stories_are_byte_identical() {
    let stories = stories(&team(), "prj_golden", fixed_now()).expect("the demo stories replay");
    assert_eq!(stories.len(), 5);
    for (project, log) in &stories {
        let k = key(&project.customer);
        let project_json = serde_json::to_string_pretty(project).expect("a project serialises");
        insta::assert_snapshot!(format!("{k}_project"), project_json);
        let log_json = serde_json::to_string_pretty(log).expect("a log serialises");
        insta::assert_snapshot!(format!("{k}_activities"), log_json);
    }
}

#[test]
fn demo_stories_are_deterministic() {
    let a = stories(&team(), "prj_golden", fixed_now()).expect("replays");
    let b = stories(&team(), "prj_golden", fixed_now()).expect("replays");
    let json = |s: &Vec<_>| serde_json::to_string(s).expect("serialises");
    assert_eq!(json(&a), json(&b));
}
