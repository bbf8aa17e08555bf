//! Customer data: import drafts, fixes and runs.
//!
//! Driven through the commands exactly as the server does; the harness is in `common`.

mod common;

use finishline_core::data::awaiting_review;
use finishline_core::people::{Role, Side};
use finishline_core::plan::{Proof, TaskLabel, TaskStatus};
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

/// Uploads, re-checks and submits a run for `map` as the customer person `who`.
fn submit_run(w: &mut World, who: u32, map: u32, errors: u64) {
    for c in [
        Command::StartImportDraft {
            map,
            upload: "file_up".into(),
            name: "accounts.csv".into(),
            sha256: "c".repeat(64),
            report: "file_r1".into(),
        },
        Command::SubmitImportDraft {
            map,
            rows: 100,
            errors,
            reviews: 0,
            by_rule: vec![],
            clean_file: "file_clean".into(),
            report_file: "file_r1".into(),
            fixes_file: None,
        },
    ] {
        w.customer(who, c).expect("accepted");
    }
}

/// A data task of the customer's own, owned by `owner`.
fn customer_task(w: &mut World, owner: u32) -> u32 {
    w.ok(Command::AddTask {
        title: "Send the accounts export".into(),
        phase: "Data".into(),
        label: TaskLabel::CustomerTask,
        owner,
        due: date(2026, 3, 20),
        depends_on: vec![],
        needs_proof: true,
        visibility: Default::default(),
    });
    w.p.tasks.last().expect("task").id
}

fn map_for(w: &mut World, task: u32) -> u32 {
    w.ok(Command::AddDataMap {
        name: "Accounts".into(),
        file: "file_map".into(),
        task: Some(task),
        source: None,
        sample: None,
    });
    w.p.data_maps.last().expect("map").id
}

#[test]
fn the_plan_follows_the_data_a_clean_run_completes_the_customers_data_task() {
    let mut w = World::new(vec![]);
    let casey = w.add("Casey", Side::Customer, Role::CustomerOwner);
    let task = customer_task(&mut w, casey);
    let map = map_for(&mut w, task);
    submit_run(&mut w, casey, map, 0);
    let run = w.p.imports.last().expect("run").id;
    let t = w.p.task(task).expect("task");
    match &t.status {
        TaskStatus::Done { proof, by, .. } => {
            assert_eq!(proof, &Proof::ImportRun(run.to_string()));
            assert_eq!(*by, casey);
        }
        other => panic!("the customer's data task should be done, not {other:?}"),
    }
    assert!(awaiting_review(&w.p, t).is_none());
    assert!(w
        .log
        .iter()
        .any(|a| a.kind == "task.completed" && a.subject == format!("task:{task}")));
}

#[test]
fn the_plan_follows_the_data_a_vendors_task_awaits_review_of_the_run() {
    let mut w = World::new(vec![]);
    let dee = w.add("Dee", Side::Customer, Role::DecisionMaker);
    // Light-touch's import is the vendor owner's: the vendor reviews what the customer sent.
    let task = w.id_of("import");
    let map = map_for(&mut w, task);
    let t = w.p.task(task).expect("task").clone();
    assert!(awaiting_review(&w.p, &t).is_none(), "nothing submitted yet");
    submit_run(&mut w, dee, map, 0);
    let t = w.p.task(task).expect("task");
    assert!(!t.is_done());
    let run = awaiting_review(&w.p, t).expect("a run to review");
    assert_eq!(run.rows, 100);
}

#[test]
fn the_plan_follows_the_data_a_run_with_blocking_issues_leaves_the_task_open() {
    let mut w = World::new(vec![]);
    let casey = w.add("Casey", Side::Customer, Role::CustomerOwner);
    let task = customer_task(&mut w, casey);
    let map = map_for(&mut w, task);
    submit_run(&mut w, casey, map, 3);
    let t = w.p.task(task).expect("task");
    assert!(!t.is_done());
    assert_eq!(awaiting_review(&w.p, t).map(|r| r.errors), Some(3));
}
