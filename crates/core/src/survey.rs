//! Customer ratings at milestones (issue 17): CSAT (1–5) and CES (1–7) asked of the customer's
//! people after kickoff, at go-live and at the value review.
//!
//! A playbook says which milestones ask which question ([`SurveyAsk`]); a project copies its
//! playbook's asks when it is created. A customer person rates a milestone once
//! ([`Command::RateMilestone`](crate::Command::RateMilestone)), from the portal or a signed link
//! in an email; the rating cannot be changed afterwards. A low score ([`is_low`]) opens an
//! internal follow-up task for the vendor owner, due in [`FOLLOW_UP_DAYS`], and health shows it
//! until that task is done.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::command::{Ctx, Log};
use crate::error::DomainError;
use crate::lifecycle::Stage;
use crate::people::Side;
use crate::plan::{add_task, TaskLabel};
use crate::project::Project;
use crate::rule::Rule;
use crate::visibility::Visibility;

/// Days the vendor owner has to follow up a low score.
pub const FOLLOW_UP_DAYS: i64 = 2;
/// The phase a follow-up task is filed under.
pub const FOLLOW_UP_PHASE: &str = "Customer ratings";
/// Longest comment kept with a rating, in characters.
pub const MAX_COMMENT: usize = 2000;

/// A point of the rollout where the customer is asked how it went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    /// The project has left kickoff (discovery or later).
    AfterKickoff,
    /// The project went live (hypercare or later).
    GoLive,
    /// The first business review (value review or later).
    ValueReview,
}

impl Milestone {
    pub const ALL: [Milestone; 3] = [
        Milestone::AfterKickoff,
        Milestone::GoLive,
        Milestone::ValueReview,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Milestone::AfterKickoff => "after kickoff",
            Milestone::GoLive => "at go-live",
            Milestone::ValueReview => "at the value review",
        }
    }

    /// The stable snake_case name used in JSON, links and query strings.
    pub fn key(self) -> &'static str {
        match self {
            Milestone::AfterKickoff => "after_kickoff",
            Milestone::GoLive => "go_live",
            Milestone::ValueReview => "value_review",
        }
    }

    pub fn parse(s: &str) -> Option<Milestone> {
        Milestone::ALL.into_iter().find(|m| m.key() == s)
    }

    /// The first stage at which the milestone counts as reached.
    pub fn stage(self) -> Stage {
        match self {
            Milestone::AfterKickoff => Stage::Discovery,
            Milestone::GoLive => Stage::Hypercare,
            Milestone::ValueReview => Stage::ValueReview,
        }
    }

    /// Whether the project has reached the milestone: its stage (or, paused, the stage it was
    /// paused in) is the milestone's or later. A loop back (UAT rework, no-go) that returns to
    /// an earlier stage un-reaches it until the project comes back.
    pub fn reached(self, p: &Project) -> bool {
        let stage = match p.stage {
            Stage::Paused => p.paused_from.unwrap_or(Stage::Handoff),
            s => s,
        };
        match (stage.position(), self.stage().position()) {
            (Some(at), Some(needed)) => at >= needed,
            _ => false,
        }
    }
}

/// What is asked: satisfaction (CSAT, 1–5) or effort (CES, 1–7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Question {
    /// Customer satisfaction: 1 very dissatisfied … 5 very satisfied.
    Csat,
    /// Customer effort: 1 very difficult … 7 very easy.
    Ces,
}

impl Question {
    pub const ALL: [Question; 2] = [Question::Csat, Question::Ces];

    pub fn label(self) -> &'static str {
        match self {
            Question::Csat => "CSAT",
            Question::Ces => "CES",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Question::Csat => "csat",
            Question::Ces => "ces",
        }
    }

    pub fn parse(s: &str) -> Option<Question> {
        Question::ALL.into_iter().find(|q| q.key() == s)
    }

    /// The highest score (the lowest is 1).
    pub fn max(self) -> u8 {
        match self {
            Question::Csat => 5,
            Question::Ces => 7,
        }
    }

    /// The highest score that counts as low and opens a follow-up: 2 of 5, 3 of 7.
    pub fn low_up_to(self) -> u8 {
        match self {
            Question::Csat => 2,
            Question::Ces => 3,
        }
    }

    /// The question as the customer reads it, for a milestone.
    pub fn prompt(self, m: Milestone) -> String {
        match self {
            Question::Csat => format!("How satisfied are you with the rollout {}?", m.label()),
            Question::Ces => format!("How easy was it for your team to get here ({})?", m.label()),
        }
    }

    /// What the two ends of the scale mean.
    pub fn ends(self) -> (&'static str, &'static str) {
        match self {
            Question::Csat => ("very dissatisfied", "very satisfied"),
            Question::Ces => ("very difficult", "very easy"),
        }
    }
}

/// One milestone a playbook (and a project made from it) asks about, and the question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyAsk {
    pub milestone: Milestone,
    pub question: Question,
}

/// The asks of a playbook or project that says nothing: satisfaction after kickoff, effort at
/// go-live, satisfaction at the value review.
pub fn default_asks() -> Vec<SurveyAsk> {
    vec![
        SurveyAsk {
            milestone: Milestone::AfterKickoff,
            question: Question::Csat,
        },
        SurveyAsk {
            milestone: Milestone::GoLive,
            question: Question::Ces,
        },
        SurveyAsk {
            milestone: Milestone::ValueReview,
            question: Question::Csat,
        },
    ]
}

/// Checks a playbook's asks: each milestone at most once.
pub fn check_asks(asks: &[SurveyAsk]) -> Result<(), DomainError> {
    for (i, a) in asks.iter().enumerate() {
        if asks[..i].iter().any(|b| b.milestone == a.milestone) {
            return Err(DomainError::invalid(
                format!("surveys[{i}].milestone"),
                format!(
                    "the milestone {} is asked twice: keep one question per milestone",
                    a.milestone.key()
                ),
            ));
        }
    }
    Ok(())
}

/// One customer person's rating of one milestone. Never changed once given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyResponse {
    pub id: u32,
    pub milestone: Milestone,
    pub question: Question,
    /// The customer person who rated.
    pub person: u32,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 7))]
    pub score: u8,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    pub at: DateTime<Utc>,
    /// The internal follow-up task a low score opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<u32>,
}

impl SurveyResponse {
    pub fn is_low(&self) -> bool {
        is_low(self.question, self.score)
    }

    /// A low score whose follow-up task is not done yet.
    pub fn unresolved(&self, p: &Project) -> bool {
        self.is_low()
            && self
                .follow_up
                .and_then(|t| p.task(t))
                .is_some_and(|t| !t.is_done())
    }
}

/// A score low enough to open a follow-up: CSAT 1–2 of 5, CES 1–3 of 7.
pub fn is_low(question: Question, score: u8) -> bool {
    score >= 1 && score <= question.low_up_to()
}

/// Only a customer person of the project rates, as themselves.
pub fn rating_by_a_customer_of_the_project(p: &Project, ctx: &Ctx) -> Result<u32, DomainError> {
    let who = ctx
        .person
        .and_then(|id| p.person(id))
        .filter(|x| x.side == Side::Customer && ctx.side == Side::Customer);
    who.map(|x| x.id).ok_or_else(|| {
        DomainError::rule(
            Rule::Ratings,
            "only a customer person of this project rates a milestone, for themselves (the portal or the link in their email)",
        )
    })
}

/// Only a milestone the project asks about, once the project has reached it.
pub fn rating_of_an_asked_milestone_reached(
    p: &Project,
    milestone: Milestone,
) -> Result<SurveyAsk, DomainError> {
    let ask = p
        .surveys
        .iter()
        .find(|a| a.milestone == milestone)
        .copied()
        .ok_or_else(|| {
            DomainError::invalid(
                "milestone",
                format!(
                    "this project does not ask for a rating {} (its playbook's ratings are {})",
                    milestone.label(),
                    asked_list(p)
                ),
            )
        })?;
    if !milestone.reached(p) {
        return Err(DomainError::wrong_stage(format!(
            "the rating {} is asked once the project reaches {}; it is at {}",
            milestone.label(),
            milestone.stage().label(),
            p.stage.label()
        )));
    }
    Ok(ask)
}

fn asked_list(p: &Project) -> String {
    if p.surveys.is_empty() {
        return "none".into();
    }
    p.surveys
        .iter()
        .map(|a| a.milestone.key())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The score is on the question's scale.
pub fn rating_score_in_range(question: Question, score: u8) -> Result<(), DomainError> {
    if score < 1 || score > question.max() {
        return Err(DomainError::invalid(
            "score",
            format!(
                "{} is scored 1 ({}) to {} ({}); {score} is outside it",
                question.label(),
                question.ends().0,
                question.max(),
                question.ends().1
            ),
        ));
    }
    Ok(())
}

/// Once per person per milestone: a rating given is never replaced.
pub fn rating_once_per_person(
    p: &Project,
    person: u32,
    milestone: Milestone,
) -> Result<(), DomainError> {
    if let Some(r) = response_of(p, person, milestone) {
        return Err(DomainError::rule(
            Rule::Ratings,
            format!(
                "{} already rated this project {} ({} of {} on {}); a rating is given once and cannot be changed",
                p.person_name(person),
                milestone.label(),
                r.score,
                r.question.max(),
                r.at.format("%-d %B %Y")
            ),
        ));
    }
    Ok(())
}

/// The person's rating of the milestone, if they gave one.
pub fn response_of(p: &Project, person: u32, milestone: Milestone) -> Option<&SurveyResponse> {
    p.survey_responses
        .iter()
        .find(|r| r.person == person && r.milestone == milestone)
}

/// The milestones this customer person may rate now: asked, reached, not yet rated by them.
pub fn pending_asks(p: &Project, person: u32) -> Vec<SurveyAsk> {
    if p.stage.is_closed() {
        return Vec::new();
    }
    p.surveys
        .iter()
        .filter(|a| a.milestone.reached(p) && response_of(p, person, a.milestone).is_none())
        .copied()
        .collect()
}

/// `RateMilestone`: records the rating; a low score opens the internal follow-up task.
pub(crate) fn rate_milestone(
    p: &mut Project,
    log: &mut Log,
    milestone: Milestone,
    score: u8,
    comment: String,
) -> Result<(), DomainError> {
    let person = rating_by_a_customer_of_the_project(p, log.ctx)?;
    let ask = rating_of_an_asked_milestone_reached(p, milestone)?;
    rating_score_in_range(ask.question, score)?;
    rating_once_per_person(p, person, milestone)?;
    let comment = comment.trim().to_string();
    if comment.chars().count() > MAX_COMMENT {
        return Err(DomainError::invalid(
            "comment",
            format!("must be at most {MAX_COMMENT} characters"),
        ));
    }
    let id = p.take_id();
    let name = p.person_name(person);
    let max = ask.question.max();
    log.push(
        "survey.rated",
        format!("survey_response:{id}"),
        format!(
            "{name} rated the project {} {score} of {max} ({})",
            milestone.label(),
            ask.question.label()
        ),
        None,
        Some(json!({
            "milestone": milestone, "question": ask.question, "score": score,
            "person": person, "comment": comment,
        })),
    );
    let follow_up = if is_low(ask.question, score) {
        open_follow_up(p, log, &name, ask, score)?
    } else {
        None
    };
    p.survey_responses.push(SurveyResponse {
        id,
        milestone,
        question: ask.question,
        person,
        score,
        comment,
        at: log.ctx.now,
        follow_up,
    });
    Ok(())
}

/// The vendor owner's internal task to follow up a low score, due in [`FOLLOW_UP_DAYS`]. With no
/// vendor owner (R1 not met yet) the first vendor person takes it; with nobody on the vendor
/// side, the rating is kept and health shows it.
fn open_follow_up(
    p: &mut Project,
    log: &mut Log,
    name: &str,
    ask: SurveyAsk,
    score: u8,
) -> Result<Option<u32>, DomainError> {
    let owner = p
        .vendor_owner()
        .or_else(|| p.people.iter().find(|x| x.side == Side::Vendor))
        .map(|x| x.id);
    let Some(owner) = owner else {
        return Ok(None);
    };
    let title = format!(
        "Follow up a low rating: {name} gave {score} of {} ({}) {}",
        ask.question.max(),
        ask.question.label(),
        ask.milestone.label()
    );
    let due = log.ctx.today() + Duration::days(FOLLOW_UP_DAYS);
    add_task(
        p,
        log,
        title,
        FOLLOW_UP_PHASE.into(),
        TaskLabel::VendorTask,
        owner,
        due,
        Vec::new(),
        true,
        Visibility::Internal,
    )?;
    Ok(p.tasks.last().map(|t| t.id))
}

/// The ids of the follow-up tasks of low ratings (the portal leaves them out whole).
pub fn follow_up_tasks(p: &Project) -> Vec<u32> {
    p.survey_responses
        .iter()
        .filter_map(|r| r.follow_up)
        .collect()
}

/// One rating as the results list it (the project's part of the analytics facts, the API).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rating {
    pub milestone: Milestone,
    pub question: Question,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 7))]
    pub score: u8,
    pub low: bool,
    /// A low score whose follow-up task is still open.
    pub unresolved: bool,
    /// The customer person's name.
    pub person: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_task: Option<u32>,
}

/// The project's ratings, oldest first.
pub fn ratings(p: &Project) -> Vec<Rating> {
    p.survey_responses
        .iter()
        .map(|r| Rating {
            milestone: r.milestone,
            question: r.question,
            score: r.score,
            low: r.is_low(),
            unresolved: r.unresolved(p),
            person: p.person_name(r.person),
            comment: r.comment.clone(),
            at: r.at,
            follow_up_task: r.follow_up,
        })
        .collect()
}

/// What health says about ratings: each low score not yet followed up.
pub fn unresolved_lows(p: &Project) -> Vec<String> {
    p.survey_responses
        .iter()
        .filter(|r| r.unresolved(p))
        .map(|r| {
            format!(
                "low customer rating not followed up: {} gave {} of {} ({}) {}",
                p.person_name(r.person),
                r.score,
                r.question.max(),
                r.question.label(),
                r.milestone.label()
            )
        })
        .collect()
}
