//! R9 nudges and escalation.
//!
//! Driven through the commands exactly as the server does; the harness is in `common`.

mod common;

use chrono::Duration;
use finishline_core::people::{Role, Side};
use finishline_core::Command;

use common::*;

#[test]
fn r9_overdue_customer_task_is_nudged_then_escalated() {
    use finishline_core::nudge::{r9_nudge_due, Cadence, NudgeAction};
    let mut w = World::new(vec![]);
    w.ready_for_kickoff();
    let task = w.id_of("sample-data");
    let due = w.p.task(task).expect("task").due;
    let c = Cadence::default();
    let t = w.p.task(task).expect("task").clone();
    assert_eq!(
        r9_nudge_due(&t, &c, due - Duration::days(1)),
        NudgeAction::Remind
    );
    assert_eq!(r9_nudge_due(&t, &c, due), NudgeAction::Nothing);
    assert_eq!(
        r9_nudge_due(&t, &c, due + Duration::days(3)),
        NudgeAction::Remind
    );
    assert_eq!(
        r9_nudge_due(&t, &c, due + Duration::days(10)),
        NudgeAction::Escalate
    );
    for _ in 0..3 {
        w.ok(Command::RecordNudge {
            task,
            escalated: false,
        });
    }
    let t = w.p.task(task).expect("task").clone();
    assert_eq!(
        r9_nudge_due(&t, &c, due + Duration::days(4)),
        NudgeAction::Escalate
    );
    // Vendor tasks are never nudged at the customer.
    let vendor_task = w.p.task(w.id_of("finish-line")).expect("task").clone();
    assert_eq!(
        r9_nudge_due(&vendor_task, &c, vendor_task.due + Duration::days(3)),
        NudgeAction::Nothing
    );
}

#[test]
fn r9_escalation_recipients_are_the_sponsor_and_the_vendor_owner() {
    use finishline_core::nudge::r9_escalation_recipients;
    let mut w = World::new(vec![]);
    w.ready_for_kickoff();
    // Without a sponsor, the customer's decision maker is told.
    let names: Vec<String> = r9_escalation_recipients(&w.p)
        .into_iter()
        .map(|(_, name)| name)
        .collect();
    assert_eq!(names, vec!["Dana".to_string(), "Dee".to_string()]);
    w.add("Sal", Side::Customer, Role::ExecutiveSponsor);
    let emails: Vec<String> = r9_escalation_recipients(&w.p)
        .into_iter()
        .map(|(email, _)| email)
        .collect();
    assert_eq!(emails, vec!["dana@vendor.test", "sal@customer.test"]);
}

#[test]
fn r9_nudge_due_reminds_nobody_about_a_vendor_task() {
    use finishline_core::nudge::{r9_nudge_due, Cadence, NudgeAction};
    let mut w = World::new(vec![]);
    w.ready_for_kickoff();
    let vendor_task = w.p.task(w.id_of("finish-line")).expect("task").clone();
    let late = vendor_task.due + Duration::days(30);
    assert_eq!(
        r9_nudge_due(&vendor_task, &Cadence::default(), late),
        NudgeAction::Nothing
    );
}
