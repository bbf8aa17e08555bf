//! The check/export pipeline: header matching, per-cell rules, duplicate keys, and the
//! multi-threaded streaming driver (a reader thread cuts record-aligned chunks, workers check
//! them, the caller's thread merges results in row order).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::fixes::{FixIndex, Fixes};
use crate::formats::StringFormat;
use crate::input::{Input, OpenOptions};
use crate::keymap::KeyMap;
use crate::map::{BlankMeans, DataMap, Field, FieldType, OnUnknown};
use crate::normalize::Normalizer;
use crate::parse::{parse_records_term, Record};
use crate::pattern::Pattern;
use crate::report::{ColumnMatch, Issue, IssueRef, Report, Severity, Tally};
use crate::types::{self, EnumEntry, Typed};
use crate::DataError;

/// Options of a check or an export.
#[derive(Default)]
pub struct CheckOptions {
    pub open: OpenOptions,
    /// Worker threads (default: the number of cores).
    pub threads: Option<usize>,
    /// Called from time to time with (bytes read, file size).
    pub progress: Option<Box<dyn Fn(u64, u64) + Send + Sync>>,
}

/// Where an export writes.
#[derive(Debug, Clone)]
pub struct ExportPaths {
    pub clean: PathBuf,
    pub rejected: PathBuf,
    pub lineage: PathBuf,
}

impl ExportPaths {
    /// `clean.csv` → `clean.rejected.csv`, `clean.lineage.jsonl`.
    pub fn beside(clean: &Path) -> ExportPaths {
        let stem = clean.with_extension("");
        let s = stem.display().to_string();
        ExportPaths {
            clean: clean.to_path_buf(),
            rejected: PathBuf::from(format!("{s}.rejected.csv")),
            lineage: PathBuf::from(format!("{s}.lineage.jsonl")),
        }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExportSummary {
    pub clean_rows: u64,
    pub rejected_rows: u64,
    pub blank_rows_skipped: u64,
    pub neutralised_cells: u64,
    pub clean: String,
    pub rejected: String,
    pub lineage: String,
}

/// Squash a header for matching: lower case, letters and digits only.
pub fn header_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

struct CField {
    field: Field,
    col: Option<usize>,
    normalizers: Vec<Normalizer>,
    regex: Option<Pattern>,
    enum_entries: Option<Vec<EnumEntry>>,
    min: Option<Typed>,
    max: Option<Typed>,
    missing: Vec<String>,
    required: bool,
    blank: Option<BlankMeans>,
    on_unknown: OnUnknown,
    unique: bool,
    /// Output the canonical typed form (dates as ISO, numbers plain).
    canonical_out: bool,
    /// Any text is a value of the type (`string` with the default format, `any`): no casting.
    plain_text: bool,
    /// The messages of a blank cell that needs review, and of a blank required one.
    blank_review_message: String,
    required_message: String,
    /// A key reads the final value (duplicate keys, `unique`, primary key). A check keeps a
    /// field's final value only then (an export keeps every one), and its typed value only
    /// for `unique` and the primary key.
    in_key: bool,
    /// Only duplicate keys read the final value, through a normaliser whose key of a value is
    /// the key of its display form (`company`): a check keeps the value as it came and the key
    /// is made from that, with no display form built first.
    key_from_raw: bool,
    /// Any text is a value and nothing else reads it (no constraint, no normaliser, no key):
    /// a check only looks at whether it is blank.
    only_blank_check: bool,
}

pub(crate) struct Plan {
    fields: Vec<CField>,
    header: Vec<String>,
    ncols: usize,
    dup_groups: Vec<Vec<usize>>,
    pk: Vec<usize>,
    fixes: FixIndex,
    has_unique: bool,
    /// Fields a split or a join makes.
    made: std::collections::HashSet<usize>,
}

/// Match the file's columns to the map's fields.
pub fn match_columns(
    header: &[String],
    map: &DataMap,
) -> (Vec<Option<usize>>, Vec<ColumnMatch>, Vec<Issue>) {
    let mut field_col: Vec<Option<usize>> = vec![None; map.fields.len()];
    let mut cols = Vec::new();
    let mut issues = Vec::new();
    let mut seen_headers: HashMap<String, usize> = HashMap::new();
    let keys: Vec<Vec<String>> = map
        .fields
        .iter()
        .map(|f| {
            let mut k = vec![header_key(&f.name)];
            k.extend(f.source_names.iter().map(|s| header_key(s)));
            if let Some(t) = &f.title {
                k.push(header_key(t));
            }
            k
        })
        .collect();
    for (ci, h) in header.iter().enumerate() {
        let hk = header_key(h);
        let col_name = if h.trim().is_empty() {
            format!("column {}", ci + 1)
        } else {
            h.clone()
        };
        if h.trim().is_empty() {
            issues.push(Issue {
                related: None,
                row: 1,
                column: Some(col_name.clone()),
                field: None,
                rule: "blank-header".into(),
                severity: Severity::Review,
                value: None,
                message: format!(
                    "column {} has no header; give it a name or delete it if it is empty",
                    ci + 1
                ),
            });
        }
        if let Some(prev) = seen_headers.get(&hk) {
            if !hk.is_empty() {
                issues.push(Issue {
                    related: None,
                    row: 1,
                    column: Some(col_name.clone()),
                    field: None,
                    rule: "duplicate-header".into(),
                    severity: Severity::Error,
                    value: Some(h.clone()),
                    message: format!(
                        "the header \"{h}\" appears twice (columns {} and {}); rename or delete one of them",
                        prev + 1,
                        ci + 1
                    ),
                });
            }
        } else {
            seen_headers.insert(hk.clone(), ci);
        }
        let found = keys
            .iter()
            .position(|ks| !hk.is_empty() && ks.contains(&hk));
        match found {
            Some(fi) if field_col[fi].is_none() => {
                field_col[fi] = Some(ci);
                cols.push(ColumnMatch {
                    column: col_name,
                    index: ci,
                    field: Some(map.fields[fi].name.clone()),
                    suggestion: None,
                });
            }
            Some(_) => {
                cols.push(ColumnMatch {
                    column: col_name,
                    index: ci,
                    field: None,
                    suggestion: None,
                });
            }
            None => {
                // Fuzzy suggestion among fields not matched yet.
                let mut best: Option<(usize, f64)> = None;
                for (fi, ks) in keys.iter().enumerate() {
                    for k in ks {
                        let s = strsim::jaro_winkler(&hk, k);
                        if s > best.map_or(0.0, |b| b.1) {
                            best = Some((fi, s));
                        }
                    }
                }
                let suggestion = best
                    .filter(|b| b.1 >= 0.8 && !hk.is_empty())
                    .map(|b| map.fields[b.0].name.clone());
                if !h.trim().is_empty() {
                    let hint = match &suggestion {
                        Some(s) => format!("; it looks like field \"{s}\": add \"{h}\" to that field's sourceNames"),
                        None => "; add it to a field's sourceNames if it should be imported".into(),
                    };
                    issues.push(Issue {
                        related: None,
                        row: 1,
                        column: Some(col_name.clone()),
                        field: None,
                        rule: "unmapped-column".into(),
                        severity: Severity::Review,
                        value: None,
                        message: format!("the column \"{h}\" is not in the data map and will not be imported{hint}"),
                    });
                }
                cols.push(ColumnMatch {
                    column: col_name,
                    index: ci,
                    field: None,
                    suggestion,
                });
            }
        }
    }
    for (fi, f) in map.fields.iter().enumerate() {
        if field_col[fi].is_none() {
            let required = f.constraints.required;
            let names: Vec<&str> = std::iter::once(f.name.as_str())
                .chain(f.source_names.iter().map(String::as_str))
                .collect();
            issues.push(Issue {
                related: None,
                row: 1,
                column: None,
                field: Some(f.name.clone()),
                rule: "missing-column".into(),
                severity: if required {
                    Severity::Error
                } else {
                    Severity::Review
                },
                value: None,
                message: format!(
                    "no column for field \"{}\"{}; add a column headed {}",
                    f.name,
                    if required { " (required)" } else { "" },
                    names
                        .iter()
                        .map(|n| format!("\"{n}\""))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            });
        }
    }
    (field_col, cols, issues)
}

impl Plan {
    pub(crate) fn new(
        map: &DataMap,
        header: &[String],
        fixes: &Fixes,
    ) -> Result<(Plan, Vec<ColumnMatch>, Vec<Issue>), DataError> {
        let (field_col, cols, mut issues) = match_columns(header, map);
        let fix_index = FixIndex::new(fixes, map);
        // A field a split or a join makes needs no column of its own.
        let made = fix_index.derived_fields();
        let made_fields = made.clone();
        issues.retain(|i| {
            i.rule != "missing-column"
                || !i
                    .field
                    .as_deref()
                    .and_then(|f| map.field_index(f))
                    .is_some_and(|fi| made.contains(&fi))
        });
        let mut fields = Vec::new();
        for (fi, f) in map.fields.iter().enumerate() {
            let regex = match (&f.constraints.pattern, f.field_type) {
                (Some(p), FieldType::String) => Some(Pattern::new(
                    crate::limits::compile_pattern(p).map_err(|message| DataError::Map {
                        path: format!("fields[{fi}].constraints.pattern"),
                        message,
                    })?,
                )),
                _ => None,
            };
            let enum_entries = f
                .constraints
                .enum_values
                .as_ref()
                .map(|vs| vs.iter().filter_map(|v| types::enum_value(f, v)).collect());
            let normalizers = f
                .normalize
                .as_ref()
                .map(|n| {
                    n.to_vec()
                        .iter()
                        .filter_map(|s| Normalizer::parse(s))
                        .collect()
                })
                .unwrap_or_default();
            let pk = map
                .primary_key
                .as_ref()
                .map(|p| p.to_vec())
                .unwrap_or_default();
            let in_pk = pk.contains(&f.name);
            fields.push(CField {
                col: field_col[fi],
                normalizers,
                regex,
                enum_entries,
                min: f
                    .constraints
                    .minimum
                    .as_ref()
                    .and_then(|v| types::bound_value(f, v)),
                max: f
                    .constraints
                    .maximum
                    .as_ref()
                    .and_then(|v| types::bound_value(f, v)),
                missing: f
                    .missing_values
                    .clone()
                    .unwrap_or_else(|| map.missing_values.clone()),
                required: f.constraints.required || in_pk,
                blank: f.blank_means,
                on_unknown: f.on_unknown.unwrap_or_default(),
                unique: f.constraints.unique,
                canonical_out: !matches!(f.field_type, FieldType::String | FieldType::Any),
                plain_text: f.field_type == FieldType::Any
                    || (f.field_type == FieldType::String
                        && matches!(f.format.as_deref(), None | Some("default"))),
                in_key: f.constraints.unique || in_pk,
                blank_review_message: format!("\"{}\" is blank; a blank here needs review: enter the value or confirm it is unknown", f.name),
                required_message: format!("\"{}\" is required; enter a value", f.name),
                key_from_raw: false,
                only_blank_check: false,
                field: f.clone(),
            });
        }
        let dup_groups: Vec<Vec<usize>> = map
            .duplicate_keys
            .iter()
            .map(|g| g.iter().filter_map(|n| map.field_index(n)).collect())
            .collect();
        let pk: Vec<usize> = map
            .primary_key
            .as_ref()
            .map(|p| {
                p.to_vec()
                    .iter()
                    .filter_map(|n| map.field_index(n))
                    .collect()
            })
            .unwrap_or_default();
        for &fi in dup_groups.iter().flatten() {
            let f = &mut fields[fi];
            // Not for `unique` or the primary key, which read the display form.
            let other_keys = f.field.constraints.unique || pk.contains(&fi);
            f.key_from_raw = !other_keys && f.normalizers == [Normalizer::Company];
            f.in_key = true;
        }
        for f in &mut fields {
            let c = &f.field.constraints;
            f.only_blank_check = f.plain_text
                && f.enum_entries.is_none()
                && f.regex.is_none()
                && c.min_length.is_none()
                && c.max_length.is_none()
                && f.min.is_none()
                && f.max.is_none()
                && f.normalizers.is_empty()
                && !f.in_key;
        }
        let has_unique = fields.iter().any(|f| f.unique) || !pk.is_empty();
        Ok((
            Plan {
                fields,
                header: header.to_vec(),
                ncols: header.len(),
                dup_groups,
                pk,
                fixes: fix_index,
                made: made_fields,
                has_unique,
            },
            cols,
            issues,
        ))
    }
}

/// A key to be checked against every earlier row (duplicate keys, unique, primary key).
#[derive(Debug, Clone, Copy)]
enum KeyKind {
    Duplicate(u16),
    Unique(u16),
    Primary,
}

struct RowOut {
    row: u64,
    clean: (usize, usize),
    lineage: (usize, usize),
    orig: (usize, usize),
    rejected: bool,
    blank: bool,
}

impl RowOut {
    /// A row that writes nothing to the clean file: rejected, or blank and skipped.
    fn without_output(row: u64, rejected: bool, blank: bool) -> RowOut {
        RowOut {
            row,
            clean: (0, 0),
            lineage: (0, 0),
            orig: (0, 0),
            rejected,
            blank,
        }
    }
}

/// A line of the rejected file: the row, why, and the row's cells as they came.
fn write_rejected(target: &mut Vec<u8>, row: u64, reasons: &str, rec: &Record, buf: &[u8]) {
    target.extend_from_slice(row.to_string().as_bytes());
    target.push(b',');
    write_csv_field(target, reasons);
    for c in 0..rec.len() {
        target.push(b',');
        write_csv_field(
            target,
            &String::from_utf8_lossy(rec.get(buf, c).unwrap_or(b"")),
        );
    }
    target.push(b'\n');
}

#[derive(Default)]
struct ChunkResult<'p> {
    rows: u64,
    bytes: u64,
    issues: Issues<'p>,
    keys: Vec<(u64, KeyKind, u64)>,
    // Export only.
    outs: Vec<RowOut>,
    clean: Vec<u8>,
    lineage: Vec<u8>,
    rejected: Vec<u8>,
    orig: Vec<u8>,
    neutralised: u64,
    /// Rows left out by a fix (merged ones among them).
    excluded: u64,
    merged: u64,
    /// A record over the budgets: the file is refused with this message.
    fatal: Option<String>,
}

impl<'p> ChunkResult<'p> {
    /// Emptied, its buffers kept for another chunk: on a large file each chunk's issues, keys
    /// and output are half a megabyte or more, and fresh memory for every chunk cost more in
    /// page faults (the kernel clearing the pages) than filling it.
    fn recycled(mut self) -> ChunkResult<'p> {
        self.issues.list.clear();
        self.issues.text.clear();
        self.keys.clear();
        self.outs.clear();
        self.clean.clear();
        self.lineage.clear();
        self.rejected.clear();
        self.orig.clear();
        ChunkResult {
            issues: self.issues,
            keys: self.keys,
            outs: self.outs,
            clean: self.clean,
            lineage: self.lineage,
            rejected: self.rejected,
            orig: self.orig,
            ..ChunkResult::default()
        }
    }
}

struct Ctx<'a> {
    plan: &'a Plan,
    delim: u8,
    quote: u8,
    term: u8,
    export: bool,
    /// Budgets of one record: columns, bytes, bytes of one cell.
    max_columns: usize,
    max_record: usize,
    max_cell: usize,
}

/// A record over the budgets, said with its row: columns, bytes of the record, of one cell.
fn record_over_budget(ctx: &Ctx<'_>, rec: &Record, row: u64) -> Option<String> {
    use crate::limits::{bytes, thousands};
    // No cell is longer than the record it is in (quotes and escapes removed, it is shorter):
    // a record within one cell's budget needs no look at each cell.
    if rec.len() <= ctx.max_columns
        && rec.byte_len() <= ctx.max_record
        && rec.byte_len() <= ctx.max_cell
    {
        return None;
    }
    if rec.len() > ctx.max_columns {
        return Some(format!(
            "row {} has {} columns, more than the limit of {}",
            thousands(row),
            thousands(rec.len() as u64),
            thousands(ctx.max_columns as u64)
        ));
    }
    if rec.byte_len() > ctx.max_record {
        return Some(format!(
            "row {} takes {}, more than the limit of {} for one record; is a quote left open?",
            thousands(row),
            bytes(rec.byte_len() as u64),
            bytes(ctx.max_record as u64)
        ));
    }
    let longest = rec.longest_field();
    if longest > ctx.max_cell {
        return Some(format!(
            "row {} has a cell of {}, more than the limit of {} for one cell",
            thousands(row),
            bytes(longest as u64),
            bytes(ctx.max_cell as u64)
        ));
    }
    None
}

/// Text of an issue as a worker keeps it: borrowed from the plan (a header, a field's name, a
/// message written once per field) or a range of its chunk's text arena (a value, a message
/// about it). So an issue costs no allocation of its own on a worker, and nothing to free on
/// the merging thread, which writes it out straight from there.
#[derive(Debug, Clone, Copy)]
enum Text<'p> {
    Plan(&'p str),
    Arena(usize, usize),
}

/// An issue as the engine holds it until it is handed out as an [`IssueRef`].
#[derive(Debug, Clone, Copy)]
struct RawIssue<'p> {
    row: u64,
    related: Option<u64>,
    column: Option<Text<'p>>,
    field: Option<Text<'p>>,
    rule: &'static str,
    severity: Severity,
    value: Option<Text<'p>>,
    message: Text<'p>,
}

/// Issues in row order and the text they hold.
#[derive(Debug, Default)]
struct Issues<'p> {
    list: Vec<RawIssue<'p>>,
    text: String,
}

impl<'p> Issues<'p> {
    fn text(&mut self, s: &str) -> Text<'p> {
        let start = self.text.len();
        self.text.push_str(s);
        Text::Arena(start, self.text.len())
    }

    fn format(&mut self, args: std::fmt::Arguments<'_>) -> Text<'p> {
        let start = self.text.len();
        // Writing to a String cannot fail.
        let _ = std::fmt::Write::write_fmt(&mut self.text, args);
        Text::Arena(start, self.text.len())
    }

    fn get<'s>(&'s self, t: Text<'p>) -> &'s str
    where
        'p: 's,
    {
        match t {
            Text::Plan(s) => s,
            Text::Arena(a, b) => self.text.get(a..b).unwrap_or_default(),
        }
    }

    fn view<'s>(&'s self, i: &RawIssue<'p>) -> IssueRef<'s>
    where
        'p: 's,
    {
        IssueRef {
            row: i.row,
            column: i.column.map(|t| self.get(t)),
            field: i.field.map(|t| self.get(t)),
            rule: i.rule,
            severity: i.severity,
            value: i.value.map(|t| self.get(t)),
            message: self.get(i.message),
            related: i.related,
        }
    }

    /// An issue about the row as a whole.
    fn row(&mut self, row: u64, rule: &'static str, severity: Severity, message: &'static str) {
        self.list.push(RawIssue {
            row,
            related: None,
            column: None,
            field: None,
            rule,
            severity,
            value: None,
            message: Text::Plan(message),
        });
    }

    /// An issue about a cell of field `f`: its column and field are the plan's.
    #[allow(clippy::too_many_arguments)]
    fn cell(
        &mut self,
        row: u64,
        f: &'p CField,
        plan: &'p Plan,
        rule: &'static str,
        severity: Severity,
        value: Option<&str>,
        message: Text<'p>,
    ) {
        let value = value.map(|v| self.text(v));
        self.list.push(RawIssue {
            row,
            related: None,
            column: f
                .col
                .and_then(|c| plan.header.get(c))
                .map(|h| Text::Plan(h.as_str())),
            field: Some(Text::Plan(&f.field.name)),
            rule,
            severity,
            value,
            message,
        });
    }

    /// [`Issues::cell`] with its message written from `args`.
    #[allow(clippy::too_many_arguments)]
    fn cell_fmt(
        &mut self,
        row: u64,
        f: &'p CField,
        plan: &'p Plan,
        rule: &'static str,
        severity: Severity,
        value: Option<&str>,
        args: std::fmt::Arguments<'_>,
    ) {
        let message = self.format(args);
        self.cell(row, f, plan, rule, severity, value, message);
    }
}

/// Cell outcome: whether it was blank and whether it failed. (The final value goes to `out`
/// and the typed value to `typed_out`, written in place: a `Typed` returned inside this
/// struct was copied twice per cell.)
struct Cell {
    missing: bool,
    error: bool,
}

#[allow(clippy::too_many_arguments)]
fn check_cell<'p>(
    ctx: &Ctx<'p>,
    re: Option<&Pattern>,
    fi: usize,
    f: &'p CField,
    row: u64,
    value: &str,
    out: &mut String,
    issues: &mut Issues<'p>,
    memo: &mut Memo,
    typed_out: &mut Option<Typed>,
) -> Cell {
    let plan = ctx.plan;
    out.clear();
    if f.missing.iter().any(|m| m == value) {
        let sev_rule = match (f.required, f.blank) {
            (_, Some(BlankMeans::NeedsReview)) => Some((Severity::Review, "needs-review")),
            (true, _) | (false, Some(BlankMeans::Error)) => Some((Severity::Error, "required")),
            _ => None,
        };
        let mut error = false;
        if let Some((sev, rule)) = sev_rule {
            error = sev == Severity::Error;
            // The same words for every blank of the field: written once, borrowed per cell.
            let msg = Text::Plan(if sev == Severity::Review {
                &f.blank_review_message
            } else {
                &f.required_message
            });
            issues.cell(row, f, plan, rule, sev, Some(value), msg);
        }
        return Cell {
            missing: true,
            error,
        };
    }
    // Type.
    let date_reading = (f.field.field_type == FieldType::Date)
        .then(|| {
            plan.fixes.date_reading[fi]
                .as_ref()
                .map(|(f, _)| f.as_str())
        })
        .flatten();
    let typed = if f.field.field_type == FieldType::Date
        && (date_reading.is_some() || !f.field.date_formats.is_empty())
    {
        let formats: Vec<&str> = match date_reading {
            Some(fmt) => vec![fmt],
            None => f.field.date_formats.iter().map(String::as_str).collect(),
        };
        let mut readings: Vec<(chrono::NaiveDate, &str)> = Vec::new();
        for fmt in &formats {
            if let Some(d) = types::parse_date_with(value.trim(), fmt) {
                if !readings.iter().any(|(r, _)| *r == d) {
                    readings.push((d, fmt));
                }
            }
        }
        if readings.len() > 1 {
            let list = readings
                .iter()
                .map(|(d, fmt)| format!("{d} ({fmt})"))
                .collect::<Vec<_>>()
                .join(" or ");
            issues.cell_fmt(row, f, plan, "ambiguous-date", Severity::Review, Some(value), format_args!("\"{value}\" can be read as {list}; choose one reading of dates for the whole file, or fix the cell"));
        }
        readings.first().map(|(d, _)| Typed::Date(*d))
    } else if f.plain_text {
        Some(Typed::Str)
    } else {
        types::cast(&f.field, value)
    };
    let Some(typed) = typed else {
        let format = (f.field.field_type == FieldType::String)
            .then(|| StringFormat::parse(f.field.format.as_deref()))
            .flatten();
        if let Some(format) = format {
            let problem = format.problem(value).unwrap_or_default();
            issues.cell_fmt(
                row,
                f,
                plan,
                "type",
                Severity::Error,
                Some(value),
                format_args!(
                    "\"{value}\" is not {} ({problem}); {}{}",
                    format.noun(),
                    format.hint(),
                    (format == StringFormat::Email)
                        .then(|| crate::typos::email_suggestion(value))
                        .flatten()
                        .map(|meant| format!(" (did you mean {meant}?)"))
                        .unwrap_or_default()
                ),
            );
            return Cell {
                missing: false,
                error: true,
            };
        }
        let hint = match f.field.field_type {
            FieldType::Date => match f.field.format.as_deref() {
                None | Some("default") if f.field.date_formats.is_empty() => {
                    "write the date as YYYY-MM-DD, such as 2025-03-31".to_string()
                }
                _ => format!(
                    "write the date as {}",
                    if f.field.date_formats.is_empty() {
                        f.field.format.clone().unwrap_or_default()
                    } else {
                        f.field.date_formats.join(" or ")
                    }
                ),
            },
            FieldType::Integer => "enter a whole number".into(),
            FieldType::Number => "enter a number".into(),
            FieldType::Boolean => "enter true or false".into(),
            t => format!("enter a {}", t.as_str()),
        };
        issues.cell_fmt(
            row,
            f,
            plan,
            "type",
            Severity::Error,
            Some(value),
            format_args!(
                "\"{value}\" is not a {}; {hint}",
                f.field.field_type.as_str()
            ),
        );
        return Cell {
            missing: false,
            error: true,
        };
    };
    let mut error = false;
    // Constraints.
    if let Some(entries) = &f.enum_entries {
        let ok = match typed {
            Typed::Str => entries.iter().any(|e| e.text == value),
            _ => entries.iter().any(|e| e.typed.eq_typed(&typed)),
        };
        if !ok {
            let best = crate::typos::closest(
                value,
                entries.iter().map(|e| (e, e.text.as_str())),
                crate::typos::ALLOWED_VALUE_CLOSENESS,
            )
            .map(|e| format!(" Did you mean \"{}\"?", e.text))
            .unwrap_or_default();
            let allowed = entries
                .iter()
                .map(|e| e.text.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let sev = if f.on_unknown == OnUnknown::Review {
                Severity::Review
            } else {
                Severity::Error
            };
            error |= sev == Severity::Error;
            issues.cell_fmt(row, f, plan, "enum", sev, Some(value), format_args!("\"{value}\" is not one of the allowed values ({allowed}); use one of them, or replace it with one everywhere it appears.{best}"));
        }
    }
    if let Some(re) = re {
        if !re.is_match(value) {
            error = true;
            let what = if f.normalizers.contains(&Normalizer::Email) {
                match crate::typos::email_suggestion(value) {
                    Some(meant) => format!(
                        "an e-mail address such as name@example.com (did you mean {meant}?)"
                    ),
                    None => "an e-mail address such as name@example.com".to_string(),
                }
            } else {
                format!(
                    "text matching {}",
                    f.field.constraints.pattern.as_deref().unwrap_or("")
                )
            };
            issues.cell_fmt(
                row,
                f,
                plan,
                "pattern",
                Severity::Error,
                Some(value),
                format_args!("\"{value}\" is not {what}; correct it"),
            );
        }
    }
    if f.field.field_type == FieldType::String
        && (f.field.constraints.min_length.is_some() || f.field.constraints.max_length.is_some())
    {
        let n = value.chars().count();
        if let Some(min) = f.field.constraints.min_length {
            if n < min {
                error = true;
                issues.cell_fmt(
                    row,
                    f,
                    plan,
                    "minLength",
                    Severity::Error,
                    Some(value),
                    format_args!("\"{value}\" is {n} characters long; it needs at least {min}"),
                );
            }
        }
        if let Some(max) = f.field.constraints.max_length {
            if n > max {
                error = true;
                issues.cell_fmt(
                    row,
                    f,
                    plan,
                    "maxLength",
                    Severity::Error,
                    Some(value),
                    format_args!("\"{value}\" is {n} characters long; shorten it to at most {max}"),
                );
            }
        }
    }
    if let Some(min) = &f.min {
        if typed.lt(min) || matches!(typed, Typed::Num(n) if n.is_nan()) {
            error = true;
            issues.cell_fmt(
                row,
                f,
                plan,
                "minimum",
                Severity::Error,
                Some(value),
                format_args!(
                    "\"{value}\" is below the minimum {}",
                    f.field
                        .constraints
                        .minimum
                        .as_ref()
                        .map(|v| v.to_string())
                        .unwrap_or_default()
                ),
            );
        }
    }
    if let Some(max) = &f.max {
        if typed.gt(max) || matches!(typed, Typed::Num(n) if n.is_nan()) {
            error = true;
            issues.cell_fmt(
                row,
                f,
                plan,
                "maximum",
                Severity::Error,
                Some(value),
                format_args!(
                    "\"{value}\" is above the maximum {}",
                    f.field
                        .constraints
                        .maximum
                        .as_ref()
                        .map(|v| v.to_string())
                        .unwrap_or_default()
                ),
            );
        }
    }
    // Normalise.
    if f.normalizers.is_empty() {
        if f.canonical_out && ctx.export {
            typed.canonical_into(value, out);
        } else if ctx.export || f.in_key {
            out.push_str(value);
        }
    } else if f.key_from_raw && !ctx.export {
        // `company` never has a problem, and the key is the same from the value as it came.
        out.push_str(value);
    } else if !ctx.export && !f.in_key && (error || !f.normalizers.iter().any(|n| n.can_fail())) {
        // Nothing would read the display form, nor a problem with it: the cell has an error
        // already, or its normalisers never have one (`person`, `trim`, case).
    } else {
        let problem = memo.normalise(&f.normalizers, value, out, ctx.export || f.in_key);
        if let Some(p) = problem {
            if !error {
                issues.cell_fmt(
                    row,
                    f,
                    plan,
                    p.rule,
                    Severity::Review,
                    Some(value),
                    format_args!("{}", p.message),
                );
            }
        }
    }
    // Only `unique` and the primary key read the typed value: other fields skip a wide copy
    // of a value just written (it stalled every cell), and text needs no copy at all.
    if f.in_key {
        *typed_out = Some(if f.plain_text { Typed::Str } else { typed });
    }
    Cell {
        missing: false,
        error,
    }
}

/// A per-worker, per-field cache of normalised values: customer columns such as country,
/// owner or status repeat a few values; the cache switches itself off when values do not repeat.
/// It is keyed by the value's one-shot xxh3 (cheaper than hashing through `Hasher`), and holds
/// the value itself to confirm a hit; of two values with one hash, only the first is cached.
type MemoMap = HashMap<
    u64,
    (String, String, Option<crate::normalize::NormalizeProblem>),
    BuildHasherDefault<IdHasher>,
>;

#[derive(Default)]
struct Memo {
    map: MemoMap,
    lookups: u64,
    hits: u64,
    off: bool,
    cur: String,
}

impl Memo {
    const CAP: usize = 4096;

    /// The problem of normalising `value` with `ns`, and with `want_out` its display form in
    /// `out` (without, `out` is left as it is: a check reads the display form only for a key).
    fn normalise(
        &mut self,
        ns: &[Normalizer],
        value: &str,
        out: &mut String,
        want_out: bool,
    ) -> Option<crate::normalize::NormalizeProblem> {
        let mut key = None;
        if !self.off {
            self.lookups += 1;
            let h = hash128(value);
            if let Some((k, v, p)) = self.map.get(&h) {
                if k == value {
                    self.hits += 1;
                    if want_out {
                        out.clear();
                        out.push_str(v);
                    }
                    return p.clone();
                }
            } else {
                key = Some(h);
            }
            if self.lookups == 2000 && self.hits * 2 < self.lookups {
                self.off = true;
                self.map = MemoMap::default();
                key = None;
            }
        }
        if let (false, [n]) = (want_out, ns) {
            let problem = n.check(value, &mut self.cur).err();
            if let Some(h) = key.filter(|_| self.map.len() < Self::CAP) {
                self.map
                    .insert(h, (value.to_string(), String::new(), problem.clone()));
            }
            return problem;
        }
        let mut problem = None;
        self.cur.clear();
        self.cur.push_str(value);
        for n in ns {
            if let Err(p) = n.apply(&self.cur, out) {
                problem.get_or_insert(p);
            }
            std::mem::swap(&mut self.cur, out);
        }
        std::mem::swap(&mut self.cur, out);
        if let Some(h) = key.filter(|_| self.map.len() < Self::CAP) {
            self.map
                .insert(h, (value.to_string(), out.clone(), problem.clone()));
        }
        problem
    }
}

fn hash128(s: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(s.as_bytes())
}

/// Formula-injection guard (OWASP "CSV injection"), applied to every cell of every CSV the
/// engine writes (clean rows, rejected rows, headers, reasons) and to the final values in the
/// lineage: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return, or with the
/// full-width `＝ ＋ － ＠` that some spreadsheet inputs fold to their ASCII forms, gets a leading
/// `'` so a spreadsheet shows it as text and never evaluates it.
///
/// One exception, on purpose: a `+` or `-` followed only by digits, spaces and dots, with an
/// optional ` x` extension — a signed number (`-12.5`) or a phone number (`+1 555 0100`,
/// `+12015550123 x45`). A spreadsheet can only read such a cell as a number (or an error), never
/// as a call or a link, and prefixing it would turn every negative number of a typed number
/// column into text. `+1+1`, `-2+3`, `-1e5`, `+1-555-0100` are prefixed.
pub fn neutralise_formula(v: &str) -> Cow<'_, str> {
    let Some(first) = v.chars().next() else {
        return Cow::Borrowed(v);
    };
    if !matches!(
        first,
        '=' | '+' | '-' | '@' | '\t' | '\r' | '\u{FF1D}' | '\u{FF0B}' | '\u{FF0D}' | '\u{FF20}'
    ) {
        return Cow::Borrowed(v);
    }
    if (first == '+' || first == '-') && is_signed_number_or_phone(&v[1..]) {
        return Cow::Borrowed(v);
    }
    Cow::Owned(format!("'{v}"))
}

/// `12.5`, `1 555 0100`, `12015550123 x45`: digits first, then digits, spaces and dots, and an
/// optional ` x` and digits.
fn is_signed_number_or_phone(rest: &str) -> bool {
    let (main, ext) = match rest.split_once(" x") {
        Some((m, e)) => (m, Some(e)),
        None => (rest, None),
    };
    main.bytes().next().is_some_and(|c| c.is_ascii_digit())
        && main
            .bytes()
            .all(|c| c.is_ascii_digit() || c == b'.' || c == b' ')
        && ext.is_none_or(|e| !e.is_empty() && e.bytes().all(|c| c.is_ascii_digit()))
}

/// [`neutralise_formula`], as `Some(prefixed)` only when the cell changes.
pub fn neutralise(v: &str) -> Option<String> {
    match neutralise_formula(v) {
        Cow::Owned(s) => Some(s),
        Cow::Borrowed(_) => None,
    }
}

/// Write one CSV line of `cells`, each neutralised and quoted as [`write_csv_field`] does.
pub fn write_csv_line(out: &mut Vec<u8>, cells: &[String]) {
    for (i, v) in cells.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_csv_field(out, v);
    }
    out.push(b'\n');
}

/// Write one CSV cell, neutralised against formula injection ([`neutralise_formula`]) and
/// quoted when needed. Every CSV cell the engine writes goes through here.
fn write_csv_field(out: &mut Vec<u8>, v: &str) {
    let v: &str = &neutralise_formula(v);
    if v.bytes().any(|c| matches!(c, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        for c in v.bytes() {
            if c == b'"' {
                out.push(b'"');
            }
            out.push(c);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(v.as_bytes());
    }
}

fn write_json_str(out: &mut Vec<u8>, v: &str) {
    // Most cells need no escaping: quote them as they are.
    if !v.bytes().any(|c| c == b'"' || c == b'\\' || c < 0x20) {
        out.push(b'"');
        out.extend_from_slice(v.as_bytes());
        out.push(b'"');
        return;
    }
    // serde_json escapes correctly; writing to a Vec cannot fail.
    if serde_json::to_writer(&mut *out, v).is_err() {
        out.extend_from_slice(b"\"\"");
    }
}

/// What a worker thread keeps from chunk to chunk: its own copies of the patterns (a `Regex`
/// shared by threads hands out its search cache through a lock every call, while each clone has
/// its own), and its normalisation memos, which learn once per worker whether a column repeats.
struct Worker {
    regexes: Vec<Option<Pattern>>,
    memos: Vec<Memo>,
}

impl Worker {
    fn new(plan: &Plan) -> Worker {
        Worker {
            regexes: plan.fields.iter().map(|f| f.regex.clone()).collect(),
            memos: plan.fields.iter().map(|_| Memo::default()).collect(),
        }
    }
}

fn process_chunk<'p>(
    ctx: &Ctx<'p>,
    worker: &mut Worker,
    chunk: &[u8],
    first_row: u64,
    mut res: ChunkResult<'p>,
) -> ChunkResult<'p> {
    let plan = ctx.plan;
    res.bytes = chunk.len() as u64;
    if ctx.export {
        // The clean rows are about the size of the source, the lineage about twice: sized once,
        // the buffers do not grow by copying.
        res.clean.reserve(chunk.len() + chunk.len() / 8);
        res.lineage.reserve(chunk.len() * 2);
    }
    let mut local = 0u64;
    let mut norm = String::new();
    let mut finals: Vec<String> = vec![String::new(); plan.fields.len()];
    // The source text of each cell (export only), in buffers reused row after row.
    let mut origs: Vec<String> = vec![String::new(); plan.fields.len()];
    let mut has_orig: Vec<bool> = vec![false; plan.fields.len()];
    let mut fix_used: Vec<Option<usize>> = vec![None; plan.fields.len()];
    let mut missing: Vec<bool> = vec![false; plan.fields.len()];
    let mut typed_vals: Vec<Option<Typed>> = vec![None; plan.fields.len()];
    let mut keybuf = String::new();
    // A transformed value, in a buffer reused cell after cell.
    let mut scratch = String::new();
    // The cells of a row that splits and joins make, by field.
    let mut derived: Vec<Option<(String, usize)>> = vec![None; plan.fields.len()];
    let chunk_str = std::str::from_utf8(chunk).ok();
    let Worker { regexes, memos } = worker;
    parse_records_term(
        chunk,
        ctx.delim,
        ctx.quote,
        ctx.term,
        |rec: &Record, buf: &[u8]| {
            let row = first_row + local + 2;
            local += 1;
            if res.fatal.is_some() {
                return;
            }
            if let Some(m) = record_over_budget(ctx, rec, row) {
                res.fatal = Some(m);
                return;
            }
            // This row's issues are the list's from here on.
            let first_issue = res.issues.list.len();
            if let Some(&fix) = plan.fixes.excluded.get(&row) {
                res.excluded += 1;
                res.merged += u64::from(plan.fixes.merges.contains(&fix));
                if ctx.export {
                    write_rejected(&mut res.rejected, row, &plan.fixes.labels[fix], rec, buf);
                    res.outs.push(RowOut::without_output(row, true, false));
                }
                return;
            }
            if rec.is_blank() {
                res.issues.row(
                    row,
                    "blank-row",
                    Severity::Review,
                    "the row is blank; it will be skipped on export (delete it to silence this)",
                );
                if ctx.export {
                    res.outs.push(RowOut::without_output(row, false, true));
                }
                return;
            }
            let mut row_error = false;
            if rec.unclosed_quote {
                row_error = true;
                res.issues.row(row, "unclosed-quote", Severity::Error, "a quoted value is never closed, so the rest of the file was read as one cell; add the missing closing quote");
            }
            if rec.embedded_newline {
                res.issues.row(row, "embedded-newline", Severity::Review, "a cell of this row holds a line break; check it was meant (export keeps it, quoted)");
            }
            let n = rec.len();
            if n > plan.ncols {
                for c in plan.ncols..n {
                    let issues = &mut res.issues;
                    let v = String::from_utf8_lossy(rec.get(buf, c).unwrap_or(b""));
                    row_error = true;
                    let column = Some(issues.format(format_args!("column {}", c + 1)));
                    let value = Some(issues.text(&v));
                    let message = issues.format(format_args!("the row has {n} cells but the header has {}; a value is probably split by an unquoted delimiter — quote it or remove the extra cell", plan.ncols));
                    issues.list.push(RawIssue {
                        row,
                        related: None,
                        column,
                        field: None,
                        rule: "extra-cell",
                        severity: Severity::Error,
                        value,
                        message,
                    });
                }
            }
            if !plan.fixes.derivations.is_empty() {
                derived.iter_mut().for_each(|d| *d = None);
                let mut source = |fi: usize| {
                    plan.fields[fi]
                        .col
                        .and_then(|c| rec.get(buf, c))
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                        .unwrap_or_default()
                };
                plan.fixes.derive(row, &mut source, &mut derived);
            }
            for (fi, f) in plan.fields.iter().enumerate() {
                finals[fi].clear();
                missing[fi] = true;
                // Read by an export, and by `unique` and the primary key, only.
                if ctx.export {
                    has_orig[fi] = false;
                    fix_used[fi] = None;
                }
                if plan.has_unique {
                    typed_vals[fi] = None;
                }
                // A column made by a split or a join: its value comes from the others.
                let made = if plan.fixes.derivations.is_empty() {
                    None
                } else {
                    derived.get_mut(fi).and_then(Option::take)
                };
                let made_by = made.as_ref().map(|(_, i)| *i);
                let text: std::borrow::Cow<'_, str> = if let Some((v, _)) = made {
                    v.into()
                } else if f.col.is_none() && plan.made.contains(&fi) {
                    // Nothing made it for this row: checked as empty (required says so).
                    "".into()
                } else {
                    let Some(c) = f.col else { continue };
                    let Some(raw) = rec.get_str(buf, chunk_str, c) else {
                        row_error = true;
                        if f.required {
                            res.issues.cell_fmt(row, f, plan, "required", Severity::Error, None, format_args!("\"{}\" is required; the row is too short to hold it — add the missing cells", f.field.name));
                        }

                        res.issues.cell_fmt(row, f, plan, "missing-cell", Severity::Error, None, format_args!("the row has {n} cells but the header has {}; the cell for \"{}\" is missing — add it", plan.ncols, f.field.name));
                        continue;
                    };
                    match raw {
                        Ok(s) => s.into(),
                        Err(raw) => {
                            let s = String::from_utf8_lossy(raw);
                            res.issues.cell(row, f, plan, "encoding", Severity::Review, Some(&s), Text::Plan("the cell has bytes that are not valid text (UTF-8); check the characters marked �"));
                            s
                        }
                    }
                };
                let value: &str = if plan.fixes.is_empty() {
                    &text
                } else {
                    let (v, used) = plan.fixes.apply(row, fi, &text, &f.missing, &mut scratch);
                    fix_used[fi] = used.or(made_by);
                    v
                };
                let cell =
                    if f.only_blank_check && !ctx.export && !f.missing.iter().any(|m| m == value) {
                        // What `check_cell` would find: a value, no issue, nothing kept.
                        Cell {
                            missing: false,
                            error: false,
                        }
                    } else {
                        check_cell(
                            ctx,
                            regexes[fi].as_ref(),
                            fi,
                            f,
                            row,
                            value,
                            &mut norm,
                            &mut res.issues,
                            &mut memos[fi],
                            &mut typed_vals[fi],
                        )
                    };
                row_error |= cell.error;
                missing[fi] = cell.missing;
                if ctx.export || f.in_key {
                    std::mem::swap(&mut finals[fi], &mut norm);
                }
                if ctx.export && made_by.is_none() {
                    origs[fi].clear();
                    origs[fi].push_str(&text);
                    has_orig[fi] = true;
                }
            }
            // Keys checked against all earlier rows by the merger.
            for (g, group) in plan.dup_groups.iter().enumerate() {
                keybuf.clear();
                let mut complete = true;
                for (k, &fi) in group.iter().enumerate() {
                    if missing[fi] {
                        complete = false;
                        break;
                    }
                    if k > 0 {
                        keybuf.push('\u{1f}');
                    }
                    let f = &plan.fields[fi];
                    match f.normalizers.last() {
                        Some(n) => n.key(&finals[fi], &mut keybuf),
                        None => Normalizer::Lower.key(finals[fi].trim(), &mut keybuf),
                    }
                }
                if complete && !keybuf.is_empty() {
                    res.keys
                        .push((row, KeyKind::Duplicate(g as u16), hash128(&keybuf)));
                }
            }
            if plan.has_unique {
                for (fi, f) in plan.fields.iter().enumerate() {
                    if f.unique && !missing[fi] {
                        if let Some(t) = &typed_vals[fi] {
                            let raw_final = finals[fi].clone();
                            let key = format!("{fi}\u{1f}{}", t.canonical(&raw_final));
                            res.keys
                                .push((row, KeyKind::Unique(fi as u16), hash128(&key)));
                        }
                    }
                }
                if !plan.pk.is_empty() {
                    keybuf.clear();
                    for &fi in &plan.pk {
                        keybuf.push_str(
                            &typed_vals[fi]
                                .as_ref()
                                .map(|t| t.canonical(&finals[fi]))
                                .unwrap_or_default(),
                        );
                        keybuf.push('\u{1f}');
                    }
                    res.keys.push((row, KeyKind::Primary, hash128(&keybuf)));
                }
            }
            if ctx.export {
                let orig_start = res.orig.len();
                if plan.has_unique || row_error {
                    let reasons: Vec<String> = res.issues.list[first_issue..]
                        .iter()
                        .filter(|i| i.severity == Severity::Error)
                        .map(|i| {
                            let i = res.issues.view(i);
                            format!("{}: {}", i.field.or(i.column).unwrap_or("row"), i.message)
                        })
                        .collect();
                    let target = if row_error {
                        &mut res.rejected
                    } else {
                        &mut res.orig
                    };
                    write_rejected(target, row, &reasons.join("; "), rec, buf);
                }
                let orig_end = res.orig.len();
                if row_error {
                    res.outs.push(RowOut::without_output(row, true, false));
                } else {
                    let cs = res.clean.len();
                    let ls = res.lineage.len();
                    res.lineage.extend_from_slice(b"\"source_row\":");
                    res.lineage.extend_from_slice(row.to_string().as_bytes());
                    res.lineage.extend_from_slice(b",\"cells\":[");
                    for (fi, f) in plan.fields.iter().enumerate() {
                        if fi > 0 {
                            res.clean.push(b',');
                            res.lineage.push(b',');
                        }
                        let fin = &finals[fi];
                        let neutral = neutralise(fin);
                        if neutral.is_some() {
                            res.neutralised += 1;
                        }
                        let shown = neutral.as_deref().unwrap_or(fin);
                        write_csv_field(&mut res.clean, shown);
                        let unchanged = fix_used[fi].is_none()
                            && f.col.is_some()
                            && has_orig[fi]
                            && origs[fi] == shown;
                        if unchanged {
                            // Compact form: the original value, unchanged and unfixed.
                            write_json_str(&mut res.lineage, shown);
                            continue;
                        }
                        res.lineage.push(b'[');
                        match (has_orig[fi], f.col) {
                            (true, Some(_)) => write_json_str(&mut res.lineage, &origs[fi]),
                            _ => res.lineage.extend_from_slice(b"null"),
                        }
                        res.lineage.push(b',');
                        match fix_used[fi] {
                            Some(i) => res.lineage.extend_from_slice(i.to_string().as_bytes()),
                            None => res.lineage.extend_from_slice(b"null"),
                        }
                        res.lineage.push(b',');
                        write_json_str(&mut res.lineage, shown);
                        res.lineage.push(b']');
                    }
                    res.clean.push(b'\n');
                    res.lineage.extend_from_slice(b"]}\n");
                    res.outs.push(RowOut {
                        row,
                        clean: (cs, res.clean.len()),
                        lineage: (ls, res.lineage.len()),
                        orig: (orig_start, orig_end),
                        rejected: false,
                        blank: false,
                    });
                }
            }
            if !plan.fixes.accepted.is_empty() {
                // Keep this row's issues but the accepted ones (their text stays, unused).
                let list = &mut res.issues.list;
                let mut kept = first_issue;
                for k in first_issue..list.len() {
                    let i = list[k];
                    if i.severity == Severity::Error || !plan.fixes.is_accepted(row, i.rule) {
                        list[kept] = i;
                        kept += 1;
                    }
                }
                list.truncate(kept);
            }
        },
    );
    res.rows = local;
    res
}

#[derive(Default)]
struct IdHasher(u64);
impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = i;
    }
}

struct Writers {
    clean: std::io::BufWriter<std::fs::File>,
    rejected: std::io::BufWriter<std::fs::File>,
    lineage: std::io::BufWriter<std::fs::File>,
    out_row: u64,
    rejected_rows: u64,
    blank: u64,
    neutralised: u64,
}

fn create(path: &Path) -> Result<std::io::BufWriter<std::fs::File>, DataError> {
    std::fs::File::create(path)
        .map(|f| std::io::BufWriter::with_capacity(1 << 20, f))
        .map_err(|e| DataError::Io {
            path: path.display().to_string(),
            source: e,
        })
}

/// Check a file against a map, collecting every issue into the report.
pub fn check(
    path: &Path,
    map: &DataMap,
    fixes: &Fixes,
    opts: &CheckOptions,
) -> Result<Report, DataError> {
    let mut issues = Vec::new();
    let mut report = check_with_refs(path, map, fixes, opts, &mut |i: &IssueRef<'_>| {
        issues.push(i.to_issue())
    })?;
    report.issues = issues;
    Ok(report)
}

/// Check a file against a map, handing each issue to `sink` in row order (memory stays flat).
pub fn check_with(
    path: &Path,
    map: &DataMap,
    fixes: &Fixes,
    opts: &CheckOptions,
    sink: &mut dyn FnMut(&Issue),
) -> Result<Report, DataError> {
    check_with_refs(path, map, fixes, opts, &mut |i: &IssueRef<'_>| {
        sink(&i.to_issue())
    })
}

/// [`check_with`], handing each issue borrowed: a sink that writes issues out, or counts them
/// and keeps a few, copies none of the others.
pub fn check_with_refs(
    path: &Path,
    map: &DataMap,
    fixes: &Fixes,
    opts: &CheckOptions,
    sink: &mut dyn FnMut(&IssueRef<'_>),
) -> Result<Report, DataError> {
    run(path, map, fixes, opts, sink, None).map(|(r, _)| r)
}

/// Export the clean file, the rejected rows and the lineage; returns the check report too.
pub fn export(
    path: &Path,
    map: &DataMap,
    fixes: &Fixes,
    opts: &CheckOptions,
    out: &ExportPaths,
    sink: &mut dyn FnMut(&Issue),
) -> Result<(Report, ExportSummary), DataError> {
    let (r, s) = run(
        path,
        map,
        fixes,
        opts,
        &mut |i: &IssueRef<'_>| sink(&i.to_issue()),
        Some(out),
    )?;
    match s {
        Some(s) => Ok((r, s)),
        None => Err(DataError::Unusable {
            path: path.display().to_string(),
            message: "export produced nothing".into(),
        }),
    }
}

fn run(
    path: &Path,
    map: &DataMap,
    fixes: &Fixes,
    opts: &CheckOptions,
    sink: &mut dyn FnMut(&IssueRef<'_>),
    export: Option<&ExportPaths>,
) -> Result<(Report, Option<ExportSummary>), DataError> {
    fixes.validate(map)?;
    let mut input = Input::open(path, &opts.open)?;
    let info = input.info.clone();
    let (plan, columns, header_issues) = Plan::new(map, &input.header, fixes)?;
    let mut tally = Tally::default();
    for i in &header_issues {
        let i = i.view();
        tally.add(&i);
        sink(&i);
    }
    let mut writers = match export {
        Some(p) => {
            let mut w = Writers {
                clean: create(&p.clean)?,
                rejected: create(&p.rejected)?,
                lineage: create(&p.lineage)?,
                out_row: 1,
                rejected_rows: 0,
                blank: 0,
                neutralised: 0,
            };
            let ioe = |e: std::io::Error| DataError::Io {
                path: p.clean.display().to_string(),
                source: e,
            };
            let names: Vec<&str> = map.fields.iter().map(|f| f.name.as_str()).collect();
            let mut line = Vec::new();
            for (i, n) in names.iter().enumerate() {
                if i > 0 {
                    line.push(b',');
                }
                write_csv_field(&mut line, n);
            }
            line.push(b'\n');
            w.clean.write_all(&line).map_err(ioe)?;
            let mut rej = b"row,reasons".to_vec();
            for h in &input.header {
                rej.push(b',');
                write_csv_field(&mut rej, h);
            }
            rej.push(b'\n');
            w.rejected.write_all(&rej).map_err(ioe)?;
            Some(w)
        }
        None => None,
    };
    let (max_columns, max_record, max_cell) = input.record_limits();
    let ctx = Ctx {
        plan: &plan,
        delim: input.delim,
        quote: input.quote,
        term: input.term(),
        export: export.is_some(),
        max_columns,
        max_record,
        max_cell,
    };
    let threads = opts
        .threads
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
        })
        .max(1);
    let total = input.info.bytes;
    let mut rows = 0u64;
    let mut excluded = 0u64;
    let mut merged = 0u64;
    let mut dup_maps: Vec<KeyMap> = (0..plan.dup_groups.len())
        .map(|_| KeyMap::default())
        .collect();
    let mut uniq_maps: HashMap<u16, KeyMap> = HashMap::new();
    let mut pk_map = KeyMap::default();
    let mut done_bytes = 0u64;
    let mut write_err: Option<DataError> = None;

    let result: Result<Option<String>, DataError> = std::thread::scope(|s| {
        let (chunk_tx, chunk_rx) = crossbeam_channel::bounded::<(u64, u64, Vec<u8>)>(threads);
        let (res_tx, res_rx) = crossbeam_channel::bounded::<(u64, ChunkResult<'_>)>(threads);
        // Processed chunks' buffers go back to the reader to be filled again.
        let (spare_tx, spare_rx) = crossbeam_channel::bounded::<Vec<u8>>(threads * 2);
        // Merged results go back to the workers, emptied, to hold later chunks' results.
        let (spare_res_tx, spare_res_rx) =
            crossbeam_channel::bounded::<ChunkResult<'_>>(threads * 2);
        let reader = s.spawn(move || -> Result<Option<String>, DataError> {
            let mut seq = 0u64;
            let mut first_row = 0u64;
            loop {
                while let Ok(buf) = spare_rx.try_recv() {
                    input.recycle(buf);
                }
                let Some((chunk, n)) = input.next_counted_chunk()? else {
                    break;
                };
                if chunk_tx.send((seq, first_row, chunk)).is_err() {
                    break;
                }
                seq += 1;
                first_row += n;
            }
            drop(chunk_tx);
            Ok(input.sha256().map(str::to_string))
        });
        for _ in 0..threads {
            let rx = chunk_rx.clone();
            let tx = res_tx.clone();
            let spare = spare_tx.clone();
            let spare_res = spare_res_rx.clone();
            let ctx = &ctx;
            s.spawn(move || {
                let mut worker = Worker::new(ctx.plan);
                for (seq, first_row, chunk) in rx {
                    let res = spare_res.try_recv().unwrap_or_default();
                    let r = process_chunk(ctx, &mut worker, &chunk, first_row, res);
                    // When the reader has spares enough, the buffer is simply freed.
                    let _ = spare.try_send(chunk);
                    if tx.send((seq, r)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(chunk_rx);
        drop(res_tx);
        drop(spare_tx);
        drop(spare_res_rx);
        let mut pending: BTreeMap<u64, ChunkResult<'_>> = BTreeMap::new();
        let mut next = 0u64;
        let mut fatal: Option<String> = None;
        'merge: for (seq, r) in res_rx {
            pending.insert(seq, r);
            while let Some(mut r) = pending.remove(&next) {
                next += 1;
                if let Some(m) = r.fatal.take() {
                    // Stop everything: dropping the results channel stops the workers, which
                    // stops the reader. The rows before are not kept either.
                    fatal = Some(m);
                    break 'merge;
                }
                if next == 1 && r.bytes > 0 {
                    // Size the key sets once from the first chunk: no rehash peaks later.
                    let est = (total.saturating_mul(r.rows) / r.bytes).min(50_000_000) as usize;
                    for m in dup_maps.iter_mut() {
                        m.reserve(est + est / 8);
                    }
                }
                rows += r.rows;
                excluded += r.excluded;
                merged += r.merged;
                done_bytes += r.bytes;
                if let Some(p) = &opts.progress {
                    p(done_bytes.min(total), total);
                }
                merge_chunk(
                    &plan,
                    &r,
                    &mut dup_maps,
                    &mut uniq_maps,
                    &mut pk_map,
                    &mut tally,
                    sink,
                    writers.as_mut(),
                    &mut write_err,
                );
                // When the workers have spares enough, the result is simply freed.
                let _ = spare_res_tx.try_send(r.recycled());
            }
        }
        let read = reader.join();
        if let Some(message) = fatal {
            return Err(DataError::Unusable {
                path: path.display().to_string(),
                message,
            });
        }
        match read {
            Ok(r) => r,
            Err(_) => Err(DataError::Unusable {
                path: path.display().to_string(),
                message: "the reader thread failed".into(),
            }),
        }
    });
    let sha = result?;
    if let Some(e) = write_err {
        return Err(e);
    }
    let summary = match (writers, export) {
        (Some(mut w), Some(p)) => {
            let ioe = |e: std::io::Error| DataError::Io {
                path: p.clean.display().to_string(),
                source: e,
            };
            w.clean.flush().map_err(ioe)?;
            w.rejected.flush().map_err(ioe)?;
            w.lineage.flush().map_err(ioe)?;
            drop(w.lineage);
            // The lineage header goes first: write it to a side file then concatenate cheaply
            // would cost a copy; instead it is the last line, marked "source".
            let mut lf = std::fs::OpenOptions::new()
                .append(true)
                .open(&p.lineage)
                .map_err(ioe)?;
            let cols: Vec<serde_json::Value> = plan
                .fields
                .iter()
                .map(|f| serde_json::json!({"field": f.field.name, "column": f.col.and_then(|c| plan.header.get(c).cloned())}))
                .collect();
            let head = serde_json::json!({
                "source": {"file": path.display().to_string(), "sha256": sha, "rows": rows},
                "columns": cols,
                "fixes": plan.fixes.labels,
                "cells": "each row line lists, per field in this order, either one string (the original value, exported unchanged, no fix) or [original value, index of the fix applied or null, final value]"
            });
            writeln!(lf, "{head}").map_err(ioe)?;
            Some(ExportSummary {
                clean_rows: w.out_row - 1,
                rejected_rows: w.rejected_rows,
                blank_rows_skipped: w.blank,
                neutralised_cells: w.neutralised,
                clean: p.clean.display().to_string(),
                rejected: p.rejected.display().to_string(),
                lineage: p.lineage.display().to_string(),
            })
        }
        _ => None,
    };
    let report = Report {
        file: path.display().to_string(),
        sha256: sha,
        input: info,
        rows,
        columns,
        errors: tally.errors,
        reviews: tally.reviews,
        rows_with_errors: tally.rows_with_errors,
        rows_with_reviews: tally.rows_with_reviews,
        excluded_rows: excluded,
        merged_rows: merged,
        summary: tally.summary(),
        issues: Vec::new(),
    };
    Ok((report, summary))
}

#[allow(clippy::too_many_arguments)]
fn merge_chunk<'p>(
    plan: &'p Plan,
    r: &ChunkResult<'p>,
    dup_maps: &mut [KeyMap],
    uniq_maps: &mut HashMap<u16, KeyMap>,
    pk_map: &mut KeyMap,
    tally: &mut Tally,
    sink: &mut dyn FnMut(&IssueRef<'_>),
    writers: Option<&mut Writers>,
    write_err: &mut Option<DataError>,
) {
    let mut extra: Issues<'p> = Issues::default();
    let mut newly_rejected: Vec<(u64, String)> = Vec::new();
    // Nearly every duplicate key is new and lands on a random line of a table far larger than
    // the caches: warming a batch of lines before the looks lets their misses overlap.
    const BATCH: usize = 16;
    let mut warmed = 0u64;
    for (n, &(row, kind, h)) in r.keys.iter().enumerate() {
        if n % BATCH == 0 {
            for &(_, kind, h) in r.keys.iter().skip(n).take(BATCH) {
                if let KeyKind::Duplicate(g) = kind {
                    warmed ^= dup_maps[g as usize].warm(h);
                }
            }
        }
        match kind {
            KeyKind::Duplicate(g) => {
                let m = &mut dup_maps[g as usize];
                match m.get_or_insert(h, u32::try_from(row).unwrap_or(u32::MAX)) {
                    None => {}
                    Some(_) if plan.fixes.is_accepted(row, "duplicate-key") => {}
                    Some(first) => {
                        let names: Vec<&str> = plan.dup_groups[g as usize]
                            .iter()
                            .map(|&fi| plan.fields[fi].field.name.as_str())
                            .collect();
                        let f0 = &plan.fields[plan.dup_groups[g as usize][0]];
                        let field = Some(extra.text(&names.join("+")));
                        let message = extra.format(format_args!("{} matches row {first} once normalised (case, spacing, punctuation and suffixes such as Inc. or Ltd are ignored); merge the two rows or tell them apart", names.join(" + ")));
                        extra.list.push(RawIssue {
                            related: Some(u64::from(first)),
                            row,
                            column: f0
                                .col
                                .and_then(|c| plan.header.get(c))
                                .map(|h| Text::Plan(h.as_str())),
                            field,
                            rule: "duplicate-key",
                            severity: Severity::Review,
                            value: None,
                            message,
                        });
                    }
                }
            }
            KeyKind::Unique(fi) => {
                let m = uniq_maps.entry(fi).or_default();
                if let Some(first) = m.get_or_insert(h, u32::try_from(row).unwrap_or(u32::MAX)) {
                    let f = &plan.fields[fi as usize];
                    let msg = format!("\"{}\" must be unique and repeats the value of row {first}; change one of them", f.field.name);
                    newly_rejected.push((row, format!("{}: {msg}", f.field.name)));
                    let message = extra.text(&msg);
                    extra.cell(row, f, plan, "unique", Severity::Error, None, message);
                    if let Some(i) = extra.list.last_mut() {
                        i.related = Some(u64::from(first));
                    }
                }
            }
            KeyKind::Primary => {
                if let Some(first) = pk_map.get_or_insert(h, u32::try_from(row).unwrap_or(u32::MAX))
                {
                    let names: Vec<&str> = plan
                        .pk
                        .iter()
                        .map(|&fi| plan.fields[fi].field.name.as_str())
                        .collect();
                    let msg = format!(
                        "the primary key ({}) repeats row {first}; keys must be unique",
                        names.join(", ")
                    );
                    let field = Some(extra.text(&names.join("+")));
                    let message = extra.text(&msg);
                    newly_rejected.push((row, msg));
                    extra.list.push(RawIssue {
                        related: Some(u64::from(first)),
                        row,
                        column: None,
                        field,
                        rule: "primary-key",
                        severity: Severity::Error,
                        value: None,
                        message,
                    });
                }
            }
        }
    }
    std::hint::black_box(warmed);
    // Emit issues in row order.
    let mut a = r.issues.list.iter().peekable();
    let mut b = extra.list.iter().peekable();
    loop {
        let take_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => x.row <= y.row,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let i = if take_a {
            a.next().map(|i| r.issues.view(i))
        } else {
            b.next().map(|i| extra.view(i))
        };
        if let Some(i) = i {
            tally.add(&i);
            sink(&i);
        }
    }
    if let Some(w) = writers {
        if write_err.is_some() {
            return;
        }
        let mut go = || -> std::io::Result<()> {
            w.neutralised += r.neutralised;
            w.rejected.write_all(&r.rejected)?;
            let mut nr = newly_rejected.iter().peekable();
            for o in &r.outs {
                if o.blank {
                    w.blank += 1;
                    continue;
                }
                if o.rejected {
                    w.rejected_rows += 1;
                    continue;
                }
                let mut reasons = Vec::new();
                while let Some((row, why)) = nr.peek() {
                    if *row == o.row {
                        reasons.push(why.clone());
                        nr.next();
                    } else if *row < o.row {
                        nr.next();
                    } else {
                        break;
                    }
                }
                if !reasons.is_empty() {
                    w.rejected_rows += 1;
                    let line = &r.orig[o.orig.0..o.orig.1];
                    // Replace the (empty) reasons of the prepared line.
                    let text = String::from_utf8_lossy(line);
                    let (rowtxt, rest) = text.split_once(',').unwrap_or((&text, ""));
                    let rest = rest
                        .strip_prefix(',')
                        .or_else(|| rest.strip_prefix("\"\","))
                        .unwrap_or(rest);
                    let mut out = Vec::new();
                    out.extend_from_slice(rowtxt.as_bytes());
                    out.push(b',');
                    write_csv_field(&mut out, &reasons.join("; "));
                    out.push(b',');
                    out.extend_from_slice(rest.as_bytes());
                    w.rejected.write_all(&out)?;
                    continue;
                }
                w.clean.write_all(&r.clean[o.clean.0..o.clean.1])?;
                w.lineage.write_all(b"{\"out_row\":")?;
                w.out_row += 1;
                w.lineage.write_all(w.out_row.to_string().as_bytes())?;
                w.lineage.write_all(b",")?;
                w.lineage.write_all(&r.lineage[o.lineage.0..o.lineage.1])?;
            }
            Ok(())
        };
        if let Err(e) = go() {
            *write_err = Some(DataError::Io {
                path: "export output".into(),
                source: e,
            });
        }
    }
}
