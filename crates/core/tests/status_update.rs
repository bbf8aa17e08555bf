//! R10 the status update after every meeting.
//!
//! Driven through the commands exactly as the server does; the harness is in `common`.

mod common;

use finishline_core::plan::Proof;
use finishline_core::Command;

use common::*;

#[test]
fn r10_status_draft_has_five_summary_lines_and_the_detail() {
    let mut w = World::new(vec![]);
    let (owner, _, _) = w.ready_for_kickoff();
    let task = w.id_of("finish-line");
    w.ok(Command::CompleteTask {
        task,
        proof: Some(Proof::Note("written and approved".into())),
        completed_by: None,
    });
    w.ok(Command::BlockTask {
        task: w.id_of("sample-data"),
        needed: "CSV export with fields load_id and status".into(),
        from: owner,
        by: date(2026, 3, 6),
    });
    let draft = finishline_core::status_update::r10_status_draft(&w.p, &w.log, w.now);
    assert_eq!(draft.summary.len(), 5);
    assert_eq!(draft.completed.len(), 1);
    assert!(draft.completed[0].contains("written and approved"));
    assert!(draft
        .out_of_scope
        .iter()
        .any(|s| s.contains("custom roles")));
    assert_eq!(draft.blockers.len(), 1);
    assert!(!draft.next_actions.is_empty());
    let text = draft.to_text();
    assert!(text.contains("Open blockers") && text.contains("Next actions"));
    // After recording the update, the next draft starts afresh.
    w.at(1).ok(Command::RecordStatusUpdate {
        meeting_date: date(2026, 3, 3),
        text,
        for_customer: true,
    });
    w.at(2);
    let next = finishline_core::status_update::r10_status_draft(&w.p, &w.log, w.now);
    assert!(next.completed.is_empty());
}
