//! Every flagged item of a check with the cells of its row, kept beside the report: what the
//! grid of flagged rows pages, filters and decides over, without reading the upload again.
//!
//! A decision over chosen rows (or over everything a filter matches) becomes ONE fix of the
//! data engine (set cells, exclude rows, accept items as they are, take suggestions, transform
//! a column, merge duplicates), so ten thousand rows are one recorded step with one reason.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use finishline_data::{CellValue, FixAction, Issue, MergeGroup, Severity, TransformOp};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// How many flagged items a check keeps for the grid; past that the grid says it shows the
/// first ones, and fixing them and checking again brings the rest.
pub const MAX_ITEMS: usize = 100_000;

/// The flagged items of one check and the cells of the rows they are on (and of the earlier
/// rows duplicates match).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Flagged {
    pub fields: Vec<String>,
    pub items: Vec<Issue>,
    #[serde(default)]
    pub truncated: bool,
    /// Row → its cells by field, after fixes.
    pub rows: BTreeMap<u64, Vec<String>>,
    /// Field → its allowed values (the map's enum), for "did you mean".
    #[serde(default)]
    pub allowed: BTreeMap<String, Vec<String>>,
}

/// Collects the items of a check as they stream by.
#[derive(Debug, Default)]
pub struct Collector {
    pub items: Vec<Issue>,
    pub truncated: bool,
}

impl Collector {
    pub fn add(&mut self, i: &Issue) {
        if self.items.len() < MAX_ITEMS {
            self.items.push(i.clone());
        } else {
            self.truncated = true;
        }
    }

    /// The rows whose cells the grid needs: each item's row and the row it refers to.
    pub fn wanted_rows(&self) -> BTreeSet<u64> {
        let mut rows = BTreeSet::new();
        for i in &self.items {
            if i.row >= 2 {
                rows.insert(i.row);
            }
            if let Some(r) = i.related {
                rows.insert(r);
            }
        }
        rows
    }
}

/// How the grid is sorted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Row,
    /// By rule, then row: the same kind of problem together.
    Rule,
    /// By the flagged value, then row: equal values together.
    Value,
}

impl Sort {
    pub fn parse(s: &str) -> Sort {
        match s {
            "rule" => Sort::Rule,
            "value" => Sort::Value,
            _ => Sort::Row,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Row => "row",
            Sort::Rule => "rule",
            Sort::Value => "value",
        }
    }
}

/// What the grid shows: empty parts match everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub rule: String,
    pub field: String,
    pub severity: Option<Severity>,
    /// Text searched in the row's cells and the flagged values (any case).
    pub q: String,
    pub sort: Sort,
}

/// A row of the grid: its number and the items on it that the filter matches.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub row: u64,
    pub items: Vec<usize>,
}

impl Filter {
    fn matches_item(&self, i: &Issue) -> bool {
        (self.rule.is_empty() || i.rule == self.rule)
            && (self.field.is_empty()
                || i.field
                    .as_deref()
                    .is_some_and(|f| f.split('+').any(|p| p == self.field)))
            && self.severity.is_none_or(|s| s == i.severity)
    }
}

impl Flagged {
    /// The rows the filter matches, in its order. Items about the whole file (row 0 or 1) are
    /// not rows and are left out.
    pub fn matching(&self, f: &Filter) -> Vec<Hit> {
        let q = f.q.trim().to_lowercase();
        let mut by_row: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
        for (k, i) in self.items.iter().enumerate() {
            if i.row >= 2 && f.matches_item(i) {
                by_row.entry(i.row).or_default().push(k);
            }
        }
        let mut hits: Vec<Hit> = by_row
            .into_iter()
            .filter(|(row, items)| {
                q.is_empty()
                    || items.iter().any(|&k| {
                        self.items[k]
                            .value
                            .as_deref()
                            .is_some_and(|v| v.to_lowercase().contains(&q))
                    })
                    || self
                        .rows
                        .get(row)
                        .is_some_and(|cells| cells.iter().any(|c| c.to_lowercase().contains(&q)))
            })
            .map(|(row, items)| Hit { row, items })
            .collect();
        match f.sort {
            Sort::Row => {}
            Sort::Rule => hits.sort_by(|a, b| {
                (&self.items[a.items[0]].rule, a.row).cmp(&(&self.items[b.items[0]].rule, b.row))
            }),
            Sort::Value => hits.sort_by(|a, b| {
                let v = |h: &Hit| self.items[h.items[0]].value.clone().unwrap_or_default();
                (v(a), a.row).cmp(&(v(b), b.row))
            }),
        }
        hits
    }

    /// The rules present, with how many items each, most first (for the filter's choices).
    pub fn rules(&self) -> Vec<(String, Severity, usize)> {
        let mut n: HashMap<(&str, Severity), usize> = HashMap::new();
        for i in self.items.iter().filter(|i| i.row >= 2) {
            *n.entry((&i.rule, i.severity)).or_default() += 1;
        }
        let mut v: Vec<(String, Severity, usize)> = n
            .into_iter()
            .map(|((r, s), c)| (r.to_string(), s, c))
            .collect();
        v.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
        v
    }

    /// A cell of a row by field name.
    pub fn cell(&self, row: u64, field: &str) -> Option<&str> {
        let fi = self.fields.iter().position(|f| f == field)?;
        self.rows.get(&row)?.get(fi).map(String::as_str)
    }

    /// Duplicate groups: the earlier row each duplicate matches, with the rows matching it.
    pub fn duplicate_groups(&self) -> Vec<(u64, Vec<u64>)> {
        let mut groups: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
        for i in &self.items {
            if i.rule == "duplicate-key" {
                if let Some(first) = i.related {
                    groups.entry(first).or_default().push(i.row);
                }
            }
        }
        groups.into_iter().collect()
    }
}

/// Which row of a duplicate group survives a merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    First,
    /// The last row of the group in the file (the most recent, in an export sorted by date).
    Last,
    /// The row with the most filled cells (the first of equals).
    MostComplete,
}

impl Keep {
    pub fn parse(s: &str) -> Option<Keep> {
        match s {
            "first" => Some(Keep::First),
            "last" => Some(Keep::Last),
            "complete" => Some(Keep::MostComplete),
            _ => None,
        }
    }
}

/// One decision over chosen rows.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Set one field of every chosen row to a value.
    Set { field: String, value: String },
    /// Leave the rows out of the export, for someone to follow up.
    Exclude,
    /// Accept the review items the filter shows on these rows as they are.
    Accept,
    /// Take the suggested correction of each flagged email ("gmial.com" → "gmail.com").
    Suggestions,
    /// Change a field of the chosen rows, or of every row of the file.
    Transform {
        field: String,
        op: TransformOp,
        every_row: bool,
    },
    /// Split a column into others by a pattern's groups.
    Split {
        from: String,
        pattern: String,
        into: Vec<String>,
        every_row: bool,
    },
    /// Join columns into one.
    Join {
        from: Vec<String>,
        separator: String,
        into: String,
        every_row: bool,
    },
    /// Merge the duplicate groups of the chosen rows.
    Merge(Keep),
    /// Keep every row of the chosen duplicate groups: they are different records.
    KeepAll,
}

impl Flagged {
    /// The suggested correction of a flagged value, when there is one: an email's common typo
    /// corrected, the allowed value or the country a misspelling is closest to.
    pub fn suggestion(&self, i: &Issue) -> Option<String> {
        let value = i.value.as_deref()?;
        match (i.severity, i.rule.as_str()) {
            (Severity::Error, "type" | "pattern") | (_, "email-unrecognised" | "email-typo")
                if value.contains('@') =>
            {
                finishline_data::typos::email_suggestion(value)
            }
            (_, "enum") => {
                let allowed = self.allowed.get(i.field.as_deref()?)?;
                finishline_data::typos::closest(
                    value,
                    allowed.iter().map(|a| (a, a.as_str())),
                    finishline_data::typos::ALLOWED_VALUE_CLOSENESS,
                )
                .cloned()
            }
            (_, "country-unrecognised") => {
                finishline_data::normalize::country_suggestion(value).map(str::to_string)
            }
            _ => None,
        }
    }
}

fn none_chosen() -> AppError {
    AppError::bad("rows", "choose at least one row")
}

/// The fix a decision makes over `hits` (rows and the items the filter matched on them).
pub fn decide(flagged: &Flagged, hits: &[Hit], decision: &Decision) -> Result<FixAction, AppError> {
    let whole_file = matches!(
        decision,
        Decision::Transform {
            every_row: true,
            ..
        } | Decision::Split {
            every_row: true,
            ..
        } | Decision::Join {
            every_row: true,
            ..
        }
    );
    if hits.is_empty() && !whole_file {
        return Err(none_chosen());
    }
    let rows: Vec<u64> = hits.iter().map(|h| h.row).collect();
    Ok(match decision {
        Decision::Set { field, value } => {
            if !flagged.fields.contains(field) {
                return Err(AppError::bad("field", "choose a column of the data map"));
            }
            FixAction::Cells {
                cells: rows
                    .iter()
                    .map(|&row| CellValue {
                        row,
                        field: field.clone(),
                        value: value.clone(),
                    })
                    .collect(),
            }
        }
        Decision::Exclude => FixAction::Exclude { rows },
        Decision::Accept => {
            let items = || {
                hits.iter()
                    .flat_map(|h| h.items.iter().map(|&k| &flagged.items[k]))
            };
            if items().any(|i| i.severity == Severity::Error)
                && items().all(|i| i.severity == Severity::Error)
            {
                return Err(AppError::bad(
                    "decision",
                    "these rows have errors, which cannot be accepted as they are: correct them or exclude the rows",
                ));
            }
            let mut rules: Vec<String> = items()
                .filter(|i| i.severity == Severity::Review)
                .map(|i| i.rule.clone())
                .collect();
            rules.sort();
            rules.dedup();
            let rows = hits
                .iter()
                .filter(|h| {
                    h.items
                        .iter()
                        .any(|&k| flagged.items[k].severity == Severity::Review)
                })
                .map(|h| h.row)
                .collect();
            FixAction::Accept { rules, rows }
        }
        Decision::Suggestions => {
            let mut cells = Vec::new();
            for h in hits {
                for &k in &h.items {
                    let i = &flagged.items[k];
                    if let (Some(s), Some(field)) = (flagged.suggestion(i), &i.field) {
                        cells.push(CellValue {
                            row: i.row,
                            field: field.clone(),
                            value: s,
                        });
                    }
                }
            }
            if cells.is_empty() {
                return Err(AppError::bad(
                    "decision",
                    "none of these rows has a suggested correction: set, transform or exclude them instead",
                ));
            }
            FixAction::Cells { cells }
        }
        Decision::Transform {
            field,
            op,
            every_row,
        } => {
            if !flagged.fields.contains(field) {
                return Err(AppError::bad("field", "choose a column of the data map"));
            }
            op.compile().map_err(|m| AppError::bad("find", m))?;
            FixAction::Transform {
                field: field.clone(),
                op: op.clone(),
                rows: (!every_row).then_some(rows),
            }
        }
        Decision::Split {
            from,
            pattern,
            into,
            every_row,
        } => {
            known_fields(flagged, std::iter::once(from).chain(into))?;
            FixAction::Split {
                from: from.clone(),
                pattern: pattern.clone(),
                into: into.clone(),
                rows: (!every_row).then_some(rows),
            }
        }
        Decision::Join {
            from,
            separator,
            into,
            every_row,
        } => {
            known_fields(flagged, from.iter().chain(std::iter::once(into)))?;
            FixAction::Join {
                from: from.clone(),
                separator: separator.clone(),
                into: into.clone(),
                rows: (!every_row).then_some(rows),
            }
        }
        Decision::Merge(keep) => merge(flagged, &rows, *keep)?,
        Decision::KeepAll => {
            let rows = group_rows(flagged, &rows)
                .into_iter()
                .flat_map(|(_, r)| r)
                .collect();
            FixAction::Accept {
                rules: vec!["duplicate-key".into()],
                rows,
            }
        }
    })
}

/// Every field named must be a column of the data map; the error names the first that is not.
fn known_fields<'a>(
    flagged: &Flagged,
    mut names: impl Iterator<Item = &'a String>,
) -> Result<(), AppError> {
    match names.find(|n| !flagged.fields.contains(n)) {
        Some(n) => Err(AppError::bad(
            "parts",
            format!(
                "\"{}\" is not a column of the data map: name columns as the grid shows them",
                n.chars().take(80).collect::<String>()
            ),
        )),
        None => Ok(()),
    }
}

/// The duplicate groups the chosen rows belong to (a row may be the earlier row or a match).
fn group_rows(flagged: &Flagged, rows: &[u64]) -> Vec<(u64, Vec<u64>)> {
    let chosen: BTreeSet<u64> = rows.iter().copied().collect();
    flagged
        .duplicate_groups()
        .into_iter()
        .filter(|(first, dups)| chosen.contains(first) || dups.iter().any(|r| chosen.contains(r)))
        .collect()
}

fn merge(flagged: &Flagged, rows: &[u64], keep: Keep) -> Result<FixAction, AppError> {
    let groups = group_rows(flagged, rows);
    if groups.is_empty() {
        return Err(AppError::bad(
            "decision",
            "none of these rows is a possible duplicate: there is nothing to merge",
        ));
    }
    let blank = |v: &str| v.trim().is_empty();
    let mut out = Vec::new();
    let mut fills = Vec::new();
    for (first, dups) in groups {
        let mut all = vec![first];
        all.extend(dups);
        let filled = |r: &u64| {
            flagged
                .rows
                .get(r)
                .map_or(0, |c| c.iter().filter(|v| !blank(v)).count())
        };
        let kept = match keep {
            Keep::First => first,
            Keep::Last => *all.iter().max().unwrap_or(&first),
            Keep::MostComplete => {
                let best = all.iter().map(filled).max().unwrap_or(0);
                *all.iter().find(|r| filled(r) == best).unwrap_or(&first)
            }
        };
        let others: Vec<u64> = all.iter().copied().filter(|r| *r != kept).collect();
        if let Some(cells) = flagged.rows.get(&kept) {
            for (fi, v) in cells.iter().enumerate() {
                if !blank(v) {
                    continue;
                }
                let from = others
                    .iter()
                    .filter_map(|r| flagged.rows.get(r).and_then(|c| c.get(fi)))
                    .find(|v| !blank(v));
                if let Some(value) = from {
                    fills.push(CellValue {
                        row: kept,
                        field: flagged.fields[fi].clone(),
                        value: value.clone(),
                    });
                }
            }
        }
        out.push(MergeGroup {
            keep: kept,
            rows: others,
        });
    }
    Ok(FixAction::Merge { groups: out, fills })
}

/// The last few flagged files read, by file id (a file never changes once kept), so paging
/// the grid does not parse the file again.
#[derive(Default)]
pub struct Cache {
    entries: Mutex<Vec<(String, Arc<Flagged>)>>,
}

const CACHED: usize = 4;

impl Cache {
    pub fn get(&self, key: &str) -> Option<Arc<Flagged>> {
        let e = self.entries.lock().ok()?;
        e.iter().find(|(k, _)| k == key).map(|(_, f)| f.clone())
    }
    pub fn put(&self, key: String, f: Arc<Flagged>) {
        if let Ok(mut e) = self.entries.lock() {
            e.retain(|(k, _)| *k != key);
            e.insert(0, (key, f));
            e.truncate(CACHED);
        }
    }
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("flagged::Cache")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(row: u64, rule: &str, field: &str, sev: Severity, value: &str) -> Issue {
        Issue {
            row,
            column: Some(field.into()),
            field: Some(field.into()),
            rule: rule.into(),
            severity: sev,
            value: Some(value.into()),
            message: String::new(),
            related: None,
        }
    }

    fn sample() -> Flagged {
        let mut dup = item(9, "duplicate-key", "name", Severity::Review, "");
        dup.related = Some(3);
        Flagged {
            fields: vec!["name".into(), "email".into(), "phone".into()],
            items: vec![
                item(4, "pattern", "email", Severity::Error, "ann@gmial.com"),
                item(5, "required", "name", Severity::Error, ""),
                item(7, "pattern", "email", Severity::Error, "bob@"),
                dup,
            ],
            truncated: false,
            allowed: BTreeMap::new(),
            rows: BTreeMap::from([
                (3, vec!["Acme".into(), "".into(), "".into()]),
                (4, vec!["Ann".into(), "ann@gmial.com".into(), "".into()]),
                (5, vec!["".into(), "c@d.com".into(), "".into()]),
                (7, vec!["Bob".into(), "bob@".into(), "".into()]),
                (9, vec!["ACME".into(), "ops@acme.com".into(), "555".into()]),
            ]),
        }
    }

    #[test]
    fn the_filter_narrows_by_rule_field_severity_and_text() {
        let f = sample();
        let all = f.matching(&Filter::default());
        assert_eq!(all.iter().map(|h| h.row).collect::<Vec<_>>(), [4, 5, 7, 9]);
        let emails = f.matching(&Filter {
            rule: "pattern".into(),
            ..Filter::default()
        });
        assert_eq!(emails.iter().map(|h| h.row).collect::<Vec<_>>(), [4, 7]);
        let by_field = f.matching(&Filter {
            field: "name".into(),
            ..Filter::default()
        });
        assert_eq!(by_field.iter().map(|h| h.row).collect::<Vec<_>>(), [5, 9]);
        let reviews = f.matching(&Filter {
            severity: Some(Severity::Review),
            ..Filter::default()
        });
        assert_eq!(reviews.iter().map(|h| h.row).collect::<Vec<_>>(), [9]);
        let q = f.matching(&Filter {
            q: "ACME.com".into(),
            ..Filter::default()
        });
        assert_eq!(q.iter().map(|h| h.row).collect::<Vec<_>>(), [9]);
        let by_value = f.matching(&Filter {
            sort: Sort::Value,
            rule: "pattern".into(),
            ..Filter::default()
        });
        assert_eq!(by_value.iter().map(|h| h.row).collect::<Vec<_>>(), [4, 7]);
    }

    #[test]
    fn suggestions_are_taken_only_where_there_is_one() {
        let f = sample();
        let hits = f.matching(&Filter {
            rule: "pattern".into(),
            ..Filter::default()
        });
        let fix = decide(&f, &hits, &Decision::Suggestions).expect("a suggestion");
        let FixAction::Cells { cells } = fix else {
            panic!("cells expected")
        };
        assert_eq!(cells.len(), 1, "bob@ has no suggestion");
        assert_eq!(
            (cells[0].row, cells[0].value.as_str()),
            (4, "ann@gmail.com")
        );
    }

    #[test]
    fn misspelt_allowed_values_and_countries_have_suggestions() {
        let mut f = sample();
        f.allowed
            .insert("plan".into(), vec!["Starter".into(), "Enterprise".into()]);
        let plan = item(6, "enum", "plan", Severity::Error, "Entreprise");
        assert_eq!(f.suggestion(&plan).as_deref(), Some("Enterprise"));
        let far = item(6, "enum", "plan", Severity::Error, "Gold");
        assert_eq!(f.suggestion(&far), None);
        let country = item(
            6,
            "country-unrecognised",
            "country",
            Severity::Review,
            "Untied States",
        );
        assert_eq!(f.suggestion(&country).as_deref(), Some("US"));
    }

    #[test]
    fn a_transform_covers_the_chosen_rows_or_every_row_of_the_file() {
        let f = sample();
        let hits = f.matching(&Filter {
            rule: "pattern".into(),
            ..Filter::default()
        });
        let t = |every_row| Decision::Transform {
            field: "email".into(),
            op: TransformOp::Trim,
            every_row,
        };
        let FixAction::Transform { rows, .. } = decide(&f, &hits, &t(false)).expect("rows") else {
            panic!("a transform")
        };
        assert_eq!(rows, Some(vec![4, 7]));
        let FixAction::Transform { rows, .. } = decide(&f, &[], &t(true)).expect("all") else {
            panic!("a transform")
        };
        assert_eq!(rows, None, "every row, whatever is chosen");
    }

    #[test]
    fn review_items_are_accepted_rule_by_rule_and_duplicates_kept_as_whole_groups() {
        let f = sample();
        let all = f.matching(&Filter::default());
        let FixAction::Accept { rules, rows } =
            decide(&f, &all, &Decision::Accept).expect("accept")
        else {
            panic!("accept expected")
        };
        assert_eq!(
            rules,
            ["duplicate-key"],
            "errors on the other rows are not accepted"
        );
        assert_eq!(rows, [9]);
        // Keeping a group accepts the rows flagged as duplicates of its earlier row.
        let dup = f.matching(&Filter {
            rule: "duplicate-key".into(),
            ..Filter::default()
        });
        let FixAction::Accept { rules, rows } = decide(&f, &dup, &Decision::KeepAll).expect("keep")
        else {
            panic!("accept expected")
        };
        assert_eq!(
            (rules.as_slice(), rows.as_slice()),
            (&["duplicate-key".to_string()][..], &[9][..])
        );
        // Sorted by problem (its rule), then by row.
        let by_rule = f.matching(&Filter {
            sort: Sort::Rule,
            ..Filter::default()
        });
        assert_eq!(
            by_rule.iter().map(|h| h.row).collect::<Vec<_>>(),
            [9, 4, 7, 5]
        );
    }

    #[test]
    fn errors_cannot_be_accepted_and_nothing_chosen_is_refused() {
        let f = sample();
        let hits = f.matching(&Filter {
            rule: "required".into(),
            ..Filter::default()
        });
        assert!(decide(&f, &hits, &Decision::Accept).is_err());
        assert!(decide(&f, &[], &Decision::Exclude).is_err());
    }

    #[test]
    fn a_merge_keeps_the_chosen_row_and_fills_its_blanks_from_the_others() {
        let f = sample();
        let hits = f.matching(&Filter {
            rule: "duplicate-key".into(),
            ..Filter::default()
        });
        let FixAction::Merge { groups, fills } =
            decide(&f, &hits, &Decision::Merge(Keep::First)).expect("merge")
        else {
            panic!("merge expected")
        };
        assert_eq!(
            groups,
            [MergeGroup {
                keep: 3,
                rows: vec![9]
            }]
        );
        let filled: Vec<(&str, &str)> = fills
            .iter()
            .map(|c| (c.field.as_str(), c.value.as_str()))
            .collect();
        assert_eq!(filled, [("email", "ops@acme.com"), ("phone", "555")]);
        let FixAction::Merge { groups, fills } =
            decide(&f, &hits, &Decision::Merge(Keep::MostComplete)).expect("merge")
        else {
            panic!("merge expected")
        };
        assert_eq!(
            groups,
            [MergeGroup {
                keep: 9,
                rows: vec![3]
            }]
        );
        assert!(fills.is_empty(), "row 9 has every cell");
    }
}
