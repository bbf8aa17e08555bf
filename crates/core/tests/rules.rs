//! One test (at least) per rule of the product brief, named after it, driving the domain through
//! its commands exactly as the server does.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use finishline_core::command::{create_project, NewPerson, NewProject, ReworkStage};
use finishline_core::finish_line::Direction;
use finishline_core::handoff::{Handoff, Promise, PromiseClass, PromiseResolution, Segment};
use finishline_core::intake::SampleState;
use finishline_core::lifecycle::Stage;
use finishline_core::people::{Role, Side};
use finishline_core::plan::{Proof, TaskLabel, TaskStatus};
use finishline_core::scope::{ChangeDecision, ScopeBucket};
use finishline_core::training::TrainingAudience;
use finishline_core::{apply, Activity, Command, Ctx, DomainError, Project, Rule};

/// A command the domain refuses. Its error JSON, as a caller receives it, is kept as a golden
/// (tests/snapshots, named after the test), so moving a rule never changes what a caller is told.
macro_rules! refused {
    ($result:expr, $why:expr) => {{
        let err: DomainError = $result.expect_err($why);
        let mut settings = insta::Settings::clone_current();
        settings.set_prepend_module_to_snapshot(false);
        settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/refusals"));
        let _bound = settings.bind_to_scope();
        insta::assert_snapshot!(serde_json::to_string_pretty(&err).expect("an error serialises"));
        err
    }};
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("valid time")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

struct World {
    p: Project,
    log: Vec<Activity>,
    now: DateTime<Utc>,
}

impl World {
    fn new(promises: Vec<(&str, PromiseClass)>) -> Self {
        let ctx = Ctx {
            actor: "Dana (vendor)".into(),
            person: None,
            side: Side::Vendor,
            now: t0(),
        };
        let handoff = Handoff {
            sold: "Dispatch module, 5 seats".into(),
            promises: promises
                .into_iter()
                .map(|(t, c)| Promise {
                    id: 0,
                    text: t.into(),
                    class: c,
                    resolution: None,
                })
                .collect(),
            champion: "Lee".into(),
            expected_timeline: "30 days".into(),
            segment: Segment::Smb,
            contract_date: date(2026, 3, 1),
            account_executive: "Sam".into(),
        };
        let (p, log) = create_project(
            NewProject {
                id: "p1".into(),
                name: "Dispatch pilot".into(),
                customer: "Haulers Ltd".into(),
                handoff,
                playbook: finishline_core::playbook::light_touch(),
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
        Self { p, log, now: t0() }
    }

    fn at(&mut self, days: i64) -> &mut Self {
        self.now = t0() + Duration::days(days);
        self
    }

    fn ctx(&self, side: Side, person: Option<u32>) -> Ctx {
        Ctx {
            actor: format!("{side:?}"),
            person,
            side,
            now: self.now,
        }
    }

    fn run(&mut self, c: Command) -> Result<(), DomainError> {
        let owner = self.p.vendor_owner().map(|o| o.id);
        let ctx = self.ctx(Side::Vendor, owner);
        let acts = apply(&mut self.p, c, &ctx)?;
        self.log.extend(acts);
        Ok(())
    }

    fn customer(&mut self, person: u32, c: Command) -> Result<(), DomainError> {
        let ctx = self.ctx(Side::Customer, Some(person));
        let acts = apply(&mut self.p, c, &ctx)?;
        self.log.extend(acts);
        Ok(())
    }

    fn ok(&mut self, c: Command) -> &mut Self {
        let name = c.name();
        self.run(c).unwrap_or_else(|e| panic!("{name}: {e}"));
        self
    }

    fn add(&mut self, name: &str, side: Side, role: Role) -> u32 {
        self.ok(Command::AddPerson {
            name: name.into(),
            email: format!("{}@{}.test", name.to_lowercase(), side.label()),
            side,
            role,
            user_id: None,
        });
        self.p.people.last().map(|p| p.id).expect("person")
    }

    fn id_of(&self, key: &str) -> u32 {
        self.p
            .tasks
            .iter()
            .find(|t| t.step_key.as_deref() == Some(key))
            .map(|t| t.id)
            .expect("task")
    }

    /// People, finish line, criterion, data source, risks, scope: ready for kickoff.
    fn ready_for_kickoff(&mut self) -> (u32, u32, u32) {
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

#[test]
fn r1_project_has_exactly_one_owner_on_each_side() {
    let mut w = World::new(vec![]);
    let err = refused!(
        w.run(Command::AddPerson {
            name: "Second".into(),
            email: "two@vendor.test".into(),
            side: Side::Vendor,
            role: Role::ImplementationOwner,
            user_id: None,
        }),
        "second owner refused"
    );
    assert!(
        matches!(err, DomainError::Rule { rule: Rule::R1, .. }),
        "{err}"
    );
    let failing = finishline_core::gates::r1_one_owner(&w.p);
    assert!(
        failing.iter().any(|f| f.contains("no customer owner")),
        "{failing:?}"
    );
    assert!(
        failing
            .iter()
            .any(|f| f.contains("no customer decision maker")),
        "{failing:?}"
    );
    w.add("Casey", Side::Customer, Role::CustomerOwner);
    w.add("Dee", Side::Customer, Role::DecisionMaker);
    assert!(
        finishline_core::gates::r1_one_owner(&w.p).is_empty(),
        "{:?}",
        finishline_core::gates::r1_one_owner(&w.p)
    );
    // Every playbook task found its owner by role.
    assert!(w.p.tasks.iter().all(|t| t.owner.is_some()));
}

#[test]
fn r1_customer_role_cannot_sit_on_the_vendor_side() {
    let mut w = World::new(vec![]);
    let err = refused!(
        w.run(Command::AddPerson {
            name: "X".into(),
            email: "x@v.test".into(),
            side: Side::Vendor,
            role: Role::CustomerOwner,
            user_id: None,
        }),
        "refused"
    );
    assert!(err.to_string().contains("customer side"), "{err}");
}

#[test]
fn r3_kickoff_needs_the_not_included_note() {
    let mut w = World::new(vec![]);
    w.ready_for_kickoff();
    let out =
        w.p.scope
            .iter()
            .find(|s| s.bucket == ScopeBucket::Out)
            .map(|s| s.id)
            .expect("out item");
    w.ok(Command::MoveScopeItem {
        item: out,
        bucket: ScopeBucket::Later,
    });
    assert!(!finishline_core::gates::r3_not_included_note(&w.p).is_empty());
    w.ok(Command::ConfirmNothingExcluded);
    assert!(finishline_core::gates::r3_not_included_note(&w.p).is_empty());
}

#[test]
fn r4_material_change_needs_both_decision_makers_and_a_new_launch_date() {
    let mut w = World::new(vec![]);
    let (owner, dm, vdm) = w.ready_for_kickoff();
    w.ok(Command::SetLaunchDate {
        date: date(2026, 4, 1),
        reason: String::new(),
    });
    w.ok(Command::RequestChange {
        title: "Import the billing history too".into(),
        description: String::new(),
        requested_by: owner,
        adds_new_data: true,
        adds_new_workflow: false,
        adds_new_team: false,
        proposed_launch_date: None,
    });
    let cr = w.p.change_requests[0].id;
    let err = refused!(
        w.run(Command::DecideChange {
            request: cr,
            decision: ChangeDecision::AddNow,
            note: String::new(),
        }),
        "refused"
    );
    let text = err.to_string();
    assert!(
        text.contains("R4")
            && text.contains("vendor decision maker approves")
            && text.contains("customer decision maker approves")
            && text.contains("new launch date"),
        "{text}"
    );
    // A non decision maker cannot approve.
    let err = refused!(
        w.run(Command::AnswerChange {
            request: cr,
            person: owner,
            approved: true,
            note: String::new(),
            proposed_launch_date: None,
        }),
        "refused"
    );
    assert!(err.to_string().contains("not a decision maker"));
    w.customer(
        dm,
        Command::AnswerChange {
            request: cr,
            person: dm,
            approved: true,
            note: "worth it".into(),
            proposed_launch_date: Some(date(2026, 4, 15)),
        },
    )
    .expect("customer approves");
    w.ok(Command::AnswerChange {
        request: cr,
        person: vdm,
        approved: true,
        note: String::new(),
        proposed_launch_date: None,
    });
    w.ok(Command::DecideChange {
        request: cr,
        decision: ChangeDecision::AddNow,
        note: "both approved".into(),
    });
    let decided = w.p.change_requests[0]
        .decision
        .clone()
        .expect("decision recorded");
    assert_eq!(decided.approved_by.len(), 2);
    assert_eq!(w.p.launch_date, Some(date(2026, 4, 15)));
    assert_eq!(w.p.baseline_launch_date, Some(date(2026, 4, 1)));
}

#[test]
fn r4_phase_two_decision_keeps_the_item_for_later() {
    let mut w = World::new(vec![]);
    let (owner, _, _) = w.ready_for_kickoff();
    w.ok(Command::RequestChange {
        title: "Second team onboarding".into(),
        description: String::new(),
        requested_by: owner,
        adds_new_data: false,
        adds_new_workflow: false,
        adds_new_team: true,
        proposed_launch_date: None,
    });
    let cr = w.p.change_requests[0].id;
    w.ok(Command::DecideChange {
        request: cr,
        decision: ChangeDecision::PhaseTwo,
        note: "after launch".into(),
    });
    assert!(w
        .p
        .scope
        .iter()
        .any(|s| s.bucket == ScopeBucket::Later && s.from_change_request == Some(cr)));
    refused!(
        w.run(Command::DecideChange {
            request: cr,
            decision: ChangeDecision::Decline,
            note: String::new()
        }),
        "a decided request stays decided"
    );
}

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
fn r5_dependent_task_waits_for_its_dependencies() {
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

/// Walks a project to the go / no-go stage.
fn to_go_no_go(w: &mut World) -> (u32, u32) {
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

#[test]
fn g1_kickoff_readiness_explains_every_failing_item() {
    let mut w = World::new(vec![(
        "Custom SAP connector",
        PromiseClass::NeedsCustomWork,
    )]);
    w.ok(Command::AdvanceStage { to: Stage::Assign })
        .ok(Command::AdvanceStage { to: Stage::Intake });
    let err = refused!(
        w.run(Command::AdvanceStage { to: Stage::Kickoff }),
        "not ready"
    );
    let DomainError::GateNotReady { report } = err else {
        panic!("expected the gate")
    };
    let failing: Vec<&str> = report.failing().map(|i| i.key.as_str()).collect();
    assert_eq!(
        failing,
        [
            "who",
            "data",
            "success",
            "risks",
            "promises",
            "not_included"
        ]
    );
    assert!(report.items.iter().all(|i| i.ok || !i.reason.is_empty()));
    w.ready_for_kickoff();
    let err = refused!(
        w.run(Command::AdvanceStage { to: Stage::Kickoff }),
        "promise unresolved"
    );
    assert!(err.to_string().contains("Custom SAP connector"), "{err}");
    let promise = w.p.handoff.promises[0].id;
    w.ok(Command::RealignWithSales {
        reason: "SAP connector was promised but is custom work".into(),
    });
    assert_eq!(w.p.stage, Stage::Handoff);
    w.ok(Command::ResolvePromise {
        promise,
        resolution: PromiseResolution::Declined {
            reason: "not on the roadmap; CSV export instead".into(),
        },
    });
    for s in [Stage::Assign, Stage::Intake, Stage::Kickoff] {
        w.ok(Command::AdvanceStage { to: s });
    }
    let card = finishline_core::scorecard::r12_scorecard(&w.p, &w.log, w.now);
    assert_eq!(card.loops.sales_realign, 1);
}

#[test]
fn g1_a_promise_brought_into_scope_puts_the_words_given_in_scope_not_the_promise() {
    let mut w = World::new(vec![
        ("Two-way TMS sync at launch", PromiseClass::NeedsCustomWork),
        ("Custom SAP connector", PromiseClass::NeedsCustomWork),
    ]);
    let (sync, sap) = (w.p.handoff.promises[0].id, w.p.handoff.promises[1].id);
    let err = refused!(
        w.run(Command::ResolvePromise {
            promise: sync,
            resolution: PromiseResolution::IntoScope {
                plan: "nightly import first".into(),
                scope: Some("  ".into()),
            },
        }),
        "an empty scope text is refused"
    );
    assert!(err.to_string().contains("scope"), "{err}");
    w.ok(Command::ResolvePromise {
        promise: sync,
        resolution: PromiseResolution::IntoScope {
            plan: "nightly CSV import in phase one".into(),
            scope: Some("One-way nightly import of loads".into()),
        },
    });
    // Without scope words (the API's older shape) the promise's own words are used.
    w.ok(Command::ResolvePromise {
        promise: sap,
        resolution: PromiseResolution::IntoScope {
            plan: "scoped by the integration team".into(),
            scope: None,
        },
    });
    let in_scope: Vec<&str> =
        w.p.scope
            .iter()
            .filter(|s| s.bucket == ScopeBucket::In)
            .map(|s| s.text.as_str())
            .collect();
    assert_eq!(
        in_scope,
        ["One-way nightly import of loads", "Custom SAP connector"]
    );
}

#[test]
fn g1_vague_finish_line_fails_kickoff_readiness() {
    let mut w = World::new(vec![]);
    w.ready_for_kickoff();
    w.ok(Command::SetFinishLine {
        text: "Streamline operations".into(),
    });
    let report = finishline_core::gates::g1_kickoff_readiness(&w.p);
    let success = report
        .items
        .iter()
        .find(|i| i.key == "success")
        .expect("item");
    assert!(
        !success.ok && success.reason.contains("vague"),
        "{}",
        success.reason
    );
}

#[test]
fn g2_go_live_refused_with_reasons_then_passes() {
    let mut w = World::new(vec![]);
    let (owner, _) = to_go_no_go(&mut w);
    let case = w.p.uat[0].id;
    // UAT fails and loops back to configuration.
    let err = refused!(
        w.run(Command::AdvanceStage { to: Stage::GoNoGo }),
        "UAT not passed"
    );
    assert!(err.to_string().contains("UAT"));
    w.ok(Command::RecordUatResult {
        case,
        passed: false,
        notes: "status not saved".into(),
        loop_to: Some(ReworkStage::Configuration),
    });
    assert_eq!(w.p.stage, Stage::Configuration);
    w.ok(Command::AdvanceStage {
        to: Stage::Training,
    })
    .ok(Command::AdvanceStage { to: Stage::Uat });
    w.ok(Command::RecordUatResult {
        case,
        passed: true,
        notes: String::new(),
        loop_to: None,
    });
    w.ok(Command::AdvanceStage { to: Stage::GoNoGo });
    let err = refused!(
        w.run(Command::DecideGoLive {
            go: true,
            reason: "ready".into(),
            override_reason: None,
            back_to: None,
        }),
        "gate fails"
    );
    let DomainError::GateNotReady { report } = err else {
        panic!("expected gate")
    };
    let failing: Vec<&str> = report.failing().map(|i| i.key.as_str()).collect();
    assert!(
        failing.contains(&"build")
            && failing.contains(&"training")
            && failing.contains(&"data")
            && failing.contains(&"early_win"),
        "{failing:?}"
    );
    // No-go loops back to training.
    w.ok(Command::DecideGoLive {
        go: false,
        reason: "nobody trained yet".into(),
        override_reason: None,
        back_to: Some(ReworkStage::Training),
    });
    assert_eq!(w.p.stage, Stage::Training);
    // Fix every item.
    for key in [
        "finish-line",
        "owners",
        "sample-data",
        "setup",
        "import",
        "full-path",
        "train",
    ] {
        let id = w.id_of(key);
        w.ok(Command::CompleteTask {
            task: id,
            proof: Some(Proof::Note(format!("{key} done"))),
            completed_by: None,
        });
    }
    w.ok(Command::RecordImportRun {
        source: None,
        file_sha256: "a".repeat(64),
        rows: 120,
        errors: 0,
        reviews: 2,
    });
    let user = w.add("Uma", Side::Customer, Role::EndUser);
    let admin = w.add("Al", Side::Customer, Role::CustomerAdmin);
    w.ok(Command::SetHelpContact {
        person: user,
        help_contact: owner,
    })
    .ok(Command::SetHelpContact {
        person: admin,
        help_contact: owner,
    });
    for (aud, who) in [
        (TrainingAudience::Admins, admin),
        (TrainingAudience::DailyUsers, user),
    ] {
        let err = refused!(
            w.run(Command::ScheduleTraining {
                audience: aud,
                title: "too long".into(),
                scheduled_at: w.now,
                minutes: 90,
            }),
            "R14"
        );
        assert!(matches!(
            err,
            DomainError::Rule {
                rule: Rule::R14,
                ..
            }
        ));
        w.ok(Command::ScheduleTraining {
            audience: aud,
            title: format!("{} basics", aud.label()),
            scheduled_at: w.now,
            minutes: 40,
        });
        let s = w.p.training.last().map(|s| s.id).expect("session");
        w.ok(Command::RecordAttendance {
            session: s,
            person: who,
            practice_task: "log one load".into(),
            completed: true,
        })
        .ok(Command::MarkTrainingHeld { session: s })
        .ok(Command::SendTrainingRecap { session: s });
    }
    let c = w.p.criteria[0].id;
    w.ok(Command::SetEarlyWin { criterion: c });
    w.ok(Command::OpenIssue {
        title: "Export column order".into(),
        owner: None,
        due: None,
    });
    w.ok(Command::AdvanceStage { to: Stage::Uat })
        .ok(Command::AdvanceStage { to: Stage::GoNoGo });
    let report = finishline_core::gates::g2_go_live_readiness(&w.p, w.now.date_naive());
    assert_eq!(
        report.failing().map(|i| i.key.as_str()).collect::<Vec<_>>(),
        ["issues"],
        "{}",
        report.failing_summary()
    );
    let issue = w.p.issues[0].id;
    w.ok(Command::UpdateIssue {
        issue,
        owner: Some(owner),
        due: Some(date(2026, 4, 10)),
    });
    w.ok(Command::DecideGoLive {
        go: true,
        reason: "all green".into(),
        override_reason: None,
        back_to: None,
    });
    assert_eq!(w.p.stage, Stage::Hypercare);
    assert_eq!(
        w.p.hypercare_until,
        Some(w.now.date_naive() + Duration::days(14))
    );
    let card = finishline_core::scorecard::r12_scorecard(&w.p, &w.log, w.now);
    assert_eq!((card.loops.uat_rework, card.loops.no_go), (1, 1));
}

#[test]
fn g2_override_needs_the_owner_and_a_reason() {
    let mut w = World::new(vec![]);
    let (owner, _) = to_go_no_go(&mut w);
    let case = w.p.uat[0].id;
    w.ok(Command::RecordUatResult {
        case,
        passed: true,
        notes: String::new(),
        loop_to: None,
    })
    .ok(Command::AdvanceStage { to: Stage::GoNoGo });
    let err = refused!(
        w.customer(
            owner,
            Command::DecideGoLive {
                go: true,
                reason: "ship".into(),
                override_reason: Some("customer insists".into()),
                back_to: None,
            },
        ),
        "not the owner"
    );
    assert!(
        err.to_string()
            .contains("only the vendor implementation owner"),
        "{err}"
    );
    w.ok(Command::DecideGoLive {
        go: true,
        reason: "ship".into(),
        override_reason: Some("customer accepts training after launch".into()),
        back_to: None,
    });
    let d = w.p.go_decisions.last().expect("decision");
    assert_eq!(
        d.override_reason.as_deref(),
        Some("customer accepts training after launch")
    );
    assert!(
        !d.failing.is_empty(),
        "the failing items at the time are recorded"
    );
}

#[test]
fn r11_complete_only_when_criteria_met_and_transition_accepted() {
    let mut w = World::new(vec![]);
    let (_, dm) = to_go_no_go(&mut w);
    let case = w.p.uat[0].id;
    w.ok(Command::RecordUatResult {
        case,
        passed: true,
        notes: String::new(),
        loop_to: None,
    })
    .ok(Command::AdvanceStage { to: Stage::GoNoGo });
    w.ok(Command::DecideGoLive {
        go: true,
        reason: "ok".into(),
        override_reason: Some("pilot, risk accepted".into()),
        back_to: None,
    });
    w.at(15).ok(Command::AdvanceStage {
        to: Stage::Adoption,
    });
    // Adoption stalls: an intervention loops back.
    let err = refused!(
        w.run(Command::RecordAdoption {
            active_users: 1,
            trained_users: 5,
            logins_first_week: Some(3),
            support_questions: Some(4),
            key_features_unused: vec![],
            intervention: None,
        }),
        "needs intervention"
    );
    assert!(err.to_string().contains("choose an intervention"));
    w.ok(Command::RecordAdoption {
        active_users: 1,
        trained_users: 5,
        logins_first_week: Some(3),
        support_questions: Some(4),
        key_features_unused: vec![],
        intervention: Some(finishline_core::command::Intervention::Retrain),
    });
    assert_eq!(w.p.stage, Stage::Training);
    assert!(w.p.tasks.iter().any(|t| t.phase == "Adoption intervention"));
    w.at(20);
    w.ok(Command::AdvanceStage { to: Stage::Uat })
        .ok(Command::AdvanceStage { to: Stage::GoNoGo });
    w.ok(Command::DecideGoLive {
        go: true,
        reason: "re-trained".into(),
        override_reason: Some("intervention task in progress".into()),
        back_to: None,
    });
    w.at(40)
        .ok(Command::AdvanceStage {
            to: Stage::Adoption,
        })
        .ok(Command::AdvanceStage {
            to: Stage::ValueReview,
        });
    let err = refused!(
        w.run(Command::AdvanceStage {
            to: Stage::Transition,
        }),
        "not measured"
    );
    assert!(err.to_string().contains("not yet measured"));
    let c = w.p.criteria[0].id;
    w.ok(Command::MeasureCriterion {
        criterion: c,
        value: 8.0,
    });
    w.ok(Command::AdvanceStage {
        to: Stage::Transition,
    });
    let csm = w.add("Rene", Side::Vendor, Role::RenewalCsm);
    w.ok(Command::PrepareTransition {
        renewal_csm: csm,
        notes: "usage steady, one open workflow question".into(),
    });
    let err = refused!(
        w.run(Command::AdvanceStage {
            to: Stage::Complete,
        }),
        "criterion not met"
    );
    let text = err.to_string();
    assert!(
        text.contains("R11") && text.contains("not met") && text.contains("has not accepted"),
        "{text}"
    );
    w.customer(
        dm,
        Command::AcceptCriterion {
            criterion: c,
            by: dm,
            reason: "8 of 10 days is enough for phase one".into(),
        },
    )
    .expect("accepted");
    let csm_ctx = Ctx {
        actor: "Rene".into(),
        person: Some(csm),
        side: Side::Vendor,
        now: w.now,
    };
    apply(&mut w.p, Command::AcceptTransition, &csm_ctx).expect("accepted");
    w.ok(Command::AdvanceStage {
        to: Stage::Complete,
    });
    assert_eq!(w.p.stage, Stage::Complete);
    refused!(
        w.run(Command::AddTask {
            title: "x".into(),
            phase: "x".into(),
            label: TaskLabel::VendorTask,
            owner: csm,
            due: date(2026, 5, 1),
            depends_on: vec![],
            needs_proof: true,
            visibility: Default::default(),
        }),
        "refused"
    );
}

#[test]
fn r12_scorecard_shows_days_waiting_on_the_customer() {
    // The seed's first rollout: 21 days, 8 of them waiting for a CSV export and a mapping decision.
    let mut w = World::new(vec![]);
    let (owner, _, _) = w.ready_for_kickoff();
    for key in ["finish-line", "owners"] {
        let id = w.id_of(key);
        w.ok(Command::CompleteTask {
            task: id,
            proof: Some(Proof::Note("done".into())),
            completed_by: None,
        });
    }
    let sample = w.id_of("sample-data");
    w.at(2);
    w.customer(
        owner,
        Command::CompleteTask {
            task: sample,
            proof: Some(Proof::Note("first sample".into())),
            completed_by: Some(owner),
        },
    )
    .expect("ok");
    let setup = w.id_of("setup");
    w.at(3).ok(Command::BlockTask {
        task: setup,
        needed: "full CSV export and the status mapping decision".into(),
        from: owner,
        by: date(2026, 3, 9),
    });
    w.at(9).ok(Command::UnblockTask {
        task: setup,
        note: "export arrived".into(),
    });
    let card = finishline_core::scorecard::r12_scorecard(&w.p, &w.log, w.now);
    assert_eq!(
        card.days_waiting_on_customer, 8.0,
        "2 days for the sample + 6 days blocked on the export"
    );
    assert!(card.days_waiting_on_vendor > 0.0);
    let portfolio = finishline_core::scorecard::r12_portfolio(&[card.clone(), card]);
    assert_eq!(portfolio.total_days_waiting_on_customer, 16.0);
}

#[test]
fn r13_only_rollout_fixes_are_promoted_into_the_playbook() {
    use finishline_core::project::{RetroBucket, RetroKind};
    let mut w = World::new(vec![]);
    refused!(
        w.run(Command::AddRetroItem {
            text: "x".into(),
            kind: RetroKind::TookLonger,
            bucket: RetroBucket::RolloutWork
        }),
        "after go-live only"
    );
    let (_, _) = to_go_no_go(&mut w);
    let case = w.p.uat[0].id;
    w.ok(Command::RecordUatResult {
        case,
        passed: true,
        notes: String::new(),
        loop_to: None,
    })
    .ok(Command::AdvanceStage { to: Stage::GoNoGo });
    w.ok(Command::DecideGoLive {
        go: true,
        reason: "ok".into(),
        override_reason: Some("pilot".into()),
        back_to: None,
    });
    w.ok(Command::AddRetroItem {
        text: "Ask for the full export in week 1".into(),
        kind: RetroKind::TookLonger,
        bucket: RetroBucket::RolloutWork,
    });
    w.ok(Command::AddRetroItem {
        text: "Importer cannot read XLS".into(),
        kind: RetroKind::Blocked,
        bucket: RetroBucket::ProductWork,
    });
    let (rollout, product) = (w.p.retro[0].id, w.p.retro[1].id);
    w.ok(Command::MarkRetroPromoted {
        item: rollout,
        playbook: "light-touch-30 v2".into(),
    });
    refused!(
        w.run(Command::MarkRetroPromoted {
            item: product,
            playbook: "light-touch-30 v2".into()
        }),
        "refused"
    );
}

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

#[test]
fn failed_command_leaves_the_project_unchanged() {
    let mut w = World::new(vec![]);
    let before = w.p.clone();
    let task = w.id_of("finish-line");
    refused!(
        w.run(Command::CompleteTask {
            task,
            proof: None,
            completed_by: None
        }),
        "refused"
    );
    refused!(
        w.run(Command::CompleteTask {
            task: 9999,
            proof: Some(Proof::Note("x".into())),
            completed_by: None
        }),
        "refused"
    );
    assert_eq!(w.p, before);
}

#[test]
fn paused_project_refuses_work_and_stops_the_clocks() {
    let mut w = World::new(vec![]);
    w.ready_for_kickoff();
    w.at(1).ok(Command::Pause {
        reason: "customer reorganising".into(),
    });
    refused!(
        w.run(Command::SetNextMeeting {
            date: date(2026, 3, 20)
        }),
        "refused"
    );
    let before = finishline_core::ball::r7_ball_in_court(&w.log, w.now).project;
    w.at(30);
    let during = finishline_core::ball::r7_ball_in_court(&w.log, w.now).project;
    assert_eq!(before, during, "no time accrues while paused");
    w.ok(Command::Resume);
    assert_eq!(w.p.stage, Stage::Handoff);
}

#[test]
fn health_is_computed_with_reasons() {
    use finishline_core::health::{health, HealthLevel};
    let mut w = World::new(vec![]);
    w.ready_for_kickoff();
    assert_eq!(
        health(&w.p, w.now).level,
        HealthLevel::OnTrack,
        "{:?}",
        health(&w.p, w.now).reasons
    );
    w.at(20);
    let h = health(&w.p, w.now);
    assert_eq!(h.level, HealthLevel::OffTrack);
    assert!(
        h.reasons.iter().any(|r| r.contains("overdue")),
        "{:?}",
        h.reasons
    );
    assert!(
        h.reasons.iter().any(|r| r.contains("silent customer")),
        "{:?}",
        h.reasons
    );
}

#[test]
fn commands_parse_from_json_with_clear_errors() {
    let c: Command =
        serde_json::from_str(r#"{"action":"set_finish_line","text":"x"}"#).expect("parses");
    assert_eq!(c.name(), "set_finish_line");
    let err = serde_json::from_str::<Command>(r#"{"action":"complete_task","task":"seven"}"#)
        .expect_err("bad type");
    assert!(err.to_string().contains("invalid type"), "{err}");
    assert!(serde_json::from_str::<Command>(r#"{"action":"launch_rockets"}"#).is_err());
}

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
