//! The harness the rule tests share: a `World` holding one project driven through its commands,
//! and `refused!`, which keeps each refusal's error JSON as a golden.
//!
//! Every test file is its own binary and uses part of the harness.
#![allow(dead_code, reason = "each test binary uses part of the harness")]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use finishline_core::command::{create_project, NewPerson, NewProject};
use finishline_core::finish_line::Direction;
use finishline_core::handoff::{Handoff, Promise, PromiseClass, Segment};
use finishline_core::intake::SampleState;
use finishline_core::lifecycle::Stage;
use finishline_core::people::{Role, Side};
use finishline_core::playbook::Playbook;
use finishline_core::scope::ScopeBucket;
use finishline_core::{apply, Activity, Command, Ctx, DomainError, Project};

/// A command the domain refuses. Its error JSON, as a caller receives it, is kept as a golden
/// (tests/refusals, named after the test), so moving a rule never changes what a caller is told.
#[allow(
    unused_macros,
    reason = "test binaries that refuse nothing do not use it"
)]
macro_rules! refused {
    ($result:expr, $why:expr) => {{
        let err: finishline_core::DomainError = $result.expect_err($why);
        let mut settings = insta::Settings::clone_current();
        settings.set_prepend_module_to_snapshot(false);
        settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/refusals"));
        let _bound = settings.bind_to_scope();
        insta::assert_snapshot!(serde_json::to_string_pretty(&err).expect("an error serialises"));
        err
    }};
}
#[allow(
    unused_imports,
    reason = "test binaries that refuse nothing do not use it"
)]
pub(crate) use refused;

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("valid time")
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// Dana (the vendor owner, not yet a person of the project) acting at `t0`.
pub fn dana() -> Ctx {
    Ctx {
        actor: "Dana (vendor)".into(),
        person: None,
        side: Side::Vendor,
        now: t0(),
    }
}

/// A sales handoff: contract signed on 1 March, Lee the champion, 30 days expected.
pub fn handoff(sold: &str, promises: Vec<Promise>) -> Handoff {
    Handoff {
        sold: sold.into(),
        promises,
        champion: "Lee".into(),
        expected_timeline: "30 days".into(),
        segment: Segment::Smb,
        contract_date: date(2026, 3, 1),
        account_executive: "Sam".into(),
    }
}

/// A project created by Dana at `t0`, its plan starting on 2 March, Dana its vendor owner.
pub fn create(
    name: &str,
    customer: &str,
    handoff: Handoff,
    playbook: Playbook,
) -> (Project, Vec<Activity>) {
    create_project(
        NewProject {
            id: "p1".into(),
            name: name.into(),
            customer: customer.into(),
            handoff,
            playbook,
            owner: Some(NewPerson {
                name: "Dana".into(),
                email: "dana@vendor.test".into(),
                user_id: None,
            }),
            start_date: date(2026, 3, 2),
        },
        &dana(),
    )
    .expect("project")
}

pub struct World {
    pub p: Project,
    pub log: Vec<Activity>,
    pub now: DateTime<Utc>,
}

impl World {
    pub fn new(promises: Vec<(&str, PromiseClass)>) -> Self {
        let promises = promises
            .into_iter()
            .map(|(t, c)| Promise {
                id: 0,
                text: t.into(),
                class: c,
                resolution: None,
            })
            .collect();
        let (p, log) = create(
            "Dispatch pilot",
            "Haulers Ltd",
            handoff("Dispatch module, 5 seats", promises),
            finishline_core::playbook::light_touch(),
        );
        Self { p, log, now: t0() }
    }

    pub fn at(&mut self, days: i64) -> &mut Self {
        self.now = t0() + Duration::days(days);
        self
    }

    pub fn ctx(&self, side: Side, person: Option<u32>) -> Ctx {
        Ctx {
            actor: format!("{side:?}"),
            person,
            side,
            now: self.now,
        }
    }

    pub fn run(&mut self, c: Command) -> Result<(), DomainError> {
        let owner = self.p.vendor_owner().map(|o| o.id);
        let ctx = self.ctx(Side::Vendor, owner);
        let acts = apply(&mut self.p, c, &ctx)?;
        self.log.extend(acts);
        Ok(())
    }

    pub fn customer(&mut self, person: u32, c: Command) -> Result<(), DomainError> {
        let ctx = self.ctx(Side::Customer, Some(person));
        let acts = apply(&mut self.p, c, &ctx)?;
        self.log.extend(acts);
        Ok(())
    }

    pub fn ok(&mut self, c: Command) -> &mut Self {
        let name = c.name();
        self.run(c).unwrap_or_else(|e| panic!("{name}: {e}"));
        self
    }

    pub fn add(&mut self, name: &str, side: Side, role: Role) -> u32 {
        self.ok(Command::AddPerson {
            name: name.into(),
            email: format!("{}@{}.test", name.to_lowercase(), side.label()),
            side,
            role,
            user_id: None,
        });
        self.p.people.last().map(|p| p.id).expect("person")
    }

    pub fn id_of(&self, key: &str) -> u32 {
        self.p
            .tasks
            .iter()
            .find(|t| t.step_key.as_deref() == Some(key))
            .map(|t| t.id)
            .expect("task")
    }

    /// People, finish line, criterion, data source, risks, scope: ready for kickoff.
    pub fn ready_for_kickoff(&mut self) -> (u32, u32, u32) {
        let owner = self.add("Casey", Side::Customer, Role::CustomerOwner);
        self.add("Bo", Side::Customer, Role::BackupContact);
        let dm = self.add("Dee", Side::Customer, Role::DecisionMaker);
        let vdm = self.add("Vic", Side::Vendor, Role::DecisionMaker);
        self.ok(Command::SetFinishLine { text: "Dispatchers log incoming loads every morning and confirm status by noon, every day for two weeks.".into() })
            .ok(Command::AddCriterion { metric: "days with all loads logged by noon".into(), baseline: Some(0.0), target: 10.0, direction: Direction::AtLeast, unit: "days".into(), how_measured: "manager view export".into() })
            .ok(Command::AddDataSource { name: "Loads spreadsheet".into(), system: "Excel".into(), sample: SampleState::Requested })
            .ok(Command::ConfirmNoKnownRisks)
            .ok(Command::AddScopeItem { text: "custom roles".into(), bucket: ScopeBucket::Out });
        let _ = vdm;
        (owner, dm, vdm)
    }
}

/// Walks a project to the go / no-go stage.
pub fn to_go_no_go(w: &mut World) -> (u32, u32) {
    let (owner, dm, _) = w.ready_for_kickoff();
    for s in [Stage::Assign, Stage::Intake, Stage::Kickoff] {
        w.ok(Command::AdvanceStage { to: s });
    }
    w.ok(Command::SetLaunchDate {
        date: date(2026, 4, 1),
        reason: String::new(),
    })
    .ok(Command::SetNextMeeting {
        date: date(2026, 3, 9),
    });
    for s in [
        Stage::Discovery,
        Stage::Build,
        Stage::Configuration,
        Stage::Training,
        Stage::Uat,
    ] {
        w.ok(Command::AdvanceStage { to: s });
    }
    let c = w.p.criteria[0].id;
    w.ok(Command::AddUatCase {
        title: "Log a load and confirm by noon".into(),
        criterion: c,
    });
    (owner, dm)
}

/// [`to_go_no_go`], then the UAT case passed and the project at go / no-go: (vendor owner,
/// customer decision maker).
pub fn uat_passed_at_go_no_go(w: &mut World) -> (u32, u32) {
    let who = to_go_no_go(w);
    let case = w.p.uat[0].id;
    w.ok(Command::RecordUatResult {
        case,
        passed: true,
        notes: String::new(),
        loop_to: None,
    })
    .ok(Command::AdvanceStage { to: Stage::GoNoGo });
    who
}

/// [`uat_passed_at_go_no_go`], then live on the owner's override (G2 does not pass in this
/// small world): (vendor owner, customer decision maker).
pub fn live_by_override(w: &mut World, override_reason: &str) -> (u32, u32) {
    let who = uat_passed_at_go_no_go(w);
    w.ok(Command::DecideGoLive {
        go: true,
        reason: "ok".into(),
        override_reason: Some(override_reason.into()),
        back_to: None,
    });
    who
}
