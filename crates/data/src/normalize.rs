//! Normalisers: turn the many spellings customers use into one (`normalize` in a data map).
//!
//! Each normaliser has a display form (what `export` writes) and, through [`Normalizer::key`],
//! a comparison key used by `duplicateKeys`: "ACME Inc.", "Acme" and " ACME, inc " share a key.

use std::collections::HashMap;
use std::sync::OnceLock;

/// One normaliser named in a data map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalizer {
    Company,
    Person,
    Email,
    Phone,
    Country,
    Trim,
    Lower,
    Upper,
    Title,
}

/// Why a value could not be normalised (a `review` issue, never a rejection).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizeProblem {
    pub rule: &'static str,
    pub message: String,
}

impl Normalizer {
    pub const NAMES: &'static [&'static str] = &[
        "company", "person", "email", "phone", "country", "trim", "case", "lower", "upper", "title",
    ];

    /// `case` alone means lower case; `case:upper`, `case:title` are accepted too.
    pub fn parse(name: &str) -> Option<Normalizer> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "company" | "organisation" | "organization" => Normalizer::Company,
            "person" | "name" => Normalizer::Person,
            "email" => Normalizer::Email,
            "phone" => Normalizer::Phone,
            "country" => Normalizer::Country,
            "trim" => Normalizer::Trim,
            "case" | "lower" | "case:lower" | "lowercase" => Normalizer::Lower,
            "upper" | "case:upper" | "uppercase" => Normalizer::Upper,
            "title" | "case:title" => Normalizer::Title,
            _ => return None,
        })
    }

    /// Apply to `value`, writing the display form into `out` (cleared first).
    pub fn apply(self, value: &str, out: &mut String) -> Result<(), NormalizeProblem> {
        out.clear();
        match self {
            Normalizer::Trim => out.push_str(value.trim()),
            Normalizer::Lower => out.push_str(&value.trim().to_lowercase()),
            Normalizer::Upper => out.push_str(&value.trim().to_uppercase()),
            Normalizer::Title => collapse_spaces(value, out, true),
            Normalizer::Company => collapse_spaces(value, out, false),
            Normalizer::Person => {
                let v = value.trim();
                let all_upper =
                    v.chars().any(char::is_alphabetic) && !v.chars().any(char::is_lowercase);
                let all_lower = !v.chars().any(char::is_uppercase);
                collapse_spaces(value, out, all_upper || all_lower);
            }
            Normalizer::Email => {
                let v = value.trim();
                let one_address = if v.is_ascii() {
                    // Nearly every address is ASCII: lower-case it in place, byte by byte.
                    out.push_str(v);
                    out.make_ascii_lowercase();
                    // Whole-slice folds with no early exit, so that they compile to vector code.
                    let b = v.as_bytes();
                    let space = b
                        .iter()
                        .fold(false, |s, &c| s | c.is_ascii_whitespace() | (c == 0x0b));
                    let ats = b.iter().fold(0usize, |n, &c| n + usize::from(c == b'@'));
                    !space && ats == 1
                } else {
                    for c in v.chars() {
                        out.extend(c.to_lowercase());
                    }
                    !v.contains(char::is_whitespace) && v.matches('@').count() == 1
                };
                if !one_address {
                    return Err(NormalizeProblem {
                        rule: "email-unrecognised",
                        message: "this is not one e-mail address; enter a single address such as name@example.com"
                            .into(),
                    });
                }
                // A valid address at a mistyped domain (gmial.com) is flagged for a person,
                // with the address meant; it is never corrected silently.
                let typo = memchr::memrchr(b'@', out.as_bytes())
                    .is_some_and(|at| crate::typos::is_typo_domain(&out[at + 1..]));
                if let Some(meant) = typo.then(|| crate::typos::email_suggestion(v)).flatten() {
                    return Err(NormalizeProblem {
                        rule: "email-typo",
                        message: format!(
                            "\"{v}\" looks like a typo: did you mean {meant}? It is imported as written unless corrected"
                        ),
                    });
                }
            }
            Normalizer::Phone => return phone(value, Some(out)),
            Normalizer::Country => {
                let k = country_lookup_key(value);
                match countries().get(k.as_str()) {
                    Some(code) => out.push_str(code),
                    None => {
                        out.push_str(value.trim());
                        return Err(NormalizeProblem {
                            rule: "country-unrecognised",
                            message: format!(
                                "\"{}\" is not a country we recognise; use a name or an ISO code such as US, DE, GB",
                                value.trim()
                            ),
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether the normaliser can have a problem with some value: only these are looked at
    /// in a check when nothing reads their display form.
    pub fn can_fail(self) -> bool {
        matches!(
            self,
            Normalizer::Email | Normalizer::Phone | Normalizer::Country
        )
    }

    /// Whether `value` normalises without a problem, as [`Normalizer::apply`] says, without
    /// writing its display form where that can be skipped: a check keeps the display form of a
    /// field only when a key reads it, and building an address or a number nobody reads was a
    /// few per cent of a check. `scratch` holds the display form when it has to be built.
    pub fn check(self, value: &str, scratch: &mut String) -> Result<(), NormalizeProblem> {
        match self {
            Normalizer::Email => {
                // The tests of `apply`, on the bytes as they are (lower case changes neither);
                // anything but the plain shape goes the careful way.
                let b = value.as_bytes();
                if !is_plain_single_address(b) {
                    return self.apply(value, scratch);
                }
                let typo = memchr::memrchr(b'@', b)
                    .is_some_and(|at| crate::typos::is_typo_domain_any_case(&value[at + 1..]));
                if typo {
                    return self.apply(value, scratch);
                }
                Ok(())
            }
            Normalizer::Phone => phone(value, None),
            // Never a problem: nothing to look at.
            Normalizer::Company
            | Normalizer::Person
            | Normalizer::Trim
            | Normalizer::Lower
            | Normalizer::Upper
            | Normalizer::Title => Ok(()),
            Normalizer::Country => self.apply(value, scratch),
        }
    }

    /// The comparison key of an already normalised value, appended to `out`.
    pub fn key(self, normalised: &str, out: &mut String) {
        match self {
            Normalizer::Company => company_key(normalised, out),
            Normalizer::Person => person_key(normalised, out),
            _ => {
                for c in normalised.chars() {
                    if c.is_whitespace() {
                        if !out.ends_with(' ') && !out.is_empty() {
                            out.push(' ');
                        }
                    } else {
                        out.extend(c.to_lowercase());
                    }
                }
            }
        }
    }
}

/// Trim, collapse inner whitespace; optionally title-case each word.
fn collapse_spaces(value: &str, out: &mut String, title: bool) {
    // Most values are already collapsed (ASCII, words parted by one space): copy them whole.
    if !title && is_collapsed_ascii(value.as_bytes()) {
        out.push_str(value);
        return;
    }
    // For ASCII text (all but vertical tab, which `char::is_whitespace` counts and
    // `split_ascii_whitespace` does not) the byte-wise split is the same split, without decoding.
    if !title && value.is_ascii() && !value.as_bytes().contains(&0x0b) {
        for (i, word) in value.split_ascii_whitespace().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(word);
        }
        return;
    }
    for (i, word) in value.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if title {
            let mut first = true;
            for c in word.chars() {
                if first {
                    out.extend(c.to_uppercase());
                } else {
                    out.extend(c.to_lowercase());
                }
                first = !c.is_alphanumeric() && c != '\'';
            }
        } else {
            out.push_str(word);
        }
    }
}

/// ASCII with no whitespace but single spaces between words: nothing for `collapse_spaces` to
/// change. Any other byte at or below the space (tabs, line breaks, vertical tab, controls)
/// says no, and the careful path decides.
fn is_collapsed_ascii(b: &[u8]) -> bool {
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return true;
    };
    // Whole-slice folds with no early exit, so that they compile to vector code.
    let odd_byte = b
        .iter()
        .fold(false, |bad, &c| bad | !(b' '..0x80).contains(&c));
    !(odd_byte | has_two_spaces(b) | (first == b' ') | (last == b' '))
}

/// Byte-parallel tests on eight bytes at a time in a register. The names and numbers they look
/// at are a dozen to forty bytes: too short for the vector loops a compiler makes of a fold (it
/// runs those tails a byte at a time), long enough that a byte at a time costs.
mod swar {
    const LO: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HI: u64 = 0x8080_8080_8080_8080;

    /// The high bit of each byte of `w` equal to `c`, exactly (no borrow runs between bytes).
    #[inline]
    pub(super) fn eq(w: u64, c: u8) -> u64 {
        let x = w ^ (LO * u64::from(c));
        // A byte's high bit ends up set here unless the byte is zero.
        let nonzero = ((x & LOW7) + LOW7) | x;
        !nonzero & HI
    }

    /// The high bit of each byte of `w` from `lo` to `hi` (ASCII, `hi` below 0x7f), exactly;
    /// a byte from 0x80 up is never in the range.
    #[inline]
    pub(super) fn in_range(w: u64, lo: u8, hi: u8) -> u64 {
        // Each byte with its high bit set: the subtractions below never borrow from the next.
        let x = w | HI;
        let at_least_lo = x.wrapping_sub(LO * u64::from(lo));
        let above_hi = x.wrapping_sub(LO * u64::from(hi + 1));
        at_least_lo & !above_hi & !w & HI
    }

    /// The words of `b`, eight bytes each, little-endian (the first byte lowest); the last
    /// one filled out with `fill`.
    #[inline]
    pub(super) fn words(b: &[u8], fill: u8) -> impl Iterator<Item = u64> + '_ {
        let whole = b.chunks_exact(8);
        // The last bytes one at a time: a copy of a length not known in advance was a call
        // to `memcpy` per value.
        let rest = whole.remainder();
        let last = (!rest.is_empty()).then(|| {
            let mut w = [fill; 8];
            for (d, s) in w.iter_mut().zip(rest) {
                *d = *s;
            }
            u64::from_le_bytes(w)
        });
        whole
            .map(|c| {
                let mut w = [0u8; 8];
                w.copy_from_slice(c);
                u64::from_le_bytes(w)
            })
            .chain(last)
    }
}

/// ASCII with no space or control character (nothing to trim) and exactly one `@`: the
/// shape of nearly every address, told by one look at eight bytes at a time.
fn is_plain_single_address(b: &[u8]) -> bool {
    let mut odd = 0u64;
    let mut ats = 0u32;
    for w in swar::words(b, b'a') {
        odd |= !swar::in_range(w, 0x21, 0x7e);
        ats += swar::eq(w, b'@').count_ones();
    }
    odd & 0x8080_8080_8080_8080 == 0 && ats == 1
}

/// Of ASCII `b`, how many digits and whether a letter; `None` when `b` is not ASCII.
fn ascii_digits_and_letter(b: &[u8]) -> Option<(usize, bool)> {
    let (mut high, mut digits, mut letters) = (0u64, 0usize, 0u64);
    for w in swar::words(b, b' ') {
        high |= w;
        digits += swar::in_range(w, b'0', b'9').count_ones() as usize;
        // Letters of either case, as lower case: only `A`-`Z` and `a`-`z` land on `a`-`z`.
        letters |= swar::in_range(w | 0x2020_2020_2020_2020, b'a', b'z') & !w;
    }
    (high & 0x8080_8080_8080_8080 == 0).then_some((digits, letters != 0))
}

/// Two spaces in a row anywhere in `b`.
fn has_two_spaces(b: &[u8]) -> bool {
    // Whether the last byte of the word before was a space.
    let mut carry = 0u64;
    let mut found = 0u64;
    for w in swar::words(b, b'a') {
        let s = swar::eq(w, b' ');
        // A space whose byte before (in this word, or the last of the one before) is one too.
        found |= s & ((s << 8) | carry);
        carry = s >> 56;
    }
    found != 0
}

/// An `e` or an `x` (any case) or a `#`: where a phone number's extension may start.
fn has_e_x_or_hash(b: &[u8]) -> bool {
    let mut found = 0u64;
    for w in swar::words(b, b'0') {
        let folded = w | 0x2020_2020_2020_2020;
        found |= swar::eq(folded, b'e') | swar::eq(folded, b'x') | swar::eq(w, b'#');
    }
    found != 0
}

fn fold_char(c: char, out: &mut String) {
    let folded = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
        'æ' => "ae",
        'ç' | 'č' | 'ć' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' => "e",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'ñ' | 'ń' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
        'œ' => "oe",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => "u",
        'ý' | 'ÿ' => "y",
        'ß' => "ss",
        'š' | 'ś' => "s",
        'ž' | 'ź' | 'ż' => "z",
        'ł' => "l",
        _ => {
            out.push(c);
            return;
        }
    };
    out.push_str(folded);
}

/// Person comparison key: lower case, accents folded ("Nádia Álvarez" is "nadia alvarez"),
/// apostrophes dropped ("O'Brien" is "obrien"), any other punctuation and spaces read as one
/// space ("Alvarez-Cruz" is "alvarez cruz", "J. Smith" is "j smith").
pub fn person_key(value: &str, out: &mut String) {
    let start = out.len();
    // Apostrophes, and accents written as combining marks ("a" + U+0301), are dropped.
    fold_words(value, out, start, false, |c| {
        matches!(
            c,
            '\'' | '\u{2019}' | '\u{2bc}' | '`' | '\u{300}'..='\u{36f}'
        )
    });
}

/// Company comparison key: lower case, accents folded, punctuation dropped, `&` as `and`,
/// legal-form suffixes ("Inc.", "LLC", "GmbH", "S.A.") removed from the end.
pub fn company_key(value: &str, out: &mut String) {
    let start = out.len();
    let b = value.as_bytes();
    // Most names are ASCII words parted by single spaces, perhaps with punctuation at either
    // end ("Acme Holdings Inc."): their key is the words lower-cased. Punctuation (but `&`, which
    // is a word) at the ends writes nothing, so it is trimmed; what is left is checked with
    // whole-slice folds that compile to vector code, then copied and lower-cased at once.
    let trimmed = trim_ascii_punctuation(value);
    if is_plain_ascii_words(trimmed.as_bytes()) {
        out.push_str(trimmed);
        out[start..].make_ascii_lowercase();
    } else if b.len() <= 64 && value.is_ascii() && !b.contains(&b'&') {
        // The same rules as below, for short ASCII without `&`: ASCII letters and digits are
        // the ASCII alphanumerics and nothing needs folding. Without a branch per byte (word
        // breaks are too irregular to predict): each byte writes a space and its lower-case
        // form into a buffer on the stack, and moves the end past those it keeps.
        let mut key = [0u8; 130];
        let mut n = 0;
        let mut pending_space = false;
        // A letter or digit was written (a space goes only between words): `n > 0`, without
        // making each byte wait for the one before to move the end.
        let mut started = false;
        for &c in b {
            let alnum = c.is_ascii_alphanumeric();
            let gap = !alnum & (c != b'\'');
            key[n] = b' ';
            n += usize::from(alnum & pending_space & started);
            key[n] = c.to_ascii_lowercase();
            n += usize::from(alnum);
            pending_space = (pending_space | gap) & !alnum;
            started |= alnum;
        }
        // Only ASCII was written: this cannot fail.
        out.push_str(std::str::from_utf8(&key[..n]).unwrap_or_default());
    } else if value.is_ascii() {
        // ASCII with `&` (read as "and"), byte by byte.
        let mut pending_space = false;
        for &c in b {
            if c.is_ascii_alphanumeric() {
                if pending_space && out.len() > start {
                    out.push(' ');
                }
                pending_space = false;
                out.push(c.to_ascii_lowercase() as char);
            } else if c == b'&' {
                if out.len() > start {
                    out.push_str(" and");
                }
                pending_space = true;
            } else if c != b'\'' {
                pending_space = true;
            }
        }
    } else {
        company_key_chars(value, out, start);
    }
    strip_legal_suffixes(out, start);
}

/// `value` without the ASCII punctuation, spaces and controls at either end (`&` is kept: it
/// is the word "and").
fn trim_ascii_punctuation(value: &str) -> &str {
    // Byte by byte: a character outside ASCII is all bytes from 0x80 up, none of them an edge,
    // so the cuts fall between characters.
    let edge = |c: &u8| c.is_ascii() && !c.is_ascii_alphanumeric() && *c != b'&';
    let b = value.as_bytes();
    let from = b.iter().position(|c| !edge(c)).unwrap_or(b.len());
    let to = b.iter().rposition(|c| !edge(c)).map_or(from, |i| i + 1);
    value.get(from..to).unwrap_or_default()
}

/// ASCII letters and digits in words parted by single spaces, no space at either end.
fn is_plain_ascii_words(b: &[u8]) -> bool {
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return true;
    };
    // Whole-slice folds with no early exit, so that they compile to vector code.
    let odd_byte = b.iter().fold(false, |bad, &c| {
        bad | !(c.is_ascii_alphanumeric() | (c == b' '))
    });
    !(odd_byte | has_two_spaces(b) | (first == b' ') | (last == b' '))
}

fn company_key_chars(value: &str, out: &mut String, start: usize) {
    // O'Brien and OBrien are the same name.
    fold_words(value, out, start, true, |c| c == '\'' || c == '’');
}

/// The words of `value` for a comparison key, appended to `out` (which held `start` bytes
/// before): letters and digits lower-cased with accents folded, `dropped` characters left out,
/// anything else a word break written as one space; with `ampersand_as_and`, `&` is the word
/// "and".
fn fold_words(
    value: &str,
    out: &mut String,
    start: usize,
    ampersand_as_and: bool,
    dropped: impl Fn(char) -> bool,
) {
    let mut pending_space = false;
    for c in value.chars() {
        if c.is_alphanumeric() {
            if pending_space && out.len() > start {
                out.push(' ');
            }
            pending_space = false;
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                for l in c.to_lowercase() {
                    fold_char(l, out);
                }
            }
        } else if ampersand_as_and && c == '&' {
            if out.len() > start {
                out.push_str(" and");
            }
            pending_space = true;
        } else if !dropped(c) {
            pending_space = true;
        }
    }
}

/// The length of the legal-form suffix ending `key` ("inc", "gmbh", "l l c" after dots were
/// dropped), if any; a suffix is whole words and never the whole name.
fn legal_suffix_len(key: &str) -> Option<usize> {
    // The last word is short: a plain backward loop beats a vectorised search set up per call.
    let last = &key[key.bytes().rposition(|c| c == b' ').map_or(0, |i| i + 1)..];
    // The word as one number, compared with the suffixes' of its length (a `match` on text
    // compared them one `memcmp` at a time): every company key asks this at least once.
    let n = if is_legal_suffix_word(last) {
        last.len()
    } else {
        match last {
            "c" if key.ends_with(" l l c") => 5,
            "a" if key.ends_with(" s a") => 3,
            "v" if key.ends_with(" b v") => 3,
            _ => return None,
        }
    };
    (key.len() > n + 1 && key.as_bytes()[key.len() - n - 1] == b' ').then_some(n)
}

/// The legal-form suffixes of [`legal_suffix_len`] (whole words), by length, as [`word_u128`]
/// gives them: most last words are none of these lengths, and are told so at once.
fn is_legal_suffix_word(w: &str) -> bool {
    const fn words<const N: usize>(ws: [&str; N]) -> [u128; N] {
        let mut out = [0u128; N];
        let mut i = 0;
        while i < N {
            let b = ws[i].as_bytes();
            let mut k = 0;
            while k < b.len() {
                out[i] |= (b[k] as u128) << (8 * k);
                k += 1;
            }
            i += 1;
        }
        out
    }
    const TWO: [u128; 7] = words(["co", "ag", "sa", "bv", "nv", "oy", "ab"]);
    const THREE: [u128; 8] = words(["inc", "llc", "ltd", "plc", "srl", "spa", "pty", "sas"]);
    const FOUR: [u128; 2] = words(["corp", "gmbh"]);
    const SEVEN: [u128; 2] = words(["limited", "company"]);
    const ELEVEN: [u128; 1] = words(["corporation"]);
    const TWELVE: [u128; 1] = words(["incorporated"]);
    let among: &[u128] = match w.len() {
        2 => &TWO,
        3 => &THREE,
        4 => &FOUR,
        7 => &SEVEN,
        11 => &ELEVEN,
        12 => &TWELVE,
        _ => return false,
    };
    word_u128(w).is_some_and(|n| among.contains(&n))
}

/// A word of 1 to 16 bytes as one number (its bytes little-endian, zeros after); `None` when
/// empty or longer.
fn word_u128(w: &str) -> Option<u128> {
    let b = w.as_bytes();
    if b.is_empty() || b.len() > 16 {
        return None;
    }
    let mut a = [0u8; 16];
    // Byte by byte: a copy of a length not known in advance is a call to `memcpy`.
    for (d, s) in a.iter_mut().zip(b) {
        *d = *s;
    }
    Some(u128::from_le_bytes(a))
}

/// Strips legal suffixes from the end, repeatedly ("Acme Holdings Pty Ltd"), and an "and"
/// left dangling ("Smith & Co" is "smith").
fn strip_legal_suffixes(out: &mut String, start: usize) {
    while let Some(n) = legal_suffix_len(&out[start..]) {
        let keep = out.len() - n - 1;
        out.truncate(keep);
        if out[start..].ends_with(" and") && out.len() - start > 4 {
            let l = out.len() - 4;
            out.truncate(l);
        }
    }
}

/// The phone normaliser: its display form goes to `out`, when asked for.
fn phone(value: &str, out: Option<&mut String>) -> Result<(), NormalizeProblem> {
    let v = value.trim();
    // Split off an extension: "x123", "ext 123", "ext. 123", "#123" (ASCII case-insensitive, so
    // byte offsets in `v` are the offsets found).
    let b = v.as_bytes();
    // Most numbers have no letter `e` or `x` and no `#` at all: one vectorisable look says so.
    let maybe_ext = has_e_x_or_hash(b);
    let ext_at = maybe_ext
        .then(|| {
            b.windows(3)
                .position(|w| w.eq_ignore_ascii_case(b"ext"))
                .or_else(|| b.iter().position(|&c| matches!(c, b'x' | b'X' | b'#')))
        })
        .flatten();
    let (main, ext) = match ext_at {
        Some(i) => (&v[..i], &v[i..]),
        None => (v, ""),
    };
    let lead = main.trim_start();
    let plus = lead.starts_with('+') || lead.starts_with("00");
    let skip = if lead.starts_with("00") { 2 } else { 0 };
    let (count, alphabetic) = ascii_digits_and_letter(main.as_bytes()).unwrap_or_else(|| {
        (
            main.bytes().filter(u8::is_ascii_digit).count(),
            main.chars().any(char::is_alphabetic),
        )
    });
    let n = count.saturating_sub(skip);
    if alphabetic || !(7..=15).contains(&n) {
        if let Some(out) = out {
            out.push_str(v);
        }
        return Err(NormalizeProblem {
            rule: "phone-unrecognised",
            message: format!(
                "\"{v}\" is not a phone number we can read; write it with its country code, such as +1 212 555 0100"
            ),
        });
    }
    // 7 to 15 digits after the `skip` first.
    let digits = main.bytes().filter(u8::is_ascii_digit).skip(skip);
    let add_one = if plus || (n == 11 && digits.clone().next() == Some(b'1')) {
        false
    } else if n == 10 {
        // A North American number written without its country code.
        true
    } else {
        if let Some(out) = out {
            out.push_str(v);
        }
        return Err(NormalizeProblem {
            rule: "phone-unrecognised",
            message: format!("\"{v}\" has no country code; write it as +<country code> <number>"),
        });
    };
    let Some(out) = out else {
        return Ok(());
    };
    out.push('+');
    if add_one {
        out.push('1');
    }
    out.extend(digits.map(char::from));
    if ext.bytes().any(|c| c.is_ascii_digit()) {
        out.push_str(" x");
        out.extend(ext.bytes().filter(u8::is_ascii_digit).map(char::from));
    }
    Ok(())
}

fn country_lookup_key(value: &str) -> String {
    let mut k = String::with_capacity(value.len());
    for c in value.chars() {
        if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                fold_char(l, &mut k);
            }
        } else if c.is_whitespace() && !k.is_empty() && !k.ends_with(' ') {
            k.push(' ');
        }
    }
    while k.ends_with(' ') {
        k.pop();
    }
    k
}

/// ISO code, ISO3 code, then names and common spellings.
const COUNTRIES: &[(&str, &str, &[&str])] = &[
    (
        "US",
        "USA",
        &[
            "united states",
            "united states of america",
            "us of a",
            "america",
            "u s",
            "u s a",
            "estados unidos",
        ],
    ),
    ("CA", "CAN", &["canada"]),
    (
        "GB",
        "GBR",
        &[
            "united kingdom",
            "uk",
            "u k",
            "great britain",
            "britain",
            "england",
            "scotland",
            "wales",
            "northern ireland",
        ],
    ),
    (
        "DE",
        "DEU",
        &[
            "germany",
            "deutschland",
            "federal republic of germany",
            "allemagne",
        ],
    ),
    ("FR", "FRA", &["france"]),
    ("AU", "AUS", &["australia"]),
    ("IN", "IND", &["india", "bharat"]),
    ("BR", "BRA", &["brazil", "brasil"]),
    ("JP", "JPN", &["japan", "nippon"]),
    ("CN", "CHN", &["china", "peoples republic of china", "prc"]),
    ("MX", "MEX", &["mexico", "méxico"]),
    ("ES", "ESP", &["spain", "espana", "españa"]),
    ("IT", "ITA", &["italy", "italia"]),
    (
        "NL",
        "NLD",
        &["netherlands", "the netherlands", "holland", "nederland"],
    ),
    ("BE", "BEL", &["belgium", "belgique", "belgie"]),
    (
        "CH",
        "CHE",
        &["switzerland", "schweiz", "suisse", "svizzera"],
    ),
    ("AT", "AUT", &["austria", "osterreich", "österreich"]),
    ("SE", "SWE", &["sweden", "sverige"]),
    ("NO", "NOR", &["norway", "norge"]),
    ("DK", "DNK", &["denmark", "danmark"]),
    ("FI", "FIN", &["finland", "suomi"]),
    ("IE", "IRL", &["ireland", "eire", "republic of ireland"]),
    ("PT", "PRT", &["portugal"]),
    ("PL", "POL", &["poland", "polska"]),
    ("CZ", "CZE", &["czech republic", "czechia"]),
    ("GR", "GRC", &["greece"]),
    ("TR", "TUR", &["turkey", "turkiye", "türkiye"]),
    ("RU", "RUS", &["russia", "russian federation"]),
    ("UA", "UKR", &["ukraine"]),
    ("IL", "ISR", &["israel"]),
    ("AE", "ARE", &["united arab emirates", "uae", "u a e"]),
    ("SA", "SAU", &["saudi arabia"]),
    ("ZA", "ZAF", &["south africa"]),
    ("NG", "NGA", &["nigeria"]),
    ("KE", "KEN", &["kenya"]),
    ("EG", "EGY", &["egypt"]),
    ("GH", "GHA", &["ghana"]),
    ("KR", "KOR", &["south korea", "korea", "republic of korea"]),
    ("SG", "SGP", &["singapore"]),
    ("HK", "HKG", &["hong kong"]),
    ("TW", "TWN", &["taiwan"]),
    ("ID", "IDN", &["indonesia"]),
    ("MY", "MYS", &["malaysia"]),
    ("TH", "THA", &["thailand"]),
    ("VN", "VNM", &["vietnam", "viet nam"]),
    ("PH", "PHL", &["philippines"]),
    ("NZ", "NZL", &["new zealand"]),
    ("AR", "ARG", &["argentina"]),
    ("CL", "CHL", &["chile"]),
    ("CO", "COL", &["colombia"]),
    ("PE", "PER", &["peru"]),
    ("LU", "LUX", &["luxembourg"]),
    ("HU", "HUN", &["hungary"]),
    ("RO", "ROU", &["romania"]),
    ("PK", "PAK", &["pakistan"]),
    ("BD", "BGD", &["bangladesh"]),
];

/// The country a person most likely meant by a value no country is known by ("Untied
/// States", "Germny"), as its ISO code; `None` when nothing is close enough to say.
pub fn country_suggestion(value: &str) -> Option<&'static str> {
    let key = country_lookup_key(value);
    if key.chars().count() < 4 {
        return None;
    }
    crate::typos::closest(
        &key,
        COUNTRIES
            .iter()
            .flat_map(|(iso2, _, names)| names.iter().map(move |n| (*iso2, *n))),
        0.9,
    )
}

fn countries() -> &'static HashMap<String, &'static str> {
    static MAP: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut m = HashMap::new();
        for (iso2, iso3, names) in COUNTRIES {
            m.insert(iso2.to_ascii_lowercase(), *iso2);
            m.insert(iso3.to_ascii_lowercase(), *iso2);
            for n in *names {
                m.insert(country_lookup_key(n), *iso2);
            }
        }
        m
    })
}

/// The first, plain implementations, kept to check that the fast paths give the same answers.
#[cfg(test)]
mod reference {
    use super::{fold_char, NormalizeProblem};

    pub fn email(value: &str, out: &mut String) -> bool {
        let v = value.trim();
        for c in v.chars() {
            out.extend(c.to_lowercase());
        }
        !(v.contains(char::is_whitespace) || v.matches('@').count() != 1)
    }

    pub fn collapse_spaces(value: &str, out: &mut String, title: bool) {
        for (i, word) in value.split_whitespace().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            if title {
                let mut first = true;
                for c in word.chars() {
                    if first {
                        out.extend(c.to_uppercase());
                    } else {
                        out.extend(c.to_lowercase());
                    }
                    first = !c.is_alphanumeric() && c != '\'';
                }
            } else {
                out.push_str(word);
            }
        }
    }

    const LEGAL_SUFFIXES: &[&str] = &[
        "inc",
        "incorporated",
        "llc",
        "l l c",
        "ltd",
        "limited",
        "corp",
        "corporation",
        "co",
        "company",
        "gmbh",
        "ag",
        "sa",
        "s a",
        "plc",
        "bv",
        "b v",
        "nv",
        "oy",
        "ab",
        "srl",
        "spa",
        "pty",
        "sas",
    ];

    pub fn company_key(value: &str, out: &mut String) {
        let start = out.len();
        let mut pending_space = false;
        for c in value.chars() {
            if c.is_alphanumeric() {
                if pending_space && out.len() > start {
                    out.push(' ');
                }
                pending_space = false;
                if c.is_ascii() {
                    out.push(c.to_ascii_lowercase());
                } else {
                    for l in c.to_lowercase() {
                        fold_char(l, out);
                    }
                }
            } else if c == '&' {
                if out.len() > start {
                    out.push_str(" and");
                }
                pending_space = true;
            } else if c == '\'' || c == '’' {
                // O'Brien and OBrien are the same name.
            } else {
                pending_space = true;
            }
        }
        // Strip legal suffixes from the end, repeatedly ("Acme Holdings Pty Ltd").
        'outer: loop {
            let cur = &out[start..];
            for suffix in LEGAL_SUFFIXES {
                let n = suffix.len();
                if cur.len() > n + 1
                    && cur.ends_with(suffix)
                    && cur.as_bytes()[cur.len() - n - 1] == b' '
                {
                    let keep = out.len() - n - 1;
                    out.truncate(keep);
                    if out[start..].ends_with(" and") && out.len() - start > 4 {
                        let l = out.len() - 4;
                        out.truncate(l);
                    }
                    continue 'outer;
                }
            }
            break;
        }
    }

    pub fn phone(value: &str, out: &mut String) -> Result<(), NormalizeProblem> {
        let v = value.trim();
        // Split off an extension: "x123", "ext 123", "ext. 123", "#123".
        let lower = v.to_ascii_lowercase();
        let (main, ext) = match lower.find("ext").or_else(|| lower.find(['x', '#'])) {
            Some(i) => {
                let ext: String = lower[i..].chars().filter(char::is_ascii_digit).collect();
                (&v[..i], ext)
            }
            None => (v, String::new()),
        };
        let plus = main.trim_start().starts_with('+') || main.trim_start().starts_with("00");
        let mut digits: String = main.chars().filter(char::is_ascii_digit).collect();
        if main.trim_start().starts_with("00") {
            digits.drain(..2);
        }
        if main.chars().any(|c| c.is_alphabetic()) || digits.len() < 7 || digits.len() > 15 {
            out.push_str(v);
            return Err(NormalizeProblem {
                rule: "phone-unrecognised",
                message: format!(
                    "\"{v}\" is not a phone number we can read; write it with its country code, such as +1 212 555 0100"
                ),
            });
        }
        out.push('+');
        if plus {
            out.push_str(&digits);
        } else if digits.len() == 10 {
            out.push('1');
            out.push_str(&digits);
        } else if digits.len() == 11 && digits.starts_with('1') {
            out.push_str(&digits);
        } else {
            out.clear();
            out.push_str(v);
            return Err(NormalizeProblem {
                rule: "phone-unrecognised",
                message: format!(
                    "\"{v}\" has no country code; write it as +<country code> <number>"
                ),
            });
        }
        if !ext.is_empty() {
            out.push_str(" x");
            out.push_str(&ext);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(n: Normalizer, v: &str) -> Result<String, NormalizeProblem> {
        let mut out = String::new();
        n.apply(v, &mut out).map(|()| out)
    }

    fn key(n: Normalizer, v: &str) -> String {
        let mut norm = String::new();
        let _ = n.apply(v, &mut norm);
        let mut k = String::new();
        n.key(&norm, &mut k);
        k
    }

    #[test]
    fn company_variants_share_one_key() {
        let base = key(Normalizer::Company, "ACME Inc.");
        for v in [
            "Acme",
            "ACME",
            "acme, inc",
            " Acme  Inc ",
            "ACME INC",
            "Acme LLC",
            "Acme Corp.",
            "Acme S.A.",
        ] {
            assert_eq!(key(Normalizer::Company, v), base, "{v}");
        }
        assert_eq!(base, "acme");
        assert_ne!(key(Normalizer::Company, "Acme Holdings"), base);
    }

    #[test]
    fn company_key_folds_accents_and_ampersands() {
        assert_eq!(
            key(Normalizer::Company, "Zürich Façades GmbH"),
            "zurich facades"
        );
        assert_eq!(
            key(Normalizer::Company, "Smith, Jones & Co."),
            "smith jones"
        );
        assert_eq!(key(Normalizer::Company, "Smith & Sons"), "smith and sons");
    }

    #[test]
    fn company_display_collapses_spaces_and_keeps_case() {
        assert_eq!(
            apply(Normalizer::Company, "  Blue  Red Labs Inc. ").as_deref(),
            Ok("Blue Red Labs Inc.")
        );
    }

    #[test]
    fn phones_become_e164_with_extension() {
        for v in [
            "(201) 555-0123",
            "+1 201 555 0123",
            "201.555.0123",
            "2015550123",
            "+1-201-555-0123",
        ] {
            assert_eq!(
                apply(Normalizer::Phone, v).as_deref(),
                Ok("+12015550123"),
                "{v}"
            );
        }
        assert_eq!(
            apply(Normalizer::Phone, "1 (201) 555 0123 x45").as_deref(),
            Ok("+12015550123 x45")
        );
        assert_eq!(
            apply(Normalizer::Phone, "+44 20 1234 5678").as_deref(),
            Ok("+442012345678")
        );
        assert!(apply(Normalizer::Phone, "call me").is_err());
        assert!(apply(Normalizer::Phone, "12345").is_err());
    }

    #[test]
    fn near_misses_of_country_names_are_suggested_and_far_ones_are_not() {
        assert_eq!(country_suggestion("Untied States"), Some("US"));
        assert_eq!(country_suggestion("Germny"), Some("DE"));
        assert_eq!(country_suggestion("Atlantis"), None);
        assert_eq!(country_suggestion("Xy"), None);
    }

    #[test]
    fn countries_become_iso_codes() {
        for (v, c) in [
            ("US", "US"),
            ("USA", "US"),
            ("U.S.", "US"),
            ("united states", "US"),
            ("US ", "US"),
            ("UK", "GB"),
            ("Great Britain", "GB"),
            ("U.K.", "GB"),
            ("Deutschland", "DE"),
            ("DEU", "DE"),
            ("Brasil", "BR"),
            ("CAN", "CA"),
            ("Japan", "JP"),
        ] {
            assert_eq!(apply(Normalizer::Country, v).as_deref(), Ok(c), "{v}");
        }
        assert_eq!(
            apply(Normalizer::Country, "Atlantis").map_err(|e| e.rule),
            Err("country-unrecognised")
        );
    }

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            apply(Normalizer::Email, " Ana.Lee@Example.COM ").as_deref(),
            Ok("ana.lee@example.com")
        );
        assert!(apply(Normalizer::Email, "a@b.com ; c@d.com").is_err());
    }

    #[test]
    fn person_names_in_one_case_are_title_cased() {
        assert_eq!(
            apply(Normalizer::Person, "JOHN  O'BRIEN").as_deref(),
            Ok("John O'brien")
        );
        assert_eq!(
            apply(Normalizer::Person, "mary smith").as_deref(),
            Ok("Mary Smith")
        );
        assert_eq!(
            apply(Normalizer::Person, "Mary McDonald").as_deref(),
            Ok("Mary McDonald")
        );
    }

    #[test]
    fn person_key_ignores_hyphens() {
        assert_eq!(
            key(Normalizer::Person, "Nadia Alvarez-Cruz"),
            key(Normalizer::Person, "Nadia Alvarez Cruz")
        );
        assert_eq!(
            key(Normalizer::Person, "Nadia Alvarez-Cruz"),
            "nadia alvarez cruz"
        );
    }

    #[test]
    fn person_key_folds_accents() {
        assert_eq!(
            key(Normalizer::Person, "Nádia Álvarez Cruz"),
            key(Normalizer::Person, "Nadia Alvarez Cruz")
        );
        // The same accents written as combining marks.
        assert_eq!(
            key(Normalizer::Person, "Na\u{301}dia A\u{301}lvarez Cruz"),
            "nadia alvarez cruz"
        );
    }

    #[test]
    fn person_key_ignores_apostrophes() {
        let base = key(Normalizer::Person, "Sean OBrien");
        for v in [
            "Sean O'Brien",
            "SEAN O'BRIEN",
            "Sean O\u{2019}Brien",
            "sean  obrien",
        ] {
            assert_eq!(key(Normalizer::Person, v), base, "{v}");
        }
    }

    #[test]
    fn person_key_ignores_other_punctuation_and_case() {
        assert_eq!(
            key(Normalizer::Person, "J. R. SMITH"),
            key(Normalizer::Person, "j r smith")
        );
        assert_ne!(
            key(Normalizer::Person, "Nadia Alvarez"),
            key(Normalizer::Person, "Nadia Alvarez Cruz"),
            "a different name stays different"
        );
    }

    #[test]
    fn case_and_trim() {
        assert_eq!(apply(Normalizer::Trim, "  a b ").as_deref(), Ok("a b"));
        assert_eq!(
            apply(Normalizer::parse("case").unwrap_or(Normalizer::Trim), "ABC").as_deref(),
            Ok("abc")
        );
        assert_eq!(apply(Normalizer::Upper, "abc").as_deref(), Ok("ABC"));
    }

    /// Strings built from the characters the fast paths treat specially, ASCII and not.
    fn awkward_strings() -> Vec<String> {
        const PARTS: &[&str] = &[
            "Acme",
            "ACME",
            " ",
            "  ",
            "\t",
            "\u{b}",
            "\u{a0}",
            "&",
            "'",
            "’",
            ".",
            ",",
            "Inc",
            "inc.",
            "L.L.C.",
            "S.A.",
            "B.V.",
            "Co",
            "GmbH",
            "Pty",
            "Ltd",
            "Zürich",
            "É",
            "ß",
            "#",
            "x",
            "X",
            "ext",
            "Ext.",
            "+",
            "00",
            "1",
            "(201)",
            "555-0123",
            "44",
            "@",
            "@@",
            "a@b.co",
            "-",
            "and",
            "LLC",
            "c",
            "a",
            "v",
            "\u{1}",
            "\r\n",
            "\u{7f}",
            "[",
            "`",
            "{",
            "/",
            ":",
            "Zz",
            "09",
            "gmial.com",
            "HOTMAIL",
            ".con",
        ];
        // A fixed linear congruential sequence: the same cases every run.
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) as usize
        };
        (0..20_000)
            .map(|_| {
                let n = next() % 7;
                (0..n).map(|_| PARTS[next() % PARTS.len()]).collect()
            })
            .collect()
    }

    #[test]
    fn byte_parallel_tests_agree_with_a_byte_at_a_time() {
        let mut seed: u64 = 0x5eed_1234_abcd_0042;
        for len in 0..70 {
            for _ in 0..300 {
                let b = crate::random::random_bytes(&mut seed, len, |s| {
                    // Mostly the bytes tested for, their case partners and neighbours.
                    let pick = b" exEX#\x03\x00\xa0\xc5\xff!aZ9@@0/:`{~\x7f";
                    if (s >> 60) < 12 {
                        pick[(s >> 33) as usize % pick.len()]
                    } else {
                        (s >> 40) as u8
                    }
                });
                assert_eq!(
                    super::has_two_spaces(&b),
                    b.windows(2).any(|w| w == b"  "),
                    "{b:?}"
                );
                assert_eq!(
                    super::is_plain_single_address(&b),
                    b.iter().all(|c| (0x21..0x7f).contains(c))
                        && b.iter().filter(|&&c| c == b'@').count() == 1,
                    "{b:?}"
                );
                assert_eq!(
                    super::ascii_digits_and_letter(&b),
                    b.is_ascii().then(|| (
                        b.iter().filter(|c| c.is_ascii_digit()).count(),
                        b.iter().any(u8::is_ascii_alphabetic)
                    )),
                    "{b:?}"
                );
                assert_eq!(
                    super::has_e_x_or_hash(&b),
                    b.iter()
                        .any(|&c| matches!(c | 0x20, b'e' | b'x') || c == b'#'),
                    "{b:?}"
                );
            }
        }
    }

    #[test]
    fn fast_paths_agree_with_the_plain_implementations() {
        for v in awkward_strings() {
            let (mut a, mut b) = (String::new(), String::new());
            super::company_key(&v, &mut a);
            reference::company_key(&v, &mut b);
            assert_eq!(a, b, "company key of {v:?}");
            for title in [false, true] {
                let (mut a, mut b) = (String::new(), String::new());
                collapse_spaces(&v, &mut a, title);
                reference::collapse_spaces(&v, &mut b, title);
                assert_eq!(a, b, "collapse_spaces({v:?}, {title})");
            }
            // A check says what `apply` says; a company's key is its display form's key.
            for n in Normalizer::NAMES
                .iter()
                .filter_map(|n| Normalizer::parse(n))
            {
                let (mut a, mut b) = (String::new(), String::new());
                let applied = n.apply(&v, &mut b);
                assert_eq!(n.check(&v, &mut a), applied, "{n:?} of {v:?}");
                assert!(n.can_fail() || applied.is_ok(), "{n:?} of {v:?}");
            }
            let (mut shown, mut a, mut b) = (String::new(), String::new(), String::new());
            let _ = Normalizer::Company.apply(&v, &mut shown);
            super::company_key(&v, &mut a);
            super::company_key(&shown, &mut b);
            assert_eq!(a, b, "company key of {v:?} and of its display form");
            let (mut a, mut b) = (String::new(), String::new());
            let ra = super::phone(&v, Some(&mut a));
            let rb = reference::phone(&v, &mut b);
            assert_eq!((a, ra), (b, rb), "phone {v:?}");
            let mut b = String::new();
            let ok = reference::email(&v, &mut b);
            // The reference reads the shape only; a typo is told of an address of that shape.
            let shape = match apply(Normalizer::Email, &v) {
                Err(p) if p.rule == "email-typo" => {
                    let mut shown = String::new();
                    let _ = Normalizer::Email.apply(&v, &mut shown);
                    Ok(shown)
                }
                r => r.map_err(|_| ()),
            };
            assert_eq!(shape, if ok { Ok(b) } else { Err(()) }, "email {v:?}");
        }
    }
}
