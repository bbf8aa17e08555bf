//! Entry points shared by the cargo-fuzz targets (`fuzz/fuzz_targets/`) and the test that
//! replays their committed corpora (`tests/corpus.rs`): each reads one input of outside data
//! with small budgets, and panics only when the engine breaks its promise — a panic inside, or a
//! result beyond the budgets. A refusal (`Err`) is a correct answer.
//!
//! The readers take a path, so an input is written to a file of the system's temporary folder
//! first (one per process and thread, overwritten each time).

use std::path::PathBuf;

use crate::{check, CheckOptions, DataError, DataMap, Fixes, Limits, OpenOptions};

/// The small budgets every fuzzed input is read with.
pub fn small_limits() -> Limits {
    Limits {
        max_uncompressed_bytes: 8 << 20,
        max_zip_entries: 64,
        max_compression_ratio: 1_000,
        max_shared_strings_bytes: 1 << 20,
        max_shared_strings: 10_000,
        max_rows: 10_000,
        max_columns: 64,
        max_cells: 100_000,
        max_sheet_text_bytes: 4 << 20,
        max_record_bytes: 64 << 10,
        max_cell_bytes: 16 << 10,
    }
}

/// The data map every fuzzed file is checked against: a few types, a pattern, a duplicate key.
const MAP: &str = r#"{
  "fields": [
    {"name": "name", "sourceNames": ["Account Name"], "constraints": {"required": true}, "normalize": "company"},
    {"name": "email", "constraints": {"pattern": "[^@\\s]+@[^@\\s]+"}, "normalize": "email"},
    {"name": "amount", "type": "number"},
    {"name": "renewal", "type": "date", "dateFormats": ["%d/%m/%Y"]},
    {"name": "phone", "normalize": "phone"}
  ],
  "duplicateKeys": [["name"]]
}"#;

fn scratch(ext: &str) -> PathBuf {
    let thread = format!("{:?}", std::thread::current().id())
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>();
    std::env::temp_dir().join(format!(
        "finishline-fuzz-{}-{thread}.{ext}",
        std::process::id()
    ))
}

fn check_file(data: &[u8], ext: &str) {
    let path = scratch(ext);
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let limits = small_limits();
    let opts = CheckOptions {
        open: OpenOptions {
            limits: limits.clone(),
            chunk_bytes: Some(16 << 10),
            ..OpenOptions::default()
        },
        threads: Some(1),
        ..CheckOptions::default()
    };
    let Ok(map) = DataMap::from_json(MAP) else {
        panic!("the fuzzing map must parse");
    };
    let result = check(&path, &map, &Fixes::default(), &opts);
    let _ = std::fs::remove_file(&path);
    match result {
        Ok(report) => {
            if ext == "xlsx" {
                assert!(
                    report.rows < limits.max_rows,
                    "{} rows read from a sheet, past the budget",
                    report.rows
                );
            }
        }
        Err(DataError::Unusable { message, .. }) => {
            assert!(!message.is_empty(), "a refusal must say why");
        }
        Err(_) => {}
    }
}

/// A CSV/TSV upload through the whole check.
pub fn csv_reader(data: &[u8]) {
    check_file(data, "csv");
}

/// An XLSX upload (a zip of XML parts) through the whole check.
pub fn xlsx_reader(data: &[u8]) {
    check_file(data, "xlsx");
}

/// A data map, as JSON and as YAML.
pub fn data_map(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for map in [DataMap::from_json(text), DataMap::from_yaml(text)]
        .into_iter()
        .flatten()
    {
        assert!(!map.fields.is_empty(), "a map without fields was accepted");
    }
}
