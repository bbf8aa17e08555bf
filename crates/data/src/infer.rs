//! `infer`: draft a data map from a file — headers, samples, guessed types, normalisations.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::input::{Input, OpenOptions};
use crate::map::{Constraints, DataMap, Field, FieldType, OneOrMany};
use crate::normalize::Normalizer;
use crate::parse::parse_records_term;
use crate::types::{self, COMMON_DATE_FORMATS};
use crate::DataError;

/// Rows read to guess types.
pub const INFER_ROWS: usize = 5_000;

/// Draft a data map from the first rows of a file.
pub fn infer(path: &Path, opts: &OpenOptions) -> Result<DataMap, DataError> {
    let mut input = Input::open(path, opts)?;
    let header = input.header.clone();
    let mut cols: Vec<Vec<String>> = vec![Vec::new(); header.len()];
    let mut rows = 0usize;
    let (d, q, t) = (input.delim, input.quote, input.term());
    while rows < INFER_ROWS {
        let Some(chunk) = input.next_chunk()? else {
            break;
        };
        parse_records_term(&chunk, d, q, t, |r, b| {
            if rows >= INFER_ROWS || r.is_blank() {
                return;
            }
            rows += 1;
            for (i, col) in cols.iter_mut().enumerate() {
                col.push(String::from_utf8_lossy(r.get(b, i).unwrap_or(b"")).into_owned());
            }
        });
    }
    let mut used = BTreeMap::new();
    let fields = header
        .iter()
        .enumerate()
        .map(|(i, h)| guess_field(h, &cols[i], &mut used))
        .collect();
    Ok(DataMap {
        description: Some(format!(
            "Draft data map inferred from {} ({} rows sampled); review every field before use.",
            path.display(),
            rows
        )),
        fields,
        missing_values: vec![String::new()],
        ..DataMap::default()
    })
}

fn snake(h: &str, used: &mut BTreeMap<String, usize>) -> String {
    let mut s = String::new();
    for c in h.trim().chars() {
        if c.is_alphanumeric() {
            s.extend(c.to_lowercase());
        } else if !s.ends_with('_') && !s.is_empty() {
            s.push('_');
        }
    }
    while s.ends_with('_') {
        s.pop();
    }
    if s.is_empty() {
        s = "column".into();
    }
    let n = used.entry(s.clone()).or_insert(0);
    *n += 1;
    if *n > 1 {
        format!("{s}_{n}")
    } else {
        s
    }
}

fn share(vals: &[&str], f: impl Fn(&str) -> bool) -> f64 {
    if vals.is_empty() {
        return 0.0;
    }
    vals.iter().filter(|v| f(v)).count() as f64 / vals.len() as f64
}

fn guess_field(header: &str, values: &[String], used: &mut BTreeMap<String, usize>) -> Field {
    let name = snake(header, used);
    let non_blank: Vec<&str> = values
        .iter()
        .map(String::as_str)
        .filter(|v| !v.trim().is_empty())
        .collect();
    let blanks = values.len() - non_blank.len();
    let mut samples: Vec<&str> = Vec::new();
    for v in &non_blank {
        if !samples.contains(v) {
            samples.push(v);
        }
        if samples.len() == 3 {
            break;
        }
    }
    let h = header.to_lowercase();
    let mut f = Field {
        name,
        title: Some(header.trim().to_string()),
        source_names: vec![header.to_string()],
        sample: Some(Value::from(
            samples.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        )),
        ..Field::default()
    };
    let ty = |t: FieldType| Field {
        field_type: t,
        ..Field::default()
    };
    let all = |t: FieldType| {
        !non_blank.is_empty() && non_blank.iter().all(|v| types::cast(&ty(t), v).is_some())
    };
    if all(FieldType::Integer)
        && !h.contains("phone")
        && !h.contains("zip")
        && !h.contains("postal")
    {
        f.field_type = FieldType::Integer;
    } else if all(FieldType::Number) && !h.contains("phone") {
        f.field_type = FieldType::Number;
    } else if all(FieldType::Boolean) {
        f.field_type = FieldType::Boolean;
    } else if all(FieldType::Date) {
        f.field_type = FieldType::Date;
        f.format = Some("default".into());
    } else if !non_blank.is_empty() {
        // Dates in other formats: keep every format that reads most values.
        let formats: Vec<&str> = COMMON_DATE_FORMATS
            .iter()
            .copied()
            .filter(|fmt| {
                share(&non_blank, |v| {
                    types::parse_date_with(v.trim(), fmt).is_some()
                }) > 0.1
            })
            .collect();
        let covered = share(&non_blank, |v| {
            formats
                .iter()
                .any(|fmt| types::parse_date_with(v.trim(), fmt).is_some())
        });
        if !formats.is_empty() && covered > 0.9 {
            f.field_type = FieldType::Date;
            f.date_formats = formats.iter().map(|s| s.to_string()).collect();
        }
    }
    // Normalisations.
    let norm = if share(&non_blank, |v| v.contains('@') && v.contains('.')) > 0.8
        || h.contains("email")
        || h.contains("e-mail")
    {
        Some("email")
    } else if h.contains("phone") || h.contains("tel") || h.contains("mobile") {
        Some("phone")
    } else if h.contains("country")
        || share(&non_blank, |v| {
            Normalizer::Country.apply(v, &mut String::new()).is_ok()
        }) > 0.9
    {
        Some("country")
    } else if [
        "company",
        "account",
        "organisation",
        "organization",
        "customer",
        "business",
        "vendor",
    ]
    .iter()
    .any(|k| h.contains(k))
        && f.field_type == FieldType::String
    {
        Some("company")
    } else if ["owner", "contact name", "person", "manager", "rep"]
        .iter()
        .any(|k| h.contains(k))
        && f.field_type == FieldType::String
    {
        Some("person")
    } else if f.field_type == FieldType::String && non_blank.iter().any(|v| v.trim() != *v) {
        Some("trim")
    } else {
        None
    };
    if norm == Some("email") {
        f.constraints.pattern = Some(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}".into());
    }
    f.normalize = norm.map(|n| OneOrMany::One(n.into()));
    // Required when no blanks; enum when few distinct values repeat a lot.
    let mut c = Constraints {
        required: blanks == 0 && !values.is_empty(),
        ..Constraints::default()
    };
    if f.field_type == FieldType::String && norm.is_none() && non_blank.len() >= 20 {
        let mut distinct: Vec<&str> = Vec::new();
        for v in &non_blank {
            if !distinct.contains(v) {
                distinct.push(v);
                if distinct.len() > 12 {
                    break;
                }
            }
        }
        if distinct.len() <= 12 {
            distinct.sort_unstable();
            c.enum_values = Some(distinct.iter().map(|s| Value::from(*s)).collect());
        }
    }
    if blanks > 0 && f.field_type == FieldType::Date {
        f.blank_means = Some(crate::map::BlankMeans::NeedsReview);
    }
    c.pattern = f.constraints.pattern.take();
    f.constraints = c;
    f
}
