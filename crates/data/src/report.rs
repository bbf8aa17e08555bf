//! Issues and the report of a check: what is wrong, where, and how to fix it.

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

impl Issue {
    /// The issue as a sink sees it, borrowed.
    pub fn view(&self) -> IssueRef<'_> {
        IssueRef {
            row: self.row,
            column: self.column.as_deref(),
            field: self.field.as_deref(),
            rule: &self.rule,
            severity: self.severity,
            value: self.value.as_deref(),
            message: &self.message,
            related: self.related,
        }
    }
}

/// An [`Issue`] borrowed from where the engine holds it (a worker's text arena, the map, the
/// header), as [`crate::check_with_refs`] hands it out: a sink that writes or counts issues
/// needs no copy of each. Serialised exactly as the `Issue` it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IssueRef<'a> {
    pub row: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'a str>,
    pub rule: &'a str,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<&'a str>,
    pub message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related: Option<u64>,
}

impl IssueRef<'_> {
    /// Appends the issue as JSON, byte for byte as `serde_json` writes it (the same fields in
    /// the same order, the same escapes), without serde's per-field and per-character work:
    /// a check with many issues spends most of its output time here.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"row\":");
        write_u64(out, self.row);
        if let Some(c) = self.column {
            out.extend_from_slice(b",\"column\":");
            write_json_str(out, c);
        }
        if let Some(f) = self.field {
            out.extend_from_slice(b",\"field\":");
            write_json_str(out, f);
        }
        out.extend_from_slice(b",\"rule\":");
        write_json_str(out, self.rule);
        out.extend_from_slice(match self.severity {
            Severity::Error => b",\"severity\":\"error\"",
            Severity::Review => b",\"severity\":\"review\"",
        });
        if let Some(v) = self.value {
            out.extend_from_slice(b",\"value\":");
            write_json_str(out, v);
        }
        out.extend_from_slice(b",\"message\":");
        write_json_str(out, self.message);
        if let Some(r) = self.related {
            out.extend_from_slice(b",\"related\":");
            write_u64(out, r);
        }
        out.push(b'}');
    }

    /// An owned copy, to keep.
    pub fn to_issue(&self) -> Issue {
        Issue {
            row: self.row,
            column: self.column.map(str::to_string),
            field: self.field.map(str::to_string),
            rule: self.rule.to_string(),
            severity: self.severity,
            value: self.value.map(str::to_string),
            message: self.message.to_string(),
            related: self.related,
        }
    }
}

fn write_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// A JSON string as `serde_json` writes it. Most have no control character, and at most a few
/// quotes (a message quotes the value): those are copied in runs between the quotes and
/// backslashes; the others go through `serde_json` itself.
fn write_json_str(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    // A fold with no early exit: it compiles to vector code.
    let control = b.iter().fold(false, |any, &c| any | (c < 0x20));
    if control {
        if serde_json::to_writer(&mut *out, s).is_err() {
            // Writing to a Vec cannot fail; should it, the string is still a string.
            out.extend_from_slice(b"\"\"");
        }
        return;
    }
    out.push(b'"');
    let mut from = 0;
    while let Some(i) = memchr::memchr2(b'"', b'\\', &b[from..]) {
        out.extend_from_slice(&b[from..from + i]);
        out.push(b'\\');
        out.push(b[from + i]);
        from += i + 1;
    }
    out.extend_from_slice(&b[from..]);
    out.push(b'"');
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
    /// Of those, rows merged into another.
    #[serde(default)]
    pub merged_rows: u64,
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
    /// One summary per (rule, severity), in order of first appearance: a handful, so a scan
    /// that starts at the last one used finds it at once.
    rules: Vec<RuleSummary>,
    last: usize,
    pub errors: u64,
    pub reviews: u64,
    pub rows_with_errors: u64,
    pub rows_with_reviews: u64,
    last_error_row: u64,
    last_review_row: u64,
}

pub(crate) const EXAMPLES: usize = 5;

impl Tally {
    pub fn add(&mut self, i: &IssueRef<'_>) {
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
        let same = |s: &RuleSummary| s.severity == i.severity && s.rule == i.rule;
        let at = match self.rules.get(self.last).filter(|s| same(s)) {
            Some(_) => self.last,
            None => match self.rules.iter().position(same) {
                Some(k) => k,
                None => {
                    self.rules.push(RuleSummary {
                        rule: i.rule.to_string(),
                        severity: i.severity,
                        count: 0,
                        fields: Vec::new(),
                        examples: Vec::new(),
                        message: i.message.to_string(),
                    });
                    self.rules.len() - 1
                }
            },
        };
        self.last = at;
        let s = &mut self.rules[at];
        s.count += 1;
        if let Some(f) = i.field {
            if s.fields.len() < 20 && !s.fields.iter().any(|x| x == f) {
                s.fields.push(f.to_string());
            }
        }
        if s.examples.len() < EXAMPLES {
            s.examples.push(Example {
                row: i.row,
                value: i.value.map(str::to_string),
            });
        }
    }

    pub fn summary(&self) -> Vec<RuleSummary> {
        let mut v = self.rules.clone();
        // Stable: rules of one severity and count stay in order of first appearance.
        v.sort_by(|a, b| {
            (a.severity as u8, std::cmp::Reverse(a.count))
                .cmp(&(b.severity as u8, std::cmp::Reverse(b.count)))
        });
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issue_is_written_as_serde_json_writes_it() {
        let texts = [
            "",
            "plain",
            "say \"hi\"",
            "back\\slash",
            "line\nbreak\tand\r\u{1}\u{1f}\u{7f}",
            "ünïcödé — \u{2028} ✓",
            "\u{0}",
        ];
        for (k, t) in texts.iter().enumerate() {
            for row in [0, 1, 9, 10, 1_048_576, u64::MAX] {
                let i = Issue {
                    row,
                    column: (k % 2 == 0).then(|| t.to_string()),
                    field: (k % 3 != 0).then(|| format!("f{t}")),
                    rule: format!("rule{t}"),
                    severity: if k % 2 == 0 {
                        Severity::Error
                    } else {
                        Severity::Review
                    },
                    value: (k != 1).then(|| t.to_string()),
                    message: format!("\"{t}\" is wrong"),
                    related: (k % 2 == 1).then_some(row / 2),
                };
                let mut ours = Vec::new();
                i.view().write_json(&mut ours);
                let theirs = serde_json::to_vec(&i).expect("an issue serialises");
                assert_eq!(
                    String::from_utf8_lossy(&ours),
                    String::from_utf8_lossy(&theirs)
                );
            }
        }
    }
}
