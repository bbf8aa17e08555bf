//! Time and capacity (`capacity`): what an entry may be, the allocation a plan implies, the Team
//! grid and hours by stage.

mod common;

use std::collections::HashMap;

use finishline_core::capacity::{
    by_stage, check_day_total, check_entry_day, entry_minutes, entry_stage, plan_allocations,
    spread_over_weeks, team_grid, team_weeks, week_minutes, week_of, work_start, StageHours,
    DEFAULT_WEEKLY_MINUTES,
};
use finishline_core::lifecycle::Stage;
use finishline_core::people::{Role, Side};
use finishline_core::{Command, DomainError};

use common::{date, World};

fn field_of(e: &DomainError) -> String {
    match e {
        DomainError::Invalid { field, .. } => field.clone(),
        other => panic!("expected an invalid field, got {other:?}"),
    }
}

#[test]
fn week_of_is_the_monday() {
    // 2026-03-04 is a Wednesday; 2026-03-08 a Sunday.
    assert_eq!(week_of(date(2026, 3, 4)), date(2026, 3, 2));
    assert_eq!(week_of(date(2026, 3, 8)), date(2026, 3, 2));
    assert_eq!(week_of(date(2026, 3, 9)), date(2026, 3, 9));
}

#[test]
fn entry_minutes_refuses_zero_negative_nan_and_more_than_a_day() {
    assert_eq!(entry_minutes("hours", 1.5).ok(), Some(90));
    assert_eq!(entry_minutes("hours", 24.0).ok(), Some(1440));
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 24.5, 0.001] {
        let e = entry_minutes("hours", bad).expect_err("refused");
        assert_eq!(field_of(&e), "hours", "{bad}");
    }
    assert_eq!(week_minutes("capacity_hours", 0.0).ok(), Some(0));
    assert!(week_minutes("capacity_hours", 169.0).is_err());
}

#[test]
fn an_entry_may_be_at_most_a_week_ahead_and_a_day_holds_24_hours() {
    let today = date(2026, 3, 4);
    assert!(check_entry_day(date(2025, 3, 4), today).is_ok());
    assert!(check_entry_day(date(2026, 3, 11), today).is_ok());
    let e = check_entry_day(date(2026, 3, 12), today).expect_err("too far ahead");
    assert_eq!(field_of(&e), "day");
    assert!(check_day_total(today, 20 * 60, 4 * 60).is_ok());
    let e = check_day_total(today, 20 * 60, 4 * 60 + 1).expect_err("over 24 h");
    assert_eq!(field_of(&e), "hours");
    assert!(e.to_string().contains("20 already logged"), "{e}");
}

#[test]
fn entry_stage_is_the_tasks_phase_stage_and_an_unknown_task_is_named() {
    let w = World::new(vec![]);
    let setup = w.id_of("setup");
    assert_eq!(entry_stage(&w.p, Some(setup)).ok(), Some(Stage::Build));
    assert_eq!(entry_stage(&w.p, None).ok(), Some(w.p.stage));
    let e = entry_stage(&w.p, Some(999)).expect_err("no such task");
    assert_eq!(field_of(&e), "task_id");
    assert!(e.to_string().contains("999"), "{e}");
}

#[test]
fn spread_over_weeks_uses_working_days_and_adds_up() {
    // Wednesday 4 March to Tuesday 10 March: 3 working days in the first week, 2 in the next.
    let parts = spread_over_weeks(date(2026, 3, 4), date(2026, 3, 10), 500);
    assert_eq!(
        parts,
        vec![(date(2026, 3, 2), 300), (date(2026, 3, 9), 200)]
    );
    // A weekend only: all in its week.
    let parts = spread_over_weeks(date(2026, 3, 7), date(2026, 3, 8), 60);
    assert_eq!(parts, vec![(date(2026, 3, 2), 60)]);
    // Remainders are kept.
    let parts = spread_over_weeks(date(2026, 3, 2), date(2026, 3, 4), 100);
    assert_eq!(parts.iter().map(|(_, m)| m).sum::<u32>(), 100);
}

#[test]
fn plan_allocations_give_each_vendor_tasks_effort_to_its_owner_by_week_and_stage() {
    let w = World::new(vec![]);
    let dana = w.p.vendor_owner().expect("Dana owns it").id;
    let planned = plan_allocations(&w.p);
    assert!(!planned.is_empty());
    assert!(planned.iter().all(|a| a.person == dana));
    // Every vendor step of light-touch with an effort is planned in full; customer steps are not.
    let expected: u32 =
        w.p.tasks
            .iter()
            .filter(|t| t.label != finishline_core::plan::TaskLabel::CustomerTask)
            .filter_map(|t| t.effort_hours)
            .map(|h| (h * 60.0) as u32)
            .sum();
    assert_eq!(planned.iter().map(|a| a.minutes).sum::<u32>(), expected);
    // "setup" (6 h, Build) starts when "sample-data" is due and ends at its own due date.
    let setup = w.p.task(w.id_of("setup")).expect("setup");
    assert_eq!(work_start(&w.p, setup), date(2026, 3, 7));
    let build: u32 = planned
        .iter()
        .filter(|a| a.stage == Stage::Build)
        .map(|a| a.minutes)
        .sum();
    assert_eq!(build, (6 + 10) * 60);
}

#[test]
fn plan_allocations_follow_a_reassignment_and_skip_customer_people() {
    let mut w = World::new(vec![]);
    let mate = w.add("Mo", Side::Vendor, Role::VendorTeammate);
    let customer = w.add("Casey", Side::Customer, Role::CustomerOwner);
    let setup = w.id_of("setup");
    let import = w.id_of("import");
    w.ok(Command::AssignTask {
        task: setup,
        owner: mate,
    });
    w.ok(Command::AssignTask {
        task: import,
        owner: customer,
    });
    let planned = plan_allocations(&w.p);
    let mo: u32 = planned
        .iter()
        .filter(|a| a.person == mate)
        .map(|a| a.minutes)
        .sum();
    assert_eq!(mo, 6 * 60);
    assert!(planned.iter().all(|a| a.person != customer));
}

#[test]
fn team_grid_marks_over_allocation_and_logs_only_weeks_begun() {
    let today = date(2026, 3, 4);
    let weeks = team_weeks(today, 1, 3);
    assert_eq!(
        weeks,
        vec![
            date(2026, 2, 23),
            date(2026, 3, 2),
            date(2026, 3, 9),
            date(2026, 3, 16)
        ]
    );
    let members = vec![
        ("ana".to_string(), DEFAULT_WEEKLY_MINUTES),
        ("ben".to_string(), 20 * 60),
    ];
    let mut allocated = HashMap::new();
    allocated.insert(("ben".to_string(), date(2026, 3, 9)), 25 * 60);
    allocated.insert(("ana".to_string(), date(2026, 3, 9)), 40 * 60);
    let mut logged = HashMap::new();
    logged.insert(("ana".to_string(), date(2026, 2, 23)), 38 * 60);
    logged.insert(("ana".to_string(), date(2026, 3, 9)), 60);
    let rows = team_grid(&members, &weeks, today, &allocated, &logged);
    let ana = &rows[0];
    assert_eq!(ana.weeks[0].logged, Some(38 * 60));
    assert_eq!(ana.weeks[1].logged, Some(0));
    // A week to come shows no logged time, even if some was logged ahead.
    assert_eq!(ana.weeks[2].logged, None);
    // Exactly at capacity is not over.
    assert!(!ana.weeks[2].over_allocated());
    assert_eq!(ana.over_allocated_weeks(), 0);
    let ben = &rows[1];
    assert!(ben.weeks[2].over_allocated());
    assert_eq!(ben.over_allocated_weeks(), 1);
}

#[test]
fn by_stage_pairs_planned_and_logged_in_stage_order() {
    let rows = by_stage(
        [
            (Stage::Build, 600),
            (Stage::Kickoff, 120),
            (Stage::Build, 60),
        ],
        [(Stage::Build, 300), (Stage::Training, 90)],
    );
    assert_eq!(
        rows,
        vec![
            (
                Stage::Kickoff,
                StageHours {
                    planned: 120,
                    logged: 0
                }
            ),
            (
                Stage::Build,
                StageHours {
                    planned: 660,
                    logged: 300
                }
            ),
            (
                Stage::Training,
                StageHours {
                    planned: 0,
                    logged: 90
                }
            ),
        ]
    );
}

#[test]
fn a_playbook_refuses_an_effort_that_is_not_an_amount_of_time() {
    let mut pb = finishline_core::playbook::light_touch();
    pb.phases[0].steps[0].effort_hours = Some(-2.0);
    let e = pb.validate().expect_err("refused");
    assert_eq!(field_of(&e), "steps.finish-line.effort_hours");
    // A playbook stored before efforts existed loads with none.
    let mut doc = serde_json::to_value(finishline_core::playbook::light_touch()).expect("json");
    for phase in doc["phases"].as_array_mut().expect("phases") {
        for step in phase["steps"].as_array_mut().expect("steps") {
            step.as_object_mut().expect("step").remove("effort_hours");
        }
    }
    let old: finishline_core::playbook::Playbook = serde_json::from_value(doc).expect("loads");
    assert!(old.steps().all(|(_, s)| s.effort_hours.is_none()));
}
