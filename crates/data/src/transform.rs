//! Transforms: one change applied to every cell of a column (or of chosen rows), recorded as a
//! fix and shown first as a preview (how many cells change, examples before and after).

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::normalize::Normalizer;

/// Characters of a transform's replacement.
pub const MAX_REPLACEMENT_CHARS: usize = 200;

/// What a transform does to one cell.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum TransformOp {
    /// Remove spaces at both ends and runs of spaces inside.
    Trim,
    Upper,
    Lower,
    /// Each word with a capital first letter.
    Title,
    /// Replace every occurrence of `find` (plain text, or a regular expression whose groups
    /// `replace` may use as `$1`).
    Replace {
        find: String,
        #[serde(default)]
        replace: String,
        #[serde(default)]
        regex: bool,
    },
}

impl TransformOp {
    /// Words for a person: "trim spaces", "\"gmial\" replaced with \"gmail\"".
    pub fn label(&self) -> String {
        match self {
            TransformOp::Trim => "spaces trimmed".into(),
            TransformOp::Upper => "upper case".into(),
            TransformOp::Lower => "lower case".into(),
            TransformOp::Title => "title case".into(),
            TransformOp::Replace {
                find,
                replace,
                regex,
            } => format!(
                "{}\"{find}\" replaced with \"{replace}\"",
                if *regex { "pattern " } else { "" }
            ),
        }
    }

    /// Ready to apply; the error says what is wrong with the expression. The budgets keep one
    /// transform from turning a cell into megabytes: a replacement of at most
    /// [`MAX_REPLACEMENT_CHARS`], and a pattern that cannot match an empty text (it would insert
    /// the replacement between every two characters).
    pub fn compile(&self) -> Result<Compiled, String> {
        if let TransformOp::Replace { find, replace, .. } = self {
            if find.is_empty() {
                return Err("say what to find: it is empty".into());
            }
            if replace.chars().count() > MAX_REPLACEMENT_CHARS {
                return Err(format!(
                    "the replacement is longer than {MAX_REPLACEMENT_CHARS} characters"
                ));
            }
        }
        let regex = match self {
            TransformOp::Replace {
                find, regex: true, ..
            } => {
                let re = crate::limits::compile_search(find)?;
                if re.is_match("") {
                    return Err(
                        "the pattern also matches an empty text, so it would match everywhere; make it match at least one character"
                            .into(),
                    );
                }
                Some(re)
            }
            TransformOp::Replace { find, .. }
                if find.chars().count() > crate::limits::map_limits::MAX_PATTERN_CHARS =>
            {
                return Err(format!(
                    "the text to find is longer than {} characters",
                    crate::limits::map_limits::MAX_PATTERN_CHARS
                ));
            }
            _ => None,
        };
        Ok(Compiled {
            op: self.clone(),
            regex,
        })
    }
}

/// A transform with its expression compiled once.
#[derive(Debug, Clone)]
pub struct Compiled {
    op: TransformOp,
    regex: Option<Regex>,
}

impl Compiled {
    /// The value after the transform, or `None` when it does not change it.
    pub fn apply(&self, value: &str) -> Option<String> {
        let out = match &self.op {
            TransformOp::Trim => value.split_whitespace().collect::<Vec<_>>().join(" "),
            TransformOp::Upper => value.to_uppercase(),
            TransformOp::Lower => value.to_lowercase(),
            TransformOp::Title => normalised(Normalizer::Title, value),
            TransformOp::Replace { find, replace, .. } => match &self.regex {
                Some(re) => re.replace_all(value, replace.as_str()).into_owned(),
                None => value.replace(find.as_str(), replace),
            },
        };
        (out != value).then_some(out)
    }
}

fn normalised(n: Normalizer, value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    match n.apply(value, &mut out) {
        Ok(()) => out,
        Err(_) => value.to_string(),
    }
}

/// What a transform would do to a column: how many cells change, and the first few.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Preview {
    pub cells: u64,
    pub changed: u64,
    pub examples: Vec<Change>,
}

/// One cell before and after.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Change {
    pub row: u64,
    pub before: String,
    pub after: String,
}

/// How many examples a preview shows.
pub const PREVIEW_EXAMPLES: usize = 10;

impl Preview {
    pub fn add(&mut self, row: u64, before: &str, after: Option<String>) {
        self.cells += 1;
        if let Some(after) = after {
            self.changed += 1;
            if self.examples.len() < PREVIEW_EXAMPLES {
                self.examples.push(Change {
                    row,
                    before: before.to_string(),
                    after,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(find: &str, replace: &str, regex: bool) -> Compiled {
        TransformOp::Replace {
            find: find.into(),
            replace: replace.into(),
            regex,
        }
        .compile()
        .expect("compiles")
    }

    #[test]
    fn plain_replace_changes_every_occurrence_and_says_when_nothing_changed() {
        let t = op("gmial", "gmail", false);
        assert_eq!(t.apply("a@gmial.com").as_deref(), Some("a@gmail.com"));
        assert_eq!(t.apply("a@gmail.com"), None);
        // Plain text is not a pattern: the dot is a dot.
        assert_eq!(op(".", "-", false).apply("a.b").as_deref(), Some("a-b"));
    }

    #[test]
    fn regex_replace_uses_groups() {
        let t = op(r"^(\w+)\s+(\w+)$", "$2, $1", true);
        assert_eq!(t.apply("Nadia Cruz").as_deref(), Some("Cruz, Nadia"));
    }

    #[test]
    fn a_bad_or_empty_pattern_is_refused_with_a_reason() {
        let e = TransformOp::Replace {
            find: "(".into(),
            replace: String::new(),
            regex: true,
        }
        .compile()
        .expect_err("bad regex");
        assert!(e.contains("not a valid regular expression"), "{e}");
        let e = TransformOp::Replace {
            find: String::new(),
            replace: "x".into(),
            regex: false,
        }
        .compile()
        .expect_err("empty");
        assert!(e.contains("empty"), "{e}");
        let e = TransformOp::Replace {
            find: "a".repeat(1_001),
            replace: String::new(),
            regex: true,
        }
        .compile()
        .expect_err("long");
        assert!(e.contains("1,001 characters"), "{e}");
        let e = TransformOp::Replace {
            find: "a*".into(),
            replace: "x".into(),
            regex: true,
        }
        .compile()
        .expect_err("matches empty");
        assert!(e.contains("matches an empty text"), "{e}");
        let e = TransformOp::Replace {
            find: "a".into(),
            replace: "x".repeat(201),
            regex: false,
        }
        .compile()
        .expect_err("a long replacement");
        assert!(e.contains("longer than 200 characters"), "{e}");
    }

    #[test]
    fn case_and_trim() {
        let c = |o: TransformOp| o.compile().expect("compiles");
        assert_eq!(
            c(TransformOp::Trim).apply("  a   b ").as_deref(),
            Some("a b")
        );
        assert_eq!(c(TransformOp::Upper).apply("gb").as_deref(), Some("GB"));
        assert_eq!(c(TransformOp::Lower).apply("GB").as_deref(), Some("gb"));
        assert_eq!(
            c(TransformOp::Title).apply("nadia cruz").as_deref(),
            Some("Nadia Cruz")
        );
        assert_eq!(c(TransformOp::Upper).apply("GB"), None);
    }

    #[test]
    fn a_preview_counts_every_change_and_keeps_ten_examples() {
        let t = op("x", "y", false);
        let mut p = Preview::default();
        for r in 0..30u64 {
            let v = if r % 2 == 0 { "x" } else { "z" };
            p.add(r + 2, v, t.apply(v));
        }
        assert_eq!((p.cells, p.changed), (30, 15));
        assert_eq!(p.examples.len(), PREVIEW_EXAMPLES);
        assert_eq!(p.examples[0].after, "y");
    }
}
