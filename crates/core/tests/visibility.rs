//! Shared or internal: the playbook defaults, the commands that set a task's visibility, and what
//! a customer is shown of a project (`visibility::for_customer`).

mod common;

use finishline_core::handoff::{Handoff, Promise, PromiseClass, Segment};
use finishline_core::people::{Role, Side};
use finishline_core::plan::{Proof, TaskLabel, TaskStatus};
use finishline_core::visibility::{
    customer_file_ids, customer_may_download, for_customer, may_tell, Visibility, INTERNAL_WORK,
};
use finishline_core::{apply, Command, DomainError, Project};

use common::{create, dana, date, handoff, t0};

fn project() -> Project {
    let promise = Promise {
        id: 0,
        text: "Two-way CRM sync at launch".into(),
        class: PromiseClass::NeedsCustomWork,
        resolution: None,
    };
    let handoff = Handoff {
        expected_timeline: "60 days".into(),
        segment: Segment::MidMarket,
        ..handoff("Renewals desk, 40 seats", vec![promise])
    };
    create(
        "Renewals",
        "Harbor",
        handoff,
        finishline_core::playbook::standard(),
    )
    .0
}

fn run(p: &mut Project, c: Command) -> Result<Vec<finishline_core::Activity>, DomainError> {
    apply(p, c, &dana())
}

fn task_id(p: &Project, key: &str) -> u32 {
    p.tasks
        .iter()
        .find(|t| t.step_key.as_deref() == Some(key))
        .map(|t| t.id)
        .expect("task")
}

fn add_customer(p: &mut Project) -> u32 {
    run(
        p,
        Command::AddPerson {
            name: "Casey".into(),
            email: "casey@customer.test".into(),
            side: Side::Customer,
            role: Role::CustomerOwner,
            user_id: None,
        },
    )
    .expect("person");
    p.people.last().map(|x| x.id).expect("person")
}

#[test]
fn tasks_from_internal_playbook_steps_are_internal() {
    let p = project();
    let review = p.task(task_id(&p, "review-handoff")).expect("task");
    assert_eq!(review.visibility, Visibility::Internal);
    let provision = p.task(task_id(&p, "provision")).expect("task");
    assert_eq!(provision.visibility, Visibility::Shared);
}

#[test]
fn a_stored_project_without_visibility_loads_its_internal_steps_internal() {
    let p = project();
    let mut doc = serde_json::to_value(&p).expect("json");
    for t in doc["tasks"].as_array_mut().expect("tasks") {
        t.as_object_mut().expect("task").remove("visibility");
    }
    let old: Project = serde_json::from_value(doc).expect("old document loads");
    for t in &old.tasks {
        let want = match t.step_key.as_deref() {
            Some("review-handoff" | "internal-kickoff" | "transition") => Visibility::Internal,
            _ => Visibility::Shared,
        };
        assert_eq!(t.visibility, want, "{}", t.title);
    }
}

#[test]
fn set_task_visibility_is_recorded_in_the_activity_log() {
    let mut p = project();
    let task = task_id(&p, "provision");
    let acts = run(
        &mut p,
        Command::SetTaskVisibility {
            task,
            visibility: Visibility::Internal,
        },
    )
    .expect("set");
    assert_eq!(p.task(task).expect("task").visibility, Visibility::Internal);
    assert_eq!(acts.len(), 1);
    assert_eq!(acts[0].kind, "task.visibility");
    assert!(acts[0].summary.contains("internal"), "{}", acts[0].summary);
    // Setting it to what it is already records nothing.
    let again = run(
        &mut p,
        Command::SetTaskVisibility {
            task,
            visibility: Visibility::Internal,
        },
    )
    .expect("set");
    assert!(again.is_empty());
}

#[test]
fn a_customer_task_cannot_be_internal() {
    let mut p = project();
    let task = task_id(&p, "intake-outcome");
    let err = run(
        &mut p,
        Command::SetTaskVisibility {
            task,
            visibility: Visibility::Internal,
        },
    )
    .expect_err("refused");
    assert!(err.to_string().contains("customer task"), "{err}");
    let casey = add_customer(&mut p);
    let err = run(
        &mut p,
        Command::AddTask {
            title: "Check the export".into(),
            phase: "Build".into(),
            label: TaskLabel::SharedTask,
            owner: casey,
            due: date(2026, 4, 1),
            depends_on: vec![],
            needs_proof: true,
            visibility: Visibility::Internal,
        },
    )
    .expect_err("refused");
    assert!(err.to_string().contains("Casey"), "{err}");
}

#[test]
fn an_internal_task_cannot_be_given_to_a_customer_person() {
    let mut p = project();
    let casey = add_customer(&mut p);
    let task = task_id(&p, "internal-kickoff");
    let err = run(&mut p, Command::AssignTask { task, owner: casey }).expect_err("refused");
    assert!(err.to_string().contains("internal task"), "{err}");
}

#[test]
fn add_task_takes_a_visibility() {
    let mut p = project();
    let owner = p.vendor_owner().map(|o| o.id).expect("owner");
    let acts = run(
        &mut p,
        Command::AddTask {
            title: "Price the custom sync".into(),
            phase: "Build".into(),
            label: TaskLabel::VendorTask,
            owner,
            due: date(2026, 4, 1),
            depends_on: vec![],
            needs_proof: true,
            visibility: Visibility::Internal,
        },
    )
    .expect("added");
    let t = p.tasks.last().expect("task");
    assert_eq!(t.visibility, Visibility::Internal);
    assert!(acts[0].summary.contains("internal"), "{}", acts[0].summary);
}

#[test]
fn the_customer_view_hides_internal_tasks_notes_promises_and_risks() {
    let mut p = project();
    let owner = p.vendor_owner().map(|o| o.id).expect("owner");
    let review = task_id(&p, "review-handoff");
    run(
        &mut p,
        Command::CompleteTask {
            task: review,
            proof: Some(Proof::Note(
                "the CRM sync needs custom work nobody scoped".into(),
            )),
            completed_by: Some(owner),
        },
    )
    .expect("done");
    run(
        &mut p,
        Command::AddRisk {
            text: "Sales over-promised the sync".into(),
            owner: Some(owner),
        },
    )
    .expect("risk");
    let c = for_customer(&p);
    let text = serde_json::to_string(&c).expect("json");
    for secret in [
        "Review the sales handoff",
        "custom work nobody scoped",
        "Two-way CRM sync",
        "over-promised",
        "Internal kickoff",
        "review-handoff",
    ] {
        assert!(!text.contains(secret), "{secret} leaks");
    }
    let t = c.task(review).expect("task stays on the plan");
    assert_eq!(t.title, INTERNAL_WORK);
    assert!(t.is_done());
    assert_eq!(t.owner, Some(owner));
    // Shared tasks are untouched.
    let provision = task_id(&p, "provision");
    assert_eq!(c.task(provision), p.task(provision));
}

#[test]
fn a_proof_file_follows_its_task() {
    let mut p = project();
    let owner = p.vendor_owner().map(|o| o.id).expect("owner");
    let review = task_id(&p, "review-handoff");
    run(
        &mut p,
        Command::CompleteTask {
            task: review,
            proof: Some(Proof::File("file_internal".into())),
            completed_by: Some(owner),
        },
    )
    .expect("done");
    assert!(!customer_may_download(&p, "file_internal"));
    assert!(!customer_may_download(&p, "file_unknown"));
    let task = task_id(&p, "intake-access");
    p.tasks
        .iter_mut()
        .find(|t| t.id == task)
        .expect("task")
        .status = TaskStatus::Done {
        proof: Proof::File("file_shared".into()),
        by: owner,
        at: t0(),
    };
    assert!(customer_may_download(&p, "file_shared"));
    assert_eq!(customer_file_ids(&p).len(), 1);
}

#[test]
fn messages_about_internal_tasks_go_to_the_vendor_only() {
    let p = project();
    let review = p.task(task_id(&p, "review-handoff")).expect("task");
    assert!(may_tell(review, Side::Vendor));
    assert!(!may_tell(review, Side::Customer));
    let provision = p.task(task_id(&p, "provision")).expect("task");
    assert!(may_tell(provision, Side::Customer));
}

#[test]
fn a_task_made_internal_after_an_approval_leaves_the_approved_plan_the_customer_sees() {
    let mut p = project();
    let task = task_id(&p, "provision");
    let title = p.task(task).expect("task").title.clone();
    p.plan_approvals
        .push(finishline_core::approval::PlanApproval {
            by: 1,
            by_name: "Dee".into(),
            at: t0(),
            plan: finishline_core::approval::PlanVersion::of(&p),
        });
    assert!(p.plan_approvals[0].plan.tasks.iter().any(|t| t.id == task));
    run(
        &mut p,
        Command::SetTaskVisibility {
            task,
            visibility: Visibility::Internal,
        },
    )
    .expect("set");
    let seen = for_customer(&p);
    let json = serde_json::to_string(&seen).expect("json");
    assert!(
        !json.contains(&title),
        "{title:?} still reaches the customer"
    );
    assert!(seen.plan_approvals[0]
        .plan
        .tasks
        .iter()
        .all(|t| t.id != task));
}
