//! The spreadsheet round trip: the flagged rows downloaded (CSV or XLSX, each row with its row
//! number and what is wrong), fixed in Excel, and sent back as fixes matched by row number.
//!
//! The download's first header says how many fixes the draft had (`row#12`). A cell sent back
//! that differs from the value now is a change, unless a fix made since the download touched
//! that cell, row or column: then it is a conflict, shown and never applied over the newer fix.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use finishline_data::input::Input;
use finishline_data::rows::for_each_row;
use finishline_data::{CellValue, DataMap, Fix, FixAction, Fixes, OpenOptions};
use serde::Serialize;

use crate::error::AppError;
use crate::flagged::{Flagged, Hit};
use crate::imports::in_turn;
use crate::App;

/// The first header of a download made when the draft had `fixes` fixes.
pub fn row_header(fixes: usize) -> String {
    format!("row#{fixes}")
}

fn fixes_at_download(header: &str) -> Option<usize> {
    header.trim().strip_prefix("row#")?.parse().ok()
}

/// The words of a row's flagged items, for the download's last column.
fn issues_text(f: &Flagged, h: &Hit, words: &dyn Fn(&str) -> String) -> String {
    h.items
        .iter()
        .map(|&k| {
            let i = &f.items[k];
            format!(
                "{}: {}",
                i.field.as_deref().unwrap_or("row"),
                if i.message.is_empty() {
                    words(&i.rule)
                } else {
                    i.message.clone()
                }
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The rows as a table: the header, then per row its number, its cells and what is wrong.
pub fn table(
    f: &Flagged,
    hits: &[Hit],
    fixes: usize,
    words: &dyn Fn(&str) -> String,
) -> Vec<Vec<String>> {
    let mut out = Vec::with_capacity(hits.len() + 1);
    let mut head = vec![row_header(fixes)];
    head.extend(f.fields.iter().cloned());
    head.push("issues".into());
    out.push(head);
    for h in hits {
        let mut line = vec![h.row.to_string()];
        match f.rows.get(&h.row) {
            Some(cells) => line.extend(cells.iter().cloned()),
            None => line.extend(f.fields.iter().map(|_| String::new())),
        }
        line.push(issues_text(f, h, words));
        out.push(line);
    }
    out
}

/// The table as CSV, every cell neutralised against formulas as the engine's own files are.
pub fn to_csv(table: &[Vec<String>]) -> Vec<u8> {
    let mut out = Vec::new();
    for line in table {
        finishline_data::engine::write_csv_line(&mut out, line);
    }
    out
}

/// The table as an XLSX workbook (text cells: a spreadsheet never evaluates them).
pub fn to_xlsx(table: &[Vec<String>]) -> Result<Vec<u8>, String> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (r, line) in table.iter().enumerate() {
        for (c, v) in line.iter().enumerate() {
            let (row, col) = (r as u32, c as u16);
            let written = if r == 0 {
                sheet.write_string_with_format(row, col, v, &bold)
            } else {
                sheet.write_string(row, col, v)
            };
            written.map_err(|e| e.to_string())?;
        }
    }
    let _ = sheet.set_freeze_panes(1, 1);
    book.save_to_buffer().map_err(|e| e.to_string())
}

/// A spreadsheet sent back: its rows by number, each with its cells by field.
pub struct SentBack {
    pub fixes_at_download: Option<usize>,
    pub rows: BTreeMap<u64, Vec<String>>,
    /// Row numbers that are not numbers, with the line they are on.
    pub bad_rows: Vec<(u64, String)>,
    pub fields_missing: Vec<String>,
}

/// Reads a spreadsheet sent back with the data engine's readers and budgets; its columns are
/// matched to the fields by name.
pub fn read(path: &Path, fields: &[String], open: &OpenOptions) -> Result<SentBack, String> {
    let input = Input::open(path, open).map_err(|e| e.to_string())?;
    let first = input.header.first().cloned().unwrap_or_default();
    let header = input.header.clone();
    drop(input);
    if !first.trim().starts_with("row") {
        return Err(
            "the first column must be the row number (\"row\"), as in the file you downloaded"
                .into(),
        );
    }
    let mut spec = vec![serde_json::json!({"name": "__row", "sourceNames": [first]})];
    for f in fields {
        spec.push(serde_json::json!({"name": f, "sourceNames": [f]}));
    }
    let map = DataMap::from_json(&serde_json::json!({ "fields": spec }).to_string())
        .map_err(|e| e.to_string())?;
    let key = |s: &str| finishline_data::engine::header_key(s);
    let fields_missing: Vec<String> = fields
        .iter()
        .filter(|f| !header.iter().any(|h| key(h) == key(f)))
        .cloned()
        .collect();
    let mut sent = SentBack {
        fixes_at_download: fixes_at_download(&first),
        rows: BTreeMap::new(),
        bad_rows: Vec::new(),
        fields_missing,
    };
    for_each_row(path, &map, &Fixes::default(), open, &mut |r| {
        match r.cells[0].trim().parse::<u64>() {
            Ok(n) if n >= 2 => {
                sent.rows.insert(n, r.cells[1..].to_vec());
            }
            _ if r.cells.iter().all(|c| c.trim().is_empty()) => {}
            _ => sent.bad_rows.push((r.row, r.cells[0].clone())),
        }
        true
    })
    .map_err(|e| e.to_string())?;
    Ok(sent)
}

/// Reads a spreadsheet sent back, when its turn comes among the imports (it is a customer's
/// file like any upload: the same readers, budgets and queue).
pub async fn read_upload(
    app: &App,
    name: &str,
    body: Vec<u8>,
    fields: Vec<String>,
) -> Result<SentBack, AppError> {
    let file_name = name.to_string();
    in_turn(app, name, body, move |path, open| {
        read(path, &fields, &open).map_err(|m| {
            AppError::bad(
                "file",
                format!(
                    "{file_name}: {}",
                    m.replace(&path.display().to_string(), &file_name)
                ),
            )
        })
    })
    .await
}

/// A cell changed in the spreadsheet and in Finishline since the download.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    pub row: u64,
    pub field: String,
    pub sent: String,
    pub now: String,
}

/// What a spreadsheet sent back changes.
#[derive(Debug, Default, PartialEq)]
pub struct Comparison {
    pub changes: Vec<CellValue>,
    pub conflicts: Vec<Conflict>,
    /// Rows sent back that are not flagged now and were not changed since: left as they are.
    pub not_flagged: Vec<u64>,
}

/// What the fixes made since the download touched: cells, whole rows, whole columns.
#[derive(Default)]
struct Touched {
    cells: HashMap<(u64, String), ()>,
    rows: HashMap<u64, ()>,
    fields: HashMap<String, ()>,
}

fn touched(since: &[Fix]) -> Touched {
    let mut t = Touched::default();
    for f in since {
        match &f.action {
            FixAction::Cell { row, field, .. } => {
                t.cells.insert((*row, field.clone()), ());
            }
            FixAction::Cells { cells } => {
                for c in cells {
                    t.cells.insert((c.row, c.field.clone()), ());
                }
            }
            FixAction::Exclude { rows } => {
                for r in rows {
                    t.rows.insert(*r, ());
                }
            }
            FixAction::Merge { groups, fills } => {
                for g in groups {
                    for r in g.rows.iter().chain([&g.keep]) {
                        t.rows.insert(*r, ());
                    }
                }
                for c in fills {
                    t.cells.insert((c.row, c.field.clone()), ());
                }
            }
            FixAction::Transform {
                field,
                rows: Some(rows),
                ..
            } => {
                for r in rows {
                    t.cells.insert((*r, field.clone()), ());
                }
            }
            FixAction::Accept { .. } => {}
            other => {
                for field in other.fields() {
                    t.fields.insert(field.to_string(), ());
                }
            }
        }
    }
    t
}

/// Compares the rows sent back with the flagged rows now, given the fixes made since the
/// download (all of them when the download's count is unknown).
pub fn compare(flagged: &Flagged, sent: &SentBack, all_fixes: &[Fix]) -> Comparison {
    let since = &all_fixes[sent.fixes_at_download.unwrap_or(0).min(all_fixes.len())..];
    let t = touched(since);
    let mut out = Comparison::default();
    for (&row, cells) in &sent.rows {
        let Some(now) = flagged.rows.get(&row) else {
            if !t.rows.contains_key(&row)
                && !flagged
                    .fields
                    .iter()
                    .any(|f| t.cells.contains_key(&(row, f.clone())))
            {
                out.not_flagged.push(row);
                continue;
            }
            // Fixed or excluded since the download: what was sent is not applied over it.
            out.conflicts.push(Conflict {
                row,
                field: "the whole row".into(),
                sent: cells.join(", "),
                now: "changed, excluded or merged since your download".into(),
            });
            continue;
        };
        for (fi, field) in flagged.fields.iter().enumerate() {
            if sent.fields_missing.contains(field) {
                continue;
            }
            let (Some(v), Some(current)) = (cells.get(fi), now.get(fi)) else {
                continue;
            };
            let unchanged = v == current || *v == finishline_data::neutralise_formula(current);
            if unchanged {
                continue;
            }
            let newer = t.rows.contains_key(&row)
                || t.fields.contains_key(field)
                || t.cells.contains_key(&(row, field.clone()));
            if newer {
                out.conflicts.push(Conflict {
                    row,
                    field: field.clone(),
                    sent: v.clone(),
                    now: current.clone(),
                });
            } else {
                out.changes.push(CellValue {
                    row,
                    field: field.clone(),
                    value: v.clone(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use finishline_data::{Issue, Severity};

    fn flagged() -> Flagged {
        Flagged {
            fields: vec!["name".into(), "email".into()],
            items: vec![
                Issue {
                    row: 2,
                    column: None,
                    field: Some("email".into()),
                    rule: "pattern".into(),
                    severity: Severity::Error,
                    value: Some("ann@".into()),
                    message: "not an email".into(),
                    related: None,
                },
                Issue {
                    row: 3,
                    column: None,
                    field: Some("email".into()),
                    rule: "pattern".into(),
                    severity: Severity::Error,
                    value: Some("=bob".into()),
                    message: "not an email".into(),
                    related: None,
                },
            ],
            truncated: false,
            allowed: BTreeMap::new(),
            rows: BTreeMap::from([
                (2, vec!["Ann".into(), "ann@".into()]),
                (3, vec!["Bob".into(), "=bob".into()]),
            ]),
        }
    }

    fn sent(fixes: Option<usize>, rows: &[(u64, [&str; 2])]) -> SentBack {
        SentBack {
            fixes_at_download: fixes,
            rows: rows
                .iter()
                .map(|(r, c)| (*r, c.iter().map(|s| s.to_string()).collect()))
                .collect(),
            bad_rows: vec![],
            fields_missing: vec![],
        }
    }

    fn fix(action: FixAction) -> Fix {
        Fix {
            action,
            who: "x".into(),
            why: "y".into(),
            at: None,
        }
    }

    #[test]
    fn the_download_carries_rows_words_and_the_fix_count_and_neutralises_formulas() {
        let f = flagged();
        let hits = f.matching(&Default::default());
        let t = table(&f, &hits, 7, &|r| r.to_string());
        assert_eq!(t[0], ["row#7", "name", "email", "issues"]);
        assert_eq!(t[1], ["2", "Ann", "ann@", "email: not an email"]);
        let csv = String::from_utf8(to_csv(&t)).expect("utf-8");
        assert!(csv.contains("3,Bob,'=bob,"), "{csv}");
        assert!(to_xlsx(&t).expect("a workbook").starts_with(b"PK"));
    }

    #[test]
    fn cells_changed_in_the_spreadsheet_become_changes_and_neutralised_ones_do_not() {
        let f = flagged();
        let c = compare(
            &f,
            &sent(
                Some(0),
                &[(2, ["Ann", "ann@a.example"]), (3, ["Bob", "'=bob"])],
            ),
            &[],
        );
        assert_eq!(
            c.changes,
            [CellValue {
                row: 2,
                field: "email".into(),
                value: "ann@a.example".into()
            }]
        );
        assert!(c.conflicts.is_empty());
    }

    #[test]
    fn a_cell_fixed_in_finishline_since_the_download_is_a_conflict_not_overwritten() {
        let f = flagged();
        let since = [fix(FixAction::Cells {
            cells: vec![CellValue {
                row: 2,
                field: "email".into(),
                value: "ann@b.example".into(),
            }],
        })];
        let c = compare(&f, &sent(Some(0), &[(2, ["Ann", "ann@a.example"])]), &since);
        assert!(c.changes.is_empty());
        assert_eq!(c.conflicts.len(), 1);
        assert_eq!(c.conflicts[0].sent, "ann@a.example");
        // Downloaded after that fix, the same cell is a plain change.
        let c = compare(&f, &sent(Some(1), &[(2, ["Ann", "ann@a.example"])]), &since);
        assert_eq!(c.changes.len(), 1);
        // A row excluded since, and no longer flagged, is a conflict too.
        let since = [fix(FixAction::Exclude { rows: vec![9] })];
        let c = compare(&f, &sent(Some(0), &[(9, ["Zed", "z@z.example"])]), &since);
        assert_eq!(c.conflicts.len(), 1);
        assert_eq!(c.conflicts[0].sent, "Zed, z@z.example");
        // A row that was never flagged is left alone.
        let c = compare(&f, &sent(Some(0), &[(40, ["Zed", "z@z.example"])]), &[]);
        assert_eq!(c.not_flagged, [40]);
    }
}
