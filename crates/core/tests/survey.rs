//! Customer ratings at milestones (issue 17): who rates, which milestones, the scale, once per
//! person, and the follow-up a low score opens.

mod common;

use finishline_core::analytics::project_facts;
use finishline_core::analytics::ratings::ratings as rating_results;
use finishline_core::health::{health, HealthLevel};
use finishline_core::lifecycle::Stage;
use finishline_core::people::{Role, Side};
use finishline_core::plan::{Proof, TaskLabel};
use finishline_core::playbook::{light_touch, Playbook};
use finishline_core::survey::{
    default_asks, is_low, pending_asks, Milestone, Question, SurveyAsk, FOLLOW_UP_DAYS,
};
use finishline_core::visibility::{for_customer, Visibility};
use finishline_core::{Command, DomainError, Project, Rule};

use common::{live_by_override, refused, World};

fn rate(milestone: Milestone, score: u8, comment: &str) -> Command {
    Command::RateMilestone {
        milestone,
        score,
        comment: comment.into(),
    }
}

/// A project just past kickoff: (customer owner, decision maker).
fn after_kickoff() -> (World, u32, u32) {
    let mut w = World::new(vec![]);
    let (owner, dm, _) = w.ready_for_kickoff();
    for s in [Stage::Assign, Stage::Intake, Stage::Kickoff] {
        w.ok(Command::AdvanceStage { to: s });
    }
    w.ok(Command::SetLaunchDate {
        date: common::date(2026, 4, 1),
        reason: String::new(),
    })
    .ok(Command::SetNextMeeting {
        date: common::date(2026, 3, 9),
    })
    .ok(Command::AdvanceStage {
        to: Stage::Discovery,
    });
    (w, owner, dm)
}

#[test]
fn playbooks_and_projects_ask_the_defaults_unless_they_say_otherwise() {
    assert_eq!(
        default_asks(),
        [
            SurveyAsk {
                milestone: Milestone::AfterKickoff,
                question: Question::Csat
            },
            SurveyAsk {
                milestone: Milestone::GoLive,
                question: Question::Ces
            },
            SurveyAsk {
                milestone: Milestone::ValueReview,
                question: Question::Csat
            },
        ]
    );
    // A playbook stored before ratings existed asks the defaults.
    let mut doc = serde_json::to_value(light_touch()).expect("playbook");
    doc.as_object_mut().expect("object").remove("surveys");
    let old: Playbook = serde_json::from_value(doc).expect("old playbook loads");
    assert_eq!(old.surveys, default_asks());
    // A project copies its playbook's asks; an old document gets the defaults.
    let w = World::new(vec![]);
    assert_eq!(w.p.surveys, default_asks());
    let mut doc = serde_json::to_value(&w.p).expect("project");
    doc.as_object_mut().expect("object").remove("surveys");
    let old: Project = serde_json::from_value(doc).expect("old project loads");
    assert_eq!(old.surveys, default_asks());
}

#[test]
fn a_playbook_asks_each_milestone_at_most_once() {
    let mut pb = light_touch();
    pb.surveys.push(SurveyAsk {
        milestone: Milestone::GoLive,
        question: Question::Csat,
    });
    let err = pb.validate().expect_err("a milestone asked twice");
    assert!(err.to_string().contains("surveys[3].milestone"), "{err}");
    pb.surveys.clear();
    assert!(pb.validate().is_ok(), "a playbook may ask nothing");
}

#[test]
fn rating_by_a_customer_of_the_project_refuses_the_vendor_and_strangers() {
    let (mut w, owner, _) = after_kickoff();
    let err = refused!(
        w.run(rate(Milestone::AfterKickoff, 5, "")),
        "the vendor cannot rate for the customer"
    );
    assert!(matches!(
        err,
        DomainError::Rule {
            rule: Rule::Ratings,
            ..
        }
    ));
    let vendor_person = w.p.vendor_owner().map(|o| o.id).expect("owner");
    assert!(w
        .customer(vendor_person, rate(Milestone::AfterKickoff, 5, ""))
        .is_err());
    assert!(w
        .customer(999, rate(Milestone::AfterKickoff, 5, ""))
        .is_err());
    assert!(w.p.survey_responses.is_empty());
    w.customer(owner, rate(Milestone::AfterKickoff, 4, "Clear kickoff"))
        .expect("the customer owner rates");
    let r = &w.p.survey_responses[0];
    assert_eq!((r.person, r.score, r.question), (owner, 4, Question::Csat));
    assert_eq!(r.comment, "Clear kickoff");
    assert_eq!(r.follow_up, None);
    assert!(w.log.iter().any(|a| a.kind == "survey.rated"));
}

#[test]
fn rating_of_an_asked_milestone_reached_waits_for_the_milestone() {
    let mut w = World::new(vec![]);
    let (owner, _, _) = w.ready_for_kickoff();
    let err = refused!(
        w.customer(owner, rate(Milestone::AfterKickoff, 4, "")),
        "kickoff is not over yet"
    );
    assert!(matches!(err, DomainError::WrongStage { .. }));
    let (mut w, owner, _) = after_kickoff();
    assert!(w.customer(owner, rate(Milestone::GoLive, 4, "")).is_err());
    // A milestone the playbook does not ask about.
    w.p.surveys
        .retain(|a| a.milestone != Milestone::AfterKickoff);
    let err = refused!(
        w.customer(owner, rate(Milestone::AfterKickoff, 4, "")),
        "not asked"
    );
    assert!(
        matches!(&err, DomainError::Invalid { field, .. } if field == "milestone"),
        "{err:?}"
    );
}

#[test]
fn rating_score_in_range_follows_the_question() {
    let (mut w, owner, dm) = after_kickoff();
    for bad in [0, 6] {
        let err = w
            .customer(owner, rate(Milestone::AfterKickoff, bad, ""))
            .expect_err("CSAT is 1 to 5");
        assert!(
            matches!(&err, DomainError::Invalid { field, .. } if field == "score"),
            "{err:?}"
        );
    }
    refused!(
        w.customer(dm, rate(Milestone::AfterKickoff, 6, "")),
        "CSAT stops at 5"
    );
    // CES at go-live goes to 7.
    let mut live = World::new(vec![]);
    let (_, dm) = live_by_override(&mut live, "pilot");
    assert!(live.customer(dm, rate(Milestone::GoLive, 8, "")).is_err());
    live.customer(dm, rate(Milestone::GoLive, 7, ""))
        .expect("7 of 7");
    assert_eq!(live.p.survey_responses[0].question, Question::Ces);
}

#[test]
fn rating_once_per_person_refuses_a_second_rating() {
    let (mut w, owner, dm) = after_kickoff();
    w.customer(owner, rate(Milestone::AfterKickoff, 5, ""))
        .expect("first rating");
    let before = w.p.clone();
    let err = refused!(
        w.customer(owner, rate(Milestone::AfterKickoff, 1, "changed my mind")),
        "a rating is given once"
    );
    assert!(err.to_string().contains("cannot be changed"), "{err}");
    assert_eq!(w.p, before, "a refused rating changes nothing");
    // Someone else on the customer's side still may.
    w.customer(dm, rate(Milestone::AfterKickoff, 3, ""))
        .expect("another person rates");
    assert_eq!(w.p.survey_responses.len(), 2);
    assert!(pending_asks(&w.p, owner).is_empty());
}

#[test]
fn is_low_is_csat_1_to_2_and_ces_1_to_3() {
    assert!(is_low(Question::Csat, 1) && is_low(Question::Csat, 2));
    assert!(!is_low(Question::Csat, 3));
    assert!(is_low(Question::Ces, 3) && !is_low(Question::Ces, 4));
}

#[test]
fn a_low_score_opens_an_internal_follow_up_for_the_vendor_owner_and_shows_in_health() {
    let (mut w, owner, _) = after_kickoff();
    w.at(10);
    let tasks = w.p.tasks.len();
    w.customer(owner, rate(Milestone::AfterKickoff, 2, "Kickoff ran long"))
        .expect("a low rating");
    assert_eq!(w.p.tasks.len(), tasks + 1);
    let r = w.p.survey_responses[0].clone();
    let task =
        w.p.task(r.follow_up.expect("a follow-up"))
            .expect("task")
            .clone();
    assert_eq!(task.owner, w.p.vendor_owner().map(|o| o.id));
    assert_eq!(task.visibility, Visibility::Internal);
    assert_eq!(task.label, TaskLabel::VendorTask);
    assert_eq!(
        task.due,
        w.now.date_naive() + chrono::Duration::days(FOLLOW_UP_DAYS)
    );
    assert!(task.title.contains("2 of 5"), "{}", task.title);
    assert!(task.is_open(), "the follow-up can be worked on at once");
    let h = health(&w.p, w.now);
    assert!(h.level >= HealthLevel::AtRisk);
    assert!(
        h.reasons.iter().any(|x| x.contains("low customer rating")),
        "{:?}",
        h.reasons
    );
    // The customer never sees the follow-up, nor that there is one.
    let seen = for_customer(&w.p);
    assert!(seen.task(task.id).is_none());
    assert_eq!(seen.survey_responses[0].follow_up, None);
    assert_eq!(seen.survey_responses[0].score, 2, "they see their rating");
    // Done, it no longer shows in health.
    w.ok(Command::CompleteTask {
        task: task.id,
        proof: Some(Proof::Note("Called Casey, agreed shorter sessions".into())),
        completed_by: None,
    });
    assert!(!health(&w.p, w.now)
        .reasons
        .iter()
        .any(|x| x.contains("low customer rating")));
}

#[test]
fn pending_asks_are_the_reached_milestones_not_yet_rated() {
    let (mut w, owner, _) = after_kickoff();
    let pending = pending_asks(&w.p, owner);
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].milestone, Milestone::AfterKickoff);
    let bo =
        w.p.with_role(Role::BackupContact)
            .next()
            .map(|p| p.id)
            .expect("backup");
    w.customer(owner, rate(Milestone::AfterKickoff, 4, ""))
        .expect("rated");
    assert!(pending_asks(&w.p, owner).is_empty());
    assert_eq!(pending_asks(&w.p, bo).len(), 1);
    assert!(w.p.person(bo).is_some_and(|p| p.side == Side::Customer));
}

#[test]
fn ratings_are_counted_per_owner_playbook_segment_and_milestone() {
    let (mut w, owner, dm) = after_kickoff();
    w.customer(owner, rate(Milestone::AfterKickoff, 5, ""))
        .expect("rated");
    w.customer(dm, rate(Milestone::AfterKickoff, 2, ""))
        .expect("rated");
    let facts = project_facts(&w.p, &w.log, w.now);
    let r = rating_results(&[&facts]);
    assert_eq!(r.overall.len(), 1);
    let all = &r.overall[0];
    assert_eq!((all.count, all.lows, all.unresolved), (2, 1, 1));
    assert!((all.average - 3.5).abs() < 1e-9);
    assert_eq!(r.by_owner[0].group, "Dana");
    assert_eq!(r.by_playbook[0].group, "Light-touch 30 days");
    assert_eq!(r.by_segment[0].group, "smb");
    assert_eq!(r.by_milestone[0].group, "after_kickoff");
}
