//! Customer ratings at milestones (issue 17) across projects: count, average and low scores per
//! question, overall and per vendor owner, playbook, segment and milestone. CSAT (1–5) and CES
//! (1–7) are on different scales, so they are never averaged together.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::survey::{Milestone, Question, Rating};

use super::facts::ProjectFacts;
use super::filter::segment_key;
use super::stats::round1;

/// One group's ratings of one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AnalyticsRatingRow))]
pub struct RatingRow {
    /// What the group is: an owner's name, a playbook's name, a segment's key, a milestone's
    /// key, or "all".
    pub group: String,
    pub question: Question,
    pub count: usize,
    /// The mean score, to one decimal.
    pub average: f64,
    /// Scores at the low end (CSAT 1–2, CES 1–3).
    pub lows: usize,
    /// Low scores whose follow-up task is still open.
    pub unresolved: usize,
}

/// The ratings of the projects that match the filter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AnalyticsRatings))]
pub struct Ratings {
    pub overall: Vec<RatingRow>,
    pub by_owner: Vec<RatingRow>,
    pub by_playbook: Vec<RatingRow>,
    pub by_segment: Vec<RatingRow>,
    pub by_milestone: Vec<RatingRow>,
}

#[derive(Default)]
struct Acc {
    count: usize,
    sum: u64,
    lows: usize,
    unresolved: usize,
}

fn rows(
    facts: &[&ProjectFacts],
    group: impl Fn(&ProjectFacts, &Rating) -> String,
) -> Vec<RatingRow> {
    let mut groups: BTreeMap<(String, Question), Acc> = BTreeMap::new();
    for f in facts {
        for r in &f.ratings {
            let acc = groups.entry((group(f, r), r.question)).or_default();
            acc.count += 1;
            acc.sum += u64::from(r.score);
            acc.lows += usize::from(r.low);
            acc.unresolved += usize::from(r.unresolved);
        }
    }
    groups
        .into_iter()
        .map(|((group, question), a)| RatingRow {
            group,
            question,
            count: a.count,
            average: round1(a.sum as f64 / a.count.max(1) as f64),
            lows: a.lows,
            unresolved: a.unresolved,
        })
        .collect()
}

pub fn ratings(facts: &[&ProjectFacts]) -> Ratings {
    let owner = |f: &ProjectFacts| {
        if f.owner.is_empty() {
            "(no owner)".to_string()
        } else {
            f.owner.clone()
        }
    };
    let mut by_milestone = rows(facts, |_, r| r.milestone.key().to_string());
    // Milestones in the order they happen, not alphabetically.
    by_milestone.sort_by_key(|row| (Milestone::parse(&row.group).map(|m| m as u8), row.question));
    Ratings {
        overall: rows(facts, |_, _| "all".to_string()),
        by_owner: rows(facts, |f, _| owner(f)),
        by_playbook: rows(facts, |f, _| f.playbook.name.clone()),
        by_segment: rows(facts, |f, _| segment_key(f.segment).to_string()),
        by_milestone,
    }
}
