//! The analytics page's tables, defined once: the page renders them as HTML and
//! `/analytics/{table}.csv` sends them as CSV, so what is downloaded is what is shown.

use finishline_core::analytics::stats::Dist;
use finishline_core::analytics::time_to_value::{GroupRow, Measures};
use finishline_core::analytics::Analytics;
use maud::{html, Markup};

/// One cell: its kind decides how it is written in HTML and in CSV.
pub enum Cell {
    Text(String),
    /// A day count; blank when there is nothing to measure.
    Days(Option<f64>),
    Count(i64),
    /// A share in [0, 1], shown as a percentage.
    Share(Option<f64>),
    /// Text linking to a page (in CSV, the text only).
    Link(String, String),
    /// Several lines of text (in CSV, joined by "; ").
    Lines(Vec<String>),
}

pub struct Table {
    pub slug: &'static str,
    pub caption: &'static str,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

/// Every table's slug, in the page's order.
pub const SLUGS: [&str; 13] = [
    "time-to-value",
    "cohorts",
    "segments",
    "playbooks",
    "owners",
    "slips",
    "reasons",
    "stages",
    "task-kinds",
    "loops",
    "forecast",
    "playbook-versions",
    "ratings",
];

pub fn table(a: &Analytics, slug: &str) -> Option<Table> {
    let t = &a.time_to_value;
    Some(match slug {
        "time-to-value" => time_to_value(a),
        "cohorts" => groups(
            "cohorts",
            "By month of contract (cohort)",
            "Contract month",
            &t.by_cohort,
        ),
        "segments" => {
            let mut t = groups("segments", "By segment", "Segment", &t.by_segment);
            for row in &mut t.rows {
                if let Some(Cell::Text(s)) = row.first_mut() {
                    *s = segment_label(s).to_string();
                }
            }
            t
        }
        "playbooks" => groups(
            "playbooks",
            "By playbook version",
            "Playbook version",
            &t.by_playbook,
        ),
        "owners" => groups("owners", "By owner", "Owner", &t.by_owner),
        "slips" => slips(a),
        "reasons" => reasons(a),
        "stages" => stages(a),
        "task-kinds" => task_kinds(a),
        "loops" => loops(a),
        "forecast" => forecast(a),
        "playbook-versions" => versions(a),
        "ratings" => ratings(a),
        _ => return None,
    })
}

/// The segment as people say it (the API and the filter keep the key).
fn segment_label(key: &str) -> &str {
    match key {
        "smb" => "SMB",
        "mid_market" => "mid-market",
        other => other,
    }
}

fn days(d: &Dist) -> [Cell; 2] {
    [Cell::Days(d.median), Cell::Days(d.p80)]
}

fn time_to_value(a: &Analytics) -> Table {
    let t = &a.time_to_value;
    let row = |label: &str, m: &Measures| {
        let mut r = vec![
            Cell::Text(label.to_string()),
            Cell::Count(m.total.count as i64),
        ];
        r.extend(days(&m.total));
        r.extend(days(&m.excluding_paused));
        r.extend(days(&m.excluding_customer_wait));
        r
    };
    Table {
        slug: "time-to-value",
        caption: "Days from the contract date",
        headers: vec![
            "From the contract to",
            "Projects",
            "Median",
            "80th percentile",
            "Median without days paused",
            "80th pct. without days paused",
            "Median without days waiting on the customer alone",
            "80th pct. without days waiting on the customer alone",
        ],
        rows: vec![
            row("go-live", &t.go_live),
            row("first criterion met", &t.first_value),
            row(
                "value confirmed (every criterion met or accepted)",
                &t.value_confirmed,
            ),
        ],
    }
}

fn groups(
    slug: &'static str,
    caption: &'static str,
    first: &'static str,
    rows: &[GroupRow],
) -> Table {
    Table {
        slug,
        caption,
        headers: vec![
            first,
            "Projects",
            "Live",
            "Go-live: median days",
            "Go-live: 80th percentile",
            "Go-live: median without paused",
            "Go-live: median without days waiting on the customer alone",
            "Value confirmed: projects",
            "Value confirmed: median days",
            "Value confirmed: 80th percentile",
        ],
        rows: rows
            .iter()
            .map(|g| {
                let mut r = vec![
                    Cell::Text(g.group.clone()),
                    Cell::Count(g.projects as i64),
                    Cell::Count(g.live as i64),
                ];
                r.extend(days(&g.go_live.total));
                r.push(Cell::Days(g.go_live.excluding_paused.median));
                r.push(Cell::Days(g.go_live.excluding_customer_wait.median));
                r.push(Cell::Count(g.value_confirmed.total.count as i64));
                r.extend(days(&g.value_confirmed.total));
                r
            })
            .collect(),
    }
}

fn slips(a: &Analytics) -> Table {
    Table {
        slug: "slips",
        caption: "Go-live against the first agreed launch date",
        headers: vec!["Go-live", "Projects"],
        rows: a
            .on_time
            .slip_buckets
            .iter()
            .map(|b| vec![Cell::Text(b.label.clone()), Cell::Count(b.count as i64)])
            .collect(),
    }
}

fn reasons(a: &Analytics) -> Table {
    Table {
        slug: "reasons",
        caption: "Reasons given when a date moved (R8)",
        headers: vec!["Reason", "Launch moves", "Task moves", "Days moved in all"],
        rows: a
            .on_time
            .reasons
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(r.reason.clone()),
                    Cell::Count(r.launch_moves as i64),
                    Cell::Count(r.task_moves as i64),
                    Cell::Count(r.days_moved),
                ]
            })
            .collect(),
    }
}

fn stages(a: &Analytics) -> Table {
    Table {
        slug: "stages",
        caption: "Days in each stage by who had the ball, all projects together",
        headers: vec![
            "Stage",
            "Projects",
            "Days per project",
            "Waiting on vendor only",
            "Waiting on customer only",
            "Waiting on both",
            "Nobody waited",
            "Days in all",
        ],
        rows: a
            .where_time_goes
            .stages
            .iter()
            .map(|s| {
                vec![
                    Cell::Text(s.label.clone()),
                    Cell::Count(s.projects as i64),
                    Cell::Days(Some(s.mean_days)),
                    Cell::Days(Some(s.vendor_days)),
                    Cell::Days(Some(s.customer_days)),
                    Cell::Days(Some(s.both_days)),
                    Cell::Days(Some(s.nobody_days)),
                    Cell::Days(Some(s.total_days)),
                ]
            })
            .collect(),
    }
}

fn task_kinds(a: &Analytics) -> Table {
    Table {
        slug: "task-kinds",
        caption: "Kinds of task by days waiting, most first",
        headers: vec![
            "Task",
            "Tasks",
            "Days waiting on the customer",
            "Days waiting on the vendor",
        ],
        rows: a
            .where_time_goes
            .task_kinds
            .iter()
            .map(|k| {
                vec![
                    Cell::Text(k.label.clone()),
                    Cell::Count(i64::from(k.tasks)),
                    Cell::Days(Some(k.customer_days)),
                    Cell::Days(Some(k.vendor_days)),
                ]
            })
            .collect(),
    }
}

fn loops(a: &Analytics) -> Table {
    Table {
        slug: "loops",
        caption: "Loops back and what they cost",
        headers: vec![
            "Loop",
            "Times taken",
            "Projects",
            "Share of projects",
            "Median days until back",
            "80th percentile",
            "Days in all",
            "Not back yet",
        ],
        rows: a
            .loops
            .iter()
            .map(|l| {
                let mut r = vec![
                    Cell::Text(l.label.clone()),
                    Cell::Count(l.count as i64),
                    Cell::Count(l.projects as i64),
                    Cell::Share(l.share_of_projects),
                ];
                r.extend(days(&l.cost_days));
                r.push(Cell::Days(Some(l.total_cost_days)));
                r.push(Cell::Count(l.still_open as i64));
                r
            })
            .collect(),
    }
}

fn forecast(a: &Analytics) -> Table {
    Table {
        slug: "forecast",
        caption: "Open projects projected late, latest first",
        headers: vec![
            "Project",
            "Customer",
            "Owner",
            "Stage",
            "Launch date",
            "Projected",
            "Days late",
            "Why",
        ],
        rows: a
            .forecast
            .projected_late
            .iter()
            .map(|p| {
                vec![
                    Cell::Link(p.name.clone(), format!("/projects/{}", p.id)),
                    Cell::Text(p.customer.clone()),
                    Cell::Text(p.owner.clone()),
                    Cell::Text(p.stage.label().to_string()),
                    Cell::Text(p.launch_date.to_string()),
                    Cell::Text(p.projected.to_string()),
                    Cell::Count(p.days_late),
                    Cell::Lines(p.reasons.clone()),
                ]
            })
            .collect(),
    }
}

fn versions(a: &Analytics) -> Table {
    Table {
        slug: "playbook-versions",
        caption: "Playbook versions side by side",
        headers: vec![
            "Playbook",
            "Version",
            "Projects",
            "Live",
            "Go-live: median days",
            "Value confirmed: median days",
            "On time",
            "UAT rework per project",
            "Realign with sales per project",
            "No-go per project",
            "Adoption intervention per project",
            "Re-baselines per project",
            "Median days waiting on the customer",
        ],
        rows: a
            .playbook_versions
            .iter()
            .map(|v| {
                let l = &v.loops_per_project;
                vec![
                    Cell::Text(v.name.clone()),
                    Cell::Text(format!("{}@{}", v.key, v.version)),
                    Cell::Count(v.projects as i64),
                    Cell::Count(v.live as i64),
                    Cell::Days(v.go_live_days.median),
                    Cell::Days(v.value_confirmed_days.median),
                    Cell::Share(v.share_on_time),
                    Cell::Days(Some(l.uat_rework)),
                    Cell::Days(Some(l.sales_realign)),
                    Cell::Days(Some(l.no_go)),
                    Cell::Days(Some(l.adoption_intervention)),
                    Cell::Days(Some(v.rebaselines_per_project)),
                    Cell::Days(v.customer_wait_days.median),
                ]
            })
            .collect(),
    }
}

/// Customer ratings (CSAT, CES) overall and per owner, playbook, segment and milestone.
fn ratings(a: &Analytics) -> Table {
    let r = &a.ratings;
    let parts = [
        ("all", &r.overall),
        ("owner", &r.by_owner),
        ("playbook", &r.by_playbook),
        ("segment", &r.by_segment),
        ("milestone", &r.by_milestone),
    ];
    let mut rows = Vec::new();
    for (by, groups) in parts {
        for g in groups {
            let group = match by {
                "segment" => segment_label(&g.group).to_string(),
                "milestone" => finishline_core::survey::Milestone::parse(&g.group)
                    .map_or_else(|| g.group.clone(), |m| m.label().to_string()),
                _ => g.group.clone(),
            };
            rows.push(vec![
                Cell::Text(by.to_string()),
                Cell::Text(group),
                Cell::Text(format!("{} 1–{}", g.question.label(), g.question.max())),
                Cell::Count(g.count as i64),
                Cell::Days(Some(g.average)),
                Cell::Count(g.lows as i64),
                Cell::Count(g.unresolved as i64),
            ]);
        }
    }
    Table {
        slug: "ratings",
        caption: "Customer ratings at milestones",
        headers: vec![
            "By",
            "Group",
            "Question",
            "Ratings",
            "Average",
            "Low scores",
            "Low, not followed up",
        ],
        rows,
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn percent(v: f64) -> String {
    format!("{:.0} %", v * 100.0)
}

/// The table as HTML, at most `limit` rows, each cell labelled for the narrow layout.
pub fn html(t: &Table, limit: usize, query: &str) -> Markup {
    let href = if query.is_empty() {
        format!("/analytics/{}.csv", t.slug)
    } else {
        format!("/analytics/{}.csv?{query}", t.slug)
    };
    html! {
        div class="table-wrap" {
            table class="analytics" {
                caption { (t.caption) }
                thead { tr { @for h in &t.headers { th scope="col" { (h) } } } }
                tbody {
                    @for row in t.rows.iter().take(limit) {
                        tr {
                            @for (h, c) in t.headers.iter().zip(row) {
                                td data-label=(h) class=[matches!(c, Cell::Days(_) | Cell::Count(_) | Cell::Share(_)).then_some("num")] {
                                    @match c {
                                        Cell::Text(s) => (s),
                                        Cell::Days(Some(v)) => (number(*v)),
                                        Cell::Days(None) | Cell::Share(None) => span class="muted" { "–" },
                                        Cell::Count(n) => (n),
                                        Cell::Share(Some(v)) => (percent(*v)),
                                        Cell::Link(text, to) => a href=(to) { (text) },
                                        Cell::Lines(lines) => ul class="reasons" { @for l in lines { li { (l) } } },
                                    }
                                }
                            }
                        }
                    }
                    @if t.rows.is_empty() {
                        tr { td colspan=(t.headers.len()) class="muted" { "Nothing to show for these projects." } }
                    }
                }
            }
        }
        p class="small" {
            @if t.rows.len() > limit { "The first " (limit) " of " (t.rows.len()) " rows. " }
            a href=(href) download { "Download this table as CSV" }
        }
    }
}

/// The table as CSV (RFC 4180). Text that a spreadsheet would run as a formula starts with an
/// apostrophe: reasons and names are typed by people.
pub fn csv(t: &Table) -> String {
    let mut out = String::new();
    let line = |cells: Vec<String>| cells.join(",") + "\r\n";
    out.push_str(&line(t.headers.iter().map(|h| quote(h)).collect()));
    for row in &t.rows {
        out.push_str(&line(
            row.iter()
                .map(|c| match c {
                    Cell::Text(s) | Cell::Link(s, _) => quote(&defuse(s)),
                    Cell::Lines(l) => quote(&defuse(&l.join("; "))),
                    Cell::Days(Some(v)) => number(*v),
                    Cell::Share(Some(v)) => format!("{:.3}", v),
                    Cell::Days(None) | Cell::Share(None) => String::new(),
                    Cell::Count(n) => n.to_string(),
                })
                .collect(),
        ));
    }
    out
}

fn defuse(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_what_people_typed() {
        let t = Table {
            slug: "reasons",
            caption: "",
            headers: vec!["Reason", "Days"],
            rows: vec![
                vec![
                    Cell::Text("=HYPERLINK(\"x\")".into()),
                    Cell::Days(Some(2.5)),
                ],
                vec![Cell::Text("late, again".into()), Cell::Days(None)],
            ],
        };
        assert_eq!(
            csv(&t),
            "Reason,Days\r\n\"'=HYPERLINK(\"\"x\"\")\",2.5\r\n\"late, again\",\r\n"
        );
    }
}
