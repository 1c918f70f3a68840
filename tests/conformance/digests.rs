//! Digest vectors from the clients' key tests. Every vector uses namespace
//! "namespace" and set "set" unless the source says otherwise; the expected
//! hex strings are copied as the sources state them.

use aerolite::{Digest, Error, Key, ResultCode, Value};

/// The hex digest of `(set, user key)` through `Key::new(..).digest()`.
fn hex(set: &str, user_key: impl Into<Value>) -> String {
    Key::new("namespace", set, user_key)
        .unwrap()
        .digest()
        .to_hex()
}

fn repeat(c: char, n: usize) -> String {
    std::iter::repeat_n(c, n).collect()
}

fn blob(c: u8, n: usize) -> Vec<u8> {
    vec![c; n]
}

/// One `#[test]` per vector: name, set, user key, expected hex.
macro_rules! vectors {
    ($($(#[$m:meta])* $name:ident: $set:expr, $key:expr => $hex:expr;)*) => {
        $(
            $(#[$m])*
            #[test]
            fn $name() {
                assert_eq!(hex($set, $key), $hex);
            }
        )*
    };
}

// aerospike/aerospike-client-rust, src/key.rs, `mod tests`, fn int_keys.
vectors! {
    rust_int_keys_0: "set", 0 => "93d943aae37b017ad7e011b0c1d2e2143c2fb37d";
    rust_int_keys_minus_1: "set", -1 => "22116d253745e29fc63fdf760b6e26f7e197e01d";
    rust_int_keys_1i8: "set", 1i8 => "82d7213b469812947c109a6d341e3b5b1dedec1f";
    rust_int_keys_1u32: "set", 1u32 => "82d7213b469812947c109a6d341e3b5b1dedec1f";
    rust_int_keys_i64_min: "set", i64::MIN => "7185c2a47fb02c996daed26b4e01b83240aee9d4";
    rust_int_keys_i64_max: "set", i64::MAX => "1698328974afa62c8e069860c1516f780d63dbb8";
    rust_int_keys_i32_min: "set", i32::MIN => "d635a867b755f8f54cdc6275e6fb437df82a728c";
    rust_int_keys_i32_max: "set", i32::MAX => "fa8c47b8b898af1bbcb20af0d729ca68359a2645";
    rust_int_keys_i16_min: "set", i16::MIN => "7f41e9dd1f3fe3694be0430e04c8bfc7d51ec2af";
    rust_int_keys_i16_max: "set", i16::MAX => "309fc9c2619c4f65ff7f4cd82085c3ee7a31fc7c";
    rust_int_keys_i8_min: "set", i8::MIN => "93191e549f8f3548d7e2cfc958ddc8c65bcbe4c6";
    rust_int_keys_i8_max: "set", i8::MAX => "a58f7d98bf60e10fe369c82030b1c9dee053def9";
    rust_int_keys_u32_max: "set", u32::MAX => "2cdf52bf5641027042b9cf9a499e509a58b330e2";
    rust_int_keys_u16_max: "set", u16::MAX => "3f0dd44352749a9fd5b7ec44213441ef54c46d57";
    rust_int_keys_u8_max: "set", u8::MAX => "5a7dd3ea237c30c8735b051524e66fd401a10f6a";
}

// aerospike/aerospike-client-rust, src/key.rs, `mod tests`, fn string_keys.
vectors! {
    rust_string_keys_empty: "set", "" => "2819b1ff6e346a43b4f5f6b77a88bc3eaac22a83";
    rust_string_keys_s_1: "set", repeat('s', 1) => "607cddba7cd111745ef0a3d783d57f0e83c8f311";
    rust_string_keys_a_10: "set", repeat('a', 10) => "5979fb32a80da070ff356f7695455592272e36c2";
    rust_string_keys_m_100: "set", repeat('m', 100) => "f00ad7dbcb4bd8122d9681bca49b8c2ffd4beeed";
    rust_string_keys_t_1000: "set", repeat('t', 1000) => "07ac412d4c33b8628ab147b8db244ce44ae527f8";
    rust_string_keys_dash_10000: "set", repeat('-', 10_000) => "b42e64afbfccb05912a609179228d9249ea1c1a0";
    rust_string_keys_plus_100000: "set", repeat('+', 100_000) => "0a3e888c20bb8958537ddd4ba835e4070bd51740";
    rust_string_keys_haha: "set", "haha" => "36eb02a807dbade8cd784e7800d76308b4e89212";
}

// aerospike/aerospike-client-rust, src/key.rs, `mod tests`, fn blob_keys.
vectors! {
    rust_blob_keys_empty: "set", blob(0, 0) => "327e2877b8815c7aeede0d5a8620d4ef8df4a4b4";
    rust_blob_keys_s_1: "set", blob(b's', 1) => "ca2d96dc9a184d15a7fa2927565e844e9254e001";
    rust_blob_keys_a_10: "set", blob(b'a', 10) => "d10982327b2b04c7360579f252e164a75f83cd99";
    rust_blob_keys_m_100: "set", blob(b'm', 100) => "475786aa4ee664532a7d1ea69cb02e4695fcdeed";
    rust_blob_keys_t_1000: "set", blob(b't', 1000) => "5a32b507518a49bf47fdaa3deca53803f5b2e8c3";
    rust_blob_keys_dash_10000: "set", blob(b'-', 10_000) => "ed65c63f7a1f8c6697eb3894b6409a95461fd982";
    rust_blob_keys_plus_100000: "set", blob(b'+', 100_000) => "fe19770c371774ba1a1532438d4851b8a773a9e6";
}

// aerospike/aerospike-client-go, key_test.go, "Digests should be the same" /
// It("for Integers").
vectors! {
    go_integers_min_int64: "set", i64::MIN => "7185c2a47fb02c996daed26b4e01b83240aee9d4";
    go_integers_max_int64: "set", i64::MAX => "1698328974afa62c8e069860c1516f780d63dbb8";
    go_integers_min_int32: "set", i32::MIN => "d635a867b755f8f54cdc6275e6fb437df82a728c";
    go_integers_max_int32: "set", i32::MAX => "fa8c47b8b898af1bbcb20af0d729ca68359a2645";
    go_integers_min_int16: "set", i16::MIN => "7f41e9dd1f3fe3694be0430e04c8bfc7d51ec2af";
    go_integers_max_int16: "set", i16::MAX => "309fc9c2619c4f65ff7f4cd82085c3ee7a31fc7c";
    go_integers_min_int8: "set", i8::MIN => "93191e549f8f3548d7e2cfc958ddc8c65bcbe4c6";
    go_integers_max_int8: "set", i8::MAX => "a58f7d98bf60e10fe369c82030b1c9dee053def9";
    go_integers_minus_1: "set", -1 => "22116d253745e29fc63fdf760b6e26f7e197e01d";
    go_integers_0: "set", 0 => "93d943aae37b017ad7e011b0c1d2e2143c2fb37d";
}

// aerospike/aerospike-client-go, key_test.go, It("for Strings").
vectors! {
    go_strings_empty: "set", "" => "2819b1ff6e346a43b4f5f6b77a88bc3eaac22a83";
    go_strings_s_1: "set", repeat('s', 1) => "607cddba7cd111745ef0a3d783d57f0e83c8f311";
    go_strings_a_10: "set", repeat('a', 10) => "5979fb32a80da070ff356f7695455592272e36c2";
    go_strings_m_100: "set", repeat('m', 100) => "f00ad7dbcb4bd8122d9681bca49b8c2ffd4beeed";
    go_strings_t_1000: "set", repeat('t', 1000) => "07ac412d4c33b8628ab147b8db244ce44ae527f8";
    go_strings_dash_10000: "set", repeat('-', 10_000) => "b42e64afbfccb05912a609179228d9249ea1c1a0";
    go_strings_plus_100000: "set", repeat('+', 100_000) => "0a3e888c20bb8958537ddd4ba835e4070bd51740";
}

// aerospike/aerospike-client-go, key_test.go, It("for []byte").
vectors! {
    go_bytes_empty: "set", blob(0, 0) => "327e2877b8815c7aeede0d5a8620d4ef8df4a4b4";
    go_bytes_s_1: "set", blob(b's', 1) => "ca2d96dc9a184d15a7fa2927565e844e9254e001";
    go_bytes_a_10: "set", blob(b'a', 10) => "d10982327b2b04c7360579f252e164a75f83cd99";
    go_bytes_m_100: "set", blob(b'm', 100) => "475786aa4ee664532a7d1ea69cb02e4695fcdeed";
    go_bytes_t_1000: "set", blob(b't', 1000) => "5a32b507518a49bf47fdaa3deca53803f5b2e8c3";
    go_bytes_dash_10000: "set", blob(b'-', 10_000) => "ed65c63f7a1f8c6697eb3894b6409a95461fd982";
    go_bytes_plus_100000: "set", blob(b'+', 100_000) => "fe19770c371774ba1a1532438d4851b8a773a9e6";
}

// aerospike/aerospike-client-python, the test module whose docstring is
// "Tests to demonstrate correct calculations of key digests" (NAMESPACE =
// 'namespace', SET = 'set'; its path was not in the index searched, so the
// file name is not given), test_validate_digest_ints, one parametrized case
// each.
vectors! {
    python_digest_ints_minus_1: "set", -1 => "22116d253745e29fc63fdf760b6e26f7e197e01d";
    python_digest_ints_0: "set", 0 => "93d943aae37b017ad7e011b0c1d2e2143c2fb37d";
    python_digest_ints_1: "set", 1 => "82d7213b469812947c109a6d341e3b5b1dedec1f";
    python_digest_ints_minus_128: "set", -128 => "93191e549f8f3548d7e2cfc958ddc8c65bcbe4c6";
    python_digest_ints_127: "set", 127 => "a58f7d98bf60e10fe369c82030b1c9dee053def9";
    python_digest_ints_255: "set", 255 => "5a7dd3ea237c30c8735b051524e66fd401a10f6a";
    python_digest_ints_minus_2_15: "set", -(1i64 << 15) => "7f41e9dd1f3fe3694be0430e04c8bfc7d51ec2af";
    python_digest_ints_2_15_minus_1: "set", (1i64 << 15) - 1 => "309fc9c2619c4f65ff7f4cd82085c3ee7a31fc7c";
    python_digest_ints_2_16_minus_1: "set", (1i64 << 16) - 1 => "3f0dd44352749a9fd5b7ec44213441ef54c46d57";
    python_digest_ints_minus_2_31: "set", -(1i64 << 31) => "d635a867b755f8f54cdc6275e6fb437df82a728c";
    python_digest_ints_2_31_minus_1: "set", (1i64 << 31) - 1 => "fa8c47b8b898af1bbcb20af0d729ca68359a2645";
    python_digest_ints_2_32_minus_1: "set", (1i64 << 32) - 1 => "2cdf52bf5641027042b9cf9a499e509a58b330e2";
    python_digest_ints_minus_2_63: "set", i64::MIN => "7185c2a47fb02c996daed26b4e01b83240aee9d4";
    python_digest_ints_2_63_minus_1: "set", i64::MAX => "1698328974afa62c8e069860c1516f780d63dbb8";
}

// Same Python module, test_validate_digest_str.
vectors! {
    python_digest_str_empty: "set", "" => "2819b1ff6e346a43b4f5f6b77a88bc3eaac22a83";
    python_digest_str_s: "set", "s" => "607cddba7cd111745ef0a3d783d57f0e83c8f311";
    python_digest_str_a_10: "set", repeat('a', 10) => "5979fb32a80da070ff356f7695455592272e36c2";
    python_digest_str_m_100: "set", repeat('m', 100) => "f00ad7dbcb4bd8122d9681bca49b8c2ffd4beeed";
    python_digest_str_t_1000: "set", repeat('t', 1000) => "07ac412d4c33b8628ab147b8db244ce44ae527f8";
    python_digest_str_dash_10000: "set", repeat('-', 10_000) => "b42e64afbfccb05912a609179228d9249ea1c1a0";
    python_digest_str_plus_100000: "set", repeat('+', 100_000) => "0a3e888c20bb8958537ddd4ba835e4070bd51740";
}

// Same Python module, test_validate_digest_bytes (the source omits the empty
// bytearray: "Python does not" allow it).
vectors! {
    python_digest_bytes_s: "set", blob(b's', 1) => "ca2d96dc9a184d15a7fa2927565e844e9254e001";
    python_digest_bytes_a_10: "set", blob(b'a', 10) => "d10982327b2b04c7360579f252e164a75f83cd99";
    python_digest_bytes_m_100: "set", blob(b'm', 100) => "475786aa4ee664532a7d1ea69cb02e4695fcdeed";
    python_digest_bytes_t_1000: "set", blob(b't', 1000) => "5a32b507518a49bf47fdaa3deca53803f5b2e8c3";
    python_digest_bytes_dash_10000: "set", blob(b'-', 10_000) => "ed65c63f7a1f8c6697eb3894b6409a95461fd982";
    python_digest_bytes_plus_100000: "set", blob(b'+', 100_000) => "fe19770c371774ba1a1532438d4851b8a773a9e6";
}

// Same Python module, test_calculating_a_digest_with_no_set: the empty set.
vectors! {
    python_digest_with_no_set: "", 1 => "a443f05d05d962202b59abb402afae1737dbf66a";
}

// aerospike/aerospike-client-rust, src/key.rs, fn unsupported_float_key:
// `as_key!("namespace", "set", 4.1415)` panics with "Data type is not
// supported as Key value."; aerolite's Key::new returns that as a
// ParameterError (docs/semantics.md, "Keys").
#[test]
fn rust_unsupported_float_key() {
    let err = Key::new("namespace", "set", 4.1415).unwrap_err();
    assert_eq!(err.result_code(), ResultCode::ParameterError);
    assert!(err
        .to_string()
        .contains("Data type is not supported as Key value."));
}

// aerospike/aerospike-client-rust, src/key.rs, fn unsupported_u64_key:
// u64::MAX is refused ("Aerospike does not support u64 natively on
// server-side."); aerolite refuses the conversion to a Value instead.
#[test]
fn rust_unsupported_u64_key() {
    let err = Value::try_from(u64::MAX).unwrap_err();
    assert_eq!(err.result_code(), ResultCode::ParameterError);
}

// aerospike/aerospike-client-go, key_test.go, It("for Arrays"): the Go client
// hashes list keys ("2af0111192df4ca297232d1641ff52c2ce51ce2d" for []). A
// deliberate difference: aerolite's user keys are int, string or blob only,
// anything else is ParameterError (docs/semantics.md, "Keys").
#[test]
fn go_arrays_are_refused_as_keys() {
    for list in [
        Value::List(vec![]),
        Value::List(vec![
            Value::Int(1),
            Value::Blob(vec![1, 17]),
            Value::from("str"),
        ]),
    ] {
        let err = Key::new("namespace", "set", list).unwrap_err();
        assert!(matches!(err, Error::ParameterError(_)), "{err:?}");
    }
}

// aerospike/aerospike-client-go, key_test.go, It("for custom digest"): a key
// built from a given digest reports exactly that digest.
#[test]
fn go_custom_digest() {
    let key = Key::from_digest("namespace", "set", Digest(*b"01234567890123456789")).unwrap();
    assert_eq!(key.digest().0, *b"01234567890123456789");
    assert_eq!(key.user_key(), None);
}
