//! The record payload codec: bins and values as bytes (see `docs/format.md`).
//!
//! Encoded bins can be walked without decoding their values, so a merging
//! write copies the bins it keeps byte for byte.

use crate::bin::Bins;
use crate::error::{Error, Result};
use crate::value::Value;
use std::collections::{BTreeMap, HashMap};

/// Deepest nesting of lists and maps a record may hold.
pub(crate) const MAX_DEPTH: usize = 64;

const T_NIL: u8 = 0;
const T_BOOL: u8 = 1;
const T_INT: u8 = 2;
const T_FLOAT: u8 = 3;
const T_STRING: u8 = 4;
const T_BLOB: u8 = 5;
const T_LIST: u8 = 6;
const T_MAP: u8 = 7;

fn corrupt(what: &str) -> Error {
    Error::Corruption {
        message: format!("record payload is malformed: {what}"),
    }
}

fn len32(n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| Error::ParameterError("value longer than 4 GiB".into()))
}

/// Checks that `v` nests at most [`MAX_DEPTH`] levels.
pub(crate) fn check_depth(v: &Value) -> Result<()> {
    fn depth_ok(v: &Value, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match v {
            Value::List(items) => items.iter().all(|i| depth_ok(i, depth + 1)),
            Value::Map(m) => m
                .iter()
                .all(|(k, v)| depth_ok(k, depth + 1) && depth_ok(v, depth + 1)),
            _ => true,
        }
    }
    if depth_ok(v, 1) {
        Ok(())
    } else {
        Err(Error::ParameterError(format!(
            "value nests deeper than {MAX_DEPTH} levels of lists and maps"
        )))
    }
}

/// Appends the encoding of `v` (whose depth was checked) to `out`.
pub(crate) fn encode_value(v: &Value, out: &mut Vec<u8>) -> Result<()> {
    match v {
        Value::Nil => out.push(T_NIL),
        Value::Bool(b) => {
            out.push(T_BOOL);
            out.push(u8::from(*b));
        }
        Value::Int(i) => {
            out.push(T_INT);
            out.extend_from_slice(&i.to_le_bytes());
        }
        Value::Float(f) => {
            out.push(T_FLOAT);
            out.extend_from_slice(&f.to_bits().to_le_bytes());
        }
        Value::String(s) => {
            out.push(T_STRING);
            out.extend_from_slice(&len32(s.len())?.to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
        Value::Blob(b) => {
            out.push(T_BLOB);
            out.extend_from_slice(&len32(b.len())?.to_le_bytes());
            out.extend_from_slice(b);
        }
        Value::List(items) => {
            let at = begin_container(out, T_LIST, items.len())?;
            for item in items {
                encode_value(item, out)?;
            }
            end_container(out, at)?;
        }
        Value::Map(m) => {
            let at = begin_container(out, T_MAP, m.len())?;
            for (k, v) in m {
                encode_value(k, out)?;
                encode_value(v, out)?;
            }
            end_container(out, at)?;
        }
    }
    Ok(())
}

/// Containers: type, u32 byte length of what follows the count, u32 count.
fn begin_container(out: &mut Vec<u8>, t: u8, count: usize) -> Result<usize> {
    out.push(t);
    let at = out.len();
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&len32(count)?.to_le_bytes());
    Ok(at)
}

fn end_container(out: &mut [u8], at: usize) -> Result<()> {
    let body = len32(out.len() - at - 8)?;
    out[at..at + 4].copy_from_slice(&body.to_le_bytes());
    Ok(())
}

fn read_u32(b: &[u8], at: usize) -> Result<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or_else(|| corrupt("truncated length"))
}

fn read_u64(b: &[u8], at: usize) -> Result<u64> {
    let s = b
        .get(at..at + 8)
        .ok_or_else(|| corrupt("truncated number"))?;
    let mut a = [0u8; 8];
    a.copy_from_slice(s);
    Ok(u64::from_le_bytes(a))
}

/// Length of the encoded value at the start of `b`, without decoding it.
pub(crate) fn value_len(b: &[u8]) -> Result<usize> {
    let n = match b.first().ok_or_else(|| corrupt("missing value"))? {
        &T_NIL => 1,
        &T_BOOL => 2,
        &T_INT | &T_FLOAT => 9,
        &T_STRING | &T_BLOB => 5 + read_u32(b, 1)? as usize,
        &T_LIST | &T_MAP => 9 + read_u32(b, 1)? as usize,
        _ => return Err(corrupt("unknown value type")),
    };
    if n > b.len() {
        return Err(corrupt("value runs past the end"));
    }
    Ok(n)
}

/// Decodes the value at the start of `b`; returns it and its length.
pub(crate) fn decode_value(b: &[u8]) -> Result<(Value, usize)> {
    decode_at(b, 1)
}

fn decode_at(b: &[u8], depth: usize) -> Result<(Value, usize)> {
    if depth > MAX_DEPTH {
        return Err(corrupt("nesting too deep"));
    }
    let n = value_len(b)?;
    let v = match b[0] {
        T_NIL => Value::Nil,
        T_BOOL => Value::Bool(b[1] != 0),
        T_INT => Value::Int(read_u64(b, 1)? as i64),
        T_FLOAT => Value::Float(f64::from_bits(read_u64(b, 1)?)),
        T_STRING => Value::String(
            String::from_utf8(b[5..n].to_vec()).map_err(|_| corrupt("string is not UTF-8"))?,
        ),
        T_BLOB => Value::Blob(b[5..n].to_vec()),
        T_LIST => {
            let count = read_u32(b, 5)? as usize;
            let mut items = Vec::with_capacity(count.min(n));
            let mut at = 9;
            for _ in 0..count {
                let (v, len) = decode_at(&b[at..n], depth + 1)?;
                items.push(v);
                at += len;
            }
            Value::List(items)
        }
        _ => {
            let count = read_u32(b, 5)? as usize;
            let mut m = BTreeMap::new();
            let mut at = 9;
            for _ in 0..count {
                let (k, klen) = decode_at(&b[at..n], depth + 1)?;
                at += klen;
                let (v, vlen) = decode_at(&b[at..n], depth + 1)?;
                at += vlen;
                m.insert(k, v);
            }
            Value::Map(m)
        }
    };
    Ok((v, n))
}

/// Builds a payload: a bin count followed by bins.
pub(crate) struct PayloadWriter<'a> {
    out: &'a mut Vec<u8>,
    count: usize,
}

impl<'a> PayloadWriter<'a> {
    /// Starts a payload in `out` (which is cleared).
    pub(crate) fn new(out: &'a mut Vec<u8>) -> Self {
        out.clear();
        out.extend_from_slice(&[0, 0]);
        PayloadWriter { out, count: 0 }
    }

    /// Adds a bin whose value is already encoded.
    pub(crate) fn push_raw(&mut self, name: &str, value: &[u8]) {
        self.out.push(name.len() as u8);
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(value);
        self.count += 1;
    }

    /// Adds a bin (name validated by the caller: 0..=15 bytes).
    pub(crate) fn push(&mut self, name: &str, value: &Value) -> Result<()> {
        self.out.push(name.len() as u8);
        self.out.extend_from_slice(name.as_bytes());
        encode_value(value, self.out)?;
        self.count += 1;
        Ok(())
    }

    /// Bins written so far.
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// Writes the bin count; the caller checked it is at most 32767.
    pub(crate) fn finish(self) -> usize {
        let c = (self.count as u16).to_le_bytes();
        self.out[0] = c[0];
        self.out[1] = c[1];
        self.count
    }
}

/// Walks the bins of a payload as `(name, encoded value)`.
pub(crate) struct BinIter<'a> {
    b: &'a [u8],
    at: usize,
    left: usize,
}

/// The bins of `payload`.
pub(crate) fn bins(payload: &[u8]) -> Result<BinIter<'_>> {
    let c = payload
        .get(0..2)
        .ok_or_else(|| corrupt("missing bin count"))?;
    Ok(BinIter {
        b: payload,
        at: 2,
        left: usize::from(u16::from_le_bytes([c[0], c[1]])),
    })
}

impl<'a> Iterator for BinIter<'a> {
    type Item = Result<(&'a str, &'a [u8])>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let r = (|| {
            let nl = usize::from(
                *self
                    .b
                    .get(self.at)
                    .ok_or_else(|| corrupt("missing bin name"))?,
            );
            let name = self
                .b
                .get(self.at + 1..self.at + 1 + nl)
                .ok_or_else(|| corrupt("truncated bin name"))?;
            let name = std::str::from_utf8(name).map_err(|_| corrupt("bin name is not UTF-8"))?;
            let vstart = self.at + 1 + nl;
            let vlen = value_len(&self.b[vstart..])?;
            self.at = vstart + vlen;
            Ok((name, &self.b[vstart..vstart + vlen]))
        })();
        if r.is_err() {
            self.left = 0;
        }
        Some(r)
    }
}

/// Decodes the bins of `payload` that `select` asks for.
pub(crate) fn decode_bins(payload: &[u8], select: &Bins) -> Result<HashMap<String, Value>> {
    if matches!(select, Bins::None) {
        return Ok(HashMap::new());
    }
    let stored = bins(payload)?;
    // Sized once for the bins that can be selected, so a record of many
    // bins is not rehashed as it fills (the count is the stored one, at
    // most 65,535, and at most a bin per two payload bytes).
    let most = stored.left.min(payload.len() / 2);
    let mut out = HashMap::with_capacity(match select {
        Bins::Some(names) => names.len().min(most),
        _ => most,
    });
    for bin in stored {
        let (name, raw) = bin?;
        if select.selects(name) {
            out.insert(name.to_string(), decode_value(raw)?.0);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{as_list, as_map};

    fn round_trip(v: Value) {
        let mut out = Vec::new();
        encode_value(&v, &mut out).unwrap();
        assert_eq!(value_len(&out).unwrap(), out.len());
        let (back, n) = decode_value(&out).unwrap();
        assert_eq!(back, v);
        assert_eq!(n, out.len());
    }

    #[test]
    fn values_round_trip() {
        round_trip(Value::Nil);
        round_trip(Value::Bool(true));
        round_trip(Value::Int(i64::MIN));
        round_trip(Value::Float(-0.0));
        round_trip(Value::Float(f64::NAN));
        round_trip(Value::String("héllo".into()));
        round_trip(Value::Blob(vec![0, 1, 255]));
        round_trip(as_list!(
            1,
            "a",
            2.5,
            as_list!(),
            as_map!("k" => as_list!(1, 2))
        ));
        round_trip(as_map!(1 => "x", "b" => vec![1u8, 2], 3.5 => Value::Nil));
    }

    #[test]
    fn payload_walk_and_select() {
        let mut buf = Vec::new();
        let mut w = PayloadWriter::new(&mut buf);
        w.push("a", &Value::Int(1)).unwrap();
        w.push("b", &as_list!("x", 2)).unwrap();
        let mut raw = Vec::new();
        encode_value(&Value::from("s"), &mut raw).unwrap();
        w.push_raw("c", &raw);
        assert_eq!(w.finish(), 3);
        let names: Vec<&str> = bins(&buf).unwrap().map(|b| b.unwrap().0).collect();
        assert_eq!(names, ["a", "b", "c"]);
        let all = decode_bins(&buf, &Bins::All).unwrap();
        assert_eq!(all["b"], as_list!("x", 2));
        assert_eq!(all["c"], Value::from("s"));
        let some = decode_bins(&buf, &Bins::from(["c", "zz"])).unwrap();
        assert_eq!(some.len(), 1);
        assert!(decode_bins(&buf, &Bins::None).unwrap().is_empty());
    }

    #[test]
    fn garbage_never_panics() {
        let mut buf = Vec::new();
        let mut w = PayloadWriter::new(&mut buf);
        w.push("list", &as_list!(1, as_map!("k" => "v"), "s"))
            .unwrap();
        w.finish();
        for cut in 0..buf.len() {
            let _ = decode_bins(&buf[..cut], &Bins::All);
        }
        for i in 0..buf.len() {
            let mut b = buf.clone();
            b[i] ^= 0xff;
            let _ = decode_bins(&b, &Bins::All);
        }
    }

    #[test]
    fn depth_is_bounded() {
        let mut v = Value::Int(1);
        for _ in 0..MAX_DEPTH - 1 {
            v = Value::List(vec![v]);
        }
        check_depth(&v).unwrap();
        assert!(check_depth(&Value::List(vec![v])).is_err());
    }
}
