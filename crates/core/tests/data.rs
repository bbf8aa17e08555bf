//! Customer data: import drafts, fixes and runs.
//!
//! Driven through the commands exactly as the server does; the harness is in `common`.

mod common;

use finishline_core::people::{Role, Side};
use finishline_core::plan::Proof;
use finishline_core::Command;

use common::*;

#[test]
fn data_import_draft_is_rechecked_before_it_is_submitted_and_the_run_can_prove_the_task() {
    let mut w = World::new(vec![]);
    let dee = w.add("Dee", Side::Customer, Role::DecisionMaker);
    let task = w.id_of("import");
    w.ok(Command::AddDataMap {
        name: "Accounts".into(),
        file: "file_map".into(),
        task: Some(task),
        source: None,
        sample: None,
    });
    let map = w.p.data_maps[0].id;
    // A fix needs an upload to apply to.
    let no_upload = w.customer(
        dee,
        Command::AddImportFix {
            map,
            fix: serde_json::json!({"kind": "cell", "row": 2, "field": "email", "value": "a@b.test", "who": "Dee"}),
        },
    );
    refused!(no_upload, "a fix needs an upload");
    w.customer(
        dee,
        Command::StartImportDraft {
            map,
            upload: "file_up".into(),
            name: "accounts.csv".into(),
            sha256: "b".repeat(64),
            report: "file_r1".into(),
        },
    )
    .expect("accepted");
    w.customer(
        dee,
        Command::AddImportFix {
            map,
            fix: serde_json::json!({"kind": "cell", "row": 2, "field": "email", "value": "a@b.test", "who": "Dee"}),
        },
    )
    .expect("accepted");
    let submit = Command::SubmitImportDraft {
        map,
        rows: 10,
        errors: 0,
        reviews: 1,
        by_rule: vec![],
        clean_file: "file_clean".into(),
        report_file: "file_r2".into(),
        fixes_file: None,
    };
    // Not re-checked since the fix: refused, and the draft is kept.
    refused!(w.customer(dee, submit.clone()), "refused");
    assert!(w.p.data_maps[0].draft.is_some());
    w.customer(
        dee,
        Command::RecheckImportDraft {
            map,
            report: "file_r2".into(),
        },
    )
    .expect("accepted");
    w.customer(dee, submit).expect("submitted");
    let run = w.p.imports.last().expect("run").clone();
    assert_eq!(run.fixes, 1);
    assert_eq!(run.map, Some(map));
    assert_eq!(run.by, "Customer");
    assert!(w.p.data_maps[0].draft.is_none());
    // The run is the proof of the import task (R5), once the task is open.
    for key in ["sample-data", "setup"] {
        let id = w.id_of(key);
        w.ok(Command::CompleteTask {
            task: id,
            proof: Some(Proof::Note("done".into())),
            completed_by: None,
        });
    }
    w.ok(Command::CompleteTask {
        task,
        proof: Some(Proof::ImportRun(run.id.to_string())),
        completed_by: None,
    });
}
