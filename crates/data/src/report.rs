//! Issues and the report of a check: what is wrong, where, and how to fix it.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::input::InputInfo;

/// `error` blocks the import of a row; `review` flags it for a person to look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Review,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Review => "review",
        }
    }
}

/// One issue. `row` is the row number as a spreadsheet shows it (header = row 1); 0 for an
/// issue about the file or its columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Issue {
    pub row: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub rule: String,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    pub message: String,
    /// The other row the issue is about: the earlier row a duplicate or a repeated key matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related: Option<u64>,
}

/// An example of a rule's issues.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Example {
    pub row: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// Issues of one rule: how many, and a few examples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleSummary {
    pub rule: String,
    pub severity: Severity,
    pub count: u64,
    pub fields: Vec<String>,
    pub examples: Vec<Example>,
    pub message: String,
}

/// How a column of the file was matched to the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnMatch {
    pub column: String,
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

/// The result of a check (and the first part of an export).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    pub input: InputInfo,
    pub rows: u64,
    pub columns: Vec<ColumnMatch>,
    pub errors: u64,
    pub reviews: u64,
    pub rows_with_errors: u64,
    pub rows_with_reviews: u64,
    /// Rows left out by a fix (excluded, or merged into another row): not checked.
    #[serde(default)]
    pub excluded_rows: u64,
    pub summary: Vec<RuleSummary>,
    /// Every issue in row order (empty when the caller streamed them instead).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub issues: Vec<Issue>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.errors == 0 && self.reviews == 0
    }
    pub fn count(&self, rule: &str) -> u64 {
        self.summary
            .iter()
            .filter(|s| s.rule == rule)
            .map(|s| s.count)
            .sum()
    }
}

/// Accumulates per-rule counts and examples as issues stream by (in row order).
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub by_rule: HashMap<String, RuleSummary>,
    pub order: Vec<String>,
    pub errors: u64,
    pub reviews: u64,
    pub rows_with_errors: u64,
    pub rows_with_reviews: u64,
    last_error_row: u64,
    last_review_row: u64,
}

pub(crate) const EXAMPLES: usize = 5;

impl Tally {
    pub fn add(&mut self, i: &Issue) {
        match i.severity {
            Severity::Error => {
                self.errors += 1;
                if i.row != self.last_error_row || i.row == 0 {
                    self.rows_with_errors += u64::from(i.row != 0);
                    self.last_error_row = i.row;
                }
            }
            Severity::Review => {
                self.reviews += 1;
                if i.row != self.last_review_row || i.row == 0 {
                    self.rows_with_reviews += u64::from(i.row != 0);
                    self.last_review_row = i.row;
                }
            }
        }
        let key = format!("{}|{}", i.rule, i.severity.as_str());
        let s = match self.by_rule.get_mut(&key) {
            Some(s) => s,
            None => {
                self.order.push(key.clone());
                self.by_rule.entry(key).or_insert_with(|| RuleSummary {
                    rule: i.rule.clone(),
                    severity: i.severity,
                    count: 0,
                    fields: Vec::new(),
                    examples: Vec::new(),
                    message: i.message.clone(),
                })
            }
        };
        s.count += 1;
        if let Some(f) = &i.field {
            if s.fields.len() < 20 && !s.fields.contains(f) {
                s.fields.push(f.clone());
            }
        }
        if s.examples.len() < EXAMPLES {
            s.examples.push(Example {
                row: i.row,
                value: i.value.clone(),
            });
        }
    }

    pub fn summary(&self) -> Vec<RuleSummary> {
        let mut v: Vec<RuleSummary> = self
            .order
            .iter()
            .filter_map(|k| self.by_rule.get(k).cloned())
            .collect();
        v.sort_by(|a, b| {
            (a.severity as u8, std::cmp::Reverse(a.count))
                .cmp(&(b.severity as u8, std::cmp::Reverse(b.count)))
        });
        v
    }
}
