//! `backup`, `restore`, `verify` and `compact`.

use super::*;

#[test]
fn backup_to_stdout_and_to_a_file_restore_to_the_same_records() {
    let dir = sample_dir();
    let out = aerolite(&["backup", p(dir.path()), "test"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.starts_with(b"Version 3.1\n"));
    let err = stderr(&out);
    assert!(err.contains("backed up 5 records"), "{err}");

    let files = tempfile::tempdir().unwrap();
    let file = files.path().join("test.asb");
    let o = aerolite(&["backup", p(dir.path()), "test", "-o", p(&file)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert_eq!(std::fs::read(&file).unwrap(), out.stdout);

    // Restore the file into a new directory.
    let target = tempfile::tempdir().unwrap();
    let restored = target.path().join("db");
    let o = aerolite(&["restore", p(&restored), p(&file)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).trim(),
        format!(
            "{}: records 5 written 5 expired 0 existed 0 fresher 0 secondary_indexes 0 udfs 0",
            file.display()
        )
    );
    assert_eq!(records(&restored, "test"), records(dir.path(), "test"));

    // Stdout piped into restore's stdin, into another namespace.
    let other = target.path().join("db2");
    let mut child = Command::new(BIN)
        .args(["restore", p(&other), "-", "--namespace", "copy"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&out.stdout).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("stdin: records 5 written 5"));
    assert_eq!(records(&other, "copy").len(), 5);

    // One set only.
    let o = aerolite(&["backup", p(dir.path()), "test", "--set", "users"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout)
            .matches("\n+ n test\n")
            .count(),
        3
    );
}

#[test]
fn restore_flags_map_to_the_restore_options() {
    let dir = sample_dir();
    let files = tempfile::tempdir().unwrap();
    let file = files.path().join("test.asb");
    let o = aerolite(&["backup", p(dir.path()), "test", "-o", p(&file)]);
    assert_eq!(o.status.code(), Some(0));
    // Into the same database: every record is there with the same generation.
    let o = aerolite(&["restore", p(dir.path()), p(&file)]);
    assert!(
        stdout(&o).contains("written 0 expired 0 existed 0 fresher 5"),
        "{}",
        stdout(&o)
    );
    let o = aerolite(&["restore", p(dir.path()), p(&file), "--unique"]);
    assert!(
        stdout(&o).contains("written 0 expired 0 existed 5"),
        "{}",
        stdout(&o)
    );
    let o = aerolite(&[
        "restore",
        p(dir.path()),
        p(&file),
        "--no-generation",
        "--replace",
    ]);
    assert!(stdout(&o).contains("written 5"), "{}", stdout(&o));
    // Two files: a line each and a total.
    let o = aerolite(&[
        "restore",
        p(dir.path()),
        p(&file),
        p(&file),
        "--no-generation",
    ]);
    let text = stdout(&o);
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text
        .lines()
        .last()
        .unwrap()
        .starts_with("total: records 10 written 10"));
    // --unique and --replace together are a usage error.
    let o = aerolite(&["restore", p(dir.path()), p(&file), "--unique", "--replace"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn restore_of_a_malformed_file_fails_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.asb");
    std::fs::write(
        &file,
        "Version 3.1\n# namespace test\n+ n test\n+ x nonsense\n",
    )
    .unwrap();
    let o = aerolite(&["restore", p(&dir.path().join("db")), p(&file)]);
    assert_error(&o, 3, "line 4");
    let o = aerolite(&[
        "restore",
        p(&dir.path().join("db")),
        p(&dir.path().join("none.asb")),
    ]);
    assert_error(&o, 3, "cannot open");
}

/// Flips one byte of the only segment of namespace `test` inside the bytes
/// `marker`.
fn flip(dir: &Path, marker: &[u8]) {
    let ns = dir.join("namespaces/test");
    let seg = std::fs::read_dir(&ns)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "seg"))
        .unwrap();
    let mut bytes = std::fs::read(&seg).unwrap();
    let at = bytes
        .windows(marker.len())
        .position(|w| w == marker)
        .unwrap();
    bytes[at + 2] ^= 0x01;
    std::fs::write(&seg, bytes).unwrap();
}

#[test]
fn verify_passes_on_a_clean_database_and_finds_a_flipped_byte() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap();
    for i in 0..10 {
        let marker = format!("marker-{i:02}-of-this-record");
        db.put(
            &WritePolicy::default(),
            &as_key!("test", "s", i),
            &[as_bin!("m", marker.as_str())],
        )
        .unwrap();
    }
    db.create_stream("events", 1).unwrap();
    db.put_record(PutRecord::new("events", "x", "p")).unwrap();
    db.close().unwrap();

    let o = aerolite(&["verify", p(dir.path())]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("namespaces 1  streams 1"), "{text}");
    assert!(
        text.contains("index entries checked 10  stream records checked 1  damaged entries 0"),
        "{text}"
    );
    assert!(text.ends_with("ok\n"), "{text}");
    assert!(o.stderr.is_empty());

    flip(dir.path(), b"marker-04-of-this-record");
    let o = aerolite(&["verify", p(dir.path())]);
    assert_error(&o, 1, "is damaged");
    let text = stdout(&o);
    assert!(text.contains("damaged regions 1"), "{text}");
    assert!(text.contains("damage: namespace \"test\""), "{text}");
    assert!(text.ends_with("DAMAGED\n"), "{text}");
}

#[test]
fn compact_reports_what_it_did() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), Options::default().segment_size(64 * 1024)).unwrap();
    for i in 0..300 {
        db.put(
            &WritePolicy::default(),
            &as_key!("test", "s", i),
            &[as_bin!("pad", vec![7u8; 900])],
        )
        .unwrap();
    }
    for i in 0..280 {
        db.delete(&WritePolicy::default(), &as_key!("test", "s", i))
            .unwrap();
    }
    db.close().unwrap();
    let o = aerolite(&["compact", p(dir.path())]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.starts_with("expired records removed 0  segments compacted "),
        "{text}"
    );
    let compacted: u64 = text
        .split("segments compacted ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(compacted >= 1, "{text}");
    assert_eq!(records(dir.path(), "test").len(), 20);
    assert_eq!(aerolite(&["verify", p(dir.path())]).status.code(), Some(0));
}
