//! Charts drawn on the server as SVG: days waiting on each side per project, and the plan as a
//! Gantt chart with baselines, blocked spans and dependencies. Colours come from classes in the
//! stylesheet (no inline style, so the CSP holds).

use chrono::NaiveDate;
use finishline_core::plan::TaskStatus;
use finishline_core::Project;
use maud::{html, Markup};

/// One bar pair of the waiting chart.
pub struct Waits {
    pub label: String,
    pub customer_days: f64,
    pub vendor_days: f64,
}

/// Horizontal bars: days waiting on the customer and on the vendor, per project.
///
/// Drawn narrow (each project's name above its two bars, not beside them) so that it stays
/// readable on a 375 px phone at its natural size; the stylesheet caps its width on a desktop.
/// A zero is drawn as a grey tick with "0", never as a bar in a side's colour.
pub fn waits_chart(rows: &[Waits]) -> Markup {
    let width = 360.0;
    let left = 4.0;
    let bar_h = 12.0;
    let row_h = 52.0;
    let top = 26.0;
    let height = top + row_h * rows.len() as f64 + 4.0;
    let max = rows
        .iter()
        .map(|r| r.customer_days.max(r.vendor_days))
        .fold(1.0_f64, f64::max);
    // Room on the right for the value's label.
    let scale = (width - left - 44.0) / max;
    let bar = |days: f64, y: f64, class: &str, who: &str, label: &str| {
        let zero = days < 0.05;
        let w = if zero { 2.0 } else { (days * scale).max(2.0) };
        html! {
            rect class=(if zero { "chart-zero" } else { class }) x=(left) y=(y) width=(format!("{w:.1}")) height=(bar_h) {
                title { (format!("{label}: {days:.1} days waiting on the {who}")) }
            }
            text x=(left + w + 4.0) y=(y + bar_h - 2.0) class="value" { (format!("{days:.1}")) }
        }
    };
    html! {
        svg class="chart waits" viewBox=(format!("0 0 {width} {height}")) role="img"
            aria-labelledby="waits-title" preserveAspectRatio="xMinYMin meet" {
            title id="waits-title" { "Days waiting on the customer and on the vendor, per project" }
            rect class="key-customer" x=(left) y="6" width="12" height="12" {}
            text x=(left + 16.0) y="16" class="value" { "on customer" }
            rect class="key-vendor" x=(left + 130.0) y="6" width="12" height="12" {}
            text x=(left + 146.0) y="16" class="value" { "on vendor" }
            @for (i, r) in rows.iter().enumerate() {
                @let y = top + row_h * i as f64;
                text x=(left) y=(y + 12.0) class="name" { (truncate(&r.label, 40)) }
                (bar(r.customer_days, y + 18.0, "bar-customer", "customer", &r.label))
                (bar(r.vendor_days, y + 18.0 + bar_h + 3.0, "bar-vendor", "vendor", &r.label))
            }
        }
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let t: String = s.chars().take(n - 1).collect();
        format!("{t}…")
    }
}

/// The key of the Gantt chart's colours and lines.
pub fn gantt_legend() -> Markup {
    let item = |class: &str, label: &str| {
        html! {
            span class="key" {
                svg width="14" height="10" aria-hidden="true" { rect class=(class) width="14" height="10" rx="2" {} }
                " " (label)
            }
        }
    };
    html! {
        p class="legend small muted" {
            (item("g-done", "done")) (item("g-customer", "customer task")) (item("g-vendor", "vendor or shared task"))
            (item("g-blocked", "blocked")) (item("g-late", "overdue")) (item("g-pending", "waiting on earlier tasks"))
            span class="key" { "dotted line: baseline · orange line: today · green dashes: launch date" }
        }
    }
}

/// The plan as a Gantt chart: a bar per task from its start (its dependencies' due, or the plan
/// start) to its due date; the baseline as a dotted line when it moved; blocked spans hatched;
/// today as a vertical line.
///
/// Compact for large plans: the bars of one colour, the baselines, the hatching and the
/// dependency lines are each one `path`, and only the titles are per-task elements. The exact
/// dates are in the plan table above it and on each task's page.
pub fn gantt(p: &Project, today: NaiveDate) -> Markup {
    use std::fmt::Write as _;
    if p.tasks.is_empty() {
        return html! { p class="muted" { "No tasks yet." } };
    }
    let start = p
        .tasks
        .iter()
        .map(|t| t.due.min(t.baseline_due))
        .min()
        .unwrap_or(p.start_date)
        .min(p.start_date);
    let end = p
        .tasks
        .iter()
        .map(|t| t.due.max(t.baseline_due))
        .max()
        .unwrap_or(today)
        .max(p.launch_date.unwrap_or(today))
        .max(today);
    let span = ((end - start).num_days() + 2).max(7) as f64;
    let label_w = 230.0;
    let width = 900.0;
    let row_h = 18.0;
    // Two header rows: the first and last dates, then "today" (so it never sits on a date).
    let top = 34.0;
    let height = top + row_h * p.tasks.len() as f64 + 6.0;
    let px = (width - label_w - 10.0) / span;
    let x = |d: NaiveDate| label_w + ((d - start).num_days() as f64) * px;
    let task_start = |t: &finishline_core::plan::Task| {
        t.depends_on
            .iter()
            .filter_map(|d| p.task(*d))
            .map(|d| d.due)
            .max()
            .unwrap_or(p.start_date)
            .min(t.due)
    };
    // One path per bar colour, in the legend's order; `write!` to a String cannot fail.
    let mut bars: [(&str, String); 6] = [
        ("g-done", String::new()),
        ("g-customer", String::new()),
        ("g-vendor", String::new()),
        ("g-blocked", String::new()),
        ("g-late", String::new()),
        ("g-pending", String::new()),
    ];
    let (mut hatch, mut baselines, mut deps) = (String::new(), String::new(), String::new());
    let row_of: std::collections::HashMap<u32, usize> =
        p.tasks.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    for (i, t) in p.tasks.iter().enumerate() {
        let y = top + row_h * i as f64;
        let bx = x(task_start(t));
        let bw = (x(t.due) - bx).max(px.max(4.0));
        let class = match &t.status {
            TaskStatus::Done { .. } => 0,
            TaskStatus::Blocked(_) => 3,
            _ if t.is_overdue(today) => 4,
            TaskStatus::Pending => 5,
            TaskStatus::Open => match t.label {
                finishline_core::plan::TaskLabel::CustomerTask => 1,
                _ => 2,
            },
        };
        let _ = write!(bars[class].1, "M{bx:.1} {}h{bw:.1}v11h-{bw:.1}z", y + 3.0);
        if let TaskStatus::Blocked(b) = &t.status {
            let bs = x(b.since.date_naive()).max(bx);
            let be = x(today.max(b.since.date_naive())) + px;
            let w = (be - bs).max(3.0);
            let _ = write!(hatch, "M{bs:.1} {}h{w:.1}v11h-{w:.1}z", y + 3.0);
        }
        if t.due != t.baseline_due {
            let _ = write!(baselines, "M{bx:.1} {}H{:.1}", y + 16.0, x(t.baseline_due));
        }
        for d in &t.depends_on {
            if let Some(&j) = row_of.get(d) {
                let dy = top + row_h * j as f64 + 8.0;
                let _ = write!(deps, "M{:.1} {dy}L{bx:.1} {}", x(p.tasks[j].due), y + 8.0);
            }
        }
    }
    html! {
        svg class="chart gantt" viewBox=(format!("0 0 {width} {height}")) role="img" aria-labelledby="gantt-title" {
            title id="gantt-title" { "Plan as a Gantt chart: bars to each due date, baselines, blocked tasks and today" }
            defs {
                pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)" {
                    rect width="3" height="6" class="hatch" {}
                }
            }
            text x=(label_w) y="12" class="small" { (start.format("%d %b").to_string()) }
            text x=(width - 10.0) y="12" text-anchor="end" class="small" { (end.format("%d %b").to_string()) }
            @let tx = x(today);
            // Anchored so the word stays inside the chart at either end of the time axis.
            @let anchor = if tx < label_w + 30.0 { "start" } else if tx > width - 40.0 { "end" } else { "middle" };
            line class="today" x1=(tx) x2=(tx) y1="30" y2=(height) {}
            text x=(tx) y="27" text-anchor=(anchor) class="small today-label" { "today " (today.format("%d %b").to_string()) }
            @if let Some(l) = p.launch_date {
                line class="launch" x1=(x(l)) x2=(x(l)) y1="30" y2=(height) {}
            }
            // The labels' x comes from the group, not from each of hundreds of labels.
            g class="label" text-anchor="end" transform=(format!("translate({} 0)", label_w - 6.0)) {
                @for (i, t) in p.tasks.iter().enumerate() {
                    text y=(top + row_h * i as f64 + 12.0) { (truncate(&t.title, 34)) }
                }
            }
            @for (class, d) in &bars {
                @if !d.is_empty() { path class=(class) d=(d) {} }
            }
            @if !hatch.is_empty() { path fill="url(#hatch)" d=(hatch) {} }
            @if !baselines.is_empty() { path class="baseline" d=(baselines) {} }
            @if !deps.is_empty() { path class="dep" d=(deps) {} }
        }
    }
}
