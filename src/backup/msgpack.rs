//! Aerospike's msgpack particles for list and map bins.
//!
//! Standard msgpack, except that every string element is a str header of
//! length n + 1, the particle type byte `0x03` and the UTF-8 bytes, and every
//! blob element the same with `0x04`. Maps are written key-ordered: their
//! first pair is the ext `c7 00 01` → nil, counted in the map header.

use crate::error::{Error, Result};
use crate::value::Value;
use std::collections::BTreeMap;

const STRING: u8 = 0x03;
const BLOB: u8 = 0x04;
const GEOJSON: u8 = 0x17;
/// Deepest nesting a decoded particle may have.
const MAX_DEPTH: usize = 64;

/// Appends the msgpack particle of `v` to `out`.
pub(crate) fn encode(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Nil => out.push(0xc0),
        Value::Bool(b) => out.push(if *b { 0xc3 } else { 0xc2 }),
        Value::Int(i) => encode_int(*i, out),
        Value::Float(f) => {
            out.push(0xcb);
            out.extend_from_slice(&f.to_bits().to_be_bytes());
        }
        Value::String(s) => encode_bytes(STRING, s.as_bytes(), out),
        Value::Blob(b) => encode_bytes(BLOB, b, out),
        Value::List(items) => {
            header(0x90, 0xdc, 0xdd, items.len(), out);
            for i in items {
                encode(i, out);
            }
        }
        Value::Map(m) => {
            header(0x80, 0xde, 0xdf, m.len() + 1, out);
            // The key-ordered flag: ext type 1 of length 0, then nil.
            out.extend_from_slice(&[0xc7, 0x00, 0x01, 0xc0]);
            for (k, v) in m {
                encode(k, out);
                encode(v, out);
            }
        }
    }
}

fn encode_int(i: i64, out: &mut Vec<u8>) {
    if i >= 0 {
        let u = i as u64;
        if u < 128 {
            out.push(u as u8);
        } else if u <= 0xff {
            out.extend_from_slice(&[0xcc, u as u8]);
        } else if u <= 0xffff {
            out.push(0xcd);
            out.extend_from_slice(&(u as u16).to_be_bytes());
        } else if u <= 0xffff_ffff {
            out.push(0xce);
            out.extend_from_slice(&(u as u32).to_be_bytes());
        } else {
            out.push(0xcf);
            out.extend_from_slice(&u.to_be_bytes());
        }
    } else if i >= -32 {
        out.push(i as i8 as u8);
    } else if i >= i64::from(i8::MIN) {
        out.extend_from_slice(&[0xd0, i as i8 as u8]);
    } else if i >= i64::from(i16::MIN) {
        out.push(0xd1);
        out.extend_from_slice(&(i as i16).to_be_bytes());
    } else if i >= i64::from(i32::MIN) {
        out.push(0xd2);
        out.extend_from_slice(&(i as i32).to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&i.to_be_bytes());
    }
}

/// A str header of length n + 1, the particle type byte, the bytes.
fn encode_bytes(particle: u8, b: &[u8], out: &mut Vec<u8>) {
    let n = b.len() + 1;
    if n < 32 {
        out.push(0xa0 | n as u8);
    } else if n <= 0xff {
        out.extend_from_slice(&[0xd9, n as u8]);
    } else if n <= 0xffff {
        out.push(0xda);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        out.push(0xdb);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    }
    out.push(particle);
    out.extend_from_slice(b);
}

fn header(fix: u8, b16: u8, b32: u8, n: usize, out: &mut Vec<u8>) {
    if n < 16 {
        out.push(fix | n as u8);
    } else if n <= 0xffff {
        out.push(b16);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        out.push(b32);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    }
}

/// Decodes a whole particle (a list or map bin's bytes).
///
/// # Errors
/// `ParameterError` saying what is wrong, for bytes that are not one
/// complete particle.
pub(crate) fn decode(b: &[u8]) -> Result<Value> {
    let mut d = Decoder { b, at: 0 };
    let v = d
        .value(0)?
        .ok_or_else(|| d.bad("a value, not an ext element"))?;
    if d.at != b.len() {
        return Err(d.bad("the end of the particle"));
    }
    Ok(v)
}

struct Decoder<'a> {
    b: &'a [u8],
    at: usize,
}

impl Decoder<'_> {
    fn bad(&self, expected: &str) -> Error {
        Error::ParameterError(format!(
            "malformed msgpack particle at byte {}: expected {expected}",
            self.at
        ))
    }

    fn take(&mut self, n: usize) -> Result<&[u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.b.len());
        let Some(end) = end else {
            return Err(self.bad(&format!("{n} more bytes")));
        };
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn uint(&mut self, n: usize) -> Result<u64> {
        let mut v = 0u64;
        for &byte in self.take(n)? {
            v = v << 8 | u64::from(byte);
        }
        Ok(v)
    }

    /// One element; `None` for an ext element (an ordering flag).
    fn value(&mut self, depth: usize) -> Result<Option<Value>> {
        if depth > MAX_DEPTH {
            return Err(self.bad(&format!("nesting of at most {MAX_DEPTH} levels")));
        }
        let t = self.take(1)?[0];
        let v = match t {
            0x00..=0x7f => Value::Int(i64::from(t)),
            0xe0..=0xff => Value::Int(i64::from(t as i8)),
            0xc0 => Value::Nil,
            0xc2 => Value::Bool(false),
            0xc3 => Value::Bool(true),
            0xcc => Value::Int(self.uint(1)? as i64),
            0xcd => Value::Int(self.uint(2)? as i64),
            0xce => Value::Int(self.uint(4)? as i64),
            0xcf => {
                let u = self.uint(8)?;
                Value::Int(i64::try_from(u).map_err(|_| self.bad("an integer within i64"))?)
            }
            0xd0 => Value::Int(i64::from(self.uint(1)? as u8 as i8)),
            0xd1 => Value::Int(i64::from(self.uint(2)? as u16 as i16)),
            0xd2 => Value::Int(i64::from(self.uint(4)? as u32 as i32)),
            0xd3 => Value::Int(self.uint(8)? as i64),
            0xca => Value::Float(f64::from(f32::from_bits(self.uint(4)? as u32))),
            0xcb => Value::Float(f64::from_bits(self.uint(8)?)),
            0xa0..=0xbf => self.particle(usize::from(t & 0x1f))?,
            0xd9 | 0xc4 => {
                let n = self.uint(1)? as usize;
                self.particle(n)?
            }
            0xda | 0xc5 => {
                let n = self.uint(2)? as usize;
                self.particle(n)?
            }
            0xdb | 0xc6 => {
                let n = self.uint(4)? as usize;
                self.particle(n)?
            }
            0x90..=0x9f => self.list(usize::from(t & 0x0f), depth)?,
            0xdc => {
                let n = self.uint(2)? as usize;
                self.list(n, depth)?
            }
            0xdd => {
                let n = self.uint(4)? as usize;
                self.list(n, depth)?
            }
            0x80..=0x8f => self.map(usize::from(t & 0x0f), depth)?,
            0xde => {
                let n = self.uint(2)? as usize;
                self.map(n, depth)?
            }
            0xdf => {
                let n = self.uint(4)? as usize;
                self.map(n, depth)?
            }
            0xd4..=0xd8 => {
                let n = 1usize << (t - 0xd4);
                self.take(1 + n)?;
                return Ok(None);
            }
            0xc7..=0xc9 => {
                let n = self.uint(1 << (t - 0xc7))? as usize;
                self.take(1 + n)?;
                return Ok(None);
            }
            _ => return Err(self.bad("a msgpack type byte")),
        };
        Ok(Some(v))
    }

    /// A string or blob element of `n` bytes: the particle type byte and data.
    fn particle(&mut self, n: usize) -> Result<Value> {
        if n == 0 {
            // Plain msgpack with no particle byte: an empty string.
            return Ok(Value::String(String::new()));
        }
        let bytes = self.take(n)?;
        let (kind, data) = (bytes[0], &bytes[1..]);
        Ok(match kind {
            STRING | GEOJSON => match std::str::from_utf8(data) {
                Ok(s) => Value::String(s.to_string()),
                Err(_) => Value::Blob(data.to_vec()),
            },
            _ => Value::Blob(data.to_vec()),
        })
    }

    fn list(&mut self, n: usize, depth: usize) -> Result<Value> {
        let mut items = Vec::with_capacity(n.min(self.b.len() - self.at));
        for _ in 0..n {
            if let Some(v) = self.value(depth + 1)? {
                items.push(v);
            }
        }
        Ok(Value::List(items))
    }

    fn map(&mut self, n: usize, depth: usize) -> Result<Value> {
        let mut m = BTreeMap::new();
        for _ in 0..n {
            let k = self.value(depth + 1)?;
            let v = self.value(depth + 1)?;
            match (k, v) {
                // The ordering flag pair: ext → nil.
                (None, _) => {}
                (Some(k), Some(v)) => {
                    m.insert(k, v);
                }
                (Some(_), None) => return Err(self.bad("a map value, not an ext element")),
            }
        }
        Ok(Value::Map(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(v: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        encode(v, &mut out);
        out
    }

    #[test]
    fn hand_computed_bytes() {
        let list = Value::List(vec![Value::from("a"), Value::Int(1)]);
        assert_eq!(enc(&list), [0x92, 0xa2, 0x03, b'a', 0x01]);
        let mut m = BTreeMap::new();
        m.insert(Value::from("a"), Value::Int(1));
        let map = Value::Map(m);
        assert_eq!(
            enc(&map),
            [0x82, 0xc7, 0x00, 0x01, 0xc0, 0xa2, 0x03, b'a', 0x01]
        );
        assert_eq!(enc(&Value::Int(-1)), [0xff]);
        assert_eq!(enc(&Value::Int(-33)), [0xd0, 0xdf]);
        assert_eq!(enc(&Value::Int(200)), [0xcc, 200]);
        assert_eq!(enc(&Value::Int(-200)), [0xd1, 0xff, 0x38]);
        assert_eq!(enc(&Value::Blob(vec![9])), [0xa2, 0x04, 9]);
        assert_eq!(
            enc(&Value::Float(1.5)),
            [0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]
        );
        for v in [&list, &map] {
            assert_eq!(&decode(&enc(v)).unwrap(), v);
        }
    }

    #[test]
    fn round_trips_and_bin_headers() {
        let mut inner = BTreeMap::new();
        inner.insert(Value::Int(3), Value::List(vec![]));
        inner.insert(Value::Blob(vec![1, 2]), Value::Map(BTreeMap::new()));
        let v = Value::List(vec![
            Value::Nil,
            Value::Bool(true),
            Value::Int(i64::MIN),
            Value::Int(i64::MAX),
            Value::Float(f64::NAN),
            Value::from("x".repeat(40_000)),
            Value::Map(inner),
            Value::List((0..20).map(Value::Int).collect()),
        ]);
        assert_eq!(decode(&enc(&v)).unwrap(), v);
        // A bin header (c4) with the string particle byte reads as a string.
        assert_eq!(
            decode(&[0x91, 0xc4, 0x02, 0x03, b'z']).unwrap(),
            Value::List(vec![Value::from("z")])
        );
        // An ordered list's leading ext element is dropped.
        assert_eq!(
            decode(&[0x92, 0xc7, 0x00, 0x01, 0x05]).unwrap(),
            Value::List(vec![Value::Int(5)])
        );
    }

    #[test]
    fn malformed_is_an_error() {
        for b in [
            &[0x92, 0x01][..],
            &[0xc1],
            &[0x91, 0xdb, 0xff, 0xff, 0xff, 0xff],
            &[0x01, 0x02],
        ] {
            assert!(matches!(decode(b), Err(Error::ParameterError(_))), "{b:?}");
        }
        let mut deep = vec![0x91u8; 100];
        deep.push(0x01);
        assert!(decode(&deep).is_err());
    }
}
