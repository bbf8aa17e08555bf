//! The process map's derivation: stage visits, waiting spans, the directly-follows graph and its
//! layout, driven through the commands exactly as the server does.

mod common;

use finishline_core::analytics::project_facts;
use finishline_core::ball::r7_ball_in_court;
use finishline_core::lifecycle::{LoopKind, ReworkStage, Stage};
use finishline_core::people::{Role, Side};
use finishline_core::plan::Proof;
use finishline_core::process::{
    layout, person_of_actor, stage_visits, waiting_spans, ProcessMapBuilder,
};
use finishline_core::Command;

use common::*;

/// A project walked to UAT over days 1..=8, then a failed case sending it back to configuration
/// on day 10.
fn uat_failed_back_to_configuration() -> World {
    let mut w = World::new(vec![]);
    w.ready_for_kickoff();
    for (day, s) in [(1, Stage::Assign), (2, Stage::Intake), (3, Stage::Kickoff)] {
        w.at(day).ok(Command::AdvanceStage { to: s });
    }
    w.ok(Command::SetLaunchDate {
        date: date(2026, 4, 1),
        reason: String::new(),
    })
    .ok(Command::SetNextMeeting {
        date: date(2026, 3, 9),
    });
    for (day, s) in [
        (4, Stage::Discovery),
        (5, Stage::Build),
        (6, Stage::Configuration),
        (7, Stage::Training),
        (8, Stage::Uat),
    ] {
        w.at(day).ok(Command::AdvanceStage { to: s });
    }
    let c = w.p.criteria[0].id;
    w.ok(Command::AddUatCase {
        title: "Log a load and confirm by noon".into(),
        criterion: c,
    });
    let case = w.p.uat[0].id;
    w.at(10).ok(Command::RecordUatResult {
        case,
        passed: false,
        notes: "status by noon is not recorded".into(),
        loop_to: Some(ReworkStage::Configuration),
    });
    w
}

#[test]
fn stage_visits_follow_the_log_and_mark_the_loop_that_came_back() {
    let w = uat_failed_back_to_configuration();
    let now = t0() + chrono::Duration::days(12);
    let spans = waiting_spans(&w.log, now);
    let visits = stage_visits(&w.p, &w.log, &spans, now);
    let stages: Vec<Stage> = visits.iter().map(|v| v.stage).collect();
    assert_eq!(
        stages,
        vec![
            Stage::Handoff,
            Stage::Assign,
            Stage::Intake,
            Stage::Kickoff,
            Stage::Discovery,
            Stage::Build,
            Stage::Configuration,
            Stage::Training,
            Stage::Uat,
            Stage::Configuration,
        ]
    );
    let uat = &visits[8];
    assert_eq!(uat.seconds, 2 * 86_400, "UAT from day 8 to day 10");
    assert_eq!(uat.via_loop, None);
    let back = &visits[9];
    assert_eq!(back.via_loop, Some(LoopKind::UatRework));
    assert_eq!(back.left, None, "still in configuration");
    assert_eq!(back.seconds, 2 * 86_400, "day 10 to now, day 12");
}

#[test]
fn waiting_spans_add_up_to_r7s_time_per_side() {
    let mut w = World::new(vec![]);
    let (owner, _, _) = w.ready_for_kickoff();
    let setup = w.id_of("setup");
    w.at(3).ok(Command::BlockTask {
        task: setup,
        needed: "full CSV export and the status mapping decision".into(),
        from: owner,
        by: date(2026, 3, 9),
    });
    w.at(5).ok(Command::Pause {
        reason: "customer reorganising".into(),
    });
    w.at(8).ok(Command::Resume);
    w.at(9).ok(Command::UnblockTask {
        task: setup,
        note: "export arrived".into(),
    });
    let sample = w.id_of("sample-data");
    w.customer(
        owner,
        Command::CompleteTask {
            task: sample,
            proof: Some(Proof::Note("sample".into())),
            completed_by: Some(owner),
        },
    )
    .expect("ok");
    let now = t0() + chrono::Duration::days(11);
    let spans = waiting_spans(&w.log, now);
    let r7 = r7_ball_in_court(&w.log, now);
    let total = |s: &[finishline_core::process::Span]| -> i64 {
        s.iter().map(|s| (s.to - s.from).num_seconds()).sum()
    };
    assert_eq!(total(&spans.customer), r7.project.customer_seconds);
    assert_eq!(total(&spans.vendor), r7.project.vendor_seconds);
    assert!(
        r7.project.customer_seconds > 0,
        "the scenario waits on the customer"
    );
}

#[test]
fn process_map_counts_projects_marks_the_uat_loop_and_lists_who_is_in_a_stage_longest_first() {
    let looped = uat_failed_back_to_configuration();
    let mut fresh = World::new(vec![]);
    fresh.at(9).ok(Command::AdvanceStage { to: Stage::Assign });
    let now = t0() + chrono::Duration::days(12);
    let mut b = ProcessMapBuilder::new(now);
    b.add(&fresh.p, &fresh.log);
    b.add(&looped.p, &looped.log);
    let map = b.finish();

    assert_eq!(map.projects, 2);
    let handoff = map.node(Stage::Handoff).expect("handoff");
    assert_eq!(handoff.projects_passed, 2);
    assert_eq!(handoff.median_days, Some(5.0), "1 day and 9 days");
    let config = map.node(Stage::Configuration).expect("configuration");
    assert_eq!((config.projects_passed, config.visits), (1, 2));
    assert_eq!(config.now.len(), 1);
    assert_eq!(config.now[0].project_id, looped.p.id);

    let back = map.edge(Stage::Uat, Stage::Configuration).expect("loop");
    assert!(back.back);
    assert_eq!(back.loop_kind, Some(LoopKind::UatRework));
    assert_eq!((back.count, back.median_days), (1, Some(2.0)));
    let forward = map.edge(Stage::Handoff, Stage::Assign).expect("forward");
    assert_eq!(
        (forward.count, forward.back, forward.loop_kind),
        (2, false, None)
    );
    assert!(map.node(Stage::Paused).is_none(), "nobody paused");

    let assign = map.node(Stage::Assign).expect("assign");
    assert_eq!(
        assign.now.len(),
        1,
        "the looped project left assign long ago"
    );
    let mut c = ProcessMapBuilder::new(now);
    let mut early = World::new(vec![]);
    early.at(2).ok(Command::AdvanceStage { to: Stage::Assign });
    c.add(&fresh.p, &fresh.log);
    c.add(&early.p, &early.log);
    let two = c.finish();
    let here = &two.node(Stage::Assign).expect("assign").now;
    assert_eq!(here.len(), 2);
    assert!(
        here[0].days_here > here[1].days_here,
        "longest waiting first"
    );
}

/// A cache keeps each project's visits from when its facts were computed and carries them
/// forward (`ProjectFacts::visits_at`); the map drawn from them must be the map a replay of
/// every log draws later — with a project waiting on the customer, one looped back, one paused
/// and one untouched.
#[test]
fn visits_at_carry_a_map_forward_to_the_map_a_later_replay_draws() {
    let looped = uat_failed_back_to_configuration();
    let mut fresh = World::new(vec![]);
    fresh.at(9).ok(Command::AdvanceStage { to: Stage::Assign });
    let mut paused = uat_failed_back_to_configuration();
    paused.at(11).ok(Command::Pause {
        reason: "customer re-org".into(),
    });
    let untouched = World::new(vec![]);
    let worlds = [&looped, &fresh, &paused, &untouched];
    let computed = t0() + chrono::Duration::days(12);
    let later = computed + chrono::Duration::days(9) + chrono::Duration::seconds(7);

    let mut replayed = ProcessMapBuilder::new(later);
    let mut carried = ProcessMapBuilder::new(later);
    for w in worlds {
        replayed.add(&w.p, &w.log);
        let facts = project_facts(&w.p, &w.log, computed);
        carried.add_visits(&facts.passer(), &facts.visits_at(later));
    }
    let (replayed, carried) = (replayed.finish(), carried.finish());
    assert_eq!(carried, replayed);
    let config = replayed.node(Stage::Configuration).expect("configuration");
    assert!(
        config.now[0].customer_wait_days > 9.0,
        "the scenario waits on the customer the whole time since, so the carried wait grows: {}",
        config.now[0].customer_wait_days
    );
    assert_eq!(replayed.node(Stage::Paused).map(|n| n.now.len()), Some(1));
}

#[test]
fn layout_is_the_same_every_time_and_draws_loops_back_on_the_right() {
    let w = uat_failed_back_to_configuration();
    let now = t0() + chrono::Duration::days(12);
    let mut b = ProcessMapBuilder::new(now);
    b.add(&w.p, &w.log);
    let map = b.finish();
    let a = layout(&map);
    assert_eq!(a, layout(&map));
    let order: Vec<Stage> = a.nodes.iter().map(|n| n.stage).collect();
    assert_eq!(order[..15], finishline_core::lifecycle::STAGE_ORDER);
    assert!(a.nodes.windows(2).all(|p| p[0].y < p[1].y), "top to bottom");
    let right = a.nodes[0].x + a.nodes[0].w;
    let back = a
        .edges
        .iter()
        .find(|e| e.from == Stage::Uat && e.to == Stage::Configuration)
        .expect("loop drawn");
    assert!(back.back);
    assert!(back.label_x > right, "loop labels sit right of the boxes");
    assert!(a.width <= 360.0, "fits a 375 px phone");
    assert!(a.edges.iter().filter(|e| e.back).count() == 1);
}

#[test]
fn person_of_actor_matches_the_name_on_its_side_and_nobody_for_the_system() {
    let mut w = World::new(vec![]);
    let casey = w.add("Casey", Side::Customer, Role::CustomerOwner);
    w.add("Casey", Side::Vendor, Role::VendorTeammate);
    assert_eq!(
        person_of_actor(&w.p, "Casey (customer)").map(|p| p.id),
        Some(casey)
    );
    assert!(
        person_of_actor(&w.p, "Casey").is_none(),
        "two Caseys: unknown"
    );
    assert!(person_of_actor(&w.p, "system").is_none());
}
