//! Checks of query parameters that the OpenAPI document states and serde cannot, and the
//! project filter that analytics and the process map share.

use finishline_core::analytics::filter::PlaybookFilter;
use finishline_core::analytics::{Filter, FilterText};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiError;

/// Which projects to look at. Every parameter is optional; a blank one means "any".
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FilterQuery {
    /// Projects whose contract date is on or after this date (YYYY-MM-DD).
    #[param(format = Date)]
    pub from: Option<String>,
    /// Projects whose contract date is on or before this date (YYYY-MM-DD); before `from`, the
    /// range selects nothing.
    #[param(format = Date)]
    pub to: Option<String>,
    /// `smb`, `mid_market` or `enterprise`.
    #[param(pattern = "^(smb|mid_market|enterprise)?$")]
    pub segment: Option<String>,
    /// A playbook key (`standard`), or one version of it (`standard@2`).
    /// Anything else is taken as a key and matches no project.
    pub playbook: Option<String>,
    /// The vendor implementation owner: their name in any case, or a member's user id.
    pub owner: Option<String>,
}

impl FilterQuery {
    /// The filter, or a 400 naming the parameter that does not parse.
    pub fn filter(&self) -> Result<Filter, ApiError> {
        strict_day("from", self.from.as_deref())?;
        strict_day("to", self.to.as_deref())?;
        strict_one_of("segment", self.segment.as_deref(), SEGMENTS)?;
        let mut filter = Filter::parse(&FilterText {
            from: self.from.as_deref(),
            to: self.to.as_deref(),
            segment: self.segment.as_deref(),
            playbook: None,
            owner: self.owner.as_deref(),
        })
        .map_err(|e| ApiError::bad(e.field, e.message))?;
        // Any text is a playbook filter here: what is not `key` or `key@version` is a key no
        // playbook has (the document cannot state the pages' finer rule, so the API does not
        // refuse on it).
        if let Some(p) = self.playbook.as_deref().filter(|p| !p.trim().is_empty()) {
            let only = FilterText {
                playbook: Some(p),
                ..FilterText::default()
            };
            filter.playbook = Some(
                Filter::parse(&only)
                    .ok()
                    .and_then(|f| f.playbook)
                    .unwrap_or(PlaybookFilter {
                        key: p.to_string(),
                        version: None,
                    }),
            );
        }
        Ok(filter)
    }
}

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

/// At most `max` characters, as the document's `maxLength` says.
pub fn strict_len(field: &str, v: Option<&str>, max: usize) -> Result<(), ApiError> {
    match v {
        Some(v) if v.chars().count() > max => Err(ApiError::bad(
            field,
            format!(
                "is {} characters long; at most {max} are taken",
                v.chars().count()
            ),
        )),
        _ => Ok(()),
    }
}

/// The segments a filter takes, as the document lists them.
pub const SEGMENTS: &[&str] = &["smb", "mid_market", "enterprise"];

#[cfg(test)]
mod tests {
    use super::{strict_day, strict_len};

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

    #[test]
    fn a_parameter_longer_than_the_document_says_is_refused() {
        assert!(strict_len("user", None, 3).is_ok());
        assert!(
            strict_len("user", Some("éèê"), 3).is_ok(),
            "characters, not bytes"
        );
        assert!(strict_len("user", Some("abcd"), 3).is_err());
    }
}
