//! Where the process map's boxes and arrows go. Pure geometry, the same for the same map, so the
//! page is deterministic and testable: the stages top to bottom in lifecycle order (a column
//! reads at 375 px, where fifteen stages side by side would not), forward moves on the left,
//! loops back as arcs on the right, widest for the longest loop. Paused and cancelled sit below
//! complete; moves into and out of them are listed with the map's edges, not drawn, because they
//! come from every stage and would cross the whole drawing.

use crate::lifecycle::Stage;

use super::map::ProcessMap;

/// Drawing width in user units; the page scales it.
const WIDTH: f64 = 360.0;
const NODE_X: f64 = 26.0;
const NODE_W: f64 = 236.0;
const NODE_H: f64 = 60.0;
const PITCH: f64 = 84.0;
const TOP: f64 = 8.0;

/// A stage's box.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeBox {
    pub stage: Stage,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// How an edge is drawn: its SVG path data and where its label goes.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeShape {
    pub from: Stage,
    pub to: Stage,
    pub path: String,
    pub label_x: f64,
    pub label_y: f64,
    /// Drawn as a loop back (an arc on the right).
    pub back: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub nodes: Vec<NodeBox>,
    pub edges: Vec<EdgeShape>,
}

/// Lays out `map`: one box per node in the map's order, one shape per edge between drawn stages.
pub fn layout(map: &ProcessMap) -> Layout {
    let nodes: Vec<NodeBox> = map
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| NodeBox {
            stage: n.stage,
            x: NODE_X,
            y: TOP + PITCH * i as f64,
            w: NODE_W,
            h: NODE_H,
        })
        .collect();
    let row = |s: Stage| nodes.iter().position(|n| n.stage == s);
    let mut edges = Vec::new();
    for e in &map.edges {
        // Paused and cancelled have no place in the lifecycle's order (see the module doc).
        let (Some(_), Some(_)) = (e.from.position(), e.to.position()) else {
            continue;
        };
        let (Some(f), Some(t)) = (row(e.from), row(e.to)) else {
            continue;
        };
        edges.push(shape(e.from, e.to, f, t));
    }
    let height = TOP + PITCH * nodes.len() as f64 - (PITCH - NODE_H) + 8.0;
    Layout {
        width: WIDTH,
        height,
        nodes,
        edges,
    }
}

fn shape(from: Stage, to: Stage, f: usize, t: usize) -> EdgeShape {
    let top_of = |i: usize| TOP + PITCH * i as f64;
    let mid_of = |i: usize| top_of(i) + NODE_H / 2.0;
    let right = NODE_X + NODE_W;
    if t == f + 1 {
        // The next stage: straight down, label beside the arrow.
        let x = NODE_X + 28.0;
        let (y1, y2) = (top_of(f) + NODE_H, top_of(t));
        return EdgeShape {
            from,
            to,
            path: format!("M{x:.1} {y1:.1} L{x:.1} {y2:.1}"),
            label_x: x + 6.0,
            label_y: (y1 + y2) / 2.0 + 4.0,
            back: false,
        };
    }
    let span = f.abs_diff(t) as f64;
    if t > f {
        // Forward past a stage: a bow on the left edge.
        let out = (NODE_X - 4.0).min(8.0 + 4.0 * span);
        let (y1, y2) = (mid_of(f), mid_of(t));
        return EdgeShape {
            from,
            to,
            path: format!(
                "M{NODE_X:.1} {y1:.1} C{:.1} {y1:.1} {:.1} {y2:.1} {NODE_X:.1} {y2:.1}",
                NODE_X - out,
                NODE_X - out
            ),
            label_x: 1.0,
            label_y: (y1 + y2) / 2.0,
            back: false,
        };
    }
    // A loop back: an arc out on the right, wider the further back it goes, so nested loops
    // do not overlap; it leaves below the middle of its box and arrives above the middle.
    // Room is left past the widest arc for its label ("12× 3.5 d").
    let out = (16.0 + 8.0 * span).min(WIDTH - right - 50.0);
    let (y1, y2) = (mid_of(f) + 8.0, mid_of(t) - 8.0);
    EdgeShape {
        from,
        to,
        path: format!(
            "M{right:.1} {y1:.1} C{:.1} {y1:.1} {:.1} {y2:.1} {right:.1} {y2:.1}",
            right + out * 1.33,
            right + out * 1.33
        ),
        label_x: right + out + 2.0,
        label_y: (y1 + y2) / 2.0,
        back: true,
    }
}
