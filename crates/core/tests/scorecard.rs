//! R12 the scorecard, and computed health.
//!
//! Driven through the commands exactly as the server does; the harness is in `common`.

mod common;

use finishline_core::plan::Proof;
use finishline_core::Command;

use common::*;

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
fn r12_portfolio_of_projects_not_yet_live_has_no_medians() {
    let mut w = World::new(vec![]);
    w.ready_for_kickoff();
    let card = finishline_core::scorecard::r12_scorecard(&w.p, &w.log, w.now);
    let portfolio = finishline_core::scorecard::r12_portfolio(&[card]);
    assert_eq!((portfolio.projects, portfolio.live), (1, 0));
    assert_eq!(portfolio.median_days_to_go_live, None);
    assert_eq!(portfolio.share_live_on_plan, None);
}
