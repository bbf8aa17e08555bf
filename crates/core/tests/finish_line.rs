//! R2 the finish line and the success criteria; R11's acceptance of a criterion that was not met.
//!
//! Driven through the commands exactly as the server does; the harness is in `common`.

mod common;

use finishline_core::{Command, DomainError, Rule};

use common::*;

#[test]
fn r2_finish_line_vagueness_is_kept_with_the_finish_line() {
    let mut w = World::new(vec![]);
    w.ok(Command::SetFinishLine {
        text: "Streamline operations".into(),
    });
    let line = w.p.finish_line.clone().expect("finish line");
    assert!(!line.vague_reasons.is_empty());
    assert_eq!(
        line.vague_reasons,
        finishline_core::finish_line::r2_finish_line_vagueness("Streamline operations")
    );
}

#[test]
fn r11_accepted_by_the_decision_maker_not_the_owner() {
    use finishline_core::finish_line::r11_accepted_by_the_decision_maker as accepted;
    let mut w = World::new(vec![]);
    let (owner, dm, vdm) = w.ready_for_kickoff();
    assert!(accepted(&w.p, dm).is_ok());
    assert!(accepted(&w.p, owner).is_err());
    let err = accepted(&w.p, vdm).expect_err("the vendor's decision maker");
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
