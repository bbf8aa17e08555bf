//! Time to value: contract to go-live, to the first criterion met (R12) and to value confirmed
//! (R11), each also without the days paused and without the days waiting on the customer alone
//! (a customer task waiting and no vendor task);
//! overall and by contract month, segment, playbook version and owner.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::facts::{Milestone, ProjectFacts};
use super::filter::segment_key;
use super::stats::Dist;

/// One milestone's day counts three ways.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AnalyticsMeasures))]
pub struct Measures {
    pub total: Dist,
    pub excluding_paused: Dist,
    pub excluding_customer_wait: Dist,
}

impl Measures {
    pub fn of<'a>(ms: impl Iterator<Item = &'a Milestone>) -> Measures {
        let ms: Vec<&Milestone> = ms.collect();
        Measures {
            total: Dist::of(ms.iter().map(|m| m.days as f64).collect()),
            excluding_paused: Dist::of(ms.iter().map(|m| m.excluding_paused()).collect()),
            excluding_customer_wait: Dist::of(
                ms.iter().map(|m| m.excluding_customer_wait()).collect(),
            ),
        }
    }
}

/// One group of projects (a cohort, a segment, a playbook version, an owner).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AnalyticsGroupRow))]
pub struct GroupRow {
    pub group: String,
    pub projects: usize,
    pub live: usize,
    pub go_live: Measures,
    pub value_confirmed: Measures,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AnalyticsTimeToValue))]
pub struct TimeToValue {
    /// Contract to go-live, over the projects that went live.
    pub go_live: Measures,
    /// Contract to the first success criterion measured as met (the scorecard's first value).
    pub first_value: Measures,
    /// Contract to the moment every success criterion was met or accepted (R11).
    pub value_confirmed: Measures,
    /// By month of the contract date (YYYY-MM), oldest first: the cohort trend.
    pub by_cohort: Vec<GroupRow>,
    pub by_segment: Vec<GroupRow>,
    /// By playbook version (key@version).
    pub by_playbook: Vec<GroupRow>,
    pub by_owner: Vec<GroupRow>,
}

pub fn time_to_value(facts: &[&ProjectFacts]) -> TimeToValue {
    TimeToValue {
        go_live: Measures::of(facts.iter().filter_map(|f| f.go_live.as_ref())),
        first_value: Measures::of(facts.iter().filter_map(|f| f.first_value.as_ref())),
        value_confirmed: Measures::of(facts.iter().filter_map(|f| f.value_confirmed.as_ref())),
        by_cohort: grouped(facts, |f| f.contract_date.format("%Y-%m").to_string()),
        by_segment: grouped(facts, |f| segment_key(f.segment).to_string()),
        by_playbook: grouped(facts, |f| {
            format!("{}@{}", f.playbook.key, f.playbook.version)
        }),
        by_owner: grouped(facts, |f| {
            if f.owner.is_empty() {
                "(no owner)".to_string()
            } else {
                f.owner.clone()
            }
        }),
    }
}

fn grouped(facts: &[&ProjectFacts], key: impl Fn(&ProjectFacts) -> String) -> Vec<GroupRow> {
    let mut groups: BTreeMap<String, Vec<&ProjectFacts>> = BTreeMap::new();
    for f in facts {
        groups.entry(key(f)).or_default().push(f);
    }
    groups
        .into_iter()
        .map(|(group, fs)| GroupRow {
            group,
            projects: fs.len(),
            live: fs.iter().filter(|f| f.is_live()).count(),
            go_live: Measures::of(fs.iter().filter_map(|f| f.go_live.as_ref())),
            value_confirmed: Measures::of(fs.iter().filter_map(|f| f.value_confirmed.as_ref())),
        })
        .collect()
}
