//! The fixes a grid decision makes: many cells at once, rows excluded (to the rejected file with
//! the reason, no longer checked), review items accepted as they are, duplicates merged (blanks
//! filled from the merged rows, lineage naming the merge), transforms on a column or on some
//! rows; and rows read back with the fixes applied, for the grid and a transform's preview.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use finishline_data::rows::{for_each_row, preview_transform};
use finishline_data::{
    check, export, CellValue, CheckOptions, DataMap, ExportPaths, Fix, FixAction, Fixes,
    MergeGroup, OpenOptions, Report, TransformOp,
};

const MAP: &str = r#"{
  "fields": [
    {"name": "account_name", "sourceNames": ["Account Name"], "constraints": {"required": true}, "normalize": "company"},
    {"name": "email", "sourceNames": ["E-mail"], "constraints": {"pattern": "[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}"}},
    {"name": "phone", "sourceNames": ["Phone"]}
  ],
  "duplicateKeys": [["account_name"]]
}"#;

/// Row 2 Acme, row 3 a bad email, row 4 a name missing, row 5 Acme again (a duplicate of row
/// 2, with the phone row 2 lacks).
const CSV: &str = "Account Name,E-mail,Phone\n\
Acme Inc.,a@acme.com,\n\
Beta LLC,b@beta,555-0101\n\
,c@gamma.io,555-0102\n\
ACME inc,ops@acme.com,555-0103\n";

fn file(dir: &Path) -> PathBuf {
    let p = dir.join("a.csv");
    std::fs::write(&p, CSV).unwrap();
    p
}

fn fixes(actions: Vec<FixAction>) -> Fixes {
    Fixes {
        source_sha256: None,
        fixes: actions
            .into_iter()
            .map(|action| Fix {
                action,
                who: "Ana (customer)".into(),
                why: "decided in the grid".into(),
                at: None,
            })
            .collect(),
    }
}

fn checked(path: &Path, f: &Fixes) -> Report {
    let map = DataMap::from_json(MAP).unwrap();
    check(path, &map, f, &CheckOptions::default()).unwrap()
}

fn rules(r: &Report) -> Vec<(u64, String)> {
    r.issues.iter().map(|i| (i.row, i.rule.clone())).collect()
}

#[test]
fn the_file_as_it_comes_has_one_issue_of_each_kind() {
    let d = tempfile::tempdir().unwrap();
    let r = checked(&file(d.path()), &Fixes::default());
    assert_eq!(
        rules(&r),
        [
            (3, "pattern".to_string()),
            (4, "required".to_string()),
            (5, "duplicate-key".to_string())
        ]
    );
    let dup = &r.issues[2];
    assert_eq!(
        dup.related,
        Some(2),
        "the duplicate names the row it matches"
    );
}

#[test]
fn excluded_rows_are_not_checked_and_go_to_the_rejected_file_with_the_reason() {
    let d = tempfile::tempdir().unwrap();
    let path = file(d.path());
    let f = fixes(vec![FixAction::Exclude { rows: vec![3, 4] }]);
    let r = checked(&path, &f);
    assert_eq!(rules(&r), [(5, "duplicate-key".to_string())]);
    assert_eq!(r.excluded_rows, 2);
    let map = DataMap::from_json(MAP).unwrap();
    let out = ExportPaths::beside(&d.path().join("clean.csv"));
    let (_, summary) =
        export(&path, &map, &f, &CheckOptions::default(), &out, &mut |_| {}).unwrap();
    assert_eq!((summary.clean_rows, summary.rejected_rows), (2, 2));
    let rejected = std::fs::read_to_string(&out.rejected).unwrap();
    assert!(
        rejected.contains("3,rows 3 and 4 excluded by Ana (customer): decided in the grid,Beta LLC,b@beta,555-0101"),
        "{rejected}"
    );
}

#[test]
fn accepted_review_items_go_quiet_but_errors_stay() {
    let d = tempfile::tempdir().unwrap();
    let f = fixes(vec![FixAction::Accept {
        rules: vec!["duplicate-key".into(), "pattern".into(), "required".into()],
        rows: vec![3, 4, 5],
    }]);
    let r = checked(&file(d.path()), &f);
    assert_eq!(
        rules(&r),
        [(3, "pattern".to_string()), (4, "required".to_string())],
        "errors cannot be accepted as they are"
    );
}

#[test]
fn a_merge_keeps_one_row_fills_its_blanks_and_says_so_in_the_lineage() {
    let d = tempfile::tempdir().unwrap();
    let path = file(d.path());
    let f = fixes(vec![FixAction::Merge {
        groups: vec![MergeGroup {
            keep: 2,
            rows: vec![5],
        }],
        fills: vec![CellValue {
            row: 2,
            field: "phone".into(),
            value: "555-0103".into(),
        }],
    }]);
    let r = checked(&path, &f);
    assert_eq!(
        rules(&r),
        [(3, "pattern".to_string()), (4, "required".to_string())]
    );
    let map = DataMap::from_json(MAP).unwrap();
    let out = ExportPaths::beside(&d.path().join("clean.csv"));
    export(&path, &map, &f, &CheckOptions::default(), &out, &mut |_| {}).unwrap();
    let clean = std::fs::read_to_string(&out.clean).unwrap();
    assert!(clean.contains("Acme Inc.,a@acme.com,555-0103"), "{clean}");
    assert!(!clean.contains("ops@acme.com"), "{clean}");
    let rejected = std::fs::read_to_string(&out.rejected).unwrap();
    assert!(
        rejected.contains("5,row 5 merged into row 2 by Ana"),
        "{rejected}"
    );
    let lineage = std::fs::read_to_string(&out.lineage).unwrap();
    assert!(
        lineage.contains(r#"[null,0,"555-0103"]"#) || lineage.contains(r#"["",0,"555-0103"]"#),
        "{lineage}"
    );
}

#[test]
fn many_cells_set_at_once_and_transforms_on_some_rows_or_all() {
    let d = tempfile::tempdir().unwrap();
    let path = file(d.path());
    let f = fixes(vec![
        FixAction::Cells {
            cells: vec![
                CellValue {
                    row: 3,
                    field: "email".into(),
                    value: "b@beta.io".into(),
                },
                CellValue {
                    row: 4,
                    field: "account_name".into(),
                    value: "Gamma".into(),
                },
            ],
        },
        FixAction::Transform {
            field: "phone".into(),
            op: TransformOp::Replace {
                find: r"^555-(\d+)$".into(),
                replace: "+1 555 $1".into(),
                regex: true,
            },
            rows: Some(vec![3]),
        },
        FixAction::Transform {
            field: "account_name".into(),
            op: TransformOp::Upper,
            rows: None,
        },
    ]);
    let r = checked(&path, &f);
    assert_eq!(rules(&r), [(5, "duplicate-key".to_string())]);
    let map = DataMap::from_json(MAP).unwrap();
    let mut seen = Vec::new();
    for_each_row(&path, &map, &f, &OpenOptions::default(), &mut |r| {
        seen.push((r.row, r.cells.to_vec(), r.excluded));
        true
    })
    .unwrap();
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[1].1, ["BETA LLC", "b@beta.io", "+1 555 0101"]);
    assert_eq!(
        seen[2].1,
        ["Gamma", "c@gamma.io", "555-0102"],
        "a set cell is not transformed again"
    );
    assert_eq!(
        seen[3].1[2], "555-0103",
        "row 5 is not among the transform's rows"
    );
}

#[test]
fn a_preview_counts_the_cells_a_transform_would_change() {
    let d = tempfile::tempdir().unwrap();
    let path = file(d.path());
    let map = DataMap::from_json(MAP).unwrap();
    let op = TransformOp::Replace {
        find: "555-".into(),
        replace: "+1 555 ".into(),
        regex: false,
    };
    let excluded = fixes(vec![FixAction::Exclude { rows: vec![4] }]);
    let p = preview_transform(
        &path,
        &map,
        &excluded,
        &OpenOptions::default(),
        "phone",
        &op,
        None,
    )
    .unwrap();
    assert_eq!((p.cells, p.changed), (3, 2), "row 4 is excluded");
    assert_eq!(p.examples[0].before, "555-0101");
    assert_eq!(p.examples[0].after, "+1 555 0101");
}

#[test]
fn decisions_naming_unknown_fields_or_impossible_rows_are_refused() {
    let map = DataMap::from_json(MAP).unwrap();
    let cases = [
        (
            FixAction::Cells {
                cells: vec![CellValue {
                    row: 2,
                    field: "nope".into(),
                    value: String::new(),
                }],
            },
            "\"nope\" is not a field",
        ),
        (FixAction::Exclude { rows: vec![1] }, "rows start at 2"),
        (
            FixAction::Cells {
                cells: vec![CellValue {
                    row: 7,
                    field: "phone".into(),
                    value: "x".repeat(4_097),
                }],
            },
            "a value for row 7 is longer than 4,096 characters",
        ),
        (
            FixAction::Merge {
                groups: vec![MergeGroup {
                    keep: 2,
                    rows: vec![2],
                }],
                fills: vec![],
            },
            "cannot be merged into itself",
        ),
        (
            FixAction::Transform {
                field: "phone".into(),
                op: TransformOp::Replace {
                    find: "(".into(),
                    replace: String::new(),
                    regex: true,
                },
                rows: None,
            },
            "not a valid regular expression",
        ),
    ];
    for (action, said) in cases {
        let e = fixes(vec![action])
            .validate(&map)
            .expect_err(said)
            .to_string();
        assert!(e.contains(said), "{e}");
    }
}

#[test]
fn a_column_is_split_into_others_and_columns_joined_into_one() {
    // The map's phone field has no column of its own here: the split makes it.
    let map = DataMap::from_json(
        r#"{"fields": [
            {"name": "account_name", "sourceNames": ["Account"], "constraints": {"required": true}},
            {"name": "email", "sourceNames": ["E-mail"]},
            {"name": "phone", "constraints": {"required": true}},
            {"name": "label"}
        ]}"#,
    )
    .unwrap();
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("s.csv");
    std::fs::write(
        &path,
        "Account,E-mail\nAcme Ltd|555-0101,a@acme.com\nBeta,b@beta.io\n",
    )
    .unwrap();
    let before = check(&path, &map, &Fixes::default(), &CheckOptions::default()).unwrap();
    assert!(before.issues.iter().any(|i| i.rule == "missing-column"));
    let f = fixes(vec![
        FixAction::Split {
            from: "account_name".into(),
            pattern: r"^([^|]+)\|(.+)$".into(),
            into: vec!["account_name".into(), "phone".into()],
            rows: None,
        },
        FixAction::Join {
            from: vec!["account_name".into(), "email".into()],
            separator: " / ".into(),
            into: "label".into(),
            rows: None,
        },
    ]);
    let r = check(&path, &map, &f, &CheckOptions::default()).unwrap();
    assert_eq!(
        rules(&r),
        [(3, "required".to_string())],
        "the made column needs no column in the file; row 3 has no phone to split"
    );
    let mut seen = Vec::new();
    for_each_row(&path, &map, &f, &OpenOptions::default(), &mut |r| {
        seen.push(r.cells.to_vec());
        true
    })
    .unwrap();
    assert_eq!(
        seen[0],
        [
            "Acme Ltd",
            "a@acme.com",
            "555-0101",
            "Acme Ltd|555-0101 / a@acme.com"
        ]
    );
    let e = fixes(vec![FixAction::Split {
        from: "account_name".into(),
        pattern: r"^(.+)$".into(),
        into: vec!["account_name".into(), "phone".into()],
        rows: None,
    }])
    .validate(&map)
    .expect_err("one group for two columns")
    .to_string();
    assert!(e.contains("1 group(s) in brackets for 2 column(s)"), "{e}");
}

#[test]
fn a_valid_address_at_a_mistyped_domain_is_flagged_for_review_with_the_address_meant() {
    let map = DataMap::from_json(
        r#"{"fields": [{"name": "email", "sourceNames": ["E-mail"], "normalize": "email"}]}"#,
    )
    .unwrap();
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("e.csv");
    std::fs::write(&path, "E-mail\nana@gmial.com\nbob@gmail.com\n").unwrap();
    let r = check(&path, &map, &Fixes::default(), &CheckOptions::default()).unwrap();
    assert_eq!(rules(&r), [(2, "email-typo".to_string())]);
    assert_eq!(r.issues[0].severity, finishline_data::Severity::Review);
    assert!(
        r.issues[0].message.contains("did you mean ana@gmail.com?"),
        "{}",
        r.issues[0].message
    );
}
