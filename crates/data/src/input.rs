//! Opening an upload: format and encoding detection, delimiter sniffing, spreadsheet limits,
//! and a stream of UTF-8, record-aligned chunks ready to be parsed on several threads.

use std::fs::File;
use std::io::{Read, Seek};
use std::path::Path;

use encoding_rs::{Decoder, Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::limits::{read_error, thousands, Refusal};
use crate::parse::{count_records, last_record_end, last_record_end_and_count, parse_records};
use crate::DataError;

pub use crate::limits::{check_zip_limits, Limits};

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
    max_columns: usize,
    max_cell: usize,
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
        let n = read_up_to(&mut reader, &mut first)
            .map_err(|e| read_error(&path.display().to_string(), e))?;
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
            max_columns: opts.limits.max_columns,
            max_cell: opts.limits.max_cell_bytes,
            path: path.display().to_string(),
        };
        input.read_header()?;
        Ok(input)
    }

    fn read_header(&mut self) -> Result<(), DataError> {
        loop {
            let end = last_record_end(&self.pending, self.delim, self.quote, self.term);
            if end.is_some() || self.eof {
                // The first record ends at the first terminator outside quotes.
                let first_end = match end {
                    Some(end) => first_record_end(&self.pending[..end], self.delim, self.quote),
                    None => self.pending.len(),
                };
                let record = &self.pending[..first_end];
                let mut header = Vec::new();
                let mut unclosed = false;
                let mut shape = (0usize, 0usize);
                parse_records(record, self.delim, self.quote, |r, b| {
                    if !header.is_empty() || shape.0 > 0 {
                        return;
                    }
                    unclosed = r.unclosed_quote;
                    shape = (r.len(), r.longest_field());
                    // Within the budgets only: a refused header is never copied.
                    if r.len() <= self.max_columns && r.longest_field() <= self.max_cell {
                        header = (0..r.len())
                            .map(|i| {
                                String::from_utf8_lossy(r.get(b, i).unwrap_or(b"")).into_owned()
                            })
                            .collect();
                    }
                });
                self.check_header(record.len(), shape.0, shape.1)?;
                if unclosed && end.is_some() {
                    return Err(self.refuse("the header row has an unclosed quote".into()));
                }
                self.header = header;
                self.pending.drain(..first_end);
                return Ok(());
            }
            if self.pending.len() > self.max_record {
                // Name the columns when that is what makes the header long.
                let mut cols = 0;
                parse_records(&self.pending, self.delim, self.quote, |r, _| {
                    if cols == 0 {
                        cols = r.len();
                    }
                });
                if cols > self.max_columns {
                    return Err(self.refuse(format!(
                        "the header has at least {} columns (in its first {}), more than the limit of {}",
                        thousands(cols as u64),
                        crate::limits::bytes(self.pending.len() as u64),
                        thousands(self.max_columns as u64)
                    )));
                }
                return Err(self.refuse(format!(
                    "the header row is longer than {}, the limit for one record; is a quote left open?",
                    crate::limits::bytes(self.max_record as u64)
                )));
            }
            self.fill()?;
        }
    }

    /// Refuse a header over the budgets: columns, bytes of the record, bytes of one name.
    fn check_header(&self, bytes: usize, columns: usize, longest: usize) -> Result<(), DataError> {
        if columns > self.max_columns {
            return Err(self.refuse(format!(
                "the header has {} columns, more than the limit of {}",
                thousands(columns as u64),
                thousands(self.max_columns as u64)
            )));
        }
        if bytes > self.max_record {
            return Err(self.refuse(format!(
                "the header row takes {}, more than the limit of {} for one record",
                crate::limits::bytes(bytes as u64),
                crate::limits::bytes(self.max_record as u64)
            )));
        }
        if longest > self.max_cell {
            return Err(self.refuse(format!(
                "a column name in the header takes {}, more than the limit of {} for one cell",
                crate::limits::bytes(longest as u64),
                crate::limits::bytes(self.max_cell as u64)
            )));
        }
        Ok(())
    }

    fn refuse(&self, message: String) -> DataError {
        DataError::Unusable {
            path: self.path.clone(),
            message,
        }
    }

    /// The budgets records are checked against, by the workers that parse them.
    pub(crate) fn record_limits(&self) -> (usize, usize, usize) {
        (self.max_columns, self.max_record, self.max_cell)
    }

    fn fill(&mut self) -> Result<(), DataError> {
        if self.decoder.is_none() {
            // UTF-8 needs no decoding: read straight into the pending bytes, with no copy, and
            // into their spare room as it is (a resize would first fill it with zeros: a
            // megabyte per read).
            let start = self.pending.len();
            let n = (&mut self.reader)
                .take(self.block as u64)
                .read_to_end(&mut self.pending)
                .map_err(|e| read_error(&self.path, e))?;
            if let Some(h) = self.hasher.as_mut() {
                h.update(&self.pending[start..]);
            }
            if n < self.block {
                self.eof = true;
            }
            return Ok(());
        }
        // One read buffer for the whole file: fresh megabytes per read cost page faults and
        // zeroing, more than the reading itself.
        let mut buf = std::mem::take(&mut self.read_buf);
        buf.resize(self.block, 0);
        let n = read_up_to(&mut self.reader, &mut buf).map_err(|e| read_error(&self.path, e))?;
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
        Ok(self.next_counted_chunk()?.map(|(chunk, _)| chunk))
    }

    /// [`Input::next_chunk`] with the number of records in it (as
    /// [`crate::parse::count_records`] counts them), found while looking for where it ends.
    pub fn next_counted_chunk(&mut self) -> Result<Option<(Vec<u8>, u64)>, DataError> {
        loop {
            if self.eof {
                if self.pending.is_empty() {
                    self.finish_hash();
                    return Ok(None);
                }
                let out = std::mem::take(&mut self.pending);
                self.finish_hash();
                let n = count_records(&out, self.delim, self.quote, self.term);
                return Ok(Some((out, n)));
            }
            if self.pending.len() >= self.block {
                if let Some((end, n)) =
                    last_record_end_and_count(&self.pending, self.delim, self.quote, self.term)
                {
                    let mut rest = self
                        .spare
                        .pop()
                        .unwrap_or_else(|| Vec::with_capacity(self.block + self.block / 2));
                    rest.extend_from_slice(&self.pending[end..]);
                    let mut out = std::mem::replace(&mut self.pending, rest);
                    out.truncate(end);
                    return Ok(Some((out, n)));
                }
                if self.pending.len() > self.max_record {
                    return Err(self.refuse(format!(
                        "a record is longer than {}, the limit for one record: a quote is probably left open; check the quotes in the file",
                        crate::limits::bytes(self.max_record as u64)
                    )));
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
        let limits = &opts.limits;
        if is_zip {
            check_zip_limits(path, limits)?;
        }
        let sha = sha256_file(path)?;
        let wb = open_workbook_auto(path)
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
        let reader: Box<dyn Read + Send> = match wb {
            // XLSX is streamed cell by cell on its own thread, a block of CSV text at a time:
            // the converted sheet is never held whole.
            Sheets::Xlsx(x) => Box::new(SheetStream::spawn(x, sheet.clone(), limits.clone())),
            mut other => {
                let range = other
                    .worksheet_range(&sheet)
                    .map_err(|e| unusable(path, format!("cannot read sheet \"{sheet}\": {e}")))?;
                let (height, width) = range.get_size();
                if width > limits.max_columns {
                    return Err(unusable(
                        path,
                        format!(
                            "the sheet has {} columns, more than the limit of {}",
                            thousands(width as u64),
                            thousands(limits.max_columns as u64)
                        ),
                    ));
                }
                if height as u64 > limits.max_rows {
                    return Err(unusable(
                        path,
                        format!(
                            "the sheet has {} rows, more than the limit of {}",
                            thousands(height as u64),
                            thousands(limits.max_rows)
                        ),
                    ));
                }
                let mut csv = Vec::new();
                for (i, r) in range.rows().enumerate() {
                    let row: Vec<String> = r.iter().map(data_to_string).collect();
                    write_csv_row(&mut csv, &row);
                    if csv.len() as u64 > limits.max_sheet_text_bytes {
                        return Err(unusable(
                            path,
                            format!(
                                "the sheet's text passes {} at row {}, the limit; save it as CSV instead",
                                crate::limits::bytes(limits.max_sheet_text_bytes),
                                thousands(i as u64 + 1)
                            ),
                        ));
                    }
                }
                if csv.is_empty() {
                    return Err(unusable(path, format!("sheet \"{sheet}\" is empty")));
                }
                Box::new(std::io::Cursor::new(csv))
            }
        };
        let format = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("xlsx")
            .to_ascii_lowercase();
        let mut input = Input::from_reader(
            reader,
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

/// The sha256 of a file, read in blocks (an upload is never read into memory whole).
fn sha256_file(path: &Path) -> Result<String, DataError> {
    let mut f = File::open(path).map_err(|e| io_err(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 << 10];
    loop {
        let n = read_up_to(&mut f, &mut buf).map_err(|e| io_err(path, e))?;
        h.update(&buf[..n]);
        if n < buf.len() {
            return Ok(hex(&h.finalize()));
        }
    }
}

/// Bytes of CSV text handed over at once by a sheet stream.
const SHEET_BLOCK: usize = 1 << 20;

/// An XLSX sheet read as CSV text: a thread owns the workbook, converts cells to CSV rows
/// within the [`Limits`] and sends blocks through a channel of two; this end reads them. A
/// refusal arrives as an `io::Error` holding a [`Refusal`]. Dropping the stream stops the
/// thread at its next block.
struct SheetStream {
    rx: crossbeam_channel::Receiver<Result<Vec<u8>, String>>,
    buf: Vec<u8>,
    pos: usize,
}

type XlsxFile = calamine::Xlsx<std::io::BufReader<File>>;

impl SheetStream {
    fn spawn(x: XlsxFile, sheet: String, limits: Limits) -> SheetStream {
        let (tx, rx) = crossbeam_channel::bounded(2);
        std::thread::spawn(move || {
            let mut x = x;
            if let Err(m) = stream_sheet(&mut x, &sheet, &limits, &tx) {
                let _ = tx.send(Err(m));
            }
        });
        SheetStream {
            rx,
            buf: Vec::new(),
            pos: 0,
        }
    }
}

impl Read for SheetStream {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos >= self.buf.len() {
            match self.rx.recv() {
                Ok(Ok(b)) => {
                    self.buf = b;
                    self.pos = 0;
                }
                Ok(Err(m)) => return Err(std::io::Error::other(Refusal(m))),
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Convert the sheet's cells to CSV rows, refusing as soon as a budget is passed: rows must go
/// down the sheet, a row gap is written as blank lines and bounded by the row budget.
/// `Ok` also when the reading end has gone away.
fn stream_sheet(
    x: &mut XlsxFile,
    sheet: &str,
    limits: &Limits,
    tx: &crossbeam_channel::Sender<Result<Vec<u8>, String>>,
) -> Result<(), String> {
    let mut cells = x
        .worksheet_cells_reader(sheet)
        .map_err(|e| format!("cannot read sheet \"{sheet}\": {e}"))?;
    let mut csv: Vec<u8> = Vec::with_capacity(SHEET_BLOCK + SHEET_BLOCK / 4);
    let mut row: Vec<String> = Vec::new();
    let mut cur: Option<u32> = None;
    let mut count: u64 = 0;
    while let Some(cell) = cells
        .next_cell()
        .map_err(|e| format!("cannot read sheet \"{sheet}\": {e}"))?
    {
        count += 1;
        if count > limits.max_cells {
            return Err(format!(
                "the sheet has more than {} cells, the limit; save it as CSV instead",
                thousands(limits.max_cells)
            ));
        }
        let (r, c) = cell.get_position();
        let (row_no, col_no) = (u64::from(r) + 1, u64::from(c) + 1);
        if col_no > limits.max_columns as u64 {
            return Err(format!(
                "the sheet has a cell in column {} (row {}), more than the limit of {} columns",
                thousands(col_no),
                thousands(row_no),
                thousands(limits.max_columns as u64)
            ));
        }
        if row_no > limits.max_rows {
            return Err(format!(
                "the sheet has a cell on row {}, more than the limit of {} rows",
                thousands(row_no),
                thousands(limits.max_rows)
            ));
        }
        match cur {
            Some(prev) if prev == r => {}
            Some(prev) if r < prev => {
                return Err(format!(
                    "the sheet goes back from row {} to row {}: rows must go down the sheet",
                    thousands(u64::from(prev) + 1),
                    thousands(row_no)
                ));
            }
            Some(prev) => {
                write_csv_row(&mut csv, &row);
                // Rows with no cells between two rows are blank lines; r < max_rows bounds them.
                let gap = (r - prev - 1) as usize;
                csv.resize(csv.len() + gap, b'\n');
                row.clear();
                cur = Some(r);
            }
            None => cur = Some(r),
        }
        let value = data_ref_to_string(cell.get_value());
        if value.len() > limits.max_cell_bytes {
            return Err(format!(
                "the cell on row {}, column {} holds {}, more than the limit of {}",
                thousands(row_no),
                thousands(col_no),
                crate::limits::bytes(value.len() as u64),
                crate::limits::bytes(limits.max_cell_bytes as u64)
            ));
        }
        let c = c as usize;
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        row[c] = value;
        if csv.len() >= SHEET_BLOCK {
            let full =
                std::mem::replace(&mut csv, Vec::with_capacity(SHEET_BLOCK + SHEET_BLOCK / 4));
            if tx.send(Ok(full)).is_err() {
                return Ok(());
            }
        }
    }
    if cur.is_none() {
        return Err(format!("sheet \"{sheet}\" is empty"));
    }
    write_csv_row(&mut csv, &row);
    let _ = tx.send(Ok(csv));
    Ok(())
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
