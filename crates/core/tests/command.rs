//! What every command shares: a refusal changes nothing, commands parse from JSON.
//!
//! Driven through the commands exactly as the server does; the harness is in `common`.

mod common;

use finishline_core::plan::Proof;
use finishline_core::Command;

use common::*;

#[test]
fn failed_command_leaves_the_project_unchanged() {
    let mut w = World::new(vec![]);
    let before = w.p.clone();
    let task = w.id_of("finish-line");
    refused!(
        w.run(Command::CompleteTask {
            task,
            proof: None,
            completed_by: None
        }),
        "refused"
    );
    refused!(
        w.run(Command::CompleteTask {
            task: 9999,
            proof: Some(Proof::Note("x".into())),
            completed_by: None
        }),
        "refused"
    );
    assert_eq!(w.p, before);
}

#[test]
fn commands_parse_from_json_with_clear_errors() {
    let c: Command =
        serde_json::from_str(r#"{"action":"set_finish_line","text":"x"}"#).expect("parses");
    assert_eq!(c.name(), "set_finish_line");
    let err = serde_json::from_str::<Command>(r#"{"action":"complete_task","task":"seven"}"#)
        .expect_err("bad type");
    assert!(err.to_string().contains("invalid type"), "{err}");
    assert!(serde_json::from_str::<Command>(r#"{"action":"launch_rockets"}"#).is_err());
}
