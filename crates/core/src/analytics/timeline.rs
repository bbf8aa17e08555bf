//! The project's history as stretches of time: the stage it was in, and when a task waited on
//! each side (R7's spans, merged per side). Times are Unix seconds so overlaps are plain sums.

use chrono::{DateTime, Utc};

use crate::activity::Activity;
use crate::ball::BallSpan;
use crate::lifecycle::Stage;
use crate::people::Side;

/// `[from, to)` in Unix seconds.
pub type Span = (i64, i64);

/// One stay in one stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageStay {
    pub stage: Stage,
    pub from: i64,
    pub to: i64,
}

/// The stage an activity moved the project to, read from `stage.changed`.
pub fn stage_after(a: &Activity) -> Option<Stage> {
    stage_in(a.after.as_ref())
}

pub fn stage_before(a: &Activity) -> Option<Stage> {
    stage_in(a.before.as_ref())
}

fn stage_in(v: Option<&serde_json::Value>) -> Option<Stage> {
    v.and_then(|v| v.get("stage"))
        .and_then(|s| serde_json::from_value(s.clone()).ok())
}

/// Every stay from the first activity to `end` (or to the change that closed the project), in
/// order. `current` is the stage the document is in, used when the log never changed stage.
pub fn stage_stays(sorted: &[Activity], current: Stage, end: DateTime<Utc>) -> Vec<StageStay> {
    let Some(first) = sorted.first() else {
        return Vec::new();
    };
    let mut stage = sorted
        .iter()
        .find(|a| a.kind == "stage.changed")
        .and_then(stage_before)
        .unwrap_or(current);
    let mut since = first.at.timestamp();
    let mut stays = Vec::new();
    for a in sorted.iter().filter(|a| a.kind == "stage.changed") {
        let Some(to) = stage_after(a) else { continue };
        let at = a.at.timestamp();
        stays.push(StageStay {
            stage,
            from: since,
            to: at.max(since),
        });
        stage = to;
        since = at;
    }
    // A closed project's clock stops at the change that closed it.
    if !stage.is_closed() {
        stays.push(StageStay {
            stage,
            from: since,
            to: end.timestamp().max(since),
        });
    }
    stays
}

/// The spans of one side merged into sorted, disjoint spans.
pub fn union_of(spans: &[BallSpan], side: Side) -> Vec<Span> {
    let mut v: Vec<Span> = spans
        .iter()
        .filter(|s| s.side == side)
        .map(|s| (s.from.timestamp(), s.to.timestamp()))
        .filter(|(a, b)| b > a)
        .collect();
    v.sort_unstable();
    let mut out: Vec<Span> = Vec::with_capacity(v.len());
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// Where two sorted, disjoint lists of spans overlap.
pub fn intersection(a: &[Span], b: &[Span]) -> Vec<Span> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() && j < b.len() {
        let from = a[i].0.max(b[j].0);
        let to = a[i].1.min(b[j].1);
        if to > from {
            out.push((from, to));
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// Seconds of `spans` inside `[from, to)`.
pub fn overlap(spans: &[Span], from: i64, to: i64) -> i64 {
    spans
        .iter()
        .map(|&(a, b)| (b.min(to) - a.max(from)).max(0))
        .sum()
}

pub fn days(seconds: i64) -> f64 {
    seconds as f64 / 86_400.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intersection_keeps_only_the_common_time() {
        let a = [(0, 10), (20, 30)];
        let b = [(5, 25)];
        assert_eq!(intersection(&a, &b), vec![(5, 10), (20, 25)]);
        assert_eq!(overlap(&a, 8, 22), 4);
    }
}
