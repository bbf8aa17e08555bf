//! R7's intervals: when some task of the project waited on each side. `ball::r7_ball_in_court`
//! sums them; the process map needs them as spans, to split each stage visit by who had the ball.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::activity::Activity;
use crate::people::Side;

/// A half-open span of time `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Span {
    /// Seconds this span shares with `[from, to)`.
    pub fn overlap_seconds(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        let a = self.from.max(from);
        let b = self.to.min(to);
        (b - a).num_seconds().max(0)
    }
}

/// Disjoint, sorted spans during which at least one task waited on each side.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WaitingSpans {
    pub vendor: Vec<Span>,
    pub customer: Vec<Span>,
}

impl WaitingSpans {
    /// Seconds of `[from, to)` during which something waited on `side`.
    pub fn seconds_within(&self, side: Side, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        let spans = match side {
            Side::Vendor => &self.vendor,
            Side::Customer => &self.customer,
        };
        spans.iter().map(|s| s.overlap_seconds(from, to)).sum()
    }
}

/// The waiting spans of a log up to `now`, by the same rules as `ball::r7_ball_in_court`: a
/// `task.ball` activity hands a task's ball to a side (or to nobody), and a paused, cancelled or
/// complete project stops every clock until it resumes.
pub fn waiting_spans(activities: &[Activity], now: DateTime<Utc>) -> WaitingSpans {
    let mut sorted: Vec<&Activity> = activities.iter().collect();
    sorted.sort_by_key(|a| a.at);
    // Which side each task's ball is with; kept through a halt so the clocks resume with it.
    let mut ball: BTreeMap<u32, Side> = BTreeMap::new();
    let mut halted = false;
    let mut raw: Vec<(Side, Span)> = Vec::new();
    // The side each running clock started on, and since when.
    let mut running: BTreeMap<u32, (Side, DateTime<Utc>)> = BTreeMap::new();
    for a in sorted {
        if a.kind == "stage.changed" {
            let to = a
                .after
                .as_ref()
                .and_then(|v| v.get("stage"))
                .and_then(|s| s.as_str());
            let halts = matches!(to, Some("paused" | "cancelled" | "complete"));
            if halts && !halted {
                for (_, (side, since)) in std::mem::take(&mut running) {
                    raw.push((
                        side,
                        Span {
                            from: since,
                            to: a.at,
                        },
                    ));
                }
            } else if !halts && halted {
                for (&id, &side) in &ball {
                    running.insert(id, (side, a.at));
                }
            }
            halted = halts;
            continue;
        }
        if a.kind != "task.ball" {
            continue;
        }
        let Some(id) = a
            .subject
            .strip_prefix("task:")
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let side: Option<Side> = a
            .after
            .as_ref()
            .and_then(|v| v.get("side"))
            .and_then(|s| serde_json::from_value(s.clone()).ok());
        if let Some((was, since)) = running.remove(&id) {
            raw.push((
                was,
                Span {
                    from: since,
                    to: a.at,
                },
            ));
        }
        match side {
            Some(side) => {
                ball.insert(id, side);
                if !halted {
                    running.insert(id, (side, a.at));
                }
            }
            None => {
                ball.remove(&id);
            }
        }
    }
    for (_, (side, since)) in running {
        raw.push((
            side,
            Span {
                from: since,
                to: now.max(since),
            },
        ));
    }
    let of = |side: Side| {
        union(
            raw.iter()
                .filter(|(s, _)| *s == side)
                .map(|(_, sp)| *sp)
                .collect(),
        )
    };
    WaitingSpans {
        vendor: of(Side::Vendor),
        customer: of(Side::Customer),
    }
}

fn union(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.from <= last.to => last.to = last.to.max(s.to),
            _ => out.push(s),
        }
    }
    out
}
