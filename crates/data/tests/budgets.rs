//! Untrusted input never hurts the server: each attack found on the readers, made as a real
//! file, is refused with a message naming the limit and the value found; legitimate files
//! just under the budgets are read. And every cell of every CSV the export writes is
//! neutralised against formula injection.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{lie_about_size, row, xlsx};

use finishline_data::{
    check, export, neutralise_formula, CheckOptions, DataError, DataMap, ExportPaths, Fixes,
    Limits, OpenOptions, Report,
};

const MAP: &str = r#"{"fields": [
  {"name": "name", "constraints": {"required": true}},
  {"name": "amount", "type": "number"},
  {"name": "note"}
]}"#;

fn opts(limits: Limits) -> CheckOptions {
    CheckOptions {
        open: OpenOptions {
            limits,
            ..OpenOptions::default()
        },
        ..CheckOptions::default()
    }
}

fn run(path: &Path, limits: Limits) -> Result<Report, DataError> {
    let map = DataMap::from_json(MAP).unwrap();
    check(path, &map, &Fixes::default(), &opts(limits))
}

/// The refusal's message (the test fails when the file is accepted or fails otherwise).
fn refusal(path: &Path, limits: Limits) -> String {
    match run(path, limits) {
        Err(DataError::Unusable { message, .. }) => message,
        Err(e) => panic!("expected a refusal, got another error: {e}"),
        Ok(r) => panic!("expected a refusal, the file was read: {} rows", r.rows),
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn a_sheet_whose_rows_go_backwards_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let sheet = row(1, &["name", "amount"]) + &row(3, &["a", "1"]) + &row(2, &["b", "2"]);
    let p = write(d.path(), "back.xlsx", &xlsx(&sheet, ""));
    let m = refusal(&p, Limits::default());
    assert!(
        m.contains("the sheet goes back from row 3 to row 2: rows must go down the sheet"),
        "{m}"
    );
}

#[test]
fn a_row_gap_past_the_row_budget_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let sheet = row(1, &["name", "amount"]) + &row(20_000_002, &["a", "1"]);
    let p = write(d.path(), "gap.xlsx", &xlsx(&sheet, ""));
    let m = refusal(&p, Limits::default());
    assert!(
        m.contains("a cell on row 20,000,002, more than the limit of 1,048,576 rows"),
        "{m}"
    );
}

#[test]
fn a_row_gap_within_the_budget_is_read_as_blank_rows() {
    let d = tempfile::tempdir().unwrap();
    let sheet = row(1, &["name", "amount"]) + &row(2, &["a", "-5"]) + &row(6, &["b", "2"]);
    let p = write(d.path(), "gap.xlsx", &xlsx(&sheet, ""));
    let r = run(&p, Limits::default()).unwrap();
    assert_eq!(r.rows, 5);
    assert_eq!(r.count("blank-row"), 3);
    assert_eq!(r.count("type"), 0);
}

#[test]
fn a_sheet_wider_or_longer_than_the_budget_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let sheet = row(1, &["name", "amount", "note"]);
    let p = write(d.path(), "wide.xlsx", &xlsx(&sheet, ""));
    let m = refusal(
        &p,
        Limits {
            max_columns: 2,
            ..Limits::default()
        },
    );
    assert!(
        m.contains("a cell in column 3 (row 1), more than the limit of 2 columns"),
        "{m}"
    );
    let sheet: String = (1..=6).map(|r| row(r, &["x", "1"])).collect();
    let p = write(d.path(), "long.xlsx", &xlsx(&sheet, ""));
    let m = refusal(
        &p,
        Limits {
            max_rows: 5,
            ..Limits::default()
        },
    );
    assert!(m.contains("row 6, more than the limit of 5 rows"), "{m}");
    let m = refusal(
        &p,
        Limits {
            max_cells: 7,
            ..Limits::default()
        },
    );
    assert!(m.contains("more than 7 cells"), "{m}");
}

#[test]
fn shared_strings_larger_than_their_zip_headers_say_are_refused_while_inflating() {
    let d = tempfile::tempdir().unwrap();
    // 4 MiB of distinct shared strings (they compress about 10×, no ratio alarm), declared as
    // 1,000 bytes.
    let mut sst = String::new();
    let mut i = 0u64;
    while sst.len() < 4 << 20 {
        sst.push_str(&format!(
            "<si><t>{}</t></si>",
            i.wrapping_mul(2_654_435_761)
        ));
        i += 1;
    }
    let sheet = row(1, &["name", "amount"]);
    let mut bytes = xlsx(&sheet, &sst);
    lie_about_size(&mut bytes, "xl/sharedStrings.xml", 1_000);
    let p = write(d.path(), "lying.xlsx", &bytes);
    let m = refusal(
        &p,
        Limits {
            max_shared_strings_bytes: 1 << 20,
            ..Limits::default()
        },
    );
    assert!(
        m.contains("the shared strings (xl/sharedStrings.xml) take more than 1 MiB, the limit"),
        "{m}"
    );
    let m = refusal(
        &p,
        Limits {
            max_uncompressed_bytes: 2 << 20,
            ..Limits::default()
        },
    );
    assert!(
        m.contains("the workbook inflates to more than 2 MiB, the limit"),
        "{m}"
    );
    let m = refusal(
        &p,
        Limits {
            max_shared_strings: 1_000,
            ..Limits::default()
        },
    );
    assert!(m.contains("more than 1,000 shared strings"), "{m}");
}

#[test]
fn a_part_that_inflates_past_the_ratio_is_refused_whatever_it_declares() {
    let d = tempfile::tempdir().unwrap();
    let sst = "<si><t>a</t></si>".repeat(400_000);
    let mut bytes = xlsx(&row(1, &["name"]), &sst);
    lie_about_size(&mut bytes, "xl/sharedStrings.xml", 1_000);
    let p = write(d.path(), "bomb.xlsx", &bytes);
    let m = refusal(
        &p,
        Limits {
            max_compression_ratio: 100,
            ..Limits::default()
        },
    );
    assert!(
        m.contains("part xl/sharedStrings.xml inflates more than"),
        "{m}"
    );
    assert!(m.contains("the limit of 100×"), "{m}");
}

#[test]
fn one_huge_inline_cell_is_refused_before_the_workbook_reader_holds_it() {
    let d = tempfile::tempdir().unwrap();
    let big = "x".repeat(300 << 10);
    let sheet = row(1, &["name"]) + &row(2, &[big.as_str()]);
    let p = write(d.path(), "cell.xlsx", &xlsx(&sheet, ""));
    let m = refusal(&p, Limits::default());
    assert!(
        m.contains("holds a value or tag of more than 256 KiB, the limit for one cell"),
        "{m}"
    );
}

#[test]
fn a_legitimate_sheet_with_shared_strings_is_read() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("ok.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let s = wb.add_worksheet();
    s.write_string(0, 0, "name").unwrap();
    s.write_string(0, 1, "amount").unwrap();
    for r in 1..=2_000u32 {
        s.write_string(r, 0, format!("Account {}", r % 300))
            .unwrap();
        s.write_number(r, 1, -(r as f64)).unwrap();
    }
    wb.save(&p).unwrap();
    let r = run(&p, Limits::default()).unwrap();
    assert_eq!(r.rows, 2_000);
    assert_eq!(r.errors, 0, "{:?}", r.issues.first());
}

#[test]
fn a_csv_header_with_a_million_columns_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let mut text = "a,".repeat(999_999);
    text.push_str("a\n1\n");
    let p = write(d.path(), "wide.csv", text.as_bytes());
    let m = refusal(&p, Limits::default());
    assert!(
        m.contains("the header has 1,000,000 columns, more than the limit of 2,000"),
        "{m}"
    );
    // Wider than one record's budget: the columns are still what is named.
    let text = "ab,".repeat(1_000_000);
    let p = write(d.path(), "wider.csv", text.as_bytes());
    let m = refusal(&p, Limits::default());
    assert!(m.contains("the header has at least"), "{m}");
    assert!(m.contains("more than the limit of 2,000"), "{m}");
}

#[test]
fn a_single_line_csv_of_25_mib_is_refused_at_the_record_budget() {
    let d = tempfile::tempdir().unwrap();
    let mut text = b"name,amount\n".to_vec();
    text.extend(std::iter::repeat_n(b'x', 25 << 20));
    let p = write(d.path(), "line.csv", &text);
    let m = refusal(&p, Limits::default());
    assert!(
        m.contains("a record is longer than 1 MiB, the limit for one record"),
        "{m}"
    );
    let p = write(d.path(), "header.csv", &text[12..]);
    let m = refusal(&p, Limits::default());
    assert!(
        m.contains("the header row is longer than 1 MiB, the limit for one record"),
        "{m}"
    );
}

#[test]
fn a_csv_record_or_cell_over_the_budget_is_refused_with_its_row() {
    let d = tempfile::tempdir().unwrap();
    let small = Limits {
        max_columns: 3,
        max_record_bytes: 1_000,
        max_cell_bytes: 100,
        ..Limits::default()
    };
    let p = write(d.path(), "cols.csv", b"name,amount\na,1\nb,2,x,y\n");
    let m = refusal(&p, small.clone());
    assert!(
        m.contains("row 3 has 4 columns, more than the limit of 3"),
        "{m}"
    );
    let p = write(
        d.path(),
        "cell.csv",
        format!("name,amount\n{},1\n", "c".repeat(150)).as_bytes(),
    );
    let m = refusal(&p, small.clone());
    assert!(
        m.contains("row 2 has a cell of 150 bytes, more than the limit of 100 bytes"),
        "{m}"
    );
    let long: String = (0..20)
        .map(|_| format!("\"{}\",", "q\n".repeat(30)))
        .collect();
    let p = write(
        d.path(),
        "rec.csv",
        format!("name,amount\na,1\n{long}\n").as_bytes(),
    );
    let m = refusal(
        &p,
        Limits {
            max_columns: 100,
            ..small.clone()
        },
    );
    assert!(m.contains("row 3 takes"), "{m}");
    assert!(
        m.contains("more than the limit of 1,000 bytes for one record"),
        "{m}"
    );
    // Within every budget: read, and the extra cell is an issue as before.
    let p = write(d.path(), "ok.csv", b"name,amount\na,1\nb,2,x\n");
    let r = run(&p, small).unwrap();
    assert_eq!(r.count("extra-cell"), 1);
}

#[test]
fn a_billion_laughs_yaml_map_is_refused() {
    let mut y = String::from(
        "a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for i in 1..10 {
        let p = i - 1;
        y.push_str(&format!(
            "a{i}: &a{i} [*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p}]\n"
        ));
    }
    y.push_str("fields: [{name: x, sourceNames: *a9}]\n");
    let e = DataMap::from_yaml(&y).unwrap_err().to_string();
    assert!(e.contains("repetition limit exceeded"), "{e}");
}

#[test]
fn deeply_nested_maps_are_refused() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let json = format!(r#"{{"fields":[{{"name":"a","sample":{deep}}}]}}"#);
    let e = DataMap::from_json(&json).unwrap_err().to_string();
    assert!(e.contains("more than 64 levels deep"), "{e}");
    let yaml = format!("fields: [{{name: a, sample: {deep}}}]");
    let e = DataMap::from_yaml(&yaml).unwrap_err().to_string();
    assert!(e.contains("more than 64 levels deep"), "{e}");
    // Block nesting, which indentation makes costly to write, is left to serde_yaml's limit.
    let block: String = (0..200)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect();
    let yaml = format!(
        "fields:\n  - name: a\n    sample:\n{}",
        block
            .lines()
            .map(|l| format!("      {l}\n"))
            .collect::<String>()
    );
    let e = DataMap::from_yaml(&yaml).unwrap_err().to_string();
    assert!(e.contains("recursion limit exceeded"), "{e}");
}

#[test]
fn huge_patterns_are_refused_when_the_map_is_read() {
    let long = format!(
        r#"{{"fields":[{{"name":"a","constraints":{{"pattern":"{}"}}}}]}}"#,
        "a".repeat(5_000)
    );
    let e = DataMap::from_json(&long).unwrap_err().to_string();
    assert!(e.contains("fields[0].constraints.pattern"), "{e}");
    assert!(
        e.contains("5,000 characters, more than the limit of 1,000"),
        "{e}"
    );
    let blowup = r#"{"fields":[{"name":"a","constraints":{"pattern":"(\\w{50}){50}[a-z]{100}"}}]}"#;
    let e = DataMap::from_json(blowup).unwrap_err().to_string();
    assert!(e.contains("the pattern compiles to more than"), "{e}");
}

const HOSTILE: [&str; 8] = [
    "=cmd|' /C calc'!A0",
    "=HYPERLINK(\"http://x\",\"y\")",
    "@SUM(1+1)",
    "+1+1",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
    "\u{FF1D}1+1",
];

#[test]
fn neutralise_formula_prefixes_formulas_and_keeps_numbers_and_phones() {
    for v in HOSTILE {
        assert_eq!(neutralise_formula(v), format!("'{v}"), "{v:?}");
    }
    for v in [
        "-5",
        "-12.5",
        "+1 555 0100",
        "+12015550123 x45",
        "plain",
        "",
        "a=b",
    ] {
        assert_eq!(neutralise_formula(v), v, "{v:?}");
    }
    for v in ["-", "+", "-1e5", "+1-555-0100", "+1 x", "-x5"] {
        assert_eq!(neutralise_formula(v), format!("'{v}"), "{v:?}");
    }
}

/// Every cell of every file the export writes starts with no formula character, except a
/// plain signed number.
fn assert_no_formula(file: &str, cells: impl Iterator<Item = String>) {
    for c in cells {
        assert_eq!(
            neutralise_formula(&c),
            c,
            "{file} holds a live formula cell: {c:?}"
        );
    }
}

/// The cells of a CSV file (RFC 4180 quoting), read back.
fn csv_cells(text: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut in_q = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (in_q, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            (true, '"') => in_q = false,
            (true, c) => cur.push(c),
            (false, '"') if cur.is_empty() => in_q = true,
            (false, ',') | (false, '\n') => cells.push(std::mem::take(&mut cur)),
            (false, c) => cur.push(c),
        }
    }
    cells
}

#[test]
fn every_exported_file_neutralises_formulas() {
    let d = tempfile::tempdir().unwrap();
    let mut csv = String::from("name,amount,note,=HEADER()\n");
    for v in HOSTILE {
        let q = v.replace('"', "\"\"");
        // Clean: the name and note carry the formula.
        csv.push_str(&format!("\"{q}\",-5,\"{q}\",x\n"));
        // Rejected: the amount is not a number, every cell carries the formula.
        csv.push_str(&format!("\"{q}\",\"{q}\",\"{q}\",\"{q}\"\n"));
    }
    let src = write(d.path(), "in.csv", csv.as_bytes());
    let map = DataMap::from_json(MAP).unwrap();
    let paths = ExportPaths::beside(&d.path().join("out.csv"));
    let (_, s) = export(
        &src,
        &map,
        &Fixes::default(),
        &CheckOptions::default(),
        &paths,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!((s.clean_rows, s.rejected_rows), (8, 8));
    let clean = std::fs::read_to_string(&paths.clean).unwrap();
    let rejected = std::fs::read_to_string(&paths.rejected).unwrap();
    assert_no_formula("clean", csv_cells(&clean).into_iter());
    assert_no_formula("rejected", csv_cells(&rejected).into_iter());
    // Negative numbers of a typed number column survive.
    assert!(clean.contains(",-5,"), "{clean}");
    assert!(clean.contains("'=cmd|' /C calc'!A0"), "{clean}");
    assert!(rejected.contains("'@SUM(1+1)"), "{rejected}");
    assert!(rejected.contains(",'=HEADER()"), "{rejected}");
    // The lineage's final values are what the clean file holds.
    let lineage = std::fs::read_to_string(&paths.lineage).unwrap();
    for line in lineage.lines().filter(|l| l.starts_with("{\"out_row\"")) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        for cell in v["cells"].as_array().unwrap() {
            let fin = match cell {
                serde_json::Value::Array(a) => a[2].as_str().unwrap().to_string(),
                other => other.as_str().unwrap().to_string(),
            };
            assert_no_formula("lineage", std::iter::once(fin));
        }
    }
}
