//! Every file of the committed fuzz corpora (`fuzz/corpus/<target>/`) replayed through the same
//! entry points as the fuzz targets, so CI checks them cheaply and they cannot rot.
//!
//! The seeds are written by `write_seed_corpus` (ignored; run it to regenerate them:
//! `cargo test -p finishline-data --test corpus -- --ignored write_seed_corpus`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{lie_about_size, row, xlsx};
use finishline_data::fuzzing;

fn corpus(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target)
}

fn replay(target: &str, entry: fn(&[u8])) {
    let dir = corpus(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the corpus {} cannot be read: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(
        files.len() >= 5,
        "the corpus {} has only {} seeds",
        dir.display(),
        files.len()
    );
    for f in files {
        let data = std::fs::read(&f).unwrap();
        let run = std::panic::catch_unwind(|| entry(&data));
        assert!(run.is_ok(), "{} broke the {target} target", f.display());
    }
}

#[test]
fn the_csv_corpus_replays_without_a_panic() {
    replay("csv_reader", fuzzing::csv_reader);
}

#[test]
fn the_xlsx_corpus_replays_without_a_panic() {
    replay("xlsx_reader", fuzzing::xlsx_reader);
}

#[test]
fn the_data_map_corpus_replays_without_a_panic() {
    replay("data_map", fuzzing::data_map);
}

fn save(target: &str, name: &str, bytes: &[u8]) {
    let dir = corpus(target);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
}

/// The seeds: small real files, and the known attacks scaled to the fuzzing budgets.
#[test]
#[ignore = "writes the committed seed corpus; run by hand to regenerate it"]
fn write_seed_corpus() {
    // CSV.
    let t = "csv_reader";
    save(t, "good.csv", b"Account Name,email,amount,renewal,phone\nAcme Inc.,a@acme.com,-12.5,13/01/2026,+1 201 555 0123\nACME,b@acme.com,3,31/02/2026,2015550123\n");
    save(t, "formulas.csv", "Account Name,email,amount\n=cmd|' /C calc'!A0,@SUM(1+1),+1+1\n\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",\"\t=1\",\"\r=1\"\n-5,+1 555 0100,\u{FF1D}1\n".as_bytes());
    save(t, "quotes.csv", b"Account Name,email\n\"Acme, \"\"Inc\"\"\",\"multi\nline\"\n\"open,quote\nB,b\r\nC;D|E\tF\r\r\n,,,,\n");
    save(t, "utf16.csv", &{
        let mut b = vec![0xFF, 0xFE];
        for u in "Account Name,email\r\nÉcole,é@x.fr\r\n".encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        b
    });
    save(t, "cp1252.csv", b"Account Name;email\nCaf\xe9;c@x.fr\n");
    save(
        t,
        "wide_header.csv",
        format!("{}a\n1\n", "a,".repeat(5_000)).as_bytes(),
    );
    save(t, "long_line.csv", &{
        let mut b = b"Account Name,email\n".to_vec();
        b.extend(std::iter::repeat_n(b'x', 100_000));
        b
    });
    save(
        t,
        "wide_record.csv",
        format!("Account Name,email\n{}\n", "x,".repeat(200)).as_bytes(),
    );
    save(t, "empty.csv", b"");

    // XLSX.
    let t = "xlsx_reader";
    let header = row(1, &["Account Name", "email", "amount"]);
    save(
        t,
        "good.xlsx",
        &xlsx(
            &(header.clone() + &row(2, &["Acme", "a@acme.com", "-5"])),
            "<si><t>shared</t></si>",
        ),
    );
    save(
        t,
        "rows_backwards.xlsx",
        &xlsx(
            &(header.clone() + &row(3, &["a", "b", "1"]) + &row(2, &["c", "d", "2"])),
            "",
        ),
    );
    save(
        t,
        "row_gap.xlsx",
        &xlsx(&(header.clone() + &row(20_000_002, &["a", "b", "1"])), ""),
    );
    save(
        t,
        "wide.xlsx",
        &xlsx(
            r#"<row r="1"><c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row>"#,
            "",
        ),
    );
    let sst = "<si><t>a</t></si>".repeat(200_000);
    let mut lying = xlsx(&header, &sst);
    lie_about_size(&mut lying, "xl/sharedStrings.xml", 1_000);
    save(t, "lying_shared_strings.xlsx", &lying);
    save(
        t,
        "formulas.xlsx",
        &xlsx(
            &(header.clone() + &row(2, &["=cmd|' /C calc'!A0", "@SUM(1)", "+1+1"])),
            "",
        ),
    );
    save(t, "not_a_zip.xlsx", b"PK\x03\x04garbage");
    let mut real = rust_xlsxwriter::Workbook::new();
    let s = real.add_worksheet();
    s.write_string(0, 0, "Account Name").unwrap();
    s.write_string(0, 1, "amount").unwrap();
    s.write_string(1, 0, "Acme").unwrap();
    s.write_number(1, 1, -12.5).unwrap();
    save(t, "rust_xlsxwriter.xlsx", &real.save_to_buffer().unwrap());

    // Data maps.
    let t = "data_map";
    save(t, "good.json", br#"{"fields":[{"name":"a","type":"date","dateFormats":["%d/%m/%Y"]},{"name":"b","constraints":{"pattern":"[A-Z]{2}","enum":["AB"]},"normalize":["company","trim"]}],"primaryKey":["a"],"duplicateKeys":[["b"]]}"#);
    save(t, "good.yaml", b"fields:\n  - name: a\n    type: integer\n    constraints: {minimum: 1}\n  - name: b\n    normalise: email\n");
    let mut laughs = String::from("a0: &a0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n");
    for i in 1..10 {
        let p = i - 1;
        laughs.push_str(&format!(
            "a{i}: &a{i} [*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p}]\n"
        ));
    }
    save(t, "billion_laughs.yaml", laughs.as_bytes());
    save(
        t,
        "deep.json",
        format!("{}{}", "[".repeat(500), "]".repeat(500)).as_bytes(),
    );
    save(
        t,
        "huge_pattern.json",
        format!(
            r#"{{"fields":[{{"name":"a","constraints":{{"pattern":"(\\w{{50}}){{50}}{}"}}}}]}}"#,
            "a".repeat(2_000)
        )
        .as_bytes(),
    );
    save(
        t,
        "bad_path.json",
        br#"{"fields":[{"name":"a","type":"strnig"}]}"#,
    );
}
