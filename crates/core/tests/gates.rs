//! G1 kickoff readiness and G2 go-live readiness.
//!
//! Driven through the commands exactly as the server does; the harness is in `common`.

mod common;

use chrono::Duration;
use finishline_core::command::ReworkStage;
use finishline_core::handoff::{PromiseClass, PromiseResolution};
use finishline_core::lifecycle::Stage;
use finishline_core::people::{Role, Side};
use finishline_core::plan::Proof;
use finishline_core::scope::ScopeBucket;
use finishline_core::training::TrainingAudience;
use finishline_core::{Command, DomainError, Rule};

use common::*;

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
    let (owner, _) = uat_passed_at_go_no_go(&mut w);
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
fn g2_go_live_readiness_lists_each_failing_item_at_go_no_go() {
    let mut w = World::new(vec![]);
    to_go_no_go(&mut w);
    let report = finishline_core::gates::g2_go_live_readiness(&w.p, w.now.date_naive());
    assert!(!report.ready);
    let failing: Vec<&str> = report.failing().map(|i| i.key.as_str()).collect();
    assert!(failing.contains(&"uat"), "{failing:?}");
    assert!(failing.contains(&"training"), "{failing:?}");
}

#[test]
fn g2_override_needs_a_reason_when_the_gate_fails() {
    use finishline_core::lifecycle::g2_override;
    let mut w = World::new(vec![]);
    to_go_no_go(&mut w);
    let owner = w.p.vendor_owner().map(|o| o.id);
    let report = finishline_core::gates::g2_go_live_readiness(&w.p, w.now.date_naive());
    let err = g2_override(&w.p, report.clone(), Some("  ".into()), owner).expect_err("blank");
    assert!(matches!(err, DomainError::GateNotReady { .. }), "{err}");
    let err = g2_override(&w.p, report.clone(), Some("ship".into()), None).expect_err("who");
    assert!(
        matches!(err, DomainError::Rule { rule: Rule::G2, .. }),
        "{err}"
    );
    assert_eq!(
        g2_override(&w.p, report, Some(" ship ".into()), owner).ok(),
        Some(Some("ship".to_string()))
    );
}

#[test]
fn g2_go_live_readiness_finds_build_tasks_by_kind_whatever_their_phase_is_called() {
    let mut w = World::new(vec![]);
    to_go_no_go(&mut w);
    let setup = w.id_of("setup");
    for t in &mut w.p.tasks {
        t.phase = format!("Renamed: {}", t.phase.len());
    }
    let report = finishline_core::gates::g2_go_live_readiness(&w.p, w.now.date_naive());
    let build = report
        .items
        .iter()
        .find(|i| i.key == "build")
        .expect("the build item");
    assert!(!build.ok);
    assert!(
        build.reason.contains(&format!("task {setup} ")),
        "{}",
        build.reason
    );
}

#[test]
fn g2_go_live_readiness_reads_a_task_stored_without_a_kind_by_its_phase() {
    let mut w = World::new(vec![]);
    w.ready_for_kickoff();
    let mut doc = serde_json::to_value(&w.p).expect("a project serialises");
    for t in doc["tasks"].as_array_mut().expect("tasks") {
        t.as_object_mut().expect("a task").remove("kind");
    }
    let old: finishline_core::Project = serde_json::from_value(doc).expect("an old project loads");
    assert_eq!(old, w.p);
}
