//! The process as it happened: which stages each project went through, when, and who had the
//! ball meanwhile, and across many projects a directly-follows graph of the stages with its
//! loops — the live process map (issue 15). Everything is derived from the project document and
//! its activity log; a cache may keep a project's visits for its version and carry them forward
//! in time (`visits_at`), which gives what a replay would, so nothing can drift from the log.
//!
//! - `visits`: one project's stage visits from `project.created`, `stage.changed` and `loop.*`,
//!   and the same visits later, carried forward.
//! - `waiting`: the spans during which some task waited on each side (R7's intervals).
//! - `map`: many projects' visits folded into nodes and edges, one project at a time.
//! - `layout`: where the nodes and edges go in a drawing, the same every time.
//! - `actor`: which person of the project an activity's actor is.

mod actor;
mod layout;
mod map;
mod visits;
mod waiting;

pub use actor::person_of_actor;
pub use layout::{layout, EdgeShape, Layout, NodeBox};
pub use map::{InStage, MapEdge, MapNode, Passer, ProcessMap, ProcessMapBuilder};
pub use visits::{stage_visits, visits_at, StageVisit, WaitingNow};
pub use waiting::{waiting_spans, Span, WaitingSpans};

/// The median of `values` (the mean of the middle two for an even count); `None` when empty.
pub(crate) fn median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2] as f64
    } else {
        (values[n / 2 - 1] as f64 + values[n / 2] as f64) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5, 1, 3]), Some(3.0));
        assert_eq!(median(&mut [4, 1, 3, 2]), Some(2.5));
    }
}
