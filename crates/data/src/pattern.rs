//! A field's `pattern`, matched with a dense DFA where one can be built small enough.
//!
//! `Regex::is_match` on a short cell spends most of its time getting ready (choosing a
//! strategy, taking its cache); the cells of a pattern column are short and many. A fully
//! built DFA needs no cache: a match is one table look-up per byte. It is built from the same
//! pattern by the same parser (`regex-syntax`, the same Unicode settings as `regex`), so its
//! verdicts are the `Regex`'s; a pattern whose DFA would be large or cannot be built (Unicode
//! word boundaries) keeps the `Regex`.

use regex::Regex;
use regex_automata::dfa::{dense, Automaton, StartKind};
use regex_automata::util::primitives::StateID;
use regex_automata::util::start;
use regex_automata::Anchored;

/// The largest DFA kept (bytes of transition table); a larger one falls back to the `Regex`.
const MAX_DFA_BYTES: usize = 1 << 20;

#[derive(Clone, Debug)]
pub(crate) struct Pattern {
    regex: Regex,
    /// The DFA and its start state: every value is searched from its start, with nothing
    /// before it to look behind at, so one start state serves them all.
    dfa: Option<(dense::DFA<Vec<u32>>, StateID)>,
}

impl Pattern {
    /// The DFA of `regex`'s pattern, when it can be built within the limits.
    pub(crate) fn new(regex: Regex) -> Pattern {
        let dfa = dense::Builder::new()
            .configure(
                dense::DFA::config()
                    .start_kind(StartKind::Unanchored)
                    .dfa_size_limit(Some(MAX_DFA_BYTES))
                    .determinize_size_limit(Some(2 * MAX_DFA_BYTES)),
            )
            .build(regex.as_str())
            .ok()
            .and_then(|dfa| {
                let start = dfa
                    .start_state(&start::Config::new().anchored(Anchored::No))
                    .ok()?;
                Some((dfa, start))
            });
        Pattern { regex, dfa }
    }

    /// Whether `value` has a match, as `Regex::is_match` answers.
    #[inline]
    pub(crate) fn is_match(&self, value: &str) -> bool {
        let Some((dfa, start)) = &self.dfa else {
            return self.regex.is_match(value);
        };
        // The search `try_search_fwd` makes with `earliest`, without its set-up per call (the
        // input's configuration, the start state, a prefilter): a value is a dozen bytes or
        // so, and that set-up cost as much as the search. A match state is entered one byte
        // after the match ends, or at the end of the input.
        let mut sid = *start;
        for &b in value.as_bytes() {
            sid = dfa.next_state(sid, b);
            if dfa.is_special_state(sid) {
                if dfa.is_match_state(sid) {
                    return true;
                }
                if dfa.is_dead_state(sid) {
                    return false;
                }
                if dfa.is_quit_state(sid) {
                    // A DFA built without quit bytes or look-around it cannot do never gives
                    // up; should it, the `Regex` answers.
                    return self.regex.is_match(value);
                }
                // A start or an accelerated state: only a shortcut, read on byte by byte.
            }
        }
        dfa.is_match_state(dfa.next_eoi_state(sid))
    }
}

#[cfg(test)]
mod tests {
    use super::Pattern;
    use crate::limits::compile_pattern;

    #[test]
    fn answers_as_the_regex_does() {
        let values = [
            "",
            "a",
            "ana@example.com",
            "ana@example.c",
            "ana@@example.com",
            "ana @example.com",
            "ana@example.com ",
            "ana@exa\u{a0}mple.com",
            "ana@exämple.com",
            "ñ@b.co",
            "x@y.zz\n",
            "AB",
            "ABC",
            "ab12",
            "12-345",
            "\u{1F600}@a.bc",
            "a\u{2028}b@c.de",
        ];
        for pat in [
            "[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}",
            "[A-Z]{2}",
            "\\w+",
            "\\d{2}-\\d{3}",
            "a|ab",
            "(?i)ab.*",
            "\\bab\\b",
            ".*",
            "",
        ] {
            let re = compile_pattern(pat).expect("compiles");
            let p = Pattern::new(re.clone());
            for v in values {
                assert_eq!(p.is_match(v), re.is_match(v), "{pat:?} on {v:?}");
            }
        }
    }

    #[test]
    fn the_email_pattern_gets_a_dfa() {
        let re = compile_pattern("[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}").expect("compiles");
        assert!(Pattern::new(re).dfa.is_some());
    }
}
