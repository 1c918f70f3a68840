//! A tour of aerolite: write, read, update with generation compare-and-set,
//! expire a record, and reopen the directory.
//!
//! Run with `cargo run --release --example quickstart [DIR]`. Without DIR it
//! uses a fresh directory under the system temp dir and removes it afterwards.

use aerolite::{
    as_bin, as_key, as_list, Bins, Db, Error, Expiration, GenerationPolicy, ManualClock,
    NamespaceConfig, Options, ReadPolicy, RecordExistsAction, Value, WritePolicy,
};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (dir, temporary) = match std::env::args().nth(1) {
        Some(d) => (std::path::PathBuf::from(d), false),
        None => (
            std::env::temp_dir().join(format!("aerolite-quickstart-{}", std::process::id())),
            true,
        ),
    };
    // A manual clock lets the tour expire a record without waiting.
    let clock = Arc::new(ManualClock::new(SystemTime::now()));
    let options = || {
        Options::default()
            .clock(clock.clone())
            .namespace(NamespaceConfig::new("test").default_ttl(None))
    };
    let read = ReadPolicy::default();
    let write = WritePolicy::default();

    println!("opening {}", dir.display());
    let db = Db::open_with(&dir, options())?;

    // 1. Write a record of several bins, storing the user key with it.
    let alice = as_key!("test", "users", "alice");
    let send_key = WritePolicy {
        send_key: true,
        ..WritePolicy::default()
    };
    db.put(
        &send_key,
        &alice,
        &[
            as_bin!("name", "Alice"),
            as_bin!("age", 30),
            as_bin!("tags", as_list!("admin", "ops")),
        ],
    )?;
    println!("put   alice digest={}", alice.digest());

    // 2. Read it back.
    let rec = db.get(&read, &alice, Bins::All)?;
    println!(
        "get   alice -> {:?} generation={}",
        sorted(&rec.bins),
        rec.generation
    );

    // 3. Merge a bin, delete a bin with nil.
    db.put(&write, &alice, &[as_bin!("age", 31), as_bin!("tags")])?;
    let rec = db.get(&read, &alice, Bins::All)?;
    println!(
        "merge alice -> {:?} generation={}",
        sorted(&rec.bins),
        rec.generation
    );

    // 4. Generation compare-and-set: the second writer with a stale generation loses.
    let cas = WritePolicy {
        generation_policy: GenerationPolicy::ExpectGenEqual,
        generation: rec.generation,
        ..WritePolicy::default()
    };
    db.put(&cas, &alice, &[as_bin!("age", 32)])?;
    match db.put(&cas, &alice, &[as_bin!("age", 99)]) {
        Err(e @ Error::GenerationMismatch { .. }) => {
            println!(
                "cas   stale writer refused: {e} (result code {})",
                e.result_code() as i32
            )
        }
        other => return Err(format!("expected a generation mismatch, got {other:?}").into()),
    }

    // 5. Create-only refuses to overwrite.
    let create_only = WritePolicy {
        record_exists_action: RecordExistsAction::CreateOnly,
        ..WritePolicy::default()
    };
    if let Err(e) = db.put(&create_only, &alice, &[as_bin!("age", 0)]) {
        println!("create-only on an existing record: {e}");
    }

    // 6. A record with a 60-second TTL expires when the clock passes it.
    let session = as_key!("test", "sessions", 42);
    let ttl = WritePolicy {
        expiration: Expiration::Seconds(60),
        ..WritePolicy::default()
    };
    db.put(&ttl, &session, &[as_bin!("user", "alice")])?;
    let rec = db.get(&read, &session, Bins::None)?;
    println!("ttl   session expires in {:?}", rec.time_to_live());
    clock.advance(Duration::from_secs(61));
    println!(
        "ttl   61 s later: exists={} get={:?}",
        db.exists(&read, &session)?,
        db.get(&read, &session, Bins::All)
            .map(|_| ())
            .map_err(|e| e.to_string())
    );

    // 7. Many writes, a delete, then close and reopen: everything is rebuilt from disk.
    for i in 0..10_000i64 {
        db.put(
            &write,
            &as_key!("test", "bulk", i),
            &[as_bin!("i", i), as_bin!("sq", i * i)],
        )?;
    }
    db.delete(&write, &as_key!("test", "bulk", 7))?;
    let before = db.namespace_stats("test")?;
    db.close()?;
    println!(
        "close {} objects, {} segments, {} index bytes",
        before.objects, before.segments, before.index_bytes
    );

    let started = std::time::Instant::now();
    let db = Db::open_with(&dir, options())?;
    let after = db.namespace_stats("test")?;
    println!(
        "open  rebuilt {} objects in {:?}",
        after.objects,
        started.elapsed()
    );
    let rec = db.get(&read, &alice, Bins::All)?;
    println!(
        "get   alice -> {:?} generation={} stored key={:?}",
        sorted(&rec.bins),
        rec.generation,
        rec.key.as_ref().and_then(|k| k.user_key())
    );
    println!(
        "get   bulk 9999 -> sq={:?}; bulk 7 deleted: exists={}; session still expired: exists={}",
        db.get(&read, &as_key!("test", "bulk", 9999), ["sq"])?
            .bins
            .get("sq"),
        db.exists(&read, &as_key!("test", "bulk", 7))?,
        db.exists(&read, &session)?
    );
    assert_eq!(after.objects, before.objects);
    db.close()?;
    if temporary {
        std::fs::remove_dir_all(&dir)?;
    }
    println!("done");
    Ok(())
}

fn sorted(bins: &std::collections::HashMap<String, Value>) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = bins
        .iter()
        .map(|(k, v)| (k.clone(), v.to_string()))
        .collect();
    v.sort();
    v
}
