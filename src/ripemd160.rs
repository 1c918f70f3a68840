//! RIPEMD-160 (Dobbertin, Bosselaers and Preneel, 1996), the hash behind
//! every record's [`Digest`](crate::Digest).
//!
//! Every keyed call hashes its key, so this hash is on every hot path: in
//! `perf`, a loop of `Key::new` and a random `get` at a million records
//! spent about a tenth of its time here. RIPEMD-160 runs two independent
//! lines of 80 steps over the block; this implementation interleaves them
//! step by step, so the processor works on both at once instead of
//! finishing one line before the next starts, and writes the boolean
//! functions so that each step's newest word enters them as late as
//! possible. One block (every key of up to 55 bytes with its set name)
//! takes about 180 ns here against about 260 ns with the `ripemd` crate on
//! the same machine (see `docs/benchmarks.md`). The tests check it against
//! the published test vectors and, byte for byte, against the `ripemd`
//! crate on random inputs.

/// Word order of the left line, step by step.
const R_LEFT: [usize; 80] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, //
    7, 4, 13, 1, 10, 6, 15, 3, 12, 0, 9, 5, 2, 14, 11, 8, //
    3, 10, 14, 4, 9, 15, 8, 1, 2, 7, 0, 6, 13, 11, 5, 12, //
    1, 9, 11, 10, 0, 8, 12, 4, 13, 3, 7, 15, 14, 5, 6, 2, //
    4, 0, 5, 9, 7, 12, 2, 10, 14, 1, 3, 8, 11, 6, 15, 13,
];

/// Word order of the right line.
const R_RIGHT: [usize; 80] = [
    5, 14, 7, 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12, //
    6, 11, 3, 7, 0, 13, 5, 10, 14, 15, 8, 12, 4, 9, 1, 2, //
    15, 5, 1, 3, 7, 14, 6, 9, 11, 8, 12, 2, 10, 0, 4, 13, //
    8, 6, 4, 1, 3, 11, 15, 0, 5, 12, 2, 13, 9, 7, 10, 14, //
    12, 15, 10, 4, 1, 5, 8, 7, 6, 2, 13, 14, 0, 3, 9, 11,
];

/// Rotation of the left line.
const S_LEFT: [u32; 80] = [
    11, 14, 15, 12, 5, 8, 7, 9, 11, 13, 14, 15, 6, 7, 9, 8, //
    7, 6, 8, 13, 11, 9, 7, 15, 7, 12, 15, 9, 11, 7, 13, 12, //
    11, 13, 6, 7, 14, 9, 13, 15, 14, 8, 13, 6, 5, 12, 7, 5, //
    11, 12, 14, 15, 14, 15, 9, 8, 9, 14, 5, 6, 8, 6, 5, 12, //
    9, 15, 5, 11, 6, 8, 13, 12, 5, 12, 13, 14, 11, 8, 5, 6,
];

/// Rotation of the right line.
const S_RIGHT: [u32; 80] = [
    8, 9, 9, 11, 13, 15, 15, 5, 7, 7, 8, 11, 14, 14, 12, 6, //
    9, 13, 15, 7, 12, 8, 9, 11, 7, 7, 12, 7, 6, 15, 13, 11, //
    9, 7, 15, 11, 8, 6, 6, 14, 12, 13, 5, 14, 13, 13, 7, 5, //
    15, 5, 8, 11, 14, 14, 6, 14, 6, 9, 12, 9, 12, 5, 15, 8, //
    8, 5, 12, 9, 12, 5, 14, 6, 8, 13, 6, 5, 15, 13, 11, 11,
];

/// Added constants of the left line, per round of 16 steps.
const K_LEFT: [u32; 5] = [0, 0x5a82_7999, 0x6ed9_eba1, 0x8f1b_bcdc, 0xa953_fd4e];

/// Added constants of the right line.
const K_RIGHT: [u32; 5] = [0x50a2_8be6, 0x5c4d_d124, 0x6d70_3ef3, 0x7a6d_76e9, 0];

/// The chaining value before the first block.
const INITIAL: [u32; 5] = [
    0x6745_2301,
    0xefcd_ab89,
    0x98ba_dcfe,
    0x1032_5476,
    0xc3d2_e1f0,
];

/// Block length in bytes.
const BLOCK: usize = 64;

/// The boolean function of step `j` (0..80; the right line runs them in
/// reverse, `79 - j`). `x` is the word the previous step produced, so each
/// form applies it last: `(x & y) | (!x & z)` as `z ^ (x & (y ^ z))`.
#[inline(always)]
fn f(j: usize, x: u32, y: u32, z: u32) -> u32 {
    match j / 16 {
        0 => x ^ (y ^ z),
        1 => z ^ (x & (y ^ z)),
        2 => (x | !y) ^ z,
        3 => (x & z) | (y & !z),
        _ => x ^ (y | !z),
    }
}

/// One step of either line: `v` is `[a, b, c, d, e]`, `f` the boolean
/// function of `b, c, d`, `x` the message word and `k` the constant.
#[inline(always)]
fn step(v: [u32; 5], f: u32, x: u32, k: u32, s: u32) -> [u32; 5] {
    let [a, b, c, d, e] = v;
    let t = a
        .wrapping_add(f)
        .wrapping_add(x)
        .wrapping_add(k)
        .rotate_left(s)
        .wrapping_add(e);
    [e, t, b, c.rotate_left(10), d]
}

/// Runs the compression function on one block.
fn compress(h: &mut [u32; 5], block: &[u8; BLOCK]) {
    let mut x = [0u32; 16];
    for (w, c) in x.iter_mut().zip(block.chunks_exact(4)) {
        *w = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    }
    let (mut l, mut r) = (*h, *h);
    // One left step and one right step per `J`, every index a constant.
    macro_rules! steps {
        ($($j:literal)*) => {$({
            const J: usize = $j;
            let fl = f(J, l[1], l[2], l[3]);
            l = step(l, fl, x[R_LEFT[J]], K_LEFT[J / 16], S_LEFT[J]);
            let fr = f(79 - J, r[1], r[2], r[3]);
            r = step(r, fr, x[R_RIGHT[J]], K_RIGHT[J / 16], S_RIGHT[J]);
        })*};
    }
    steps!(
        0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
        16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31
        32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47
        48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63
        64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79
    );
    let t = h[1].wrapping_add(l[2]).wrapping_add(r[3]);
    h[1] = h[2].wrapping_add(l[3]).wrapping_add(r[4]);
    h[2] = h[3].wrapping_add(l[4]).wrapping_add(r[0]);
    h[3] = h[4].wrapping_add(l[0]).wrapping_add(r[1]);
    h[4] = h[0].wrapping_add(l[1]).wrapping_add(r[2]);
    h[0] = t;
}

/// The RIPEMD-160 of the concatenation of `parts`.
pub(crate) fn ripemd160(parts: &[&[u8]]) -> [u8; 20] {
    let mut h = INITIAL;
    let mut block = [0u8; BLOCK];
    let mut fill = 0;
    let mut total: u64 = 0;
    for part in parts {
        total = total.wrapping_add(part.len() as u64);
        let mut rest = *part;
        while !rest.is_empty() {
            let n = rest.len().min(BLOCK - fill);
            block[fill..fill + n].copy_from_slice(&rest[..n]);
            fill += n;
            rest = &rest[n..];
            if fill == BLOCK {
                compress(&mut h, &block);
                fill = 0;
            }
        }
    }
    // Padding: one 1 bit, zeros, then the length in bits (64 bits,
    // little-endian) at the end of the last block.
    block[fill] = 0x80;
    block[fill + 1..].fill(0);
    if fill >= BLOCK - 8 {
        compress(&mut h, &block);
        block = [0u8; BLOCK];
    }
    block[BLOCK - 8..].copy_from_slice(&total.wrapping_mul(8).to_le_bytes());
    compress(&mut h, &block);
    let mut out = [0u8; 20];
    for (o, w) in out.chunks_exact_mut(4).zip(h) {
        o.copy_from_slice(&w.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ripemd::Digest as _;

    fn hex(d: [u8; 20]) -> String {
        d.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn published_test_vectors() {
        let a_million = vec![b'a'; 1_000_000];
        let eight_times = "1234567890".repeat(8);
        let cases: [(&[u8], &str); 9] = [
            (b"", "9c1185a5c5e9fc54612808977ee8f548b2258d31"),
            (b"a", "0bdc9d2d256b3ee9daae347be6f4dc835a467ffe"),
            (b"abc", "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"),
            (
                b"message digest",
                "5d0689ef49d2fae572b881b123a85ffa21595f36",
            ),
            (
                b"abcdefghijklmnopqrstuvwxyz",
                "f71c27109c692c1b56bbdceb5b9d2865b3708dbc",
            ),
            (
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "12a053384a9c0c88e405a06c27dcf49ada62eb2b",
            ),
            (
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                "b0e20b6e3116640286ed3a87a5713079b21f5189",
            ),
            (
                eight_times.as_bytes(),
                "9b752e45573d4b39f4dbd3323cab82bf63326bfb",
            ),
            (&a_million, "52783243c1697bdbe16d37f97f68f08325dc1528"),
        ];
        for (input, want) in cases {
            assert_eq!(
                hex(ripemd160(&[input])),
                want,
                "input of {} bytes",
                input.len()
            );
        }
    }

    #[test]
    fn every_length_around_the_padding_boundaries() {
        // 55, 56 and 64 bytes decide whether the length needs a block of
        // its own; two blocks and a bit more cover the carry between them.
        for len in 0..200usize {
            let data: Vec<u8> = (0..len).map(|i| (i * 31 + 7) as u8).collect();
            let want: [u8; 20] = ripemd::Ripemd160::digest(&data).into();
            assert_eq!(ripemd160(&[&data]), want, "length {len}");
        }
    }

    proptest! {
        #[test]
        fn equals_the_ripemd_crate(
            data in proptest::collection::vec(any::<u8>(), 0..400),
            cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..4),
        ) {
            let mut at: Vec<usize> = cuts.iter().map(|c| c.index(data.len() + 1)).collect();
            at.sort_unstable();
            let mut parts: Vec<&[u8]> = Vec::new();
            let mut from = 0;
            for &to in &at {
                parts.push(&data[from..to]);
                from = to;
            }
            parts.push(&data[from..]);
            let want: [u8; 20] = ripemd::Ripemd160::digest(&data).into();
            prop_assert_eq!(ripemd160(&parts), want);
        }
    }
}
