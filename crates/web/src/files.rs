//! Project files at the edge: the names an upload may carry, and how a stored name is sent back
//! in `Content-Disposition` whatever it holds.

/// The longest file name accepted, in bytes of UTF-8 (what most file systems allow).
pub const MAX_NAME_BYTES: usize = 255;

/// Checks the name of an uploaded file and returns it trimmed: 1 to [`MAX_NAME_BYTES`] bytes, no
/// control characters (they cannot be put in a header, a log line or a file system safely), no
/// slashes. The error says what is wrong, for the caller to name its field.
pub fn check_name(name: &str) -> Result<&str, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("give the file's name".into());
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(format!(
            "the file's name is {} bytes long; at most {MAX_NAME_BYTES} are accepted",
            name.len()
        ));
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Err(format!(
            "the file's name holds the control character U+{:04X}: rename the file without it",
            u32::from(c)
        ));
    }
    if name.contains(['/', '\\']) {
        return Err("give a plain file name, without slashes".into());
    }
    if name == "." || name == ".." {
        return Err("give a file name, not a directory".into());
    }
    Ok(name)
}

/// The name of a file sent by a page's form, checked as [`check_name`] does. Some browsers send a
/// path (`C:\\fakepath\\x.csv`): only the last part is the file's name.
pub fn form_upload_name(sent: &str) -> Result<String, String> {
    let base = sent.rsplit(['/', '\\']).next().unwrap_or_default();
    check_name(base).map(str::to_string)
}

/// `attachment` with the file's name, for any stored name (even one accepted before names were
/// checked): an ASCII `filename="…"` where anything else becomes `_`, and the exact name as
/// RFC 5987 `filename*=UTF-8''…`. Only visible ASCII is produced, so the header is always valid.
pub fn content_disposition(name: &str) -> axum::http::HeaderValue {
    let fallback: String = name
        .chars()
        .map(|c| {
            if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        // RFC 5987 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~"; everything else percent-encoded.
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    let value = format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}");
    axum::http::HeaderValue::from_str(&value)
        .unwrap_or_else(|_| axum::http::HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_control_characters_slashes_or_too_long_are_refused() {
        assert_eq!(check_name("  report.csv "), Ok("report.csv"));
        assert_eq!(
            check_name("Überweisung 2026.xlsx"),
            Ok("Überweisung 2026.xlsx")
        );
        for bad in [
            "",
            "  ",
            "a\u{1}b.csv",
            "a\nb",
            "a\u{7f}",
            "a\u{85}b",
            "../x",
            "a\\b",
            "..",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_name(&"a".repeat(255)).is_ok());
        let long = check_name(&"a".repeat(256)).expect_err("256 bytes is over");
        assert!(long.contains("256") && long.contains("255"), "{long}");
    }

    #[test]
    fn any_stored_name_gives_a_valid_header_with_both_forms() {
        let h = content_disposition("a\u{1}b \"q\"\r\né.csv");
        let s = h.to_str().expect("visible ASCII");
        assert_eq!(
            s,
            "attachment; filename=\"a_b _q___é.csv\"; filename*=UTF-8''a%01b%20%22q%22%0D%0A%C3%A9.csv"
                .replace('é', "_")
        );
        let plain = content_disposition("report.csv");
        assert_eq!(
            plain.to_str().ok(),
            Some("attachment; filename=\"report.csv\"; filename*=UTF-8''report.csv")
        );
    }
}
