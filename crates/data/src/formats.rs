//! Table Schema string formats (`{"type": "string", "format": …}`): `default`, `email`, `uri`,
//! `uuid`, `binary`, checked the way frictionless-py 5 checks them, so a map gives the same
//! verdicts here as in `frictionless validate`:
//!
//! - `email`: the `validators` package (0.3x) — one `@`; the part before it at most 64
//!   characters, a dot-atom (letters, digits, ``!#$%&'*+/=?^_`{}|~-`` and Latin-1/Latin
//!   Extended letters, dots between words) or a quoted string; the part after it a domain name
//!   (IDNA 2003 for non-ASCII names) of at most 253 characters, with a dot and a top-level
//!   domain ending in a letter. No IP literals, no bare host names.
//! - `uri`: `rfc3986` with only the scheme required — the value starts with a scheme
//!   (`[A-Za-z][A-Za-z0-9+.-]*:`) and nothing after it is checked.
//! - `uuid`: Python's `uuid.UUID(text)` — `urn:`/`uuid:` removed, braces stripped from both
//!   ends, dashes removed anywhere, then 32 characters that Python's `int(…, 16)` reads.
//! - `binary`: Python's `base64.b64decode(text)` (not strict): ASCII only; characters outside
//!   the base64 alphabet are skipped; the data characters before the padding must fill whole
//!   groups of four.
//!
//! Every check is linear in the value's length, and the costly part (IDNA) only
//! ever see a bounded piece of it (the 64 + 253 characters of an e-mail address).

use std::borrow::Cow;

/// A string field's `format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringFormat {
    Default,
    Email,
    Uri,
    Uuid,
    Binary,
}

impl StringFormat {
    /// The formats a map may name for a string field.
    pub const NAMES: &'static [&'static str] = &["default", "email", "uri", "uuid", "binary"];

    /// The format named in a map (`None`: no format, which is `default`).
    pub fn parse(name: Option<&str>) -> Option<StringFormat> {
        Some(match name {
            None | Some("default") => StringFormat::Default,
            Some("email") => StringFormat::Email,
            Some("uri") => StringFormat::Uri,
            Some("uuid") => StringFormat::Uuid,
            Some("binary") => StringFormat::Binary,
            Some(_) => return None,
        })
    }

    /// What a value of this format is called in a message ("an e-mail address").
    pub fn noun(self) -> &'static str {
        match self {
            StringFormat::Default => "a string",
            StringFormat::Email => "an e-mail address",
            StringFormat::Uri => "a URI",
            StringFormat::Uuid => "a UUID",
            StringFormat::Binary => "base64 binary data",
        }
    }

    /// How to write a value of this format (the end of a `type` issue's message).
    pub fn hint(self) -> &'static str {
        match self {
            StringFormat::Default => "enter text",
            StringFormat::Email => "write it as name@example.com",
            StringFormat::Uri => "write it with its scheme, such as https://example.com/page",
            StringFormat::Uuid => {
                "write it as 32 hexadecimal digits, such as 123e4567-e89b-12d3-a456-426614174000"
            }
            StringFormat::Binary => "write it as base64, such as SGVsbG8=",
        }
    }

    /// Whether `value` is of this format.
    pub fn accepts(self, value: &str) -> bool {
        self.problem(value).is_none()
    }

    /// Why `value` is not of this format, in plain words; `None` when it is.
    pub fn problem(self, value: &str) -> Option<String> {
        match self {
            StringFormat::Default => None,
            StringFormat::Email => email_problem(value),
            StringFormat::Uri => uri_problem(value),
            StringFormat::Uuid => uuid_problem(value),
            StringFormat::Binary => binary_problem(value),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// email

/// Python's `str.isspace` (what `\s` matches in a Python `str` regex).
fn python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// A character of the set `set`, as Python's `re.IGNORECASE` sees it: itself or its one-letter
/// lower or upper case (the Kelvin sign `K` is a `k`).
fn in_set_ignore_case(c: char, set: impl Fn(char) -> bool) -> bool {
    fn single(mut it: impl Iterator<Item = char>) -> Option<char> {
        let c = it.next()?;
        it.next().is_none().then_some(c)
    }
    set(c)
        || (!c.is_ascii()
            && (single(c.to_lowercase()).is_some_and(&set)
                || single(c.to_uppercase()).is_some_and(&set)))
}

/// Latin-1 and Latin Extended-A/B letters (U+00A0–U+024F), allowed anywhere before the `@`.
fn extended_latin(c: char) -> bool {
    ('\u{A0}'..='\u{24F}').contains(&c)
}

fn atom_char(c: char) -> bool {
    in_set_ignore_case(c, |c| {
        c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{}|~-".contains(c) || extended_latin(c)
    })
}

fn quoted_char(c: char) -> bool {
    in_set_ignore_case(c, |c| {
        matches!(c, '\x01'..='\x08' | '\x0b' | '\x0c' | '\x0e'..='\x1f' | '!' | '#'..='[' | ']'..='\x7f')
            || extended_latin(c)
    })
}

/// The part before `@`, as `validators.email`'s regex reads it: one extended-Latin letter, a
/// dot-atom, or a quoted string. Python's `$` also matches before a final line break.
fn local_part_ok(local: &str) -> bool {
    fn whole(s: &str) -> bool {
        let mut chars = s.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            if in_set_ignore_case(c, extended_latin) {
                return true;
            }
        }
        if s.split('.')
            .all(|w| !w.is_empty() && w.chars().all(atom_char))
        {
            return true;
        }
        let Some(inner) = s.strip_prefix('"').and_then(|r| r.strip_suffix('"')) else {
            return false;
        };
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            let ok = if c == '\\' {
                matches!(chars.next(), Some('\t' | '.'))
            } else {
                quoted_char(c)
            };
            if !ok {
                return false;
            }
        }
        true
    }
    whole(local) || local.strip_suffix('\n').is_some_and(whole)
}

/// An IDNA-encoded (ASCII) domain, as `validators.domain`'s regex reads it: labels of 1–63
/// letters, digits and inner hyphens, at least two, the last (the top-level domain) 2–63 long
/// and ending in a letter.
fn domain_labels_ok(encoded: &str) -> bool {
    let labels: Vec<&[u8]> = encoded.as_bytes().split(|&c| c == b'.').collect();
    let Some((tld, rest)) = labels.split_last() else {
        return false;
    };
    let inner = |l: &[u8]| l.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-');
    !rest.is_empty()
        && rest.iter().all(|l| {
            (1..=63).contains(&l.len())
                && inner(l)
                && l[0].is_ascii_alphanumeric()
                && l[l.len() - 1].is_ascii_alphanumeric()
        })
        && (2..=63).contains(&tld.len())
        && inner(tld)
        && tld[0].is_ascii_alphanumeric()
        && tld[tld.len() - 1].is_ascii_alphabetic()
}

fn email_problem(value: &str) -> Option<String> {
    let ats = memchr::memchr_iter(b'@', value.as_bytes()).count();
    if ats == 0 {
        return Some("it has no @".into());
    }
    if ats > 1 {
        return Some(format!("it has {ats} @ signs; an address has exactly one"));
    }
    let (local, domain) = value.split_once('@')?;
    if local.chars().count() > 64 {
        return Some("the part before @ is longer than 64 characters".into());
    }
    if domain.chars().count() > 253 {
        return Some("the part after @ is longer than 253 characters".into());
    }
    if !local_part_ok(local) {
        return Some(local_part_problem(local));
    }
    domain_problem(domain).map(str::to_string)
}

fn local_part_problem(local: &str) -> String {
    if local.is_empty() {
        return "there is nothing before the @".into();
    }
    if local.contains(python_space) {
        return "the part before the @ contains a space".into();
    }
    match local.chars().find(|&c| c != '.' && !atom_char(c)) {
        Some(c) => format!("the part before the @ contains {c:?}, which an address cannot have"),
        None => "the part before the @ starts or ends with a dot, or has two dots in a row".into(),
    }
}

fn domain_problem(domain: &str) -> Option<&'static str> {
    if domain.is_empty() {
        return Some("there is nothing after the @");
    }
    if domain.contains(python_space) {
        return Some("the part after the @ contains a space");
    }
    let Some(encoded) = idna2003_to_ascii(domain) else {
        return Some(
            "the part after the @ is not a domain name (an empty, too long or unusable label)",
        );
    };
    if encoded.trim_end_matches('.').len() > 253 {
        return Some("the part after the @ is longer than 253 characters");
    }
    if domain.contains("__") || !domain_labels_ok(&encoded) {
        return Some(if encoded.contains('.') {
            "the part after the @ is not a domain name such as example.com"
        } else {
            "the part after the @ has no top-level domain (such as .com)"
        });
    }
    None
}

/// Python's `str.encode("idna")` (IDNA 2003: nameprep, then punycode, label by label);
/// `None` where Python raises.
fn idna2003_to_ascii(domain: &str) -> Option<Cow<'_, str>> {
    if domain.is_ascii() {
        let labels: Vec<&str> = domain.split('.').collect();
        let (last, rest) = labels.split_last()?;
        if rest.iter().any(|l| l.is_empty() || l.len() > 63) || last.len() > 63 {
            return None;
        }
        return Some(Cow::Borrowed(domain));
    }
    let mut labels: Vec<&str> = domain
        .split(['.', '\u{3002}', '\u{FF0E}', '\u{FF61}'])
        .collect();
    let trailing_dot = labels.last().is_some_and(|l| l.is_empty());
    if trailing_dot {
        labels.pop();
    }
    let mut out = String::with_capacity(domain.len() + 8);
    for label in labels {
        if !out.is_empty() {
            out.push('.');
        }
        label_to_ascii(label, &mut out)?;
    }
    if trailing_dot {
        out.push('.');
    }
    Some(Cow::Owned(out))
}

/// `encodings.idna.ToASCII` for one label, appended to `out`.
fn label_to_ascii(label: &str, out: &mut String) -> Option<()> {
    let fits = |l: &str| (1..=63).contains(&l.len());
    if label.is_ascii() {
        out.push_str(label);
        return fits(label).then_some(());
    }
    let prepped = stringprep::nameprep(label).ok()?;
    if prepped.is_ascii() {
        out.push_str(&prepped);
        return fits(&prepped).then_some(());
    }
    if prepped.starts_with("xn--") {
        return None;
    }
    let start = out.len();
    out.push_str("xn--");
    punycode(&prepped, out)?;
    fits(&out[start..]).then_some(())
}

/// RFC 3492 punycode of `input`, appended to `out`; `None` on overflow.
fn punycode(input: &str, out: &mut String) -> Option<()> {
    const BASE: u32 = 36;
    const T_MIN: u32 = 1;
    const T_MAX: u32 = 26;
    const SKEW: u32 = 38;
    const DAMP: u32 = 700;
    fn adapt(mut delta: u32, points: u32, first: bool) -> u32 {
        delta /= if first { DAMP } else { 2 };
        delta += delta / points;
        let mut k = 0;
        while delta > ((BASE - T_MIN) * T_MAX) / 2 {
            delta /= BASE - T_MIN;
            k += BASE;
        }
        k + (BASE - T_MIN + 1) * delta / (delta + SKEW)
    }
    fn digit(d: u32) -> char {
        // 0–25 are a–z, 26–35 are 0–9.
        char::from(if d < 26 {
            b'a' + d as u8
        } else {
            b'0' + (d - 26) as u8
        })
    }
    let chars: Vec<u32> = input.chars().map(u32::from).collect();
    let basic = chars.iter().filter(|&&c| c < 0x80).count() as u32;
    out.extend(input.chars().filter(char::is_ascii));
    if basic > 0 {
        out.push('-');
    }
    let (mut n, mut delta, mut bias, mut handled) = (0x80u32, 0u32, 72u32, basic);
    let total = chars.len() as u32;
    while handled < total {
        let m = chars.iter().copied().filter(|&c| c >= n).min()?;
        delta = delta.checked_add((m - n).checked_mul(handled + 1)?)?;
        n = m;
        for &c in &chars {
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = if k <= bias {
                        T_MIN
                    } else if k >= bias + T_MAX {
                        T_MAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    out.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                out.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n = n.checked_add(1)?;
    }
    Some(())
}

// ---------------------------------------------------------------------------------------------
// uri

fn uri_problem(value: &str) -> Option<String> {
    let b = value.as_bytes();
    if b.first().is_some_and(u8::is_ascii_alphabetic) {
        let end = b
            .iter()
            .position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'.' | b'-')))
            .unwrap_or(b.len());
        if b.get(end) == Some(&b':') {
            return None;
        }
    }
    Some("it does not start with a scheme such as https: or mailto: (a relative link or a bare domain is not a URI)".into())
}

// ---------------------------------------------------------------------------------------------
// uuid

/// The first code point of each run of ten decimal digits in Unicode 14 (Python 3.11's
/// `unicodedata`), which Python's `int()` reads as 0–9.
const DECIMAL_ZEROS: &[u32] = &[
    0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66,
    0xde6, 0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90,
    0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10,
    0x104a0, 0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650,
    0x116c0, 0x11730, 0x118e0, 0x11950, 0x11c50, 0x11d50, 0x11da0, 0x16a60, 0x16ac0, 0x16b50,
    0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
];

fn is_canonical_uuid(b: &[u8]) -> bool {
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn uuid_problem(value: &str) -> Option<String> {
    if is_canonical_uuid(value.as_bytes()) {
        return None;
    }
    let mut s = Cow::Borrowed(value);
    for prefix in ["urn:", "uuid:"] {
        if s.contains(prefix) {
            s = Cow::Owned(s.replace(prefix, ""));
        }
    }
    let digits: String = s
        .trim_matches(['{', '}'])
        .chars()
        .filter(|&c| c != '-')
        .collect();
    let n = digits.chars().count();
    if n != 32 {
        return Some(format!(
            "it has {n} characters besides dashes and braces; a UUID has 32 hexadecimal digits"
        ));
    }
    if python_hex_int(&digits) {
        None
    } else {
        match digits.chars().find(|c| !c.is_ascii_hexdigit()) {
            Some(c) => Some(format!("{c:?} is not a hexadecimal digit (0–9, a–f)")),
            None => Some("its digits are not one hexadecimal number".into()),
        }
    }
}

/// Whether Python's `int(s, 16)` reads `s`: surrounding spaces, a `+`, a `0x` prefix, single
/// underscores between digits, and any Unicode decimal digit are accepted (`-` was removed).
fn python_hex_int(s: &str) -> bool {
    let mut ascii = Vec::with_capacity(s.len());
    for c in s.chars() {
        let u = u32::from(c);
        if u < 127 {
            ascii.push(u as u8);
        } else if python_space(c) {
            ascii.push(b' ');
        } else if DECIMAL_ZEROS.iter().any(|&z| (z..z + 10).contains(&u)) {
            ascii.push(b'0');
        } else {
            return false;
        }
    }
    let space = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r');
    let mut i = ascii.iter().take_while(|c| space(c)).count();
    let end = ascii.len() - ascii.iter().rev().take_while(|c| space(c)).count();
    if end <= i {
        return false;
    }
    let t = &ascii[i..end];
    i = usize::from(matches!(t[0], b'+' | b'-'));
    if t.get(i) == Some(&b'0') && matches!(t.get(i + 1), Some(b'x' | b'X')) {
        i += 2;
        if t.get(i) == Some(&b'_') {
            i += 1;
        }
    }
    let body = &t[i..];
    !body.is_empty()
        && body[0] != b'_'
        && body[body.len() - 1] != b'_'
        && !body.windows(2).any(|w| w == b"__")
        && body.iter().all(|c| c.is_ascii_hexdigit() || *c == b'_')
}

// ---------------------------------------------------------------------------------------------
// binary

fn binary_problem(value: &str) -> Option<String> {
    if let Some(c) = value.chars().find(|c| !c.is_ascii()) {
        return Some(format!(
            "it contains {c:?}; base64 uses only ASCII letters, digits, + and /"
        ));
    }
    // binascii.a2b_base64, not strict: skip what is not base64, stop at complete padding.
    let mut quad = 0u8;
    let mut pads = 0u8;
    let mut data = 0usize;
    for &c in value.as_bytes() {
        if c == b'=' {
            if quad >= 2 {
                pads += 1;
                if quad + pads >= 4 {
                    return None;
                }
            }
            continue;
        }
        if !(c.is_ascii_alphanumeric() || c == b'+' || c == b'/') {
            continue;
        }
        pads = 0;
        data += 1;
        quad = (quad + 1) % 4;
    }
    match quad {
        0 => None,
        1 => Some(format!(
            "it has {data} base64 characters, one more than a multiple of 4; a character is missing or extra"
        )),
        _ => Some("its last group of 4 characters is incomplete; pad it with = (such as QQ==)".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punycode_matches_rfc_3492() {
        for (input, want) in [
            ("bücher", "bcher-kva"),
            ("münchen", "mnchen-3ya"),
            ("例え", "r8jz45g"),
            ("ü", "tda"),
        ] {
            let mut out = String::new();
            punycode(input, &mut out);
            assert_eq!(out, want, "{input}");
        }
    }

    #[test]
    fn email_follows_the_validators_package() {
        let f = StringFormat::Email;
        for ok in [
            "bob@example.com",
            "Bob.Smith+tag@Example.CO.uk",
            "é@example.com",
            "josé@example.com",
            "\"ab\"@example.com",
            "bob@bücher.de",
            "a@例え。jp",
            "ab@e\u{200b}xample.com",
            "bob@example.c0m",
            "a\n@example.com",
        ] {
            assert!(f.accepts(ok), "{ok:?} should be an e-mail address");
        }
        for bad in [
            "bob@",
            "@example.com",
            "a b@c.com",
            "bob@localhost",
            "a@b@c.com",
            "bob.@example.com",
            "\"a b\"@example.com",
            "bob@example.c0",
            "bob@exa mple.com",
            "bob@[127.0.0.1]",
            "bob@example.com.",
        ] {
            assert!(!f.accepts(bad), "{bad:?} should not be an e-mail address");
        }
        assert_eq!(f.problem("bob").as_deref(), Some("it has no @"));
        assert_eq!(
            f.problem("bob@localhost").as_deref(),
            Some("the part after the @ has no top-level domain (such as .com)")
        );
    }

    #[test]
    fn uri_needs_only_a_scheme() {
        let f = StringFormat::Uri;
        for ok in [
            "https://example.com",
            "mailto:a@b.c",
            "urn:isbn:1",
            "http://a b",
            "x:",
        ] {
            assert!(f.accepts(ok), "{ok:?}");
        }
        for bad in [
            "example.com",
            "/path",
            "//host/x",
            "1http://x",
            " http://x",
            "http ://x",
        ] {
            assert!(!f.accepts(bad), "{bad:?}");
        }
    }

    #[test]
    fn uuid_is_what_python_uuid_reads() {
        let f = StringFormat::Uuid;
        for ok in [
            "123e4567-e89b-12d3-a456-426614174000",
            "123E4567-E89B-12D3-A456-426614174000",
            "123e4567e89b12d3a456426614174000",
            "{123e4567-e89b-12d3-a456-426614174000}",
            "urn:uuid:123e4567-e89b-12d3-a456-426614174000",
            "0x3e4567e89b12d3a456426614174000",
            "+23e4567e89b12d3a456426614174000",
            "1-2-3e4567e89b12d3a456426614174000",
        ] {
            assert!(f.accepts(ok), "{ok:?}");
        }
        for bad in [
            "123e4567-e89b-12d3-a456-42661417400",
            "123e4567-e89b-12d3-a456-4266141740000",
            "g23e4567-e89b-12d3-a456-426614174000",
            "123e4567_e89b_12d3_a456_426614174000",
        ] {
            assert!(!f.accepts(bad), "{bad:?}");
        }
    }

    #[test]
    fn binary_is_what_python_b64decode_reads() {
        let f = StringFormat::Binary;
        for ok in [
            "SGVsbG8=",
            "QQ==",
            "QUJD",
            "QUJ=",
            "QQ==garbage",
            "!!!!",
            "abcd efgh",
        ] {
            assert!(f.accepts(ok), "{ok:?}");
        }
        for bad in ["QQ", "QQ=", "Q", "Q===", "hello world", "é"] {
            assert!(!f.accepts(bad), "{bad:?}");
        }
    }
}
