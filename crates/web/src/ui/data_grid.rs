//! The grid of flagged rows (`…/data/{map}/rows`): every flagged row of the latest check,
//! paged by the server, filtered by rule, column, kind and text, sorted; each flagged cell
//! editable in place; one decision over ticked rows or over everything the filter shows (set a
//! value, take suggestions, transform, exclude, accept as is); duplicates as groups side by
//! side with merge or keep all. The counter of decided items and Submit stay in view.
//!
//! The page is bounded whatever the file: one page of rows (or of duplicate groups) at a time.

use finishline_app::flagged::{self, Filter, Flagged, Hit, Sort};
use finishline_app::imports::StoredReport;
use finishline_app::roundtrip::Comparison;
use finishline_core::intake::DataMapRef;
use finishline_core::Project;
use finishline_data::{Issue, Preview, Severity};
use maud::{html, Markup};

use crate::ui::data::{rule_label, Target};
use crate::ui::form::FormState;
use crate::ui::layout;

/// Rows of the grid per page.
pub const PAGE_ROWS: usize = 50;
/// Duplicate groups per page.
pub const PAGE_GROUPS: usize = 20;

/// What the grid page shows.
pub struct Grid<'a> {
    pub project: &'a Project,
    pub map: &'a DataMapRef,
    pub report: &'a StoredReport,
    pub flagged: &'a Flagged,
    pub filter: &'a Filter,
    /// 1-based.
    pub page: usize,
    pub target: &'a Target<'a>,
    pub st: &'a FormState,
    pub preview: Option<&'a Preview>,
    /// Fixes were made since the check the grid shows.
    pub stale: bool,
    /// What a spreadsheet sent back did.
    pub sent: Option<&'a SentReport>,
}

/// What a spreadsheet sent back changed, and what it could not.
pub struct SentReport {
    pub file: String,
    pub comparison: Comparison,
    pub bad_rows: Vec<(u64, String)>,
    pub fields_missing: Vec<String>,
}

/// The query string of a filter and page: the grid's links, and where a decision returns.
pub fn query(f: &Filter, page: usize) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut add = |k: &str, v: &str| {
        if !v.is_empty() {
            parts.push(format!("{k}={}", urlencode(v)));
        }
    };
    add("rule", &f.rule);
    add("field", &f.field);
    add("severity", f.severity.map(Severity::as_str).unwrap_or(""));
    add("q", &f.q);
    if f.sort != Sort::Row {
        add("sort", f.sort.as_str());
    }
    if page > 1 {
        add("page", &page.to_string());
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The filter and page read from a query or a form: unknown values mean "everything".
pub fn filter_from(get: impl Fn(&str) -> String) -> (Filter, usize) {
    let severity = match get("severity").as_str() {
        "error" => Some(Severity::Error),
        "review" => Some(Severity::Review),
        _ => None,
    };
    let page = get("page").parse::<usize>().unwrap_or(1).max(1);
    (
        Filter {
            rule: get("rule"),
            field: get("field"),
            severity,
            q: get("q").chars().take(200).collect(),
            sort: Sort::parse(&get("sort")),
        },
        page,
    )
}

pub fn grid_url(t: &Target, map: u32, f: &Filter, page: usize) -> String {
    format!("{}/{map}/rows{}", t.base, query(f, page))
}

/// The parts of a decision the form keeps after it is applied, so the next one like it is one
/// click: what was decided, for which rows, which column, which transform, which row to keep.
pub const REMEMBERED: &[&str] = &["decision", "scope", "set_field", "op", "keep"];

/// `url` with the remembered parts of a decision added to its query.
pub fn remembering(url: &str, get: impl Fn(&str) -> String) -> String {
    let mut out = url.to_string();
    for k in REMEMBERED {
        let v = get(k);
        if !v.is_empty() && v.len() <= 100 {
            out.push(if out.contains('?') { '&' } else { '?' });
            out.push_str(&format!("{k}={}", urlencode(&v)));
        }
    }
    out
}

/// The page body.
pub fn body(g: &Grid) -> Markup {
    let t = g.target;
    let back = format!("{}#map-{}", t.base, g.map.id);
    let dups = g.filter.rule == "duplicate-key";
    let hits = g.flagged.matching(g.filter);
    let page_size = if dups { PAGE_GROUPS } else { PAGE_ROWS };
    let groups = if dups {
        groups_of(g.flagged, &hits)
    } else {
        Vec::new()
    };
    let count = if dups { groups.len() } else { hits.len() };
    let pages = count.div_ceil(page_size).max(1);
    let page = g.page.min(pages);
    let from = (page - 1) * page_size;
    let to = (from + page_size).min(count);
    let page_body = html! {
        div class="page-head" {
            div {
                p class="muted small" { (g.project.name) " · " (g.map.name) }
                h1 { "Flagged rows" }
            }
            div class="head-actions" { a href=(back) { "Back to the data import" } }
        }
        p class="lead" {
            "Every flagged row of " strong { (g.report.file) } ". Decide row by row, or for everything the filter shows at once: "
            "each decision is kept with who made it and why, and checked straight away."
        }
        @if g.flagged.truncated {
            p class="refusal" { "This list shows the first " (flagged::MAX_ITEMS) " flagged items. Decide these, and the next ones appear after the check." }
        }
        @if g.stale {
            p class="small" { strong { "Some fixes are not checked yet." } " Press “Check again” below to bring the list up to date." }
        }
        (filter_form(g, hits.len()))
        (decision_form(g, hits.len(), dups))
        @if let Some(p) = g.preview { (preview_box(p)) }
        @if let Some(r) = g.sent { (sent_box(r)) }
        @if count == 0 {
            p class="check-result clean" role="status" { "Nothing flagged matches this filter." }
        } @else {
            p class="small muted" id="grid-range" {
                "Showing " (if dups { "groups " } else { "rows " }) (from + 1) "–" (to) " of " (count) "."
            }
            @if dups {
                @for (first, rows) in &groups[from..to] { (group_table(g, *first, rows)) }
            } @else {
                (rows_table(g, &hits[from..to]))
            }
            (pager(g, page, pages))
        }
        (spreadsheet(g, count))
        (submit_bar(g))
    };
    layout::with_refusal(g.st, page_body)
}

/// The duplicate groups the filter's rows belong to, in order of their first row.
fn groups_of(f: &Flagged, hits: &[Hit]) -> Vec<(u64, Vec<u64>)> {
    let shown: std::collections::HashSet<u64> = hits.iter().map(|h| h.row).collect();
    f.duplicate_groups()
        .into_iter()
        .filter(|(_, rows)| rows.iter().any(|r| shown.contains(r)))
        .collect()
}

fn filter_form(g: &Grid, matching: usize) -> Markup {
    let f = g.filter;
    let t = g.target;
    let rules = g.flagged.rules();
    html! {
        form method="get" action=(format!("{}/{}/rows", t.base, g.map.id)) class="action grid-filter" role="search" {
            div class="row" {
                div class="field" {
                    label for="grid-rule" { "Problem" }
                    select id="grid-rule" name="rule" {
                        option value="" { "Every problem" }
                        @for (rule, sev, n) in &rules {
                            option value=(rule) selected[*rule == f.rule] {
                                (rule_label(rule)) (if *sev == Severity::Error { " (blocking)" } else { " (to review)" }) " — " (n)
                            }
                        }
                    }
                }
                div class="field" {
                    label for="grid-field" { "Column" }
                    select id="grid-field" name="field" {
                        option value="" { "Every column" }
                        @for name in &g.flagged.fields {
                            option value=(name) selected[*name == f.field] { (name) }
                        }
                    }
                }
                div class="field" {
                    label for="grid-severity" { "Kind" }
                    select id="grid-severity" name="severity" {
                        option value="" { "Blocking and to review" }
                        option value="error" selected[f.severity == Some(Severity::Error)] { "Blocking only" }
                        option value="review" selected[f.severity == Some(Severity::Review)] { "To review only" }
                    }
                }
                div class="field" {
                    label for="grid-q" { "Search" }
                    input type="search" id="grid-q" name="q" value=(f.q) placeholder="a name, an email…";
                }
                div class="field" {
                    label for="grid-sort" { "Order" }
                    select id="grid-sort" name="sort" {
                        option value="row" selected[f.sort == Sort::Row] { "By row" }
                        option value="rule" selected[f.sort == Sort::Rule] { "By problem" }
                        option value="value" selected[f.sort == Sort::Value] { "By value" }
                    }
                }
            }
            button type="submit" class="secondary" { "Show" }
            " " span class="small muted" role="status" { (matching) " row(s) match." }
        }
    }
}

/// The one form that decides over ticked rows or the whole filter.
fn decision_form(g: &Grid, matching: usize, dups: bool) -> Markup {
    let t = g.target;
    let st = g.st;
    let v = |k: &str, d: &str| st.values.get(k).cloned().unwrap_or_else(|| d.to_string());
    let err = |k: &str| {
        st.errors
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, m)| m.clone())
    };
    let decision = v("decision", if dups { "merge" } else { "exclude" });
    let action = format!("{}/{}/decide{}", t.base, g.map.id, query(g.filter, g.page));
    let field_default = g.filter.field.clone();
    html! {
        form method="post" action=(action) id="decide" class="action decide" {
            input type="hidden" name="csrf" value=(t.csrf);
            input type="hidden" name="_form" value="decide";
            fieldset {
                legend { "Decide" }
                div class="row" {
                    div class="field" {
                        label for="decide-decision" { "Decision" }
                        select id="decide-decision" name="decision" {
                            @for (k, l) in DECISIONS {
                                option value=(k) selected[decision == *k] { (l) }
                            }
                        }
                    }
                    div class="field" {
                        label for="decide-scope" { "For" }
                        select id="decide-scope" name="scope" {
                            option value="filter" selected[v("scope", "filter") == "filter"] { "all " (matching) " row(s) this filter shows" }
                            option value="ticked" selected[v("scope", "") == "ticked"] { "the rows I tick below" }
                            option value="all" selected[v("scope", "") == "all"] { "every row of the file (a transform, split or join)" }
                        }
                    }
                }
                div class="row" {
                    div class={ "field opt for-set for-transform for-split for-join" @if err("field").is_some() { " invalid" } } {
                        label for="decide-field" { "Column" }
                        select id="decide-field" name="set_field" {
                            @for name in &g.flagged.fields {
                                option value=(name) selected[*name == v("set_field", &field_default)] { (name) }
                            }
                        }
                        @if let Some(e) = err("field") { p class="error" { (e) } }
                    }
                    div class="field opt for-set" {
                        label for="decide-value" { "New value (to set)" }
                        input type="text" id="decide-value" name="value" value=(v("value", ""));
                    }
                    div class="field opt for-merge" {
                        label for="decide-keep" { "Merge keeping" }
                        select id="decide-keep" name="keep" {
                            option value="first" selected[v("keep", "first") == "first"] { "the first row" }
                            option value="last" selected[v("keep", "") == "last"] { "the last (most recent) row" }
                            option value="complete" selected[v("keep", "") == "complete"] { "the most complete row" }
                        }
                    }
                }
                div class="row" {
                    div class="field opt for-transform" {
                        label for="decide-op" { "Transform" }
                        select id="decide-op" name="op" {
                            @for (k, l) in OPS { option value=(k) selected[v("op", "replace") == *k] { (l) } }
                        }
                    }
                    div class={ "field opt for-transform" @if err("find").is_some() { " invalid" } } {
                        label for="decide-find" { "Find" }
                        input type="text" id="decide-find" name="find" value=(v("find", ""))
                            aria-invalid=[err("find").is_some().then_some("true")]
                            aria-describedby=[err("find").is_some().then_some("decide-find-err")];
                        @if let Some(e) = err("find") { p class="error" id="decide-find-err" { (e) } }
                    }
                    div class="field opt for-transform" {
                        label for="decide-replace" { "Replace with" }
                        input type="text" id="decide-replace" name="replace" value=(v("replace", ""));
                    }
                    div class="field check opt for-transform" {
                        input type="checkbox" id="decide-regex" name="regex" value="on" checked[st.values.contains_key("regex")];
                        label for="decide-regex" { "Find is a pattern" }
                    }
                }
                div class="row" {
                    div class={ "field opt for-split" @if err("pattern").is_some() { " invalid" } } {
                        label for="decide-pattern" { "Pattern, one group in brackets per new column" }
                        input type="text" id="decide-pattern" name="pattern" value=(v("pattern", r"(\S+) (.+)"))
                            aria-invalid=[err("pattern").is_some().then_some("true")]
                            aria-describedby=[err("pattern").is_some().then_some("decide-pattern-err")];
                        @if let Some(e) = err("pattern") { p class="error" id="decide-pattern-err" { (e) } }
                    }
                    div class={ "field opt for-split for-join" @if err("parts").is_some() { " invalid" } } {
                        label for="decide-parts" { "Columns (split into / join from), separated by commas" }
                        input type="text" id="decide-parts" name="parts" value=(v("parts", ""))
                            aria-invalid=[err("parts").is_some().then_some("true")]
                            aria-describedby=[err("parts").is_some().then_some("decide-parts-err")];
                        @if let Some(e) = err("parts") { p class="error" id="decide-parts-err" { (e) } }
                    }
                    div class="field opt for-join" {
                        label for="decide-separator" { "Separator" }
                        input type="text" id="decide-separator" name="separator" value=(v("separator", " "));
                    }
                }
                div class="field" {
                    label for="decide-why" { "Why (optional, kept with the decision)" }
                    input type="text" id="decide-why" name="why" value=(v("why", ""));
                }
                @if let Some(e) = err("rows").or_else(|| err("decision")) { p class="error" role="alert" { (e) } }
                div class="buttons" {
                    button type="submit" { "Apply" }
                    button type="submit" name="preview" value="1" class="secondary opt for-transform" { "Preview the transform" }
                }
            }
        }
    }
}

const DECISIONS: &[(&str, &str)] = &[
    (
        "exclude",
        "Exclude the rows (listed for follow-up, not imported)",
    ),
    ("accept", "Accept as is (items to review)"),
    ("suggest", "Take the suggested corrections"),
    ("set", "Set a column to a value"),
    ("transform", "Transform a column"),
    ("split", "Split the column into the columns listed"),
    ("join", "Join the columns listed into the column"),
    ("merge", "Merge possible duplicates"),
    ("keep", "Keep duplicates: they are different records"),
];

const OPS: &[(&str, &str)] = &[
    ("replace", "find and replace"),
    ("trim", "trim spaces"),
    ("upper", "UPPER CASE"),
    ("lower", "lower case"),
    ("title", "Title Case"),
];

fn preview_box(p: &Preview) -> Markup {
    html! {
        div class="check-result clean preview" role="status" id="preview" tabindex="-1" data-reveal {
            p { strong { "Preview: " } (p.changed) " of " (p.cells) " cell(s) would change. Nothing is changed until you press Apply." }
            @if !p.examples.is_empty() {
                table class="issues" {
                    caption class="sr-only" { "Examples before and after" }
                    thead { tr { th scope="col" { "Row" } th scope="col" { "Before" } th scope="col" { "After" } } }
                    tbody {
                        @for c in &p.examples {
                            tr { td { (c.row) } td { code { (c.before) } } td { code { (c.after) } } }
                        }
                    }
                }
            }
        }
    }
}

/// The items of a row as words: what is wrong, and the suggestion when there is one.
fn reasons(g: &Grid, items: &[&Issue]) -> Markup {
    html! {
        ul class="reasons" {
            @for i in items {
                li {
                    strong { (rule_label(&i.rule)) } ": " (i.message)
                    @if g.target.vendor { " " code class="muted" { (i.rule) } }
                }
            }
        }
    }
}

fn rows_table(g: &Grid, hits: &[Hit]) -> Markup {
    let fields = &g.flagged.fields;
    html! {
        div class="table-wrap" {
            table class="issues grid" {
                caption class="sr-only" { "Flagged rows" }
                thead {
                    tr {
                        th scope="col" { span class="sr-only" { "Tick" } }
                        th scope="col" { "Row" }
                        @for f in fields { th scope="col" { (f) } }
                        th scope="col" { "What is wrong" }
                    }
                }
                tbody {
                    @for h in hits {
                        @let items: Vec<&Issue> = h.items.iter().map(|&k| &g.flagged.items[k]).collect();
                        tr {
                            td data-label="Tick" {
                                input type="checkbox" name="row" value=(h.row) form="decide"
                                    aria-label=(format!("Tick row {}", h.row));
                            }
                            th scope="row" data-label="Row" { (h.row) }
                            @for (fi, name) in fields.iter().enumerate() {
                                @let value = g.flagged.rows.get(&h.row).and_then(|c| c.get(fi)).map(String::as_str).unwrap_or("");
                                @let flagged_here: Vec<&&Issue> = items.iter().filter(|i| i.field.as_deref().is_some_and(|f| f.split('+').any(|p| p == name))).collect();
                                @if flagged_here.is_empty() {
                                    td data-label=(name) { (value) }
                                } @else {
                                    td data-label=(name) class="flag" {
                                        (cell_edit(g, h.row, name, value))
                                        @for i in &flagged_here {
                                            @if let Some(s) = g.flagged.suggestion(i) {
                                                (suggestion_button(g, h.row, name, &s))
                                            }
                                        }
                                    }
                                }
                            }
                            td data-label="What is wrong" { (reasons(g, &items)) }
                        }
                    }
                }
            }
        }
    }
}

/// A flagged cell edited in place: type and press Enter (the reason defaults to "corrected").
fn cell_edit(g: &Grid, row: u64, field: &str, value: &str) -> Markup {
    let t = g.target;
    let mut q = query(g.filter, g.page);
    q.push(if q.is_empty() { '?' } else { '&' });
    q.push_str(&format!("cell={row}:{}", urlencode(field)));
    html! {
        form method="post" action=(format!("{}/{}/decide{q}", t.base, g.map.id)) class="cell-edit" {
            input type="hidden" name="csrf" value=(t.csrf);
            input type="text" name="value" value=(value) aria-label=(format!("Row {row}, {field}: new value, then Enter"));
        }
    }
}

fn suggestion_button(g: &Grid, row: u64, field: &str, s: &str) -> Markup {
    let t = g.target;
    let mut q = query(g.filter, g.page);
    q.push(if q.is_empty() { '?' } else { '&' });
    q.push_str(&format!("cell={row}:{}", urlencode(field)));
    html! {
        form method="post" action=(format!("{}/{}/decide{q}", t.base, g.map.id)) class="inline suggestion" {
            input type="hidden" name="csrf" value=(t.csrf);
            input type="hidden" name="value" value=(s);
            input type="hidden" name="why" value="suggested correction taken";
            button type="submit" class="link" { "Use " (s) }
        }
    }
}

/// One duplicate group: its rows side by side, cells that differ marked, merge or keep all.
fn group_table(g: &Grid, first: u64, dups: &[u64]) -> Markup {
    let fields = &g.flagged.fields;
    let mut rows = vec![first];
    rows.extend_from_slice(dups);
    let cell = |r: u64, fi: usize| {
        g.flagged
            .rows
            .get(&r)
            .and_then(|c| c.get(fi))
            .map(String::as_str)
            .unwrap_or("")
    };
    let differs = |fi: usize| rows.iter().any(|&r| cell(r, fi) != cell(first, fi));
    let t = g.target;
    let action = format!("{}/{}/decide{}", t.base, g.map.id, query(g.filter, g.page));
    html! {
        section class="dup-group" aria-label=(format!("Rows {} and their possible duplicates", first)) {
            div class="table-wrap" {
                table class="issues grid" {
                    caption class="sr-only" { "Possible duplicates of row " (first) }
                    thead {
                        tr {
                            th scope="col" { "Row" }
                            @for f in fields { th scope="col" { (f) } }
                        }
                    }
                    tbody {
                        @for &r in &rows {
                            tr {
                                th scope="row" data-label="Row" { (r) }
                                @for (fi, name) in fields.iter().enumerate() {
                                    td data-label=(name) class=[differs(fi).then_some("diff")] { (cell(r, fi)) }
                                }
                            }
                        }
                    }
                }
            }
            form method="post" action=(action) class="buttons inline" {
                input type="hidden" name="csrf" value=(t.csrf);
                input type="hidden" name="scope" value="ticked";
                input type="hidden" name="row" value=(first);
                label for=(format!("keep-{first}")) class="sr-only" { "Keep which row" }
                select id=(format!("keep-{first}")) name="keep" {
                    option value="first" { "Merge, keeping row " (first) }
                    option value="last" { "Merge, keeping row " (rows.last().copied().unwrap_or(first)) }
                    option value="complete" { "Merge, keeping the most complete" }
                }
                button type="submit" name="decision" value="merge" { "Merge" }
                button type="submit" name="decision" value="keep" class="secondary" { "Keep all: different records" }
            }
        }
    }
}

/// The round trip: these rows downloaded, fixed in a spreadsheet, sent back.
fn spreadsheet(g: &Grid, count: usize) -> Markup {
    let t = g.target;
    let base = format!("{}/{}", t.base, g.map.id);
    let q = query(g.filter, 1);
    html! {
        details class="roundtrip" open[g.sent.is_some()] {
            summary { "Fix these rows in a spreadsheet" }
            @if count > 0 {
                p {
                    "Download the rows this filter shows, with their row numbers and what is wrong: "
                    a href=(format!("{base}/flagged.xlsx{q}")) hx-boost="false" download { "Excel (.xlsx)" }
                    " or "
                    a href=(format!("{base}/flagged.csv{q}")) hx-boost="false" download { "CSV" }
                    ". Correct the cells, keep the row column as it is, and send the file back. "
                    "A cell changed here since your download is shown, never overwritten."
                }
            }
            form method="post" action=(format!("{base}/sendback{}", query(g.filter, g.page))) enctype="multipart/form-data" class="action" hx-boost="false" {
                input type="hidden" name="csrf" value=(t.csrf);
                input type="hidden" name="_form" value="sendback";
                div class="field" {
                    label for="sendback-file" { "The corrected file (.xlsx or .csv)" }
                    input type="file" id="sendback-file" name="file" required accept=".csv,.tsv,.txt,.xlsx,.xls,text/csv";
                }
                button type="submit" { "Send back the corrections" }
            }
        }
    }
}

fn sent_box(r: &SentReport) -> Markup {
    let c = &r.comparison;
    html! {
        div class={ "check-result" @if c.conflicts.is_empty() { " clean" } } role="status" id="sent" tabindex="-1" data-reveal {
            p {
                strong { (r.file) ": " (c.changes.len()) " cell(s) corrected from your spreadsheet" }
                @if c.changes.is_empty() { " (nothing differed from the list here)" }
                "."
                @if !c.not_flagged.is_empty() { " " (c.not_flagged.len()) " row(s) are not flagged any more and were left as they are." }
            }
            @if !r.fields_missing.is_empty() {
                p { "These columns were not in the file and were left as they are: " (r.fields_missing.join(", ")) "." }
            }
            @if !r.bad_rows.is_empty() {
                p { (r.bad_rows.len()) " line(s) have no row number and were skipped (the first is line " (r.bad_rows[0].0) ")." }
            }
            @if !c.conflicts.is_empty() {
                p { strong { (c.conflicts.len()) " cell(s) were also changed here since your download" } ", so your values were not applied. Check them below and edit them in the grid if yours are right." }
                table class="issues" {
                    caption class="sr-only" { "Conflicts" }
                    thead { tr { th scope="col" { "Row" } th scope="col" { "Column" } th scope="col" { "Yours" } th scope="col" { "Here now" } } }
                    tbody {
                        @for k in c.conflicts.iter().take(50) {
                            tr { td { (k.row) } td { (k.field) } td { code { (k.sent) } } td { code { (k.now) } } }
                        }
                    }
                }
                @if c.conflicts.len() > 50 { p class="small muted" { "The first 50 are listed." } }
            }
        }
    }
}

fn pager(g: &Grid, page: usize, pages: usize) -> Markup {
    let t = g.target;
    html! {
        @if pages > 1 {
            nav class="pager" aria-label="Pages of flagged rows" {
                @if page > 1 {
                    a href=(grid_url(t, g.map.id, g.filter, page - 1)) rel="prev" { "← Previous" }
                }
                " Page " (page) " of " (pages) " "
                @if page < pages {
                    a href=(grid_url(t, g.map.id, g.filter, page + 1)) rel="next" { "Next →" }
                }
            }
        }
    }
}

/// Always in view: how much is decided, what submitting would export, check again, submit.
pub fn submit_bar(g: &Grid) -> Markup {
    let r = g.report;
    let (decided, total) = r.decided();
    let t = g.target;
    let base = format!("{}/{}", t.base, g.map.id);
    let clean = r
        .rows
        .saturating_sub(r.rows_with_errors)
        .saturating_sub(r.excluded_rows);
    html! {
        div class="submit-bar grid-bar" {
            p class="counter" role="status" aria-live="polite" {
                strong { (decided) " of " (total) " flagged items decided." }
                " "
                @if r.open() > 0 {
                    (r.errors) " blocking and " (r.reviews) " to review still open. "
                }
                span class="muted" {
                    @let excluded = r.excluded_rows - r.merged_rows.min(r.excluded_rows);
                    "Submitting now exports " (clean) " row(s)"
                    @if r.merged_rows > 0 { " (" (r.merged_rows) " duplicate(s) merged into them)" }
                    @if excluded > 0 { "; " (excluded) " excluded" }
                    @if r.rows_with_errors > 0 { "; " (r.rows_with_errors) " with blocking issues" }
                    @if excluded + r.rows_with_errors > 0 { " go to the rejected list for follow-up" }
                    "."
                }
            }
            div class="buttons" {
                @if g.stale {
                    form method="post" action=(format!("{base}/recheck")) class="inline" {
                        input type="hidden" name="csrf" value=(t.csrf);
                        input type="hidden" name="_form" value=(format!("recheck-{}", g.map.id));
                        button type="submit" { "Check again" }
                    }
                }
                form method="post" action=(format!("{base}/submit")) class="inline" {
                    input type="hidden" name="csrf" value=(t.csrf);
                    input type="hidden" name="_form" value=(format!("submit-{}", g.map.id));
                    button type="submit" class=[g.stale.then_some("secondary")] { "Submit the clean export" }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_survives_the_round_trip_through_its_query() {
        let f = Filter {
            rule: "email".into(),
            field: "e mail".into(),
            severity: Some(Severity::Review),
            q: "a&b=c".into(),
            sort: Sort::Value,
        };
        let q = query(&f, 3);
        let pairs: std::collections::HashMap<String, String> =
            url::form_urlencoded::parse(q.trim_start_matches('?').as_bytes())
                .into_owned()
                .collect();
        let (back, page) = filter_from(|k| pairs.get(k).cloned().unwrap_or_default());
        assert_eq!((back, page), (f, 3));
        assert_eq!(query(&Filter::default(), 1), "");
    }
}
