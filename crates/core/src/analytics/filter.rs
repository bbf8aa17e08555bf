//! Which projects an analytics request or the process map looks at: contract dates, segment,
//! playbook, owner. Parsed once from text, with an error naming the parameter and what it
//! accepts; the same filter, with the same meaning, for both.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::handoff::Segment;

use super::facts::ProjectFacts;

/// A playbook by key, and optionally one of its versions (`standard` or `standard@2`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AnalyticsPlaybookFilter))]
pub struct PlaybookFilter {
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AnalyticsFilter))]
pub struct Filter {
    /// Contract date on or after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Contract date on or before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<Segment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playbook: Option<PlaybookFilter>,
    /// The vendor implementation owner: their name (any case) or, for a member, their user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// A filter value that does not parse: which parameter, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    pub field: &'static str,
    pub message: String,
}

/// The filter as text, as a query string or a form gives it (blank means "any").
#[derive(Debug, Clone, Default)]
pub struct FilterText<'a> {
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub segment: Option<&'a str>,
    pub playbook: Option<&'a str>,
    pub owner: Option<&'a str>,
}

fn given(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

fn date(field: &'static str, v: Option<&str>) -> Result<Option<NaiveDate>, FilterError> {
    given(v)
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| FilterError {
                field,
                message: format!("{s:?} is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31"),
            })
        })
        .transpose()
}

impl Filter {
    pub fn parse(t: &FilterText<'_>) -> Result<Filter, FilterError> {
        let from = date("from", t.from)?;
        let to = date("to", t.to)?;
        // A `to` before `from` is a range that selects nothing, not an error: the API's
        // document cannot say that one parameter depends on another.
        let segment = given(t.segment)
            .map(|s| {
                serde_json::from_value::<Segment>(serde_json::Value::String(s.to_string())).map_err(
                    |_| FilterError {
                        field: "segment",
                        message: format!(
                            "{s:?} is not a segment: use smb, mid_market or enterprise"
                        ),
                    },
                )
            })
            .transpose()?;
        let playbook = given(t.playbook).map(parse_playbook).transpose()?;
        let owner = given(t.owner).map(str::to_string);
        Ok(Filter {
            from,
            to,
            segment,
            playbook,
            owner,
        })
    }

    pub fn matches(&self, f: &ProjectFacts) -> bool {
        self.from.is_none_or(|d| f.contract_date >= d)
            && self.to.is_none_or(|d| f.contract_date <= d)
            && self.segment.is_none_or(|s| f.segment == s)
            && self.playbook.as_ref().is_none_or(|p| {
                p.key == f.playbook.key && p.version.is_none_or(|v| v == f.playbook.version)
            })
            && self.owner.as_ref().is_none_or(|o| {
                o.to_lowercase() == f.owner.to_lowercase()
                    || f.owner_user_id.as_deref() == Some(o.as_str())
            })
    }

    /// The filter as a query string (`from=…&segment=…`), in a fixed order: a cache key, and
    /// what CSV links carry. Empty when nothing is filtered.
    pub fn query(&self) -> String {
        let mut parts: Vec<(&str, String)> = Vec::new();
        if let Some(d) = self.from {
            parts.push(("from", d.to_string()));
        }
        if let Some(d) = self.to {
            parts.push(("to", d.to_string()));
        }
        if let Some(s) = self.segment {
            parts.push(("segment", segment_key(s).to_string()));
        }
        if let Some(p) = &self.playbook {
            parts.push((
                "playbook",
                match p.version {
                    Some(v) => format!("{}@{v}", p.key),
                    None => p.key.clone(),
                },
            ));
        }
        if let Some(o) = &self.owner {
            parts.push(("owner", o.clone()));
        }
        parts
            .into_iter()
            .map(|(k, v)| format!("{k}={}", encode(&v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

pub fn segment_key(s: Segment) -> &'static str {
    match s {
        Segment::Smb => "smb",
        Segment::MidMarket => "mid_market",
        Segment::Enterprise => "enterprise",
    }
}

fn parse_playbook(s: &str) -> Result<PlaybookFilter, FilterError> {
    let (key, version) = match s.split_once('@') {
        None => (s, None),
        Some((key, v)) => {
            let version = v.parse::<u32>().map_err(|_| FilterError {
                field: "playbook",
                message: format!(
                    "{v:?} is not a version number: write the playbook as key or key@version, e.g. standard@2"
                ),
            })?;
            (key, Some(version))
        }
    };
    if key.is_empty() {
        return Err(FilterError {
            field: "playbook",
            message: "the playbook key is missing: write key or key@version, e.g. standard@2"
                .into(),
        });
    }
    Ok(PlaybookFilter {
        key: key.to_string(),
        version,
    })
}

/// Percent-encoding for a query value (everything but unreserved characters).
fn encode(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'@') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_parse_names_the_parameter_that_is_wrong() {
        let bad = |t: FilterText<'_>| Filter::parse(&t).expect_err("a filter that does not parse");
        assert_eq!(
            bad(FilterText {
                from: Some("31/01/2026"),
                ..Default::default()
            })
            .field,
            "from"
        );
        let inverted = Filter::parse(&FilterText {
            from: Some("2026-02-01"),
            to: Some("2026-01-01"),
            ..Default::default()
        })
        .expect("an inverted range parses");
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        assert_eq!(
            (inverted.from, inverted.to),
            (d("2026-02-01"), d("2026-01-01")),
            "kept as given: it selects nothing"
        );
        assert_eq!(
            bad(FilterText {
                segment: Some("huge"),
                ..Default::default()
            })
            .field,
            "segment"
        );
        assert_eq!(
            bad(FilterText {
                playbook: Some("standard@two"),
                ..Default::default()
            })
            .field,
            "playbook"
        );
    }

    #[test]
    fn filter_query_is_the_canonical_text_of_what_was_parsed() {
        let f = Filter::parse(&FilterText {
            owner: Some(" Dana Reyes "),
            playbook: Some("standard@2"),
            segment: Some(""),
            ..Default::default()
        })
        .expect("a filter");
        assert_eq!(f.query(), "playbook=standard@2&owner=Dana%20Reyes");
        assert_eq!(Filter::default().query(), "");
    }
}
