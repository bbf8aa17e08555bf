//! Reading rows back: each row's cells by field of the map, as the layer of fixes makes them
//! (before the checks normalise them). A page of flagged rows, a transform's preview and a
//! download of the flagged rows are all read this way, one streaming pass over the upload.

use std::path::Path;

use crate::engine::match_columns;
use crate::fixes::{FixIndex, Fixes};
use crate::input::{Input, OpenOptions};
use crate::map::DataMap;
use crate::parse::parse_records_term;
use crate::transform::{Preview, TransformOp};
use crate::DataError;

/// One row as [`for_each_row`] hands it over.
pub struct RowView<'a> {
    /// The row number as a spreadsheet shows it (header = row 1).
    pub row: u64,
    /// Per field of the map, in its order: the cell after fixes ("" when the file has no
    /// column for the field or the row is short).
    pub cells: &'a [String],
    /// Per field, the index of the fix that changed the cell.
    pub fixed: &'a [Option<usize>],
    /// Left out by a fix (excluded, or merged into another row).
    pub excluded: bool,
}

/// Calls `each` with every row of the upload in order; stops when it returns `false`.
pub fn for_each_row(
    path: &Path,
    map: &DataMap,
    fixes: &Fixes,
    open: &OpenOptions,
    each: &mut dyn FnMut(&RowView<'_>) -> bool,
) -> Result<(), DataError> {
    let mut input = Input::open(path, open)?;
    let (field_col, _, _) = match_columns(&input.header, map);
    let index = FixIndex::new(fixes, map);
    let missing: Vec<Vec<String>> = map
        .fields
        .iter()
        .map(|f| {
            f.missing_values
                .clone()
                .unwrap_or_else(|| map.missing_values.clone())
        })
        .collect();
    let (delim, quote, term) = (input.delim, input.quote, input.term());
    let (max_columns, max_record, _) = input.record_limits();
    let n = map.fields.len();
    let mut cells = vec![String::new(); n];
    let mut fixed: Vec<Option<usize>> = vec![None; n];
    let mut scratch = String::new();
    let mut derived: Vec<Option<(String, usize)>> = vec![None; n];
    let mut row = 1u64;
    let mut go = true;
    let mut over: Option<String> = None;
    while go {
        let Some(chunk) = input.next_chunk()? else {
            break;
        };
        parse_records_term(&chunk, delim, quote, term, |rec, buf| {
            row += 1;
            if !go {
                return;
            }
            if rec.len() > max_columns || rec.byte_len() > max_record {
                over = Some(format!("row {row} is over the budgets of a record"));
                go = false;
                return;
            }
            let file_cell = |fi: usize| {
                field_col[fi]
                    .and_then(|c| rec.get(buf, c))
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_default()
            };
            if !index.derivations.is_empty() {
                derived.iter_mut().for_each(|d| *d = None);
                index.derive(row, &mut |fi| file_cell(fi), &mut derived);
            }
            for fi in 0..n {
                let made = derived.get_mut(fi).and_then(Option::take);
                let made_by = made.as_ref().map(|(_, i)| *i);
                let raw = match made {
                    Some((v, _)) => v,
                    None => file_cell(fi),
                };
                let (value, used) = if index.is_empty() {
                    (&*raw, None)
                } else {
                    index.apply(row, fi, &raw, &missing[fi], &mut scratch)
                };
                cells[fi].clear();
                cells[fi].push_str(value);
                fixed[fi] = used.or(made_by);
            }
            go = each(&RowView {
                row,
                cells: &cells,
                fixed: &fixed,
                excluded: index.excluded.contains_key(&row),
            });
        });
        input.recycle(chunk);
    }
    match over {
        Some(message) => Err(DataError::Unusable {
            path: path.display().to_string(),
            message,
        }),
        None => Ok(()),
    }
}

/// What a transform of `field` would change over the whole upload (rows left out excepted),
/// with the fixes so far applied first.
pub fn preview_transform(
    path: &Path,
    map: &DataMap,
    fixes: &Fixes,
    open: &OpenOptions,
    field: &str,
    op: &TransformOp,
    rows: Option<&std::collections::HashSet<u64>>,
) -> Result<Preview, DataError> {
    let fi = map.field_index(field).ok_or_else(|| DataError::Fixes {
        path: "field".into(),
        message: format!("\"{field}\" is not a field of the data map"),
    })?;
    let op = op.compile().map_err(|message| DataError::Fixes {
        path: "find".into(),
        message,
    })?;
    let mut preview = Preview::default();
    for_each_row(path, map, fixes, open, &mut |r| {
        if !r.excluded && rows.is_none_or(|rows| rows.contains(&r.row)) {
            let v = &r.cells[fi];
            preview.add(r.row, v, op.apply(v));
        }
        true
    })?;
    Ok(preview)
}
