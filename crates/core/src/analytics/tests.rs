//! One project walked through the lifecycle with a customer wait, a pause, a UAT loop and
//! moved dates; each part of the analytics is checked against what the walk did and against
//! the project's own scorecard.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use crate::command::{create_project, NewPerson, NewProject};
use crate::finish_line::Direction;
use crate::handoff::{Handoff, Segment};
use crate::intake::SampleState;
use crate::lifecycle::{LoopKind, ReworkStage, Stage};
use crate::people::{Role, Side};
use crate::plan::Proof;
use crate::scope::ScopeBucket;
use crate::scorecard::r12_scorecard;
use crate::{apply, Activity, Command, Ctx, Project};

use super::facts::Milestone;
use super::*;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("valid time")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

struct Walk {
    p: Project,
    log: Vec<Activity>,
    now: DateTime<Utc>,
    customer_owner: u32,
}

impl Walk {
    fn new(id: &str, version: u32) -> Walk {
        let mut playbook = crate::playbook::light_touch();
        playbook.version = version;
        let ctx = Ctx {
            actor: "Dana (vendor)".into(),
            person: None,
            side: Side::Vendor,
            now: t0(),
        };
        let (p, log) = create_project(
            NewProject {
                id: id.into(),
                name: format!("Pilot {id}"),
                customer: "Haulers Ltd".into(),
                handoff: Handoff {
                    sold: "Dispatch module".into(),
                    promises: vec![],
                    champion: "Lee".into(),
                    expected_timeline: "30 days".into(),
                    segment: Segment::Smb,
                    contract_date: date(2026, 3, 1),
                    account_executive: "Sam".into(),
                },
                playbook,
                owner: Some(NewPerson {
                    name: "Dana".into(),
                    email: "dana@vendor.test".into(),
                    user_id: None,
                }),
                start_date: date(2026, 3, 2),
            },
            &ctx,
        )
        .expect("project");
        let mut w = Walk {
            p,
            log,
            now: t0(),
            customer_owner: 0,
        };
        w.customer_owner = w.person("Casey", Side::Customer, Role::CustomerOwner);
        w.person("Bo", Side::Customer, Role::BackupContact);
        w.person("Dee", Side::Customer, Role::DecisionMaker);
        w.person("Vic", Side::Vendor, Role::DecisionMaker);
        w.ok(Command::SetFinishLine { text: "Dispatchers log incoming loads every morning and confirm status by noon, every day for two weeks.".into() })
            .ok(Command::AddCriterion { metric: "days with all loads logged by noon".into(), baseline: Some(0.0), target: 10.0, direction: Direction::AtLeast, unit: "days".into(), how_measured: "manager view export".into() })
            .ok(Command::AddDataSource { name: "Loads".into(), system: "Excel".into(), sample: SampleState::Requested })
            .ok(Command::ConfirmNoKnownRisks)
            .ok(Command::AddScopeItem { text: "custom roles".into(), bucket: ScopeBucket::Out });
        w
    }

    fn at(&mut self, days: i64) -> &mut Self {
        self.now = t0() + Duration::days(days);
        self
    }

    fn ok(&mut self, c: Command) -> &mut Self {
        let ctx = Ctx {
            actor: "Dana (vendor)".into(),
            person: self.p.vendor_owner().map(|o| o.id),
            side: Side::Vendor,
            now: self.now,
        };
        let name = c.name();
        let acts = apply(&mut self.p, c, &ctx).unwrap_or_else(|e| panic!("{name}: {e}"));
        self.log.extend(acts);
        self
    }

    fn person(&mut self, name: &str, side: Side, role: Role) -> u32 {
        self.ok(Command::AddPerson {
            name: name.into(),
            email: format!("{}@{}.test", name.to_lowercase(), side.label()),
            side,
            role,
            user_id: None,
        });
        self.p.people.last().map(|p| p.id).expect("person")
    }

    fn task(&self, key: &str) -> u32 {
        self.p
            .tasks
            .iter()
            .find(|t| t.step_key.as_deref() == Some(key))
            .map(|t| t.id)
            .expect("task")
    }

    fn advance(&mut self, stages: &[Stage]) -> &mut Self {
        for s in stages {
            self.ok(Command::AdvanceStage { to: *s });
        }
        self
    }

    /// To build on day 1, the setup task blocked on the customer from day 2 to day 5, paused
    /// from day 6 to day 11, the launch moved on day 12.
    fn walk_to_build_with_wait_and_pause(&mut self) -> &mut Self {
        self.advance(&[Stage::Assign, Stage::Intake, Stage::Kickoff])
            .ok(Command::SetLaunchDate {
                date: date(2026, 4, 1),
                reason: String::new(),
            })
            .ok(Command::SetNextMeeting {
                date: date(2026, 3, 9),
            });
        self.at(1).advance(&[Stage::Discovery, Stage::Build]);
        for key in ["finish-line", "owners"] {
            let task = self.task(key);
            self.ok(Command::CompleteTask {
                task,
                proof: Some(Proof::Note("done".into())),
                completed_by: None,
            });
        }
        let sample = self.task("sample-data");
        let from = self.customer_owner;
        let ctx = Ctx {
            actor: "Casey (customer)".into(),
            person: Some(from),
            side: Side::Customer,
            now: self.now,
        };
        let acts = apply(
            &mut self.p,
            Command::CompleteTask {
                task: sample,
                proof: Some(Proof::Note("first sample".into())),
                completed_by: Some(from),
            },
            &ctx,
        )
        .expect("the customer sends the sample");
        self.log.extend(acts);
        let setup = self.task("setup");
        self.at(2).ok(Command::BlockTask {
            task: setup,
            needed: "the full CSV export with the status field".into(),
            from,
            by: date(2026, 3, 9),
        });
        self.at(5).ok(Command::UnblockTask {
            task: setup,
            note: "export arrived".into(),
        });
        self.at(6).ok(Command::Pause {
            reason: "customer reorganisation".into(),
        });
        self.at(11).ok(Command::Resume);
        self.at(12).ok(Command::SetLaunchDate {
            date: date(2026, 4, 10),
            reason: "Waiting for  the CSV export".into(),
        })
    }

    /// UAT fails on day 12 (back to configuration), passes on day 15, live on day 16.
    fn live_after_a_uat_loop(&mut self) -> &mut Self {
        self.advance(&[Stage::Configuration, Stage::Training, Stage::Uat]);
        let c = self.p.criteria[0].id;
        self.ok(Command::AddUatCase {
            title: "Log a load".into(),
            criterion: c,
        });
        let case = self.p.uat[0].id;
        self.ok(Command::RecordUatResult {
            case,
            passed: false,
            notes: "status field empty".into(),
            loop_to: Some(ReworkStage::Configuration),
        });
        self.at(14).advance(&[Stage::Training]);
        self.at(15)
            .advance(&[Stage::Uat])
            .ok(Command::RecordUatResult {
                case,
                passed: true,
                notes: String::new(),
                loop_to: None,
            });
        self.advance(&[Stage::GoNoGo]);
        self.at(16).ok(Command::DecideGoLive {
            go: true,
            reason: "ready".into(),
            override_reason: Some("small pilot".into()),
            back_to: None,
        })
    }

    fn facts(&self) -> ProjectFacts {
        project_facts(&self.p, &self.log, self.now)
    }
}

fn live_walk() -> Walk {
    let mut w = Walk::new("p1", 1);
    w.walk_to_build_with_wait_and_pause()
        .live_after_a_uat_loop();
    w
}

#[test]
fn analytics_time_to_go_live_leaves_out_days_paused_and_waiting_on_the_customer() {
    let w = live_walk();
    let f = w.facts();
    let card = r12_scorecard(&w.p, &w.log, w.now);
    let m = f.go_live.expect("live");
    assert_eq!(m.days, card.days_to_launch);
    assert_eq!(m.days, 17, "contract 1 March, live 18 March");
    assert_eq!(m.paused_days, 5.0);
    let build = f.stages.get(&Stage::Build).expect("build");
    assert!(
        m.customer_days <= card.days_waiting_on_customer,
        "only the time when no vendor task waited: {} vs {}",
        m.customer_days,
        card.days_waiting_on_customer
    );
    assert!(
        m.customer_days >= timeline::days(build.customer),
        "the build's customer-only time is before go-live"
    );
    let a = analytics([&f], &Filter::default(), w.now);
    assert_eq!(a.time_to_value.go_live.total.median, Some(17.0));
    assert_eq!(a.time_to_value.go_live.excluding_paused.median, Some(12.0));
    assert!(
        a.time_to_value.value_confirmed.total.count == 0,
        "nothing measured yet"
    );
}

#[test]
fn analytics_value_confirmed_when_every_criterion_is_met() {
    let mut w = live_walk();
    let c = w.p.criteria[0].id;
    w.at(30).ok(Command::MeasureCriterion {
        criterion: c,
        value: 12.0,
    });
    let f = w.facts();
    let card = r12_scorecard(&w.p, &w.log, w.now);
    assert_eq!(f.value_confirmed.map(|m| m.days), Some(31));
    assert_eq!(f.first_value.map(|m| m.days), card.days_to_first_value);
    assert_eq!(f.value_confirmed.map(|m| m.paused_days), Some(5.0));
}

#[test]
fn analytics_where_time_goes_splits_every_stage_by_side_and_adds_up() {
    let w = live_walk();
    let f = w.facts();
    let stays: i64 = f.stages.values().map(|s| s.total()).sum();
    let first = w.log.first().map(|a| a.at).expect("a log");
    assert_eq!(
        stays,
        (w.now - first).num_seconds(),
        "every second in one stage"
    );
    let paused = f.stages.get(&Stage::Paused).expect("paused");
    assert_eq!(paused.total(), 5 * 86_400);
    assert_eq!(paused.nobody, paused.total(), "a pause stops every clock");
    let build = f.stages.get(&Stage::Build).expect("build");
    assert!(build.customer + build.both >= 3 * 86_400, "the export wait");
    let a = analytics([&f], &Filter::default(), w.now);
    let row = |s: Stage| a.where_time_goes.stages.iter().find(|r| r.stage == s);
    assert_eq!(row(Stage::Paused).map(|r| r.nobody_days), Some(5.0));
    // The clock keeps counting in the current stage, on the side that had the ball.
    let later = f.stages_at(w.now + Duration::days(2));
    let moved = later.values().map(|s| s.total()).sum::<i64>() - stays;
    assert_eq!(moved, 2 * 86_400);
    assert!(a
        .where_time_goes
        .task_kinds
        .iter()
        .any(|k| k.key.ends_with(":setup") && k.customer_days >= 3.0));
}

#[test]
fn analytics_loops_count_like_the_scorecard_and_cost_the_days_until_back() {
    let w = live_walk();
    let f = w.facts();
    let card = r12_scorecard(&w.p, &w.log, w.now);
    let a = analytics([&f], &Filter::default(), w.now);
    let uat = a
        .loops
        .iter()
        .find(|l| l.kind == LoopKind::UatRework)
        .expect("a row per loop kind");
    assert_eq!(uat.count as u32, card.loops.uat_rework);
    assert_eq!(uat.count, 1);
    assert_eq!(
        uat.cost_days.median,
        Some(3.0),
        "failed day 12, back in UAT day 15"
    );
    assert_eq!(uat.still_open, 0);
}

#[test]
fn analytics_on_time_measures_slips_against_the_first_launch_date_with_reasons() {
    let w = live_walk();
    let f = w.facts();
    let a = analytics([&f], &Filter::default(), w.now);
    assert_eq!(a.on_time.go_lives, 1);
    assert_eq!(
        a.on_time.on_time, 1,
        "live 18 March, first launch date 1 April"
    );
    assert_eq!(a.on_time.share_on_time, Some(1.0));
    assert_eq!(a.on_time.slip_days.median, Some(-14.0));
    assert_eq!(a.on_time.slip_buckets[0].count, 1);
    let reason = &a.on_time.reasons[0];
    assert_eq!(
        reason.reason, "Waiting for the CSV export",
        "spacing tidied"
    );
    assert_eq!((reason.launch_moves, reason.days_moved), (1, 9));
}

#[test]
fn analytics_forecast_names_the_task_due_after_the_launch_date() {
    let mut w = Walk::new("p2", 1);
    w.walk_to_build_with_wait_and_pause();
    let setup = w.task("setup");
    w.ok(Command::RebaselineTask {
        task: setup,
        due: date(2026, 4, 20),
        reason: "the integration needs a new API key".into(),
    });
    let f = w.facts();
    let a = analytics([&f], &Filter::default(), w.now);
    assert_eq!(a.forecast.open, 1);
    let late = &a.forecast.projected_late[0];
    assert_eq!(late.launch_date, date(2026, 4, 10));
    assert!(late.days_late >= 10);
    assert!(
        late.reasons
            .iter()
            .any(|r| r.contains("planned before the launch")),
        "{:?}",
        late.reasons
    );
    // Once the launch date has passed, that is a reason on its own.
    let later = analytics([&f], &Filter::default(), t0() + Duration::days(60));
    assert!(later.forecast.projected_late[0]
        .reasons
        .iter()
        .any(|r| r.contains("passed")));
}

#[test]
fn analytics_playbook_versions_side_by_side_and_filtered() {
    let old = live_walk().facts();
    let mut w = Walk::new("p3", 2);
    w.walk_to_build_with_wait_and_pause();
    let new = w.facts();
    let a = analytics([&old, &new], &Filter::default(), w.now);
    let versions: Vec<(u32, usize, usize)> = a
        .playbook_versions
        .iter()
        .map(|v| (v.version, v.projects, v.live))
        .collect();
    assert_eq!(versions, vec![(1, 1, 1), (2, 1, 0)]);
    assert_eq!(a.playbook_versions[0].loops_per_project.uat_rework, 1.0);
    let only_new = Filter::parse(&FilterText {
        playbook: Some(&format!("{}@2", new.playbook.key)),
        ..Default::default()
    })
    .expect("a filter");
    let b = analytics([&old, &new], &only_new, w.now);
    assert_eq!((b.projects, b.live), (1, 0));
    let by_owner = Filter::parse(&FilterText {
        owner: Some("DANA"),
        ..Default::default()
    })
    .expect("a filter");
    assert_eq!(analytics([&old, &new], &by_owner, w.now).projects, 2);
}

#[test]
fn analytics_facts_carry_the_scorecard_forward_like_a_replay() {
    let mut w = Walk::new("p4", 1);
    w.walk_to_build_with_wait_and_pause();
    let f = w.facts();
    let later = w.now + Duration::days(3) + Duration::hours(5);
    assert_eq!(f.scorecard_at(later), r12_scorecard(&w.p, &w.log, later));
}

/// Facts are kept in the database as JSON between server starts; what is read back must be
/// exactly what was computed, days with fractions included (a last bit lost would move a
/// median).
#[test]
fn analytics_facts_read_back_from_json_are_the_facts_computed() {
    let mut open = Walk::new("p5", 2);
    open.walk_to_build_with_wait_and_pause();
    for f in [live_walk().facts(), open.facts()] {
        assert!(!f.visits.is_empty() && !f.stages.is_empty());
        let json = serde_json::to_string(&f).expect("facts as JSON");
        let back: ProjectFacts = serde_json::from_str(&json).expect("facts from JSON");
        assert_eq!(back, f);
    }
    // Days are seconds / 86,400: every such value of up to 40 days reads back bit for bit.
    for seconds in (0..3_456_000).step_by(113) {
        let days = seconds as f64 / 86_400.0;
        let m = Milestone {
            days: 1,
            paused_days: days,
            customer_days: days / 3.0,
        };
        let json = serde_json::to_string(&m).expect("a milestone as JSON");
        let back: Milestone = serde_json::from_str(&json).expect("a milestone from JSON");
        assert_eq!(back, m, "{json}");
    }
}

#[test]
fn analytics_filter_takes_the_owner_by_name_in_any_case_or_by_user_id() {
    let mut f = live_walk().facts();
    f.owner_user_id = Some("usr_dana".into());
    let by = |owner: &str| {
        Filter::parse(&FilterText {
            owner: Some(owner),
            ..Default::default()
        })
        .expect("a filter")
        .matches(&f)
    };
    assert!(by("usr_dana"));
    assert!(by(&f.owner.to_uppercase()));
    assert!(!by("USR_DANA"), "an id is exact");
    assert!(!by("somebody else"));
}
