//! Checks of query parameters that the OpenAPI document states and serde cannot.

use crate::error::ApiError;

/// A day exactly as the document's `format: date` says (`YYYY-MM-DD`, nothing around it). The
/// pages are lenient (a blank field means "any"); the API says what it takes and takes that.
pub fn strict_day(field: &str, v: Option<&str>) -> Result<(), ApiError> {
    let Some(v) = v else { return Ok(()) };
    let b = v.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if shaped && chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok() {
        Ok(())
    } else {
        Err(ApiError::bad(
            field,
            format!("{v:?} is not a day: write it as YYYY-MM-DD, e.g. 2026-03-02 (leave the parameter out for any day)"),
        ))
    }
}

/// One of the values the document's pattern lists, exactly (the empty value meaning "any").
pub fn strict_one_of(field: &str, v: Option<&str>, allowed: &[&str]) -> Result<(), ApiError> {
    match v {
        Some(v) if !v.is_empty() && !allowed.contains(&v) => Err(ApiError::bad(
            field,
            format!("{v:?} is not one of {}", allowed.join(", ")),
        )),
        _ => Ok(()),
    }
}

/// The segments a filter takes, as the document lists them.
pub const SEGMENTS: &[&str] = &["smb", "mid_market", "enterprise"];

#[cfg(test)]
mod tests {
    use super::strict_day;

    #[test]
    fn only_a_full_date_passes() {
        assert!(strict_day("from", None).is_ok());
        assert!(strict_day("from", Some("2026-03-02")).is_ok());
        for bad in [
            "",
            " 2026-03-02",
            "2026-3-02",
            "2026-02-30",
            "20260302",
            "+2026-03-0",
            "２０２６-03-02",
        ] {
            assert!(strict_day("from", Some(bad)).is_err(), "{bad:?}");
        }
    }
}
