//! Resource budgets for every parser of outside input, enforced while reading.
//!
//! An upload is untrusted: its size on disk says nothing about what it costs to read (a zip
//! declares sizes it does not keep, a sheet can jump a million rows, a CSV can be one 25 MiB
//! line). Every reader in this crate counts what it has actually read against [`Limits`] and
//! stops with a [`DataError::Unusable`](crate::DataError) that names the limit and the value
//! found, before the cost grows with the attack. Nothing read is kept.

use std::io::Read;
use std::path::Path;

use crate::DataError;

/// Budgets that protect the machine from hostile or broken uploads. Every field is public so a
/// server or the CLI can override it; [`Limits::default`] documents the defaults, chosen to
/// accept a 1,000,000-row × 20-column export while refusing the known attacks in well under a
/// second, with two hostile files at once staying far below 512 MiB.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Spreadsheet (zip): bytes inflated from all the archive's parts, counted as they are
    /// inflated (declared sizes are not trusted). Default 1 GiB.
    pub max_uncompressed_bytes: u64,
    /// Spreadsheet (zip): number of parts in the archive. Default 10,000.
    pub max_zip_entries: usize,
    /// Spreadsheet (zip): largest inflated/compressed ratio of one part once it has inflated
    /// past 1 MiB, measured while inflating. Default 1,000.
    pub max_compression_ratio: u64,
    /// Spreadsheet: bytes of the shared-strings part (`xl/sharedStrings.xml`), which the
    /// workbook reader holds in memory whole. Default 64 MiB.
    pub max_shared_strings_bytes: u64,
    /// Spreadsheet: number of shared strings. Default 2,000,000.
    pub max_shared_strings: u64,
    /// Spreadsheet: rows, counting the header; a cell below this row, a row gap that reaches
    /// past it, or rows that go back up the sheet are refused. Default 1,048,576 (Excel's).
    pub max_rows: u64,
    /// Columns of a sheet, and of a CSV header and of every CSV record. Default 2,000.
    pub max_columns: usize,
    /// Spreadsheet: cells read from a sheet. Default 40,000,000.
    pub max_cells: u64,
    /// Spreadsheet (xls, ods, read whole by the workbook reader): bytes of the CSV text the
    /// sheet is converted to. XLSX sheets are streamed and never held whole. Default 256 MiB.
    pub max_sheet_text_bytes: u64,
    /// CSV: bytes of one record (one line, or several when a quoted cell holds line breaks; a
    /// quote left open otherwise swallows the file). Default 1 MiB.
    pub max_record_bytes: usize,
    /// Bytes of one cell (CSV), and of one XML text or tag of a spreadsheet part (a cell's
    /// value, escaped). Default 256 KiB.
    pub max_cell_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_uncompressed_bytes: 1 << 30,
            max_zip_entries: 10_000,
            max_compression_ratio: 1_000,
            max_shared_strings_bytes: 64 << 20,
            max_shared_strings: 2_000_000,
            max_rows: 1_048_576,
            max_columns: 2_000,
            max_cells: 40_000_000,
            max_sheet_text_bytes: 256 << 20,
            max_record_bytes: 1 << 20,
            max_cell_bytes: 256 << 10,
        }
    }
}

/// Budgets of a data map (JSON or YAML) and of its patterns.
pub mod map_limits {
    /// Bytes of a data map file.
    pub const MAX_MAP_BYTES: usize = 4 << 20;
    /// Nesting depth of a JSON or YAML data map (serde_json and serde_yaml stop at 128 as
    /// well; this one is checked first, with a clear message).
    pub const MAX_DEPTH: usize = 64;
    /// Characters of a `pattern` constraint.
    pub const MAX_PATTERN_CHARS: usize = 1_000;
    /// Compiled size of a pattern (`RegexBuilder::size_limit`).
    pub const MAX_REGEX_BYTES: usize = 1 << 20;
    /// Lazy DFA cache of a pattern (`RegexBuilder::dfa_size_limit`).
    pub const MAX_REGEX_DFA_BYTES: usize = 2 << 20;
}

/// The deepest nesting of `[` and `{` in JSON text (outside strings), stopping once past `max`.
pub fn json_depth(text: &str, max: usize) -> usize {
    flow_depth(text, max, true)
}

/// The deepest nesting of YAML flow collections (`[`, `{`), stopping once past `max`. Quotes
/// are not followed (a `'` in a plain scalar would hide the rest): brackets inside quoted
/// strings count too, which only matters for a map with more than `max` of them nested.
pub fn yaml_flow_depth(text: &str, max: usize) -> usize {
    flow_depth(text, max, false)
}

fn flow_depth(text: &str, max: usize, strings: bool) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_str, mut escaped) = (false, false);
    for c in text.bytes() {
        if in_str {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            b'"' if strings => in_str = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
                if deepest > max {
                    return deepest;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Compile a data map pattern, anchored as in Table Schema, within the pattern budgets.
pub fn compile_pattern(pat: &str) -> Result<regex::Regex, String> {
    check_pattern_length(pat)?;
    build_regex(&format!("^(?:{pat})$"))
}

/// A regular expression to search with (not anchored), under the same budgets.
pub fn compile_search(pat: &str) -> Result<regex::Regex, String> {
    check_pattern_length(pat)?;
    build_regex(pat)
}

fn check_pattern_length(pat: &str) -> Result<(), String> {
    let chars = pat.chars().count();
    if chars > map_limits::MAX_PATTERN_CHARS {
        return Err(format!(
            "the pattern has {} characters, more than the limit of {}",
            thousands(chars as u64),
            thousands(map_limits::MAX_PATTERN_CHARS as u64)
        ));
    }
    Ok(())
}

fn build_regex(pat: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(pat)
        .size_limit(map_limits::MAX_REGEX_BYTES)
        .dfa_size_limit(map_limits::MAX_REGEX_DFA_BYTES)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(n) => format!(
                "the pattern compiles to more than {} bytes (the limit); write a simpler pattern",
                thousands(n as u64)
            ),
            e => format!("not a valid regular expression: {e}"),
        })
}

/// `1048576` → `1,048,576`: limits and values in messages are read by people.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let groups: Vec<&str> = s
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|g| std::str::from_utf8(g).unwrap_or_default())
        .collect();
    groups.join(",")
}

/// Bytes in a readable unit for messages: `64 MiB`, `1.5 GiB`, `3,000 bytes`.
pub fn bytes(n: u64) -> String {
    const KIB: u64 = 1 << 10;
    const MIB: u64 = 1 << 20;
    const GIB: u64 = 1 << 30;
    let unit = |n: u64, u: u64, name: &str| {
        // Units are powers of two.
        if n & (u - 1) == 0 {
            format!("{} {name}", thousands(n / u))
        } else {
            format!("{:.1} {name}", n as f64 / u as f64)
        }
    };
    if n >= GIB {
        unit(n, GIB, "GiB")
    } else if n >= MIB {
        unit(n, MIB, "MiB")
    } else if n >= 64 * KIB {
        unit(n, KIB, "KiB")
    } else {
        format!("{} bytes", thousands(n))
    }
}

/// A refusal raised inside a reader (a `Read` that streams a sheet), carried through
/// `std::io::Error` and turned back into [`DataError::Unusable`] by the input.
#[derive(Debug)]
pub(crate) struct Refusal(pub String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refusal {}

/// Turn a read error into the `DataError` a user sees: a refusal keeps its own message.
pub(crate) fn read_error(path: &str, e: std::io::Error) -> DataError {
    if let Some(r) = e.get_ref().and_then(|i| i.downcast_ref::<Refusal>()) {
        return DataError::Unusable {
            path: path.to_string(),
            message: r.0.clone(),
        };
    }
    DataError::Io {
        path: path.to_string(),
        source: e,
    }
}

/// Refuse a zip (xlsx, ods) over the budgets, inflating each part through a counting reader
/// into nothing (memory stays flat) before the workbook reader opens it. Declared sizes are
/// checked first (cheap), then the real ones as they are inflated: a part that lies about its
/// size is caught at the budget, not after.
pub fn check_zip_limits(path: &Path, limits: &Limits) -> Result<(), DataError> {
    let unusable = |message: String| DataError::Unusable {
        path: path.display().to_string(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| DataError::Io {
        path: path.display().to_string(),
        source: e,
    })?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| unusable(format!("not a valid xlsx (zip) file: {e}")))?;
    if zip.len() > limits.max_zip_entries {
        return Err(unusable(format!(
            "the workbook has {} parts, more than the limit of {}; refusing it as a possible zip bomb",
            thousands(zip.len() as u64),
            thousands(limits.max_zip_entries as u64)
        )));
    }
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| unusable(format!("not a valid xlsx (zip) file: {e}")))?;
        declared = declared.saturating_add(entry.size());
    }
    if declared > limits.max_uncompressed_bytes {
        return Err(unusable(format!(
            "the workbook declares {} uncompressed, more than the limit of {}; refusing it as a possible zip bomb",
            bytes(declared),
            bytes(limits.max_uncompressed_bytes)
        )));
    }
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 << 10];
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| unusable(format!("cannot read part {i} of the workbook: {e}")))?;
        let name = entry.name().to_string();
        let packed = entry.compressed_size().max(1);
        let lower = name.to_ascii_lowercase();
        let is_xml = lower.ends_with(".xml") || lower.ends_with(".rels");
        let is_shared = lower.ends_with("sharedstrings.xml");
        let mut scan = XmlScan::default();
        let mut part: u64 = 0;
        loop {
            let n = match entry.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(unusable(format!("cannot inflate part {name}: {e}"))),
            };
            part += n as u64;
            total += n as u64;
            if total > limits.max_uncompressed_bytes {
                return Err(unusable(format!(
                    "the workbook inflates to more than {}, the limit (part {name} was being read); refusing it as a possible zip bomb",
                    bytes(limits.max_uncompressed_bytes)
                )));
            }
            if part > (1 << 20) && part / packed > limits.max_compression_ratio {
                return Err(unusable(format!(
                    "part {name} inflates more than {}× ({} from {}), more than the limit of {}×; refusing it as a possible zip bomb",
                    thousands(part / packed),
                    bytes(part),
                    bytes(packed),
                    thousands(limits.max_compression_ratio)
                )));
            }
            if is_shared && part > limits.max_shared_strings_bytes {
                return Err(unusable(format!(
                    "the shared strings ({name}) take more than {}, the limit; save the sheet as CSV instead",
                    bytes(limits.max_shared_strings_bytes)
                )));
            }
            if is_xml {
                scan.feed(&buf[..n]);
                if scan.longest > limits.max_cell_bytes as u64 {
                    return Err(unusable(format!(
                        "part {name} holds a value or tag of more than {}, the limit for one cell",
                        bytes(limits.max_cell_bytes as u64)
                    )));
                }
                if is_shared && scan.si > limits.max_shared_strings {
                    return Err(unusable(format!(
                        "the workbook has more than {} shared strings, the limit; save the sheet as CSV instead",
                        thousands(limits.max_shared_strings)
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Counts, across reads, the longest run of bytes between two `<` (a text node or a tag: what
/// the XML reader buffers at once) and the number of `<si>` elements (shared strings, with or
/// without a namespace prefix).
#[derive(Default)]
struct XmlScan {
    run: u64,
    longest: u64,
    /// Bytes of the current tag name after `<` (up to 8 kept), to spot `si`.
    name: Vec<u8>,
    in_name: bool,
    si: u64,
}

impl XmlScan {
    fn feed(&mut self, data: &[u8]) {
        let mut rest = data;
        loop {
            if self.in_name {
                // Read the tag name up to a space, `>` or `/`.
                let mut i = 0;
                while i < rest.len() {
                    let c = rest[i];
                    if c == b' ' || c == b'>' || c == b'/' || c == b'\t' || c == b'\n' || c == b'\r'
                    {
                        if i == 0 && c == b'/' && self.name.is_empty() {
                            // An end tag: not counted.
                            self.name.push(b'/');
                            i += 1;
                            continue;
                        }
                        let local = match self.name.iter().rposition(|b| *b == b':') {
                            Some(p) => &self.name[p + 1..],
                            None => &self.name[..],
                        };
                        if local == b"si" && self.name.first() != Some(&b'/') {
                            self.si += 1;
                        }
                        self.in_name = false;
                        break;
                    }
                    if self.name.len() < 8 {
                        self.name.push(c);
                    } else {
                        self.name.push(b'#');
                        self.name.truncate(8);
                    }
                    i += 1;
                }
                self.run += i as u64;
                rest = &rest[i..];
                if self.in_name {
                    self.longest = self.longest.max(self.run);
                    return;
                }
            }
            match memchr::memchr(b'<', rest) {
                Some(p) => {
                    self.run += p as u64;
                    self.longest = self.longest.max(self.run);
                    self.run = 0;
                    self.name.clear();
                    self.in_name = true;
                    rest = &rest[p + 1..];
                }
                None => {
                    self.run += rest.len() as u64;
                    self.longest = self.longest.max(self.run);
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_scan_counts_shared_strings_and_the_longest_run_across_reads() {
        let xml = b"<sst><si><t>ab</t></si><x:si><x:t>c</x:t></x:si><si/><sis/></sst>";
        for cut in 0..xml.len() {
            let mut s = XmlScan::default();
            s.feed(&xml[..cut]);
            s.feed(&xml[cut..]);
            assert_eq!(s.si, 3, "cut at {cut}");
            assert_eq!(s.longest, 6, "cut at {cut}");
        }
    }

    #[test]
    fn numbers_and_sizes_read_well() {
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(bytes(64 << 20), "64 MiB");
        assert_eq!(bytes(3_000), "3,000 bytes");
    }

    #[test]
    fn a_huge_pattern_is_refused_with_its_size() {
        let e = compile_pattern(&"a".repeat(2_000)).expect_err("too long");
        assert!(e.contains("2,000 characters"), "{e}");
        let e = compile_pattern("(\\w{100}){100}").expect_err("too big");
        assert!(e.contains("limit"), "{e}");
        assert!(compile_pattern("[A-Z]{2}").is_ok());
    }
}
