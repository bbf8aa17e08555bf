//! R1 one owner: people, roles and who owns what.
//!
//! Driven through the commands exactly as the server does; the harness is in `common`.

mod common;

use finishline_core::people::{Role, Side};
use finishline_core::{Command, DomainError, Rule};

use common::*;

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
fn r1_one_owner_passes_once_each_side_has_its_owner_and_a_decision_maker() {
    let mut w = World::new(vec![]);
    // No customer owner, no decision maker, and the customer's tasks have nobody to own them.
    let failing = finishline_core::people::r1_one_owner(&w.p);
    assert_eq!(failing.len(), 3, "{failing:?}");
    w.add("Casey", Side::Customer, Role::CustomerOwner);
    assert_eq!(finishline_core::people::r1_one_owner(&w.p).len(), 1);
    w.add("Dee", Side::Customer, Role::DecisionMaker);
    assert!(finishline_core::people::r1_one_owner(&w.p).is_empty());
}
