//! `/analytics/process`: the live process map — how the workspace's projects moved through the
//! lifecycle, where they looped back and where they wait now — drawn on the server as SVG from
//! `core::process::layout`, so it is the same drawing every time and needs no script.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use finishline_app::process::process_map;
use finishline_core::lifecycle::Stage;
use finishline_core::process::{layout, MapEdge, MapNode, ProcessMap};
use maud::{html, Markup};

use crate::state::AppState;
use crate::ui::analytics::FilterForm;
use crate::ui::form::html as html_response;
use crate::ui::layout::{self, Nav};
use crate::ui::session::Vendor;

/// Projects listed per stage under the map; the rest are counted.
const LISTED: usize = 8;

pub async fn page(
    State(state): State<AppState>,
    vendor: Vendor,
    query: Result<Query<FilterForm>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Query(text) = query.unwrap_or_default();
    let (filter, problem) = match text.parse() {
        Ok(f) => (f, None),
        // A bad filter is shown next to the form; the map is drawn unfiltered meanwhile.
        Err(e) => (
            Default::default(),
            Some(format!("{}: {}", e.field, e.message)),
        ),
    };
    let map = match process_map(&state.app, vendor.workspace(), &filter).await {
        Ok(m) => m,
        Err(e) => return layout::internal(&e.to_string()),
    };
    let body = html! {
        div class="page-head" {
            h1 { "Process map" }
            div class="head-actions small" {
                a href="/analytics" { "Analytics" }
                a href=(format!("/api/v1/analytics/process-map{}", query_string(&text))) { "As JSON" }
                @if vendor.is_admin() {
                    a href="/api/v1/export/ocel" download { "Export OCEL 2.0" }
                    a href="/api/v1/export/xes" download { "Export XES" }
                }
            }
        }
        p class="muted" {
            "How " (map.projects) " project" @if map.projects != 1 { "s" } " moved from handoff to complete, from their activity logs. "
            "Each box is a stage: how many projects passed through it, their median stay, "
            "and the share of that time some task waited on the customer (the orange bar). "
            "Arrows down are moves forward; red arcs on the right are loops back "
            "(UAT rework, no-go, realign with sales, adoption intervention). "
            "An arrow's label, such as 6× 2 h, is how many times projects made that move "
            "and their median stay before it."
        }
        (filter_form(&text, problem.as_deref()))
        @if map.projects == 0 {
            p { "No projects match. Hand a deal over to start one, or widen the filter." }
        } @else {
            div class="process-layout" {
                div { (drawing(&map)) }
                div {
                    (loops_table(&map))
                    (now_lists(&map))
                    (edges_table(&map))
                }
            }
        }
    };
    html_response(
        StatusCode::OK,
        layout::page(
            "Process map",
            Nav::Portfolio,
            &vendor.user.name,
            &vendor.csrf,
            body,
        ),
    )
}

fn query_string(t: &FilterForm) -> String {
    let pairs: Vec<(&str, &str)> = [
        ("from", &t.from),
        ("to", &t.to),
        ("segment", &t.segment),
        ("playbook", &t.playbook),
        ("owner", &t.owner),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k, v.as_str())).filter(|(_, v)| !v.is_empty()))
    .collect();
    match serde_urlencoded::to_string(&pairs) {
        Ok(q) if !q.is_empty() => format!("?{q}"),
        _ => String::new(),
    }
}

fn filter_form(t: &FilterForm, problem: Option<&str>) -> Markup {
    let v = |x: &String| x.clone();
    let segment = v(&t.segment);
    html! {
        form method="get" action="/analytics/process" class="process-filter" {
            @if let Some(p) = problem {
                p class="refusal-summary" role="alert" { "The filter was not applied: " (p) }
            }
            label { "Contract from " input type="date" name="from" value=(v(&t.from)); }
            label { "to " input type="date" name="to" value=(v(&t.to)); }
            label { "Segment "
                select name="segment" {
                    @for (key, label) in [("", "any"), ("smb", "SMB"), ("mid_market", "mid-market"), ("enterprise", "enterprise")] {
                        option value=(key) selected[segment == key] { (label) }
                    }
                }
            }
            button type="submit" class="secondary" { "Apply" }
        }
    }
}

fn days(d: Option<f64>) -> String {
    match d {
        None => "–".into(),
        Some(d) if d < 1.0 => format!("{:.0} h", d * 24.0),
        Some(d) => format!("{d:.1} d"),
    }
}

fn percent(share: Option<f64>) -> String {
    share
        .map(|s| format!("{:.0}%", s * 100.0))
        .unwrap_or_else(|| "–".into())
}

/// The SVG: boxes from the layout, each with its figures and a bar for the customer's share;
/// forward moves as lines or left bows, loops as right arcs in the loop colour.
fn drawing(map: &ProcessMap) -> Markup {
    let l = layout(map);
    let node_of = |s: Stage| map.node(s);
    let edge_of = |f: Stage, t: Stage| map.edge(f, t);
    html! {
        svg class="chart process" viewBox=(format!("0 0 {} {:.0}", l.width, l.height)) role="img"
            aria-labelledby="process-title" preserveAspectRatio="xMinYMin meet" {
            title id="process-title" { "The stages in lifecycle order, with moves forward on the left and loops back on the right" }
            defs {
                marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse" {
                    path class="arrow" d="M0 0 L8 4 L0 8 z" {}
                }
                marker id="arrow-loop" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse" {
                    path class="arrow-loop" d="M0 0 L8 4 L0 8 z" {}
                }
            }
            @for e in &l.edges {
                @let figures = edge_of(e.from, e.to);
                @let label = figures.map(edge_label).unwrap_or_default();
                @if e.back {
                    path class="edge loop" d=(e.path) marker-end="url(#arrow-loop)" {
                        title { (edge_title(figures, e.from, e.to)) }
                    }
                    text class="edge-label loop" x=(format!("{:.1}", e.label_x)) y=(format!("{:.1}", e.label_y)) { (label) }
                } @else {
                    path class="edge" d=(e.path) marker-end="url(#arrow)" {
                        title { (edge_title(figures, e.from, e.to)) }
                    }
                    text class="edge-label" x=(format!("{:.1}", e.label_x)) y=(format!("{:.1}", e.label_y)) { (label) }
                }
            }
            @for b in &l.nodes {
                @if let Some(n) = node_of(b.stage) {
                    @let quiet = n.projects_passed == 0;
                    g class=(if quiet { "stage quiet" } else { "stage" }) {
                        rect x=(b.x) y=(b.y) width=(b.w) height=(b.h) rx="6" {
                            title { (node_title(n)) }
                        }
                        text class="stage-name" x=(b.x + 8.0) y=(b.y + 18.0) { (n.label) }
                        @if n.in_stage_now > 0 {
                            text class="stage-now" x=(b.x + b.w - 8.0) y=(b.y + 18.0) text-anchor="end" {
                                (n.in_stage_now) @if n.stage.is_closed() { " ended here" } @else { " here now" }
                            }
                        }
                        text class="stage-figures" x=(b.x + 8.0) y=(b.y + 34.0) {
                            (n.projects_passed) " passed · median stay " (days(n.median_days))
                        }
                        text class="stage-figures" x=(b.x + 8.0) y=(b.y + 48.0) {
                            (percent(n.customer_wait_share)) " of it waiting on the customer"
                        }
                        // The customer's share as a bar along the bottom of the box.
                        @let share = n.customer_wait_share.unwrap_or(0.0).clamp(0.0, 1.0);
                        rect class="share-track" x=(b.x + 8.0) y=(b.y + b.h - 7.0) width=(b.w - 16.0) height="4" {}
                        rect class="share-customer" x=(b.x + 8.0) y=(b.y + b.h - 7.0) width=(format!("{:.1}", (b.w - 16.0) * share)) height="4" {}
                    }
                }
            }
        }
    }
}

fn edge_label(e: &MapEdge) -> String {
    format!("{}× {}", e.count, days(e.median_days))
}

fn edge_title(e: Option<&MapEdge>, from: Stage, to: Stage) -> String {
    let Some(e) = e else {
        return format!("{} → {}", from.label(), to.label());
    };
    let kind = e
        .loop_kind
        .map(|k| format!(" ({})", k.label()))
        .unwrap_or_default();
    format!(
        "{} → {}{kind}: {} time(s), median {} in {} before moving",
        from.label(),
        to.label(),
        e.count,
        days(e.median_days),
        from.label()
    )
}

fn node_title(n: &MapNode) -> String {
    format!(
        "{}: {} project(s) passed, {} stay(s), median {}, {} of the time waiting on the customer, {} on the vendor",
        n.label,
        n.projects_passed,
        n.visits,
        days(n.median_days),
        percent(n.customer_wait_share),
        percent(n.vendor_wait_share)
    )
}

/// The loops, named: what a head of implementation asks first.
fn loops_table(map: &ProcessMap) -> Markup {
    let loops: Vec<&MapEdge> = map.edges.iter().filter(|e| e.back).collect();
    html! {
        h2 { "Loops back" }
        @if loops.is_empty() {
            p class="muted" { "No project has looped back yet." }
        } @else {
            div class="table-wrap" {
                table {
                    thead { tr { th { "Loop" } th { "From" } th { "Back to" } th { "Times" } th { "Median stay before" } } }
                    tbody {
                        @for e in loops {
                            tr {
                                td data-label="Loop" { (e.loop_kind.map(|k| k.label()).unwrap_or("back without a recorded loop")) }
                                td data-label="From" { (e.from.label()) }
                                td data-label="Back to" { (e.to.label()) }
                                td data-label="Times" { (e.count) }
                                td data-label="Median stay before" { (days(e.median_days)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn now_lists(map: &ProcessMap) -> Markup {
    html! {
        h2 { "Where projects are now" }
        p class="muted small" { "Per open stage, the projects in it, longest there first." }
        div class="now" {
            @for n in map.nodes.iter().filter(|n| !n.now.is_empty() && !n.stage.is_closed()) {
                div {
                    h3 { (n.label) " (" (n.now.len()) ")" }
                    ul {
                        @for p in n.now.iter().take(LISTED) {
                            li {
                                a href=(format!("/projects/{}", p.project_id)) { (p.name) }
                                @if !p.name.contains(&p.customer) { " (" (p.customer) ")" }
                                ": " (days(Some(p.days_here))) " here"
                                @if p.customer_wait_days >= 0.05 {
                                    ", " (days(Some(p.customer_wait_days))) " waiting on the customer"
                                }
                            }
                        }
                    }
                    @if n.now.len() > LISTED {
                        p class="muted small" { "and " (n.now.len() - LISTED) " more" }
                    }
                }
            }
        }
    }
}

fn edges_table(map: &ProcessMap) -> Markup {
    html! {
        details {
            summary { "Every move between stages (" (map.edges.len()) ")" }
            div class="table-wrap" {
                table {
                    thead { tr { th { "From" } th { "To" } th { "Times" } th { "Median stay before" } } }
                    tbody {
                        @for e in &map.edges {
                            tr {
                                td data-label="From" { (e.from.label()) }
                                td data-label="To" { (e.to.label()) @if e.back { " (back)" } }
                                td data-label="Times" { (e.count) }
                                td data-label="Median stay before" { (days(e.median_days)) }
                            }
                        }
                    }
                }
            }
        }
    }
}
