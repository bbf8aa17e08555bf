//! The analytics page's charts: horizontal bars drawn as SVG on the server, 360 units wide with
//! each label above its bar, so they read at their natural size on a 375 px phone (the
//! stylesheet caps their width on a desktop). Colours come from classes (no inline style).

use maud::{html, Markup};

/// One part of a bar: its class (colour), its value and what it is, for the tooltip.
pub struct Part {
    pub class: &'static str,
    pub value: f64,
    pub what: &'static str,
}

/// One bar: its label, its parts stacked left to right, and the text after it.
pub struct Bar {
    pub label: String,
    pub parts: Vec<Part>,
    pub value: String,
}

/// Horizontal stacked bars with a key. `id` makes the title's id unique on the page.
pub fn bars(id: &str, title: &str, key: &[(&str, &str)], rows: &[Bar]) -> Markup {
    let width = 360.0;
    let left = 4.0;
    let bar_h = 14.0;
    let row_h = 38.0;
    // The key wraps to a second line past three entries.
    let key_rows = key.len().div_ceil(3) as f64;
    let top = 8.0 + 18.0 * key_rows;
    let height = top + row_h * rows.len() as f64 + 4.0;
    let max = rows
        .iter()
        .map(|r| r.parts.iter().map(|p| p.value.max(0.0)).sum::<f64>())
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    // Room on the right for the value.
    let scale = (width - left - 64.0) / max;
    let title_id = format!("chart-{id}");
    html! {
        svg class="chart bars" viewBox=(format!("0 0 {width} {height:.0}")) role="img"
            aria-labelledby=(title_id) preserveAspectRatio="xMinYMin meet" {
            title id=(title_id) { (title) }
            @for (i, (class, label)) in key.iter().enumerate() {
                @let kx = left + 118.0 * (i % 3) as f64;
                @let ky = 6.0 + 18.0 * (i / 3) as f64;
                rect class=(class) x=(kx) y=(ky) width="12" height="12" {}
                text x=(kx + 16.0) y=(ky + 10.0) class="value" { (label) }
            }
            @for (i, r) in rows.iter().enumerate() {
                @let y = top + row_h * i as f64;
                @let (placed, end) = place(&r.parts, left, scale);
                text x=(left) y=(y + 12.0) class="name" { (r.label) }
                @for (x, w, p) in &placed {
                    rect class=(p.class) x=(format!("{x:.1}")) y=(y + 17.0) width=(format!("{w:.1}")) height=(bar_h) {
                        title { (r.label) ": " (p.what) " " (format!("{:.1}", p.value)) }
                    }
                }
                @if placed.is_empty() {
                    rect class="chart-zero" x=(left) y=(y + 17.0) width="2" height=(bar_h) {}
                }
                text x=(format!("{:.1}", end.max(left + 2.0) + 4.0)) y=(y + 28.0) class="value" { (r.value) }
            }
        }
    }
}

/// Where each positive part starts and how wide it is, and where the bar ends.
fn place(parts: &[Part], left: f64, scale: f64) -> (Vec<(f64, f64, &Part)>, f64) {
    let mut x = left;
    let mut out = Vec::new();
    for p in parts.iter().filter(|p| p.value > 0.0) {
        let w = (p.value * scale).max(1.0);
        out.push((x, w, p));
        x += w;
    }
    (out, x)
}
