//! Fixes: a layer of corrections recorded over an upload, which is never modified.
//!
//! A fix is either for one cell (row, field) or bulk (map a value, apply a date reading, fill
//! blanks). Each records who made it and why. `check` and `export` apply the layer on the fly.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::map::DataMap;
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
}

impl FixAction {
    pub fn field(&self) -> &str {
        match self {
            FixAction::Cell { field, .. }
            | FixAction::MapValue { field, .. }
            | FixAction::DateReading { field, .. }
            | FixAction::FillBlanks { field, .. } => field,
        }
    }
    pub fn label(&self) -> String {
        match self {
            FixAction::Cell { row, value, .. } => format!("cell row {row} set to \"{value}\""),
            FixAction::MapValue { from, to, .. } => format!("\"{from}\" mapped to \"{to}\""),
            FixAction::DateReading { format, .. } => format!("dates read as {format}"),
            FixAction::FillBlanks { value, .. } => format!("blank filled with \"{value}\""),
        }
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

    /// Check every fix names a field of the map (the error names the fix by index).
    pub fn validate(&self, map: &DataMap) -> Result<(), DataError> {
        for (i, f) in self.fixes.iter().enumerate() {
            if map.field_index(f.action.field()).is_none() {
                return Err(DataError::Fixes {
                    path: format!("fixes[{i}].field"),
                    message: format!("\"{}\" is not a field of the data map", f.action.field()),
                });
            }
            if let FixAction::DateReading { format, .. } = &f.action {
                if crate::types::check_strftime(format).is_err() {
                    return Err(DataError::Fixes {
                        path: format!("fixes[{i}].format"),
                        message: format!("\"{format}\" is not a date format"),
                    });
                }
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
    pub labels: Vec<String>,
}

impl FixIndex {
    pub fn new(fixes: &Fixes, map: &DataMap) -> FixIndex {
        let n = map.fields.len();
        let mut ix = FixIndex {
            map_values: vec![HashMap::new(); n],
            fill: vec![None; n],
            date_reading: vec![None; n],
            ..FixIndex::default()
        };
        for (i, f) in fixes.fixes.iter().enumerate() {
            ix.labels
                .push(format!("{} by {}: {}", f.action.label(), f.who, f.why));
            let Some(fi) = map.field_index(f.action.field()) else {
                continue;
            };
            match &f.action {
                FixAction::Cell { row, value, .. } => {
                    ix.cells.insert((*row, fi), (value.clone(), i));
                }
                FixAction::MapValue { from, to, .. } => {
                    ix.map_values[fi].insert(from.clone(), (to.clone(), i));
                }
                FixAction::FillBlanks { value, .. } => ix.fill[fi] = Some((value.clone(), i)),
                FixAction::DateReading { format, .. } => {
                    ix.date_reading[fi] = Some((format.clone(), i))
                }
            }
        }
        ix
    }
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
}
