//! The customer's approval of the plan: who may give it, what it records, and how later changes
//! are shown as a difference that asks again only when the customer's dates or scope move.

mod common;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use finishline_core::approval::{
    approval_state, diff, ApprovalState, ChangeKind, PlanItem, PlanVersion,
};
use finishline_core::people::{Role, Side};
use finishline_core::plan::TaskLabel;
use finishline_core::scope::ScopeBucket;
use finishline_core::{apply, Activity, Command, Ctx, DomainError, Project};

use common::{create, date, handoff, t0};

struct World {
    p: Project,
    log: Vec<Activity>,
    now: DateTime<Utc>,
    owner: u32,
    customer_owner: u32,
    dm: u32,
    vendor_dm: u32,
}

impl World {
    /// A light-touch project with both sides' people, a finish line, scope and a launch date.
    fn new() -> Self {
        let (p, log) = create(
            "Dispatch pilot",
            "Haulers Ltd",
            handoff("Dispatch module, 5 seats", Vec::new()),
            finishline_core::playbook::light_touch(),
        );
        let owner = p.vendor_owner().map(|o| o.id).expect("owner");
        let mut w = World {
            p,
            log,
            now: t0(),
            owner,
            customer_owner: 0,
            dm: 0,
            vendor_dm: 0,
        };
        w.customer_owner = w.add("Casey", Side::Customer, Role::CustomerOwner);
        w.dm = w.add("Dee", Side::Customer, Role::DecisionMaker);
        w.vendor_dm = w.add("Vic", Side::Vendor, Role::DecisionMaker);
        w.vendor(Command::SetFinishLine {
            text: "Dispatchers log incoming loads every morning and confirm status by noon, every day for two weeks.".into(),
        });
        w.vendor(Command::AddScopeItem {
            text: "Dispatch board for two depots".into(),
            bucket: ScopeBucket::In,
        });
        w.vendor(Command::AddScopeItem {
            text: "Custom roles".into(),
            bucket: ScopeBucket::Out,
        });
        w.vendor(Command::SetLaunchDate {
            date: date(2026, 4, 1),
            reason: String::new(),
        });
        w
    }

    fn add(&mut self, name: &str, side: Side, role: Role) -> u32 {
        self.vendor(Command::AddPerson {
            name: name.into(),
            email: format!("{}@{}.test", name.to_lowercase(), side.label()),
            side,
            role,
            user_id: None,
        });
        self.p.people.last().map(|p| p.id).expect("person")
    }

    fn later(&mut self, days: i64) -> &mut Self {
        self.now += Duration::days(days);
        self
    }

    /// The vendor owner acting, as the workspace does.
    fn try_vendor(&mut self, c: Command) -> Result<(), DomainError> {
        let ctx = vendor_ctx(self.now, Some(self.owner));
        let acts = apply(&mut self.p, c, &ctx)?;
        self.log.extend(acts);
        Ok(())
    }

    fn vendor(&mut self, c: Command) {
        let name = c.name();
        self.try_vendor(c)
            .unwrap_or_else(|e| panic!("{name} refused: {e}"));
    }

    /// A customer person acting, as the portal does.
    fn customer(&mut self, person: u32, c: Command) -> Result<(), DomainError> {
        let name = self.p.person_name(person);
        let ctx = Ctx {
            actor: format!("{name} (customer)"),
            person: Some(person),
            side: Side::Customer,
            now: self.now,
        };
        let acts = apply(&mut self.p, c, &ctx)?;
        self.log.extend(acts);
        Ok(())
    }

    fn approve(&mut self) -> Result<(), DomainError> {
        self.customer(self.dm, approve())
    }

    fn task(&self, key: &str) -> u32 {
        self.p
            .tasks
            .iter()
            .find(|t| t.step_key.as_deref() == Some(key))
            .map(|t| t.id)
            .expect("task")
    }

    fn due(&self, id: u32) -> NaiveDate {
        self.p.task(id).map(|t| t.due).expect("task")
    }

    fn rebaseline(&mut self, id: u32, days: i64) {
        let due = self.due(id) + Duration::days(days);
        self.vendor(Command::RebaselineTask {
            task: id,
            due,
            reason: "the customer's IT team is away that week".into(),
        });
    }
}

fn vendor_ctx(now: DateTime<Utc>, person: Option<u32>) -> Ctx {
    Ctx {
        actor: "Dana (vendor)".into(),
        person,
        side: Side::Vendor,
        now,
    }
}

fn approve() -> Command {
    Command::ApprovePlan { plan_version: None }
}

fn rule_message(e: &DomainError) -> String {
    match e {
        DomainError::Rule { rule, message } => {
            assert_eq!(rule.as_str(), "plan approval", "{e}");
            message.clone()
        }
        other => panic!("expected a plan approval refusal, got {other:?}"),
    }
}

#[test]
fn customer_decision_maker_approves_the_plan_and_the_activity_log_records_it() {
    let mut w = World::new();
    assert_eq!(approval_state(&w.p), ApprovalState::NotApproved);
    assert!(approval_state(&w.p).awaits_customer());

    w.later(1).approve().expect("the decision maker approves");

    assert_eq!(w.p.plan_approvals.len(), 1);
    let a = &w.p.plan_approvals[0];
    assert_eq!(
        (a.by, a.by_name.as_str(), a.at),
        (w.dm, "Dee", t0() + Duration::days(1))
    );
    assert_eq!(a.plan, PlanVersion::of(&w.p));
    assert_eq!(a.plan.tasks.len(), w.p.tasks.len());
    assert_eq!(a.plan.launch_date, Some(date(2026, 4, 1)));
    assert_eq!(a.plan.scope.len(), 2);
    assert!(a
        .plan
        .finish_line
        .as_deref()
        .is_some_and(|f| f.starts_with("Dispatchers")));
    let sample = a
        .plan
        .tasks
        .iter()
        .find(|t| t.id == w.task("sample-data"))
        .expect("task");
    assert!(sample.customer && sample.label == TaskLabel::CustomerTask);
    assert_eq!(sample.owner, Some(w.customer_owner));

    let act = w.log.last().expect("an activity");
    assert_eq!(act.kind, "plan.approved");
    assert_eq!(act.subject, "plan");
    assert_eq!(act.actor, "Dee (customer)");
    assert!(
        act.summary.contains("Plan approved by Dee"),
        "{}",
        act.summary
    );
    assert!(
        act.summary.contains("launch date 2026-04-01"),
        "{}",
        act.summary
    );
    assert!(
        matches!(approval_state(&w.p), ApprovalState::Approved { approval } if approval.by == w.dm)
    );
    assert!(!approval_state(&w.p).awaits_customer());
    // The customer acted.
    assert_eq!(w.p.last_customer_activity_at, Some(w.now));
}

#[test]
fn plan_approval_is_refused_to_the_vendor_even_its_decision_maker() {
    let mut w = World::new();
    let e = w
        .try_vendor(approve())
        .expect_err("the vendor cannot approve");
    assert!(
        rule_message(&e).contains("the vendor cannot approve on the customer's behalf"),
        "{e}"
    );
    // The vendor's decision maker, named, acting on the vendor side.
    let ctx = vendor_ctx(w.now, Some(w.vendor_dm));
    let e = apply(&mut w.p, approve(), &ctx).expect_err("refused");
    assert!(
        rule_message(&e).contains("only the customer's decision maker"),
        "{e}"
    );
    assert!(w.p.plan_approvals.is_empty());
}

#[test]
fn plan_approval_is_refused_to_a_customer_who_is_not_the_decision_maker() {
    let mut w = World::new();
    let e = w
        .customer(w.customer_owner, approve())
        .expect_err("the customer owner cannot approve");
    let m = rule_message(&e);
    assert!(
        m.contains("Casey is the customer owner, not the decision maker"),
        "{m}"
    );
    // A customer context naming nobody of this project.
    let e = w.customer(999, approve()).expect_err("refused");
    assert!(
        rule_message(&e).contains("not a person of this project"),
        "{e}"
    );
    assert!(w.p.plan_approvals.is_empty());
    assert!(w.log.iter().all(|a| a.kind != "plan.approved"));
}

#[test]
fn approving_an_unchanged_plan_again_is_refused_with_who_approved_it() {
    let mut w = World::new();
    w.approve().expect("approved");
    let e = w.later(1).approve().expect_err("nothing changed");
    assert!(
        matches!(&e, DomainError::Invalid { field, .. } if field == "plan"),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .contains("already approved as it stands (Dee approved it on 2026-03-02)"),
        "{e}"
    );
    assert_eq!(w.p.plan_approvals.len(), 1);
}

#[test]
fn a_plan_changed_since_it_was_shown_is_not_approved_unseen() {
    let mut w = World::new();
    let shown = PlanVersion::of(&w.p).fingerprint();
    let sample = w.task("sample-data");
    w.rebaseline(sample, 3);
    let e = w
        .customer(
            w.dm,
            Command::ApprovePlan {
                plan_version: Some(shown),
            },
        )
        .expect_err("the plan moved meanwhile");
    assert!(
        matches!(&e, DomainError::Invalid { field, .. } if field == "plan_version"),
        "{e:?}"
    );
    let now = PlanVersion::of(&w.p).fingerprint();
    w.customer(
        w.dm,
        Command::ApprovePlan {
            plan_version: Some(now),
        },
    )
    .expect("the plan as shown");
    assert_eq!(w.p.plan_approvals.len(), 1);
}

#[test]
fn moving_a_customer_task_date_after_approval_asks_the_customer_again() {
    let mut w = World::new();
    w.approve().expect("approved");
    let sample = w.task("sample-data");
    let before = w.due(sample);
    w.later(2).rebaseline(sample, 7);

    let ApprovalState::ChangedSinceApproval {
        changes,
        needs_reapproval,
        ..
    } = approval_state(&w.p)
    else {
        panic!("the plan changed: {:?}", approval_state(&w.p));
    };
    assert!(needs_reapproval);
    assert_eq!(changes.len(), 1, "{changes:?}");
    let c = &changes[0];
    assert_eq!(
        (c.item, c.kind),
        (PlanItem::Task(sample), ChangeKind::DueMoved)
    );
    assert_eq!(c.before.as_deref(), Some(before.to_string().as_str()));
    assert_eq!(
        c.after.as_deref(),
        Some((before + Duration::days(7)).to_string().as_str())
    );
    assert!(c.customer && c.needs_reapproval);
    assert_eq!(
        c.describe(),
        format!(
            "Send a real sample of the data: due date moved, {before} → {}",
            before + Duration::days(7)
        )
    );
    assert!(approval_state(&w.p).awaits_customer());
}

#[test]
fn moving_a_vendor_only_date_shows_the_change_without_asking_again() {
    let mut w = World::new();
    w.approve().expect("approved");
    let setup = w.task("setup");
    w.rebaseline(setup, 2);

    let ApprovalState::ChangedSinceApproval {
        changes,
        needs_reapproval,
        ..
    } = approval_state(&w.p)
    else {
        panic!("the plan changed");
    };
    assert!(!needs_reapproval, "{changes:?}");
    assert_eq!(changes.len(), 1);
    assert_eq!(
        (changes[0].item, changes[0].kind),
        (PlanItem::Task(setup), ChangeKind::DueMoved)
    );
    assert!(!changes[0].customer && !changes[0].needs_reapproval);
    assert!(!approval_state(&w.p).awaits_customer());
}

#[test]
fn the_launch_date_scope_and_finish_line_ask_again() {
    let mut w = World::new();
    w.approve().expect("approved");
    let roles = w.p.scope[1].id;
    w.vendor(Command::SetLaunchDate {
        date: date(2026, 4, 8),
        reason: "SSO needs a week more".into(),
    });
    w.vendor(Command::MoveScopeItem {
        item: roles,
        bucket: ScopeBucket::Later,
    });
    w.vendor(Command::AddScopeItem {
        text: "Driver mobile app".into(),
        bucket: ScopeBucket::Later,
    });
    w.vendor(Command::SetFinishLine {
        text: "Dispatchers log every incoming load by 9am and confirm status by noon, every day for two weeks.".into(),
    });
    let changes = diff(&w.p, &w.p.plan_approvals[0]);
    let kinds: Vec<ChangeKind> = changes.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [
            ChangeKind::ScopeMoved,
            ChangeKind::ScopeAdded,
            ChangeKind::FinishLineChanged,
            ChangeKind::LaunchDateMoved
        ]
    );
    assert!(changes.iter().all(|c| c.needs_reapproval), "{changes:?}");
    assert_eq!(
        changes[0].describe(),
        "Custom roles: scope moved, not included → later"
    );
    assert_eq!(
        changes[1].describe(),
        "Driver mobile app: scope added: later"
    );
    assert_eq!(
        changes[3].describe(),
        "Launch date: launch date moved, 2026-04-01 → 2026-04-08"
    );
}

#[test]
fn new_tasks_and_owner_changes_ask_again_only_when_they_land_on_the_customer() {
    let mut w = World::new();
    w.approve().expect("approved");
    let mate = w.add("Tess", Side::Vendor, Role::VendorTeammate);
    let backup = w.add("Bo", Side::Customer, Role::BackupContact);
    let setup = w.task("setup");
    // A vendor task moving between vendor people: shown, not asked again.
    w.vendor(Command::AssignTask {
        task: setup,
        owner: mate,
    });
    // A new vendor task: shown, not asked again.
    // Built from JSON, as the API does, so fields added to the command later keep their defaults.
    let add: Command = serde_json::from_value(serde_json::json!({
        "action": "add_task", "title": "Prepare the depot routing tables",
        "phase": "Week 2: set up with real data", "label": "vendor_task",
        "owner": w.owner, "due": "2026-03-12"
    }))
    .expect("an add_task command");
    w.vendor(add);
    let state = approval_state(&w.p);
    assert!(!state.awaits_customer(), "{state:?}");
    // A shared task handed to the customer's side becomes theirs: asked again.
    let import = w.task("import");
    w.vendor(Command::AssignTask {
        task: import,
        owner: backup,
    });
    let ApprovalState::ChangedSinceApproval {
        changes,
        needs_reapproval,
        ..
    } = approval_state(&w.p)
    else {
        panic!("changed");
    };
    assert!(needs_reapproval);
    let handed = changes
        .iter()
        .find(|c| c.item == PlanItem::Task(import))
        .expect("the import task's change");
    assert_eq!(handed.kind, ChangeKind::OwnerChanged);
    assert_eq!(
        (handed.before.as_deref(), handed.after.as_deref()),
        (Some("Dana"), Some("Bo"))
    );
    assert!(handed.needs_reapproval);
    let asked: Vec<_> = changes.iter().filter(|c| c.needs_reapproval).collect();
    assert_eq!(asked.len(), 1, "{changes:?}");
}

#[test]
fn approving_again_records_a_new_version_and_clears_the_difference() {
    let mut w = World::new();
    w.approve().expect("approved");
    let sample = w.task("sample-data");
    w.later(3).rebaseline(sample, 4);
    assert!(approval_state(&w.p).awaits_customer());

    w.later(1).approve().expect("approved again");

    assert_eq!(w.p.plan_approvals.len(), 2);
    assert_eq!(w.p.plan_approvals[1].at, w.now);
    assert!(matches!(
        approval_state(&w.p),
        ApprovalState::Approved { .. }
    ));
    let act = w.log.last().expect("activity");
    assert_eq!(act.kind, "plan.approved");
    assert!(
        act.summary.contains("approved again by Dee"),
        "{}",
        act.summary
    );
    assert!(
        act.summary
            .contains("Send a real sample of the data: due date moved"),
        "{}",
        act.summary
    );
    // The first approval keeps what was approved then.
    assert_ne!(w.p.plan_approvals[0].plan, w.p.plan_approvals[1].plan);
    assert_eq!(diff(&w.p, &w.p.plan_approvals[0]).len(), 1);
}

#[test]
fn a_project_stored_before_plan_approvals_existed_still_loads() {
    let w = World::new();
    let mut doc = serde_json::to_value(&w.p).expect("json");
    doc.as_object_mut()
        .expect("object")
        .remove("plan_approvals");
    let p: Project = serde_json::from_value(doc).expect("an old document loads");
    assert!(p.plan_approvals.is_empty());
    assert_eq!(approval_state(&p), ApprovalState::NotApproved);
}

#[test]
fn the_status_draft_lists_the_approval_and_a_pending_reapproval() {
    let mut w = World::new();
    w.approve().expect("approved");
    let draft = finishline_core::status_update::r10_status_draft(&w.p, &w.log, w.now);
    assert!(
        draft
            .approvals
            .iter()
            .any(|a| a.starts_with("Plan approved by Dee")),
        "{:?}",
        draft.approvals
    );
    assert!(
        draft.approvals.iter().all(|a| !a.starts_with("Waiting")),
        "{:?}",
        draft.approvals
    );
    let sample = w.task("sample-data");
    w.later(1).rebaseline(sample, 2);
    let draft = finishline_core::status_update::r10_status_draft(&w.p, &w.log, w.now);
    let waiting = draft
        .approvals
        .iter()
        .find(|a| {
            a.starts_with(
                "Waiting for the customer's decision maker to approve the plan again (1 change(s)",
            )
        })
        .unwrap_or_else(|| panic!("{:?}", draft.approvals));
    assert!(
        waiting.contains("Send a real sample of the data: due date moved"),
        "{waiting}"
    );
    // A vendor-only move asks nothing.
    w.approve().expect("approved again");
    let setup = w.task("setup");
    w.rebaseline(setup, 1);
    let draft = finishline_core::status_update::r10_status_draft(&w.p, &w.log, w.now);
    assert!(
        draft.approvals.iter().all(|a| !a.starts_with("Waiting")),
        "{:?}",
        draft.approvals
    );
}
