//! Library-level tests: readers, rules, fixes, export, lineage and limits on small real files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use finishline_data::{
    check, export, CheckOptions, DataMap, ExportPaths, Fix, FixAction, Fixes, Limits, OpenOptions,
    Report,
};

const MAP: &str = r#"{
  "fields": [
    {"name": "account_name", "sourceNames": ["Account Name", "Company"], "constraints": {"required": true}, "normalize": "company"},
    {"name": "email", "sourceNames": ["E-mail"], "constraints": {"pattern": "[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}"}, "normalize": "email"},
    {"name": "status", "constraints": {"enum": ["Active", "Trial"]}},
    {"name": "renewal", "type": "date", "dateFormats": ["%d/%m/%Y", "%m/%d/%Y"], "blankMeans": "needs-review"}
  ],
  "duplicateKeys": [["account_name"]]
}"#;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn run(path: &Path) -> Report {
    let map = DataMap::from_json(MAP).unwrap();
    check(path, &map, &Fixes::default(), &CheckOptions::default()).unwrap()
}

const GOOD: &str = "Account Name,E-mail,Status,Renewal\nAcme Inc.,a@acme.com,Active,13/01/2026\nBeta LLC,b@beta.io,Trial,25/12/2025\n";

#[test]
fn a_clean_file_has_no_issues() {
    let d = tempfile::tempdir().unwrap();
    let r = run(&write(d.path(), "a.csv", GOOD.as_bytes()));
    assert!(r.is_clean(), "{:?}", r.issues);
    assert_eq!(r.rows, 2);
}

#[test]
fn utf8_bom_utf16_and_windows_1252_are_detected() {
    let d = tempfile::tempdir().unwrap();
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(GOOD.as_bytes());
    let r = run(&write(d.path(), "bom.csv", &bom));
    assert!(r.is_clean(), "{:?}", r.issues);
    assert!(r.input.bom);

    for (le, name) in [(true, "le.csv"), (false, "be.csv")] {
        let mut b = if le {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for u in GOOD.encode_utf16() {
            b.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        let r = run(&write(d.path(), name, &b));
        assert!(r.is_clean(), "{name}: {:?}", r.issues);
        assert!(r.input.encoding.starts_with("UTF-16"));
    }

    let cp = b"Account Name,E-mail,Status,Renewal\nM\xfcller GmbH,m@mueller.de,Active,13/01/2026\n";
    let map = DataMap::from_json(MAP).unwrap();
    let r = check(
        &write(d.path(), "cp.csv", cp),
        &map,
        &Fixes::default(),
        &CheckOptions::default(),
    )
    .unwrap();
    assert_eq!(r.input.encoding, "windows-1252");
    assert!(r.is_clean(), "{:?}", r.issues);
}

#[test]
fn semicolon_and_tab_delimiters_are_sniffed() {
    let d = tempfile::tempdir().unwrap();
    let r = run(&write(d.path(), "s.csv", GOOD.replace(',', ";").as_bytes()));
    assert_eq!(r.input.delimiter, ";");
    assert!(r.is_clean());
    let r = run(&write(
        d.path(),
        "t.tsv",
        GOOD.replace(',', "\t").as_bytes(),
    ));
    assert_eq!(r.input.delimiter, "\t");
    assert!(r.is_clean());
}

#[test]
fn ragged_blank_and_multiline_rows_are_issues_with_spreadsheet_row_numbers() {
    let d = tempfile::tempdir().unwrap();
    let text = "Account Name,E-mail,Status,Renewal\nAcme,a@acme.com,Active,13/01/2026\n\nShort Co,s@s.com\nLong Co,l@l.com,Active,13/01/2026,extra\n\"Multi\nLine\",m@m.com,Trial,13/01/2026\n";
    let r = run(&write(d.path(), "r.csv", text.as_bytes()));
    let rules: Vec<(u64, &str)> = r.issues.iter().map(|i| (i.row, i.rule.as_str())).collect();
    assert!(rules.contains(&(3, "blank-row")), "{rules:?}");
    assert!(rules.contains(&(4, "missing-cell")), "{rules:?}");
    assert!(rules.contains(&(5, "extra-cell")), "{rules:?}");
    assert!(rules.contains(&(6, "embedded-newline")), "{rules:?}");
    assert_eq!(r.rows, 5);
}

#[test]
fn duplicate_and_unmapped_and_missing_headers_are_reported() {
    let d = tempfile::tempdir().unwrap();
    let text = "Company,Company,Emial,Notes\nAcme,x,a@a.com,n\n";
    let r = run(&write(d.path(), "h.csv", text.as_bytes()));
    let rules: Vec<&str> = r.issues.iter().map(|i| i.rule.as_str()).collect();
    assert!(rules.contains(&"duplicate-header"));
    assert!(rules.contains(&"unmapped-column"));
    assert!(rules.contains(&"missing-column"));
    let emial = r.columns.iter().find(|c| c.column == "Emial").unwrap();
    assert_eq!(
        emial.suggestion.as_deref(),
        Some("email"),
        "fuzzy suggestion for a misspelt header"
    );
}

#[test]
fn rules_enum_pattern_ambiguous_dates_blanks_and_near_duplicates() {
    let d = tempfile::tempdir().unwrap();
    let text = "Account Name,E-mail,Status,Renewal\nACME Inc.,a@acme.com,Actve,03/04/2025\nAcme,bad-email,Active,\n,c@c.com,Trial,31/12/2025\n";
    let r = run(&write(d.path(), "x.csv", text.as_bytes()));
    let find = |rule: &str| {
        r.issues
            .iter()
            .find(|i| i.rule == rule)
            .unwrap_or_else(|| panic!("no {rule}: {:?}", r.issues))
    };
    let e = find("enum");
    assert_eq!(
        (e.row, e.column.as_deref(), e.field.as_deref()),
        (2, Some("Status"), Some("status"))
    );
    assert!(e.message.contains("Did you mean \"Active\""));
    assert_eq!(find("ambiguous-date").row, 2);
    assert_eq!(find("pattern").row, 3);
    assert_eq!(find("needs-review").row, 3);
    assert_eq!(find("duplicate-key").row, 3);
    assert_eq!(find("required").row, 4);
    assert_eq!(r.count("enum"), 1);
}

#[test]
fn fixes_are_applied_as_a_layer_and_the_upload_is_untouched() {
    let d = tempfile::tempdir().unwrap();
    let text = "Account Name,E-mail,Status,Renewal\nAcme,a@acme.com,Actve,03/04/2025\nBeta,b@b.com,Trial,\n";
    let src = write(d.path(), "f.csv", text.as_bytes());
    let fix = |action| Fix {
        action,
        who: "ana".into(),
        why: "test".into(),
        at: None,
    };
    let fixes = Fixes {
        source_sha256: None,
        fixes: vec![
            fix(FixAction::MapValue {
                field: "status".into(),
                from: "Actve".into(),
                to: "Active".into(),
            }),
            fix(FixAction::DateReading {
                field: "renewal".into(),
                format: "%d/%m/%Y".into(),
            }),
            fix(FixAction::FillBlanks {
                field: "renewal".into(),
                value: "01/01/2026".into(),
            }),
        ],
    };
    let map = DataMap::from_json(MAP).unwrap();
    let r = check(&src, &map, &fixes, &CheckOptions::default()).unwrap();
    assert!(r.is_clean(), "{:?}", r.issues);
    let out = d.path().join("clean.csv");
    let paths = ExportPaths::beside(&out);
    let (_, s) = export(
        &src,
        &map,
        &fixes,
        &CheckOptions::default(),
        &paths,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(s.clean_rows, 2);
    let clean = std::fs::read_to_string(&out).unwrap();
    assert_eq!(clean, "account_name,email,status,renewal\nAcme,a@acme.com,Active,2025-04-03\nBeta,b@b.com,Trial,2026-01-01\n");
    assert_eq!(
        std::fs::read_to_string(&src).unwrap(),
        text,
        "the upload is never modified"
    );
    let lineage = std::fs::read_to_string(&paths.lineage).unwrap();
    assert!(lineage.contains("[\"Actve\",0,\"Active\"]"), "{lineage}");
    assert!(lineage.contains("\"sha256\":\""));
}

#[test]
fn export_rejects_error_rows_with_reasons_and_neutralises_formulas() {
    let d = tempfile::tempdir().unwrap();
    let text = "Account Name,E-mail,Status,Renewal\n=HYPERLINK(\"x\"),a@a.com,Active,13/01/2026\n@SUM(A1),b@b.com,Active,13/01/2026\n,c@c.com,Active,13/01/2026\n";
    let src = write(d.path(), "e.csv", text.as_bytes());
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
    assert_eq!(
        (s.clean_rows, s.rejected_rows, s.neutralised_cells),
        (2, 1, 2)
    );
    let clean = std::fs::read_to_string(&paths.clean).unwrap();
    assert!(clean.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{clean}");
    assert!(clean.contains("'@SUM(A1)"));
    let rejected = std::fs::read_to_string(&paths.rejected).unwrap();
    assert!(rejected.starts_with("row,reasons,Account Name"));
    assert!(
        rejected.contains("\n4,\"account_name: \"\"account_name\"\" is required"),
        "{rejected}"
    );
}

#[test]
fn neutralise_leaves_plain_numbers_and_phones() {
    use finishline_data::neutralise;
    assert_eq!(neutralise("=1+2").as_deref(), Some("'=1+2"));
    assert_eq!(neutralise("\tx").as_deref(), Some("'\tx"));
    assert_eq!(neutralise("\rx").as_deref(), Some("'\rx"));
    assert_eq!(neutralise("-2+3").as_deref(), Some("'-2+3"));
    assert_eq!(neutralise("-12.5"), None);
    assert_eq!(neutralise("+12015550123 x45"), None);
    assert_eq!(neutralise("plain"), None);
}

#[test]
fn xlsx_first_sheet_or_named_sheet_is_read() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("w.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let s1 = wb.add_worksheet();
    s1.set_name("Accounts").unwrap();
    for (c, h) in ["Account Name", "E-mail", "Status", "Renewal"]
        .iter()
        .enumerate()
    {
        s1.write_string(0, c as u16, *h).unwrap();
    }
    s1.write_string(1, 0, "Acme").unwrap();
    s1.write_string(1, 1, "a@acme.com").unwrap();
    s1.write_string(1, 2, "Actve").unwrap();
    s1.write_string(1, 3, "13/01/2026").unwrap();
    let s2 = wb.add_worksheet();
    s2.set_name("Other").unwrap();
    s2.write_string(0, 0, "Nothing").unwrap();
    wb.save(&p).unwrap();
    let r = run(&p);
    assert_eq!(r.input.sheet.as_deref(), Some("Accounts"));
    assert_eq!(r.count("enum"), 1);
    assert_eq!(
        r.issues.iter().find(|i| i.rule == "enum").map(|i| i.row),
        Some(2)
    );
    let map = DataMap::from_json(MAP).unwrap();
    let opts = CheckOptions {
        open: OpenOptions {
            sheet: Some("Other".into()),
            ..OpenOptions::default()
        },
        ..CheckOptions::default()
    };
    let r = check(&p, &map, &Fixes::default(), &opts).unwrap();
    assert!(r.issues.iter().any(|i| i.rule == "missing-column"));
    let opts = CheckOptions {
        open: OpenOptions {
            sheet: Some("Nope".into()),
            ..OpenOptions::default()
        },
        ..CheckOptions::default()
    };
    assert!(check(&p, &map, &Fixes::default(), &opts).is_err());
}

#[test]
fn xlsx_over_the_limits_is_refused_before_reading() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("big.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let s = wb.add_worksheet();
    for r in 0..2000u32 {
        s.write_string(r, 0, "the same text again and again to compress well")
            .unwrap();
    }
    wb.save(&p).unwrap();
    let map = DataMap::from_json(MAP).unwrap();
    let tiny = Limits {
        max_uncompressed_bytes: 10_000,
        ..Limits::default()
    };
    let opts = CheckOptions {
        open: OpenOptions {
            limits: tiny,
            ..OpenOptions::default()
        },
        ..CheckOptions::default()
    };
    let e = check(&p, &map, &Fixes::default(), &opts)
        .unwrap_err()
        .to_string();
    assert!(e.contains("zip bomb"), "{e}");
    let few = Limits {
        max_zip_entries: 3,
        ..Limits::default()
    };
    let opts = CheckOptions {
        open: OpenOptions {
            limits: few,
            ..OpenOptions::default()
        },
        ..CheckOptions::default()
    };
    assert!(check(&p, &map, &Fixes::default(), &opts)
        .unwrap_err()
        .to_string()
        .contains("parts"));
}

#[test]
fn empty_and_garbage_inputs_are_errors_not_panics() {
    let d = tempfile::tempdir().unwrap();
    let map = DataMap::from_json(MAP).unwrap();
    let o = CheckOptions::default();
    assert!(check(&write(d.path(), "e.csv", b""), &map, &Fixes::default(), &o).is_err());
    assert!(check(
        &write(d.path(), "z.xlsx", b"PK\x03\x04garbage"),
        &map,
        &Fixes::default(),
        &o
    )
    .is_err());
    assert!(check(&d.path().join("missing.csv"), &map, &Fixes::default(), &o).is_err());
    // An unclosed quote is an issue, not a hang or a panic.
    let r = check(
        &write(
            d.path(),
            "q.csv",
            b"Account Name,E-mail\n\"Acme,a@a.com\nB,b@b.com\n",
        ),
        &map,
        &Fixes::default(),
        &o,
    )
    .unwrap();
    assert!(r.issues.iter().any(|i| i.rule == "unclosed-quote"));
}

#[test]
fn map_errors_name_the_wrong_path() {
    let e = DataMap::from_json(r#"{"fields":[{"name":"a","type":"strnig"}]}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("fields[0].type"), "{e}");
    let e = DataMap::from_json(r#"{"fields":[{"name":"a","constraints":{"pattern":"("}}]}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("fields[0].constraints.pattern"), "{e}");
    let e = DataMap::from_json(r#"{"fields":[{"name":"a","normalize":["trim","shout"]}]}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("fields[0].normalize[1]"), "{e}");
    let e = DataMap::from_json(r#"{"fields":[{"name":"a"}],"duplicateKeys":[["b"]]}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("duplicateKeys[0][0]"), "{e}");
    let m = DataMap::from_yaml("fields:\n  - name: a\n    normalise: trim\n").unwrap();
    assert!(
        m.warnings()[0].contains("did you mean normalize"),
        "{:?}",
        m.warnings()
    );
}

#[test]
fn string_formats_are_type_errors_that_name_the_format_and_the_problem() {
    let map = DataMap::from_json(
        r#"{"fields":[
            {"name":"email","format":"email"},
            {"name":"site","type":"string","format":"uri"},
            {"name":"id","type":"string","format":"uuid"},
            {"name":"logo","type":"string","format":"binary"},
            {"name":"note","type":"string","format":"default"}
        ]}"#,
    )
    .unwrap();
    let d = tempfile::tempdir().unwrap();
    let csv = "email,site,id,logo,note\n\
        bob@example.com,https://example.com,123e4567-e89b-12d3-a456-426614174000,SGVsbG8=,bob@\n\
        bob@,example.com,123e4567-e89b-12d3-a456-42661417400,SGVsbG8,a b@c\n\
        a b@c.com,/path,x,héllo,\n";
    let r = check(
        &write(d.path(), "f.csv", csv.as_bytes()),
        &map,
        &Fixes::default(),
        &CheckOptions::default(),
    )
    .unwrap();
    let found: Vec<(u64, &str, &str)> = r
        .issues
        .iter()
        .map(|i| (i.row, i.field.as_deref().unwrap_or(""), i.rule.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (3, "email", "type"),
            (3, "site", "type"),
            (3, "id", "type"),
            (3, "logo", "type"),
            (4, "email", "type"),
            (4, "site", "type"),
            (4, "id", "type"),
            (4, "logo", "type"),
        ],
        "{:#?}",
        r.issues
    );
    let message = |row: u64, field: &str| {
        r.issues
            .iter()
            .find(|i| i.row == row && i.field.as_deref() == Some(field))
            .map(|i| i.message.clone())
            .unwrap()
    };
    assert_eq!(
        message(3, "email"),
        "\"bob@\" is not an e-mail address (there is nothing after the @); write it as name@example.com"
    );
    assert_eq!(
        message(4, "email"),
        "\"a b@c.com\" is not an e-mail address (the part before the @ contains a space); write it as name@example.com"
    );
    assert!(
        message(3, "site").contains("does not start with a scheme"),
        "{}",
        message(3, "site")
    );
    assert!(
        message(3, "id").contains("31 characters"),
        "{}",
        message(3, "id")
    );
    assert!(
        message(3, "logo").contains("pad it with ="),
        "{}",
        message(3, "logo")
    );
    assert!(
        message(4, "logo").contains("ASCII"),
        "{}",
        message(4, "logo")
    );
}

#[test]
fn an_unknown_string_format_is_refused_naming_it_and_the_field() {
    let e = DataMap::from_json(r#"{"fields":[{"name":"a"},{"name":"mail","format":"e-mail"}]}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("fields[1].format"), "{e}");
    assert!(e.contains("\"mail\"") && e.contains("\"e-mail\""), "{e}");
    assert!(e.contains("default, email, uri, uuid, binary"), "{e}");
    let e = DataMap::from_yaml("fields:\n  - name: shape\n    format: wkt\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("not checked by Finishline"), "{e}");
}

#[test]
fn an_unknown_date_format_is_refused_naming_it_and_the_field() {
    for bad in ["dd/mm/yyyy", "%Q", ""] {
        let json = format!(r#"{{"fields":[{{"name":"renewal","type":"date","format":"{bad}"}}]}}"#);
        let e = DataMap::from_json(&json).unwrap_err().to_string();
        assert!(e.contains("fields[0].format"), "{e}");
        assert!(
            e.contains("\"renewal\"") && e.contains("is not a date format"),
            "{e}"
        );
    }
    for ok in ["default", "any", "%d/%m/%Y"] {
        let json = format!(r#"{{"fields":[{{"name":"renewal","type":"date","format":"{ok}"}}]}}"#);
        DataMap::from_json(&json).unwrap();
    }
    let e = DataMap::from_json(r#"{"fields":[{"name":"at","type":"time","format":"hh:mm"}]}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("is not a time format"), "{e}");
}

#[test]
fn person_names_differing_only_in_punctuation_or_accents_are_likely_duplicates() {
    let map = DataMap::from_json(
        r#"{"fields":[{"name":"contact","normalize":"person"}],"duplicateKeys":[["contact"]]}"#,
    )
    .unwrap();
    let d = tempfile::tempdir().unwrap();
    let csv = "contact\nNadia Alvarez-Cruz\nNadia Alvarez Cruz\nNádia Álvarez Cruz\nSean O'Brien\nSean OBrien\nNadia Alvarez\n";
    let r = check(
        &write(d.path(), "people.csv", csv.as_bytes()),
        &map,
        &Fixes::default(),
        &CheckOptions::default(),
    )
    .unwrap();
    let dups: Vec<(u64, &str)> = r
        .issues
        .iter()
        .filter(|i| i.rule == "duplicate-key")
        .map(|i| (i.row, i.message.as_str()))
        .collect();
    assert_eq!(
        dups.iter().map(|d| d.0).collect::<Vec<_>>(),
        [3, 4, 6],
        "{:#?}",
        r.issues
    );
    assert!(dups[0].1.contains("matches row 2"), "{}", dups[0].1);
    assert!(dups[1].1.contains("matches row 2"), "{}", dups[1].1);
    assert!(dups[2].1.contains("matches row 5"), "{}", dups[2].1);
}

#[test]
fn a_mistyped_email_domain_is_flagged_with_a_suggestion_never_changed() {
    let map = DataMap::from_json(
        r#"{"fields":[
            {"name":"email","normalize":"email","constraints":{"pattern":"[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}"}},
            {"name":"backup","type":"string","format":"email"}
        ]}"#,
    )
    .unwrap();
    let d = tempfile::tempdir().unwrap();
    let csv = "email,backup\nana@gmial.com,bo@gmail\nli@contoso,li@example.com\ncy@hotmail,cy@example.com\n";
    let r = check(
        &write(d.path(), "emails.csv", csv.as_bytes()),
        &map,
        &Fixes::default(),
        &CheckOptions::default(),
    )
    .unwrap();
    let message = |row: u64, field: &str| {
        r.issues
            .iter()
            .find(|i| i.row == row && i.field.as_deref() == Some(field))
            .map(|i| i.message.clone())
            .unwrap_or_default()
    };
    // gmial.com passes the pattern (it has a dot and an ending): flagged only when it does not.
    assert!(
        message(2, "backup").contains("did you mean bo@gmail.com?"),
        "{:#?}",
        r.issues
    );
    let unknown = message(3, "email");
    assert!(unknown.contains("is not an e-mail address"), "{unknown}");
    assert!(
        !unknown.contains("did you mean"),
        "no guess for an unknown domain: {unknown}"
    );
    assert!(
        message(4, "email").contains("did you mean cy@hotmail.com?"),
        "{:#?}",
        r.issues
    );
    // The value itself is never changed by a suggestion.
    assert!(r
        .issues
        .iter()
        .all(|i| i.value.as_deref() != Some("bo@gmail.com")));
}

#[test]
fn the_shared_benchmark_map_parses_as_written() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench/accounts.map.json");
    let text = std::fs::read_to_string(&p)
        .or_else(|_| std::fs::read_to_string("/work/shared/bench/accounts.map.json"));
    if let Ok(text) = text {
        let m = DataMap::from_json(&text).unwrap();
        assert_eq!(m.fields.len(), 9);
        assert!(m.warnings().is_empty(), "{:?}", m.warnings());
    }
}

#[test]
fn chunk_boundaries_do_not_change_results() {
    let d = tempfile::tempdir().unwrap();
    let mut text = String::from("Account Name,E-mail,Status,Renewal\n");
    for i in 0..3000 {
        if i % 7 == 0 {
            text.push_str(&format!(
                "\"Co {i},\nmulti\",x{i}@a.com,Active,13/01/2026\n"
            ));
        } else if i % 11 == 0 {
            text.push('\n');
        } else {
            text.push_str(&format!("Company {i},bad{i},Nope,\n"));
        }
    }
    let p = write(d.path(), "c.csv", text.as_bytes());
    let map = DataMap::from_json(MAP).unwrap();
    let small = CheckOptions {
        open: OpenOptions {
            chunk_bytes: Some(1024),
            ..OpenOptions::default()
        },
        threads: Some(3),
        ..CheckOptions::default()
    };
    let a = check(&p, &map, &Fixes::default(), &small).unwrap();
    let b = check(
        &p,
        &map,
        &Fixes::default(),
        &CheckOptions {
            threads: Some(1),
            ..CheckOptions::default()
        },
    )
    .unwrap();
    assert_eq!(a.issues, b.issues);
    assert_eq!(a.rows, 3000);
}
