//! Reading a cell as its Table Schema type (the "type" rule) and comparing typed values.

use chrono::format::{Item, StrftimeItems};
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::Value;

use crate::formats::StringFormat;
use crate::map::{Field, FieldType};

/// A cell read as its field's type.
#[derive(Debug, Clone, PartialEq, PartialOrd)]
pub enum Typed {
    Str,
    Int(i128),
    Num(f64),
    Bool(bool),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    Time(NaiveTime),
    Year(i32),
}

impl Typed {
    /// A comparable key for `unique` (the text for strings).
    /// Appends the canonical form to `out`; dates of years 0–9999 (chrono's own four-digit
    /// form) are written digit by digit, as exports write one per row.
    pub fn canonical_into(&self, raw: &str, out: &mut String) {
        match self {
            Typed::Str => out.push_str(raw),
            Typed::Date(d) if (0..=9999).contains(&d.year()) => {
                let y = d.year() as u32;
                push2(out, y / 100);
                push2(out, y % 100);
                out.push('-');
                push2(out, d.month());
                out.push('-');
                push2(out, d.day());
            }
            other => out.push_str(&other.canonical(raw)),
        }
    }

    pub fn canonical(&self, raw: &str) -> String {
        match self {
            Typed::Str => raw.to_string(),
            Typed::Int(i) => i.to_string(),
            Typed::Num(n) => format!("{n}"),
            Typed::Bool(b) => b.to_string(),
            Typed::Date(d) => d.to_string(),
            Typed::DateTime(d) => d.to_string(),
            Typed::Time(t) => t.to_string(),
            Typed::Year(y) => y.to_string(),
        }
    }

    fn partial_cmp_typed(&self, other: &Typed) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Typed::Int(a), Typed::Num(b)) => (*a as f64).partial_cmp(b),
            (Typed::Num(a), Typed::Int(b)) => a.partial_cmp(&(*b as f64)),
            _ => self.partial_cmp(other),
        }
    }

    pub fn lt(&self, other: &Typed) -> bool {
        self.partial_cmp_typed(other) == Some(std::cmp::Ordering::Less)
    }
    pub fn gt(&self, other: &Typed) -> bool {
        self.partial_cmp_typed(other) == Some(std::cmp::Ordering::Greater)
    }
    pub fn eq_typed(&self, other: &Typed) -> bool {
        self.partial_cmp_typed(other) == Some(std::cmp::Ordering::Equal)
    }
}

/// Validate a strftime-style format string.
pub fn check_strftime(fmt: &str) -> Result<(), String> {
    if fmt.is_empty() || StrftimeItems::new(fmt).any(|i| matches!(i, Item::Error)) {
        Err(format!("\"{fmt}\" is not a strftime date format"))
    } else {
        Ok(())
    }
}

/// Strict ISO 8601 calendar date, `YYYY-MM-DD` (two-digit month and day).
pub fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let mut v = 0u32;
        for &c in &b[r] {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        }
        Some(v)
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

/// Date formats tried for `format: any` and by `infer`.
pub const COMMON_DATE_FORMATS: &[&str] = &[
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d-%b-%Y",
    "%Y%m%d",
];

pub fn parse_date_with(s: &str, fmt: &str) -> Option<NaiveDate> {
    if fmt == "%Y-%m-%d" {
        return parse_iso_date(s);
    }
    NaiveDate::parse_from_str(s, fmt).ok()
}

fn parse_int(s: &str, bare: bool) -> Option<i128> {
    let t = s.trim();
    let t = if bare { t } else { strip_non_numeric(t) };
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// `bareNumber: false`: drop leading text up to the first digit or minus, and trailing non-digits.
fn strip_non_numeric(t: &str) -> &str {
    let start = t
        .find(|c: char| c.is_ascii_digit() || c == '-')
        .unwrap_or(t.len());
    let t = &t[start..];
    let end = t
        .rfind(|c: char| c.is_ascii_digit())
        .map(|i| i + 1)
        .unwrap_or(0);
    &t[..end]
}

fn parse_number(s: &str, field: &Field) -> Option<f64> {
    let mut t = s.trim().to_string();
    let bare = field.bare_number.unwrap_or(true);
    let custom =
        field.group_char.is_some() || field.decimal_char.is_some() || field.bare_number.is_some();
    if custom {
        if !bare {
            t = strip_non_numeric(&t).to_string();
        }
        if let Some(g) = &field.group_char {
            if !g.is_empty() {
                t = t.replace(g.as_str(), "");
            }
        }
        let dec = field.decimal_char.as_deref().unwrap_or(".");
        if dec != "." {
            if t.contains('.') {
                return None;
            }
            t = t.replace(dec, ".");
        }
    }
    let core = t.strip_prefix(['+', '-']).unwrap_or(&t);
    let lower = core.to_ascii_lowercase();
    if matches!(lower.as_str(), "nan" | "inf" | "infinity") {
        return t.parse().ok();
    }
    if core.is_empty()
        || !core
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    t.parse().ok()
}

/// Read `raw` as the field's type; `None` is a type error.
pub fn cast(field: &Field, raw: &str) -> Option<Typed> {
    let format = field.format.as_deref().unwrap_or("default");
    match field.field_type {
        FieldType::Any => Some(Typed::Str),
        FieldType::String => match field.format.as_deref() {
            None | Some("default") => Some(Typed::Str),
            f => StringFormat::parse(f)
                .is_some_and(|f| f.accepts(raw))
                .then_some(Typed::Str),
        },
        FieldType::Integer => parse_int(raw, field.bare_number.unwrap_or(true)).map(Typed::Int),
        FieldType::Number => parse_number(raw, field).map(Typed::Num),
        FieldType::Boolean => {
            let t = field.true_values.as_ref();
            let f = field.false_values.as_ref();
            let is_true = match t {
                Some(v) => v.iter().any(|x| x == raw),
                None => matches!(raw, "true" | "True" | "TRUE" | "1"),
            };
            let is_false = match f {
                Some(v) => v.iter().any(|x| x == raw),
                None => matches!(raw, "false" | "False" | "FALSE" | "0"),
            };
            if is_true {
                Some(Typed::Bool(true))
            } else if is_false {
                Some(Typed::Bool(false))
            } else {
                None
            }
        }
        FieldType::Date => match format {
            "default" => parse_iso_date(raw).map(Typed::Date),
            "any" => COMMON_DATE_FORMATS
                .iter()
                .find_map(|f| parse_date_with(raw, f))
                .map(Typed::Date),
            f => parse_date_with(raw, f).map(Typed::Date),
        },
        FieldType::Datetime => match format {
            "default" | "any" => chrono::DateTime::parse_from_rfc3339(raw)
                .ok()
                .map(|d| Typed::DateTime(d.naive_utc()))
                .or_else(|| {
                    NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%SZ")
                        .ok()
                        .map(Typed::DateTime)
                }),
            f => NaiveDateTime::parse_from_str(raw, f)
                .ok()
                .map(Typed::DateTime),
        },
        FieldType::Time => match format {
            "default" | "any" => NaiveTime::parse_from_str(raw, "%H:%M:%S")
                .ok()
                .map(Typed::Time),
            f => NaiveTime::parse_from_str(raw, f).ok().map(Typed::Time),
        },
        FieldType::Year => {
            if raw.len() != 4 {
                return None;
            }
            raw.parse::<i32>()
                .ok()
                .filter(|y| (0..=9999).contains(y))
                .map(Typed::Year)
        }
    }
}

/// A `minimum`/`maximum` bound read as the field's type.
pub fn bound_value(field: &Field, v: &Value) -> Option<Typed> {
    match v {
        Value::Number(n) => match field.field_type {
            FieldType::Integer => n
                .as_i64()
                .map(|i| Typed::Int(i128::from(i)))
                .or_else(|| n.as_f64().map(Typed::Num)),
            FieldType::Number => n.as_f64().map(Typed::Num),
            FieldType::Year => n
                .as_i64()
                .and_then(|i| i32::try_from(i).ok())
                .map(Typed::Year),
            _ => None,
        },
        Value::String(s) => {
            if field.field_type == FieldType::String {
                return None;
            }
            cast(field, s)
        }
        _ => None,
    }
}

/// An `enum` entry read as the field's type (strings compare as text).
pub fn enum_value(field: &Field, v: &Value) -> Option<EnumEntry> {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if matches!(field.field_type, FieldType::String | FieldType::Any) {
        return Some(EnumEntry {
            text,
            typed: Typed::Str,
        });
    }
    let typed = match v {
        Value::Number(n) if field.field_type == FieldType::Integer => {
            n.as_i64().map(|i| Typed::Int(i128::from(i)))?
        }
        Value::Number(n) if field.field_type == FieldType::Number => Typed::Num(n.as_f64()?),
        Value::Bool(b) if field.field_type == FieldType::Boolean => Typed::Bool(*b),
        _ => cast(field, &text)?,
    };
    Some(EnumEntry { text, typed })
}

#[derive(Debug, Clone)]
pub struct EnumEntry {
    pub text: String,
    pub typed: Typed,
}

/// Two decimal digits of `n` (0–99).
fn push2(out: &mut String, n: u32) {
    out.push(char::from(b'0' + (n / 10 % 10) as u8));
    out.push(char::from(b'0' + (n % 10) as u8));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(t: FieldType) -> Field {
        Field {
            name: "x".into(),
            field_type: t,
            ..Field::default()
        }
    }

    #[test]
    fn iso_date_is_strict_about_two_digit_month_and_day() {
        assert!(parse_iso_date("2025-06-01").is_some());
        assert!(parse_iso_date("2025-6-1").is_none());
        assert!(parse_iso_date("2025-02-30").is_none());
        assert!(parse_iso_date("31/12/2025").is_none());
    }

    #[test]
    fn integers_accept_sign_and_surrounding_space_only() {
        let f = field(FieldType::Integer);
        assert_eq!(cast(&f, " 42 "), Some(Typed::Int(42)));
        assert_eq!(cast(&f, "-7"), Some(Typed::Int(-7)));
        assert_eq!(cast(&f, "1.0"), None);
        assert_eq!(cast(&f, "abc"), None);
    }

    #[test]
    fn numbers_honour_group_and_decimal_chars() {
        let mut f = field(FieldType::Number);
        assert_eq!(cast(&f, "1.5"), Some(Typed::Num(1.5)));
        assert_eq!(cast(&f, "1,5"), None);
        f.group_char = Some(".".into());
        f.decimal_char = Some(",".into());
        assert_eq!(cast(&f, "1.234,5"), Some(Typed::Num(1234.5)));
        f.group_char = None;
        assert_eq!(
            cast(&f, "1.5"),
            None,
            "a dot is refused when the decimal char is a comma"
        );
        f.group_char = Some(" ".into());
        assert_eq!(cast(&f, "1 234,5"), Some(Typed::Num(1234.5)));
        let mut g = field(FieldType::Number);
        g.bare_number = Some(false);
        assert_eq!(cast(&g, "$1200 USD"), Some(Typed::Num(1200.0)));
    }

    #[test]
    fn booleans_use_the_table_schema_defaults() {
        let f = field(FieldType::Boolean);
        assert_eq!(cast(&f, "TRUE"), Some(Typed::Bool(true)));
        assert_eq!(cast(&f, "0"), Some(Typed::Bool(false)));
        assert_eq!(cast(&f, "yes"), None);
    }

    #[test]
    fn years_are_four_digits() {
        let f = field(FieldType::Year);
        assert_eq!(cast(&f, "2025"), Some(Typed::Year(2025)));
        assert_eq!(cast(&f, "25"), None);
    }

    #[test]
    fn canonical_into_writes_what_canonical_does() {
        let mut dates: Vec<NaiveDate> = [
            (0, 1, 1),
            (9, 2, 3),
            (999, 12, 31),
            (2025, 3, 4),
            (9999, 12, 31),
        ]
        .iter()
        .filter_map(|&(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
        .collect();
        dates.extend(
            [
                NaiveDate::from_ymd_opt(-5, 1, 1),
                NaiveDate::from_ymd_opt(10_000, 1, 1),
            ]
            .into_iter()
            .flatten(),
        );
        let mut values: Vec<Typed> = dates.into_iter().map(Typed::Date).collect();
        values.extend([
            Typed::Int(-42),
            Typed::Num(2.5),
            Typed::Bool(true),
            Typed::Str,
            Typed::Year(1999),
        ]);
        for v in values {
            let mut out = String::from("x");
            v.canonical_into("raw", &mut out);
            assert_eq!(out, format!("x{}", v.canonical("raw")), "{v:?}");
        }
    }
}
