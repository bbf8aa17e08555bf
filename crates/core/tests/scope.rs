//! R3 the not-included note and R4 change control.
//!
//! Driven through the commands exactly as the server does; the harness is in `common`.

mod common;

use finishline_core::people::Side;
use finishline_core::scope::{ChangeDecision, ScopeBucket};
use finishline_core::{Command, DomainError, Rule};

use common::*;

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
fn r3_not_included_note_passes_with_an_out_item_or_a_confirmation() {
    let mut w = World::new(vec![]);
    assert!(!finishline_core::scope::r3_not_included_note(&w.p).is_empty());
    w.ok(Command::AddScopeItem {
        text: "custom roles".into(),
        bucket: ScopeBucket::Out,
    });
    assert!(finishline_core::scope::r3_not_included_note(&w.p).is_empty());
}

#[test]
fn r3_nothing_to_exclude_only_while_the_note_is_empty() {
    let mut w = World::new(vec![]);
    assert!(finishline_core::scope::r3_nothing_to_exclude(&w.p).is_ok());
    w.ok(Command::AddScopeItem {
        text: "custom roles".into(),
        bucket: ScopeBucket::Out,
    });
    let err = finishline_core::scope::r3_nothing_to_exclude(&w.p).expect_err("listed");
    assert!(
        matches!(err, DomainError::Rule { rule: Rule::R3, .. }),
        "{err}"
    );
}

#[test]
fn r4_answered_by_a_decision_maker_and_a_customer_for_themselves() {
    let mut w = World::new(vec![]);
    let (owner, dm, vdm) = w.ready_for_kickoff();
    let vendor = w.ctx(Side::Vendor, None);
    let customer_dm = w.p.person(dm).cloned().expect("dm");
    let customer_owner = w.p.person(owner).cloned().expect("owner");
    let vendor_dm = w.p.person(vdm).cloned().expect("vendor dm");
    use finishline_core::scope::r4_answered_by_a_decision_maker as answered;
    assert!(answered(&customer_dm, &vendor).is_ok());
    assert!(answered(&customer_owner, &vendor).is_err());
    let as_customer_dm = w.ctx(Side::Customer, Some(dm));
    assert!(answered(&customer_dm, &as_customer_dm).is_ok());
    let err = answered(&vendor_dm, &as_customer_dm).expect_err("not for someone else");
    assert!(
        err.to_string().contains("only answer for themselves"),
        "{err}"
    );
}

#[test]
fn r4_add_now_requirements_are_empty_for_a_change_that_is_not_material() {
    let mut w = World::new(vec![]);
    let (owner, _, _) = w.ready_for_kickoff();
    w.ok(Command::RequestChange {
        title: "Rename a column".into(),
        description: String::new(),
        requested_by: owner,
        adds_new_data: false,
        adds_new_workflow: false,
        adds_new_team: false,
        proposed_launch_date: None,
    });
    let cr = w.p.change_requests.last().expect("request");
    let (missing, date) =
        finishline_core::scope::r4_add_now_requirements(cr, None, None, w.p.launch_date);
    assert!(missing.is_empty() && date.is_none(), "{missing:?}");
}
