//! Opening an upload: format and encoding detection, delimiter sniffing, spreadsheet limits,
//! and a stream of UTF-8, record-aligned chunks ready to be parsed on several threads.

use std::fs::File;
use std::io::{Read, Seek};
use std::path::Path;

use encoding_rs::{Decoder, Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::parse::{last_record_end, parse_records};
use crate::DataError;

/// Limits that protect the machine from hostile or broken uploads.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Sum of the declared uncompressed sizes of a spreadsheet's zip entries.
    pub max_uncompressed_bytes: u64,
    /// Number of entries in a spreadsheet's zip archive.
    pub max_zip_entries: usize,
    /// Largest uncompressed/compressed ratio of one zip entry larger than 1 MiB.
    pub max_compression_ratio: u64,
    /// Longest single record (a runaway quote otherwise swallows the file).
    pub max_record_bytes: usize,
    /// Widest sheet accepted.
    pub max_columns: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_uncompressed_bytes: 1 << 30,
            max_zip_entries: 10_000,
            max_compression_ratio: 1_000,
            max_record_bytes: 64 << 20,
            max_columns: 2_000,
        }
    }
}

/// How to open an upload.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// The sheet of a workbook (default: the first).
    pub sheet: Option<String>,
    /// Force the delimiter instead of sniffing it.
    pub delimiter: Option<u8>,
    pub limits: Limits,
    /// Bytes per read and per chunk handed to a worker (default 1 MiB).
    pub chunk_bytes: Option<usize>,
}

/// What was detected about an upload.
#[derive(Debug, Clone, Serialize)]
pub struct InputInfo {
    pub format: String,
    pub encoding: String,
    pub bom: bool,
    pub delimiter: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    pub bytes: u64,
}

/// An opened upload: the header row, then record-aligned UTF-8 chunks.
pub struct Input {
    pub info: InputInfo,
    pub header: Vec<String>,
    pub(crate) delim: u8,
    pub(crate) quote: u8,
    term: u8,
    reader: Box<dyn Read + Send>,
    decoder: Option<Decoder>,
    pending: Vec<u8>,
    /// The buffer each read goes into, kept between reads.
    read_buf: Vec<u8>,
    /// Buffers of processed chunks, given back to hold the next ones.
    spare: Vec<Vec<u8>>,
    eof: bool,
    hasher: Option<Sha256>,
    sha256: Option<String>,
    block: usize,
    max_record: usize,
    path: String,
}

fn io_err(path: &Path, e: std::io::Error) -> DataError {
    DataError::Io {
        path: path.display().to_string(),
        source: e,
    }
}

fn unusable(path: &Path, message: impl Into<String>) -> DataError {
    DataError::Unusable {
        path: path.display().to_string(),
        message: message.into(),
    }
}

impl Input {
    /// Open a CSV, TSV, XLSX or XLS file.
    pub fn open(path: &Path, opts: &OpenOptions) -> Result<Input, DataError> {
        let mut file = File::open(path).map_err(|e| io_err(path, e))?;
        let bytes = file.metadata().map_err(|e| io_err(path, e))?.len();
        let mut magic = [0u8; 8];
        let n = read_up_to(&mut file, &mut magic).map_err(|e| io_err(path, e))?;
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let is_zip = n >= 4 && magic[..4] == *b"PK\x03\x04";
        let is_cfb = n >= 8 && magic == [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        if is_zip || is_cfb || matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "xlsb" | "ods") {
            return Input::open_workbook(path, opts, bytes, is_zip);
        }
        file.rewind().map_err(|e| io_err(path, e))?;
        Input::from_reader(
            Box::new(file),
            path,
            bytes,
            opts,
            if ext == "tsv" || ext == "tab" {
                Some(b'\t')
            } else {
                None
            },
        )
    }

    /// Open CSV text from any reader (used for uploads held in memory by a server).
    pub fn from_reader(
        mut reader: Box<dyn Read + Send>,
        path: &Path,
        bytes: u64,
        opts: &OpenOptions,
        preferred_delim: Option<u8>,
    ) -> Result<Input, DataError> {
        let block = opts.chunk_bytes.unwrap_or(1 << 20).max(1024);
        let mut hasher = Sha256::new();
        let want = block.max(64 << 10);
        let mut first = vec![0u8; want];
        let n = read_up_to(&mut reader, &mut first).map_err(|e| io_err(path, e))?;
        first.truncate(n);
        hasher.update(&first);
        if first.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(unusable(
                path,
                "the file is empty: it has no header row and no data",
            ));
        }
        let (encoding, bom_len): (Option<&'static Encoding>, usize) =
            if first.starts_with(&[0xEF, 0xBB, 0xBF]) {
                (None, 3)
            } else if first.starts_with(&[0xFF, 0xFE]) {
                (Some(UTF_16LE), 2)
            } else if first.starts_with(&[0xFE, 0xFF]) {
                (Some(UTF_16BE), 2)
            } else {
                let sample = &first[..first.len().min(4096)];
                let zeros_odd = sample
                    .iter()
                    .skip(1)
                    .step_by(2)
                    .filter(|b| **b == 0)
                    .count();
                let zeros_even = sample.iter().step_by(2).filter(|b| **b == 0).count();
                let half = sample.len() / 2;
                if half > 0 && zeros_odd * 10 > half * 3 && zeros_even * 10 < half {
                    (Some(UTF_16LE), 0)
                } else if half > 0 && zeros_even * 10 > half * 3 && zeros_odd * 10 < half {
                    (Some(UTF_16BE), 0)
                } else {
                    match std::str::from_utf8(&first) {
                        Ok(_) => (None, 0),
                        Err(e) if e.error_len().is_none() => (None, 0),
                        Err(_) => (Some(WINDOWS_1252), 0),
                    }
                }
            };
        let mut decoder = encoding.map(|e| e.new_decoder_without_bom_handling());
        let mut pending = Vec::with_capacity(block + block / 2);
        let eof = n < want;
        decode_into(&mut decoder, &first[bom_len..], eof, &mut pending);
        let enc_name = match encoding {
            None => "UTF-8".to_string(),
            Some(e) => e.name().to_string(),
        };
        // Line terminator: \n, or a lone \r (old Mac exports).
        let sample_end = pending.len().min(64 << 10);
        let sample = &pending[..sample_end];
        let term =
            if memchr::memchr(b'\n', sample).is_none() && memchr::memchr(b'\r', sample).is_some() {
                b'\r'
            } else {
                b'\n'
            };
        let quote = b'"';
        let delim = match opts.delimiter.or(preferred_delim) {
            Some(d) => d,
            None => sniff_delimiter(sample, quote, term),
        };
        let mut input = Input {
            info: InputInfo {
                format: if delim == b'\t' {
                    "tsv".into()
                } else {
                    "csv".into()
                },
                encoding: enc_name,
                bom: bom_len > 0,
                delimiter: (delim as char).to_string(),
                sheet: None,
                bytes,
            },
            header: Vec::new(),
            delim,
            quote,
            term,
            reader,
            decoder,
            pending,
            read_buf: Vec::new(),
            spare: Vec::new(),
            eof,
            hasher: Some(hasher),
            sha256: None,
            block,
            max_record: opts.limits.max_record_bytes,
            path: path.display().to_string(),
        };
        input.read_header()?;
        Ok(input)
    }

    fn read_header(&mut self) -> Result<(), DataError> {
        loop {
            if let Some(end) = last_record_end(&self.pending, self.delim, self.quote, self.term) {
                // The first record ends at the first terminator outside quotes.
                let mut first_end = end;
                let mut count = 0;
                parse_records(&self.pending[..end], self.delim, self.quote, |_, _| {
                    count += 1
                });
                if count > 1 {
                    first_end = first_record_end(&self.pending[..end], self.delim, self.quote);
                }
                let mut header = Vec::new();
                let mut unclosed = false;
                parse_records(
                    &self.pending[..first_end],
                    self.delim,
                    self.quote,
                    |r, b| {
                        unclosed = r.unclosed_quote;
                        header = (0..r.len())
                            .map(|i| {
                                String::from_utf8_lossy(r.get(b, i).unwrap_or(b"")).into_owned()
                            })
                            .collect();
                    },
                );
                if unclosed {
                    return Err(DataError::Unusable {
                        path: self.path.clone(),
                        message: "the header row has an unclosed quote".into(),
                    });
                }
                self.header = header;
                self.pending.drain(..first_end);
                return Ok(());
            }
            if self.eof {
                let mut header = Vec::new();
                parse_records(&self.pending, self.delim, self.quote, |r, b| {
                    if header.is_empty() {
                        header = (0..r.len())
                            .map(|i| {
                                String::from_utf8_lossy(r.get(b, i).unwrap_or(b"")).into_owned()
                            })
                            .collect();
                    }
                });
                self.header = header;
                self.pending.clear();
                return Ok(());
            }
            if self.pending.len() > self.max_record {
                return Err(DataError::Unusable {
                    path: self.path.clone(),
                    message: format!(
                        "the header row is longer than {} bytes; is a quote left open?",
                        self.max_record
                    ),
                });
            }
            self.fill()?;
        }
    }

    fn fill(&mut self) -> Result<(), DataError> {
        // One read buffer for the whole file: fresh megabytes per read cost page faults and
        // zeroing, more than the reading itself.
        let mut buf = std::mem::take(&mut self.read_buf);
        buf.resize(self.block, 0);
        let n = read_up_to(&mut self.reader, &mut buf).map_err(|e| DataError::Io {
            path: self.path.clone(),
            source: e,
        })?;
        let got = &buf[..n];
        if let Some(h) = self.hasher.as_mut() {
            h.update(got);
        }
        if n < self.block {
            self.eof = true;
        }
        decode_into(&mut self.decoder, got, self.eof, &mut self.pending);
        self.read_buf = buf;
        Ok(())
    }

    /// Gives back a chunk's buffer once its records are processed, to hold a later chunk.
    pub fn recycle(&mut self, mut buf: Vec<u8>) {
        if self.spare.len() < 8 {
            buf.clear();
            self.spare.push(buf);
        }
    }

    /// The next chunk of whole records (UTF-8 unless the file has invalid bytes), or `None`.
    pub fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, DataError> {
        loop {
            if self.eof {
                if self.pending.is_empty() {
                    self.finish_hash();
                    return Ok(None);
                }
                let out = std::mem::take(&mut self.pending);
                self.finish_hash();
                return Ok(Some(out));
            }
            if self.pending.len() >= self.block {
                if let Some(end) = last_record_end(&self.pending, self.delim, self.quote, self.term)
                {
                    let mut rest = self
                        .spare
                        .pop()
                        .unwrap_or_else(|| Vec::with_capacity(self.block + self.block / 2));
                    rest.extend_from_slice(&self.pending[end..]);
                    let mut out = std::mem::replace(&mut self.pending, rest);
                    out.truncate(end);
                    return Ok(Some(out));
                }
                if self.pending.len() > self.max_record {
                    return Err(DataError::Unusable {
                        path: self.path.clone(),
                        message: format!(
                            "a record is longer than {} MiB: a quote is probably left open; check the quotes in the file",
                            self.max_record >> 20
                        ),
                    });
                }
            }
            self.fill()?;
        }
    }

    fn finish_hash(&mut self) {
        if let Some(h) = self.hasher.take() {
            self.sha256 = Some(hex(&h.finalize()));
        }
    }

    pub(crate) fn term(&self) -> u8 {
        self.term
    }

    /// The sha256 of the file's bytes, once every chunk has been read.
    pub fn sha256(&self) -> Option<&str> {
        self.sha256.as_deref()
    }

    fn open_workbook(
        path: &Path,
        opts: &OpenOptions,
        bytes: u64,
        is_zip: bool,
    ) -> Result<Input, DataError> {
        use calamine::{open_workbook_auto, Reader, Sheets};
        if is_zip {
            check_zip_limits(path, &opts.limits)?;
        }
        let raw = std::fs::read(path).map_err(|e| io_err(path, e))?;
        let sha = hex(&Sha256::digest(&raw));
        drop(raw);
        let mut wb = open_workbook_auto(path)
            .map_err(|e| unusable(path, format!("cannot read the workbook: {e}")))?;
        let names = wb.sheet_names();
        let sheet = match &opts.sheet {
            Some(s) => {
                if !names.iter().any(|n| n == s) {
                    return Err(unusable(
                        path,
                        format!(
                            "there is no sheet \"{s}\"; the sheets are: {}",
                            names.join(", ")
                        ),
                    ));
                }
                s.clone()
            }
            None => names
                .first()
                .cloned()
                .ok_or_else(|| unusable(path, "the workbook has no sheets"))?,
        };
        let mut csv = Vec::new();
        let max_cols = opts.limits.max_columns;
        match &mut wb {
            Sheets::Xlsx(x) => {
                let mut cells = x
                    .worksheet_cells_reader(&sheet)
                    .map_err(|e| unusable(path, format!("cannot read sheet \"{sheet}\": {e}")))?;
                let mut row: Vec<String> = Vec::new();
                let mut cur_row: Option<u32> = None;
                let mut first_row: Option<u32> = None;
                loop {
                    let cell = cells.next_cell().map_err(|e| {
                        unusable(path, format!("cannot read sheet \"{sheet}\": {e}"))
                    })?;
                    let Some(cell) = cell else { break };
                    let (r, c) = cell.get_position();
                    if c as usize >= max_cols {
                        return Err(unusable(
                            path,
                            format!("the sheet is wider than {max_cols} columns"),
                        ));
                    }
                    let first = *first_row.get_or_insert(r);
                    if cur_row != Some(r) {
                        if let Some(prev) = cur_row {
                            write_csv_row(&mut csv, &row);
                            csv.resize(csv.len() + (r - prev - 1) as usize, b'\n');
                        } else {
                            let _ = first;
                        }
                        row.clear();
                        cur_row = Some(r);
                    }
                    let c = c as usize;
                    if row.len() <= c {
                        row.resize(c + 1, String::new());
                    }
                    row[c] = data_ref_to_string(cell.get_value());
                    if csv.len() as u64 > opts.limits.max_uncompressed_bytes {
                        return Err(unusable(
                            path,
                            "the sheet holds more data than the configured limit",
                        ));
                    }
                }
                if cur_row.is_some() {
                    write_csv_row(&mut csv, &row);
                }
            }
            other => {
                let range = other
                    .worksheet_range(&sheet)
                    .map_err(|e| unusable(path, format!("cannot read sheet \"{sheet}\": {e}")))?;
                if range.width() > max_cols {
                    return Err(unusable(
                        path,
                        format!("the sheet is wider than {max_cols} columns"),
                    ));
                }
                for r in range.rows() {
                    let row: Vec<String> = r.iter().map(data_to_string).collect();
                    write_csv_row(&mut csv, &row);
                }
            }
        }
        if csv.is_empty() {
            return Err(unusable(path, format!("sheet \"{sheet}\" is empty")));
        }
        let format = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("xlsx")
            .to_ascii_lowercase();
        let mut input = Input::from_reader(
            Box::new(std::io::Cursor::new(csv)),
            path,
            bytes,
            &OpenOptions {
                delimiter: Some(b','),
                ..opts.clone()
            },
            None,
        )?;
        input.info.format = format;
        input.info.encoding = "UTF-8".into();
        input.info.sheet = Some(sheet);
        input.hasher = None;
        input.sha256 = Some(sha);
        Ok(input)
    }
}

fn first_record_end(buf: &[u8], delim: u8, quote: u8) -> usize {
    // Parse just one record by scanning for the first terminator outside quotes.
    let mut in_q = false;
    let mut i = 0;
    while i < buf.len() {
        let c = buf[i];
        if c == quote {
            if in_q {
                if i + 1 < buf.len() && buf[i + 1] == quote {
                    i += 2;
                    continue;
                }
                in_q = false;
            } else if i == 0 || buf[i - 1] == delim || matches!(buf[i - 1], b'\n' | b'\r') {
                in_q = true;
            }
        } else if !in_q && (c == b'\n' || c == b'\r') {
            if c == b'\r' && i + 1 < buf.len() && buf[i + 1] == b'\n' {
                return i + 2;
            }
            return i + 1;
        }
        i += 1;
    }
    buf.len()
}

fn write_csv_row(out: &mut Vec<u8>, row: &[String]) {
    for (i, v) in row.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if v.contains([',', '"', '\n', '\r']) || v.is_empty() && row.len() == 1 {
            out.push(b'"');
            out.extend_from_slice(v.replace('"', "\"\"").as_bytes());
            out.push(b'"');
        } else {
            out.extend_from_slice(v.as_bytes());
        }
    }
    out.push(b'\n');
}

fn float_to_string(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

fn excel_dt(d: &calamine::ExcelDateTime) -> String {
    match d.as_datetime() {
        Some(dt) if dt.time() == chrono::NaiveTime::MIN => dt.date().to_string(),
        Some(dt) => dt.format("%Y-%m-%dT%H:%M:%S").to_string(),
        None => String::new(),
    }
}

fn data_ref_to_string(v: &calamine::DataRef<'_>) -> String {
    use calamine::DataRef as D;
    match v {
        D::Empty => String::new(),
        D::Int(i) => i.to_string(),
        D::Float(f) => float_to_string(*f),
        D::String(s) => s.clone(),
        D::SharedString(s) => (*s).to_string(),
        D::Bool(b) => b.to_string(),
        D::DateTime(d) => excel_dt(d),
        D::DateTimeIso(s) | D::DurationIso(s) => s.clone(),
        D::Error(e) => format!("#{e:?}"),
    }
}

fn data_to_string(v: &calamine::Data) -> String {
    use calamine::Data as D;
    match v {
        D::Empty => String::new(),
        D::Int(i) => i.to_string(),
        D::Float(f) => float_to_string(*f),
        D::String(s) => s.clone(),
        D::Bool(b) => b.to_string(),
        D::DateTime(d) => excel_dt(d),
        D::DateTimeIso(s) | D::DurationIso(s) => s.clone(),
        D::Error(e) => format!("#{e:?}"),
    }
}

/// Refuse a zip (xlsx) whose declared contents exceed the limits, before anything is inflated.
pub fn check_zip_limits(path: &Path, limits: &Limits) -> Result<(), DataError> {
    let file = File::open(path).map_err(|e| io_err(path, e))?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| unusable(path, format!("not a valid xlsx (zip) file: {e}")))?;
    if zip.len() > limits.max_zip_entries {
        return Err(unusable(
            path,
            format!("the workbook has {} parts, more than the limit of {}; refusing it as a possible zip bomb", zip.len(), limits.max_zip_entries),
        ));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| unusable(path, format!("not a valid xlsx (zip) file: {e}")))?;
        let size = entry.size();
        let packed = entry.compressed_size().max(1);
        total = total.saturating_add(size);
        if size > (1 << 20) && size / packed > limits.max_compression_ratio {
            return Err(unusable(
                path,
                format!(
                    "part {} expands {}×; refusing it as a possible zip bomb",
                    entry.name(),
                    size / packed
                ),
            ));
        }
    }
    if total > limits.max_uncompressed_bytes {
        return Err(unusable(
            path,
            format!(
                "the workbook expands to {} MiB, more than the limit of {} MiB; refusing it as a possible zip bomb",
                total >> 20,
                limits.max_uncompressed_bytes >> 20
            ),
        ));
    }
    Ok(())
}

fn decode_into(decoder: &mut Option<Decoder>, src: &[u8], last: bool, out: &mut Vec<u8>) {
    match decoder {
        None => out.extend_from_slice(src),
        Some(d) => {
            let need = d
                .max_utf8_buffer_length(src.len())
                .unwrap_or(src.len() * 3 + 16);
            let start = out.len();
            out.resize(start + need, 0);
            let (_, _, written, _) = d.decode_to_utf8(src, &mut out[start..], last);
            out.truncate(start + written);
        }
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Pick the delimiter that splits the sample's records into the most consistent field counts.
pub fn sniff_delimiter(sample: &[u8], quote: u8, term: u8) -> u8 {
    let end = last_record_end(sample, b',', quote, term).unwrap_or(sample.len());
    let sample = &sample[..end];
    let mut best = (b',', 0usize);
    for d in [b',', b'\t', b';', b'|'] {
        let mut counts: Vec<usize> = Vec::new();
        parse_records(sample, d, quote, |r, _| {
            if !r.is_blank() {
                counts.push(r.len())
            }
        });
        if counts.is_empty() {
            continue;
        }
        let header = counts[0];
        if header < 2 {
            continue;
        }
        let consistent = counts.iter().filter(|c| **c == header).count();
        let score = consistent * header;
        if score > best.1 {
            best = (d, score);
        }
    }
    best.0
}
