//! A small, fast CSV record parser and a splitter that cuts a byte stream at record boundaries,
//! so chunks can be parsed on several threads and merged back in row order.
//!
//! Semantics (RFC 4180, lenient like Python's `csv`): a field that *starts* with the quote
//! character is quoted; `""` inside it is one quote; text after the closing quote up to the next
//! delimiter is kept. A quote elsewhere is an ordinary character. Records end at `\n`, `\r\n` or
//! `\r`. An empty line is a record with one empty field (a blank row keeps its row number).

use memchr::memchr3;

/// The first position in `hay` of `a`, `b` or `c`, as `memchr3` finds it, with the first 32
/// bytes looked at eight at a time in a register: most cells are a dozen bytes or so, and a
/// vector search costs more to set up than it saves on that. Longer ones go to `memchr3`.
#[inline]
fn find3(a: u8, b: u8, c: u8, hay: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // The high bit of each zero byte of `v`. Bits can also be set above a zero byte (a borrow
    // runs up), never below the first: the lowest bit set is exact.
    let zeros = |v: u64| v.wrapping_sub(LO) & !v & HI;
    let (ma, mb, mc) = (LO * u64::from(a), LO * u64::from(b), LO * u64::from(c));
    let mut i = 0;
    loop {
        if i + 8 > hay.len() {
            return hay[i..]
                .iter()
                .position(|&x| x == a || x == b || x == c)
                .map(|p| i + p);
        }
        if i >= 32 {
            return memchr3(a, b, c, &hay[i..]).map(|p| i + p);
        }
        let mut w = [0u8; 8];
        w.copy_from_slice(&hay[i..i + 8]);
        let v = u64::from_le_bytes(w);
        let m = zeros(v ^ ma) | zeros(v ^ mb) | zeros(v ^ mc);
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
}

/// Finds the delimiter and line breaks of a buffer 64 bytes at a time: each block's positions
/// of the three are a bit mask, built once without a branch per byte (eight bytes at a time in
/// a register), so the end of each unquoted field is a `trailing_zeros` and not a search of its
/// own, whose length (a dozen bytes, give or take) the branch predictor cannot guess.
struct Ends {
    /// Which block `mask` is of (`usize::MAX`: none yet).
    block: usize,
    mask: u64,
    delim: u64,
}

impl Ends {
    const LO: u64 = 0x0101_0101_0101_0101;

    fn new(delim: u8) -> Ends {
        Ends {
            block: usize::MAX,
            mask: 0,
            delim: Self::LO * u64::from(delim),
        }
    }

    /// The high bit of each byte of `v` equal to a byte of `d`, `n` or `r` (exactly: no
    /// borrow runs from one byte into the next).
    #[inline]
    fn hits(v: u64, d: u64) -> u64 {
        const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        // A byte's high bit ends up set in `nonzero(x)` unless the byte is zero.
        let nonzero = |x: u64| ((x & LOW7) + LOW7) | x;
        let all = nonzero(v ^ d)
            & nonzero(v ^ (Self::LO * u64::from(b'\n')))
            & nonzero(v ^ (Self::LO * u64::from(b'\r')));
        !all & !LOW7
    }

    /// The bit mask of block `b` of `buf` (bit i: byte `64 * b + i` is one of the three).
    #[inline]
    fn block_mask(&self, buf: &[u8], b: usize) -> u64 {
        let start = b * 64;
        let mut mask = 0u64;
        if let Some(block) = buf.get(start..start + 64) {
            for (k, w) in block.chunks_exact(8).enumerate() {
                let mut a = [0u8; 8];
                a.copy_from_slice(w);
                let h = Self::hits(u64::from_le_bytes(a), self.delim);
                // The high bits of the eight bytes, gathered into the low eight bits.
                let bits = ((h >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56;
                mask |= bits << (8 * k);
            }
        } else {
            let d = self.delim as u8;
            for (i, &c) in buf[start.min(buf.len())..].iter().enumerate() {
                mask |= u64::from((c == d) | (c == b'\n') | (c == b'\r')) << i;
            }
        }
        mask
    }

    /// The first position at or after `from` of the delimiter, `\n` or `\r`.
    #[inline]
    fn next(&mut self, buf: &[u8], from: usize) -> Option<usize> {
        let mut b = from / 64;
        let mut m = if b == self.block {
            self.mask
        } else {
            self.block = b;
            self.mask = self.block_mask(buf, b);
            self.mask
        } & (!0u64 << (from % 64));
        loop {
            if m != 0 {
                let p = b * 64 + m.trailing_zeros() as usize;
                return (p < buf.len()).then_some(p);
            }
            b += 1;
            if b * 64 >= buf.len() {
                return None;
            }
            self.block = b;
            self.mask = self.block_mask(buf, b);
            m = self.mask;
        }
    }
}

/// Where a field's bytes live: in the chunk, or in the record's scratch buffer (unescaped).
#[derive(Debug, Clone, Copy)]
struct Span {
    scratch: bool,
    start: u32,
    end: u32,
}

/// One parsed record, borrowing the chunk.
#[derive(Debug, Default)]
pub struct Record {
    spans: Vec<Span>,
    scratch: Vec<u8>,
    /// The closing quote of a quoted field was missing (the field ran to the end of the input).
    pub unclosed_quote: bool,
    /// A quoted field contained a line break.
    pub embedded_newline: bool,
    /// Bytes of the record in the input, its line break included.
    bytes: usize,
}

impl Record {
    pub fn len(&self) -> usize {
        self.spans.len()
    }
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
    pub fn get<'a>(&'a self, chunk: &'a [u8], i: usize) -> Option<&'a [u8]> {
        let s = self.spans.get(i)?;
        let src = if s.scratch { &self.scratch } else { chunk };
        src.get(s.start as usize..s.end as usize)
    }
    /// The field as text: borrowed from `chunk_str` (the chunk, already checked as UTF-8) when
    /// possible; `Err(bytes)` when the bytes are not valid UTF-8.
    pub fn get_str<'a>(
        &'a self,
        chunk: &'a [u8],
        chunk_str: Option<&'a str>,
        i: usize,
    ) -> Option<Result<&'a str, &'a [u8]>> {
        let s = self.spans.get(i)?;
        if !s.scratch {
            if let Some(cs) = chunk_str {
                return cs.get(s.start as usize..s.end as usize).map(Ok);
            }
        }
        let b = self.get(chunk, i)?;
        Some(std::str::from_utf8(b).map_err(|_| b))
    }

    /// Bytes of the record in the input, its line break included.
    pub fn byte_len(&self) -> usize {
        self.bytes
    }

    /// Bytes of the longest field (as read, quotes and escapes removed).
    pub fn longest_field(&self) -> usize {
        self.spans
            .iter()
            .map(|s| (s.end - s.start) as usize)
            .max()
            .unwrap_or(0)
    }

    /// A blank row: one empty field, or only empty fields.
    pub fn is_blank(&self) -> bool {
        self.spans.iter().all(|s| s.start == s.end)
    }
}

/// Parse records from `buf` (which starts at a record boundary), calling `f(record)` for each.
/// Returns the number of records.
pub fn parse_records(buf: &[u8], delim: u8, quote: u8, f: impl FnMut(&Record, &[u8])) -> u64 {
    parse_records_term(buf, delim, quote, b'\n', f)
}

/// [`parse_records`] with the line terminator: with `\n`, a lone `\r` is an ordinary character.
pub fn parse_records_term(
    buf: &[u8],
    delim: u8,
    quote: u8,
    term: u8,
    mut f: impl FnMut(&Record, &[u8]),
) -> u64 {
    let mut rec = Record::default();
    let mut ends = Ends::new(delim);
    let mut pos = 0usize;
    let mut n = 0u64;
    let len = buf.len();
    while pos < len {
        rec.spans.clear();
        rec.scratch.clear();
        rec.unclosed_quote = false;
        rec.embedded_newline = false;
        let record_start = pos;
        loop {
            // One field starting at pos.
            if pos < len && buf[pos] == quote {
                pos += 1;
                let start = pos;
                let mut escaped = false;
                let scratch_start = rec.scratch.len();
                let mut end;
                loop {
                    match find3(quote, quote, quote, &buf[pos..]) {
                        Some(i) => {
                            let q = pos + i;
                            if q + 1 < len && buf[q + 1] == quote {
                                rec.scratch.extend_from_slice(&buf[pos..=q]);
                                escaped = true;
                                pos = q + 2;
                            } else {
                                if escaped {
                                    rec.scratch.extend_from_slice(&buf[pos..q]);
                                }
                                end = q;
                                pos = q + 1;
                                break;
                            }
                        }
                        None => {
                            rec.unclosed_quote = true;
                            if escaped {
                                rec.scratch.extend_from_slice(&buf[pos..]);
                            }
                            end = len;
                            pos = len;
                            break;
                        }
                    }
                }
                if !escaped && find3(b'\n', b'\r', b'\r', &buf[start..end]).is_some() {
                    rec.embedded_newline = true;
                }
                // Text after the closing quote, up to the delimiter, is kept. Nearly always the
                // quote is followed by the delimiter or the line break: no search for that.
                let tail_end = match buf.get(pos) {
                    None => len,
                    Some(&c) if c == delim || c == b'\n' || c == b'\r' => pos,
                    Some(_) => match find3(delim, b'\n', b'\r', &buf[pos..]) {
                        Some(i) => pos + i,
                        None => len,
                    },
                };
                if tail_end > pos || escaped {
                    if !escaped {
                        rec.scratch.extend_from_slice(&buf[start..end]);
                    }
                    rec.scratch.extend_from_slice(&buf[pos..tail_end]);
                    if memchr::memchr2(b'\n', b'\r', &rec.scratch[scratch_start..]).is_some() {
                        rec.embedded_newline = true;
                    }
                    rec.spans.push(Span {
                        scratch: true,
                        start: scratch_start as u32,
                        end: rec.scratch.len() as u32,
                    });
                    let _ = &mut end;
                } else {
                    rec.spans.push(Span {
                        scratch: false,
                        start: start as u32,
                        end: end as u32,
                    });
                }
                pos = tail_end;
            } else {
                let mut e = pos;
                loop {
                    match ends.next(buf, e) {
                        Some(i) => {
                            e = i;
                            if term == b'\n'
                                && buf[e] == b'\r'
                                && e + 1 < len
                                && buf[e + 1] != b'\n'
                            {
                                e += 1;
                                continue;
                            }
                            break;
                        }
                        None => {
                            e = len;
                            break;
                        }
                    }
                }
                rec.spans.push(Span {
                    scratch: false,
                    start: pos as u32,
                    end: e as u32,
                });
                pos = e;
            }
            if pos >= len {
                break;
            }
            let c = buf[pos];
            pos += 1;
            if c == delim {
                if pos >= len {
                    rec.spans.push(Span {
                        scratch: false,
                        start: pos as u32,
                        end: pos as u32,
                    });
                    break;
                }
                continue;
            }
            if c == b'\r' && pos < len && buf[pos] == b'\n' {
                pos += 1;
            }
            break;
        }
        n += 1;
        rec.bytes = pos - record_start;
        f(&rec, buf);
    }
    n
}

/// Find the end (exclusive) of the last complete record in `buf`, which starts at a record
/// boundary: the position just after the last line break that is not inside a quoted field.
/// `None` when `buf` holds no complete record.
pub fn last_record_end(buf: &[u8], delim: u8, quote: u8, term: u8) -> Option<usize> {
    scan_terms(buf, delim, quote, term).1
}

/// [`last_record_end`] and the number of records before it ([`count_records`] of
/// `buf[..end]`), in one look at the bytes.
pub fn last_record_end_and_count(
    buf: &[u8],
    delim: u8,
    quote: u8,
    term: u8,
) -> Option<(usize, u64)> {
    // The last line break outside quotes ends `buf[..end]`: its records are those breaks.
    let (n, end) = scan_terms(buf, delim, quote, term);
    end.map(|end| (end, n))
}

/// The number of records in `buf` (whole records, as [`parse_records_term`] counts them).
pub fn count_records(buf: &[u8], delim: u8, quote: u8, term: u8) -> u64 {
    let Some(&last) = buf.last() else {
        return 0;
    };
    scan_terms(buf, delim, quote, term).0 + u64::from(last != term)
}

/// The line breaks of `buf` outside quoted regions: how many, and the end of the last one.
///
/// Quoted regions by the parser's rule: a quote opens a field only at the start of a field
/// (after a delimiter or a line break, or at the start of `buf`); `""` inside is one quote; a
/// region still open at the end of `buf` (or whose closing quote is its last byte, which may yet
/// be half of a `""`) runs to the end. One search for the quote and the line break together, so
/// each byte is looked at once: the reader does this for every chunk, before the workers parse.
fn scan_terms(buf: &[u8], delim: u8, quote: u8, term: u8) -> (u64, Option<usize>) {
    let len = buf.len();
    let mut n = 0u64;
    let mut last_end = None;
    let mut inside = false;
    // A hit before this position was read already (the second quote of a `""`).
    let mut skip_to = 0usize;
    for i in memchr::memchr2_iter(quote, term, buf) {
        if i < skip_to {
            continue;
        }
        let c = buf[i];
        if !inside {
            if c == term {
                n += 1;
                last_end = Some(i + 1);
            } else if i == 0 || matches!(buf[i - 1], b'\n' | b'\r') || buf[i - 1] == delim {
                inside = true;
            }
        } else if c == quote {
            if i + 1 == len {
                // Cannot tell yet whether this is `""`: open to the end.
                break;
            }
            if buf[i + 1] == quote {
                skip_to = i + 2;
            } else {
                inside = false;
            }
        }
    }
    (n, last_end)
}

/// The first implementation (quoted regions found first, then the line breaks looked up
/// against them), kept to check that the one-look scan gives the same answers.
#[cfg(test)]
mod reference {
    use memchr::{memchr, memrchr};

    /// Find the end (exclusive) of the last complete record in `buf`, which starts at a record
    /// boundary: the position just after the last line break that is not inside a quoted field.
    /// `None` when `buf` holds no complete record.
    pub fn last_record_end(buf: &[u8], delim: u8, quote: u8, term: u8) -> Option<usize> {
        let regions = quoted_regions(buf, delim, quote);
        let mut limit = buf.len();
        loop {
            let nl = memrchr(term, &buf[..limit])?;
            match regions.iter().rev().find(|(o, c)| *o < nl && nl < *c) {
                Some((o, _)) => limit = *o,
                None => return Some(nl + 1),
            }
        }
    }

    /// The first `last_record_end_and_count`: quoted regions found once for both answers.
    pub fn end_and_count(buf: &[u8], delim: u8, quote: u8, term: u8) -> Option<(usize, u64)> {
        let regions = quoted_regions(buf, delim, quote);
        let mut limit = buf.len();
        let end = loop {
            let nl = memrchr(term, &buf[..limit])?;
            match regions.iter().rev().find(|(o, c)| *o < nl && nl < *c) {
                Some((o, _)) => limit = *o,
                None => break nl + 1,
            }
        };
        // No quoted region crosses `end` (a line break outside quotes), so the regions that open
        // before it are the regions of `buf[..end]`.
        let before = regions.partition_point(|(o, _)| *o < end);
        Some((
            end,
            count_with_regions(&buf[..end], term, &regions[..before]),
        ))
    }

    /// The number of records in `buf` (whole records, as [`parse_records_term`] counts them).
    pub fn count_records(buf: &[u8], delim: u8, quote: u8, term: u8) -> u64 {
        if buf.is_empty() {
            return 0;
        }
        count_with_regions(buf, term, &quoted_regions(buf, delim, quote))
    }

    /// [`count_records`] of a non-empty `buf` whose quoted regions are known.
    fn count_with_regions(buf: &[u8], term: u8, regions: &[(usize, usize)]) -> u64 {
        let mut n = 0u64;
        let mut r = 0;
        for nl in memchr::memchr_iter(term, buf) {
            while r < regions.len() && regions[r].1 < nl {
                r += 1;
            }
            if r < regions.len() && regions[r].0 < nl && nl < regions[r].1 {
                continue;
            }
            n += 1;
        }
        if buf[buf.len() - 1] != term {
            n += 1;
        }
        n
    }

    /// Quoted regions [open, close] by the parser's rule: a quote opens a field only at the
    /// start of a field (after a delimiter or a line break, or at the start).
    pub fn quoted_regions(buf: &[u8], delim: u8, quote: u8) -> Vec<(usize, usize)> {
        let mut regions: Vec<(usize, usize)> = Vec::new();
        let mut pos = 0;
        let len = buf.len();
        while let Some(i) = memchr(quote, &buf[pos..]) {
            let q = pos + i;
            let at_start = q == 0 || matches!(buf[q - 1], b'\n' | b'\r') || buf[q - 1] == delim;
            if !at_start {
                pos = q + 1;
                continue;
            }
            // Find the closing quote.
            let mut p = q + 1;
            let close = loop {
                match memchr(quote, &buf[p..]) {
                    Some(j) => {
                        let c = p + j;
                        if c + 1 < len && buf[c + 1] == quote {
                            p = c + 2;
                        } else if c + 1 == len {
                            // Cannot tell yet whether this is `""`; treat as open.
                            break None;
                        } else {
                            break Some(c);
                        }
                    }
                    None => break None,
                }
            };
            match close {
                Some(c) => {
                    regions.push((q, c));
                    pos = c + 1;
                }
                None => {
                    regions.push((q, len));
                    break;
                }
            }
        }
        regions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use memchr::memchr;

    fn rows(s: &str) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        parse_records(s.as_bytes(), b',', b'"', |r, b| {
            out.push(
                (0..r.len())
                    .map(|i| String::from_utf8_lossy(r.get(b, i).unwrap_or(b"")).into_owned())
                    .collect(),
            )
        });
        out
    }

    #[test]
    fn quoted_fields_with_delimiters_quotes_and_newlines() {
        let r = rows("a,\"b,c\",\"say \"\"hi\"\"\"\n\"multi\nline\",x,\r\n");
        assert_eq!(r[0], vec!["a", "b,c", "say \"hi\""]);
        assert_eq!(r[1], vec!["multi\nline", "x", ""]);
        assert_eq!(r.len(), 2);
    }

    #[test]
    fn find3_finds_what_memchr3_finds() {
        let mut seed: u64 = 0x1234_5678_9abc_def0;
        for len in 0..90 {
            for _ in 0..200 {
                let hay: Vec<u8> = (0..len)
                    .map(|_| {
                        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                        // Mostly ordinary bytes, some of the three, some near them (borrows).
                        match (seed >> 33) % 16 {
                            0 => b',',
                            1 => b'\n',
                            2 => b'\r',
                            3 => 0,
                            4 => 0x80,
                            5 => b'+',
                            6 => 0xff,
                            _ => (seed >> 40) as u8 | 0x40,
                        }
                    })
                    .collect();
                assert_eq!(
                    find3(b',', b'\n', b'\r', &hay),
                    memchr3(b',', b'\n', b'\r', &hay),
                    "{hay:?}"
                );
                assert_eq!(find3(0, 0, 0, &hay), memchr(0, &hay), "{hay:?}");
            }
        }
    }

    #[test]
    fn ends_finds_what_memchr3_finds() {
        let mut seed: u64 = 0x0bad_cafe_1234_5678;
        for len in (0..300).step_by(7) {
            for _ in 0..50 {
                let hay: Vec<u8> = (0..len)
                    .map(|_| {
                        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                        match (seed >> 33) % 20 {
                            0 => b';',
                            1 => b'\n',
                            2 => b'\r',
                            3 => 0,
                            4 => 0x80,
                            5 => b':',
                            6 => 0xff,
                            7 => b';' ^ 0x80,
                            8 => 0x0b,
                            _ => (seed >> 40) as u8 | 0x40,
                        }
                    })
                    .collect();
                let mut ends = Ends::new(b';');
                // Positions in order, as the parser asks, with some skipped.
                let mut from = 0;
                while from <= len {
                    let want = memchr3(b';', b'\n', b'\r', &hay[from..]).map(|p| from + p);
                    assert_eq!(ends.next(&hay, from), want, "from {from} in {hay:?}");
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    from += 1 + (seed >> 60) as usize * ((seed >> 59) & 1) as usize * 9;
                }
            }
        }
    }

    #[test]
    fn blank_lines_are_blank_records() {
        let r = rows("a,b\n\nc,d\n");
        assert_eq!(r.len(), 3);
        assert_eq!(r[1], vec![""]);
    }

    #[test]
    fn a_quote_inside_a_field_is_literal() {
        assert_eq!(rows("ab\"c,d\n")[0], vec!["ab\"c", "d"]);
        assert_eq!(rows("\"ab\"c,d\n")[0], vec!["abc", "d"]);
    }

    #[test]
    fn unclosed_quote_is_flagged_not_a_panic() {
        let mut flagged = false;
        parse_records(b"a,\"bc\nd,e\n", b',', b'"', |r, _| {
            flagged |= r.unclosed_quote
        });
        assert!(flagged);
    }

    #[test]
    fn split_point_skips_newlines_inside_quotes() {
        let buf = b"a,b\nc,\"d\ne\"\nf,\"g\nh";
        assert_eq!(last_record_end(buf, b',', b'"', b'\n'), Some(12));
        assert_eq!(last_record_end(b"abc", b',', b'"', b'\n'), None);
        assert_eq!(last_record_end(b"\"a\nb", b',', b'"', b'\n'), None);
    }

    #[test]
    fn split_point_and_count_agree_with_the_two_passes() {
        for text in [
            "a,b\nc,\"d\ne\"\nf,\"g\nh",
            "a,b\n\n\"x\"\"\ny\"\nz",
            "\"a\nb",
            "abc",
            "a\r\nb\r\nc",
            "x,\"\"\"q\"\"\"\ny\n",
            "\"\"\n\"",
        ] {
            let b = text.as_bytes();
            let want = last_record_end(b, b',', b'"', b'\n')
                .map(|end| (end, count_records(&b[..end], b',', b'"', b'\n')));
            assert_eq!(
                last_record_end_and_count(b, b',', b'"', b'\n'),
                want,
                "{text:?}"
            );
        }
    }

    #[test]
    fn the_one_look_scan_agrees_with_the_quoted_regions() {
        let mut seed: u64 = 0x5eed_0fc5_0001_9e37;
        for len in 0..120 {
            for _ in 0..300 {
                let buf = crate::random::random_bytes(&mut seed, len, |s| match (s >> 33) % 8 {
                    0 | 1 => b'"',
                    2 => b'\n',
                    3 => b'\r',
                    4 => b',',
                    5 => b';',
                    _ => b'a',
                });
                for (delim, term) in [(b',', b'\n'), (b';', b'\n'), (b',', b'\r')] {
                    let end = reference::last_record_end(&buf, delim, b'"', term);
                    assert_eq!(last_record_end(&buf, delim, b'"', term), end, "{buf:?}");
                    assert_eq!(
                        last_record_end_and_count(&buf, delim, b'"', term),
                        reference::end_and_count(&buf, delim, b'"', term),
                        "{buf:?}"
                    );
                    assert_eq!(
                        count_records(&buf, delim, b'"', term),
                        reference::count_records(&buf, delim, b'"', term),
                        "{buf:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn count_matches_the_parser() {
        for text in [
            "a,b\nc,\"d\ne\"\n\nf,g",
            "a\r\nb\r\n",
            "x,\"\"\"q\"\"\"\ny\n",
            "",
        ] {
            let n = parse_records(text.as_bytes(), b',', b'"', |_, _| {});
            assert_eq!(
                count_records(text.as_bytes(), b',', b'"', b'\n'),
                n,
                "{text:?}"
            );
        }
    }

    #[test]
    fn old_mac_line_endings() {
        let mut n = 0;
        parse_records_term(b"a,b\rc,d\r", b',', b'"', b'\r', |_, _| n += 1);
        assert_eq!(n, 2);
    }
}
