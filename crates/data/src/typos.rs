//! Likely corrections of common e-mail typos (`gmial.com`, a provider without its `.com`, a
//! `.con` ending), offered in an issue's message and never applied: the person decides.

/// Domains people often mistype, with the domain they meant.
const DOMAIN_TYPOS: &[(&str, &str)] = &[
    ("gmial.com", "gmail.com"),
    ("gmai.com", "gmail.com"),
    ("gmal.com", "gmail.com"),
    ("gamil.com", "gmail.com"),
    ("gnail.com", "gmail.com"),
    ("gmaill.com", "gmail.com"),
    ("gmail.co", "gmail.com"),
    ("gmail.cm", "gmail.com"),
    ("hotmial.com", "hotmail.com"),
    ("hotmal.com", "hotmail.com"),
    ("hotmai.com", "hotmail.com"),
    ("hotmail.co", "hotmail.com"),
    ("yaho.com", "yahoo.com"),
    ("yahooo.com", "yahoo.com"),
    ("yahoo.co", "yahoo.com"),
    ("outlok.com", "outlook.com"),
    ("outloo.com", "outlook.com"),
    ("outlook.co", "outlook.com"),
    ("iclod.com", "icloud.com"),
    ("icloud.co", "icloud.com"),
];

/// Providers whose addresses end in `.com`, for an address written without its ending.
const COM_PROVIDERS: &[&str] = &["gmail", "hotmail", "yahoo", "outlook", "icloud", "aol"];

/// Endings typed for `.com`.
const COM_TYPOS: &[&str] = &[".con", ".cmo", ".comm", ".ocm", ".vom", ".xom"];

/// How close an allowed value must be to a value that is not allowed to be offered as what
/// was meant ("Entreprise" → "Enterprise"): one threshold for the engine's message and the
/// grid's one-click correction, so they never disagree.
pub const ALLOWED_VALUE_CLOSENESS: f64 = 0.8;

/// Of `candidates` (each an item and its text), the one whose text is closest to `value`
/// (Jaro-Winkler, ignoring case and surrounding spaces) when at least `at_least` close; of
/// equally close ones, the last.
pub fn closest<'a, T>(
    value: &str,
    candidates: impl IntoIterator<Item = (T, &'a str)>,
    at_least: f64,
) -> Option<T> {
    let value = value.trim().to_lowercase();
    candidates
        .into_iter()
        .map(|(item, text)| (item, strsim::jaro_winkler(&value, &text.to_lowercase())))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .filter(|b| b.1 >= at_least)
        .map(|b| b.0)
}

/// Whether a lower-case domain is one of the common typos (cheap: no allocation), so the
/// check can run on every address.
pub fn is_typo_domain(domain: &str) -> bool {
    let d = domain.trim_end_matches('.');
    DOMAIN_TYPOS.iter().any(|(typo, _)| *typo == d)
        || COM_PROVIDERS.contains(&d)
        || COM_TYPOS
            .iter()
            .any(|t| d.len() > t.len() && d.ends_with(t))
}

/// [`is_typo_domain`] of the domain as written, in any case: the same answer as for its lower
/// case, without writing the lower case out.
pub fn is_typo_domain_any_case(domain: &str) -> bool {
    let d = domain.trim_end_matches('.').as_bytes();
    DOMAIN_TYPOS
        .iter()
        .any(|(typo, _)| typo.as_bytes().eq_ignore_ascii_case(d))
        || COM_PROVIDERS
            .iter()
            .any(|p| p.as_bytes().eq_ignore_ascii_case(d))
        || COM_TYPOS
            .iter()
            .any(|t| d.len() > t.len() && d[d.len() - t.len()..].eq_ignore_ascii_case(t.as_bytes()))
}

/// The address the person most likely meant, when `value` is a common typo of one; `None`
/// when nothing obvious fits (an unknown domain without an ending stays for the person).
pub fn email_suggestion(value: &str) -> Option<String> {
    let v = value.trim();
    let (local, domain) = v.rsplit_once('@')?;
    if local.is_empty()
        || local.contains('@')
        || domain.is_empty()
        || v.contains(char::is_whitespace)
    {
        return None;
    }
    let lower = domain.trim_end_matches('.').to_ascii_lowercase();
    let meant = if let Some((_, right)) = DOMAIN_TYPOS.iter().find(|(typo, _)| *typo == lower) {
        (*right).to_string()
    } else if COM_PROVIDERS.contains(&lower.as_str()) {
        format!("{lower}.com")
    } else if let Some(stem) = COM_TYPOS.iter().find_map(|t| lower.strip_suffix(t)) {
        if stem.is_empty() {
            return None;
        }
        format!("{stem}.com")
    } else {
        return None;
    };
    (meant != domain).then(|| format!("{local}@{meant}"))
}

#[cfg(test)]
mod tests {
    use super::{email_suggestion, is_typo_domain};

    #[test]
    fn the_cheap_domain_check_agrees_with_the_suggestion() {
        for d in ["gmial.com", "gmail", "contoso.con", "outlook.", "yahoo.co"] {
            assert!(is_typo_domain(d), "{d}");
        }
        for d in ["gmail.com", "contoso.com", "con", "example.org"] {
            assert!(!is_typo_domain(d), "{d}");
        }
    }

    #[test]
    fn common_provider_typos_are_suggested() {
        for (typed, meant) in [
            ("ana@gmial.com", "ana@gmail.com"),
            ("ana@GMAIL.CO", "ana@gmail.com"),
            ("ana@hotmial.com", "ana@hotmail.com"),
            ("ana@gmail", "ana@gmail.com"),
            ("ana@outlook.", "ana@outlook.com"),
            ("ana@contoso.con", "ana@contoso.com"),
            (" ana@yahoo.co ", "ana@yahoo.com"),
        ] {
            assert_eq!(email_suggestion(typed).as_deref(), Some(meant), "{typed}");
        }
    }

    #[test]
    fn nothing_is_suggested_without_an_obvious_fix() {
        for typed in [
            "ana@contoso",
            "ana@gmail.com",
            "ana@",
            "@gmail.com",
            "no address",
            "a b@gmial.com",
            "ana@.con",
        ] {
            assert_eq!(email_suggestion(typed), None, "{typed}");
        }
    }
}
