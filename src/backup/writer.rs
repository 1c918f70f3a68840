//! Writing asbackup 3.1 files: the header, then per record the lines
//! `k n d s g t b` and one line per bin.

use super::msgpack;
use crate::error::Result;
use crate::key::Key;
use crate::record::Record;
use crate::value::Value;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use std::io::Write;

/// Escapes a name: a backslash before every backslash, space and LF.
pub(crate) fn escape(name: &str, out: &mut Vec<u8>) {
    for &b in name.as_bytes() {
        if matches!(b, b'\\' | b' ' | b'\n') {
            out.push(b'\\');
        }
        out.push(b);
    }
}

/// A double as C's `%.17g` prints it, with `nan`, `inf` and `-inf`.
pub(crate) fn format_double(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // 17 significant digits: one before the point, 16 after.
    let sci = format!("{x:.16e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..17).contains(&exp) {
        let m = strip_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{m}e{sign}{:02}", exp.unsigned_abs());
    }
    let decimals = usize::try_from(16 - exp).unwrap_or(0);
    strip_zeros(&format!("{x:.decimals$}")).to_string()
}

fn strip_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// Writes the file header for `namespace`.
pub(crate) fn header(namespace: &str, out: &mut dyn Write) -> Result<u64> {
    let mut b = Vec::with_capacity(64);
    b.extend_from_slice(b"Version 3.1\n# namespace ");
    escape(namespace, &mut b);
    b.extend_from_slice(b"\n# first-file\n");
    out.write_all(&b)?;
    Ok(b.len() as u64)
}

/// Appends the lines of one record to `b`.
pub(crate) fn record(namespace: &str, rec: &Record, key: &Key, b: &mut Vec<u8>) {
    if let Some(k) = key.user_key() {
        match k {
            Value::Int(i) => b.extend_from_slice(format!("+ k I {i}\n").as_bytes()),
            Value::String(s) => {
                b.extend_from_slice(format!("+ k S {} ", s.len()).as_bytes());
                b.extend_from_slice(s.as_bytes());
                b.push(b'\n');
            }
            Value::Blob(bytes) => {
                let enc = STANDARD.encode(bytes);
                b.extend_from_slice(format!("+ k B {} {enc}\n", enc.len()).as_bytes());
            }
            // Keys are only ever ints, strings or blobs.
            _ => {}
        }
    }
    b.extend_from_slice(b"+ n ");
    escape(namespace, b);
    b.extend_from_slice(b"\n+ d ");
    b.extend_from_slice(STANDARD.encode(key.digest().0).as_bytes());
    b.push(b'\n');
    if !key.set_name().is_empty() {
        b.extend_from_slice(b"+ s ");
        escape(key.set_name(), b);
        b.push(b'\n');
    }
    b.extend_from_slice(
        format!(
            "+ g {}\n+ t {}\n+ b {}\n",
            rec.generation,
            rec.expiration,
            rec.bins.len()
        )
        .as_bytes(),
    );
    let mut names: Vec<&String> = rec.bins.keys().collect();
    names.sort();
    for name in names {
        bin(name, &rec.bins[name], b);
    }
}

fn bin(name: &str, v: &Value, b: &mut Vec<u8>) {
    let letter = match v {
        Value::Nil => "N",
        Value::Bool(_) => "Z",
        Value::Int(_) => "I",
        Value::Float(_) => "D",
        Value::String(_) => "S",
        Value::Blob(_) => "B",
        Value::List(_) => "L",
        Value::Map(_) => "M",
    };
    b.extend_from_slice(format!("- {letter} ").as_bytes());
    escape(name, b);
    match v {
        Value::Nil => {}
        Value::Bool(x) => b.extend_from_slice(if *x { b" T" } else { b" F" }),
        Value::Int(i) => b.extend_from_slice(format!(" {i}").as_bytes()),
        Value::Float(f) => b.extend_from_slice(format!(" {}", format_double(*f)).as_bytes()),
        Value::String(s) => {
            b.extend_from_slice(format!(" {} ", s.len()).as_bytes());
            b.extend_from_slice(s.as_bytes());
        }
        Value::Blob(bytes) => base64_value(bytes, b),
        Value::List(_) | Value::Map(_) => {
            let mut packed = Vec::new();
            msgpack::encode(v, &mut packed);
            base64_value(&packed, b);
        }
    }
    b.push(b'\n');
}

fn base64_value(bytes: &[u8], b: &mut Vec<u8>) {
    let enc = STANDARD.encode(bytes);
    b.extend_from_slice(format!(" {} {enc}", enc.len()).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_as_printf_17g() {
        for (x, s) in [
            (0.1, "0.10000000000000001"),
            (1.0, "1"),
            (1.5, "1.5"),
            (-2.25, "-2.25"),
            (1e20, "1e+20"),
            (1.5e-7, "1.4999999999999999e-07"),
            (123456789.0, "123456789"),
            (1e16, "10000000000000000"),
            (1e17, "1e+17"),
            (0.0001, "0.0001"),
            (0.00001, "1.0000000000000001e-05"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::NAN, "nan"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ] {
            assert_eq!(format_double(x), s, "{x:e}");
            if x.is_finite() {
                assert_eq!(s.parse::<f64>().unwrap(), x);
            }
        }
    }

    #[test]
    fn escaping() {
        let mut b = Vec::new();
        escape("a b\\c\nd", &mut b);
        assert_eq!(b, b"a\\ b\\\\c\\\nd");
    }
}
