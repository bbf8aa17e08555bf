//! The plan: R5 proof, R6 specific blockers, R7 ball in court, R8 re-baseline.
//!
//! Driven through the commands exactly as the server does; the harness is in `common`.

mod common;

use chrono::Duration;
use finishline_core::people::Side;
use finishline_core::plan::{Proof, TaskStatus};
use finishline_core::{Command, DomainError, Rule};

use common::*;

#[test]
fn r5_task_cannot_be_done_without_proof() {
    let mut w = World::new(vec![]);
    let task = w.id_of("finish-line");
    let err = refused!(
        w.run(Command::CompleteTask {
            task,
            proof: None,
            completed_by: None,
        }),
        "refused"
    );
    assert!(
        matches!(err, DomainError::Rule { rule: Rule::R5, .. }),
        "{err}"
    );
    let err = refused!(
        w.run(Command::CompleteTask {
            task,
            proof: Some(Proof::Note("  ".into())),
            completed_by: None,
        }),
        "blank proof refused"
    );
    assert!(matches!(err, DomainError::Rule { rule: Rule::R5, .. }));
    w.ok(Command::CompleteTask {
        task,
        proof: Some(Proof::Link("https://docs.example/finish-line".into())),
        completed_by: None,
    });
    assert!(
        matches!(&w.p.task(task).expect("task").status, TaskStatus::Done { by, .. } if Some(*by) == w.p.vendor_owner().map(|o| o.id))
    );
}

#[test]
fn dependencies_a_task_waits_for_the_tasks_it_depends_on() {
    let mut w = World::new(vec![]);
    let setup = w.id_of("setup");
    assert_eq!(w.p.task(setup).expect("task").status, TaskStatus::Pending);
    let err = refused!(
        w.run(Command::CompleteTask {
            task: setup,
            proof: Some(Proof::Note("x".into())),
            completed_by: None,
        }),
        "refused"
    );
    assert!(err.to_string().contains("waits on tasks"));
}

#[test]
fn r6_blocker_must_say_what_from_whom_by_when() {
    let mut w = World::new(vec![]);
    let (owner, _, _) = w.ready_for_kickoff();
    let task = w.id_of("sample-data");
    for vague in ["we are blocked", "waiting", "blocked.", ""] {
        let err = refused!(
            w.run(Command::BlockTask {
                task,
                needed: vague.into(),
                from: owner,
                by: date(2026, 3, 6),
            }),
            "vague refused"
        );
        assert!(
            matches!(err, DomainError::Rule { rule: Rule::R6, .. }),
            "{vague}: {err}"
        );
    }
    w.ok(Command::BlockTask {
        task,
        needed: "CSV export with fields load_id, pickup, status".into(),
        from: owner,
        by: date(2026, 3, 6),
    });
    assert!(matches!(
        w.p.task(task).expect("task").status,
        TaskStatus::Blocked(_)
    ));
}

#[test]
fn r7_ball_in_court_time_is_counted_per_side() {
    let mut w = World::new(vec![]);
    let (owner, _, _) = w.ready_for_kickoff();
    let sample = w.id_of("sample-data");
    // The customer holds the sample task from day 0 to day 8.
    w.at(8);
    w.customer(
        owner,
        Command::CompleteTask {
            task: sample,
            proof: Some(Proof::Note("sent the CSV".into())),
            completed_by: Some(owner),
        },
    )
    .expect("done");
    let report = finishline_core::ball::r7_ball_in_court(&w.log, w.now);
    let t = report.tasks.get(&sample).expect("time for the task");
    assert_eq!(t.customer_seconds, 8 * 86_400);
    assert_eq!(t.vendor_seconds, 0);
    assert_eq!(
        report.project.customer_seconds,
        8 * 86_400,
        "overlapping customer tasks count once"
    );
    // Setup became ready and waits on the vendor now.
    assert_eq!(report.current.get(&w.id_of("setup")), Some(&Side::Vendor));
}

#[test]
fn r7_a_report_carried_forward_matches_a_replay_later() {
    use finishline_core::ball::{project_time_at, r7_ball_in_court};
    let mut w = World::new(vec![]);
    let (owner, _, _) = w.ready_for_kickoff();
    let sample = w.id_of("sample-data");
    w.at(3);
    w.customer(
        owner,
        Command::CompleteTask {
            task: sample,
            proof: Some(Proof::Note("sent the CSV".into())),
            completed_by: Some(owner),
        },
    )
    .expect("done");
    // Both sides have tasks waiting from day 3: carried to day 11, both grow by 8 days.
    let computed = w.now;
    let early = r7_ball_in_court(&w.log, computed);
    w.at(11);
    let replayed = r7_ball_in_court(&w.log, w.now);
    assert_eq!(project_time_at(&early, computed, w.now), replayed.project);
    assert_ne!(early.project, replayed.project, "time accrued meanwhile");
    // Paused, nothing accrues; carried forward, nothing either.
    w.ok(Command::Pause {
        reason: "customer re-org".into(),
    });
    let computed = w.now;
    let paused = r7_ball_in_court(&w.log, computed);
    w.at(20);
    assert_eq!(
        project_time_at(&paused, computed, w.now),
        r7_ball_in_court(&w.log, w.now).project
    );
    assert_eq!(project_time_at(&paused, computed, w.now), paused.project);
}

#[test]
fn r7_a_blocker_moves_the_ball_to_the_side_that_must_act() {
    let mut w = World::new(vec![]);
    let (owner, _, _) = w.ready_for_kickoff();
    let task = w.id_of("finish-line");
    assert_eq!(w.p.task(task).and_then(|t| t.ball), Some(Side::Vendor));
    w.ok(Command::BlockTask {
        task,
        needed: "customer names the success metric owner".into(),
        from: owner,
        by: date(2026, 3, 5),
    });
    assert_eq!(w.p.task(task).and_then(|t| t.ball), Some(Side::Customer));
    w.ok(Command::UnblockTask {
        task,
        note: String::new(),
    });
    assert_eq!(w.p.task(task).and_then(|t| t.ball), Some(Side::Vendor));
}

#[test]
fn r8_rebaseline_keeps_the_original_date_and_reason() {
    let mut w = World::new(vec![]);
    let task = w.id_of("sample-data");
    let baseline = w.p.task(task).expect("task").due;
    w.ok(Command::RebaselineTask {
        task,
        due: baseline + Duration::days(3),
        reason: "customer IT out this week".into(),
    });
    w.ok(Command::RebaselineTask {
        task,
        due: baseline + Duration::days(5),
        reason: "export tool broken".into(),
    });
    let t = w.p.task(task).expect("task");
    assert_eq!(t.baseline_due, baseline);
    assert_eq!(t.slips(), 2);
    assert_eq!(t.rebaselines[1].reason, "export tool broken");
    refused!(
        w.run(Command::RebaselineTask {
            task,
            due: baseline + Duration::days(6),
            reason: " ".into()
        }),
        "a reason is required"
    );
    w.ok(Command::SetLaunchDate {
        date: date(2026, 4, 1),
        reason: String::new(),
    });
    refused!(
        w.run(Command::SetLaunchDate {
            date: date(2026, 4, 8),
            reason: String::new()
        }),
        "moving launch needs a reason"
    );
}

#[test]
fn reopen_task_puts_a_done_task_back_with_its_reason() {
    let mut w = World::new(vec![]);
    let task = w.id_of("finish-line");
    refused!(
        w.run(Command::ReopenTask {
            task,
            reason: "wording changed".into()
        }),
        "only a done task reopens"
    );
    w.ok(Command::CompleteTask {
        task,
        proof: Some(Proof::Note("signed off by Lee".into())),
        completed_by: None,
    });
    refused!(
        w.run(Command::ReopenTask {
            task,
            reason: "  ".into()
        }),
        "a reason is required"
    );
    refused!(
        w.run(Command::ReopenTask {
            task: 9999,
            reason: "wording changed".into()
        }),
        "an unknown task"
    );
    w.ok(Command::ReopenTask {
        task,
        reason: "wording changed".into(),
    });
    let t = w.p.task(task).expect("task");
    assert_eq!(t.status, TaskStatus::Open);
    assert!(!t.is_done());
    let reopened = w
        .log
        .iter()
        .rev()
        .find(|a| a.kind == "task.reopened")
        .expect("the reopening is logged");
    assert_eq!(reopened.subject, format!("task:{task}"));
    assert!(
        reopened.summary.contains("wording changed"),
        "{}",
        reopened.summary
    );
    // The open task waits on a side again (R7): the ball is logged after the reopening.
    assert_eq!(w.log.last().map(|a| a.kind.as_str()), Some("task.ball"));
    // Reopened, it can be done again.
    w.ok(Command::CompleteTask {
        task,
        proof: Some(Proof::Note("signed again".into())),
        completed_by: None,
    });
    assert!(w.p.task(task).expect("task").is_done());
}
