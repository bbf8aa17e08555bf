//! R14 training by role.
//!
//! Driven through the commands exactly as the server does; the harness is in `common`.

mod common;

use finishline_core::people::{Role, Side};
use finishline_core::training::TrainingAudience;
use finishline_core::Command;

use common::*;

#[test]
fn r14_training_is_short_by_role_with_a_practice_task_and_recap() {
    let mut w = World::new(vec![]);
    let user = w.add("Uma", Side::Customer, Role::EndUser);
    w.ok(Command::ScheduleTraining {
        audience: TrainingAudience::DailyUsers,
        title: "Daily logging".into(),
        scheduled_at: w.now,
        minutes: 30,
    });
    let s = w.p.training[0].id;
    refused!(
        w.run(Command::MarkTrainingHeld { session: s }),
        "no attendees yet"
    );
    refused!(
        w.run(Command::SendTrainingRecap { session: s }),
        "recap follows the session"
    );
    w.ok(Command::RecordAttendance {
        session: s,
        person: user,
        practice_task: "log one load".into(),
        completed: false,
    });
    w.ok(Command::MarkTrainingHeld { session: s })
        .ok(Command::SendTrainingRecap { session: s });
    assert!(
        !w.p.training[0].is_complete(),
        "a practice task is not completed"
    );
    w.ok(Command::RecordAttendance {
        session: s,
        person: user,
        practice_task: "log one load".into(),
        completed: true,
    });
    assert!(w.p.training[0].is_complete());
}
