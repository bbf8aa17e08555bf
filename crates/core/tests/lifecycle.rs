//! The lifecycle: R11 done is value, pausing.
//!
//! Driven through the commands exactly as the server does; the harness is in `common`.

mod common;

use finishline_core::lifecycle::Stage;
use finishline_core::people::{Role, Side};
use finishline_core::plan::TaskLabel;
use finishline_core::{apply, Command, Ctx, DomainError, Rule};

use common::*;

#[test]
fn r11_complete_only_when_criteria_met_and_transition_accepted() {
    let mut w = World::new(vec![]);
    let (_, dm) = live_by_override(&mut w, "pilot, risk accepted");
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
fn r11_done_is_value_lists_unmet_criteria_and_the_transition() {
    let mut w = World::new(vec![]);
    w.ready_for_kickoff();
    let failing = finishline_core::lifecycle::r11_done_is_value(&w.p);
    assert!(
        failing.iter().any(|f| f.contains("has not been measured")),
        "{failing:?}"
    );
    assert!(
        failing
            .iter()
            .any(|f| f.contains("transition packet to the renewal CSM is not prepared")),
        "{failing:?}"
    );
}

#[test]
fn r11_accepted_by_the_renewal_csm_named_in_the_packet() {
    use finishline_core::lifecycle::{r11_accepted_by_the_renewal_csm, TransitionPacket};
    let packet = TransitionPacket {
        renewal_csm: 7,
        notes: "Renewal in June".into(),
        prepared_at: t0(),
        accepted_at: None,
    };
    assert!(r11_accepted_by_the_renewal_csm(&packet, Some(7)).is_ok());
    assert!(r11_accepted_by_the_renewal_csm(&packet, None).is_ok());
    let err = r11_accepted_by_the_renewal_csm(&packet, Some(8)).expect_err("someone else");
    assert!(
        matches!(
            err,
            DomainError::Rule {
                rule: Rule::R11,
                ..
            }
        ),
        "{err}"
    );
}
