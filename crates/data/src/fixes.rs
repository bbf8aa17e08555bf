//! Fixes: a layer of corrections recorded over an upload, which is never modified.
//!
//! A fix is either for one cell (row, field) or bulk (map a value, apply a date reading, fill
//! blanks). Each records who made it and why. `check` and `export` apply the layer on the fly.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::map::DataMap;
use crate::transform::{Compiled, TransformOp};
use crate::DataError;

/// The fixes file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Fixes {
    /// sha256 of the upload these fixes were made for (checked when present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_sha256: Option<String>,
    #[serde(default)]
    pub fixes: Vec<Fix>,
}

/// One recorded fix.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Fix {
    #[serde(flatten)]
    pub action: FixAction,
    pub who: String,
    #[serde(default)]
    pub why: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// What a fix does.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FixAction {
    /// Set one cell (row as the spreadsheet shows it, header = row 1).
    Cell {
        row: u64,
        field: String,
        value: String,
    },
    /// Replace every occurrence of a value in a field.
    MapValue {
        field: String,
        from: String,
        to: String,
    },
    /// Read a field's dates with this format only (resolves ambiguous dates).
    DateReading { field: String, format: String },
    /// Fill blank cells of a field.
    FillBlanks { field: String, value: String },
    /// Set many cells at once: a decision over chosen rows, suggestions taken, a spreadsheet
    /// sent back.
    Cells { cells: Vec<CellValue> },
    /// Leave rows out of the export: they go to the rejected file with this fix's reason, for
    /// someone to follow up, and are no longer checked.
    Exclude { rows: Vec<u64> },
    /// Accept the review items of these rules on these rows as they are (errors cannot be).
    Accept { rules: Vec<String>, rows: Vec<u64> },
    /// Duplicates merged: in each group, `rows` leave the export as merged into `keep`; the
    /// kept rows' blank cells take the values in `fills` (taken from the merged rows).
    Merge {
        groups: Vec<MergeGroup>,
        #[serde(default)]
        fills: Vec<CellValue>,
    },
    /// Split one column into others by a pattern's groups: group 1 into the first of `into`,
    /// group 2 into the second… ("" skips a group). A value the pattern does not match is left.
    Split {
        from: String,
        pattern: String,
        into: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rows: Option<Vec<u64>>,
    },
    /// Join columns into one: their values that are not blank, with a separator.
    Join {
        from: Vec<String>,
        #[serde(default)]
        separator: String,
        into: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rows: Option<Vec<u64>>,
    },
    /// Change every cell of a field, or of the chosen rows only.
    Transform {
        field: String,
        #[serde(flatten)]
        op: TransformOp,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rows: Option<Vec<u64>>,
    },
}

/// One cell's new value.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CellValue {
    pub row: u64,
    pub field: String,
    pub value: String,
}

/// Rows merged into the one kept.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MergeGroup {
    pub keep: u64,
    pub rows: Vec<u64>,
}

/// How many rows one fix may name: a whole sheet.
pub const MAX_ROWS_PER_FIX: usize = 1_048_576;

/// Characters of a value a decision sets on many cells at once (a cell of a customer's file
/// is rarely more than a line; ten thousand copies of a megabyte would be ten gigabytes), and
/// of a join's separator.
pub const MAX_SET_VALUE_CHARS: usize = 4_096;

impl FixAction {
    /// The fields the fix changes (none for excluding or accepting rows).
    pub fn fields(&self) -> Vec<&str> {
        match self {
            FixAction::Cell { field, .. }
            | FixAction::MapValue { field, .. }
            | FixAction::DateReading { field, .. }
            | FixAction::FillBlanks { field, .. }
            | FixAction::Transform { field, .. } => vec![field],
            FixAction::Cells { cells } | FixAction::Merge { fills: cells, .. } => {
                let mut v: Vec<&str> = Vec::new();
                for c in cells {
                    if !v.contains(&c.field.as_str()) {
                        v.push(&c.field);
                    }
                }
                v
            }
            FixAction::Exclude { .. } | FixAction::Accept { .. } => Vec::new(),
            FixAction::Split { from, into, .. } => std::iter::once(from)
                .chain(into.iter().filter(|f| !f.is_empty()))
                .map(String::as_str)
                .collect(),
            FixAction::Join { from, into, .. } => from
                .iter()
                .chain(std::iter::once(into))
                .map(String::as_str)
                .collect(),
        }
    }

    /// What the fix is about, for a list of fixes: its field, or its rows.
    pub fn subject(&self) -> String {
        match self {
            FixAction::Exclude { rows } | FixAction::Accept { rows, .. } => rows_label(rows),
            FixAction::Merge { groups, .. } => match groups.as_slice() {
                [one] => format!("row {}", one.keep),
                many => format!("{} groups", many.len()),
            },
            _ => self.fields().join(", "),
        }
    }

    pub fn label(&self) -> String {
        match self {
            FixAction::Cell { row, value, .. } => format!("cell row {row} set to \"{value}\""),
            FixAction::MapValue { from, to, .. } => format!("\"{from}\" mapped to \"{to}\""),
            FixAction::DateReading { format, .. } => format!("dates read as {format}"),
            FixAction::FillBlanks { value, .. } => format!("blank filled with \"{value}\""),
            FixAction::Cells { cells } => match cells.as_slice() {
                [one] => format!("cell row {} set to \"{}\"", one.row, one.value),
                many => format!("{} cells set", many.len()),
            },
            FixAction::Exclude { rows } => format!("{} excluded", rows_label(rows)),
            FixAction::Accept { rules, rows } => {
                format!(
                    "{} accepted as is on {}",
                    rules.join(", "),
                    rows_label(rows)
                )
            }
            FixAction::Merge { groups, .. } => match groups.as_slice() {
                [one] => format!("{} merged into row {}", rows_label(&one.rows), one.keep),
                many => format!(
                    "{} duplicates merged into {} rows",
                    many.iter().map(|g| g.rows.len()).sum::<usize>(),
                    many.len()
                ),
            },
            FixAction::Transform { op, rows, .. } => match rows {
                Some(rows) => format!("{} on {}", op.label(), rows_label(rows)),
                None => op.label(),
            },
            FixAction::Split { from, into, .. } => format!(
                "{from} split into {}",
                into.iter()
                    .filter(|f| !f.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            FixAction::Join { from, into, .. } => {
                format!("{} joined into {into}", from.join(", "))
            }
        }
    }

    /// Every row the fix names, to check against the sheet's budget.
    fn row_count(&self) -> usize {
        match self {
            FixAction::Cells { cells } => cells.len(),
            FixAction::Exclude { rows } | FixAction::Accept { rows, .. } => rows.len(),
            FixAction::Merge { groups, fills } => {
                groups.iter().map(|g| g.rows.len() + 1).sum::<usize>() + fills.len()
            }
            FixAction::Transform { rows, .. }
            | FixAction::Split { rows, .. }
            | FixAction::Join { rows, .. } => rows.as_ref().map_or(0, Vec::len),
            _ => 1,
        }
    }
}

/// "row 7", "rows 7, 9 and 12", "1,204 rows".
pub fn rows_label(rows: &[u64]) -> String {
    match rows {
        [one] => format!("row {one}"),
        [a, b] => format!("rows {a} and {b}"),
        [a, b, c] => format!("rows {a}, {b} and {c}"),
        many => format!("{} rows", crate::limits::thousands(many.len() as u64)),
    }
}

impl Fixes {
    pub fn load(path: &Path) -> Result<Fixes, DataError> {
        if !path.exists() {
            return Ok(Fixes::default());
        }
        let text = std::fs::read_to_string(path).map_err(|e| DataError::Io {
            path: path.display().to_string(),
            source: e,
        })?;
        let de = &mut serde_json::Deserializer::from_str(&text);
        serde_path_to_error::deserialize(de).map_err(|e| DataError::Fixes {
            path: e.path().to_string(),
            message: e.inner().to_string(),
        })
    }

    pub fn save(&self, path: &Path) -> Result<(), DataError> {
        let text = serde_json::to_string_pretty(self).map_err(|e| DataError::Fixes {
            path: String::new(),
            message: e.to_string(),
        })?;
        std::fs::write(path, text + "\n").map_err(|e| DataError::Io {
            path: path.display().to_string(),
            source: e,
        })
    }

    /// Check every fix names fields of the map and rows of a sheet (the error names the fix by
    /// index).
    pub fn validate(&self, map: &DataMap) -> Result<(), DataError> {
        let wrong = |i: usize, what: &str, message: String| DataError::Fixes {
            path: format!("fixes[{i}].{what}"),
            message,
        };
        for (i, f) in self.fixes.iter().enumerate() {
            for field in f.action.fields() {
                if map.field_index(field).is_none() {
                    return Err(wrong(
                        i,
                        "field",
                        format!("\"{field}\" is not a field of the data map"),
                    ));
                }
            }
            if f.action.row_count() > MAX_ROWS_PER_FIX {
                return Err(wrong(
                    i,
                    "rows",
                    format!(
                        "names {} rows, more than a sheet holds ({})",
                        crate::limits::thousands(f.action.row_count() as u64),
                        crate::limits::thousands(MAX_ROWS_PER_FIX as u64)
                    ),
                ));
            }
            let too_long = |v: &str| v.chars().count() > MAX_SET_VALUE_CHARS;
            let long_value = match &f.action {
                FixAction::Cells { cells } | FixAction::Merge { fills: cells, .. } => {
                    cells.iter().find(|c| too_long(&c.value)).map(|c| c.row)
                }
                FixAction::Join { separator, .. } if too_long(separator) => Some(0),
                _ => None,
            };
            if let Some(row) = long_value {
                return Err(wrong(
                    i,
                    "value",
                    format!(
                        "a value{} is longer than {} characters",
                        if row > 0 {
                            format!(" for row {row}")
                        } else {
                            String::new()
                        },
                        crate::limits::thousands(MAX_SET_VALUE_CHARS as u64)
                    ),
                ));
            }
            match &f.action {
                FixAction::DateReading { format, .. }
                    if crate::types::check_strftime(format).is_err() =>
                {
                    return Err(wrong(
                        i,
                        "format",
                        format!("\"{format}\" is not a date format"),
                    ));
                }
                FixAction::Transform { op, .. } => {
                    op.compile().map_err(|m| wrong(i, "find", m))?;
                }
                FixAction::Split { pattern, into, .. } => {
                    let re = crate::limits::compile_search(pattern)
                        .map_err(|m| wrong(i, "pattern", m))?;
                    let groups = re.captures_len() - 1;
                    if groups < into.len() {
                        return Err(wrong(
                            i,
                            "pattern",
                            format!(
                                "the pattern has {groups} group(s) in brackets for {} column(s): write one group per column, such as (\\S+) (.+)",
                                into.len()
                            ),
                        ));
                    }
                }
                FixAction::Merge { groups, .. } => {
                    if let Some(g) = groups
                        .iter()
                        .find(|g| g.rows.contains(&g.keep) || g.keep < 2)
                    {
                        return Err(wrong(
                            i,
                            "groups",
                            format!("row {} is kept: it cannot be merged into itself, and rows start at 2", g.keep),
                        ));
                    }
                }
                _ => {}
            }
            let merged: Vec<u64>;
            let rows: &[u64] = match &f.action {
                FixAction::Exclude { rows } | FixAction::Accept { rows, .. } => rows,
                FixAction::Merge { groups, .. } => {
                    merged = groups.iter().flat_map(|g| g.rows.iter().copied()).collect();
                    &merged
                }
                _ => &[],
            };
            if let Some(r) = rows.iter().find(|r| **r < 2) {
                return Err(wrong(
                    i,
                    "rows",
                    format!("row {r} is not a row of data: rows start at 2 (row 1 is the header)"),
                ));
            }
        }
        Ok(())
    }
}

/// Fixes indexed for fast lookup while rows stream by. Later fixes win.
#[derive(Debug, Default)]
pub(crate) struct FixIndex {
    pub cells: HashMap<(u64, usize), (String, usize)>,
    pub map_values: Vec<HashMap<String, (String, usize)>>,
    pub fill: Vec<Option<(String, usize)>>,
    pub date_reading: Vec<Option<(String, usize)>>,
    /// Per field, its transforms in order (each for all rows or some).
    pub transforms: Vec<Vec<RowTransform>>,
    /// Rows left out of the export, with the fix that did it.
    pub excluded: HashMap<u64, usize>,
    /// The fixes that are merges (their rows are merged, not excluded).
    pub merges: HashSet<usize>,
    /// Columns made from others (split, join), in order.
    pub derivations: Vec<Derivation>,
    /// Rows whose review items of a rule are accepted as they are.
    pub accepted: HashMap<u64, Vec<String>>,
    pub labels: Vec<String>,
}

#[derive(Debug)]
pub(crate) struct Derivation {
    kind: DerivationKind,
    rows: Option<HashSet<u64>>,
    fix: usize,
}

#[derive(Debug)]
enum DerivationKind {
    Split {
        from: usize,
        re: regex::Regex,
        into: Vec<Option<usize>>,
    },
    Join {
        from: Vec<usize>,
        separator: String,
        into: usize,
    },
}

#[derive(Debug)]
pub(crate) struct RowTransform {
    pub op: Compiled,
    pub rows: Option<HashSet<u64>>,
    pub fix: usize,
}

impl FixIndex {
    pub fn new(fixes: &Fixes, map: &DataMap) -> FixIndex {
        let n = map.fields.len();
        let mut ix = FixIndex {
            map_values: vec![HashMap::new(); n],
            fill: vec![None; n],
            date_reading: vec![None; n],
            transforms: (0..n).map(|_| Vec::new()).collect(),
            ..FixIndex::default()
        };
        for (i, f) in fixes.fixes.iter().enumerate() {
            ix.labels
                .push(format!("{} by {}: {}", f.action.label(), f.who, f.why));
            let field = |name: &str| map.field_index(name);
            match &f.action {
                FixAction::Cell {
                    row,
                    value,
                    field: name,
                } => {
                    if let Some(fi) = field(name) {
                        ix.cells.insert((*row, fi), (value.clone(), i));
                    }
                }
                FixAction::MapValue {
                    from,
                    to,
                    field: name,
                } => {
                    if let Some(fi) = field(name) {
                        ix.map_values[fi].insert(from.clone(), (to.clone(), i));
                    }
                }
                FixAction::FillBlanks { value, field: name } => {
                    if let Some(fi) = field(name) {
                        ix.fill[fi] = Some((value.clone(), i));
                    }
                }
                FixAction::DateReading {
                    format,
                    field: name,
                } => {
                    if let Some(fi) = field(name) {
                        ix.date_reading[fi] = Some((format.clone(), i));
                    }
                }
                FixAction::Cells { cells } => ix.set_cells(cells, i, map),
                FixAction::Exclude { rows } => {
                    for r in rows {
                        ix.excluded.insert(*r, i);
                    }
                }
                FixAction::Accept { rules, rows } => {
                    for r in rows {
                        ix.accepted
                            .entry(*r)
                            .or_default()
                            .extend(rules.iter().cloned());
                    }
                }
                FixAction::Merge { groups, fills } => {
                    ix.merges.insert(i);
                    for g in groups {
                        for r in &g.rows {
                            ix.excluded.insert(*r, i);
                        }
                        ix.accepted
                            .entry(g.keep)
                            .or_default()
                            .push("duplicate-key".into());
                    }
                    ix.set_cells(fills, i, map);
                }
                FixAction::Split {
                    from,
                    pattern,
                    into,
                    rows,
                } => {
                    if let (Some(from), Ok(re)) =
                        (field(from), crate::limits::compile_search(pattern))
                    {
                        ix.derivations.push(Derivation {
                            kind: DerivationKind::Split {
                                from,
                                re,
                                into: into.iter().map(|f| field(f)).collect(),
                            },
                            rows: rows.as_ref().map(|r| r.iter().copied().collect()),
                            fix: i,
                        });
                    }
                }
                FixAction::Join {
                    from,
                    separator,
                    into,
                    rows,
                } => {
                    if let Some(into) = field(into) {
                        ix.derivations.push(Derivation {
                            kind: DerivationKind::Join {
                                from: from.iter().filter_map(|f| field(f)).collect(),
                                separator: separator.clone(),
                                into,
                            },
                            rows: rows.as_ref().map(|r| r.iter().copied().collect()),
                            fix: i,
                        });
                    }
                }
                FixAction::Transform {
                    field: name,
                    op,
                    rows,
                } => {
                    // `validate` compiled it already; a fix that does not compile is skipped.
                    if let (Some(fi), Ok(op)) = (field(name), op.compile()) {
                        ix.transforms[fi].push(RowTransform {
                            op,
                            rows: rows.as_ref().map(|r| r.iter().copied().collect()),
                            fix: i,
                        });
                    }
                }
            }
        }
        ix
    }

    fn set_cells(&mut self, cells: &[CellValue], fix: usize, map: &DataMap) {
        for c in cells {
            if let Some(fi) = map.field_index(&c.field) {
                self.cells.insert((c.row, fi), (c.value.clone(), fix));
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The fields a split or a join writes: a file needs no column for them.
    pub fn derived_fields(&self) -> HashSet<usize> {
        let mut out = HashSet::new();
        for d in &self.derivations {
            match &d.kind {
                DerivationKind::Split { into, .. } => out.extend(into.iter().flatten()),
                DerivationKind::Join { into, .. } => {
                    out.insert(*into);
                }
            }
        }
        out
    }

    /// The cells of one row that splits and joins make, by field: (value, fix). `source(fi)`
    /// is a field's value as the file has it.
    pub fn derive(
        &self,
        row: u64,
        source: &mut dyn FnMut(usize) -> String,
        out: &mut [Option<(String, usize)>],
    ) {
        for d in &self.derivations {
            if d.rows.as_ref().is_some_and(|r| !r.contains(&row)) {
                continue;
            }
            match &d.kind {
                DerivationKind::Split { from, re, into } => {
                    let v = source(*from);
                    if let Some(c) = re.captures(&v) {
                        for (g, target) in into.iter().enumerate() {
                            if let (Some(t), Some(m)) = (target, c.get(g + 1)) {
                                out[*t] = Some((m.as_str().trim().to_string(), d.fix));
                            }
                        }
                    }
                }
                DerivationKind::Join {
                    from,
                    separator,
                    into,
                } => {
                    let parts: Vec<String> = from
                        .iter()
                        .map(|f| source(*f))
                        .filter(|v| !v.trim().is_empty())
                        .collect();
                    out[*into] = Some((parts.join(separator), d.fix));
                }
            }
        }
    }

    /// Whether a review item of `rule` on `row` was accepted as it is.
    pub fn is_accepted(&self, row: u64, rule: &str) -> bool {
        self.accepted
            .get(&row)
            .is_some_and(|rules| rules.iter().any(|r| r == rule))
    }

    /// The value of a cell once the fix layer is applied, and the fix that changed it. `scratch`
    /// holds a transformed value.
    pub fn apply<'a>(
        &'a self,
        row: u64,
        fi: usize,
        raw: &'a str,
        missing: &[String],
        scratch: &'a mut String,
    ) -> (&'a str, Option<usize>) {
        let mut value: &str = raw;
        let mut used = None;
        if let Some((v, i)) = self.cells.get(&(row, fi)) {
            return (v, Some(*i));
        }
        if let Some((v, i)) = self.map_values[fi].get(value) {
            value = v;
            used = Some(*i);
        } else if let Some((v, i)) = &self.fill[fi] {
            if missing.iter().any(|m| m == value) {
                value = v;
                used = Some(*i);
            }
        }
        let mut transformed: Option<String> = None;
        for t in &self.transforms[fi] {
            if t.rows.as_ref().is_some_and(|rows| !rows.contains(&row)) {
                continue;
            }
            let current = transformed.as_deref().unwrap_or(value);
            if let Some(next) = t.op.apply(current) {
                transformed = Some(next);
                used = Some(t.fix);
            }
        }
        if let Some(t) = transformed {
            *scratch = t;
            value = scratch.as_str();
        }
        if used.is_none() {
            if let Some((_, i)) = &self.date_reading[fi] {
                used = Some(*i);
            }
        }
        (value, used)
    }
}
