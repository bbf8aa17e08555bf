//! The data import page, one renderer for the customer (portal) and the vendor member
//! (`/projects/{id}/data`): the project's data maps and the task each serves, the upload, the
//! issues grouped by rule with example rows, fixes in place and in bulk, re-check, submit.
//!
//! The upload is never modified: fixes are a layer kept in the map's draft (core
//! `ImportDraft`) and applied by the data engine on every check. Submitting exports the clean
//! file and records the import run; the vendor can then use the run as a task's proof (R5).
//! The handlers (who may act, what is stored) are in `data_actions`.

use finishline_core::intake::{DataMapRef, ImportRun};
use finishline_core::plan::TaskStatus;
use finishline_core::Project;
use finishline_data::{DataMap, Issue, Severity};
use maud::{html, Markup};

use crate::ui::form::FormState;
use crate::ui::layout::{self, Fields};
use finishline_app::imports::StoredReport;

/// A data map as a page shows it: the map's fields and the latest check of its draft.
pub struct MapView {
    pub map: DataMapRef,
    /// `None` when the map file cannot be read (shown, not hidden).
    pub fields: Option<DataMap>,
    pub report: Option<StoredReport>,
}

/// Where the page's forms and links go, and who is looking.
pub struct Target<'a> {
    /// `/portal/data` or `/projects/{id}/data`.
    pub base: String,
    /// Where project files are downloaded from.
    pub files: String,
    pub csrf: &'a str,
    pub vendor: bool,
}

/// The date readings offered for ambiguous dates (strftime, as the data engine reads them).
pub const DATE_READINGS: &[(&str, &str)] = &[
    ("%d/%m/%Y", "day first: 03/04/2026 is 3 April"),
    ("%m/%d/%Y", "month first: 03/04/2026 is 4 March"),
    ("%Y-%m-%d", "year first: 2026-04-03"),
    ("%d.%m.%Y", "day first with dots: 03.04.2026"),
];

/// How many of a draft's fixes the page lists (the latest): the page stays light with thousands.
const FIXES_SHOWN: usize = 20;

/// Whether one of the bulk fixes can clear a rule's issues at once: values that repeat (an
/// unknown value or country mapped to a known one), empty cells filled, dates read one way.
/// Bad emails or possible duplicates differ row by row; no bulk fix applies to them.
fn bulk_fixes_apply(rule: &str) -> bool {
    matches!(
        rule,
        "enum" | "country-unrecognised" | "required" | "missing-cell" | "ambiguous-date"
    )
}

/// A rule of the data engine in plain words; an unknown one is spelled out ("a-b" → "A b").
pub fn rule_label(rule: &str) -> String {
    let known = match rule {
        "required" | "missing-cell" => "Missing value",
        "pattern" => "Not in the expected format",
        "enum" => "Not one of the allowed values",
        "type" => "Not the expected kind of value",
        "minimum" => "Below the minimum",
        "maximum" => "Above the maximum",
        "unique" | "primary-key" => "Repeated where it must be unique",
        "duplicate-key" => "Possible duplicate",
        "country-unrecognised" => "Unknown country",
        "email-unrecognised" => "Unreadable email address",
        "email-typo" => "Likely typo in an email address",
        "phone-unrecognised" => "Unreadable phone number",
        "ambiguous-date" => "Date that can be read two ways",
        "missing-column" => "Missing column",
        "unmapped-column" => "Column not in the data map",
        "blank-row" => "Empty row",
        "extra-cell" => "Extra cells in a row",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    let s = rule.replace(['-', '_'], " ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => s,
    }
}

fn field_opts(m: &DataMap) -> Vec<(String, String)> {
    m.fields
        .iter()
        .map(|f| {
            let label = match &f.title {
                Some(t) if t != &f.name => format!("{t} ({})", f.name),
                _ => f.name.clone(),
            };
            (f.name.clone(), label)
        })
        .collect()
}

fn task_line(p: &Project, map: &DataMapRef) -> Markup {
    html! {
        @match map.task.and_then(|t| p.task(t)) {
            Some(t) => {
                "For the plan task " strong { (t.title) } " "
                @match &t.status {
                    TaskStatus::Done { .. } => span class="badge ok" { "done" },
                    TaskStatus::Blocked(_) => span class="badge bad" { "blocked" },
                    TaskStatus::Pending => span class="badge" { "not started" },
                    TaskStatus::Open => span class="badge" { "open" },
                }
            },
            None => "Not tied to a plan task.",
        }
    }
}

/// The whole page body.
pub fn body(p: &Project, views: &[MapView], t: &Target, st: &FormState) -> Markup {
    let page = html! {
        div class="page-head" {
            div {
                p class="muted small" { (p.name) }
                h1 { "Data import" }
            }
            @if t.vendor {
                div class="head-actions" { a href=(format!("/projects/{}", p.id)) { "Back to the project" } }
            } @else {
                div class="head-actions" { a href="/portal" { "Back to your project" } }
            }
        }
        p class="lead" {
            "Upload your file, fix what is flagged, check again, and submit the clean list. "
            "Your file itself is never changed: fixes are kept beside it and shown in the report."
        }
        @if views.is_empty() {
            p class="muted" { "There is no data map in this project yet. "
                @if t.vendor { "Add one below: it says which columns the file needs and how each is checked." }
                @else { "Your implementation team adds one when your data is needed." } }
        }
        @for v in views { (map_section(p, v, t, st)) }
        @if t.vendor { (add_map_form(p, t, st)) }
    };
    layout::with_refusal(st, page)
}

fn map_section(p: &Project, v: &MapView, t: &Target, st: &FormState) -> Markup {
    let m = &v.map;
    let base = format!("{}/{}", t.base, m.id);
    let f = |k: &str| Fields::new(Some(st), k);
    let fu = f(&format!("upload-{}", m.id));
    let runs: Vec<&ImportRun> = p.imports.iter().filter(|r| r.map == Some(m.id)).collect();
    html! {
        section class="data-map" id=(format!("map-{}", m.id)) aria-labelledby=(format!("map-{}-h", m.id)) {
            h2 id=(format!("map-{}-h", m.id)) { (m.name) }
            p { (task_line(p, m)) }
            @match &v.fields {
                Some(dm) => details {
                    summary { "What the file needs (" (dm.fields.len()) " columns)" }
                    ul class="small" {
                        @for fd in &dm.fields {
                            li {
                                strong { (fd.title.clone().unwrap_or_else(|| fd.name.clone())) }
                                @if fd.constraints.required { " — required" }
                                @if !fd.source_names.is_empty() { span class="muted" { " (a column named " (fd.source_names.join(" or ")) ")" } }
                            }
                        }
                    }
                },
                None => p class="refusal" { "The data map file of " (m.name) " cannot be read; your implementation team has to fix it." },
            }

            @if m.draft.is_none() {
                @if let Some(last) = runs.last() {
                    div class={ "check-result" @if last.is_clean() { " clean" } } role="status" {
                        p {
                            "Submitted on " (last.at.format("%-d %b %Y")) " by " (last.by) ": " (last.rows) " rows"
                            @if last.errors > 0 { ", " (last.errors) " blocking issue(s) left out" }
                            ". "
                            @if let Some(c) = &last.clean_file {
                                a href=(format!("{}{c}", t.files)) hx-boost="false" download { "Download the clean file" }
                            }
                        }
                    }
                }
            }
            h3 { "1. Upload your file" }
            @if let Some(sample) = &m.sample {
                p class="small" { "Not sure what to send? " a href=(format!("{}{sample}", t.files)) hx-boost="false" download { "Download an example file" } "." }
            }
            form method="post" action=(format!("{base}/upload")) enctype="multipart/form-data"
                class="action upload" data-upload hx-boost="false" {
                (fu.hidden(t.csrf))
                (fu.message())
                @let err = fu.error("file");
                div class={ "field" @if err.is_some() { " invalid" } } {
                    label for=(format!("upload-{}-file", m.id)) { "Spreadsheet (.csv, .tsv, .xlsx or .xls)" }
                    input type="file" id=(format!("upload-{}-file", m.id)) name="file" required
                        accept=".csv,.tsv,.txt,.xlsx,.xls,text/csv"
                        aria-invalid=[err.is_some().then_some("true")]
                        aria-describedby=[err.is_some().then(|| format!("upload-{}-file-err", m.id))];
                    @if let Some(e) = err { p class="error" id=(format!("upload-{}-file-err", m.id)) { (e) } }
                }
                div class="upload-progress" hidden {
                    label for=(format!("upload-{}-progress", m.id)) { "Uploading" }
                    progress id=(format!("upload-{}-progress", m.id)) max="100" value="0" {}
                }
                p class="small muted upload-status" role="status" aria-live="polite" {}
                button type="submit" { @if m.draft.is_some() { "Upload a new file and check it" } @else { "Upload and check" } }
            }

            @if let Some(d) = &m.draft {
                h3 { "2. Fix what is flagged" }
                @match &v.report {
                    Some(r) => (report_block(v, r, d.needs_recheck(), &base, t, st)),
                    None => p class="refusal" { "The report of " (d.name) " cannot be read. Upload the file again." },
                }
                @if !d.fixes.is_empty() {
                    details {
                        summary { "Fixes so far (" (d.fixes.len()) ")" }
                        @let shown = d.fixes.len().min(FIXES_SHOWN);
                        ol class="small fixes" start=(d.fixes.len() - shown + 1) {
                            @for fx in &d.fixes[d.fixes.len() - shown..] {
                                li { (fix_label(fx)) }
                            }
                        }
                        @if d.fixes.len() > shown {
                            p class="small muted" { "The latest " (shown) " are listed; all " (d.fixes.len()) " are kept with the import and its fixes file." }
                        }
                    }
                }
                h3 { "3. Check again and submit" }
                div class="buttons submit-bar" {
                    @let fr = f(&format!("recheck-{}", m.id));
                    form method="post" action=(format!("{base}/recheck")) class="inline" {
                        (fr.hidden(t.csrf))
                        button type="submit" class=[(!d.needs_recheck()).then_some("secondary")] { "Re-check with the fixes" }
                    }
                    @let fs = f(&format!("submit-{}", m.id));
                    form method="post" action=(format!("{base}/submit")) class="inline" {
                        (fs.hidden(t.csrf))
                        button type="submit" class=[d.needs_recheck().then_some("secondary")] { "Submit the clean export" }
                    }
                }
                (f(&format!("recheck-{}", m.id)).message())
                (f(&format!("submit-{}", m.id)).message())
                @if d.needs_recheck() {
                    p class="small" { strong { (d.fixes.len() - d.checked_fixes.min(d.fixes.len())) " fix(es) not checked yet." } " Re-check before you submit." }
                } @else if v.report.as_ref().is_some_and(|r| r.errors > 0) {
                    p class="small" { "Rows that still have blocking issues are left out of the clean file and listed in a rejected file." }
                }
            }

            @if !runs.is_empty() {
                h3 { "Submitted imports" }
                (runs_table(p, m, &runs, t))
            }
        }
    }
}

fn report_block(
    v: &MapView,
    r: &StoredReport,
    stale: bool,
    base: &str,
    t: &Target,
    st: &FormState,
) -> Markup {
    let m = &v.map;
    let opts = v.fields.as_ref().map(field_opts).unwrap_or_default();
    html! {
        div class={ "check-result" @if r.errors == 0 { " clean" } } role="status" {
            p {
                strong { (r.file) } ": " (r.rows) " rows. "
                @if r.errors == 0 && r.reviews == 0 { span class="badge ok" { "clean" } " Nothing is flagged." }
                @else {
                    @if r.errors > 0 { span class="badge bad" { (r.errors) " blocking" } " in " (r.rows_with_errors) " row(s). " }
                    @else { span class="badge ok" { "no blocking issues" } " " }
                    @if r.reviews > 0 { span class="badge warn" { (r.reviews) " to review" } " (they do not stop the import)." }
                }
                @if stale { " " span class="muted" { "(checked before your latest fixes)" } }
            }
            @if r.flagged.is_some() && r.decided().1 > 0 {
                @let (decided, total) = r.decided();
                p {
                    strong { (decided) " of " (total) " flagged items decided." } " "
                    @if r.open() > 0 {
                        a class="button" href=(format!("{base}/rows")) { "Decide all " (r.open()) " flagged items" }
                    }
                }
            }
        }
        @for s in &r.summary {
            @let examples: Vec<&Issue> = r.issues.iter().filter(|i| i.rule == s.rule && i.severity == s.severity).collect();
            div class="rule-group" {
                h4 {
                    (rule_label(&s.rule)) " "
                    // The engine's rule name is for the vendor (the CLI and the docs use it);
                    // customers read the words only.
                    @if t.vendor { code class="small muted" { (s.rule) } " " }
                    span class=(if s.severity == Severity::Error { "badge bad" } else { "badge warn" }) { (s.count) " × " (if s.severity == Severity::Error { "blocking" } else { "review" }) }
                }
                @if s.severity == Severity::Review { p class="small muted" { "Flagged for a person to look at; these rows are still imported." } }
                div class="table-wrap" {
                    table class="issues" {
                        caption class="sr-only" { "Examples of " (rule_label(&s.rule)) }
                        thead { tr { th scope="col" { "Row" } th scope="col" { "Column" } th scope="col" { "Value" } th scope="col" { "What is wrong" } th scope="col" { "Fix" } } }
                        tbody {
                            @for i in &examples {
                                tr {
                                    td data-label="Row" { @if i.row == 0 { "—" } @else { (i.row) } }
                                    td data-label="Column" { (i.column.clone().or_else(|| i.field.clone()).unwrap_or_else(|| "—".into())) }
                                    td data-label="Value" { code { (i.value.clone().unwrap_or_default()) } }
                                    td data-label="What is wrong" { (i.message) }
                                    td data-label="Fix" { (cell_fix(m.id, i, base, t, st)) }
                                }
                            }
                        }
                    }
                }
                @if s.count > examples.len() as u64 {
                    p class="small muted" {
                        "Showing " (examples.len()) " of " (s.count) ". "
                        @if r.flagged.is_some() {
                            a href=(format!("{base}/rows?rule={}", s.rule)) { "See and decide all " (s.count) } ". "
                        }
                        @if bulk_fixes_apply(&s.rule) { "A bulk fix below changes them all at once." }
                        @else if r.flagged.is_none() { "Their values differ: fix these in place, or correct them in your spreadsheet and upload it again." }
                    }
                }
            }
        }
        details class="bulk" open[st.form.starts_with(&format!("bulk-{}-", m.id))] {
            summary { "Fix many rows at once" }
            div class="forms" {
                (bulk_form(m.id, "map_value", "Replace a value everywhere", &opts, base, t, st))
                (bulk_form(m.id, "fill_blanks", "Fill empty cells", &opts, base, t, st))
                (bulk_form(m.id, "date_reading", "Read dates one way", &opts, base, t, st))
            }
        }
        details class="anycell" open[st.form == format!("cell-{}-any", m.id)] {
            summary { "Fix any cell" }
            @let fa = Fields::new(Some(st), &format!("cell-{}-any", m.id));
            form method="post" action=(format!("{base}/fix")) class="action" {
                (fa.hidden(t.csrf))
                (fa.message())
                div class="row" {
                    (fa.input("row", "Row (as your spreadsheet numbers it)", "number", "", true))
                    (fa.select("field", "Column", &opts, ""))
                }
                (fa.input("value", "New value", "text", "", false))
                (fa.input("why", "Why (for the record)", "text", "", true))
                button type="submit" { "Save the fix" }
            }
        }
    }
}

/// The in-place fix of one flagged cell: its row and column are fixed, the new value typed.
fn cell_fix(map: u32, i: &Issue, base: &str, t: &Target, st: &FormState) -> Markup {
    let (Some(field), true) = (&i.field, i.row > 0) else {
        return html! { span class="muted small" { "fix it in the file" } };
    };
    let key = format!("cell-{map}-{}-{field}", i.row);
    let fc = Fields::new(Some(st), &key);
    html! {
        details open[st.form == key] data-fix=(key) {
            summary { "Fix row " (i.row) }
            form method="post" action=(format!("{base}/fix")) class="action" {
                (fc.hidden(t.csrf))
                (fc.message())
                input type="hidden" name="row" value=(i.row);
                input type="hidden" name="field" value=(field);
                (fc.input("value", "New value", "text", i.value.as_deref().unwrap_or(""), false))
                (fc.input("why", "Why", "text", "", true))
                button type="submit" { "Save the fix" }
            }
        }
    }
}

fn bulk_form(
    map: u32,
    kind: &str,
    title: &str,
    opts: &[(String, String)],
    base: &str,
    t: &Target,
    st: &FormState,
) -> Markup {
    let key = format!("bulk-{map}-{kind}");
    let fb = Fields::new(Some(st), &key);
    let readings: Vec<(String, String)> = DATE_READINGS
        .iter()
        .map(|(v, l)| ((*v).to_string(), (*l).to_string()))
        .collect();
    html! {
        form method="post" action=(format!("{base}/bulk")) class="action" data-fix=(key) {
            (fb.hidden(t.csrf))
            input type="hidden" name="kind" value=(kind);
            h4 { (title) }
            (fb.message())
            (fb.select("field", "Column", opts, ""))
            @match kind {
                "map_value" => {
                    (fb.input("from", "Every cell that says", "text", "", true))
                    (fb.input("to", "becomes", "text", "", false))
                },
                "fill_blanks" => (fb.input("to", "Fill with", "text", "", true)),
                _ => (fb.select("format", "Read the dates as", &readings, "")),
            }
            (fb.input("why", "Why (for the record)", "text", "", true))
            button type="submit" { "Save the fix" }
        }
    }
}

/// A recorded fix, read back from its JSON for the list.
fn fix_label(v: &serde_json::Value) -> Markup {
    match serde_json::from_value::<finishline_data::Fix>(v.clone()) {
        Ok(fx) => html! {
            strong { (fx.action.subject()) } ": " (fx.action.label())
            span class="muted" { " — " (fx.who) @if !fx.why.is_empty() { ": " (fx.why) } }
        },
        Err(_) => html! { span class="muted" { "a fix this version cannot read" } },
    }
}

fn runs_table(p: &Project, m: &DataMapRef, runs: &[&ImportRun], t: &Target) -> Markup {
    let task = m.task.and_then(|id| p.task(id));
    html! {
        div class="table-wrap" {
            table class="runs" {
                thead { tr {
                    th scope="col" { "Run" } th scope="col" { "When, who" } th scope="col" { "Rows" }
                    th scope="col" { "Left after fixes" } th scope="col" { "Files" }
                } }
                tbody {
                    @for r in runs.iter().rev() {
                        tr id=(format!("run-{}", r.id)) {
                            td data-label="Run" {
                                "#" (r.id) " "
                                @if r.is_clean() { span class="badge ok" { "clean" } } @else { span class="badge bad" { "not clean" } }
                            }
                            td data-label="When, who" { (r.at.format("%-d %b %Y %H:%M")) " UTC" br; (r.by)
                                div class="small muted" { "file sha256 " code { (r.file_sha256.get(..12).unwrap_or(&r.file_sha256)) "…" } } }
                            td data-label="Rows" class="num" { (r.rows) }
                            td data-label="Left after fixes" {
                                (r.errors) " blocking, " (r.reviews) " to review; " (r.fixes) " fix(es)"
                                @if !r.by_rule.is_empty() {
                                    ul class="small reasons" { @for c in &r.by_rule { li { (rule_label(&c.rule)) ": " (c.count) } } }
                                }
                            }
                            td data-label="Files" {
                                @if let Some(c) = &r.clean_file { a href=(format!("{}{c}", t.files)) hx-boost="false" download { "Clean file" } br; }
                                @if let Some(c) = &r.report_file { a href=(format!("{}{c}", t.files)) hx-boost="false" download { "Report" } br; }
                                @if let Some(c) = &r.fixes_file { a href=(format!("{}{c}", t.files)) hx-boost="false" download { "Fixes" } br; }
                                @if let Some(c) = &r.upload_file { a href=(format!("{}{c}", t.files)) hx-boost="false" download { "Upload" } }
                                @if t.vendor {
                                    @if let Some(task) = task.filter(|x| !matches!(x.status, TaskStatus::Done { .. })) {
                                        form method="post" action=(format!("/projects/{}/actions/complete_task", p.id)) class="proof" {
                                            input type="hidden" name="csrf" value=(t.csrf);
                                            input type="hidden" name="_form" value=(format!("complete_task-{}", task.id));
                                            input type="hidden" name="task" value=(task.id);
                                            input type="hidden" name="proof_import" value=(r.id);
                                            button type="submit" class="secondary" { "Complete “" (task.title) "” with this run" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn add_map_form(p: &Project, t: &Target, st: &FormState) -> Markup {
    let fm = Fields::new(Some(st), "add_map");
    let mut tasks = vec![(String::new(), "— none —".to_string())];
    tasks.extend(p.tasks.iter().map(|x| (x.id.to_string(), x.title.clone())));
    let default_task = p
        .tasks
        .iter()
        .find(|x| matches!(x.step_key.as_deref(), Some("data-import" | "import")))
        .map(|x| x.id.to_string())
        .unwrap_or_default();
    html! {
        details class="add-map" open[st.form == "add_map"] {
            summary { "Add a data map" }
            form method="post" action=(format!("{}/maps", t.base)) enctype="multipart/form-data" class="action" hx-boost="false" {
                (fm.hidden(t.csrf))
                (fm.message())
                (fm.input("name", "Name (what the customer sends, e.g. Customer accounts)", "text", "", true))
                (fm.file("map_file", "Data map file (.json)"))
                (fm.select("task", "The plan task it serves", &tasks, &default_task))
                button type="submit" { "Add the data map" }
            }
        }
    }
}
