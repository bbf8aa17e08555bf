//! What of a project goes in a calendar (`calendar`): stable UIDs, moves counted, a customer's
//! feed without internal work, a cancelled project struck through.

mod common;

use finishline_core::calendar::{
    person_items, project_items, Audience, CalendarItem, ItemKind, ItemStatus, When,
};
use finishline_core::people::{Role, Side};
use finishline_core::visibility::Visibility;
use finishline_core::{Command, Project};

use common::{date, World};

fn find<'a>(items: &'a [CalendarItem], uid_start: &str) -> Option<&'a CalendarItem> {
    items.iter().find(|i| i.uid.starts_with(uid_start))
}

fn first_task(p: &Project) -> u32 {
    p.tasks.first().expect("the playbook makes tasks").id
}

#[test]
fn a_moved_task_keeps_its_uid_and_counts_the_move() {
    let mut w = World::new(vec![]);
    let task = first_task(&w.p);
    let before = project_items(&w.p, Audience::Vendor);
    let item = find(&before, &format!("task-{task}.")).expect("the task is in the feed");
    assert_eq!(item.sequence, 0);
    let old = item.when;
    let new_due = date(2026, 6, 15);
    w.ok(Command::RebaselineTask {
        task,
        due: new_due,
        reason: "customer IT moved the window".into(),
    });
    let after = project_items(&w.p, Audience::Vendor);
    let moved = find(&after, &format!("task-{task}.")).expect("still in the feed");
    assert_eq!(moved.uid, item.uid);
    assert_eq!(moved.when, When::Day(new_due));
    assert_ne!(moved.when, old);
    assert_eq!(moved.sequence, 1);
    // Its phase's end counts the move too.
    let phase = &w.p.tasks[0].phase;
    let end = after
        .iter()
        .find(|i| i.kind == ItemKind::PhaseEnd && i.summary.starts_with(&format!("End of {phase}")))
        .expect("the phase ends");
    assert!(end.sequence >= 1);
}

#[test]
fn uids_are_unique_within_a_feed() {
    let mut w = World::new(vec![]);
    w.ok(Command::SetLaunchDate {
        date: date(2026, 5, 1),
        reason: String::new(),
    });
    w.ok(Command::SetNextMeeting {
        date: date(2026, 3, 9),
    });
    let items = project_items(&w.p, Audience::Vendor);
    let mut uids: Vec<&str> = items.iter().map(|i| i.uid.as_str()).collect();
    let n = uids.len();
    uids.sort_unstable();
    uids.dedup();
    assert_eq!(uids.len(), n, "a UID appears twice");
    assert!(find(&items, "go-live.").is_some());
    assert!(find(&items, "meeting-2026-03-09.").is_some());
}

#[test]
fn the_launch_date_moving_raises_its_sequence() {
    let mut w = World::new(vec![]);
    w.ok(Command::SetLaunchDate {
        date: date(2026, 5, 1),
        reason: String::new(),
    });
    let first = find(&project_items(&w.p, Audience::Vendor), "go-live.")
        .expect("go-live")
        .sequence;
    w.ok(Command::SetLaunchDate {
        date: date(2026, 5, 20),
        reason: "data migration slipped".into(),
    });
    let items = project_items(&w.p, Audience::Vendor);
    let go_live = find(&items, "go-live.").expect("go-live");
    assert_eq!(go_live.when, When::Day(date(2026, 5, 20)));
    assert!(go_live.sequence > first);
}

#[test]
fn a_customer_never_sees_internal_work_or_unshared_meetings() {
    let mut w = World::new(vec![]);
    let task =
        w.p.tasks
            .iter()
            .find(|t| {
                t.visibility == Visibility::Shared
                    && t.label != finishline_core::plan::TaskLabel::CustomerTask
            })
            .map(|t| t.id)
            .expect("a vendor task");
    w.ok(Command::SetTaskVisibility {
        task,
        visibility: Visibility::Internal,
    });
    w.ok(Command::RecordStatusUpdate {
        meeting_date: date(2026, 3, 4),
        text: "internal sync".into(),
        for_customer: false,
    });
    let vendor = project_items(&w.p, Audience::Vendor);
    let customer = project_items(&w.p, Audience::Customer);
    assert!(find(&vendor, &format!("task-{task}.")).is_some());
    assert!(find(&customer, &format!("task-{task}.")).is_none());
    assert!(find(&vendor, "meeting-2026-03-04.").is_some());
    assert!(find(&customer, "meeting-2026-03-04.").is_none());
    let internal_title = &w.p.task(task).expect("task").title;
    assert!(customer
        .iter()
        .all(|i| !i.summary.contains(internal_title.as_str())));
}

#[test]
fn a_person_gets_their_own_tasks_and_the_projects_other_dates() {
    let mut w = World::new(vec![]);
    let casey = w.add("Casey", Side::Customer, Role::CustomerOwner);
    let task = first_task(&w.p);
    w.ok(Command::AssignTask { task, owner: casey });
    w.ok(Command::SetLaunchDate {
        date: date(2026, 5, 1),
        reason: String::new(),
    });
    let items = person_items(&w.p, casey);
    let tasks: Vec<_> = items
        .iter()
        .filter(|i| i.kind == ItemKind::TaskDue)
        .collect();
    assert!(!tasks.is_empty());
    assert!(tasks.iter().all(|i| i.owner == Some(casey)));
    assert!(find(&items, "go-live.").is_some());
}

#[test]
fn a_cancelled_project_strikes_every_entry_and_a_paused_one_is_tentative() {
    let mut w = World::new(vec![]);
    w.ok(Command::Pause {
        reason: "budget review".into(),
    });
    assert!(project_items(&w.p, Audience::Vendor)
        .iter()
        .all(|i| i.status == ItemStatus::Tentative));
    w.ok(Command::Cancel {
        reason: "the customer chose another vendor".into(),
    });
    let items = project_items(&w.p, Audience::Vendor);
    assert!(!items.is_empty());
    assert!(items.iter().all(|i| i.status == ItemStatus::Cancelled));
}
