//! Reading asbackup 3.0 and 3.1 files, one item at a time, from any
//! `BufRead`: memory holds one record, never the file.

use super::msgpack;
use crate::error::{Error, Result};
use crate::value::Value;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use std::io::BufRead;

/// One record as the file gives it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FileRecord {
    /// The line of its first line.
    pub line: u64,
    /// The stored user key (`None` without a `k` line, or for a float key).
    pub key: Option<Value>,
    pub namespace: String,
    pub digest: [u8; 20],
    pub set: String,
    pub generation: u32,
    pub void_time: u32,
    pub bins: Vec<(String, Value)>,
}

/// What the file holds, item by item.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Item {
    Record(FileRecord),
    SecondaryIndex,
    Udf,
}

/// A streaming parser of one file.
pub(crate) struct Reader<'a> {
    input: &'a mut dyn BufRead,
    /// 1-based line of the next byte.
    line: u64,
    /// Version 3.1 unescapes names; 3.0 does not.
    escaped: bool,
    started: bool,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(input: &'a mut dyn BufRead) -> Reader<'a> {
        Reader {
            input,
            line: 1,
            escaped: true,
            started: false,
        }
    }

    fn err(&self, expected: &str, found: Option<u8>) -> Error {
        let found = match found {
            None => "the end of the file".to_string(),
            Some(b'\n') => "the end of the line".to_string(),
            Some(b) if b.is_ascii_graphic() => format!("'{}'", char::from(b)),
            Some(b) => format!("byte 0x{b:02x}"),
        };
        Error::ParameterError(format!(
            "malformed backup file at line {}: expected {expected}, found {found}",
            self.line
        ))
    }

    fn peek(&mut self) -> Result<Option<u8>> {
        Ok(self.input.fill_buf()?.first().copied())
    }

    fn byte(&mut self) -> Result<Option<u8>> {
        let b = self.peek()?;
        if let Some(b) = b {
            self.input.consume(1);
            if b == b'\n' {
                self.line += 1;
            }
        }
        Ok(b)
    }

    fn expect(&mut self, bytes: &[u8], what: &str) -> Result<()> {
        for &want in bytes {
            let got = self.peek()?;
            if got != Some(want) {
                return Err(self.err(what, got));
            }
            self.byte()?;
        }
        Ok(())
    }

    fn space(&mut self) -> Result<()> {
        self.expect(b" ", "a space")
    }

    fn eol(&mut self) -> Result<()> {
        self.expect(b"\n", "the end of the line")
    }

    /// Bytes up to (not including) the next space or LF.
    fn token(&mut self, what: &str) -> Result<Vec<u8>> {
        let mut t = Vec::new();
        while let Some(b) = self.peek()? {
            if b == b' ' || b == b'\n' {
                break;
            }
            t.push(b);
            self.byte()?;
        }
        if t.is_empty() {
            let got = self.peek()?;
            return Err(self.err(what, got));
        }
        Ok(t)
    }

    /// A name: up to the next unescaped space or LF.
    fn name(&mut self, what: &str) -> Result<String> {
        let mut t = Vec::new();
        while let Some(b) = self.peek()? {
            if b == b' ' || b == b'\n' {
                break;
            }
            self.byte()?;
            if b == b'\\' && self.escaped {
                match self.byte()? {
                    Some(next) => t.push(next),
                    None => return Err(self.err("an escaped byte", None)),
                }
            } else {
                t.push(b);
            }
        }
        String::from_utf8(t).map_err(|_| self.err(&format!("{what} in UTF-8"), None))
    }

    fn number<T: std::str::FromStr>(&mut self, what: &str) -> Result<T> {
        let t = self.token(what)?;
        let ok = !t.is_empty()
            && t.iter()
                .enumerate()
                .all(|(i, &b)| b.is_ascii_digit() || (i == 0 && b == b'-' && t.len() > 1));
        std::str::from_utf8(&t)
            .ok()
            .filter(|_| ok)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| {
                Error::ParameterError(format!(
                    "malformed backup file at line {}: expected {what}, found {:?}",
                    self.line,
                    String::from_utf8_lossy(&t)
                ))
            })
    }

    fn raw(&mut self, n: usize, what: &str) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(n.min(1 << 20));
        for _ in 0..n {
            match self.byte()? {
                Some(b) => out.push(b),
                None => return Err(self.err(&format!("{n} bytes of {what}"), None)),
            }
        }
        Ok(out)
    }

    /// `<len> <base64>`: the decoded bytes.
    fn base64(&mut self, what: &str) -> Result<Vec<u8>> {
        let len: usize = self.number(&format!("the base64 length of {what}"))?;
        self.space()?;
        let line = self.line;
        let t = if len == 0 {
            Vec::new()
        } else {
            self.token(&format!("{len} base64 characters of {what}"))?
        };
        if t.len() != len {
            return Err(Error::ParameterError(format!(
                "malformed backup file at line {line}: expected {len} base64 characters of {what}, found {}",
                t.len()
            )));
        }
        STANDARD.decode(&t).map_err(|e| {
            Error::ParameterError(format!(
                "malformed backup file at line {line}: expected base64 for {what}: {e}"
            ))
        })
    }

    /// `<len> <raw bytes>`.
    fn sized(&mut self, what: &str) -> Result<Vec<u8>> {
        let len: usize = self.number(&format!("the length of {what}"))?;
        self.space()?;
        self.raw(len, what)
    }

    fn utf8(&self, b: Vec<u8>, what: &str) -> Result<String> {
        String::from_utf8(b).map_err(|_| {
            Error::ParameterError(format!(
                "malformed backup file at line {}: expected {what} in UTF-8",
                self.line
            ))
        })
    }

    /// The next item, or `None` at the end of the file.
    pub(crate) fn next_item(&mut self) -> Result<Option<Item>> {
        if !self.started {
            self.started = true;
            self.expect(
                b"Version 3.",
                "the header \"Version 3.1\" or \"Version 3.0\"",
            )?;
            match self.byte()? {
                Some(b'1') => {}
                Some(b'0') => self.escaped = false,
                other => return Err(self.err("version 3.0 or 3.1", other)),
            }
            self.eol()?;
        }
        loop {
            match self.peek()? {
                None => return Ok(None),
                Some(b'#') => self.meta_line()?,
                Some(b'*') => return self.global_line().map(Some),
                Some(b'+') => return self.record().map(|r| Some(Item::Record(r))),
                other => {
                    return Err(self.err(
                        "a record line ('+'), a global line ('*') or a metadata line ('#')",
                        other,
                    ))
                }
            }
        }
    }

    fn meta_line(&mut self) -> Result<()> {
        self.expect(b"# ", "\"# \"")?;
        let t = self.token("a metadata keyword")?;
        match t.as_slice() {
            b"namespace" => {
                self.space()?;
                self.name("a namespace")?;
            }
            b"first-file" => {}
            _ => return Err(self.err("\"namespace\" or \"first-file\"", t.first().copied())),
        }
        self.eol()
    }

    fn global_line(&mut self) -> Result<Item> {
        self.expect(b"* ", "\"* \"")?;
        match self.byte()? {
            Some(b'i') => {
                let mut fields = 0;
                while self.peek()? == Some(b' ') {
                    self.space()?;
                    self.name("a secondary index field")?;
                    fields += 1;
                }
                if fields < 7 {
                    let got = self.peek()?;
                    return Err(self.err("the 7 fields of a secondary index line", got));
                }
                self.eol()?;
                Ok(Item::SecondaryIndex)
            }
            Some(b'u') => {
                self.space()?;
                self.expect(b"L", "the UDF type 'L'")?;
                self.space()?;
                self.name("a UDF file name")?;
                self.space()?;
                self.sized("the UDF file")?;
                self.eol()?;
                Ok(Item::Udf)
            }
            other => Err(self.err("'i' (secondary index) or 'u' (UDF)", other)),
        }
    }

    fn field(&mut self, letter: u8) -> Result<()> {
        let what = format!("\"+ {}\"", char::from(letter));
        self.expect(&[b'+', b' ', letter, b' '], &what)
    }

    fn record(&mut self) -> Result<FileRecord> {
        let line = self.line;
        let mut key = None;
        self.expect(b"+ ", "\"+ \"")?;
        if self.peek()? == Some(b'k') {
            self.expect(b"k ", "\"k \"")?;
            key = self.key()?;
            self.eol()?;
            self.expect(b"+ ", "\"+ n\"")?;
        }
        self.expect(b"n ", "\"+ n\" (the namespace line)")?;
        let namespace = self.name("a namespace")?;
        self.eol()?;
        self.field(b'd')?;
        let dline = self.line;
        let d = self.token("the digest in base64")?;
        let digest: [u8; 20] = STANDARD
            .decode(&d)
            .ok()
            .and_then(|v| v.try_into().ok())
            .filter(|_| d.len() == 28)
            .ok_or_else(|| {
                Error::ParameterError(format!(
                    "malformed backup file at line {dline}: expected a 20-byte digest in 28 base64 characters"
                ))
            })?;
        self.eol()?;
        self.expect(b"+ ", "\"+ s\" or \"+ g\"")?;
        let mut set = String::new();
        if self.peek()? == Some(b's') {
            self.expect(b"s ", "\"s \"")?;
            set = self.name("a set name")?;
            self.eol()?;
            self.expect(b"+ ", "\"+ g\"")?;
        }
        self.expect(b"g ", "\"+ g\" (the generation line)")?;
        let generation: u16 = self.number("a generation 0..65535")?;
        self.eol()?;
        self.field(b't')?;
        let void_time: u32 = self.number("a void time 0..4294967295")?;
        self.eol()?;
        self.field(b'b')?;
        let count: u16 = self.number("a bin count 0..65535")?;
        self.eol()?;
        let mut bins = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            bins.push(self.bin()?);
        }
        Ok(FileRecord {
            line,
            key,
            namespace,
            digest,
            set,
            generation: u32::from(generation),
            void_time,
            bins,
        })
    }

    fn key(&mut self) -> Result<Option<Value>> {
        let t = self.token("a key type (I, D, S, B, B! or X)")?;
        self.space()?;
        Ok(match t.as_slice() {
            b"I" => Some(Value::Int(self.number("an integer key")?)),
            b"D" => {
                self.double("a float key")?;
                // A float key cannot be stored: the record goes by its digest.
                None
            }
            b"S" => {
                let b = self.sized("a string key")?;
                Some(Value::String(self.utf8(b, "a string key")?))
            }
            b"B" => Some(Value::Blob(self.base64("a blob key")?)),
            b"B!" => Some(Value::Blob(self.sized("a blob key")?)),
            b"X" => {
                let b = self.base64("a string key")?;
                Some(Value::String(self.utf8(b, "a string key")?))
            }
            _ => return Err(self.err("a key type (I, D, S, B, B! or X)", t.first().copied())),
        })
    }

    fn double(&mut self, what: &str) -> Result<f64> {
        let line = self.line;
        let t = self.token(what)?;
        let s = String::from_utf8_lossy(&t);
        let lower = s.to_ascii_lowercase();
        let plain = lower.trim_start_matches(['+', '-']);
        let special = matches!(plain, "nan" | "inf" | "infinity");
        let numeric = s
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e'));
        match (special || numeric)
            .then(|| lower.parse::<f64>().ok())
            .flatten()
        {
            Some(x) => Ok(x),
            None => Err(Error::ParameterError(format!(
                "malformed backup file at line {line}: expected {what}, found {s:?}"
            ))),
        }
    }

    fn bin(&mut self) -> Result<(String, Value)> {
        self.expect(b"- ", "a bin line (\"- \")")?;
        let letter = self.byte()?;
        let raw = self.peek()? == Some(b'!');
        if raw {
            self.byte()?;
        }
        let letter = match letter {
            Some(l @ (b'N' | b'Z' | b'I' | b'D' | b'S' | b'G' | b'X')) if !raw => l,
            Some(l @ (b'B' | b'J' | b'C' | b'P' | b'R' | b'H' | b'E' | b'Y' | b'M' | b'L')) => l,
            Some(b'U') => {
                return Err(self.err("a bin type other than U (LDT bins are not supported)", Some(b'U')))
            }
            other => {
                return Err(self.err(
                    "a bin type letter (N Z I D S G X B J C P R H E Y M L, blob-like ones with an optional !)",
                    other,
                ))
            }
        };
        self.space()?;
        let name = self.name("a bin name")?;
        let value = match letter {
            b'N' => Value::Nil,
            _ => {
                self.space()?;
                match letter {
                    b'Z' => match self.byte()? {
                        Some(b'T') => Value::Bool(true),
                        Some(b'F') => Value::Bool(false),
                        other => return Err(self.err("T or F", other)),
                    },
                    b'I' => Value::Int(self.number("a 64-bit integer")?),
                    b'D' => Value::Float(self.double("a double")?),
                    b'S' | b'G' => {
                        let b = self.sized("a string")?;
                        Value::String(self.utf8(b, "a string")?)
                    }
                    b'X' => {
                        let b = self.base64("a string")?;
                        Value::String(self.utf8(b, "a string")?)
                    }
                    _ => {
                        let bytes = match raw {
                            true => self.sized("a blob")?,
                            false => self.base64("a blob")?,
                        };
                        match letter {
                            b'L' | b'M' => {
                                let line = self.line;
                                let v = msgpack::decode(&bytes).map_err(|e| {
                                    Error::ParameterError(format!(
                                        "malformed backup file at line {line}: {e}"
                                    ))
                                })?;
                                let fits = matches!(
                                    (letter, &v),
                                    (b'L', Value::List(_)) | (b'M', Value::Map(_))
                                );
                                if !fits {
                                    return Err(Error::ParameterError(format!(
                                        "malformed backup file at line {line}: expected a msgpack {}",
                                        if letter == b'L' { "list" } else { "map" }
                                    )));
                                }
                                v
                            }
                            _ => Value::Blob(bytes),
                        }
                    }
                }
            }
        };
        self.eol()?;
        Ok((name, value))
    }
}
